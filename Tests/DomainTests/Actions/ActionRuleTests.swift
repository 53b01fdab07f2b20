import Domain
import Testing

@Suite("Action rules and transitions")
struct ActionRuleTests {
    static let today = CalendarDate("2026-11-25")!

    @Test("a new action needs what, who, which agency and a date not in the past")
    func creation() {
        let problems = ActionRules.problems(description: " ", owner: nil, ownerName: "", ownerAgency: "", area: nil, dueDate: nil, today: Self.today, isNew: true)
        #expect(problems.map(\.field) == ["description", "owner", "area", "due_date"])
        #expect(ActionRules.problems(description: " ", owner: nil, ownerName: "", ownerAgency: "", area: nil, dueDate: nil, today: Self.today,
                                     isNew: false).map(\.field) == ["description", "owner_name", "owner_agency", "due_date"])
        #expect(ActionRules.problems(description: "Visit", owner: .user(1), ownerName: "", ownerAgency: "", area: .supervision,
                                     dueDate: CalendarDate("2026-11-24"), today: Self.today, isNew: true).map(\.field) == ["due_date"])
        #expect(ActionRules.problems(description: "Visit", owner: nil, ownerName: "PO", ownerAgency: "probation", area: nil,
                                     dueDate: CalendarDate("2026-11-24"), today: Self.today, isNew: false).isEmpty, "actions from past minutes keep their dates")
    }

    @Test("open → done or cancelled with a note; reopening only by the coordinator with a reason; nothing else", arguments: [true, false])
    func transitions(coordinator: Bool) {
        #expect(ActionRules.transition(from: .open, to: .done, note: "Visited", byCoordinator: coordinator) == nil)
        #expect(ActionRules.transition(from: .open, to: .done, note: " ", byCoordinator: coordinator)?.field == "completion_note")
        #expect(ActionRules.transition(from: .open, to: .cancelled, note: "Moved away", byCoordinator: coordinator) == nil)
        #expect(ActionRules.transition(from: .open, to: .cancelled, note: "", byCoordinator: coordinator)?.field == "completion_note")
        for closed in [ActionStatus.done, .cancelled] {
            let reopen = ActionRules.transition(from: closed, to: .open, note: "Not finished", byCoordinator: coordinator)
            #expect(coordinator ? reopen == nil : reopen?.field == "status")
            #expect(ActionRules.transition(from: closed, to: .open, note: "", byCoordinator: true)?.field == "completion_note")
        }
        #expect(ActionRules.transition(from: .done, to: .cancelled, note: "x", byCoordinator: coordinator)?.field == "status")
        #expect(ActionRules.transition(from: .cancelled, to: .done, note: "x", byCoordinator: coordinator)?.field == "status")
        #expect(ActionRules.transition(from: .open, to: .open, note: "x", byCoordinator: coordinator)?.field == "status")
    }

    @Test("overdue and due soon are derived from the date and the status")
    func derived() {
        var action = ActionItem(id: 1, caseID: 1, description: "Visit", ownerName: "PO", ownerAgencyCode: "probation", dueDate: CalendarDate("2026-11-24")!)
        #expect(action.isOverdue(today: Self.today) && !action.isDueSoon(today: Self.today, days: 3))
        action.dueDate = CalendarDate("2026-11-28")!
        #expect(!action.isOverdue(today: Self.today) && action.isDueSoon(today: Self.today, days: 3))
        action.dueDate = CalendarDate("2026-11-20")!
        action.status = .done
        #expect(!action.isOverdue(today: Self.today))
    }
}
