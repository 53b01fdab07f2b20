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
        random temporary password is generated and printed. The user must change it at first sign-in. Passwords
        are checked against the cracklib dictionary (Debian cracklib-runtime) and the person's own names.

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
        // Refuse to run, naming the cause, when passwords cannot be checked against the dictionary.
        try CracklibDictionary.requireAvailable()
        let (stores, _) = try openStores(arguments)
        let username = try arguments.required("username"), displayName = try arguments.required("name")
        let email = arguments.value("email") ?? "", agencyCode = try arguments.required("agency")
        var password: String
        var generated = false
        if isatty(STDIN_FILENO) == 0, let line = readLine(strippingNewline: true), !line.isEmpty {
            password = line
        } else {
            password = stores.accounts.temporaryPassword(for: PasswordContext(
                username: username, displayName: displayName, email: email, agencyCode: agencyCode))
            generated = true
        }
        let user = try stores.accounts.createUser(AccountService.NewUser(
            username: username, displayName: displayName, email: email, role: role, agencyCode: agencyCode,
            password: password, mustChangePassword: true), by: .commandLine)
        print("added \(user.username) (\(user.role.displayName), \(user.agencyName))")
        if generated { print("temporary password: \(password)") }
        password = ""
        return 0
    }
}

enum AuditCommand {
    static let help = """
        Usage: mappa audit verify [--database LOCATION] [--key-file PATH] [--checkpoints FILE]
               mappa audit key [--database LOCATION] [--key-file PATH] [--rotate]

        verify: recomputes every audit entry's hash and link: plain SHA-256 for entries from before the chain had a
        key, HMAC-SHA-256 with the audit key for the others. With --checkpoints, also checks every signed checkpoint
        in FILE (its MAC, and that the chain still holds its entry count and head), which catches entries removed
        from the end and a chain rewritten with plain hashes. Exits 0 when all is intact, with the counts, and 1 at
        the first problem, naming it.

        key: creates the secret audit key file (mode 0600, refusing to overwrite one), and writes its creation to the
        chain; from then on every command and `mappa serve` key new audit entries with it, and the server writes
        signed checkpoints. --rotate adds a new current key and keeps the old ones, so older entries still verify;
        the rotation is itself an entry, keyed with the new key.

        The key file is PATH, else $\(AuditKeyFile.environmentVariable), else the database file's name plus
        ".audit-key" beside a SQLite database (with PostgreSQL give --key-file or the variable). Keep it out of the
        database's backups. The checkpoint file of `mappa serve` is the database file's name plus
        ".audit-checkpoints.jsonl" (or --audit-checkpoints PATH).
        """
    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help", "rotate"])
        switch arguments.positional.first {
        case _ where arguments.has("help"): print(help); return 0
        case "verify":
            try arguments.allowOnly(["database", "key-file", "checkpoints"])
            return try verify(arguments)
        case "key":
            try arguments.allowOnly(["database", "key-file", "rotate"])
            return try key(arguments)
        default: print(help); return 2
        }
    }

    static func verify(_ arguments: Arguments) throws -> Int32 {
        let location = DatabaseLocation.resolve(arguments.value("database"))
        let keys = try AuditKeys.load(option: arguments.value("key-file"), location: location)
        let checkpoints = try arguments.value("checkpoints").map { try AuditCheckpointFile.read($0) }
        let database = try DatabaseLocation.open(location)
        try Schema.migrator.checkNotNewer(database)
        let stores = Stores(StoreContext(database: database, auditStaging: try AuditStaging.existing(besides: database), auditKeys: keys))
        return report(try stores.audit.verification(keys: keys, checkpoints: checkpoints))
    }

    static func key(_ arguments: Arguments) throws -> Int32 {
        let location = DatabaseLocation.resolve(arguments.value("database"))
        guard let (path, _) = AuditKeys.path(option: arguments.value("key-file"), location: location) else {
            throw Arguments.UsageError(description: "with a PostgreSQL database, give the key file with --key-file PATH (or $\(AuditKeyFile.environmentVariable))")
        }
        let (database, _) = try openMigratedDatabase(arguments)
        let rotating = arguments.has("rotate")
        if !rotating, !FileManager.default.fileExists(atPath: path) {
            let plain = Stores(database: database)
            if let keyID = try plain.audit.currentKeyID() {
                throw Arguments.UsageError(description: "the audit trail is already keyed (key id \(keyID)) but \(path) is not its key file; "
                                           + "restore that file, or name it with --key-file, and use --rotate to change the key")
            }
        }
        let keys: AuditKeyring
        let detail: String
        if rotating {
            let (old, new) = try AuditKeyFile.rotate(path)
            keys = new
            detail = "audit key rotated from id \(old.current.id) to id \(new.current.id)"
        } else {
            keys = try AuditKeyFile.create(path)
            detail = "audit key created, id \(keys.current.id)"
        }
        let stores = Stores(StoreContext(database: database, auditKeys: keys,
                                         auditCheckpoints: AuditKeys.checkpointFile(option: nil, location: location)))
        try stores.audit.record(actor: .commandLine, action: rotating ? .auditKeyRotated : .auditKeyCreated,
                                subjectType: "audit_key", subjectID: keys.current.id, detail: detail)
        commandAudit = stores.audit
        print(rotating ? "\(detail) in \(path); the older keys stay in the file so older entries still verify"
                       : "\(detail), in \(path) (readable by its owner only); keep it outside the database and its backups")
        return 0
    }

    /// Prints what checking the audit chain found; the exit status is 1 when it is broken.
    static func report(_ verification: AuditVerification) -> Int32 {
        switch verification.outcome {
        case .intact(let entries):
            var line = "audit trail intact: \(entries) entries verified"
            if verification.keyed > 0 {
                line += " (\(verification.keyed) keyed, \(verification.plain) plain SHA-256 from before the key)"
            }
            if verification.checkpoints > 0 { line += "; \(verification.checkpoints) checkpoints match" }
            print(line)
            if verification.keyed == 0, entries > 0 {
                print("the chain is unkeyed: someone who can write the database could rewrite it undetected; "
                      + "create a key with 'mappa audit key'")
            }
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
                           [--audit-key PATH] [--audit-checkpoints PATH]
                           [--metrics-from ADDRESS[,ADDRESS...]]

        Applies pending migrations, then serves the web app until SIGINT or SIGTERM, finishing requests in
        flight before it exits. --secure-cookies marks cookies Secure (use it behind TLS).

        --trusted-proxy names the reverse proxies in front of this server (their IP addresses): only from them
        is X-Forwarded-For read for the client's address (sign-in throttling, the audit trail), and they are
        exempt from the cap on open connections per client address (--connections-per-address). A request's
        headers must arrive within 10 s and its body at 1 KB/s or faster. --workers sets how many requests are
        handled at once (the rest wait in a queue).

        With an audit key file (made by `mappa audit key`: --audit-key PATH, else $\(AuditKeyFile.environmentVariable),
        else the database file's name plus ".audit-key" beside a SQLite database), new audit entries are keyed
        (HMAC-SHA-256) and a signed checkpoint of the chain (one JSON line: at, count, head, key_id, mac) is appended
        every second while it grows to --audit-checkpoints PATH (default: the database file's name plus
        ".audit-checkpoints.jsonl"), for a SIEM to collect. A key file that is named but missing, or open to other
        users, stops the server from starting. Without one the server runs unkeyed, as `mappa audit verify` says.

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
                                 "connections-per-address", "workers", "audit-key", "audit-checkpoints",
                                 "metrics-from"])
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
        // A server that cannot check new passwords against the dictionary does not start (README: Passwords).
        try CracklibDictionary.requireAvailable()
        let location = DatabaseLocation.resolve(arguments.value("database"))
        // Before anything else: a key file that is named but unusable stops the server here, with the reason.
        let auditKeys = try AuditKeys.load(option: arguments.value("audit-key"), location: location)
        let auditCheckpoints = AuditKeys.checkpointFile(option: arguments.value("audit-checkpoints"), location: location)
        if auditKeys == nil, arguments.value("audit-checkpoints") != nil {
            throw Arguments.UsageError(description: "--audit-checkpoints needs an audit key file (create one with 'mappa audit key')")
        }
        let (database, _) = try openMigratedDatabase(arguments)
        // On SQLite, page views wait in a staging file and are chained every second (see `AuditStaging`).
        let auditStaging = try AuditStaging.forDatabase(database)
        let environment = ProcessInfo.processInfo.environment
        let stores = Stores(StoreContext(database: database, auditStaging: auditStaging, auditKeys: auditKeys, auditCheckpoints: auditCheckpoints),
                            outboxPolicy: OutboxPolicy.fromEnvironment(environment))
        if auditKeys == nil, let keyID = try stores.audit.currentKeyID() {
            let expected = AuditKeys.path(option: nil, location: location)?.path
            throw AuditKeyFile.Problem(description: "the audit trail is keyed (key id \(keyID)) but no audit key file was found"
                                       + (expected.map { " at \($0)" } ?? "") + "; give it with --audit-key PATH")
        }
        try prepare(stores)
        let app = WebApplication(stores: stores, configuration: WebConfiguration(secureCookies: arguments.has("secure-cookies"),
                                                                                 metricsAccess: metricsAccess))
        // Chains staged entries (SQLite) and writes signed checkpoints (with a key file), every second.
        let auditMover = auditStaging != nil || stores.audit.checkpoints != nil ? AuditStagingMover(audit: stores.audit) : nil
        auditMover?.start()
        HTTPServer.limitMallocArenas(4)
        HTTPServer.blockTerminationSignals()
        serverConfiguration.uploadPaths = WebApplication.uploadPaths
        serverConfiguration.sessionCheck = { path, headers in app.mayUpload(path: path, headers: headers) }
        let server = try HTTPServer(configuration: serverConfiguration,
                                    handler: Middleware.requestLog(Middleware.standardOutput) { request in app.handle(request) })
        print("MAPPA Coordinator serving http://\(host):\(server.port) (database \(DatabaseLocation.redacted(location)))")
        if let auditKeys {
            print("Audit entries keyed with key \(auditKeys.current.id); "
                  + (auditCheckpoints.map { "signed checkpoints to \($0.path)." } ?? "no checkpoint file (give --audit-checkpoints PATH)."))
        } else {
            print("Audit trail unkeyed (no audit key file): create one with 'mappa audit key'.")
        }
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
