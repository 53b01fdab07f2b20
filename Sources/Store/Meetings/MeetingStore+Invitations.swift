import Database
import Domain
import Foundation

/// How each invitation carries the agenda: the accounts the recipient rule (`CaseRecipients`) holds invitees to, and the
/// renderer of one invitee's copy (the WebApp's PDF) from the agenda items they may be sent.
public struct AgendaMailing: Sendable {
    public var users: [User]
    public var render: @Sendable (Meeting, [MeetingItem]) throws -> MailAttachment

    public init(users: [User], render: @escaping @Sendable (Meeting, [MeetingItem]) throws -> MailAttachment) {
        self.users = users
        self.render = render
    }
}

extension MeetingStore {
    /// Everyone confirmed or proposed for the meeting, by agency and name, each with where their last invitation is
    /// in the outbox and their agency's reply.
    public func invitees(of meeting: Meeting) throws -> [MeetingInvitee] {
        try database.read { connection in
            try connection.query(MeetingInvitee.self, """
                SELECT \(MeetingInvitee.columns) \(MeetingInvitee.tables)
                WHERE meeting_invitees.meeting_id = ? ORDER BY agencies.name, meeting_invitees.name
                """, [.integer(meeting.id)])
        }
    }

    /// Who should be invited: for each case on the agenda the viewer sees, the agencies involved in it plus the core
    /// agencies (police, probation, the lead, and prison for custody cases), each by its single point of contact (or its
    /// first active contact with an email address). Agencies with no such contact are listed without one, so the
    /// coordinator sees the gap.
    public func proposedInvitees(for agenda: Agenda) throws -> [(agency: Agency, contact: AgencyContact?)] {
        let items = agenda.items
        var codes = Set<String>()
        for item in items {
            codes.formUnion(DiscussionFacts(caseID: item.caseID, label: "", level: item.level, leadAgency: item.leadAgencyCode,
                                            inCustody: item.inCustody, reviewDue: nil, attendance: [:],
                                            confidentialityAcknowledged: false).coreAgencies)
        }
        let agencyIDs = try database.read { connection -> Set<Int64> in
            guard !items.isEmpty else { return [] }
            return Set(try connection.query("SELECT DISTINCT agency_id FROM case_agencies WHERE case_id IN (\(SQL.placeholders(items.count)))",
                                            SQL.ids(items.map(\.caseID))).map { row throws(DatabaseError) in try row.value("agency_id", as: Int64.self) })
        }
        let proposed = try agencies.agencies(activeOnly: true).filter { codes.contains($0.code) || agencyIDs.contains($0.id) }
            .filter { $0.code != "mappa_unit" }
        return try proposed.map { agency in
            let contacts = try agencies.contacts(agencyID: agency.id, activeOnly: true).filter { !$0.email.isEmpty }
            return (agency, contacts.first { $0.isSPOC } ?? contacts.first)
        }
    }

    /// Confirms invitees (the coordinator's choice from the proposals, or people added by hand).
    public func confirmInvitees(_ meeting: Meeting, _ people: [(agencyID: Int64, name: String, email: String)], by actor: Actor) throws {
        if people.contains(where: { $0.email.isEmpty || !AccountRules().emailProblems($0.email).isEmpty }) {
            throw DomainError.validation(field: "email", "Each invitee needs an email address in the correct format")
        }
        try database.write { connection in
            for person in people {
                let email = person.email.lowercased()
                if try connection.queryOne("SELECT 1 AS found FROM meeting_invitees WHERE meeting_id = ? AND email = ?",
                                           [.integer(meeting.id), .text(email)]) == nil {
                    try connection.execute("""
                        INSERT INTO meeting_invitees (meeting_id, agency_id, name, email, confirmed) VALUES (?, ?, ?, ?, 1)
                        """, [.integer(meeting.id), .integer(person.agencyID), .text(person.name), .text(email)])
                }
            }
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "\(people.count) invitees confirmed")
        }
    }

    public func removeInvitee(_ meeting: Meeting, inviteeID: Int64, by actor: Actor) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM meeting_invitees WHERE id = ? AND meeting_id = ?", [.integer(inviteeID), .integer(meeting.id)])
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "invitee \(inviteeID) removed")
        }
    }

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

    /// Invitees due a message: never sent one, or sent an older version of the meeting. For a cancelled meeting, only
    /// those who had been invited (the others never heard of it).
    public static func invitationsDue(_ meeting: Meeting, among invitees: [MeetingInvitee]) -> [MeetingInvitee] {
        invitees.filter { invitee in
            guard invitee.confirmed else { return false }
            if meeting.status == .cancelled { return invitee.invitedSequence.map { $0 < meeting.sequence } ?? false }
            return invitee.invitedSequence.map { $0 < meeting.sequence } ?? true
        }
    }

    /// Queues an invitation, an update or a cancellation (iCalendar, same UID, the meeting's sequence) to each invitee
    /// who is due one, through the outbox in the same transaction that records it as sent, so nothing is lost or sent
    /// twice if the mail server is down. The message text carries no case details: those go in the papers, by secure
    /// email. With `agenda`, an invitation or update carries the agenda too, each invitee's copy listing only the cases
    /// they may be sent (`CaseRecipients`, the rule the minutes go out under; a restricted case only to people named on
    /// it), by reference (`AgendaMailing.render`). A cancellation carries its reason, not the agenda.
    /// Returns how many were queued.
    @discardableResult
    public func sendInvitations(_ meeting: Meeting, organizer: Mailbox, outbox: Outbox, agenda: AgendaMailing? = nil,
                                by actor: Actor) throws -> Int {
        guard meeting.status != .held else { throw DomainError.conflict("already_held", "The meeting has already been held") }
        let invitees = try invitees(of: meeting)
        let due = Self.invitationsDue(meeting, among: invitees)
        guard !due.isEmpty else { return 0 }
        let everyone = invitees.filter(\.confirmed).map { Mailbox(name: $0.name, address: $0.email) }
        let (start, end) = Self.interval(meeting)
        let cancelled = meeting.status == .cancelled
        let location = [meeting.venue, meeting.onlineLink].filter { !$0.isEmpty }.joined(separator: " – ")
        let event = CalendarEvent(
            uid: meeting.uid, sequence: meeting.sequence, method: cancelled ? .cancel : .request, start: start, end: end,
            summary: "MAPPA \(meeting.kind.displayName): \(meeting.title)", location: location,
            details: (cancelled ? "Cancelled: \(meeting.cancelReason) " : "") + "MAPPA meeting. OFFICIAL-SENSITIVE. Case details are not sent by email: the papers follow by secure email. "
                + "Chair: \(meeting.chairName.isEmpty ? "to be confirmed" : meeting.chairName).",
            organizer: organizer, attendees: everyone)
        let when = "\(meeting.date.displayText), \(meeting.startTime) (UK time), \(meeting.durationMinutes) minutes"
        var copies: [Int64: MailAttachment] = [:]
        if !cancelled, let agenda {
            // Every item, whoever sends: each copy is then cut down to what its invitee may be sent.
            let (items, rule) = try database.read { connection in
                let items = try connection.query(MeetingItem.self, "SELECT \(MeetingItem.columns) \(MeetingItem.tables)"
                                                 + " WHERE meeting_items.meeting_id = ? ORDER BY meeting_items.position, meeting_items.id",
                                                 [.integer(meeting.id)])
                return (items, try CaseRecipients.load(connection, caseIDs: items.map(\.caseID), users: agenda.users))
            }
            for invitee in due {
                copies[invitee.id] = try agenda.render(meeting, items.filter {
                    rule.refusal(caseID: $0.caseID, email: invitee.email, agencyID: invitee.agencyID, agencyName: invitee.agencyName) == nil
                })
            }
        }
        try database.write { connection in
            for invitee in due {
                let kind = cancelled ? "Cancelled" : (invitee.invitedSequence == nil ? "Invitation" : "Updated")
                let text = """
                    \(cancelled ? "This meeting has been cancelled.\n\nReason: \(meeting.cancelReason)" : (invitee.invitedSequence == nil ? "You are invited to this MAPPA meeting." : "This MAPPA meeting has changed: the details below replace the earlier invitation."))

                    \(meeting.kind.displayName): \(meeting.title)
                    When: \(when)
                    Where: \(location.isEmpty ? "to be confirmed" : location)

                    You are invited on behalf of \(invitee.agencyName). Case details are not sent by email; the papers follow by
                    secure email.\(copies[invitee.id] == nil ? "" : " The agenda attached lists, by reference, the cases your agency may be sent.")
                    Reply in MAPPA Coordinator ("Meetings you are invited to") to confirm attendance or send apologies and, if you
                    cannot attend, a written report.

                    OFFICIAL-SENSITIVE: handle in line with the MAPPA information-sharing agreement.
                    """
                let messageID = try outbox.enqueue(connection, mail: OutgoingMail(from: organizer, to: [Mailbox(name: invitee.name, address: invitee.email)],
                                                                   subject: "\(kind): \(meeting.title), \(meeting.date.displayText) \(meeting.startTime)",
                                                                   text: text, calendar: event,
                                                                   attachments: copies[invitee.id].map { [$0] } ?? []),
                                   purpose: "meeting_\(kind.lowercased())", meetingID: meeting.id)
                try connection.execute("UPDATE meeting_invitees SET invited_sequence = ?, outbox_id = ? WHERE id = ?",
                                       [.integer(Int64(meeting.sequence)), .integer(messageID), .integer(invitee.id)])
            }
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "\(due.count) \(cancelled ? "cancellations" : "invitations") queued, sequence \(meeting.sequence)")
        }
        return due.count
    }
}
