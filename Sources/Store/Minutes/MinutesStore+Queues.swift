import Database
import Domain
import Foundation

/// Minutes waiting on someone, as a home queue lists them: the discussion (meeting and case) and where the minutes stand.
public struct WaitingMinutes: Sendable, Equatable, RowDecodable {
    public var minutesID: Int64
    public var meetingID: Int64
    public var itemID: Int64
    public var meetingTitle: String
    public var meetingDate: CalendarDate
    public var nominalRef: String
    public var status: MinutesStatus
    public var chairComments: String

    public var path: String { "/meetings/\(meetingID)/items/\(itemID)/minutes" }

    public static let columns = """
        minutes.id, minutes.meeting_id, minutes.item_id, meetings.title, meetings.meeting_date, nominals.nominal_ref,
        minutes.status, minutes.chair_comments
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        minutesID = try row.decode("id")
        meetingID = try row.decode("meeting_id")
        itemID = try row.decode("item_id")
        meetingTitle = try row.decode("title")
        meetingDate = try row.decode("meeting_date")
        nominalRef = try row.decode("nominal_ref")
        status = try row.decode("status")
        chairComments = try row.decode("chair_comments")
    }
}

extension MinutesStore {
    /// The newest version of each discussion's minutes in `status`, of cases the viewer may see, oldest meeting first
    /// (the most overdue at the top), and how many there are in all. `chairedBy` keeps to the meetings that person
    /// chairs, or that have no chair recorded yet: a chair's queue is their own panels'.
    public func waiting(in status: MinutesStatus, for viewer: Viewer, chairedBy chair: Int64? = nil,
                        limit: Int = 10) throws -> (total: Int, minutes: [WaitingMinutes]) {
        try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            var filter = """
                FROM minutes JOIN meetings ON meetings.id = minutes.meeting_id JOIN cases ON cases.id = minutes.case_id
                JOIN nominals ON nominals.id = cases.nominal_id
                WHERE minutes.status = ?
                  AND minutes.version_number = (SELECT MAX(newer.version_number) FROM minutes newer WHERE newer.item_id = minutes.item_id)
                """
            var parameters: [SQLValue] = [.text(status.rawValue)]
            if let chair {
                filter += " AND (meetings.chair_user_id = ? OR meetings.chair_user_id IS NULL)"
                parameters.append(.integer(chair))
            }
            filter += visible.sql
            parameters += visible.parameters
            let total: Int = try connection.queryOne("SELECT COUNT(*) AS n " + filter, parameters)?.value("n") ?? 0
            let minutes = try connection.query(WaitingMinutes.self, "SELECT \(WaitingMinutes.columns) " + filter
                                               + " ORDER BY meetings.meeting_date, minutes.id LIMIT ?", parameters + [.integer(Int64(limit))])
            return (total, minutes)
        }
    }
}
