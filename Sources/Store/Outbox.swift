import Database
import Domain
import Foundation

/// Where a queued message is in its life.
public enum OutboxStatus: String, Sendable, CaseIterable, Codable {
    /// Waiting for its next attempt (new, or after a failed attempt).
    case queued
    /// Claimed by a delivery worker. If the worker dies, the claim lapses and another worker takes it.
    case sending
    /// Accepted by the mail server.
    case sent
    /// Gave up after the maximum number of attempts; an administrator can retry it.
    case failed
}

/// How often and how long to retry. Exponential back-off: after attempt n the next one waits
/// `baseDelay × 2^(n−1)`, capped at `maxDelay` (1, 2, 4 … 32 minutes, then hourly by default).
public struct OutboxPolicy: Sendable, Equatable {
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// How long a claim lasts before another worker may take the message: longer than a batch of sends can take
    /// (the worker claims 10 at a time and gives each at most 60 s).
    public var claimLease: TimeInterval
    /// Attempts before a message is marked failed, unless the `outbox.max_attempts` setting says otherwise.
    public var defaultMaxAttempts: Int

    public init(baseDelay: TimeInterval = 60, maxDelay: TimeInterval = 3600, claimLease: TimeInterval = 900,
                defaultMaxAttempts: Int = 20) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.claimLease = claimLease
        self.defaultMaxAttempts = defaultMaxAttempts
    }

    /// The wait after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        return min(maxDelay, baseDelay * pow(2, exponent))
    }

    /// The defaults, with `MAPPA_OUTBOX_BACKOFF_SECONDS` (first wait) and `MAPPA_OUTBOX_MAX_BACKOFF_SECONDS` (cap)
    /// applied when set: short waits make a delivery test quick.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OutboxPolicy {
        var policy = OutboxPolicy()
        if let base = environment["MAPPA_OUTBOX_BACKOFF_SECONDS"].flatMap(Double.init), base > 0 { policy.baseDelay = base }
        if let cap = environment["MAPPA_OUTBOX_MAX_BACKOFF_SECONDS"].flatMap(Double.init), cap > 0 { policy.maxDelay = cap }
        policy.maxDelay = max(policy.maxDelay, policy.baseDelay)
        return policy
    }
}

/// One message as the status page shows it: no content, only addresses, counts and times.
public struct OutboxEntry: Sendable, Equatable {
    public var id: Int64
    public var createdAt: String
    public var purpose: String
    public var recipients: [String]
    public var status: OutboxStatus
    public var attempts: Int
    /// When a queued message is next tried; nil once sent or failed.
    public var nextAttemptAt: Date?
    public var lastError: String
    public var sentAt: String?
    public var meetingID: Int64?
    public var caseID: Int64?
    public var recipientCount: Int { recipients.count }
}

/// A message a worker has claimed and must now send, then report with `markSent` or `markFailed`.
public struct ClaimedMail: Sendable, Equatable {
    public var id: Int64
    /// Which attempt this is (1 for the first); the report must name it, so a worker whose claim lapsed cannot
    /// overwrite the outcome of the worker that took over.
    public var attempt: Int
    public var purpose: String
    /// When the message was queued: its Date header and the invitation's DTSTAMP, the same on every attempt.
    public var createdAt: Date
    public var mail: OutgoingMail
    public var meetingID: Int64?
    public var caseID: Int64?
    /// A Message-ID that stays the same across attempts, so a receiver can drop a duplicate.
    public func messageID(domain: String) -> String {
        "mappa-outbox-\(id)-\(Int64(createdAt.timeIntervalSince1970))@\(domain.isEmpty ? "mappa.invalid" : domain)"
    }
}

/// What an administrator sets for mail: the SMTP server (password excepted, see `SMTPSettings`) and how many
/// attempts a message gets.
public struct MailSettings: Sendable, Equatable {
    public var smtp: SMTPSettings
    public var maxAttempts: Int
    public init(smtp: SMTPSettings = SMTPSettings(), maxAttempts: Int = OutboxPolicy().defaultMaxAttempts) {
        self.smtp = smtp
        self.maxAttempts = maxAttempts
    }

    public func problems() -> [ValidationProblem] {
        var problems = smtp.problems()
        if !(1...100).contains(maxAttempts) {
            problems.append(ValidationProblem(field: "max_attempts", message: "Enter a number of attempts from 1 to 100"))
        }
        return problems
    }
}

/// The transactional outbox (https://microservices.io/patterns/data/transactional-outbox.html): mail is queued
/// as a row in the same transaction as the change it announces, so a meeting and its invitations commit or roll
/// back together, and a worker delivers it later, retrying with back-off while the mail server is down. Nothing
/// is lost: a message leaves the table only as `sent`, or as `failed` for an administrator to retry.
///
/// Delivery is at least once: a worker that dies after the server accepted a message but before recording it
/// leaves a claim that lapses, and the message is sent again (with the same Message-ID).
///
/// Several app instances can run workers on one database: on PostgreSQL claims use
/// `SELECT … FOR UPDATE SKIP LOCKED`, so workers take different rows without waiting; on SQLite the claim runs in
/// the single write transaction (BEGIN IMMEDIATE), which already excludes every other writer.
public final class Outbox: Sendable {
    public let database: Database
    let clock: Clock
    public let policy: OutboxPolicy
    let audit: AuditTrail
    /// Who the audit trail names for deliveries.
    public static let workerActor = Actor(userID: nil, username: "(mail delivery)", clientAddress: "local")

    public init(database: Database, clock: Clock = .system, policy: OutboxPolicy = OutboxPolicy()) {
        self.database = database
        self.clock = clock
        self.policy = policy
        self.audit = AuditTrail(database: database, clock: clock)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    var nowSeconds: Int64 { Int64(clock.now().timeIntervalSince1970.rounded(.down)) }

    // MARK: queueing

    /// Queues `mail` inside the caller's transaction (`database.write { connection in … }`), so it is sent only if
    /// that transaction commits. Returns the outbox id. Throws `StoreError` ("mail_invalid") when the message has
    /// no recipient, an implausible address, or a bad purpose; nothing is queued then.
    ///
    /// `purpose` is a short label shown on the status page and in the audit trail, such as
    /// "meeting-invitation"; `meetingID` and `caseID` link the message to its record.
    @discardableResult
    public func enqueue(_ connection: Connection, mail: OutgoingMail, purpose: String, meetingID: Int64? = nil,
                        caseID: Int64? = nil) throws -> Int64 {
        try Self.validate(mail, purpose: purpose)
        let json = String(decoding: try Self.encoder.encode(mail), as: UTF8.self)
        let recipients = mail.to.map(\.address)
        return try connection.insert("""
            INSERT INTO outbox (created_at, purpose, mail_json, recipients, recipient_count, status, attempts,
                                next_attempt_at, meeting_id, case_id)
            VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)
            """, [.text(Timestamp.string(clock.now())), .text(purpose), .text(json), .text(recipients.joined(separator: ", ")),
                  .integer(Int64(recipients.count)), .integer(nowSeconds), .init(meetingID), .init(caseID)])
    }

    /// Queues `mail` in a transaction of its own (a test message; mail not tied to another change).
    @discardableResult
    public func enqueue(mail: OutgoingMail, purpose: String, meetingID: Int64? = nil, caseID: Int64? = nil) throws -> Int64 {
        try database.write { connection in
            try enqueue(connection, mail: mail, purpose: purpose, meetingID: meetingID, caseID: caseID)
        }
    }

    static func validate(_ mail: OutgoingMail, purpose: String) throws {
        let purposeAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_. "))
        guard !purpose.isEmpty, purpose.count <= 64, purpose.unicodeScalars.allSatisfy(purposeAllowed.contains) else {
            throw StoreError("mail_invalid", "The message's purpose must be a short label of letters, numbers and hyphens")
        }
        guard !mail.to.isEmpty else { throw StoreError("mail_invalid", "The message has no recipient") }
        var addresses = mail.to.map(\.address)
        if !mail.from.address.isEmpty { addresses.append(mail.from.address) }
        if let replyTo = mail.replyTo { addresses.append(replyTo.address) }
        if let event = mail.calendar { addresses += [event.organizer.address] + event.attendees.map(\.address) }
        guard addresses.allSatisfy(Mailbox.isPlausibleAddress) else {
            throw StoreError("mail_invalid", "An email address in the message is not valid")
        }
    }

    // MARK: delivery

    /// Claims up to `limit` messages that are due (queued and due now, or being sent under a claim that has
    /// lapsed), oldest first, counting an attempt for each. The caller sends each and reports it.
    public func claimDue(limit: Int = 10) throws -> [ClaimedMail] {
        let now = nowSeconds
        return try database.write { connection in
            var sql = """
                SELECT id, attempts, purpose, created_at, mail_json, meeting_id, case_id FROM outbox
                WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?
                ORDER BY next_attempt_at, id LIMIT ?
                """
            // Rows another instance has claimed in its open transaction are skipped, not waited for.
            // https://www.postgresql.org/docs/15/sql-select.html#SQL-FOR-UPDATE-SHARE
            if connection.dialect == .postgres { sql += " FOR UPDATE SKIP LOCKED" }
            var claimed: [ClaimedMail] = []
            for row in try connection.query(sql, [.integer(now), .integer(Int64(max(1, limit)))]) {
                let id = row.int64("id")
                let attempt = Int(row.int64("attempts")) + 1
                try connection.execute("UPDATE outbox SET status = 'sending', attempts = ?, next_attempt_at = ? WHERE id = ?",
                                       [.integer(Int64(attempt)), .integer(now + Int64(policy.claimLease)), .integer(id)])
                guard let mail = try? JSONDecoder().decode(OutgoingMail.self, from: Data(row.string("mail_json").utf8)) else {
                    // Unreadable (written by a newer version?): park it for an administrator rather than loop on it.
                    try connection.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?",
                                           [.text("The stored message could not be read"), .integer(id)])
                    continue
                }
                claimed.append(ClaimedMail(id: id, attempt: attempt, purpose: row.string("purpose"),
                                           createdAt: Self.date(row.string("created_at")) ?? clock.now(), mail: mail,
                                           meetingID: row["meeting_id"].int64, caseID: row["case_id"].int64))
            }
            return claimed
        }
    }

    /// Records that the mail server accepted the message. Returns false when the claim had lapsed and another
    /// worker has taken the message since (its report counts, not this one).
    @discardableResult
    public func markSent(_ claimed: ClaimedMail) throws -> Bool {
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ? AND status = 'sending' AND attempts = ?
                """, [.text(Timestamp.string(clock.now())), .integer(claimed.id), .integer(Int64(claimed.attempt))])
            guard changed == 1 else { return false }
            try audit.append(connection, actor: Self.workerActor, action: .mailSent, subjectType: "outbox",
                             subjectID: String(claimed.id), detail: Self.detail(claimed, extra: []))
            return true
        }
    }

    /// Records a failed attempt with a reason safe to show (no content, no password): the message is queued
    /// again after the back-off delay, or marked failed once it has had the maximum number of attempts.
    /// Returns the message's new status (nil when the claim had lapsed and another worker has it).
    @discardableResult
    public func markFailed(_ claimed: ClaimedMail, error: String) throws -> OutboxStatus? {
        let reason = String(String.UnicodeScalarView(error.unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }).prefix(300))
        return try database.write { connection in
            let maxAttempts = try Self.maxAttempts(connection) ?? policy.defaultMaxAttempts
            let status: OutboxStatus = claimed.attempt >= maxAttempts ? .failed : .queued
            let next = nowSeconds + Int64(policy.delay(afterAttempt: claimed.attempt).rounded(.up))
            let changed = try connection.execute("""
                UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?
                WHERE id = ? AND status = 'sending' AND attempts = ?
                """, [.text(status.rawValue), .integer(next), .text(reason), .integer(claimed.id),
                      .integer(Int64(claimed.attempt))])
            guard changed == 1 else { return nil }
            let code = reason.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            try audit.append(connection, actor: Self.workerActor, action: .mailFailed, subjectType: "outbox",
                             subjectID: String(claimed.id), detail: Self.detail(claimed, extra: [
                                "error=\(code.count <= 32 && !code.contains(" ") ? code : "other")",
                                status == .failed ? "gave up" : "will retry",
                             ]))
            return status
        }
    }

    /// Hands back a claimed message that was not tried (the server failed on an earlier one): queued again, due
    /// after `retryAfter` seconds, the attempt not counted.
    public func release(_ claimed: ClaimedMail, retryAfter: TimeInterval) throws {
        try database.write { connection in
            try connection.execute("""
                UPDATE outbox SET status = 'queued', attempts = ?, next_attempt_at = ?
                WHERE id = ? AND status = 'sending' AND attempts = ?
                """, [.integer(Int64(claimed.attempt - 1)), .integer(nowSeconds + Int64(retryAfter.rounded(.up))),
                      .integer(claimed.id), .integer(Int64(claimed.attempt))])
        }
    }

    static func detail(_ claimed: ClaimedMail, extra: [String]) -> String {
        var parts = ["purpose=\(claimed.purpose)", "recipients=\(claimed.mail.to.count)", "attempt=\(claimed.attempt)"]
        if let meeting = claimed.meetingID { parts.append("meeting=\(meeting)") }
        if let caseID = claimed.caseID { parts.append("case=\(caseID)") }
        return (parts + extra).joined(separator: "; ")
    }

    /// Puts a failed message back in the queue, due now, with a fresh set of attempts (after an administrator
    /// has fixed the settings, say). Only failed messages can be retried.
    public func retry(id: Int64, by actor: Actor) throws {
        try database.write { connection in
            guard let row = try connection.queryOne("SELECT status FROM outbox WHERE id = ?", [.integer(id)]) else {
                throw StoreError.notFound("The message")
            }
            guard row.string("status") == OutboxStatus.failed.rawValue else {
                throw StoreError("mail_not_failed", "Only a message that has failed can be retried; this one is \(row.string("status")).")
            }
            try connection.execute("UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ? WHERE id = ?",
                                   [.integer(nowSeconds), .integer(id)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "outbox", subjectID: String(id),
                             detail: "retry requested")
        }
    }

    // MARK: status

    /// How many messages are in each status (every status present, zero when none).
    public func counts() throws -> [OutboxStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, 0) })
        for row in try database.read({ try $0.query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status") }) {
            if let status = OutboxStatus(rawValue: row.string("status")) { counts[status] = Int(row.int64("n")) }
        }
        return counts
    }

    /// The newest messages first, optionally of one status.
    public func recent(limit: Int = 50, status: OutboxStatus? = nil) throws -> [OutboxEntry] {
        var sql = "SELECT * FROM outbox"
        var parameters: [SQLValue] = []
        if let status {
            sql += " WHERE status = ?"
            parameters.append(.text(status.rawValue))
        }
        sql += " ORDER BY id DESC LIMIT ?"
        parameters.append(.integer(Int64(limit)))
        return try database.read { try $0.query(sql, parameters).map(Self.entry) }
    }

    public func entry(id: Int64) throws -> OutboxEntry? {
        try database.read { try $0.queryOne("SELECT * FROM outbox WHERE id = ?", [.integer(id)]).map(Self.entry) }
    }

    /// Every message queued for a meeting, oldest first (invitations, updates, cancellations), for its page.
    public func entries(meetingID: Int64) throws -> [OutboxEntry] {
        try database.read {
            try $0.query("SELECT * FROM outbox WHERE meeting_id = ? ORDER BY id", [.integer(meetingID)]).map(Self.entry)
        }
    }

    static func entry(_ row: Row) -> OutboxEntry {
        let status = OutboxStatus(rawValue: row.string("status")) ?? .queued
        let recipients = row.string("recipients").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return OutboxEntry(id: row.int64("id"), createdAt: row.string("created_at"), purpose: row.string("purpose"),
                           recipients: recipients, status: status, attempts: Int(row.int64("attempts")),
                           nextAttemptAt: status == .queued || status == .sending
                               ? Date(timeIntervalSince1970: TimeInterval(row.int64("next_attempt_at"))) : nil,
                           lastError: row.string("last_error"), sentAt: row["sent_at"].string,
                           meetingID: row["meeting_id"].int64, caseID: row["case_id"].int64)
    }

    static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    // MARK: settings

    static let settingKeys = (host: "smtp.host", port: "smtp.port", security: "smtp.security", username: "smtp.username",
                              fromAddress: "smtp.from_address", fromName: "smtp.from_name", maxAttempts: "outbox.max_attempts")

    static func maxAttempts(_ connection: Connection) throws -> Int? {
        try connection.queryOne("SELECT value FROM settings WHERE key = ?", [.text(settingKeys.maxAttempts)])?["value"].int
    }

    /// The mail settings from the `settings` table, with the SMTP password taken from `MAPPA_SMTP_PASSWORD` in
    /// `environment` (it is never stored). Defaults where nothing is saved yet.
    public func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailSettings {
        let rows = try database.read { try $0.query("SELECT key, value FROM settings WHERE key LIKE 'smtp.%' OR key = ?",
                                                    [.text(Self.settingKeys.maxAttempts)]) }
        var values: [String: String] = [:]
        for row in rows { values[row.string("key")] = row.string("value") }
        let keys = Self.settingKeys
        var settings = MailSettings(maxAttempts: values[keys.maxAttempts].flatMap(Int.init) ?? policy.defaultMaxAttempts)
        let defaults = SMTPSettings()
        settings.smtp = SMTPSettings(host: values[keys.host] ?? defaults.host,
                                     port: values[keys.port].flatMap(Int.init) ?? defaults.port,
                                     username: values[keys.username] ?? defaults.username,
                                     password: environment[SMTPSettings.passwordVariable] ?? "",
                                     security: values[keys.security].flatMap(SMTPSettings.Security.init) ?? defaults.security,
                                     fromAddress: values[keys.fromAddress] ?? defaults.fromAddress,
                                     fromName: values[keys.fromName] ?? defaults.fromName)
        return settings
    }

    /// Saves the settings after checking every field (throws `AccountService.ValidationFailure` listing all
    /// problems). The password in `settings.smtp` is ignored: it is never stored. Audited with the names of the
    /// settings that changed, not their values.
    public func saveSettings(_ settings: MailSettings, by actor: Actor) throws {
        let problems = settings.problems()
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        let keys = Self.settingKeys
        let smtp = settings.smtp
        let values: [(String, String)] = [
            (keys.host, smtp.host), (keys.port, String(smtp.port)), (keys.security, smtp.security.rawValue),
            (keys.username, smtp.username), (keys.fromAddress, smtp.fromAddress), (keys.fromName, smtp.fromName),
            (keys.maxAttempts, String(settings.maxAttempts)),
        ]
        try database.write { connection in
            var changed: [String] = []
            for (key, value) in values {
                let current = try connection.queryOne("SELECT value FROM settings WHERE key = ?", [.text(key)])?["value"].string
                guard current != value else { continue }
                changed.append(key)
                try connection.execute("""
                    INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, [.text(key), .text(value)])
            }
            if !changed.isEmpty {
                try audit.append(connection, actor: actor, action: .update, subjectType: "settings", subjectID: "mail",
                                 detail: "changed " + changed.joined(separator: ", "))
            }
        }
    }
}
