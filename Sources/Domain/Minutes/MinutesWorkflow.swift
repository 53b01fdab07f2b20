import Foundation

/// What can happen to minutes, and who may do it.
public enum MinutesEvent: Sendable, Equatable {
    case submit
    case approve
    case sendBack(comments: String)
    case distribute
}

public struct MinutesTransitionError: Error, Sendable, Equatable {
    public var message: String
}

/// The minutes workflow as a pure state machine: draft → submitted → approved (or sent back, then submitted
/// again) → distributed. Submitting needs a clean quality check; sending back needs comments.
public enum MinutesWorkflow {
    public static func next(_ status: MinutesStatus, _ event: MinutesEvent, findings: [MinutesFinding] = []) -> Result<MinutesStatus, MinutesTransitionError> {
        switch (status, event) {
        case (.draft, .submit), (.sentBack, .submit):
            return findings.isEmpty ? .success(.submitted)
                : .failure(MinutesTransitionError(message: "The quality check found \(findings.count) thing\(findings.count == 1 ? "" : "s") to complete before the chair can approve the minutes"))
        case (.submitted, .approve):
            return .success(.approved)
        case (.submitted, .sendBack(let comments)):
            return comments.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? .failure(MinutesTransitionError(message: "Say what needs changing when sending minutes back"))
                : .success(.sentBack)
        case (.approved, .distribute):
            return .success(.distributed)
        default:
            return .failure(MinutesTransitionError(message: "Minutes that are \(status.displayName.lowercased()) cannot be \(verb(event))"))
        }
    }

    /// Why the chair cannot approve minutes of this meeting yet, or nil when they can: the minutes record what a meeting
    /// decided, so the meeting must have been held (marked held by the coordinator, on or after its date).
    public static func approvalBlocked(meetingStatus: MeetingStatus, meetingDate: CalendarDate, today: CalendarDate) -> String? {
        if meetingStatus == .cancelled { return "The meeting was cancelled, so its minutes cannot be approved" }
        if meetingDate > today {
            return "The meeting is on \(meetingDate.displayText): minutes can be approved only after the meeting has been held"
        }
        if meetingStatus != .held {
            return "The meeting has not been marked as held yet: the coordinator marks it held, then the minutes can be approved"
        }
        return nil
    }

    static func verb(_ event: MinutesEvent) -> String {
        switch event {
        case .submit: return "submitted"
        case .approve: return "approved"
        case .sendBack: return "sent back"
        case .distribute: return "distributed"
        }
    }

    /// Which versions of minutes a person reads, once need-to-know admits them to the case: unit staff (who see every
    /// case) every version, drafts included; partner-agency staff only minutes the chair has approved, never a draft
    /// or minutes waiting for the chair.
    public static func mayRead(_ status: MinutesStatus, role: Role) -> Bool {
        if role.can(.viewCases) { return true }
        return role.can(.viewInvolvedCases) && (status == .approved || status == .distributed)
    }

    /// Where a discussion's minutes stand against the distribution deadline: the one rule the compliance check and the
    /// KPI both apply. `distributedOn` is the first day they went out, by the app's mail or recorded as sent another
    /// way (`minutes.distributed_at`).
    public enum DistributionCheck: Sendable, Equatable {
        case onTime(distributed: CalendarDate)
        case late(distributed: CalendarDate, days: Int)
        /// Past the deadline and still not distributed.
        case overdue
        /// Not distributed, and not due yet.
        case notDue
    }

    public static func distributionCheck(meetingDate: CalendarDate, distributedOn: CalendarDate?, workingDays: Int,
                                         today: CalendarDate) -> (deadline: CalendarDate, check: DistributionCheck) {
        let deadline = distributionDeadline(meetingDate: meetingDate, workingDays: workingDays)
        if let sent = distributedOn {
            return (deadline, sent <= deadline ? .onTime(distributed: sent) : .late(distributed: sent, days: deadline.days(until: sent)))
        }
        return (deadline, deadline < today ? .overdue : .notDue)
    }

    /// The distribution deadline: `workingDays` working days (Monday to Friday) after the meeting.
    public static func distributionDeadline(meetingDate: CalendarDate, workingDays: Int = 10) -> CalendarDate {
        var date = meetingDate
        var left = workingDays
        while left > 0 {
            date = date.adding(days: 1)
            if !date.isWeekend { left -= 1 }
        }
        return date
    }
}

extension CalendarDate {
    /// Saturday or Sunday (1970-01-01, day 0, was a Thursday).
    public var isWeekend: Bool {
        let weekday = ((daysSinceEpoch % 7) + 7 + 3) % 7  // 0 = Monday
        return weekday >= 5
    }
}
