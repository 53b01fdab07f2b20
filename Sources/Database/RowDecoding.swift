/// A Swift value one column can hold. `init(column:)` answers nil when the stored value is not one of these: the
/// reader then throws, naming the column, rather than make up a default (a corrupt level is an error, never Level 2).
public protocol ColumnDecodable {
    init?(column value: SQLValue)
}

extension String: ColumnDecodable {
    @inlinable
    public init?(column value: SQLValue) {
        guard case .text(let text) = value else { return nil }
        self = text
    }
}

extension Int64: ColumnDecodable {
    /// PostgreSQL answers `SUM` and some casts as numeric, which the driver reads as a double.
    @inlinable
    public init?(column value: SQLValue) {
        switch value {
        case .integer(let number): self = number
        case .real(let number) where number.rounded() == number && abs(number) < 9.2e18: self = Int64(number)
        default: return nil
        }
    }
}

extension Int: ColumnDecodable {
    @inlinable
    public init?(column value: SQLValue) {
        guard let number = Int64(column: value) else { return nil }
        self = Int(number)
    }
}

extension Double: ColumnDecodable {
    @inlinable
    public init?(column value: SQLValue) {
        switch value {
        case .real(let number): self = number
        case .integer(let number): self = Double(number)
        default: return nil
        }
    }
}

extension Bool: ColumnDecodable {
    /// Stored as 0 or 1 in both dialects (BIGINT columns; the PostgreSQL driver reads `boolean` as 0 or 1 too).
    @inlinable
    public init?(column value: SQLValue) {
        guard case .integer(let number) = value, number == 0 || number == 1 else { return nil }
        self = number == 1
    }
}

extension Array: ColumnDecodable where Element == UInt8 {
    @inlinable
    public init?(column value: SQLValue) {
        guard case .blob(let bytes) = value else { return nil }
        self = bytes
    }
}

/// A record made from one result row, reading its columns in the order of the column list it declares, by name:
/// the list builds the SELECT (`SELECT \(T.columns) FROM …`) and `init(row:)` reads the same names in the same order
/// (as GRDB's `FetchableRecord init(row:)`). Reading by position keeps a page of results cheap; each name is checked
/// against the result's column at that position, so a list and a reader that drift apart fail at once.
public protocol RowDecodable {
    /// The SELECT list, in the order `init(row:)` reads it.
    static var columns: String { get }
    init(row: inout RowReader) throws(DatabaseError)
}

/// Reads one row's columns in order. Each `decode` names the column it expects; a name that does not match the
/// result's column at that position, a NULL where a value is required, or a value of the wrong kind is a
/// `DatabaseError` naming the column and never its value (which may be personal data).
/// Inlinable, so each store's `init(row:)` is specialised for the types it reads rather than calling through witness
/// tables (a page of 7,000 agenda items spent a fifth of its time there).
public struct RowReader {
    public let row: Row
    @usableFromInline var position = 0
    /// Off for the second and later rows of one result: they share the first row's column names.
    @usableFromInline let checksNames: Bool

    @inlinable
    public init(_ row: Row, checksNames: Bool = true) {
        self.row = row
        self.checksNames = checksNames
    }

    /// The next column's value, which must be present and of type `T`.
    @inlinable
    public mutating func decode<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) throws(DatabaseError) -> T {
        let value = try next(name)
        guard let decoded = T(column: value) else { throw Self.corrupt(name, value) }
        return decoded
    }

    /// The next column's value: nil when it is NULL, otherwise a value of type `T`.
    @inlinable
    public mutating func decodeIfPresent<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) throws(DatabaseError) -> T? {
        let value = try next(name)
        if value.isNull { return nil }
        guard let decoded = T(column: value) else { throw Self.corrupt(name, value) }
        return decoded
    }

    @inlinable
    mutating func next(_ name: String) throws(DatabaseError) -> SQLValue {
        guard position < row.values.count else {
            throw DatabaseError(.decode, "column \(name) is missing: the result has \(row.values.count) columns")
        }
        if checksNames, row.columns[position] != name {
            throw DatabaseError(.decode, "column \(position + 1) is \(row.columns[position]), read as \(name)")
        }
        defer { position += 1 }
        return row.values[position]
    }

    /// The error for a value that is missing or of the wrong kind: it names the column, never the value.
    @inlinable
    public static func corrupt(_ name: String, _ value: SQLValue) -> DatabaseError {
        DatabaseError(.decode, value.isNull ? "column \(name) is empty where a value is required"
                                            : "column \(name) holds a value of the wrong kind")
    }
}

extension Row {
    /// The column called `name`, read as `T`: for one-off queries (`SELECT COUNT(*) AS n`). Records read their
    /// columns with a `RowReader`.
    @inlinable
    public func value<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) throws(DatabaseError) -> T {
        guard let index = columns.firstIndex(of: name) else { throw DatabaseError(.decode, "column \(name) is missing") }
        guard let decoded = T(column: values[index]) else { throw RowReader.corrupt(name, values[index]) }
        return decoded
    }

    /// The column called `name`: nil when NULL, otherwise read as `T`.
    @inlinable
    public func valueIfPresent<T: ColumnDecodable>(_ name: String, as type: T.Type = T.self) throws(DatabaseError) -> T? {
        guard let index = columns.firstIndex(of: name) else { throw DatabaseError(.decode, "column \(name) is missing") }
        if values[index].isNull { return nil }
        guard let decoded = T(column: values[index]) else { throw RowReader.corrupt(name, values[index]) }
        return decoded
    }

    /// The whole row as a record.
    @inlinable
    public func decode<T: RowDecodable>(_ type: T.Type = T.self) throws(DatabaseError) -> T {
        var reader = RowReader(self)
        return try T(row: &reader)
    }
}

extension Array where Element == Row {
    /// The rows of one result as records. The column names are checked on the first row; the rest share them.
    @inlinable
    public func decode<T: RowDecodable>(_ type: T.Type = T.self) throws(DatabaseError) -> [T] {
        var records: [T] = []
        records.reserveCapacity(count)
        for (index, row) in enumerated() {
            var reader = RowReader(row, checksNames: index == 0)
            records.append(try T(row: &reader))
        }
        return records
    }
}

extension Connection {
    /// Every row of `sql` as a record. The column names are checked on the first row; the rest share them.
    @inlinable
    public func query<T: RowDecodable>(_ type: T.Type, _ sql: String, _ parameters: [SQLValue] = []) throws -> [T] {
        try query(sql, parameters).decode(T.self)
    }

    /// The first row of `sql` as a record, or nil when there is none.
    @inlinable
    public func queryOne<T: RowDecodable>(_ type: T.Type, _ sql: String, _ parameters: [SQLValue] = []) throws -> T? {
        try query(sql, parameters).first.map { row throws(DatabaseError) in try row.decode(T.self) }
    }

    /// Each row of `sql` as a record, handed to `body` in turn without holding them all (see `forEachRow`).
    @inlinable
    public func forEach<T: RowDecodable>(_ type: T.Type, _ sql: String, _ parameters: [SQLValue] = [],
                                         _ body: (T) throws -> Void) throws {
        var first = true
        try forEachRow(sql, parameters) { row in
            var reader = RowReader(row, checksNames: first)
            first = false
            try body(try T(row: &reader))
        }
    }
}
