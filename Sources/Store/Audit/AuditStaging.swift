import Database
import Domain
import Foundation
import Synchronization

/// A small SQLite file beside the main one where standalone audit entries (page views, refusals, exports)
/// are committed as they happen, to be added to the chain in the main file in batches (`AuditTrail.moveStaged`,
/// every second under `mappa serve`).
///
/// Why: SQLite empties every reader's page cache when a read transaction begins after any commit to the file
/// (pager.c, `pagerBeginReadTransaction`). Committing each group of views to the main file did that about two
/// hundred times a second under load, so the search page read its index pages from the file again every few
/// requests. Committed here, a view is on record (durable, before the page is served) without touching the
/// main file; the chain is still one, in the main file, and every reader of it (`recent`, `count`, `verify`)
/// chains what is waiting first.
public final class AuditStaging: Sendable {
    let database: SQLiteDatabase
    /// Made when the file is created, and recorded in the chain head with each move: a staging file made afresh
    /// (its ids starting again at 1) is never mistaken for the one already moved through.
    public let identity: String

    /// The staging file for the SQLite database at `databasePath`.
    public static func path(besides databasePath: String) -> String { databasePath + "-audit-staging" }

    /// Opens (creating it if need be) the staging file for the SQLite database at `databasePath`.
    public init(besides databasePath: String) throws {
        database = try SQLiteDatabase(path: Self.path(besides: databasePath), readers: 1)
        identity = try database.write { connection in
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS staging_identity (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    identity TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS staged_entries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    occurred_at_ms INTEGER NOT NULL,
                    actor_user_id INTEGER,
                    actor_username TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject_type TEXT NOT NULL,
                    subject_id TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    client_address TEXT NOT NULL
                );
                """)
            if let row = try connection.queryOne("SELECT identity FROM staging_identity WHERE id = 1") {
                return try row.value("identity")
            }
            let identity = UUID().uuidString.lowercased()
            try connection.execute("INSERT INTO staging_identity (id, identity) VALUES (1, ?)", [.text(identity)])
            return identity
        }
    }

    /// The staging file beside `database` when there is one (for commands that read or check the chain,
    /// which must chain what a server left waiting), without creating it.
    public static func existing(besides database: Database) throws -> AuditStaging? {
        guard let sqlite = database as? SQLiteDatabase,
              FileManager.default.fileExists(atPath: path(besides: sqlite.path)) else { return nil }
        return try AuditStaging(besides: sqlite.path)
    }

    /// The staging file for `database` when it is a SQLite file; PostgreSQL has no page cache to spare, so
    /// entries are chained as they come.
    public static func forDatabase(_ database: Database) throws -> AuditStaging? {
        guard let sqlite = database as? SQLiteDatabase else { return nil }
        return try AuditStaging(besides: sqlite.path)
    }

    /// Commits `entries` in one transaction.
    func stage(_ entries: [AuditTrail.Pending]) throws {
        try database.write { connection in
            for entry in entries {
                try connection.execute("""
                    INSERT INTO staged_entries (occurred_at_ms, actor_user_id, actor_username, action, subject_type,
                                                subject_id, detail, client_address)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.integer(AuditTrail.milliseconds(entry.occurredAt ?? Date())), .init(entry.actor.userID),
                          .text(entry.actor.username), .text(entry.action.rawValue), .text(entry.subjectType),
                          .text(entry.subjectID), .text(entry.detail), .text(entry.actor.clientAddress)])
            }
        }
    }

    /// The oldest `limit` entries waiting, in the order they were staged.
    func oldest(limit: Int) throws -> [(id: Int64, pending: AuditTrail.Pending)] {
        try database.read { connection in
            try connection.query(StagedEntry.self, "SELECT \(StagedEntry.columns) FROM staged_entries ORDER BY id LIMIT ?",
                                 [.integer(Int64(limit))]).map { ($0.id, $0.pending) }
        }
    }

    /// Removes the entries up to `id`, once they are chained.
    func discard(through id: Int64) throws {
        try database.write { try $0.execute("DELETE FROM staged_entries WHERE id <= ?", [.integer(id)]) }
    }

    /// How many entries are waiting.
    public func waiting() throws -> Int {
        try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM staged_entries")?.value("n") ?? 0 }
    }
}

/// Chains staged audit entries every `interval` seconds in the background of `mappa serve`, and once more
/// when stopped, so a server that stops cleanly leaves nothing waiting; then writes a signed checkpoint when the
/// chain has moved (`AuditTrail.writeCheckpoint`, with a key file). Checkpoints are written here, after commits and
/// off the request path, rather than in each append: an append stays one HMAC more than before, and a checkpoint
/// that cannot be written never fails or loses an entry.
public final class AuditStagingMover: Sendable {
    let audit: AuditTrail
    let interval: TimeInterval
    private let stopping = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Signalled by `stop()`, so a stop does not wait out the interval.
    private let wake = DispatchSemaphore(value: 0)

    public init(audit: AuditTrail, interval: TimeInterval = 1) {
        self.audit = audit
        self.interval = interval
    }

    public func start() {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                moveReportingErrors()
                _ = wake.wait(timeout: .now() + interval)
            }
            moveReportingErrors()
            finished.signal()
        }
        thread.name = "audit-staging"
        thread.start()
    }

    /// Stops the thread after a last move, and waits for it.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wake.signal()
        if started.load(ordering: .acquiring) { finished.wait() }
    }

    private func moveReportingErrors() {
        do {
            try audit.moveStaged()
        } catch {
            // The entries stay staged, and are chained at the next try (or by the next reader of the trail).
            let code = (error as? DatabaseError).map { "database_\($0.code.rawValue)" } ?? "internal"
            FileHandle.standardError.write(Data("{\"level\":\"error\",\"component\":\"audit_staging\",\"code\":\"\(code)\"}\n".utf8))
        }
        audit.writeCheckpoint()
    }
}

/// An entry waiting in the staging file.
struct StagedEntry: RowDecodable {
    let id: Int64
    let pending: AuditTrail.Pending

    static let columns = "id, occurred_at_ms, actor_user_id, actor_username, action, subject_type, subject_id, detail, client_address"

    init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        let occurred = Date(timeIntervalSince1970: TimeInterval(try row.decode("occurred_at_ms", as: Int64.self)) / 1000)
        let userID: Int64? = try row.decodeIfPresent("actor_user_id")
        let username: String = try row.decode("actor_username")
        let action: AuditAction = try row.decode("action")
        let subjectType: String = try row.decode("subject_type")
        let subjectID: String = try row.decode("subject_id")
        let detail: String = try row.decode("detail")
        let address: String = try row.decode("client_address")
        pending = AuditTrail.Pending(actor: Actor(userID: userID, username: username, clientAddress: address), action: action,
                                     subjectType: subjectType, subjectID: subjectID, detail: detail, occurredAt: occurred)
    }
}
