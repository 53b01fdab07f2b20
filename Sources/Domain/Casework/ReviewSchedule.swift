/// Where a Level 2 or 3 case stands against its review date. There is one review date per case, the stored
/// `cases.next_review_date`, set by the screening decision, by approved minutes (the meeting's date plus the interval
/// for the level, unless the panel set another date) or by an edit with a reason; every page, list, check, indicator,
/// export and the API read that date, and this works out the state from it and today, nothing else.
///
/// An active Level 2 or 3 case with no stored date (a register import without one, or a level raised from 1 without
/// one) is never given an invented date: it shows as "No review date set" and counts as due now, so it is on the
/// home page's list and the next panel's agenda until someone sets one.
public struct ReviewSchedule: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Level 1 or unknown, or an exited case: no multi-agency review cycle.
        case notApplicable
        /// A Level 2 or 3 case without a stored review date: due now.
        case notSet
        case dueIn(days: Int)
        case overdue(days: Int)
    }

    /// The stored review date; nil when none is set or none applies.
    public var dueDate: CalendarDate?
    public var state: State

    public init(level: ManagementLevel, status: CaseStatus = .active, nextReviewDate: CalendarDate?, today: CalendarDate) {
        guard status == .active, level == .two || level == .three else {
            dueDate = nil
            state = .notApplicable
            return
        }
        guard let nextReviewDate else {
            dueDate = nil
            state = .notSet
            return
        }
        dueDate = nextReviewDate
        let days = today.days(until: nextReviewDate)
        state = days < 0 ? .overdue(days: -days) : .dueIn(days: days)
    }

    /// Whether the case belongs on an agenda for a meeting on `meetingDate`: no date set, or due by then.
    public func isDue(by meetingDate: CalendarDate) -> Bool {
        switch state {
        case .notApplicable: return false
        case .notSet: return true
        case .dueIn, .overdue: return dueDate.map { $0 <= meetingDate } ?? false
        }
    }

    public var isOverdue: Bool { if case .overdue = state { return true } else { return false } }

    /// The state as the case page says it: "4 March 2027 (in 12 days)", "Overdue by 3 days (due 1 March 2027)".
    public var text: String {
        switch state {
        case .notApplicable: return "No multi-agency review cycle at this level"
        case .notSet: return "No review date set: due now"
        case .dueIn(let days):
            let when = days == 0 ? "today" : "in \(days) day\(days == 1 ? "" : "s")"
            return "\(dueDate?.displayText ?? "") (\(when))"
        case .overdue(let days): return "Overdue by \(days) day\(days == 1 ? "" : "s") (due \(dueDate?.displayText ?? ""))"
        }
    }
}
