import Database
import Domain
import Foundation
import Store
import Testing
import TestSupport

/// MAPPA areas against a real database (SQLite, and PostgreSQL when available): keeping the list, putting cases
/// in areas through the register, and the annual report narrowed to one area with known answers.
@Suite("MAPPA areas in the database")
struct AreaStoreTests {
    static let actor = Actor(userID: nil, username: "(test)", clientAddress: "127.0.0.1")

    struct Fixture {
        let world: StoreWorld
        let coordinator: Viewer
        var test: TestDatabase { world.test }
        var stores: Stores { world.stores }
        var areas: AreaStore { stores.areas }
        var statistics: StatisticsStore { stores.statistics }

        init(_ kind: DatabaseKind) throws {
            world = try StoreWorld(kind)
            coordinator = try world.viewer(.coordinator)
        }

        func audit(_ code: String) throws -> [String] {
            try stores.audit.recent(limit: 50, subjectType: "area", subjectID: code).map(\.detail)
        }

        func importRegister(_ rows: [CaseRegisterRow]) throws { _ = try stores.register.importRegister(rows, by: .system(SystemJob("test"))) }

        /// The case of the nominal with this reference, as the coordinator sees it.
        func record(_ ref: String) throws -> VisibleCase {
            guard let id = try AreaWorld.caseID(test.database, ref: ref) else { throw DomainError.notFound("The case") }
            return try stores.cases.case(id: id, for: coordinator)
        }
    }

    static func problems(_ body: () throws -> Void) -> [ValidationProblem] {
        do { try body() } catch let error as DomainError { return error.problems } catch { return [] }
        return []
    }

    @Test("areas are added, listed by name, changed and made inactive; every change is audited", arguments: DatabaseKind.available)
    func keepTheList(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let north = try fixture.areas.add(code: " North_Testshire ", name: "North Testshire", population: "1,250,000", by: Self.actor)
        #expect(north.code == "north_testshire" && north.population == 1_250_000 && north.active)
        try fixture.areas.add(code: "east", name: "East Testshire", population: "", by: Self.actor)
        #expect(try fixture.areas.areas().map(\.code) == ["east", "north_testshire"], "by name")
        #expect(try fixture.areas.area(code: "EAST")?.population == nil, "codes are found in any case")

        let duplicate = Self.problems { try fixture.areas.add(code: "EAST", name: "Another", population: "", by: Self.actor) }
        #expect(duplicate.map(\.field) == ["code"] && duplicate[0].message.contains("already an area with the code east"))
        let bad = Self.problems { try fixture.areas.add(code: "west wales", name: "", population: "0", by: Self.actor) }
        #expect(bad.map(\.field) == ["code", "name", "population"])
        #expect(try fixture.areas.areas().count == 2, "nothing saved")

        try fixture.areas.update(code: "east", name: "East Testshire and Fenland", population: "450000", active: false, by: Self.actor)
        let east = try #require(try fixture.areas.area(code: "east"))
        #expect(east.name == "East Testshire and Fenland" && east.population == 450_000 && !east.active)
        #expect(try fixture.areas.areas(activeOnly: true).map(\.code) == ["north_testshire"])
        try fixture.areas.setPopulation(code: "north_testshire", population: "900,000", by: Self.actor)
        #expect(try fixture.areas.area(code: "north_testshire")?.population == 900_000)
        let unknown = Self.problems { try fixture.areas.setPopulation(code: "nowhere", population: "5", by: Self.actor) }
        #expect(unknown.first?.message.contains("no area with the code nowhere") == true)
        let cleared = Self.problems { try fixture.areas.update(code: "east", name: "East", population: "lots", active: true, by: Self.actor) }
        #expect(cleared.map(\.field) == ["population"])
        try fixture.areas.update(code: "east", name: "East Testshire and Fenland", population: "", active: false, by: Self.actor)
        #expect(try fixture.areas.area(code: "east")?.population == nil, "an empty population clears it")

        #expect(try fixture.audit("east") == ["population not set", "name East Testshire and Fenland, population 450000, inactive",
                                              "area 2: East Testshire, population not set"])
        #expect(try fixture.audit("north_testshire").first == "population 900000")
    }

    @Test("the register puts cases in areas; a row without one leaves the area; changes are in the history; the export carries them",
          arguments: DatabaseKind.available)
    func registerAreas(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        try fixture.areas.add(code: "north", name: "North", population: "", by: Self.actor)
        try fixture.areas.add(code: "south", name: "South", population: "", by: Self.actor)
        #expect(try fixture.stores.register.areaCodes() == ["north", "south"])
        try fixture.importRegister([AreaWorld.row("A1", .one, .one, area: "north"), AreaWorld.row("A2", .two, .two, area: nil)])
        #expect(try fixture.record("A1").record.areaCode == "north" && fixture.record("A1").record.areaName == "North")
        #expect(try fixture.record("A2").record.areaCode == "")
        try fixture.importRegister([AreaWorld.row("A1", .one, .one, area: nil), AreaWorld.row("A2", .two, .two, area: "south")])
        #expect(try fixture.record("A1").record.areaCode == "north", "no area in the row leaves it as it is")
        #expect(try fixture.record("A2").record.areaCode == "south")
        let history = try fixture.stores.cases.history(of: try fixture.record("A2")).filter { $0.field == "area" }
        #expect(history.map { "\($0.oldValue)→\($0.newValue)" } == ["→south"])
        try fixture.importRegister([AreaWorld.row("A2", .two, .two, area: "north")])
        #expect(try fixture.stores.cases.history(of: try fixture.record("A2")).filter { $0.field == "area" }.map(\.newValue) == ["south", "north"])

        let summaries = try fixture.areas.summaries()
        #expect(summaries.areas.map { "\($0.area.code) \($0.activeCases)/\($0.allCases)" } == ["north 2/2", "south 0/0"])
        #expect(summaries.unassigned.all == 0)

        let exported = CaseRegisterCSV.write(try fixture.stores.register.exportRegister(for: fixture.coordinator))
        #expect(exported.hasPrefix(CaseRegisterCSV.columns.joined(separator: ",") + ",mappa_area\n"))
        #expect(exported.split(separator: "\n").allSatisfy { $0.hasSuffix(",north") || $0.hasSuffix("mappa_area") })
        let reimported = try CaseRegisterCSV.parse(Array(exported.utf8), agencyCodes: try fixture.stores.register.agencyCodes(),
                                                   areaCodes: try fixture.stores.register.areaCodes(), today: fixture.world.today).get()
        #expect(reimported.map(\.area) == ["north", "north"], "the export imports back with its areas")
    }

    static func figures(_ report: AnnualReport) -> [String: String] {
        var figures: [String: String] = [:]
        for (table, row, column) in [("eligible_on_31_march", "total", "total"), ("eligible_on_31_march", "level_1", "category_1"),
                                     ("eligible_on_31_march", "level_2", "category_1"), ("eligible_on_31_march", "level_3", "category_2"),
                                     ("level_2_3_in_year", "level_2", "total"), ("level_2_3_in_year", "level_3", "total"),
                                     ("rsos_per_100k", "rate", "value"), ("events", "returned_to_custody_licence", "count"),
                                     ("events", "returned_to_custody_licence", "level_3"), ("events", "returned_to_custody_order", "count"),
                                     ("events", "sfo_charged", "count"), ("events", "shpo", "count"), ("events", "notification_breach", "count")] {
            let value = report.value(table, row, column)
            figures["\(table)/\(row)/\(column)"] = value.map { table == "rsos_per_100k" ? String(format: "%.2f", $0) : AnnualReport.formatted($0) } ?? "blank"
        }
        return figures
    }

    @Test("the report for one area counts its cases, and events while its nominal had a case there open; all areas as before",
          arguments: DatabaseKind.available)
    func reportByArea(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        try AreaWorld.seed(fixture.stores)
        let year = ReportingYear(yearEnding: CalendarDate("2026-03-31")!)!
        let north = try #require(try fixture.areas.area(code: "north"))
        let south = try #require(try fixture.areas.area(code: "south"))
        let expected = AreaWorld.expected
        #expect(Self.figures(try fixture.statistics.annualReport(year: year, area: .area(north))) == expected["north"])
        #expect(Self.figures(try fixture.statistics.annualReport(year: year, area: .area(south))) == expected["south"])
        #expect(Self.figures(try fixture.statistics.annualReport(year: year, area: .unassigned)) == expected["none"])
        #expect(Self.figures(try fixture.statistics.annualReport(year: year)) == expected["all"],
                "South has no population, so the all-areas rate cannot be the areas' sum")
        #expect(try fixture.statistics.annualReport(year: year, area: .area(north)).area?.code == "north")

        // The comparison reads everything once and gives the same reports.
        let reports = try fixture.statistics.areaReports(year: year)
        #expect(reports.map(\.scope) == [.area(north), .area(south), .unassigned, .all])
        for (scope, key) in zip([AreaScope.area(north), .area(south), .unassigned, .all], ["north", "south", "none", "all"]) {
            let report = try #require(reports.first { $0.scope == scope }?.report)
            #expect(Self.figures(report) == expected[key], "\(key)")
            #expect(report == (try fixture.statistics.annualReport(year: year, area: scope)))
        }

        // With every active area's population known the all-areas rate uses their sum (3 in the community per
        // 300,000); the unit's own setting, once made, wins.
        try fixture.areas.setPopulation(code: "south", population: "100000", by: Self.actor)
        #expect(try fixture.statistics.annualReport(year: year).areaPopulation == 300_000)
        #expect(Self.figures(try fixture.statistics.annualReport(year: year))["rsos_per_100k/rate/value"] == "1.00")
        #expect(Self.figures(try fixture.statistics.annualReport(year: year, area: .area(try #require(try fixture.areas.area(code: "south")))))["rsos_per_100k/rate/value"] == "0.00")
        try fixture.statistics.setAreaPopulation("1,500,000", by: Self.actor)
        #expect(Self.figures(try fixture.statistics.annualReport(year: year))["rsos_per_100k/rate/value"] == "0.20")
    }
}
