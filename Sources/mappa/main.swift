import Database
import Domain
import Foundation
import HTTPServer
import Store
import WebApp

/// `mappa`: the MAPPA Coordinator command line. Each subcommand prints its own help with --help.
struct CommandLineTool {
    static let usage = """
        Usage: mappa <command> [options]

        Commands:
          serve          Run the web server
          migrate        Bring the database schema up to date
          user add       Add a user account
          token create   Create an API token for a user (printed once)
          demo           Create synthetic demo data and demo sign-ins (never real people)
          audit verify   Check the audit trail's hash chain (and its signed checkpoints) and report the first problem
          audit key      Create (or --rotate) the secret key file that keys the audit chain, beside the database
          import cases   Import the case register CSV (all-or-nothing, every bad row listed)
          import events  Import annual-report events CSV (all-or-nothing, re-import counts nothing twice)
          export cases   Export the case register CSV
          backup         Write a consistent copy of the database (SQLite or PostgreSQL)
          restore        Replace the database's contents from a backup
          mail           Mail settings, test message, outbox status, retry and delivery
          actions remind Queue action reminders and today's overdue digest now
          stats annual   The MAPPA annual report tables for a reporting year (csv, json or xlsx), for all areas or one
          stats areas    The MAPPA areas of a regional database; also area-add, area-population, areas-compared

        Common option:
          --database LOCATION   SQLite file path or postgres:// URL
                                (default: $MAPPA_DATABASE_URL, else \(DatabaseLocation.defaultSQLitePath))

        Run 'mappa <command> --help' for the options of one command.
        """

    static func main() -> Int32 {
        var words = Array(CommandLine.arguments.dropFirst())
        guard let command = words.first, command != "--help", command != "-h", command != "help" else {
            print(usage)
            return words.isEmpty ? 2 : 0
        }
        words.removeFirst()
        do {
            switch command {
            case "serve": return try Serve.run(words)
            case "migrate": return try Migrate.run(words)
            case "user": return try UserCommand.run(words)
            case "token": return try TokenCommand.run(words)
            case "demo": return try Demo.run(words)
            case "audit": return try AuditCommand.run(words)
            case "import" where words.first == "events": return try StatsCommand.runImportEvents(words)
            case "import": return try RegisterCommand.runImport(words)
            case "export": return try RegisterCommand.runExport(words)
            case "backup": return try BackupCommand.backup(words)
            case "restore": return try BackupCommand.restore(words)
            case "mail": return try MailCommand.run(words)
            case "actions": return try ActionsCommand.run(words)
            case "stats": return try StatsCommand.run(words)
            default:
                printError("unknown command '\(command)'\n\n\(usage)")
                return 2
            }
        } catch let error as Arguments.UsageError {
            printError("\(error.description). Run 'mappa \(command) --help'.")
            return 2
        } catch let failure as DomainError where failure.isValidation {
            for problem in failure.problems { printError("\(problem.field): \(problem.message)") }
            return 1
        } catch let error as CustomStringConvertible {
            printError(error.description)
            return 1
        } catch {
            printError("failed: \(type(of: error))")
            return 1
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("mappa: \(message)\n".utf8))
}

/// The stores for a command, made once (`Stores`), on the database named by --database (or the environment, or the
/// default file), opened and migrated (`openMigratedDatabase`).
func openStores(_ arguments: Arguments) throws -> (Stores, String) {
    let (database, location) = try openMigratedDatabase(arguments, quiet: true)
    let keys = try AuditKeys.load(option: nil, location: location)
    let stores = Stores(StoreContext(database: database, auditKeys: keys, auditCheckpoints: AuditKeys.checkpointFile(option: nil, location: location)),
                        outboxPolicy: OutboxPolicy.fromEnvironment())
    try prepare(stores)
    commandAudit = stores.audit
    return (stores, location)
}

/// The audit trail of the command being run, so that a signed checkpoint is written once it has finished (with a
/// key file): the entries it appended inside its own transactions are committed by then.
nonisolated(unsafe) var commandAudit: AuditTrail?

/// What every command needs of a database once it is migrated: the statutory agencies, and search keys built by this
/// version's rules (rebuilt once after an upgrade, saying so on stderr, where a command's own output is not).
func prepare(_ stores: Stores) throws {
    try stores.agencies.seedAgencies()
    if let count = try stores.nominals.rebuildSearchKeysIfNeeded(asSystem: .commandLine, starting: {
        FileHandle.standardError.write(Data("rebuilding the name search index (once, after an upgrade)…\n".utf8))
    }), count > 0 {
        FileHandle.standardError.write(Data("rebuilt the name search index for \(count) nominals\n".utf8))
    }
}

/// Opens and migrates the database named by --database (or the environment, or the default file). Refuses a
/// database a newer release has migrated, and backs one with data up before upgrading it (`Upgrade.prepare`).
/// `migrator`: this release's migrations, or fewer (`mappa migrate --up-to`, for upgrade tests).
func openMigratedDatabase(_ arguments: Arguments, quiet: Bool = true, pgDump: String? = nil,
                          migrator: Migrator = Schema.migrator) throws -> (Database, String) {
    let location = DatabaseLocation.resolve(arguments.value("database"))
    let database = try DatabaseLocation.open(location)
    // `mappa migrate` reports on stdout; any other command on stderr, so that its own output (a CSV, say) stays
    // clean on the first run after an upgrade.
    let report: (String) -> Void = { line in
        if quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }
    try Upgrade.prepare(database, location: location, pgDump: pgDump, migrator: migrator, report: report)
    let applied = try migrator.migrate(database)
    for migration in applied { report("applied migration \(migration.version): \(migration.name)") }
    return (database, location)
}

let status = CommandLineTool.main()
commandAudit?.writeCheckpoint()
exit(status)
