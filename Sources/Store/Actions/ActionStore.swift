import Database
import Domain
import Foundation

/// What is needed to create an action. A new action names its owner from the directory (`owner`) and its area of
/// the risk management plan; the agency follows from the owner. Actions carried from minutes may instead name the
/// owner as the minutes recorded them (`ownerName`, `ownerEmail`, `ownerAgencyCode`), linked to the directory when
/// the email names someone in it.
public struct NewAction: Sendable, Equatable {
    public var caseID: Int64
    public var meetingID: Int64?
    public var minutesID: Int64?
    public var description: String
    public var owner: ActionOwner?
    public var area: PlanArea?
    public var ownerName: String
    public var ownerEmail: String
    public var ownerAgencyCode: String
    public var dueDate: CalendarDate?

    public init(caseID: Int64, meetingID: Int64? = nil, minutesID: Int64? = nil, description: String, owner: ActionOwner? = nil,
                area: PlanArea? = nil, ownerName: String = "", ownerEmail: String = "", ownerAgencyCode: String = "", dueDate: CalendarDate?) {
        self.caseID = caseID
        self.meetingID = meetingID
        self.minutesID = minutesID
        self.description = description
        self.owner = owner
        self.area = area
        self.ownerName = ownerName
        self.ownerEmail = ownerEmail
        self.ownerAgencyCode = ownerAgencyCode
        self.dueDate = dueDate
    }
}

extension NewAction {
    /// With the owner from the directory and the area that the minutes' planned action chose.
    func from(_ planned: PlannedAction) -> NewAction {
        var copy = self
        copy.owner = planned.owner
        copy.area = planned.area
        return copy
    }
}

/// An action as one viewer's list shows it. When the viewer may not see its case (an owner who is not on a restricted
/// case's list, say), `caseVisible` is false and the action carries no reference to the case at all.
public struct ListedAction: Sendable, Equatable {
    public var action: ActionItem
    public var caseVisible: Bool
    /// Open and past its due date on the day it was read.
    public var isOverdue: Bool

    public init(action: ActionItem, caseVisible: Bool, isOverdue: Bool = false) {
        self.action = action
        self.caseVisible = caseVisible
        self.isOverdue = isOverdue
    }
}

extension ActionItem: RowDecodable {
    public static let columns = """
        actions.id, actions.case_id, actions.meeting_id, actions.minutes_id, actions.description, actions.owner_user_id,
        actions.owner_contact_id, COALESCE(owner_users.display_name, owner_contacts.name, actions.owner_name) AS owner_name,
        COALESCE(NULLIF(owner_users.email, ''), NULLIF(owner_contacts.email, ''), actions.owner_email) AS owner_email,
        agencies.code AS agency_code, agencies.name AS agency_name, actions.due_date, actions.area,
        actions.status, actions.completion_note, actions.completed_on, nominals.nominal_ref, actions.version
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(id: try row.decode("id"), caseID: try row.decode("case_id"), meetingID: try row.decodeIfPresent("meeting_id"),
                  minutesID: try row.decodeIfPresent("minutes_id"), description: try row.decode("description"),
                  ownerUserID: try row.decodeIfPresent("owner_user_id"), ownerContactID: try row.decodeIfPresent("owner_contact_id"),
                  ownerName: try row.decode("owner_name"), ownerEmail: try row.decode("owner_email"), ownerAgencyCode: try row.decode("agency_code"),
                  ownerAgencyName: try row.decode("agency_name"), dueDate: try row.decode("due_date"), area: try row.decodeIfPresent("area"),
                  status: try row.decode("status"),
                  completionNote: try row.decode("completion_note"), completedOn: try row.decodeIfPresent("completed_on"),
                  nominalRef: try row.decode("nominal_ref"), version: try row.decode("version"))
    }
}

/// Actions on cases: created from approved minutes or by the coordinator, owned by someone from the directory (a user
/// or an agency contact) and closed by them (partner-agency staff included), reminded before they fall due and
/// gathered into a daily overdue digest (`+Reminders`), listed unit-wide for the coordinator (`+Lists`). An owner sees
/// the actions they own even on a case they may not open (they need to know what they are asked to do, and no more);
/// every other list shows only actions on cases its reader may see. Every change audited.
public struct ActionStore: FeatureStore {
    let context: StoreContext
    /// Reminders go this many days before an action is due.
    public let reminderDays = 3

    /// The owner's name and email come from the directory (`owner_users`, `owner_contacts`) when the action names
    /// someone in it, so a changed address reaches reminders and "My actions"; else as first recorded.
    static let tables = """
        FROM actions JOIN agencies ON agencies.id = actions.owner_agency_id JOIN cases ON cases.id = actions.case_id
        JOIN nominals ON nominals.id = cases.nominal_id
        LEFT JOIN users owner_users ON owner_users.id = actions.owner_user_id
        LEFT JOIN agency_contacts owner_contacts ON owner_contacts.id = actions.owner_contact_id
        """

    /// Actions matching `condition`, each with whether the viewer may see its case; the case's reference is blanked
    /// where they may not.
    func listed(_ condition: String, _ parameters: [SQLValue], order: String, for viewer: Viewer) throws -> [ListedAction] {
        let today = context.today
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return try connection.query(Seen<ActionItem>.self, "SELECT \(ActionItem.columns), \(visible.expression) AS visible \(Self.tables)"
                                        + " WHERE " + condition + order, visible.parameters + parameters)
        }.map { seen in Self.listing(seen.record, visible: seen.visible, today: today) }
    }

    static func listing(_ record: ActionItem, visible: Bool, today: CalendarDate) -> ListedAction {
        var action = record
        if !visible { action.nominalRef = "" }
        return ListedAction(action: action, caseVisible: visible, isOverdue: action.isOverdue(today: today))
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

    /// True for an action (in `tables`) the viewer owns: linked to their account, or to a directory contact with their
    /// email address, or (an owner not in the directory) named with their email address. Whatever the owner's agency.
    static func ownedCondition(_ viewer: Viewer) -> SQLCondition {
        let email = viewer.user.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard !email.isEmpty else { return SQLCondition(sql: "actions.owner_user_id = ?", parameters: [.integer(viewer.user.id)]) }
        // Each way of owning read from its own index (`actions_owner`, `actions_owner_contact`, `actions_owner_email`):
        // as one OR over the joined rows it read every open action (23,600 at national scale) on each home page.
        return SQLCondition(sql: """
            actions.id IN (SELECT mine.id FROM actions mine WHERE mine.owner_user_id = ?
                UNION ALL SELECT mine.id FROM actions mine
                    WHERE mine.owner_contact_id IN (SELECT contacts.id FROM agency_contacts contacts WHERE LOWER(contacts.email) = ?)
                UNION ALL SELECT mine.id FROM actions mine
                    WHERE mine.owner_user_id IS NULL AND mine.owner_contact_id IS NULL AND mine.owner_email <> ''
                      AND LOWER(mine.owner_email) = ?)
            """, parameters: [.integer(viewer.user.id), .text(email), .text(email)])
    }

    /// Every action the viewer owns: open ones first, most urgent first, then those closed.
    public func actions(ownedBy viewer: Viewer) throws -> [ListedAction] {
        let owned = Self.ownedCondition(viewer)
        return try listed(owned.sql, owned.parameters,
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
        if action.ownerUserID == viewer.user.id { return true }
        if action.ownerUserID != nil { return false }
        let email = viewer.user.email.trimmingCharacters(in: .whitespaces).lowercased()
        return !email.isEmpty && action.ownerEmail.lowercased() == email
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
    /// The owner comes from the directory (`resolveOwner`) and their agency with them; the owner's agency becomes
    /// involved in the case: its staff need to see what they are asked to do it about.
    @discardableResult
    func create(_ connection: Connection, _ new: NewAction, actor: Actor) throws -> Int64 {
        let isNew = new.minutesID == nil
        var resolved = try resolveOwner(connection, new)
        if resolved == nil, new.owner != nil, !isNew {
            // Agreed in minutes with someone who has since left the directory: the owner as the minutes recorded them.
            var recorded = new
            recorded.owner = nil
            resolved = try resolveOwner(connection, recorded)
        }
        var problems = ActionRules.problems(description: new.description, owner: new.owner, ownerName: resolved?.name ?? new.ownerName,
                                            ownerAgency: resolved?.agencyCode ?? new.ownerAgencyCode, area: new.area,
                                            dueDate: new.dueDate, today: context.today, isNew: isNew)
        if isNew && new.owner != nil && resolved == nil {
            problems.append(ValidationProblem(field: "owner", message: "Choose the owner from the directory: that person is no longer in it"))
        }
        guard problems.isEmpty, let due = new.dueDate else { throw DomainError.validation(problems) }
        let owner: ResolvedOwner
        if let resolved {
            owner = resolved
        } else {
            guard let agency: Int64 = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(new.ownerAgencyCode)])?.value("id") else {
                throw DomainError.validation(field: isNew ? "owner" : "owner_agency", "Select the owner's agency")
            }
            owner = ResolvedOwner(userID: nil, contactID: nil, name: new.ownerName, email: new.ownerEmail.trimmingCharacters(in: .whitespaces).lowercased(),
                                  agencyID: agency, agencyCode: new.ownerAgencyCode)
        }
        let now = context.now
        let id = try connection.insert("""
            INSERT INTO actions (case_id, meeting_id, minutes_id, description, owner_user_id, owner_contact_id, owner_name, owner_email,
                                 owner_agency_id, due_date, area, status, created_at, created_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
            """, [.integer(new.caseID), .init(new.meetingID), .init(new.minutesID), .text(new.description), .init(owner.userID), .init(owner.contactID),
                  .text(owner.name), .text(owner.email), .integer(owner.agencyID), .text(due.description), .init(new.area?.rawValue),
                  .text(now), .init(actor.userID), .text(now)])
        try CaseStore.involve(connection, caseID: new.caseID, agencyID: owner.agencyID)
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
