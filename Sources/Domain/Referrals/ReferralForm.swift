/// The MAPPA A referral form (referral to Level 2 or 3), section by section (domain.md §4.3 and §5).
/// Every field is optional or free text here: a referral can be saved incomplete as a draft, and
/// `ReferralQualityCheck` says what is missing before it is screened.
public struct ReferralForm: Sendable, Equatable, Codable {
    // Header
    public var levelRequested: ManagementLevel?
    public var mappaArea: String = ""

    // 1. Category of offender (exactly one)
    public var category: MappaCategory?

    // 2. Offender information
    public var familyName: String = ""
    public var givenNames: String = ""
    /// Other names and nicknames (relevant e.g. to gang membership), one per entry.
    public var aliases: [String] = []
    public var dateOfBirth: CalendarDate?
    public var gender: String = ""
    /// Ethnicity written out, not a code.
    public var ethnicity: String = ""
    public var currentAddress: String = ""
    /// No fixed abode before custody; then `nfaArea` names the area of closest links.
    public var noFixedAbode: Bool = false
    public var nfaArea: String = ""
    public var proposedReleaseAddress: String = ""
    public var pncID: String = ""
    public var visorReference: String = ""
    /// nDelius case reference number.
    public var crn: String = ""
    public var custodyStatus: CustodyStatus?
    public var releaseDate: CalendarDate?

    // 3. Conviction / caution information
    public var indexOffences: String = ""
    /// True when the index matter is a caution (possible only for Category 3).
    public var indexIsCaution: Bool = false
    public var sentence: String = ""
    /// Brief details in bullet points, not pasted from a pre-sentence report.
    public var offenceDetails: String = ""
    public var previousOffences: String = ""
    public var additionalInformation: String = ""

    // 4. Relevant dates
    public var sentenceDate: CalendarDate?
    public var licenceEndDate: CalendarDate?
    public var notificationEndDate: CalendarDate?

    // 5. Detained in hospital (completed by mental health services)
    public var hospitalDetails: String = ""

    // 6. Relevant information / reason for referral
    public var reasonForReferral: String = ""

    // 7. Risk, victims, diversity, plan
    public var roshOverall: RoSH?
    public var roshByGroup: [RiskGroup: RoSH] = [:]
    public var riskAssessmentTools: String = ""
    public var victimInformation: String = ""
    public var diversityNeeds: String = ""
    public var currentRiskManagementPlan: String = ""
    /// What formal multi-agency meetings would add to the lead agency's management (Level 2 "adds value").
    public var multiAgencyValue: String = ""
    /// Level 3 only: which parts of the plan cannot be delivered at Level 2.
    public var whyLevel2IsNotEnough: String = ""
    public var agenciesInvolved: [String] = []
    /// Agency code of the lead agency (police, probation, mental health or YOT in practice).
    public var leadAgency: String = ""
    public var managerAuthorisedBy: String = ""
    public var managerAuthorisedOn: CalendarDate?

    public init() {}

    public var fullName: String {
        [givenNames, familyName].map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

/// The sections of the MAPPA A form, for grouping quality findings the way the referrer sees the form.
public enum ReferralSection: Int, CaseIterable, Sendable, Codable, Comparable {
    case header = 0
    case category = 1
    case offender = 2
    case conviction = 3
    case dates = 4
    case hospital = 5
    case reason = 6
    case risk = 7
    case authorisation = 8

    public var title: String {
        switch self {
        case .header: return "Referral details"
        case .category: return "1. Category of offender"
        case .offender: return "2. Offender information"
        case .conviction: return "3. Conviction or caution"
        case .dates: return "4. Relevant dates"
        case .hospital: return "5. Detained in hospital"
        case .reason: return "6. Reason for referral"
        case .risk: return "7. Risk, victims and plan"
        case .authorisation: return "8. Authorisation"
        }
    }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One thing wrong with a referral: where on the form, which field, and what the referrer must do.
public struct QualityFinding: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Required and absent: the referral cannot be screened without it.
        case missing
        /// Present but contradicts another answer or a rule.
        case inconsistent
        /// Allowed, but the coordinator should look (e.g. referred late before release).
        case warning
    }
    public var section: ReferralSection
    /// The form field name, for linking the finding to its input.
    public var field: String
    public var kind: Kind
    public var message: String

    public init(_ section: ReferralSection, _ field: String, _ kind: Kind, _ message: String) {
        self.section = section
        self.field = field
        self.kind = kind
        self.message = message
    }
}

/// Where a referral is in its life (DESIGN.md "Workflow states"): draft → submitted → returned ⇄ resubmitted →
/// accepted at a level or declined.
public enum ReferralStatus: String, CaseIterable, Sendable, Codable {
    case draft
    case submitted
    case returned
    case resubmitted
    case accepted
    case declined

    public var displayName: String {
        switch self {
        case .draft: return "Draft"
        case .submitted: return "Submitted"
        case .returned: return "Returned to referrer"
        case .resubmitted: return "Resubmitted"
        case .accepted: return "Accepted"
        case .declined: return "Declined"
        }
    }

    /// The referrer may change the form only before submission or after it has been returned.
    public var referrerCanEdit: Bool { self == .draft || self == .returned }
    /// Waiting for the coordinator: quality check, return or screening.
    public var awaitingCoordinator: Bool { self == .submitted || self == .resubmitted }
    public var isClosed: Bool { self == .accepted || self == .declined }
}
