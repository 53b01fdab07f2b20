import Foundation

/// Where minutes are in their life (domain.md §4.4–4.5): written by the coordinator, approved by the chair
/// (or sent back with comments), then distributed. An edit after approval starts a new version.
public enum MinutesStatus: String, CaseIterable, Sendable, Codable {
    case draft
    case submitted
    case sentBack = "sent_back"
    case approved
    case distributed

    public var displayName: String {
        switch self {
        case .draft: return "Draft"
        case .submitted: return "Waiting for the chair"
        case .sentBack: return "Sent back by the chair"
        case .approved: return "Approved"
        case .distributed: return "Distributed"
        }
    }

    /// The coordinator may change the text only before it goes to the chair, or when the chair sent it back.
    public var editable: Bool { self == .draft || self == .sentBack }
}

/// New information one agency brought to the meeting.
public struct AgencyUpdate: Sendable, Codable, Equatable {
    public var agency: String
    public var text: String
    public init(agency: String, text: String) {
        self.agency = agency
        self.text = text
    }
}

/// A decision with its rationale (the defensibility test: why, not only what).
public struct MinutesDecision: Sendable, Codable, Equatable {
    public var decision: String
    public var rationale: String
    public init(decision: String, rationale: String) {
        self.decision = decision
        self.rationale = rationale
    }
}

/// An action agreed at the meeting, to be tracked once the minutes are approved. The owner is chosen from the
/// directory (`owner`; `ownerName`, `ownerEmail` and `ownerAgency` are then theirs as the directory gave them);
/// minutes written before that name the owner as typed.
public struct PlannedAction: Sendable, Codable, Equatable {
    public var description: String
    public var ownerName: String
    public var ownerEmail: String
    public var ownerAgency: String
    public var dueDate: CalendarDate?
    public var owner: ActionOwner?
    public var area: PlanArea?
    public init(description: String, ownerName: String, ownerEmail: String = "", ownerAgency: String, dueDate: CalendarDate?,
                owner: ActionOwner? = nil, area: PlanArea? = nil) {
        self.description = description
        self.ownerName = ownerName
        self.ownerEmail = ownerEmail
        self.ownerAgency = ownerAgency
        self.dueDate = dueDate
        self.owner = owner
        self.area = area
    }
}

/// The MAPPA minutes of one case discussion (the MAPPA B/C template, domain.md §4.4).
public struct MinutesContent: Sendable, Codable, Equatable {
    public var newInformation: [AgencyUpdate] = []
    /// Who is at risk, from what, when; the current risk assessment, not a list of agency updates.
    public var riskAssessment: String = ""
    public var rosh: RoSH?
    public var roshByGroup: [RiskGroup: RoSH] = [:]
    public var victimIssues: String = ""
    public var diversity: String = ""
    public var disclosureConsidered: Bool = false
    /// "No disclosure" or what is disclosed.
    public var disclosureDecision: String = ""
    public var disclosureTo: String = ""
    public var disclosureBy: String = ""
    public var disclosureRationale: String = ""
    // The risk management plan under the four pillars.
    public var supervision: String = ""
    public var monitoringAndControl: String = ""
    public var interventionsAndTreatment: String = ""
    public var victimSafetyPlanning: String = ""
    public var decisions: [MinutesDecision] = []
    /// True when any attendee disagreed with a decision; then `dissent` must say who and why.
    public var anyDisagreement: Bool = false
    public var dissent: String = ""
    public var levelDecision: ManagementLevel?
    /// Set only when the panel decided the case belongs in another category (rare: the category follows the offence).
    public var categoryDecision: MappaCategory?
    public var leadAgency: String = ""
    public var nextReviewDate: CalendarDate?
    public var actions: [PlannedAction] = []

    public init() {}

    /// The sections that differ from an earlier version, so an amendment's change is visible at a glance.
    public func changedSections(from earlier: MinutesContent) -> [String] {
        var sections: [String] = []
        if newInformation != earlier.newInformation { sections.append("New information") }
        if riskAssessment != earlier.riskAssessment || rosh != earlier.rosh || roshByGroup != earlier.roshByGroup {
            sections.append("Risk assessment")
        }
        if victimIssues != earlier.victimIssues { sections.append("Victims") }
        if diversity != earlier.diversity { sections.append("Diversity") }
        if disclosureConsidered != earlier.disclosureConsidered || disclosureDecision != earlier.disclosureDecision
            || disclosureTo != earlier.disclosureTo || disclosureBy != earlier.disclosureBy || disclosureRationale != earlier.disclosureRationale {
            sections.append("Disclosure")
        }
        if riskManagementPlanPillars.map(\.text) != earlier.riskManagementPlanPillars.map(\.text) { sections.append("Risk management plan") }
        if decisions != earlier.decisions || anyDisagreement != earlier.anyDisagreement || dissent != earlier.dissent {
            sections.append("Decisions")
        }
        if actions != earlier.actions { sections.append("Actions") }
        if levelDecision != earlier.levelDecision || categoryDecision != earlier.categoryDecision || leadAgency != earlier.leadAgency || nextReviewDate != earlier.nextReviewDate {
            sections.append("Level and review")
        }
        return sections
    }

    public var riskManagementPlanPillars: [(name: String, text: String)] {
        [("Supervision", supervision), ("Monitoring and control", monitoringAndControl),
         ("Interventions and treatment", interventionsAndTreatment), ("Victim safety planning", victimSafetyPlanning)]
    }
}
