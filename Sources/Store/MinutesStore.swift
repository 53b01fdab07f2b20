import Database
import Domain
import Foundation

public struct MinutesRecord: Sendable, Equatable {
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
}

/// Minutes of case discussions: drafts pre-filled from the last minutes (or the referral), the chair's approval,
/// versions after approval, and distribution through the outbox. Every change is audited with the minutes' id,
/// never their content.
public final class MinutesService: Sendable {
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

    var now: String { Timestamp.string(clock.now()) }
    public var today: CalendarDate { CalendarDate(clock.now()) }

    static let select = """
        SELECT minutes.*, creator.display_name AS creator_name, COALESCE(approver.display_name, '') AS approver_name FROM minutes
        JOIN users creator ON creator.id = minutes.created_by LEFT JOIN users approver ON approver.id = minutes.approved_by
        """

    static func record(_ row: Row) -> MinutesRecord {
        let content = (try? JSONDecoder().decode(MinutesContent.self, from: Data(row.string("content_json").utf8))) ?? MinutesContent()
        return MinutesRecord(id: row.int64("id"), meetingID: row.int64("meeting_id"), itemID: row.int64("item_id"),
                             caseID: row.int64("case_id"), versionNumber: row["version_number"].int ?? 1,
                             status: MinutesStatus(rawValue: row.string("status")) ?? .draft, content: content,
                             chairComments: row.string("chair_comments"), changeNote: row.string("change_note"),
                             createdAt: row.string("created_at"), createdBy: row.string("creator_name"),
                             submittedAt: row["submitted_at"].string, approvedAt: row["approved_at"].string,
                             approvedBy: row.string("approver_name"), distributedAt: row["distributed_at"].string,
                             version: row.int64("version"))
    }

    static func json(_ content: MinutesContent) throws -> String {
        String(decoding: try JSONEncoder().encode(content), as: UTF8.self)
    }

    public func minutes(id: Int64) throws -> MinutesRecord? {
        try database.read { try $0.queryOne(Self.select + " WHERE minutes.id = ?", [.integer(id)]).map(Self.record) }
    }

    /// Every version of the minutes of one case discussion, newest first.
    public func versions(itemID: Int64) throws -> [MinutesRecord] {
        try database.read { try $0.query(Self.select + " WHERE item_id = ? ORDER BY version_number DESC", [.integer(itemID)]).map(Self.record) }
    }

    public func current(itemID: Int64) throws -> MinutesRecord? { try versions(itemID: itemID).first }

    /// The newest approved or distributed minutes of a case, from any meeting: what a new draft starts from.
    public func latestApproved(caseID: Int64, before itemID: Int64? = nil) throws -> MinutesRecord? {
        try database.read { connection in
            try connection.queryOne(Self.select + """
                 WHERE minutes.case_id = ? AND minutes.status IN ('approved', 'distributed') AND minutes.item_id <> ?
                 ORDER BY minutes.approved_at DESC, minutes.id DESC LIMIT 1
                """, [.integer(caseID), .integer(itemID ?? -1)]).map(Self.record)
        }
    }

    /// Starts the minutes of a case discussion, pre-filled with what is still current: from the case's last
    /// approved minutes, else from its referral (risk, victims, diversity, the plan) and the case record.
    public func startDraft(meetingID: Int64, itemID: Int64, caseID: Int64, referral: ReferralForm?, record: CaseRecord,
                           by user: User, from address: String) throws -> MinutesRecord {
        if let existing = try current(itemID: itemID) { return existing }
        var content = MinutesContent()
        if let previous = try latestApproved(caseID: caseID, before: itemID)?.content {
            content.riskAssessment = previous.riskAssessment
            content.rosh = previous.rosh
            content.roshByGroup = previous.roshByGroup
            content.victimIssues = previous.victimIssues
            content.diversity = previous.diversity
            content.supervision = previous.supervision
            content.monitoringAndControl = previous.monitoringAndControl
            content.interventionsAndTreatment = previous.interventionsAndTreatment
            content.victimSafetyPlanning = previous.victimSafetyPlanning
        } else if let referral {
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
        let id = try database.write { connection -> Int64 in
            let id = try connection.insert("""
                INSERT INTO minutes (meeting_id, item_id, case_id, version_number, status, content_json, created_at, created_by, updated_at)
                VALUES (?, ?, ?, 1, 'draft', ?, ?, ?, ?)
                """, [.integer(meetingID), .integer(itemID), .integer(caseID), .text(try Self.json(content)), .text(now),
                      .integer(user.id), .text(now)])
            try audit.append(connection, actor: Actor(userID: user.id, username: user.username, clientAddress: address),
                             action: .create, subjectType: "minutes", subjectID: String(id), detail: "case \(caseID), meeting \(meetingID)")
            return id
        }
        guard let created = try minutes(id: id) else { throw StoreError.notFound("The minutes") }
        return created
    }

    /// Saves the text. Only a draft (or minutes sent back) can change; a stale `expectedVersion` means someone
    /// else saved in between: `StoreError.editConflict`, nothing overwritten.
    public func save(id: Int64, content: MinutesContent, expectedVersion: Int64, by actor: Actor) throws {
        guard let existing = try minutes(id: id) else { throw StoreError.notFound("The minutes") }
        guard existing.status.editable else {
            throw StoreError("not_editable", "These minutes are \(existing.status.displayName.lowercased()): amend them to make a new version")
        }
        try database.write { connection in
            let changed = try connection.execute("""
                UPDATE minutes SET content_json = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?
                """, [.text(try Self.json(content)), .text(now), .integer(id), .integer(expectedVersion)])
            guard changed == 1 else { throw StoreError.editConflict }
            try audit.append(connection, actor: actor, action: .update, subjectType: "minutes", subjectID: String(id), detail: "saved")
        }
    }

    func move(_ id: Int64, _ event: MinutesEvent, expectedVersion: Int64?, findings: [MinutesFinding] = [],
              extra: (Connection, MinutesRecord) throws -> Void = { _, _ in }, actor: Actor) throws {
        guard let existing = try minutes(id: id) else { throw StoreError.notFound("The minutes") }
        let next: MinutesStatus
        switch MinutesWorkflow.next(existing.status, event, findings: findings) {
        case .success(let status): next = status
        case .failure(let error): throw StoreError("minutes_workflow", error.message)
        }
        try database.write { connection in
            var sql = "UPDATE minutes SET status = ?, updated_at = ?, version = version + 1"
            var parameters: [SQLValue] = [.text(next.rawValue), .text(now)]
            switch event {
            case .submit: sql += ", submitted_at = ?, chair_comments = ''"; parameters.append(.text(now))
            case .approve: sql += ", approved_at = ?, approved_by = ?"; parameters += [.text(now), .init(actor.userID)]
            case .sendBack(let comments): sql += ", chair_comments = ?"; parameters.append(.text(comments))
            case .distribute: sql += ", distributed_at = ?"; parameters.append(.text(now))
            }
            sql += " WHERE id = ? AND status = ?"
            parameters += [.integer(id), .text(existing.status.rawValue)]
            if let expectedVersion { sql += " AND version = ?"; parameters.append(.integer(expectedVersion)) }
            guard try connection.execute(sql, parameters) == 1 else { throw StoreError.editConflict }
            try extra(connection, existing)
            try audit.append(connection, actor: actor, action: .update, subjectType: "minutes", subjectID: String(id), detail: next.rawValue)
        }
    }

    /// Sends the minutes to the chair, after the quality check passes.
    public func submit(id: Int64, meetingDate: CalendarDate, expectedVersion: Int64, by actor: Actor) throws -> [MinutesFinding] {
        guard let existing = try minutes(id: id) else { throw StoreError.notFound("The minutes") }
        let findings = MinutesQuality.findings(existing.content, meetingDate: meetingDate, timescales: timescales)
        guard findings.isEmpty else { return findings }
        try move(id, .submit, expectedVersion: expectedVersion, actor: actor)
        return []
    }

    public func sendBack(id: Int64, comments: String, by actor: Actor) throws {
        try move(id, .sendBack(comments: comments.trimmingCharacters(in: .whitespacesAndNewlines)), expectedVersion: nil, actor: actor)
    }

    /// The chair approves. The case takes the decisions: its level (with the reason in the history), lead
    /// agency, the date it was reviewed and its next review. `alsoInTransaction` lets the caller add to the same
    /// transaction (the agreed actions).
    public func approve(id: Int64, meeting: Meeting, by user: User, from address: String,
                        alsoInTransaction: @escaping (Connection, MinutesRecord) throws -> Void = { _, _ in }) throws {
        let actor = Actor(userID: user.id, username: user.username, clientAddress: address)
        try move(id, .approve, expectedVersion: nil, extra: { connection, minutes in
            let content = minutes.content
            guard let row = try connection.queryOne("SELECT level, lead_agency_id, next_review_date FROM cases WHERE id = ?",
                                                    [.integer(minutes.caseID)]) else { return }
            let reason = "Minutes of the \(meeting.kind.displayName.lowercased()) on \(meeting.date.displayText), approved by the chair"
            var changes: [(String, String, String)] = []
            if let level = content.levelDecision, String(level.rawValue) != row.string("level") {
                changes.append(("level", row.string("level"), String(level.rawValue)))
                try connection.execute("UPDATE cases SET level = ? WHERE id = ?", [.integer(Int64(level.rawValue)), .integer(minutes.caseID)])
            }
            if let lead = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(content.leadAgency)])?.int64("id"),
               lead != row.int64("lead_agency_id") {
                changes.append(("lead_agency", "", content.leadAgency))
                try connection.execute("UPDATE cases SET lead_agency_id = ? WHERE id = ?", [.integer(lead), .integer(minutes.caseID)])
            }
            if (content.nextReviewDate?.description ?? "") != row.string("next_review_date") {
                changes.append(("next_review_date", row.string("next_review_date"), content.nextReviewDate?.description ?? ""))
            }
            try connection.execute("""
                UPDATE cases SET last_reviewed_on = ?, next_review_date = ?, updated_at = ?, version = version + 1 WHERE id = ?
                """, [.text(meeting.date.description), .init(content.nextReviewDate?.description), .text(now), .integer(minutes.caseID)])
            for (field, old, new) in changes {
                try connection.execute("""
                    INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [.integer(minutes.caseID), .text(field), .text(old), .text(new), .text(reason), .text(now), .integer(user.id)])
            }
            try alsoInTransaction(connection, minutes)
        }, actor: actor)
    }

    /// Sends the approved minutes (as a PDF) to the people entitled to them, through the outbox in the same
    /// transaction that marks them distributed.
    public func distribute(id: Int64, to recipients: [Mailbox], from sender: Mailbox, subject: String, text: String,
                           pdf: MailAttachment, outbox: Outbox, by actor: Actor) throws {
        guard !recipients.isEmpty else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "distribute",
                message: "Nobody is entitled to these minutes yet: confirm the invitees from the agencies involved in the case first")])
        }
        try move(id, .distribute, expectedVersion: nil, extra: { connection, minutes in
            for recipient in recipients {
                try outbox.enqueue(connection, mail: OutgoingMail(from: sender, to: [recipient], subject: subject, text: text, attachments: [pdf]),
                                   purpose: "minutes", meetingID: minutes.meetingID, caseID: minutes.caseID)
            }
        }, actor: actor)
    }

    /// Starts a new version of approved or distributed minutes, saying why; the earlier versions stay as they
    /// were, so the change is visible.
    public func amend(id: Int64, changeNote: String, by user: User, from address: String) throws -> MinutesRecord {
        guard let existing = try minutes(id: id) else { throw StoreError.notFound("The minutes") }
        guard existing.status == .approved || existing.status == .distributed else {
            throw StoreError("not_approved", "Only approved minutes are amended; a draft can simply be edited")
        }
        guard try current(itemID: existing.itemID)?.id == existing.id else {
            throw StoreError("not_current", "A newer version of these minutes exists: amend that one")
        }
        guard !changeNote.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "change_note", message: "Say why the approved minutes need changing")])
        }
        let newID = try database.write { connection -> Int64 in
            let newID = try connection.insert("""
                INSERT INTO minutes (meeting_id, item_id, case_id, version_number, status, content_json, change_note, created_at, created_by, updated_at)
                VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)
                """, [.integer(existing.meetingID), .integer(existing.itemID), .integer(existing.caseID),
                      .integer(Int64(existing.versionNumber + 1)), .text(try Self.json(existing.content)), .text(changeNote),
                      .text(now), .integer(user.id), .text(now)])
            try audit.append(connection, actor: Actor(userID: user.id, username: user.username, clientAddress: address),
                             action: .create, subjectType: "minutes", subjectID: String(newID), detail: "version \(existing.versionNumber + 1) of minutes \(existing.id)")
            return newID
        }
        guard let created = try minutes(id: newID) else { throw StoreError.notFound("The minutes") }
        return created
    }

    /// Approved minutes not yet distributed, with their deadline (meeting date + the working days setting).
    public func awaitingDistribution() throws -> [(minutes: MinutesRecord, meetingDate: CalendarDate)] {
        try database.read { connection in
            try connection.query(Self.select.replacingOccurrences(of: "SELECT minutes.*", with: "SELECT minutes.*, meetings.meeting_date AS meeting_date")
                                 + " JOIN meetings ON meetings.id = minutes.meeting_id WHERE minutes.status = 'approved' ORDER BY meetings.meeting_date")
                .map { (Self.record($0), CalendarDate($0.string("meeting_date")) ?? today) }
        }
    }
}
