import Database
import Domain
import Foundation

extension CaseworkService {
    /// Saves a coordinator's edit of a nominal after `NominalRules`; `expectedVersion` is the version the form
    /// was loaded with, so two people editing at once get `StoreError.editConflict` instead of a lost update.
    /// The search keys are rebuilt so the new names and identifiers are found at once.
    public func updateNominal(id: Int64, details: NominalDetails, expectedVersion: Int64, by user: User, from address: String) throws {
        let problems = NominalRules.problems(details, today: today)
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        guard let before = try nominal(id: id) else { throw StoreError.notFound("The nominal") }
        let changed = Self.nominalFieldsChanged(before.details, details)
        try database.write { connection in
            let updated = try connection.execute("""
                UPDATE nominals SET family_name = ?, given_names = ?, date_of_birth = ?, gender = ?, ethnicity = ?, pnc_id = ?,
                    visor_ref = ?, crn = ?, current_address = ?, no_fixed_abode = ?, nfa_area = ?, proposed_release_address = ?,
                    custody_status = ?, release_date = ?, updated_at = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, [.text(details.familyName), .text(details.givenNames), .init(details.dateOfBirth?.description),
                      .text(details.gender), .text(details.ethnicity), .text(details.pncID.uppercased()),
                      .text(details.visorReference), .text(details.crn.uppercased()),
                      .text(details.noFixedAbode ? "" : details.currentAddress), .init(details.noFixedAbode),
                      .text(details.noFixedAbode ? details.nfaArea : ""), .text(details.proposedReleaseAddress),
                      .text(details.custodyStatus.rawValue), .init(details.releaseDate?.description), .text(now),
                      .integer(id), .integer(expectedVersion)])
            guard updated == 1 else { throw StoreError.editConflict }
            try AliasList.replace(connection, nominalID: id, with: details.aliases, isNew: false)
            try indexNominal(connection, id: id, person: details.person)
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "nominal",
                             subjectID: String(id), detail: "changed: " + (changed.isEmpty ? "nothing" : changed.joined(separator: ", ")))
        }
    }

    /// Field names (never values: the audit detail holds no personal data) that differ between two versions.
    static func nominalFieldsChanged(_ old: NominalDetails, _ new: NominalDetails) -> [String] {
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

    /// Saves a coordinator's edit of a registration after `CaseRules`. Every changed fact goes into the case
    /// history with `reason`; Category 4 cases stay restricted. `details.area` is a MAPPA area's code, or empty for
    /// none. Optimistic locking as for nominals.
    public func updateCase(id: Int64, details: CaseDetails, reason: String, expectedVersion: Int64,
                           by user: User, from address: String) throws {
        guard let before = try caseRecord(id: id) else { throw StoreError.notFound("The case") }
        var problems = CaseRules.problems(details, previous: before.details, changeReason: reason, today: today)
        let leadAgency = try AccountStore(database: database).agency(code: details.leadAgency)
        if leadAgency == nil && !details.leadAgency.isEmpty {
            problems.append(ValidationProblem(field: "lead_agency", message: "Select a lead agency from the list"))
        }
        let area = details.area.isEmpty ? nil : try AreaStore(database: database).area(code: details.area)
        if area == nil && !details.area.isEmpty {
            problems.append(ValidationProblem(field: "area", message: "Select a MAPPA area from the list"))
        }
        guard problems.isEmpty, let leadAgency else { throw AccountService.ValidationFailure(problems: problems) }
        let changes = CaseRules.changes(from: before.details, to: details)
        let trimmedReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        try database.write { connection in
            let exited = details.status == .exited
            let updated = try connection.execute("""
                UPDATE cases SET category = ?, level = ?, lead_agency_id = ?, start_date = ?, statutory_end_date = ?,
                    next_review_date = ?, rosh = ?, rosh_children = ?, rosh_public = ?, rosh_known_adult = ?, rosh_staff = ?,
                    status = ?, exit_date = ?, exit_reason = ?, restricted = CASE WHEN ? = 4 THEN 1 ELSE restricted END,
                    area_id = ?, updated_at = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, [.integer(Int64(details.category.rawValue)), .integer(Int64(details.level.rawValue)), .integer(leadAgency.id),
                      .text(details.startDate.description), .init(details.statutoryEndDate?.description),
                      .init(details.nextReviewDate?.description), .init(details.rosh?.rawValue),
                      .init(details.roshByGroup[.children]?.rawValue), .init(details.roshByGroup[.publicAtLarge]?.rawValue),
                      .init(details.roshByGroup[.knownAdult]?.rawValue), .init(details.roshByGroup[.staff]?.rawValue),
                      .text(details.status.rawValue), .init(exited ? details.exitDate?.description : nil),
                      .text(exited ? details.exitReason : ""), .integer(Int64(details.category.rawValue)), .init(area?.id), .text(now),
                      .integer(id), .integer(expectedVersion)])
            guard updated == 1 else { throw StoreError.editConflict }
            for change in changes {
                try addHistory(connection, caseID: id, field: change.field, old: change.oldValue, new: change.newValue,
                               reason: trimmedReason, user: user)
            }
            if details.category == .four && before.category != .four {
                // Becoming Category 4 restricts the case; the person who made it so keeps access.
                try connection.execute("DELETE FROM case_access WHERE case_id = ? AND user_id = ?", [.integer(id), .integer(user.id)])
                try connection.execute("INSERT INTO case_access (case_id, user_id, kind) VALUES (?, ?, 'allow')",
                                       [.integer(id), .integer(user.id)])
            }
            try connection.execute("INSERT INTO case_agencies (case_id, agency_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM case_agencies WHERE case_id = ? AND agency_id = ?)",
                                   [.integer(id), .integer(leadAgency.id), .integer(id), .integer(leadAgency.id)])
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "case", subjectID: String(id),
                             detail: "changed: " + (changes.isEmpty ? "nothing" : changes.map(\.field).joined(separator: ", ")))
        }
    }

    /// A case's named access entries, with the users' names, for the access page.
    public func accessList(caseID: Int64) throws -> [(user: User, kind: String)] {
        let entries = try database.read { connection in
            try connection.query("SELECT user_id, kind FROM case_access WHERE case_id = ? ORDER BY kind, user_id", [.integer(caseID)])
                .map { ($0.int64("user_id"), $0.string("kind")) }
        }
        let accounts = AccountStore(database: database)
        return try entries.compactMap { entry in try accounts.user(id: entry.0).map { ($0, entry.1) } }
    }

    /// Adds or removes an agency involved in a case. Partner-agency staff see a case only while their agency is
    /// involved, so this is a need-to-know decision and is audited. The lead agency cannot be removed.
    public func setInvolvedAgency(caseID: Int64, agencyCode: String, involved: Bool, by user: User, from address: String) throws {
        guard let record = try caseRecord(id: caseID) else { throw StoreError.notFound("The case") }
        guard let agency = try AccountStore(database: database).agency(code: agencyCode) else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "agency", message: "Select an agency from the list")])
        }
        if !involved && agency.id == record.leadAgencyID {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "agency", message: "The lead agency is always involved: change the lead agency first")])
        }
        try database.write { connection in
            try connection.execute("DELETE FROM case_agencies WHERE case_id = ? AND agency_id = ?", [.integer(caseID), .integer(agency.id)])
            if involved {
                try connection.execute("INSERT INTO case_agencies (case_id, agency_id) VALUES (?, ?)", [.integer(caseID), .integer(agency.id)])
            }
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "case", subjectID: String(caseID),
                             detail: "agency \(agency.code) \(involved ? "involved" : "no longer involved")")
        }
    }

    /// Agencies involved in a case (lead, referrer's, and any added): the basis of partner-agency need-to-know.
    public func involvedAgencies(caseID: Int64) throws -> [Agency] {
        let ids = try database.read { connection in
            Set(try connection.query("SELECT agency_id FROM case_agencies WHERE case_id = ?", [.integer(caseID)]).map { $0.int64("agency_id") })
        }
        return try AccountStore(database: database).agencies().filter { ids.contains($0.id) }
    }
}
