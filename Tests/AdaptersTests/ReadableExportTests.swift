@testable import Adapters
import Domain
import Foundation
import Testing

/// The downloads people open in a spreadsheet (issue 29 item 4), and the annual report's CSV that machines read.
@Suite("Readable exports")
struct ReadableExportTests {
    static let made = CalendarDate(year: 2026, month: 12, day: 8)
    static let heading = ExportHeading(subject: "MAPPA performance indicators", area: "North Testshire",
                                       period: "Q3 2026/27 (1 October 2026 to 31 December 2026)", made: made)
    static let table = ExportTable(
        name: "Indicators", title: "Indicators for the quarter", explanation: "One row per indicator.",
        columns: [ExportColumn("name", "Indicator", meaning: "Its name"),
                  ExportColumn("numerator", "Counted", .whole, meaning: "Records counted"),
                  ExportColumn("value", "Figure", .percent, meaning: "The figure")],
        rows: [[.text("Reviews on time"), .integer(1234), .number(87.5)],
               [.text("=HYPERLINK(\"x\")"), .integer(2), .number(12.25)],
               [.text("Screening days"), .integer(3), .empty]],
        rowKinds: [[:], [2: .decimal(places: 1)], [:]])

    @Test("CSV: a byte order mark, the marking, a title with area, period and day, headings in words, then the codes")
    func csv() {
        let text = ReadableExport.csv(Self.heading, Self.table)
        #expect(text.hasPrefix("\u{FEFF}"))
        let lines = text.dropFirst().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "OFFICIAL-SENSITIVE",
            "\"MAPPA performance indicators, North Testshire, Q3 2026/27 (1 October 2026 to 31 December 2026), made 8 December 2026\"",
            "Indicator,Counted,Figure",
            "name,numerator,value",
            "Reviews on time,1234,87.5",
            "\"'=HYPERLINK(\"\"x\"\")\",2,12.3",
            "Screening days,3,",
            "",
        ], "a percentage in percent as the pages show it; a row's own kind (days, one decimal); a formula neutralised")
        #expect(ReadableExport.csvHeaderLines == 4)
    }

    @Test("XLSX: marking and title above a frozen header in words, number formats, marking on every printed page, a Notes sheet with the codes")
    func xlsx() throws {
        let sheets = try XLSXWorkbookTests.read(try ReadableExport.xlsx(Self.heading, [Self.table]))
        #expect(sheets.map(\.name) == ["Indicators", "Notes"])
        let sheet = try #require(sheets.first)
        #expect(sheet.rows.count == 7)
        guard sheet.rows.count == 7 else { return }
        #expect(sheet.rows[0] == ["s:OFFICIAL-SENSITIVE"])
        #expect(sheet.rows[1] == ["s:MAPPA performance indicators, North Testshire, Q3 2026/27 (1 October 2026 to 31 December 2026), made 8 December 2026"])
        #expect(sheet.rows[2] == ["s:Indicators for the quarter"])
        #expect(sheet.rows[3] == ["s:Indicator", "s:Counted", "s:Figure"])
        #expect(sheet.rows[4] == ["s:Reviews on time", "n:1234", "n:0.875"], "a percentage is stored as the fraction")
        #expect(sheet.rows[5] == ["s:'=HYPERLINK(\"x\")", "n:2", "n:12.25"], "a row of days keeps its figure")
        #expect(sheet.frozenRows == 4, "the marking, title and header stay in view")
        #expect(sheet.bold.contains("A1") && sheet.bold.contains("A4") && sheet.bold.contains("C4") && !sheet.bold.contains("A2"))
        #expect(sheet.formats["B5"] == "#,##0" && sheet.formats["C5"] == "0.0%" && sheet.formats["C6"] == "#,##0.0")
        #expect(sheet.formats["A5"] == nil)
        #expect(sheet.header == "&COFFICIAL-SENSITIVE")
        #expect(sheet.footer == "&COFFICIAL-SENSITIVE&RPage &P of &N")
        #expect(sheet.widths.count == 3 && sheet.widths[0] < 25, "the long title does not widen the first column")
        let notes = try #require(sheets.last)
        #expect(notes.rows.count > 3 && notes.rows[3] == ["s:Sheet", "s:Column", "s:Code", "s:What it means"])
        #expect(notes.rows.contains(["s:Indicators", "", "", "s:One row per indicator."]))
        #expect(notes.rows.contains(["s:Indicators", "s:Figure", "s:value", "s:The figure"]))
        #expect(notes.rows.contains(["s:Indicators", "s:Counted", "s:numerator", "s:Records counted"]))
        #expect(notes.header == "&COFFICIAL-SENSITIVE" && notes.frozenRows == 4)
    }

    static let report = AnnualReportCalculator.report(
        year: ReportingYear(yearEnding: CalendarDate(year: 2026, month: 3, day: 31))!, cases: [],
        events: [EventTally(type: .shpo, levelAtEvent: nil, count: 3), EventTally(type: .returnedToCustodyLicence, levelAtEvent: .two, count: 2)],
        areaPopulation: 400_000)

    @Test("the annual report's CSV stays the machine contract, byte for byte, whatever day it is made")
    func annualCSVPinned() throws {
        let expected = """
        table,row,column,value
        eligible_on_31_march,level_1,category_1,0
        eligible_on_31_march,level_1,category_2,0
        eligible_on_31_march,level_1,category_3,0
        eligible_on_31_march,level_1,category_4,0
        eligible_on_31_march,level_1,total,0
        eligible_on_31_march,level_2,category_1,0
        eligible_on_31_march,level_2,category_2,0
        eligible_on_31_march,level_2,category_3,0
        eligible_on_31_march,level_2,category_4,0
        eligible_on_31_march,level_2,total,0
        eligible_on_31_march,level_3,category_1,0
        eligible_on_31_march,level_3,category_2,0
        eligible_on_31_march,level_3,category_3,0
        eligible_on_31_march,level_3,category_4,0
        eligible_on_31_march,level_3,total,0
        eligible_on_31_march,total,category_1,0
        eligible_on_31_march,total,category_2,0
        eligible_on_31_march,total,category_3,0
        eligible_on_31_march,total,category_4,0
        eligible_on_31_march,total,total,0
        level_2_3_in_year,level_2,category_1,0
        level_2_3_in_year,level_2,category_2,0
        level_2_3_in_year,level_2,category_3,0
        level_2_3_in_year,level_2,category_4,0
        level_2_3_in_year,level_2,total,0
        level_2_3_in_year,level_3,category_1,0
        level_2_3_in_year,level_3,category_2,0
        level_2_3_in_year,level_3,category_3,0
        level_2_3_in_year,level_3,category_4,0
        level_2_3_in_year,level_3,total,0
        level_2_3_in_year,total,category_1,0
        level_2_3_in_year,total,category_2,0
        level_2_3_in_year,total,category_3,0
        level_2_3_in_year,total,category_4,0
        level_2_3_in_year,total,total,0
        rsos_per_100k,rate,value,0.00
        events,notification_breach,count,0
        events,lifetime_notification_revoked,count,0
        events,shpo,count,3
        events,interim_shpo,count,0
        events,notification_order,count,0
        events,interim_notification_order,count,0
        events,foreign_travel_restriction,count,0
        events,sro_breach_notification,count,0
        events,returned_to_custody_licence,count,2
        events,returned_to_custody_licence,level_1,0
        events,returned_to_custody_licence,level_2,2
        events,returned_to_custody_licence,level_3,0
        events,returned_to_custody_order,count,0
        events,returned_to_custody_order,level_1,0
        events,returned_to_custody_order,level_2,0
        events,returned_to_custody_order,level_3,0
        events,sfo_charged,count,0
        events,sfo_charged,level_1,0
        events,sfo_charged,level_2,0
        events,sfo_charged,level_3,0
        events,serious_case_review,count,0

        """
        #expect(try AnnualReportFormat.csv.bytes(Self.report, made: Self.made) == Array(expected.utf8))
        #expect(try AnnualReportFormat.csv.bytes(Self.report, made: CalendarDate(year: 2030, month: 1, day: 2)) == Array(expected.utf8))
    }

    @Test("the annual report's XLSX: one sheet per table in words with the row codes, and Notes naming every table and column code")
    func annualXLSX() throws {
        let sheets = try XLSXWorkbookTests.read(try AnnualReportFormat.xlsx.bytes(Self.report, made: Self.made))
        #expect(sheets.map(\.name) == ["Eligible on 31 March", "Level 2 and 3 in the year", "RSOs per 100,000", "Events", "Notes"])
        guard sheets.count == 5 else { return }
        #expect(sheets[0].rows[1] == ["s:MAPPA annual report 2025/26, All MAPPA areas, 1 April 2025 to 31 March 2026, made 8 December 2026"])
        #expect(sheets[0].rows[3] == ["s:Level", "s:Category 1", "s:Category 2", "s:Category 3", "s:Category 4", "s:Total", "s:Row code"])
        #expect(sheets[0].rows[4].first == "s:Level 1" && sheets[0].rows[4].last == "s:level_1")
        #expect(sheets[2].rows[4] == ["s:Rate", "n:0", "s:rate"] && sheets[2].formats["B5"] == "#,##0.00", "the rate with two decimals")
        let shpo = try #require(sheets[3].rows.first { $0.last == "s:shpo" })
        #expect(shpo == ["s:Sexual Harm Prevention Order imposed", "n:3", "", "", "", "s:shpo"], "no level figures where the report does not split by level")
        let notes = sheets[4].rows
        for code in ["eligible_on_31_march", "level_2_3_in_year", "rsos_per_100k", "events"] {
            #expect(notes.contains { $0.count == 4 && $0[3].hasSuffix("Code in the CSV and JSON: \(code).") }, "\(code) explained")
        }
        #expect(notes.contains(["s:Events", "s:Level 2", "s:level_2", "s:Events where the person was managed at Level 2 on the date of the event; blank where the report does not split the event by level"]))
        #expect(sheets.allSatisfy { $0.header == "&COFFICIAL-SENSITIVE" })
    }
}
