import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Actions through the pages: created on a case and from approved minutes, closed by a partner-agency owner,
/// overdue on the dashboard and in the digest.
@Suite("Actions")
struct ActionFlowTests {
    static func seed(_ fixture: AppFixture) throws -> Int64 {
        try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "ACT1", familyName: "Actionson", givenNames: "Lee", dateOfBirth: CalendarDate("1980-01-01")!,
            category: .two, level: .two, leadAgency: "probation", mappaStartDate: CalendarDate("2026-06-01"))])["ACT1"]!
    }

    @Test("the coordinator chooses the housing representative from the directory; they see it in My actions and close it; nobody else can",
          arguments: DatabaseKind.available)
    func partnerCloses(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let caseID = try Self.seed(fixture)
        let housingUser = try fixture.viewer(.agencyRepresentative).user
        let coordinator = fixture.client(signedInAs: .coordinator)
        let form = coordinator.get("/cases/\(caseID)/actions/new?q=housing")
        #expect(form.status == 200)
        #expect(form.bodyText.contains("value=\"user:\(housingUser.id)\"") && form.bodyText.contains("<optgroup label=\"Local housing authority\">"),
                "the search step offers the housing representative under their agency")
        #expect(!form.bodyText.contains("value=\"user:\(try fixture.viewer(.coordinator).user.id)\""), "the search narrows the list")
        #expect(coordinator.get("/cases/\(caseID)/actions/new?q=" + String(repeating: "a", count: 101)).status == 422, "the search is limited")
        let due = CalendarDate(fixture.clock.now).adding(days: 10).description
        let empty = coordinator.post("/cases/\(caseID)/actions", [("description", ""), ("owner", ""), ("area", ""), ("due_date", "")])
        #expect(empty.status == 422)
        #expect(empty.bodyText.contains("Say what is to be done") && empty.bodyText.contains("Choose the owner from the directory")
                && empty.bodyText.contains("Select the area of the risk management plan"))
        // A past date: the form comes back with the error summary and everything typed, never a dead end.
        let past = coordinator.post("/cases/\(caseID)/actions", [("description", "Find move-on accommodation"), ("owner", "user:\(housingUser.id)"),
                                                                ("area", "victim_safety"), ("due_date", "2020-01-01")])
        #expect(past.status == 422)
        #expect(past.bodyText.contains("There is a problem") && past.bodyText.contains("The due date cannot be in the past"))
        #expect(past.bodyText.contains("value=\"Find move-on accommodation\"") && TestClient.dateInputValue(past.bodyText, "due_date", "day") == "1"
                && TestClient.dateInputValue(past.bodyText, "due_date", "month") == "1" && TestClient.dateInputValue(past.bodyText, "due_date", "year") == "2020"
                && past.bodyText.contains("value=\"user:\(housingUser.id)\" selected") && past.bodyText.contains("value=\"victim_safety\" selected"))
        #expect(!past.bodyText.contains("Go back"))
        let viewed = try fixture.stores.audit.recent(limit: 20, subjectType: "case", subjectID: String(caseID)).map(\.detail)
        #expect(viewed.contains("add an action") && viewed.contains("add an action, with problems"), "each view of the form audited")
        #expect(coordinator.post("/cases/\(caseID)/actions", [("description", "Bad\u{07}bell"), ("owner", "user:\(housingUser.id)"),
                                                              ("area", "victim_safety"), ("due_date", due)]).status == 422, "control characters refused")
        #expect(coordinator.post("/cases/\(caseID)/actions", [("description", "Find move-on accommodation"), ("owner", "user:\(housingUser.id)"),
                                                              ("area", "victim_safety"), ("due_date", due)]).status == 303)
        #expect(coordinator.get("/cases/\(caseID)").bodyText.contains("Find move-on accommodation"))
        let action = try #require(try fixture.stores.actions.actions(of: try fixture.stores.cases.case(id: caseID, for: try fixture.viewer(.coordinator))).first)
        #expect(action.ownerUserID == housingUser.id && action.ownerAgencyCode == "housing" && action.area == .victimSafety,
                "a reference to the user; the agency follows from the owner")

        // Owning an action makes the housing officer's agency involved in the case (DESIGN.md "Users and access"): they
        // see the case they are asked to act on, and close their own action.
        let housing = fixture.client(signedInAs: .agencyRepresentative)
        #expect(housing.get("/cases/\(caseID)").status == 200)
        let mine = housing.get("/actions").bodyText
        #expect(mine.contains("Find move-on accommodation") && mine.contains("Victim safety"))
        #expect(housing.get("/actions/open").status == 403, "the unit's list is for unit staff")
        let page = housing.get("/actions/\(action.id)")
        #expect(page.status == 200)
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: page.bodyText))
        #expect(!page.bodyText.contains("name=\"due_date\""), "only the coordinator moves the due date")
        // Meanwhile the coordinator moves the date: the officer's form is now stale and is told so.
        coordinator.get("/actions/\(action.id)")
        #expect(coordinator.post("/actions/\(action.id)", [("status", "open"), ("due_date", CalendarDate(fixture.clock.now).adding(days: 12).description),
                                                           ("version", version)]).status == 303)
        let stale = housing.post("/actions/\(action.id)", [("status", "done"), ("completion_note", "Tenancy offered"), ("version", version)])
        #expect(stale.status == 409)
        let fresh = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: housing.get("/actions/\(action.id)").bodyText))
        #expect(housing.post("/actions/\(action.id)", [("status", "done"), ("completion_note", ""), ("version", fresh)]).status == 422)
        #expect(housing.post("/actions/\(action.id)", [("status", "done"), ("completion_note", "Tenancy offered"), ("version", fresh)]).status == 303)
        #expect(try fixture.stores.actions.action(id: action.id, for: try fixture.viewer(.coordinator)).action.status == .done)
        #expect(housing.post("/actions/\(action.id)", [("status", "open"), ("completion_note", "Oops"), ("version", String(action.version + 2))]).status == 422,
                "only the coordinator reopens")
        // Someone who neither owns it nor may see the case: not found, audited.
        #expect(fixture.client(signedInAs: .chair).get("/actions/\(action.id)").status == 200, "unit staff see it with the case")
        try fixture.stores.accounts.createUser(.init(username: "other.rep", displayName: "Other Rep", role: .agencyRepresentative, agencyCode: "dwp",
                                                  password: AppFixture.password, mustChangePassword: false), by: .commandLine)
        let other = fixture.client()
        other.signIn("other.rep", AppFixture.password)
        other.get("/")
        #expect(other.get("/actions/\(action.id)").status == 404)
        other.get("/")
        #expect(other.post("/actions/\(action.id)", [("status", "cancelled"), ("completion_note", "x"), ("version", "3")]).status == 404)
    }

    @Test("approved minutes create their actions; an overdue one shows on the dashboard and in the digest; reminders go once", arguments: DatabaseKind.available)
    func overdueAndDigest(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let caseID = try Self.seed(fixture)
        let today = CalendarDate(fixture.clock.now)
        let coordinatorUser = try fixture.viewer(.coordinator).user
        _ = try fixture.stores.accounts.updateDetails(userID: coordinatorUser.id, .init(displayName: coordinatorUser.displayName, email: "coordinator@example.invalid",
                                                   role: .coordinator, agencyCode: "mappa_unit", expectedVersion: coordinatorUser.version), by: .commandLine)
        let outbox = fixture.stores.outbox
        let coordinator = try fixture.viewer(.coordinator)
        func sendReminders() throws -> Int {
            try fixture.stores.actions.sendReminders(outbox: outbox, accounts: fixture.stores.accounts.accounts, asSystem: .reminders)
        }
        try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, fromAddress: "unit@example.invalid")), by: .commandLine)
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Home visit",
                                                    owner: try fixture.world.contactOwner("PO Owner", agency: "probation", email: "po@example.invalid"),
                                                    area: .supervision, dueDate: today.adding(days: 2)), by: coordinator)
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Check the address",
                                                    owner: try fixture.world.contactOwner("DS Owner", agency: "police", email: "ds@example.invalid"),
                                                    area: .monitoringAndControl, dueDate: today.adding(days: 30)), by: coordinator)
        #expect(try sendReminders() == 1, "a reminder for the action due in 2 days; no digest: nothing overdue")
        #expect(try sendReminders() == 0, "not twice")
        fixture.clock.advance(by: 3 * 86400)
        let queued = try sendReminders()
        #expect(queued == 2, "the owner's digest and the coordinator's")
        #expect(try sendReminders() == 0, "one digest a day")
        let mails = try outbox.claimDue(limit: 10).map(\.mail)
        let digest = try #require(mails.first { $0.to.first?.address == "coordinator@example.invalid" })
        #expect(digest.text.contains("Home visit") && digest.text.contains("ACT1") && !digest.text.contains("Check the address"))
        #expect(mails.contains { $0.to.first?.address == "po@example.invalid" && $0.subject.hasPrefix("MAPPA action due") })
        let dashboard = fixture.client(signedInAs: .coordinator).get("/").bodyText
        #expect(dashboard.contains("Open actions overdue across the unit (1)") && dashboard.contains("Home visit"))
    }

    @Test("the unit's open actions: filtered by agency, owner, case, overdue and area, most urgent first, paged, need-to-know, audited",
          arguments: DatabaseKind.available)
    func unitList(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let caseID = try Self.seed(fixture)
        let other = try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "ACT2", familyName: "Hiddenson", givenNames: "Max", dateOfBirth: CalendarDate("1981-02-02")!,
            category: .two, level: .two, leadAgency: "police", mappaStartDate: CalendarDate("2026-06-01"))])["ACT2"]!
        let coordinator = try fixture.viewer(.coordinator)
        let today = CalendarDate(fixture.clock.now)
        let housing = try fixture.world.userOwner("user.agency_representative")
        let officer = try fixture.world.contactOwner("Pat Officer", agency: "probation", email: "pat@example.invalid")
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Housing visit", owner: housing, area: .victimSafety,
                                                    dueDate: today.adding(days: 1)), by: coordinator)
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Licence check", owner: officer, area: .supervision,
                                                    dueDate: today.adding(days: 20)), by: coordinator)
        try fixture.stores.actions.create(NewAction(caseID: other, description: "Hidden task", owner: officer, area: .supervision,
                                                    dueDate: today.adding(days: 5)), by: coordinator)
        let excluded = try fixture.world.addUser("excluded.coordinator", role: .coordinator, agency: "mappa_unit")
        try fixture.world.name(excluded.user.username, on: other, as: .exclude)
        fixture.clock.advance(by: 2 * 86400)

        let client = fixture.client(signedInAs: .coordinator)
        let all = client.get("/actions/open").bodyText
        #expect(all.contains("Open actions 1 to 3 of 3"))
        let positions = ["Housing visit", "Hidden task", "Licence check"].compactMap { all.range(of: $0)?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted(), "most urgent first")
        let byAgency = client.get("/actions/open?agency=probation").bodyText
        #expect(byAgency.contains("Licence check") && byAgency.contains("Hidden task") && !byAgency.contains("Housing visit"))
        let byOwner = client.get("/actions/open?owner=\(housing.token)").bodyText
        #expect(byOwner.contains("Housing visit") && !byOwner.contains("Licence check"))
        let byCase = client.get("/actions/open?case=ACT2").bodyText
        #expect(byCase.contains("Hidden task") && !byCase.contains("Housing visit"))
        let overdue = client.get("/actions/open?overdue=yes").bodyText
        #expect(overdue.contains("Housing visit") && !overdue.contains("Licence check") && overdue.contains("Overdue"))
        let byArea = client.get("/actions/open?area=supervision").bodyText
        #expect(byArea.contains("Licence check") && !byArea.contains("Housing visit"))
        #expect(client.get("/actions/open?owner=someone").status == 422)
        #expect(client.get("/actions/open?case=" + String(repeating: "x", count: 41)).status == 422)
        #expect(client.get("/actions/open?area=everything").status == 422)

        let hidden = fixture.client()
        hidden.signIn("excluded.coordinator", AppFixture.password)
        hidden.get("/")
        let theirs = hidden.get("/actions/open").bodyText
        #expect(theirs.contains("Housing visit") && !theirs.contains("Hidden task") && !theirs.contains("Hiddenson"), "need-to-know in the query")
        let audited = try fixture.stores.audit.recent(limit: 20, subjectType: "actions", subjectID: "open").map(\.detail)
        #expect(audited.contains { $0.contains("area supervision") }, "each view audited with its filters")
    }

    @Test("the minutes of the case's discussion list the areas of the plan with no open action", arguments: DatabaseKind.available)
    func uncoveredAreasOnMinutes(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let caseID = try Self.seed(fixture)
        let today = CalendarDate(fixture.clock.now)
        let meeting = try fixture.world.schedule(MeetingPlan(kind: .level2, title: "Level 2 panel", date: today.adding(days: 7), startTime: "10:00", venue: "Room 1"))
        try fixture.world.addToAgenda(meeting.id, caseID: caseID)
        let itemID = try #require(try fixture.world.items(meeting.id).first?.id)
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Licence check",
                                                    owner: try fixture.world.contactOwner("Pat Officer", agency: "probation", email: "pat@example.invalid"),
                                                    area: .supervision, dueDate: today.adding(days: 3)), by: try fixture.viewer(.coordinator))
        let minutes = fixture.client(signedInAs: .coordinator).get("/meetings/\(meeting.id)/items/\(itemID)/minutes").bodyText
        let warning = try #require(minutes.range(of: "Risk management plan: no open action").map { String(minutes[$0.lowerBound...].prefix(600)) })
        #expect(warning.contains("Monitoring and control") && warning.contains("Interventions and treatment") && warning.contains("Victim safety")
                && !warning.contains("<li>Supervision</li>"))
    }

    @Test("an action agreed in the minutes names its owner from the directory and its area; approved, it reaches the owner's My actions",
          arguments: DatabaseKind.available)
    func fromMinutes(kind: DatabaseKind) throws {
        let world = try MinutesFlowTests.World(kind)
        let housingUser = try world.fixture.viewer(.agencyRepresentative).user
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let today = CalendarDate(world.fixture.clock.now)
        var page = coordinator.get(world.path)
        #expect(page.bodyText.contains("Risk management plan: no open action") && page.bodyText.contains("<li>Victim safety</li>"))
        #expect(coordinator.post(world.path + "/start", []).status == 303)
        page = coordinator.get(world.path)
        #expect(page.bodyText.contains("name=\"action_owner_ref_1\"") && page.bodyText.contains("value=\"user:\(housingUser.id)\""))
        #expect(!page.bodyText.contains("name=\"action_email_1\""), "no free-text owner")
        let fields = MinutesFlowTests.complete.filter { !["action_owner_1", "action_agency_1", "action_area_1"].contains($0.0) }
            + [("action_owner_ref_1", "user:\(housingUser.id)"), ("action_area_1", "victim_safety"),
               ("action_due_1", today.adding(days: 14).description), ("next_review_date", today.adding(weeks: 8).description)]
        // A mistake elsewhere: the form comes back with the chosen owner and area kept.
        let wrong = coordinator.post(world.path, fields.filter { $0.0 != "next_review_date" } + [("next_review_date", "soon"),
                                                                                                  ("version", try MinutesFlowTests.version(page))])
        #expect(wrong.status == 422 && wrong.bodyText.contains("value=\"user:\(housingUser.id)\" selected")
                && wrong.bodyText.contains("value=\"victim_safety\" selected"))
        page = coordinator.get(world.path)
        #expect(coordinator.post(world.path, fields + [("version", try MinutesFlowTests.version(page)), ("action", "submit")]).status == 303)
        try world.fixture.world.markHeld(world.meetingID)
        let chair = world.fixture.client(signedInAs: .chair)
        chair.get(world.path)
        #expect(chair.post(world.path + "/approve", [("confirm", "yes")]).status == 303)
        let tracked = try #require(try world.fixture.stores.actions.actions(ownedBy: try world.fixture.viewer(.agencyRepresentative)).first?.action)
        #expect(tracked.description == "Book emergency housing panel" && tracked.ownerUserID == housingUser.id && tracked.area == .victimSafety
                && tracked.ownerAgencyCode == "housing")
        #expect(world.fixture.client(signedInAs: .agencyRepresentative).get("/actions").bodyText.contains("Book emergency housing panel"))
    }
}
