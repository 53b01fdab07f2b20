import Adapters
import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Stands in for the SMTP server: records what the worker hands over, or fails as told.
final class RecordingTransport: MailTransport, @unchecked Sendable {
    struct Delivery {
        var message: String
        var from: String
        var to: [String]
    }
    private let lock = NSLock()
    private var deliveries: [Delivery] = []
    private var failures: [String: MailDeliveryError] = [:]
    private var failAll: MailDeliveryError?

    var sent: [Delivery] { lock.withLock { deliveries } }
    func fail(_ error: MailDeliveryError?) { lock.withLock { failAll = error } }
    func fail(recipient: String, _ error: MailDeliveryError) { lock.withLock { failures[recipient] = error } }

    func send(_ message: [UInt8], from: String, to: [String]) throws {
        try lock.withLock {
            if let failAll { throw failAll }
            if let failure = to.lazy.compactMap({ self.failures[$0] }).first { throw failure }
            deliveries.append(Delivery(message: String(decoding: message, as: UTF8.self), from: from, to: to))
        }
    }
}

@Suite("Mail delivery worker")
struct OutboxWorkerTests {
    static let configured = MailSettings(smtp: SMTPSettings(host: "smtp.unit.example.invalid", port: 25, security: .none,
                                                            fromAddress: "mappa@unit.example.invalid", fromName: "MAPPA Unit"))
    static let casey = Mailbox(name: "Casey Coordinator", address: "casey@unit.example.invalid")

    static func invitation(to: String) -> OutgoingMail {
        let start = Date(timeIntervalSince1970: 1_800_100_000)
        let attendee = Mailbox(name: "Attendee", address: to)
        return OutgoingMail(from: casey, to: [attendee], subject: "Invitation: Level 2 review", text: "You are invited.",
                            calendar: CalendarEvent(uid: "meeting-8@unit.example.invalid", sequence: 1, method: .request,
                                                    start: start, end: start.addingTimeInterval(3600), summary: "Level 2 review",
                                                    location: "Room 4", details: "", organizer: casey, attendees: [attendee]))
    }

    func make(_ kind: DatabaseKind, configure: Bool = true) throws -> (TestDatabase, ManualClock, Outbox, RecordingTransport, OutboxWorker) {
        let test = try TestDatabase(kind)
        let clock = ManualClock()
        let outbox = Stores(database: test.database, clock: clock.clock).outbox
        if configure { try outbox.saveSettings(Self.configured, by: .commandLine) }
        let transport = RecordingTransport()
        let worker = OutboxWorker(outbox: outbox, interval: 0.05, environment: [:], makeTransport: { _ in transport })
        return (test, clock, outbox, transport, worker)
    }

    @Test("a due invitation is rendered and sent from the service's address, the organiser as Reply-To", arguments: DatabaseKind.available)
    func delivers(kind: DatabaseKind) throws {
        let (_, _, outbox, transport, worker) = try make(kind)
        let id = try outbox.enqueue(mail: Self.invitation(to: "pat@probation.example.invalid"), purpose: "meeting-invitation", meetingID: 8)
        #expect(try worker.runOnce() == 1)
        let delivery = try #require(transport.sent.first)
        #expect(delivery.from == "mappa@unit.example.invalid")
        #expect(delivery.to == ["pat@probation.example.invalid"])
        #expect(delivery.message.contains("From: \"MAPPA Unit\" <mappa@unit.example.invalid>\r\n"))
        #expect(delivery.message.contains("Reply-To: \"Casey Coordinator\" <casey@unit.example.invalid>\r\n"))
        #expect(delivery.message.contains("Message-ID: <mappa-outbox-\(id)-"))
        #expect(delivery.message.contains("Content-Type: text/calendar; charset=UTF-8; method=REQUEST"))
        #expect(try outbox.entry(id: id)?.status == .sent)
        #expect(try worker.runOnce() == 0, "nothing is sent twice")
        #expect(transport.sent.count == 1)
    }

    @Test("with no mail server set up nothing is claimed and no attempt is spent", arguments: DatabaseKind.available)
    func unconfigured(kind: DatabaseKind) throws {
        let (_, _, outbox, transport, worker) = try make(kind, configure: false)
        let id = try outbox.enqueue(mail: Self.invitation(to: "pat@probation.example.invalid"), purpose: "test")
        #expect(try worker.runOnce() == 0)
        #expect(transport.sent.isEmpty)
        let entry = try #require(try outbox.entry(id: id))
        #expect(entry.status == .queued && entry.attempts == 0)
    }

    @Test("server down: one attempt is counted, the rest wait untried; when it is back every message is delivered", arguments: DatabaseKind.available)
    func serverDown(kind: DatabaseKind) throws {
        let (_, clock, outbox, transport, worker) = try make(kind)
        let ids = try (1...3).map { try outbox.enqueue(mail: Self.invitation(to: "person\($0)@agency.example.invalid"), purpose: "meeting-invitation") }
        transport.fail(MailDeliveryError("smtp_connect", "Could not connect to the mail server"))
        #expect(try worker.runOnce() == 0)
        let first = try #require(try outbox.entry(id: ids[0]))
        #expect(first.status == .queued && first.attempts == 1)
        #expect(first.lastError == "smtp_connect: Could not connect to the mail server")
        for id in ids.dropFirst() { #expect(try outbox.entry(id: id)?.attempts == 0) }
        #expect(try worker.runOnce() == 0, "nothing is due before the back-off ends")
        transport.fail(nil)
        clock.advance(by: 60)
        #expect(try worker.runOnce() == 3)
        #expect(Set(transport.sent.flatMap(\.to)) == ["person1@agency.example.invalid", "person2@agency.example.invalid", "person3@agency.example.invalid"])
        #expect(try outbox.counts()[.sent] == 3)
    }

    @Test("a message the server refuses does not hold up the others", arguments: DatabaseKind.available)
    func oneRefused(kind: DatabaseKind) throws {
        let (_, _, outbox, transport, worker) = try make(kind)
        let refused = try outbox.enqueue(mail: Self.invitation(to: "gone@agency.example.invalid"), purpose: "meeting-invitation")
        let fine = try outbox.enqueue(mail: Self.invitation(to: "pat@probation.example.invalid"), purpose: "meeting-invitation")
        transport.fail(recipient: "gone@agency.example.invalid", MailDeliveryError("smtp_rejected", "The mail server refused the message (SMTP reply 550)"))
        #expect(try worker.runOnce() == 1)
        #expect(try outbox.entry(id: fine)?.status == .sent)
        let entry = try #require(try outbox.entry(id: refused))
        #expect(entry.status == .queued && entry.attempts == 1 && entry.lastError.contains("550"))
    }

    @Test("the background thread delivers within a few rounds and stops when asked")
    func thread() throws {
        let (_, _, outbox, transport, worker) = try make(.sqlite)
        worker.start()
        try outbox.enqueue(mail: Self.invitation(to: "pat@probation.example.invalid"), purpose: "test")
        let deadline = Date().addingTimeInterval(10)
        while transport.sent.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(transport.sent.count == 1)
        let stopping = Date()
        worker.stop()
        #expect(Date().timeIntervalSince(stopping) < 5)
        try outbox.enqueue(mail: Self.invitation(to: "jo@housing.example.invalid"), purpose: "test")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(transport.sent.count == 1, "a stopped worker sends nothing more")
    }
}

@Suite("Mail administration page")
struct MailRouteTests {
    @Test("the administrator sees the outbox, the settings form without a password field, and the test form")
    func page() throws {
        let fixture = try AppFixture(.sqlite)
        let page = fixture.client(signedInAs: .administrator).get("/admin/mail")
        #expect(page.status == 200)
        let body = page.bodyText
        #expect(body.contains("<h1>Mail</h1>"))
        #expect(body.contains("No mail server is set up"))
        #expect(body.contains("No messages have been queued yet."))
        #expect(body.contains("MAPPA_SMTP_PASSWORD"))
        #expect(!body.contains("type=\"password\""))
        for field in ["host", "port", "security", "username", "from_address", "from_name", "max_attempts", "test_to"] {
            #expect(body.contains("name=\"\(field)\""), "missing field \(field)")
        }
        #expect(body.contains("href=\"/admin/mail\" aria-current=\"page\""))
    }

    @Test("settings are checked, saved and audited", arguments: DatabaseKind.available)
    func settings(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/mail")
        let invalid = admin.post("/admin/mail/settings", [("host", "smtp://bad host/"), ("port", "abc"), ("security", "starttls"),
                                                         ("username", ""), ("from_address", "nobody"), ("from_name", "MAPPA"),
                                                         ("max_attempts", "20")])
        #expect(invalid.status == 422)
        for anchor in ["#host", "#port", "#from_address"] { #expect(invalid.bodyText.contains("href=\"\(anchor)\"")) }
        #expect(invalid.bodyText.contains("value=\"smtp://bad host/\""), "what was typed is kept")
        let saved = admin.post("/admin/mail/settings", [("host", "smtp.unit.example.invalid"), ("port", "587"), ("security", "starttls"),
                                                       ("username", "relay-user"), ("from_address", "mappa@unit.example.invalid"),
                                                       ("from_name", "MAPPA Unit"), ("max_attempts", "15")])
        #expect(saved.status == 303)
        #expect(saved.headers["Location"] == "/admin/mail?done=mail-settings-saved")
        let page = admin.get("/admin/mail?done=mail-settings-saved").bodyText
        #expect(page.contains("Mail settings saved."))
        #expect(page.contains("value=\"smtp.unit.example.invalid\""))
        #expect(!page.contains("No mail server is set up"))
        let settings = try fixture.stores.outbox.settings(environment: [:])
        #expect(settings.smtp.host == "smtp.unit.example.invalid" && settings.smtp.username == "relay-user" && settings.maxAttempts == 15)
        #expect(try fixture.stores.audit.recent().contains { $0.subjectType == "settings" && $0.subjectID == "mail" && $0.action == .update })
    }

    @Test("a test message is queued with a sample invitation, and audited", arguments: DatabaseKind.available)
    func testMessage(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let outbox = fixture.stores.outbox
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/mail")
        #expect(admin.post("/admin/mail/test", [("test_to", "admin@unit.example.invalid")]).status == 422, "settings first")
        try outbox.saveSettings(OutboxWorkerTests.configured, by: .commandLine)
        admin.get("/admin/mail")
        let invalid = admin.post("/admin/mail/test", [("test_to", "not an address")])
        #expect(invalid.status == 422)
        #expect(invalid.bodyText.contains("href=\"#test_to\""))
        let queued = admin.post("/admin/mail/test", [("test_to", "admin@unit.example.invalid"), ("test_invite", "yes")])
        #expect(queued.status == 303)
        let claimed = try #require(try outbox.claimDue().first)
        #expect(claimed.purpose == "test")
        #expect(claimed.mail.to.map(\.address) == ["admin@unit.example.invalid"])
        #expect(claimed.mail.calendar?.method == .request)
        #expect(claimed.mail.calendar?.organizer.address == "mappa@unit.example.invalid")
        #expect(try fixture.stores.audit.recent().contains { $0.subjectType == "outbox" && $0.action == .create })
        let page = admin.get("/admin/mail").bodyText
        #expect(page.contains("Sending"))
    }

    @Test("a failed message shows its safe error and a Retry button that queues it again", arguments: DatabaseKind.available)
    func retry(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let outbox = fixture.stores.outbox
        var settings = OutboxWorkerTests.configured
        settings.maxAttempts = 1
        try outbox.saveSettings(settings, by: .commandLine)
        let id = try outbox.enqueue(mail: OutboxWorkerTests.invitation(to: "pat@probation.example.invalid"), purpose: "meeting-invitation")
        let claimed = try #require(try outbox.claimDue().first)
        #expect(try outbox.markFailed(claimed, error: "smtp_auth: The mail server refused the username or password") == .failed)
        let admin = fixture.client(signedInAs: .administrator)
        let page = admin.get("/admin/mail").bodyText
        #expect(page.contains("smtp_auth: The mail server refused the username or password"))
        #expect(page.contains("action=\"/admin/mail/\(id)/retry\""))
        #expect(!page.contains("pat@probation.example.invalid"), "the status page shows counts, not addresses")
        let retried = admin.post("/admin/mail/\(id)/retry", [])
        #expect(retried.status == 303)
        #expect(try outbox.entry(id: id)?.status == .queued)
        #expect(admin.post("/admin/mail/\(id)/retry", []).status == 409, "only a failed message can be retried")
        #expect(admin.post("/admin/mail/999999/retry", []).status == 404)
    }
}
