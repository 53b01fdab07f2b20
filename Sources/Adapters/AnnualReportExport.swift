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

    /// The report in this format: CSV `table,row,column,value`; JSON with the same names; XLSX with one sheet per
    /// table, named like the table, the row names in the first column and figures stored as numbers.
    public func bytes(_ report: AnnualReport) throws -> [UInt8] {
        switch self {
        case .xlsx:
            return try XLSXWorkbook.data(sheets: report.tables.map { table in
                SpreadsheetSheet(name: table.name, columns: ["row"] + table.columns, rows: table.rows.map { row in
                    [.text(row.name)] + zip(table.columns, row.values).map { column, value in
                        guard !row.notApplicable.contains(column), let value else { return .empty }
                        return .number(value)
                    }
                })
            })
        case .csv: return Array(report.csv().utf8)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(report.document)) + [10]
        }
    }
}
