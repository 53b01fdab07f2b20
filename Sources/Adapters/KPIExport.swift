import Domain

/// The performance indicators for a period as a download: CSV (one line per indicator) or XLSX (that table, and
/// each indicator by lead agency). Figures are numbers; nothing names a person.
public enum KPIExport {
    public static let columns = ["indicator", "number", "name", "period", "period_start", "period_end", "numerator", "denominator",
                                 "value", "unit", "target", "direction", "met", "previous_period", "previous_value",
                                 "year_before_period", "year_before_value"]

    static func cells(_ benchmark: KPIBenchmark) -> [SpreadsheetCell] {
        let result = benchmark.current
        let number = { (value: Double?) -> SpreadsheetCell in value.map { .number(($0 * 10).rounded() / 10) } ?? .empty }
        return [.text(result.indicator.rawValue), .number(Double(result.indicator.number)), .text(result.settings.name),
                .text(result.period.name), .text(result.period.start.description), .text(result.period.end.description),
                .number(Double(result.numerator)), .number(Double(result.denominator)), number(result.value),
                .text(result.indicator.measure == .rate ? "percent" : "days"), .number(result.settings.target),
                .text(result.settings.direction.rawValue), .text(result.met.map { $0 ? "met" : "not met" } ?? "no data"),
                .text(benchmark.previous.period.name), number(benchmark.previous.value),
                .text(benchmark.yearBefore.period.name), number(benchmark.yearBefore.value)]
    }

    static func text(_ cell: SpreadsheetCell) -> String {
        switch cell {
        case .text(let text): return text
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .empty: return ""
        }
    }

    public static func csv(_ benchmarks: [KPIBenchmark]) -> String {
        CaseRegisterCSV.line(columns) + benchmarks.map { CaseRegisterCSV.line(cells($0).map(text)) }.joined()
    }

    /// `leadAgencyName` turns an agency code into the name shown on the pages.
    public static func xlsx(_ benchmarks: [KPIBenchmark], leadAgencyName: (String) -> String) throws -> [UInt8] {
        let leads = Set(benchmarks.flatMap(\.current.leadAgencies)).sorted()
        let byLead = benchmarks.flatMap { benchmark in
            leads.compactMap { code -> [SpreadsheetCell]? in
                let result = benchmark.current.forLeadAgency(code)
                guard result.hasData else { return nil }
                return [.text(benchmark.indicator.rawValue), .text(result.settings.name), .text(leadAgencyName(code)),
                        .number(Double(result.numerator)), .number(Double(result.denominator)),
                        result.value.map { .number(($0 * 10).rounded() / 10) } ?? .empty]
            }
        }
        return try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "indicators", columns: columns, rows: benchmarks.map(cells)),
            SpreadsheetSheet(name: "by_lead_agency", columns: ["indicator", "name", "lead_agency", "numerator", "denominator", "value"],
                             rows: byLead),
        ])
    }
}
