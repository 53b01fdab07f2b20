import Foundation

// Key performance indicators (domain.md §6): configurable indicators, each a rate (or a typical number of days)
// over the cases, meetings, referrals or actions of a reporting period, with a target and the list of records
// behind the figure. Pure rules over small fact structs; the Store loads the facts.

/// The indicators the unit reports on (domain.md §6, the 2012 MAPPA KPIs as reconstructed there, plus referral
/// quality and screening speed). The raw value names the indicator in URLs and settings.
public enum KPIIndicator: String, Sendable, CaseIterable, Codable {
    case level3Reviews = "level3-reviews"
    case level2Reviews = "level2-reviews"
    case attendance
    case custodyReferrals = "custody-referrals"
    case victimIssues = "victim-issues"
    case disclosure
    case minutesDistribution = "minutes-distribution"
    case actionsOnTime = "actions-on-time"
    case referralsReturned = "referrals-returned"
    case screeningDays = "screening-days"

    public enum Measure: Sendable { case rate, days }

    /// Rates are a percentage of the denominator; screening speed is a number of days.
    public var measure: Measure { self == .screeningDays ? .days : .rate }

    /// What one record in the numerator is, for tables ("Reviewed in time").
    public var numeratorLabel: String {
        switch self {
        case .level3Reviews, .level2Reviews: return "Reviewed in time"
        case .attendance: return "Attended or sent a report"
        case .custodyReferrals: return "Referred in time"
        case .victimIssues: return "Victim issues recorded"
        case .disclosure: return "Disclosure recorded"
        case .minutesDistribution: return "Distributed in time"
        case .actionsOnTime: return "Completed by the due date"
        case .referralsReturned: return "Returned at least once"
        case .screeningDays: return "Decided within the target"
        }
    }

    /// What the denominator counts ("Level 3 reviews due").
    public var denominatorLabel: String {
        switch self {
        case .level3Reviews: return "Level 3 reviews due"
        case .level2Reviews: return "Level 2 reviews due"
        case .attendance: return "Agencies expected at case discussions"
        case .custodyReferrals: return "Referrals of people in custody"
        case .victimIssues, .disclosure: return "Level 2 and 3 case discussions"
        case .minutesDistribution: return "Minutes due"
        case .actionsOnTime: return "Actions due"
        case .referralsReturned: return "Referrals submitted"
        case .screeningDays: return "Referrals screened"
        }
    }

    /// The settings a unit starts with; every one can be changed.
    public var defaultSettings: KPISettings {
        switch self {
        case .level3Reviews:
            return KPISettings(name: "Level 3 cases reviewed within the interval", target: 100,
                               definition: "Level 3 reviews falling due in the period (the last review, or the MAPPA start, plus the Level 3 review interval) that were held by the due date. Reviews not yet due are left out until they are held or late.")
        case .level2Reviews:
            return KPISettings(name: "Level 2 cases reviewed within the interval", target: 100,
                               definition: "Level 2 reviews falling due in the period (the last review, or the MAPPA start, plus the Level 2 review interval) that were held by the due date. Reviews not yet due are left out until they are held or late.")
        case .attendance:
            return KPISettings(name: "Core agency attendance at Level 2 and 3 meetings", target: 90,
                               definition: "For each case discussed at a held Level 2 or 3 meeting, each agency expected (police, probation, the lead agency, the prison service for a case in custody, and any other agency both invited and involved in the case) that attended or sent a report.")
        case .custodyReferrals:
            return KPISettings(name: "Custody referrals made in time before release", target: 90,
                               definition: "Referrals of people in custody with a release date, first submitted in the period, that were submitted at least the custody referral lead time before release.")
        case .victimIssues:
            return KPISettings(name: "Victim issues considered in the minutes", target: 100,
                               definition: "Case discussions at held Level 2 and 3 meetings in the period whose approved minutes record victim issues or victim safety planning.")
        case .disclosure:
            return KPISettings(name: "Disclosure considered and recorded in the minutes", target: 100,
                               definition: "Case discussions at held Level 2 and 3 meetings in the period whose approved minutes record that disclosure was considered, and the decision.")
        case .minutesDistribution:
            return KPISettings(name: "Minutes distributed within the deadline", target: 90,
                               definition: "Minutes of case discussions at held Level 2 and 3 meetings in the period first distributed within the deadline (working days after the meeting). Minutes not yet due are left out.")
        case .actionsOnTime:
            return KPISettings(name: "Actions completed by their due date", target: 85,
                               definition: "Actions due in the period (cancelled ones left out) that were completed on or before their due date. Open actions not yet due are left out.")
        case .referralsReturned:
            return KPISettings(name: "Referrals returned as incomplete", target: 10, direction: .atMost,
                               definition: "Referrals first submitted in the period that the coordinator returned to the referrer at least once. Lower is better.")
        case .screeningDays:
            return KPISettings(name: "Days from referral to screening decision", target: 10, direction: .atMost,
                               definition: "For referrals with a screening decision in the period, the days from first submission to the decision. The figure is the median (or mean) of those days; the count is of referrals decided within the target.")
        }
    }
}

/// Whether the figure should reach the target or stay under it.
public enum KPIDirection: String, Sendable, CaseIterable, Codable {
    case atLeast = "at_least"
    case atMost = "at_most"
    public var displayName: String { self == .atLeast ? "At least" : "At most" }
}

/// How many days is typical, for an indicator measured in days.
public enum KPIAverage: String, Sendable, CaseIterable, Codable {
    case median, mean
    public var displayName: String { rawValue.capitalized }
}

/// One indicator's settings: what it is called, how it is defined for readers, its target and the period it is
/// reported over. Settings, not constants: domain.md §6 marks the national KPIs unverified.
public struct KPISettings: Sendable, Equatable, Codable {
    public var name: String
    public var definition: String
    /// A percentage for rates, a number of days for `screeningDays`.
    public var target: Double
    public var direction: KPIDirection
    public var period: ReportingPeriod.Kind
    public var average: KPIAverage

    public init(name: String, target: Double, direction: KPIDirection = .atLeast, period: ReportingPeriod.Kind = .quarter,
                average: KPIAverage = .median, definition: String) {
        self.name = name
        self.definition = definition
        self.target = target
        self.direction = direction
        self.period = period
        self.average = average
    }

    /// Problems a person can fix, each on the field `<indicator>-<field>` of the settings form.
    public func problems(for indicator: KPIIndicator) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        let prefix = indicator.rawValue
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "\(prefix)-name", message: "Enter a name for indicator \(indicator.number)"))
        } else if name.count > 120 {
            problems.append(ValidationProblem(field: "\(prefix)-name", message: "The name of indicator \(indicator.number) must be 120 characters or fewer"))
        }
        if definition.count > 1000 {
            problems.append(ValidationProblem(field: "\(prefix)-definition", message: "The definition of indicator \(indicator.number) must be 1000 characters or fewer"))
        }
        switch indicator.measure {
        case .rate where !(target.isFinite && (0...100).contains(target)):
            problems.append(ValidationProblem(field: "\(prefix)-target", message: "The target for indicator \(indicator.number) must be a percentage from 0 to 100"))
        case .days where !(target.isFinite && (0...365).contains(target)):
            problems.append(ValidationProblem(field: "\(prefix)-target", message: "The target for indicator \(indicator.number) must be a number of days from 0 to 365"))
        default: break
        }
        return problems
    }

    /// "At least 90%", "At most 10 days".
    public func targetText(_ measure: KPIIndicator.Measure) -> String {
        "\(direction.displayName) \(KPIFormat.number(target))\(measure == .rate ? "%" : " days")"
    }
}

extension KPIIndicator {
    /// The indicator's number as listed (1–10).
    public var number: Int { Self.allCases.firstIndex(of: self)! + 1 }
}

/// Numbers as people read them: whole numbers without decimals, others to one place.
public enum KPIFormat {
    public static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}

// MARK: facts
