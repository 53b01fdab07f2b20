import Foundation
import Testing
import TestSupport
@testable import Database

/// The bulk writes imports use (COPY on PostgreSQL, many rows a statement on SQLite) store exactly what a row-at-a-time
/// insert would, on both engines.
@Suite("Bulk loads")
struct BulkLoadTests {
    func table(_ database: Database) throws {
        try database.write { connection in
            try connection.executeScript(Migration(0, "t", """
                CREATE TABLE things (id {{ID}}, name TEXT NOT NULL UNIQUE, amount BIGINT, ratio DOUBLE PRECISION,
                                     data {{BLOB}}, parent_id BIGINT REFERENCES things(id), version BIGINT NOT NULL DEFAULT 1);
                """).sql(for: connection.dialect))
        }
    }

    func names(_ database: Database) throws -> [String] {
        try database.read { try $0.query("SELECT name FROM things ORDER BY id").map { $0["name"].string ?? "?" } }
    }

    /// Text a COPY line would misread unless escaped: its delimiters, its escape character, its NULL marker.
    static let awkward = ["tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "Zoë O'Brien – “quoted” ✓", "", " ",
                          "ends with a backslash\\", "\\x41"]

    @Test("every value type arrives intact, with tabs, newlines, backslashes and a literal \\N in text, and NULLs as NULL", arguments: DatabaseKind.available)
    func roundTrip(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let bytes: [UInt8] = [0, 1, 92, 9, 10, 255, 128]
        let rows: [[SQLValue]] = Self.awkward.enumerated().map { index, name in
            [.text(name), index == 0 ? .null : .integer(9_007_199_254_740_993 - Int64(index)), .real(0.25 * Double(index)),
             index == 1 ? .blob(bytes) : .null]
        }
        let added = try database.write { connection in
            try connection.insertMany(into: "things", columns: ["name", "amount", "ratio", "data"], rows: rows, skippingDuplicates: false)
        }
        #expect(added == Self.awkward.count)
        #expect(try names(database) == Self.awkward)
        let stored = try database.read { try $0.query("SELECT amount, ratio, data FROM things ORDER BY id") }
        #expect(stored[0]["amount"].isNull)
        #expect(stored[2]["amount"].int64 == 9_007_199_254_740_991)
        #expect(stored[3]["ratio"].double == 0.75)
        #expect(stored[1]["data"].bytes == bytes)
        #expect(stored[2]["data"].isNull)
    }

    @Test("more rows than one statement or one COPY buffer holds all arrive, in order", arguments: DatabaseKind.available)
    func manyRows(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let rows: [[SQLValue]] = (0..<12_345).map { [.text("person \($0) " + String(repeating: "x", count: 20)), .integer(Int64($0))] }
        let added = try database.write { connection in
            try connection.insertMany(into: "things", columns: ["name", "amount"], rows: rows, skippingDuplicates: false)
        }
        #expect(added == 12_345)
        let total = try database.read { try $0.queryOne("SELECT COUNT(*) AS n, SUM(amount) AS total FROM things") }
        #expect(total?["n"].int == 12_345)
        #expect(total?["total"].int64 == Int64(12_344 * 12_345 / 2))
    }

    @Test("skipping duplicates leaves out rows already there or twice in the load, and counts only those added", arguments: DatabaseKind.available)
    func skippingDuplicates(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        try database.write { connection in
            try connection.insertMany(into: "things", columns: ["name"], rows: [[.text("kept")]], skippingDuplicates: false)
        }
        let added = try database.write { connection in
            try connection.insertMany(into: "things", columns: ["name", "amount"],
                                      rows: [[.text("kept"), .integer(5)], [.text("new"), .integer(6)], [.text("new"), .integer(7)]],
                                      skippingDuplicates: true)
        }
        #expect(added == 1)
        #expect(try names(database) == ["kept", "new"])
        let kept = try database.read { try $0.queryOne("SELECT amount FROM things WHERE name = 'kept'") }
        #expect(kept?["amount"].isNull == true)
        // Without skipping, a duplicate fails the whole load and the transaction keeps nothing of it.
        #expect(throws: DatabaseError.self) {
            try database.write { connection in
                try connection.insertMany(into: "things", columns: ["name"], rows: [[.text("third")], [.text("kept")]], skippingDuplicates: false)
            }
        }
        #expect(try names(database) == ["kept", "new"])
    }

    @Test("update many sets each row by its key and leaves the others", arguments: DatabaseKind.available)
    func updateMany(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let ids = try database.write { connection in
            let ids = try connection.reserveIDs(in: "things", count: 3)
            try connection.insertMany(into: "things", columns: ["id", "name"], rows: ids.enumerated().map { [.integer($1), .text("n\($0)")] },
                                      skippingDuplicates: false)
            return ids
        }
        #expect(Set(ids).count == 3)
        let updated = try database.write { connection in
            try connection.updateMany("things", key: "id", columns: ["name", "amount", "version"],
                                      rows: [[.integer(ids[0]), .text("first\tchanged"), .integer(10), .integer(2)],
                                             [.integer(ids[2]), .text("third"), .null, .integer(5)]])
        }
        #expect(updated == 2)
        let rows = try database.read { try $0.query("SELECT name, amount, version FROM things ORDER BY id") }
        #expect(rows.map { $0["name"].string } == ["first\tchanged", "n1", "third"])
        #expect(rows.map { $0["version"].int } == [2, 1, 5])
        #expect(rows[0]["amount"].int == 10)
        #expect(rows[2]["amount"].isNull)
    }

    @Test("ids reserved for a load are never handed out again, by a later reservation or a plain insert", arguments: DatabaseKind.available)
    func reservedIDs(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let reserved = try database.write { connection in
            let ids = try connection.reserveIDs(in: "things", count: 4)
            try connection.insertMany(into: "things", columns: ["id", "name"], rows: ids.map { [.integer($0), .text("r\($0)")] },
                                      skippingDuplicates: false)
            return ids
        }
        let later = try database.write { connection in
            let next = try connection.reserveIDs(in: "things", count: 2)
            try connection.insertMany(into: "things", columns: ["id", "name"], rows: next.map { [.integer($0), .text("s\($0)")] },
                                      skippingDuplicates: false)
            return next + [try connection.insert("INSERT INTO things (name) VALUES (?)", [.text("plain")])]
        }
        #expect(Set(reserved).isDisjoint(with: later))
        #expect(Set(later).count == 3)
    }

    @Test("text holding a NUL is never cut short: SQLite keeps it whole; on PostgreSQL the whole load is refused and the connection carries on", arguments: DatabaseKind.available)
    func nul(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let load = {
            try database.write { connection in
                try connection.insertMany(into: "things", columns: ["name"], rows: [[.text("fine")], [.text("cut\u{0}short")]],
                                          skippingDuplicates: false)
            }
        }
        if kind == .sqlite {
            try load()
            #expect(try names(database) == ["fine", "cut\u{0}short"])
            return
        }
        #expect(throws: DatabaseError.self) { try load() }
        #expect(try names(database) == [])
        try database.write { connection in
            try connection.insertMany(into: "things", columns: ["name"], rows: [[.text("after")]], skippingDuplicates: false)
        }
        #expect(try names(database) == ["after"])
    }
}
