import Domain
import Foundation
import HTTPServer
import Store

/// The administrator's mail page: the outbox's state (what is waiting, sent, failed and why), a Retry button for
/// failed messages, the SMTP settings, and a test message.
enum MailRoutes {
    static let path = "/admin/mail"

    /// Messages shown after a redirect, chosen by a fixed key so no data travels in the URL.
    enum Notice: String {
        case settingsSaved = "mail-settings-saved"
        case testQueued = "mail-test-queued"
        case retryQueued = "mail-retry-queued"

        var message: String {
            switch self {
            case .settingsSaved: return "Mail settings saved. They apply to the next delivery attempt."
            case .testQueued: return "Test message queued. It is sent within a few seconds if the settings are right; its progress is in the outbox below."
            case .retryQueued: return "Message queued again. It will be sent at the next delivery round."
            }
        }
    }

    static func register(_ router: inout Router, _ services: Services) {
        let outbox = services.outbox
        router.get(path, Access.require(services, .manageUsers) { request, session in
            let settings = try outbox.settings()
            return try page(request, session, outbox, settings: settings, values: formValues(settings), problems: [],
                            testValues: [:], status: 200)
        })
        router.post("\(path)/settings", Access.require(services, .manageUsers) { request, session in
            let form = try request.form()
            let values = form.firstValues
            var problems: [ValidationProblem] = []
            let port = Int(values["port"]?.trimmingCharacters(in: .whitespaces) ?? "")
            let maxAttempts = Int(values["max_attempts"]?.trimmingCharacters(in: .whitespaces) ?? "")
            let security = SMTPSettings.Security(rawValue: values["security"] ?? "")
            if port == nil { problems.append(ValidationProblem(field: "port", message: "Enter the port as a number, like 587")) }
            if security == nil { problems.append(ValidationProblem(field: "security", message: "Select how the connection is protected")) }
            if maxAttempts == nil {
                problems.append(ValidationProblem(field: "max_attempts", message: "Enter the number of attempts as a number, like 20"))
            }
            let settings = MailSettings(smtp: SMTPSettings(
                host: (values["host"] ?? "").trimmingCharacters(in: .whitespaces), port: port ?? 0,
                username: values["username"] ?? "", security: security ?? .starttls,
                fromAddress: (values["from_address"] ?? "").trimmingCharacters(in: .whitespaces),
                fromName: (values["from_name"] ?? "").trimmingCharacters(in: .whitespaces)), maxAttempts: maxAttempts ?? 1)
            // Report every problem at once: the typed ones first, then the rules (without repeating a field).
            for problem in settings.problems() where !problems.contains(where: { $0.field == problem.field }) {
                problems.append(problem)
            }
            if problems.isEmpty {
                do {
                    try outbox.saveSettings(settings, by: request.actor(session))
                    return .redirect(to: "\(path)?done=\(Notice.settingsSaved.rawValue)")
                } catch let failure as DomainError where failure.isValidation {
                    problems = failure.problems
                }
            }
            return try page(request, session, outbox, settings: try outbox.settings(), values: values,
                            problems: problems, testValues: [:], status: 422)
        })
        router.post("\(path)/test", Access.require(services, .manageUsers) { request, session in
            let form = try request.form()
            let to = (form["test_to"] ?? "").trimmingCharacters(in: .whitespaces)
            let settings = try outbox.settings()
            var problems: [ValidationProblem] = []
            if !Mailbox.isPlausibleAddress(to) {
                problems.append(ValidationProblem(field: "test_to", message: "Enter the email address to send the test message to, like name@example.org"))
            } else if settings.smtp.problems().contains(where: { $0.field == "from_address" || $0.field == "host" }) {
                problems.append(ValidationProblem(field: "test_to", message: "Save the mail server settings before sending a test message"))
            }
            guard problems.isEmpty else {
                return try page(request, session, outbox, settings: settings, values: formValues(settings), problems: problems,
                                testValues: form.firstValues, status: 422)
            }
            let mail = OutgoingMail.testMessage(to: Mailbox(name: "", address: to), sender: settings.smtp.sender,
                                                invitation: form["test_invite"] == "yes", now: services.clock.now())
            try services.database.write { connection in
                let id = try outbox.enqueue(connection, mail: mail, purpose: "test")
                try services.audit.append(connection, actor: request.actor(session), action: .create, subjectType: "outbox",
                                          subjectID: String(id), detail: "test message queued")
            }
            return .redirect(to: "\(path)?done=\(Notice.testQueued.rawValue)")
        })
        router.post("\(path)/:id/retry", Access.require(services, .manageUsers) { request, session in
            guard let id = request.parameter("id").flatMap(Int64.init) else { throw DomainError.notFound("The page") }
            try outbox.retry(id: id, by: request.actor(session))
            return .redirect(to: "\(path)?done=\(Notice.retryQueued.rawValue)")
        })
    }

    static func formValues(_ settings: MailSettings) -> [String: String] {
        let smtp = settings.smtp
        return ["host": smtp.host, "port": String(smtp.port), "security": smtp.security.rawValue, "username": smtp.username,
                "from_address": smtp.fromAddress, "from_name": smtp.fromName, "max_attempts": String(settings.maxAttempts)]
    }


    static func statusTag(_ status: OutboxStatus) -> HTML {
        switch status {
        case .queued: return Components.tag("Waiting")
        case .sending: return Components.tag("Sending")
        case .sent: return Components.tag("Sent", colour: "green")
        case .failed: return Components.tag("Failed", colour: "red")
        }
    }

    static func page(_ request: Request, _ session: Session, _ outbox: Outbox, settings: MailSettings,
                     values: [String: String], problems: [ValidationProblem], testValues: [String: String],
                     status: Int) throws -> Response {
        let counts = try outbox.counts()
        let entries = try outbox.recent(limit: 50)
        let notice = request.queryValue("done").flatMap(Notice.init(rawValue:))
        let notConfigured: HTML = settings.smtp.isConfigured ? .empty : Components.notification(
            "No mail server is set up, so nothing is being sent. Messages wait in the outbox until the settings below are saved.",
            success: false)
        let rows = entries.map { entry -> [HTML] in
            let retry: HTML = entry.status == .failed ? """
                <form method="post" action="\(path)/\(entry.id)/retry" class="inline-form">
                  <input type="hidden" name="csrf_token" value="\(session.csrfToken)">
                  <button type="submit" class="button button--secondary">Retry<span class="visually-hidden"> message \(entry.id)</span></button>
                </form>
                """ : .empty
            let next: HTML
            switch entry.status {
            case .queued: next = entry.nextAttemptAt.map { Components.time($0) } ?? "–"
            case .sending: next = "Now"
            case .sent: next = entry.sentAt.map { "Sent \(Components.time($0))" } ?? "–"
            case .failed: next = "None: retry it"
            }
            return ["\(entry.id)", Components.time(entry.createdAt), "\(entry.purpose)", "\(entry.recipientCount)", statusTag(entry.status),
                    "\(entry.attempts)", next, "\(entry.lastError.isEmpty ? "–" : entry.lastError)", retry]
        }
        let waiting = (counts[.queued] ?? 0) + (counts[.sending] ?? 0)
        let passwordSet = !(ProcessInfo.processInfo.environment[SMTPSettings.passwordVariable] ?? "").isEmpty
        let security = SMTPSettings.Security.allCases.map { ($0.rawValue, $0.displayName) }
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(notice?.message))
            <span class="caption">Administration</span>
            <h1>Mail</h1>
            <p>Meeting invitations and other messages are queued in the database and sent by a background worker
            in each running instance. While the mail server is unavailable they wait and are tried again, at longer
            and longer intervals up to once an hour.</p>
            \(notConfigured)
            <h2>Outbox</h2>
            \(Components.summaryList([
                ("Waiting to be sent", "\(waiting)"),
                ("Sent", "\(counts[.sent] ?? 0)"),
                ("Failed", counts[.failed] ?? 0 > 0 ? Components.tag("\(counts[.failed] ?? 0)", colour: "red") : "0"),
            ]))
            \(entries.isEmpty ? "<p>No messages have been queued yet.</p>" : Components.table(
                caption: "Latest \(entries.count) message\(entries.count == 1 ? "" : "s")",
                headers: ["Message", "Queued", "Purpose", "Recipients", "Status", "Attempts", "Next attempt", "Last error", "Action"],
                rows: rows))
            <h2>Mail server</h2>
            \(Components.form(action: "\(path)/settings", csrf: session.csrfToken, """
                \(Components.textInput("host", label: "SMTP server", value: values["host"] ?? "", hint: "Host name or IP address, for example smtp.example.org", problems: problems))
                \(Components.textInput("port", label: "Port", value: values["port"] ?? "", hint: "Usually 587 for STARTTLS, 465 for TLS", problems: problems, width: "20"))
                \(Components.select("security", label: "Connection security", options: security, selected: values["security"] ?? "", problems: problems))
                \(Components.textInput("username", label: "Username (optional)", value: values["username"] ?? "", hint: "Leave empty if the server does not ask for a sign-in", problems: problems))
                <div class="form-group">
                  <p class="label">Password</p>
                  <p class="hint">The password is not stored or shown here. Set it in the environment variable
                  <code>\(SMTPSettings.passwordVariable)</code> of each server process and restart it.
                  For this instance it is \(passwordSet ? "set" : "not set").</p>
                </div>
                \(Components.textInput("from_address", label: "Send from address", value: values["from_address"] ?? "", hint: "Every message is sent from this address, for example mappa@example.org", type: "email", problems: problems))
                \(Components.textInput("from_name", label: "Send from name", value: values["from_name"] ?? "", problems: problems))
                \(Components.textInput("max_attempts", label: "Attempts before a message is marked failed", value: values["max_attempts"] ?? "", hint: "From 1 to 100. A failed message can be retried from the outbox.", problems: problems, width: "20"))
                \(Components.button("Save mail settings"))
                """))
            <h2>Send a test message</h2>
            \(Components.form(action: "\(path)/test", csrf: session.csrfToken, """
                \(Components.textInput("test_to", label: "Email address", value: testValues["test_to"] ?? "", type: "email", problems: problems))
                <div class="form-group">
                  \(Components.checkbox("test_invite", label: "Include a sample meeting invitation", checked: testValues["test_invite"] == "yes"))
                </div>
                \(Components.button("Send test message", secondary: true))
                """))
            """
        return .html(Layout.page(title: "Mail", session: session, currentPath: path, hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
