import Foundation

/// One line of the comparison across areas: an area, the cases with no area recorded, or all areas together,
/// with the headline figures of its annual report.
public struct AreaComparisonRow: Sendable, Equatable {
    /// The area's code, `none` (no area recorded) or `all`: the row's name in the CSV and on the page.
    public var key: String
    public var label: String
    /// One per `AreaComparison.columns`, in that order; nil where the figure cannot be worked out.
    public var values: [Double?]

    public func value(_ column: String) -> Double? {
        AreaComparison.columns.firstIndex(of: column).flatMap { values[$0] }
    }
}

/// The headline figures of the annual report side by side for each area (domain.md §7.2 "SFOs by MAPPA area",
/// the press figures of §7.4). Totals depend on an area's size; the rate per 100,000 population is what compares.
public enum AreaComparison {
    public static let columns = ["eligible_on_31_march", "level_2_in_year", "level_3_in_year", "population", "rsos_per_100k",
                                 "returned_to_custody", "sfo_charged"]

    public static func label(_ column: String) -> String {
        switch column {
        case "eligible_on_31_march": return "Eligible in the community on 31 March"
        case "level_2_in_year": return "Level 2 during the year"
        case "level_3_in_year": return "Level 3 during the year"
        case "population": return "Population"
        case "rsos_per_100k": return "Registered sexual offenders per 100,000"
        case "returned_to_custody": return "Returned to custody"
        case "sfo_charged": return "Charged with a serious further offence"
        default: return column
        }
    }

    /// The row for one report: the eligible total, the Level 2 and Level 3 totals in the year, the population and
    /// rate, returns to custody of both kinds together, and serious further offences charged.
    public static func row(key: String, label: String, _ report: AnnualReport) -> AreaComparisonRow {
        let returned = [MappaEventType.returnedToCustodyLicence, .returnedToCustodyOrder].compactMap { report.value("events", $0.rawValue, "count") }
        return AreaComparisonRow(key: key, label: label, values: [
            report.value("eligible_on_31_march", "total", "total"), report.value("level_2_3_in_year", "level_2", "total"),
            report.value("level_2_3_in_year", "level_3", "total"), report.areaPopulation.map(Double.init),
            report.value("rsos_per_100k", "rate", "value"), returned.count == 2 ? returned.reduce(0, +) : nil,
            report.value("events", MappaEventType.sfoCharged.rawValue, "count"),
        ])
    }

    /// A figure as the page and the CSV write it: the rate with two decimals, counts and populations whole.
    public static func formatted(_ value: Double, column: String) -> String {
        column == "rsos_per_100k" ? AnnualReport.formattedRate(value) : AnnualReport.formatted(value.rounded())
    }

    /// `area,area_name,<columns>`, one line per row; every cell through `CaseRegisterCSV.line`, so an area name a
    /// spreadsheet would run as a formula is neutralised. An unknown figure is an empty cell.
    public static func csv(_ rows: [AreaComparisonRow]) -> String {
        CaseRegisterCSV.line(["area", "area_name"] + columns) + rows.map { row in
            CaseRegisterCSV.line([row.key, row.label] + zip(columns, row.values).map { column, value in
                value.map { formatted($0, column: column) } ?? ""
            })
        }.joined()
    }
}
