import Foundation
import Testing
import TestSupport
@testable import Database

/// The same behaviour from both drivers: the app's SQL must mean the same on SQLite and PostgreSQL.
@Suite("Database drivers")
struct DriverTests {
    func table(_ database: Database) throws {
        try database.write { connection in
            try connection.executeScript(Migration(0, "t", """
                CREATE TABLE things (id {{ID}}, name TEXT NOT NULL UNIQUE, amount BIGINT, ratio DOUBLE PRECISION,
                                     data {{BLOB}}, parent_id BIGINT REFERENCES things(id));
                """).sql(for: connection.dialect))
        }
    }

    @Test("every value type round-trips, including Unicode text and bytes with zeros", arguments: DatabaseKind.available)
    func roundTrip(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let bytes: [UInt8] = [0, 1, 2, 0, 255, 128]
        let id = try database.write { connection in
            try connection.insert("INSERT INTO things (name, amount, ratio, data) VALUES (?, ?, ?, ?)",
                                  [.text("Zoë O'Brien – “quoted” ✓"), .integer(9_007_199_254_740_993), .real(0.25), .blob(bytes)])
        }
        #expect(id > 0)
        let row = try #require(try database.read { try $0.queryOne("SELECT * FROM things WHERE id = ?", [.integer(id)]) })
        #expect(row["name"].string == "Zoë O'Brien – “quoted” ✓")
        #expect(row["amount"].int64 == 9_007_199_254_740_993)
        #expect(row["ratio"].double == 0.25)
        #expect(row["data"].bytes == bytes)
        #expect(row["parent_id"].isNull)
        let count = try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM things")?["n"].int }
        #expect(count == 1)
    }

    @Test("text holding a NUL is never cut short: SQLite keeps it whole, PostgreSQL (which cannot store it) refuses it", arguments: DatabaseKind.available)
    func nulNeverTruncates(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let write = {
            try database.write { connection in
                try connection.insert("INSERT INTO things (name) VALUES (?)", [.text("before\u{0}after")])
            }
        }
        switch kind {
        case .sqlite:
            let id = try write()
            let row = try #require(try database.read { try $0.queryOne("SELECT name FROM things WHERE id = ?", [.integer(id)]) })
            #expect(row["name"].string == "before\u{0}after")
        default:
            #expect(throws: DatabaseError.self) { try write() }
            let count = try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM things")?["n"].int }
            #expect(count == 0)
        }
    }

    @Test("rows handed over one at a time arrive in order; an error from the caller stops the query and the connection carries on", arguments: DatabaseKind.available)
    func rowByRow(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        try database.write { connection in
            for amount in 1...5 {
                try connection.execute("INSERT INTO things (name, amount) VALUES (?, ?)", [.text("n\(amount)"), .integer(Int64(amount))])
            }
        }
        let sql = "SELECT name, amount FROM things WHERE amount >= ? ORDER BY amount"
        let (seen, stoppedAt, again) = try database.read { connection -> ([String], Int, [String]) in
            var seen: [String] = []
            try connection.forEachRow(sql, [.integer(2)]) { seen.append($0["name"].string ?? "") }
            struct Enough: Error {}
            var stoppedAt = 0
            do {
                try connection.forEachRow(sql, [.integer(1)]) { row in
                    stoppedAt = row["amount"].int ?? 0
                    if stoppedAt == 3 { throw Enough() }
                }
            } catch is Enough {}
            return (seen, stoppedAt, try connection.query(sql, [.integer(4)]).map { $0["name"].string ?? "" })
        }
        #expect(seen == ["n2", "n3", "n4", "n5"])
        #expect(stoppedAt == 3, "no row after the one whose handler threw")
        #expect(again == ["n4", "n5"], "the same statement runs again afterwards")
    }

    @Test("a write that throws leaves nothing behind", arguments: DatabaseKind.available)
    func rollback(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try database.write { connection in
                try connection.execute("INSERT INTO things (name) VALUES (?)", ["first"])
                throw Stop()
            }
        }
        #expect(try database.read { try $0.query("SELECT * FROM things") }.isEmpty)
    }

    @Test("constraint violations are reported as such, without the values that caused them", arguments: DatabaseKind.available)
    func constraint(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        try database.write { try $0.execute("INSERT INTO things (name) VALUES (?)", ["Secret Name"]) }
        do {
            try database.write { try $0.execute("INSERT INTO things (name) VALUES (?)", ["Secret Name"]) }
            Issue.record("duplicate accepted")
        } catch let error as DatabaseError {
            #expect(error.code == .constraint)
            #expect(!error.description.contains("Secret Name"))
        }
        do {
            try database.write { try $0.execute("INSERT INTO things (name, parent_id) VALUES (?, ?)", ["child", 424242]) }
            Issue.record("dangling foreign key accepted")
        } catch let error as DatabaseError {
            #expect(error.code == .constraint)
        }
    }

    @Test("on SQLite a statement that fails inside a write undoes only its own changes, from a journal kept in memory")
    func statementRollback() throws {
        let database = try TestDatabase(.sqlite, migrate: false)
        try table(database)
        let filler = String(repeating: "x", count: 1000)
        try database.write { connection in
            #expect(try connection.queryOne("PRAGMA temp_store")?["temp_store"].int == 2,
                    "statement journals in memory: on file, a 100,000-row import wrote them 1.8 million times")
            for index in 0..<200 {
                try connection.execute("INSERT INTO things (name) VALUES (?)", [.text("\(index) \(filler)")])
            }
            // Every row changed, then the foreign key fails: the statement is undone, the transaction goes on.
            #expect(throws: DatabaseError.self) {
                try connection.execute("UPDATE things SET amount = 1, parent_id = CASE WHEN id = 150 THEN 999999 END")
            }
            try connection.execute("UPDATE things SET amount = 2 WHERE id = 1")
        }
        let amounts = try database.read { try $0.query("SELECT amount FROM things ORDER BY id").map { $0["amount"].int } }
        #expect(amounts.count == 200)
        #expect(amounts.first == 2)
        #expect(amounts.dropFirst().allSatisfy { $0 == nil }, "nothing of the failed statement is left")
    }

    @Test("a read inside a write sees the write's own changes; nested writes are refused", arguments: DatabaseKind.available)
    func readInsideWrite(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        try database.write { connection in
            try connection.execute("INSERT INTO things (name) VALUES (?)", ["inside"])
            let seen = try database.read { try $0.query("SELECT name FROM things") }
            #expect(seen.map { $0["name"].string } == ["inside"])
            #expect(throws: DatabaseError.self) { try database.write { _ in } }
        }
    }

    @Test("readers are not blocked while a write transaction is open", arguments: DatabaseKind.available)
    func concurrentReaders(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        try database.write { try $0.execute("INSERT INTO things (name) VALUES (?)", ["committed"]) }
        let writerInside = DispatchSemaphore(value: 0)
        let readerDone = DispatchSemaphore(value: 0)
        let seen = LockedBox<[String]>([])
        let thread = Thread {
            try? database.write { connection in
                try connection.execute("INSERT INTO things (name) VALUES (?)", ["uncommitted"])
                writerInside.signal()
                _ = readerDone.wait(timeout: .now() + 5)
            }
        }
        thread.start()
        writerInside.wait()
        let names = try database.read { try $0.query("SELECT name FROM things ORDER BY name").compactMap { $0["name"].string } }
        seen.set(names)
        readerDone.signal()
        #expect(seen.get() == ["committed"])
    }

    @Test("inside a snapshot nested reads use one connection; this thread's own write is seen by the reads after it",
          arguments: DatabaseKind.available)
    func snapshotReadsOwnWrites(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        try database.write { try $0.execute("INSERT INTO things (name) VALUES (?)", ["first"]) }
        let names = try database.snapshot { () -> [[String]] in
            let before = try database.read { try $0.query("SELECT name FROM things ORDER BY name").compactMap { $0["name"].string } }
            try database.write { try $0.execute("INSERT INTO things (name) VALUES (?)", ["second"]) }
            let after = try database.read { outer in
                try database.read { inner -> [String] in
                    if kind == .sqlite { #expect(outer === inner, "a nested read uses the connection the snapshot holds") }
                    return try inner.query("SELECT name FROM things ORDER BY name").compactMap { $0["name"].string }
                }
            }
            return [before, after]
        }
        #expect(names == [["first"], ["first", "second"]])
    }

    @Test("many threads writing at once all land", arguments: DatabaseKind.available)
    func concurrentWrites(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        try table(database)
        let failures = LockedBox(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<25 {
                do {
                    try database.write { try $0.execute("INSERT INTO things (name) VALUES (?)", [.text("\(worker)-\(index)")]) }
                } catch {
                    failures.set(failures.get() + 1)
                }
            }
        }
        #expect(failures.get() == 0)
        #expect(try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM things")?["n"].int } == 200)
    }

    @Test("a failing migration rolls back the whole upgrade and names its version", arguments: DatabaseKind.available)
    func failingMigration(kind: DatabaseKind) throws {
        let database = try TestDatabase(kind, migrate: false)
        let migrator = Migrator([
            Migration(1, "good", "CREATE TABLE a (id {{ID}});"),
            Migration(2, "bad", "CREATE TABLE b (id {{ID}}); CREATE TABLE a (id {{ID}});"),
        ])
        do {
            try migrator.migrate(database)
            Issue.record("bad migration applied")
        } catch let error as DatabaseError {
            #expect(error.code == .migration)
            #expect(error.description.contains("migration 2 (bad)"))
            #expect(error.description.contains("none of this upgrade's migrations was applied"))
        }
        // All pending migrations run in one transaction: the good one before the failure is rolled back with it.
        #expect(try migrator.appliedVersions(database) == [])
        #expect(throws: DatabaseError.self) { try database.read { try $0.query("SELECT * FROM a") } }
        #expect(throws: DatabaseError.self) { try database.read { try $0.query("SELECT * FROM b") } }
    }
}

/// A value shared between test threads.
final class LockedBox<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ newValue: T) { lock.lock(); value = newValue; lock.unlock() }
}
