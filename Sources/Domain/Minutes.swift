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

/// An action agreed at the meeting, to be tracked once the minutes are approved.
public struct PlannedAction: Sendable, Codable, Equatable {
    public var description: String
    public var ownerName: String
    public var ownerEmail: String
    public var ownerAgency: String
    public var dueDate: CalendarDate?
    public init(description: String, ownerName: String, ownerEmail: String = "", ownerAgency: String, dueDate: CalendarDate?) {
        self.description = description
        self.ownerName = ownerName
        self.ownerEmail = ownerEmail
        self.ownerAgency = ownerAgency
        self.dueDate = dueDate
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
        if levelDecision != earlier.levelDecision || leadAgency != earlier.leadAgency || nextReviewDate != earlier.nextReviewDate {
            sections.append("Level and review")
        }
        return sections
    }

    public var riskManagementPlanPillars: [(name: String, text: String)] {
        [("Supervision", supervision), ("Monitoring and control", monitoringAndControl),
         ("Interventions and treatment", interventionsAndTreatment), ("Victim safety planning", victimSafetyPlanning)]
    }
}

/// A problem the quality check finds in minutes, by the section it belongs to.
public struct MinutesFinding: Sendable, Equatable {
    public var section: String
    public var field: String
    public var message: String
    public init(section: String, field: String, message: String) {
        self.section = section
        self.field = field
        self.message = message
    }
}

/// Quality checks before minutes go to the chair, from inspection findings (domain.md §10): a real risk
/// assessment and plan rather than information exchange; every action owned, with an agency and a date; a next
/// review within the level's interval; disclosure and victims considered; dissent recorded; the level decision
/// and lead agency stated.
public enum MinutesQuality {
    public static func findings(_ minutes: MinutesContent, meetingDate: CalendarDate, timescales: Timescales = Timescales()) -> [MinutesFinding] {
        var found: [MinutesFinding] = []
        func add(_ section: String, _ field: String, _ message: String) { found.append(MinutesFinding(section: section, field: field, message: message)) }
        func blank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

        if blank(minutes.riskAssessment) {
            add("Risk assessment", "risk_assessment", "Record the risk assessment: who is at risk, of what, and when. Agency updates alone are not a risk assessment")
        }
        if minutes.rosh == nil { add("Risk assessment", "rosh", "Record the overall risk of serious harm") }
        let pillars = minutes.riskManagementPlanPillars.filter { !blank($0.text) }
        if pillars.isEmpty {
            add("Risk management plan", "supervision", "Write the risk management plan under the four pillars: supervision, monitoring and control, interventions and treatment, victim safety planning")
        } else if pillars.count < 4 {
            let missing = minutes.riskManagementPlanPillars.filter { blank($0.text) }.map { $0.name.lowercased() }
            add("Risk management plan", "supervision", "Say what the plan is for \(missing.joined(separator: ", ")), or why nothing is needed there")
        }
        if blank(minutes.victimIssues) { add("Victims", "victim_issues", "Record the victim and potential victim issues, or that there are none known") }
        if !minutes.disclosureConsidered {
            add("Disclosure", "disclosure_considered", "Record that disclosure was considered, and the decision")
        } else {
            if blank(minutes.disclosureDecision) { add("Disclosure", "disclosure_decision", "Record the disclosure decision (for example: no disclosure)") }
            if blank(minutes.disclosureRationale) { add("Disclosure", "disclosure_rationale", "Give the rationale for the disclosure decision") }
            let disclosing = !blank(minutes.disclosureDecision) && !minutes.disclosureDecision.lowercased().hasPrefix("no")
            if disclosing && (blank(minutes.disclosureTo) || blank(minutes.disclosureBy)) {
                add("Disclosure", "disclosure_to", "Say to whom the information is disclosed and who will disclose it")
            }
        }
        if minutes.decisions.isEmpty { add("Decisions", "decisions", "Record the meeting's decisions, each with its rationale") }
        for (index, decision) in minutes.decisions.enumerated() where blank(decision.rationale) {
            add("Decisions", "decision_rationale_\(index)", "Decision \(index + 1) has no rationale: say why it was decided")
        }
        if minutes.anyDisagreement && blank(minutes.dissent) {
            add("Decisions", "dissent", "An attendee disagreed: record who dissented and why")
        }
        for (index, action) in minutes.actions.enumerated() {
            var missing: [String] = []
            if blank(action.ownerName) { missing.append("an owner") }
            if blank(action.ownerAgency) { missing.append("an agency") }
            if action.dueDate == nil { missing.append("a due date") }
            if blank(action.description) { missing.append("a description") }
            if !missing.isEmpty { add("Actions", "action_\(index)", "Action \(index + 1) needs \(missing.joined(separator: ", "))") }
        }
        if minutes.levelDecision == nil || minutes.levelDecision == .unknown {
            add("Level and review", "level_decision", "Record the level decision")
        }
        if blank(minutes.leadAgency) { add("Level and review", "lead_agency", "Record the lead agency") }
        if let next = minutes.nextReviewDate {
            if next <= meetingDate { add("Level and review", "next_review_date", "The next review must be after this meeting") }
            if let level = minutes.levelDecision, let weeks = timescales.reviewWeeks(for: level), next > meetingDate.adding(weeks: weeks) {
                add("Level and review", "next_review_date", "The next review is later than the \(weeks)-week interval for \(level.shortName): set it by \(meetingDate.adding(weeks: weeks).displayText)")
            }
        } else if minutes.levelDecision.flatMap({ timescales.reviewWeeks(for: $0) }) != nil {
            add("Level and review", "next_review_date", "Set the next review date")
        }
        return found
    }
}

/// What can happen to minutes, and who may do it.
public enum MinutesEvent: Sendable, Equatable {
    case submit
    case approve
    case sendBack(comments: String)
    case distribute
}

public struct MinutesTransitionError: Error, Sendable, Equatable {
    public var message: String
}

/// The minutes workflow as a pure state machine: draft → submitted → approved (or sent back, then submitted
/// again) → distributed. Submitting needs a clean quality check; sending back needs comments.
public enum MinutesWorkflow {
    public static func next(_ status: MinutesStatus, _ event: MinutesEvent, findings: [MinutesFinding] = []) -> Result<MinutesStatus, MinutesTransitionError> {
        switch (status, event) {
        case (.draft, .submit), (.sentBack, .submit):
            return findings.isEmpty ? .success(.submitted)
                : .failure(MinutesTransitionError(message: "The quality check found \(findings.count) thing\(findings.count == 1 ? "" : "s") to complete before the chair can approve the minutes"))
        case (.submitted, .approve):
            return .success(.approved)
        case (.submitted, .sendBack(let comments)):
            return comments.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? .failure(MinutesTransitionError(message: "Say what needs changing when sending minutes back"))
                : .success(.sentBack)
        case (.approved, .distribute):
            return .success(.distributed)
        default:
            return .failure(MinutesTransitionError(message: "Minutes that are \(status.displayName.lowercased()) cannot be \(verb(event))"))
        }
    }

    static func verb(_ event: MinutesEvent) -> String {
        switch event {
        case .submit: return "submitted"
        case .approve: return "approved"
        case .sendBack: return "sent back"
        case .distribute: return "distributed"
        }
    }

    /// The distribution deadline: `workingDays` working days (Monday to Friday) after the meeting.
    public static func distributionDeadline(meetingDate: CalendarDate, workingDays: Int = 10) -> CalendarDate {
        var date = meetingDate
        var left = workingDays
        while left > 0 {
            date = date.adding(days: 1)
            if !date.isWeekend { left -= 1 }
        }
        return date
    }
}

extension CalendarDate {
    /// Saturday or Sunday (1970-01-01, day 0, was a Thursday).
    public var isWeekend: Bool {
        let weekday = ((daysSinceEpoch % 7) + 7 + 3) % 7  // 0 = Monday
        return weekday >= 5
    }
}
