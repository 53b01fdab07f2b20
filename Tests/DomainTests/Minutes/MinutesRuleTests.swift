import Domain
import Testing

@Suite("Minutes quality checks and workflow")
struct MinutesRuleTests {
    static let meeting = CalendarDate("2026-12-10")!

    /// Minutes an inspector would pass.
    static var good: MinutesContent {
        var minutes = MinutesContent()
        minutes.newInformation = [AgencyUpdate(agency: "police", text: "Intelligence of contact with the former partner")]
        minutes.riskAssessment = "Former partner at risk of violence when he drinks; risk imminent around contact handovers"
        minutes.rosh = .high
        minutes.victimIssues = "Victim liaison officer in contact with the former partner"
        minutes.diversity = "None identified"
        minutes.disclosureConsidered = true
        minutes.disclosureDecision = "No disclosure"
        minutes.disclosureRationale = "The partner already knows the offending history"
        minutes.supervision = "Weekly reporting"
        minutes.monitoringAndControl = "Exclusion zone; GPS tag"
        minutes.interventionsAndTreatment = "Alcohol treatment referral"
        minutes.victimSafetyPlanning = "Marker on the former partner's address"
        minutes.decisions = [MinutesDecision(decision: "Remain at Level 2", rationale: "Multi-agency work still adds value")]
        minutes.levelDecision = .two
        minutes.leadAgency = "probation"
        minutes.nextReviewDate = CalendarDate("2027-03-01")
        minutes.actions = [PlannedAction(description: "Refer to alcohol service", ownerName: "PO Example", ownerAgency: "probation",
                                         dueDate: CalendarDate("2026-12-20"), area: .interventionsAndTreatment)]
        return minutes
    }

    func fields(_ minutes: MinutesContent) -> [String] {
        MinutesQuality.findings(minutes, meetingDate: Self.meeting).map(\.field)
    }

    @Test("good minutes pass")
    func good() { #expect(fields(Self.good).isEmpty) }

    @Test("information exchange alone is not a risk assessment or a plan")
    func riskAndPlan() {
        var minutes = Self.good
        minutes.riskAssessment = " "
        minutes.supervision = ""; minutes.monitoringAndControl = ""; minutes.interventionsAndTreatment = ""; minutes.victimSafetyPlanning = ""
        #expect(fields(minutes) == ["risk_assessment", "supervision"])
        minutes = Self.good
        minutes.victimSafetyPlanning = ""
        let finding = MinutesQuality.findings(minutes, meetingDate: Self.meeting)
        #expect(finding.map(\.message) == ["Say what the plan is for victim safety planning, or why nothing is needed there"])
        minutes.rosh = nil
        #expect(fields(minutes).contains("rosh"))
    }

    @Test("every action needs an owner, an agency, a due date and an area of the risk management plan")
    func actions() {
        var minutes = Self.good
        minutes.actions.append(PlannedAction(description: "Home visit", ownerName: "", ownerAgency: "", dueDate: nil))
        let findings = MinutesQuality.findings(minutes, meetingDate: Self.meeting)
        #expect(findings.map(\.message) == ["Action 2 needs an owner, an agency, a due date, an area of the risk management plan"])
    }

    @Test("a next review the panel sets is after the meeting and within the level's interval; none set is the interval")
    func nextReview() {
        var minutes = Self.good
        minutes.nextReviewDate = nil
        #expect(fields(minutes).isEmpty, "left blank, the review falls due at the end of the level's interval")
        minutes.nextReviewDate = CalendarDate("2027-04-30")
        #expect(MinutesQuality.findings(minutes, meetingDate: Self.meeting).first?.message.contains("16-week interval") == true)
        minutes.levelDecision = .three
        minutes.nextReviewDate = CalendarDate("2027-02-10")
        #expect(fields(minutes) == ["next_review_date"], "8 weeks at Level 3")
        minutes.nextReviewDate = Self.meeting
        #expect(fields(minutes) == ["next_review_date"])
        minutes.levelDecision = .one
        minutes.nextReviewDate = nil
        #expect(fields(minutes).isEmpty, "no multi-agency review cycle at Level 1")
    }

    @Test("disclosure and victims must be completed; a disclosure says to whom and by whom")
    func disclosureAndVictims() {
        var minutes = Self.good
        minutes.victimIssues = ""
        minutes.disclosureConsidered = false
        #expect(fields(minutes) == ["victim_issues", "disclosure_considered"])
        minutes = Self.good
        minutes.disclosureDecision = "Disclose the conviction to the new partner"
        #expect(fields(minutes) == ["disclosure_to"])
        minutes.disclosureTo = "The new partner"
        minutes.disclosureBy = "Police public protection officer"
        minutes.disclosureRationale = ""
        #expect(fields(minutes) == ["disclosure_rationale"])
    }

    @Test("decisions carry a rationale; disagreement needs the dissent recorded; level and lead agency stated")
    func decisions() {
        var minutes = Self.good
        minutes.decisions = [MinutesDecision(decision: "Step down to Level 1", rationale: "")]
        minutes.anyDisagreement = true
        minutes.levelDecision = nil
        minutes.leadAgency = ""
        minutes.nextReviewDate = nil
        #expect(fields(minutes) == ["decision_rationale_0", "dissent", "level_decision", "lead_agency"])
        minutes.decisions = []
        #expect(fields(minutes).first == "decisions")
    }

    @Test("workflow: submit needs a clean check; the chair approves or sends back with comments; approved minutes are distributed")
    func workflow() {
        let finding = MinutesFinding(section: "Victims", field: "victim_issues", message: "x")
        #expect(MinutesWorkflow.next(.draft, .submit) == .success(.submitted))
        #expect((try? MinutesWorkflow.next(.draft, .submit, findings: [finding]).get()) == nil)
        #expect(MinutesWorkflow.next(.sentBack, .submit) == .success(.submitted))
        #expect(MinutesWorkflow.next(.submitted, .approve) == .success(.approved))
        #expect(MinutesWorkflow.next(.submitted, .sendBack(comments: "Add the victim plan")) == .success(.sentBack))
        #expect((try? MinutesWorkflow.next(.submitted, .sendBack(comments: " ")).get()) == nil)
        #expect(MinutesWorkflow.next(.approved, .distribute) == .success(.distributed))
        for (status, event) in [(MinutesStatus.draft, MinutesEvent.approve), (.draft, .distribute), (.submitted, .submit),
                                (.submitted, .distribute), (.approved, .approve), (.approved, .submit), (.distributed, .distribute),
                                (.distributed, .approve), (.sentBack, .approve)] {
            #expect((try? MinutesWorkflow.next(status, event).get()) == nil, "\(status) + \(event) must be refused")
        }
        #expect(MinutesStatus.draft.editable && MinutesStatus.sentBack.editable && !MinutesStatus.approved.editable)
    }

    @Test("the distribution deadline counts working days")
    func deadline() {
        // Thursday 10 December 2026 + 10 working days = Thursday 24 December.
        #expect(MinutesWorkflow.distributionDeadline(meetingDate: Self.meeting) == CalendarDate("2026-12-24"))
        #expect(MinutesWorkflow.distributionDeadline(meetingDate: CalendarDate("2026-12-11")!, workingDays: 1) == CalendarDate("2026-12-14"))
        #expect(CalendarDate("2026-11-28")!.isWeekend && !CalendarDate("2026-11-27")!.isWeekend)
    }

    @Test("an amendment shows which sections changed")
    func changedSections() {
        var amended = Self.good
        #expect(amended.changedSections(from: Self.good).isEmpty)
        amended.actions[0].ownerName = "Someone else"
        amended.victimSafetyPlanning = "New marker"
        amended.nextReviewDate = CalendarDate("2027-02-01")
        #expect(amended.changedSections(from: Self.good) == ["Risk management plan", "Actions", "Level and review"])
    }
}
