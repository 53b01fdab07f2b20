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

    @Test("a failing migration is rolled back and names its version", arguments: DatabaseKind.available)
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
        }
        #expect(try migrator.appliedVersions(database) == [1])
        // Table b was rolled back with the failed migration.
        #expect(throws: DatabaseError.self) { try database.read { try $0.query("SELECT * FROM b") } }
    }
}

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

@Suite("SQLite specifics")
struct SQLiteSpecificTests {
    @Test("an online backup opens and holds the same rows; the integrity check passes")
    func backup() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("live.sqlite").path)
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)") }
        try database.write { try $0.execute("INSERT INTO t (name) VALUES (?), (?)", ["a", "b"]) }
        let copyPath = directory.appendingPathComponent("copy.sqlite").path
        try database.backup(to: copyPath)
        let copy = try SQLiteDatabase(path: copyPath)
        #expect(try copy.read { try $0.query("SELECT name FROM t ORDER BY id").compactMap { $0["name"].string } } == ["a", "b"])
        #expect(try copy.integrityCheck())
    }
}

@Suite("SQLite snapshots and the write-ahead log")
struct SQLiteSnapshotTests {
    func open(readers: Int = 4) throws -> (SQLiteDatabase, String, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("db.sqlite").path
        let database = try SQLiteDatabase(path: path, readers: readers)
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)") }
        return (database, path, directory)
    }

    /// Commits `sql` from another thread (so on the writer, not on this thread's snapshot) and waits for it.
    func commitOnAnotherThread(_ database: SQLiteDatabase, _ sql: String) {
        let done = DispatchSemaphore(value: 0)
        Thread {
            _ = try? database.write { try $0.execute(sql) }
            done.signal()
        }.start()
        done.wait()
    }

    @Test("a snapshot sees one state of the database while another thread commits; a renewed one sees the commit")
    func consistentSnapshot() throws {
        let (database, _, directory) = try open()
        defer { try? FileManager.default.removeItem(at: directory) }
        try database.write { try $0.execute("INSERT INTO t (name) VALUES ('a')") }
        let counts = try database.snapshot { () -> [Int] in
            let count = { try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t")?["n"].int ?? -1 } }
            let first = try count()
            commitOnAnotherThread(database, "INSERT INTO t (name) VALUES ('b')")
            let during = try count()
            try database.renewSnapshot()
            return [first, during, try count()]
        }
        #expect(counts == [1, 1, 2])
    }

    @Test("a kept value is made once per snapshot while nothing changes, again after a commit, and every time outside a read transaction")
    func keptWhileUnchanged() throws {
        // One reader, so every snapshot below is on the same connection and finds what it kept.
        let (database, _, directory) = try open(readers: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        try database.write { try $0.execute("INSERT INTO t (name) VALUES ('a')") }
        var made = 0
        let names = { (connection: Connection) throws -> [String] in
            try connection.keptWhileUnchanged("names") {
                made += 1
                return try connection.query("SELECT name FROM t ORDER BY name").map { $0["name"].string ?? "" }
            }
        }
        let read = { try database.read { connection -> [String] in
            _ = try connection.query("SELECT COUNT(*) AS n FROM t") // the read transaction has begun: it has read the file
            return try names(connection)
        } }
        let seen = try database.snapshot { () -> [[String]] in
            let first = try read()
            let again = try read()
            #expect(made == 1, "made once while the snapshot is unchanged")
            commitOnAnotherThread(database, "INSERT INTO t (name) VALUES ('b')")
            let during = try read()
            #expect(made == 1, "another connection's commit is not in this snapshot, nor is a new list made")
            try database.renewSnapshot()
            let renewed = try read()
            #expect(made == 2, "a new snapshot after the commit makes it again")
            _ = try read()
            #expect(made == 2)
            return [first, again, during, renewed]
        }
        #expect(seen == [["a"], ["a"], ["a"], ["a", "b"]])
        _ = try database.read { try names($0) }
        _ = try database.read { try names($0) }
        #expect(made == 4, "outside a read transaction it is made every time")
        let inWrite = try database.write { connection -> [String] in
            try connection.execute("INSERT INTO t (name) VALUES ('c')")
            return try names(connection)
        }
        #expect(inWrite == ["a", "b", "c"] && made == 5, "a write transaction sees its own change, made afresh")
        #expect(try database.snapshot { try read() } == ["a", "b", "c"], "the next snapshot sees the commit")
        #expect(made == 6)
    }

    @Test("a snapshot holds a reader only while it reads: renewed, it gives the reader back for others to use")
    func renewedSnapshotGivesTheReaderBack() throws {
        let (database, _, directory) = try open(readers: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        try database.write { try $0.execute("INSERT INTO t (name) VALUES ('a')") }
        let count: @Sendable () throws -> Int = { try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t")?["n"].int ?? -1 } }
        // With the only reader held by this thread's snapshot, another thread's read would wait for it; once the
        // snapshot is renewed (as a thread about to wait for its audit commit does), the other read goes ahead.
        let otherRead = { (waitingAtMost: Double) -> Bool in
            let done = DispatchSemaphore(value: 0)
            Thread {
                _ = try? count()
                done.signal()
            }.start()
            return done.wait(timeout: .now() + waitingAtMost) == .success
        }
        let seen = try database.snapshot { () -> [Int] in
            let before = try count()
            #expect(!otherRead(0.3), "the snapshot's reader is in use")
            try database.renewSnapshot()
            #expect(otherRead(5), "a renewed snapshot holds no reader until it reads again")
            try database.write { try $0.execute("INSERT INTO t (name) VALUES ('b')") }
            return [before, try count()]
        }
        #expect(seen == [1, 2], "the reads after the renewal see what was committed since")
        #expect(otherRead(5), "the reader is back in the pool after the snapshot")
    }

    @Test("the log stays bounded while readers hold snapshots all the time (no checkpoint starvation)")
    func logStaysBounded() throws {
        let (database, path, directory) = try open()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stop = LockedBox(false)
        let readers = (0..<3).map { _ in
            Thread {
                while !stop.get() {
                    try? database.snapshot {
                        _ = try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t") }
                        usleep(2000)
                        _ = try database.read { try $0.queryOne("SELECT MAX(id) AS m FROM t") }
                    }
                }
            }
        }
        readers.forEach { $0.start() }
        let filler = String(repeating: "x", count: 3000)
        for index in 0..<12000 {
            try database.write { try $0.execute("INSERT INTO t (name) VALUES (?)", [.text("\(index) \(filler)")]) }
        }
        stop.set(true)
        while readers.contains(where: { !$0.isFinished }) { usleep(1000) }
        let logBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        // 12,000 commits of a 3 kB row write about 12,000 pages (49 MB) of log. Restarted at 1,000 frames it stays
        // a few megabytes; the file keeps its largest size, and when a reader outlasts a restart's wait (busy
        // machines, seen up to 5,000 frames) the log grows to the next threshold before the next try.
        #expect(logBytes < 28_000_000, "the log is \(logBytes) bytes")
        #expect(try database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM t")?["n"].int } == 12000)
        #expect(try database.integrityCheck())
    }

    @Test("result column names are made again when a schema change re-prepares a cached SELECT *")
    func columnNamesAfterSchemaChange() throws {
        let (database, _, directory) = try open()
        defer { try? FileManager.default.removeItem(at: directory) }
        try database.write { try $0.execute("INSERT INTO t (name) VALUES ('a')") }
        let before = try database.write { try $0.query("SELECT * FROM t").map(\.columns) }
        try database.write { try $0.executeScript("ALTER TABLE t RENAME COLUMN name TO label; ALTER TABLE t ADD COLUMN extra TEXT;") }
        let after = try database.write { try $0.query("SELECT * FROM t").map(\.columns) }
        #expect(before == [["id", "name"]])
        #expect(after == [["id", "label", "extra"]])
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
