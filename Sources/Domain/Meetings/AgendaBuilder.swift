import Foundation

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
