import Database
import Domain
import Foundation

/// What is needed to create an action.
public struct NewAction: Sendable, Equatable {
    public var caseID: Int64
    public var meetingID: Int64?
    public var minutesID: Int64?
    public var description: String
    public var ownerName: String
    public var ownerEmail: String
    public var ownerAgencyCode: String
    public var dueDate: CalendarDate?

    public init(caseID: Int64, meetingID: Int64? = nil, minutesID: Int64? = nil, description: String, ownerName: String,
                ownerEmail: String = "", ownerAgencyCode: String, dueDate: CalendarDate?) {
        self.caseID = caseID
        self.meetingID = meetingID
        self.minutesID = minutesID
        self.description = description
        self.ownerName = ownerName
        self.ownerEmail = ownerEmail
        self.ownerAgencyCode = ownerAgencyCode
        self.dueDate = dueDate
    }
}

/// An action as one viewer's list shows it. When the viewer may not see its case (an owner who is not on a restricted
/// case's list, say), `caseVisible` is false and the action carries no reference to the case at all.
public struct ListedAction: Sendable, Equatable {
    public var action: ActionItem
    public var caseVisible: Bool

    public init(action: ActionItem, caseVisible: Bool) {
        self.action = action
        self.caseVisible = caseVisible
    }
}

extension ActionItem: RowDecodable {
    public static let columns = """
        actions.id, actions.case_id, actions.meeting_id, actions.minutes_id, actions.description, actions.owner_user_id,
        actions.owner_name, actions.owner_email, agencies.code AS agency_code, agencies.name AS agency_name, actions.due_date,
        actions.status, actions.completion_note, actions.completed_on, nominals.nominal_ref, actions.version
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(id: try row.decode("id"), caseID: try row.decode("case_id"), meetingID: try row.decodeIfPresent("meeting_id"),
                  minutesID: try row.decodeIfPresent("minutes_id"), description: try row.decode("description"),
                  ownerUserID: try row.decodeIfPresent("owner_user_id"), ownerName: try row.decode("owner_name"),
                  ownerEmail: try row.decode("owner_email"), ownerAgencyCode: try row.decode("agency_code"),
                  ownerAgencyName: try row.decode("agency_name"), dueDate: try row.decode("due_date"), status: try row.decode("status"),
                  completionNote: try row.decode("completion_note"), completedOn: try row.decodeIfPresent("completed_on"),
                  nominalRef: try row.decode("nominal_ref"), version: try row.decode("version"))
    }
}

/// Actions on cases: created from approved minutes or by the coordinator, closed by their owners (partner-agency staff
/// included), reminded before they fall due and gathered into a daily overdue digest (`+Reminders`). An owner sees the
/// actions they own even on a case they may not open (they need to know what they are asked to do, and no more); every
/// other list shows only actions on cases its reader may see. Every change audited.
public struct ActionStore: FeatureStore {
    let context: StoreContext
    /// Reminders go this many days before an action is due.
    public let reminderDays = 3

    static let tables = """
        FROM actions JOIN agencies ON agencies.id = actions.owner_agency_id JOIN cases ON cases.id = actions.case_id
        JOIN nominals ON nominals.id = cases.nominal_id
        """

    /// Actions matching `condition`, each with whether the viewer may see its case; the case's reference is blanked
    /// where they may not.
    private func listed(_ condition: String, _ parameters: [SQLValue], order: String, for viewer: Viewer) throws -> [ListedAction] {
        try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return try connection.query(Seen<ActionItem>.self, "SELECT \(ActionItem.columns), \(visible.expression) AS visible \(Self.tables)"
                                        + " WHERE " + condition + order, visible.parameters + parameters)
        }.map { seen in
            var action = seen.record
            if !seen.visible { action.nominalRef = "" }
            return ListedAction(action: action, caseVisible: seen.visible)
        }
    }

    /// The action, if the viewer owns it or may see its case; otherwise not found, and the refusal recorded.
    public func action(id: Int64, for viewer: Viewer) throws -> ListedAction {
        guard let found = try listed("actions.id = ?", [.integer(id)], order: "", for: viewer).first else {
            throw DomainError.notFound("The action")
        }
        guard found.caseVisible || owns(found.action, viewer) else {
            try context.audit.record(actor: viewer.actor, action: .accessRefused, subjectType: "action", subjectID: String(id),
                                     detail: "not the owner; no access to the case")
            throw DomainError.notFound("The action")
        }
        return found
    }

    /// The case's actions, open ones first.
    public func actions(of visible: VisibleCase) throws -> [ActionItem] {
        try database.read {
            try $0.query(ActionItem.self, "SELECT \(ActionItem.columns) \(Self.tables) WHERE actions.case_id = ?"
                         + " ORDER BY actions.status = 'open' DESC, actions.due_date, actions.id", [.integer(visible.id)])
        }
    }

    /// How many open actions each case on the agenda has, for the panel to review them.
    public func openCounts(of agenda: Agenda) throws -> [Int64: Int] {
        let ids = agenda.items.map(\.caseID)
        guard !ids.isEmpty else { return [:] }
        let rows = try database.read { connection in
            try connection.query("SELECT case_id, COUNT(*) AS n FROM actions WHERE status = 'open' AND case_id IN (\(SQL.placeholders(ids.count))) GROUP BY case_id",
                                 SQL.ids(ids))
        }
        var counts: [Int64: Int] = [:]
        for row in rows { counts[try row.value("case_id")] = try row.value("n") }
        return counts
    }

    /// The actions the viewer owns: linked to their account, or named with their email address.
    public func actions(ownedBy viewer: Viewer) throws -> [ListedAction] {
        try listed("(actions.owner_user_id = ? OR (actions.owner_email <> '' AND LOWER(actions.owner_email) = ?))",
                   [.integer(viewer.user.id), .text(viewer.user.email.lowercased())],
                   order: " ORDER BY actions.status = 'open' DESC, actions.due_date, actions.id LIMIT 500", for: viewer)
    }

    /// Open actions past their due date on cases the viewer may see, most overdue first.
    public func overdue(for viewer: Viewer, limit: Int = 100) throws -> [ActionItem] {
        try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return try connection.query(ActionItem.self, "SELECT \(ActionItem.columns) \(Self.tables) WHERE actions.status = 'open' AND actions.due_date < ?"
                                        + visible.sql + " ORDER BY actions.due_date, actions.id LIMIT ?",
                                        [.text(context.today.description)] + visible.parameters + [.integer(Int64(limit))])
        }
    }

    func owns(_ action: ActionItem, _ viewer: Viewer) -> Bool {
        action.ownerUserID == viewer.user.id
            || (!viewer.user.email.isEmpty && action.ownerEmail.lowercased() == viewer.user.email.lowercased())
    }

    /// The owner of an action may update it; so may the coordinator.
    public func canUpdate(_ action: ActionItem, by viewer: Viewer) -> Bool {
        viewer.can(.editCases) || owns(action, viewer)
    }

    /// Refuses, and records the refusal of, anyone but the owner and the coordinator: checked before the form is read,
    /// so someone who may not change the action is told that, not what was wrong with what they sent.
    public func requireUpdatable(_ action: ActionItem, by viewer: Viewer) throws {
        guard !canUpdate(action, by: viewer) else { return }
        try context.audit.record(actor: viewer.actor, action: .accessRefused, subjectType: "action", subjectID: String(action.id), detail: "not the owner")
        throw DomainError.roleRefused("Only the action's owner or the MAPPA coordinator can change it. This refusal has been recorded.")
    }

    /// Creates an action inside the caller's transaction (approving minutes creates their actions with the approval).
    /// The owner's agency becomes involved in the case: its staff need to see what they are asked to do it about.
    @discardableResult
    func create(_ connection: Connection, _ new: NewAction, actor: Actor) throws -> Int64 {
        let problems = ActionRules.problems(description: new.description, ownerName: new.ownerName, ownerAgency: new.ownerAgencyCode,
                                            dueDate: new.dueDate, today: context.today, isNew: new.minutesID == nil)
        guard problems.isEmpty, let due = new.dueDate else { throw DomainError.validation(problems) }
        guard let agency: Int64 = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(new.ownerAgencyCode)])?.value("id") else {
            throw DomainError.validation(field: "owner_agency", "Select the owner's agency")
        }
        let email = new.ownerEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let owner: Int64? = email.isEmpty ? nil
            : try connection.queryOne("SELECT id FROM users WHERE LOWER(email) = ? AND active = 1", [.text(email)])?.value("id")
        let now = context.now
        let id = try connection.insert("""
            INSERT INTO actions (case_id, meeting_id, minutes_id, description, owner_user_id, owner_name, owner_email, owner_agency_id,
                                 due_date, status, created_at, created_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
            """, [.integer(new.caseID), .init(new.meetingID), .init(new.minutesID), .text(new.description), .init(owner),
                  .text(new.ownerName), .text(email), .integer(agency), .text(due.description), .text(now), .init(actor.userID), .text(now)])
        try CaseStore.involve(connection, caseID: new.caseID, agencyID: agency)
        try context.audit.append(connection, actor: actor, action: .create, subjectType: "action", subjectID: String(id), detail: "case \(new.caseID)")
        return id
    }

    /// The coordinator adds an action on a case they may see.
    @discardableResult
    public func create(_ new: NewAction, by viewer: Viewer) throws -> Int64 {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        try context.requireVisibleCase(new.caseID, for: viewer)
        return try database.write { connection in
            try CaseVisibilityFilter.require(connection, caseID: new.caseID, viewer: viewer)
            return try create(connection, new, actor: viewer.actor)
        }
    }

    /// Changes the status (with its note) or, for the coordinator, the due date; refused to anyone but the owner and
    /// the coordinator, and refused as stale if someone else changed it first.
    public func update(id: Int64, status: ActionStatus, note: String, dueDate: CalendarDate?, expectedVersion: Int64, by viewer: Viewer) throws {
        let existing = try action(id: id, for: viewer).action
        try requireUpdatable(existing, by: viewer)
        let coordinator = viewer.can(.editCases)
        var problems: [ValidationProblem] = []
        if status != existing.status,
           let problem = ActionRules.transition(from: existing.status, to: status, note: note, byCoordinator: coordinator) {
            problems.append(problem)
        }
        if let dueDate, dueDate != existing.dueDate, !coordinator {
            problems.append(ValidationProblem(field: "due_date", message: "Only the MAPPA coordinator can change the due date"))
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        try database.write { connection in
            let closing = status != .open
            let changed = try connection.execute("""
                UPDATE actions SET status = ?, completion_note = ?, completed_on = ?, due_date = ?, updated_at = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, [.text(status.rawValue), .text(status == existing.status ? existing.completionNote : note),
                      .init(closing ? (existing.completedOn ?? context.today) : nil),
                      .text((dueDate ?? existing.dueDate).description), .text(context.now), .integer(id), .integer(expectedVersion)])
            guard changed == 1 else { throw DomainError.editConflict }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "action", subjectID: String(id),
                                     detail: status.rawValue)
        }
    }
}
