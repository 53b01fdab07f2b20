import Domain
import Foundation

/// The annual report's download formats (DESIGN.md "Annual report"), the same for the CLI and the web page.
public enum AnnualReportFormat: String, CaseIterable, Sendable {
    case csv, json, xlsx

    public var contentType: String {
        switch self {
        case .csv: return "text/csv; charset=utf-8"
        case .json: return "application/json"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// The report in this format: CSV `table,row,column,value` (the machine contract, exactly as DESIGN.md gives
    /// it); JSON with the same names; XLSX for people (`ReadableExport`): one sheet per table with the marking, the
    /// title, headings in words, the row names in words and their codes in the last column, figures as formatted
    /// numbers, and a Notes sheet explaining each table and column. `made` is the day the file is made.
    public func bytes(_ report: AnnualReport, made: CalendarDate) throws -> [UInt8] {
        switch self {
        case .xlsx: return try XLSXWorkbook.data(readable: report, made: made)
        case .csv: return Array(report.csv().utf8)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(report.document)) + [10]
        }
    }
}

extension XLSXWorkbook {
    /// The annual report as people read it (see `AnnualReportFormat.bytes`).
    static func data(readable report: AnnualReport, made: CalendarDate) throws(XLSXError) -> [UInt8] {
        let year = report.year
        let heading = ExportHeading(subject: "MAPPA annual report \(year)", area: report.area?.name ?? "All MAPPA areas",
                                    period: "1 April \(year.start.year) to 31 March \(year.end.year)", made: made)
        return try ReadableExport.xlsx(heading, report.tables.map { AnnualReportSheets.table($0) })
    }
}

/// The annual report's tables in words, for the XLSX and its Notes sheet.
enum AnnualReportSheets {
    static let names = ["eligible_on_31_march": "Eligible on 31 March", "level_2_3_in_year": "Level 2 and 3 in the year",
                        "rsos_per_100k": "RSOs per 100,000", "events": "Events"]
    static let explanations = [
        "eligible_on_31_march": "Active MAPPA cases in the community (not in custody) on 31 March, the last day of the reporting year, by level and category. Cases with no level set count in the total only.",
        "level_2_3_in_year": "Different people managed at Level 2 or Level 3 at any time during the reporting year, each counted once at the highest level they reached.",
        "rsos_per_100k": "Category 1 offenders (registered sexual offenders) in the community on 31 March, per 100,000 of the area's population. Blank when the population is not set.",
        "events": "Events dated inside the reporting year (breaches, orders, returns to custody, serious further offences charged, serious case reviews); returns to custody and serious further offences are also split by the level at the time.",
    ]
    static let rowHeadings = ["eligible_on_31_march": "Level", "level_2_3_in_year": "Level", "rsos_per_100k": "Figure", "events": "Event"]

    static func columnMeaning(_ table: String, _ column: String) -> String {
        switch column {
        case "category_1": return "Category 1: registered sexual offenders"
        case "category_2": return "Category 2: violent offenders"
        case "category_3": return "Category 3: other dangerous offenders"
        case "category_4": return "Category 4: terrorism and terrorism-connected offenders"
        case "total": return "All categories"
        case "value": return "Per 100,000 population, to two decimal places"
        case "count": return "Number of events in the year"
        case "level_1", "level_2", "level_3": return "Events where the person was managed at \(AnnualReportCalculator.columnLabel(column)) on the date of the event; blank where the report does not split the event by level"
        default: return column
        }
    }

    static func table(_ table: AnnualReport.Table) -> ExportTable {
        let kind: ExportValueKind = table.isRate ? .decimal(places: 2) : .whole
        let columns = [ExportColumn("row", rowHeadings[table.name] ?? "Row", meaning: "What the row counts, in words")]
            + table.columns.map { ExportColumn($0, AnnualReportCalculator.columnLabel($0) == "Value" ? "Rate per 100,000" : AnnualReportCalculator.columnLabel($0), kind,
                                               meaning: columnMeaning(table.name, $0)) }
            + [ExportColumn("row_code", "Row code", meaning: "The row's name in the CSV (table,row,column,value) and JSON of the same report")]
        let rows = table.rows.map { row -> [SpreadsheetCell] in
            [.text(row.label)] + zip(table.columns, row.values).map { column, value in
                guard !row.notApplicable.contains(column), let value else { return .empty }
                return .number(value)
            } + [.text(row.name)]
        }
        return ExportTable(name: names[table.name] ?? table.name, title: table.title,
                           explanation: (explanations[table.name] ?? "") + " Code in the CSV and JSON: \(table.name).",
                           columns: columns, rows: rows)
    }
}

/// The MAPPA areas compared for a reporting year, as the comparison page offers it (`ReadableExport.csv`): the
/// marking and title, headings in words, the codes of `mappa stats areas-compared` as the second header row.
public enum AreaComparisonExport {
    static func kind(_ column: String) -> ExportValueKind { column == "rsos_per_100k" ? .decimal(places: 2) : .whole }

    public static func csv(_ rows: [AreaComparisonRow], year: ReportingYear, made: CalendarDate) -> String {
        let columns = [ExportColumn("area", "Area code", meaning: "The MAPPA area's code; none and all for the rows without an area and for every area")]
            + [ExportColumn("area_name", "MAPPA area", meaning: "The area's name")]
            + AreaComparison.columns.map { ExportColumn($0, AreaComparison.label($0), kind($0), meaning: AreaComparison.label($0)) }
        let heading = ExportHeading(subject: "MAPPA areas compared, \(year)", area: "All MAPPA areas",
                                    period: "1 April \(year.start.year) to 31 March \(year.end.year)", made: made)
        return ReadableExport.csv(heading, ExportTable(name: "Areas compared", title: "Areas compared", explanation: "", columns: columns,
                                                       rows: rows.map { row in
            [.text(row.key), .text(row.label)] + row.values.map { $0.map(SpreadsheetCell.number) ?? .empty }
        }))
    }
}
