import Database
import Domain
import Foundation

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
public final class Outbox: FeatureStore {
    let context: StoreContext
    public let policy: OutboxPolicy
    /// Who the audit trail names for deliveries.
    public static let workerActor = Actor(userID: nil, username: "(mail delivery)", clientAddress: "local")

    init(_ context: StoreContext, policy: OutboxPolicy = OutboxPolicy()) {
        self.context = context
        self.policy = policy
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    var nowSeconds: Int64 { Int64(clock.now().timeIntervalSince1970.rounded(.down)) }

    // MARK: queueing

    /// Queues `mail` inside the caller's transaction (`database.write { connection in … }`), so it is sent only if
    /// that transaction commits. Returns the outbox id. Throws `DomainError.validation` when the message has
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
            """, [.text(context.now), .text(purpose), .text(json), .text(recipients.joined(separator: ", ")),
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
            throw DomainError.validation(field: "mail", "The message's purpose must be a short label of letters, numbers and hyphens", code: "mail_invalid")
        }
        guard !mail.to.isEmpty else { throw DomainError.validation(field: "mail", "The message has no recipient", code: "mail_invalid") }
        var addresses = mail.to.map(\.address)
        if !mail.from.address.isEmpty { addresses.append(mail.from.address) }
        if let replyTo = mail.replyTo { addresses.append(replyTo.address) }
        if let event = mail.calendar { addresses += [event.organizer.address] + event.attendees.map(\.address) }
        guard addresses.allSatisfy(Mailbox.isPlausibleAddress) else {
            throw DomainError.validation(field: "mail", "An email address in the message is not valid", code: "mail_invalid")
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
                var reader = RowReader(row)
                let id: Int64 = try reader.decode("id")
                let attempt = try reader.decode("attempts", as: Int.self) + 1
                let purpose: String = try reader.decode("purpose")
                let createdAt = try reader.decodeTimestamp("created_at")
                let json: String = try reader.decode("mail_json")
                let meetingID: Int64? = try reader.decodeIfPresent("meeting_id")
                let caseID: Int64? = try reader.decodeIfPresent("case_id")
                try connection.execute("UPDATE outbox SET status = 'sending', attempts = ?, next_attempt_at = ? WHERE id = ?",
                                       [.integer(Int64(attempt)), .integer(now + Int64(policy.claimLease)), .integer(id)])
                guard let mail = try? JSONDecoder().decode(OutgoingMail.self, from: Data(json.utf8)) else {
                    // Unreadable (written by a newer version?): park it for an administrator rather than loop on it.
                    try connection.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?",
                                           [.text("The stored message could not be read"), .integer(id)])
                    continue
                }
                claimed.append(ClaimedMail(id: id, attempt: attempt, purpose: purpose, createdAt: createdAt, mail: mail,
                                           meetingID: meetingID, caseID: caseID))
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
                """, [.text(context.now), .integer(claimed.id), .integer(Int64(claimed.attempt))])
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

    /// Records on the audit trail that a message was queued outside any other change (a test message, say).
    public func recordQueued(_ id: Int64, detail: String, by actor: Actor) throws {
        try audit.record(actor: actor, action: .create, subjectType: "outbox", subjectID: String(id), detail: detail)
    }

    /// Puts a failed message back in the queue, due now, with a fresh set of attempts (after an administrator
    /// has fixed the settings, say). Only failed messages can be retried.
    public func retry(id: Int64, by actor: Actor) throws {
        try database.write { connection in
            guard let row = try connection.queryOne("SELECT status FROM outbox WHERE id = ?", [.integer(id)]) else {
                throw DomainError.notFound("The message")
            }
            let status: OutboxStatus = try row.value("status")
            guard status == .failed else {
                throw DomainError.conflict("mail_not_failed", "Only a message that has failed can be retried; this one is \(status.rawValue).")
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
            counts[try row.value("status", as: OutboxStatus.self)] = try row.value("n")
        }
        return counts
    }

    /// The newest messages first, optionally of one status.
    public func recent(limit: Int = 50, status: OutboxStatus? = nil) throws -> [OutboxEntry] {
        var sql = "SELECT \(OutboxEntry.columns) FROM outbox"
        var parameters: [SQLValue] = []
        if let status {
            sql += " WHERE status = ?"
            parameters.append(.text(status.rawValue))
        }
        sql += " ORDER BY id DESC LIMIT ?"
        parameters.append(.integer(Int64(limit)))
        return try database.read { try $0.query(OutboxEntry.self, sql, parameters) }
    }

    public func entry(id: Int64) throws -> OutboxEntry? {
        try database.read { try $0.queryOne(OutboxEntry.self, "SELECT \(OutboxEntry.columns) FROM outbox WHERE id = ?", [.integer(id)]) }
    }

    /// Every message queued for a meeting, oldest first (invitations, updates, cancellations), for its page.
    public func entries(meetingID: Int64) throws -> [OutboxEntry] {
        try database.read {
            try $0.query(OutboxEntry.self, "SELECT \(OutboxEntry.columns) FROM outbox WHERE meeting_id = ? ORDER BY id", [.integer(meetingID)])
        }
    }

    // MARK: settings

    static let settingKeys = (host: "smtp.host", port: "smtp.port", security: "smtp.security", username: "smtp.username",
                              fromAddress: "smtp.from_address", fromName: "smtp.from_name", maxAttempts: "outbox.max_attempts")

    static func maxAttempts(_ connection: Connection) throws -> Int? {
        guard let text: String = try connection.queryOne("SELECT value FROM settings WHERE key = ?", [.text(settingKeys.maxAttempts)])?.value("value") else {
            return nil
        }
        guard let number = Int(text) else { throw DatabaseError(.decode, "the outbox.max_attempts setting is not a number") }
        return number
    }

    /// The mail settings from the `settings` table, with the SMTP password taken from `MAPPA_SMTP_PASSWORD` in
    /// `environment` (it is never stored). Defaults where nothing is saved yet.
    public func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailSettings {
        let rows = try database.read { try $0.query("SELECT key, value FROM settings WHERE key LIKE 'smtp.%' OR key = ?",
                                                    [.text(Self.settingKeys.maxAttempts)]) }
        var values: [String: String] = [:]
        for row in rows { values[try row.value("key")] = try row.value("value") }
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

    /// Saves the settings after checking every field (throws `DomainError.validation` listing all
    /// problems). The password in `settings.smtp` is ignored: it is never stored. Audited with the names of the
    /// settings that changed, not their values.
    public func saveSettings(_ settings: MailSettings, by actor: Actor) throws {
        let problems = settings.problems()
        guard problems.isEmpty else { throw DomainError.validation(problems) }
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
                let current: String? = try connection.queryOne("SELECT value FROM settings WHERE key = ?", [.text(key)])?.value("value")
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
