import Database
import Domain
import Foundation

/// A screening panel's recorded decision on a referral, as `recordScreening` stored it.
public struct ScreeningDecisionRecord: Sendable, Equatable {
    public enum Decision: String, Sendable, CaseIterable {
        case accepted, declined
    }
    public var id: Int64
    public var referralID: Int64
    public var decision: Decision
    /// The level the panel agreed; nil when declined.
    public var level: ManagementLevel?
    /// What the guidance pointed to; nil when it pointed to declining.
    public var recommendedLevel: ManagementLevel?
    public var facts: ScreeningFacts?
    public var recommendation: LevelRecommendation?
    public var rationale: String
    /// The reason given to the referrer when declined (recorded on the referral's history).
    public var declineReason: String?
    public var decidedOn: CalendarDate
    public var decidedByName: String
    public var nominalID: Int64?
    public var caseID: Int64?
}

extension CaseworkService {
    static let screeningDecisionSelect = """
        SELECT screening_decisions.*, COALESCE(users.display_name, '') AS decided_by_name,
               referrals.nominal_id AS referral_nominal_id, referrals.case_id AS referral_case_id,
               (SELECT note FROM referral_events WHERE referral_events.referral_id = screening_decisions.referral_id
                  AND referral_events.event = 'Declined at screening' ORDER BY referral_events.id DESC LIMIT 1) AS decline_note
        FROM screening_decisions JOIN referrals ON referrals.id = screening_decisions.referral_id
        LEFT JOIN users ON users.id = screening_decisions.decided_by
        """

    static func screeningDecision(_ row: Row) -> ScreeningDecisionRecord {
        let decision = ScreeningDecisionRecord.Decision(rawValue: row.string("decision")) ?? .declined
        let decode = { (column: String) in Data(row.string(column).utf8) }
        return ScreeningDecisionRecord(
            id: row.int64("id"), referralID: row.int64("referral_id"), decision: decision,
            level: row["level"].int.flatMap(ManagementLevel.init(rawValue:)),
            recommendedLevel: row["recommended_level"].int.flatMap(ManagementLevel.init(rawValue:)),
            facts: try? JSONDecoder().decode(ScreeningFacts.self, from: decode("facts_json")),
            recommendation: try? JSONDecoder().decode(LevelRecommendation.self, from: decode("recommendation_json")),
            rationale: row.string("rationale"),
            declineReason: decision == .declined ? row["decline_note"].string : nil,
            decidedOn: CalendarDate(row.string("decided_on")) ?? CalendarDate(daysSinceEpoch: 0),
            decidedByName: row.string("decided_by_name"),
            nominalID: row["referral_nominal_id"].int64, caseID: row["referral_case_id"].int64)
    }

    /// The decision on one referral (the latest, should it ever have been screened twice), or nil if it has
    /// not been screened.
    public func screeningDecision(referralID: Int64) throws -> ScreeningDecisionRecord? {
        try database.read {
            try $0.queryOne(Self.screeningDecisionSelect + " WHERE screening_decisions.referral_id = ? ORDER BY screening_decisions.id DESC LIMIT 1",
                            [.integer(referralID)]).map(Self.screeningDecision)
        }
    }

    /// Decisions made on or after a date, oldest first, so a client can follow new decisions day by day.
    public func screeningDecisions(since: CalendarDate, limit: Int) throws -> [ScreeningDecisionRecord] {
        try database.read {
            try $0.query(Self.screeningDecisionSelect + " WHERE screening_decisions.decided_on >= ? ORDER BY screening_decisions.decided_on, screening_decisions.id LIMIT ?",
                         [.text(since.description), .integer(Int64(limit))]).map(Self.screeningDecision)
        }
    }
}
