import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Dates typed in the GOV.UK date input, through real forms: an error per part, the summary linking to the first part
/// in error, only those parts highlighted, and what was typed shown again.
@Suite("Date input on forms")
struct DateInputRouteTests {
    /// The class attribute of one part's input.
    static func classes(_ body: String, _ name: String, _ part: String) -> String? {
        guard let id = body.range(of: "id=\"\(name)-\(part)\" name=") else { return nil }
        let before = body[..<id.lowerBound]
        guard let start = before.range(of: "class=\"", options: .backwards) else { return nil }
        return String(before[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test("a case recorded by hand: a date of birth missing its month, and one in the future, each named by its part",
          arguments: DatabaseKind.available)
    func caseFormDateErrors(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let page = coordinator.get("/cases/new")
        #expect(page.bodyText.contains("<legend class=\"label\">Date of birth</legend>"))
        #expect(page.bodyText.contains("For example, 27 3 1988"))
        #expect(page.bodyText.contains("id=\"date_of_birth-day\" name=\"date_of_birth-day\" type=\"text\" inputmode=\"numeric\""))
        #expect(!page.bodyText.contains("2027-03-27"))
        let common = [("family_name", "Datecheck"), ("given_names", "Alex"), ("current_address", "3 Sample Street"), ("custody_status", "community"), ("category", "1"),
                      ("level", "1"), ("lead_agency", "police"), ("start_date-day", "5"), ("start_date-month", "1"), ("start_date-year", "2026")]

        let noMonth = coordinator.post("/cases/new", common + [("date_of_birth-day", " 27 "), ("date_of_birth-month", ""), ("date_of_birth-year", "1988")])
        #expect(noMonth.status == 422)
        let body = noMonth.bodyText
        #expect(body.contains("<a href=\"#date_of_birth-month\">Date of birth must include a month</a>"))
        #expect(Self.classes(body, "date_of_birth", "month")?.contains("input--error") == true)
        #expect(Self.classes(body, "date_of_birth", "day")?.contains("input--error") == false, "only the part in error is highlighted")
        #expect(Self.classes(body, "date_of_birth", "year")?.contains("input--error") == false)
        #expect(TestClient.dateInputValue(body, "date_of_birth", "day") == " 27 " || TestClient.dateInputValue(body, "date_of_birth", "day") == "27")
        #expect(TestClient.dateInputValue(body, "date_of_birth", "year") == "1988", "what was typed is kept")
        #expect(TestClient.dateInputValue(body, "start_date", "month") == "1")

        let future = fixture.today.adding(days: 1)
        let unborn = coordinator.post("/cases/new", common + [("date_of_birth-day", "\(future.day)"), ("date_of_birth-month", "\(future.month)"),
                                                              ("date_of_birth-year", "\(future.year)")])
        #expect(unborn.status == 422)
        #expect(unborn.bodyText.contains("<a href=\"#date_of_birth-day\">Date of birth must be in the past</a>"))
        #expect(Self.classes(unborn.bodyText, "date_of_birth", "year")?.contains("input--error") == true)

        let impossible = coordinator.post("/cases/new", common + [("date_of_birth-day", "30"), ("date_of_birth-month", "2"), ("date_of_birth-year", "1988")])
        #expect(impossible.bodyText.contains("Date of birth must be a real date"))
        #expect(TestClient.dateInputValue(impossible.bodyText, "date_of_birth", "day") == "30")

        let saved = coordinator.post("/cases/new", common + [("date_of_birth-day", "29"), ("date_of_birth-month", "2"), ("date_of_birth-year", "1988")])
        #expect(saved.status == 303)
    }

    @Test("scheduling a meeting: a two-digit year is refused with a clear message linked to the year; an empty date asks for one",
          arguments: DatabaseKind.available)
    func meetingFormDateErrors(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/meetings/new")
        let fields = [("kind", "level_2"), ("title", "Level 2 panel"), ("start_time", "10:00"), ("duration", "60")]
        let short = coordinator.post("/meetings/new", fields + [("date-day", "14"), ("date-month", "1"), ("date-year", "27")])
        #expect(short.status == 422)
        #expect(short.bodyText.contains("<a href=\"#date-year\">Meeting date must include a year with 4 numbers, like 2007</a>"))
        #expect(Self.classes(short.bodyText, "date", "year")?.contains("input--error") == true)
        #expect(Self.classes(short.bodyText, "date", "day")?.contains("input--error") == false)
        #expect(TestClient.dateInputValue(short.bodyText, "date", "year") == "27")
        #expect(TestClient.dateInputValue(short.bodyText, "date", "day") == "14")

        let empty = coordinator.post("/meetings/new", fields + [("date-day", ""), ("date-month", ""), ("date-year", "")])
        #expect(empty.status == 422)
        #expect(empty.bodyText.contains("<a href=\"#date-day\">Enter the meeting date</a>"))
    }
}
