import Foundation

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
    /// The case's one stored review date (`ReviewSchedule`): when the review after the last one falls due.
    public var nextReviewDate: CalendarDate?
    /// No review falls due after the case left MAPPA.
    public var exitDate: CalendarDate?
    /// The case's MAPPA area code; empty when none is recorded.
    public var area: String

    public init(caseID: Int64, reference: String, leadAgency: String, level: ManagementLevel, startDate: CalendarDate,
                reviews: [CalendarDate], nextReviewDate: CalendarDate? = nil, exitDate: CalendarDate? = nil, area: String = "") {
        self.nextReviewDate = nextReviewDate
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
