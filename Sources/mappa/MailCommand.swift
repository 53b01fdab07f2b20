import Domain
import Foundation
import Store
import WebApp

/// `mappa mail …`: the mail settings, a test message, the outbox's state, retrying and delivering, from the
/// command line (the same as the administrator's /admin/mail page).
enum MailCommand {
    static let help = """
        Usage: mappa mail settings [--host HOST] [--port PORT] [--security none|starttls|tls] [--username NAME]
                                   [--from-address ADDRESS] [--from-name NAME] [--max-attempts N]
               mappa mail test --to ADDRESS [--no-invitation]
               mappa mail status [--limit N]
               mappa mail retry ID
               mappa mail deliver
               (each also takes --database LOCATION)

        settings  Changes the options given and prints the mail settings. The SMTP password is never stored: set
                  it in the environment variable \(SMTPSettings.passwordVariable) of every `mappa serve` process.
        test      Queues a test message (with a sample meeting invitation unless --no-invitation).
        status    Prints how many messages wait, were sent and failed, and the latest ones with their errors.
        retry     Queues a failed message again with a fresh set of attempts.
        deliver   Sends what is due now, once, and exits (`mappa serve` does this every few seconds).

        Delivery retries with back-off: 1, 2, 4 … minutes, at most hourly (MAPPA_OUTBOX_BACKOFF_SECONDS and
        MAPPA_OUTBOX_MAX_BACKOFF_SECONDS change the first wait and the cap).
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help", "no-invitation"])
        guard !arguments.has("help"), let action = arguments.positional.first else {
            print(help)
            return arguments.has("help") ? 0 : 2
        }
        switch action {
        case "settings": return try settings(arguments)
        case "test": return try test(arguments)
        case "status": return try status(arguments)
        case "retry": return try retry(arguments)
        case "deliver": return try deliver(arguments)
        default:
            print(help)
            return 2
        }
    }

    static func outbox(_ arguments: Arguments) throws -> Outbox {
        try openStores(arguments).0.outbox
    }

    static func settings(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database", "host", "port", "security", "username", "from-address", "from-name", "max-attempts"])
        let outbox = try outbox(arguments)
        var settings = try outbox.settings()
        let before = settings
        if let host = arguments.value("host") { settings.smtp.host = host }
        if let port = arguments.value("port") {
            guard let number = Int(port) else { throw Arguments.UsageError(description: "--port must be a number") }
            settings.smtp.port = number
        }
        if let security = arguments.value("security") {
            guard let value = SMTPSettings.Security(rawValue: security) else {
                throw Arguments.UsageError(description: "--security must be none, starttls or tls")
            }
            settings.smtp.security = value
        }
        if let username = arguments.value("username") { settings.smtp.username = username }
        if let address = arguments.value("from-address") { settings.smtp.fromAddress = address }
        if let name = arguments.value("from-name") { settings.smtp.fromName = name }
        if let attempts = arguments.value("max-attempts") {
            guard let number = Int(attempts) else { throw Arguments.UsageError(description: "--max-attempts must be a number") }
            settings.maxAttempts = number
        }
        if settings != before {
            try outbox.saveSettings(settings, by: .commandLine)
            print("mail settings saved")
        }
        let smtp = settings.smtp
        print("""
            host:          \(smtp.host.isEmpty ? "(not set)" : smtp.host)
            port:          \(smtp.port)
            security:      \(smtp.security.rawValue)
            username:      \(smtp.username.isEmpty ? "(none)" : smtp.username)
            password:      from \(SMTPSettings.passwordVariable) (\(smtp.password.isEmpty ? "not set" : "set") in this shell)
            from:          \(smtp.fromName) <\(smtp.fromAddress)>
            max attempts:  \(settings.maxAttempts)
            """)
        return 0
    }

    static func test(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database", "to", "no-invitation"])
        let to = try arguments.required("to")
        let outbox = try outbox(arguments)
        let settings = try outbox.settings()
        guard settings.smtp.isConfigured else {
            printError("set the mail server first: mappa mail settings --host HOST --from-address ADDRESS …")
            return 1
        }
        let mail = OutgoingMail.testMessage(to: Mailbox(name: "", address: to), sender: settings.smtp.sender,
                                            invitation: !arguments.has("no-invitation"), now: Date())
        let id = try outbox.enqueue(mail: mail, purpose: "test")
        try outbox.recordQueued(id, detail: "test message queued", by: .commandLine)
        print("queued test message \(id)")
        return 0
    }

    static func status(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database", "limit"])
        let outbox = try outbox(arguments)
        let counts = try outbox.counts()
        print(OutboxStatus.allCases.map { "\($0.rawValue): \(counts[$0] ?? 0)" }.joined(separator: "  "))
        for entry in try outbox.recent(limit: Int(arguments.value("limit") ?? "") ?? 20) {
            let next = entry.nextAttemptAt.map { "next \(Timestamp.string($0))" } ?? entry.sentAt.map { "sent \($0)" } ?? ""
            var line = "\(entry.id)\t\(entry.status.rawValue)\tattempts \(entry.attempts)\t\(entry.purpose)\t"
                + "\(entry.recipientCount) recipient\(entry.recipientCount == 1 ? "" : "s")\t\(next)"
            if !entry.lastError.isEmpty { line += "\t\(entry.lastError)" }
            print(line)
        }
        return 0
    }

    static func retry(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database"])
        guard arguments.positional.count == 2, let id = Int64(arguments.positional[1]) else {
            throw Arguments.UsageError(description: "give the message number: mappa mail retry ID")
        }
        try outbox(arguments).retry(id: id, by: .commandLine)
        print("message \(id) queued again")
        return 0
    }

    static func deliver(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database"])
        let sent = try OutboxWorker(outbox: try outbox(arguments)).runOnce()
        print("sent \(sent) message\(sent == 1 ? "" : "s")")
        return 0
    }
}
