import Foundation

/// A value bound to or read from SQL. Dates are stored as TEXT (ISO-8601 date or timestamp) or INTEGER
/// (Unix seconds) by the caller's choice, so both dialects store them the same way.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// Conversions so call sites can pass Swift values as parameters: `[.init(name), .init(count)]` or literals.
extension SQLValue {
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    public init(_ value: Double?) { self = value.map { .real($0) } ?? .null }
    public init(_ value: Bool?) { self = value.map { .integer($0 ? 1 : 0) } ?? .null }
    public init(_ value: [UInt8]?) { self = value.map { .blob($0) } ?? .null }

    public var string: String? {
        switch self {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        case .null: return nil
        }
    }
    public var int64: Int64? {
        switch self {
        case .integer(let i): return i
        case .real(let d): return Int64(d)
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
    public var int: Int? { int64.map { Int($0) } }
    public var double: Double? {
        switch self {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        case .text(let s): return Double(s)
        default: return nil
        }
    }
    public var bytes: [UInt8]? {
        switch self {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return nil
        }
    }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// One result row; columns are addressed by name (as the SELECT names them) or position.
public struct Row: Sendable {
    public let columns: [String]
    public let values: [SQLValue]
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }
    /// The value of the column called `name`; `.null` when there is none. Names of another length are passed over
    /// on that alone (a length is stored with each string): a full comparison of each name before the one asked
    /// for was a fifth of the work of reading a page of meetings.
    public subscript(_ name: String) -> SQLValue {
        let length = name.utf8.count
        for index in columns.indices where columns[index].utf8.count == length && columns[index] == name {
            return values[index]
        }
        return .null
    }
    public subscript(_ index: Int) -> SQLValue { values[index] }
}

/// A database failure. `description` is safe to log: it never includes bound parameter values.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case open, prepare, bind, step, constraint, busy, migration, connection, conflict, unsupported, decode
    }
    public var code: Code
    public var description: String
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

/// One connection, used by one thread at a time (the pool hands it out). SQL uses `?` placeholders in both
/// dialects; the PostgreSQL driver rewrites them to `$1…$n`.
public protocol Connection: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs a statement that returns no rows; the number of rows changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> Int
    /// Runs a query and returns every row.
    func query(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> [Row]
    /// Runs several statements without parameters (migrations).
    func executeScript(_ sql: String) throws(DatabaseError)
    /// Runs a query and hands each row to `body` in turn, for queries over every case: held all at once, the
    /// annual report's 100k rows were tens of megabytes per report. `body` must not run the same SQL again on
    /// this connection. Drivers that receive the whole result anyway (libpq) use the default: `query`, then each.
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (Row) throws -> Void) throws
    /// `make`'s value, kept with this connection under `key` and handed back again while the database is unchanged,
    /// for small lists that many pages read and that seldom change (the agencies: some 90,000 instructions of a
    /// 1.1M-instruction case page). Drivers that cannot tell whether the database changed (libpq) make it each time.
    func keptWhileUnchanged<T>(_ key: String, _ make: () throws -> T) throws -> T
    /// Adds many rows to `table` in as few round trips as the engine allows, for imports: each row holds a value
    /// for each of `columns`, in order. With `skippingDuplicates`, a row that breaks a unique constraint is left out
    /// (ON CONFLICT DO NOTHING) instead of failing the whole load. Returns the rows added. The default (SQLite)
    /// sends a few hundred rows per statement; PostgreSQL streams them with COPY FROM STDIN.
    @discardableResult
    func insertMany(into table: String, columns: [String], rows: [[SQLValue]], skippingDuplicates: Bool) throws(DatabaseError) -> Int
    /// Sets `columns` on many rows of `table`, each row picked by its `key` value (the first value of each row; the
    /// rest go to `columns` in order); a key must appear once. Returns the rows updated. The default (SQLite) runs one prepared UPDATE per row;
    /// PostgreSQL copies the values into a temporary table and updates from it in one statement.
    @discardableResult
    func updateMany(_ table: String, key: String, columns: [String], rows: [[SQLValue]]) throws(DatabaseError) -> Int
    /// Ids for `count` rows about to be added to `table` (an `{{ID}}` table), so an import can write a row and the
    /// rows that point at it without waiting for each insert's answer. Inside a write transaction only. SQLite
    /// (one writer at a time): the ids after the largest; PostgreSQL: taken from the column's sequence.
    func reserveIDs(in table: String, count: Int) throws(DatabaseError) -> [Int64]
}

extension Connection {
    public func keptWhileUnchanged<T>(_ key: String, _ make: () throws -> T) throws -> T { try make() }

    public func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (Row) throws -> Void) throws {
        for row in try query(sql, parameters) { try body(row) }
    }

    @discardableResult
    public func insertMany(into table: String, columns: [String], rows: [[SQLValue]], skippingDuplicates: Bool) throws(DatabaseError) -> Int {
        guard !rows.isEmpty else { return 0 }
        // SQLite binds at most 32,766 parameters a statement; a few hundred rows already make the statement cost small.
        let perStatement = max(1, min(500, 30_000 / max(1, columns.count)))
        let one = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var added = 0
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var parameters: [SQLValue] = []
            parameters.reserveCapacity(chunk.count * columns.count)
            for row in chunk {
                guard row.count == columns.count else {
                    throw DatabaseError(.bind, "a row for \(table) has \(row.count) values for \(columns.count) columns")
                }
                parameters += row
            }
            added += try execute("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                                     + Array(repeating: one, count: chunk.count).joined(separator: ", ")
                                     + (skippingDuplicates ? " ON CONFLICT DO NOTHING" : ""), parameters)
            start += chunk.count
        }
        return added
    }

    @discardableResult
    public func updateMany(_ table: String, key: String, columns: [String], rows: [[SQLValue]]) throws(DatabaseError) -> Int {
        let assignments = columns.map { "\($0) = ?" }.joined(separator: ", ")
        let sql = "UPDATE \(table) SET \(assignments) WHERE \(key) = ?"
        var updated = 0
        for row in rows {
            guard row.count == columns.count + 1 else {
                throw DatabaseError(.bind, "a row for \(table) has \(row.count) values for \(columns.count + 1) columns")
            }
            updated += try execute(sql, Array(row.dropFirst()) + [row[0]])
        }
        return updated
    }

    public func reserveIDs(in table: String, count: Int) throws(DatabaseError) -> [Int64] {
        guard count > 0 else { return [] }
        let largest = try queryOne("SELECT COALESCE(MAX(id), 0) AS largest FROM \(table)")?["largest"].int64 ?? 0
        return Array((largest + 1)...(largest + Int64(count)))
    }

    @discardableResult
    public func execute(_ sql: String) throws(DatabaseError) -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws(DatabaseError) -> [Row] { try query(sql, []) }
    public func queryOne(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseError) -> Row? {
        try query(sql, parameters).first
    }
    /// `INSERT … RETURNING id` works in SQLite ≥ 3.35 and PostgreSQL alike.
    public func insert(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> Int64 {
        guard let id = try query(sql + " RETURNING id", parameters).first?["id"].int64 else {
            throw DatabaseError(.step, "insert returned no id")
        }
        return id
    }
}

/// The database as the app sees it: a pool of connections. `read` may run concurrently; `write` runs its
/// body inside one transaction (committed when the body returns, rolled back when it throws).
public protocol Database: Sendable {
    var dialect: SQLDialect { get }
    @discardableResult
    func read<T>(_ body: (Connection) throws -> T) throws -> T
    @discardableResult
    func write<T>(_ body: (Connection) throws -> T) throws -> T
    /// Checks that the database answers (for /readyz).
    func ping() -> Bool
    /// True on a thread that is inside `write`: work that would open a write of its own (and wait for another
    /// thread's) must not start there.
    var isInsideWrite: Bool { get }
    /// Runs `body` so that every `read` on this thread inside it uses one connection and, where the engine
    /// keeps a page cache per connection, one read transaction: a page's dozen queries then see one consistent
    /// snapshot and take one pooled connection instead of a dozen. A `write` committed on this thread inside
    /// `body` is seen by the reads after it. Nested calls join the outer one.
    func snapshot<T>(_ body: () throws -> T) throws -> T
    /// Lets go of this thread's snapshot (if it is inside `snapshot`): the next read takes a new one. For a caller
    /// about to wait for a commit another thread makes for it (the audit trail's group commit): the reads after
    /// see that commit, and the wait does not hold back the engine's housekeeping (SQLite's checkpoint).
    func renewSnapshot() throws
    /// How each connection pool has been used since the database was opened (the metrics page).
    var poolStatistics: [PoolStatistics] { get }
    /// Called after migrations have changed tables: connections that cache prepared statements drop them, since
    /// a statement prepared before (a `SELECT *` whose columns grew) would fail, and inside a transaction that
    /// failure could not be retried.
    func schemaChanged()
}

extension Database {
    /// Engines without a per-connection cache to keep warm (PostgreSQL) read each query on its own.
    public func snapshot<T>(_ body: () throws -> T) throws -> T { try body() }
    public func renewSnapshot() throws {}
    public var poolStatistics: [PoolStatistics] { [] }
    public func schemaChanged() {}
}

extension Connection {
    /// Bulk writes (imports) touch far more pages than the small per-connection SQLite cache holds (kept small so
    /// the server's memory stays bounded), so SQLite would read and write the same pages again and again. This
    /// gives the connection a 64 MB cache for `body` and puts the small one back after.
    /// https://www.sqlite.org/pragma.html#pragma_cache_size. PostgreSQL manages its own buffers: no change.
    public func withBulkWriteCache<T>(_ body: () throws -> T) throws -> T {
        guard dialect == .sqlite else { return try body() }
        try executeScript("PRAGMA cache_size = -65536;")
        defer { try? executeScript("PRAGMA cache_size = -4096;") }
        return try body()
    }
}
