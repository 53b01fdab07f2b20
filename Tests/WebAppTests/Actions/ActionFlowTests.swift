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

    @Test("the coordinator adds an action for a housing officer, who sees and closes it; nobody else can", arguments: DatabaseKind.available)
    func partnerCloses(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let caseID = try Self.seed(fixture)
        let housingUser = try fixture.viewer(.agencyRepresentative).user
        _ = try fixture.stores.accounts.updateDetails(userID: housingUser.id, .init(displayName: housingUser.displayName, email: "housing.rep@example.invalid",
                                                   role: housingUser.role, agencyCode: "housing", expectedVersion: housingUser.version), by: .commandLine)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/\(caseID)")
        let due = CalendarDate(fixture.clock.now).adding(days: 10).description
        let bad = coordinator.post("/cases/\(caseID)/actions", [("description", ""), ("owner_name", ""), ("owner_agency", "housing"), ("due_date", "2020-01-01")])
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("Say what is to be done") && bad.bodyText.contains("cannot be in the past"))
        #expect(coordinator.post("/cases/\(caseID)/actions", [("description", "Find move-on accommodation"), ("owner_name", "Housing Rep"),
                                                              ("owner_email", "HOUSING.REP@example.invalid"), ("owner_agency", "housing"),
                                                              ("due_date", due)]).status == 303)
        #expect(coordinator.get("/cases/\(caseID)").bodyText.contains("Find move-on accommodation"))
        let action = try #require(try fixture.stores.actions.actions(of: try fixture.stores.cases.case(id: caseID, for: try fixture.viewer(.coordinator))).first)
        #expect(action.ownerUserID == housingUser.id, "linked to the owner's account by email")

        // Owning an action makes the housing officer's agency involved in the case (DESIGN.md "Users and access"): they
        // see the case they are asked to act on, and close their own action.
        let housing = fixture.client(signedInAs: .agencyRepresentative)
        #expect(housing.get("/cases/\(caseID)").status == 200)
        #expect(housing.get("/actions").bodyText.contains("Find move-on accommodation"))
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
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Home visit", ownerName: "PO Owner", ownerEmail: "po@example.invalid",
                                                    ownerAgencyCode: "probation", dueDate: today.adding(days: 2)), by: coordinator)
        try fixture.stores.actions.create(NewAction(caseID: caseID, description: "Check the address", ownerName: "DS Owner", ownerEmail: "ds@example.invalid",
                                                    ownerAgencyCode: "police", dueDate: today.adding(days: 30)), by: coordinator)
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
}
