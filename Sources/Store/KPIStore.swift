import Database
import Domain
import Foundation

/// Each indicator's name, definition, target and period, kept in the settings table as JSON under
/// `kpi.<indicator>`: domain.md §6 says the KPIs are configurable indicators, not fixed rules.
public enum KPISettingsStore {
    static func key(_ indicator: KPIIndicator) -> String { "kpi.\(indicator.rawValue)" }

    /// Every indicator's saved settings, each falling back to its defaults (also when unreadable).
    public static func load(_ database: Database) -> [KPIIndicator: KPISettings] {
        var settings = Dictionary(uniqueKeysWithValues: KPIIndicator.allCases.map { ($0, $0.defaultSettings) })
        guard let rows = try? database.read({ try $0.query("SELECT key, value FROM settings WHERE key LIKE 'kpi.%'") }) else {
            return settings
        }
        for row in rows {
            guard let indicator = KPIIndicator(rawValue: String(row.string("key").dropFirst(4))),
                  let saved = try? JSONDecoder().decode(KPISettings.self, from: Data(row.string("value").utf8)) else { continue }
            settings[indicator] = saved
        }
        return settings
    }

    /// Saves all the indicators at once, or nothing when any is invalid (`AccountService.ValidationFailure`
    /// lists every problem). Audited with the targets, which are not personal data.
    public static func save(_ settings: [KPIIndicator: KPISettings], database: Database, by actor: Actor) throws {
        let problems = KPIIndicator.allCases.flatMap { indicator in settings[indicator]?.problems(for: indicator) ?? [] }
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try database.write { connection in
            for indicator in KPIIndicator.allCases {
                guard let value = settings[indicator] else { continue }
                try connection.execute("DELETE FROM settings WHERE key = ?", [.text(key(indicator))])
                try connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)",
                                       [.text(key(indicator)), .text(String(decoding: try encoder.encode(value), as: UTF8.self))])
            }
            let detail = KPIIndicator.allCases.compactMap { indicator in
                settings[indicator].map { "\(indicator.number): \($0.targetText(indicator.measure).lowercased()) per \($0.period.rawValue)" }
            }.joined(separator: "; ")
            try AuditTrail(database: database).append(connection, actor: actor, action: .update, subjectType: "settings",
                                                      subjectID: "kpis", detail: detail)
        }
    }
}

/// Loads the facts the indicators are worked out from (Domain/KPIs.swift holds the rules) and benchmarks every
/// indicator for a chosen period. Reads only; viewing the records behind a figure is audited by the web layer.
public final class KPIService: Sendable {
    let database: Database
    let clock: Clock
    /// Fixed timescales (tests); nil reads the unit's settings, so a change applies at once on every instance.
    let fixedTimescales: Timescales?
    public var timescales: Timescales { fixedTimescales ?? TimescaleSettings.load(database) }

    public init(database: Database, clock: Clock = .system, timescales: Timescales? = nil) {
        self.database = database
        self.clock = clock
        self.fixedTimescales = timescales
    }

    public var today: CalendarDate { CalendarDate(clock.now()) }
    public var settings: [KPIIndicator: KPISettings] { KPISettingsStore.load(database) }

    /// Every indicator (or only `only`) over `chosen`, with its benchmarks and trend, from one load of the facts.
    public func benchmarks(chosen: ReportingPeriod, trendLength: Int = 6, only: KPIIndicator? = nil) throws -> [KPIBenchmark] {
        let settings = self.settings
        let indicators = only.map { [$0] } ?? KPIIndicator.allCases
        let span = KPICalculator.span(chosen: chosen, kinds: indicators.compactMap { settings[$0]?.period }, trendLength: trendLength)
        let facts = try facts(from: span.from, through: span.through)
        let today = self.today
        let timescales = self.timescales
        return indicators.map { indicator in
            KPICalculator.benchmark(indicator, settings: settings[indicator] ?? indicator.defaultSettings, facts: facts, chosen: chosen,
                                    trendLength: trendLength, today: today, timescales: timescales)
        }
    }

    /// The facts for periods between `from` and `through`. Review histories are loaded whole: whether a review
    /// in the span was on time depends on the one before it.
    public func facts(from: CalendarDate, through: CalendarDate) throws -> KPIFacts {
        KPIFacts(reviewCases: try reviewCases(from: from), discussions: try discussions(from: from, through: through),
                 referrals: try referrals(from: from, through: through), actions: try actions(from: from, through: through))
    }

    static func date(_ value: SQLValue) -> CalendarDate? { value.string.flatMap { CalendarDate(String($0.prefix(10))) } }

    func reviewCases(from: CalendarDate) throws -> [ReviewCaseFacts] {
        try database.read { connection in
            var reviews: [Int64: [CalendarDate]] = [:]
            for row in try connection.query("""
                SELECT meeting_items.case_id, meetings.meeting_date FROM meeting_items
                JOIN meetings ON meetings.id = meeting_items.meeting_id JOIN cases ON cases.id = meeting_items.case_id
                WHERE meetings.status = 'held' AND cases.level IN (2, 3)
                """) {
                if let date = Self.date(row["meeting_date"]) { reviews[row.int64("case_id"), default: []].append(date) }
            }
            return try connection.query("""
                SELECT cases.id, cases.level, cases.start_date, cases.exit_date, cases.last_reviewed_on, nominals.nominal_ref,
                       agencies.code AS lead_code, COALESCE(areas.code, '') AS area_code
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id JOIN agencies ON agencies.id = cases.lead_agency_id
                LEFT JOIN areas ON areas.id = cases.area_id
                WHERE cases.level IN (2, 3) AND (cases.exit_date IS NULL OR cases.exit_date >= ?)
                """, [.text(from.description)]).compactMap { row in
                guard let start = Self.date(row["start_date"]) else { return nil }
                let id = row.int64("id")
                return ReviewCaseFacts(caseID: id, reference: row.string("nominal_ref"), leadAgency: row.string("lead_code"),
                                       level: ManagementLevel(rawValue: row["level"].int ?? 0) ?? .unknown, startDate: start,
                                       reviews: (reviews[id] ?? []) + [Self.date(row["last_reviewed_on"])].compactMap { $0 },
                                       exitDate: Self.date(row["exit_date"]), area: row.string("area_code"))
            }
        }
    }

    /// Case discussions of meetings in the span, with attendance as the meeting compliance checks read it.
    func discussions(from: CalendarDate, through: CalendarDate) throws -> [KPIDiscussion] {
        let range: [SQLValue] = [.text(from.description), .text(through.description)]
        let inRange = "meetings.meeting_date >= ? AND meetings.meeting_date <= ?"
        let (meetingRows, invitedRows, involvedRows, minutesRows, areaRows) = try database.read { connection in
            (try connection.query("SELECT id FROM meetings WHERE \(inRange) ORDER BY meeting_date, id", range),
             try connection.query("""
                SELECT DISTINCT meeting_invitees.meeting_id, agencies.code FROM meeting_invitees
                JOIN agencies ON agencies.id = meeting_invitees.agency_id JOIN meetings ON meetings.id = meeting_invitees.meeting_id
                WHERE \(inRange)
                """, range),
             try connection.query("""
                SELECT DISTINCT case_agencies.case_id, agencies.code FROM case_agencies JOIN agencies ON agencies.id = case_agencies.agency_id
                WHERE case_agencies.case_id IN (SELECT meeting_items.case_id FROM meeting_items
                                                JOIN meetings ON meetings.id = meeting_items.meeting_id WHERE \(inRange))
                """, range),
             try connection.query("""
                SELECT minutes.meeting_id, minutes.case_id, minutes.status, minutes.content_json, minutes.distributed_at FROM minutes
                JOIN meetings ON meetings.id = minutes.meeting_id WHERE \(inRange) ORDER BY minutes.version_number
                """, range),
             try connection.query("""
                SELECT cases.id, areas.code FROM cases JOIN areas ON areas.id = cases.area_id
                WHERE cases.id IN (SELECT meeting_items.case_id FROM meeting_items
                                   JOIN meetings ON meetings.id = meeting_items.meeting_id WHERE \(inRange))
                """, range))
        }
        let areas = Dictionary(areaRows.map { ($0.int64("id"), $0.string("code")) }, uniquingKeysWith: { a, _ in a })
        var invited: [Int64: Set<String>] = [:]
        for row in invitedRows { invited[row.int64("meeting_id"), default: []].insert(row.string("code")) }
        var involved: [Int64: Set<String>] = [:]
        for row in involvedRows { involved[row.int64("case_id"), default: []].insert(row.string("code")) }
        struct Key: Hashable { let meeting: Int64, caseID: Int64 }
        var approved: [Key: MinutesContent] = [:]
        var distributed: [Key: CalendarDate] = [:]
        for row in minutesRows {
            let key = Key(meeting: row.int64("meeting_id"), caseID: row.int64("case_id"))
            if ["approved", "distributed"].contains(row.string("status")),
               let content = try? JSONDecoder().decode(MinutesContent.self, from: Data(row.string("content_json").utf8)) {
                approved[key] = content  // rows come in version order: the latest approved wins
            }
            if let sent = Self.date(row["distributed_at"]) { distributed[key] = min(sent, distributed[key] ?? sent) }
        }
        let meetings = MeetingService(database: database, clock: clock, timescales: fixedTimescales)
        var result: [KPIDiscussion] = []
        for row in meetingRows {
            let id = row.int64("id")
            guard let facts = try meetings.complianceFacts(meetingID: id) else { continue }
            for discussion in facts.discussions {
                let key = Key(meeting: id, caseID: discussion.caseID)
                result.append(KPIDiscussion(meetingID: id, meetingKind: facts.kind, meetingStatus: facts.status, meetingDate: facts.date,
                                            discussion: discussion, invitedAgencies: invited[id] ?? [],
                                            involvedAgencies: involved[discussion.caseID] ?? [], approvedMinutes: approved[key],
                                            firstDistributed: distributed[key], area: areas[discussion.caseID] ?? ""))
            }
        }
        return result
    }

    /// Submitted referrals (first submission on or before `through`) with their returns and screening decision.
    func referrals(from: CalendarDate, through: CalendarDate) throws -> [KPIReferral] {
        try database.read { connection in
            var submitted: [Int64: CalendarDate] = [:]
            var returns: [Int64: Int] = [:]
            for row in try connection.query("""
                SELECT referral_id, event, occurred_at FROM referral_events WHERE event IN ('Submitted', 'Returned to referrer')
                """) {
                let id = row.int64("referral_id")
                if row.string("event") == "Submitted", let date = Self.date(row["occurred_at"]) {
                    submitted[id] = min(date, submitted[id] ?? date)
                } else if row.string("event") != "Submitted" {
                    returns[id, default: 0] += 1
                }
            }
            var decided: [Int64: CalendarDate] = [:]
            for row in try connection.query("SELECT referral_id, decided_on FROM screening_decisions") {
                if let date = Self.date(row["decided_on"]) { decided[row.int64("referral_id")] = date }
            }
            return try connection.query("""
                SELECT referrals.id, referrals.case_id, referrals.form_json, COALESCE(agencies.code, '') AS case_lead,
                       COALESCE(areas.code, '') AS case_area FROM referrals
                LEFT JOIN cases ON cases.id = referrals.case_id LEFT JOIN agencies ON agencies.id = cases.lead_agency_id
                LEFT JOIN areas ON areas.id = cases.area_id
                WHERE referrals.status <> 'draft'
                """).compactMap { row -> KPIReferral? in
                let id = row.int64("id")
                guard let first = submitted[id], first <= through, first >= from || (decided[id].map { $0 >= from } ?? false),
                      let form = try? JSONDecoder().decode(ReferralForm.self, from: Data(row.string("form_json").utf8)) else { return nil }
                let caseLead = row.string("case_lead")
                return KPIReferral(referralID: id, reference: String(format: "REF-%05lld", id), caseID: row["case_id"].int64,
                                   leadAgency: caseLead.isEmpty ? form.leadAgency : caseLead, firstSubmitted: first,
                                   timesReturned: returns[id] ?? 0, inCustody: form.custodyStatus == .custody,
                                   releaseDate: form.releaseDate, decidedOn: decided[id], area: row.string("case_area"))
            }
        }
    }

    func actions(from: CalendarDate, through: CalendarDate) throws -> [KPIAction] {
        try database.read { connection in
            try connection.query("""
                SELECT actions.id, actions.case_id, actions.due_date, actions.status, actions.completed_on, nominals.nominal_ref,
                       agencies.code AS lead_code, COALESCE(areas.code, '') AS area_code
                FROM actions JOIN cases ON cases.id = actions.case_id JOIN nominals ON nominals.id = cases.nominal_id
                JOIN agencies ON agencies.id = cases.lead_agency_id LEFT JOIN areas ON areas.id = cases.area_id
                WHERE actions.due_date >= ? AND actions.due_date <= ?
                """, [.text(from.description), .text(through.description)]).compactMap { row in
                guard let due = Self.date(row["due_date"]) else { return nil }
                return KPIAction(actionID: row.int64("id"), caseID: row.int64("case_id"), reference: row.string("nominal_ref"),
                                 leadAgency: row.string("lead_code"), dueDate: due,
                                 status: ActionStatus(rawValue: row.string("status")) ?? .open, completedOn: Self.date(row["completed_on"]),
                                 area: row.string("area_code"))
            }
        }
    }
}
