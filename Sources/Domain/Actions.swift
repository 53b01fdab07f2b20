import Foundation

/// An action's state (DESIGN.md "Workflow states"): open → done / cancelled; overdue is derived, not stored.
public enum ActionStatus: String, CaseIterable, Sendable, Codable {
    case open, done, cancelled
    public var displayName: String { rawValue.capitalized }
}

/// A risk management action: who does what, for which agency, by when.
public struct ActionItem: Sendable, Equatable {
    public var id: Int64
    public var caseID: Int64
    public var meetingID: Int64?
    public var minutesID: Int64?
    public var description: String
    public var ownerUserID: Int64?
    public var ownerName: String
    public var ownerEmail: String
    public var ownerAgencyCode: String
    public var ownerAgencyName: String
    public var dueDate: CalendarDate
    public var status: ActionStatus
    public var completionNote: String
    public var completedOn: CalendarDate?
    public var nominalRef: String
    public var version: Int64

    public init(id: Int64, caseID: Int64, meetingID: Int64? = nil, minutesID: Int64? = nil, description: String, ownerUserID: Int64? = nil,
                ownerName: String, ownerEmail: String = "", ownerAgencyCode: String, ownerAgencyName: String = "", dueDate: CalendarDate,
                status: ActionStatus = .open, completionNote: String = "", completedOn: CalendarDate? = nil, nominalRef: String = "",
                version: Int64 = 1) {
        self.id = id
        self.caseID = caseID
        self.meetingID = meetingID
        self.minutesID = minutesID
        self.description = description
        self.ownerUserID = ownerUserID
        self.ownerName = ownerName
        self.ownerEmail = ownerEmail
        self.ownerAgencyCode = ownerAgencyCode
        self.ownerAgencyName = ownerAgencyName
        self.dueDate = dueDate
        self.status = status
        self.completionNote = completionNote
        self.completedOn = completedOn
        self.nominalRef = nominalRef
        self.version = version
    }

    public func isOverdue(today: CalendarDate) -> Bool { status == .open && dueDate < today }
    /// Open and due within `days` (today included), not yet overdue.
    public func isDueSoon(today: CalendarDate, days: Int) -> Bool { status == .open && dueDate >= today && dueDate <= today.adding(days: days) }
}

/// Rules for actions, from the inspection finding that every plan action needs an owner, an agency, a date and
/// a status (domain.md §10).
public enum ActionRules {
    public static func problems(description: String, ownerName: String, ownerAgency: String, dueDate: CalendarDate?,
                                today: CalendarDate, isNew: Bool) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "description", message: "Say what is to be done"))
        }
        if ownerName.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "owner_name", message: "Name the person who owns the action"))
        }
        if ownerAgency.isEmpty { problems.append(ValidationProblem(field: "owner_agency", message: "Select the owner's agency")) }
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
