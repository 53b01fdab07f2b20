import Database
import Domain
import Foundation

/// Reviews coming due, as the home queues list them.
public struct ReviewsDue: Sendable, Equatable {
    /// Every review in the span, of which `overdue` are past their date.
    public var total: Int
    public var overdue: Int
    /// The first of them, most overdue first.
    public var reviews: [CaseStore.OverdueReview]
}

extension CaseStore {
    /// Active Level 2 and 3 cases the viewer may see whose stored next review date is on or before `through` (every
    /// one with a date when nil), the most overdue first: the coordinator's "overdue and due in 14 days", and an agency
    /// representative's cases by their next review.
    public func reviewsDue(through: CalendarDate?, for viewer: Viewer, limit: Int = 10) throws -> ReviewsDue {
        let today = context.today
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            var filter = """
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id
                WHERE cases.status = 'active' AND cases.level IN (2, 3) AND cases.next_review_date IS NOT NULL
                """
            var parameters: [SQLValue] = []
            if let through { filter += " AND cases.next_review_date <= ?"; parameters.append(.text(through.description)) }
            filter += visible.sql
            parameters += visible.parameters
            let counts = try connection.queryOne("SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN cases.next_review_date < ? THEN 1 ELSE 0 END), 0) AS late "
                                                 + filter, [.text(today.description)] + parameters)
            let reviews = try connection.query(OverdueReview.self, "SELECT \(OverdueReview.columns) " + filter
                                               + " ORDER BY cases.next_review_date, cases.id LIMIT ?", parameters + [.integer(Int64(limit))])
            return ReviewsDue(total: try counts?.value("n") ?? 0, overdue: try counts?.value("late") ?? 0, reviews: reviews)
        }
    }
}
