import Database
import Domain
import Foundation

/// Each indicator's name, definition, target and period, kept in the settings table as JSON under
/// `kpi.<indicator>`: domain.md §6 says the KPIs are configurable indicators, not fixed rules.
public enum KPISettingsStore {
    static func key(_ indicator: KPIIndicator) -> String { "kpi.\(indicator.rawValue)" }

    /// Every indicator's saved settings, each its defaults until someone saves it. Saved settings that do not read
    /// back are an error, never the defaults in their place.
    public static func load(_ database: Database) throws -> [KPIIndicator: KPISettings] {
        var settings = Dictionary(uniqueKeysWithValues: KPIIndicator.allCases.map { ($0, $0.defaultSettings) })
        for row in try database.read({ try $0.query("SELECT key, value FROM settings WHERE key LIKE 'kpi.%'") }) {
            let key: String = try row.value("key")
            guard let indicator = KPIIndicator(rawValue: String(key.dropFirst(4))) else { continue }
            guard let saved = try? JSONDecoder().decode(KPISettings.self, from: Data(try row.value("value", as: String.self).utf8)) else {
                throw DatabaseError(.decode, "the settings of indicator \(indicator.number) do not read back")
            }
            settings[indicator] = saved
        }
        return settings
    }

    /// Saves all the indicators at once, or nothing when any is invalid (`DomainError.validation` lists every
    /// problem). Audited with the targets, which are not personal data.
    public static func save(_ settings: [KPIIndicator: KPISettings], context: StoreContext, by actor: Actor) throws {
        let problems = KPIIndicator.allCases.flatMap { indicator in settings[indicator]?.problems(for: indicator) ?? [] }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try context.database.write { connection in
            for indicator in KPIIndicator.allCases {
                guard let value = settings[indicator] else { continue }
                try connection.execute("DELETE FROM settings WHERE key = ?", [.text(key(indicator))])
                try connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)",
                                       [.text(key(indicator)), .text(String(decoding: try encoder.encode(value), as: UTF8.self))])
            }
            let detail = KPIIndicator.allCases.compactMap { indicator in
                settings[indicator].map { "\(indicator.number): \($0.targetText(indicator.measure).lowercased()) per \($0.period.rawValue)" }
            }.joined(separator: "; ")
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "settings", subjectID: "kpis", detail: detail)
        }
    }
}

/// Loads the facts the indicators are worked out from (Domain/Statistics holds the rules) and benchmarks every
/// indicator for a chosen period: aggregates over every case (system work; the figures are counts). The records behind
/// a figure name cases, so what a viewer is shown of them is the Store's rule too (`records(of:for:)`); viewing them is
/// audited by the web layer.
public struct KPIStore: FeatureStore {
    let context: StoreContext
    let meetings: MeetingStore

    public var today: CalendarDate { context.today }
    public func settings() throws -> [KPIIndicator: KPISettings] { try KPISettingsStore.load(database) }

    /// The records behind a figure as the viewer may see them: a record about a case they may not open keeps its place
    /// (it is counted) but loses its reference and case, and the cases left out are counted.
    public func records(of result: KPIResult, for viewer: Viewer) throws -> (items: [(item: KPIItem, shown: Bool)], shownCases: Int, hiddenCases: Int) {
        let ids = Array(Set(result.items.compactMap(\.caseID)))
        let visible = ids.isEmpty ? [] : try database.read { connection -> Set<Int64> in
            let filter = try CaseVisibilityFilter(viewer, connection).cases()
            var found = Set<Int64>()
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                for row in try connection.query("SELECT cases.id FROM cases WHERE cases.id IN (\(SQL.placeholders(chunk.count)))" + filter.sql,
                                                SQL.ids(chunk) + filter.parameters) {
                    found.insert(try row.value("id"))
                }
            }
            return found
        }
        let items = result.items.map { item -> (item: KPIItem, shown: Bool) in
            guard let caseID = item.caseID, !visible.contains(caseID) else { return (item, true) }
            var hidden = item
            hidden.caseID = nil
            hidden.reference = ""
            return (hidden, false)
        }
        return (items, visible.count, ids.count - visible.count)
    }

    /// Every indicator (or only `only`) over `chosen`, with its benchmarks and trend, from one load of the facts.
    public func benchmarks(chosen: ReportingPeriod, trendLength: Int = 6, only: KPIIndicator? = nil) throws -> [KPIBenchmark] {
        let settings = try self.settings()
        let indicators = only.map { [$0] } ?? KPIIndicator.allCases
        let span = KPICalculator.span(chosen: chosen, kinds: indicators.compactMap { settings[$0]?.period }, trendLength: trendLength)
        let facts = try facts(from: span.from, through: span.through)
        let today = self.today
        let timescales = try context.timescales()
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

    /// Level 2 and 3 cases open in the span with every review they have had.
    func reviewCases(from: CalendarDate) throws -> [ReviewCaseFacts] {
        try database.read { connection in
            var reviews: [Int64: [CalendarDate]] = [:]
            for row in try connection.query(Owned<Day>.self, """
                SELECT meeting_items.case_id AS owner_id, meetings.meeting_date AS day FROM meeting_items
                JOIN meetings ON meetings.id = meeting_items.meeting_id JOIN cases ON cases.id = meeting_items.case_id
                WHERE meetings.status = 'held' AND cases.level IN (2, 3)
                """) {
                reviews[row.ownerID, default: []].append(row.record.day)
            }
            return try connection.query(ReviewCaseRow.self, """
                SELECT \(ReviewCaseRow.columns)
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id JOIN agencies ON agencies.id = cases.lead_agency_id
                LEFT JOIN areas ON areas.id = cases.area_id
                WHERE cases.level IN (2, 3) AND (cases.exit_date IS NULL OR cases.exit_date >= ?)
                """, [.text(from.description)]).map { row in
                var facts = row.facts
                facts.reviews = (reviews[facts.caseID] ?? []) + [row.lastReviewedOn].compactMap { $0 }
                return facts
            }
        }
    }

    /// Case discussions of meetings in the span, with attendance as the meeting compliance checks read it.
    func discussions(from: CalendarDate, through: CalendarDate) throws -> [KPIDiscussion] {
        let range: [SQLValue] = [.text(from.description), .text(through.description)]
        let inRange = "meetings.meeting_date >= ? AND meetings.meeting_date <= ?"
        let (meetingIDs, invitedRows, involvedRows, minutesRows, areaRows) = try database.read { connection in
            (try connection.query("SELECT id FROM meetings WHERE \(inRange) ORDER BY meeting_date, id", range)
                .map { row throws(DatabaseError) in try row.value("id", as: Int64.self) },
             try connection.query(Owned<Code>.self, """
                SELECT DISTINCT meeting_invitees.meeting_id AS owner_id, agencies.code FROM meeting_invitees
                JOIN agencies ON agencies.id = meeting_invitees.agency_id JOIN meetings ON meetings.id = meeting_invitees.meeting_id
                WHERE \(inRange)
                """, range),
             try connection.query(Owned<Code>.self, """
                SELECT DISTINCT case_agencies.case_id AS owner_id, agencies.code FROM case_agencies
                JOIN agencies ON agencies.id = case_agencies.agency_id
                WHERE case_agencies.case_id IN (SELECT meeting_items.case_id FROM meeting_items
                                                JOIN meetings ON meetings.id = meeting_items.meeting_id WHERE \(inRange))
                """, range),
             try connection.query(DiscussionMinutes.self, """
                SELECT \(DiscussionMinutes.columns) FROM minutes
                JOIN meetings ON meetings.id = minutes.meeting_id WHERE \(inRange) ORDER BY minutes.version_number
                """, range),
             try connection.query(Owned<Code>.self, """
                SELECT cases.id AS owner_id, areas.code FROM cases JOIN areas ON areas.id = cases.area_id
                WHERE cases.id IN (SELECT meeting_items.case_id FROM meeting_items
                                   JOIN meetings ON meetings.id = meeting_items.meeting_id WHERE \(inRange))
                """, range))
        }
        let areas = Dictionary(areaRows.map { ($0.ownerID, $0.record.code) }, uniquingKeysWith: { a, _ in a })
        var invited: [Int64: Set<String>] = [:]
        for row in invitedRows { invited[row.ownerID, default: []].insert(row.record.code) }
        var involved: [Int64: Set<String>] = [:]
        for row in involvedRows { involved[row.ownerID, default: []].insert(row.record.code) }
        struct Key: Hashable { let meeting: Int64, caseID: Int64 }
        var approved: [Key: MinutesContent] = [:]
        var distributed: [Key: CalendarDate] = [:]
        for row in minutesRows {
            let key = Key(meeting: row.meetingID, caseID: row.caseID)
            if row.status == .approved || row.status == .distributed {
                approved[key] = row.content  // rows come in version order: the latest approved wins
            }
            if let sent = row.distributedOn { distributed[key] = min(sent, distributed[key] ?? sent) }
        }
        let facts = try meetings.complianceFacts(meetingIDs: meetingIDs, asSystem: SystemJob("performance indicators"))
        var result: [KPIDiscussion] = []
        for id in meetingIDs {
            guard let meeting = facts[id] else { continue }
            for discussion in meeting.discussions {
                let key = Key(meeting: id, caseID: discussion.caseID)
                result.append(KPIDiscussion(meetingID: id, meetingKind: meeting.kind, meetingStatus: meeting.status, meetingDate: meeting.date,
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
            for row in try connection.query(ReferralStep.self, """
                SELECT referral_id, event, occurred_at FROM referral_events WHERE event IN ('Submitted', 'Returned to referrer')
                """) {
                if row.event == "Submitted" {
                    submitted[row.referralID] = min(row.day, submitted[row.referralID] ?? row.day)
                } else {
                    returns[row.referralID, default: 0] += 1
                }
            }
            var decided: [Int64: CalendarDate] = [:]
            for row in try connection.query(Owned<Day>.self, "SELECT referral_id AS owner_id, decided_on AS day FROM screening_decisions") {
                decided[row.ownerID] = row.record.day
            }
            return try connection.query(ReferralFactsRow.self, """
                SELECT \(ReferralFactsRow.columns) FROM referrals
                LEFT JOIN cases ON cases.id = referrals.case_id LEFT JOIN agencies ON agencies.id = cases.lead_agency_id
                LEFT JOIN areas ON areas.id = cases.area_id
                WHERE referrals.status <> 'draft'
                """).compactMap { row -> KPIReferral? in
                guard let first = submitted[row.id], first <= through, first >= from || (decided[row.id].map { $0 >= from } ?? false) else {
                    return nil
                }
                return KPIReferral(referralID: row.id, reference: ReferralRecord.reference(row.id), caseID: row.caseID,
                                   leadAgency: row.caseLead.isEmpty ? row.form.leadAgency : row.caseLead, firstSubmitted: first,
                                   timesReturned: returns[row.id] ?? 0, inCustody: row.form.custodyStatus == .custody,
                                   releaseDate: row.form.releaseDate, decidedOn: decided[row.id], area: row.caseArea)
            }
        }
    }

    /// Actions due in the span.
    func actions(from: CalendarDate, through: CalendarDate) throws -> [KPIAction] {
        try database.read { connection in
            try connection.query(ActionFactsRow.self, """
                SELECT \(ActionFactsRow.columns)
                FROM actions JOIN cases ON cases.id = actions.case_id JOIN nominals ON nominals.id = cases.nominal_id
                JOIN agencies ON agencies.id = cases.lead_agency_id LEFT JOIN areas ON areas.id = cases.area_id
                WHERE actions.due_date >= ? AND actions.due_date <= ?
                """, [.text(from.description), .text(through.description)]).map(\.facts)
        }
    }
}

/// One date column, `day`.
struct Day: RowDecodable {
    let day: CalendarDate
    static let columns = "day"
    init(row: inout RowReader) throws(DatabaseError) { day = try row.decode("day") }
}

/// One agency or area code column, `code`.
struct Code: RowDecodable {
    let code: String
    static let columns = "code"
    init(row: inout RowReader) throws(DatabaseError) { code = try row.decode("code") }
}

/// A Level 2 or 3 case as the review indicators read it.
struct ReviewCaseRow: RowDecodable {
    let facts: ReviewCaseFacts
    let lastReviewedOn: CalendarDate?

    static let columns = """
        cases.id, cases.level, cases.start_date, cases.exit_date, cases.last_reviewed_on, cases.next_review_date, nominals.nominal_ref,
        agencies.code AS lead_code, COALESCE(areas.code, '') AS area_code
        """

    init(row: inout RowReader) throws(DatabaseError) {
        let id: Int64 = try row.decode("id")
        let level: ManagementLevel = try row.decode("level")
        let start: CalendarDate = try row.decode("start_date")
        let exit: CalendarDate? = try row.decodeIfPresent("exit_date")
        lastReviewedOn = try row.decodeIfPresent("last_reviewed_on")
        let nextReview: CalendarDate? = try row.decodeIfPresent("next_review_date")
        let reference: String = try row.decode("nominal_ref")
        let lead: String = try row.decode("lead_code")
        let area: String = try row.decode("area_code")
        facts = ReviewCaseFacts(caseID: id, reference: reference, leadAgency: lead, level: level, startDate: start, reviews: [],
                                nextReviewDate: nextReview, exitDate: exit, area: area)
    }
}

/// A version of a discussion's minutes, as the minutes indicators read it.
struct DiscussionMinutes: RowDecodable {
    let meetingID: Int64
    let caseID: Int64
    let status: MinutesStatus
    let content: MinutesContent
    let distributedOn: CalendarDate?

    static let columns = "minutes.meeting_id, minutes.case_id, minutes.status, minutes.content_json, minutes.distributed_at"

    init(row: inout RowReader) throws(DatabaseError) {
        meetingID = try row.decode("meeting_id")
        caseID = try row.decode("case_id")
        status = try row.decode("status")
        content = try row.decodeJSON("content_json", as: MinutesContent.self)
        distributedOn = try row.decodeDayIfPresent("distributed_at")
    }
}

/// A submission or return of a referral.
struct ReferralStep: RowDecodable {
    let referralID: Int64
    let event: String
    let day: CalendarDate

    static let columns = "referral_id, event, occurred_at"

    init(row: inout RowReader) throws(DatabaseError) {
        referralID = try row.decode("referral_id")
        event = try row.decode("event")
        guard let day = try row.decodeDayIfPresent("occurred_at") else { throw RowReader.corrupt("occurred_at", .null) }
        self.day = day
    }
}

/// A referral as the referral indicators read it.
struct ReferralFactsRow: RowDecodable {
    let id: Int64
    let caseID: Int64?
    let form: ReferralForm
    let caseLead: String
    let caseArea: String

    static let columns = """
        referrals.id, referrals.case_id, referrals.form_json, COALESCE(agencies.code, '') AS case_lead, COALESCE(areas.code, '') AS case_area
        """

    init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        caseID = try row.decodeIfPresent("case_id")
        form = try row.decodeJSON("form_json", as: ReferralForm.self)
        caseLead = try row.decode("case_lead")
        caseArea = try row.decode("case_area")
    }
}

/// An action as the action indicators read it.
struct ActionFactsRow: RowDecodable {
    let facts: KPIAction

    static let columns = """
        actions.id, actions.case_id, nominals.nominal_ref, agencies.code AS lead_code, actions.due_date, actions.status,
        actions.completed_on, COALESCE(areas.code, '') AS area_code
        """

    init(row: inout RowReader) throws(DatabaseError) {
        facts = KPIAction(actionID: try row.decode("id"), caseID: try row.decode("case_id"), reference: try row.decode("nominal_ref"),
                          leadAgency: try row.decode("lead_code"), dueDate: try row.decode("due_date"), status: try row.decode("status"),
                          completedOn: try row.decodeIfPresent("completed_on"), area: try row.decode("area_code"))
    }
}
