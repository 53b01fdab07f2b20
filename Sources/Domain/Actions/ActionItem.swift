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
    /// The agency contact from the directory who owns it, when the owner has no account.
    public var ownerContactID: Int64?
    /// The owner's name and email as the directory has them now (as first recorded, for an owner not in it).
    public var ownerName: String
    public var ownerEmail: String
    public var ownerAgencyCode: String
    public var ownerAgencyName: String
    public var dueDate: CalendarDate
    /// Nil for an action recorded before areas were asked for ("Not recorded").
    public var area: PlanArea?
    public var status: ActionStatus
    public var completionNote: String
    public var completedOn: CalendarDate?
    public var nominalRef: String
    public var version: Int64

    public init(id: Int64, caseID: Int64, meetingID: Int64? = nil, minutesID: Int64? = nil, description: String, ownerUserID: Int64? = nil,
                ownerContactID: Int64? = nil, ownerName: String, ownerEmail: String = "", ownerAgencyCode: String, ownerAgencyName: String = "", dueDate: CalendarDate,
                area: PlanArea? = nil, status: ActionStatus = .open, completionNote: String = "", completedOn: CalendarDate? = nil, nominalRef: String = "",
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
        self.area = area
        self.ownerContactID = ownerContactID
        self.status = status
        self.completionNote = completionNote
        self.completedOn = completedOn
        self.nominalRef = nominalRef
        self.version = version
    }

    /// The owner from the directory, when the action names one.
    public var owner: ActionOwner? { ownerUserID.map(ActionOwner.user) ?? ownerContactID.map(ActionOwner.contact) }

    public func isOverdue(today: CalendarDate) -> Bool { status == .open && dueDate < today }
    /// Open and due within `days` (today included), not yet overdue.
    public func isDueSoon(today: CalendarDate, days: Int) -> Bool { status == .open && dueDate >= today && dueDate <= today.adding(days: days) }
}
