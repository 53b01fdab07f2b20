/// When a Level 2 or 3 case is next due for review, from the last meeting or screening decision and the
/// configured intervals (defaults: Level 3 every 8 weeks, Level 2 every 16; domain.md §3.4 marks these as
/// settings to confirm locally).
public struct ReviewSchedule: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Level 1 or unknown: no multi-agency review cycle.
        case notApplicable
        /// Never reviewed at this level: due now.
        case neverReviewed
        case dueIn(days: Int)
        case overdue(days: Int)
    }

    public var dueDate: CalendarDate?
    public var state: State

    public init(level: ManagementLevel, lastReviewed: CalendarDate?, today: CalendarDate, timescales: Timescales) {
        guard timescales.reviewWeeks(for: level) != nil else {
            dueDate = nil
            state = .notApplicable
            return
        }
        guard let lastReviewed, let due = timescales.nextReviewDue(after: lastReviewed, level: level) else {
            dueDate = nil
            state = .neverReviewed
            return
        }
        dueDate = due
        let days = today.days(until: due)
        state = days < 0 ? .overdue(days: -days) : .dueIn(days: days)
    }

    /// Whether the case belongs on an agenda for a meeting on `meetingDate`: overdue or due by then.
    public func isDue(by meetingDate: CalendarDate) -> Bool {
        switch state {
        case .notApplicable: return false
        case .neverReviewed: return true
        case .dueIn, .overdue: return dueDate.map { $0 <= meetingDate } ?? false
        }
    }

    public var isOverdue: Bool { if case .overdue = state { return true } else { return false } }
}
