/// The MAPPA reporting year, 1 April to 31 March (domain.md 7.1), named by the date it ends.
public struct ReportingYear: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let start: CalendarDate
    public let end: CalendarDate

    /// Nil unless `yearEnding` is a 31 March.
    public init?(yearEnding: CalendarDate) {
        guard yearEnding.month == 3, yearEnding.day == 31 else { return nil }
        end = yearEnding
        start = CalendarDate(year: yearEnding.year - 1, month: 4, day: 1)
    }

    /// The reporting year a date falls in.
    public init(containing date: CalendarDate) {
        let endYear = date.month >= 4 ? date.year + 1 : date.year
        self.init(yearEnding: CalendarDate(year: endYear, month: 3, day: 31))!
    }

    /// The last reporting year that has ended on or before `today`: the one an annual report is written for.
    public static func lastCompleted(before today: CalendarDate) -> ReportingYear {
        ReportingYear(containing: today).previous
    }

    public var previous: ReportingYear { ReportingYear(yearEnding: CalendarDate(year: end.year - 1, month: 3, day: 31))! }
    public var next: ReportingYear { ReportingYear(yearEnding: CalendarDate(year: end.year + 1, month: 3, day: 31))! }

    /// "2025/26", as MoJ tables name years.
    public var description: String { "\(start.year)/\(String(format2: end.year % 100))" }
    public func contains(_ date: CalendarDate) -> Bool { date >= start && date <= end }
    public static func < (a: Self, b: Self) -> Bool { a.end < b.end }
}

/// What the annual report needs to know about one MAPPA case. Levels and categories change over a case's life:
/// the history gives each change with the date it took effect, so the report can say what the case was on any day.
public struct CaseFactsForReport: Sendable, Equatable {
    public var nominalID: Int64
    public var category: MappaCategory
    public var level: ManagementLevel
    public var inCommunity: Bool
    public var startDate: CalendarDate
    public var exitDate: CalendarDate?
    /// Changes of level and category, in the order they happened.
    public var changes: [Change]

    public struct Change: Sendable, Equatable {
        public enum Field: String, Sendable { case level, category }
        public var field: Field
        public var date: CalendarDate
        public var oldValue: Int
        public var newValue: Int
        public init(field: Field, date: CalendarDate, oldValue: Int, newValue: Int) {
            self.field = field
            self.date = date
            self.oldValue = oldValue
            self.newValue = newValue
        }
    }

    public init(nominalID: Int64, category: MappaCategory, level: ManagementLevel, inCommunity: Bool, startDate: CalendarDate,
                exitDate: CalendarDate?, changes: [Change] = []) {
        self.nominalID = nominalID
        self.category = category
        self.level = level
        self.inCommunity = inCommunity
        self.startDate = startDate
        self.exitDate = exitDate
        self.changes = changes
    }

    /// Open at the end of `date`: started on or before it and not exited on or before it.
    public func isOpen(on date: CalendarDate) -> Bool { startDate <= date && (exitDate.map { $0 > date } ?? true) }

    /// The value at the end of `date`: the old value of the first change after it, or the current value.
    func value(_ field: Change.Field, on date: CalendarDate) -> Int {
        let current = field == .level ? level.rawValue : category.rawValue
        return changes.first { $0.field == field && $0.date > date }?.oldValue ?? current
    }

    public func level(on date: CalendarDate) -> ManagementLevel { ManagementLevel(rawValue: value(.level, on: date)) ?? .unknown }
    public func category(on date: CalendarDate) -> MappaCategory { MappaCategory(rawValue: value(.category, on: date)) ?? category }

    /// The highest level held on any day from `from` to `to`, and the category held on the last of those days
    /// at that level. Nil when the case was not open on any of those days.
    public func highestLevel(from: CalendarDate, to: CalendarDate) -> (level: ManagementLevel, category: MappaCategory)? {
        let first = max(from, startDate)
        let last = min(to, exitDate.map { $0.adding(days: -1) } ?? to)
        guard first <= last else { return nil }
        // The days on which the level or category can differ: the first day, and each day a change took effect.
        var days = [first]
        for change in changes where change.date > first && change.date <= last { days.append(change.date) }
        var best: (level: ManagementLevel, category: MappaCategory, day: CalendarDate)?
        for day in days {
            let level = self.level(on: day)
            if best == nil || level > best!.level || (level == best!.level && day > best!.day) {
                best = (level, category(on: day), day)
            }
        }
        return best.map { ($0.level, $0.category) }
    }
}

/// Events counted for the report: how many of a type, at a level at the event (nil: not recorded).
public struct EventTally: Sendable, Equatable {
    public var type: MappaEventType
    public var levelAtEvent: ManagementLevel?
    public var count: Int
    public init(type: MappaEventType, levelAtEvent: ManagementLevel?, count: Int) {
        self.type = type
        self.levelAtEvent = levelAtEvent
        self.count = count
    }
}

/// The annual report in the shape of the MoJ area tables (DESIGN.md, "Annual report"): tables of named rows and
/// columns. Values are numbers; a value that cannot be worked out (the rate without an area population) is nil.
public struct AnnualReport: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var name: String
        public var title: String
        public var columns: [String]
        public var rows: [Row]
        /// Counts are whole numbers; a rate has two decimal places, always (1.50, not 1.5).
        public var isRate = false

        public func formatted(_ value: Double) -> String {
            isRate ? AnnualReport.formattedRate(value) : AnnualReport.formatted(value)
        }
    }
    public struct Row: Sendable, Equatable {
        public var name: String
        public var label: String
        /// One per column of the table, in the same order; nil where the figure cannot be worked out.
        public var values: [Double?]
        /// Columns this row has no figure for by definition (event types not split by level): not reported.
        public var notApplicable: Set<String> = []
    }

    public var year: ReportingYear
    public var tables: [Table]
    /// Active community cases on 31 March with no level set: in the totals, in no level row.
    public var casesWithoutLevel: Int
    public var areaPopulation: Int?
    /// The MAPPA area the report covers; nil for all areas (the whole database).
    public var area: MappaArea? = nil

    public func table(_ name: String) -> Table? { tables.first { $0.name == name } }

    /// The figure at `table`, `row`, `column`; nil if absent.
    public func value(_ table: String, _ row: String, _ column: String) -> Double? {
        guard let table = self.table(table), let columnIndex = table.columns.firstIndex(of: column),
              let row = table.rows.first(where: { $0.name == row }) else { return nil }
        return row.values[columnIndex]
    }

    /// Counts print as integers; the rate with two decimals.
    public static func formatted(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format2dp: value)
    }

    /// A rate as the report writes it: always two decimals (1.50, not 1.5).
    public static func formattedRate(_ value: Double) -> String { String(format2dp: value) }

    /// The report as `table,row,column,value` CSV (DESIGN.md), one line per figure, LF line endings. Every cell
    /// is a fixed name or a number, so nothing can run as a formula.
    public func csv() -> String {
        var out = "table,row,column,value\n"
        for table in tables {
            for row in table.rows {
                for (index, column) in table.columns.enumerated() where !row.notApplicable.contains(column) {
                    out += "\(table.name),\(row.name),\(column),\(row.values[index].map(table.formatted) ?? "")\n"
                }
            }
        }
        return out
    }
}

/// Works out the annual report from case facts and event tallies: pure, so each table is unit-tested by hand.
public enum AnnualReportCalculator {
    static let categoryColumns = ["category_1", "category_2", "category_3", "category_4", "total"]

    public static func report(year: ReportingYear, cases: [CaseFactsForReport], events: [EventTally], areaPopulation: Int?) -> AnnualReport {
        // 1. Active cases in the community on the year-end date, by level and category.
        var eligible = Array(repeating: Array(repeating: 0.0, count: 5), count: 4) // level rows 1–3, total
        var withoutLevel = 0
        var category1InCommunity = 0
        for facts in cases where facts.inCommunity && facts.isOpen(on: year.end) {
            let category = facts.category(on: year.end)
            let level = facts.level(on: year.end)
            let column = category.rawValue - 1
            if level == .unknown { withoutLevel += 1 } else { eligible[level.rawValue - 1][column] += 1; eligible[level.rawValue - 1][4] += 1 }
            eligible[3][column] += 1
            eligible[3][4] += 1
            if category == .one { category1InCommunity += 1 }
        }

        // 2. Distinct nominals at Level 2 or 3 at any time in the year, at the highest level they reached.
        var highest: [Int64: (level: ManagementLevel, category: MappaCategory)] = [:]
        for facts in cases {
            guard let reached = facts.highestLevel(from: year.start, to: year.end), reached.level >= .two else { continue }
            // Several cases for one nominal: the highest level wins; at the same level the later case (cases come
            // in the order they were opened) gives the category.
            if let existing = highest[facts.nominalID], existing.level > reached.level { continue }
            highest[facts.nominalID] = reached
        }
        var inYear = Array(repeating: Array(repeating: 0.0, count: 5), count: 3) // level 2, level 3, total
        for reached in highest.values {
            let row = reached.level == .three ? 1 : 0
            let column = reached.category.rawValue - 1
            inYear[row][column] += 1
            inYear[row][4] += 1
            inYear[2][column] += 1
            inYear[2][4] += 1
        }

        // 3. Registered sexual offenders per 100,000 of the area's population.
        let rate: Double? = areaPopulation.flatMap { $0 > 0 ? (Double(category1InCommunity) * 100_000 / Double($0) * 100).rounded() / 100 : nil }

        // 4. Events in the year.
        var counts: [MappaEventType: [Double]] = [:]
        for tally in events {
            var row = counts[tally.type] ?? [0, 0, 0, 0]
            row[0] += Double(tally.count)
            if let level = tally.levelAtEvent, level != .unknown { row[level.rawValue] += Double(tally.count) }
            counts[tally.type] = row
        }
        let eventRows = MappaEventType.allCases.map { type -> AnnualReport.Row in
            let row = counts[type] ?? [0, 0, 0, 0]
            return AnnualReport.Row(name: type.rawValue, label: type.displayName,
                                    values: type.countedByLevel ? row : [row[0], nil, nil, nil],
                                    notApplicable: type.countedByLevel ? [] : ["level_1", "level_2", "level_3"])
        }

        let levelLabels = ["Level 1", "Level 2", "Level 3", "Total"]
        return AnnualReport(year: year, tables: [
            AnnualReport.Table(name: "eligible_on_31_march", title: "MAPPA-eligible offenders in the community on 31 March \(year.end.year)",
                               columns: categoryColumns,
                               rows: zip(["level_1", "level_2", "level_3", "total"], levelLabels).enumerated().map {
                                   AnnualReport.Row(name: $1.0, label: $1.1, values: eligible[$0].map(Optional.some)) }),
            AnnualReport.Table(name: "level_2_3_in_year", title: "Offenders managed at Level 2 or 3 during \(year)",
                               columns: categoryColumns,
                               rows: zip(["level_2", "level_3", "total"], ["Level 2", "Level 3", "Total"]).enumerated().map {
                                   AnnualReport.Row(name: $1.0, label: $1.1, values: inYear[$0].map(Optional.some)) }),
            AnnualReport.Table(name: "rsos_per_100k", title: "Registered sexual offenders per 100,000 population on 31 March \(year.end.year)",
                               columns: ["value"], rows: [AnnualReport.Row(name: "rate", label: "Rate", values: [rate])], isRate: true),
            AnnualReport.Table(name: "events", title: "Events during \(year)", columns: ["count", "level_1", "level_2", "level_3"],
                               rows: eventRows),
        ], casesWithoutLevel: withoutLevel, areaPopulation: areaPopulation)
    }

    /// Human names for the report's columns.
    public static func columnLabel(_ column: String) -> String {
        switch column {
        case "category_1": return "Category 1"
        case "category_2": return "Category 2"
        case "category_3": return "Category 3"
        case "category_4": return "Category 4"
        case "total": return "Total"
        case "value": return "Value"
        case "count": return "Count"
        case "level_1": return "Level 1"
        case "level_2": return "Level 2"
        case "level_3": return "Level 3"
        default: return column
        }
    }
}

extension AnnualReport {
    /// The report as the JSON the CLI and the API give: the same table, row and column names as the CSV.
    public struct Document: Encodable, Sendable {
        public struct Table: Encodable, Sendable {
            public var name: String
            public var title: String
            public var columns: [String]
            public var rows: [Row]
        }
        public struct Row: Encodable, Sendable {
            public var name: String
            public var label: String
            public var values: [String: Double?]

            public func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(name, forKey: Key("name"))
                try container.encode(label, forKey: Key("label"))
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: Key("values"))
                for (column, value) in values.sorted(by: { $0.key < $1.key }) {
                    if let value { try nested.encode(value == value.rounded() ? Double(Int64(value)) : value, forKey: Key(column)) }
                    else { try nested.encodeNil(forKey: Key(column)) }
                }
            }
            struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(_ value: String) { stringValue = value }
                init?(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
        }
        public var yearStarting: String
        public var yearEnding: String
        /// The area's code when the report covers one area; absent for all areas.
        public var area: String?
        public var areaPopulation: Int?
        public var casesWithoutLevel: Int
        public var tables: [Table]
    }

    public var document: Document {
        Document(yearStarting: year.start.description, yearEnding: year.end.description, area: area?.code, areaPopulation: areaPopulation,
                 casesWithoutLevel: casesWithoutLevel,
                 tables: tables.map { table in
                     Document.Table(name: table.name, title: table.title, columns: table.columns, rows: table.rows.map { row in
                         Document.Row(name: row.name, label: row.label,
                                      values: Dictionary(uniqueKeysWithValues: zip(table.columns, row.values)
                                          .filter { !row.notApplicable.contains($0.0) }))
                     })
                 })
    }
}
