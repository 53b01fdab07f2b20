import Domain

/// The performance indicators for a period as a download people can read (`ReadableExport`): CSV (one line per
/// indicator) or XLSX (that table, and each indicator by lead agency). Figures are numbers; nothing names a person.
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

    /// The columns in words, with what each holds (the Notes sheet), in the order of `columns`.
    static let described: [ExportColumn] = [
        ExportColumn("indicator", "Indicator code", meaning: "The indicator's short name, the same in every period and in links to its page"),
        ExportColumn("number", "Number", .whole, meaning: "The indicator's number, 1 to 10"),
        ExportColumn("name", "Indicator", meaning: "The indicator's name, as set on the indicator settings page"),
        ExportColumn("period", "Period", meaning: "The quarter or reporting year (1 April to 31 March) the figure is for"),
        ExportColumn("period_start", "From", meaning: "The first day of the period (YYYY-MM-DD)"),
        ExportColumn("period_end", "To", meaning: "The last day of the period (YYYY-MM-DD)"),
        ExportColumn("numerator", "Counted", .whole, meaning: "The records that meet the measure (for a figure in days, the records measured)"),
        ExportColumn("denominator", "Out of", .whole, meaning: "The records in the period the indicator looks at"),
        ExportColumn("value", "Figure", .percent, meaning: "The result: a percentage for a rate, a number of days otherwise (see Unit); blank when there is no data in the period"),
        ExportColumn("unit", "Unit", meaning: "percent or days"),
        ExportColumn("target", "Target", .percent, meaning: "The target set for the indicator, in the same unit as the figure"),
        ExportColumn("direction", "Target direction", meaning: "at_least: the figure should be at or above the target; at_most: at or below it"),
        ExportColumn("met", "Result", meaning: "met, not met, or no data"),
        ExportColumn("previous_period", "Previous period", meaning: "The period before the one reported"),
        ExportColumn("previous_value", "Figure, previous period", .percent, meaning: "The figure for the previous period, in the same unit"),
        ExportColumn("year_before_period", "Same period a year before", meaning: "The same quarter or year, a year earlier"),
        ExportColumn("year_before_value", "Figure, a year before", .percent, meaning: "The figure for the same period a year earlier, in the same unit"),
    ]

    /// A figure in days is a number with one decimal, not a percentage: it replaces the percentage columns' kind.
    static func rowKinds(_ benchmark: KPIBenchmark) -> [Int: ExportValueKind] {
        guard benchmark.indicator.measure != .rate else { return [:] }
        return Dictionary(uniqueKeysWithValues: described.enumerated().filter { $0.element.kind == .percent }.map { ($0.offset, .decimal(places: 1)) })
    }

    static func indicators(_ benchmarks: [KPIBenchmark]) -> ExportTable {
        ExportTable(name: "Indicators", title: "Performance indicators, with the previous period and the same period a year before",
                    explanation: "One row per performance indicator for the period: how many records met the measure out of how many, the figure, its target and whether it was met. Code: indicators.",
                    columns: described, rows: benchmarks.map(cells), rowKinds: benchmarks.map(rowKinds))
    }

    /// The indicators as a CSV people can read (`ReadableExport.csv`): the marking and title, headings in words,
    /// then the codes in `columns` as the second header row; one line per indicator.
    public static func csv(_ benchmarks: [KPIBenchmark], heading: ExportHeading) -> String {
        ReadableExport.csv(heading, indicators(benchmarks))
    }

    /// `leadAgencyName` turns an agency code into the name shown on the pages.
    public static func xlsx(_ benchmarks: [KPIBenchmark], heading: ExportHeading, leadAgencyName: (String) -> String) throws -> [UInt8] {
        let leads = Set(benchmarks.flatMap(\.current.leadAgencies)).sorted()
        var kinds: [[Int: ExportValueKind]] = []
        let byLead = benchmarks.flatMap { benchmark in
            leads.compactMap { code -> [SpreadsheetCell]? in
                let result = benchmark.current.forLeadAgency(code)
                guard result.hasData else { return nil }
                kinds.append(benchmark.indicator.measure == .rate ? [:] : [5: .decimal(places: 1)])
                return [.text(benchmark.indicator.rawValue), .text(result.settings.name), .text(leadAgencyName(code)),
                        .number(Double(result.numerator)), .number(Double(result.denominator)),
                        result.value.map { .number(($0 * 10).rounded() / 10) } ?? .empty]
            }
        }
        return try ReadableExport.xlsx(heading, [
            indicators(benchmarks),
            ExportTable(name: "By lead agency", title: "Each indicator for the cases each agency leads",
                        explanation: "One row per indicator and lead agency that had records in the period: the same measure over only the cases that agency leads. Code: by_lead_agency.",
                        columns: [
                            ExportColumn("indicator", "Indicator code", meaning: "The indicator's short name"),
                            ExportColumn("name", "Indicator", meaning: "The indicator's name"),
                            ExportColumn("lead_agency", "Lead agency", meaning: "The agency that leads the cases counted"),
                            ExportColumn("numerator", "Counted", .whole, meaning: "The records that meet the measure"),
                            ExportColumn("denominator", "Out of", .whole, meaning: "The records in the period"),
                            ExportColumn("value", "Figure", .percent, meaning: "A percentage for a rate, a number of days otherwise"),
                        ],
                        rows: byLead, rowKinds: kinds),
        ])
    }
}
