import Domain
import Testing

@Suite("Referral task list statuses")
struct ReferralTaskListRuleTests {
    let missingName = QualityFinding(.offender, "given_names", .missing, "Enter the offender's given names")
    let contradiction = QualityFinding(.conviction, "index_is_caution", .inconsistent, "Only Category 3 can rest on a caution")
    let warning = QualityFinding(.dates, "licence_end_date", .warning, "enter when the licence ends")

    @Test("missing answers mark a section only once it is marked complete or the referral was returned; warnings never")
    func problems() {
        let findings = [missingName, contradiction, warning]
        #expect(ReferralTaskList.problemSections(findings, started: [.offender], completed: [], returned: false).isEmpty)
        #expect(ReferralTaskList.problemSections(findings, started: [.offender], completed: [.offender, .dates], returned: false) == [.offender])
        #expect(ReferralTaskList.problemSections(findings, started: [.conviction], completed: [], returned: false) == [.conviction])
        #expect(ReferralTaskList.problemSections(findings, started: [], completed: [], returned: true) == [.offender, .conviction])
    }

    @Test("problems, then completed, then in progress once anything is answered, else not started")
    func status() {
        #expect(ReferralTaskList.status(.offender, started: [], completed: [], problems: []) == .notStarted)
        #expect(ReferralTaskList.status(.offender, started: [.offender], completed: [], problems: []) == .inProgress)
        #expect(ReferralTaskList.status(.offender, started: [.offender], completed: [.offender], problems: []) == .completed)
        #expect(ReferralTaskList.status(.offender, started: [], completed: [.offender], problems: [.offender]) == .hasProblems)
        #expect(ReferralTaskStatus.hasProblems.displayName == "Has problems")
    }
}
