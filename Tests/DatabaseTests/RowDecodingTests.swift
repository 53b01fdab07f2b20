import Foundation
import Testing
import TestSupport
@testable import Database

/// Records read from rows by name, through one initializer per record type: a column list and a reader that drift
/// apart, a missing value and a value of the wrong kind are errors that name the column, never a silent default.
@Suite("Reading records from rows")
struct RowDecodingTests {
    struct Thing: RowDecodable, Equatable {
        let id: Int64
        let name: String
        let amount: Int64?
        let active: Bool

        static let columns = "id, name, amount, active"

        init(row: inout RowReader) throws(DatabaseError) {
            id = try row.decode("id")
            name = try row.decode("name")
            amount = try row.decodeIfPresent("amount")
            active = try row.decode("active")
        }
    }

    func database(_ kind: DatabaseKind) throws -> TestDatabase {
        let database = try TestDatabase(kind, migrate: false)
        try database.write { connection in
            try connection.executeScript(Migration(0, "t", """
                CREATE TABLE things (id {{ID}}, name TEXT, amount BIGINT, active BIGINT, level TEXT);
                INSERT INTO things (name, amount, active, level) VALUES ('first', 5, 1, '2');
                INSERT INTO things (name, amount, active, level) VALUES ('second', NULL, 0, 'two');
                """).sql(for: connection.dialect))
        }
        return database
    }

    static func failure(_ body: () throws -> Void) -> DatabaseError? {
        do { try body() } catch let error as DatabaseError { return error } catch { return nil }
        return nil
    }

    @Test("a record reads its own column list, every row, NULL only where it may be", arguments: DatabaseKind.available)
    func reads(kind: DatabaseKind) throws {
        let database = try database(kind)
        let things = try database.read { try $0.query(Thing.self, "SELECT \(Thing.columns) FROM things ORDER BY id") }
        #expect(things.map(\.name) == ["first", "second"])
        #expect(things.map(\.amount) == [5, nil] && things.map(\.active) == [true, false])
        var seen: [String] = []
        try database.read { try $0.forEach(Thing.self, "SELECT \(Thing.columns) FROM things ORDER BY id") { seen.append($0.name) } }
        #expect(seen == ["first", "second"])
        #expect(try database.read { try $0.queryOne(Thing.self, "SELECT \(Thing.columns) FROM things WHERE id = 99") } == nil)
    }

    @Test("a SELECT whose columns are not the reader's, a NULL where a value is required and a value of the wrong kind are errors naming the column",
          arguments: DatabaseKind.available)
    func refuses(kind: DatabaseKind) throws {
        let database = try database(kind)
        let reordered = Self.failure { _ = try database.read { try $0.query(Thing.self, "SELECT id, amount, name, active FROM things") } }
        #expect(reordered?.code == .decode && reordered?.description == "column 2 is amount, read as name")
        let short = Self.failure { _ = try database.read { try $0.query(Thing.self, "SELECT id, name, amount FROM things") } }
        #expect(short?.description == "column active is missing: the result has 3 columns")
        let missing = Self.failure { _ = try database.read { try $0.query(Thing.self, "SELECT id, name, amount, amount AS active FROM things ORDER BY id DESC") } }
        #expect(missing?.description == "column active is empty where a value is required", "not false")
        let corrupt = Self.failure { _ = try database.read { try $0.query(Thing.self, "SELECT id, name, amount, level AS active FROM things") } }
        #expect(corrupt?.description == "column active holds a value of the wrong kind", "the value itself is not in the message")
        let notBoolean = Self.failure { _ = try database.read { try $0.query(Thing.self, "SELECT id, name, amount, amount AS active FROM things ORDER BY id") } }
        #expect(notBoolean?.description == "column active holds a value of the wrong kind", "5 is neither 0 nor 1")
    }
}
