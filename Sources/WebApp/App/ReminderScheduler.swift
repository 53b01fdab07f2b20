import Foundation
import Store
import Synchronization

/// Runs the action reminders and the daily overdue digest (`ActionStore.sendReminders`), and notes newly overdue
/// actions as change events (`ActionStore.noteOverdue`), every `interval` seconds in the background of `mappa serve`. The digest goes once a day whatever the interval, and several
/// instances running it queue it once (the day is recorded in the same transaction).
public final class ReminderScheduler: Sendable {
    let stores: Stores
    let interval: TimeInterval
    private let stopped = Atomic<Bool>(false)

    public init(stores: Stores, interval: TimeInterval = 900) {
        self.stores = stores
        self.interval = interval
    }

    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                do {
                    _ = try stores.actions.noteOverdue(asSystem: .reminders)
                } catch {
                    FileHandle.standardError.write(Data(#"{"level":"error","code":"action_overdue_events"}"#.utf8 + [0x0A]))
                }
                do {
                    _ = try stores.actions.sendReminders(outbox: stores.outbox, accounts: stores.accounts.accounts, asSystem: .reminders)
                } catch {
                    FileHandle.standardError.write(Data(#"{"level":"error","code":"action_reminders"}"#.utf8 + [0x0A]))
                }
                var waited: TimeInterval = 0
                while waited < interval && !stopped.load(ordering: .acquiring) {
                    Thread.sleep(forTimeInterval: 0.5)
                    waited += 0.5
                }
            }
        }
        thread.name = "action-reminders"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .releasing) }
}
