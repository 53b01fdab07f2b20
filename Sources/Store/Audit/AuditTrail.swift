import Crypto
import Database
import Domain
import Foundation
import Synchronization

/// The append-only, hash-chained audit trail. Each entry's hash covers its contents and the previous entry's
/// hash, and `audit_head` holds the last link, so editing, deleting or truncating entries is detected by
/// `verify()`. With a key file (`AuditKeyring`), each hash is an HMAC-SHA-256 under a key kept outside the
/// database, and signed checkpoints of the chain's length and head go to a file outside it too
/// (`writeCheckpoint`): then someone who can write the database file can neither recompute the chain after an
/// edit nor cut its end off unnoticed. Appends take the head row's lock, so concurrent appends (also across app instances on
/// PostgreSQL) queue rather than fork the chain.
public final class AuditTrail: Sendable {
    let database: Database
    let clock: Clock
    private let groupCommit: AuditGroupCommit
    /// Where standalone entries wait to be chained, when they do (see `AuditStaging`); nil: they are chained
    /// as they are recorded.
    public let staging: AuditStaging?
    /// One move at a time in this process (across processes the chain head's mark keeps moves apart).
    private let moving = Mutex(())
    /// The keys new entries and checkpoints are keyed with; nil: plain SHA-256, as before the chain had a key.
    public let keys: AuditKeyring?
    /// Where signed checkpoints go (needs `keys`); nil: none are written.
    public let checkpoints: AuditCheckpointFile?
    /// The chain length of the last checkpoint this process wrote, so an idle chain adds no lines.
    private let lastCheckpoint = Mutex<Int64>(-1)

    /// `staging`: see `AuditStaging` (`mappa serve` on SQLite uses one; nil chains every entry at once). Made once, by
    /// `StoreContext`.
    convenience init(database: Database, clock: Clock = .system, staging: AuditStaging? = nil, keys: AuditKeyring? = nil,
                     checkpoints: AuditCheckpointFile? = nil) {
        self.init(database: database, clock: clock, commitSpacing: AuditGroupCommit.defaultSpacing, staging: staging, keys: keys,
                  checkpoints: checkpoints)
    }

    /// `commitSpacing`: see `AuditGroupCommit` (tests set it to see its effect plainly).
    init(database: Database, clock: Clock = .system, commitSpacing: Duration, staging: AuditStaging? = nil,
         keys: AuditKeyring? = nil, checkpoints: AuditCheckpointFile? = nil) {
        self.database = database
        self.clock = clock
        self.staging = staging
        self.keys = keys
        self.checkpoints = keys == nil ? nil : checkpoints
        groupCommit = AuditGroupCommit(spacing: commitSpacing)
    }

    static let hasher: @Sendable (String) -> String = { Crypto.sha256Hex($0) }

    /// Appends inside the caller's transaction, so the audit entry and the change it records commit together.
    public func append(_ connection: Connection, actor: Actor, action: AuditAction, subjectType: String,
                       subjectID: String, detail: String = "") throws {
        try append(connection, [Pending(actor: actor, action: action, subjectType: subjectType, subjectID: subjectID,
                                        detail: detail)])
    }

    /// An entry not yet on the trail: what happened, by whom, to what, and when (nil: as it is appended).
    struct Pending {
        let actor: Actor
        let action: AuditAction
        let subjectType: String
        let subjectID: String
        let detail: String
        var occurredAt: Date? = nil
    }

    /// Appends `entries` in order inside the caller's transaction. The head is locked, read and moved once for
    /// them all: a group commit of 25 views was 100 statements, and is now 28. `staged`: the entries come from
    /// that staging file, through that id; the head records it in the same transaction (see `moveStaged`).
    func append(_ connection: Connection, _ entries: [Pending], staged: (file: String, through: Int64)? = nil) throws {
        guard !entries.isEmpty || staged != nil else { return }
        // Taking the row lock first (UPDATE) serialises appenders on PostgreSQL; SQLite has one writer anyway.
        try connection.execute("UPDATE audit_head SET last_sequence = last_sequence WHERE id = 1")
        // Every column, so that a schema from before the key ids (migration 28; the migration tests run today's stores
        // on older schemas) still takes plain entries.
        guard let head = try connection.queryOne("SELECT * FROM audit_head WHERE id = 1") else {
            throw DomainError(.unavailable, code: "audit_missing_head", "The audit trail is not initialised")
        }
        var sequence: Int64 = try head.value("last_sequence")
        var previousHash: String = try head.value("last_hash")
        let keyColumns = head.columns.contains("last_key_id")
        if keys != nil, !keyColumns {
            throw DomainError(.unavailable, code: "audit_schema_old", "The database schema is too old for a keyed audit trail: run mappa migrate")
        }
        // Once keyed, a plain entry would read as a rewrite: a process without the key file must not add one.
        if keys == nil, keyColumns, try !head.value("last_key_id", as: String.self).isEmpty {
            throw DomainError(.unavailable, code: "audit_key_missing",
                              "The audit trail is keyed: give its key file (beside a SQLite database as <database>.audit-key, "
                              + "or \(AuditKeyFile.environmentVariable), or mappa serve --audit-key PATH)")
        }
        for pending in entries {
            sequence += 1
            var entry = AuditEntry(sequence: sequence, occurredAt: pending.occurredAt ?? clock.now(), actorUserID: pending.actor.userID,
                                   actorUsername: pending.actor.username, action: pending.action,
                                   subjectType: pending.subjectType, subjectID: pending.subjectID, detail: pending.detail,
                                   clientAddress: pending.actor.clientAddress, previousHash: previousHash,
                                   keyID: keys?.current.id ?? "")
            entry.hash = keys.map { Crypto.hmacSHA256Hex(key: $0.current.bytes, entry.canonicalText) } ?? Self.hasher(entry.canonicalText)
            try connection.execute("""
                INSERT INTO audit_log (sequence, occurred_at_ms, actor_user_id, actor_username, action, subject_type,
                                       subject_id, detail, client_address, previous_hash, hash\(keyColumns ? ", key_id" : ""))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?\(keyColumns ? ", ?" : ""))
                """, [.integer(entry.sequence), .integer(Self.milliseconds(entry.occurredAt)), .init(entry.actorUserID),
                      .text(entry.actorUsername), .text(entry.action.rawValue), .text(entry.subjectType),
                      .text(entry.subjectID), .text(entry.detail), .text(entry.clientAddress), .text(entry.previousHash),
                      .text(entry.hash)] + (keyColumns ? [.text(entry.keyID)] : []))
            previousHash = entry.hash
        }
        let keyID: [SQLValue] = keyColumns ? [.text(keys?.current.id ?? "")] : []
        let setKey = keyColumns ? ", last_key_id = ?" : ""
        if let staged {
            try connection.execute("UPDATE audit_head SET last_sequence = ?, last_hash = ?\(setKey), staged_file = ?, staged_through = ? WHERE id = 1",
                                   [.integer(sequence), .text(previousHash)] + keyID + [.text(staged.file), .integer(staged.through)])
        } else {
            try connection.execute("UPDATE audit_head SET last_sequence = ?, last_hash = ?\(setKey) WHERE id = 1",
                                   [.integer(sequence), .text(previousHash)] + keyID)
        }
    }

    /// Appends in a transaction of its own (views, refusals, failed logins: nothing else to commit), and returns
    /// only once the entry is committed. Entries arriving together are committed together (see
    /// `AuditGroupCommit`): one write per view made every page view a write transaction, which serialised the
    /// server on the writer and, on SQLite, emptied every reader's page cache at each commit.
    /// With `staging`, the entry is committed to the staging file instead, and chained by `moveStaged` soon after.
    public func record(actor: Actor, action: AuditAction, subjectType: String, subjectID: String,
                       detail: String = "") throws {
        var pending = Pending(actor: actor, action: action, subjectType: subjectType, subjectID: subjectID, detail: detail)
        // Inside a write this thread holds the writer: waiting on a group whose commit needs it would never end.
        // Commit alone instead, which the database refuses as a nested write, as it always has.
        if database.isInsideWrite { return try database.write { try self.append($0, [pending]) } }
        if staging != nil { pending.occurredAt = clock.now() }
        // While it waits, this thread's snapshot, if it holds one, is let go: its reader serves the requests behind
        // it (held, 64 waiting requests emptied the pool), and what it reads next (the trail's own page, say)
        // includes the entry.
        try database.renewSnapshot()
        try groupCommit.commit(AuditGroupCommit.Entry(pending)) { batch in
            if let staging {
                try staging.stage(batch.map(\.pending))
            } else {
                try self.database.write { try self.append($0, batch.map(\.pending)) }
            }
        }
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// Chains the entries waiting in `staging`, oldest first, a batch per transaction, and returns how many.
    /// Each batch's transaction also records in the chain head how far through which staging file it has come,
    /// and the staged rows are removed only after it commits: so a crash between the two, or a move by another
    /// process at the same time, never chains an entry twice or loses one.
    @discardableResult
    public func moveStaged(batchSize: Int = 2000) throws -> Int {
        guard let staging else { return 0 }
        return try moving.withLock { _ in
            var moved = 0
            while true {
                let batch = try staging.oldest(limit: batchSize)
                guard let last = batch.last else { break }
                moved += try database.write { connection in
                    guard let head = try connection.queryOne("SELECT staged_file, staged_through FROM audit_head WHERE id = 1") else {
                        throw DomainError(.unavailable, code: "audit_missing_head", "The audit trail is not initialised")
                    }
                    let alreadyChained: Int64 = try head.value("staged_file", as: String.self) == staging.identity ? try head.value("staged_through") : 0
                    let fresh = batch.filter { $0.id > alreadyChained }.map(\.pending)
                    try append(connection, fresh, staged: (staging.identity, max(last.id, alreadyChained)))
                    return fresh.count
                }
                try staging.discard(through: last.id)
                if batch.count < batchSize { break }
            }
            return moved
        }
    }

    /// The newest entries first, for the auditor's page (staged entries are chained first, so none is missing).
    public func recent(limit: Int = 50, offset: Int = 0, subjectType: String? = nil,
                       subjectID: String? = nil) throws -> [AuditEntry] {
        try entries(matching: AuditQuery(subjectType: subjectType, subjectID: subjectID), limit: limit, offset: offset).entries
    }

    /// The entries `query` matches, newest first, a page of them and how many in all: the auditor's filters and a
    /// case's "who viewed or changed it".
    public func entries(matching query: AuditQuery, limit: Int, offset: Int = 0) throws -> (total: Int, entries: [AuditEntry]) {
        try moveStaged()
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        if let username = query.username { conditions.append("actor_username = ?"); parameters.append(.text(username)) }
        if let action = query.action { conditions.append("action = ?"); parameters.append(.text(action.rawValue)) }
        if let subjectType = query.subjectType { conditions.append("subject_type = ?"); parameters.append(.text(subjectType)) }
        if let subjectID = query.subjectID { conditions.append("subject_id = ?"); parameters.append(.text(subjectID)) }
        if let from = query.from {
            conditions.append("occurred_at_ms >= ?")
            parameters.append(.integer(Int64(from.daysSinceEpoch) * 86_400_000))
        }
        if let through = query.through {
            conditions.append("occurred_at_ms < ?")
            parameters.append(.integer(Int64(through.daysSinceEpoch + 1) * 86_400_000))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try database.read { connection in
            let total: Int = try connection.queryOne("SELECT COUNT(*) AS n FROM audit_log" + filter, parameters)?.value("n") ?? 0
            let entries = try connection.query(AuditEntry.self, "SELECT \(AuditEntry.columns) FROM audit_log" + filter
                                               + " ORDER BY sequence DESC LIMIT ? OFFSET ?",
                                               parameters + [.integer(Int64(limit)), .integer(Int64(offset))])
            return (total, entries)
        }
    }

    /// The id of the key the chain's newest entry was keyed with; nil while the chain is unkeyed.
    public func currentKeyID() throws -> String? {
        let id: String? = try database.read { try $0.queryOne("SELECT last_key_id FROM audit_head WHERE id = 1")?.value("last_key_id") }
        return id.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func count() throws -> Int {
        try moveStaged()
        return try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM audit_log")?.value("n") ?? 0 }
    }

    /// Walks the whole chain in pages and reports the first broken link, including entries removed from the
    /// end (the head says how long the chain should be). Keyed entries are checked with this trail's keys.
    public func verify(pageSize: Int = 5000) throws -> AuditChainVerifier.Outcome {
        try verification(keys: keys, pageSize: pageSize).outcome
    }

    /// Checks every entry's hash (keyed entries' MAC with `keys`) and link, then every checkpoint's MAC and that
    /// the chain still holds each checkpoint's count and head. The first problem, or how much was checked.
    public func verification(keys: AuditKeyring?, checkpoints: [AuditChainVerifier.NumberedCheckpoint]? = nil,
                             pageSize: Int = 5000) throws -> AuditVerification {
        try moveStaged()
        let mac = keys?.macFunction
        let verifier = AuditChainVerifier(hash: Self.hasher, mac: mac)
        let wanted = Set((checkpoints ?? []).map(\.checkpoint.count))
        var hashAfter: [Int64: String] = [:]
        var progress = AuditChainVerifier.Progress()
        func result(_ outcome: AuditChainVerifier.Outcome, checkpointsChecked: Int = 0) -> AuditVerification {
            AuditVerification(outcome: outcome, keyed: progress.keyed, plain: progress.plain, checkpoints: checkpointsChecked,
                              keyFileGiven: keys != nil)
        }
        while true {
            let page = try database.read { connection in
                try connection.query(AuditEntry.self, "SELECT \(AuditEntry.columns) FROM audit_log WHERE sequence >= ? ORDER BY sequence LIMIT ?",
                                     [.integer(progress.nextSequence), .integer(Int64(pageSize))])
            }
            if page.isEmpty { break }
            if let broken = verifier.verify(page, continuing: &progress) { return result(broken) }
            for entry in page where wanted.contains(entry.sequence) { hashAfter[entry.sequence] = entry.hash }
        }
        let length = progress.nextSequence - 1
        guard let head = try database.read({ try $0.queryOne("SELECT last_sequence, last_hash FROM audit_head WHERE id = 1") }) else {
            return result(.broken(sequence: 0, reason: "the chain head is missing"))
        }
        let lastSequence: Int64 = try head.value("last_sequence")
        let lastHash: String = try head.value("last_hash")
        if lastSequence != length || lastHash != progress.previousHash {
            return result(.broken(sequence: progress.nextSequence,
                                  reason: "the chain ends at entry \(length) but the head records entry \(lastSequence)"))
        }
        // A key file, and not one keyed entry: the keyed part was rewritten as plain from its very first entry.
        if let keys, length > 0, progress.keyed == 0 {
            return result(.broken(sequence: 1, reason: "no entry is keyed, yet the audit key file holds key \(keys.keys[0].id): "
                                  + "the keyed entries were rewritten by someone without the key"))
        }
        if let checkpoints {
            if let problem = AuditChainVerifier.checkCheckpoints(checkpoints, chainLength: length, hashAfter: hashAfter, mac: mac) {
                return result(.broken(sequence: length, reason: problem))
            }
        }
        return result(.intact(entries: Int(length)), checkpointsChecked: checkpoints?.count ?? 0)
    }

    /// Appends a signed checkpoint of the chain's committed length and head to the checkpoint file, unless it has
    /// not moved since the last one. Never throws: a failure is logged (without personal data) and the next call
    /// tries again; the entries themselves are committed already and nothing is lost.
    public func writeCheckpoint() {
        guard let keys, let checkpoints else { return }
        do {
            guard let head = try database.read({ try $0.queryOne("SELECT last_sequence, last_hash FROM audit_head WHERE id = 1") }) else { return }
            let count: Int64 = try head.value("last_sequence")
            try lastCheckpoint.withLock { last in
                guard count != last else { return }
                var checkpoint = AuditCheckpoint(at: clock.now(), count: count, head: try head.value("last_hash"), keyID: keys.current.id)
                checkpoint.mac = Crypto.hmacSHA256Hex(key: keys.current.bytes, checkpoint.canonicalText)
                try checkpoints.append(checkpoint)
                last = count
            }
        } catch {
            let code = (error as? DatabaseError).map { "database_\($0.code.rawValue)" } ?? "checkpoint_write"
            FileHandle.standardError.write(Data("{\"level\":\"error\",\"component\":\"audit_checkpoint\",\"code\":\"\(code)\"}\n".utf8))
        }
    }
}

/// What checking the audit chain found, and how much it checked.
public struct AuditVerification: Sendable, Equatable {
    public var outcome: AuditChainVerifier.Outcome
    /// Entries keyed with HMAC-SHA-256, and plain SHA-256 ones (from before the chain had a key).
    public var keyed: Int
    public var plain: Int
    /// Checkpoints whose MAC and (count, head) were checked.
    public var checkpoints: Int
    public var keyFileGiven: Bool
}

extension AuditEntry: RowDecodable {
    public static let columns = """
        sequence, occurred_at_ms, actor_user_id, actor_username, action, subject_type, subject_id, detail, client_address,
        previous_hash, hash, key_id
        """

    /// An action this version does not know is an error, never read as another (which would also break the chain).
    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(sequence: try row.decode("sequence"),
                  occurredAt: Date(timeIntervalSince1970: TimeInterval(try row.decode("occurred_at_ms", as: Int64.self)) / 1000),
                  actorUserID: try row.decodeIfPresent("actor_user_id"), actorUsername: try row.decode("actor_username"),
                  action: try row.decode("action"), subjectType: try row.decode("subject_type"), subjectID: try row.decode("subject_id"),
                  detail: try row.decode("detail"), clientAddress: try row.decode("client_address"),
                  previousHash: try row.decode("previous_hash"), hash: try row.decode("hash"), keyID: try row.decode("key_id"))
    }
}

/// Which audit entries to list; nil matches anything. Dates are whole days, UTC.
public struct AuditQuery: Sendable, Equatable {
    public var username: String?
    public var action: AuditAction?
    public var subjectType: String?
    public var subjectID: String?
    public var from: CalendarDate?
    public var through: CalendarDate?

    public init(username: String? = nil, action: AuditAction? = nil, subjectType: String? = nil, subjectID: String? = nil,
                from: CalendarDate? = nil, through: CalendarDate? = nil) {
        self.username = username
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.from = from
        self.through = through
    }
}
