import Foundation

/// A MAPPA case as the agenda builder sees it.
public struct AgendaCase: Sendable, Equatable {
    public var caseID: Int64
    public var level: ManagementLevel
    public var status: CaseStatus
    public var startDate: CalendarDate
    /// The case's one review date (`ReviewSchedule`): nil when none is set.
    public var nextReviewDate: CalendarDate?
    /// Nil until a panel has first discussed the case: a newly accepted referral.
    public var lastReviewedOn: CalendarDate?
    /// The level of the panel that last reviewed the case (nil when none did, or it was not a Level 2 or 3 panel).
    public var lastReviewedLevel: ManagementLevel?

    public init(caseID: Int64, level: ManagementLevel, status: CaseStatus = .active, startDate: CalendarDate,
                nextReviewDate: CalendarDate?, lastReviewedOn: CalendarDate?, lastReviewedLevel: ManagementLevel? = nil) {
        self.caseID = caseID
        self.level = level
        self.status = status
        self.startDate = startDate
        self.nextReviewDate = nextReviewDate
        self.lastReviewedOn = lastReviewedOn
        self.lastReviewedLevel = lastReviewedLevel
    }
}

/// Why the agenda builder proposes a case.
public enum AgendaReason: Sendable, Equatable {
    /// Accepted at screening and never discussed at a panel: an initial meeting.
    case newCase
    /// Last reviewed at a panel of another level: first review at the level it is managed at now.
    case levelChanged(from: ManagementLevel, to: ManagementLevel)
    /// A Level 2 or 3 case with no stored review date: due now (`ReviewSchedule`).
    case noReviewDate
    case overdue(days: Int)
    case due(inDays: Int)

    public var text: String {
        switch self {
        case .newCase: return "New case: never reviewed at a panel"
        case .levelChanged(let from, let to):
            return "Level changed: moved from \(from.shortName) to \(to.shortName), first review at \(to.shortName)"
        case .noReviewDate: return "No review date set: review due"
        case .overdue(let days): return "Review overdue by \(days) day\(days == 1 ? "" : "s")"
        case .due(let days): return days == 0 ? "Review due on the meeting day" : "Review due in \(days) day\(days == 1 ? "" : "s") of the meeting"
        }
    }
}

public struct AgendaProposal: Sendable, Equatable {
    public var caseID: Int64
    public var reason: AgendaReason
}

/// Proposes the cases a panel should discuss: active cases at the panel's level that are new, moved from another
/// level, without a review date, overdue, or due before the panel after this one would sit (`horizonDays` after the
/// meeting). Overdue first, most overdue first; then new, moved and undated cases; then those due, soonest first.
/// Due and overdue are counted from the case's one stored review date to the meeting's date.
public enum AgendaBuilder {
    public static func proposals(_ cases: [AgendaCase], kind: MeetingKind, meetingDate: CalendarDate,
                                 horizonDays: Int = 14) -> [AgendaProposal] {
        guard let level = kind.reviewLevel else { return [] }
        var proposals: [(rank: (Int, Int), proposal: AgendaProposal)] = []
        for item in cases where item.status == .active && item.level == level {
            if item.lastReviewedOn == nil {
                proposals.append(((1, item.startDate.daysSinceEpoch), AgendaProposal(caseID: item.caseID, reason: .newCase)))
                continue
            }
            if let reviewedAt = item.lastReviewedLevel, reviewedAt != level {
                proposals.append(((1, item.startDate.daysSinceEpoch),
                                  AgendaProposal(caseID: item.caseID, reason: .levelChanged(from: reviewedAt, to: level))))
                continue
            }
            guard let due = item.nextReviewDate else {
                proposals.append(((1, item.startDate.daysSinceEpoch), AgendaProposal(caseID: item.caseID, reason: .noReviewDate)))
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

    /// The flag on an agenda item whose case is no longer managed at the panel's level (moved from Level 3 to Level 2
    /// while on a Level 3 agenda, say); nil when the level matches or the panel is not a level panel.
    public static func levelMismatch(caseLevel: ManagementLevel, kind: MeetingKind) -> String? {
        guard let panel = kind.reviewLevel, caseLevel != panel else { return nil }
        return "Level changed: this case is now managed at \(caseLevel == .unknown ? "an unknown level" : caseLevel.shortName), not \(panel.shortName). Move it to the right panel or record why it stays."
    }
}

/// When a case is discussed on the day of the meeting: a start time "HH:MM" (24-hour), within the meeting's hours.
public enum AgendaTimeSlot {
    /// What is wrong with `slot` for a meeting starting at `meetingStart` and lasting `durationMinutes`; empty when
    /// the slot is blank (no time given) or fits.
    public static func problems(_ slot: String, meetingStart: String, durationMinutes: Int) -> [ValidationProblem] {
        guard !slot.isEmpty else { return [] }
        guard slot.count == 5, slot.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":") }), let time = MeetingPlan.minutesOfDay(slot) else {
            return [ValidationProblem(field: "start_time", message: "Enter the start time as hours and minutes, for example 10:30")]
        }
        if let start = MeetingPlan.minutesOfDay(meetingStart), time < start || time >= start + durationMinutes {
            let end = start + durationMinutes
            let endText = String(format: "%02d:%02d", (end / 60) % 24, end % 60)
            return [ValidationProblem(field: "start_time", message: "The start time must be within the meeting, from \(meetingStart) to before \(endText)")]
        }
        return []
    }
}
