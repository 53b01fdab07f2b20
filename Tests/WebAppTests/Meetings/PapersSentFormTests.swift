import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The "papers sent" form on a meeting's page: a date it cannot read comes back with the error and what was typed.
@Suite("Papers sent form")
struct PapersSentFormTests {
    @Test("an impossible papers-sent date is refused, and the meeting page shows the day, month and year as typed",
          arguments: DatabaseKind.available)
    func keepsWhatWasTyped(kind: DatabaseKind) throws {
        let world = try MeetingFlowTests.World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let id = try world.schedule(coordinator, date: world.today.adding(days: 7))
        coordinator.get("/meetings/\(id)")
        let refused = coordinator.post("/meetings/\(id)/papers", [("papers_sent_on-day", "30"), ("papers_sent_on-month", "2"),
                                                                  ("papers_sent_on-year", "2026")])
        #expect(refused.status == 422)
        let body = refused.bodyText
        #expect(body.contains("must be a real date"))
        #expect(TestClient.dateInputValue(body, "papers_sent_on", "day") == "30")
        #expect(TestClient.dateInputValue(body, "papers_sent_on", "month") == "2")
        #expect(TestClient.dateInputValue(body, "papers_sent_on", "year") == "2026")
        #expect(try world.fixture.world.meeting(id).papersSentOn == nil, "nothing was recorded")
    }
}
