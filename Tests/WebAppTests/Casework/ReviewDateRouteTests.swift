import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// One review date per case, through the real pages and the API: the date stored on the case is the one the case page,
/// the home page's overdue list, the agenda's proposals, the meeting's compliance check, the indicator's drill-down,
/// the CSV export and the API show.
@Suite("One review date, as people see it")
struct ReviewDateRouteTests {
    @Test("one case shows the same review date on every page, export and the API", arguments: DatabaseKind.available)
    func sameDateEverywhere(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let today = fixture.today
        let due = today.adding(days: -5)
        // Started 400 days ago (start + 16 weeks would say 288 days overdue), last reviewed 20 days ago (+ 16 weeks would
        // say not due for 92 days): the stored date, 5 days ago, is the only one any page may show.
        let caseID = try #require(try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "ONEDATE1", familyName: "Onedate", givenNames: "Sam", dateOfBirth: CalendarDate("1984-04-04")!, category: .two,
            level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -400), nextReviewDate: due)])["ONEDATE1"])
        try fixture.test.database.write { connection in
            try connection.execute("UPDATE cases SET last_reviewed_on = ? WHERE id = ?", [.text(today.adding(days: -20).description), .integer(caseID)])
        }
        let coordinator = fixture.client(signedInAs: .coordinator)

        #expect(coordinator.get("/cases/\(caseID)").bodyText.contains("Overdue by 5 days (due \(due.displayText))"))
        #expect(coordinator.get("/").bodyText.contains("Overdue by 5 days (due \(due.displayText))"), "the home page's overdue list")

        coordinator.get("/meetings/new")
        let scheduled = coordinator.post("/meetings/new", [("kind", "level_2"), ("title", "Level 2 panel"), ("date", today.adding(days: 7).description),
                                                           ("start_time", "10:00"), ("duration", "120"), ("venue", "Room 1"), ("chair_grade", "manager")])
        let meetingID = try #require(scheduled.headers["Location"]?.split(separator: "/").last?.split(separator: "?").first.flatMap { Int64($0) })
        let proposed = coordinator.get("/meetings/\(meetingID)").bodyText
        #expect(proposed.contains("Review overdue by 12 days"), "12 days before the meeting on the 7th day is the stored date")
        coordinator.post("/meetings/\(meetingID)/agenda", [("action", "add_all")])
        let agenda = coordinator.get("/meetings/\(meetingID)").bodyText
        #expect(agenda.contains("ONEDATE1: reviewed 12 days after its review date, \(due.displayText)"), "the compliance check")
        #expect(agenda.contains("Review date: \(due.displayText)"), "the agenda item")

        let manager = fixture.client(signedInAs: .manager)
        let period = ReportingPeriod.containing(due, kind: .year)
        let drill = manager.get("/statistics/kpis/\(KPIIndicator.level2Reviews.rawValue)?period=\(period.id)").bodyText
        #expect(drill.contains("Not reviewed by \(due.displayText), its review date"))

        let csv = coordinator.get("/cases/export.csv").bodyText
        let row = try #require(csv.split(separator: "\n").first { $0.hasPrefix("ONEDATE1,") })
        #expect(row.contains(",\(due.description),"))

        let token = try fixture.stores.apiTokens.create(userID: try fixture.viewer(.coordinator).user.id, name: "test", lifetimeDays: 30,
                                                        by: .commandLine).token
        var headers = Headers()
        headers.set("Authorization", "Bearer \(token)")
        let api = fixture.app.handle(Request(method: "GET", path: "/api/v1/cases/\(caseID)", query: [], headers: headers, body: [],
                                             remoteAddress: "192.0.2.44"))
        #expect(try #require(JSONValue.parse(api.body))["reviewDate"] == .string(due.description))
    }
}
