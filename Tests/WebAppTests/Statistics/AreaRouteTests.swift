import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// MAPPA areas as a regional unit uses them: keeping the list, putting a case in its area, the annual report for
/// one area and the comparison across areas, with the figures of `AreaWorld` counted by hand.
@Suite("MAPPA area pages")
struct AreaRouteTests {
    static func seeded(_ kind: DatabaseKind) throws -> AppFixture {
        let fixture = try AppFixture(kind)
        try AreaWorld.seed(fixture.stores)
        return fixture
    }

    /// The figure in one cell of the comparison table.
    static func comparisonCell(_ page: String, row: String, column: String) -> String? {
        StatisticsRouteTests.cell(page, table: "areas", row: row, column: column)
    }

    @Test("the coordinator adds and changes areas; mistakes are explained keeping what was typed; every change is audited",
          arguments: DatabaseKind.available)
    func keepTheList(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let empty = coordinator.get("/statistics/areas")
        #expect(empty.status == 200 && empty.bodyText.contains("No areas have been added."))

        let bad = coordinator.post("/statistics/areas", [("code", "North Wales"), ("name", "North Wales"), ("population", "lots")])
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("There is a problem") && bad.bodyText.contains("<title>Error: "))
        #expect(bad.bodyText.contains("The area code can only contain letters, numbers, hyphens and underscores"))
        #expect(bad.bodyText.contains("href=\"#population\">Enter the population as a whole number"))
        #expect(bad.bodyText.contains("value=\"North Wales\"") && bad.bodyText.contains("value=\"lots\""), "what was typed is kept")

        let added = coordinator.post("/statistics/areas", [("code", "north_wales"), ("name", "North Wales"), ("population", "700,000")])
        #expect(added.status == 303 && added.headers["Location"] == "/statistics/areas?done=area-added#area-north_wales")
        coordinator.get("/statistics/areas")
        let duplicate = coordinator.post("/statistics/areas", [("code", "NORTH_WALES"), ("name", "Another"), ("population", "")])
        #expect(duplicate.status == 422 && duplicate.bodyText.contains("There is already an area with the code north_wales"))
        #expect(duplicate.bodyText.contains("value=\"Another\""))
        #expect(try fixture.stores.areas.areas().count == 1)

        let list = coordinator.get("/statistics/areas?done=area-added").bodyText
        #expect(list.contains("Area added") && list.contains("North Wales") && list.contains("700,000"))
        let edit = coordinator.get("/statistics/areas/north_wales")
        #expect(edit.status == 200 && edit.bodyText.contains("value=\"700,000\"") && edit.bodyText.contains("checked"))
        let badEdit = coordinator.post("/statistics/areas/north_wales", [("name", ""), ("population", "0"), ("active", "yes")])
        #expect(badEdit.status == 422 && badEdit.bodyText.contains("Enter the name of the area") && badEdit.bodyText.contains("value=\"0\""))
        #expect(coordinator.post("/statistics/areas/north_wales", [("name", "North Wales (Gogledd Cymru)"), ("population", "")]).status == 303)
        let saved = try #require(try fixture.stores.areas.area(code: "north_wales"))
        #expect(saved.name == "North Wales (Gogledd Cymru)" && saved.population == nil && !saved.active, "unticked: inactive")
        #expect(coordinator.get("/statistics/areas/nowhere").status == 404)

        let audit = try fixture.stores.audit.recent(limit: 20, subjectType: "area").map { "\($0.action.rawValue) \($0.actorUsername): \($0.detail)" }
        #expect(audit == ["update user.coordinator: name North Wales (Gogledd Cymru), population not set, inactive",
                          "create user.coordinator: area 1: North Wales, population 700000"])

        // Configuring statistics is for the coordinator and the administrator; a manager reads them only.
        #expect(fixture.client(signedInAs: .administrator).get("/statistics/areas").status == 200)
        for role in [Role.manager, .auditor, .chair, .agencyRepresentative] {
            let client = fixture.client(signedInAs: role)
            #expect(client.get("/statistics/areas").status == 403, "\(role)")
            #expect(client.post("/statistics/areas", [("code", "south"), ("name", "South"), ("population", "")]).status == 403, "\(role)")
        }
        #expect(try fixture.stores.areas.areas().count == 1)
        #expect(!fixture.client(signedInAs: .manager).get("/statistics").bodyText.contains("href=\"/statistics/areas\""))
        #expect(coordinator.get("/statistics").bodyText.contains("href=\"/statistics/areas\""))
    }

    @Test("a case is put in an area on its edit page, in the history and the audit trail; the case page shows it",
          arguments: DatabaseKind.available)
    func caseArea(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        _ = try fixture.world.importCases([AreaWorld.row("C1", .two, .two, area: nil)])
        let caseID = try #require(try AreaWorld.caseID(fixture.test.database, ref: "C1"))
        let record = try fixture.world.record(caseID)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(!coordinator.get("/cases/\(record.id)/edit").bodyText.contains("MAPPA area"), "no areas: no choice to make")

        try fixture.stores.areas.add(code: "north", name: "North Testshire", population: "", by: .commandLine)
        try fixture.stores.areas.add(code: "closed", name: "Closed Testshire", population: "", by: .commandLine)
        try fixture.stores.areas.update(code: "closed", name: "Closed Testshire", population: "", active: false, by: .commandLine)
        let form = coordinator.get("/cases/\(record.id)/edit").bodyText
        #expect(form.contains("<label class=\"label\" for=\"area\">MAPPA area</label>"))
        #expect(form.contains("<option value=\"north\">North Testshire</option>") && !form.contains("Closed Testshire"), "inactive areas are not offered")
        var fields = CaseEditRoutes.values(record.details).map { ($0.key, $0.value) } + [("version", String(record.version))]
        fields.removeAll { $0.0 == "area" }
        let unknown = coordinator.post("/cases/\(record.id)/edit", fields + [("area", "nowhere")])
        #expect(unknown.status == 422 && unknown.bodyText.contains("Select a MAPPA area from the list"))
        let saved = coordinator.post("/cases/\(record.id)/edit", fields + [("area", "north")])
        #expect(saved.status == 303)
        let page = coordinator.get("/cases/\(record.id)").bodyText
        #expect(page.contains("<dt class=\"summary-list__key\">MAPPA area</dt><dd class=\"summary-list__value\">North Testshire</dd>"))
        let history = try fixture.world.history(record.id).filter { $0.field == "area" }
        #expect(history.map { "\($0.oldValue)→\($0.newValue) by \($0.changedBy)" } == ["→north by Test MAPPA coordinator"])
        #expect(try fixture.stores.audit.recent(limit: 5, subjectType: "case", subjectID: String(record.id))
            .first { $0.action == .update }?.detail == "changed: area")
        // A form without the select (no areas when it was loaded) leaves the area as it is.
        let current = try fixture.world.record(record.id)
        let withoutArea = CaseEditRoutes.values(current.details).filter { $0.key != "area" }.map { ($0.key, $0.value) }
        #expect(coordinator.post("/cases/\(record.id)/edit", withoutArea + [("version", String(current.version))]).status == 303)
        #expect(try fixture.world.record(record.id).areaCode == "north")
    }

    @Test("the register upload takes the optional mappa_area column; an unknown code is listed by line and nothing imports",
          arguments: DatabaseKind.available)
    func registerColumn(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        try fixture.stores.areas.add(code: "north", name: "North", population: "", by: .commandLine)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/cases/import").bodyText.contains("<code>mappa_area</code>"))
        let header = RegisterImportTests.header + ",mappa_area"
        let bad = Array(([header, RegisterImportTests.row("R1", "Goodrow") + ",north", RegisterImportTests.row("R2", "Badarea") + ",south"])
            .joined(separator: "\n").utf8)
        let rejected = try RegisterImportTests.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register",
                                                                                        filename: "register.csv", data: bad))
        #expect(rejected.contains("1 problem in 2 rows: nothing was imported"))
        #expect(rejected.contains("<td class=\"table__cell\">3</td><td class=\"table__cell\">mappa_area</td>"))
        #expect(rejected.contains("Unknown MAPPA area code &quot;south&quot;") || rejected.contains("Unknown MAPPA area code \"south\""))
        #expect(try fixture.searchNominals("Goodrow").isEmpty)
        coordinator.get("/cases/import")
        let good = Array(([header, RegisterImportTests.row("R1", "Goodrow") + ",north", RegisterImportTests.row("R2", "Noarea") + ","])
            .joined(separator: "\n").utf8)
        let imported = try RegisterImportTests.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register",
                                                                                        filename: "register.csv", data: good))
        #expect(imported.contains("Case register imported"))
        let summaries = try fixture.stores.areas.summaries()
        #expect(summaries.areas.first?.allCases == 1 && summaries.unassigned.all == 1)
        let export = coordinator.get("/cases/export.csv").bodyText
        #expect(export.hasPrefix(header + "\n") && export.contains(",north\n"))
    }

    @Test("the annual report for one area: its figures, the event rule said, its population, the year before, the downloads",
          arguments: DatabaseKind.available)
    func annualByArea(kind: DatabaseKind) throws {
        let fixture = try Self.seeded(kind)
        let manager = fixture.client(signedInAs: .manager)
        for (code, key) in [("north", "north"), ("south", "south"), ("", "all")] {
            let page = manager.get("/statistics/annual?year_ending=2026-03-31&area=\(code)")
            #expect(page.status == 200)
            for (name, value) in AreaWorld.expected[key]! {
                let parts = name.split(separator: "/").map(String.init)
                let shown = StatisticsRouteTests.cell(page.bodyText, table: parts[0], row: parts[1], column: parts[2])
                #expect(shown == (value == "blank" ? "Not known" : value), "\(key) \(name)")
            }
        }
        let north = manager.get("/statistics/annual?year_ending=2026-03-31&area=north").bodyText
        #expect(north.contains("<h1>MAPPA annual report 2025/26, North</h1>"))
        #expect(north.contains("An event counts for North when the nominal had a case\nthere open on the date of the event")
                || north.contains("An event counts for North when the nominal had a case"))
        #expect(north.contains("<option value=\"north\" selected>North</option>"))
        #expect(north.contains("href=\"/statistics/annual.csv?year_ending=2026-03-31&amp;area=north\""))
        #expect(!fixture.client(signedInAs: .coordinator).get("/statistics/annual?year_ending=2026-03-31&area=north").bodyText
            .contains("name=\"area_population\""), "the unit's own population is set with all areas shown, not one")
        let south = manager.get("/statistics/annual?year_ending=2026-03-31&area=south").bodyText
        #expect(south.contains("The population of South is not set") && south.contains("Ask the MAPPA coordinator to set it"))
        #expect(fixture.client(signedInAs: .coordinator).get("/statistics/annual?year_ending=2026-03-31&area=south").bodyText
            .contains("href=\"/statistics/areas/south\""))
        // The year before, for the same area: N1, N2 and X1 were all in the community at 31 March 2025.
        let comparison = north.components(separatedBy: "Compared with 2024/25</caption>")[1]
        #expect(KPIRouteTests.row(comparison, "Eligible offenders in the community on 31 March").contains("<td class=\"table__cell\">3</td>"))

        let csv = manager.get("/statistics/annual.csv?year_ending=2026-03-31&area=north")
        #expect(csv.headers["Content-Disposition"]?.contains("mappa-annual-report-2026-03-31-north.csv") == true)
        let lines = Set(csv.bodyText.split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: ["eligible_on_31_march,total,total,2", "rsos_per_100k,rate,value,1.00", "events,sfo_charged,count,1",
                                      "events,returned_to_custody_order,count,0"]))
        let json = manager.get("/statistics/annual.json?year_ending=2026-03-31&area=south")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
        #expect(document["area"] as? String == "south" && document["areaPopulation"] == nil)
        #expect(manager.get("/statistics/annual.xlsx?year_ending=2026-03-31&area=north").status == 200)
        let all = try #require(try JSONSerialization.jsonObject(with: Data(manager.get("/statistics/annual.json?year_ending=2026-03-31").body)) as? [String: Any])
        #expect(all["area"] == nil)

        #expect(manager.get("/statistics/annual?area=nowhere").status == 400)
        #expect(manager.get("/statistics/annual.csv?area=nowhere").bodyText.contains("Choose it from the list"))
        let audit = try fixture.stores.audit.recent(limit: 30, subjectType: "annual_report").map { "\($0.action.rawValue) \($0.detail)" }
        #expect(audit.contains("export csv, area north") && audit.contains("export json, area south") && audit.contains("view area north"))
    }

    @Test("the comparison: one row per area, no area recorded and all areas, the rate chart, and the CSV download",
          arguments: DatabaseKind.available)
    func comparison(kind: DatabaseKind) throws {
        let fixture = try Self.seeded(kind)
        try fixture.stores.areas.update(code: "south", name: "South", population: "100,000", active: true, by: .commandLine)
        let manager = fixture.client(signedInAs: .manager)
        let page = manager.get("/statistics/annual/areas?year_ending=2026-03-31")
        #expect(page.status == 200)
        let text = page.bodyText
        let expected: [String: [String: String]] = [
            "north": ["eligible_on_31_march": "2", "level_2_in_year": "2", "level_3_in_year": "0", "population": "200,000",
                      "rsos_per_100k": "1.00", "returned_to_custody": "1", "sfo_charged": "1"],
            "south": ["eligible_on_31_march": "2", "level_2_in_year": "0", "level_3_in_year": "1", "population": "100,000",
                      "rsos_per_100k": "0.00", "returned_to_custody": "1", "sfo_charged": "0"],
            "none": ["eligible_on_31_march": "1", "level_2_in_year": "0", "level_3_in_year": "0", "population": "Not set",
                     "rsos_per_100k": "Not known", "returned_to_custody": "0", "sfo_charged": "0"],
            // The unit's population is not set, and every active area has one: all areas use their sum, 300,000.
            "all": ["eligible_on_31_march": "5", "level_2_in_year": "2", "level_3_in_year": "1", "population": "300,000",
                    "rsos_per_100k": "1.00", "returned_to_custody": "3", "sfo_charged": "1"],
        ]
        for (row, columns) in expected {
            for (column, value) in columns {
                #expect(Self.comparisonCell(text, row: row, column: column) == value, "\(row) \(column)")
            }
        }
        #expect(text.range(of: "data-row=\"north\"")!.lowerBound < text.range(of: "data-row=\"south\"")!.lowerBound)
        #expect(text.range(of: "data-row=\"none\"")!.lowerBound < text.range(of: "data-row=\"all\"")!.lowerBound)
        #expect(text.contains("<svg class=\"chart__image\" role=\"img\" aria-labelledby=\"rate-by-area-title rate-by-area-desc\""))
        #expect(text.contains("North: 1.00; South: 0.00; All areas: 1.00"), "the chart's description reads every rate")
        #expect(text.contains("href=\"/statistics/annual?year_ending=2026-03-31&amp;area=north\""))

        let csv = manager.get("/statistics/annual/areas.csv?year_ending=2026-03-31")
        #expect(csv.status == 200 && csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        #expect(csv.headers["Content-Disposition"]?.contains("mappa-areas-compared-2026-03-31.csv") == true)
        #expect(csv.bodyText == """
            \u{FEFF}OFFICIAL-SENSITIVE
            "MAPPA areas compared, 2025/26, All MAPPA areas, 1 April 2025 to 31 March 2026, made \(fixture.today.displayText)"
            Area code,MAPPA area,Eligible in the community on 31 March,Level 2 during the year,Level 3 during the year,Population,"Registered sexual offenders per 100,000",Returned to custody,Charged with a serious further offence
            area,area_name,eligible_on_31_march,level_2_in_year,level_3_in_year,population,rsos_per_100k,returned_to_custody,sfo_charged
            north,North,2,2,0,200000,1.00,1,1
            south,South,2,0,1,100000,0.00,1,0
            none,No area recorded,1,0,0,,,0,0
            all,All areas,5,2,1,300000,1.00,3,1

            """)
        let audit = try fixture.stores.audit.recent(limit: 10, subjectType: "annual_report_areas").map { "\($0.action.rawValue) \($0.detail)" }
        #expect(audit == ["export csv", "view "])

        // An area name a spreadsheet would run is neutralised in the download.
        try fixture.stores.areas.add(code: "formula", name: "=HYPERLINK(\"x\")", population: "", by: .commandLine)
        #expect(manager.get("/statistics/annual/areas.csv?year_ending=2026-03-31").bodyText.contains("formula,\"'=HYPERLINK(\"\"x\"\")\""))
        #expect(fixture.client(signedInAs: .agencyRepresentative).get("/statistics/annual/areas").status == 403)
        #expect(fixture.client(signedInAs: .referrer).get("/statistics/annual/areas.csv").status == 403)
    }

    @Test("with no areas the comparison says there is nothing to compare and the annual page offers no area choice")
    func noAreas() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let page = coordinator.get("/statistics/annual/areas")
        #expect(page.status == 200 && page.bodyText.contains("This database holds no MAPPA areas"))
        #expect(coordinator.get("/statistics/annual/areas.csv").bodyText.hasSuffix(
            "\narea,area_name,eligible_on_31_march,level_2_in_year,level_3_in_year,population,rsos_per_100k,returned_to_custody,sfo_charged\n"),
            "the headings and codes, and no rows")
        let annual = coordinator.get("/statistics/annual").bodyText
        #expect(!annual.contains("name=\"area\"") && !annual.contains("Compare the MAPPA areas"))
    }
}
