import Domain
import Testing

@Suite("Annual report rules")
struct StatisticsTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static let year = ReportingYear(yearEnding: date("2026-03-31"))!

    // MARK: Reporting year

    @Test("the reporting year runs 1 April to 31 March and is named by both years")
    func reportingYear() {
        #expect(Self.year.start == Self.date("2025-04-01") && Self.year.end == Self.date("2026-03-31"))
        #expect(Self.year.description == "2025/26")
        #expect(ReportingYear(yearEnding: Self.date("2026-03-30")) == nil, "a year ends on 31 March")
        #expect(ReportingYear(yearEnding: Self.date("2026-04-30")) == nil)
        #expect(ReportingYear(containing: Self.date("2026-03-31")) == Self.year)
        #expect(ReportingYear(containing: Self.date("2025-04-01")) == Self.year)
        #expect(ReportingYear(containing: Self.date("2026-04-01")) == Self.year.next)
        #expect(ReportingYear.lastCompleted(before: Self.date("2026-11-25")) == Self.year)
        #expect(ReportingYear.lastCompleted(before: Self.date("2026-03-31")) == Self.year.previous, "on 31 March the year has not ended")
        #expect(Self.year.previous.description == "2024/25")
        #expect(ReportingYear(yearEnding: Self.date("2100-03-31"))!.description == "2099/00")
    }

    // MARK: Events file

    static let today = date("2026-11-25")
    static let known: Set<String> = ["N1", "N2"]
    static func parse(_ text: String) -> Result<[MappaEventRecord], CaseRegisterImportError> {
        EventsCSV.parse(Array(text.utf8), knownNominalRefs: { known.contains($0) }, today: today)
    }

    @Test("a good events file parses: BOM, CRLF, quoted detail with a comma, level optional, formula prefix undone")
    func goodEventsFile() throws {
        let text = "\u{FEFF}nominal_ref,event_type,event_date,level_at_event,detail\r\n"
            + "N1,returned_to_custody_licence,2025-06-01,2,\"Recalled, failed to reside\"\r\n"
            + "N2,SHPO,2025-07-09,,\r\n"
            + "N1,sfo_charged,2026-01-02,3,'=not a formula\r\n"
        let events = try Self.parse(text).get()
        #expect(events == [
            MappaEventRecord(nominalRef: "N1", type: .returnedToCustodyLicence, date: Self.date("2025-06-01"), levelAtEvent: .two,
                             detail: "Recalled, failed to reside"),
            MappaEventRecord(nominalRef: "N2", type: .shpo, date: Self.date("2025-07-09"), levelAtEvent: nil, detail: ""),
            MappaEventRecord(nominalRef: "N1", type: .sfoCharged, date: Self.date("2026-01-02"), levelAtEvent: .three, detail: "=not a formula"),
        ])
    }

    @Test("every bad row is reported by line and column, and nothing is accepted")
    func badEventsFile() throws {
        let text = """
            nominal_ref,event_type,event_date,level_at_event,detail
            N1,shpo,2025-07-09,,
            N9,shpo,2025-07-09,,
            N1,parking_ticket,2025-07-09,,
            N1,shpo,2025-02-30,,
            N1,shpo,2027-01-01,,
            N1,sfo_charged,2025-07-09,4,
            ,shpo,,,
            N1,shpo
            """
        guard case .failure(let failure) = Self.parse(text) else {
            Issue.record("a file with bad rows was accepted")
            return
        }
        let found = failure.errors.map { "\($0.line) \($0.column)" }
        #expect(found == ["3 nominal_ref", "4 event_type", "5 event_date", "6 event_date", "7 level_at_event",
                          "8 nominal_ref", "8 event_date", "9 (row)"])
        #expect(failure.rowsRead == 8)
        #expect(failure.errors[0].message.contains("No nominal on record"))
        #expect(failure.errors[3].message == "The event date is in the future")
        #expect(!failure.errors.contains { $0.message.contains("N9") }, "messages do not repeat references that may identify people")
    }

    @Test("a file without the right header, or without rows, is refused with a reason")
    func badHeader() {
        guard case .failure(let missing) = Self.parse("nominal_ref,event_type,date,detail\nN1,shpo,2025-01-01,\n") else {
            Issue.record("wrong header accepted")
            return
        }
        #expect(missing.errors.map(\.column).sorted() == ["date", "event_date", "level_at_event"])
        guard case .failure(let empty) = Self.parse("nominal_ref,event_type,event_date,level_at_event,detail\n"),
              case .failure(let nothing) = Self.parse("") else {
            Issue.record("an empty file was accepted")
            return
        }
        #expect(empty.errors.first?.message == "The file has a header but no rows")
        #expect(nothing.errors.first?.message.contains("The file is empty") == true)
    }

    @Test("an event typed in by hand is checked field by field")
    func recordedEventProblems() {
        #expect(MappaEventRecord.problems(typeText: "shpo", dateText: "2026-01-01", levelText: "", detail: "", today: Self.today).isEmpty)
        let problems = MappaEventRecord.problems(typeText: "", dateText: "2027-01-01", levelText: "0", detail: String(repeating: "x", count: 501),
                                                 today: Self.today)
        #expect(problems.map(\.field) == ["event_type", "event_date", "level_at_event", "detail"])
        #expect(MappaEventRecord.problems(typeText: "shpo", dateText: "1/1/2026", levelText: "", detail: "", today: Self.today)
                    .first?.message.contains("real date") == true)
    }

    // MARK: Levels and categories over time

    static func facts(_ nominal: Int64, _ category: MappaCategory, _ level: ManagementLevel, community: Bool = true,
                      start: String = "2020-01-01", exit: String? = nil, changes: [CaseFactsForReport.Change] = []) -> CaseFactsForReport {
        CaseFactsForReport(nominalID: nominal, category: category, level: level, inCommunity: community, startDate: date(start),
                           exitDate: exit.map(date), changes: changes)
    }
    static func levelChange(_ day: String, _ old: Int, _ new: Int) -> CaseFactsForReport.Change {
        .init(field: .level, date: date(day), oldValue: old, newValue: new)
    }

    @Test("the level on a day is worked back from the changes after it")
    func levelOnADay() {
        let raised = Self.facts(1, .two, .two, changes: [Self.levelChange("2025-06-10", 1, 3), Self.levelChange("2025-09-01", 3, 2)])
        #expect(raised.level(on: Self.date("2025-06-09")) == .one)
        #expect(raised.level(on: Self.date("2025-06-10")) == .three, "a change counts from its own day")
        #expect(raised.level(on: Self.date("2025-08-31")) == .three)
        #expect(raised.level(on: Self.date("2026-03-31")) == .two)
        #expect(raised.highestLevel(from: Self.year.start, to: Self.year.end)?.level == .three)
        // Raised after the year ended: on 31 March it was still at its old level.
        let later = Self.facts(2, .one, .two, changes: [Self.levelChange("2026-05-01", 1, 2)])
        #expect(later.level(on: Self.year.end) == .one)
        #expect(later.highestLevel(from: Self.year.start, to: Self.year.end)?.level == .one)
        // Exited before the year began, or started after it ended: not in the year at all.
        #expect(Self.facts(3, .two, .three, exit: "2025-03-15").highestLevel(from: Self.year.start, to: Self.year.end) == nil)
        #expect(Self.facts(4, .two, .three, start: "2026-04-01").highestLevel(from: Self.year.start, to: Self.year.end) == nil)
        // Exit on 31 March: out of MAPPA that day, so not eligible on it, but managed during the year.
        let exited = Self.facts(5, .two, .three, exit: "2026-03-31")
        #expect(!exited.isOpen(on: Self.year.end))
        #expect(exited.highestLevel(from: Self.year.start, to: Self.year.end)?.level == .three)
    }

    @Test("a category change: counted in the category held on the last day at the highest level")
    func categoryAtHighestLevel() {
        let facts = Self.facts(1, .three, .two, changes: [
            Self.levelChange("2025-05-01", 1, 3),
            .init(field: .category, date: Self.date("2025-06-01"), oldValue: 2, newValue: 3),
            Self.levelChange("2025-08-01", 3, 2),
        ])
        let reached = facts.highestLevel(from: Self.year.start, to: Self.year.end)
        #expect(reached?.level == .three && reached?.category == .three)
        #expect(facts.category(on: Self.date("2025-05-31")) == .two)
    }

    // MARK: The tables, worked out by hand

    static let cases: [CaseFactsForReport] = [
        facts(1, .one, .one), facts(2, .one, .one), facts(3, .one, .two), facts(4, .two, .three),
        facts(5, .three, .two), facts(6, .four, .three),
        facts(7, .one, .unknown),                                    // no level: total only
        facts(8, .two, .two, community: false),                      // in custody: not eligible; Level 2 in year
        facts(9, .one, .three, exit: "2025-10-01"),                   // exited in the year: Level 3 in year
        facts(10, .two, .two, exit: "2025-03-01"),                    // exited before the year: nowhere
        facts(11, .two, .three, start: "2026-04-02"),                 // started after: nowhere
        // Nominal 12 has two cases: Level 2 (ended) then Level 3: counted once, at Level 3, Category 2.
        facts(12, .one, .two, exit: "2025-06-01"), facts(12, .two, .three, start: "2025-06-01"),
        // Raised from 1 to 2 in the year and back to 1 later in it: Level 2 in year, Level 1 on 31 March.
        facts(13, .one, .one, changes: [levelChange("2025-07-01", 1, 2), levelChange("2025-12-01", 2, 1)]),
    ]

    @Test("eligible on 31 March, Level 2 and 3 during the year, the rate, and the events: exact figures")
    func tables() {
        let events = [
            EventTally(type: .returnedToCustodyLicence, levelAtEvent: .two, count: 4),
            EventTally(type: .returnedToCustodyLicence, levelAtEvent: .three, count: 1),
            EventTally(type: .returnedToCustodyLicence, levelAtEvent: nil, count: 2),
            EventTally(type: .shpo, levelAtEvent: nil, count: 7),
            EventTally(type: .shpo, levelAtEvent: .one, count: 1),
            EventTally(type: .sfoCharged, levelAtEvent: .one, count: 1),
        ]
        let report = AnnualReportCalculator.report(year: Self.year, cases: Self.cases, events: events, areaPopulation: 400_000)
        func value(_ table: String, _ row: String, _ column: String) -> Double? { report.value(table, row, column) }
        // Eligible: 1,2,13 L1 cat1; 3 L2 cat1; 4 L3 cat2; 5 L2 cat3; 6 L3 cat4; 12b L3 cat2; 7 total only.
        #expect(value("eligible_on_31_march", "level_1", "category_1") == 3)
        #expect(value("eligible_on_31_march", "level_2", "category_1") == 1)
        #expect(value("eligible_on_31_march", "level_2", "category_3") == 1)
        #expect(value("eligible_on_31_march", "level_3", "category_2") == 2)
        #expect(value("eligible_on_31_march", "level_3", "category_4") == 1)
        #expect(value("eligible_on_31_march", "level_3", "total") == 3)
        #expect(value("eligible_on_31_march", "total", "category_1") == 5, "1, 2, 3, 7 and 13")
        #expect(value("eligible_on_31_march", "total", "total") == 9)
        #expect(report.casesWithoutLevel == 1)
        // In year: L2 = 3 (cat1), 5 (cat3), 8 (cat2), 13 (cat1); L3 = 4 (cat2), 6 (cat4), 9 (cat1), 12 (cat2).
        #expect(value("level_2_3_in_year", "level_2", "category_1") == 2)
        #expect(value("level_2_3_in_year", "level_2", "category_2") == 1)
        #expect(value("level_2_3_in_year", "level_2", "total") == 4)
        #expect(value("level_2_3_in_year", "level_3", "category_2") == 2)
        #expect(value("level_2_3_in_year", "level_3", "total") == 4)
        #expect(value("level_2_3_in_year", "total", "total") == 8)
        // 5 Category 1 in the community per 400,000 people = 1.25 per 100,000.
        #expect(value("rsos_per_100k", "rate", "value") == 1.25)
        #expect(value("events", "returned_to_custody_licence", "count") == 7)
        #expect(value("events", "returned_to_custody_licence", "level_2") == 4)
        #expect(value("events", "returned_to_custody_licence", "level_1") == 0)
        #expect(value("events", "shpo", "count") == 8)
        #expect(value("events", "sfo_charged", "level_1") == 1)
        #expect(value("events", "serious_case_review", "count") == 0)
        let noPopulation = AnnualReportCalculator.report(year: Self.year, cases: Self.cases, events: [], areaPopulation: nil)
        #expect(noPopulation.value("rsos_per_100k", "rate", "value") == nil)
    }

    @Test("the CSV has exactly the contract's tables, rows and columns; level columns only where the report splits by level")
    func csvShape() {
        let report = AnnualReportCalculator.report(year: Self.year, cases: Self.cases, events: [], areaPopulation: nil)
        let lines = report.csv().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "table,row,column,value")
        #expect(lines.last == "", "ends with a line break")
        #expect(lines.contains("eligible_on_31_march,total,total,9"))
        #expect(lines.contains("rsos_per_100k,rate,value,"), "the rate is blank when it cannot be worked out")
        #expect(lines.contains("events,shpo,count,0"))
        #expect(!lines.contains { $0.hasPrefix("events,shpo,level_") })
        #expect(lines.contains("events,returned_to_custody_order,level_3,0"))
        let tables = Set(lines.dropFirst().filter { !$0.isEmpty }.map { String($0.split(separator: ",")[0]) })
        #expect(tables == ["eligible_on_31_march", "level_2_3_in_year", "rsos_per_100k", "events"])
        // 4×5 + 3×5 + 1 + 12 counts + 3 types × 3 levels
        #expect(lines.count - 2 == 20 + 15 + 1 + 12 + 9)
        #expect(AnnualReport.formatted(1.5) == "1.50" && AnnualReport.formatted(12) == "12" && AnnualReport.formatted(0.005) == "0.01")
    }
}
