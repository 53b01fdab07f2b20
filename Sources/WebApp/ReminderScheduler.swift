import Foundation
import Store
import Synchronization

/// Runs the action reminders and the daily overdue digest (`ActionService.sendReminders`) every `interval`
/// seconds in the background of `mappa serve`. The digest goes once a day whatever the interval, and several
/// instances running it queue it once (the day is recorded in the same transaction).
public final class ReminderScheduler: Sendable {
    let actions: ActionService
    let outbox: Outbox
    let interval: TimeInterval
    private let stopped = Atomic<Bool>(false)

    public init(actions: ActionService, outbox: Outbox, interval: TimeInterval = 900) {
        self.actions = actions
        self.outbox = outbox
        self.interval = interval
    }

    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                do {
                    _ = try actions.sendReminders(outbox: outbox)
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
