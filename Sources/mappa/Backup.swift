import Database
import Foundation
import Store

/// Backups of either engine: SQLite through its online backup API (consistent while the server runs);
/// PostgreSQL through pg_dump/pg_restore from Debian's postgresql-client, in pg_dump's custom format.
enum BackupCommand {
    static let help = """
        Usage: mappa backup --to FILE [--database LOCATION]
               mappa backup --into DIRECTORY [--keep N] [--database LOCATION]
               mappa restore --from FILE [--database LOCATION] --yes

        backup   writes a consistent copy while the server keeps running. --into names the copy after the time
                 (DIRECTORY/mappa-20260131-020000Z.sqlite, or .pgdump for PostgreSQL), creating the directory
                 (0700) if it is missing; --keep N then deletes all but the N newest copies so named there,
                 and nothing else (the daily mappa-backup.timer of the Debian package runs it this way).
        restore  replaces everything in the database with the backup's contents, then checks the result
                 (integrity and the audit chain). Stop the server first. --yes confirms you mean it.
        PostgreSQL needs pg_dump and pg_restore (Debian package postgresql-client).
        """

    static func backup(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") { print(help); return 0 }
        try arguments.allowOnly(["database", "to", "into", "keep"])
        let location = DatabaseLocation.resolve(arguments.value("database"))
        let keep = try arguments.value("keep").map { text in
            guard let count = Int(text), (1...10_000).contains(count) else {
                throw Arguments.UsageError(description: "--keep must be a number from 1 to 10000")
            }
            return count
        }
        let target: String
        switch (arguments.value("to"), arguments.value("into")) {
        case (let file?, nil) where keep == nil:
            target = file
        case (nil, let directory?) where !directory.isEmpty:
            target = try BackupDirectory(path: directory).newFile(postgres: DatabaseLocation.isPostgres(location))
        default:
            throw Arguments.UsageError(description: "give either --to FILE, or --into DIRECTORY (with --keep N if you like)")
        }
        // Written under a name no pruning matches, and renamed once complete: a failed run leaves no copy that
        // looks whole and deletes no older one.
        let partial = target + ".partial"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        if DatabaseLocation.isPostgres(location) {
            try runTool("pg_dump", ["--format=custom", "--no-owner", "--file", partial, "--dbname", location])
        } else {
            guard FileManager.default.fileExists(atPath: location) else {
                throw Arguments.UsageError(description: "there is no database at \(location)")
            }
            let database = try SQLiteDatabase(path: location, readers: 1)
            // Entries a running server has staged but not yet chained go into the chain, and so into the backup.
            // They are keyed as the server would have keyed them (a keyed chain refuses plain entries).
            try Stores(StoreContext(database: database, auditStaging: try AuditStaging.existing(besides: database),
                                    auditKeys: try AuditKeys.load(option: nil, location: location))).audit.moveStaged()
            try database.backup(to: partial)
        }
        if rename(partial, target) != 0 {
            throw ToolError(description: "could not rename the backup to \(target): \(String(cString: strerror(errno)))")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        print("backed up \(DatabaseLocation.redacted(location)) to \(target) (\(size / 1024) KB)")
        if let keep, let directory = arguments.value("into") {
            for old in try BackupDirectory(path: directory).prune(keeping: keep) {
                print("removed the older backup \(old)")
            }
        }
        return 0
    }

    static func restore(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help", "yes"])
        if arguments.has("help") { print(help); return 0 }
        try arguments.allowOnly(["database", "from", "yes"])
        let source = try arguments.required("from")
        guard FileManager.default.fileExists(atPath: source) else {
            throw Arguments.UsageError(description: "the backup file \(source) does not exist")
        }
        guard arguments.has("yes") else {
            throw Arguments.UsageError(description: "restore replaces every record in the database; add --yes to confirm")
        }
        let location = DatabaseLocation.resolve(arguments.value("database"))
        if DatabaseLocation.isPostgres(location) {
            try runTool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                                       "--dbname", location, source])
        } else {
            try SQLiteDatabase(path: location, readers: 1).restore(from: source)
        }
        let database = try DatabaseLocation.open(location, poolSize: 1)
        let versions = try Schema.migrator.appliedVersions(database)
        print("restored \(DatabaseLocation.redacted(location)) from \(source) (schema version \(versions.max() ?? 0))")
        // The restored chain is checked as it was backed up: entries a server left staged are chained into it at
        // the next start, after the migrations.
        let keys = try AuditKeys.load(option: nil, location: location)
        return AuditCommand.report(try Stores(StoreContext(database: database, auditKeys: keys)).audit.verification(keys: keys))
    }

    struct ToolError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a PostgreSQL client tool, passing its error output through (it names no row data).
    static func runTool(_ name: String, _ arguments: [String]) throws {
        let candidates = ["/usr/lib/postgresql/15/bin/\(name)", "/usr/bin/\(name)"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ToolError(description: "\(name) is not installed (apt-get install postgresql-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError(description: "\(name) failed (exit status \(process.terminationStatus)); nothing else was changed")
        }
    }
}

/// A directory of backups named by `mappa backup --into`: `mappa-YYYYMMDD-HHMMSSZ.sqlite` (or `.pgdump`), UTC, so
/// that their names sort by age and pruning never touches a file it did not name.
struct BackupDirectory {
    var path: String

    static func isBackupName(_ name: String) -> Bool {
        name.wholeMatch(of: #/mappa-[0-9]{8}-[0-9]{6}Z(-[0-9]+)?\.(sqlite|pgdump)/#) != nil
    }

    /// A new file name for a backup taken now (a second backup in the same second gets `-2`, `-3`, …); creates
    /// the directory, readable only by its owner, when it is missing.
    func newFile(postgres: Bool, now: Date = Date()) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        let stamp = String(format: "%04d%02d%02d-%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        let suffix = postgres ? "pgdump" : "sqlite"
        var candidate = "\(path)/mappa-\(stamp).\(suffix)"
        var count = 1
        while FileManager.default.fileExists(atPath: candidate) {
            count += 1
            candidate = "\(path)/mappa-\(stamp)-\(count).\(suffix)"
        }
        return candidate
    }

    /// Deletes all but the `keeping` newest backups named by `newFile`; returns the paths it deleted.
    func prune(keeping: Int) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter(Self.isBackupName)
            .sorted { Self.order($0) > Self.order($1) }
        var removed: [String] = []
        for name in names.dropFirst(keeping) {
            try FileManager.default.removeItem(atPath: "\(path)/\(name)")
            removed.append("\(path)/\(name)")
        }
        return removed
    }

    /// Time first, then the same-second counter as a number (`-10` after `-9`; none before `-2`).
    private static func order(_ name: String) -> (String, Int) {
        let stamp = String(name.dropFirst("mappa-".count).prefix(16))
        let rest = name.dropFirst("mappa-".count + 16)
        let counter = rest.hasPrefix("-") ? Int(rest.dropFirst().prefix { $0.isNumber }) ?? 1 : 1
        return (stamp, counter)
    }
}
