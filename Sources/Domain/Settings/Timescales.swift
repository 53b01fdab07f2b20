import Foundation

/// Timescales that are settings, not constants (DESIGN.md "Workflow states"; domain.md §3.4 marks the
/// defaults unverified, so a unit can change them).
public struct Timescales: Sendable, Equatable, Codable {
    public var level3ReviewWeeks: Int
    public var level2ReviewWeeks: Int
    /// Custody cases should be referred at least this many months before release.
    public var custodyReferralLeadMonths: Int
    public var minutesDistributionWorkingDays: Int

    public init(level3ReviewWeeks: Int = 8, level2ReviewWeeks: Int = 16, custodyReferralLeadMonths: Int = 6,
                minutesDistributionWorkingDays: Int = 10) {
        self.level3ReviewWeeks = level3ReviewWeeks
        self.level2ReviewWeeks = level2ReviewWeeks
        self.custodyReferralLeadMonths = custodyReferralLeadMonths
        self.minutesDistributionWorkingDays = minutesDistributionWorkingDays
    }

    /// Limits that keep the settings sensible: Level 3 is reviewed at least as often as Level 2.
    public func problems() -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if !(1...12).contains(level3ReviewWeeks) {
            problems.append(ValidationProblem(field: "level3_review_weeks", message: "Level 3 reviews must be every 1 to 12 weeks"))
        }
        if !(1...26).contains(level2ReviewWeeks) {
            problems.append(ValidationProblem(field: "level2_review_weeks", message: "Level 2 reviews must be every 1 to 26 weeks"))
        } else if level2ReviewWeeks < level3ReviewWeeks {
            problems.append(ValidationProblem(field: "level2_review_weeks", message: "Level 2 cases cannot be reviewed more often than Level 3 cases"))
        }
        if !(1...24).contains(custodyReferralLeadMonths) {
            problems.append(ValidationProblem(field: "custody_referral_lead_months", message: "The custody referral lead time must be 1 to 24 months"))
        }
        if !(1...30).contains(minutesDistributionWorkingDays) {
            problems.append(ValidationProblem(field: "minutes_distribution_working_days", message: "Minutes must be distributed within 1 to 30 working days"))
        }
        return problems
    }

    /// The review interval for a level in weeks, or nil for levels without multi-agency reviews.
    public func reviewWeeks(for level: ManagementLevel) -> Int? {
        switch level {
        case .three: return level3ReviewWeeks
        case .two: return level2ReviewWeeks
        default: return nil
        }
    }

    /// The latest date the next review may be held, counted from the last meeting or decision.
    public func nextReviewDue(after date: CalendarDate, level: ManagementLevel) -> CalendarDate? {
        reviewWeeks(for: level).map { date.adding(weeks: $0) }
    }
}
