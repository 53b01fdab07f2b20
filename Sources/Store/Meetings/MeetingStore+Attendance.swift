import Database
import Domain
import Foundation

extension MeetingStore {
    /// The meeting's attendance: for the whole meeting and for the case discussions of the agenda as its viewer sees it.
    public func attendance(of agenda: Agenda) throws -> [AttendanceRecord] {
        let visibleItems = Set(agenda.items.map(\.id))
        return try database.read { connection in
            try connection.query(AttendanceRecord.self, "SELECT \(AttendanceRecord.columns) \(AttendanceRecord.tables)"
                                 + " WHERE attendance.meeting_id = ? ORDER BY agencies.name, attendance.id", [.integer(agenda.meetingID)])
        }.filter { $0.itemID.map(visibleItems.contains) ?? true }
    }

    /// Replaces the meeting's attendance record (the whole meeting's, and each case discussion's) and which case
    /// discussions opened with the confidentiality statement, for the discussions the viewer may see: those of cases
    /// hidden from them keep what someone who may see them recorded.
    public func recordAttendance(_ meeting: Meeting, _ records: [AttendanceRecord], acknowledgedItemIDs: Set<Int64>, by viewer: Viewer) throws {
        try requireManager(viewer)
        let visibleItems = Set(try agenda(of: meeting, for: viewer).items.map(\.id))
        if records.contains(where: { $0.itemID.map { !visibleItems.contains($0) } ?? false })
            || !acknowledgedItemIDs.isSubset(of: visibleItems) {
            throw DomainError.notFound("The agenda item")
        }
        let now = context.now
        try database.write { connection in
            try connection.execute("DELETE FROM attendance WHERE meeting_id = ? AND item_id IS NULL", [.integer(meeting.id)])
            for itemID in visibleItems {
                try connection.execute("DELETE FROM attendance WHERE meeting_id = ? AND item_id = ?", [.integer(meeting.id), .integer(itemID)])
                try connection.execute("UPDATE meeting_items SET confidentiality_acknowledged = ? WHERE id = ? AND meeting_id = ?",
                                       [.init(acknowledgedItemIDs.contains(itemID)), .integer(itemID), .integer(meeting.id)])
            }
            for record in records {
                try connection.execute("""
                    INSERT INTO attendance (meeting_id, item_id, agency_id, person, status, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, [.integer(meeting.id), .init(record.itemID), .integer(record.agencyID), .text(record.person),
                          .text(record.status.rawValue), .text(now)])
            }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "attendance: \(records.count) entries")
        }
    }

    /// The meeting's compliance checks, over every case on its agenda; a finding about a case the viewer may not see
    /// names it only by its place on the agenda.
    public func compliance(of meeting: Meeting, for viewer: Viewer) throws -> [ComplianceFinding] {
        try compliance(of: [meeting], for: viewer)[meeting.id] ?? []
    }

    /// Compliance findings for many meetings (the dashboard's two months of panels) in two queries, not three per
    /// meeting.
    public func compliance(of meetings: [Meeting], for viewer: Viewer) throws -> [Int64: [ComplianceFinding]] {
        guard !meetings.isEmpty else { return [:] }
        let ids = SQL.ids(meetings.map(\.id))
        let list = SQL.placeholders(ids.count)
        let (records, items, replies, distributed) = try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return (try connection.query(Owned<AttendanceRecord>.self, "SELECT attendance.meeting_id AS owner_id, \(AttendanceRecord.columns) \(AttendanceRecord.tables)"
                                         + " WHERE attendance.meeting_id IN (\(list)) ORDER BY agencies.name, attendance.id", ids),
                    try connection.query(Seen<CheckedDiscussion>.self, "SELECT \(CheckedDiscussion.columns), \(visible.expression) AS visible \(MeetingItem.tables)"
                                         + " WHERE meeting_items.meeting_id IN (\(list)) ORDER BY meeting_items.position, meeting_items.id",
                                         visible.parameters + ids),
                    try Self.replyStatuses(connection, meetingIDs: ids), try Self.firstDistributed(connection, meetingIDs: ids))
        }
        let recordsByMeeting = Dictionary(grouping: records, by: \.ownerID)
        let itemsByMeeting = Dictionary(grouping: items, by: \.record.meetingID)
        let today = context.today
        let timescales = try context.timescales()
        var findings: [Int64: [ComplianceFinding]] = [:]
        for meeting in meetings {
            let facts = Self.facts(meeting, records: (recordsByMeeting[meeting.id] ?? []).map(\.record), items: itemsByMeeting[meeting.id] ?? [],
                                   replies: replies[meeting.id] ?? [:], distributed: distributed[meeting.id] ?? [:])
            findings[meeting.id] = MeetingCompliance.findings(facts, today: today, timescales: timescales)
        }
        return findings
    }

    /// The facts compliance is checked on: per case, attendance recorded for that discussion, or for the whole meeting
    /// where none was recorded per case, with each agency's reply to the invitation read as attendance is
    /// (`InvitationResponse.attendanceStatus`: apologies with a report count as a report sent) where it says more than
    /// what was recorded. A case hidden from the viewer is labelled by its place on the agenda.
    static func facts(_ meeting: Meeting, records: [AttendanceRecord], items: [Seen<CheckedDiscussion>],
                      replies: [String: AttendanceStatus] = [:], distributed: [Int64: CalendarDate] = [:]) -> MeetingFacts {
        let whole = Dictionary(records.filter { $0.itemID == nil }.map { ($0.agencyCode, $0.status) }, uniquingKeysWith: Self.best)
        let discussions = items.enumerated().map { position, seen -> DiscussionFacts in
            let item = seen.record
            let own = records.filter { $0.itemID == item.id }
            let attendance = (own.isEmpty ? whole : Dictionary(own.map { ($0.agencyCode, $0.status) }, uniquingKeysWith: Self.best))
                .merging(replies, uniquingKeysWith: Self.best)
            var facts = DiscussionFacts(caseID: item.caseID,
                                        label: seen.visible ? item.nominalRef : "Agenda item \(position + 1) (not shown: need-to-know)",
                                        level: item.level, leadAgency: item.leadAgencyCode, inCustody: item.inCustody,
                                        reviewDue: item.reviewDue, attendance: attendance,
                                        confidentialityAcknowledged: item.confidentialityAcknowledged)
            facts.minutesDistributedOn = .some(distributed[item.caseID])
            return facts
        }
        return MeetingFacts(kind: meeting.kind, date: meeting.date, status: meeting.status, chairGrade: meeting.chairGrade,
                            papersSentOn: meeting.papersSentOn, discussions: discussions)
    }

    /// Every meeting's compliance facts in a span, as a system job (the performance indicators count every case).
    func complianceFacts(meetingIDs: [Int64], asSystem job: SystemJob) throws -> [Int64: MeetingFacts] {
        guard !meetingIDs.isEmpty else { return [:] }
        var result: [Int64: MeetingFacts] = [:]
        for chunk in stride(from: 0, to: meetingIDs.count, by: 500).map({ Array(meetingIDs[$0..<min($0 + 500, meetingIDs.count)]) }) {
            let ids = SQL.ids(chunk)
            let list = SQL.placeholders(chunk.count)
            let (meetings, records, items, replies, distributed) = try database.read { connection in
                (try connection.query(Meeting.self, "SELECT \(Meeting.columns) \(Meeting.tables) WHERE meetings.id IN (\(list))", ids),
                 try connection.query(Owned<AttendanceRecord>.self, "SELECT attendance.meeting_id AS owner_id, \(AttendanceRecord.columns) \(AttendanceRecord.tables)"
                                      + " WHERE attendance.meeting_id IN (\(list)) ORDER BY agencies.name, attendance.id", ids),
                 try connection.query(CheckedDiscussion.self, "SELECT \(CheckedDiscussion.columns) \(MeetingItem.tables)"
                                      + " WHERE meeting_items.meeting_id IN (\(list)) ORDER BY meeting_items.position, meeting_items.id", ids),
                 try Self.replyStatuses(connection, meetingIDs: ids), try Self.firstDistributed(connection, meetingIDs: ids))
            }
            let recordsByMeeting = Dictionary(grouping: records, by: \.ownerID)
            let itemsByMeeting = Dictionary(grouping: items, by: \.meetingID)
            for meeting in meetings {
                result[meeting.id] = Self.facts(meeting, records: (recordsByMeeting[meeting.id] ?? []).map(\.record),
                                                items: (itemsByMeeting[meeting.id] ?? []).map { Seen(record: $0, visible: true) },
                                                replies: replies[meeting.id] ?? [:], distributed: distributed[meeting.id] ?? [:])
            }
        }
        return result
    }

    /// One case discussion as the compliance checks read it, for every discussion of the dashboard's two months of
    /// panels (7,000 at national scale): only what they check, not the agenda's names and reasons.
    struct CheckedDiscussion: RowDecodable {
        let id: Int64
        let meetingID: Int64
        let caseID: Int64
        let nominalRef: String
        let level: ManagementLevel
        let leadAgencyCode: String
        let inCustody: Bool
        /// The review date the discussion was due by (`DiscussionFacts.reviewDue`): kept on the item when the meeting
        /// was held, else the case's stored date.
        let reviewDue: CalendarDate?
        let confidentialityAcknowledged: Bool

        static let columns = """
            meeting_items.id, meeting_items.meeting_id, meeting_items.case_id, nominals.nominal_ref, cases.level,
            agencies.code AS lead_code, nominals.custody_status,
            COALESCE(meeting_items.review_due, cases.next_review_date) AS review_due, meeting_items.confidentiality_acknowledged
            """

        init(row: inout RowReader) throws(DatabaseError) {
            id = try row.decode("id")
            meetingID = try row.decode("meeting_id")
            caseID = try row.decode("case_id")
            nominalRef = try row.decode("nominal_ref")
            level = try row.decode("level")
            leadAgencyCode = try row.decode("lead_code")
            inCustody = try row.decode("custody_status", as: CustodyStatus.self) == .custody
            reviewDue = try row.decodeIfPresent("review_due")
            confidentialityAcknowledged = try row.decode("confidentiality_acknowledged")
        }
    }

    /// Two people from one agency: the better-attended status counts.
    static func best(_ a: AttendanceStatus, _ b: AttendanceStatus) -> AttendanceStatus {
        let rank: [AttendanceStatus: Int] = [.attended: 3, .reportSent: 2, .apologies: 1, .didNotAttend: 0]
        return (rank[a] ?? 0) >= (rank[b] ?? 0) ? a : b
    }
}
