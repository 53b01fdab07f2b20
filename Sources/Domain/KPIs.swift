import Foundation

// Key performance indicators (domain.md §6): configurable indicators, each a rate (or a typical number of days)
// over the cases, meetings, referrals or actions of a reporting period, with a target and the list of records
// behind the figure. Pure rules over small fact structs; the Store loads the facts.

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

/// The indicators the unit reports on (domain.md §6, the 2012 MAPPA KPIs as reconstructed there, plus referral
/// quality and screening speed). The raw value names the indicator in URLs and settings.
public enum KPIIndicator: String, Sendable, CaseIterable, Codable {
    case level3Reviews = "level3-reviews"
    case level2Reviews = "level2-reviews"
    case attendance
    case custodyReferrals = "custody-referrals"
    case victimIssues = "victim-issues"
    case disclosure
    case minutesDistribution = "minutes-distribution"
    case actionsOnTime = "actions-on-time"
    case referralsReturned = "referrals-returned"
    case screeningDays = "screening-days"

    public enum Measure: Sendable { case rate, days }

    /// Rates are a percentage of the denominator; screening speed is a number of days.
    public var measure: Measure { self == .screeningDays ? .days : .rate }

    /// What one record in the numerator is, for tables ("Reviewed in time").
    public var numeratorLabel: String {
        switch self {
        case .level3Reviews, .level2Reviews: return "Reviewed in time"
        case .attendance: return "Attended or sent a report"
        case .custodyReferrals: return "Referred in time"
        case .victimIssues: return "Victim issues recorded"
        case .disclosure: return "Disclosure recorded"
        case .minutesDistribution: return "Distributed in time"
        case .actionsOnTime: return "Completed by the due date"
        case .referralsReturned: return "Returned at least once"
        case .screeningDays: return "Decided within the target"
        }
    }

    /// What the denominator counts ("Level 3 reviews due").
    public var denominatorLabel: String {
        switch self {
        case .level3Reviews: return "Level 3 reviews due"
        case .level2Reviews: return "Level 2 reviews due"
        case .attendance: return "Agencies expected at case discussions"
        case .custodyReferrals: return "Referrals of people in custody"
        case .victimIssues, .disclosure: return "Level 2 and 3 case discussions"
        case .minutesDistribution: return "Minutes due"
        case .actionsOnTime: return "Actions due"
        case .referralsReturned: return "Referrals submitted"
        case .screeningDays: return "Referrals screened"
        }
    }

    /// The settings a unit starts with; every one can be changed.
    public var defaultSettings: KPISettings {
        switch self {
        case .level3Reviews:
            return KPISettings(name: "Level 3 cases reviewed within the interval", target: 100,
                               definition: "Level 3 reviews falling due in the period (the last review, or the MAPPA start, plus the Level 3 review interval) that were held by the due date. Reviews not yet due are left out until they are held or late.")
        case .level2Reviews:
            return KPISettings(name: "Level 2 cases reviewed within the interval", target: 100,
                               definition: "Level 2 reviews falling due in the period (the last review, or the MAPPA start, plus the Level 2 review interval) that were held by the due date. Reviews not yet due are left out until they are held or late.")
        case .attendance:
            return KPISettings(name: "Core agency attendance at Level 2 and 3 meetings", target: 90,
                               definition: "For each case discussed at a held Level 2 or 3 meeting, each agency expected (police, probation, the lead agency, the prison service for a case in custody, and any other agency both invited and involved in the case) that attended or sent a report.")
        case .custodyReferrals:
            return KPISettings(name: "Custody referrals made in time before release", target: 90,
                               definition: "Referrals of people in custody with a release date, first submitted in the period, that were submitted at least the custody referral lead time before release.")
        case .victimIssues:
            return KPISettings(name: "Victim issues considered in the minutes", target: 100,
                               definition: "Case discussions at held Level 2 and 3 meetings in the period whose approved minutes record victim issues or victim safety planning.")
        case .disclosure:
            return KPISettings(name: "Disclosure considered and recorded in the minutes", target: 100,
                               definition: "Case discussions at held Level 2 and 3 meetings in the period whose approved minutes record that disclosure was considered, and the decision.")
        case .minutesDistribution:
            return KPISettings(name: "Minutes distributed within the deadline", target: 90,
                               definition: "Minutes of case discussions at held Level 2 and 3 meetings in the period first distributed within the deadline (working days after the meeting). Minutes not yet due are left out.")
        case .actionsOnTime:
            return KPISettings(name: "Actions completed by their due date", target: 85,
                               definition: "Actions due in the period (cancelled ones left out) that were completed on or before their due date. Open actions not yet due are left out.")
        case .referralsReturned:
            return KPISettings(name: "Referrals returned as incomplete", target: 10, direction: .atMost,
                               definition: "Referrals first submitted in the period that the coordinator returned to the referrer at least once. Lower is better.")
        case .screeningDays:
            return KPISettings(name: "Days from referral to screening decision", target: 10, direction: .atMost,
                               definition: "For referrals with a screening decision in the period, the days from first submission to the decision. The figure is the median (or mean) of those days; the count is of referrals decided within the target.")
        }
    }
}

/// Whether the figure should reach the target or stay under it.
public enum KPIDirection: String, Sendable, CaseIterable, Codable {
    case atLeast = "at_least"
    case atMost = "at_most"
    public var displayName: String { self == .atLeast ? "At least" : "At most" }
}

/// How many days is typical, for an indicator measured in days.
public enum KPIAverage: String, Sendable, CaseIterable, Codable {
    case median, mean
    public var displayName: String { rawValue.capitalized }
}

/// One indicator's settings: what it is called, how it is defined for readers, its target and the period it is
/// reported over. Settings, not constants: domain.md §6 marks the national KPIs unverified.
public struct KPISettings: Sendable, Equatable, Codable {
    public var name: String
    public var definition: String
    /// A percentage for rates, a number of days for `screeningDays`.
    public var target: Double
    public var direction: KPIDirection
    public var period: ReportingPeriod.Kind
    public var average: KPIAverage

    public init(name: String, target: Double, direction: KPIDirection = .atLeast, period: ReportingPeriod.Kind = .quarter,
                average: KPIAverage = .median, definition: String) {
        self.name = name
        self.definition = definition
        self.target = target
        self.direction = direction
        self.period = period
        self.average = average
    }

    /// Problems a person can fix, each on the field `<indicator>-<field>` of the settings form.
    public func problems(for indicator: KPIIndicator) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        let prefix = indicator.rawValue
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "\(prefix)-name", message: "Enter a name for indicator \(indicator.number)"))
        } else if name.count > 120 {
            problems.append(ValidationProblem(field: "\(prefix)-name", message: "The name of indicator \(indicator.number) must be 120 characters or fewer"))
        }
        if definition.count > 1000 {
            problems.append(ValidationProblem(field: "\(prefix)-definition", message: "The definition of indicator \(indicator.number) must be 1000 characters or fewer"))
        }
        switch indicator.measure {
        case .rate where !(target.isFinite && (0...100).contains(target)):
            problems.append(ValidationProblem(field: "\(prefix)-target", message: "The target for indicator \(indicator.number) must be a percentage from 0 to 100"))
        case .days where !(target.isFinite && (0...365).contains(target)):
            problems.append(ValidationProblem(field: "\(prefix)-target", message: "The target for indicator \(indicator.number) must be a number of days from 0 to 365"))
        default: break
        }
        return problems
    }

    /// "At least 90%", "At most 10 days".
    public func targetText(_ measure: KPIIndicator.Measure) -> String {
        "\(direction.displayName) \(KPIFormat.number(target))\(measure == .rate ? "%" : " days")"
    }
}

extension KPIIndicator {
    /// The indicator's number as listed (1–10).
    public var number: Int { Self.allCases.firstIndex(of: self)! + 1 }
}

/// Numbers as people read them: whole numbers without decimals, others to one place.
public enum KPIFormat {
    public static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}

// MARK: facts

/// A Level 2 or 3 case's review history, for the review-interval indicators.
public struct ReviewCaseFacts: Sendable, Equatable {
    public var caseID: Int64
    public var reference: String
    public var leadAgency: String
    /// The level the case is managed at (the interval that applies).
    public var level: ManagementLevel
    public var startDate: CalendarDate
    /// Dates of held meetings that discussed the case.
    public var reviews: [CalendarDate]
    /// No review falls due after the case left MAPPA.
    public var exitDate: CalendarDate?
    /// The case's MAPPA area code; empty when none is recorded.
    public var area: String

    public init(caseID: Int64, reference: String, leadAgency: String, level: ManagementLevel, startDate: CalendarDate,
                reviews: [CalendarDate], exitDate: CalendarDate? = nil, area: String = "") {
        self.caseID = caseID
        self.reference = reference
        self.leadAgency = leadAgency
        self.area = area
        self.level = level
        self.startDate = startDate
        self.reviews = reviews
        self.exitDate = exitDate
    }
}

/// One case discussion at a meeting, with its attendance, invitations and minutes.
public struct KPIDiscussion: Sendable, Equatable {
    public var meetingID: Int64
    public var meetingKind: MeetingKind
    public var meetingStatus: MeetingStatus
    public var meetingDate: CalendarDate
    /// The case, its lead agency, custody and who took part (per case, or for the whole meeting).
    public var discussion: DiscussionFacts
    /// Agency codes invited to the meeting.
    public var invitedAgencies: Set<String>
    /// Agency codes involved in the case.
    public var involvedAgencies: Set<String>
    /// The latest approved (or distributed) minutes of the discussion; nil while there are none.
    public var approvedMinutes: MinutesContent?
    /// When minutes of the discussion were first distributed.
    public var firstDistributed: CalendarDate?
    /// The MAPPA area code of the case discussed; empty when none is recorded.
    public var area: String

    public init(meetingID: Int64, meetingKind: MeetingKind, meetingStatus: MeetingStatus = .held, meetingDate: CalendarDate,
                discussion: DiscussionFacts, invitedAgencies: Set<String> = [], involvedAgencies: Set<String> = [],
                approvedMinutes: MinutesContent? = nil, firstDistributed: CalendarDate? = nil, area: String = "") {
        self.area = area
        self.meetingID = meetingID
        self.meetingKind = meetingKind
        self.meetingStatus = meetingStatus
        self.meetingDate = meetingDate
        self.discussion = discussion
        self.invitedAgencies = invitedAgencies
        self.involvedAgencies = involvedAgencies
        self.approvedMinutes = approvedMinutes
        self.firstDistributed = firstDistributed
    }

    /// Counted by the meeting indicators: a Level 2 or 3 panel that took place.
    var counts: Bool { meetingStatus == .held && meetingKind.reviewLevel != nil }

    /// The agencies expected at the discussion: the core agencies for the case, and any agency both invited
    /// to the meeting and involved in the case.
    public var expectedAgencies: [String] {
        let core = discussion.coreAgencies
        return core + invitedAgencies.intersection(involvedAgencies).subtracting(core).sorted()
    }
}

/// A referral's timeline, for the referral indicators.
public struct KPIReferral: Sendable, Equatable {
    public var referralID: Int64
    /// "REF-00012": never the person's name.
    public var reference: String
    public var caseID: Int64?
    public var leadAgency: String
    public var firstSubmitted: CalendarDate?
    public var timesReturned: Int
    public var inCustody: Bool
    public var releaseDate: CalendarDate?
    public var decidedOn: CalendarDate?
    /// The MAPPA area code of the referral's case; empty when there is no case yet or it has no area.
    public var area: String

    public init(referralID: Int64, reference: String, caseID: Int64? = nil, leadAgency: String, firstSubmitted: CalendarDate?,
                timesReturned: Int = 0, inCustody: Bool = false, releaseDate: CalendarDate? = nil, decidedOn: CalendarDate? = nil,
                area: String = "") {
        self.area = area
        self.referralID = referralID
        self.reference = reference
        self.caseID = caseID
        self.leadAgency = leadAgency
        self.firstSubmitted = firstSubmitted
        self.timesReturned = timesReturned
        self.inCustody = inCustody
        self.releaseDate = releaseDate
        self.decidedOn = decidedOn
    }
}

public struct KPIAction: Sendable, Equatable {
    public var actionID: Int64
    public var caseID: Int64
    public var reference: String
    public var leadAgency: String
    public var dueDate: CalendarDate
    public var status: ActionStatus
    public var completedOn: CalendarDate?
    /// The MAPPA area code of the action's case; empty when none is recorded.
    public var area: String

    public init(actionID: Int64, caseID: Int64, reference: String, leadAgency: String, dueDate: CalendarDate,
                status: ActionStatus, completedOn: CalendarDate?, area: String = "") {
        self.area = area
        self.actionID = actionID
        self.caseID = caseID
        self.reference = reference
        self.leadAgency = leadAgency
        self.dueDate = dueDate
        self.status = status
        self.completedOn = completedOn
    }
}

/// Everything the indicators are worked out from, for a span of dates.
public struct KPIFacts: Sendable, Equatable {
    public var reviewCases: [ReviewCaseFacts]
    public var discussions: [KPIDiscussion]
    public var referrals: [KPIReferral]
    public var actions: [KPIAction]

    public init(reviewCases: [ReviewCaseFacts] = [], discussions: [KPIDiscussion] = [], referrals: [KPIReferral] = [],
                actions: [KPIAction] = []) {
        self.reviewCases = reviewCases
        self.discussions = discussions
        self.referrals = referrals
        self.actions = actions
    }
}

// MARK: results

/// One record behind an indicator: the case it concerns, whether it counts in the numerator, and why.
public struct KPIItem: Sendable, Equatable {
    public var caseID: Int64?
    public var reference: String
    public var leadAgency: String
    /// The agency measured, for attendance; nil otherwise.
    public var agency: String?
    /// The date that put the record in the period (review due, meeting, submission, decision, due date).
    public var date: CalendarDate
    public var counted: Bool
    public var reason: String
    /// Days taken, for an indicator measured in days.
    public var days: Int?
    /// The MAPPA area code of the record's case, carried like the lead agency; empty when none is recorded.
    public var area: String

    public init(caseID: Int64?, reference: String, leadAgency: String, area: String = "", agency: String? = nil, date: CalendarDate,
                counted: Bool, reason: String, days: Int? = nil) {
        self.area = area
        self.caseID = caseID
        self.reference = reference
        self.leadAgency = leadAgency
        self.agency = agency
        self.date = date
        self.counted = counted
        self.reason = reason
        self.days = days
    }
}

/// An indicator over one period: numerator, denominator, the figure, and whether it meets the target.
public struct KPIResult: Sendable, Equatable {
    public var indicator: KPIIndicator
    public var settings: KPISettings
    public var period: ReportingPeriod
    public var items: [KPIItem]

    public init(indicator: KPIIndicator, settings: KPISettings, period: ReportingPeriod, items: [KPIItem]) {
        self.indicator = indicator
        self.settings = settings
        self.period = period
        self.items = items
    }

    public var numerator: Int { items.filter(\.counted).count }
    public var denominator: Int { items.count }
    public var hasData: Bool { !items.isEmpty }

    /// The percentage (rates) or the median or mean days; nil when nothing happened in the period, which is
    /// "no data", not 0%.
    public var value: Double? {
        guard hasData else { return nil }
        switch indicator.measure {
        case .rate:
            return Double(numerator) * 100 / Double(denominator)
        case .days:
            let days = items.compactMap(\.days).sorted()
            guard !days.isEmpty else { return nil }
            if settings.average == .mean { return Double(days.reduce(0, +)) / Double(days.count) }
            let middle = days.count / 2
            return days.count % 2 == 1 ? Double(days[middle]) : Double(days[middle - 1] + days[middle]) / 2
        }
    }

    /// Nil without data. The figure is compared as shown (to one decimal place), so 89.96% shown as 90% meets 90%.
    public var met: Bool? {
        guard let value else { return nil }
        let shown = (value * 10).rounded() / 10
        return settings.direction == .atLeast ? shown >= settings.target : shown <= settings.target
    }

    /// "75%" or "12 days (median)"; "No data in this period".
    public var valueText: String {
        guard let value else { return "No data in this period" }
        switch indicator.measure {
        case .rate: return "\(KPIFormat.number(value))%"
        case .days: return "\(KPIFormat.number(value)) days (\(settings.average.rawValue))"
        }
    }

    /// The same indicator over the records whose case has this lead agency.
    public func forLeadAgency(_ code: String) -> KPIResult {
        KPIResult(indicator: indicator, settings: settings, period: period, items: items.filter { $0.leadAgency == code })
    }

    /// Attendance per agency measured, in agency-code order.
    public func byAgency() -> [(agency: String, result: KPIResult)] {
        Dictionary(grouping: items.filter { $0.agency != nil }, by: { $0.agency! }).sorted { $0.key < $1.key }.map {
            ($0.key, KPIResult(indicator: indicator, settings: settings, period: period, items: $0.value))
        }
    }

    /// The lead agencies with any record, in code order.
    public var leadAgencies: [String] { Set(items.map(\.leadAgency)).sorted() }

    /// The same indicator over the records whose case is in this MAPPA area ("" for no area recorded).
    public func forArea(_ code: String) -> KPIResult {
        KPIResult(indicator: indicator, settings: settings, period: period, items: items.filter { $0.area == code })
    }

    /// The area codes with any record, in code order ("" first, for records whose case has no area).
    public var areas: [String] { Set(items.map(\.area)).sorted() }
}

/// The indicator rules. `today` leaves out what cannot be judged yet (a review or minutes not yet due).
public enum KPICalculator {
    public static func result(_ indicator: KPIIndicator, settings: KPISettings, facts: KPIFacts, period: ReportingPeriod,
                              today: CalendarDate, timescales: Timescales) -> KPIResult {
        let items: [KPIItem]
        switch indicator {
        case .level3Reviews: items = reviews(facts.reviewCases, level: .three, timescales: timescales, period: period, today: today)
        case .level2Reviews: items = reviews(facts.reviewCases, level: .two, timescales: timescales, period: period, today: today)
        case .attendance: items = attendance(facts.discussions, period: period)
        case .custodyReferrals: items = custodyReferrals(facts.referrals, leadMonths: timescales.custodyReferralLeadMonths, period: period)
        case .victimIssues: items = minutesContent(facts.discussions, period: period, what: "victim issues") {
            !blank($0.victimIssues) || !blank($0.victimSafetyPlanning)
        }
        case .disclosure: items = minutesContent(facts.discussions, period: period, what: "the disclosure decision") {
            $0.disclosureConsidered && !blank($0.disclosureDecision)
        }
        case .minutesDistribution:
            items = minutesDistribution(facts.discussions, workingDays: timescales.minutesDistributionWorkingDays, period: period, today: today)
        case .actionsOnTime: items = actions(facts.actions, period: period, today: today)
        case .referralsReturned: items = referralsReturned(facts.referrals, period: period)
        case .screeningDays: items = screeningDays(facts.referrals, targetDays: settings.target, period: period)
        }
        return KPIResult(indicator: indicator, settings: settings, period: period,
                         items: items.sorted { ($0.date, $0.reference, $0.agency ?? "") < ($1.date, $1.reference, $1.agency ?? "") })
    }

    static func blank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    static func days(_ count: Int) -> String { "\(count) day\(count == 1 ? "" : "s")" }

    /// Each review falling due in the period: the MAPPA start or a review, plus the level's interval. Met when
    /// the next review was held on or before that date; late when held after it or still not held after it.
    static func reviews(_ cases: [ReviewCaseFacts], level: ManagementLevel, timescales: Timescales, period: ReportingPeriod,
                        today: CalendarDate) -> [KPIItem] {
        guard let weeks = timescales.reviewWeeks(for: level) else { return [] }
        var items: [KPIItem] = []
        for facts in cases where facts.level == level {
            let anchors = Array(Set([facts.startDate] + facts.reviews.filter { $0 >= facts.startDate })).sorted()
            for (index, anchor) in anchors.enumerated() {
                let due = anchor.adding(weeks: weeks)
                guard period.contains(due) else { continue }
                if let exit = facts.exitDate, exit < due { continue }
                let next = index + 1 < anchors.count ? anchors[index + 1] : nil
                let item = { (counted: Bool, reason: String) in
                    KPIItem(caseID: facts.caseID, reference: facts.reference, leadAgency: facts.leadAgency, area: facts.area, date: due,
                            counted: counted, reason: reason)
                }
                if let next {
                    items.append(next <= due
                        ? item(true, "Reviewed on \(next.displayText); due by \(due.displayText)")
                        : item(false, "Reviewed on \(next.displayText), \(days(due.days(until: next))) after the \(weeks)-week interval"))
                } else if due < today {
                    items.append(item(false, "Not reviewed by \(due.displayText), the end of the \(weeks)-week interval"))
                }
            }
        }
        return items
    }

    /// Each expected agency at each case discussion of a held Level 2 or 3 meeting in the period.
    static func attendance(_ discussions: [KPIDiscussion], period: ReportingPeriod) -> [KPIItem] {
        discussions.filter { $0.counts && period.contains($0.meetingDate) }.flatMap { item in
            item.expectedAgencies.map { agency -> KPIItem in
                let status = item.discussion.attendance[agency]
                let counted = status == .attended || status == .reportSent
                return KPIItem(caseID: item.discussion.caseID, reference: item.discussion.label, leadAgency: item.discussion.leadAgency, area: item.area,
                               agency: agency, date: item.meetingDate, counted: counted,
                               reason: "\(item.meetingKind.displayName) on \(item.meetingDate.displayText): \(status?.displayName ?? "No attendance recorded")")
            }
        }
    }

    /// Custody referrals first submitted in the period with a release date: referred at least `leadMonths`
    /// before release (on or before the release date less the lead time).
    static func custodyReferrals(_ referrals: [KPIReferral], leadMonths: Int, period: ReportingPeriod) -> [KPIItem] {
        referrals.compactMap { referral in
            guard referral.inCustody, let release = referral.releaseDate, let submitted = referral.firstSubmitted,
                  period.contains(submitted) else { return nil }
            let latest = release.adding(months: -leadMonths)
            let counted = submitted <= latest
            let reason = "Submitted \(submitted.displayText), release \(release.displayText): "
                + (counted ? "on or before \(latest.displayText), \(leadMonths) months ahead" : "\(days(latest.days(until: submitted))) after \(latest.displayText), less than \(leadMonths) months ahead")
            return KPIItem(caseID: referral.caseID, reference: referral.reference, leadAgency: referral.leadAgency, area: referral.area, date: submitted,
                           counted: counted, reason: reason)
        }
    }

    /// Case discussions of held Level 2 and 3 meetings in the period whose approved minutes satisfy `recorded`.
    static func minutesContent(_ discussions: [KPIDiscussion], period: ReportingPeriod, what: String,
                               recorded: (MinutesContent) -> Bool) -> [KPIItem] {
        discussions.filter { $0.counts && period.contains($0.meetingDate) }.map { item in
            let reason: String
            let counted: Bool
            if let minutes = item.approvedMinutes {
                counted = recorded(minutes)
                reason = counted ? "The approved minutes record \(what)" : "The approved minutes do not record \(what)"
            } else {
                counted = false
                reason = "No approved minutes yet"
            }
            return KPIItem(caseID: item.discussion.caseID, reference: item.discussion.label, leadAgency: item.discussion.leadAgency, area: item.area,
                           date: item.meetingDate, counted: counted, reason: "\(item.meetingDate.displayText): \(reason)")
        }
    }

    /// Minutes of case discussions at held Level 2 and 3 meetings in the period, against the distribution
    /// deadline (`MinutesWorkflow.distributionDeadline`). Not yet distributed and not yet due: left out.
    static func minutesDistribution(_ discussions: [KPIDiscussion], workingDays: Int, period: ReportingPeriod,
                                    today: CalendarDate) -> [KPIItem] {
        discussions.filter { $0.counts && period.contains($0.meetingDate) }.compactMap { item in
            let deadline = MinutesWorkflow.distributionDeadline(meetingDate: item.meetingDate, workingDays: workingDays)
            let make = { (counted: Bool, reason: String) in
                KPIItem(caseID: item.discussion.caseID, reference: item.discussion.label, leadAgency: item.discussion.leadAgency, area: item.area,
                        date: item.meetingDate, counted: counted, reason: "Meeting \(item.meetingDate.displayText), deadline \(deadline.displayText): \(reason)")
            }
            if let sent = item.firstDistributed {
                return sent <= deadline ? make(true, "distributed \(sent.displayText)")
                    : make(false, "distributed \(sent.displayText), \(days(deadline.days(until: sent))) late")
            }
            return deadline < today ? make(false, "not distributed") : nil
        }
    }

    /// Actions due in the period, not cancelled: done on or before the due date. Open and not yet due: left out.
    static func actions(_ actions: [KPIAction], period: ReportingPeriod, today: CalendarDate) -> [KPIItem] {
        actions.compactMap { action in
            guard period.contains(action.dueDate), action.status != .cancelled else { return nil }
            let make = { (counted: Bool, reason: String) in
                KPIItem(caseID: action.caseID, reference: action.reference, leadAgency: action.leadAgency, area: action.area, date: action.dueDate,
                        counted: counted, reason: "Due \(action.dueDate.displayText): \(reason)")
            }
            if action.status == .done {
                let completed = action.completedOn ?? action.dueDate.adding(days: 1)
                return completed <= action.dueDate ? make(true, "completed \(completed.displayText)")
                    : make(false, action.completedOn == nil ? "completed, date not recorded" : "completed \(completed.displayText), \(days(action.dueDate.days(until: completed))) late")
            }
            return action.dueDate < today ? make(false, "still open, \(days(action.dueDate.days(until: today))) overdue") : nil
        }
    }

    /// Referrals first submitted in the period; the numerator is those returned at least once (lower is better).
    static func referralsReturned(_ referrals: [KPIReferral], period: ReportingPeriod) -> [KPIItem] {
        referrals.compactMap { referral in
            guard let submitted = referral.firstSubmitted, period.contains(submitted) else { return nil }
            return KPIItem(caseID: referral.caseID, reference: referral.reference, leadAgency: referral.leadAgency, area: referral.area, date: submitted,
                           counted: referral.timesReturned > 0,
                           reason: "Submitted \(submitted.displayText): " + (referral.timesReturned == 0 ? "not returned"
                               : "returned \(referral.timesReturned == 1 ? "once" : "\(referral.timesReturned) times") as incomplete"))
        }
    }

    /// Referrals with a screening decision in the period: the days from first submission; the numerator is
    /// those decided within the target.
    static func screeningDays(_ referrals: [KPIReferral], targetDays: Double, period: ReportingPeriod) -> [KPIItem] {
        referrals.compactMap { referral in
            guard let decided = referral.decidedOn, period.contains(decided), let submitted = referral.firstSubmitted else { return nil }
            let taken = max(0, submitted.days(until: decided))
            return KPIItem(caseID: referral.caseID, reference: referral.reference, leadAgency: referral.leadAgency, area: referral.area, date: decided,
                           counted: Double(taken) <= targetDays,
                           reason: "Submitted \(submitted.displayText), decided \(decided.displayText): \(days(taken))", days: taken)
        }
    }
}

/// An indicator over the chosen period with what it is compared against: the period before, the same period a
/// year before, and a trend of recent periods (oldest first, ending with the current one).
public struct KPIBenchmark: Sendable, Equatable {
    public var current: KPIResult
    public var previous: KPIResult
    public var yearBefore: KPIResult
    public var trend: [KPIResult]
    public var indicator: KPIIndicator { current.indicator }

    /// The same benchmarks over the records whose case has this lead agency.
    public func forLeadAgency(_ code: String) -> KPIBenchmark { narrowed { $0.forLeadAgency(code) } }

    /// The same benchmarks over the records whose case is in this MAPPA area.
    public func forArea(_ code: String) -> KPIBenchmark { narrowed { $0.forArea(code) } }

    func narrowed(_ narrow: (KPIResult) -> KPIResult) -> KPIBenchmark {
        KPIBenchmark(current: narrow(current), previous: narrow(previous), yearBefore: narrow(yearBefore), trend: trend.map(narrow))
    }
}

extension KPICalculator {
    /// The indicator measured over `chosen` (or the reporting year containing it, for an indicator reported
    /// yearly), benchmarked period on period and year on year.
    public static func benchmark(_ indicator: KPIIndicator, settings: KPISettings, facts: KPIFacts, chosen: ReportingPeriod,
                                 trendLength: Int, today: CalendarDate, timescales: Timescales) -> KPIBenchmark {
        let period = chosen.measured(as: settings.period)
        let compute = { (period: ReportingPeriod) in
            result(indicator, settings: settings, facts: facts, period: period, today: today, timescales: timescales)
        }
        let trend = period.recent(trendLength).map(compute)
        return KPIBenchmark(current: trend.last!, previous: compute(period.previous), yearBefore: compute(period.yearBefore), trend: trend)
    }

    /// The first and last dates any of those benchmarks looks at, so the facts can be loaded once.
    public static func span(chosen: ReportingPeriod, kinds: [ReportingPeriod.Kind], trendLength: Int) -> (from: CalendarDate, through: CalendarDate) {
        let periods = Set(kinds).flatMap { kind -> [ReportingPeriod] in
            let period = chosen.measured(as: kind)
            return period.recent(trendLength) + [period.yearBefore]
        }
        return (periods.map(\.start).min() ?? chosen.start, periods.map(\.end).max() ?? chosen.end)
    }
}
