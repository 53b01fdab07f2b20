import Crypto
import Database
import Domain
import Foundation
import Synchronization

/// Who did something and from where, for the audit trail.
public struct Actor: Sendable, Equatable {
    public var userID: Int64?
    public var username: String
    public var clientAddress: String
    public init(userID: Int64?, username: String, clientAddress: String) {
        self.userID = userID
        self.username = username
        self.clientAddress = clientAddress
    }
    /// Changes made from the command line by the operator of the machine.
    public static let commandLine = Actor(userID: nil, username: "(command line)", clientAddress: "local")
}

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

    /// `staging`: see `AuditStaging` (`mappa serve` on SQLite uses one; nil chains every entry at once).
    public convenience init(database: Database, clock: Clock = .system, staging: AuditStaging? = nil) {
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
            throw StoreError("audit_missing_head", "The audit trail is not initialised")
        }
        var sequence = head.int64("last_sequence")
        var previousHash = head.string("last_hash")
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

    static func entry(_ row: Row) -> AuditEntry {
        AuditEntry(sequence: row.int64("sequence"),
                   occurredAt: Date(timeIntervalSince1970: TimeInterval(row.int64("occurred_at_ms")) / 1000),
                   actorUserID: row["actor_user_id"].int64, actorUsername: row.string("actor_username"),
                   action: AuditAction(rawValue: row.string("action")) ?? .view,
                   subjectType: row.string("subject_type"), subjectID: row.string("subject_id"),
                   detail: row.string("detail"), clientAddress: row.string("client_address"),
                   previousHash: row.string("previous_hash"), hash: row.string("hash"))
    }

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
                        throw StoreError("audit_missing_head", "The audit trail is not initialised")
                    }
                    let alreadyChained = head.string("staged_file") == staging.identity ? head.int64("staged_through") : 0
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
        try moveStaged()
        var sql = "SELECT * FROM audit_log"
        var parameters: [SQLValue] = []
        if let subjectType {
            sql += " WHERE subject_type = ?"
            parameters.append(.text(subjectType))
            if let subjectID {
                sql += " AND subject_id = ?"
                parameters.append(.text(subjectID))
            }
        }
        sql += " ORDER BY sequence DESC LIMIT ? OFFSET ?"
        parameters += [.integer(Int64(limit)), .integer(Int64(offset))]
        return try database.read { try $0.query(sql, parameters).map(Self.entry) }
    }

    public func count() throws -> Int {
        try moveStaged()
        return try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM audit_log")?["n"].int ?? 0 }
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
                try connection.query("SELECT * FROM audit_log WHERE sequence >= ? ORDER BY sequence LIMIT ?",
                                     [.integer(nextSequence), .integer(Int64(pageSize))]).map(Self.entry)
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
        if head.int64("last_sequence") != nextSequence - 1 || head.string("last_hash") != previousHash {
            return .broken(sequence: nextSequence,
                           reason: "the chain ends at entry \(nextSequence - 1) but the head records entry \(head.int64("last_sequence"))")
        }
        return .intact(entries: Int(nextSequence - 1))
    }
}

/// Group commit for standalone audit entries: a caller queues its entry and waits; whoever finds no commit in
/// progress takes every queued entry and commits them in one transaction, then wakes the callers it committed
/// for and hands the next commit to the first caller still waiting. Under load a commit carries the entries that
/// arrived since the previous one began, and commits are spaced (`spacing`); alone, an entry commits at once.
/// Nobody returns before their own entry is committed, so a served page is always on the trail. Each caller is
/// woken once, by name: waking them all at every commit (a broadcast) sent most back to sleep, two context
/// switches each for nothing.
/// Call it outside any write transaction of the same database (a nested write is refused anyway).
final class AuditGroupCommit: @unchecked Sendable {
    /// One entry waiting to be committed. `done` and `error` are set by the committing thread before it signals
    /// `wake`, which orders those writes before the waiter's reads.
    final class Entry: @unchecked Sendable {
        let pending: AuditTrail.Pending
        var done = false
        var error: (any Error)?
        /// Signalled once: when the entry is committed (or failed), or when its caller is to commit next.
        let wake = DispatchSemaphore(value: 0)

        init(_ pending: AuditTrail.Pending) { self.pending = pending }
    }

    /// The most entries in one transaction, so one commit stays short.
    static let maximumBatch = 256
    // `queue` and `committing` are only touched with `lock` held: the safety argument for @unchecked.
    private let lock = NSLock()
    private var queue: [Entry] = []
    private var committing = false
    /// When the last commit started (DispatchTime nanoseconds) and how many entries it carried.
    private var lastCommitStarted: UInt64 = 0
    private var lastBatchSize = 0
    /// Under load, commits start at most this often (nanoseconds); see `commit`.
    let spacing: UInt64

    /// How long after one commit the next may start while entries arrive together.
    static let defaultSpacing: Duration = .milliseconds(5)

    init(spacing: Duration) {
        let (seconds, attoseconds) = spacing.components
        self.spacing = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// Queues `entry` and returns once it is committed (or throws why it was not). `write` commits a batch in
    /// one transaction; when a batch fails, its entries are retried one by one so that one bad entry (a value
    /// the database refuses, say) fails only its own caller.
    func commit(_ entry: Entry, _ write: ([Entry]) throws -> Void) throws {
        lock.lock()
        queue.append(entry)
        if committing {
            lock.unlock()
            entry.wake.wait()
            if entry.done {
                if let error = entry.error { throw error }
                return
            }
            // Not done, so handed the next commit: `committing` stayed true for this caller.
            lock.lock()
        }
        committing = true
        // While requests arrive together (the last commit carried more than one entry), the next commit waits
        // until `spacing` after the last one began, gathering the entries that arrive meanwhile. Every commit
        // makes SQLite's readers drop their page caches; one per request (about four entries each, at 5,000 page
        // views a second) had the search page reading its pages from the file again on nearly every request.
        // A lone entry, or the first after a quiet spell, is committed at once.
        let now = DispatchTime.now().uptimeNanoseconds
        if lastBatchSize > 1, now - lastCommitStarted < spacing {
            lock.unlock()
            usleep(useconds_t((spacing - (now - lastCommitStarted)) / 1000))
            lock.lock()
        }
        lastCommitStarted = DispatchTime.now().uptimeNanoseconds
        let batch = Array(queue.prefix(Self.maximumBatch))
        lastBatchSize = batch.count
        queue.removeFirst(batch.count)
        lock.unlock()
        Self.commit(batch, write)
        lock.lock()
        let next = queue.first
        if next == nil { committing = false }
        lock.unlock()
        for waiting in batch where waiting !== entry { waiting.wake.signal() }
        next?.wake.signal()
        if let error = entry.error { throw error }
    }

    private static func commit(_ batch: [Entry], _ write: ([Entry]) throws -> Void) {
        do {
            try write(batch)
        } catch {
            guard batch.count > 1 else {
                batch[0].error = error
                batch[0].done = true
                return
            }
            for entry in batch {
                do { try write([entry]) } catch let single { entry.error = single }
            }
        }
        for entry in batch { entry.done = true }
    }
}
