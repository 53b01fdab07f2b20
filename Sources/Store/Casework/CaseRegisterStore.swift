import Database
import Domain
import Foundation

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    public var nominalsCreated = 0
    public var nominalsUpdated = 0
    public var casesCreated = 0
    public var casesUpdated = 0
    /// Cases restricted by the import (Category 4 ones, always restricted): only the people on their access lists see
    /// them, and the coordinators who manage restricted cases can name who does.
    public var restrictedCases = 0
    public var rows: Int { nominalsCreated + nominalsUpdated }
}

/// The case register as a file: imported all or nothing (re-importing updates, never duplicates) and exported under
/// need-to-know.
public struct CaseRegisterStore: FeatureStore {
    let context: StoreContext
    let agencies: AgencyStore
    let areas: AreaStore

    /// Imports validated register rows in one transaction: a `nominal_ref` already on record updates that
    /// nominal and its current case (changes of category, level and RoSH go into the case history); a new one
    /// creates both. A row naming a MAPPA area sets the case's area (a change goes into the history); a row without
    /// one leaves it as it is. Any failure rolls back everything.
    ///
    /// The rows go in slices of 10,000: what is on record for a slice is read in a few statements, every change is
    /// worked out in memory (new rows get ids reserved up front, so nothing waits for an insert's answer), then each
    /// table is written in bulk (`insertMany`, `updateMany`: COPY on PostgreSQL). A row a time took 15–20 round
    /// trips, which on PostgreSQL made a 100,000-row register take 104 s.
    public func importRegister(_ rows: [CaseRegisterRow], by importer: Importer, progress: ((Int) -> Void)? = nil) throws -> ImportSummary {
        try importRegister(rows, by: importer, progress: progress, sliceSize: RegisterLoad.sliceSize)
    }

    /// The import with slices of `sliceSize` rows (tests use small ones to cross slice boundaries).
    func importRegister(_ rows: [CaseRegisterRow], by importer: Importer, progress: ((Int) -> Void)?, sliceSize: Int) throws -> ImportSummary {
        if case .person(let viewer) = importer, !viewer.can(.editCases) { throw DomainError.roleRefused() }
        let actor = importer.actor
        let hidden = try importer.hiddenNominalRefs(context)
        if let line = rows.firstIndex(where: { hidden.contains($0.nominalRef) }) {
            try context.audit.record(actor: actor, action: .accessRefused, subjectType: "case_register", subjectID: "import",
                                     detail: "the file changes people hidden from the user")
            throw DomainError.validation(field: "register", "Row \(line + 1) (nominal \(rows[line].nominalRef)): you may not change this person's record, as access is on a need-to-know basis. Nothing was imported: remove the row, or ask a coordinator who may see the record.")
        }
        let agencies = Dictionary(try agencies.agencies().map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        let areas = Dictionary(try areas.areas().map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        let stamp = context.now
        let today = today
        // The search keys are worked out on another core while the rows go in; each nominal is indexed by its last
        // row (a register may list one twice).
        let searchKeys = BackgroundWork {
            let lastRow = Dictionary(rows.enumerated().map { ($1.nominalRef, $0) }, uniquingKeysWith: { _, later in later })
            return SearchKeyBatch(count: rows.count) { index in
                let row = rows[index]
                return lastRow[row.nominalRef] == index ? PersonDetails(
                    familyName: row.familyName, givenNames: row.givenNames, aliases: row.aliases, dateOfBirth: row.dateOfBirth,
                    pncID: row.pncID, visorReference: row.visorRef, crn: row.crn) : nil
            }
        }
        var nominalIDs = [Int64](repeating: 0, count: rows.count)
        let summary = try database.write { connection in try connection.withBulkWriteCache {
            var load = RegisterLoad(connection: connection, importer: importer, actor: actor, stamp: stamp, today: today,
                                    agencies: agencies, areas: areas)
            for start in stride(from: 0, to: rows.count, by: sliceSize) {
                let slice = start..<min(rows.count, start + sliceSize)
                try load.apply(rows, slice, nominalIDs: &nominalIDs)
                progress?(slice.upperBound)
            }
            try searchKeys.value().write(connection, nominalIDs: nominalIDs)
            let summary = load.summary
            try context.audit.append(connection, actor: actor, action: .create, subjectType: "case_register", subjectID: "import",
                                     detail: "\(summary.nominalsCreated) nominals created, \(summary.nominalsUpdated) updated, \(summary.casesCreated) cases created, \(summary.casesUpdated) updated, \(summary.restrictedCases) restricted")
            return summary
        } }
        progress?(rows.count)
        return summary
    }

    /// The register as the viewer may see it: each person with their most recent case, in nominal reference order,
    /// leaving out everyone with a case the viewer may not see (as the search does).
    public func exportRegister(for viewer: Viewer) throws -> [CaseRegisterRow] {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).nominals()
            return try exportRows(connection, where: visible.sql, visible.parameters)
        }
    }

    /// The whole register, for the operator at the command line: restricted (Category 4) cases are left out unless
    /// `includeRestricted`.
    public func exportRegister(asSystem job: SystemJob, includeRestricted: Bool = false) throws -> [CaseRegisterRow] {
        try database.read { connection in
            try exportRows(connection, where: includeRestricted ? "" : " AND cases.restricted = 0", [])
        }
    }

    /// One line of the register as exported: the person and their most recent case.
    struct ExportedRow: RowDecodable {
        let nominal: NominalRecord
        let row: CaseRegisterRow?

        static let columns = NominalRecord.columns + """
            , cases.category, cases.level, cases.start_date, cases.statutory_end_date, cases.next_review_date, cases.rosh,
            cases.status, cases.exit_date, cases.exit_reason, agencies.code AS lead_code, areas.code AS area_code
            """

        init(row reader: inout RowReader) throws(DatabaseError) {
            nominal = try NominalRecord(row: &reader)
            let category: MappaCategory = try reader.decode("category")
            let level: ManagementLevel = try reader.decode("level")
            let start: CalendarDate = try reader.decode("start_date")
            let statutoryEnd: CalendarDate? = try reader.decodeIfPresent("statutory_end_date")
            let nextReview: CalendarDate? = try reader.decodeIfPresent("next_review_date")
            let rosh: RoSH? = try reader.decodeIfPresent("rosh")
            let status: CaseStatus = try reader.decode("status")
            let exitDate: CalendarDate? = try reader.decodeIfPresent("exit_date")
            let exitReason: String = try reader.decode("exit_reason")
            let lead: String = try reader.decode("lead_code")
            let area: String? = try reader.decodeIfPresent("area_code")
            // The register's format needs a date of birth; a person recorded without one (from a referral that had
            // none) cannot be written in it.
            guard let dob = nominal.dateOfBirth else {
                row = nil
                return
            }
            row = CaseRegisterRow(
                nominalRef: nominal.nominalRef, familyName: nominal.familyName, givenNames: nominal.givenNames, aliases: nominal.aliases,
                dateOfBirth: dob, gender: nominal.gender, ethnicity: nominal.ethnicity, pncID: nominal.pncID,
                visorRef: nominal.visorReference, crn: nominal.crn, category: category, level: level, leadAgency: lead,
                mappaStartDate: start, statutoryEndDate: statutoryEnd, nextReviewDate: nextReview, rosh: rosh,
                custodyStatus: nominal.custodyStatus, releaseDate: nominal.releaseDate, status: status, exitDate: exitDate,
                exitReason: exitReason, area: area)
        }
    }

    private func exportRows(_ connection: Connection, where condition: String, _ parameters: [SQLValue]) throws -> [CaseRegisterRow] {
        try connection.query(ExportedRow.self, """
            SELECT \(ExportedRow.columns)
            FROM nominals
            JOIN cases ON cases.id = (SELECT MAX(id) FROM cases c WHERE c.nominal_id = nominals.id)
            JOIN agencies ON agencies.id = cases.lead_agency_id LEFT JOIN areas ON areas.id = cases.area_id
            WHERE 1 = 1\(condition)
            ORDER BY nominals.nominal_ref
            """, parameters).compactMap(\.row)
    }

    /// The agencies' codes, which the register's `lead_agency` column must use.
    public func agencyCodes() throws -> Set<String> {
        Set(try agencies.agencies().map(\.code))
    }

    /// The MAPPA areas' codes, which the register's optional `mappa_area` column must use.
    public func areaCodes() throws -> Set<String> {
        Set(try areas.areas().map(\.code))
    }
}
