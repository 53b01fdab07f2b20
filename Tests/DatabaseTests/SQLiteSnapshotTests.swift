import Foundation
import Testing
import TestSupport
@testable import Database

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
