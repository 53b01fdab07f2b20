import Database
import Domain
import Foundation

/// A screening, Level 2 or Level 3 panel or a professionals meeting: what was planned (`MeetingPlan`, read through as
/// `meeting.title`), its chair's name and where it stands.
@dynamicMemberLookup
public struct Meeting: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var seriesID: Int64?
    /// When and where, the kind of panel and its chair, as scheduled or last changed.
    public var plan: MeetingPlan
    public var chairName: String
    public var status: MeetingStatus
    /// Stable calendar UID: updates and cancellations reuse it with a higher `sequence` (RFC 5545).
    public var uid: String
    public var sequence: Int
    public var papersSentOn: CalendarDate?
    /// Why it was cancelled (told in the cancellation notice); empty unless cancelled.
    public var cancelReason: String
    public var version: Int64

    public subscript<T>(dynamicMember fact: KeyPath<MeetingPlan, T>) -> T { plan[keyPath: fact] }

    /// The dashboard lists some 700 meetings at national scale: read by position, each name checked on the first row.
    public static let columns = """
        meetings.id, meetings.series_id, meetings.kind, meetings.title, meetings.meeting_date, meetings.start_time,
        meetings.duration_minutes, meetings.venue, meetings.online_link, meetings.chair_user_id, meetings.chair_grade,
        COALESCE(users.display_name, '') AS chair_name, meetings.status, meetings.uid, meetings.sequence,
        meetings.papers_sent_on, meetings.cancel_reason, meetings.version
        """
    static let tables = "FROM meetings LEFT JOIN users ON users.id = meetings.chair_user_id"

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        seriesID = try row.decodeIfPresent("series_id")
        plan = MeetingPlan(kind: try row.decode("kind"), title: try row.decode("title"), date: try row.decode("meeting_date"),
                           startTime: try row.decode("start_time"), durationMinutes: try row.decode("duration_minutes"),
                           venue: try row.decode("venue"), onlineLink: try row.decode("online_link"),
                           chairUserID: try row.decodeIfPresent("chair_user_id"), chairGrade: try row.decodeIfPresent("chair_grade"))
        chairName = try row.decode("chair_name")
        status = try row.decode("status")
        uid = try row.decode("uid")
        sequence = try row.decode("sequence")
        papersSentOn = try row.decodeIfPresent("papers_sent_on")
        cancelReason = try row.decode("cancel_reason")
        version = try row.decode("version")
    }
}

/// A case on a meeting's agenda, with what the agenda, attendance and compliance pages show of it.
public struct MeetingItem: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var meetingID: Int64
    public var caseID: Int64
    public var position: Int
    /// "initial" or "review".
    public var reviewType: String
    public var reason: String
    public var confidentialityAcknowledged: Bool
    public var nominalName: String
    public var nominalRef: String
    public var category: MappaCategory
    public var level: ManagementLevel
    public var leadAgencyCode: String
    public var leadAgencyName: String
    public var inCustody: Bool
    public var lastReviewedOn: CalendarDate?
    public var startDate: CalendarDate
    /// The case's one review date (`ReviewSchedule`) as it stands now.
    public var nextReviewDate: CalendarDate?
    /// When the case is discussed ("HH:MM"); empty when no time is given.
    public var startTime: String

    public static let columns = """
        meeting_items.id, meeting_items.meeting_id, meeting_items.case_id, meeting_items.position, meeting_items.review_type,
        meeting_items.reason, meeting_items.confidentiality_acknowledged, meeting_items.start_time, nominals.given_names,
        nominals.family_name, nominals.nominal_ref, nominals.custody_status, cases.category, cases.level, cases.last_reviewed_on,
        cases.start_date, cases.next_review_date, agencies.code AS lead_code, agencies.name AS lead_name
        """
    static let tables = """
        FROM meeting_items JOIN cases ON cases.id = meeting_items.case_id JOIN nominals ON nominals.id = cases.nominal_id
        JOIN agencies ON agencies.id = cases.lead_agency_id
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        meetingID = try row.decode("meeting_id")
        caseID = try row.decode("case_id")
        position = try row.decode("position")
        reviewType = try row.decode("review_type")
        reason = try row.decode("reason")
        confidentialityAcknowledged = try row.decode("confidentiality_acknowledged")
        startTime = try row.decode("start_time")
        let given: String = try row.decode("given_names")
        let family: String = try row.decode("family_name")
        nominalName = NominalListing.fullName(givenNames: given, familyName: family)
        nominalRef = try row.decode("nominal_ref")
        inCustody = try row.decode("custody_status", as: CustodyStatus.self) == .custody
        category = try row.decode("category")
        level = try row.decode("level")
        lastReviewedOn = try row.decodeIfPresent("last_reviewed_on")
        startDate = try row.decode("start_date")
        nextReviewDate = try row.decodeIfPresent("next_review_date")
        leadAgencyCode = try row.decode("lead_code")
        leadAgencyName = try row.decode("lead_name")
    }
}

/// A meeting's agenda as one viewer sees it: the cases they may see, in order, and how many others there are, told
/// only to those who run the meeting (who may know its length, and whose compliance checks count every case).
public struct Agenda: Sendable, Equatable {
    public var meetingID: Int64
    public var items: [MeetingItem]
    /// Nil for a viewer who may not know the count.
    public var hiddenCount: Int?
}

/// Someone invited to a meeting, which version of the invitation they were last sent, and where that message is
/// (read from the outbox, not assumed sent once queued), with their agency's reply.
public struct MeetingInvitee: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var agencyID: Int64
    public var agencyName: String
    public var name: String
    public var email: String
    public var confirmed: Bool
    /// The meeting sequence last sent to this person; behind `Meeting.sequence` means an update is due.
    public var invitedSequence: Int?
    /// The last invitation's message: waiting, being sent, sent or failed, with the safe reason. Nil when none was
    /// queued (or it was queued before messages were kept with invitees).
    public var message: MessageStatus?
    /// Their agency's reply, if it has replied.
    public var reply: StoredInvitationReply?

    public static let columns = """
        meeting_invitees.id, meeting_invitees.agency_id, agencies.name AS agency_name, meeting_invitees.name,
        meeting_invitees.email, meeting_invitees.confirmed, meeting_invitees.invited_sequence,
        outbox.status AS message_status, outbox.last_error AS message_error, outbox.sent_at AS message_sent_at,
        invitation_replies.response AS reply_response, invitation_replies.report_text AS reply_report_text,
        invitation_replies.report_sent AS reply_report_sent, invitation_replies.replied_at AS reply_replied_at,
        COALESCE(replier.display_name, '') AS reply_replied_by
        """
    static let tables = """
        FROM meeting_invitees JOIN agencies ON agencies.id = meeting_invitees.agency_id
        LEFT JOIN outbox ON outbox.id = meeting_invitees.outbox_id
        LEFT JOIN invitation_replies ON invitation_replies.meeting_id = meeting_invitees.meeting_id
                                    AND invitation_replies.agency_id = meeting_invitees.agency_id
        LEFT JOIN users replier ON replier.id = invitation_replies.replied_by
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        agencyID = try row.decode("agency_id")
        agencyName = try row.decode("agency_name")
        name = try row.decode("name")
        email = try row.decode("email")
        confirmed = try row.decode("confirmed")
        invitedSequence = try row.decodeIfPresent("invited_sequence")
        message = try MessageStatus.decode(&row, prefix: "message_")
        reply = try StoredInvitationReply.decode(&row, prefix: "reply_")
    }
}

/// Where one outbox message is, as a page may show it: no content, only its status and the safe reason it failed.
public struct MessageStatus: Sendable, Equatable {
    public var status: OutboxStatus
    /// Why the last attempt failed (safe to show: no content, no password); empty when none did.
    public var lastError: String
    public var sentAt: String?

    public init(status: OutboxStatus, lastError: String, sentAt: String?) {
        self.status = status
        self.lastError = lastError
        self.sentAt = sentAt
    }

    static func decode(_ row: inout RowReader, prefix: String) throws(DatabaseError) -> MessageStatus? {
        let status: OutboxStatus? = try row.decodeIfPresent(prefix + "status")
        let error: String? = try row.decodeIfPresent(prefix + "error")
        let sentAt: String? = try row.decodeIfPresent(prefix + "sent_at")
        return status.map { MessageStatus(status: $0, lastError: error ?? "", sentAt: sentAt) }
    }
}

/// An agency's reply to an invitation, as stored: what it said, who said it and when.
public struct StoredInvitationReply: Sendable, Equatable {
    public var reply: InvitationReply
    public var repliedBy: String
    public var repliedAt: String

    static func decode(_ row: inout RowReader, prefix: String) throws(DatabaseError) -> StoredInvitationReply? {
        let response: InvitationResponse? = try row.decodeIfPresent(prefix + "response")
        let text: String? = try row.decodeIfPresent(prefix + "report_text")
        let sent: Bool? = try row.decodeIfPresent(prefix + "report_sent")
        let at: String? = try row.decodeIfPresent(prefix + "replied_at")
        let by: String = try row.decode(prefix + "replied_by")
        guard let response else { return nil }
        return StoredInvitationReply(reply: InvitationReply(response: response, reportText: text ?? "", reportSent: sent ?? false),
                                     repliedBy: by, repliedAt: at ?? "")
    }
}

/// How one agency took part in a meeting, or in one case discussion of it.
public struct AttendanceRecord: Sendable, Equatable, RowDecodable {
    /// Nil: the whole meeting; otherwise one case discussion.
    public var itemID: Int64?
    public var agencyID: Int64
    public var agencyCode: String
    public var agencyName: String
    public var person: String
    public var status: AttendanceStatus

    public init(itemID: Int64?, agencyID: Int64, agencyCode: String = "", agencyName: String = "", person: String,
                status: AttendanceStatus) {
        self.itemID = itemID
        self.agencyID = agencyID
        self.agencyCode = agencyCode
        self.agencyName = agencyName
        self.person = person
        self.status = status
    }

    public static let columns = """
        attendance.item_id, attendance.agency_id, agencies.code AS agency_code,
        agencies.name AS agency_name, attendance.person, attendance.status
        """
    static let tables = "FROM attendance JOIN agencies ON agencies.id = attendance.agency_id"

    public init(row: inout RowReader) throws(DatabaseError) {
        itemID = try row.decodeIfPresent("item_id")
        agencyID = try row.decode("agency_id")
        agencyCode = try row.decode("agency_code")
        agencyName = try row.decode("agency_name")
        person = try row.decode("person")
        status = try row.decode("status")
    }
}
