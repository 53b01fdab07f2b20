import Database
import Domain
import Foundation

/// Meetings (`MeetingStore`), their agendas (`+Agenda`), invitations (`+Invitations`) and attendance and compliance
/// (`+Attendance`). Unit staff see every meeting; partner-agency staff only those their agency is invited to or
/// involved in through a case on the agenda, and on it only the cases they may see. Every change is audited in the
/// same transaction.
public struct MeetingStore: FeatureStore {
    let context: StoreContext
    let agencies: AgencyStore

    /// Which meetings the viewer may see: all for unit staff; for partner-agency staff those their agency is invited
    /// to or involved in through a case on the agenda.
    static func visibility(_ viewer: Viewer) -> SQLCondition {
        if viewer.can(.viewCases) { return .none }
        guard viewer.can(.viewInvolvedCases) else { return .nothing }
        let agency = SQLValue.integer(viewer.user.agencyID)
        return SQLCondition(sql: """
             AND (meetings.id IN (SELECT meeting_id FROM meeting_invitees WHERE agency_id = ?)
                  OR meetings.id IN (SELECT meeting_items.meeting_id FROM meeting_items
                                     JOIN case_agencies ON case_agencies.case_id = meeting_items.case_id WHERE case_agencies.agency_id = ?))
            """, parameters: [agency, agency])
    }

    /// The meeting, if the viewer may see it. Partner-agency staff are not told of other agencies' meetings: for them
    /// a meeting they are not part of is not found, and the refusal is recorded.
    public func meeting(id: Int64, for viewer: Viewer) throws -> Meeting {
        let visible = Self.visibility(viewer)
        let (meeting, seen) = try database.read { connection -> (Meeting?, Bool) in
            guard let meeting = try connection.queryOne(Meeting.self, "SELECT \(Meeting.columns) \(Meeting.tables) WHERE meetings.id = ?",
                                                        [.integer(id)]) else { return (nil, false) }
            let seen = try connection.queryOne("SELECT 1 AS found FROM meetings WHERE meetings.id = ?" + visible.sql,
                                               [.integer(id)] + visible.parameters) != nil
            return (meeting, seen)
        }
        guard let meeting else { throw DomainError.notFound("The meeting") }
        guard seen else {
            try context.audit.record(actor: viewer.actor, action: .accessRefused, subjectType: "meeting", subjectID: String(id),
                                     detail: "agency not part of the meeting")
            throw DomainError.notFound("The meeting")
        }
        return meeting
    }

    /// The meetings the viewer may see, in date order.
    public func meetings(from: CalendarDate? = nil, through: CalendarDate? = nil, for viewer: Viewer) throws -> [Meeting] {
        let visible = Self.visibility(viewer)
        var sql = "SELECT \(Meeting.columns) \(Meeting.tables) WHERE 1 = 1"
        var parameters: [SQLValue] = []
        if let from { sql += " AND meeting_date >= ?"; parameters.append(.text(from.description)) }
        if let through { sql += " AND meeting_date <= ?"; parameters.append(.text(through.description)) }
        sql += visible.sql + " ORDER BY meeting_date, start_time, meetings.id LIMIT 500"
        return try database.read { try $0.query(Meeting.self, sql, parameters + visible.parameters) }
    }

    /// Every meeting that had (or has) the case on its agenda, newest first.
    public func meetings(of visible: VisibleCase) throws -> [Meeting] {
        try database.read { connection in
            try connection.query(Meeting.self, "SELECT \(Meeting.columns) \(Meeting.tables) WHERE meetings.id IN (SELECT meeting_id FROM meeting_items WHERE case_id = ?) ORDER BY meeting_date DESC",
                                 [.integer(visible.id)])
        }
    }

    func requireManager(_ viewer: Viewer) throws {
        guard viewer.can(.manageMeetings) else { throw DomainError.roleRefused() }
    }

    func insertMeeting(_ connection: Connection, _ plan: MeetingPlan, seriesID: Int64?) throws -> Int64 {
        try connection.insert("""
            INSERT INTO meetings (series_id, kind, title, meeting_date, start_time, duration_minutes, venue, online_link,
                                  chair_user_id, chair_grade, status, uid, sequence, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, 0, ?, ?)
            """, [.init(seriesID), .text(plan.kind.rawValue), .text(plan.title), .text(plan.date.description), .text(plan.startTime),
                  .integer(Int64(plan.durationMinutes)), .text(plan.venue), .text(plan.onlineLink), .init(plan.chairUserID),
                  .init(plan.chairGrade?.rawValue), .text(UUID().uuidString.lowercased() + "@mappa-coordinator"),
                  .text(context.now), .text(context.now)])
    }

    /// Schedules one meeting, or (`repeatEveryWeeks` and `count`) a series such as a monthly Level 2 panel.
    public func schedule(_ plan: MeetingPlan, repeatEveryWeeks: Int? = nil, count: Int = 1, by actor: Actor) throws -> [Int64] {
        var problems = plan.problems(today: context.today)
        if repeatEveryWeeks != nil && !(2...52).contains(count) {
            problems.append(ValidationProblem(field: "count", message: "A series has between 2 and 52 meetings"))
        }
        if let weeks = repeatEveryWeeks, !(1...26).contains(weeks) {
            problems.append(ValidationProblem(field: "repeat_weeks", message: "Repeat every 1 to 26 weeks"))
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        return try database.write { connection in
            var seriesID: Int64?
            if repeatEveryWeeks != nil {
                seriesID = try connection.insert("INSERT INTO meeting_series (kind, name, created_at) VALUES (?, ?, ?)",
                                                 [.text(plan.kind.rawValue), .text(plan.title), .text(context.now)])
            }
            var ids: [Int64] = []
            for index in 0..<(repeatEveryWeeks == nil ? 1 : count) {
                var occurrence = plan
                occurrence.date = plan.date.adding(weeks: index * (repeatEveryWeeks ?? 0))
                let id = try insertMeeting(connection, occurrence, seriesID: seriesID)
                ids.append(id)
                try ChangeEventStore.record(connection, .meetingScheduled, meetingID: id, at: context.now,
                                            ["meetingId": String(id), "kind": occurrence.kind.rawValue, "date": occurrence.date.description,
                                             "startTime": occurrence.startTime])
            }
            try context.audit.append(connection, actor: actor, action: .create, subjectType: "meeting",
                                     subjectID: ids.map(String.init).joined(separator: ","),
                                     detail: "\(plan.kind.rawValue)\(seriesID.map { ", series \($0)" } ?? "")")
            return ids
        }
    }

    /// Changes date, time, place or chair. The calendar sequence goes up so invitees' calendars update the same event;
    /// invitations are then due again (`invitationsDue`).
    public func reschedule(_ existing: Meeting, plan: MeetingPlan, expectedVersion: Int64, by viewer: Viewer) throws {
        try requireManager(viewer)
        guard existing.status == .scheduled else { throw DomainError.conflict("not_scheduled", "Only a scheduled meeting can be changed") }
        let problems = plan.problems(today: context.today)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let timingChanged = plan.date != existing.date || plan.startTime != existing.startTime
            || plan.durationMinutes != existing.durationMinutes || plan.venue != existing.venue || plan.onlineLink != existing.onlineLink
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE meetings SET title = ?, meeting_date = ?, start_time = ?, duration_minutes = ?, venue = ?, online_link = ?,
                    chair_user_id = ?, chair_grade = ?, sequence = sequence + ?, version = version + 1, updated_at = ?
                WHERE id = ? AND version = ?
                """, [.text(plan.title), .text(plan.date.description), .text(plan.startTime), .integer(Int64(plan.durationMinutes)),
                      .text(plan.venue), .text(plan.onlineLink), .init(plan.chairUserID), .init(plan.chairGrade?.rawValue),
                      .integer(timingChanged ? 1 : 0), .text(context.now), .integer(existing.id), .integer(expectedVersion)])
            guard changed == 1 else { throw DomainError.editConflict }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(existing.id),
                                     detail: timingChanged ? "rescheduled" : "details changed")
        }
    }

    /// Cancels the meeting for `reason` (`MeetingPlan.cancellationProblems`), which the cancellation notice tells the
    /// invitees; they are then due that notice (same UID, higher sequence).
    public func cancel(_ meeting: Meeting, reason: String, by viewer: Viewer) throws {
        try requireManager(viewer)
        let problems = MeetingPlan.cancellationProblems(reason)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE meetings SET status = 'cancelled', cancel_reason = ?, sequence = sequence + 1, version = version + 1, updated_at = ?
                WHERE id = ? AND status = 'scheduled'
                """, [.text(reason), .text(context.now), .integer(meeting.id)])
            guard changed == 1 else { throw DomainError.conflict("not_scheduled", "Only a scheduled meeting can be cancelled") }
            try ChangeEventStore.record(connection, .meetingCancelled, meetingID: meeting.id, at: context.now,
                                        ["meetingId": String(meeting.id), "kind": meeting.kind.rawValue, "date": meeting.date.description])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "cancelled")
        }
    }

    public func markPapersSent(_ meeting: Meeting, on date: CalendarDate, by viewer: Viewer) throws {
        try requireManager(viewer)
        guard date <= context.today else {
            throw DomainError.validation(field: "papers_sent_on", "The date papers were sent cannot be in the future")
        }
        try database.write { connection in
            try connection.execute("UPDATE meetings SET papers_sent_on = ?, version = version + 1, updated_at = ? WHERE id = ?",
                                   [.text(date.description), .text(context.now), .integer(meeting.id)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "papers sent")
        }
    }

    /// Records that the meeting took place: each case on the agenda (those the viewer does not see too: the meeting
    /// reviewed them all) counts as reviewed that day. Review dates do not move here: the case's one review date
    /// (`ReviewSchedule`) is set when the chair approves the minutes. Each agenda item keeps the review date it was
    /// due by, so the compliance check of this meeting still reads it after the minutes move the case's date on.
    public func markHeld(_ meeting: Meeting, by viewer: Viewer) throws {
        try requireManager(viewer)
        guard meeting.status == .scheduled else { throw DomainError.conflict("not_scheduled", "Only a scheduled meeting can be marked as held") }
        guard meeting.date <= context.today else { throw DomainError.conflict("not_yet", "A meeting can be marked as held on or after its date") }
        let now = context.now
        try database.write { connection in
            let changed = try connection.execute("UPDATE meetings SET status = 'held', version = version + 1, updated_at = ? WHERE id = ? AND status = 'scheduled'",
                                                 [.text(now), .integer(meeting.id)])
            guard changed == 1 else { throw DomainError.conflict("not_scheduled", "Only a scheduled meeting can be marked as held") }
            try connection.execute("""
                UPDATE meeting_items SET review_due = (SELECT cases.next_review_date FROM cases WHERE cases.id = meeting_items.case_id)
                WHERE meeting_id = ?
                """, [.integer(meeting.id)])
            let reviewed = try connection.execute("""
                UPDATE cases SET last_reviewed_on = ?, updated_at = ?, version = version + 1
                WHERE id IN (SELECT case_id FROM meeting_items WHERE meeting_id = ?)
                """, [.text(meeting.date.description), .text(now), .integer(meeting.id)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "held; \(reviewed) cases reviewed")
        }
    }
}
