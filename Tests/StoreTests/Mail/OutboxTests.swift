import Database
import Domain
import Foundation
import Store
import Synchronization
import Testing
import TestSupport

/// The mail outbox against a real database (SQLite, and PostgreSQL when available). Synthetic addresses only.
@Suite("Mail outbox")
struct OutboxTests {
    static let admin = Actor(userID: nil, username: "(test)", clientAddress: "127.0.0.1")

    static func mail(_ to: [String] = ["pat@probation.example.invalid"], invitation: Bool = true) -> OutgoingMail {
        let organizer = Mailbox(name: "Casey Coordinator", address: "casey@unit.example.invalid")
        let attendees = to.map { Mailbox(name: "Attendee", address: $0) }
        let start = Date(timeIntervalSince1970: 1_800_100_000)
        return OutgoingMail(from: organizer, to: attendees, subject: "Invitation: Level 2 review", text: "You are invited.",
                            calendar: invitation ? CalendarEvent(uid: "meeting-1@unit.example.invalid", sequence: 0, method: .request,
                                                                 start: start, end: start.addingTimeInterval(3600),
                                                                 summary: "Level 2 review", location: "Room 4", details: "",
                                                                 organizer: organizer, attendees: attendees) : nil)
    }

    func make(_ kind: DatabaseKind, policy: OutboxPolicy = OutboxPolicy()) throws -> (TestDatabase, ManualClock, Stores) {
        let test = try TestDatabase(kind)
        let clock = ManualClock()
        return (test, clock, Stores(StoreContext(database: test.database, clock: clock.clock), outboxPolicy: policy))
    }

    struct Rollback: Error {}

    @Test("mail queued in a transaction that rolls back leaves nothing; one that commits queues it", arguments: DatabaseKind.available)
    func transactional(kind: DatabaseKind) throws {
        let (test, _, stores) = try make(kind)
        let outbox = stores.outbox
        #expect(throws: Rollback.self) {
            try test.database.write { connection in
                try outbox.enqueue(connection, mail: Self.mail(), purpose: "meeting-invitation", meetingID: 5)
                throw Rollback()
            }
        }
        #expect(try outbox.counts()[.queued] == 0)
        #expect(try outbox.claimDue().isEmpty)
        let id = try test.database.write { connection in
            try outbox.enqueue(connection, mail: Self.mail(["pat@probation.example.invalid", "jo@housing.example.invalid"]),
                               purpose: "meeting-invitation", meetingID: 5, caseID: 9)
        }
        let entry = try #require(try outbox.entry(id: id))
        #expect(entry.status == .queued)
        #expect(entry.purpose == "meeting-invitation")
        #expect(entry.recipients == ["pat@probation.example.invalid", "jo@housing.example.invalid"])
        #expect(entry.recipientCount == 2)
        #expect(entry.meetingID == 5 && entry.caseID == 9)
        #expect(entry.attempts == 0)
        #expect(try outbox.entries(meetingID: 5).map(\.id) == [id])
    }

    @Test("a message with no recipient, a bad address or a bad purpose is refused and nothing is queued", arguments: DatabaseKind.available)
    func validation(kind: DatabaseKind) throws {
        let (_, _, stores) = try make(kind)
        let outbox = stores.outbox
        for (mail, purpose) in [(Self.mail([]), "test"), (Self.mail(["pat@x.invalid>\r\nRCPT TO:<y@x.invalid"]), "test"),
                                (Self.mail(["not-an-address"]), "test"), (Self.mail(), ""), (Self.mail(), "bad\npurpose")] {
            let error = try #require(throws: DomainError.self) { try outbox.enqueue(mail: mail, purpose: purpose) }
            #expect(error.code == "mail_invalid")
        }
        #expect(try outbox.recent().isEmpty)
    }

    @Test("a due message is claimed once, with its mail intact; a lapsed claim is taken again", arguments: DatabaseKind.available)
    func claim(kind: DatabaseKind) throws {
        let (_, clock, stores) = try make(kind)
        let outbox = stores.outbox
        let mail = Self.mail()
        let id = try outbox.enqueue(mail: mail, purpose: "meeting-invitation", meetingID: 3)
        let claimed = try outbox.claimDue()
        try #require(claimed.count == 1)
        #expect(claimed[0].id == id)
        #expect(claimed[0].attempt == 1)
        #expect(claimed[0].mail == mail)
        #expect(claimed[0].meetingID == 3)
        #expect(claimed[0].createdAt == clock.now)
        #expect(try outbox.entry(id: id)?.status == .sending)
        #expect(try outbox.claimDue().isEmpty, "a message being sent is not claimed twice")
        clock.advance(by: outbox.policy.claimLease + 1)
        let again = try outbox.claimDue()
        #expect(again.map(\.id) == [id])
        #expect(again.first?.attempt == 2)
        // The first worker's late report no longer counts; the second's does.
        #expect(try outbox.markSent(claimed[0]) == false)
        #expect(try outbox.markSent(again[0]) == true)
        let entry = try #require(try outbox.entry(id: id))
        #expect(entry.status == .sent)
        #expect(entry.sentAt != nil)
        #expect(try outbox.claimDue().isEmpty)
    }

    @Test("failed attempts wait 1, 2, 4 … minutes, capped at an hour, and are not tried before they are due", arguments: DatabaseKind.available)
    func backOff(kind: DatabaseKind) throws {
        let (_, clock, stores) = try make(kind)
        let outbox = stores.outbox
        try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "smtp.example.invalid", fromAddress: "mappa@unit.example.invalid"),
                                             maxAttempts: 100), by: Self.admin)
        let id = try outbox.enqueue(mail: Self.mail(), purpose: "test")
        var waits: [TimeInterval] = []
        for attempt in 1...9 {
            let claimed = try outbox.claimDue()
            try #require(claimed.count == 1, "attempt \(attempt) was due")
            #expect(claimed[0].attempt == attempt)
            #expect(try outbox.markFailed(claimed[0], error: "smtp_connect: Could not connect to the mail server") == .queued)
            let entry = try #require(try outbox.entry(id: id))
            let next = try #require(entry.nextAttemptAt)
            waits.append(next.timeIntervalSince(clock.now))
            #expect(entry.lastError == "smtp_connect: Could not connect to the mail server")
            clock.advance(by: waits.last! - 1)
            #expect(try outbox.claimDue().isEmpty, "attempt \(attempt + 1) is not due a second early")
            clock.advance(by: 1)
        }
        #expect(waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600])
        #expect(OutboxPolicy().delay(afterAttempt: 1) == 60 && OutboxPolicy().delay(afterAttempt: 500) == 3600)
        #expect(OutboxPolicy.fromEnvironment(["MAPPA_OUTBOX_BACKOFF_SECONDS": "1"]).delay(afterAttempt: 3) == 4)
    }

    @Test("after the maximum attempts a message is failed, stays put, and an administrator's retry queues it afresh", arguments: DatabaseKind.available)
    func failedAndRetried(kind: DatabaseKind) throws {
        let (_, clock, stores) = try make(kind)
        let outbox = stores.outbox
        var settings = try outbox.settings(environment: [:])
        #expect(settings.maxAttempts == 20)
        settings.smtp = SMTPSettings(host: "smtp.example.invalid", fromAddress: "mappa@unit.example.invalid")
        settings.maxAttempts = 3
        try outbox.saveSettings(settings, by: Self.admin)
        let id = try outbox.enqueue(mail: Self.mail(), purpose: "meeting-invitation")
        var statuses: [OutboxStatus?] = []
        for _ in 1...3 {
            let claimed = try #require(try outbox.claimDue().first)
            statuses.append(try outbox.markFailed(claimed, error: "smtp_rejected: The mail server refused the message (SMTP reply 550)"))
            clock.advance(by: 3600)
        }
        #expect(statuses == [.queued, .queued, .failed])
        clock.advance(by: 86_400 * 30)
        #expect(try outbox.claimDue().isEmpty, "a failed message is not retried on its own")
        let failed = try #require(try outbox.entry(id: id))
        #expect(failed.status == .failed && failed.attempts == 3 && failed.nextAttemptAt == nil)
        #expect(try outbox.counts() == [.queued: 0, .sending: 0, .sent: 0, .failed: 1])
        #expect(try outbox.recent(status: .failed).map(\.id) == [id])

        try outbox.retry(id: id, by: Self.admin)
        #expect(try outbox.entry(id: id)?.status == .queued)
        let claimed = try #require(try outbox.claimDue().first)
        #expect(claimed.attempt == 1)
        try outbox.markSent(claimed)
        #expect(throws: DomainError.self) { try outbox.retry(id: id, by: Self.admin) }  // sent: nothing to retry
        #expect(throws: DomainError.self) { try outbox.retry(id: 999_999, by: Self.admin) }

        // The audit trail says what happened to each attempt, without the message's content.
        let audit = try stores.audit.recent(limit: 100)
        let mailEntries = audit.filter { $0.subjectType == "outbox" && $0.subjectID == String(id) }
        #expect(mailEntries.filter { $0.action == .mailFailed }.count == 3)
        #expect(mailEntries.filter { $0.action == .mailSent }.count == 1)
        #expect(mailEntries.contains { $0.action == .update && $0.detail == "retry requested" })
        #expect(mailEntries.contains { $0.detail.contains("error=smtp_rejected") && $0.detail.contains("gave up") })
        for entry in mailEntries {
            #expect(!entry.detail.contains("Level 2 review") && !entry.detail.contains("invited") && !entry.detail.contains("pat@"))
        }
    }

    @Test("a claimed message the worker did not try is handed back without counting an attempt", arguments: DatabaseKind.available)
    func release(kind: DatabaseKind) throws {
        let (_, clock, stores) = try make(kind)
        let outbox = stores.outbox
        let id = try outbox.enqueue(mail: Self.mail(), purpose: "test")
        let claimed = try #require(try outbox.claimDue().first)
        try outbox.release(claimed, retryAfter: 60)
        let entry = try #require(try outbox.entry(id: id))
        #expect(entry.status == .queued && entry.attempts == 0)
        #expect(try outbox.claimDue().isEmpty)
        clock.advance(by: 60)
        #expect(try outbox.claimDue().first?.attempt == 1)
    }

    @Test("workers claiming at the same time never get the same message", arguments: DatabaseKind.available)
    func concurrentClaims(kind: DatabaseKind) throws {
        let (test, _, stores) = try make(kind)
        let outbox = stores.outbox
        try test.database.write { connection in
            for index in 0..<40 {
                try outbox.enqueue(connection, mail: Self.mail(["person\(index)@agency.example.invalid"]), purpose: "test")
            }
        }
        let claimedIDs = Mutex<[Int64]>([])
        let failures = Mutex<Int>(0)
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                while true {
                    do {
                        let batch = try outbox.claimDue(limit: 3)
                        if batch.isEmpty { return }
                        claimedIDs.withLock { $0 += batch.map(\.id) }
                    } catch {
                        failures.withLock { $0 += 1 }
                        return
                    }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.withLock { $0 } == 0)
        let ids = claimedIDs.withLock { $0 }
        #expect(ids.count == 40)
        #expect(Set(ids).count == 40, "a message was claimed twice")
    }

    @Test("SMTP settings are saved and audited without the password, which comes from MAPPA_SMTP_PASSWORD", arguments: DatabaseKind.available)
    func settings(kind: DatabaseKind) throws {
        let (test, _, stores) = try make(kind)
        let outbox = stores.outbox
        let initial = try outbox.settings(environment: [:])
        #expect(!initial.smtp.isConfigured)
        let smtp = SMTPSettings(host: "smtp.unit.example.invalid", port: 465, username: "mappa-relay", password: "never-stored-9",
                                security: .tls, fromAddress: "mappa@unit.example.invalid", fromName: "MAPPA Unit")
        try outbox.saveSettings(MailSettings(smtp: smtp, maxAttempts: 12), by: Self.admin)
        let stored = try test.database.read { try $0.query("SELECT key, value FROM settings") }
        #expect(!stored.contains { ($0["value"].string ?? "").contains("never-stored") })
        let loaded = try outbox.settings(environment: [SMTPSettings.passwordVariable: "from-the-environment"])
        #expect(loaded.maxAttempts == 12)
        #expect(loaded.smtp.password == "from-the-environment")
        var expected = smtp
        expected.password = "from-the-environment"
        #expect(loaded.smtp == expected)
        #expect(try outbox.settings(environment: [:]).smtp.password == "")

        let failure = try #require(throws: DomainError.self) {
            try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "", port: 70000, fromAddress: "x"), maxAttempts: 0), by: Self.admin)
        }
        #expect(Set(failure.problems.map(\.field)) == ["host", "port", "from_address", "max_attempts"])
        let audit = try stores.audit.recent(limit: 10).filter { $0.subjectType == "settings" }
        #expect(audit.count == 1)
        #expect(audit.first?.detail.contains("smtp.host") == true)
        #expect(audit.first.map { !$0.detail.contains("never-stored") && !$0.detail.contains("unit.example") } == true)
    }
}
