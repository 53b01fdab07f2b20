import Database
import Domain
import Foundation

/// What an events import did.
public struct EventImportSummary: Sendable, Equatable {
    public var added = 0
    /// Rows identical to an event already on record (same nominal, type, date, level and detail): skipped, so
    /// importing the same file twice counts nothing twice.
    public var alreadyRecorded = 0
}

/// One event on a nominal's record, for the case page.
public struct RecordedEvent: Sendable, Equatable {
    public var id: Int64
    public var type: MappaEventType
    public var date: CalendarDate
    public var levelAtEvent: ManagementLevel?
    public var detail: String
    public var source: String
}

/// The statistics the annual report needs: events (imported or recorded), the area population setting, and the
/// report itself, worked out by `AnnualReportCalculator` from facts read here.
public final class StatisticsService: Sendable {
    let database: Database
    let clock: Clock
    public let audit: AuditTrail
    /// The MAPPA areas the reports can be narrowed to and compared across.
    public let areas: AreaStore
    static let populationKey = "statistics.area_population"

    public init(database: Database, clock: Clock = .system) {
        self.database = database
        self.clock = clock
        self.audit = AuditTrail(database: database, clock: clock)
        self.areas = AreaStore(database: database, clock: clock)
    }

    public var today: CalendarDate { CalendarDate(clock.now()) }

    // MARK: Area population

    /// The area's population for the RSOs-per-100,000 rate; nil until an administrator sets it.
    public func areaPopulation() throws -> Int? {
        try database.read { connection in
            try connection.queryOne("SELECT value FROM settings WHERE key = ?", [.text(Self.populationKey)])
                .flatMap { Int($0.string("value")) }
        }
    }

    public func setAreaPopulation(_ text: String, by actor: Actor) throws {
        guard let population = AreaPopulation.parse(text) else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "area_population", message: AreaPopulation.message)])
        }
        try database.write { connection in
            try connection.execute("DELETE FROM settings WHERE key = ?", [.text(Self.populationKey)])
            try connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [.text(Self.populationKey), .text(String(population))])
            try audit.append(connection, actor: actor, action: .update, subjectType: "settings", subjectID: "area_population",
                             detail: "\(population)")
        }
    }

    // MARK: Events

    /// The set of nominal references on record, so the events file can be checked before anything is written.
    public func nominalRefs() throws -> Set<String> {
        try database.read { connection in
            Set(try connection.query("SELECT nominal_ref FROM nominals").map { $0.string("nominal_ref") })
        }
    }

    /// Imports validated events in one transaction, many rows per statement (PostgreSQL pays a round trip per
    /// statement). Rows already on record are skipped and counted. Any failure rolls back everything.
    public func importEvents(_ events: [MappaEventRecord], by actor: Actor, progress: ((Int) -> Void)? = nil) throws -> EventImportSummary {
        var summary = EventImportSummary()
        let stamp = Timestamp.string(clock.now())
        try database.write { connection in try connection.withBulkWriteCache {
            var ids: [String: Int64] = [:]
            for row in try connection.query("SELECT id, nominal_ref FROM nominals") { ids[row.string("nominal_ref")] = row.int64("id") }
            let batchSize = 200
            var start = 0
            while start < events.count {
                let batch = events[start..<min(start + batchSize, events.count)]
                var parameters: [SQLValue] = []
                parameters.reserveCapacity(batch.count * 8)
                for event in batch {
                    guard let nominalID = ids[event.nominalRef] else {
                        throw StoreError("unknown_nominal", "An event names a nominal reference that is not on record")
                    }
                    parameters += [.integer(nominalID), .text(event.type.rawValue), .text(event.date.description),
                                   .integer(Int64(event.levelAtEvent?.rawValue ?? 0)), .text(event.detail), .text("import"),
                                   .text(stamp), .init(actor.userID)]
                }
                let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", ")
                let added = try connection.execute("""
                    INSERT INTO mappa_events (nominal_id, event_type, event_date, level_at_event, detail, source, recorded_at, recorded_by)
                    VALUES \(placeholders) ON CONFLICT DO NOTHING
                    """, parameters)
                summary.added += added
                summary.alreadyRecorded += batch.count - added
                start += batch.count
                if start / 10_000 != (start - batch.count) / 10_000 { progress?(start) }
            }
            try audit.append(connection, actor: actor, action: .create, subjectType: "events", subjectID: "import",
                             detail: "\(summary.added) events added, \(summary.alreadyRecorded) already recorded")
        } }
        progress?(events.count)
        return summary
    }

    /// Records one event on a nominal, typed in on the case page. The same event twice is refused.
    @discardableResult
    public func recordEvent(nominalID: Int64, type: MappaEventType, date: CalendarDate, levelAtEvent: ManagementLevel?,
                            detail: String, by actor: Actor) throws -> Int64 {
        try database.write { connection in
            guard try connection.queryOne("SELECT id FROM nominals WHERE id = ?", [.integer(nominalID)]) != nil else {
                throw StoreError.notFound("The nominal")
            }
            let key: [SQLValue] = [.integer(nominalID), .text(type.rawValue), .text(date.description),
                                   .integer(Int64(levelAtEvent?.rawValue ?? 0)), .text(detail)]
            if try connection.queryOne("""
                SELECT id FROM mappa_events WHERE nominal_id = ? AND event_type = ? AND event_date = ? AND level_at_event = ? AND detail = ?
                """, key) != nil {
                throw StoreError("duplicate_event", "This event is already recorded for this nominal")
            }
            let id = try connection.insert("""
                INSERT INTO mappa_events (nominal_id, event_type, event_date, level_at_event, detail, source, recorded_at, recorded_by)
                VALUES (?, ?, ?, ?, ?, 'recorded', ?, ?)
                """, key + [.text(Timestamp.string(clock.now())), .init(actor.userID)])
            try audit.append(connection, actor: actor, action: .create, subjectType: "nominal", subjectID: String(nominalID),
                             detail: "event \(type.rawValue) on \(date)")
            return id
        }
    }

    /// A nominal's events, newest first.
    public func events(nominalID: Int64) throws -> [RecordedEvent] {
        try database.read { connection in
            try connection.query("""
                SELECT id, event_type, event_date, level_at_event, detail, source FROM mappa_events
                WHERE nominal_id = ? ORDER BY event_date DESC, id DESC
                """, [.integer(nominalID)]).compactMap { row in
                // By position, in the order selected: the case page lists every event.
                guard let type = MappaEventType(rawValue: row[1].string ?? ""), let date = CalendarDate(row[2].string ?? "") else { return nil }
                let level = ManagementLevel(rawValue: Int(row[3].int64 ?? 0)) ?? .unknown
                return RecordedEvent(id: row[0].int64 ?? 0, type: type, date: date, levelAtEvent: level == .unknown ? nil : level,
                                     detail: row[4].string ?? "", source: row[5].string ?? "")
            }
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
            try connection.forEachRow("""
                SELECT case_id, field, old_value, new_value, changed_at FROM case_history
                WHERE field IN ('level', 'category') AND changed_at >= ? ORDER BY changed_at, id
                """, [.text(from)]) { row in
                guard let field = CaseFactsForReport.Change.Field(rawValue: row.string("field")),
                      let date = CalendarDate(String(row.string("changed_at").prefix(10))),
                      let old = Int(row.string("old_value")), let new = Int(row.string("new_value")) else { return }
                changes[row.int64("case_id"), default: []].append(.init(field: field, date: date, oldValue: old, newValue: new))
            }
            try connection.forEachRow("""
                SELECT cases.id, cases.nominal_id, cases.category, cases.level, cases.start_date, cases.exit_date, cases.area_id,
                       nominals.custody_status
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id
                WHERE cases.start_date <= ? AND (cases.exit_date IS NULL OR cases.exit_date >= ?)\(caseFilter) ORDER BY cases.id
                """, [.text(year.end.description), .text(from)] + caseParameters) { row in
                guard let category = MappaCategory(rawValue: Int(row.int64("category"))),
                      let start = CalendarDate(row.string("start_date")) else { return }
                facts.cases.append((row["area_id"].int64, CaseFactsForReport(
                    nominalID: row.int64("nominal_id"), category: category,
                    level: ManagementLevel(rawValue: Int(row.int64("level"))) ?? .unknown,
                    inCommunity: row.string("custody_status") == CustodyStatus.community.rawValue, startDate: start,
                    exitDate: row["exit_date"].string.flatMap(CalendarDate.init), changes: changes[row.int64("id")] ?? [])))
            }
            func tally(_ row: Row) -> EventTally? {
                guard let type = MappaEventType(rawValue: row.string("event_type")) else { return nil }
                let level = ManagementLevel(rawValue: Int(row.int64("level_at_event"))) ?? .unknown
                return EventTally(type: type, levelAtEvent: level == .unknown ? nil : level, count: Int(row.int64("n")))
            }
            if scope == nil || scope == .all {
                facts.allEvents = try connection.query("""
                    SELECT event_type, level_at_event, COUNT(*) AS n FROM mappa_events
                    WHERE event_date >= ? AND event_date <= ? GROUP BY event_type, level_at_event
                    """, range).compactMap(tally)
            }
            if scope != .all {
                // DISTINCT: a nominal with two cases open in one area on the day counts the event once there.
                for row in try connection.query("""
                    SELECT cases.area_id, mappa_events.event_type, mappa_events.level_at_event, COUNT(DISTINCT mappa_events.id) AS n
                    FROM mappa_events JOIN cases ON cases.nominal_id = mappa_events.nominal_id
                         AND cases.start_date <= mappa_events.event_date
                         AND (cases.exit_date IS NULL OR cases.exit_date >= mappa_events.event_date)
                    WHERE mappa_events.event_date >= ? AND mappa_events.event_date <= ?\(caseFilter)
                    GROUP BY cases.area_id, mappa_events.event_type, mappa_events.level_at_event
                    """, range + caseParameters) {
                    if let tally = tally(row) { facts.areaEvents[row["area_id"].int64, default: []].append(tally) }
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
