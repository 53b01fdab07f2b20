import Crypto
import Database
import Domain
import Foundation
import HTTPServer
import Store
import WebApp

enum Migrate {
    static let help = """
        Usage: mappa migrate [--database LOCATION] [--pg-dump FILE] [--up-to VERSION]

        Applies every pending schema migration, in order, all in one transaction: an upgrade is applied whole or
        not at all. Safe to run again. Before upgrading a database that holds data it takes a backup: SQLite with
        the online backup API, beside the file (FILE-before-upgrade-DATE-vFROM-to-vTO); PostgreSQL with pg_dump
        to FILE when --pg-dump is given (else it says how to take one). A database migrated by a newer release
        is refused, by this and every other command, naming both versions. --up-to stops at that schema version
        (to make a database as an earlier release left it, for upgrade tests).
        """
    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") { print(help); return 0 }
        try arguments.allowOnly(["database", "pg-dump", "up-to"])
        var migrator = Schema.migrator
        if let text = arguments.value("up-to") {
            guard let version = Int(text), version > 0, version <= migrator.latestVersion else {
                throw Arguments.UsageError(description: "--up-to must be a schema version from 1 to \(migrator.latestVersion)")
            }
            migrator = migrator.upTo(version)
        }
        let (database, location) = try openMigratedDatabase(arguments, quiet: false, pgDump: arguments.value("pg-dump"),
                                                            migrator: migrator)
        let versions = try Schema.migrator.appliedVersions(database)
        print("database \(DatabaseLocation.redacted(location)) is at schema version \(versions.max() ?? 0)")
        return 0
    }
}

enum UserCommand {
    static let help = """
        Usage: mappa user add --username NAME --name "FULL NAME" --role ROLE --agency CODE [--email ADDRESS]
                              [--database LOCATION]

        Adds a user. The password is read from standard input (one line) when it is not a terminal; otherwise a
        random temporary password is generated and printed. The user must change it at first sign-in.

        Roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))
        Agencies: \(AgencySeed.statutory.map(\.code).joined(separator: ", "))
        """
    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") || arguments.positional.first != "add" { print(help); return arguments.has("help") ? 0 : 2 }
        try arguments.allowOnly(["database", "username", "name", "role", "agency", "email"])
        let roleName = try arguments.required("role")
        guard let role = Role(rawValue: roleName) else {
            throw Arguments.UsageError(description: "unknown role '\(roleName)'; one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var password: String
        var generated = false
        if isatty(STDIN_FILENO) == 0, let line = readLine(strippingNewline: true), !line.isEmpty {
            password = line
        } else {
            password = Crypto.randomToken(byteCount: 10)
            generated = true
        }
        let (stores, _) = try openStores(arguments)
        let user = try stores.accounts.createUser(AccountService.NewUser(
            username: try arguments.required("username"), displayName: try arguments.required("name"),
            email: arguments.value("email") ?? "", role: role, agencyCode: try arguments.required("agency"),
            password: password, mustChangePassword: true), by: .commandLine)
        print("added \(user.username) (\(user.role.displayName), \(user.agencyName))")
        if generated { print("temporary password: \(password)") }
        password = ""
        return 0
    }
}

enum AuditCommand {
    static let help = """
        Usage: mappa audit verify [--database LOCATION]

        Recomputes every audit entry's hash and link. Exits 0 when the chain is intact, 1 at the first broken
        link (edited, deleted or truncated entries), naming it.
        """
    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") || arguments.positional.first != "verify" { print(help); return arguments.has("help") ? 0 : 2 }
        try arguments.allowOnly(["database"])
        let location = DatabaseLocation.resolve(arguments.value("database"))
        let database = try DatabaseLocation.open(location)
        try Schema.migrator.checkNotNewer(database)
        return report(try Stores(database: database, auditStaging: try AuditStaging.existing(besides: database)).audit.verify())
    }

    /// Prints what checking the audit chain found; the exit status is 1 when it is broken.
    static func report(_ verification: AuditChainVerifier.Outcome) -> Int32 {
        switch verification {
        case .intact(let entries):
            print("audit trail intact: \(entries) entries verified")
            return 0
        case .broken(let sequence, let reason):
            print("audit trail BROKEN at entry \(sequence): \(reason)")
            return 1
        }
    }
}

enum Serve {
    static let help = """
        Usage: mappa serve [--host 127.0.0.1] [--port 8080] [--database LOCATION] [--secure-cookies] [--no-mail]
                           [--trusted-proxy ADDRESS[,ADDRESS...]] [--connections-per-address 128] [--workers 64]
                           [--metrics-from ADDRESS[,ADDRESS...]]

        Applies pending migrations, then serves the web app until SIGINT or SIGTERM, finishing requests in
        flight before it exits. --secure-cookies marks cookies Secure (use it behind TLS).

        --trusted-proxy names the reverse proxies in front of this server (their IP addresses): only from them
        is X-Forwarded-For read for the client's address (sign-in throttling, the audit trail), and they are
        exempt from the cap on open connections per client address (--connections-per-address). A request's
        headers must arrive within 10 s and its body at 1 KB/s or faster. --workers sets how many requests are
        handled at once (the rest wait in a queue).

        GET /metrics answers in Prometheus text format to a scraper at an address named by --metrics-from, or to
        one sending "Authorization: Bearer TOKEN" with the token in MAPPA_METRICS_TOKEN (16 characters or more);
        to anyone else it is an unknown page (404).

        A background worker delivers queued mail every few seconds (MAPPA_OUTBOX_POLL_SECONDS, default 5)
        through the SMTP server set with `mappa mail settings` or on /admin/mail; the SMTP password is read from
        MAPPA_SMTP_PASSWORD. --no-mail runs no worker in this instance (another instance delivers).
        """
    /// The proxies named by --trusted-proxy: IP addresses only, since a name would be looked up in DNS.
    static func trustedProxies(_ text: String?) throws -> Set<String> {
        guard let text else { return [] }
        let addresses = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for address in addresses where !HTTPServer.isIPAddress(address) {
            throw Arguments.UsageError(description: "--trusted-proxy takes IP addresses separated by commas; '\(address.prefix(60))' is not one")
        }
        return Set(addresses)
    }

    /// Who may read /metrics: --metrics-from addresses (IP addresses only, as --trusted-proxy) and MAPPA_METRICS_TOKEN.
    static func metricsAccess(_ text: String?, token: String?) throws -> MetricsAccess {
        var addresses: Set<String> = []
        if let text {
            for address in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard HTTPServer.isIPAddress(address) else {
                    throw Arguments.UsageError(description: "--metrics-from takes IP addresses separated by commas; '\(address.prefix(60))' is not one")
                }
                addresses.insert(address)
            }
        }
        if let token, !token.isEmpty, token.count < MetricsAccess.shortestToken {
            throw Arguments.UsageError(description: "MAPPA_METRICS_TOKEN must be at least \(MetricsAccess.shortestToken) characters long")
        }
        return MetricsAccess(addresses: addresses, token: token)
    }

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help", "secure-cookies", "no-mail"])
        if arguments.has("help") { print(help); return 0 }
        try arguments.allowOnly(["database", "host", "port", "secure-cookies", "no-mail", "trusted-proxy",
                                 "connections-per-address", "workers", "metrics-from"])
        let host = arguments.value("host") ?? "127.0.0.1"
        guard let port = UInt16(arguments.value("port") ?? "8080") else {
            throw Arguments.UsageError(description: "--port must be a number from 0 to 65535")
        }
        var serverConfiguration = HTTPServer.Configuration(host: host, port: port)
        serverConfiguration.trustedProxies = try trustedProxies(arguments.value("trusted-proxy"))
        if let text = arguments.value("connections-per-address") {
            guard let cap = Int(text), (1...10_000).contains(cap) else {
                throw Arguments.UsageError(description: "--connections-per-address must be a number from 1 to 10000")
            }
            serverConfiguration.limits.perAddress = cap
        }
        if let text = arguments.value("workers") {
            guard let workers = Int(text), (1...512).contains(workers) else {
                throw Arguments.UsageError(description: "--workers must be a number from 1 to 512")
            }
            serverConfiguration.workerThreads = workers
        }
        let metricsAccess = try metricsAccess(arguments.value("metrics-from"), token: ProcessInfo.processInfo.environment["MAPPA_METRICS_TOKEN"])
        let (database, location) = try openMigratedDatabase(arguments)
        // On SQLite, page views wait in a staging file and are chained every second (see `AuditStaging`).
        let auditStaging = try AuditStaging.forDatabase(database)
        let environment = ProcessInfo.processInfo.environment
        let stores = Stores(StoreContext(database: database, auditStaging: auditStaging), outboxPolicy: OutboxPolicy.fromEnvironment(environment))
        try prepare(stores)
        let app = WebApplication(stores: stores, configuration: WebConfiguration(secureCookies: arguments.has("secure-cookies"),
                                                                                 metricsAccess: metricsAccess))
        let auditMover = auditStaging.map { _ in AuditStagingMover(audit: stores.audit) }
        auditMover?.start()
        HTTPServer.limitMallocArenas(4)
        HTTPServer.blockTerminationSignals()
        serverConfiguration.uploadPaths = WebApplication.uploadPaths
        serverConfiguration.sessionCheck = { path, headers in app.mayUpload(path: path, headers: headers) }
        let server = try HTTPServer(configuration: serverConfiguration,
                                    handler: Middleware.requestLog(Middleware.standardOutput) { request in app.handle(request) })
        print("MAPPA Coordinator serving http://\(host):\(server.port) (database \(DatabaseLocation.redacted(location)))")
        var worker: OutboxWorker?
        if !arguments.has("no-mail") {
            let interval = environment["MAPPA_OUTBOX_POLL_SECONDS"].flatMap(Double.init).map { max(0.2, $0) } ?? 5
            worker = OutboxWorker(outbox: stores.outbox, interval: interval)
            worker?.start()
            print("Mail delivery worker running (every \(interval) s).")
        }
        // Action reminders and the daily overdue digest, queued for the mail worker (of this or another instance).
        let reminderInterval = environment["MAPPA_REMINDER_SECONDS"].flatMap(Double.init).map { max(1, $0) } ?? 900
        let reminders = ReminderScheduler(stores: stores, interval: reminderInterval)
        reminders.start()
        print("Press Ctrl-C to stop.")
        fflush(nil)
        let signal = HTTPServer.waitForTerminationSignal()
        server.stop()
        auditMover?.stop()
        reminders.stop()
        worker?.stop()
        print("stopped on signal \(signal)")
        return 0
    }
}
