import Domain
import Testing

@Suite("Action owners and areas of the risk management plan")
struct PlanAreaTests {
    static let today = CalendarDate("2026-11-25")!

    @Test("the four areas, in the plan's order; those with no live action")
    func areas() {
        #expect(PlanArea.allCases.map(\.displayName) == ["Supervision", "Monitoring and control", "Interventions and treatment", "Victim safety"])
        #expect(PlanArea(rawValue: "victim_safety") == .victimSafety && PlanArea(rawValue: "Victim safety") == nil)
        #expect(PlanArea.uncovered(byOpen: []) == PlanArea.allCases)
        #expect(PlanArea.uncovered(byOpen: [.supervision, nil, .supervision, .victimSafety]) == [.monitoringAndControl, .interventionsAndTreatment],
                "an action with no area recorded covers none")
        #expect(PlanArea.uncovered(byOpen: PlanArea.allCases) == [])
    }

    @Test("an owner is a user or a contact from the directory, named by its token and nothing else")
    func ownerTokens() {
        #expect(ActionOwner(token: "user:12") == .user(12) && ActionOwner(token: "contact:4") == .contact(4))
        #expect(ActionOwner.user(12).token == "user:12" && ActionOwner(token: ActionOwner.contact(9).token) == .contact(9))
        for bad in ["", "user", "user:", "user:0", "user:-3", "user:1x", "nominal:5", "Housing Rep", "contact:99999999999999999999", "user:٣"] {
            #expect(ActionOwner(token: bad) == nil, "\(bad)")
        }
    }

    @Test("a new action names its owner from the directory and its area; one carried from minutes keeps the owner they recorded")
    func ownerRules() {
        let new = ActionRules.problems(description: "Visit", owner: nil, ownerName: "PO", ownerAgency: "probation", area: nil,
                                       dueDate: CalendarDate("2026-12-01"), today: Self.today, isNew: true)
        #expect(new.map(\.field) == ["owner", "area"], "free text is not an owner")
        #expect(ActionRules.problems(description: "Visit", owner: .contact(3), ownerName: "", ownerAgency: "", area: .supervision,
                                     dueDate: CalendarDate("2026-12-01"), today: Self.today, isNew: true).isEmpty)
        #expect(ActionRules.problems(description: "Visit", owner: nil, ownerName: "PO", ownerAgency: "probation", area: nil,
                                     dueDate: CalendarDate("2026-11-01"), today: Self.today, isNew: false).isEmpty,
                "from past minutes: the recorded owner, no area, the date they set")
    }

    @Test("descriptions and notes are limited in length and refuse control characters")
    func textLimits() {
        let long = String(repeating: "a", count: ActionRules.descriptionLimit + 1)
        #expect(ActionRules.problems(description: long, owner: .user(1), ownerName: "", ownerAgency: "", area: .supervision,
                                     dueDate: Self.today, today: Self.today, isNew: true).map(\.field) == ["description"])
        #expect(ActionRules.problems(description: "Visit\u{0}now", owner: .user(1), ownerName: "", ownerAgency: "", area: .supervision,
                                     dueDate: Self.today, today: Self.today, isNew: true).first?.message.contains("control characters") == true)
        #expect(TextRules.problem("Line one\nline two", field: "n", label: "Note", limit: 100, multiline: true) == nil)
        #expect(TextRules.problem("Line one\nline two", field: "n", label: "Note", limit: 100) != nil)
        #expect(ActionRules.transition(from: .open, to: .done, note: "Done\u{1B}[31m", byCoordinator: true)?.field == "completion_note")
        #expect(ActionRules.transition(from: .open, to: .done, note: String(repeating: "x", count: ActionRules.noteLimit + 1), byCoordinator: true) != nil)
    }
}
