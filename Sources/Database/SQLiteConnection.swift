import CSQLite
import Foundation
import Synchronization

/// One SQLite connection (sqlite3*) with a prepared-statement cache. Used by one thread at a time: the pool
/// (or the writer mutex) hands it out exclusively. https://www.sqlite.org/c3ref/open.html
final class SQLiteConnection: Connection {
    let handle: OpaquePointer
    var dialect: SQLDialect { .sqlite }
    private var statements: [String: SQLiteStatement] = [:]
    /// `keptWhileUnchanged`'s values, each with the database's data version it was made at.
    private var kept: [String: (version: UInt32, value: Any)] = [:]
    /// Frames in the write-ahead log after this connection's last commit, set by the WAL hook below.
    private let walFramesSlot = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    /// Process-wide settings, applied once before the first connection opens: no memory statistics, which SQLite
    /// otherwise keeps under one mutex that every allocation of every connection takes (some 80 a search page,
    /// from 64 connection threads). Refused, harmlessly, if SQLite was already initialised.
    private static let configured: Bool = mappa_sqlite_disable_memory_statistics() == SQLITE_OK

    init(path: String, readOnly: Bool) throws(DatabaseError) {
        _ = Self.configured
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(.open, "cannot open the SQLite database: \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
        sqlite3_extended_result_codes(db, 1)
        // A 4 MB page cache per connection keeps the search indexes' upper levels in memory. Memory-mapped I/O
        // was measured slower here: every checkpoint that grows the file makes each pooled connection remap it
        // (munmap and TLB shootdowns showed in the profile). https://www.sqlite.org/mmap.html
        try executeScript("PRAGMA foreign_keys = ON; PRAGMA cache_size = -4096;")
        walFramesSlot.initialize(to: 0)
        if !readOnly {
            // Statement journals (what undoes one failed statement inside a transaction) in memory: on file, past
            // 64 KiB each, a 100,000-row import wrote them 1.8 million times (3.9 GB of pwrite, a quarter of its
            // time). Only the writer has them; its statements touch few pages outside imports and migrations.
            // https://www.sqlite.org/tempfiles.html#statement_journals
            try executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;")
            // Replaces SQLite's automatic PASSIVE checkpoint: `SQLiteDatabase.write` checkpoints instead.
            // https://www.sqlite.org/c3ref/wal_hook.html
            sqlite3_wal_hook(db, { slot, _, _, frames in
                slot?.assumingMemoryBound(to: Int32.self).pointee = frames
                return SQLITE_OK
            }, UnsafeMutableRawPointer(walFramesSlot))
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
        walFramesSlot.deallocate()
    }

    var walFrames: Int32 { walFramesSlot.pointee }

    /// Kept only inside a read transaction, keyed by the main database's data version: a number that changes with
    /// every change to the file, by this connection or by any other, in this process or another
    /// (https://www.sqlite.org/c3ref/c_fcntl_begin_atomic_write.html#sqlitefcntldataversion), and that stays put
    /// while a read transaction's snapshot does. Outside one (or in a write transaction, whose own changes move the
    /// version only at commit) `make` runs every time.
    func keptWhileUnchanged<T>(_ key: String, _ make: () throws -> T) throws -> T {
        guard sqlite3_txn_state(handle, "main") == SQLITE_TXN_READ else { return try make() }
        var version: UInt32 = 0
        guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_DATA_VERSION, &version) == SQLITE_OK else { return try make() }
        if let entry = kept[key], entry.version == version, let value = entry.value as? T { return value }
        let value = try make()
        kept[key] = (version, value)
        return value
    }

    /// Copies the whole log into the database and, once no reader is still using the log, has the next commit
    /// write it again from the start (SQLITE_CHECKPOINT_RESTART), waiting at most `milliseconds` for readers
    /// to finish. False when a reader outlasted the wait (the log was copied as far as it could be).
    /// https://www.sqlite.org/c3ref/wal_checkpoint_v2.html
    func checkpointRestart(waitingAtMost milliseconds: Int32) -> Bool {
        sqlite3_busy_timeout(handle, milliseconds)
        defer { sqlite3_busy_timeout(handle, 5000) }
        var logFrames: Int32 = 0
        var copiedFrames: Int32 = 0
        return sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_RESTART, &logFrames, &copiedFrames) == SQLITE_OK
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ code: Int32, _ context: String) -> DatabaseError {
        let primary = code & 0xff
        let kind: DatabaseError.Code
        switch primary {
        case SQLITE_CONSTRAINT: kind = .constraint
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        default: kind = context == "prepare" ? .prepare : .step
        }
        // sqlite3_errmsg names tables and constraints, never bound values.
        return DatabaseError(kind, "\(context): \(lastError)")
    }

    func statement(_ sql: String) throws(DatabaseError) -> SQLiteStatement {
        if let cached = statements[sql] {
            sqlite3_reset(cached.handle)
            sqlite3_clear_bindings(cached.handle)
            return cached
        }
        var raw: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard status == SQLITE_OK, let raw else { throw error(status, "prepare") }
        let statement = SQLiteStatement(raw)
        if statements.count > 200 { statements.removeAll() }
        statements[sql] = statement
        return statement
    }

    private func bind(_ statement: SQLiteStatement, _ parameters: [SQLValue]) throws(DatabaseError) {
        let expected = Int(sqlite3_bind_parameter_count(statement.handle))
        guard expected == parameters.count else {
            throw DatabaseError(.bind, "statement expects \(expected) parameters, got \(parameters.count)")
        }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement.handle, index)
            case .integer(let i): status = sqlite3_bind_int64(statement.handle, index, i)
            case .real(let d): status = sqlite3_bind_double(statement.handle, index, d)
            case .text(let s):
                // The length in bytes, not -1: a NUL inside the text must not end it there.
                status = sqlite3_bind_text(statement.handle, index, s, Int32(s.utf8.count), mappa_sqlite_transient())
            case .blob(let b):
                status = b.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(statement.handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                      Int32(buffer.count), mappa_sqlite_transient())
                }
            }
            guard status == SQLITE_OK else { throw error(status, "bind") }
        }
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> Int {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement.handle) }
        try bind(statement, parameters)
        var status = sqlite3_step(statement.handle)
        while status == SQLITE_ROW { status = sqlite3_step(statement.handle) }
        guard status == SQLITE_DONE else { throw error(status, "step") }
        return Int(sqlite3_changes(handle))
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [Row] {
        var rows: [Row] = []
        try step(sql, parameters) { rows.append($0); return true }
        return rows
    }

    /// Hands each row over as sqlite3_step reads it, so a report over every case holds one row at a time.
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (Row) throws -> Void) throws {
        var failure: (any Error)?
        try step(sql, parameters) { row in
            do { try body(row) } catch { failure = error }
            return failure == nil
        }
        if let failure { throw failure }
    }

    /// Steps `sql`, handing each row to `each` until it returns false or the rows run out.
    private func step(_ sql: String, _ parameters: [SQLValue], _ each: (Row) -> Bool) throws(DatabaseError) {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement.handle) }
        try bind(statement, parameters)
        var count: Int32 = 0
        var columns: [String] = []
        var first = true
        while true {
            let status = sqlite3_step(statement.handle)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status, "step") }
            if first {
                // After the first step: a statement re-prepared for a schema change has its new columns only then.
                count = sqlite3_column_count(statement.handle)
                columns = statement.columnNames()
                first = false
            }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(statement.handle, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement.handle, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement.handle, column)))
                case SQLITE_TEXT:
                    let length = Int(sqlite3_column_bytes(statement.handle, column))
                    let pointer = sqlite3_column_text(statement.handle, column)
                    values.append(.text(pointer.map {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    } ?? ""))
                case SQLITE_BLOB:
                    let length = Int(sqlite3_column_bytes(statement.handle, column))
                    let pointer = sqlite3_column_blob(statement.handle, column)
                    values.append(.blob(pointer.map {
                        Array(UnsafeRawBufferPointer(start: $0, count: length))
                    } ?? []))
                default: values.append(.null)
                }
            }
            if !each(Row(columns: columns, values: values)) { break }
        }
    }

    /// https://www.sqlite.org/c3ref/exec.html
    func executeScript(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            var failure = error(status, "script")
            failure.description = "script: \(text)"
            throw failure
        }
    }
}

/// Owns a prepared statement and finalizes it. https://www.sqlite.org/c3ref/finalize.html
final class SQLiteStatement {
    let handle: OpaquePointer
    /// The result column names as Swift strings, made once rather than at every execution, with the C
    /// pointers they were made from: SQLite changes those when it re-prepares the statement after a schema
    /// change (`SELECT *` after `ALTER TABLE`), and the names are made again then.
    /// https://www.sqlite.org/c3ref/column_name.html
    private var names: [String] = []
    private var namePointers: [UnsafePointer<CChar>?] = []

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { sqlite3_finalize(handle) }

    func columnNames() -> [String] {
        let count = Int(sqlite3_column_count(handle))
        var current = namePointers.count == count
        if current {
            for column in 0..<count where sqlite3_column_name(handle, Int32(column)) != namePointers[column] {
                current = false
                break
            }
        }
        if !current {
            namePointers = (0..<count).map { sqlite3_column_name(handle, Int32($0)) }
            names = namePointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        return names
    }
}
