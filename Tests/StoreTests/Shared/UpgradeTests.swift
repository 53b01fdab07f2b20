import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// Upgrading a database that holds records: made by an earlier release's migrations, filled through the stores, then
/// brought to this release's schema. Nothing may be lost, and a database from a newer release must be refused.
@Suite("Upgrades")
struct UpgradeTests {
    /// Every row of every table, as text, sorted: what must survive an upgrade unchanged.
    static func contents(_ database: Database) throws -> [String: [String]] {
        try database.read { connection in
            let tablesSQL = connection.dialect == .sqlite
                ? "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            var contents: [String: [String]] = [:]
            for table in try connection.query(tablesSQL).compactMap({ $0["t"].string }) {
                contents[table] = try connection.query("SELECT * FROM \(table)").map { row in
                    zip(row.columns, row.values).map { "\($0)=\($1)" }.joined(separator: "|")
                }.sorted()
            }
            return contents
        }
    }

    /// The same tables' rows after the upgrade, reading only the columns each had before.
    static func contents(_ database: Database, like before: [String: [String]]) throws -> [String: [String]] {
        try database.read { connection in
            var contents: [String: [String]] = [:]
            for table in before.keys {
                let rows = try connection.query("SELECT * FROM \(table)")
                let columnsBefore = Set((before[table]?.first ?? "").split(separator: "|").map { String($0.prefix { $0 != "=" }) })
                contents[table] = rows.map { row in
                    zip(row.columns, row.values).filter { before[table]!.isEmpty || columnsBefore.contains($0.0) }
                        .map { "\($0)=\($1)" }.joined(separator: "|")
                }.sorted()
            }
            return contents
        }
    }

    @Test("a database made by the migrations of five releases back, with records in it, upgrades in one step and keeps every row",
          arguments: DatabaseKind.available)
    func upgradeKeepsEverything(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind, migrate: false)
        let all = Schema.migrator
        let earlierVersion = all.migrations[all.migrations.count - 6].version
        // The records below are made by this release's stores, and a case registered writes a change event in the same
        // transaction: the table those go in comes first, and the upgrade brings the other migrations since.
        let changeEvents = try #require(all.migrations.first { $0.sql.contains("CREATE TABLE events_outbox") })
        let earlier = Migrator(all.upTo(earlierVersion).migrations + (changeEvents.version > earlierVersion ? [changeEvents] : []))
        try earlier.migrate(test.database)
        let upgrade = all.migrations.suffix(5).filter { $0.version != changeEvents.version }
        #expect(try all.plan(test.database).pending.map(\.version) == upgrade.map(\.version))

        // Records made through the stores, as the earlier release would have made them.
        let stores = Stores(database: test.database)
        try stores.agencies.seedAgencies()
        let coordinator = try stores.accounts.createUser(.init(
            username: "upgrade.coordinator", displayName: "Upgrade Coordinator", role: .coordinator, agencyCode: "mappa_unit",
            password: StoreWorld.password, mustChangePassword: false), by: .commandLine)
        _ = try stores.register.importRegister([
            CaseRegisterRow(nominalRef: "UP-1", familyName: "Upgradeson", givenNames: "Alex", dateOfBirth: CalendarDate("1979-05-01")!,
                            category: .two, level: .three, leadAgency: "probation", mappaStartDate: CalendarDate("2026-01-10")!,
                            nextReviewDate: CalendarDate("2027-01-10")!),
            CaseRegisterRow(nominalRef: "UP-2", familyName: "Keepsake", givenNames: "Sam", dateOfBirth: CalendarDate("1985-09-12")!,
                            category: .one, level: .one, leadAgency: "police", mappaStartDate: CalendarDate("2025-11-02")!),
        ], by: .system(SystemJob("upgrade test")))
        let before = try Self.contents(test.database)
        #expect((before["cases"]?.count ?? 0) == 2)
        #expect((before["audit_log"]?.count ?? 0) > 0)

        let applied = try all.migrate(test.database)
        #expect(applied.map(\.version) == upgrade.map(\.version))
        #expect(try all.plan(test.database).pending.isEmpty)
        #expect(try all.appliedVersions(test.database) == Set(all.migrations.map(\.version)))

        var after = try Self.contents(test.database, like: before)
        // The upgrade's own migrations are recorded beside the earlier ones.
        after["schema_migrations"] = after["schema_migrations"]?.filter { row in before["schema_migrations"]!.contains(row) }
        for table in before.keys.sorted() {
            #expect(after[table] == before[table], "rows of \(table) changed in the upgrade")
        }

        // This release's stores read and use what the earlier one wrote: the records, a sign-in (its throttle table
        // is new), and the audit chain, still intact.
        let upgraded = Stores(database: test.database)
        let viewer = Viewer(try #require(try upgraded.accounts.accounts.user(username: "upgrade.coordinator")), from: "192.0.2.1")
        #expect(viewer.user.id == coordinator.id)
        #expect(try upgraded.nominals.searchRecords("Upgradeson", for: viewer).count == 1)
        let caseID = try #require(try AreaWorld.caseID(test.database, ref: "UP-2"))
        let record = try #require(try test.database.read {
            try $0.queryOne(CaseRecord.self, "SELECT \(CaseRecord.columns) \(CaseRecord.tables) WHERE cases.id = ?", [.integer(caseID)])
        })
        #expect(record.level == ManagementLevel.one)
        if case .success = try upgraded.accounts.login(username: "upgrade.coordinator", password: StoreWorld.password,
                                                       clientAddress: "192.0.2.1") {} else {
            Issue.record("the upgraded account could not sign in")
        }
        guard case .intact = try upgraded.audit.verify() else { Issue.record("audit chain broken by the upgrade"); return }
    }

    @Test("a database migrated by a newer release is refused, naming both versions, and left unchanged", arguments: DatabaseKind.available)
    func newerDatabaseRefused(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let known = Schema.migrator.latestVersion
        try test.database.write { connection in
            try connection.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from a newer release', '2027-01-01T00:00:00Z')",
                                   [.integer(Int64(known + 3))])
        }
        // The release before: knows even less, and must refuse too.
        for migrator in [Schema.migrator, Schema.migrator.upTo(known - 1)] {
            do {
                try migrator.migrate(test.database)
                Issue.record("a newer database was migrated")
            } catch let refusal as Migrator.NewerDatabase {
                #expect(refusal.databaseVersion == known + 3)
                #expect(refusal.knownVersion == migrator.latestVersion)
                #expect(refusal.description.contains("schema version \(known + 3)"))
                #expect(refusal.description.contains("up to version \(migrator.latestVersion)"))
            }
            #expect(throws: Migrator.NewerDatabase.self) { try migrator.plan(test.database) }
        }
        #expect(try Schema.migrator.appliedVersions(test.database).count == Schema.migrations.count + 1)
    }

    @Test("every migration is transactional in both engines, so an upgrade can run as one transaction")
    func migrationsAreTransactional() {
        #expect(Schema.migrator.nonTransactionalStatements == [])
    }
}
