import Foundation

/// A case created by hand (a Level 1 notification, say, that will never come as a referral): the person and the
/// registration, checked by the same rules as their edits.
public struct NewCase: Sendable, Equatable {
    public var nominal: NominalDetails
    public var registration: CaseDetails

    public init(nominal: NominalDetails, registration: CaseDetails) {
        self.nominal = nominal
        self.registration = registration
    }

    /// The person's rules, the registration's rules, and what only a new case needs: a level, and an active status.
    public func problems(today: CalendarDate) -> [ValidationProblem] {
        var problems = NominalRules.problems(nominal, today: today)
        problems += CaseRules.problems(registration, previous: nil, changeReason: "", today: today)
        if registration.level == .unknown {
            problems.append(ValidationProblem(field: "level", message: "Select the level the case is managed at"))
        }
        if registration.status != .active {
            problems.append(ValidationProblem(field: "status", message: "A new case is active"))
        }
        return problems
    }
}

