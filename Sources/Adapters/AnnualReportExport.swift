import Domain
import Foundation

/// The annual report's download formats (DESIGN.md "Annual report"), the same for the CLI and the web page.
public enum AnnualReportFormat: String, CaseIterable, Sendable {
    case csv, json

    public var contentType: String {
        switch self {
        case .csv: return "text/csv; charset=utf-8"
        case .json: return "application/json"
        }
    }

    /// The report in this format: CSV `table,row,column,value`; JSON with the same names.
    public func bytes(_ report: AnnualReport) throws -> [UInt8] {
        switch self {
        case .csv: return Array(report.csv().utf8)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(report.document)) + [10]
        }
    }
}
