import Database
import Domain
import Foundation

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    public var nominalsCreated = 0
    public var nominalsUpdated = 0
    public var casesCreated = 0
    public var casesUpdated = 0
    public var rows: Int { nominalsCreated + nominalsUpdated }
}

extension CaseworkService {
    /// Imports validated register rows in one transaction: a `nominal_ref` already on record updates that
    /// nominal and its current case (changes of category, level and RoSH go into the case history); a new one
    /// creates both. A row naming a MAPPA area sets the case's area (a change goes into the history); a row without
    /// one leaves it as it is. Any failure rolls back everything.
    public func importRegister(_ rows: [CaseRegisterRow], by actor: Actor, progress: ((Int) -> Void)? = nil) throws -> ImportSummary {
        let agencies = Dictionary(try AccountStore(database: database).agencies().map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        let areas = Dictionary(try AreaStore(database: database).areas().map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        var summary = ImportSummary()
        let stamp = now
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
                    throw StoreError("unknown_agency", "Line for nominal \(row.nominalRef): unknown lead agency")
                }
                let areaID = try row.area.map { code -> Int64 in
                    guard let id = areas[code] else { throw StoreError("unknown_area", "Line for nominal \(row.nominalRef): unknown MAPPA area") }
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
                    nominalID = existing.int64("id")
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
                    .init(row.exitDate?.description), .text(row.exitReason), .init(row.category == .four),
                ]
                // A nominal created just now has no case. Otherwise its latest case: OFFSET 0 keeps PostgreSQL on the
                // nominal's index (with the table's statistics stale mid-import it walked the primary key backwards
                // through every case, making a 100k import take minutes).
                let fence = connection.dialect == .postgres ? "OFFSET 0" : "LIMIT -1 OFFSET 0" // SQLite needs a LIMIT first
                if !isNew, let current = try connection.queryOne("""
                    SELECT own.id, own.category, own.level, own.rosh, own.status, own.area_id, COALESCE(areas.code, '') AS area_code
                    FROM (SELECT * FROM cases WHERE nominal_id = ? \(fence)) AS own LEFT JOIN areas ON areas.id = own.area_id
                    ORDER BY own.id DESC LIMIT 1
                    """, [.integer(nominalID)]) {
                    let caseID = current.int64("id")
                    var changed = [("category", current.string("category"), String(row.category.rawValue)),
                                   ("level", current.string("level"), String(row.level.rawValue)),
                                   ("rosh", current.string("rosh"), row.rosh?.rawValue ?? ""),
                                   ("status", current.string("status"), row.status.rawValue)]
                    if let area = row.area { changed.append(("area", current.string("area_code"), area)) }
                    for (field, old, new) in changed where old != new {
                        try connection.execute("""
                            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
                            VALUES (?, ?, ?, ?, 'Case register import', ?, ?)
                            """, [.integer(caseID), .text(field), .text(old), .text(new), .text(stamp), .init(actor.userID)])
                    }
                    try connection.execute("""
                        UPDATE cases SET category = ?, level = ?, lead_agency_id = ?, start_date = ?, statutory_end_date = ?,
                            next_review_date = ?, rosh = ?, status = ?, exit_date = ?, exit_reason = ?, restricted = ?,
                            area_id = ?, updated_at = ?, version = version + 1 WHERE id = ?
                        """, caseValues + [.init(areaID ?? current["area_id"].int64), .text(stamp), .integer(caseID)])
                    summary.casesUpdated += 1
                } else {
                    let caseID = try connection.insert("""
                        INSERT INTO cases (category, level, lead_agency_id, start_date, statutory_end_date, next_review_date, rosh,
                                           status, exit_date, exit_reason, restricted, area_id, nominal_id, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, caseValues + [.init(areaID), .integer(nominalID), .text(stamp), .text(stamp)])
                    try connection.execute("INSERT INTO case_agencies (case_id, agency_id) VALUES (?, ?)",
                                           [.integer(caseID), .integer(leadAgencyID)])
                    try connection.execute("""
                        INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
                        VALUES (?, 'created', '', ?, 'Case register import', ?, ?)
                        """, [.integer(caseID), .text("\(row.category.shortName), \(row.level.shortName)"), .text(stamp), .init(actor.userID)])
                    summary.casesCreated += 1
                }
            }
            try searchKeys.value().write(connection, nominalIDs: nominalIDs)
            try audit.append(connection, actor: actor, action: .create, subjectType: "case_register", subjectID: "import",
                             detail: "\(summary.nominalsCreated) nominals created, \(summary.nominalsUpdated) updated, \(summary.casesCreated) cases created, \(summary.casesUpdated) updated")
        } }
        progress?(rows.count)
        return summary
    }

    /// The register as rows: each nominal with its most recent case, in nominal reference order. Restricted
    /// (Category 4) cases are left out unless `includeRestricted`.
    public func exportRegister(includeRestricted: Bool = false) throws -> [CaseRegisterRow] {
        try database.read { connection in
            var aliases: [Int64: [String]] = [:]
            for row in try connection.query("SELECT nominal_id, alias FROM nominal_aliases") {
                aliases[row.int64("nominal_id"), default: []].append(row.string("alias"))
            }
            let rows = try connection.query("""
                SELECT nominals.*, cases.category, cases.level, cases.start_date, cases.statutory_end_date,
                       cases.next_review_date, cases.rosh, cases.status AS case_status, cases.exit_date, cases.exit_reason,
                       cases.restricted, agencies.code AS lead_code, areas.code AS area_code
                FROM nominals
                JOIN cases ON cases.id = (SELECT MAX(id) FROM cases c WHERE c.nominal_id = nominals.id)
                JOIN agencies ON agencies.id = cases.lead_agency_id LEFT JOIN areas ON areas.id = cases.area_id
                ORDER BY nominals.nominal_ref
                """)
            return rows.compactMap { row -> CaseRegisterRow? in
                if row.bool("restricted") && !includeRestricted { return nil }
                let date = { (column: String) in row[column].string.flatMap(CalendarDate.init) }
                guard let dob = date("date_of_birth"), let category = MappaCategory(rawValue: row["category"].int ?? 0) else { return nil }
                return CaseRegisterRow(
                    nominalRef: row.string("nominal_ref"), familyName: row.string("family_name"), givenNames: row.string("given_names"),
                    aliases: aliases[row.int64("id")] ?? [], dateOfBirth: dob, gender: row.string("gender"),
                    ethnicity: row.string("ethnicity"), pncID: row.string("pnc_id"), visorRef: row.string("visor_ref"),
                    crn: row.string("crn"), category: category, level: ManagementLevel(rawValue: row["level"].int ?? 0) ?? .unknown,
                    leadAgency: row.string("lead_code"), mappaStartDate: date("start_date"), statutoryEndDate: date("statutory_end_date"),
                    nextReviewDate: date("next_review_date"), rosh: row["rosh"].string.flatMap(RoSH.init(rawValue:)),
                    custodyStatus: CustodyStatus(rawValue: row.string("custody_status")) ?? .community,
                    releaseDate: date("release_date"), status: CaseStatus(rawValue: row.string("case_status")) ?? .active,
                    exitDate: date("exit_date"), exitReason: row.string("exit_reason"), area: row["area_code"].string)
            }
        }
    }

    public func agencyCodes() throws -> Set<String> {
        Set(try AccountStore(database: database).agencies().map(\.code))
    }

    /// The MAPPA areas' codes, which the register's optional `mappa_area` column must use.
    public func areaCodes() throws -> Set<String> {
        Set(try AreaStore(database: database).areas().map(\.code))
    }
}
