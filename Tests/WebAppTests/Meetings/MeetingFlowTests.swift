import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The coordinator's meeting secretariat through the real pages: schedule, agenda from due reviews, invitees,
/// reschedule, attendance, compliance; and what a partner agency sees.
@Suite("Meetings")
struct MeetingFlowTests {
    struct World {
        let fixture: AppFixture
        let today: CalendarDate
        var cases: [String: Int64] = [:]

        init(_ kind: DatabaseKind = .sqlite) throws {
            fixture = try AppFixture(kind)
            today = CalendarDate(fixture.clock.now)
            let rows: [(String, ManagementLevel, CalendarDate?, String)] = [
                ("OVERDUE1", .two, today.adding(days: 3), "probation"), ("NEWCASE1", .two, nil, "police"),
                ("LATER1", .two, today.adding(days: 90), "probation"), ("LEVELTHREE1", .three, today.adding(days: 2), "police"),
            ]
            cases = try fixture.world.importCases(rows.map { ref, level, review, lead in
                CaseRegisterRow(nominalRef: ref, familyName: "Person\(ref.lowercased().dropLast())", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-01")!,
                                category: .two, level: level, leadAgency: lead, mappaStartDate: today.adding(days: -200), nextReviewDate: review)
            })
            // Reviewed before (so not "new"), except NEWCASE; OVERDUE's review date has passed by the meeting.
            try fixture.test.database.write { connection in
                for ref in ["OVERDUE1", "LATER1", "LEVELTHREE1"] {
                    try connection.execute("UPDATE cases SET last_reviewed_on = ? WHERE id = ?",
                                           [.text(today.adding(days: -100).description), .integer(cases[ref]!)])
                }
            }
        }

        func schedule(_ client: TestClient, date: CalendarDate, kind: String = "level_2", title: String = "Level 2 panel – North") throws -> Int64 {
            client.get("/meetings/new")
            let response = client.post("/meetings/new", [("kind", kind), ("title", title), ("date", date.description),
                                                          ("start_time", "10:00"), ("duration", "120"), ("venue", "Room 4, Northtown police station"),
                                                          ("chair_grade", "manager")])
            #expect(response.status == 303)
            let location = try #require(response.headers["Location"])
            return try #require(Int64(location.split(separator: "/").last!.split(separator: "?").first!))
        }
    }

    @Test("scheduling checks what was entered and keeps it", arguments: DatabaseKind.available)
    func scheduleValidation(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        coordinator.get("/meetings/new")
        let bad = coordinator.post("/meetings/new", [("kind", "level_2"), ("title", ""), ("date", world.today.adding(days: -1).description),
                                                    ("start_time", "25:00"), ("duration", "5"), ("online_link", "http://example.invalid")])
        #expect(bad.status == 422)
        for message in ["Enter a title", "today or later", "like 10:00", "between 15 minutes and 8 hours", "must start with https://"] {
            #expect(bad.bodyText.contains(message), "\(message)")
        }
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        let page = coordinator.get("/meetings/\(id)").bodyText
        #expect(page.contains("Level 2 panel – North"))
        #expect(page.contains("Room 4, Northtown police station"))
    }

    @Test("a meeting's title, venue and online link refuse line breaks, control characters and overlong text, each named",
          arguments: DatabaseKind.available)
    func scheduleRefusesControlCharacters(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        coordinator.get("/meetings/new")
        let bad = coordinator.post("/meetings/new", [("kind", "level_2"), ("title", "Panel\r\nBcc: someone@example.invalid"),
                                                    ("date", world.today.adding(days: 7).description), ("start_time", "10:00"),
                                                    ("duration", "60"), ("venue", "Room 1\u{7}"),
                                                    ("online_link", "https://example.invalid/" + String(repeating: "a", count: 600))])
        #expect(bad.status == 422)
        for message in ["<a href=\"#title\">Meeting title must not contain control characters</a>",
                        "<a href=\"#venue\">Venue must not contain control characters</a>",
                        "<a href=\"#online_link\">Online meeting link must be 500 characters or fewer</a>"] {
            #expect(bad.bodyText.contains(message), "\(message)")
        }
        let plan = MeetingPlan(kind: .level2, title: "Panel\nTwo", date: world.today.adding(days: 7), startTime: "10:00", venue: "Room\u{1B}")
        #expect(plan.problems(today: world.today).map(\.field).sorted() == ["title", "venue"], "the API and the store refuse them too")
    }

    @Test("the agenda fills from due and new reviews at the panel's level, in order, and can be reordered", arguments: DatabaseKind.available)
    func agenda(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        let page = coordinator.get("/meetings/\(id)").bodyText
        #expect(page.contains("Proposed: 2 cases"))
        #expect(page.contains("Review overdue by 4 days") && page.contains("New case: never reviewed at a panel"))
        #expect(page.contains("PERSONOVERDUE") && !page.contains("PERSONLATER") && !page.contains("PERSONLEVELTHREE"))
        #expect(coordinator.post("/meetings/\(id)/agenda", [("action", "add_all")]).status == 303)
        var items = try world.fixture.world.items(id)
        #expect(items.map(\.nominalRef) == ["OVERDUE1", "NEWCASE1"])
        #expect(items.map(\.reviewType) == ["review", "initial"])
        coordinator.get("/meetings/\(id)")
        #expect(coordinator.post("/meetings/\(id)/agenda", [("action", "down"), ("item", String(items[0].id))]).status == 303)
        items = try world.fixture.world.items(id)
        #expect(items.map(\.nominalRef) == ["NEWCASE1", "OVERDUE1"])
        #expect(coordinator.post("/meetings/\(id)/agenda", [("action", "add"), ("case", String(world.cases["LATER1"]!))]).status == 303)
        #expect(coordinator.post("/meetings/\(id)/agenda", [("action", "remove"), ("item", String(items[0].id))]).status == 303)
        #expect(try world.fixture.world.items(id).map(\.nominalRef) == ["OVERDUE1", "LATER1"])
    }

    @Test("invitees are proposed from the agencies' single points of contact and confirmed; a reschedule raises the calendar sequence")
    func inviteesAndReschedule() throws {
        let world = try World()
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        for (agency, name) in [("police", "DS Example"), ("probation", "SPO Example")] {
            coordinator.get("/agencies/\(agency)")
            #expect(coordinator.post("/agencies/\(agency)", [("name", name), ("role", "MAPPA SPOC"), ("email", "\(agency).spoc@example.invalid"),
                                                             ("spoc", "yes")]).status == 303)
        }
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        coordinator.get("/meetings/\(id)")
        coordinator.post("/meetings/\(id)/agenda", [("action", "add_all")])
        let proposals = coordinator.get("/meetings/\(id)/invitees").bodyText
        #expect(proposals.contains("DS Example (single point of contact), police.spoc@example.invalid"))
        #expect(proposals.contains("SPO Example"))
        let contactIDs = try ["police", "probation"].map { code -> String in
            let agency = try #require(try world.fixture.stores.agencies.agency(code: code))
            return String(try #require(try world.fixture.stores.agencies.contacts(agencyID: agency.id).first).id)
        }
        let confirmed = coordinator.post("/meetings/\(id)/invitees", [("action", "confirm")] + contactIDs.map { ("contact", $0) })
        #expect(confirmed.status == 303)
        #expect(try world.fixture.stores.meetings.invitees(of: try world.fixture.world.meeting(id)).map(\.email).sorted() == ["police.spoc@example.invalid", "probation.spoc@example.invalid"])
        let bad = coordinator.post("/meetings/\(id)/invitees", [("action", "add"), ("agency", "housing"), ("name", "Pat"), ("email", "not-an-email")])
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("correct format"))

        let edit = coordinator.get("/meetings/\(id)/edit")
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: edit.bodyText))
        let moved = coordinator.post("/meetings/\(id)/edit", [("title", "Level 2 panel – North"), ("date", world.today.adding(days: 9).description),
                                                              ("start_time", "14:00"), ("duration", "90"), ("venue", "Room 5"), ("chair_grade", "manager"),
                                                              ("version", version)])
        #expect(moved.status == 303)
        let meeting = try world.fixture.world.meeting(id)
        #expect(meeting.sequence == 1 && meeting.startTime == "14:00")
        let stale = coordinator.post("/meetings/\(id)/edit", [("title", "Other"), ("date", world.today.adding(days: 9).description),
                                                              ("start_time", "14:00"), ("duration", "90"), ("venue", "Room 5"), ("version", version)])
        #expect(stale.status == 409)
        try Self.cancel(coordinator, id, reason: "The chair is unavailable; the cases move to next month's panel.")
        #expect(try world.fixture.world.meeting(id).sequence == 2)
    }

    @Test("attendance is recorded, a missing core agency is flagged, and holding the meeting counts the reviews without moving their dates", arguments: DatabaseKind.available)
    func attendance(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today)
        coordinator.get("/meetings/\(id)")
        coordinator.post("/meetings/\(id)/agenda", [("action", "add_all")])
        #expect(coordinator.post("/meetings/\(id)/papers", [("papers_sent_on", world.today.adding(days: -7).description)]).status == 303)
        let police = try #require(try world.fixture.stores.agencies.agency(code: "police"))
        let probation = try #require(try world.fixture.stores.agencies.agency(code: "probation"))
        #expect(coordinator.get("/meetings/\(id)/attendance").bodyText.contains("Record attendance"))
        let saved = coordinator.post("/meetings/\(id)/attendance", [
            ("status-\(police.id)", "apologies"), ("person-\(police.id)", "DS Example"),
            ("status-\(probation.id)", "attended"), ("person-\(probation.id)", "SPO Example"), ("confidentiality_all", "yes")])
        #expect(saved.status == 303)
        #expect(coordinator.post("/meetings/\(id)/held", []).status == 303)
        let page = coordinator.get("/meetings/\(id)").bodyText
        #expect(page.contains("OVERDUE1: Police was not represented"))
        #expect(page.contains("NEWCASE1: Police was not represented"))
        #expect(!page.contains("Probation Service was not represented"))
        #expect(!page.contains("confidentiality statement was not recorded"))
        let reviewed = try world.fixture.world.record(world.cases["OVERDUE1"]!)
        #expect(reviewed.lastReviewedOn == world.today)
        #expect(reviewed.nextReviewDate == world.today.adding(days: 3), "the chair's approval of the minutes sets the next date")
        #expect(page.contains("NEWCASE1: no review date was set for this Level 2 case"))
    }

    @Test("a partner agency sees only meetings with its cases, and on them only its cases")
    func partnerAgency() throws {
        let world = try World()
        try world.fixture.world.involve(world.cases["OVERDUE1"]!, agency: "housing")
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let withHousing = try world.schedule(coordinator, date: world.today.adding(days: 7), title: "Panel with housing")
        coordinator.get("/meetings/\(withHousing)")
        coordinator.post("/meetings/\(withHousing)/agenda", [("action", "add_all")])
        let without = try world.schedule(coordinator, date: world.today.adding(days: 8), kind: "level_3", title: "Panel without housing")
        coordinator.get("/meetings/\(without)")
        coordinator.post("/meetings/\(without)/agenda", [("action", "add_all")])
        let housing = world.fixture.client(signedInAs: .agencyRepresentative)
        let list = housing.get("/meetings").bodyText
        #expect(list.contains("Panel with housing") && !list.contains("Panel without housing"))
        let page = housing.get("/meetings/\(withHousing)").bodyText
        #expect(page.contains("PERSONOVERDUE") && !page.contains("PERSONNEWCASE"))
        #expect(!page.contains("not shown"), "how many other cases the panel discusses is for those who run it, not each agency")
        #expect(!page.contains("Compliance") && !page.contains("Invitees"))
        #expect(housing.get("/meetings/\(without)").status == 404)
        #expect(housing.get("/meetings/new").status == 403)
        #expect(world.fixture.client(signedInAs: .referrer).get("/meetings").status == 403)
    }

    @Test("a series schedules every meeting in it")
    func series() throws {
        let world = try World()
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        coordinator.get("/meetings/new")
        let response = coordinator.post("/meetings/new", [("kind", "level_2"), ("title", "Monthly Level 2 panel"), ("date", world.today.adding(days: 1).description),
                                                         ("start_time", "09:30"), ("duration", "180"), ("venue", "Room 1"), ("repeat", "yes"),
                                                         ("repeat_weeks", "4"), ("count", "3")])
        #expect(response.status == 303)
        let user = try world.fixture.viewer(.coordinator)
        let meetings = try world.fixture.stores.meetings.meetings(for: user).filter { $0.title == "Monthly Level 2 panel" }
        #expect(meetings.map(\.date) == [1, 29, 57].map { world.today.adding(days: $0) })
        #expect(Set(meetings.compactMap(\.seriesID)).count == 1)
    }

    @Test("the directory keeps one single point of contact per agency; contacts are logged on the case and shown on its timeline")
    func directoryAndContactLog() throws {
        let world = try World()
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        coordinator.get("/agencies/housing")
        coordinator.post("/agencies/housing", [("name", "First Spoc"), ("email", "first@example.invalid"), ("spoc", "yes")])
        coordinator.post("/agencies/housing", [("name", "Second Spoc"), ("phone", "01234 567890"), ("spoc", "yes")])
        let missing = coordinator.post("/agencies/housing", [("name", "No Way To Reach")])
        #expect(missing.status == 422)
        #expect(missing.bodyText.contains("Enter a secure email address, a phone number, or both"))
        let housing = try #require(try world.fixture.stores.agencies.agency(code: "housing"))
        let contacts = try world.fixture.stores.agencies.contacts(agencyID: housing.id)
        #expect(contacts.filter(\.isSPOC).map(\.name) == ["Second Spoc"])
        #expect(coordinator.get("/agencies").bodyText.contains("Second Spoc, 01234 567890"))
        #expect(coordinator.post("/agencies", [("name", "Local Women's Refuge")]).status == 303)
        #expect(coordinator.get("/agencies").bodyText.contains("Local Women&#39;s Refuge"))
        #expect(world.fixture.client(signedInAs: .referrer).post("/agencies/housing", [("name", "X"), ("email", "x@example.invalid")]).status == 403)

        let caseID = world.cases["OVERDUE1"]!
        coordinator.get("/cases/\(caseID)")
        let logged = coordinator.post("/cases/\(caseID)/contacts", [("occurred_on", world.today.description), ("direction", "out"), ("agency", "housing"),
                                                                    ("person", "Second Spoc"), ("method", "Phone"), ("summary", "Asked about move-on accommodation")])
        #expect(logged.status == 303)
        let page = coordinator.get("/cases/\(caseID)").bodyText
        #expect(page.contains("Asked about move-on accommodation"))
        #expect(page.contains("Phone to Local housing authority"), "on the timeline")
        let bad = coordinator.post("/cases/\(caseID)/contacts", [("occurred_on-day", "someday"), ("occurred_on-month", "12"), ("occurred_on-year", "2026"), ("direction", "out"), ("agency", "housing"), ("method", "Phone"), ("summary", "")])
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("must be a real date"))
    }

    @Test("the case page's forms offer an agency as soon as the directory adds it, and stop once it is made inactive",
          arguments: DatabaseKind.available)
    func caseFormsFollowTheDirectory(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let casePath = "/cases/\(world.cases["OVERDUE1"]!)"
        let offered = { coordinator.get(casePath).bodyText.components(separatedBy: ">Northshire Women&#39;s Centre</option>").count - 1 }
        #expect(offered() == 0)
        #expect(offered() == 0, "read again, so the list is kept with the connection if it ever is")
        let added = coordinator.post("/agencies", [("name", "Northshire Women's Centre")])
        #expect(added.status == 303)
        let code = try #require(added.headers["Location"]?.split(separator: "?").first?.split(separator: "/").last)
        #expect(offered() == 1, "offered at once by the contact log's form (an action's owner, and so its agency, comes from the directory)")
        #expect(coordinator.post("/agencies/\(code)", [("active", "no")]).status == 303)
        #expect(offered() == 0, "an inactive agency is no longer offered")
    }

    @Test("invitations go through the outbox with the meeting's UID; a reschedule sends updates and a cancellation notices, same UID, higher sequence", arguments: DatabaseKind.available)
    func invitations(kind: DatabaseKind) throws {
        let world = try World(kind)
        let outbox = world.fixture.stores.outbox
        try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, fromAddress: "mappa.unit@example.invalid",
                                                                fromName: "MAPPA Unit")), by: .commandLine)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        coordinator.get("/meetings/\(id)")
        coordinator.post("/meetings/\(id)/agenda", [("action", "add_all")])
        coordinator.get("/meetings/\(id)/invitees")
        coordinator.post("/meetings/\(id)/invitees", [("action", "add"), ("agency", "police"), ("name", "DS Example"), ("email", "ds@example.invalid")])
        coordinator.post("/meetings/\(id)/invitees", [("action", "add"), ("agency", "housing"), ("name", "Housing Lead"), ("email", "housing@example.invalid")])
        #expect(coordinator.get("/meetings/\(id)").bodyText.contains("2 invitees are due an invitation or an update"))
        #expect(coordinator.post("/meetings/\(id)/send", []).status == 303)
        func drain() throws -> [OutgoingMail] {
            let claimed = try outbox.claimDue(limit: 50)
            for message in claimed { try outbox.markSent(message) }
            return claimed.map(\.mail)
        }
        let uid = try world.fixture.world.meeting(id).uid
        let first = try drain()
        #expect(first.count == 2)
        #expect(Set(first.flatMap(\.to).map(\.address)) == ["ds@example.invalid", "housing@example.invalid"])
        for mail in first {
            #expect(mail.subject.hasPrefix("Invitation: Level 2 panel – North"))
            #expect(mail.calendar?.uid == uid && mail.calendar?.sequence == 0 && mail.calendar?.method == .request)
            #expect(mail.calendar?.organizer.address == "mappa.unit@example.invalid")
            #expect(mail.calendar?.attendees.count == 2)
            #expect(!mail.text.contains("PERSONOVERDUE") && !mail.text.contains("Personoverdue"), "no case details by email")
            #expect(mail.attachments.map(\.contentType) == ["application/pdf"] && mail.attachments.first?.filename.hasPrefix("mappa-agenda-") == true)
        }
        // Each invitee's agenda names, by reference only, the cases their agency may be sent: police leads NEWCASE1;
        // housing is in neither case.
        let copies = try Dictionary(first.map { ($0.to[0].address, try MinutesFlowTests.pdfText($0.attachments[0].data)) }, uniquingKeysWith: { a, _ in a })
        let police = try #require(copies["ds@example.invalid"])
        #expect(police.contains("NEWCASE1") && !police.contains("OVERDUE1") && !police.contains("PERSONNEWCASE"))
        let housing = try #require(copies["housing@example.invalid"])
        #expect(!housing.contains("NEWCASE1") && !housing.contains("OVERDUE1") && housing.contains("No case on this agenda is shared with you by email"))
        // 10:00 UK time on a January day is 10:00 UTC.
        let start = try #require(first.first?.calendar?.start)
        #expect(Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: start).hour == 10)
        coordinator.get("/meetings/\(id)")
        #expect(coordinator.post("/meetings/\(id)/send", []).headers["Location"]?.contains("nothing-to-send") == true)

        let edit = coordinator.get("/meetings/\(id)/edit")
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: edit.bodyText))
        coordinator.post("/meetings/\(id)/edit", [("title", "Level 2 panel – North"), ("date", world.today.adding(days: 8).description),
                                                  ("start_time", "13:30"), ("duration", "120"), ("venue", "Room 4"), ("chair_grade", "manager"),
                                                  ("version", version)])
        coordinator.get("/meetings/\(id)")
        coordinator.post("/meetings/\(id)/send", [])
        let updates = try drain()
        #expect(updates.count == 2)
        #expect(updates.allSatisfy { $0.subject.hasPrefix("Updated:") && $0.calendar?.uid == uid && $0.calendar?.sequence == 1 })

        try Self.cancel(coordinator, id, reason: "Venue flooded: the panel is moved to next week.")
        coordinator.get("/meetings/\(id)")
        coordinator.post("/meetings/\(id)/send", [])
        let cancellations = try drain()
        #expect(cancellations.count == 2)
        #expect(cancellations.allSatisfy { $0.calendar?.method == .cancel && $0.calendar?.uid == uid && $0.calendar?.sequence == 2 })
        #expect(cancellations.allSatisfy { $0.text.contains("Reason: Venue flooded: the panel is moved to next week.") && $0.attachments.isEmpty })
        let page = coordinator.get("/meetings/\(id)").bodyText
        #expect(page.contains("Messages about this meeting") && page.contains("Cancelled"))
    }

    @Test("without mail settings or an email address, sending says what to do")
    func sendWithoutMail() throws {
        let world = try World()
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        coordinator.get("/meetings/\(id)")
        let response = coordinator.post("/meetings/\(id)/send", [])
        #expect(response.status == 422)
        #expect(response.bodyText.contains("Email is not set up: nothing will be sent until"))
    }

    /// Cancels the meeting as a person does: the confirmation page, then the reason.
    static func cancel(_ client: TestClient, _ id: Int64, reason: String) throws {
        let confirm = client.get("/meetings/\(id)/cancel")
        #expect(confirm.status == 200 && confirm.bodyText.contains("Yes, cancel the meeting"))
        #expect(client.post("/meetings/\(id)/cancel", [("reason", reason)]).status == 303)
    }

    @Test("cancelling asks for a reason and confirms first; nothing changes until both are given", arguments: DatabaseKind.available)
    func cancelNeedsReason(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        let page = coordinator.get("/meetings/\(id)").bodyText
        #expect(page.contains("href=\"/meetings/\(id)/cancel\""), "the meeting page leads to the confirmation, not straight to a cancellation")
        let confirm = coordinator.get("/meetings/\(id)/cancel").bodyText
        #expect(confirm.contains("Cancel Level 2 panel – North?") && confirm.contains("No, keep the meeting") && confirm.contains("Nobody has been invited yet"))
        let bare = coordinator.post("/meetings/\(id)/cancel", [])
        #expect(bare.status == 422 && bare.bodyText.contains("Say why the meeting is cancelled"))
        let long = coordinator.post("/meetings/\(id)/cancel", [("reason", String(repeating: "x", count: 501))])
        #expect(long.status == 422 && long.bodyText.contains("500 characters or fewer") && long.bodyText.contains(String(repeating: "x", count: 501)))
        let control = coordinator.post("/meetings/\(id)/cancel", [("reason", "Moved\u{7}")])
        #expect(control.status == 422)
        #expect(try world.fixture.world.meeting(id).status == .scheduled)
        #expect(coordinator.post("/meetings/\(id)/cancel", [("reason", "Chair unwell")]).status == 303)
        let cancelled = try world.fixture.world.meeting(id)
        #expect(cancelled.status == .cancelled && cancelled.cancelReason == "Chair unwell")
        #expect(coordinator.get("/meetings/\(id)").bodyText.contains("Why it was cancelled"))
        #expect(coordinator.get("/meetings/\(id)/cancel").status == 409, "a cancelled meeting is not offered for cancelling again")
        #expect(world.fixture.client(signedInAs: .manager).get("/meetings/\(id)/cancel").status == 403)
    }

    @Test("each case has a time slot, checked against the meeting's hours, shown on the agenda and in its PDF", arguments: DatabaseKind.available)
    func timeSlots(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        coordinator.get("/meetings/\(id)")
        coordinator.post("/meetings/\(id)/agenda", [("action", "add_all")])
        let items = try world.fixture.world.items(id)
        let bad = coordinator.post("/meetings/\(id)/items/\(items[0].id)/time", [("start_time", "13:15")])
        #expect(bad.status == 422 && bad.bodyText.contains("within the meeting, from 10:00 to before 12:00") && bad.bodyText.contains("value=\"13:15\""))
        #expect(coordinator.post("/meetings/\(id)/items/\(items[0].id)/time", [("start_time", "1o:30")]).status == 422)
        #expect(coordinator.post("/meetings/\(id)/items/\(items[0].id)/time", [("start_time", "10:40")]).status == 303)
        #expect(try world.fixture.world.items(id)[0].startTime == "10:40")
        #expect(coordinator.get("/meetings/\(id)").bodyText.contains("value=\"10:40\""))
        let pdf = coordinator.get("/meetings/\(id)/agenda.pdf")
        #expect(pdf.status == 200 && pdf.headers["Content-Type"] == "application/pdf")
        let text = try MinutesFlowTests.pdfText(pdf.body)
        #expect(text.contains("10:40") && text.contains("PERSONOVERDUE") && text.contains("OVERDUE1"), "the signed-in viewer's copy names the cases they may see")
        #expect(try world.fixture.stores.audit.recent(limit: 5, subjectType: "meeting", subjectID: String(id)).contains { $0.action == .export })
        #expect(world.fixture.client(signedInAs: .chair).post("/meetings/\(id)/items/\(items[0].id)/time", [("start_time", "10:00")]).status == 403)
    }

    @Test("a case whose level changed is flagged on the panel's agenda, and proposed to its new panel as level changed", arguments: DatabaseKind.available)
    func levelChanged(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let levelThree = try world.schedule(coordinator, date: world.today, kind: "level_3", title: "Level 3 panel")
        coordinator.get("/meetings/\(levelThree)")
        #expect(coordinator.post("/meetings/\(levelThree)/agenda", [("action", "add_all")]).status == 303)
        #expect(try world.fixture.world.items(levelThree).map(\.nominalRef) == ["LEVELTHREE1"])
        #expect(coordinator.post("/meetings/\(levelThree)/held", []).status == 303)
        let next = try world.schedule(coordinator, date: world.today.adding(days: 14), kind: "level_3", title: "Next Level 3 panel")
        coordinator.get("/meetings/\(next)")
        coordinator.post("/meetings/\(next)/agenda", [("action", "add"), ("case", String(world.cases["LEVELTHREE1"]!))])
        // The case moves to Level 2 while on the next Level 3 agenda.
        let caseID = world.cases["LEVELTHREE1"]!
        var details = try world.fixture.world.record(caseID).details
        details.level = .two
        try world.fixture.stores.cases.updateCase(id: caseID, details: details, reason: "Risk reduced", expectedVersion: try world.fixture.world.record(caseID).version,
                                                  by: try world.fixture.viewer(.coordinator))
        let page = coordinator.get("/meetings/\(next)").bodyText
        #expect(page.contains("Level changed") && page.contains("this case is now managed at Level 2, not Level 3"))
        let levelTwo = try world.schedule(coordinator, date: world.today.adding(days: 20))
        #expect(coordinator.get("/meetings/\(levelTwo)").bodyText.contains("Level changed: moved from Level 3 to Level 2, first review at Level 2"))
    }
}
