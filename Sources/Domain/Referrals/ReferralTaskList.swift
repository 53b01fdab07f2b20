/// The referral form as a GOV.UK task list (https://design-system.service.gov.uk/patterns/complete-multiple-tasks/):
/// each section's status from what is filled in, whether the referrer said they have completed it, and what the
/// quality check and a coordinator's return found in it.
public enum ReferralTaskStatus: String, Sendable, Equatable, CaseIterable {
    case notStarted
    case inProgress
    case completed
    case hasProblems

    public var displayName: String {
        switch self {
        case .notStarted: return "Not started"
        case .inProgress: return "In progress"
        case .completed: return "Completed"
        case .hasProblems: return "Has problems"
        }
    }
}

public enum ReferralTaskList {
    /// Which sections the quality check finds a problem in, for the task list. A contradiction counts as soon as the
    /// section is started; something missing only once the referrer says the section is complete, or once the
    /// referral has been returned (`returned`) for being incomplete — before that, missing answers are simply work
    /// still to do. Warnings are for the coordinator and mark nothing.
    public static func problemSections(_ findings: [QualityFinding], started: Set<ReferralSection>,
                                       completed: Set<ReferralSection>, returned: Bool) -> Set<ReferralSection> {
        Set(findings.compactMap { finding -> ReferralSection? in
            switch finding.kind {
            case .warning: return nil
            case .inconsistent: return started.contains(finding.section) || completed.contains(finding.section) || returned ? finding.section : nil
            case .missing: return completed.contains(finding.section) || returned ? finding.section : nil
            }
        })
    }

    /// A section's status: problems first (the referrer must go back to it), then completed as the referrer said,
    /// then in progress once anything in it is answered.
    public static func status(_ section: ReferralSection, started: Set<ReferralSection>, completed: Set<ReferralSection>,
                              problems: Set<ReferralSection>) -> ReferralTaskStatus {
        if problems.contains(section) { return .hasProblems }
        if completed.contains(section) { return .completed }
        return started.contains(section) ? .inProgress : .notStarted
    }
}
