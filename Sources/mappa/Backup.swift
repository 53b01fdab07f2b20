import Database
import Foundation
import Store

/// Backups of either engine: SQLite through its online backup API (consistent while the server runs);
/// PostgreSQL through pg_dump/pg_restore from Debian's postgresql-client, in pg_dump's custom format.
enum BackupCommand {
    static let help = """
        Usage: mappa backup --to FILE [--database LOCATION]
               mappa restore --from FILE [--database LOCATION] --yes

        backup   writes a consistent copy while the server keeps running.
        restore  replaces everything in the database with the backup's contents, then checks the result
                 (integrity and the audit chain). Stop the server first. --yes confirms you mean it.
        PostgreSQL needs pg_dump and pg_restore (Debian package postgresql-client).
        """

    static func backup(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") { print(help); return 0 }
        try arguments.allowOnly(["database", "to"])
        let target = try arguments.required("to")
        let location = DatabaseLocation.resolve(arguments.value("database"))
        if DatabaseLocation.isPostgres(location) {
            try runTool("pg_dump", ["--format=custom", "--no-owner", "--file", target, "--dbname", location])
        } else {
            guard FileManager.default.fileExists(atPath: location) else {
                throw Arguments.UsageError(description: "there is no database at \(location)")
            }
            let database = try SQLiteDatabase(path: location, readers: 1)
            // Entries a running server has staged but not yet chained go into the chain, and so into the backup.
            // They are keyed as the server would have keyed them (a keyed chain refuses plain entries).
            try Stores(StoreContext(database: database, auditStaging: try AuditStaging.existing(besides: database),
                                    auditKeys: try AuditKeys.load(option: nil, location: location))).audit.moveStaged()
            try database.backup(to: target)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        print("backed up \(DatabaseLocation.redacted(location)) to \(target) (\(size / 1024) KB)")
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
