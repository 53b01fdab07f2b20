import Foundation

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
            if action.area == nil { missing.append("an area of the risk management plan") }
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
        }
        // No date set: the review falls due at the meeting date plus the level's interval (`MinutesOutcome`).
        return found
    }
}
