import Database
import Domain
import Foundation

/// One version of the minutes of a case discussion.
public struct MinutesRecord: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var meetingID: Int64
    public var itemID: Int64
    public var caseID: Int64
    /// 1 for the first minutes of this discussion; an amendment after approval is the next number.
    public var versionNumber: Int
    public var status: MinutesStatus
    public var content: MinutesContent
    public var chairComments: String
    /// Why an approved version was amended.
    public var changeNote: String
    public var createdAt: String
    public var createdBy: String
    public var submittedAt: String?
    public var approvedAt: String?
    public var approvedBy: String
    public var distributedAt: String?
    /// Row version for optimistic locking of edits.
    public var version: Int64

    public static let columns = """
        minutes.id, minutes.meeting_id, minutes.item_id, minutes.case_id, minutes.version_number, minutes.status,
        minutes.content_json, minutes.chair_comments, minutes.change_note, minutes.created_at, creator.display_name AS creator_name,
        minutes.submitted_at, minutes.approved_at, COALESCE(approver.display_name, '') AS approver_name, minutes.distributed_at,
        minutes.version
        """
    static let tables = """
        FROM minutes JOIN users creator ON creator.id = minutes.created_by LEFT JOIN users approver ON approver.id = minutes.approved_by
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        meetingID = try row.decode("meeting_id")
        itemID = try row.decode("item_id")
        caseID = try row.decode("case_id")
        versionNumber = try row.decode("version_number")
        status = try row.decode("status")
        content = try row.decodeJSON("content_json", as: MinutesContent.self)
        chairComments = try row.decode("chair_comments")
        changeNote = try row.decode("change_note")
        createdAt = try row.decode("created_at")
        createdBy = try row.decode("creator_name")
        submittedAt = try row.decodeIfPresent("submitted_at")
        approvedAt = try row.decodeIfPresent("approved_at")
        approvedBy = try row.decode("approver_name")
        distributedAt = try row.decodeIfPresent("distributed_at")
        version = try row.decode("version")
    }
}

/// A case discussion of a meeting the viewer may see, about a case they may see, with its current minutes: what every
/// minutes page and change works on (`MinutesStore.discussion`).
public struct Discussion: Sendable {
    public let meeting: Meeting
    public let item: MeetingItem
    public let visibleCase: VisibleCase
    /// The newest version the viewer may read (`MinutesWorkflow.mayRead`: for partner-agency staff the newest approved
    /// one), if there is one.
    public let minutes: MinutesRecord?
    /// Whether the viewer reads drafts and minutes waiting for the chair (unit staff), or only approved minutes.
    public let readsDrafts: Bool
}

/// Someone invited to the meeting, and whether the case's need-to-know lets them have its minutes.
public struct MinutesRecipient: Sendable, Equatable {
    public var invitee: MeetingInvitee
    /// Nil when entitled; otherwise why not, in words for the coordinator.
    public var refusal: String?
    public var entitled: Bool { refusal == nil }
}

/// Minutes of case discussions: drafts pre-filled from the last minutes (or the referral), the chair's approval,
/// versions after approval, and distribution through the outbox only to people the case's need-to-know admits. Every
/// change is audited with the minutes' id, never their content.
public struct MinutesStore: FeatureStore {
    let context: StoreContext
    let meetings: MeetingStore
    let cases: CaseStore
    let referrals: ReferralStore
    let actions: ActionStore
    let accounts: AccountStore

    /// The discussion, if the viewer may see the meeting and its case (a refusal of the case is recorded and said as
    /// need-to-know; an item not on the meeting is not found), with the newest minutes they may read: partner-agency
    /// staff whose agency is involved in the case read approved minutes only, never a draft (`MinutesWorkflow.mayRead`).
    public func discussion(meetingID: Int64, itemID: Int64, for viewer: Viewer) throws -> Discussion {
        let meeting = try meetings.meeting(id: meetingID, for: viewer)
        guard let item = try database.read({
            try $0.queryOne(MeetingItem.self, "SELECT \(MeetingItem.columns) \(MeetingItem.tables) WHERE meeting_items.id = ? AND meeting_items.meeting_id = ?",
                            [.integer(itemID), .integer(meetingID)])
        }) else { throw DomainError.notFound("The case discussion") }
        let visible = try cases.case(id: item.caseID, for: viewer)
        let readable = try versions(itemID: itemID).filter { MinutesWorkflow.mayRead($0.status, role: viewer.role) }
        return Discussion(meeting: meeting, item: item, visibleCase: visible, minutes: readable.first,
                          readsDrafts: MinutesWorkflow.mayRead(.draft, role: viewer.role))
    }

    /// Every version of the discussion's minutes its viewer may read, newest first.
    public func versions(of discussion: Discussion) throws -> [MinutesRecord] {
        try versions(itemID: discussion.item.id).filter { discussion.readsDrafts || $0.status == .approved || $0.status == .distributed }
    }

    /// The status of the newest minutes of each discussion on the agenda that has any, by agenda item.
    public func statuses(of agenda: Agenda) throws -> [Int64: MinutesStatus] {
        let ids = agenda.items.map(\.id)
        guard !ids.isEmpty else { return [:] }
        let rows = try database.read { connection in
            try connection.query("SELECT item_id, version_number, status FROM minutes WHERE item_id IN (\(SQL.placeholders(ids.count))) ORDER BY item_id, version_number",
                                 SQL.ids(ids))
        }
        var statuses: [Int64: MinutesStatus] = [:]
        for row in rows { statuses[try row.value("item_id")] = try row.value("status") }  // the newest version comes last
        return statuses
    }

    func versions(itemID: Int64) throws -> [MinutesRecord] {
        try database.read {
            try $0.query(MinutesRecord.self, "SELECT \(MinutesRecord.columns) \(MinutesRecord.tables) WHERE minutes.item_id = ? ORDER BY minutes.version_number DESC",
                         [.integer(itemID)])
        }
    }

    func minutes(id: Int64) throws -> MinutesRecord {
        guard let record = try database.read({
            try $0.queryOne(MinutesRecord.self, "SELECT \(MinutesRecord.columns) \(MinutesRecord.tables) WHERE minutes.id = ?", [.integer(id)])
        }) else { throw DomainError.notFound("The minutes") }
        return record
    }

    /// The current minutes of the discussion, which the change works on.
    func current(_ discussion: Discussion) throws -> MinutesRecord {
        guard let minutes = discussion.minutes else { throw DomainError.notFound("The minutes") }
        return minutes
    }

    /// Starts the minutes of a case discussion, pre-filled with what is still current: from the case's last approved
    /// Who was at the discussion: the whole meeting's attendance and this discussion's (the discussion is one the
    /// viewer may see, so the rest of the agenda is not read).
    public func attendance(of discussion: Discussion) throws -> [AttendanceRecord] {
        try meetings.attendance(of: Agenda(meetingID: discussion.meeting.id, items: [discussion.item], hiddenCount: nil))
            .filter { $0.itemID == nil || $0.itemID == discussion.item.id }
    }

    /// minutes, else from its referral (risk, victims, diversity, the plan) and the case record.
    public func startDraft(_ discussion: Discussion, by viewer: Viewer) throws -> MinutesRecord {
        try meetings.requireManager(viewer)
        if let existing = discussion.minutes { return existing }
        let record = discussion.visibleCase.record
        var content = MinutesContent()
        let previous = try database.read {
            try $0.queryOne(MinutesRecord.self, "SELECT \(MinutesRecord.columns) \(MinutesRecord.tables)"
                            + " WHERE minutes.case_id = ? AND minutes.status IN ('approved', 'distributed') AND minutes.item_id <> ?"
                            + " ORDER BY minutes.approved_at DESC, minutes.id DESC LIMIT 1", [.integer(record.id), .integer(discussion.item.id)])
        }
        if let previous = previous?.content {
            content.riskAssessment = previous.riskAssessment
            content.rosh = previous.rosh
            content.roshByGroup = previous.roshByGroup
            content.victimIssues = previous.victimIssues
            content.diversity = previous.diversity
            content.supervision = previous.supervision
            content.monitoringAndControl = previous.monitoringAndControl
            content.interventionsAndTreatment = previous.interventionsAndTreatment
            content.victimSafetyPlanning = previous.victimSafetyPlanning
        } else if let referral = try referrals.latestForm(of: discussion.visibleCase) {
            content.riskAssessment = referral.reasonForReferral
            content.victimIssues = referral.victimInformation
            content.diversity = referral.diversityNeeds
            content.supervision = referral.currentRiskManagementPlan
            content.roshByGroup = referral.roshByGroup
        }
        content.rosh = content.rosh ?? record.rosh
        if content.roshByGroup.isEmpty { content.roshByGroup = record.roshByGroup }
        content.levelDecision = record.level == .unknown ? nil : record.level
        content.leadAgency = record.leadAgencyCode
        let now = context.now
        let id = try database.write { connection -> Int64 in
            let id = try connection.insert("""
                INSERT INTO minutes (meeting_id, item_id, case_id, version_number, status, content_json, created_at, created_by, updated_at)
                VALUES (?, ?, ?, 1, 'draft', ?, ?, ?, ?)
                """, [.integer(discussion.meeting.id), .integer(discussion.item.id), .integer(record.id), .text(try ReferralStore.json(content)),
                      .text(now), .integer(viewer.user.id), .text(now)])
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "minutes", subjectID: String(id),
                                     detail: "case \(record.id), meeting \(discussion.meeting.id)")
            return id
        }
        return try minutes(id: id)
    }

    /// Saves the text. Only a draft (or minutes sent back) can change; a stale `expectedVersion` means someone else
    /// saved in between: `DomainError.editConflict`, nothing overwritten.
    public func save(_ discussion: Discussion, content: MinutesContent, expectedVersion: Int64, by viewer: Viewer) throws {
        try meetings.requireManager(viewer)
        let existing = try current(discussion)
        guard existing.status.editable else {
            throw DomainError.conflict("not_editable", "These minutes are \(existing.status.displayName.lowercased()): amend them to make a new version")
        }
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE minutes SET content_json = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?
                """, [.text(try ReferralStore.json(content)), .text(context.now), .integer(existing.id), .integer(expectedVersion)])
            guard changed == 1 else { throw DomainError.editConflict }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "minutes", subjectID: String(existing.id),
                                     detail: "saved")
        }
    }

    /// `distributedOn`: the day minutes distributed another way went out (`recordDistribution`); otherwise now.
    func move(_ id: Int64, _ event: MinutesEvent, expectedVersion: Int64?, findings: [MinutesFinding] = [], distributedOn: CalendarDate? = nil,
              extra: (Connection, MinutesRecord) throws -> Void = { _, _ in }, viewer: Viewer) throws {
        let existing = try minutes(id: id)
        let next: MinutesStatus
        switch MinutesWorkflow.next(existing.status, event, findings: findings) {
        case .success(let status): next = status
        case .failure(let error): throw DomainError.conflict("minutes_workflow", error.message)
        }
        let now = context.now
        try database.write { connection in
            var sql = "UPDATE minutes SET status = ?, updated_at = ?, version = version + 1"
            var parameters: [SQLValue] = [.text(next.rawValue), .text(now)]
            switch event {
            case .submit: sql += ", submitted_at = ?, chair_comments = ''"; parameters.append(.text(now))
            case .approve: sql += ", approved_at = ?, approved_by = ?"; parameters += [.text(now), .integer(viewer.user.id)]
            case .sendBack(let comments): sql += ", chair_comments = ?"; parameters.append(.text(comments))
            case .distribute: sql += ", distributed_at = ?"; parameters.append(.text(distributedOn?.description ?? now))
            }
            sql += " WHERE id = ? AND status = ?"
            parameters += [.integer(id), .text(existing.status.rawValue)]
            if let expectedVersion { sql += " AND version = ?"; parameters.append(.integer(expectedVersion)) }
            guard try connection.execute(sql, parameters) == 1 else { throw DomainError.editConflict }
            try extra(connection, existing)
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "minutes", subjectID: String(id),
                                     detail: next.rawValue)
        }
    }

    /// Sends the minutes to the chair, after the quality check passes; otherwise returns what it found.
    public func submit(_ discussion: Discussion, expectedVersion: Int64, by viewer: Viewer) throws -> [MinutesFinding] {
        try meetings.requireManager(viewer)
        let existing = try minutes(id: try current(discussion).id)
        let findings = MinutesQuality.findings(existing.content, meetingDate: discussion.meeting.date, timescales: try context.timescales())
        guard findings.isEmpty else { return findings }
        try move(existing.id, .submit, expectedVersion: expectedVersion, viewer: viewer)
        return []
    }

    public func sendBack(_ discussion: Discussion, comments: String, by viewer: Viewer) throws {
        guard viewer.can(.approveMinutes) else { throw DomainError.roleRefused() }
        let trimmed = comments.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DomainError.validation(field: "comments", "Say what needs changing") }
        try move(try current(discussion).id, .sendBack(comments: trimmed), expectedVersion: nil, viewer: viewer)
    }

    /// What approving the minutes would change on the case (`MinutesOutcome`), for the chair to see first.
    public func changesOnApproval(_ discussion: Discussion) throws -> [CaseFieldChange] {
        guard let minutes = discussion.minutes else { return [] }
        return MinutesOutcome.changes(to: discussion.visibleCase.record.details, content: minutes.content,
                                      meetingDate: discussion.meeting.date, timescales: try context.timescales())
    }

    /// The chair approves. The case takes the panel's decisions as of the meeting date (`MinutesOutcome`: level,
    /// category, lead agency, RoSH and the next review), each into the case history with the minutes as the reason, and
    /// the date it was reviewed; the agreed actions become tracked actions; all in one transaction. Decisions that would
    /// break the case's rules (`CaseRules`, e.g. Category 3 at Level 1) refuse the approval, saying why.
    public func approve(_ discussion: Discussion, by viewer: Viewer) throws {
        guard viewer.can(.approveMinutes) else { throw DomainError.roleRefused() }
        let meeting = discussion.meeting
        let timescales = try context.timescales()
        let today = context.today
        try move(try current(discussion).id, .approve, expectedVersion: nil, extra: { connection, minutes in
            // The meeting as it stands now, in this transaction, not as it was when the page was read.
            let statusText: String? = try connection.queryOne("SELECT status FROM meetings WHERE id = ?", [.integer(minutes.meetingID)])?.value("status")
            let status = statusText.flatMap(MeetingStatus.init(rawValue:)) ?? meeting.status
            if let blocked = MinutesWorkflow.approvalBlocked(meetingStatus: status, meetingDate: meeting.date, today: today) {
                throw DomainError.validation([ValidationProblem(field: "approve", message: blocked)])
            }
            let content = minutes.content
            guard let record = try connection.query(CaseRecord.self, "SELECT \(CaseRecord.columns) \(CaseRecord.tables) WHERE cases.id = ?",
                                                    [.integer(minutes.caseID)]).first else { return }
            var details = MinutesOutcome.details(after: record.details, content: content, meetingDate: meeting.date, timescales: timescales)
            var leadAgencyID = record.leadAgencyID
            if details.leadAgency != record.leadAgencyCode {
                if let id: Int64 = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(details.leadAgency)])?.value("id") {
                    leadAgencyID = id
                } else {
                    details.leadAgency = record.leadAgencyCode
                }
            }
            let reason = "Minutes of the \(meeting.kind.displayName.lowercased()) on \(meeting.date.displayText), approved by the chair"
            let problems = CaseRules.problems(details, previous: record.details, changeReason: reason, today: today)
            guard problems.isEmpty else {
                throw DomainError.validation(problems.map {
                    ValidationProblem(field: "approve", message: "These minutes cannot change the case as they stand: \($0.message). Send them back to be corrected.")
                })
            }
            let areaID: Int64? = try connection.queryOne("SELECT area_id FROM cases WHERE id = ?", [.integer(record.id)])?.valueIfPresent("area_id")
            let now = context.now
            let changes = try CaseStore.write(connection, caseID: record.id, details: details, before: record.details,
                                              leadAgencyID: leadAgencyID, areaID: areaID, reason: reason, expectedVersion: record.version,
                                              by: viewer, at: now, effectiveAt: "\(meeting.date.description)T00:00:00Z")
            try connection.execute("UPDATE cases SET last_reviewed_on = ? WHERE id = ?", [.text(meeting.date.description), .integer(record.id)])
            try ChangeEventStore.record(connection, .minutesApproved, caseID: record.id, meetingID: minutes.meetingID, at: now,
                                        ["caseId": String(record.id), "meetingId": String(minutes.meetingID), "minutesId": String(minutes.id),
                                         "meetingDate": meeting.date.description])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "case", subjectID: String(record.id),
                                     detail: "approved minutes \(minutes.id) changed: "
                                         + (changes.isEmpty ? "nothing" : changes.map(\.field).joined(separator: ", ")))
            // The agreed actions become tracked actions in the same transaction as the approval.
            for planned in content.actions {
                try actions.create(connection, NewAction(caseID: minutes.caseID, meetingID: minutes.meetingID, minutesID: minutes.id,
                                                         description: planned.description, ownerName: planned.ownerName,
                                                         ownerEmail: planned.ownerEmail, ownerAgencyCode: planned.ownerAgency,
                                                         dueDate: planned.dueDate).from(planned), actor: viewer.actor)
            }
        }, viewer: viewer)
    }

    /// Everyone invited to the meeting, each with whether the case's need-to-know lets them have its minutes: an
    /// invitee with an account is held to the rule as that person (`CaseVisibility`); one without needs their agency to
    /// be involved in the case, and a restricted case goes only to named people.
    public func recipients(of discussion: Discussion) throws -> [MinutesRecipient] {
        let caseID = discussion.visibleCase.id
        let invitees = try meetings.invitees(of: discussion.meeting).filter(\.confirmed)
        let users = try accounts.users()
        let rule = try database.read { try CaseRecipients.load($0, caseIDs: [caseID], users: users) }
        return invitees.map { invitee in
            MinutesRecipient(invitee: invitee, refusal: rule.refusal(caseID: caseID, email: invitee.email, agencyID: invitee.agencyID,
                                                                     agencyName: invitee.agencyName))
        }
    }

    /// Sends the approved minutes to the people entitled to them (`recipients`), each their own copy of the PDF
    /// (`pdf` makes it for them: their name on every page), through the outbox in the same transaction that marks them
    /// distributed.
    public func distribute(_ discussion: Discussion, from sender: Mailbox, subject: String, text: String,
                           pdf: (MinutesRecipient) throws -> MailAttachment, outbox: Outbox, by viewer: Viewer) throws {
        try meetings.requireManager(viewer)
        let entitled = try recipients(of: discussion).filter(\.entitled)
        guard !entitled.isEmpty else {
            throw DomainError.validation(field: "distribute",
                "Nobody is entitled to these minutes yet: confirm invitees from the agencies involved in the case first")
        }
        let copies = try entitled.map { ($0, try pdf($0)) }
        try move(try current(discussion).id, .distribute, expectedVersion: nil, extra: { connection, minutes in
            for (recipient, copy) in copies {
                try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [Mailbox(name: recipient.invitee.name, address: recipient.invitee.email)],
                                                                  subject: subject, text: text, attachments: [copy]),
                                   purpose: "minutes", meetingID: minutes.meetingID, caseID: minutes.caseID)
            }
        }, viewer: viewer)
    }

    /// Starts a new version of approved or distributed minutes, saying why; the earlier versions stay as they were, so
    /// the change is visible.
    public func amend(_ discussion: Discussion, changeNote: String, by viewer: Viewer) throws -> MinutesRecord {
        try meetings.requireManager(viewer)
        let existing = try current(discussion)
        guard existing.status == .approved || existing.status == .distributed else {
            throw DomainError.conflict("not_approved", "Only approved minutes are amended; a draft can simply be edited")
        }
        guard !changeNote.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.validation(field: "change_note", "Say why the approved minutes need changing")
        }
        let now = context.now
        let newID = try database.write { connection -> Int64 in
            let newID = try connection.insert("""
                INSERT INTO minutes (meeting_id, item_id, case_id, version_number, status, content_json, change_note, created_at, created_by, updated_at)
                VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)
                """, [.integer(existing.meetingID), .integer(existing.itemID), .integer(existing.caseID),
                      .integer(Int64(existing.versionNumber + 1)), .text(try ReferralStore.json(existing.content)), .text(changeNote),
                      .text(now), .integer(viewer.user.id), .text(now)])
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "minutes", subjectID: String(newID),
                                     detail: "version \(existing.versionNumber + 1) of minutes \(existing.id)")
            return newID
        }
        return try minutes(id: newID)
    }
}
