import Database
import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Partner agencies in the loop and mail that tells the truth, through the pages: the housing representative reads
/// and downloads the approved minutes of their case (their name and the marking on every page) and is kept from
/// another agency's; replies to an invitation; the coordinator sees the reply and the mail's real status, is told when
/// email is not set up, and records a distribution made another way.
@Suite("Partner agencies in the loop")
struct PartnerLoopTests {
    /// The minutes world (`MinutesFlowTests.World`: a case housing is involved in, on a panel today, housing, police and
    /// DWP invited) with a second case housing is not involved in, both discussions' minutes approved through the pages.
    struct World {
        let base: MinutesFlowTests.World
        let otherItemID: Int64
        var fixture: AppFixture { base.fixture }
        var path: String { base.path }
        var otherPath: String { "/meetings/\(base.meetingID)/items/\(otherItemID)/minutes" }

        init(_ kind: DatabaseKind = .sqlite) throws {
            base = try MinutesFlowTests.World(kind)
            let world = base.fixture.world
            let today = base.fixture.today
            let other = try world.importCases([CaseRegisterRow(
                nominalRef: "MIN2", familyName: "Otheragency", givenNames: "Sam", dateOfBirth: CalendarDate("1981-01-01")!,
                category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -100), rosh: .high)])["MIN2"]!
            try world.addToAgenda(base.meetingID, caseID: other)
            otherItemID = try #require(try world.items(base.meetingID).first { $0.caseID == other }?.id)
            try world.markHeld(base.meetingID)
            try Self.approve(base.fixture, base.path)
            // The other case's action is the police's: an action owned by housing would involve housing in the case.
            try Self.approve(base.fixture, otherPath, actionAgency: "police")
        }

        static func approve(_ fixture: AppFixture, _ path: String, actionAgency: String = "housing") throws {
            let coordinator = fixture.client(signedInAs: .coordinator)
            coordinator.get(path)
            #expect(coordinator.post(path + "/start", []).status == 303)
            let page = coordinator.get(path)
            let today = fixture.today
            let form = MinutesFlowTests.complete.map { $0.0 == "action_agency_1" ? ($0.0, actionAgency) : $0 }
            #expect(coordinator.post(path, form + [("version", try MinutesFlowTests.version(page)),
                                                                        ("action_due_1", today.adding(days: 14).description),
                                                                        ("next_review_date", today.adding(weeks: 8).description),
                                                                        ("action", "submit")]).status == 303)
            let chair = fixture.client(signedInAs: .chair)
            chair.get(path)
            #expect(chair.post(path + "/approve", [("confirm", "yes")]).status == 303)
        }
    }

    @Test("the housing representative reads and downloads the approved minutes of their case, and not another agency's",
          arguments: DatabaseKind.available)
    func readsMinutes(kind: DatabaseKind) throws {
        let world = try World(kind)
        let housing = world.fixture.client(signedInAs: .agencyRepresentative)
        let page = housing.get(world.path)
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Former partner at risk when drinking") && page.bodyText.contains("Approved"))
        #expect(!page.bodyText.contains("Distribute") && !page.bodyText.contains("name=\"version\""), "read only")
        #expect(housing.get(world.otherPath).status == 403, "need-to-know: housing is not involved in the other case")
        #expect(housing.get(world.otherPath + ".pdf").status == 403)

        let list = housing.get("/minutes")
        #expect(list.status == 200 && list.bodyText.contains("MIN1") && !list.bodyText.contains("MIN2") && !list.bodyText.contains("Otheragency"))
        #expect(list.bodyText.contains(world.path + ".pdf"))

        let pdf = housing.get(world.path + ".pdf")
        #expect(pdf.status == 200 && pdf.headers["Content-Type"] == "application/pdf")
        let pages = try MinutesFlowTests.pdfText(pdf.body).split(separator: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(pages.count >= 2, "the minutes run to more than one page")
        for (index, text) in pages.enumerated() {
            #expect(text.contains("OFFICIAL-SENSITIVE"), "page \(index + 1) carries the marking")
            #expect(text.contains("Copy for Test Agency representative, Local housing authority"), "page \(index + 1) carries the reader's name")
        }
        let audited = try world.fixture.stores.audit.recent(limit: 50).filter { $0.actorUsername == "user.agency_representative" }
        #expect(audited.contains { $0.action == .view && $0.subjectType == "minutes" }, "the view is audited")
        #expect(audited.contains { $0.action == .export && $0.subjectType == "minutes" }, "the download is audited")
        #expect(audited.contains { $0.action == .accessRefused }, "the refusal is audited")

        // DWP is invited but involved in neither case: the list is empty and the minutes are refused.
        try world.fixture.world.addUser("dwp.rep", role: .agencyRepresentative, agency: "dwp")
        let dwp = world.fixture.client()
        dwp.signIn("dwp.rep", AppFixture.password)
        #expect(dwp.get(world.path).status == 403)
        #expect(dwp.get("/minutes").bodyText.contains("0 approved minutes"))
    }

    @Test("emailed minutes: each recipient's copy carries their name, as the download does; no mail server: record another way")
    func distribution() throws {
        let world = try World()
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        var page = coordinator.get(world.path)
        #expect(page.bodyText.contains("Email is not set up: nothing will be sent until"))
        #expect(page.bodyText.contains("Record a distribution made another way"))
        #expect(!page.bodyText.contains("Distribute the minutes by email"))

        // Validation keeps what was typed, with the error summary.
        let future = world.fixture.today.adding(days: 2).description
        let refused = coordinator.post(world.path + "/record-distribution", [("distributed_on", future), ("recipients", "Housing Lead"),
                                                                           ("method", "By hand at the panel")])
        #expect(refused.status == 422 && refused.bodyText.contains("cannot be in the future") && refused.bodyText.contains("By hand at the panel"))
        #expect(refused.bodyText.contains("error-summary"))
        let control = coordinator.post(world.path + "/record-distribution", [("distributed_on", world.fixture.today.description),
                                                                           ("recipients", "Housing\u{0001}Lead"), ("method", "By hand")])
        #expect(control.status == 422 && control.bodyText.contains("characters that cannot be stored"))
        #expect(coordinator.post(world.path + "/record-distribution", [("distributed_on", world.fixture.today.description),
                                                                     ("recipients", "Housing Lead"), ("method", "By hand")], addCSRF: false).status == 403)
        let recorded = coordinator.post(world.path + "/record-distribution", [("distributed_on", world.fixture.today.description),
                                                                            ("recipients", "Housing Lead (housing)"),
                                                                            ("method", "Secure email from the police system")])
        #expect(recorded.status == 303)
        page = coordinator.get(world.path)
        #expect(page.bodyText.contains("Distributed another way") && page.bodyText.contains("Secure email from the police system"))
        #expect(try world.fixture.world.discussion(world.base.meetingID, world.base.itemID).minutes?.distributedAt == world.fixture.today.description)

        // The other case's minutes go by email once mail is set up: housing is not entitled, so nobody gets them; here
        // the first case's amended minutes, approved again, go to housing with the reader's name on every page.
        let outbox = world.fixture.stores.outbox
        try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, security: .none, fromAddress: "unit@example.invalid")),
                                by: .commandLine)
        #expect(coordinator.post(world.path + "/amend", [("change_note", "Correct the action owner")]).status == 303)
        let chair = world.fixture.client(signedInAs: .chair)
        let draft = coordinator.get(world.path)
        #expect(coordinator.post(world.path, MinutesFlowTests.complete + [("version", try MinutesFlowTests.version(draft)),
                                                                          ("action_due_1", world.fixture.today.adding(days: 14).description),
                                                                          ("next_review_date", world.fixture.today.adding(weeks: 8).description),
                                                                          ("action", "submit")]).status == 303)
        chair.get(world.path)
        #expect(chair.post(world.path + "/approve", [("confirm", "yes")]).status == 303)
        coordinator.get(world.path)
        #expect(coordinator.post(world.path + "/distribute", []).status == 303)
        page = coordinator.get(world.path)
        #expect(page.bodyText.contains("Sent by email from this app") && page.bodyText.contains("Waiting to send"), "queued, not yet sent")
        let claimed = try #require(try outbox.claimDue(limit: 10).first)
        let text = try MinutesFlowTests.pdfText(try #require(claimed.mail.attachments.first).data)
        #expect(text.contains("Copy for Housing Lead, Local housing authority") && text.contains("OFFICIAL-SENSITIVE"))
        try outbox.markSent(claimed)
        #expect(coordinator.get(world.path).bodyText.contains(">Sent<"))
    }

    @Test("a representative replies to an invitation; the coordinator sees the reply and the mail's real status", arguments: DatabaseKind.available)
    func reply(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let world = fixture.world
        let today = fixture.today
        let ids = try world.importCases([
            CaseRegisterRow(nominalRef: "RP1", familyName: "Replycase", givenNames: "Alex", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: .two, level: .two, leadAgency: "housing", mappaStartDate: today.adding(days: -30)),
            CaseRegisterRow(nominalRef: "RP2", familyName: "Hiddencase", givenNames: "Sam", dateOfBirth: CalendarDate("1981-01-01")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -30)),
        ])
        try world.involve(ids["RP1"]!, agency: "housing")
        let meeting = try world.schedule(MeetingPlan(kind: .level2, title: "Reply panel", date: today.adding(days: 7), startTime: "10:00", venue: "Room 1"))
        try world.addToAgenda(meeting.id, caseID: ids["RP1"]!)
        try world.addToAgenda(meeting.id, caseID: ids["RP2"]!)
        try fixture.stores.meetings.confirmInvitees(meeting, [
            (try world.agencyID("police"), "DS Police", "police@example.invalid"),
            (try world.agencyID("housing"), "Housing Lead", "housing@example.invalid")], by: try world.coordinator().actor)

        // No mail server: the invitations are queued (from the coordinator's own address), and every page says nothing
        // will be sent.
        let user = try world.coordinator().user
        try fixture.stores.accounts.updateDetails(userID: user.id, .init(displayName: user.displayName, email: "coordinator@unit.example.invalid",
                                                                         role: user.role, agencyCode: "mappa_unit", managesRestrictedCases: false,
                                                                         expectedVersion: user.version), by: .commandLine)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/meetings/\(meeting.id)")
        let sent = coordinator.post("/meetings/\(meeting.id)/send", [])
        #expect(sent.status == 303 && (sent.headers["Location"] ?? "").contains("invitations-waiting-for-mail"))
        var page = coordinator.get("/meetings/\(meeting.id)")
        #expect(page.bodyText.contains("Email is not set up: nothing will be sent until"))
        #expect(page.bodyText.contains("Waiting to send") && !page.bodyText.contains(">Sent<"), "queued is not sent")

        let housing = fixture.client(signedInAs: .agencyRepresentative)
        let list = housing.get("/meetings/invited")
        #expect(list.status == 200 && list.bodyText.contains("Reply panel") && list.bodyText.contains("RP1") && !list.bodyText.contains("RP2"))
        #expect(list.bodyText.contains("No reply yet"))
        let form = housing.get("/meetings/\(meeting.id)/reply")
        #expect(form.status == 200 && form.bodyText.contains("name=\"response\"") && !form.bodyText.contains("Hiddencase"))

        let missing = housing.post("/meetings/\(meeting.id)/reply", [("response", "apologies_with_report"), ("report_text", "")])
        #expect(missing.status == 422 && missing.bodyText.contains("Write the report, or say that it is sent separately"))
        let long = housing.post("/meetings/\(meeting.id)/reply", [("response", "apologies_with_report"), ("report_text", String(repeating: "a", count: 2001))])
        #expect(long.status == 422 && long.bodyText.contains("2000 characters or fewer"))
        let control = housing.post("/meetings/\(meeting.id)/reply", [("response", "apologies_with_report"), ("report_text", "Tenancy\u{001B}[31m ended")])
        #expect(control.status == 422 && control.bodyText.contains("Tenancy"), "refused, and what was typed kept")
        #expect(housing.post("/meetings/\(meeting.id)/reply", [("response", "nonsense")]).status == 422)
        #expect(housing.post("/meetings/\(meeting.id)/reply", [("response", "attending")], addCSRF: false).status == 403)
        let replied = housing.post("/meetings/\(meeting.id)/reply", [("response", "apologies_with_report"),
                                                                    ("report_text", "Tenancy ended; new address known to housing"),
                                                                    ("report_sent", "yes")])
        #expect(replied.status == 303 && replied.headers["Location"] == "/meetings/invited?done=invitation-replied")
        #expect(housing.get("/meetings/invited").bodyText.contains("Apologies, with a report"))

        page = coordinator.get("/meetings/\(meeting.id)")
        #expect(page.bodyText.contains("Apologies, with a report; report sent separately"))
        let invitees = coordinator.get("/meetings/\(meeting.id)/invitees")
        #expect(invitees.bodyText.contains("Tenancy ended; new address known to housing"))

        // A partner agency not invited has no reply form; the police invitee's failure shows its reason.
        try world.addUser("prison.rep", role: .agencyRepresentative, agency: "prison")
        let prison = fixture.client()
        prison.signIn("prison.rep", AppFixture.password)
        #expect(prison.get("/meetings/\(meeting.id)/reply").status == 404)
        #expect(prison.post("/meetings/\(meeting.id)/reply", [("response", "attending")]).status == 404)
        let outbox = fixture.stores.outbox
        try fixture.stores.database.write { try $0.execute("INSERT INTO settings (key, value) VALUES ('outbox.max_attempts', '1')") }
        for claimed in try outbox.claimDue(limit: 10) {
            if claimed.mail.to.first?.address == "police@example.invalid" { try outbox.markFailed(claimed, error: "smtp_connect: connection refused") }
            else { try outbox.markSent(claimed) }
        }
        page = coordinator.get("/meetings/\(meeting.id)")
        #expect(page.bodyText.contains("Failed") && page.bodyText.contains("smtp_connect: connection refused") && page.bodyText.contains(">Sent<"))
    }
}
