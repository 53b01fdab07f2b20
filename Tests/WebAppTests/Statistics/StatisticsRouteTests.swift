import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The annual report as the coordinator produces it: events in, tables out, the page and the downloads agreeing.
@Suite("Annual report pages and events")
struct StatisticsRouteTests {
    /// Three nominals: E1 Category 1 at Level 2 in the community, E2 Category 2 at Level 3 in the community, E3
    /// Category 1 at Level 1 in custody. All started before the 2025/26 year.
    static func seed(_ fixture: AppFixture) throws -> [String: (nominalID: Int64, caseID: Int64)] {
        func row(_ ref: String, _ family: String, _ category: MappaCategory, _ level: ManagementLevel, _ custody: CustodyStatus) -> CaseRegisterRow {
            CaseRegisterRow(nominalRef: ref, familyName: family, givenNames: "Sam", dateOfBirth: CalendarDate("1980-05-05")!,
                            category: category, level: level, leadAgency: "probation", mappaStartDate: CalendarDate("2024-01-10"),
                            custodyStatus: custody)
        }
        _ = try fixture.world.importCases([row("E1", "Eventone", .one, .two, .community), row("E2", "Eventtwo", .two, .three, .community),
                                                 row("E3", "Eventthree", .one, .one, .custody)])
        var ids: [String: (Int64, Int64)] = [:]
        for (ref, family) in [("E1", "Eventone"), ("E2", "Eventtwo"), ("E3", "Eventthree")] {
            let nominal = try #require(try fixture.searchNominals(family).first)
            ids[ref] = (nominal.id, try #require(try fixture.cases(nominalID: nominal.id).first).id)
        }
        return ids
    }

    static let header = "nominal_ref,event_type,event_date,level_at_event,detail"

    /// The figure in one cell of the page's table, by the names the CSV uses.
    static func cell(_ page: String, table: String, row: String, column: String) -> String? {
        guard let tableStart = page.range(of: "data-table=\"\(table)\""),
              let tableEnd = page.range(of: "</table>", range: tableStart.upperBound..<page.endIndex),
              let rowStart = page.range(of: "data-row=\"\(row)\"", range: tableStart.upperBound..<tableEnd.lowerBound),
              let rowEnd = page.range(of: "</tr>", range: rowStart.upperBound..<tableEnd.lowerBound) else { return nil }
        return TestClient.firstMatch("data-column=\"\(column)\">([^<]*)<", in: String(page[rowStart.upperBound..<rowEnd.lowerBound]))
    }

    @Test("events upload: a bad row imports nothing; a good file imports once; the page and the CSV agree", arguments: DatabaseKind.available)
    func uploadAndReport(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let ids = try Self.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/statistics/events/import").bodyText.contains("Import events"))

        let bad = [Self.header, "E1,returned_to_custody_licence,2025-06-01,2,Recall", "NOBODY,shpo,2025-07-01,,"].joined(separator: "\n")
        let rejected = try RegisterImportTests.finished(coordinator, coordinator.upload(
            "/statistics/events/import", fields: [], fileField: "events", filename: "events.csv", data: Array(bad.utf8)))
        #expect(rejected.contains("1 problem in 2 rows: nothing was imported"))
        #expect(rejected.contains("No nominal on record has this reference"))
        #expect(try fixture.stores.events.events(of: fixture.stores.cases.case(id: ids["E1"]!.caseID, for: fixture.viewer(.coordinator))).isEmpty, "the good row was not imported either")

        let good = [Self.header,
                    "E1,returned_to_custody_licence,2025-06-01,2,Recall",
                    "E2,returned_to_custody_licence,2026-03-31,3,",
                    "E2,sfo_charged,2025-04-01,3,",
                    "E3,shpo,2025-09-09,,",
                    "E1,shpo,2025-03-31,,Before the year",
                    "E1,serious_case_review,2026-04-01,,After the year"].joined(separator: "\r\n")
        let imported = try RegisterImportTests.finished(coordinator, coordinator.upload(
            "/statistics/events/import", fields: [], fileField: "events", filename: "events.csv", data: Array(good.utf8)))
        #expect(imported.contains("Events imported"))
        #expect(imported.contains("Events added</dt><dd class=\"summary-list__value\">6<"))
        let again = try RegisterImportTests.finished(coordinator, coordinator.upload(
            "/statistics/events/import", fields: [], fileField: "events", filename: "events.csv", data: Array(good.utf8)))
        #expect(again.contains("Events added</dt><dd class=\"summary-list__value\">0<"))
        #expect(again.contains("Already on record (skipped)</dt><dd class=\"summary-list__value\">6<"))

        let page = coordinator.get("/statistics/annual?year_ending=2026-03-31")
        #expect(page.status == 200)
        let text = page.bodyText
        #expect(text.contains("MAPPA annual report 2025/26"))
        #expect(Self.cell(text, table: "events", row: "returned_to_custody_licence", column: "count") == "2")
        #expect(Self.cell(text, table: "events", row: "returned_to_custody_licence", column: "level_3") == "1")
        #expect(Self.cell(text, table: "events", row: "shpo", column: "count") == "1", "the event dated 31 March 2025 is in the year before")
        #expect(Self.cell(text, table: "events", row: "serious_case_review", column: "count") == "0")
        #expect(Self.cell(text, table: "eligible_on_31_march", row: "level_2", column: "category_1") == "1")
        #expect(Self.cell(text, table: "eligible_on_31_march", row: "total", column: "category_1") == "1", "E3 is in custody")
        #expect(Self.cell(text, table: "level_2_3_in_year", row: "total", column: "total") == "2")
        #expect(Self.cell(text, table: "rsos_per_100k", row: "rate", column: "value") == "Not known")
        #expect(text.contains("The area population is not set"))
        #expect(!text.contains("Eventone"), "the report counts people and never names them")

        let csv = coordinator.get("/statistics/annual.csv?year_ending=2026-03-31")
        #expect(csv.status == 200 && csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        #expect(csv.headers["Content-Disposition"]?.contains("mappa-annual-report-2026-03-31.csv") == true)
        let lines = Set(csv.bodyText.split(separator: "\n").map(String.init))
        for expected in ["events,returned_to_custody_licence,count,2", "events,returned_to_custody_licence,level_2,1",
                         "events,shpo,count,1", "eligible_on_31_march,level_3,category_2,1", "eligible_on_31_march,total,total,2",
                         "level_2_3_in_year,level_3,total,1", "rsos_per_100k,rate,value,"] {
            #expect(lines.contains(expected), "\(expected)")
        }
        let json = coordinator.get("/statistics/annual.json?year_ending=2026-03-31")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
        #expect(document["yearEnding"] as? String == "2026-03-31")
        #expect((document["tables"] as? [[String: Any]])?.map { $0["name"] as? String } == ["eligible_on_31_march", "level_2_3_in_year", "rsos_per_100k", "events"])
        let audit = try fixture.stores.audit.recent(limit: 50)
        #expect(audit.contains { $0.subjectType == "annual_report" && $0.action == .export && $0.detail == "csv" })
        #expect(audit.contains { $0.subjectType == "events" && $0.detail == "6 events added, 0 already recorded" })
    }

    @Test("the coordinator records an event on a case; a bad one keeps what was typed; the same event twice is refused", arguments: DatabaseKind.available)
    func recordOnCase(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let ids = try Self.seed(fixture)
        let caseID = ids["E1"]!.caseID
        let coordinator = fixture.client(signedInAs: .coordinator)
        let casePage = coordinator.get("/cases/\(caseID)").bodyText
        #expect(casePage.contains("No events recorded.") && casePage.contains("Record the event"))

        let missing = coordinator.post("/cases/\(caseID)/events", [("event_type", "returned_to_custody_licence"), ("event_date", ""),
                                                                     ("level_at_event", "2"), ("detail", "Breach of curfew")])
        #expect(missing.status == 422)
        #expect(missing.bodyText.contains("Enter the date of the event"))
        #expect(missing.bodyText.contains("Breach of curfew"), "what was typed is kept")
        let future = coordinator.post("/cases/\(caseID)/events", [("event_type", "shpo"), ("event_date", "2099-01-01"), ("level_at_event", ""), ("detail", "")])
        #expect(future.bodyText.contains("must be today or in the past"))

        let fields = [("event_type", "returned_to_custody_licence"), ("event_date", "2026-12-01"), ("level_at_event", "2"), ("detail", "Breach of curfew")]
        let saved = coordinator.post("/cases/\(caseID)/events", fields)
        #expect(saved.status == 303)
        let shown = coordinator.get("/cases/\(caseID)").bodyText
        #expect(shown.contains("Returned to custody for breach of licence") && shown.contains("Breach of curfew") && shown.contains("Recorded"))
        let twice = coordinator.post("/cases/\(caseID)/events", fields)
        #expect(twice.status == 422 && twice.bodyText.contains("already recorded"))
        #expect(try fixture.stores.events.events(of: fixture.stores.cases.case(id: ids["E1"]!.caseID, for: fixture.viewer(.coordinator))).count == 1)

        // The current year so far counts it.
        let year = coordinator.get("/statistics/annual?year_ending=2027-03-31").bodyText
        #expect(year.contains("it has not ended yet"))
        #expect(Self.cell(year, table: "events", row: "returned_to_custody_licence", column: "level_2") == "1")
        // A partner agency's representative sees the case but cannot record events.
        let other = fixture.client(signedInAs: .agencyRepresentative)
        #expect(other.post("/cases/\(caseID)/events", fields).status == 403)
    }

    @Test("the area population gives the rate; bad input is explained; partner agencies and bad years are refused", arguments: DatabaseKind.available)
    func populationAndAccess(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        _ = try Self.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/statistics/annual")
        let bad = coordinator.post("/statistics/population", [("area_population", "lots")])
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("population as a whole number"))
        #expect(bad.bodyText.contains("value=\"lots\""), "what was typed is kept")
        #expect(coordinator.post("/statistics/population", [("area_population", "200,000")]).status == 303)
        let page = coordinator.get("/statistics/annual?year_ending=2026-03-31").bodyText
        #expect(Self.cell(page, table: "rsos_per_100k", row: "rate", column: "value") == "0.50", "1 registered sexual offender in the community per 200,000")
        #expect(try fixture.stores.statistics.areaPopulation() == 200_000)

        #expect(coordinator.get("/statistics/annual?year_ending=2026-02-28").status == 400)
        #expect(coordinator.get("/statistics/annual.csv?year_ending=not-a-date").status == 400)
        #expect(coordinator.get("/statistics/annual?year_ending=1990-03-31").status == 400)
        #expect(fixture.client(signedInAs: .manager).get("/statistics/annual").status == 200)
        #expect(fixture.client(signedInAs: .auditor).get("/statistics/annual.csv").status == 200)
        #expect(fixture.client(signedInAs: .agencyRepresentative).get("/statistics/annual").status == 403)
        #expect(fixture.client(signedInAs: .referrer).get("/statistics/annual.csv").status == 403)
        #expect(fixture.client(signedInAs: .manager).post("/statistics/population", [("area_population", "1")]).status == 403)
        let nav = coordinator.get("/").bodyText
        #expect(nav.contains("href=\"/statistics\""))
        #expect(!fixture.client(signedInAs: .agencyRepresentative).get("/").bodyText.contains("href=\"/statistics\""))
    }
}
