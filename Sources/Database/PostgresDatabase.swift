import CPostgres
import Foundation
import Synchronization

/// One libpq connection (PGconn*). Used by one thread at a time; the pool hands it out exclusively.
/// https://www.postgresql.org/docs/15/libpq-connect.html
final class PostgresConnection: Connection {
    private(set) var handle: OpaquePointer
    var dialect: SQLDialect { .postgres }
    private var rewritten: [String: String] = [:]
    /// Statements prepared on this connection, by the SQL sent: parsing and analysing each query again on every
    /// execution was most of the server's work for the app's short queries. Names are never reused, so a
    /// statement left behind by a failed DEALLOCATE cannot be confused with a new one.
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    static let maximumPrepared = 1000
    /// The database's schema generation, moved on by migrations; the cache is dropped when it has moved since.
    private let schema: SchemaGeneration
    private var preparedForGeneration = 0

    init(url: String, schema: SchemaGeneration = SchemaGeneration()) throws(DatabaseError) {
        self.schema = schema
        guard let connection = PQconnectdb(url) else { throw DatabaseError(.connection, "out of memory") }
        handle = connection
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.firstLine(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw DatabaseError(.connection, "cannot connect to PostgreSQL: \(message)")
        }
        Self.silenceNotices(connection)
    }

    deinit { PQfinish(handle) }

    /// NOTICEs (e.g. "relation already exists, skipping") would otherwise go to stderr.
    /// https://www.postgresql.org/docs/15/libpq-notice-processing.html
    private static func silenceNotices(_ connection: OpaquePointer) {
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Re-establishes a broken connection (after a server restart), with the same parameters.
    /// https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PQRESET
    func reset() -> Bool {
        PQreset(handle)
        prepared.removeAll()  // a new server session has none of them
        if isHealthy { Self.silenceNotices(handle) }
        return isHealthy
    }

    static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? text
    }

    /// Rewrites the app's `?` placeholders to `$1…$n`, leaving string literals, quoted identifiers, dollar-quoted
    /// bodies and comments alone.
    static func numberPlaceholders(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        let scalars = Array(sql.unicodeScalars)
        var index = 0
        func copy(until terminator: String) {
            let end = Array(terminator.unicodeScalars)
            while index < scalars.count {
                if Array(scalars[index..<min(scalars.count, index + end.count)]) == end {
                    end.forEach { output.unicodeScalars.append($0) }
                    index += end.count
                    return
                }
                output.unicodeScalars.append(scalars[index])
                index += 1
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "?":
                number += 1
                output += "$\(number)"
                index += 1
            case "'", "\"":
                output.unicodeScalars.append(scalar)
                index += 1
                copy(until: String(scalar))
            case "-" where next == "-":
                copy(until: "\n")
            case "/" where next == "*":
                output += "/*"
                index += 2
                copy(until: "*/")
            case "$" where next == "$":
                output += "$$"
                index += 2
                copy(until: "$$")
            default:
                output.unicodeScalars.append(scalar)
                index += 1
            }
        }
        return output
    }

    private func sqlForServer(_ sql: String) -> String {
        if let cached = rewritten[sql] { return cached }
        let converted = Self.numberPlaceholders(sql)
        if rewritten.count > 500 { rewritten.removeAll() }
        rewritten[sql] = converted
        return converted
    }

    /// The name of `text` prepared on this connection, preparing it first if need be (PQprepare). Parameter
    /// types are left to the server, as PQexecParams did. https://www.postgresql.org/docs/15/libpq-exec.html#LIBPQ-PQPREPARE
    private func preparedName(_ text: String, parameterCount: Int) throws(DatabaseError) -> String {
        let generation = schema.current
        if generation != preparedForGeneration {
            if !prepared.isEmpty, let result = PQexec(handle, "DEALLOCATE ALL") { PQclear(result) }
            prepared.removeAll()
            preparedForGeneration = generation
        }
        if let name = prepared[text] { return name }
        if prepared.count >= Self.maximumPrepared {
            // Statements whose text varies (IN lists of different lengths) must not pile up on the server.
            if let result = PQexec(handle, "DEALLOCATE ALL") { PQclear(result) }
            prepared.removeAll()
        }
        preparedCount += 1
        let name = "mappa_\(preparedCount)"
        _ = try check(PQprepare(handle, name, text, Int32(parameterCount), nil))
        prepared[text] = name
        return name
    }

    /// Runs one statement as a prepared statement: parameters go separately from the SQL text, so values are
    /// never parsed as SQL. https://www.postgresql.org/docs/15/libpq-exec.html#LIBPQ-PQEXECPREPARED
    private func run(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> PostgresResult {
        let text = sqlForServer(sql)
        var buffers: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for value in parameters {
            switch value {
            case .null:
                buffers.append(nil); lengths.append(0); formats.append(0)
            case .integer(let i):
                buffers.append(Array(String(i).utf8CString)); lengths.append(0); formats.append(0)
            case .real(let d):
                buffers.append(Array(String(d).utf8CString)); lengths.append(0); formats.append(0)
            case .text(let s):
                // PostgreSQL text cannot hold NUL, and a C string would silently end at it: refuse, never truncate.
                guard !s.utf8.contains(0) else {
                    throw DatabaseError(.bind, "a text value holds a NUL character, which PostgreSQL cannot store")
                }
                buffers.append(Array(s.utf8CString)); lengths.append(0); formats.append(0)
            case .blob(let b):
                buffers.append(b.map { CChar(bitPattern: $0) }); lengths.append(Int32(b.count)); formats.append(1)
            }
        }
        func execute() throws(DatabaseError) -> PostgresResult {
            let name = try preparedName(text, parameterCount: parameters.count)
            return try check(withPointers(buffers) { pointers in
                PQexecPrepared(handle, name, Int32(parameters.count), pointers, lengths, formats, 0)
            })
        }
        do {
            return try execute()
        } catch let error where error.description.contains("0A000") && error.description.contains("cached plan") {
            // A migration changed a table under a prepared `SELECT *`: prepare it afresh once.
            prepared[text] = nil
            return try execute()
        }
    }

    private func withPointers<T>(_ buffers: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        var pointers: [UnsafePointer<CChar>?] = []
        var owned: [UnsafeMutablePointer<CChar>] = []
        for buffer in buffers {
            guard let buffer else { pointers.append(nil); continue }
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, buffer.count))
            copy.initialize(from: buffer, count: buffer.count)
            owned.append(copy)
            pointers.append(UnsafePointer(copy))
        }
        defer { owned.forEach { $0.deallocate() } }
        return body(pointers)
    }

    /// Turns a PGresult into a result or a DatabaseError carrying only the primary message (never DETAIL,
    /// which holds row values). https://www.postgresql.org/docs/15/libpq-exec.html#LIBPQ-PQRESULTERRORFIELD
    private func check(_ raw: OpaquePointer?) throws(DatabaseError) -> PostgresResult {
        guard let raw else {
            throw DatabaseError(.connection, "PostgreSQL: \(Self.firstLine(String(cString: PQerrorMessage(handle))))")
        }
        let result = PostgresResult(raw)
        let status = PQresultStatus(raw)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY { return result }
        let sqlState = PQresultErrorField(raw, 67 /* 'C': PG_DIAG_SQLSTATE */).map { String(cString: $0) } ?? ""
        let message = PQresultErrorField(raw, 77 /* 'M': PG_DIAG_MESSAGE_PRIMARY */).map { String(cString: $0) }
            ?? Self.firstLine(String(cString: PQerrorMessage(handle)))
        let code: DatabaseError.Code
        if !isHealthy || sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") {
            code = .connection
        } else if sqlState.hasPrefix("23") {
            code = .constraint
        } else if sqlState == "40001" || sqlState == "40P01" {
            code = .conflict
        } else if sqlState == "42601" || sqlState.hasPrefix("42") {
            code = .prepare
        } else {
            code = .step
        }
        throw DatabaseError(code, "PostgreSQL \(sqlState): \(message)")
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> Int {
        let result = try run(sql, parameters)
        return Int(String(cString: PQcmdTuples(result.handle))) ?? 0
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [Row] {
        let result = try run(sql, parameters)
        return result.rows()
    }

    func executeScript(_ sql: String) throws(DatabaseError) {
        _ = try check(PQexec(handle, sql))
    }

    /// Runs one statement without parameters, not prepared (it names a temporary table that will not outlive the
    /// load); the rows it changed.
    private func executeOnce(_ sql: String) throws(DatabaseError) -> Int {
        Int(String(cString: PQcmdTuples(try check(PQexec(handle, sql)).handle))) ?? 0
    }

    @discardableResult
    func insertMany(into table: String, columns: [String], rows: [[SQLValue]], skippingDuplicates: Bool) throws(DatabaseError) -> Int {
        guard !rows.isEmpty else { return 0 }
        let list = columns.joined(separator: ", ")
        guard skippingDuplicates else { return try copy(into: table, columns: columns, rows: rows) }
        // COPY has no ON CONFLICT: the rows go to a temporary table shaped like the target, then across in one statement.
        try loadTemporaryTable(like: table, columns: columns, rows: rows)
        let added = try executeOnce("INSERT INTO \(table) (\(list)) SELECT \(list) FROM mappa_load ON CONFLICT DO NOTHING")
        try executeScript("DROP TABLE mappa_load")
        return added
    }

    @discardableResult
    func updateMany(_ table: String, key: String, columns: [String], rows: [[SQLValue]]) throws(DatabaseError) -> Int {
        guard !rows.isEmpty else { return 0 }
        try loadTemporaryTable(like: table, columns: [key] + columns, rows: rows)
        let assignments = columns.map { "\($0) = mappa_load.\($0)" }.joined(separator: ", ")
        let updated = try executeOnce("UPDATE \(table) SET \(assignments) FROM mappa_load WHERE \(table).\(key) = mappa_load.\(key)")
        try executeScript("DROP TABLE mappa_load")
        return updated
    }

    /// Copies `rows` into `mappa_load`, a temporary table with `columns` of `table` (their types too), for a
    /// statement that moves them across; the caller drops it.
    private func loadTemporaryTable(like table: String, columns: [String], rows: [[SQLValue]]) throws(DatabaseError) {
        try executeScript("DROP TABLE IF EXISTS mappa_load; CREATE TEMP TABLE mappa_load AS SELECT \(columns.joined(separator: ", ")) FROM \(table) WITH NO DATA")
        _ = try copy(into: "mappa_load", columns: columns, rows: rows)
    }

    func reserveIDs(in table: String, count: Int) throws(DatabaseError) -> [Int64] {
        guard count > 0 else { return [] }
        return try query("SELECT nextval(pg_get_serial_sequence('\(table)', 'id')) AS id FROM generate_series(1, ?::integer)",
                         [.integer(Int64(count))]).map { row throws(DatabaseError) in try row.value("id") }
    }

    /// Streams rows into `table` with COPY FROM STDIN in text format: one statement however many rows, parsed by the
    /// server without planning each insert. Values are escaped as the text format requires (backslash, tab, newline,
    /// carriage return; `\N` for NULL; bytea as `\\x` and hex). A value that cannot be sent (text holding NUL) ends
    /// the copy with an error, so nothing of it is kept. https://www.postgresql.org/docs/15/libpq-copy.html and
    /// https://www.postgresql.org/docs/15/sql-copy.html (File Formats, Text Format)
    private func copy(into table: String, columns: [String], rows: [[SQLValue]]) throws(DatabaseError) -> Int {
        guard let started = PQexec(handle, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN") else {
            throw DatabaseError(.connection, "PostgreSQL: \(Self.firstLine(String(cString: PQerrorMessage(handle))))")
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try check(started)
            throw DatabaseError(.step, "PostgreSQL did not start the copy")
        }
        PQclear(started)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        var refusal: DatabaseError?
        func flush() -> Bool {
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            buffer.removeAll(keepingCapacity: true)
            return sent == 1
        }
        rows: for row in rows {
            guard row.count == columns.count else {
                refusal = DatabaseError(.bind, "a row for \(table) has \(row.count) values for \(columns.count) columns")
                break
            }
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(9) }
                switch value {
                case .null: buffer += [92, 78]  // \N
                case .integer(let i): buffer += String(i).utf8
                case .real(let d): buffer += String(d).utf8
                case .text(let text):
                    for byte in text.utf8 {
                        switch byte {
                        case 0:
                            refusal = DatabaseError(.bind, "a text value holds a NUL character, which PostgreSQL cannot store")
                            break rows
                        case 92: buffer += [92, 92]
                        case 9: buffer += [92, 116]
                        case 10: buffer += [92, 110]
                        case 13: buffer += [92, 114]
                        default: buffer.append(byte)
                        }
                    }
                case .blob(let bytes):
                    buffer += [92, 92, 120]  // \\x: the backslash of bytea's hex format, escaped for COPY
                    let digits = Array("0123456789abcdef".utf8)
                    for byte in bytes { buffer += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
                }
            }
            buffer.append(10)
            if buffer.count >= 1 << 16, !flush() { break }
        }
        if refusal == nil, !buffer.isEmpty { _ = flush() }
        PQputCopyEnd(handle, refusal == nil ? nil : "the load was refused")
        // Every result must be read before the connection takes another command, even after an error.
        var outcome: Result<Int, DatabaseError> = .success(0)
        while let raw = PQgetResult(handle) {
            do throws(DatabaseError) {
                let result = try check(raw)
                if case .success = outcome { outcome = .success(Int(String(cString: PQcmdTuples(result.handle))) ?? 0) }
            } catch {
                if case .success = outcome { outcome = .failure(error) }
            }
        }
        if let refusal { throw refusal }
        return try outcome.get()
    }
}

/// Owns a PGresult and clears it. https://www.postgresql.org/docs/15/libpq-exec.html#LIBPQ-PQCLEAR
final class PostgresResult {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    /// Decodes text-format values by column type OID (pg_type.dat): integers, floats, bytea, bool; else text.
    func rows() -> [Row] {
        let rowCount = PQntuples(handle)
        let columnCount = PQnfields(handle)
        let columns = (0..<columnCount).map { String(cString: PQfname(handle, $0)) }
        let types = (0..<columnCount).map { PQftype(handle, $0) }
        var rows: [Row] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(handle, row, column) == 1 { values.append(.null); continue }
                let length = Int(PQgetlength(handle, row, column))
                let text = PQgetvalue(handle, row, column).map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self)
                } ?? ""
                switch types[Int(column)] {
                case 20, 21, 23, 26: values.append(Int64(text).map { .integer($0) } ?? .text(text))
                case 700, 701, 1700: values.append(Double(text).map { .real($0) } ?? .text(text))
                case 16: values.append(.integer(text == "t" ? 1 : 0))
                case 17: values.append(.blob(Self.decodeByteaHex(text)))
                default: values.append(.text(text))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    /// bytea's text output in hex format: `\x` then two hex digits a byte.
    static func decodeByteaHex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8.dropFirst(2))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return 0
            }
        }
        var index = 0
        while index + 1 < digits.count {
            bytes.append(value(digits[index]) << 4 | value(digits[index + 1]))
            index += 2
        }
        return bytes
    }
}

/// PostgreSQL through libpq with a bounded connection pool. The app keeps no state between requests, so many
/// app instances can share one server. Broken connections (a server restart) are reset when they are next
/// handed out, and a read that fails on a broken connection is retried once on a fresh one; a write is never
/// retried, because the server may have committed it.
public final class PostgresDatabase: Database, @unchecked Sendable {
    public var dialect: SQLDialect { .postgres }
    private let pool: ConnectionPool<PostgresConnection>
    private let schema = SchemaGeneration()
    // Connections inside a write, by thread, so a read within the write sees its own uncommitted changes.
    // Guarded by `writesLock`: the safety argument for @unchecked Sendable.
    private var activeWrites: [UInt: PostgresConnection] = [:]
    private let writesLock = NSLock()
    /// How many writes are open: reads skip the lock when none is (most of the time). A thread inside a write
    /// counted itself before its reads, so it never misses its own write.
    private let openWrites = Atomic<Int>(0)

    public init(url: String, poolSize: Int = 4) throws(DatabaseError) {
        var connections: [PostgresConnection] = []
        for _ in 0..<max(1, poolSize) { connections.append(try PostgresConnection(url: url, schema: schema)) }
        pool = ConnectionPool(connections, name: "postgres")
    }

    private static var threadKey: UInt { UInt(pthread_self()) }

    private func connectionInWrite() -> PostgresConnection? {
        guard openWrites.load(ordering: .acquiring) > 0 else { return nil }
        writesLock.lock()
        defer { writesLock.unlock() }
        return activeWrites[Self.threadKey]
    }

    private func healthy(_ connection: PostgresConnection) throws -> PostgresConnection {
        if !connection.isHealthy, !connection.reset() {
            throw DatabaseError(.connection, "PostgreSQL is unavailable")
        }
        return connection
    }

    @discardableResult
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        if let connection = connectionInWrite() { return try body(connection) }
        return try pool.withConnection { connection in
            do {
                return try body(try healthy(connection))
            } catch let error as DatabaseError where error.code == .connection || !connection.isHealthy {
                guard connection.reset() else { throw error }
                return try body(connection)
            }
        }
    }

    @discardableResult
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        if connectionInWrite() != nil {
            throw DatabaseError(.unsupported, "nested write transactions are not supported")
        }
        return try pool.withConnection { connection in
            let connection = try healthy(connection)
            do {
                try connection.executeScript("BEGIN")
            } catch let error as DatabaseError where error.code == .connection {
                guard connection.reset() else { throw error }
                try connection.executeScript("BEGIN")
            }
            openWrites.add(1, ordering: .releasing)
            writesLock.lock()
            activeWrites[Self.threadKey] = connection
            writesLock.unlock()
            defer {
                writesLock.lock()
                activeWrites[Self.threadKey] = nil
                writesLock.unlock()
                openWrites.subtract(1, ordering: .releasing)
            }
            do {
                let result = try body(connection)
                try connection.executeScript("COMMIT")
                return result
            } catch {
                try? connection.executeScript("ROLLBACK")
                throw error
            }
        }
    }

    public var isInsideWrite: Bool { connectionInWrite() != nil }

    public var poolStatistics: [PoolStatistics] { [pool.counters.statistics] }

    public func schemaChanged() { schema.advance() }

    public func ping() -> Bool {
        (try? read { try $0.queryOne("SELECT 1 AS ok")?["ok"].int }) == 1
    }
}

/// A counter migrations move on, shared by a database's connections (see `Database.schemaChanged`).
final class SchemaGeneration: Sendable {
    private let value = Atomic<Int>(0)
    init() {}
    var current: Int { value.load(ordering: .acquiring) }
    func advance() { value.add(1, ordering: .releasing) }
}
