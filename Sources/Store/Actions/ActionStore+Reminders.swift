import Database
import Domain
import Foundation

extension ActionStore {
    /// Queues reminders for open actions due within `reminderDays` (once each) and, once a day, the overdue digest to
    /// each owner with an email address and to every coordinator: all through the outbox, in the same transaction that
    /// records them as sent. Messages name the action and its date, never case details; the case's reference only to
    /// someone the case's need-to-know admits (`CaseRecipients`), and each coordinator's digest lists only the actions
    /// on cases that coordinator may see. Returns how many messages were queued (none when mail is not set up).
    @discardableResult
    public func sendReminders(outbox: Outbox, accounts: AccountStore, asSystem job: SystemJob) throws -> Int {
        let sender = try outbox.settings().smtp.sender
        guard !sender.address.isEmpty else { return 0 }
        let day = context.today
        let users = try accounts.users()
        let (open, rule, lastDigest) = try database.read { connection in
            let open = try connection.query(Reminded.self, "SELECT \(Reminded.columns) \(Self.tables) WHERE actions.status = 'open'")
            let rule = try CaseRecipients.load(connection, caseIDs: open.map(\.action.caseID), users: users)
            let last: String? = try connection.queryOne("SELECT value FROM settings WHERE key = 'actions.last_digest'")?.value("value")
            return (open, rule, last)
        }
        let coordinators = users.filter { $0.active && $0.role == .coordinator && !$0.email.isEmpty }
        let footer = "\n\nSee /actions in MAPPA Coordinator to update it.\n\nOFFICIAL-SENSITIVE: handle in line with the MAPPA information-sharing agreement."
        var queued = 0
        try database.write { connection in
            for item in open where item.action.isDueSoon(today: day, days: reminderDays) && item.reminderSentOn == nil && !item.action.ownerEmail.isEmpty {
                let action = item.action
                try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: action.ownerName, address: action.ownerEmail)],
                                                                   subject: "MAPPA action due \(action.dueDate.displayText)",
                                                                   text: "Your MAPPA action is due on \(action.dueDate.displayText):\n\n\(action.description)" + footer),
                                   purpose: "action_reminder", caseID: action.caseID)
                try connection.execute("UPDATE actions SET reminder_sent_on = ? WHERE id = ?", [.text(day.description), .integer(action.id)])
                queued += 1
            }
            if lastDigest != day.description {
                let overdue = open.map(\.action).filter { $0.isOverdue(today: day) }
                func line(_ action: ActionItem, to email: String, agencyID: Int64, agencyName: String) -> String {
                    let reference = rule.refusal(caseID: action.caseID, email: email, agencyID: agencyID, agencyName: agencyName) == nil
                        ? "case \(action.nominalRef)" : "case reference withheld (need-to-know)"
                    return "- \(action.description) (\(action.ownerName), \(action.ownerAgencyName); due \(action.dueDate.displayText); \(reference))"
                }
                let byOwner = Dictionary(grouping: open.filter { $0.action.isOverdue(today: day) && !$0.action.ownerEmail.isEmpty },
                                         by: \.action.ownerEmail)
                for (email, owned) in byOwner.sorted(by: { $0.key < $1.key }) {
                    let lines = owned.map { line($0.action, to: email, agencyID: $0.ownerAgencyID, agencyName: $0.action.ownerAgencyName) }
                    try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: owned[0].action.ownerName, address: email)],
                                                                       subject: "MAPPA actions overdue: \(owned.count)",
                                                                       text: "These MAPPA actions of yours are overdue:\n\n" + lines.joined(separator: "\n") + footer),
                                       purpose: "action_digest")
                    queued += 1
                }
                for coordinator in coordinators {
                    let theirs = overdue.filter {
                        rule.refusal(caseID: $0.caseID, email: coordinator.email, agencyID: coordinator.agencyID, agencyName: coordinator.agencyName) == nil
                    }
                    guard !theirs.isEmpty else { continue }
                    let lines = theirs.map { line($0, to: coordinator.email, agencyID: coordinator.agencyID, agencyName: coordinator.agencyName) }
                    try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: coordinator.displayName, address: coordinator.email)],
                                                                       subject: "MAPPA overdue actions digest: \(theirs.count)",
                                                                       text: "Overdue MAPPA actions on \(day.displayText):\n\n" + lines.joined(separator: "\n") + footer),
                                       purpose: "action_digest")
                    queued += 1
                }
                try connection.execute("DELETE FROM settings WHERE key = 'actions.last_digest'")
                try connection.execute("INSERT INTO settings (key, value) VALUES ('actions.last_digest', ?)", [.text(day.description)])
            }
            if queued > 0 {
                try context.audit.append(connection, actor: job.actor, action: .update, subjectType: "actions", subjectID: "reminders",
                                         detail: "\(queued) reminder and digest messages queued")
            }
        }
        return queued
    }

    /// An open action with when its reminder went and its owner's agency.
    struct Reminded: RowDecodable {
        let action: ActionItem
        let reminderSentOn: String?
        let ownerAgencyID: Int64

        static let columns = ActionItem.columns + ", actions.reminder_sent_on, actions.owner_agency_id"

        init(row: inout RowReader) throws(DatabaseError) {
            action = try ActionItem(row: &row)
            reminderSentOn = try row.decodeIfPresent("reminder_sent_on")
            ownerAgencyID = try row.decode("owner_agency_id")
        }
    }
}
