import Database
import Foundation
import Store

/// What happens before a schema upgrade: a database migrated by a newer release is refused, and one with data in it
/// is backed up before the first pending migration runs (then they all run in one transaction, `Migrator.migrate`).
enum Upgrade {
    /// The file the SQLite backup before an upgrade goes to: beside the database, named with the date and time (UTC)
    /// and the schema versions from and to, e.g. `mappa.sqlite-before-upgrade-2026-12-07T231500Z-v25-to-v27`.
    static func backupPath(besides path: String, at date: Date, from: Int, to: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d-%02d-%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!,
                           parts.hour!, parts.minute!, parts.second!)
        return "\(path)-before-upgrade-\(stamp)-v\(from)-to-v\(to)"
    }

    /// Refuses a newer database (`Migrator.NewerDatabase`); when migrations are pending on a database that holds
    /// data, backs it up first: SQLite with the online backup API beside the file; PostgreSQL with pg_dump to
    /// `pgDump` when given, else says how to take one. Lines go to `report` (stdout for `mappa migrate`, stderr
    /// for other commands). Returns the backup's path, if one was written.
    @discardableResult
    static func prepare(_ database: Database, location: String, pgDump: String?, migrator: Migrator,
                        report: (String) -> Void) throws -> String? {
        let plan = try migrator.plan(database)
        guard !plan.pending.isEmpty, !plan.isNew else { return nil }
        let from = plan.currentVersion, to = migrator.latestVersion
        if let sqlite = database as? SQLiteDatabase {
            let target = backupPath(besides: sqlite.path, at: Date(), from: from, to: to)
            try sqlite.backup(to: target)
            report("backed up the database (schema version \(from)) to \(target) before upgrading it to version \(to)")
            return target
        }
        if let pgDump {
            try BackupCommand.runTool("pg_dump", ["--format=custom", "--no-owner", "--file", pgDump, "--dbname", location])
            report("backed up the database (schema version \(from)) with pg_dump to \(pgDump) before upgrading it to version \(to)")
            return pgDump
        }
        report("""
            upgrading PostgreSQL from schema version \(from) to \(to) without a backup by mappa; to take one first, stop \
            and run: pg_dump --format=custom --no-owner --file mappa-before-v\(to).dump --dbname '\(DatabaseLocation.redacted(location))' \
            (or mappa migrate --pg-dump FILE)
            """)
        return nil
    }
}
