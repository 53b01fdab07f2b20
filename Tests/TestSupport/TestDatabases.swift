import Database
import Foundation
import Store

/// The database engines a storage or request test runs against: SQLite always, PostgreSQL whenever
/// `MAPPA_TEST_POSTGRES_URL` names a server (`make test` always starts one), so one suite covers both.
public enum DatabaseKind: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    public static var available: [DatabaseKind] {
        ProcessInfo.processInfo.environment["MAPPA_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true
            ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// A fresh, empty, migrated database that is removed when the value is released: a temporary SQLite file, or a
/// new PostgreSQL schema selected through the connection's search_path.
public final class TestDatabase: @unchecked Sendable {
    public let database: Database
    public let kind: DatabaseKind
    private let cleanup: () -> Void

    public init(_ kind: DatabaseKind, migrate: Bool = true) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            database = try SQLiteDatabase(path: directory.appendingPathComponent("test.sqlite").path, readers: 4)
            cleanup = { try? FileManager.default.removeItem(at: directory) }
        case .postgres:
            let base = ProcessInfo.processInfo.environment["MAPPA_TEST_POSTGRES_URL"] ?? ""
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try PostgresDatabase(url: base, poolSize: 1)
            _ = try admin.write { try $0.execute("CREATE SCHEMA \(schema)") }
            let separator = base.contains("?") ? "&" : "?"
            database = try PostgresDatabase(url: base + separator + "options=-csearch_path%3D\(schema)", poolSize: 4)
            cleanup = { _ = try? admin.write { try $0.execute("DROP SCHEMA \(schema) CASCADE") } }
        }
        if migrate {
            try Schema.migrator.migrate(database)
            try AccountStore(database: database).seedAgencies()
        }
    }

    deinit { cleanup() }
}
