/// What another system is told changed (issue 29, item 3), in the shape HMPPS domain events use: an `eventType` such
/// as `mappa.level.changed`, when it happened, the person it is about (CRN and PNC where known) and the details in
/// `additionalInformation`. Written in the same transaction as the change (`events_outbox`), read as a feed.
public enum ChangeEventType: String, CaseIterable, Sendable, Codable {
    case caseRegistered = "mappa.case.registered"
    case levelChanged = "mappa.level.changed"
    case categoryChanged = "mappa.category.changed"
    case caseExited = "mappa.case.exited"
    case referralSubmitted = "mappa.referral.submitted"
    case screeningDecisionRecorded = "mappa.screening.decision-recorded"
    case meetingScheduled = "mappa.meeting.scheduled"
    case meetingCancelled = "mappa.meeting.cancelled"
    case minutesApproved = "mappa.minutes.approved"
    case actionOverdue = "mappa.action.overdue"

    /// The sentence a feed reader can show.
    public var description: String {
        switch self {
        case .caseRegistered: return "A MAPPA case was registered"
        case .levelChanged: return "A case's MAPPA level changed"
        case .categoryChanged: return "A case's MAPPA category changed"
        case .caseExited: return "A case left MAPPA"
        case .referralSubmitted: return "A MAPPA A referral was submitted"
        case .screeningDecisionRecorded: return "The screening panel decided on a referral"
        case .meetingScheduled: return "A MAPPA meeting was scheduled"
        case .meetingCancelled: return "A MAPPA meeting was cancelled"
        case .minutesApproved: return "The minutes of a case discussion were approved"
        case .actionOverdue: return "A risk management action passed its due date while still open"
        }
    }
}

/// One change event as the feed gives it. `id` only grows: a reader asks for the events after the last id it saw.
public struct ChangeEvent: Sendable, Equatable {
    public var id: Int64
    public var eventType: ChangeEventType
    /// ISO 8601 in UTC.
    public var occurredAt: String
    public var crn: String
    public var pnc: String
    public var caseID: Int64?
    public var referralID: Int64?
    public var meetingID: Int64?
    /// Details as text, by name: ids, old and new values, dates.
    public var additionalInformation: [String: String]

    public init(id: Int64, eventType: ChangeEventType, occurredAt: String, crn: String, pnc: String, caseID: Int64?, referralID: Int64?,
                meetingID: Int64?, additionalInformation: [String: String]) {
        self.id = id
        self.eventType = eventType
        self.occurredAt = occurredAt
        self.crn = crn
        self.pnc = pnc
        self.caseID = caseID
        self.referralID = referralID
        self.meetingID = meetingID
        self.additionalInformation = additionalInformation
    }
}
