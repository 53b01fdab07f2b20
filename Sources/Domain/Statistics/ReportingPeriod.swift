import Foundation

/// A reporting period: a quarter or the MAPPA reporting year, 1 April to 31 March (domain.md §7.1). Quarters
/// count within the reporting year: Q1 is April to June. Named in URLs as "2026-27" or "2026-27-Q1".
public struct ReportingPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case quarter, year
        public var displayName: String { self == .quarter ? "Quarter" : "Reporting year" }
    }

    /// The calendar year in which the reporting year starts (on 1 April).
    public let startYear: Int
    /// 1–4 within the reporting year; nil for the whole year.
    public let quarter: Int?
    public var kind: Kind { quarter == nil ? .year : .quarter }

    public init(yearStarting startYear: Int) {
        self.startYear = startYear
        self.quarter = nil
    }

    public init(yearStarting startYear: Int, quarter: Int) {
        precondition((1...4).contains(quarter))
        self.startYear = startYear
        self.quarter = quarter
    }

    /// Nil unless `id` is a period's name as `id` writes it ("2026-27" or "2026-27-Q3").
    public init?(id: String) {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 4, parts[1].count == 2,
              parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII),
              let first = Int(parts[0]), let second = Int(parts[1]), (1900...9998).contains(first),
              second == (first + 1) % 100 else { return nil }
        if parts.count == 3 {
            guard parts[2].count == 2, parts[2].first == "Q", let quarter = Int(parts[2].dropFirst()), (1...4).contains(quarter) else { return nil }
            self.init(yearStarting: first, quarter: quarter)
        } else {
            self.init(yearStarting: first)
        }
    }

    /// The period of this kind that `date` falls in.
    public static func containing(_ date: CalendarDate, kind: Kind) -> ReportingPeriod {
        let startYear = date.month >= 4 ? date.year : date.year - 1
        guard kind == .quarter else { return ReportingPeriod(yearStarting: startYear) }
        return ReportingPeriod(yearStarting: startYear, quarter: ((date.month + 8) % 12) / 3 + 1)
    }

    public var id: String {
        let year = "\(startYear)-\(String(format: "%02d", (startYear + 1) % 100))"
        return quarter.map { "\(year)-Q\($0)" } ?? year
    }

    public var start: CalendarDate {
        CalendarDate(year: startYear, month: 4, day: 1).adding(months: 3 * ((quarter ?? 1) - 1))
    }

    public var end: CalendarDate {
        start.adding(months: quarter == nil ? 12 : 3).adding(days: -1)
    }

    /// "Q3 2026/27" or "2026/27".
    public var name: String {
        let year = "\(startYear)/\(String(format: "%02d", (startYear + 1) % 100))"
        return quarter.map { "Q\($0) \(year)" } ?? year
    }

    /// The dates, for people: "1 October 2026 to 31 December 2026".
    public var dates: String { "\(start.displayText) to \(end.displayText)" }
    public var description: String { id }

    public func contains(_ date: CalendarDate) -> Bool { date >= start && date <= end }

    /// The period just before, of the same kind (benchmarking period on period).
    public var previous: ReportingPeriod { offset(by: -1) }
    /// The same period a year earlier (benchmarking year on year).
    public var yearBefore: ReportingPeriod { offset(by: quarter == nil ? -1 : -4) }
    public var reportingYear: ReportingPeriod { ReportingPeriod(yearStarting: startYear) }

    /// The period `count` periods of this kind later (earlier when negative).
    public func offset(by count: Int) -> ReportingPeriod {
        guard let quarter else { return ReportingPeriod(yearStarting: startYear + count) }
        let index = startYear * 4 + (quarter - 1) + count
        return ReportingPeriod(yearStarting: Int((Double(index) / 4).rounded(.down)), quarter: ((index % 4) + 4) % 4 + 1)
    }

    /// This period and the `count - 1` before it, oldest first: the points of a trend.
    public func recent(_ count: Int) -> [ReportingPeriod] {
        (0..<max(count, 1)).reversed().map { offset(by: -$0) }
    }

    /// The period an indicator measured over periods of `kind` reports when this period is chosen: a whole year
    /// stays a year; a quarter becomes its reporting year for an indicator measured yearly.
    public func measured(as kind: Kind) -> ReportingPeriod {
        self.kind == .quarter && kind == .year ? reportingYear : self
    }

    public static func < (a: Self, b: Self) -> Bool { (a.start, a.end) < (b.start, b.end) }
}
