import Crypto
import Database
import Domain
import Foundation
import Synchronization

/// The append-only, hash-chained audit trail. Each entry's hash covers its contents and the previous entry's
/// hash, and `audit_head` holds the last link, so editing, deleting or truncating entries is detected by
/// `verify()`. Appends take the head row's lock, so concurrent appends (also across app instances on
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

    /// `staging`: see `AuditStaging` (`mappa serve` on SQLite uses one; nil chains every entry at once). Made once, by
    /// `StoreContext`.
    convenience init(database: Database, clock: Clock = .system, staging: AuditStaging? = nil) {
        self.init(database: database, clock: clock, commitSpacing: AuditGroupCommit.defaultSpacing, staging: staging)
    }

    /// `commitSpacing`: see `AuditGroupCommit` (tests set it to see its effect plainly).
    init(database: Database, clock: Clock = .system, commitSpacing: Duration, staging: AuditStaging? = nil) {
        self.database = database
        self.clock = clock
        self.staging = staging
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
        guard let head = try connection.queryOne("SELECT last_sequence, last_hash FROM audit_head WHERE id = 1") else {
            throw DomainError(.unavailable, code: "audit_missing_head", "The audit trail is not initialised")
        }
        var sequence: Int64 = try head.value("last_sequence")
        var previousHash: String = try head.value("last_hash")
        for pending in entries {
            sequence += 1
            var entry = AuditEntry(sequence: sequence, occurredAt: pending.occurredAt ?? clock.now(), actorUserID: pending.actor.userID,
                                   actorUsername: pending.actor.username, action: pending.action,
                                   subjectType: pending.subjectType, subjectID: pending.subjectID, detail: pending.detail,
                                   clientAddress: pending.actor.clientAddress, previousHash: previousHash)
            entry.hash = Self.hasher(entry.canonicalText)
            try connection.execute("""
                INSERT INTO audit_log (sequence, occurred_at_ms, actor_user_id, actor_username, action, subject_type,
                                       subject_id, detail, client_address, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(entry.sequence), .integer(Self.milliseconds(entry.occurredAt)), .init(entry.actorUserID),
                      .text(entry.actorUsername), .text(entry.action.rawValue), .text(entry.subjectType),
                      .text(entry.subjectID), .text(entry.detail), .text(entry.clientAddress), .text(entry.previousHash),
                      .text(entry.hash)])
            previousHash = entry.hash
        }
        if let staged {
            try connection.execute("UPDATE audit_head SET last_sequence = ?, last_hash = ?, staged_file = ?, staged_through = ? WHERE id = 1",
                                   [.integer(sequence), .text(previousHash), .text(staged.file), .integer(staged.through)])
        } else {
            try connection.execute("UPDATE audit_head SET last_sequence = ?, last_hash = ? WHERE id = 1",
                                   [.integer(sequence), .text(previousHash)])
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

    public func count() throws -> Int {
        try moveStaged()
        return try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM audit_log")?.value("n") ?? 0 }
    }

    /// Walks the whole chain in pages and reports the first broken link, including entries removed from the
    /// end (the head says how long the chain should be).
    public func verify(pageSize: Int = 5000) throws -> AuditChainVerifier.Outcome {
        try moveStaged()
        let verifier = AuditChainVerifier(hash: Self.hasher)
        var previousHash = AuditEntry.genesisHash
        var nextSequence: Int64 = 1
        while true {
            let page = try database.read { connection in
                try connection.query(AuditEntry.self, "SELECT \(AuditEntry.columns) FROM audit_log WHERE sequence >= ? ORDER BY sequence LIMIT ?",
                                     [.integer(nextSequence), .integer(Int64(pageSize))])
            }
            if page.isEmpty { break }
            let result = verifier.verify(page, previousHash: previousHash, expectedSequence: nextSequence)
            if case .broken = result.outcome { return result.outcome }
            previousHash = result.lastHash
            nextSequence = result.nextSequence
        }
        guard let head = try database.read({ try $0.queryOne("SELECT last_sequence, last_hash FROM audit_head WHERE id = 1") }) else {
            return .broken(sequence: 0, reason: "the chain head is missing")
        }
        let lastSequence: Int64 = try head.value("last_sequence")
        let lastHash: String = try head.value("last_hash")
        if lastSequence != nextSequence - 1 || lastHash != previousHash {
            return .broken(sequence: nextSequence,
                           reason: "the chain ends at entry \(nextSequence - 1) but the head records entry \(lastSequence)")
        }
        return .intact(entries: Int(nextSequence - 1))
    }
}

extension AuditEntry: RowDecodable {
    public static let columns = """
        sequence, occurred_at_ms, actor_user_id, actor_username, action, subject_type, subject_id, detail, client_address,
        previous_hash, hash
        """

    /// An action this version does not know is an error, never read as another (which would also break the chain).
    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(sequence: try row.decode("sequence"),
                  occurredAt: Date(timeIntervalSince1970: TimeInterval(try row.decode("occurred_at_ms", as: Int64.self)) / 1000),
                  actorUserID: try row.decodeIfPresent("actor_user_id"), actorUsername: try row.decode("actor_username"),
                  action: try row.decode("action"), subjectType: try row.decode("subject_type"), subjectID: try row.decode("subject_id"),
                  detail: try row.decode("detail"), clientAddress: try row.decode("client_address"),
                  previousHash: try row.decode("previous_hash"), hash: try row.decode("hash"))
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
