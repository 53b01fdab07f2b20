import Database
import Domain
import Foundation

/// One reason a referral was returned, with the form field it concerns ("" when it names none).
public struct ReturnReason: Sendable, Equatable, RowDecodable {
    public var field: String
    public var reason: String

    public static let columns = "referral_return_reasons.field, referral_return_reasons.reason"

    public init(row: inout RowReader) throws(DatabaseError) {
        field = try row.decode("field")
        reason = try row.decode("reason")
    }

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// A referral's latest return: when, by whom and why, reason by reason.
public struct ReferralReturn: Sendable, Equatable {
    public var returnedAt: String
    public var returnedBy: String
    public var reasons: [ReturnReason]
}

/// A referral waiting on someone, with how many there are in all: a home queue's count and its first few.
public struct ReferralQueue: Sendable, Equatable {
    public var total: Int
    public var first: [ReferralRecord]
}

/// What a referrer's home page lists: their referrals returned to them (with the reasons), waiting for screening,
/// and decided lately.
public struct ReferrerQueues: Sendable, Equatable {
    public var returned: [(referral: ReferralRecord, returned: ReferralReturn)]
    public var awaitingScreening: ReferralQueue
    public var decided: [ReferralRecord]

    public static func == (a: Self, b: Self) -> Bool {
        a.returned.map(\.referral) == b.returned.map(\.referral) && a.returned.map(\.returned) == b.returned.map(\.returned)
            && a.awaitingScreening == b.awaitingScreening && a.decided == b.decided
    }
}

/// What the coordinator's home page lists of referrals: submitted ones the quality check found incomplete (to check
/// and return, or screen regardless), and those ready for screening; oldest first.
public struct CoordinatorReferralQueues: Sendable, Equatable {
    public var toCheck: ReferralQueue
    public var readyForScreening: ReferralQueue
}

extension ReferralStore {
    /// The latest return of the referral (one the viewer may see), or nil if it was never returned. Reasons recorded
    /// before they were kept one by one come back as the return's note, line by line.
    public func latestReturn(of referral: ReferralRecord) throws -> ReferralReturn? {
        try database.read { connection in try Self.latestReturns(connection, referralIDs: [referral.id])[referral.id] }
    }

    /// The latest return of each referral, in one query for the event and one for the reasons.
    static func latestReturns(_ connection: Connection, referralIDs: [Int64]) throws -> [Int64: ReferralReturn] {
        guard !referralIDs.isEmpty else { return [:] }
        let events = try connection.query("""
            SELECT referral_events.id, referral_events.referral_id, referral_events.occurred_at, referral_events.note,
                   COALESCE(users.display_name, '') AS user_name
            FROM referral_events LEFT JOIN users ON users.id = referral_events.user_id
            WHERE referral_events.id IN (SELECT MAX(e.id) FROM referral_events e WHERE e.event = 'Returned to referrer'
                                         AND e.referral_id IN (\(SQL.placeholders(referralIDs.count))) GROUP BY e.referral_id)
            """, SQL.ids(referralIDs))
        guard !events.isEmpty else { return [:] }
        var eventIDs: [Int64] = []
        var found: [Int64: (referralID: Int64, ReferralReturn, note: String)] = [:]
        for row in events {
            var reader = RowReader(row)
            let eventID: Int64 = try reader.decode("id")
            let referralID: Int64 = try reader.decode("referral_id")
            let at: String = try reader.decode("occurred_at")
            let note: String = try reader.decode("note")
            let by: String = try reader.decode("user_name")
            eventIDs.append(eventID)
            found[eventID] = (referralID, ReferralReturn(returnedAt: at, returnedBy: by, reasons: []), note)
        }
        for row in try connection.query("SELECT referral_return_reasons.event_id, \(ReturnReason.columns) FROM referral_return_reasons"
                                         + " WHERE referral_return_reasons.event_id IN (\(SQL.placeholders(eventIDs.count)))"
                                         + " ORDER BY referral_return_reasons.event_id, referral_return_reasons.position", SQL.ids(eventIDs)) {
            var reader = RowReader(row)
            let eventID: Int64 = try reader.decode("event_id")
            found[eventID]?.1.reasons.append(try ReturnReason(row: &reader))
        }
        var result: [Int64: ReferralReturn] = [:]
        for (_, entry) in found {
            var returned = entry.1
            if returned.reasons.isEmpty {
                returned.reasons = ReturnReasons.parse(entry.note, findings: []).map { ReturnReason(field: $0.field, reason: $0.reason) }
            }
            result[entry.referralID] = returned
        }
        return result
    }

    /// The viewer's own referrals returned to them, oldest return first, each with its reasons.
    public func returnedReferrals(for viewer: Viewer, limit: Int = 20) throws -> (total: Int, referrals: [(referral: ReferralRecord, returned: ReferralReturn)]) {
        let queue = try ownQueue(viewer, statuses: [.returned], order: "referrals.updated_at, referrals.id", limit: limit)
        let returns = try database.read { connection in try Self.latestReturns(connection, referralIDs: queue.first.map(\.id)) }
        return (queue.total, queue.first.compactMap { referral in returns[referral.id].map { (referral, $0) } })
    }

    /// The referrer's home queues: returned to them (with reasons), waiting for screening (oldest first) and decided in
    /// the last `decidedWithinDays` days (newest first), `limit` of each.
    public func referrerQueues(for viewer: Viewer, limit: Int = 10, decidedWithinDays: Int = 30) throws -> ReferrerQueues {
        let returned = try returnedReferrals(for: viewer, limit: limit)
        let awaiting = try ownQueue(viewer, statuses: [.submitted, .resubmitted], order: "referrals.submitted_at, referrals.id", limit: limit)
        let since = Timestamp.string(clock.now().addingTimeInterval(-Double(decidedWithinDays) * 86_400))
        let decided = try database.read { connection in
            try withoutHiddenCases(try connection.query(ReferralRecord.self, "SELECT \(ReferralRecord.columns) \(ReferralRecord.tables)"
                                 + " WHERE referrals.referrer_user_id = ? AND referrals.status IN ('accepted', 'declined') AND referrals.updated_at >= ?"
                                 + " ORDER BY referrals.updated_at DESC, referrals.id DESC LIMIT ?",
                                 [.integer(viewer.user.id), .text(since), .integer(Int64(limit))]), viewer, connection)
        }
        return ReferrerQueues(returned: returned.referrals, awaitingScreening: awaiting, decided: decided)
    }

    /// The coordinator's referral queues, oldest submission first: those whose quality check finds something to add or
    /// correct (to check, and return or screen regardless), and those ready for screening. Only referrals the viewer may
    /// see (`visibility`).
    public func coordinatorQueues(for viewer: Viewer, limit: Int = 10) throws -> CoordinatorReferralQueues {
        guard viewer.can(.manageReferrals) else { throw DomainError.roleRefused() }
        let waiting = try database.read { connection in
            let visible = try visibility(viewer, connection)
            return try connection.query(ReferralRecord.self, "SELECT \(ReferralRecord.columns) \(ReferralRecord.tables)"
                                        + " WHERE referrals.status IN ('submitted', 'resubmitted')" + visible.sql
                                        + " ORDER BY referrals.submitted_at, referrals.id", visible.parameters)
        }
        let check = ReferralQualityCheck(timescales: try context.timescales())
        let today = context.today
        var toCheck: [ReferralRecord] = []
        var ready: [ReferralRecord] = []
        for referral in waiting {
            if ReferralQualityCheck.isReadyForScreening(check.findings(referral.form, today: today)) { ready.append(referral) } else { toCheck.append(referral) }
        }
        return CoordinatorReferralQueues(toCheck: ReferralQueue(total: toCheck.count, first: Array(toCheck.prefix(limit))),
                                         readyForScreening: ReferralQueue(total: ready.count, first: Array(ready.prefix(limit))))
    }

    private func ownQueue(_ viewer: Viewer, statuses: [ReferralStatus], order: String, limit: Int) throws -> ReferralQueue {
        try database.read { connection in
            let filter = " WHERE referrals.referrer_user_id = ? AND referrals.status IN (\(SQL.placeholders(statuses.count)))"
            let parameters = [SQLValue.integer(viewer.user.id)] + statuses.map { .text($0.rawValue) }
            let total: Int = try connection.queryOne("SELECT COUNT(*) AS n FROM referrals" + filter, parameters)?.value("n") ?? 0
            let first = try connection.query(ReferralRecord.self, "SELECT \(ReferralRecord.columns) \(ReferralRecord.tables)" + filter
                                             + " ORDER BY \(order) LIMIT ?", parameters + [.integer(Int64(limit))])
            return ReferralQueue(total: total, first: first)
        }
    }
}
