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
    public func importRegister(_ rows: [CaseRegisterRow], by importer: Importer, progress: ((Int) -> Void)? = nil) throws -> ImportSummary {
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
        var summary = ImportSummary()
        let stamp = context.now
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
        try database.write { connection in try connection.withBulkWriteCache {
            for (index, row) in rows.enumerated() {
                if (index + 1) % 1000 == 0 { progress?(index + 1) }
                guard let leadAgencyID = agencies[row.leadAgency] else {
                    throw DomainError.validation(field: "lead_agency", "Line for nominal \(row.nominalRef): unknown lead agency")
                }
                let areaID = try row.area.map { code -> Int64 in
                    guard let id = areas[code] else { throw DomainError.validation(field: "mappa_area", "Line for nominal \(row.nominalRef): unknown MAPPA area") }
                    return id
                }
                let nominalValues: [SQLValue] = [
                    .text(row.familyName), .text(row.givenNames), .text(row.dateOfBirth.description), .text(row.gender),
                    .text(row.ethnicity), .text(row.pncID), .text(row.visorRef), .text(row.crn),
                    .text(row.custodyStatus.rawValue), .init(row.releaseDate?.description),
                ]
                let nominalID: Int64
                var isNew = false
                if let existing = try connection.queryOne("SELECT id FROM nominals WHERE nominal_ref = ?", [.text(row.nominalRef)]) {
                    nominalID = try existing.value("id")
                    try connection.execute("""
                        UPDATE nominals SET family_name = ?, given_names = ?, date_of_birth = ?, gender = ?, ethnicity = ?,
                            pnc_id = ?, visor_ref = ?, crn = ?, custody_status = ?, release_date = ?, updated_at = ?,
                            version = version + 1 WHERE id = ?
                        """, nominalValues + [.text(stamp), .integer(nominalID)])
                    summary.nominalsUpdated += 1
                } else {
                    nominalID = try connection.insert("""
                        INSERT INTO nominals (family_name, given_names, date_of_birth, gender, ethnicity, pnc_id, visor_ref, crn,
                                              custody_status, release_date, nominal_ref, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, nominalValues + [.text(row.nominalRef), .text(stamp), .text(stamp)])
                    summary.nominalsCreated += 1
                    isNew = true
                }
                try AliasList.replace(connection, nominalID: nominalID, with: row.aliases, isNew: isNew)
                if !isNew { try connection.execute("DELETE FROM nominal_search_keys WHERE nominal_id = ?", [.integer(nominalID)]) }
                nominalIDs[index] = nominalID

                let caseValues: [SQLValue] = [
                    .integer(Int64(row.category.rawValue)), .integer(Int64(row.level.rawValue)), .integer(leadAgencyID),
                    .text((row.mappaStartDate ?? today).description), .init(row.statutoryEndDate?.description),
                    .init(row.nextReviewDate?.description), .init(row.rosh?.rawValue), .text(row.status.rawValue),
                    .init(row.exitDate?.description), .text(row.exitReason),
                ]
                // A nominal created just now has no case. Otherwise its latest case: OFFSET 0 keeps PostgreSQL on the
                // nominal's index (with the table's statistics stale mid-import it walked the primary key backwards
                // through every case, making a 100k import take minutes).
                let fence = connection.dialect == .postgres ? "OFFSET 0" : "LIMIT -1 OFFSET 0" // SQLite needs a LIMIT first
                if !isNew, let current = try connection.queryOne("""
                    SELECT own.id, own.category, own.level, own.rosh, own.status, own.area_id, COALESCE(areas.code, '') AS area_code,
                           own.restricted
                    FROM (SELECT * FROM cases WHERE nominal_id = ? \(fence)) AS own LEFT JOIN areas ON areas.id = own.area_id
                    ORDER BY own.id DESC LIMIT 1
                    """, [.integer(nominalID)]) {
                    var reader = RowReader(current)
                    let caseID: Int64 = try reader.decode("id")
                    let category: MappaCategory = try reader.decode("category")
                    let level: ManagementLevel = try reader.decode("level")
                    let rosh: RoSH? = try reader.decodeIfPresent("rosh")
                    let status: CaseStatus = try reader.decode("status")
                    let currentArea: Int64? = try reader.decodeIfPresent("area_id")
                    let currentAreaCode: String = try reader.decode("area_code")
                    let wasRestricted: Bool = try reader.decode("restricted")
                    var changed = [("category", String(category.rawValue), String(row.category.rawValue)),
                                   ("level", String(level.rawValue), String(row.level.rawValue)),
                                   ("rosh", rosh?.rawValue ?? "", row.rosh?.rawValue ?? ""),
                                   ("status", status.rawValue, row.status.rawValue)]
                    if let area = row.area { changed.append(("area", currentAreaCode, area)) }
                    for (field, old, new) in changed where old != new {
                        try connection.execute("""
                            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
                            VALUES (?, ?, ?, ?, 'Case register import', ?, ?)
                            """, [.integer(caseID), .text(field), .text(old), .text(new), .text(stamp), .init(actor.userID)])
                        try ChangeEventStore.recordHistory(connection, caseID: caseID, field: field, old: old, new: new, at: stamp)
                    }
                    try connection.execute("""
                        UPDATE cases SET category = ?, level = ?, lead_agency_id = ?, start_date = ?, statutory_end_date = ?,
                            next_review_date = ?, rosh = ?, status = ?, exit_date = ?, exit_reason = ?, restricted = ?,
                            area_id = ?, updated_at = ?, version = version + 1 WHERE id = ?
                        """, caseValues + [.init(wasRestricted || row.category == .four), .init(areaID ?? currentArea), .text(stamp),
                                           .integer(caseID)])
                    summary.casesUpdated += 1
                    if row.category == .four && !wasRestricted {
                        summary.restrictedCases += 1
                        if case .person(let viewer) = importer {
                            try CaseAccessStore.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow)
                        }
                    }
                } else {
                    let caseID = try connection.insert("""
                        INSERT INTO cases (category, level, lead_agency_id, start_date, statutory_end_date, next_review_date, rosh,
                                           status, exit_date, exit_reason, restricted, area_id, nominal_id, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, caseValues + [.init(row.category == .four), .init(areaID), .integer(nominalID), .text(stamp), .text(stamp)])
                    try connection.execute("INSERT INTO case_agencies (case_id, agency_id) VALUES (?, ?)",
                                           [.integer(caseID), .integer(leadAgencyID)])
                    try connection.execute("""
                        INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
                        VALUES (?, 'created', '', ?, 'Case register import', ?, ?)
                        """, [.integer(caseID), .text("\(row.category.shortName), \(row.level.shortName)"), .text(stamp), .init(actor.userID)])
                    try ChangeEventStore.recordHistory(connection, caseID: caseID, field: "created", old: "", new: "", at: stamp)
                    summary.casesCreated += 1
                    if row.category == .four {
                        // Restricted from the start: the person importing it sees it; from the command line, nobody yet.
                        summary.restrictedCases += 1
                        if case .person(let viewer) = importer {
                            try CaseAccessStore.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow)
                        }
                    }
                }
            }
            try searchKeys.value().write(connection, nominalIDs: nominalIDs)
            try context.audit.append(connection, actor: actor, action: .create, subjectType: "case_register", subjectID: "import",
                                     detail: "\(summary.nominalsCreated) nominals created, \(summary.nominalsUpdated) updated, \(summary.casesCreated) cases created, \(summary.casesUpdated) updated, \(summary.restrictedCases) restricted")
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
