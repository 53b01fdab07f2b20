import Foundation
import Testing
import TestSupport
@testable import Database

@Suite("PostgreSQL specifics")
struct PostgresSpecificTests {
    @Test("placeholders become $n outside literals, identifiers, comments and dollar quotes")
    func placeholders() {
        #expect(PostgresConnection.numberPlaceholders("SELECT ? , '?' , \"a?\" , ? -- what?\n, ? /* ? */ , $$ ? $$")
                == "SELECT $1 , '?' , \"a?\" , $2 -- what?\n, $3 /* ? */ , $$ ? $$")
        #expect(PostgresConnection.numberPlaceholders("WHERE a = ? AND b IN (?, ?)") == "WHERE a = $1 AND b IN ($2, $3)")
    }

    @Test("bytea hex output decodes")
    func bytea() {
        #expect(PostgresResult.decodeByteaHex("\\x00ff10Ab") == [0, 255, 16, 171])
    }

    @Test("statements are prepared once per connection, and ones whose text varies do not pile up on the server",
          .enabled(if: DatabaseKind.available.contains(.postgres)))
    func preparedStatements() throws {
        let test = try TestDatabase(.postgres, migrate: false)
        let limit = PostgresConnection.maximumPrepared
        let (answers, onServer) = try test.database.read { connection -> ([Int], Int) in
            // An IN list of a different length each time: a new statement text each time.
            let answers = try (1...(limit + 20)).map { count in
                try connection.queryOne("SELECT COUNT(*) AS n FROM (VALUES (1)) v(x) WHERE x IN (\(Array(repeating: "?", count: count).joined(separator: ", ")))",
                                        Array(repeating: .integer(1), count: count))?["n"].int ?? -1
            }
            let onServer = try connection.queryOne("SELECT COUNT(*) AS n FROM pg_prepared_statements")?["n"].int ?? -1
            return (answers, onServer)
        }
        #expect(answers == Array(repeating: 1, count: limit + 20))
        #expect(onServer > 0 && onServer <= limit, "the server holds at most \(limit) of them (it held \(onServer))")
    }

    @Test("a prepared SELECT * still works after a migration adds a column to its table",
          .enabled(if: DatabaseKind.available.contains(.postgres)))
    func preparedAfterSchemaChange() throws {
        let test = try TestDatabase(.postgres, migrate: false)
        let columns = try test.database.read { connection -> [[String]] in
            try connection.executeScript("CREATE TABLE changing (a BIGINT); INSERT INTO changing VALUES (1);")
            let before = try connection.query("SELECT * FROM changing WHERE a = ?", [.integer(1)]).map(\.columns)
            try connection.executeScript("ALTER TABLE changing ADD COLUMN b TEXT NOT NULL DEFAULT 'x';")
            let after = try connection.query("SELECT * FROM changing WHERE a = ?", [.integer(1)]).map(\.columns)
            return before + after
        }
        #expect(columns == [["a"], ["a", "b"]])
    }

    @Test("reads work again after the server drops every connection (as in a restart)",
          .enabled(if: DatabaseKind.available.contains(.postgres)))
    func reconnect() throws {
        let base = ProcessInfo.processInfo.environment["MAPPA_TEST_POSTGRES_URL"] ?? ""
        let name = "reconnect_" + UUID().uuidString.prefix(8).lowercased()
        let database = try PostgresDatabase(url: base + (base.contains("?") ? "&" : "?") + "application_name=\(name)", poolSize: 3)
        #expect(database.ping())
        let admin = try PostgresDatabase(url: base, poolSize: 1)
        let terminated = try admin.read { connection in
            try connection.query("SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = ?",
                                 [.text(name)]).count
        }
        #expect(terminated == 3)
        #expect(try database.read { try $0.queryOne("SELECT 1 AS one")?["one"].int } == 1)
        #expect(database.ping())
        #expect(try database.write { try $0.queryOne("SELECT 2 AS two")?["two"].int } == 2)
    }
}
