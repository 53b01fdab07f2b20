import Adapters
import Database
import Domain
import Foundation
import Store
import Synchronization

/// Delivers queued mail in the background: one thread that every few seconds claims the messages that are due,
/// renders each (MIME, with its iCalendar invitation), sends it through SMTP and records the outcome. Started by
/// `mappa serve`; every app instance may run one (claims never overlap, see `Outbox`).
///
/// The SMTP settings are read afresh each round, so a change on the settings page applies without a restart; the
/// password comes from `MAPPA_SMTP_PASSWORD` in this process's environment. While no server is configured
/// nothing is claimed: messages wait, their attempts unspent.
public final class OutboxWorker: Sendable {
    public typealias TransportFactory = @Sendable (SMTPSettings) throws -> MailTransport

    public let outbox: Outbox
    let interval: TimeInterval
    let batchSize: Int
    let environment: [String: String]
    let makeTransport: TransportFactory
    private let state = Mutex(State())
    /// Wakes the thread early on `stop()` (and lets `stop()` wait for it to finish the message in hand).
    private let condition = NSConditionBox()

    struct State {
        var running = false
        var stopping = false
        var finished = false
    }

    public init(outbox: Outbox, interval: TimeInterval = 5, batchSize: Int = 10,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                makeTransport: @escaping TransportFactory = { try SMTPSender(settings: $0) }) {
        self.outbox = outbox
        self.interval = interval
        self.batchSize = batchSize
        self.environment = environment
        self.makeTransport = makeTransport
    }

    /// Starts the thread (once).
    public func start() {
        let alreadyRunning = state.withLock { state -> Bool in
            if state.running { return true }
            state = State(running: true)
            return false
        }
        if alreadyRunning { return }
        let thread = Thread { [self] in
            while !state.withLock({ $0.stopping }) {
                do {
                    _ = try runOnce()
                } catch {
                    // The database is unavailable: nothing was claimed or everything claimed is reclaimed later.
                    let code = (error as? DatabaseError).map { "database_\($0.code.rawValue)" } ?? "internal"
                    FileHandle.standardError.write(Data("{\"level\":\"error\",\"component\":\"outbox\",\"code\":\"\(code)\"}\n".utf8))
                }
                condition.wait(seconds: interval) { self.state.withLock { $0.stopping } }
            }
            state.withLock { $0.finished = true }
            condition.broadcast()
        }
        thread.name = "outbox-worker"
        thread.start()
    }

    /// Asks the thread to stop and waits (up to `timeout`) for it to finish the message it is sending.
    public func stop(timeout: TimeInterval = 90) {
        let wasRunning = state.withLock { state -> Bool in
            state.stopping = true
            return state.running
        }
        condition.broadcast()
        guard wasRunning else { return }
        condition.wait(seconds: timeout) { self.state.withLock { $0.finished } }
    }

    /// One round: claims what is due and sends it. Returns how many messages were sent. Public so the command
    /// line and tests can deliver without a thread.
    @discardableResult
    public func runOnce() throws -> Int {
        let settings = try outbox.settings(environment: environment)
        guard settings.smtp.isConfigured, settings.smtp.problems().isEmpty else { return 0 }
        var sent = 0
        var transport: MailTransport?
        while !state.withLock({ $0.stopping }) {
            let claimed = try outbox.claimDue(limit: batchSize)
            if claimed.isEmpty { break }
            for (index, message) in claimed.enumerated() {
                do {
                    if transport == nil { transport = try makeTransport(settings.smtp) }
                    try deliver(message, settings: settings.smtp, through: transport!)
                    if try outbox.markSent(message) { sent += 1 }
                } catch {
                    let reason = (error as? MailDeliveryError).map { "\($0.code): \($0.description)" }
                        ?? "internal: The message could not be prepared"
                    try outbox.markFailed(message, error: reason)
                    // A server or settings problem would fail every message the same way: hand the rest back
                    // untried, due when the failed one is, and end the round.
                    if let delivery = error as? MailDeliveryError, Self.serverWide.contains(delivery.code) {
                        for untried in claimed[(index + 1)...] {
                            try outbox.release(untried, retryAfter: outbox.policy.delay(afterAttempt: message.attempt))
                        }
                        return sent
                    }
                }
            }
        }
        return sent
    }

    /// Failures that say nothing about the message, only about the server or settings.
    static let serverWide: Set<String> = ["smtp_resolve", "smtp_connect", "smtp_timeout", "smtp_auth", "smtp_tls",
                                          "smtp_settings", "smtp_init", "smtp_connection"]

    /// Sends one message from the configured address; the queued sender, when different, becomes Reply-To.
    func deliver(_ message: ClaimedMail, settings: SMTPSettings, through transport: MailTransport) throws {
        var mail = message.mail
        let sender = settings.sender
        if !mail.from.address.isEmpty, mail.from.address.lowercased() != sender.address.lowercased(), mail.replyTo == nil {
            mail.replyTo = mail.from
        }
        mail.from = sender
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? ""
        let rendered = MIMEMessage.render(mail, messageID: message.messageID(domain: domain), date: message.createdAt)
        try transport.send(rendered, from: sender.address, to: mail.to.map(\.address))
    }
}

/// NSCondition as a small Sendable box: wait until a predicate holds or time runs out; broadcast to re-check.
final class NSConditionBox: @unchecked Sendable {
    // NSCondition is thread-safe; that is the argument for @unchecked Sendable.
    private let condition = NSCondition()

    func wait(seconds: TimeInterval, until done: () -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !done() {
            if !condition.wait(until: deadline) { return }
        }
    }

    func broadcast() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
