import Database
import Domain
import Foundation

extension MeetingStore {
    /// The meetings between two dates the viewer may see, not cancelled, each with what it still lacks
    /// (`MeetingReadiness`), in date order. Counts only: no case or person is named.
    public func readiness(from: CalendarDate, through: CalendarDate, for viewer: Viewer) throws -> [(meeting: Meeting, readiness: MeetingReadiness)] {
        let visible = Self.visibility(viewer)
        return try database.read { connection in
            try connection.query(Ready.self, """
                SELECT \(Ready.columns) \(Meeting.tables)
                WHERE meeting_date >= ? AND meeting_date <= ? AND meetings.status <> 'cancelled'\(visible.sql)
                ORDER BY meeting_date, start_time, meetings.id LIMIT 200
                """, [.text(from.description), .text(through.description)] + visible.parameters)
        }.map { ($0.meeting, $0.readiness) }
    }

    private struct Ready: RowDecodable {
        let meeting: Meeting
        let readiness: MeetingReadiness

        static let columns = Meeting.columns + """
            , (SELECT COUNT(*) FROM meeting_items WHERE meeting_items.meeting_id = meetings.id) AS agenda_items,
            (SELECT COUNT(*) FROM meeting_invitees WHERE meeting_invitees.meeting_id = meetings.id AND confirmed = 1) AS confirmed_invitees,
            (SELECT COUNT(*) FROM meeting_invitees WHERE meeting_invitees.meeting_id = meetings.id AND confirmed = 1
                AND (invited_sequence IS NULL OR invited_sequence < meetings.sequence)) AS not_invited
            """

        init(row: inout RowReader) throws(DatabaseError) {
            meeting = try Meeting(row: &row)
            readiness = MeetingReadiness(date: meeting.date, hasChair: meeting.chairUserID != nil, agendaItems: try row.decode("agenda_items"),
                                         confirmedInvitees: try row.decode("confirmed_invitees"), notInvited: try row.decode("not_invited"),
                                         papersSentOn: meeting.papersSentOn)
        }
    }
}
