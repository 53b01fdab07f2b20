import CSQLite
import Foundation
import Synchronization

/// The embedded database: one writer connection (SQLite allows one writer at a time anyway) and a pool of
/// read-only connections that, in WAL mode, read a consistent snapshot while a write is in progress.
/// https://www.sqlite.org/wal.html
public final class SQLiteDatabase: Database, @unchecked Sendable {
    public var dialect: SQLDialect { .sqlite }
    public let path: String
    // The writer is only touched inside `writerLock`; readers only through the pool. That is the safety
    // argument for @unchecked Sendable.
    private let writer: SQLiteConnection
    private let writerLock = NSLock()
    /// The thread inside `write` (pthread_t, 0 when none). An atomic, not a lock: every read checks it, and a
    /// contended lock here was 11% of the server's CPU under load (spinning in Mutex._lockSlow). Only the writer
    /// thread stores its own id, so a reader comparing against itself cannot be confused by a race.
    private let writerThread = Atomic<UInt>(0)
    /// The log length at which the next commit checkpoints; only touched inside `writerLock`.
    private var checkpointAtFrames = SQLiteDatabase.checkpointFrames
    /// SQLite's own automatic checkpoint threshold, kept.
    static let checkpointFrames: Int32 = 1000
    private let readers: ConnectionPool<SQLiteConnection>
    /// Writes that found the writer busy and waited for it (`poolStatistics`).
    private let writerCounters = PoolCounters(name: "sqlite_writer", size: 1)

    /// The reader a thread holds inside `snapshot`, and which database it belongs to. The connection is taken at
    /// the first read and given back while the thread waits for something else (`renewSnapshot`), so a thread
    /// waiting for its audit entry's commit does not keep a reader from the requests behind it.
    private final class HeldReader {
        let database: ObjectIdentifier
        var connection: SQLiteConnection?
        /// Reads in progress on `connection` (nested reads): it is not given back while one is.
        var depth = 0
        init(database: ObjectIdentifier) {
            self.database = database
        }
    }
    /// One thread-specific slot for every SQLiteDatabase in the process (pthread keys are few, 1,024, and a
    /// test suite opens thousands of databases), holding the thread's `HeldReader` unretained: the frame of
    /// `snapshot` that set it owns it and clears the slot before it returns.
    /// https://man7.org/linux/man-pages/man3/pthread_getspecific.3p.html
    private static let heldReaderKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    public init(path: String, readers readerCount: Int = 4) throws(DatabaseError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        writer = try SQLiteConnection(path: path, readOnly: false)
        var pool: [SQLiteConnection] = []
        for _ in 0..<max(1, readerCount) { pool.append(try SQLiteConnection(path: path, readOnly: true)) }
        readers = ConnectionPool(pool, name: "sqlite_readers")
    }

    public var isInsideWrite: Bool { isWriterThread }

    private var isWriterThread: Bool { writerThread.load(ordering: .acquiring) == UInt(pthread_self()) }

    /// This thread's snapshot on this database, if it is inside `snapshot`.
    private var heldReader: HeldReader? {
        guard let raw = pthread_getspecific(Self.heldReaderKey) else { return nil }
        let held = Unmanaged<HeldReader>.fromOpaque(raw).takeUnretainedValue()
        return held.database == ObjectIdentifier(self) ? held : nil
    }

    @discardableResult
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        // A read inside a write on the same thread must see the uncommitted write: use the writer.
        if isWriterThread {
            return try body(writer)
        }
        if let held = heldReader {
            let connection: SQLiteConnection
            if let current = held.connection {
                connection = current
            } else {
                connection = readers.acquire()
                do {
                    try connection.execute("BEGIN", [])
                } catch {
                    readers.release(connection)
                    throw error
                }
                held.connection = connection
            }
            held.depth += 1
            defer { held.depth -= 1 }
            return try body(connection)
        }
        return try readers.withConnection { try body($0) }
    }

    /// Holds one reader for `body` with a read transaction open on it, from its first read. Without it every
    /// query was a read transaction of its own, and since SQLite empties a connection's page cache when a
    /// transaction begins after another connection committed (the audit trail commits all the time under
    /// load), a page's dozen queries each read their pages again with pread, and each took the pool's lock.
    /// https://www.sqlite.org/lang_transaction.html
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        if isWriterThread || heldReader != nil { return try body() }
        let held = HeldReader(database: ObjectIdentifier(self))
        let outer = pthread_getspecific(Self.heldReaderKey)
        pthread_setspecific(Self.heldReaderKey, Unmanaged.passUnretained(held).toOpaque())
        defer {
            pthread_setspecific(Self.heldReaderKey, outer)
            giveBack(held)
        }
        return try withExtendedLifetime(held) { try body() }
    }

    /// Ends this thread's read transaction (if it is inside `snapshot`, and not in the middle of a read) and gives
    /// its reader back to the pool: the next read takes a reader and a snapshot anew.
    public func renewSnapshot() throws {
        guard let held = heldReader, held.depth == 0 else { return }
        giveBack(held)
    }

    private func giveBack(_ held: HeldReader) {
        guard let connection = held.connection else { return }
        held.connection = nil
        Self.endRead(connection)
        readers.release(connection)
    }

    /// Ends a reader's transaction; a read transaction has nothing to lose, so when COMMIT fails (a statement
    /// still stepping after an error) ROLLBACK ends it.
    private static func endRead(_ connection: SQLiteConnection) {
        if (try? connection.execute("COMMIT", [])) == nil { try? connection.executeScript("ROLLBACK") }
    }

    @discardableResult
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        if isWriterThread {
            throw DatabaseError(.unsupported, "nested write transactions are not supported")
        }
        // A snapshot this thread holds is let go first: while it waited for the writer it would hold back the
        // checkpoint (see `checkpointIfDue`), and its next read, after this write, starts anew and sees it.
        try renewSnapshot()
        writerCounters.acquired()
        if !writerLock.try() {
            let started = DispatchTime.now().uptimeNanoseconds
            writerLock.lock()
            writerCounters.waited(since: started)
        }
        writerThread.store(UInt(pthread_self()), ordering: .releasing)
        defer {
            writerThread.store(0, ordering: .releasing)
            writerLock.unlock()
        }
        try writer.execute("BEGIN IMMEDIATE", [])
        let result: T
        do {
            result = try body(writer)
            try writer.execute("COMMIT", [])
        } catch {
            try? writer.executeScript("ROLLBACK")
            throw error
        }
        checkpointIfDue()
        return result
    }

    /// SQLite's automatic checkpoint is PASSIVE: it copies the log only up to the oldest snapshot a reader still
    /// holds and never waits. Under steady load some reader always holds one, so the log was never written from
    /// the start again: it grew by hundreds of megabytes in a minute and every page read searched a longer log
    /// index ("checkpoint starvation", https://www.sqlite.org/wal.html#avoiding_excessively_large_wal_files).
    /// So once the log passes the threshold a commit waits briefly for the readers of the moment (requests take
    /// milliseconds) and restarts it; when a long reader (a report) outlasts the wait, the next try comes after
    /// another threshold's worth of frames, so writers are not held up commit after commit. Inside `writerLock`.
    private func checkpointIfDue() {
        let frames = writer.walFrames
        guard frames >= checkpointAtFrames else { return }
        checkpointAtFrames = writer.checkpointRestart(waitingAtMost: 100) ? Self.checkpointFrames : frames + Self.checkpointFrames
    }

    public func ping() -> Bool {
        (try? read { try $0.queryOne("SELECT 1 AS ok")?["ok"].int }) == 1
    }

    public var poolStatistics: [PoolStatistics] { [readers.counters.statistics, writerCounters.statistics] }

    /// Copies the live database to `destination` with the online backup API, consistent even while the
    /// server is writing. https://www.sqlite.org/backup.html
    public func backup(to destination: String) throws {
        writerLock.lock()
        defer { writerLock.unlock() }
        try? FileManager.default.removeItem(atPath: destination)
        let target = try SQLiteConnection(path: destination, readOnly: false)
        guard let backup = sqlite3_backup_init(target.handle, "main", writer.handle, "main") else {
            throw DatabaseError(.step, "backup could not start: \(target.lastError)")
        }
        let status = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        guard status == SQLITE_DONE else { throw DatabaseError(.step, "backup failed: \(target.lastError)") }
        try target.executeScript("PRAGMA journal_mode = DELETE;")
    }

    /// Replaces this database's contents with a backup file's, page by page through the backup API, inside
    /// the writer lock. Run it with the server stopped: other processes holding the file would see it change.
    public func restore(from source: String) throws {
        guard FileManager.default.fileExists(atPath: source) else {
            throw DatabaseError(.open, "the backup file does not exist")
        }
        writerLock.lock()
        defer { writerLock.unlock() }
        let backupFile = try SQLiteConnection(path: source, readOnly: true)
        guard try backupFile.queryOne("PRAGMA integrity_check")?[0].string == "ok" else {
            throw DatabaseError(.step, "the backup file is damaged; nothing was restored")
        }
        guard let backup = sqlite3_backup_init(writer.handle, "main", backupFile.handle, "main") else {
            throw DatabaseError(.step, "restore could not start: \(writer.lastError)")
        }
        let status = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        guard status == SQLITE_DONE else { throw DatabaseError(.step, "restore failed: \(writer.lastError)") }
    }

    /// PRAGMA integrity_check: true when SQLite finds the file sound.
    public func integrityCheck() throws -> Bool {
        try read { try $0.queryOne("PRAGMA integrity_check")?[0].string } == "ok"
    }
}
