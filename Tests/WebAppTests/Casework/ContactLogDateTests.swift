import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// A contact is logged after it happened: the contact log refuses a date still to come, with its own message.
@Suite("Contact log date")
struct ContactLogDateTests {
    @Test("a contact dated tomorrow is refused beside its date; today is accepted", arguments: DatabaseKind.available)
    func noFutureContacts(kind: DatabaseKind) throws {
        let world = try MeetingFlowTests.World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let caseID = try #require(world.cases["OVERDUE1"])
        coordinator.get("/cases/\(caseID)")
        let fields = [("direction", "out"), ("agency", "housing"), ("person", "Second Spoc"), ("method", "Phone"),
                      ("summary", "Asked about move-on accommodation")]
        let tomorrow = world.today.adding(days: 1)
        let refused = coordinator.post("/cases/\(caseID)/contacts", fields + [("occurred_on", tomorrow.description)])
        #expect(refused.status == 422)
        let body = refused.bodyText
        #expect(body.contains("<a href=\"#occurred_on-day\">Date of contact must be today or in the past</a>"))
        #expect(TestClient.dateInputValue(body, "occurred_on", "day") == String(tomorrow.day), "what was typed is kept")
        #expect(!coordinator.get("/cases/\(caseID)").bodyText.contains("Asked about move-on accommodation"), "nothing was logged")
        let logged = coordinator.post("/cases/\(caseID)/contacts", fields + [("occurred_on", world.today.description)])
        #expect(logged.status == 303)
    }
}
