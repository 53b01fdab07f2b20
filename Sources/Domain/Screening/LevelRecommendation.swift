/// What the screening panel knows when it sets a level (MAPPA Guidance ch.7; domain.md §3.1 and §5).
public struct ScreeningFacts: Sendable, Equatable, Codable {
    public var category: MappaCategory
    public var rosh: RoSH?
    /// Formal multi-agency meetings would add value to the lead agency's management of the risk (7.4).
    public var addsValue: Bool
    /// 7.4(b): risk is lower, but the case exceptionally needs other agencies actively involved and co-ordinated.
    public var exceptionalLowerRiskNeedingCoordination: Bool
    /// 7.4(c): the case was managed at Level 3 and no longer needs it.
    public var previouslyLevel3: Bool
    /// 7.5: management needs senior representation from the RA and DTC agencies.
    public var needsSeniorRepresentation: Bool
    /// 7.5: significant resources may be needed at short notice.
    public var needsResourcesAtShortNotice: Bool
    /// 7.5: a high likelihood of media scrutiny or public interest, and a need to maintain public confidence.
    public var publicConfidenceConcern: Bool

    public init(category: MappaCategory, rosh: RoSH?, addsValue: Bool = false,
                exceptionalLowerRiskNeedingCoordination: Bool = false, previouslyLevel3: Bool = false,
                needsSeniorRepresentation: Bool = false, needsResourcesAtShortNotice: Bool = false,
                publicConfidenceConcern: Bool = false) {
        self.category = category
        self.rosh = rosh
        self.addsValue = addsValue
        self.exceptionalLowerRiskNeedingCoordination = exceptionalLowerRiskNeedingCoordination
        self.previouslyLevel3 = previouslyLevel3
        self.needsSeniorRepresentation = needsSeniorRepresentation
        self.needsResourcesAtShortNotice = needsResourcesAtShortNotice
        self.publicConfidenceConcern = publicConfidenceConcern
    }
}

/// One criterion of the guidance, with the words the panel sees.
public enum LevelCriterion: String, CaseIterable, Sendable, Codable {
    case addsValue = "adds_value"
    case highOrVeryHighRoSH = "rosh_high"
    case exceptionalLowerRisk = "exceptional_lower_risk"
    case stepDownFromLevel3 = "step_down"
    case seniorRepresentation = "senior_representation"
    case resourcesAtShortNotice = "resources_short_notice"
    case publicConfidence = "public_confidence"

    public var explanation: String {
        switch self {
        case .addsValue:
            return "Formal multi-agency meetings would add value to the lead agency's management of the risk (MAPPA Guidance 7.4)"
        case .highOrVeryHighRoSH:
            return "Assessed as high or very high risk of serious harm (7.4(a))"
        case .exceptionalLowerRisk:
            return "Lower risk, but exceptionally needs other agencies actively involved and their work co-ordinated (7.4(b))"
        case .stepDownFromLevel3:
            return "Previously managed at Level 3 and no longer needs it (7.4(c))"
        case .seniorRepresentation:
            return "Needs senior representation from the Responsible Authority and duty-to-co-operate agencies (7.5)"
        case .resourcesAtShortNotice:
            return "May need significant resources committed at short notice (7.5)"
        case .publicConfidence:
            return "High likelihood of media scrutiny or public interest; public confidence must be maintained (7.5)"
        }
    }
}

/// The level the guidance points to, and why. The panel decides; this is the starting point it records
/// against (manage at the lowest level that gives a defensible plan).
public struct LevelRecommendation: Sendable, Equatable, Codable {
    /// Nil: the case does not meet the criteria for MAPPA management at any level (Category 3 without the
    /// Level 2 criteria): recommend declining the referral.
    public var level: ManagementLevel?
    public var criteriaMet: [LevelCriterion]
    public var criteriaNotMet: [LevelCriterion]
    public var reasons: [String]

    public static func recommend(_ facts: ScreeningFacts) -> LevelRecommendation {
        var met: [LevelCriterion] = []
        func consider(_ criterion: LevelCriterion, _ holds: Bool) { if holds { met.append(criterion) } }
        consider(.addsValue, facts.addsValue)
        consider(.highOrVeryHighRoSH, facts.rosh?.isHighOrVeryHigh == true)
        consider(.exceptionalLowerRisk, facts.exceptionalLowerRiskNeedingCoordination && facts.rosh?.isHighOrVeryHigh != true)
        consider(.stepDownFromLevel3, facts.previouslyLevel3)
        consider(.seniorRepresentation, facts.needsSeniorRepresentation)
        consider(.resourcesAtShortNotice, facts.needsResourcesAtShortNotice)
        consider(.publicConfidence, facts.publicConfidenceConcern)
        let notMet = LevelCriterion.allCases.filter { !met.contains($0) }

        let level2Ground = met.contains(.highOrVeryHighRoSH) || met.contains(.exceptionalLowerRisk) || met.contains(.stepDownFromLevel3)
        let level2 = met.contains(.addsValue) && level2Ground
        let level3Ground = met.contains(.seniorRepresentation) || met.contains(.resourcesAtShortNotice) || met.contains(.publicConfidence)

        var reasons: [String] = []
        let level: ManagementLevel?
        if level2 && level3Ground {
            level = .three
            reasons.append("Meets the Level 2 criteria and needs what only Level 3 gives: "
                + met.filter { [.seniorRepresentation, .resourcesAtShortNotice, .publicConfidence].contains($0) }
                    .map(\.explanation).joined(separator: "; "))
        } else if level2 {
            level = .two
            reasons.append("Multi-agency meetings would add value, and: "
                + met.filter { [.highOrVeryHighRoSH, .exceptionalLowerRisk, .stepDownFromLevel3].contains($0) }
                    .map(\.explanation).joined(separator: "; "))
            if level3Ground == false, facts.previouslyLevel3 {
                reasons.append("Stepping down from Level 3: manage at the lowest level that still gives a defensible plan")
            }
        } else {
            if !met.contains(.addsValue) {
                reasons.append("Formal multi-agency meetings would not add value to the lead agency's management")
            } else {
                reasons.append("Neither high or very high RoSH, nor an exceptional need for co-ordination, nor a step-down from Level 3")
            }
            if level3Ground {
                reasons.append("Level 3 needs the Level 2 criteria to be met first, so senior-representation, resource or public-confidence concerns alone do not make a Level 3 case")
            }
            if facts.category == .three {
                level = nil
                reasons.append("Category 3 is managed only at Level 2 or 3: without the Level 2 criteria the case does not qualify for MAPPA management; decline the referral with this reason")
            } else {
                level = .one
                reasons.append("Recommend Level 1: ordinary management by the lead agency, with other agencies involved as needed")
            }
        }
        return LevelRecommendation(level: level, criteriaMet: met, criteriaNotMet: notMet, reasons: reasons)
    }
}
