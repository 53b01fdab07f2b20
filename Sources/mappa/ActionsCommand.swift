import Foundation
import Store

/// `mappa actions remind`: queues the action reminders and the daily overdue digest now (`mappa serve` does it
/// every 15 minutes; the digest goes once a day).
enum ActionsCommand {
    static let help = """
        Usage: mappa actions remind [--database LOCATION]

        Queues reminders to the owners of open actions due within 3 days (once per action) and, once a day, the
        digest of overdue actions to their owners and to every coordinator, through the mail outbox. Nothing is
        queued while mail is not set up (`mappa mail settings`). Open actions newly past their due date are noted
        as change events (mappa.action.overdue, GET /api/v1/events), once each, mail or not.
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") || arguments.positional != ["remind"] { print(help); return arguments.has("help") ? 0 : 2 }
        try arguments.allowOnly(["database"])
        let (stores, _) = try openStores(arguments)
        let overdue = try stores.actions.noteOverdue(asSystem: .commandLine)
        let queued = try stores.actions.sendReminders(outbox: stores.outbox, accounts: stores.accounts.accounts, asSystem: .commandLine)
        print("queued \(queued) reminder and digest message\(queued == 1 ? "" : "s"); \(overdue) newly overdue action\(overdue == 1 ? "" : "s") noted as change events")
        return 0
    }
}
