import Database
import Domain
import Foundation

/// Who may see a case: its named access and exclusion lists, the agencies involved in it (partner-agency staff see a
/// case only while their agency is), and whether it is restricted. Each change is a need-to-know decision, audited.
/// Those who edit cases and may see one manage it; for a restricted case also the coordinators an administrator has
/// granted "manage restricted cases", so no restricted case is left with nobody able to say who sees it.
public struct CaseAccessStore: FeatureStore {
    let context: StoreContext
    let accounts: AccountStore
    let agencies: AgencyStore

    /// A case's access as its management page shows it. It names no person under the case: someone managing a
    /// restricted case they may not see learns only its number and category.
    public struct CaseAccess: Sendable {
        public var caseID: Int64
        public var category: MappaCategory
        public var level: ManagementLevel
        public var restricted: Bool
        /// Category 4 cases are always restricted.
        public var isRestricted: Bool { CaseVisibility.isRestricted(flagged: restricted, category: category) }
        public var leadAgencyID: Int64
        public var named: [(user: User, kind: CaseAccessKind)]
        public var involved: [Agency]
        /// The viewer may see the case itself, not only manage who does.
        public var viewerMaySeeCase: Bool
    }

    /// The case's access, if the viewer may manage it (`CaseVisibility.mayManageAccess`); a refusal is recorded and
    /// thrown as need-to-know.
    public func access(caseID: Int64, for viewer: Viewer) throws -> CaseAccess {
        let facts = try requireManager(caseID: caseID, viewer: viewer)
        return try database.read { connection in
            guard let row = try connection.queryOne("SELECT category, level, restricted, lead_agency_id FROM cases WHERE id = ?",
                                                    [.integer(caseID)]) else { throw DomainError.notFound("The case") }
            let entries = try connection.query("SELECT user_id, kind FROM case_access WHERE case_id = ? ORDER BY kind, user_id",
                                               [.integer(caseID)])
            var named: [(user: User, kind: CaseAccessKind)] = []
            for entry in entries {
                if let user = try accounts.user(id: try entry.value("user_id")) { named.append((user, try entry.value("kind"))) }
            }
            let involvedIDs = Set(try connection.query("SELECT agency_id FROM case_agencies WHERE case_id = ?", [.integer(caseID)])
                .map { row throws(DatabaseError) in try row.value("agency_id", as: Int64.self) })
            return CaseAccess(caseID: caseID, category: try row.value("category"), level: try row.value("level"),
                              restricted: try row.value("restricted"), leadAgencyID: try row.value("lead_agency_id"),
                              named: named, involved: try agencies.agencies().filter { involvedIDs.contains($0.id) },
                              viewerMaySeeCase: CaseVisibility.decide(facts, role: viewer.role) == .visible)
        }
    }

    /// The agencies involved in a case the viewer may see: the basis of partner-agency need-to-know.
    public func involvedAgencies(of visible: VisibleCase) throws -> [Agency] {
        let ids = try database.read { connection in
            Set(try connection.query("SELECT agency_id FROM case_agencies WHERE case_id = ?", [.integer(visible.id)])
                .map { row throws(DatabaseError) in try row.value("agency_id", as: Int64.self) })
        }
        return try agencies.agencies().filter { ids.contains($0.id) }
    }

    /// Names a person on the case's access list (`.allow`) or exclusion list (`.exclude`), or takes them off (nil).
    /// Nobody excludes themselves (another coordinator must), and a restricted case keeps at least one person on its
    /// access list.
    public func setAccess(caseID: Int64, username: String, kind: CaseAccessKind?, by viewer: Viewer) throws {
        _ = try requireManager(caseID: caseID, viewer: viewer)
        let trimmed = username.trimmingCharacters(in: .whitespaces).lowercased()
        var problems: [ValidationProblem] = []
        let user = trimmed.isEmpty ? nil : try accounts.user(username: trimmed)
        if trimmed.isEmpty { problems.append(ValidationProblem(field: "username", message: "Enter the username of the person")) }
        else if user == nil { problems.append(ValidationProblem(field: "username", message: "There is no user with that username")) }
        else if user?.id == viewer.user.id && kind == .exclude {
            problems.append(ValidationProblem(field: "username", message: "You cannot exclude yourself: ask another coordinator"))
        }
        guard problems.isEmpty, let user else { throw DomainError.validation(problems) }
        try setAccess(caseID: caseID, userID: user.id, kind: kind, by: viewer)
    }

    /// The same by the person's account id (the Remove buttons of the access page).
    public func setAccess(caseID: Int64, userID: Int64, kind: CaseAccessKind?, by viewer: Viewer) throws {
        _ = try requireManager(caseID: caseID, viewer: viewer)
        try database.write { connection in
            try connection.execute("DELETE FROM case_access WHERE case_id = ? AND user_id = ?", [.integer(caseID), .integer(userID)])
            if let kind { try Self.name(connection, caseID: caseID, userID: userID, as: kind) }
            if try Self.isRestricted(connection, caseID: caseID),
               try connection.queryOne("SELECT 1 AS found FROM case_access WHERE case_id = ? AND kind = 'allow'", [.integer(caseID)]) == nil {
                throw DomainError.validation(field: "username", "A restricted case needs at least one person on its access list: add someone else first")
            }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "case", subjectID: String(caseID),
                                     detail: "access list: user \(userID) \(kind?.rawValue ?? "removed")")
        }
    }

    /// Adds or removes an agency involved in a case. The lead agency cannot be removed.
    public func setInvolvedAgency(caseID: Int64, agencyCode: String, involved: Bool, by viewer: Viewer) throws {
        _ = try requireManager(caseID: caseID, viewer: viewer)
        guard let agency = try agencies.agency(code: agencyCode) else {
            throw DomainError.validation(field: "agency", "Select an agency from the list")
        }
        try database.write { connection in
            let lead: Int64? = try connection.queryOne("SELECT lead_agency_id FROM cases WHERE id = ?", [.integer(caseID)])?.value("lead_agency_id")
            if !involved && agency.id == lead {
                throw DomainError.validation(field: "agency", "The lead agency is always involved: change the lead agency first")
            }
            try connection.execute("DELETE FROM case_agencies WHERE case_id = ? AND agency_id = ?", [.integer(caseID), .integer(agency.id)])
            if involved { try CaseStore.involve(connection, caseID: caseID, agencyID: agency.id) }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "case", subjectID: String(caseID),
                                     detail: "agency \(agency.code) \(involved ? "involved" : "no longer involved")")
        }
    }

    /// Restricts a case to the people on its access list, or lifts the restriction (not of a Category 4 case, which is
    /// always restricted). Whoever restricts it is put on the list, so they do not lock themselves out. Kept in the
    /// case's history.
    public func setRestricted(caseID: Int64, restricted: Bool, by viewer: Viewer) throws {
        _ = try requireManager(caseID: caseID, viewer: viewer)
        try database.write { connection in
            guard let row = try connection.queryOne("SELECT category, restricted FROM cases WHERE id = ?", [.integer(caseID)]) else {
                throw DomainError.notFound("The case")
            }
            let category: MappaCategory = try row.value("category")
            let was: Bool = try row.value("restricted")
            if !restricted && category == .four {
                throw DomainError.validation(field: "restricted", "Category 4 cases are always restricted")
            }
            guard was != restricted else { return }
            try connection.execute("UPDATE cases SET restricted = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.init(restricted), .text(context.now), .integer(caseID)])
            if restricted {
                try connection.execute("DELETE FROM case_access WHERE case_id = ? AND user_id = ?", [.integer(caseID), .integer(viewer.user.id)])
                try Self.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow)
            }
            try CaseStore.addHistory(connection, caseID: caseID, field: "restricted", old: was ? "yes" : "no", new: restricted ? "yes" : "no",
                                     reason: restricted ? "Restricted to the people on its access list" : "Restriction lifted",
                                     by: viewer.user.id, at: context.now)
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "case", subjectID: String(caseID),
                                     detail: restricted ? "restricted" : "restriction lifted")
        }
    }

    /// A restricted case as the list of them shows it to a coordinator who manages restricted cases: its number and
    /// category, how many people may see it, and the person's reference only when the viewer may see the case.
    public struct RestrictedCase: Sendable, Equatable {
        public var caseID: Int64
        public var category: MappaCategory
        public var level: ManagementLevel
        public var status: CaseStatus
        public var peopleWithAccess: Int
        /// Nil when the viewer may not see the case itself.
        public var nominalRef: String?
    }

    /// Every restricted case, for a coordinator granted "manage restricted cases" (others are refused): the cases
    /// nobody may see yet come first, so none is left stuck.
    public func restrictedCases(for viewer: Viewer) throws -> [RestrictedCase] {
        guard viewer.can(.editCases), viewer.user.managesRestrictedCases else {
            try context.audit.record(actor: viewer.actor, action: .accessRefused, subjectType: "route", subjectID: "/cases/restricted",
                                     detail: "does not manage restricted cases")
            throw DomainError.roleRefused("Only a coordinator who manages restricted cases can list them. This refusal has been recorded.")
        }
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases("own")
            return try connection.query("""
                SELECT cases.id, cases.category, cases.level, cases.status, nominals.nominal_ref,
                       (SELECT COUNT(*) FROM case_access a WHERE a.case_id = cases.id AND a.kind = 'allow') AS allowed,
                       (SELECT COUNT(*) FROM cases own WHERE own.id = cases.id\(visible.sql)) AS visible
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id
                WHERE cases.restricted = 1
                ORDER BY allowed, cases.id
                """, visible.parameters).map { row throws(DatabaseError) in
                let seen: Int64 = try row.value("visible")
                return RestrictedCase(caseID: try row.value("id"), category: try row.value("category"), level: try row.value("level"),
                                      status: try row.value("status"), peopleWithAccess: try row.value("allowed"),
                                      nominalRef: seen > 0 ? try row.value("nominal_ref") : nil)
            }
        }
    }

    /// How many restricted cases nobody may see yet, for the home page of a coordinator who manages restricted cases
    /// (nil for anyone else): a count, naming no one, so none waits unnoticed.
    public func restrictedCasesNobodySees(for viewer: Viewer) throws -> Int? {
        guard viewer.can(.editCases), viewer.user.managesRestrictedCases else { return nil }
        return try database.read { connection in
            try connection.queryOne("""
                SELECT COUNT(*) AS n FROM cases WHERE cases.restricted = 1
                  AND NOT EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = cases.id AND a.kind = 'allow')
                """)?.value("n") ?? 0
        }
    }

    /// Who can see the cases an import restricted, in words for whoever imported them: the person who uploaded the
    /// file (named on each) or, from the command line, nobody yet; and the coordinators who manage restricted cases, who
    /// can name others. Nil when the import restricted none.
    public func whoSees(_ summary: ImportSummary, importedBy importer: Importer) throws -> String? {
        guard summary.restrictedCases > 0 else { return nil }
        let one = summary.restrictedCases == 1
        let managers = try restrictedCaseManagers().map { "\($0.displayName) (\($0.username))" }
        let seen: String
        switch importer {
        case .person: seen = "only you can see \(one ? "it" : "them") for now"
        case .system: seen = "nobody may see \(one ? "it" : "them") yet"
        }
        return "\(one ? "1 case is" : "\(summary.restrictedCases) cases are") restricted (Category 4): \(seen). "
            + (managers.isEmpty ? "No coordinator manages restricted cases yet: ask an administrator to grant that to the right people."
                                : "Coordinators who manage restricted cases can name who else sees \(one ? "it" : "them"): \(managers.joined(separator: ", ")).")
    }

    /// The people who may manage every restricted case, for the import's summary of who can see what it restricted.
    public func restrictedCaseManagers() throws -> [User] {
        try accounts.users().filter { $0.active && $0.managesRestrictedCases && $0.role.can(.editCases) }
    }

    /// The viewer's facts for the case, if they may manage its access; otherwise the refusal, recorded.
    func requireManager(caseID: Int64, viewer: Viewer) throws -> CaseVisibility.Facts {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        guard let facts = try database.read({ try CaseVisibilityFilter.facts($0, caseID: caseID, viewer: viewer) }) else {
            throw DomainError.notFound("The case")
        }
        guard CaseVisibility.mayManageAccess(facts, user: viewer.user) else {
            let reason: String
            if case .hidden(let why) = CaseVisibility.decide(facts, role: viewer.role) { reason = why } else { reason = "may not manage access" }
            throw try context.refuse(viewer, subjectType: "case", subjectID: caseID, reason: reason,
                                     as: facts.isRestricted ? .restrictedCaseAccess : .mappaCase)
        }
        return facts
    }

    /// Puts a person on a case's list inside the caller's transaction (replacing any entry they had).
    static func name(_ connection: Connection, caseID: Int64, userID: Int64, as kind: CaseAccessKind) throws {
        try connection.execute("DELETE FROM case_access WHERE case_id = ? AND user_id = ?", [.integer(caseID), .integer(userID)])
        try connection.execute("INSERT INTO case_access (case_id, user_id, kind) VALUES (?, ?, ?)",
                               [.integer(caseID), .integer(userID), .text(kind.rawValue)])
    }

    static func isRestricted(_ connection: Connection, caseID: Int64) throws -> Bool {
        guard let row = try connection.queryOne("SELECT category, restricted FROM cases WHERE id = ?", [.integer(caseID)]) else { return false }
        let category: MappaCategory = try row.value("category")
        let restricted: Bool = try row.value("restricted")
        return CaseVisibility.isRestricted(flagged: restricted, category: category)
    }
}
