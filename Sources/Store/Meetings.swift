import Database
import Domain
import Foundation

public struct AgencyContact: Sendable, Equatable {
    public var id: Int64
    public var agencyID: Int64
    public var name: String
    public var role: String
    public var email: String
    public var phone: String
    public var isSPOC: Bool
    public var active: Bool
}

/// One entry of a case's contact log: a communication with or about an agency.
public struct CaseContact: Sendable, Equatable {
    public var id: Int64
    public var caseID: Int64
    public var occurredOn: CalendarDate
    /// "in" (received) or "out" (sent).
    public var direction: String
    public var agencyName: String
    public var person: String
    public var method: String
    public var summary: String
    public var recordedBy: String
}

public struct Meeting: Sendable, Equatable {
    public var id: Int64
    public var seriesID: Int64?
    public var kind: MeetingKind
    public var title: String
    public var date: CalendarDate
    /// Local time "HH:MM" (UK time).
    public var startTime: String
    public var durationMinutes: Int
    public var venue: String
    public var onlineLink: String
    public var chairUserID: Int64?
    public var chairName: String
    public var chairGrade: ChairGrade?
    public var status: MeetingStatus
    /// Stable calendar UID: updates and cancellations reuse it with a higher `sequence` (RFC 5545).
    public var uid: String
    public var sequence: Int
    public var papersSentOn: CalendarDate?
    public var version: Int64
}

public struct MeetingItem: Sendable, Equatable {
    public var id: Int64
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
}

public struct MeetingInvitee: Sendable, Equatable {
    public var id: Int64
    public var agencyID: Int64
    public var agencyName: String
    public var name: String
    public var email: String
    public var confirmed: Bool
    /// The meeting sequence last sent to this person; behind `Meeting.sequence` means an update is due.
    public var invitedSequence: Int?
}

public struct AttendanceRecord: Sendable, Equatable {
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
}

/// Meetings, their agendas, invitees and attendance; the agency directory's contacts and each case's contact
/// log. Every change is audited in the same transaction.
public final class MeetingService: Sendable {
    let database: Database
    let clock: Clock
    /// Fixed timescales (tests); nil reads the unit's settings, so a change applies at once on every instance.
    let fixedTimescales: Timescales?
    public var timescales: Timescales { fixedTimescales ?? TimescaleSettings.load(database) }
    let audit: AuditTrail

    public init(database: Database, clock: Clock = .system, timescales: Timescales? = nil) {
        self.database = database
        self.clock = clock
        self.fixedTimescales = timescales
        self.audit = AuditTrail(database: database, clock: clock)
    }

    public var today: CalendarDate { CalendarDate(clock.now()) }
    var now: String { Timestamp.string(clock.now()) }

    // MARK: agency directory

    public func contacts(agencyID: Int64, activeOnly: Bool = false) throws -> [AgencyContact] {
        try database.read { connection in
            try connection.query("SELECT * FROM agency_contacts WHERE agency_id = ?" + (activeOnly ? " AND active = 1" : "")
                                 + " ORDER BY is_spoc DESC, name, id", [.integer(agencyID)]).map(Self.contact)
        }
    }

    public func contact(id: Int64) throws -> AgencyContact? {
        try database.read { try $0.queryOne("SELECT * FROM agency_contacts WHERE id = ?", [.integer(id)]).map(Self.contact) }
    }

    static func contact(_ row: Row) -> AgencyContact {
        AgencyContact(id: row.int64("id"), agencyID: row.int64("agency_id"), name: row.string("name"), role: row.string("role"),
                      email: row.string("email"), phone: row.string("phone"), isSPOC: row.bool("is_spoc"), active: row.bool("active"))
    }

    static func contactProblems(name: String, email: String, phone: String) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(ValidationProblem(field: "name", message: "Enter the contact's name")) }
        if email.isEmpty && phone.isEmpty {
            problems.append(ValidationProblem(field: "email", message: "Enter a secure email address, a phone number, or both"))
        }
        problems += AccountRules().emailProblems(email)
        return problems
    }

    /// Adds (id nil) or changes a contact. Making one the single point of contact (SPOC) clears the flag on
    /// the agency's others: there is one SPOC per agency.
    @discardableResult
    public func saveContact(id: Int64?, agencyID: Int64, name: String, role: String, email: String, phone: String,
                            isSPOC: Bool, active: Bool, by actor: Actor) throws -> Int64 {
        let problems = Self.contactProblems(name: name, email: email, phone: phone)
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        return try database.write { connection in
            if isSPOC {
                try connection.execute("UPDATE agency_contacts SET is_spoc = 0 WHERE agency_id = ?", [.integer(agencyID)])
            }
            let values: [SQLValue] = [.text(name), .text(role), .text(email.lowercased()), .text(phone), .init(isSPOC && active),
                                      .init(active), .text(now)]
            let contactID: Int64
            if let id {
                let changed = try connection.execute("""
                    UPDATE agency_contacts SET name = ?, role = ?, email = ?, phone = ?, is_spoc = ?, active = ?, updated_at = ?
                    WHERE id = ? AND agency_id = ?
                    """, values + [.integer(id), .integer(agencyID)])
                guard changed == 1 else { throw StoreError.notFound("The contact") }
                contactID = id
            } else {
                contactID = try connection.insert("""
                    INSERT INTO agency_contacts (name, role, email, phone, is_spoc, active, updated_at, agency_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, values + [.integer(agencyID), .text(now)])
            }
            try audit.append(connection, actor: actor, action: id == nil ? .create : .update, subjectType: "agency_contact",
                             subjectID: String(contactID), detail: "agency \(agencyID)\(isSPOC ? ", single point of contact" : "")")
            return contactID
        }
    }

    /// Adds an associate agency (MAPPA Guidance ch.10: inside the information-sharing circle).
    public func addAgency(name: String, kind: AgencyKind, by actor: Actor) throws -> Agency {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "name", message: "Enter the agency's name")])
        }
        var code = String(DuplicateMatcher.normalisedName(trimmed).replacingOccurrences(of: " ", with: "_").prefix(40))
        if code.isEmpty { code = "agency" }
        let accounts = AccountStore(database: database)
        var candidate = code
        var suffix = 2
        while try accounts.agency(code: candidate) != nil { candidate = "\(code)_\(suffix)"; suffix += 1 }
        let finalCode = candidate
        try database.write { connection in
            let id = try connection.insert("INSERT INTO agencies (code, name, kind, active) VALUES (?, ?, ?, 1)",
                                           [.text(finalCode), .text(trimmed), .text(kind.rawValue)])
            try audit.append(connection, actor: actor, action: .create, subjectType: "agency", subjectID: String(id), detail: finalCode)
        }
        guard let agency = try accounts.agency(code: finalCode) else { throw StoreError.notFound("The agency") }
        return agency
    }

    /// An inactive agency stays in the records but is no longer offered for new cases, invitations or users.
    public func setAgencyActive(id: Int64, active: Bool, by actor: Actor) throws {
        try database.write { connection in
            try connection.execute("UPDATE agencies SET active = ? WHERE id = ?", [.init(active), .integer(id)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "agency", subjectID: String(id),
                             detail: active ? "active" : "inactive")
        }
    }

    // MARK: contact log

    public static let contactMethods = ["Secure email", "Phone", "Meeting", "Letter", "Video call", "In person"]

    public func logContact(caseID: Int64, occurredOn: CalendarDate?, direction: String, agencyID: Int64?, person: String,
                           method: String, summary: String, by user: User, from address: String) throws {
        var problems: [ValidationProblem] = []
        if occurredOn == nil { problems.append(ValidationProblem(field: "occurred_on", message: "Enter the date of the contact, like 2026-11-25")) }
        if let occurredOn, occurredOn > today { problems.append(ValidationProblem(field: "occurred_on", message: "The contact date cannot be in the future")) }
        if !["in", "out"].contains(direction) { problems.append(ValidationProblem(field: "direction", message: "Select whether the contact was received or sent")) }
        if agencyID == nil { problems.append(ValidationProblem(field: "agency", message: "Select the agency")) }
        if !Self.contactMethods.contains(method) { problems.append(ValidationProblem(field: "method", message: "Select how the contact was made")) }
        if summary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "summary", message: "Summarise what was communicated"))
        }
        guard problems.isEmpty, let occurredOn, let agencyID else { throw AccountService.ValidationFailure(problems: problems) }
        try database.write { connection in
            let id = try connection.insert("""
                INSERT INTO case_contacts (case_id, occurred_on, direction, agency_id, person, method, summary, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(caseID), .text(occurredOn.description), .text(direction), .integer(agencyID), .text(person),
                      .text(method), .text(summary), .integer(user.id), .text(now)])
            try audit.append(connection, actor: Actor(userID: user.id, username: user.username, clientAddress: address),
                             action: .create, subjectType: "case_contact", subjectID: String(id), detail: "case \(caseID)")
        }
    }

    public func contactLog(caseID: Int64) throws -> [CaseContact] {
        try database.read { connection in
            try connection.query("""
                SELECT case_contacts.*, agencies.name AS agency_name, users.display_name AS recorder FROM case_contacts
                JOIN agencies ON agencies.id = case_contacts.agency_id JOIN users ON users.id = case_contacts.recorded_by
                WHERE case_id = ? ORDER BY occurred_on DESC, case_contacts.id DESC
                """, [.integer(caseID)]).map { row in
                CaseContact(id: row.int64("id"), caseID: caseID, occurredOn: CalendarDate(row.string("occurred_on")) ?? today,
                            direction: row.string("direction"), agencyName: row.string("agency_name"), person: row.string("person"),
                            method: row.string("method"), summary: row.string("summary"), recordedBy: row.string("recorder"))
            }
        }
    }

    // MARK: meetings

    /// What `meeting(_:)` reads, in its order. The dashboard lists some 700 meetings at national scale, and the
    /// readers below take their columns by position rather than look up 17 names for each.
    static let meetingSelect = """
        SELECT meetings.id, meetings.series_id, meetings.kind, meetings.title, meetings.meeting_date, meetings.start_time,
               meetings.duration_minutes, meetings.venue, meetings.online_link, meetings.chair_user_id, meetings.chair_grade,
               meetings.status, meetings.uid, meetings.sequence, meetings.papers_sent_on, meetings.version,
               COALESCE(users.display_name, '') AS chair_name
        FROM meetings LEFT JOIN users ON users.id = meetings.chair_user_id
        """

    static func meeting(_ row: Row) -> Meeting {
        Meeting(id: row[0].int64 ?? 0, seriesID: row[1].int64, kind: MeetingKind(rawValue: row[2].string ?? "") ?? .level2,
                title: row[3].string ?? "", date: row[4].string.flatMap(CalendarDate.init) ?? CalendarDate(daysSinceEpoch: 0),
                startTime: row[5].string ?? "", durationMinutes: row[6].int ?? 120,
                venue: row[7].string ?? "", onlineLink: row[8].string ?? "", chairUserID: row[9].int64,
                chairName: row[16].string ?? "", chairGrade: row[10].string.flatMap(ChairGrade.init(rawValue:)),
                status: MeetingStatus(rawValue: row[11].string ?? "") ?? .scheduled, uid: row[12].string ?? "",
                sequence: row[13].int ?? 0, papersSentOn: row[14].string.flatMap(CalendarDate.init),
                version: row[15].int64 ?? 0)
    }

    public func meeting(id: Int64) throws -> Meeting? {
        try database.read { try $0.queryOne(Self.meetingSelect + " WHERE meetings.id = ?", [.integer(id)]).map(Self.meeting) }
    }

    /// Meetings in date order; for partner-agency staff only those their agency is invited to or involved in
    /// through a case on the agenda (need-to-know).
    public func meetings(from: CalendarDate? = nil, through: CalendarDate? = nil, visibleTo user: User) throws -> [Meeting] {
        var sql = Self.meetingSelect + " WHERE 1 = 1"
        var parameters: [SQLValue] = []
        if let from { sql += " AND meeting_date >= ?"; parameters.append(.text(from.description)) }
        if let through { sql += " AND meeting_date <= ?"; parameters.append(.text(through.description)) }
        if !user.role.can(.viewCases) {
            sql += """
                 AND (meetings.id IN (SELECT meeting_id FROM meeting_invitees WHERE agency_id = ?)
                      OR meetings.id IN (SELECT meeting_items.meeting_id FROM meeting_items
                                         JOIN case_agencies ON case_agencies.case_id = meeting_items.case_id WHERE case_agencies.agency_id = ?))
                """
            parameters += [.integer(user.agencyID), .integer(user.agencyID)]
        }
        sql += " ORDER BY meeting_date, start_time, meetings.id LIMIT 500"
        return try database.read { try $0.query(sql, parameters).map(Self.meeting) }
    }

    /// Whether this person may see the meeting at all (their agency's cases on it are filtered separately).
    public func canView(meetingID: Int64, user: User) throws -> Bool {
        if user.role.can(.viewCases) { return true }
        guard user.role.can(.viewInvolvedCases) else { return false }
        return try database.read { connection in
            try connection.queryOne("""
                SELECT 1 AS yes FROM meeting_invitees WHERE meeting_id = ? AND agency_id = ?
                UNION SELECT 1 AS yes FROM meeting_items JOIN case_agencies ON case_agencies.case_id = meeting_items.case_id
                WHERE meeting_items.meeting_id = ? AND case_agencies.agency_id = ?
                """, [.integer(meetingID), .integer(user.agencyID), .integer(meetingID), .integer(user.agencyID)]) != nil
        }
    }

    func insertMeeting(_ connection: Connection, _ plan: MeetingPlan, seriesID: Int64?) throws -> Int64 {
        try connection.insert("""
            INSERT INTO meetings (series_id, kind, title, meeting_date, start_time, duration_minutes, venue, online_link,
                                  chair_user_id, chair_grade, status, uid, sequence, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, 0, ?, ?)
            """, [.init(seriesID), .text(plan.kind.rawValue), .text(plan.title), .text(plan.date.description), .text(plan.startTime),
                  .integer(Int64(plan.durationMinutes)), .text(plan.venue), .text(plan.onlineLink), .init(plan.chairUserID),
                  .init(plan.chairGrade?.rawValue), .text(UUID().uuidString.lowercased() + "@mappa-coordinator"), .text(now), .text(now)])
    }

    /// Schedules one meeting, or (`repeatEveryWeeks` and `count`) a series such as a monthly Level 2 panel.
    public func schedule(_ plan: MeetingPlan, repeatEveryWeeks: Int? = nil, count: Int = 1, by actor: Actor) throws -> [Int64] {
        var problems = plan.problems(today: today)
        if repeatEveryWeeks != nil && !(2...52).contains(count) {
            problems.append(ValidationProblem(field: "count", message: "A series has between 2 and 52 meetings"))
        }
        if let weeks = repeatEveryWeeks, !(1...26).contains(weeks) {
            problems.append(ValidationProblem(field: "repeat_weeks", message: "Repeat every 1 to 26 weeks"))
        }
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        return try database.write { connection in
            var seriesID: Int64?
            if repeatEveryWeeks != nil {
                seriesID = try connection.insert("INSERT INTO meeting_series (kind, name, created_at) VALUES (?, ?, ?)",
                                                 [.text(plan.kind.rawValue), .text(plan.title), .text(now)])
            }
            var ids: [Int64] = []
            for index in 0..<(repeatEveryWeeks == nil ? 1 : count) {
                var occurrence = plan
                occurrence.date = plan.date.adding(weeks: index * (repeatEveryWeeks ?? 0))
                ids.append(try insertMeeting(connection, occurrence, seriesID: seriesID))
            }
            try audit.append(connection, actor: actor, action: .create, subjectType: "meeting", subjectID: ids.map(String.init).joined(separator: ","),
                             detail: "\(plan.kind.rawValue)\(seriesID.map { ", series \($0)" } ?? "")")
            return ids
        }
    }

    /// Changes date, time, place or chair. The calendar sequence goes up so invitees' calendars update the
    /// same event; invitations are then due again (`invitationsDue`).
    public func reschedule(id: Int64, plan: MeetingPlan, expectedVersion: Int64, by actor: Actor) throws {
        guard let existing = try meeting(id: id) else { throw StoreError.notFound("The meeting") }
        guard existing.status == .scheduled else { throw StoreError("not_scheduled", "Only a scheduled meeting can be changed") }
        let problems = plan.problems(today: today)
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        let timingChanged = plan.date != existing.date || plan.startTime != existing.startTime
            || plan.durationMinutes != existing.durationMinutes || plan.venue != existing.venue || plan.onlineLink != existing.onlineLink
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE meetings SET title = ?, meeting_date = ?, start_time = ?, duration_minutes = ?, venue = ?, online_link = ?,
                    chair_user_id = ?, chair_grade = ?, sequence = sequence + ?, version = version + 1, updated_at = ?
                WHERE id = ? AND version = ?
                """, [.text(plan.title), .text(plan.date.description), .text(plan.startTime), .integer(Int64(plan.durationMinutes)),
                      .text(plan.venue), .text(plan.onlineLink), .init(plan.chairUserID), .init(plan.chairGrade?.rawValue),
                      .integer(timingChanged ? 1 : 0), .text(now), .integer(id), .integer(expectedVersion)])
            guard changed == 1 else { throw StoreError.editConflict }
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(id),
                             detail: timingChanged ? "rescheduled" : "details changed")
        }
    }

    /// Cancels the meeting; invitees are then due a cancellation (same UID, higher sequence).
    public func cancel(id: Int64, by actor: Actor) throws {
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, version = version + 1, updated_at = ?
                WHERE id = ? AND status = 'scheduled'
                """, [.text(now), .integer(id)])
            guard changed == 1 else { throw StoreError("not_scheduled", "Only a scheduled meeting can be cancelled") }
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(id), detail: "cancelled")
        }
    }

    public func markPapersSent(id: Int64, on date: CalendarDate, by actor: Actor) throws {
        guard date <= today else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "papers_sent_on", message: "The date papers were sent cannot be in the future")])
        }
        try database.write { connection in
            try connection.execute("UPDATE meetings SET papers_sent_on = ?, version = version + 1, updated_at = ? WHERE id = ?",
                                   [.text(date.description), .text(now), .integer(id)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(id), detail: "papers sent")
        }
    }

    /// Records that the meeting took place: each case on the agenda counts as reviewed that day, and its next
    /// review date is set from the interval for its level (the minutes may set an earlier one).
    public func markHeld(id: Int64, by user: User, from address: String) throws {
        guard let meeting = try meeting(id: id) else { throw StoreError.notFound("The meeting") }
        guard meeting.status == .scheduled else { throw StoreError("not_scheduled", "Only a scheduled meeting can be marked as held") }
        guard meeting.date <= today else { throw StoreError("not_yet", "A meeting can be marked as held on or after its date") }
        let items = try items(meetingID: id)
        try database.write { connection in
            try connection.execute("UPDATE meetings SET status = 'held', version = version + 1, updated_at = ? WHERE id = ?",
                                   [.text(now), .integer(id)])
            for item in items {
                let next = timescales.nextReviewDue(after: meeting.date, level: item.level)
                try connection.execute("UPDATE cases SET last_reviewed_on = ?, next_review_date = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                       [.text(meeting.date.description), .init(next?.description), .text(now), .integer(item.caseID)])
                try connection.execute("""
                    INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
                    VALUES (?, 'next_review_date', ?, ?, ?, ?, ?)
                    """, [.integer(item.caseID), .text(""), .text(next?.description ?? ""),
                          .text("Reviewed at \(meeting.kind.displayName) on \(meeting.date.displayText)"), .text(now), .integer(user.id)])
            }
            try audit.append(connection, actor: Actor(userID: user.id, username: user.username, clientAddress: address),
                             action: .update, subjectType: "meeting", subjectID: String(id), detail: "held; \(items.count) cases reviewed")
        }
    }

    // MARK: agenda

    /// What `item(_:)` reads, in its order (by position, as `meetingSelect`); the meeting's id is column 1.
    static let itemSelect = """
        SELECT meeting_items.id, meeting_items.meeting_id, meeting_items.case_id, meeting_items.position,
               meeting_items.review_type, meeting_items.reason, meeting_items.confidentiality_acknowledged,
               nominals.given_names, nominals.family_name, nominals.nominal_ref, nominals.custody_status,
               cases.category, cases.level, cases.last_reviewed_on, cases.start_date, agencies.code AS lead_code,
               agencies.name AS lead_name
        FROM meeting_items JOIN cases ON cases.id = meeting_items.case_id JOIN nominals ON nominals.id = cases.nominal_id
        JOIN agencies ON agencies.id = cases.lead_agency_id
        """

    public func items(meetingID: Int64) throws -> [MeetingItem] {
        try database.read { connection in
            try connection.query(Self.itemSelect + " WHERE meeting_items.meeting_id = ? ORDER BY position, meeting_items.id",
                                 [.integer(meetingID)]).map(item)
        }
    }

    func item(_ row: Row) -> MeetingItem {
        MeetingItem(id: row[0].int64 ?? 0, caseID: row[2].int64 ?? 0, position: row[3].int ?? 0,
                    reviewType: row[4].string ?? "", reason: row[5].string ?? "",
                    confidentialityAcknowledged: row[6].bool ?? false,
                    nominalName: NominalListing.fullName(givenNames: row[7].string ?? "", familyName: row[8].string ?? ""),
                    nominalRef: row[9].string ?? "",
                    category: MappaCategory(rawValue: row[11].int ?? 3) ?? .three,
                    level: ManagementLevel(rawValue: row[12].int ?? 0) ?? .unknown,
                    leadAgencyCode: row[15].string ?? "", leadAgencyName: row[16].string ?? "",
                    inCustody: row[10].string == CustodyStatus.custody.rawValue,
                    lastReviewedOn: row[13].string.flatMap(CalendarDate.init),
                    startDate: row[14].string.flatMap(CalendarDate.init) ?? today)
    }

    /// The cases the agenda builder proposes for this meeting and that are not on it yet.
    public func agendaProposals(meetingID: Int64) throws -> [AgendaProposal] {
        guard let meeting = try meeting(id: meetingID), let level = meeting.kind.reviewLevel else { return [] }
        let rows = try database.read { connection in
            try connection.query("""
                SELECT id, level, status, start_date, next_review_date, last_reviewed_on FROM cases
                WHERE status = 'active' AND level = ? AND id NOT IN (SELECT case_id FROM meeting_items WHERE meeting_id = ?)
                """, [.integer(Int64(level.rawValue)), .integer(meetingID)])
        }
        // By position: at national scale a Level 2 panel weighs some 7,000 cases.
        let cases = rows.map { row in
            AgendaCase(caseID: row[0].int64 ?? 0, level: level, status: .active,
                       startDate: row[3].string.flatMap(CalendarDate.init) ?? today,
                       nextReviewDate: row[4].string.flatMap(CalendarDate.init),
                       lastReviewedOn: row[5].string.flatMap(CalendarDate.init))
        }
        return AgendaBuilder.proposals(cases, kind: meeting.kind, meetingDate: meeting.date, timescales: timescales)
    }

    public func addToAgenda(meetingID: Int64, caseID: Int64, reason: String, by actor: Actor) throws {
        try database.write { connection in
            guard try connection.queryOne("SELECT 1 AS yes FROM meeting_items WHERE meeting_id = ? AND case_id = ?",
                                          [.integer(meetingID), .integer(caseID)]) == nil else { return }
            guard let row = try connection.queryOne("SELECT last_reviewed_on FROM cases WHERE id = ?", [.integer(caseID)]) else {
                throw StoreError.notFound("The case")
            }
            let position = (try connection.queryOne("SELECT MAX(position) AS top FROM meeting_items WHERE meeting_id = ?",
                                                    [.integer(meetingID)])?["top"].int ?? 0) + 1
            try connection.execute("""
                INSERT INTO meeting_items (meeting_id, case_id, position, review_type, reason) VALUES (?, ?, ?, ?, ?)
                """, [.integer(meetingID), .integer(caseID), .integer(Int64(position)),
                      .text(row["last_reviewed_on"].string == nil ? "initial" : "review"), .text(reason)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "agenda: case \(caseID) added")
        }
    }

    public func removeFromAgenda(meetingID: Int64, itemID: Int64, by actor: Actor) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM attendance WHERE item_id = ?", [.integer(itemID)])
            try connection.execute("DELETE FROM meeting_items WHERE id = ? AND meeting_id = ?", [.integer(itemID), .integer(meetingID)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "agenda: item \(itemID) removed")
        }
    }

    /// Moves an agenda item one place up (-1) or down (+1).
    public func moveItem(meetingID: Int64, itemID: Int64, by offset: Int, actor: Actor) throws {
        var order = try items(meetingID: meetingID).map(\.id)
        guard let index = order.firstIndex(of: itemID) else { throw StoreError.notFound("The agenda item") }
        let target = index + offset
        guard order.indices.contains(target) else { return }
        order.swapAt(index, target)
        try database.write { connection in
            for (position, id) in order.enumerated() {
                try connection.execute("UPDATE meeting_items SET position = ? WHERE id = ?", [.integer(Int64(position + 1)), .integer(id)])
            }
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "agenda reordered")
        }
    }

    /// Every meeting that had (or has) this case on its agenda, newest first.
    public func meetings(caseID: Int64) throws -> [Meeting] {
        try database.read { connection in
            try connection.query(Self.meetingSelect + " WHERE meetings.id IN (SELECT meeting_id FROM meeting_items WHERE case_id = ?) ORDER BY meeting_date DESC",
                                 [.integer(caseID)]).map(Self.meeting)
        }
    }

    /// Active Level 2 and 3 cases whose review date has passed, most overdue first, with their nominal.
    public func overdueReviews(limit: Int = 20) throws -> (total: Int, cases: [(caseID: Int64, nominalRef: String, level: ManagementLevel, due: CalendarDate)]) {
        try database.read { connection in
            let filter = "FROM cases JOIN nominals ON nominals.id = cases.nominal_id WHERE cases.status = 'active' AND cases.level IN (2, 3) AND cases.next_review_date < ?"
            let total = try connection.queryOne("SELECT COUNT(*) AS n " + filter, [.text(today.description)])?["n"].int ?? 0
            let rows = try connection.query("SELECT cases.id, cases.level, cases.next_review_date, nominals.nominal_ref " + filter
                                            + " ORDER BY cases.next_review_date, cases.id LIMIT ?", [.text(today.description), .integer(Int64(limit))])
            return (total, rows.map { row in
                (row.int64("id"), row.string("nominal_ref"), ManagementLevel(rawValue: row["level"].int ?? 0) ?? .unknown,
                 CalendarDate(row.string("next_review_date")) ?? today)
            })
        }
    }

    // MARK: invitees

    public func invitees(meetingID: Int64) throws -> [MeetingInvitee] {
        try database.read { connection in
            try connection.query("""
                SELECT meeting_invitees.*, agencies.name AS agency_name FROM meeting_invitees
                JOIN agencies ON agencies.id = meeting_invitees.agency_id WHERE meeting_id = ? ORDER BY agencies.name, meeting_invitees.name
                """, [.integer(meetingID)]).map { row in
                MeetingInvitee(id: row.int64("id"), agencyID: row.int64("agency_id"), agencyName: row.string("agency_name"),
                               name: row.string("name"), email: row.string("email"), confirmed: row.bool("confirmed"),
                               invitedSequence: row["invited_sequence"].int)
            }
        }
    }

    /// Who should be invited: for each case on the agenda, the agencies involved in it plus the core agencies
    /// (police, probation, the lead, and prison for custody cases), each by its single point of contact (or
    /// its first active contact with an email address). Agencies with no such contact are listed with an empty
    /// email so the coordinator sees the gap.
    public func proposedInvitees(meetingID: Int64) throws -> [(agency: Agency, contact: AgencyContact?)] {
        let items = try items(meetingID: meetingID)
        let accounts = AccountStore(database: database)
        var codes = Set<String>()
        var agencyIDs = Set<Int64>()
        for item in items {
            let facts = DiscussionFacts(caseID: item.caseID, label: "", level: item.level, leadAgency: item.leadAgencyCode,
                                        inCustody: item.inCustody, previousReview: nil, attendance: [:], confidentialityAcknowledged: false)
            codes.formUnion(facts.coreAgencies)
            let involved = try database.read { connection in
                try connection.query("SELECT agency_id FROM case_agencies WHERE case_id = ?", [.integer(item.caseID)]).map { $0.int64("agency_id") }
            }
            agencyIDs.formUnion(involved)
        }
        let agencies = try accounts.agencies(activeOnly: true).filter { codes.contains($0.code) || agencyIDs.contains($0.id) }
            .filter { $0.code != "mappa_unit" }
        return try agencies.map { agency in
            let contacts = try contacts(agencyID: agency.id, activeOnly: true).filter { !$0.email.isEmpty }
            return (agency, contacts.first { $0.isSPOC } ?? contacts.first)
        }
    }

    /// Confirms invitees (the coordinator's choice from the proposals, or people added by hand).
    public func confirmInvitees(meetingID: Int64, _ people: [(agencyID: Int64, name: String, email: String)], by actor: Actor) throws {
        let problems = people.filter { $0.email.isEmpty || !AccountRules().emailProblems($0.email).isEmpty }.map { _ in
            ValidationProblem(field: "email", message: "Each invitee needs an email address in the correct format")
        }
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: Array(problems.prefix(1))) }
        try database.write { connection in
            for person in people {
                let email = person.email.lowercased()
                if try connection.queryOne("SELECT 1 AS yes FROM meeting_invitees WHERE meeting_id = ? AND email = ?",
                                           [.integer(meetingID), .text(email)]) == nil {
                    try connection.execute("""
                        INSERT INTO meeting_invitees (meeting_id, agency_id, name, email, confirmed) VALUES (?, ?, ?, ?, 1)
                        """, [.integer(meetingID), .integer(person.agencyID), .text(person.name), .text(email)])
                }
            }
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "\(people.count) invitees confirmed")
        }
    }

    public func removeInvitee(meetingID: Int64, inviteeID: Int64, by actor: Actor) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM meeting_invitees WHERE id = ? AND meeting_id = ?", [.integer(inviteeID), .integer(meetingID)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "invitee \(inviteeID) removed")
        }
    }

    // MARK: attendance and compliance

    public func attendance(meetingID: Int64) throws -> [AttendanceRecord] {
        try database.read { connection in
            try connection.query(Self.attendanceSelect + " WHERE meeting_id = ? ORDER BY agencies.name, attendance.id",
                                 [.integer(meetingID)]).map(Self.attendanceRecord)
        }
    }

    /// What `attendanceRecord(_:)` reads, in its order (by position, as `meetingSelect`); the meeting's id is column 0.
    static let attendanceSelect = """
        SELECT attendance.meeting_id, attendance.item_id, attendance.agency_id, agencies.code AS agency_code,
               agencies.name AS agency_name, attendance.person, attendance.status
        FROM attendance JOIN agencies ON agencies.id = attendance.agency_id
        """

    static func attendanceRecord(_ row: Row) -> AttendanceRecord {
        AttendanceRecord(itemID: row[1].int64, agencyID: row[2].int64 ?? 0, agencyCode: row[3].string ?? "",
                         agencyName: row[4].string ?? "", person: row[5].string ?? "",
                         status: AttendanceStatus(rawValue: row[6].string ?? "") ?? .didNotAttend)
    }

    /// Replaces the meeting's attendance record (whole meeting and per case) and which case discussions
    /// opened with the confidentiality statement.
    public func recordAttendance(meetingID: Int64, _ records: [AttendanceRecord], acknowledgedItemIDs: Set<Int64>,
                                 by actor: Actor) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM attendance WHERE meeting_id = ?", [.integer(meetingID)])
            for record in records {
                try connection.execute("""
                    INSERT INTO attendance (meeting_id, item_id, agency_id, person, status, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, [.integer(meetingID), .init(record.itemID), .integer(record.agencyID), .text(record.person),
                          .text(record.status.rawValue), .text(now)])
            }
            try connection.execute("UPDATE meeting_items SET confidentiality_acknowledged = 0 WHERE meeting_id = ?", [.integer(meetingID)])
            for itemID in acknowledgedItemIDs {
                try connection.execute("UPDATE meeting_items SET confidentiality_acknowledged = 1 WHERE id = ? AND meeting_id = ?",
                                       [.integer(itemID), .integer(meetingID)])
            }
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "attendance: \(records.count) entries")
        }
    }

    /// The facts compliance is checked on: per case, attendance recorded for that discussion, or for the whole
    /// meeting where none was recorded per case.
    public func complianceFacts(meetingID: Int64) throws -> MeetingFacts? {
        guard let meeting = try meeting(id: meetingID) else { return nil }
        return Self.facts(meeting, records: try attendance(meetingID: meetingID), items: try items(meetingID: meetingID))
    }

    /// Compliance findings for many meetings (the dashboard's two months of panels) in two queries, not three
    /// per meeting.
    public func compliance(meetings: [Meeting]) throws -> [Int64: [ComplianceFinding]] {
        guard !meetings.isEmpty else { return [:] }
        let ids = meetings.map { SQLValue.integer($0.id) }
        let list = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let (records, items) = try database.read { connection in
            (Dictionary(grouping: try connection.query(Self.attendanceSelect + " WHERE meeting_id IN (\(list)) ORDER BY agencies.name, attendance.id", ids),
                        by: { $0[0].int64 ?? 0 }),
             Dictionary(grouping: try connection.query(Self.itemSelect + " WHERE meeting_items.meeting_id IN (\(list)) ORDER BY position, meeting_items.id", ids),
                        by: { $0[1].int64 ?? 0 }))
        }
        let timescales = self.timescales
        var findings: [Int64: [ComplianceFinding]] = [:]
        for meeting in meetings {
            let facts = Self.facts(meeting, records: (records[meeting.id] ?? []).map(Self.attendanceRecord),
                                   items: (items[meeting.id] ?? []).map(item))
            findings[meeting.id] = MeetingCompliance.findings(facts, today: today, timescales: timescales)
        }
        return findings
    }

    static func facts(_ meeting: Meeting, records: [AttendanceRecord], items: [MeetingItem]) -> MeetingFacts {
        let whole = Dictionary(records.filter { $0.itemID == nil }.map { ($0.agencyCode, $0.status) }, uniquingKeysWith: Self.best)
        let discussions = items.map { item -> DiscussionFacts in
            let own = records.filter { $0.itemID == item.id }
            let attendance = own.isEmpty ? whole : Dictionary(own.map { ($0.agencyCode, $0.status) }, uniquingKeysWith: Self.best)
            return DiscussionFacts(caseID: item.caseID, label: "\(item.nominalRef)", level: item.level,
                                   leadAgency: item.leadAgencyCode, inCustody: item.inCustody,
                                   previousReview: item.lastReviewedOn ?? item.startDate, attendance: attendance,
                                   confidentialityAcknowledged: item.confidentialityAcknowledged)
        }
        return MeetingFacts(kind: meeting.kind, date: meeting.date, status: meeting.status, chairGrade: meeting.chairGrade,
                            papersSentOn: meeting.papersSentOn, discussions: discussions)
    }

    public func compliance(meetingID: Int64) throws -> [ComplianceFinding] {
        guard let facts = try complianceFacts(meetingID: meetingID) else { return [] }
        return MeetingCompliance.findings(facts, today: today, timescales: timescales)
    }

    /// Two people from one agency: the better-attended status counts.
    static func best(_ a: AttendanceStatus, _ b: AttendanceStatus) -> AttendanceStatus {
        let rank: [AttendanceStatus: Int] = [.attended: 3, .reportSent: 2, .apologies: 1, .didNotAttend: 0]
        return (rank[a] ?? 0) >= (rank[b] ?? 0) ? a : b
    }
}

// MARK: invitations

extension MeetingService {
    /// When the meeting starts and ends, as instants: its date and "HH:MM" are UK local time.
    public static func interval(_ meeting: Meeting) -> (start: Date, end: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        let minutes = MeetingPlan.minutesOfDay(meeting.startTime) ?? 0
        let components = DateComponents(year: meeting.date.year, month: meeting.date.month, day: meeting.date.day,
                                        hour: minutes / 60, minute: minutes % 60)
        let start = calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
        return (start, start.addingTimeInterval(TimeInterval(meeting.durationMinutes * 60)))
    }

    /// Invitees due a message: never sent one, or sent an older version of the meeting. For a cancelled meeting,
    /// only those who had been invited (the others never heard of it).
    public func invitationsDue(meetingID: Int64) throws -> [MeetingInvitee] {
        guard let meeting = try meeting(id: meetingID) else { return [] }
        return try invitees(meetingID: meetingID).filter { invitee in
            guard invitee.confirmed else { return false }
            if meeting.status == .cancelled { return invitee.invitedSequence.map { $0 < meeting.sequence } ?? false }
            return invitee.invitedSequence.map { $0 < meeting.sequence } ?? true
        }
    }

    /// Queues an invitation, an update or a cancellation (iCalendar, same UID, the meeting's sequence) to each
    /// invitee who is due one, through the outbox in the same transaction that records it as sent, so nothing
    /// is lost or sent twice if the mail server is down. The messages carry no case details: those go in the
    /// papers, by secure email. Returns how many were queued.
    @discardableResult
    public func sendInvitations(meetingID: Int64, organizer: Mailbox, outbox: Outbox, by actor: Actor) throws -> Int {
        guard let meeting = try meeting(id: meetingID) else { throw StoreError.notFound("The meeting") }
        guard meeting.status != .held else { throw StoreError("already_held", "The meeting has already been held") }
        let due = try invitationsDue(meetingID: meetingID)
        guard !due.isEmpty else { return 0 }
        let everyone = try invitees(meetingID: meetingID).filter(\.confirmed).map { Mailbox(name: $0.name, address: $0.email) }
        let (start, end) = Self.interval(meeting)
        let cancelled = meeting.status == .cancelled
        let location = [meeting.venue, meeting.onlineLink].filter { !$0.isEmpty }.joined(separator: " – ")
        let event = CalendarEvent(
            uid: meeting.uid, sequence: meeting.sequence, method: cancelled ? .cancel : .request, start: start, end: end,
            summary: "MAPPA \(meeting.kind.displayName): \(meeting.title)", location: location,
            details: "MAPPA meeting. OFFICIAL-SENSITIVE. Case details are not sent by email: the papers follow by secure email. "
                + "Chair: \(meeting.chairName.isEmpty ? "to be confirmed" : meeting.chairName).",
            organizer: organizer, attendees: everyone)
        let when = "\(meeting.date.displayText), \(meeting.startTime) (UK time), \(meeting.durationMinutes) minutes"
        try database.write { connection in
            for invitee in due {
                let kind = cancelled ? "Cancelled" : (invitee.invitedSequence == nil ? "Invitation" : "Updated")
                let text = """
                    \(cancelled ? "This meeting has been cancelled." : (invitee.invitedSequence == nil ? "You are invited to this MAPPA meeting." : "This MAPPA meeting has changed: the details below replace the earlier invitation."))

                    \(meeting.kind.displayName): \(meeting.title)
                    When: \(when)
                    Where: \(location.isEmpty ? "to be confirmed" : location)

                    You are invited on behalf of \(invitee.agencyName). Case details are not sent by email; the papers follow by
                    secure email. Please reply to confirm attendance or send apologies and, if you cannot attend, a written report.

                    OFFICIAL-SENSITIVE: handle in line with the MAPPA information-sharing agreement.
                    """
                try outbox.enqueue(connection, mail: OutgoingMail(from: organizer, to: [Mailbox(name: invitee.name, address: invitee.email)],
                                                                   subject: "\(kind): \(meeting.title), \(meeting.date.displayText) \(meeting.startTime)",
                                                                   text: text, calendar: event),
                                   purpose: "meeting_\(kind.lowercased())", meetingID: meetingID)
                try connection.execute("UPDATE meeting_invitees SET invited_sequence = ? WHERE id = ?",
                                       [.integer(Int64(meeting.sequence)), .integer(invitee.id)])
            }
            try audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meetingID),
                             detail: "\(due.count) \(cancelled ? "cancellations" : "invitations") queued, sequence \(meeting.sequence)")
        }
        return due.count
    }
}
