import Database
import Domain
import Foundation

extension InvitationResponse: StoredAsRawValue {}

/// A meeting the viewer's agency is invited to, as its representative sees it: the cases on its agenda they may see
/// (no count of the others) and their agency's reply.
public struct MeetingInvitation: Sendable, Equatable {
    public var meeting: Meeting
    public var cases: [MeetingItem]
    public var reply: StoredInvitationReply?
    /// Still to come and open to a reply.
    public var upcoming: Bool
}

extension MeetingStore {
    /// The meetings the viewer's agency has a confirmed invitee at, upcoming first (soonest first), then those of the
    /// last `pastDays` days (newest first), each with the cases on its agenda the viewer may see and their agency's
    /// reply. Partner-agency staff see only what `CaseVisibilityFilter` admits; a role that sees no meetings, nothing.
    public func invitations(for viewer: Viewer, pastDays: Int = 60) throws -> [MeetingInvitation] {
        try invitations(for: viewer, only: nil, pastDays: pastDays)
    }

    /// The viewer's agency's invitation to one meeting, as `invitations` lists it; not found when their agency has no
    /// confirmed invitee there (the refusal is recorded).
    public func invitation(meetingID: Int64, for viewer: Viewer) throws -> MeetingInvitation {
        guard let invitation = try invitations(for: viewer, only: meetingID, pastDays: 0).first else {
            try context.audit.record(actor: viewer.actor, action: .accessRefused, subjectType: "meeting", subjectID: String(meetingID),
                                     detail: "agency not invited")
            throw DomainError.notFound("The invitation")
        }
        return invitation
    }

    private func invitations(for viewer: Viewer, only meetingID: Int64?, pastDays: Int) throws -> [MeetingInvitation] {
        guard viewer.can(.viewMeetings) else { return [] }
        let today = context.today
        let agency = SQLValue.integer(viewer.user.agencyID)
        let (meetings, items, replies) = try database.read { connection in
            let meetings = try connection.query(Meeting.self, """
                SELECT \(Meeting.columns) \(Meeting.tables)
                WHERE meetings.id IN (SELECT meeting_id FROM meeting_invitees WHERE agency_id = ? AND confirmed = 1)
                """ + (meetingID == nil ? " AND meetings.meeting_date >= ?" : " AND meetings.id = ?") + """
                 ORDER BY meetings.meeting_date, meetings.start_time, meetings.id LIMIT 200
                """, [agency, meetingID.map(SQLValue.integer) ?? .text(today.adding(days: -pastDays).description)])
            guard !meetings.isEmpty else { return ([Meeting](), [MeetingItem](), [Owned<ReplyRow>]()) }
            let ids = SQL.ids(meetings.map(\.id))
            let list = SQL.placeholders(ids.count)
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            let items = try connection.query(MeetingItem.self, "SELECT \(MeetingItem.columns) \(MeetingItem.tables)"
                                             + " WHERE meeting_items.meeting_id IN (\(list))" + visible.sql
                                             + " ORDER BY meeting_items.position, meeting_items.id", ids + visible.parameters)
            let replies = try connection.query(Owned<ReplyRow>.self, "SELECT invitation_replies.meeting_id AS owner_id, \(ReplyRow.columns) \(ReplyRow.tables)"
                                               + " WHERE invitation_replies.agency_id = ? AND invitation_replies.meeting_id IN (\(list))",
                                               [agency] + ids)
            return (meetings, items, replies)
        }
        let itemsByMeeting = Dictionary(grouping: items, by: \.meetingID)
        let replyByMeeting = Dictionary(replies.map { ($0.ownerID, $0.record.reply) }, uniquingKeysWith: { first, _ in first })
        let invitations = meetings.map { meeting in
            MeetingInvitation(meeting: meeting, cases: itemsByMeeting[meeting.id] ?? [], reply: replyByMeeting[meeting.id],
                              upcoming: meeting.status == .scheduled && meeting.date >= today)
        }
        return invitations.filter(\.upcoming) + invitations.filter { !$0.upcoming }.reversed()
    }

    /// Records the viewer's agency's reply to the meeting's invitation (replacing an earlier one): only an agency with
    /// a confirmed invitee replies, and only while the meeting is still scheduled. Audited with the response, never
    /// the report's text.
    public func reply(to meeting: Meeting, _ reply: InvitationReply, by viewer: Viewer) throws {
        guard viewer.can(.viewMeetings) else { throw DomainError.roleRefused() }
        var reply = reply
        reply.reportText = reply.reportText.trimmingCharacters(in: .whitespacesAndNewlines)
        let problems = reply.problems()
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        guard meeting.status == .scheduled else {
            throw DomainError.conflict("not_scheduled", "This meeting is \(meeting.status == .held ? "over" : "cancelled"): replies are closed")
        }
        let agency = SQLValue.integer(viewer.user.agencyID)
        try database.write { connection in
            guard try connection.queryOne("SELECT 1 AS found FROM meeting_invitees WHERE meeting_id = ? AND agency_id = ? AND confirmed = 1",
                                          [.integer(meeting.id), agency]) != nil else {
                throw DomainError.conflict("not_invited", "Your agency is not invited to this meeting")
            }
            try connection.execute("""
                INSERT INTO invitation_replies (meeting_id, agency_id, response, report_text, report_sent, replied_by, replied_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (meeting_id, agency_id) DO UPDATE SET response = excluded.response, report_text = excluded.report_text,
                    report_sent = excluded.report_sent, replied_by = excluded.replied_by, replied_at = excluded.replied_at
                """, [.integer(meeting.id), agency, .text(reply.response.rawValue), .text(reply.reportText), .integer(reply.reportSent ? 1 : 0),
                      .integer(viewer.user.id), .text(context.now)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "invitation reply: \(reply.response.rawValue)\(reply.reportSent ? ", report sent separately" : "")")
        }
    }

    /// Each agency's reply to the meetings' invitations, in the terms attendance is recorded in
    /// (`InvitationResponse.attendanceStatus`), by meeting and agency code: what compliance reads beside attendance.
    static func replyStatuses(_ connection: Connection, meetingIDs: [SQLValue]) throws -> [Int64: [String: AttendanceStatus]] {
        guard !meetingIDs.isEmpty else { return [:] }
        let rows = try connection.query("""
            SELECT invitation_replies.meeting_id, agencies.code, invitation_replies.response FROM invitation_replies
            JOIN agencies ON agencies.id = invitation_replies.agency_id
            WHERE invitation_replies.meeting_id IN (\(SQL.placeholders(meetingIDs.count)))
            """, meetingIDs)
        var result: [Int64: [String: AttendanceStatus]] = [:]
        for row in rows {
            let response: InvitationResponse = try row.value("response")
            guard let status = response.attendanceStatus else { continue }
            result[try row.value("meeting_id"), default: [:]][try row.value("code")] = status
        }
        return result
    }
}

/// An agency's stored reply, read on its own.
struct ReplyRow: RowDecodable {
    let reply: StoredInvitationReply

    static let columns = """
        invitation_replies.response AS reply_response, invitation_replies.report_text AS reply_report_text,
        invitation_replies.report_sent AS reply_report_sent, invitation_replies.replied_at AS reply_replied_at,
        COALESCE(replier.display_name, '') AS reply_replied_by
        """
    static let tables = "FROM invitation_replies LEFT JOIN users replier ON replier.id = invitation_replies.replied_by"

    init(row: inout RowReader) throws(DatabaseError) {
        guard let reply = try StoredInvitationReply.decode(&row, prefix: "reply_") else { throw RowReader.corrupt("reply_response", .null) }
        self.reply = reply
    }
}

extension MeetingStore {
    /// The first day each discussion's minutes went out (by the app's mail or recorded as sent another way), by meeting
    /// and case: `minutes.distributed_at`, the one fact the compliance check and the KPI read for the deadline.
    static func firstDistributed(_ connection: Connection, meetingIDs: [SQLValue]) throws -> [Int64: [Int64: CalendarDate]] {
        guard !meetingIDs.isEmpty else { return [:] }
        var result: [Int64: [Int64: CalendarDate]] = [:]
        for row in try connection.query("""
            SELECT meeting_id, case_id, MIN(distributed_at) AS first_distributed FROM minutes
            WHERE meeting_id IN (\(SQL.placeholders(meetingIDs.count))) AND distributed_at IS NOT NULL GROUP BY meeting_id, case_id
            """, meetingIDs) {
            var reader = RowReader(row)
            let meetingID: Int64 = try reader.decode("meeting_id")
            let caseID: Int64 = try reader.decode("case_id")
            if let day = try reader.decodeDayIfPresent("first_distributed") { result[meetingID, default: [:]][caseID] = day }
        }
        return result
    }
}
