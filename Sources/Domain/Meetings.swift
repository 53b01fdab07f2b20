import Foundation

/// The panels the MAPPA unit runs (domain.md §3.1, §3.3).
public enum MeetingKind: String, CaseIterable, Sendable, Codable {
    case screening
    case level2 = "level_2"
    case level3 = "level_3"
    case professionals

    public var displayName: String {
        switch self {
        case .screening: return "Screening panel"
        case .level2: return "Level 2 panel"
        case .level3: return "Level 3 panel"
        case .professionals: return "Professionals meeting"
        }
    }

    /// The management level whose cases the panel reviews, if it reviews cases by level.
    public var reviewLevel: ManagementLevel? {
        switch self {
        case .level2: return .two
        case .level3: return .three
        case .screening, .professionals: return nil
        }
    }

    /// The chair grade the guidance expects (domain.md §3.3: managers for Level 2, strategic managers for Level 3).
    public var minimumChairGrade: ChairGrade? {
        switch self {
        case .level2: return .manager
        case .level3: return .strategic
        case .screening, .professionals: return nil
        }
    }
}

public enum MeetingStatus: String, CaseIterable, Sendable, Codable {
    case scheduled, held, cancelled
    public var displayName: String { rawValue.capitalized }
}

/// The chair's seniority: inspector / senior probation officer (manager) or superintendent / head of service
/// (strategic manager).
public enum ChairGrade: String, CaseIterable, Sendable, Codable, Comparable {
    case manager, strategic

    public var displayName: String {
        switch self {
        case .manager: return "Manager (police inspector, senior probation officer or equivalent)"
        case .strategic: return "Strategic manager (police superintendent, head of probation service or equivalent)"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a == .manager && b == .strategic }
}

/// How an agency took part in one meeting or one case discussion (MAPPA L audit: attended, apologies, report).
public enum AttendanceStatus: String, CaseIterable, Sendable, Codable {
    case attended
    case apologies
    case reportSent = "report_sent"
    case didNotAttend = "did_not_attend"

    public var displayName: String {
        switch self {
        case .attended: return "Attended"
        case .apologies: return "Sent apologies"
        case .reportSent: return "Sent a report"
        case .didNotAttend: return "Did not attend"
        }
    }
}

/// A MAPPA case as the agenda builder sees it.
public struct AgendaCase: Sendable, Equatable {
    public var caseID: Int64
    public var level: ManagementLevel
    public var status: CaseStatus
    public var startDate: CalendarDate
    public var nextReviewDate: CalendarDate?
    /// Nil until a panel has first discussed the case: a newly accepted referral.
    public var lastReviewedOn: CalendarDate?

    public init(caseID: Int64, level: ManagementLevel, status: CaseStatus = .active, startDate: CalendarDate,
                nextReviewDate: CalendarDate?, lastReviewedOn: CalendarDate?) {
        self.caseID = caseID
        self.level = level
        self.status = status
        self.startDate = startDate
        self.nextReviewDate = nextReviewDate
        self.lastReviewedOn = lastReviewedOn
    }
}

/// Why the agenda builder proposes a case.
public enum AgendaReason: Sendable, Equatable {
    /// Accepted at screening and never discussed at a panel: an initial meeting.
    case newCase
    case overdue(days: Int)
    case due(inDays: Int)

    public var text: String {
        switch self {
        case .newCase: return "New case: initial meeting"
        case .overdue(let days): return "Review overdue by \(days) day\(days == 1 ? "" : "s")"
        case .due(let days): return days == 0 ? "Review due on the meeting day" : "Review due in \(days) day\(days == 1 ? "" : "s") of the meeting"
        }
    }
}

public struct AgendaProposal: Sendable, Equatable {
    public var caseID: Int64
    public var reason: AgendaReason
}

/// Proposes the cases a panel should discuss: active cases at the panel's level that are new, overdue, or due
/// before the panel after this one would sit (`horizonDays` after the meeting). Overdue first, most overdue
/// first; then new cases; then those due, soonest first.
public enum AgendaBuilder {
    public static func proposals(_ cases: [AgendaCase], kind: MeetingKind, meetingDate: CalendarDate, horizonDays: Int = 14,
                                 timescales: Timescales = Timescales()) -> [AgendaProposal] {
        guard let level = kind.reviewLevel else { return [] }
        var proposals: [(rank: (Int, Int), proposal: AgendaProposal)] = []
        for item in cases where item.status == .active && item.level == level {
            if item.lastReviewedOn == nil {
                proposals.append(((1, item.startDate.daysSinceEpoch), AgendaProposal(caseID: item.caseID, reason: .newCase)))
                continue
            }
            guard let due = item.nextReviewDate ?? item.lastReviewedOn.flatMap({ timescales.nextReviewDue(after: $0, level: level) }) else {
                continue
            }
            let days = meetingDate.days(until: due)
            if days < 0 {
                proposals.append(((0, days), AgendaProposal(caseID: item.caseID, reason: .overdue(days: -days))))
            } else if days <= horizonDays {
                proposals.append(((2, days), AgendaProposal(caseID: item.caseID, reason: .due(inDays: days))))
            }
        }
        return proposals.sorted { ($0.rank.0, $0.rank.1, $0.proposal.caseID) < ($1.rank.0, $1.rank.1, $1.proposal.caseID) }.map(\.proposal)
    }
}

/// The facts about one case discussion that compliance is checked against.
public struct DiscussionFacts: Sendable, Equatable {
    public var caseID: Int64
    public var label: String
    public var level: ManagementLevel
    public var leadAgency: String
    public var inCustody: Bool
    /// The review before this one (or the MAPPA start date for an initial meeting).
    public var previousReview: CalendarDate?
    /// Agency code → how it took part in this discussion (or the whole meeting).
    public var attendance: [String: AttendanceStatus]
    public var confidentialityAcknowledged: Bool

    public init(caseID: Int64, label: String, level: ManagementLevel, leadAgency: String, inCustody: Bool,
                previousReview: CalendarDate?, attendance: [String: AttendanceStatus], confidentialityAcknowledged: Bool) {
        self.caseID = caseID
        self.label = label
        self.level = level
        self.leadAgency = leadAgency
        self.inCustody = inCustody
        self.previousReview = previousReview
        self.attendance = attendance
        self.confidentialityAcknowledged = confidentialityAcknowledged
    }

    /// The agencies that must be represented (domain.md §3.3): police, probation, the lead agency, and the
    /// prison service for a case in custody.
    public var coreAgencies: [String] {
        var codes = ["police", "probation"]
        if !codes.contains(leadAgency) && !leadAgency.isEmpty { codes.append(leadAgency) }
        if inCustody { codes.append("prison") }
        return codes
    }
}

public struct MeetingFacts: Sendable, Equatable {
    public var kind: MeetingKind
    public var date: CalendarDate
    public var status: MeetingStatus
    public var chairGrade: ChairGrade?
    public var papersSentOn: CalendarDate?
    public var discussions: [DiscussionFacts]

    public init(kind: MeetingKind, date: CalendarDate, status: MeetingStatus, chairGrade: ChairGrade?,
                papersSentOn: CalendarDate?, discussions: [DiscussionFacts]) {
        self.kind = kind
        self.date = date
        self.status = status
        self.chairGrade = chairGrade
        self.papersSentOn = papersSentOn
        self.discussions = discussions
    }
}

public struct ComplianceFinding: Sendable, Equatable {
    public enum Check: String, Sendable, CaseIterable {
        case coreAgencies = "core_agencies"
        case chairGrade = "chair_grade"
        case reviewInterval = "review_interval"
        case papersInAdvance = "papers_in_advance"
        case confidentiality
    }
    public var check: Check
    public var caseID: Int64?
    public var message: String
}

/// Statutory and audit checks on a meeting (domain.md §3.3–3.4, §4.6, §6): core agencies represented, a chair
/// of the right seniority, each case reviewed within its interval, papers sent in advance, and the
/// confidentiality statement acknowledged. Attendance checks apply once the meeting is held.
public enum MeetingCompliance {
    /// `today` decides whether missing papers are late yet: they are expected `papersNoticeDays` before.
    public static func findings(_ meeting: MeetingFacts, today: CalendarDate, timescales: Timescales = Timescales(),
                                papersNoticeDays: Int = 5) -> [ComplianceFinding] {
        guard meeting.status != .cancelled else { return [] }
        var found: [ComplianceFinding] = []
        if let minimum = meeting.kind.minimumChairGrade {
            if let grade = meeting.chairGrade {
                if grade < minimum {
                    found.append(ComplianceFinding(check: .chairGrade, caseID: nil,
                        message: "A \(meeting.kind.displayName) needs a chair at \(minimum == .strategic ? "strategic manager" : "manager") grade or above"))
                }
            } else {
                found.append(ComplianceFinding(check: .chairGrade, caseID: nil, message: "No chair grade recorded for this meeting"))
            }
        }
        if meeting.kind.reviewLevel != nil {
            if let sent = meeting.papersSentOn {
                if sent.days(until: meeting.date) < papersNoticeDays {
                    found.append(ComplianceFinding(check: .papersInAdvance, caseID: nil,
                        message: "Papers were sent \(sent.days(until: meeting.date)) days before the meeting; at least \(papersNoticeDays) days are expected"))
                }
            } else if meeting.date.adding(days: -papersNoticeDays) <= today || meeting.status == .held {
                found.append(ComplianceFinding(check: .papersInAdvance, caseID: nil,
                    message: "Papers (referral and previous minutes) not recorded as sent \(papersNoticeDays) days before the meeting"))
            }
        }
        for discussion in meeting.discussions {
            if let weeks = timescales.reviewWeeks(for: discussion.level), let previous = discussion.previousReview {
                let late = previous.days(until: meeting.date) - weeks * 7
                if late > 0 {
                    found.append(ComplianceFinding(check: .reviewInterval, caseID: discussion.caseID,
                        message: "\(discussion.label): reviewed \(late) day\(late == 1 ? "" : "s") after the \(weeks)-week interval for \(discussion.level.shortName)"))
                }
            }
            guard meeting.status == .held else { continue }
            for agency in discussion.coreAgencies {
                switch discussion.attendance[agency] {
                case .attended?: break
                case .reportSent?:
                    found.append(ComplianceFinding(check: .coreAgencies, caseID: discussion.caseID,
                        message: "\(discussion.label): \(agencyLabel(agency)) sent a report but was not represented"))
                default:
                    found.append(ComplianceFinding(check: .coreAgencies, caseID: discussion.caseID,
                        message: "\(discussion.label): \(agencyLabel(agency)) was not represented"))
                }
            }
            if !discussion.confidentialityAcknowledged {
                found.append(ComplianceFinding(check: .confidentiality, caseID: discussion.caseID,
                    message: "\(discussion.label): the confidentiality statement was not recorded as read or acknowledged"))
            }
        }
        return found
    }

    static func agencyLabel(_ code: String) -> String {
        AgencySeed.statutory.first { $0.code == code }?.name ?? code
    }
}

/// What the coordinator enters to schedule a meeting (or each meeting of a series).
public struct MeetingPlan: Sendable, Equatable {
    public var kind: MeetingKind
    public var title: String
    public var date: CalendarDate
    public var startTime: String
    public var durationMinutes: Int
    public var venue: String
    public var onlineLink: String
    public var chairUserID: Int64?
    public var chairGrade: ChairGrade?

    public init(kind: MeetingKind, title: String, date: CalendarDate, startTime: String, durationMinutes: Int = 120,
                venue: String = "", onlineLink: String = "", chairUserID: Int64? = nil, chairGrade: ChairGrade? = nil) {
        self.kind = kind
        self.title = title
        self.date = date
        self.startTime = startTime
        self.durationMinutes = durationMinutes
        self.venue = venue
        self.onlineLink = onlineLink
        self.chairUserID = chairUserID
        self.chairGrade = chairGrade
    }

    /// Checks a person can act on: a title, a real time, a sensible length, and somewhere to meet.
    public func problems(today: CalendarDate, allowPast: Bool = false) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "title", message: "Enter a title for the meeting"))
        }
        if !allowPast && date < today { problems.append(ValidationProblem(field: "date", message: "The meeting date must be today or later")) }
        if MeetingPlan.minutesOfDay(startTime) == nil {
            problems.append(ValidationProblem(field: "start_time", message: "Enter the start time as hours and minutes, like 10:00"))
        }
        if !(15...480).contains(durationMinutes) {
            problems.append(ValidationProblem(field: "duration", message: "The meeting must last between 15 minutes and 8 hours"))
        }
        if venue.trimmingCharacters(in: .whitespaces).isEmpty && onlineLink.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "venue", message: "Enter a venue, an online meeting link, or both"))
        }
        if !onlineLink.isEmpty && !onlineLink.lowercased().hasPrefix("https://") {
            problems.append(ValidationProblem(field: "online_link", message: "The online meeting link must start with https://"))
        }
        return problems
    }

    /// "10:30" → 630; nil when not a time of day.
    public static func minutesOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }
}
