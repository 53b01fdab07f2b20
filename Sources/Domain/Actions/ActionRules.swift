import Foundation

/// Rules for actions, from the inspection finding that every plan action needs an owner, an agency, a date and
/// a status (domain.md §10).
public enum ActionRules {
    /// The longest description and note kept: a description is one line on every list; a note says what happened.
    public static let descriptionLimit = 500
    public static let noteLimit = 2000
    /// The longest text the owner search takes.
    public static let searchLimit = 100

    /// Problems with a new action. `isNew` is false for actions carried from minutes, which keep their (possibly
    /// past) dates and the owner the minutes recorded (a name and an agency, linked to the directory when its email
    /// matches); every other new action names its owner from the directory (`owner`) and its area of the risk
    /// management plan. `ownerName` and `ownerAgency` are the owner's as the directory gives them, when it does.
    public static func problems(description: String, owner: ActionOwner?, ownerName: String, ownerAgency: String, area: PlanArea?,
                                dueDate: CalendarDate?, today: CalendarDate, isNew: Bool) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "description", message: "Say what is to be done"))
        } else if let problem = TextRules.problem(description, field: "description", label: "What is to be done", limit: descriptionLimit) {
            problems.append(problem)
        }
        if isNew {
            if owner == nil { problems.append(ValidationProblem(field: "owner", message: "Choose the owner from the directory")) }
            if area == nil {
                problems.append(ValidationProblem(field: "area", message: "Select the area of the risk management plan the action serves"))
            }
        } else {
            if ownerName.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(ValidationProblem(field: "owner_name", message: "Name the person who owns the action"))
            }
            if ownerAgency.isEmpty { problems.append(ValidationProblem(field: "owner_agency", message: "Select the owner's agency")) }
        }
        if let dueDate {
            if isNew && dueDate < today { problems.append(ValidationProblem(field: "due_date", message: "The due date cannot be in the past")) }
        } else {
            problems.append(ValidationProblem(field: "due_date", message: "Enter the due date, like 2027-01-31"))
        }
        return problems
    }

    /// Whether `from` may become `to`: only open actions are closed (done or cancelled, with a note saying what
    /// happened or why); a closed action is reopened only by the coordinator, with a reason.
    public static func transition(from: ActionStatus, to: ActionStatus, note: String, byCoordinator: Bool) -> ValidationProblem? {
        if let problem = TextRules.problem(note, field: "completion_note", label: "The note", limit: noteLimit, multiline: true) { return problem }
        let noted = !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        switch (from, to) {
        case (.open, .done):
            return noted ? nil : ValidationProblem(field: "completion_note", message: "Say what was done")
        case (.open, .cancelled):
            return noted ? nil : ValidationProblem(field: "completion_note", message: "Say why the action is cancelled")
        case (.done, .open), (.cancelled, .open):
            if !byCoordinator { return ValidationProblem(field: "status", message: "Only the MAPPA coordinator can reopen an action") }
            return noted ? nil : ValidationProblem(field: "completion_note", message: "Say why the action is reopened")
        case (let a, let b) where a == b:
            return ValidationProblem(field: "status", message: "The action is already \(a.displayName.lowercased())")
        default:
            return ValidationProblem(field: "status", message: "A \(from.displayName.lowercased()) action cannot become \(to.displayName.lowercased()): reopen it first")
        }
    }
}
