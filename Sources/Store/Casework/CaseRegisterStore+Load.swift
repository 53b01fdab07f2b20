import Database
import Domain

/// One register import's writes, a slice of rows at a time (see `CaseRegisterStore.importRegister`): reads what is on
/// record for the slice, works out every nominal, case, alias and history row in memory, then writes each table in
/// bulk. What the import has done so far is kept in memory too, so a nominal listed twice, in one slice or two, is
/// created once and then updated, with the change in its history, as a row at a time did.
struct RegisterLoad {
    static let sliceSize = 10_000

    let connection: Connection
    let importer: Importer
    let actor: Actor
    let stamp: String
    let today: CalendarDate
    let agencies: [String: Int64]
    let areas: [String: Int64]
    private(set) var summary = ImportSummary()
    /// Each nominal reference met so far, as this import leaves it.
    private var onRecord: [String: Nominal] = [:]

    init(connection: Connection, importer: Importer, actor: Actor, stamp: String, today: CalendarDate,
         agencies: [String: Int64], areas: [String: Int64]) {
        self.connection = connection
        self.importer = importer
        self.actor = actor
        self.stamp = stamp
        self.today = today
        self.agencies = agencies
        self.areas = areas
    }

    struct Nominal {
        var id: Int64
        /// Moved on by each row that updates the nominal, as a row at a time did (edits check it for conflicts).
        var version: Int64
        var latest: LatestCase?
    }

    /// What a nominal's most recent case holds of what the register can change (the history records the changes).
    struct LatestCase {
        var id: Int64
        var version: Int64
        var category: MappaCategory
        var level: ManagementLevel
        var rosh: RoSH?
        var status: CaseStatus
        var areaID: Int64?
        var areaCode: String
        var restricted: Bool
    }

    static let nominalColumns = ["family_name", "given_names", "date_of_birth", "gender", "ethnicity", "pnc_id", "visor_ref",
                                 "crn", "custody_status", "release_date", "alias_list"]
    static let caseColumns = ["category", "level", "lead_agency_id", "start_date", "statutory_end_date", "next_review_date",
                              "rosh", "status", "exit_date", "exit_reason", "restricted", "area_id"]

    /// Imports rows `slice` of `rows`, putting each row's nominal id in `nominalIDs`.
    mutating func apply(_ rows: [CaseRegisterRow], _ slice: Range<Int>, nominalIDs: inout [Int64]) throws {
        try readOnRecord(Set(slice.map { rows[$0].nominalRef }).filter { onRecord[$0] == nil })
        // Ids for the nominals and cases this slice creates, reserved up front.
        var newRefs = Set<String>(), refsWithoutCase = Set<String>()
        for index in slice {
            let ref = rows[index].nominalRef
            if let nominal = onRecord[ref] { if nominal.latest == nil { refsWithoutCase.insert(ref) } } else { newRefs.insert(ref) }
        }
        var freeNominalIDs = try connection.reserveIDs(in: "nominals", count: newRefs.count)[...]
        var freeCaseIDs = try connection.reserveIDs(in: "cases", count: newRefs.count + refsWithoutCase.count)[...]

        var nominalInserts: [[SQLValue]] = [], nominalUpdates: [Int64: [SQLValue]] = [:]
        var caseInserts: [[SQLValue]] = [], caseAgencies: [[SQLValue]] = [], caseUpdates: [Int64: [SQLValue]] = [:]
        var history: [[SQLValue]] = [], events: [ChangeEventStore.CaseEvent] = [], aliases: [Int64: [String]] = [:]
        var createdHere = Set<Int64>(), restrictedForImporter: [Int64] = []
        /// A line of the case history, and the change event it makes for other systems (as `CaseStore` records them).
        func noteChange(_ caseID: Int64, _ field: String, _ old: String, _ new: String, _ row: CaseRegisterRow) {
            history.append([.integer(caseID), .text(field), .text(old), .text(new), .text("Case register import"), .text(stamp),
                            .init(actor.userID)])
            if let (type, information) = ChangeEventStore.historyEvent(caseID: caseID, field: field, old: old, new: new,
                                                                        registeredAs: { (row.category, row.level) }) {
                events.append(.init(type: type, caseID: caseID, crn: row.crn, pnc: row.pncID, information: information))
            }
        }

        for index in slice {
            let row = rows[index]
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
                .text(row.custodyStatus.rawValue), .init(row.releaseDate?.description), .text(AliasList.encode(row.aliases)),
            ]
            var nominal: Nominal
            if let known = onRecord[row.nominalRef] {
                nominal = known
                nominal.version += 1
                nominalUpdates[nominal.id] = [.integer(nominal.id)] + nominalValues + [.text(stamp), .integer(nominal.version)]
                summary.nominalsUpdated += 1
            } else {
                nominal = Nominal(id: freeNominalIDs.removeFirst(), version: 1, latest: nil)
                nominalInserts.append([.integer(nominal.id)] + nominalValues + [.text(row.nominalRef), .text(stamp), .text(stamp)])
                createdHere.insert(nominal.id)
                summary.nominalsCreated += 1
            }
            aliases[nominal.id] = row.aliases
            nominalIDs[index] = nominal.id

            let caseValues: [SQLValue] = [
                .integer(Int64(row.category.rawValue)), .integer(Int64(row.level.rawValue)), .integer(leadAgencyID),
                .text((row.mappaStartDate ?? today).description), .init(row.statutoryEndDate?.description),
                .init(row.nextReviewDate?.description), .init(row.rosh?.rawValue), .text(row.status.rawValue),
                .init(row.exitDate?.description), .text(row.exitReason),
            ]
            if let current = nominal.latest {
                var changed = [("category", String(current.category.rawValue), String(row.category.rawValue)),
                               ("level", String(current.level.rawValue), String(row.level.rawValue)),
                               ("rosh", current.rosh?.rawValue ?? "", row.rosh?.rawValue ?? ""),
                               ("status", current.status.rawValue, row.status.rawValue)]
                if let area = row.area { changed.append(("area", current.areaCode, area)) }
                for (field, old, new) in changed where old != new { noteChange(current.id, field, old, new, row) }
                let restricted = current.restricted || row.category == .four
                caseUpdates[current.id] = [.integer(current.id)] + caseValues + [.init(restricted), .init(areaID ?? current.areaID), .text(stamp),
                                                                 .integer(current.version + 1)]
                summary.casesUpdated += 1
                if row.category == .four && !current.restricted {
                    summary.restrictedCases += 1
                    restrictedForImporter.append(current.id)
                }
                nominal.latest = LatestCase(id: current.id, version: current.version + 1, category: row.category, level: row.level, rosh: row.rosh, status: row.status,
                                            areaID: areaID ?? current.areaID, areaCode: row.area ?? current.areaCode, restricted: restricted)
            } else {
                let caseID = freeCaseIDs.removeFirst()
                caseInserts.append([.integer(caseID)] + caseValues + [.init(row.category == .four), .init(areaID), .integer(nominal.id),
                                                                      .text(stamp), .text(stamp)])
                caseAgencies.append([.integer(caseID), .integer(leadAgencyID)])
                noteChange(caseID, "created", "", "\(row.category.shortName), \(row.level.shortName)", row)
                summary.casesCreated += 1
                if row.category == .four {
                    // Restricted from the start: the person importing it sees it; from the command line, nobody yet.
                    summary.restrictedCases += 1
                    restrictedForImporter.append(caseID)
                }
                nominal.latest = LatestCase(id: caseID, version: 1, category: row.category, level: row.level, rosh: row.rosh, status: row.status,
                                            areaID: areaID, areaCode: row.area ?? "", restricted: row.category == .four)
            }
            onRecord[row.nominalRef] = nominal
        }

        // Inserts before the updates that may follow them (a nominal listed twice), and before the rows pointing at them.
        try connection.insertMany(into: "nominals", columns: ["id"] + Self.nominalColumns + ["nominal_ref", "created_at", "updated_at"],
                                  rows: nominalInserts, skippingDuplicates: false)
        try connection.updateMany("nominals", key: "id", columns: Self.nominalColumns + ["updated_at", "version"],
                                  rows: nominalUpdates.keys.sorted().compactMap { nominalUpdates[$0] })
        // The other names and search keys of people already on record before this slice are replaced.
        let replaced = aliases.keys.filter { !createdHere.contains($0) }.sorted()
        for start in stride(from: 0, to: replaced.count, by: 500) {
            let ids = replaced[start..<min(replaced.count, start + 500)].map { SQLValue.integer($0) }
            let list = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            try connection.execute("DELETE FROM nominal_aliases WHERE nominal_id IN (\(list))", ids)
            try connection.execute("DELETE FROM nominal_search_keys WHERE nominal_id IN (\(list))", ids)
        }
        try connection.insertMany(into: "nominal_aliases", columns: ["nominal_id", "alias"],
                                  rows: aliases.keys.sorted().flatMap { id in aliases[id, default: []].map { [.integer(id), .text($0)] } },
                                  skippingDuplicates: false)
        try connection.insertMany(into: "cases", columns: ["id"] + Self.caseColumns + ["nominal_id", "created_at", "updated_at"],
                                  rows: caseInserts, skippingDuplicates: false)
        try connection.insertMany(into: "case_agencies", columns: ["case_id", "agency_id"], rows: caseAgencies, skippingDuplicates: false)
        try connection.updateMany("cases", key: "id", columns: Self.caseColumns + ["updated_at", "version"],
                                  rows: caseUpdates.keys.sorted().compactMap { caseUpdates[$0] })
        try connection.insertMany(into: "case_history", columns: ["case_id", "field", "old_value", "new_value", "reason", "changed_at", "changed_by"],
                                  rows: history, skippingDuplicates: false)
        try ChangeEventStore.recordMany(connection, events, at: stamp)
        // The tables grow from nothing inside this one transaction; PostgreSQL's cached plans were made when they
        // looked empty, and the lookup of what is on record scanned the nominals whole (a 100,000-row import: 26 s of
        // a 40,000-row one; 207 s in all). New figures for the planner after each slice replan them.
        if connection.dialect == .postgres { try connection.executeScript("ANALYZE nominals, cases") }
        if case .person(let viewer) = importer {
            for caseID in restrictedForImporter { try CaseAccessStore.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow) }
        }
    }

    /// Reads the nominals on record among `refs`, each with its most recent case, a few hundred references a statement.
    /// The latest case's id is worked out per nominal first, then joined by key: as a join condition, PostgreSQL ran
    /// the subquery for every pair of nominal and case (190 ms a statement with 10,000 cases on record).
    private mutating func readOnRecord(_ refs: Set<String>) throws {
        let refs = refs.sorted()
        for start in stride(from: 0, to: refs.count, by: 500) {
            let chunk = refs[start..<min(refs.count, start + 500)]
            for row in try connection.query("""
                SELECT own.id AS nominal_id, own.nominal_ref, own.version, latest.id AS case_id,
                       latest.version AS case_version, latest.category, latest.level,
                       latest.rosh, latest.status, latest.area_id, COALESCE(areas.code, '') AS area_code, latest.restricted
                FROM (SELECT id, nominal_ref, version, (SELECT MAX(cases.id) FROM cases WHERE cases.nominal_id = nominals.id) AS latest_id
                      FROM nominals WHERE nominal_ref IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))) AS own
                LEFT JOIN cases AS latest ON latest.id = own.latest_id
                LEFT JOIN areas ON areas.id = latest.area_id
                """, chunk.map { .text($0) }) {
                var reader = RowReader(row)
                let nominalID: Int64 = try reader.decode("nominal_id")
                let ref: String = try reader.decode("nominal_ref")
                let version: Int64 = try reader.decode("version")
                var latest: LatestCase?
                if let caseID: Int64 = try reader.decodeIfPresent("case_id") {
                    latest = LatestCase(id: caseID, version: try reader.decode("case_version"), category: try reader.decode("category"), level: try reader.decode("level"),
                                        rosh: try reader.decodeIfPresent("rosh"), status: try reader.decode("status"),
                                        areaID: try reader.decodeIfPresent("area_id"), areaCode: try reader.decode("area_code"),
                                        restricted: try reader.decode("restricted"))
                }
                onRecord[ref] = Nominal(id: nominalID, version: version, latest: latest)
            }
        }
    }
}
