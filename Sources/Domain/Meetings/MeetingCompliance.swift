import Foundation

/// The facts about one case discussion that compliance is checked against.
public struct DiscussionFacts: Sendable, Equatable {
    public var caseID: Int64
    public var label: String
    public var level: ManagementLevel
    public var leadAgency: String
    public var inCustody: Bool
    /// The review date this discussion was due by: the case's one stored review date (`ReviewSchedule`), as it
    /// stood when the meeting was held (kept on the agenda item then), or as it stands now for a meeting not yet held.
    /// Nil when none was set.
    public var reviewDue: CalendarDate?
    /// Agency code → how it took part in this discussion (or the whole meeting).
    public var attendance: [String: AttendanceStatus]
    public var confidentialityAcknowledged: Bool
    /// When the discussion's minutes first went out (by the app's mail or recorded as sent another way): `.some(nil)`
    /// not yet; nil when not known, and then not checked.
    public var minutesDistributedOn: CalendarDate?? = nil

    public init(caseID: Int64, label: String, level: ManagementLevel, leadAgency: String, inCustody: Bool,
                reviewDue: CalendarDate?, attendance: [String: AttendanceStatus], confidentialityAcknowledged: Bool) {
        self.caseID = caseID
        self.label = label
        self.level = level
        self.leadAgency = leadAgency
        self.inCustody = inCustody
        self.reviewDue = reviewDue
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
        case minutesDistribution = "minutes_distribution"
    }
    public var check: Check
    public var caseID: Int64?
    public var message: String
}

/// Statutory and audit checks on a meeting (domain.md §3.3–3.4, §4.6, §6): core agencies represented, a chair
/// of the right seniority, each case reviewed within its interval, papers sent in advance, the
/// confidentiality statement acknowledged, and the minutes distributed by the deadline (`MinutesWorkflow.distributionCheck`,
/// as the KPI holds them). Attendance checks apply once the meeting is held.
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
            if meeting.kind.reviewLevel != nil, discussion.level == .two || discussion.level == .three {
                if let due = discussion.reviewDue {
                    let late = due.days(until: meeting.date)
                    if late > 0 {
                        found.append(ComplianceFinding(check: .reviewInterval, caseID: discussion.caseID,
                            message: "\(discussion.label): reviewed \(late) day\(late == 1 ? "" : "s") after its review date, \(due.displayText)"))
                    }
                } else {
                    found.append(ComplianceFinding(check: .reviewInterval, caseID: discussion.caseID,
                        message: "\(discussion.label): no review date was set for this \(discussion.level.shortName) case"))
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
            if meeting.kind.reviewLevel != nil, let distributedOn = discussion.minutesDistributedOn {
                let (deadline, check) = MinutesWorkflow.distributionCheck(meetingDate: meeting.date, distributedOn: distributedOn,
                                                                          workingDays: timescales.minutesDistributionWorkingDays, today: today)
                switch check {
                case .late(let sent, let days):
                    found.append(ComplianceFinding(check: .minutesDistribution, caseID: discussion.caseID,
                        message: "\(discussion.label): minutes distributed \(sent.displayText), \(days) day\(days == 1 ? "" : "s") after the deadline of \(deadline.displayText)"))
                case .overdue:
                    found.append(ComplianceFinding(check: .minutesDistribution, caseID: discussion.caseID,
                        message: "\(discussion.label): minutes not distributed by \(deadline.displayText) (\(timescales.minutesDistributionWorkingDays) working days after the meeting)"))
                case .onTime, .notDue: break
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
