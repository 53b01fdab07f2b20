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

/// Actions on cases: created from approved minutes or by the coordinator, closed by their owners (partner-agency
/// staff included), reminded before they fall due and gathered into a daily overdue digest. Every change audited.
public final class ActionService: Sendable {
    let database: Database
    let clock: Clock
    let audit: AuditTrail
    /// Reminders go this many days before an action is due.
    public let reminderDays = 3

    public init(database: Database, clock: Clock = .system) {
        self.database = database
        self.clock = clock
        self.audit = AuditTrail(database: database, clock: clock)
    }

    public var today: CalendarDate { CalendarDate(clock.now()) }
    var now: String { Timestamp.string(clock.now()) }

    static let select = """
        SELECT actions.*, agencies.code AS agency_code, agencies.name AS agency_name, nominals.nominal_ref FROM actions
        JOIN agencies ON agencies.id = actions.owner_agency_id JOIN cases ON cases.id = actions.case_id
        JOIN nominals ON nominals.id = cases.nominal_id
        """

    static func action(_ row: Row) -> ActionItem {
        ActionItem(id: row.int64("id"), caseID: row.int64("case_id"), meetingID: row["meeting_id"].int64, minutesID: row["minutes_id"].int64,
                   description: row.string("description"), ownerUserID: row["owner_user_id"].int64, ownerName: row.string("owner_name"),
                   ownerEmail: row.string("owner_email"), ownerAgencyCode: row.string("agency_code"), ownerAgencyName: row.string("agency_name"),
                   dueDate: CalendarDate(row.string("due_date")) ?? CalendarDate(daysSinceEpoch: 0),
                   status: ActionStatus(rawValue: row.string("status")) ?? .open, completionNote: row.string("completion_note"),
                   completedOn: row["completed_on"].string.flatMap(CalendarDate.init), nominalRef: row.string("nominal_ref"),
                   version: row.int64("version"))
    }

    public func action(id: Int64) throws -> ActionItem? {
        try database.read { try $0.queryOne(Self.select + " WHERE actions.id = ?", [.integer(id)]).map(Self.action) }
    }

    public func actions(caseID: Int64) throws -> [ActionItem] {
        try database.read { try $0.query(Self.select + " WHERE actions.case_id = ? ORDER BY actions.status = 'open' DESC, due_date, actions.id",
                                         [.integer(caseID)]).map(Self.action) }
    }

    public func openActionCount(caseID: Int64) throws -> Int {
        try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM actions WHERE case_id = ? AND status = 'open'",
                                            [.integer(caseID)])?["n"].int ?? 0 }
    }

    /// The actions a person owns: linked to their account, or named with their email address.
    public func actions(ownedBy user: User) throws -> [ActionItem] {
        try database.read { connection in
            try connection.query(Self.select + """
                 WHERE actions.owner_user_id = ? OR (actions.owner_email <> '' AND LOWER(actions.owner_email) = ?)
                 ORDER BY actions.status = 'open' DESC, due_date, actions.id LIMIT 500
                """, [.integer(user.id), .text(user.email.lowercased())]).map(Self.action)
        }
    }

    public func overdue(limit: Int = 100) throws -> [ActionItem] {
        try database.read { try $0.query(Self.select + " WHERE actions.status = 'open' AND due_date < ? ORDER BY due_date, actions.id LIMIT ?",
                                         [.text(today.description), .integer(Int64(limit))]).map(Self.action) }
    }

    /// The owner of an action may update it; so may the coordinator.
    public func canUpdate(_ action: ActionItem, user: User) -> Bool {
        user.role.can(.editCases) || action.ownerUserID == user.id
            || (!user.email.isEmpty && action.ownerEmail.lowercased() == user.email.lowercased())
    }

    /// Creates an action inside the caller's transaction (approving minutes creates their actions atomically).
    @discardableResult
    public func create(_ connection: Connection, _ new: NewAction, by actor: Actor) throws -> Int64 {
        let problems = ActionRules.problems(description: new.description, ownerName: new.ownerName, ownerAgency: new.ownerAgencyCode,
                                            dueDate: new.dueDate, today: today, isNew: new.minutesID == nil)
        guard problems.isEmpty, let due = new.dueDate else { throw AccountService.ValidationFailure(problems: problems) }
        guard let agency = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(new.ownerAgencyCode)])?.int64("id") else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "owner_agency", message: "Select the owner's agency")])
        }
        let email = new.ownerEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let owner = email.isEmpty ? nil : try connection.queryOne("SELECT id FROM users WHERE LOWER(email) = ? AND active = 1", [.text(email)])?.int64("id")
        let id = try connection.insert("""
            INSERT INTO actions (case_id, meeting_id, minutes_id, description, owner_user_id, owner_name, owner_email, owner_agency_id,
                                 due_date, status, created_at, created_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
            """, [.integer(new.caseID), .init(new.meetingID), .init(new.minutesID), .text(new.description), .init(owner),
                  .text(new.ownerName), .text(email), .integer(agency), .text(due.description), .text(now), .init(actor.userID), .text(now)])
        try audit.append(connection, actor: actor, action: .create, subjectType: "action", subjectID: String(id), detail: "case \(new.caseID)")
        return id
    }

    @discardableResult
    public func create(_ new: NewAction, by actor: Actor) throws -> Int64 {
        try database.write { try create($0, new, by: actor) }
    }

    /// Changes the status (with its note) or, for the coordinator, the due date; refused to anyone but the owner
    /// and the coordinator, and refused as stale if someone else changed it first.
    public func update(id: Int64, status: ActionStatus, note: String, dueDate: CalendarDate?, expectedVersion: Int64,
                       by user: User, from address: String) throws {
        guard let existing = try action(id: id) else { throw StoreError.notFound("The action") }
        guard canUpdate(existing, user: user) else { throw StoreError("forbidden", "Only the action's owner or the MAPPA coordinator can change it") }
        var problems: [ValidationProblem] = []
        if status != existing.status,
           let problem = ActionRules.transition(from: existing.status, to: status, note: note, byCoordinator: user.role.can(.editCases)) {
            problems.append(problem)
        }
        if let dueDate, dueDate != existing.dueDate, !user.role.can(.editCases) {
            problems.append(ValidationProblem(field: "due_date", message: "Only the MAPPA coordinator can change the due date"))
        }
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        try database.write { connection in
            let closing = status != .open
            let changed = try connection.execute("""
                UPDATE actions SET status = ?, completion_note = ?, completed_on = ?, due_date = ?, updated_at = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, [.text(status.rawValue), .text(status == existing.status ? existing.completionNote : note),
                      .init(closing ? (existing.completedOn ?? today).description : nil),
                      .text((dueDate ?? existing.dueDate).description), .text(now), .integer(id), .integer(expectedVersion)])
            guard changed == 1 else { throw StoreError.editConflict }
            try audit.append(connection, actor: Actor(userID: user.id, username: user.username, clientAddress: address),
                             action: .update, subjectType: "action", subjectID: String(id), detail: status.rawValue)
        }
    }

    /// Queues reminders for open actions due within `reminderDays` (once each) and, once a day, the overdue digest
    /// to each owner with an email address and to every coordinator: all through the outbox, in the same
    /// transaction that records them as sent. Messages name the action and its date, never case details.
    /// Returns how many messages were queued (none when mail is not set up).
    @discardableResult
    public func sendReminders(outbox: Outbox) throws -> Int {
        let sender = try outbox.settings().smtp.sender
        guard !sender.address.isEmpty else { return 0 }
        let day = today
        let open = try database.read { try $0.query(Self.select + " WHERE actions.status = 'open'").map { ($0.int64("id"), Self.action($0), $0["reminder_sent_on"].string) } }
        let lastDigest = try database.read { try $0.queryOne("SELECT value FROM settings WHERE key = 'actions.last_digest'")?["value"].string }
        let coordinators = try AccountStore(database: database).users().filter { $0.active && $0.role == .coordinator && !$0.email.isEmpty }
        let footer = "\n\nSee /actions in MAPPA Coordinator to update it.\n\nOFFICIAL-SENSITIVE: handle in line with the MAPPA information-sharing agreement."
        var queued = 0
        try database.write { connection in
            for (id, action, reminded) in open where action.isDueSoon(today: day, days: reminderDays) && reminded == nil && !action.ownerEmail.isEmpty {
                try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: action.ownerName, address: action.ownerEmail)],
                                                                   subject: "MAPPA action due \(action.dueDate.displayText)",
                                                                   text: "Your MAPPA action is due on \(action.dueDate.displayText):\n\n\(action.description)" + footer),
                                   purpose: "action_reminder", caseID: action.caseID)
                try connection.execute("UPDATE actions SET reminder_sent_on = ? WHERE id = ?", [.text(day.description), .integer(id)])
                queued += 1
            }
            if lastDigest != day.description {
                let overdue = open.map(\.1).filter { $0.isOverdue(today: day) }
                let lines = { (actions: [ActionItem]) in
                    actions.map { "- \($0.description) (\($0.ownerName), \($0.ownerAgencyName); due \($0.dueDate.displayText); case \($0.nominalRef))" }
                        .joined(separator: "\n")
                }
                for (email, owned) in Dictionary(grouping: overdue.filter { !$0.ownerEmail.isEmpty }, by: \.ownerEmail) {
                    try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: owned[0].ownerName, address: email)],
                                                                       subject: "MAPPA actions overdue: \(owned.count)",
                                                                       text: "These MAPPA actions of yours are overdue:\n\n" + lines(owned) + footer),
                                       purpose: "action_digest")
                    queued += 1
                }
                if !overdue.isEmpty {
                    for coordinator in coordinators {
                        try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: coordinator.displayName, address: coordinator.email)],
                                                                           subject: "MAPPA overdue actions digest: \(overdue.count)",
                                                                           text: "Overdue MAPPA actions on \(day.displayText):\n\n" + lines(overdue) + footer),
                                           purpose: "action_digest")
                        queued += 1
                    }
                }
                try connection.execute("DELETE FROM settings WHERE key = 'actions.last_digest'")
                try connection.execute("INSERT INTO settings (key, value) VALUES ('actions.last_digest', ?)", [.text(day.description)])
            }
            if queued > 0 {
                try audit.append(connection, actor: .commandLine, action: .update, subjectType: "actions", subjectID: "reminders",
                                 detail: "\(queued) reminder and digest messages queued")
            }
        }
        return queued
    }
}
