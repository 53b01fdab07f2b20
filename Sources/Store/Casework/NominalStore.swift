import Database
import Domain
import Foundation

/// Nominals: the people MAPPA cases are about. Reading one behind need-to-know, the coordinator's edits (the search
/// keys rebuilt so the new names are found at once), finding people by name or identifier (`NominalStore+Search`) and
/// the possible duplicates of a referral's person.
public struct NominalStore: FeatureStore {
    let context: StoreContext

    /// The person's record, if the viewer may see every case of theirs (a named exclusion or a restriction on any one
    /// refuses, so an excluded user cannot read the person's details here either). A refusal is recorded.
    public func nominal(id: Int64, for viewer: Viewer) throws -> NominalRecord {
        guard viewer.can(.viewCases) else { throw DomainError.roleRefused() }
        let found = try database.read { connection -> (NominalRecord, Bool)? in
            let visible = try CaseVisibilityFilter(viewer, connection).nominals("own")
            guard let row = try connection.queryOne("""
                SELECT \(NominalRecord.columns), (SELECT COUNT(*) FROM nominals own WHERE own.id = nominals.id\(visible.sql)) AS visible
                FROM nominals WHERE nominals.id = ?
                """, visible.parameters + [.integer(id)]) else { return nil }
            var reader = RowReader(row)
            let record = try NominalRecord(row: &reader)
            let seen: Int64 = try reader.decode("visible")
            return (record, seen > 0)
        }
        guard let (record, visible) = found else { throw DomainError.notFound("The nominal") }
        guard visible else {
            throw try context.refuse(viewer, subjectType: "nominal", subjectID: id,
                                     reason: "a case of the person is restricted or names the user on its exclusion list", as: .person)
        }
        return record
    }

    /// Whose case it is: a person's record is seen with any case of theirs the viewer may see.
    public func nominal(of visible: VisibleCase) throws -> NominalRecord {
        guard let record = try database.read({
            try $0.queryOne(NominalRecord.self, "SELECT \(NominalRecord.columns) FROM nominals WHERE nominals.id = ?", [.integer(visible.record.nominalID)])
        }) else { throw DomainError.notFound("The nominal") }
        return record
    }

    /// Saves a coordinator's edit of a nominal after `NominalRules`. `expectedVersion` is the version the form was
    /// loaded with, so two people editing at once get `DomainError.editConflict` instead of a lost update. The search
    /// keys are rebuilt so the new names and identifiers are found at once.
    public func updateNominal(id: Int64, details: NominalDetails, expectedVersion: Int64, by viewer: Viewer) throws {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        let problems = NominalRules.problems(details, today: context.today)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let before = try nominal(id: id, for: viewer)
        let changed = Self.fieldsChanged(before.details, details)
        try database.write { connection in
            let updated = try connection.execute("""
                UPDATE nominals SET family_name = ?, given_names = ?, date_of_birth = ?, gender = ?, ethnicity = ?, pnc_id = ?,
                    visor_ref = ?, crn = ?, current_address = ?, no_fixed_abode = ?, nfa_area = ?, proposed_release_address = ?,
                    custody_status = ?, release_date = ?, updated_at = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, [.text(details.familyName), .text(details.givenNames), .init(details.dateOfBirth),
                      .text(details.gender), .text(details.ethnicity), .text(details.pncID.uppercased()),
                      .text(details.visorReference), .text(details.crn.uppercased()),
                      .text(details.noFixedAbode ? "" : details.currentAddress), .init(details.noFixedAbode),
                      .text(details.noFixedAbode ? details.nfaArea : ""), .text(details.proposedReleaseAddress),
                      .text(details.custodyStatus.rawValue), .init(details.releaseDate), .text(context.now),
                      .integer(id), .integer(expectedVersion)])
            guard updated == 1 else { throw DomainError.editConflict }
            try AliasList.replace(connection, nominalID: id, with: details.aliases, isNew: false)
            try Self.index(connection, id: id, person: details.person)
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "nominal", subjectID: String(id),
                                     detail: "changed: " + (changed.isEmpty ? "nothing" : changed.joined(separator: ", ")))
        }
    }

    /// Field names (never values: the audit detail holds no personal data) that differ between two versions.
    static func fieldsChanged(_ old: NominalDetails, _ new: NominalDetails) -> [String] {
        var fields: [String] = []
        func check<T: Equatable>(_ name: String, _ path: KeyPath<NominalDetails, T>) {
            if old[keyPath: path] != new[keyPath: path] { fields.append(name) }
        }
        check("family name", \.familyName); check("given names", \.givenNames); check("other names", \.aliases)
        check("date of birth", \.dateOfBirth); check("gender", \.gender); check("ethnicity", \.ethnicity)
        check("PNC ID", \.pncID); check("ViSOR reference", \.visorReference); check("CRN", \.crn)
        check("current address", \.currentAddress); check("no fixed abode", \.noFixedAbode); check("NFA area", \.nfaArea)
        check("proposed release address", \.proposedReleaseAddress); check("custody status", \.custodyStatus)
        check("release date", \.releaseDate)
        return fields
    }

    /// Existing nominals the viewer may see who may be this person, best first, with the reasons they match. People
    /// the viewer may not see are left out without a word: even a count would tell them such a person is on record.
    public func duplicateCandidates(of person: PersonDetails, for viewer: Viewer, limit: Int = 10) throws -> [(NominalRecord, DuplicateCandidate)] {
        let keys = DuplicateMatcher.searchKeys(person).filter { !$0.hasPrefix("n:") || $0.count > 3 }
        let records = try database.read { connection -> [NominalRecord] in
            var candidateIDs = Set<Int64>()
            if !keys.isEmpty {
                for row in try connection.query("SELECT DISTINCT nominal_id FROM nominal_search_keys WHERE key IN (\(SQL.placeholders(keys.count))) LIMIT 2000",
                                                 keys.sorted().map { .text($0) }) {
                    candidateIDs.insert(try row.value("nominal_id"))
                }
            }
            if let dob = person.dateOfBirth {
                // The day and month may have been typed the wrong way round.
                let swapped = dob.day <= 12 ? String(format: "%04d-%02d-%02d", dob.year, dob.day, dob.month) : dob.description
                for row in try connection.query("SELECT id FROM nominals WHERE date_of_birth IN (?, ?)", [.text(dob.description), .text(swapped)]) {
                    candidateIDs.insert(try row.value("id"))
                }
            }
            guard !candidateIDs.isEmpty else { return [] }
            let ids = Array(candidateIDs.prefix(2000))
            let visible = try CaseVisibilityFilter(viewer, connection).nominals()
            return try connection.query(NominalRecord.self, "SELECT \(NominalRecord.columns) FROM nominals WHERE nominals.id IN (\(SQL.placeholders(ids.count)))"
                                        + visible.sql, SQL.ids(ids) + visible.parameters)
        }
        return records.compactMap { record in
            DuplicateMatcher.match(person, against: record.person, nominalID: record.id).map { (record, $0) }
        }.sorted { $0.1.score > $1.1.score }.prefix(limit).map { $0 }
    }

    /// A new nominal from a referral's person, inside the screening decision's transaction.
    func insert(_ connection: Connection, _ form: ReferralForm) throws -> Int64 {
        try insert(connection, details: NominalDetails(
            familyName: form.familyName, givenNames: form.givenNames,
            aliases: form.aliases.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, dateOfBirth: form.dateOfBirth,
            gender: form.gender, ethnicity: form.ethnicity, pncID: form.pncID, visorReference: form.visorReference, crn: form.crn,
            currentAddress: form.currentAddress, noFixedAbode: form.noFixedAbode, nfaArea: form.nfaArea,
            proposedReleaseAddress: form.proposedReleaseAddress, custodyStatus: form.custodyStatus ?? .community,
            releaseDate: form.releaseDate))
    }

    /// A new nominal inside the caller's transaction (a screening decision, a case created by hand); their reference
    /// is `NOM-` and the id.
    func insert(_ connection: Connection, details: NominalDetails) throws -> Int64 {
        let now = context.now
        let id = try connection.insert("""
            INSERT INTO nominals (nominal_ref, family_name, given_names, date_of_birth, gender, ethnicity, pnc_id, visor_ref,
                                  crn, current_address, no_fixed_abode, nfa_area, proposed_release_address, custody_status,
                                  release_date, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text("PENDING-" + UUID().uuidString), .text(details.familyName), .text(details.givenNames),
                  .init(details.dateOfBirth), .text(details.gender), .text(details.ethnicity), .text(details.pncID),
                  .text(details.visorReference), .text(details.crn), .text(details.currentAddress), .init(details.noFixedAbode),
                  .text(details.nfaArea), .text(details.proposedReleaseAddress),
                  .text(details.custodyStatus.rawValue), .init(details.releaseDate), .text(now), .text(now)])
        try connection.execute("UPDATE nominals SET nominal_ref = ? WHERE id = ?", [.text(String(format: "NOM-%06lld", id)), .integer(id)])
        try AliasList.replace(connection, nominalID: id, with: details.aliases, isNew: true)
        try Self.index(connection, id: id, person: details.person)
        return id
    }

    /// Rebuilds one person's search keys inside the caller's transaction.
    static func index(_ connection: Connection, id: Int64, person: PersonDetails) throws {
        try connection.execute("DELETE FROM nominal_search_keys WHERE nominal_id = ?", [.integer(id)])
        try SearchKeyBatch(count: 1) { _ in person }.write(connection, nominalIDs: [id])
    }
}

extension ReferralForm {
    /// The person the referral is about, as the duplicate check and the search keys read them.
    var person: PersonDetails {
        PersonDetails(familyName: familyName, givenNames: givenNames, aliases: aliases, dateOfBirth: dateOfBirth, pncID: pncID,
                      visorReference: visorReference, crn: crn)
    }
}
