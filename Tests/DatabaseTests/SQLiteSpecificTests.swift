import Foundation
import Testing
import TestSupport
@testable import Database

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
