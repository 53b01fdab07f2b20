import Domain

/// How a column's figures read: text, a whole number, a percentage, a figure with decimals, or a date.
public enum ExportValueKind: Sendable, Equatable {
    case text
    /// A count: `#,##0` in a spreadsheet.
    case whole
    /// A rate given in percent (87.5 for 87.5%): stored in a spreadsheet as the fraction (0.875) formatted `0.0%`,
    /// written in CSV as the figure in percent.
    case percent
    /// A figure with this many decimals, such as a rate per 100,000 or a number of days.
    case decimal(places: Int)

    /// The Excel number format (ECMA-376 Part 1, 18.8.31 numFmts); nil for text.
    var numberFormat: String? {
        switch self {
        case .text: return nil
        case .whole: return "#,##0"
        case .percent: return "0.0%"
        case .decimal(let places): return places <= 0 ? "#,##0" : "#,##0." + String(repeating: "0", count: places)
        }
    }
}

/// One column of a readable export: its heading in words, the code machines and earlier files used, and what it holds.
public struct ExportColumn: Sendable, Equatable {
    public var code: String
    public var heading: String
    public var meaning: String
    public var kind: ExportValueKind
    public init(_ code: String, _ heading: String, _ kind: ExportValueKind = .text, meaning: String) {
        self.code = code
        self.heading = heading
        self.kind = kind
        self.meaning = meaning
    }
}

/// One table of a readable export: one sheet of the workbook, or the whole of a CSV.
public struct ExportTable: Sendable, Equatable {
    /// The sheet's name (at most 31 characters), in words.
    public var name: String
    public var title: String
    /// What the table counts and how, for the Notes sheet.
    public var explanation: String
    public var columns: [ExportColumn]
    public var rows: [[SpreadsheetCell]]
    /// Per row, a kind that replaces the column's for its figures (a rate in a row of day counts); nil keeps the column's.
    public var rowKinds: [[Int: ExportValueKind]]

    public init(name: String, title: String, explanation: String, columns: [ExportColumn], rows: [[SpreadsheetCell]],
                rowKinds: [[Int: ExportValueKind]] = []) {
        self.name = name
        self.title = title
        self.explanation = explanation
        self.columns = columns
        self.rows = rows
        self.rowKinds = rowKinds
    }

    func kind(row: Int, column: Int) -> ExportValueKind {
        if row < rowKinds.count, let kind = rowKinds[row][column] { return kind }
        return column < columns.count ? columns[column].kind : .text
    }
}

/// What every readable download says at its top: the protective marking, what it is, the MAPPA area, the period
/// and the day it was made.
public struct ExportHeading: Sendable, Equatable {
    /// Government Security Classifications (2018): OFFICIAL-SENSITIVE, on every export of MAPPA records.
    public static let marking = "OFFICIAL-SENSITIVE"

    public var subject: String
    public var area: String
    public var period: String
    public var made: CalendarDate

    public init(subject: String, area: String, period: String, made: CalendarDate) {
        self.subject = subject
        self.area = area
        self.period = period
        self.made = made
    }

    /// "MAPPA annual report, All MAPPA areas, 1 April 2025 to 31 March 2026, made 8 December 2026"
    public var title: String { "\(subject), \(area), \(period), made \(made.displayText)" }
}

/// Downloads people open in a spreadsheet (issue 29, item 4): the marking and a title line, headings in words, and
/// the codes kept — in CSV as a second header row, in XLSX on a Notes sheet that explains each table and column.
/// Machine contracts (the annual report's `table,row,column,value` CSV, the case register) are not written here.
public enum ReadableExport {
    /// Lines before the data in a readable CSV: the marking, the title, the headings in words, the codes.
    public static let csvHeaderLines = 4

    /// CSV: a UTF-8 byte order mark (so a spreadsheet reads names in UTF-8), then the marking, the title, the
    /// headings in words, the codes, and the rows; LF line endings; every cell neutralised against formula
    /// injection (`CaseRegisterCSV.line`). Percentages are written in percent, as the pages show them.
    public static func csv(_ heading: ExportHeading, _ table: ExportTable) -> String {
        var out = "\u{FEFF}" + CaseRegisterCSV.line([ExportHeading.marking]) + CaseRegisterCSV.line([heading.title])
        out += CaseRegisterCSV.line(table.columns.map(\.heading)) + CaseRegisterCSV.line(table.columns.map(\.code))
        for (index, row) in table.rows.enumerated() {
            out += CaseRegisterCSV.line(row.enumerated().map { column, cell in text(cell, table.kind(row: index, column: column)) })
        }
        return out
    }

    /// A cell as CSV text: whole numbers without a decimal point, decimals to their places.
    static func text(_ cell: SpreadsheetCell, _ kind: ExportValueKind) -> String {
        switch cell {
        case .text(let text): return text
        case .empty: return ""
        case .number(let value) where !value.isFinite: return ""
        case .number(let value):
            switch kind {
            case .decimal(let places) where places > 0: return String(decimal: value, places: places)
            case .percent: return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(decimal: value, places: 1)
            default: return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            }
        }
    }

    /// XLSX: one sheet per table (the marking and title above a frozen header in words, number formats, the marking
    /// in every printed page's header and footer), then "Notes": each table and column explained, with its code.
    public static func xlsx(_ heading: ExportHeading, _ tables: [ExportTable]) throws(XLSXError) -> [UInt8] {
        let titled = { (title: String) in [ExportHeading.marking, heading.title, title] }
        var sheets = tables.map { table in
            SpreadsheetSheet(
                name: table.name, columns: table.columns.map(\.heading),
                rows: table.rows.enumerated().map { index, row in
                    row.enumerated().map { column, cell in
                        if case .number(let value) = cell, table.kind(row: index, column: column) == .percent { return .number(value / 100) }
                        return cell
                    }
                },
                titleRows: titled(table.title),
                numberFormats: table.rows.indices.map { index in
                    table.rows[index].indices.map { table.kind(row: index, column: $0).numberFormat }
                },
                printMarking: ExportHeading.marking)
        }
        var notes: [[SpreadsheetCell]] = []
        for table in tables {
            notes.append([.text(table.name), .empty, .empty, .text(table.explanation)])
            for column in table.columns {
                notes.append([.text(table.name), .text(column.heading), .text(column.code), .text(column.meaning)])
            }
        }
        notes.append([.text("All sheets"), .empty, .empty,
                      .text("\(ExportHeading.marking): handle, store and share under the Government Security Classifications; "
                            + "keep the file on systems approved for OFFICIAL-SENSITIVE information. Made \(heading.made.displayText).")])
        sheets.append(SpreadsheetSheet(name: "Notes", columns: ["Sheet", "Column", "Code", "What it means"], rows: notes,
                                       titleRows: titled("Notes: what each sheet and column holds"), printMarking: ExportHeading.marking))
        return try XLSXWorkbook.data(sheets: sheets)
    }
}

extension String {
    /// A figure with `places` decimals (1.50, not 1.5), for the readable exports.
    init(decimal value: Double, places: Int) {
        let scale = (0..<places).reduce(1.0) { value, _ in value * 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled) - whole * Int64(scale)
        let digits = String(fraction)
        self = (value < 0 && scaled > 0 ? "-" : "") + String(whole) + "." + String(repeating: "0", count: places - digits.count) + digits
    }
}
