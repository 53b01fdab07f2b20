import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Minutes through the real pages: written by the coordinator, checked, approved by the chair, distributed as a
/// PDF only to those entitled, and amended into a new version.
@Suite("Minutes")
struct MinutesFlowTests {
    struct World {
        let fixture: AppFixture
        let meetingID: Int64
        let itemID: Int64
        let caseID: Int64
        var path: String { "/meetings/\(meetingID)/items/\(itemID)/minutes" }

        init(_ kind: DatabaseKind = .sqlite) throws {
            fixture = try AppFixture(kind)
            let today = CalendarDate(fixture.clock.now)
            let world = fixture.world
            caseID = try world.importCases([CaseRegisterRow(
                nominalRef: "MIN1", familyName: "Minuteson", givenNames: "Alex", dateOfBirth: CalendarDate("1980-01-01")!,
                category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -100), rosh: .high)])["MIN1"]!
            try world.involve(caseID, agency: "housing")
            meetingID = try world.schedule(MeetingPlan(kind: .level2, title: "Minutes panel", date: today, startTime: "10:00",
                                                       venue: "Room 2", chairGrade: .manager)).id
            try world.addToAgenda(meetingID, caseID: caseID)
            itemID = try #require(try world.items(meetingID).first?.id)
            try fixture.stores.meetings.confirmInvitees(try world.meeting(meetingID), [
                (try world.agencyID("police"), "DS Police", "police@example.invalid"),
                (try world.agencyID("housing"), "Housing Lead", "housing@example.invalid"),
                (try world.agencyID("dwp"), "DWP Person", "dwp@example.invalid")], by: try world.coordinator().actor)
        }
    }

    static let complete: [(String, String)] = [
        ("info_police", "Arrested for a breach last month"), ("risk_assessment", "Former partner at risk when drinking"), ("rosh", "high"),
        ("victim_issues", "VLO in contact"), ("diversity", "None"), ("disclosure_considered", "yes"), ("disclosure_decision", "No disclosure"),
        ("disclosure_rationale", "Victim already aware"), ("supervision", "Weekly reporting"), ("monitoring_and_control", "GPS tag"),
        ("interventions_and_treatment", "Alcohol service"), ("victim_safety_planning", "Address marker"),
        ("decision_1", "Escalate to Level 3"), ("rationale_1", "Needs senior housing decisions"), ("level_decision", "3"),
        ("lead_agency", "probation"), ("action_1", "Book emergency housing panel"), ("action_owner_1", "Housing Lead"),
        ("action_agency_1", "housing"), ("action_area_1", "supervision"),
    ]

    static func version(_ page: Response) throws -> String {
        try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: page.bodyText))
    }

    @Test("write, check, send back, resubmit, approve, distribute to the entitled only, amend", arguments: DatabaseKind.available)
    func workflow(kind: DatabaseKind) throws {
        let world = try World(kind)
        let today = CalendarDate(world.fixture.clock.now)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        coordinator.get(world.path)
        #expect(coordinator.post(world.path + "/start", []).status == 303)
        var page = coordinator.get(world.path)
        #expect(page.bodyText.contains("<option value=\"high\" selected>"), "pre-filled with the case's RoSH")
        // An incomplete draft: the quality check lists what is missing and nothing goes to the chair.
        let incomplete = coordinator.post(world.path, [("version", try Self.version(page)), ("risk_assessment", "Agency updates only"),
                                                       ("action_1", "Visit"), ("action", "submit")])
        #expect(incomplete.status == 422)
        for message in ["Write the risk management plan under the four pillars", "Record that disclosure was considered",
                        "Action 1 needs an owner, an agency, a due date, an area of the risk management plan", "Record the level decision"] {
            #expect(incomplete.bodyText.contains(message), "\(message)")
        }
        #expect(try world.fixture.world.discussion(world.meetingID, world.itemID).minutes?.status == .draft)
        page = coordinator.get(world.path)
        let due = today.adding(days: 14).description
        let next = today.adding(weeks: 8).description
        let submitted = coordinator.post(world.path, Self.complete + [("version", try Self.version(page)), ("action_due_1", due),
                                                                      ("next_review_date", next), ("action", "submit")])
        #expect(submitted.status == 303)
        #expect(coordinator.post(world.path + "/approve", []).status == 403, "only a chair approves")

        let chair = world.fixture.client(signedInAs: .chair)
        chair.get(world.path)
        #expect(chair.post(world.path + "/send-back", [("comments", "")]).status == 422)
        #expect(chair.post(world.path + "/send-back", [("comments", "Say who owns the victim safety plan")]).status == 303)
        page = coordinator.get(world.path)
        #expect(page.bodyText.contains("Say who owns the victim safety plan"))
        let resubmitted = coordinator.post(world.path, Self.complete + [("version", try Self.version(page)), ("action_due_1", due),
                                                                        ("next_review_date", next), ("action", "submit")])
        #expect(resubmitted.status == 303)
        // The meeting has not been marked held: the chair is told why there is no Approve button, and approving is refused.
        let unheld = chair.get(world.path).bodyText
        #expect(unheld.contains("The meeting has not been marked as held yet") && !unheld.contains("Approve the minutes</button>"))
        let early = chair.post(world.path + "/approve", [("confirm", "yes")])
        #expect(early.status == 422 && early.bodyText.contains("The meeting has not been marked as held yet"))
        #expect(try world.fixture.world.discussion(world.meetingID, world.itemID).minutes?.status == .submitted)
        coordinator.get("/meetings/\(world.meetingID)")
        #expect(coordinator.post("/meetings/\(world.meetingID)/held", []).status == 303)
        #expect(chair.get(world.path).bodyText.contains("Approve the minutes</button>"))
        #expect(chair.post(world.path + "/approve", []).headers["Location"] == world.path + "/approve", "the first press shows what changes")
        #expect(try world.fixture.world.discussion(world.meetingID, world.itemID).minutes?.status == .submitted)
        let check = chair.get(world.path + "/approve")
        #expect(check.status == 200 && check.bodyText.contains("What approval changes on the case") && check.bodyText.contains("Level 3"))
        #expect(chair.post(world.path + "/approve", [("confirm", "yes")]).status == 303)
        let record = try world.fixture.world.record(world.caseID)
        #expect(record.level == .three && record.nextReviewDate == CalendarDate(next) && record.lastReviewedOn == today)
        #expect(try world.fixture.world.history(world.caseID).contains { $0.field == "level" && $0.reason.contains("approved by the chair") })
        let tracked = try world.fixture.stores.actions.actions(of: try world.fixture.stores.cases.case(id: world.caseID, for: try world.fixture.viewer(.coordinator)))
        #expect(tracked.map(\.description) == ["Book emergency housing panel"] && tracked.first?.ownerAgencyCode == "housing",
                "the agreed action is now tracked")

        coordinator.get(world.path)
        #expect(coordinator.post(world.path + "/distribute", []).status == 422, "no mail settings yet")
        let outbox = world.fixture.stores.outbox
        try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, fromAddress: "unit@example.invalid")), by: .commandLine)
        coordinator.get(world.path)
        #expect(coordinator.post(world.path + "/distribute", []).status == 303)
        let sent = try outbox.claimDue(limit: 10)
        #expect(Set(sent.flatMap { $0.mail.to.map(\.address) }) == ["housing@example.invalid"],
                "police and DWP are not involved in the case: they do not get the minutes")
        let pdf = try #require(sent.first?.mail.attachments.first)
        #expect(pdf.contentType == "application/pdf")
        let text = try Self.pdfText(pdf.data)
        #expect(text.contains("OFFICIAL-SENSITIVE") && text.contains("Page 1 of"))
        #expect(text.contains("Former partner at risk when drinking") && text.contains("Book emergency"), "the action (its table cell may wrap)")
        #expect(text.contains("Do not photocopy"), "the handling conditions")

        page = coordinator.get(world.path)
        #expect(page.bodyText.contains("Distributed"))
        #expect(coordinator.post(world.path + "/amend", [("change_note", "")]).status == 422)
        #expect(coordinator.post(world.path + "/amend", [("change_note", "Correct the action owner")]).status == 303)
        let versions = try world.fixture.stores.minutes.versions(of: try world.fixture.world.discussion(world.meetingID, world.itemID))
        #expect(versions.map(\.versionNumber) == [2, 1])
        #expect(versions[0].status == .draft && versions[0].changeNote == "Correct the action owner")
        #expect(versions[1].status == .distributed, "the distributed version stays as it was")
        page = coordinator.get(world.path)
        let amended = coordinator.post(world.path, Self.complete.filter { $0.0 != "action_owner_1" }
                                       + [("action_owner_1", "Housing Manager"), ("version", try Self.version(page)), ("action_due_1", due),
                                          ("next_review_date", next), ("action", "save")])
        #expect(amended.status == 303)
        let history = coordinator.get(world.path).bodyText
        #expect(history.contains("Correct the action owner") && history.contains(">Actions<"), "the change is visible by section")
    }

    @Test("two people saving the same draft: the second is told, not overwritten")
    func locking() throws {
        let world = try World()
        let first = world.fixture.client(signedInAs: .coordinator)
        first.get(world.path)
        first.post(world.path + "/start", [])
        let page = first.get(world.path)
        let version = try Self.version(page)
        try world.fixture.stores.accounts.createUser(.init(username: "second.coordinator", displayName: "Second", role: .coordinator,
                                                        agencyCode: "mappa_unit", password: AppFixture.password, mustChangePassword: false), by: .commandLine)
        let second = world.fixture.client()
        second.signIn("second.coordinator", AppFixture.password)
        second.get(world.path)
        #expect(first.post(world.path, [("version", version), ("risk_assessment", "First text"), ("action", "save")]).status == 303)
        let late = second.post(world.path, [("version", version), ("risk_assessment", "Second text"), ("action", "save")])
        #expect(late.status == 409)
        #expect(late.bodyText.contains("Someone else saved these minutes"))
        #expect(try world.fixture.world.discussion(world.meetingID, world.itemID).minutes?.content.riskAssessment == "First text")
    }

    @Test("minutes follow the case's need-to-know")
    func needToKnow() throws {
        let world = try World()
        try world.fixture.world.name("user.manager", on: world.caseID, as: .exclude)
        #expect(world.fixture.client(signedInAs: .manager).get(world.path).status == 403)
        #expect(world.fixture.client(signedInAs: .chair).get(world.path).status == 200)
        // Housing is involved in the case: it reaches the discussion, but no minutes until the chair approves them.
        let housing = world.fixture.client(signedInAs: .agencyRepresentative).get(world.path)
        #expect(housing.status == 200 && housing.bodyText.contains("have not been approved by the chair yet"))
        #expect(world.fixture.client(signedInAs: .agencyRepresentative).get(world.path + ".pdf").status == 404)
    }

    static func pdfText(_ data: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("minutes-\(UUID().uuidString).pdf")
        try Data(data).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = [file.path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }
}
