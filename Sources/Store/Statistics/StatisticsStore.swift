import Database
import Domain
import Foundation

/// The annual report (the Ministry of Justice area tables) and the area population setting it uses, worked out by
/// `AnnualReportCalculator` from facts read here over every case: system work, whose answer is counts, never names.
public struct StatisticsStore: FeatureStore {
    let context: StoreContext
    /// The MAPPA areas the reports can be narrowed to and compared across.
    let areas: AreaStore
    static let populationKey = "statistics.area_population"

    // MARK: Area population

    /// The area's population for the RSOs-per-100,000 rate; nil until an administrator sets it.
    public func areaPopulation() throws -> Int? {
        try database.read { connection in
            guard let text: String = try connection.queryOne("SELECT value FROM settings WHERE key = ?", [.text(Self.populationKey)])?.value("value") else {
                return nil
            }
            guard let population = Int(text) else { throw DatabaseError(.decode, "the area population setting is not a number") }
            return population
        }
    }

    public func setAreaPopulation(_ text: String, by actor: Actor) throws {
        guard let population = AreaPopulation.parse(text) else {
            throw DomainError.validation(field: "area_population", AreaPopulation.message)
        }
        try database.write { connection in
            try connection.execute("DELETE FROM settings WHERE key = ?", [.text(Self.populationKey)])
            try connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [.text(Self.populationKey), .text(String(population))])
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "settings", subjectID: "area_population",
                                     detail: "\(population)")
        }
    }

    // MARK: Annual report

    /// The annual report for `year` over `area`: case facts for every case open at some time since the year began
    /// (with the level and category changes since then), and the year's events counted by type and level in SQL.
    /// The rate per 100,000 uses the area's population; for all areas, `MappaArea.allAreasPopulation`.
    public func annualReport(year: ReportingYear, area scope: AreaScope = .all) throws -> AnnualReport {
        let facts = try reportFacts(year: year, only: scope)
        let areas = try self.areas.areas()
        return report(year: year, scope: scope, facts: facts, allAreasPopulation: scope == .all
                      ? MappaArea.allAreasPopulation(setting: try areaPopulation(), areas: areas) : nil)
    }

    /// The report of every area (by name), then of the cases with no area recorded, then of all areas, from one
    /// read of the facts: the comparison across areas of a regional deployment.
    public func areaReports(year: ReportingYear) throws -> [(scope: AreaScope, report: AnnualReport)] {
        let facts = try reportFacts(year: year, only: nil)
        let areas = try self.areas.areas()
        let scopes = areas.map(AreaScope.area) + [.unassigned, .all]
        let population = MappaArea.allAreasPopulation(setting: try areaPopulation(), areas: areas)
        return scopes.map { scope in (scope, report(year: year, scope: scope, facts: facts, allAreasPopulation: population)) }
    }

    /// The comparison's rows: each area (by name), then the cases with no area recorded, then all areas
    /// together. Empty when the database has no areas: there is nothing to compare.
    public func areaComparison(year: ReportingYear) throws -> [AreaComparisonRow] {
        guard try !areas.areas().isEmpty else { return [] }
        return try areaReports(year: year).map { scope, report in
            switch scope {
            case .area(let area): return AreaComparison.row(key: area.code, label: area.name, report)
            case .unassigned: return AreaComparison.row(key: "none", label: "No area recorded", report)
            case .all: return AreaComparison.row(key: "all", label: "All areas", report)
            }
        }
    }

    func report(year: ReportingYear, scope: AreaScope, facts: ReportFacts, allAreasPopulation: Int?) -> AnnualReport {
        let cases: [CaseFactsForReport]
        let events: [EventTally]
        let population: Int?
        switch scope {
        case .all: (cases, events, population) = (facts.cases.map(\.facts), facts.allEvents, allAreasPopulation)
        case .area(let area):
            (cases, events, population) = (facts.cases.filter { $0.area == area.id }.map(\.facts), facts.areaEvents[area.id] ?? [], area.population)
        case .unassigned: (cases, events, population) = (facts.cases.filter { $0.area == nil }.map(\.facts), facts.areaEvents[nil] ?? [], nil)
        }
        var report = AnnualReportCalculator.report(year: year, cases: cases, events: events, areaPopulation: population)
        if case .area(let area) = scope { report.area = area }
        return report
    }

    /// What the reports are worked out from: each case's facts with its area (nil: none recorded), in the order
    /// the cases were opened; the year's events counted for all areas; and counted by area (an event counts for
    /// an area when its nominal had a case there open on the event's date). `only` reads just what one report
    /// needs; nil reads every area's.
    struct ReportFacts {
        var cases: [(area: Int64?, facts: CaseFactsForReport)] = []
        var allEvents: [EventTally] = []
        var areaEvents: [Int64?: [EventTally]] = [:]
    }

    func reportFacts(year: ReportingYear, only scope: AreaScope?) throws -> ReportFacts {
        try database.read { connection -> ReportFacts in
            var facts = ReportFacts()
            let from = year.start.description
            let range: [SQLValue] = [.text(from), .text(year.end.description)]
            var caseFilter = "", caseParameters: [SQLValue] = []
            switch scope {
            case .area(let area)?: (caseFilter, caseParameters) = (" AND cases.area_id = ?", [.integer(area.id)])
            case .unassigned?: caseFilter = " AND cases.area_id IS NULL"
            case .all?, nil: break
            }
            var changes: [Int64: [CaseFactsForReport.Change]] = [:]
            // Row by row (forEachRow): every case open in the year is read, 100k at national scale.
            try connection.forEach(ReportChange.self, """
                SELECT \(ReportChange.columns) FROM case_history
                WHERE field IN ('level', 'category') AND changed_at >= ? ORDER BY changed_at, id
                """, [.text(from)]) { changes[$0.caseID, default: []].append($0.change) }
            try connection.forEach(ReportCase.self, """
                SELECT \(ReportCase.columns)
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id
                WHERE cases.start_date <= ? AND (cases.exit_date IS NULL OR cases.exit_date >= ?)\(caseFilter) ORDER BY cases.id
                """, [.text(year.end.description), .text(from)] + caseParameters) { found in
                var reported = found.facts
                reported.changes = changes[found.id] ?? []
                facts.cases.append((found.area, reported))
            }
            if scope == nil || scope == .all {
                facts.allEvents = try connection.query(ReportTally.self, """
                    SELECT event_type, level_at_event, COUNT(*) AS n FROM mappa_events
                    WHERE event_date >= ? AND event_date <= ? GROUP BY event_type, level_at_event
                    """, range).map(\.tally)
            }
            if scope != .all {
                // DISTINCT: a nominal with two cases open in one area on the day counts the event once there.
                for row in try connection.query(AreaTally.self, """
                    SELECT cases.area_id, mappa_events.event_type, mappa_events.level_at_event, COUNT(DISTINCT mappa_events.id) AS n
                    FROM mappa_events JOIN cases ON cases.nominal_id = mappa_events.nominal_id
                         AND cases.start_date <= mappa_events.event_date
                         AND (cases.exit_date IS NULL OR cases.exit_date >= mappa_events.event_date)
                    WHERE mappa_events.event_date >= ? AND mappa_events.event_date <= ?\(caseFilter)
                    GROUP BY cases.area_id, mappa_events.event_type, mappa_events.level_at_event
                    """, range + caseParameters) {
                    facts.areaEvents[row.areaID, default: []].append(row.tally)
                }
            }
            return facts
        }
    }
}

/// Which cases and events a report covers, for a database holding several MAPPA areas.
public enum AreaScope: Sendable, Equatable {
    /// Every case and every event: the whole database, as before areas existed.
    case all
    /// The cases recorded in this area; an event counts when its nominal had a case in the area open on the
    /// event's date (started on or before it, not exited before it).
    case area(MappaArea)
    /// The cases with no area recorded, and their events by the same rule: what no area's figures include.
    case unassigned
}

/// A change of level or category in the year, as the report reads it.
struct ReportChange: RowDecodable {
    let caseID: Int64
    let change: CaseFactsForReport.Change

    static let columns = "case_id, field, old_value, new_value, changed_at"

    init(row: inout RowReader) throws(DatabaseError) {
        caseID = try row.decode("case_id")
        let fieldText: String = try row.decode("field")
        guard let field = CaseFactsForReport.Change.Field(rawValue: fieldText) else { throw RowReader.corrupt("field", .text("")) }
        let old: String = try row.decode("old_value")
        let new: String = try row.decode("new_value")
        guard let oldValue = Int(old), let newValue = Int(new) else {
            throw DatabaseError(.decode, "a level or category change in the case history is not a number")
        }
        guard let date = try row.decodeDayIfPresent("changed_at") else { throw RowReader.corrupt("changed_at", .null) }
        change = CaseFactsForReport.Change(field: field, date: date, oldValue: oldValue, newValue: newValue)
    }
}

/// A case open in the year, as the report reads it (its changes are added from `ReportChange`).
struct ReportCase: RowDecodable {
    let id: Int64
    let area: Int64?
    let facts: CaseFactsForReport

    static let columns = "cases.id, cases.nominal_id, cases.category, cases.level, cases.start_date, cases.exit_date, cases.area_id, nominals.custody_status"

    init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        let nominalID: Int64 = try row.decode("nominal_id")
        let category: MappaCategory = try row.decode("category")
        let level: ManagementLevel = try row.decode("level")
        let start: CalendarDate = try row.decode("start_date")
        let exit: CalendarDate? = try row.decodeIfPresent("exit_date")
        area = try row.decodeIfPresent("area_id")
        let custody: CustodyStatus = try row.decode("custody_status")
        facts = CaseFactsForReport(nominalID: nominalID, category: category, level: level, inCommunity: custody == .community,
                                   startDate: start, exitDate: exit, changes: [])
    }
}

/// A count of the year's events of one type at one level.
struct ReportTally: RowDecodable {
    let tally: EventTally

    static let columns = "event_type, level_at_event, n"

    init(row: inout RowReader) throws(DatabaseError) {
        let type: MappaEventType = try row.decode("event_type")
        let level: ManagementLevel = try row.decode("level_at_event")
        let count: Int = try row.decode("n")
        tally = EventTally(type: type, levelAtEvent: level == .unknown ? nil : level, count: count)
    }
}

/// An event tally for one area, or for the cases with no area (nil).
struct AreaTally: RowDecodable {
    let areaID: Int64?
    let tally: EventTally

    static let columns = "area_id, " + ReportTally.columns

    init(row: inout RowReader) throws(DatabaseError) {
        areaID = try row.decodeIfPresent("area_id")
        tally = try ReportTally(row: &row).tally
    }
}
