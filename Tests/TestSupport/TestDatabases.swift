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

/// A fresh, empty, migrated database that is removed when the last user of it is released: a temporary SQLite
/// file, or a new PostgreSQL schema selected through the connection's search_path. It is itself the `Database`
/// (forwarding to the real driver), so a service holding it keeps it alive.
public final class TestDatabase: Database, @unchecked Sendable {
    public let driver: Database
    public let kind: DatabaseKind
    private let cleanup: @Sendable () -> Void

    public var database: Database { self }
    public var dialect: SQLDialect { driver.dialect }
    @discardableResult public func read<T>(_ body: (Connection) throws -> T) throws -> T { try driver.read(body) }
    @discardableResult public func write<T>(_ body: (Connection) throws -> T) throws -> T { try driver.write(body) }
    public func ping() -> Bool { driver.ping() }
    public var isInsideWrite: Bool { driver.isInsideWrite }
    public func snapshot<T>(_ body: () throws -> T) throws -> T { try driver.snapshot(body) }
    public func renewSnapshot() throws { try driver.renewSnapshot() }
    public var poolStatistics: [PoolStatistics] { driver.poolStatistics }
    public func schemaChanged() { driver.schemaChanged() }

    public init(_ kind: DatabaseKind, migrate: Bool = true) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            driver = try SQLiteDatabase(path: directory.appendingPathComponent("test.sqlite").path, readers: 4)
            cleanup = { try? FileManager.default.removeItem(at: directory) }
        case .postgres:
            let base = ProcessInfo.processInfo.environment["MAPPA_TEST_POSTGRES_URL"] ?? ""
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try PostgresDatabase(url: base, poolSize: 1)
            _ = try admin.write { try $0.execute("CREATE SCHEMA \(schema)") }
            let separator = base.contains("?") ? "&" : "?"
            driver = try PostgresDatabase(url: base + separator + "options=-csearch_path%3D\(schema)", poolSize: 4)
            cleanup = { _ = try? admin.write { try $0.execute("DROP SCHEMA \(schema) CASCADE") } }
        }
        if migrate {
            try Schema.migrator.migrate(driver)
            try Stores(database: driver).agencies.seedAgencies()
        }
    }

    deinit { cleanup() }
}
