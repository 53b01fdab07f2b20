import Database
import Domain
import Foundation

/// A referral (MAPPA A) as it stands, with who made it and what came of it.
public struct ReferralRecord: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var status: ReferralStatus
    public var form: ReferralForm
    public var referrerUserID: Int64
    public var referrerName: String
    public var referringAgency: String
    public var nominalID: Int64?
    public var caseID: Int64?
    public var createdAt: String
    public var submittedAt: String?
    public var updatedAt: String
    public var version: Int64
    /// The sections the referrer said they have completed ("Have you completed this section?"), for the task list.
    public var completedSections: Set<ReferralSection>
    /// A reference people can quote on the phone without naming the offender.
    public var reference: String { Self.reference(id) }

    public static func reference(_ id: Int64) -> String { String(format: "REF-%05lld", id) }

    public static let columns = """
        referrals.id, referrals.status, referrals.form_json, referrals.referrer_user_id, users.display_name AS referrer_name,
        agencies.name AS agency_name, referrals.nominal_id, referrals.case_id, referrals.created_at, referrals.submitted_at,
        referrals.updated_at, referrals.version, referrals.completed_sections
        """
    static let tables = """
        FROM referrals JOIN users ON users.id = referrals.referrer_user_id JOIN agencies ON agencies.id = referrals.referring_agency_id
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        status = try row.decode("status")
        form = try row.decodeJSON("form_json", as: ReferralForm.self)
        referrerUserID = try row.decode("referrer_user_id")
        referrerName = try row.decode("referrer_name")
        referringAgency = try row.decode("agency_name")
        nominalID = try row.decodeIfPresent("nominal_id")
        caseID = try row.decodeIfPresent("case_id")
        createdAt = try row.decode("created_at")
        submittedAt = try row.decodeIfPresent("submitted_at")
        updatedAt = try row.decode("updated_at")
        version = try row.decode("version")
        let completed: String = try row.decode("completed_sections")
        completedSections = try Self.sections(completed)
    }

    /// The stored list of completed sections ("0,2,7"); anything else is a corrupt column, never ignored.
    static func sections(_ stored: String) throws(DatabaseError) -> Set<ReferralSection> {
        var sections: Set<ReferralSection> = []
        for part in stored.split(separator: ",") {
            guard let raw = Int(part), let section = ReferralSection(rawValue: raw) else {
                throw DatabaseError(.decode, "column completed_sections holds a value of the wrong kind")
            }
            sections.insert(section)
        }
        return sections
    }

    static func stored(_ sections: Set<ReferralSection>) -> String {
        sections.sorted().map { String($0.rawValue) }.joined(separator: ",")
    }
}

/// One step in a referral's history: drafted, submitted, returned with reasons, screened.
public struct ReferralEvent: Sendable, Equatable, RowDecodable {
    public var event: String
    public var occurredAt: String
    public var userName: String
    public var note: String

    public static let columns = """
        referral_events.event, referral_events.occurred_at, COALESCE(users.display_name, '') AS user_name, referral_events.note
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        event = try row.decode("event")
        occurredAt = try row.decode("occurred_at")
        userName = try row.decode("user_name")
        note = try row.decode("note")
    }
}

/// Referrals from the referrer's draft to the coordinator's quality check and return. A referrer sees their own;
/// whoever manages referrals sees every referral except those that led to a case they may not see. Every change is
/// audited in the same transaction; the screening decision is `ScreeningStore`'s.
public struct ReferralStore: FeatureStore {
    let context: StoreContext
    let nominals: NominalStore

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

    /// Which referrals the viewer may see: their own, and, for those who manage referrals, every one not linked to a
    /// case hidden from them.
    func visibility(_ viewer: Viewer, _ connection: Connection) throws -> SQLCondition {
        guard viewer.can(.manageReferrals) else {
            return SQLCondition(sql: " AND referrals.referrer_user_id = ?", parameters: [.integer(viewer.user.id)])
        }
        let cases = try CaseVisibilityFilter(viewer, connection).cases("linked")
        return SQLCondition(sql: """
             AND (referrals.referrer_user_id = ? OR referrals.case_id IS NULL
                  OR EXISTS (SELECT 1 FROM cases linked WHERE linked.id = referrals.case_id\(cases.sql)))
            """, parameters: [.integer(viewer.user.id)] + cases.parameters)
    }

    /// The referral, if the viewer may see it. Someone who may not is answered as if there were none, so they do not
    /// learn it exists, and the refusal is recorded.
    public func referral(id: Int64, for viewer: Viewer) throws -> ReferralRecord {
        let (record, visible) = try database.read { connection -> (ReferralRecord?, Bool) in
            let visible = try visibility(viewer, connection)
            let record = try connection.queryOne(ReferralRecord.self, "SELECT \(ReferralRecord.columns) \(ReferralRecord.tables) WHERE referrals.id = ?",
                                                 [.integer(id)])
            guard record != nil else { return (nil, false) }
            let seen = try connection.queryOne("SELECT 1 AS found FROM referrals WHERE referrals.id = ?" + visible.sql,
                                               [.integer(id)] + visible.parameters) != nil
            return (try withoutHiddenCases([record!], viewer, connection)[0], seen)
        }
        guard let record else { throw DomainError.notFound("The referral") }
        guard visible else {
            try context.audit.record(actor: viewer.actor, action: .accessRefused, subjectType: "referral", subjectID: String(id),
                                     detail: viewer.can(.manageReferrals) ? "the referral's case is hidden from the user" : "not the referrer")
            throw DomainError.notFound("The referral")
        }
        return record
    }

    /// The referrals the viewer may see, most recently changed first.
    public func referrals(for viewer: Viewer, statuses: [ReferralStatus]? = nil, limit: Int = 200) throws -> [ReferralRecord] {
        try database.read { connection in
            let visible = try visibility(viewer, connection)
            var sql = "SELECT \(ReferralRecord.columns) \(ReferralRecord.tables) WHERE 1 = 1" + visible.sql
            var parameters = visible.parameters
            if let statuses, !statuses.isEmpty {
                sql += " AND referrals.status IN (\(SQL.placeholders(statuses.count)))"
                parameters += statuses.map { .text($0.rawValue) }
            }
            sql += " ORDER BY referrals.updated_at DESC, referrals.id DESC LIMIT ?"
            return try withoutHiddenCases(try connection.query(ReferralRecord.self, sql, parameters + [.integer(Int64(limit))]), viewer, connection)
        }
    }

    /// The referrals without the case each became where the viewer may not see that case (its referrer, usually):
    /// they know it was accepted, not which case it is.
    func withoutHiddenCases(_ records: [ReferralRecord], _ viewer: Viewer, _ connection: Connection) throws -> [ReferralRecord] {
        let linked = Array(Set(records.compactMap(\.caseID)))
        guard !linked.isEmpty else { return records }
        let visible = try CaseVisibilityFilter(viewer, connection).cases()
        let seen = Set(try connection.query("SELECT cases.id FROM cases WHERE cases.id IN (\(SQL.placeholders(linked.count)))" + visible.sql,
                                            SQL.ids(linked) + visible.parameters).map { row -> Int64 in try row.value("id") })
        return records.map { record in
            var record = record
            if let caseID = record.caseID, !seen.contains(caseID) { record.caseID = nil }
            return record
        }
    }

    /// The referral's history, oldest first.
    public func events(of referral: ReferralRecord) throws -> [ReferralEvent] {
        try events(referralID: referral.id)
    }

    func events(referralID: Int64) throws -> [ReferralEvent] {
        try database.read { connection in
            try connection.query(ReferralEvent.self, """
                SELECT \(ReferralEvent.columns) FROM referral_events LEFT JOIN users ON users.id = referral_events.user_id
                WHERE referral_events.referral_id = ? ORDER BY referral_events.id
                """, [.integer(referralID)])
        }
    }

    /// The referrals that led to the case, oldest first, each with its history: for the case's timeline.
    public func referrals(of visible: VisibleCase) throws -> [(id: Int64, events: [ReferralEvent])] {
        let ids = try database.read { connection in
            try connection.query("SELECT id FROM referrals WHERE case_id = ? ORDER BY id", [.integer(visible.id)])
                .map { row throws(DatabaseError) in try row.value("id", as: Int64.self) }
        }
        return try ids.map { ($0, try events(referralID: $0)) }
    }

    /// The form of the latest referral that led to the case, which new minutes start from.
    public func latestForm(of visible: VisibleCase) throws -> ReferralForm? {
        try database.read { connection in
            try connection.queryOne(ReferralRecord.self, "SELECT \(ReferralRecord.columns) \(ReferralRecord.tables) WHERE referrals.case_id = ? ORDER BY referrals.id DESC LIMIT 1",
                                    [.integer(visible.id)])?.form
        }
    }

    /// Existing nominals the viewer may see who may be the referral's person, best first, with the reasons.
    public func duplicateCandidates(of referral: ReferralRecord, for viewer: Viewer, limit: Int = 10) throws -> [(NominalRecord, DuplicateCandidate)] {
        try nominals.duplicateCandidates(of: referral.form.person, for: viewer, limit: limit)
    }

    @discardableResult
    func addEvent(_ connection: Connection, referralID: Int64, event: String, by viewer: Viewer, note: String = "") throws -> Int64 {
        try connection.insert("INSERT INTO referral_events (referral_id, event, occurred_at, user_id, note) VALUES (?, ?, ?, ?, ?)",
                               [.integer(referralID), .text(event), .text(context.now), .integer(viewer.user.id), .text(note)])
    }

    /// A new draft from the viewer (a referrer, or the coordinator on someone's behalf).
    public func createReferral(_ form: ReferralForm, by viewer: Viewer) throws -> ReferralRecord {
        guard viewer.can(.submitReferrals) else { throw DomainError.roleRefused() }
        let now = context.now
        let id = try database.write { connection in
            let id = try connection.insert("""
                INSERT INTO referrals (status, form_json, referrer_user_id, referring_agency_id, created_at, updated_at)
                VALUES ('draft', ?, ?, ?, ?, ?)
                """, [.text(try Self.json(form)), .integer(viewer.user.id), .integer(viewer.user.agencyID), .text(now), .text(now)])
            try addEvent(connection, referralID: id, event: "Draft started", by: viewer)
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "referral", subjectID: String(id))
            return id
        }
        return try referral(id: id, for: viewer)
    }

    /// Saves the form if the referral is still editable by this person and nobody saved it in between; `completed`,
    /// when given, replaces the sections the referrer has said are complete (one section saved from the task list).
    public func updateReferral(id: Int64, form: ReferralForm, expectedVersion: Int64, completed: Set<ReferralSection>? = nil,
                               by viewer: Viewer) throws {
        let existing = try referral(id: id, for: viewer)
        guard existing.status.referrerCanEdit || (viewer.can(.manageReferrals) && !existing.status.isClosed) else {
            throw DomainError.conflict("not_editable", "This referral can no longer be changed: it is \(existing.status.displayName.lowercased())")
        }
        try database.write { connection in
            let changed = try connection.execute(
                "UPDATE referrals SET form_json = ?, updated_at = ?, version = version + 1, completed_sections = COALESCE(?, completed_sections) WHERE id = ? AND version = ?",
                [.text(try Self.json(form)), .text(context.now), completed.map { .text(ReferralRecord.stored($0)) } ?? .null,
                 .integer(id), .integer(expectedVersion)])
            guard changed == 1 else { throw DomainError.editConflict }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "referral", subjectID: String(id))
        }
    }

    /// Submits (or resubmits after a return) and returns the quality findings it was submitted with.
    @discardableResult
    public func submitReferral(id: Int64, by viewer: Viewer) throws -> [QualityFinding] {
        let existing = try referral(id: id, for: viewer)
        guard existing.status.referrerCanEdit else {
            throw DomainError.conflict("not_submittable", "This referral has already been submitted")
        }
        let findings = ReferralQualityCheck(timescales: try context.timescales()).findings(existing.form, today: context.today)
        let newStatus: ReferralStatus = existing.status == .returned ? .resubmitted : .submitted
        let summary = findings.isEmpty ? "No quality findings"
            : "\(findings.filter { $0.kind != .warning }.count) to fix, \(findings.filter { $0.kind == .warning }.count) to check"
        let now = context.now
        try database.write { connection in
            try connection.execute("UPDATE referrals SET status = ?, submitted_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.text(newStatus.rawValue), .text(now), .text(now), .integer(id)])
            try addEvent(connection, referralID: id, event: newStatus == .resubmitted ? "Resubmitted" : "Submitted", by: viewer, note: summary)
            // The case as stored: `existing` leaves out a case hidden from the referrer, and the event's need-to-know follows the case.
            let caseID: Int64? = try connection.queryOne("SELECT case_id FROM referrals WHERE id = ?", [.integer(id)])?.valueIfPresent("case_id")
            try ChangeEventStore.record(connection, .referralSubmitted, caseID: caseID, referralID: id, at: now,
                                        ["referralId": String(id), "resubmitted": newStatus == .resubmitted ? "true" : "false"])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "referral", subjectID: String(id),
                                     detail: newStatus.rawValue)
        }
        return findings
    }

    /// The coordinator sends a referral back with reasons; the referrer can then edit and resubmit.
    public func returnReferral(id: Int64, reasons: String, by viewer: Viewer) throws {
        guard viewer.can(.manageReferrals) else { throw DomainError.roleRefused() }
        let trimmed = reasons.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DomainError.validation(field: "reasons", "Say what the referrer needs to add or correct") }
        let existing = try referral(id: id, for: viewer)
        guard existing.status.awaitingCoordinator else {
            throw DomainError.conflict("not_returnable", "Only a submitted referral can be returned")
        }
        // Each line tied to the field of the finding it quotes, so the referrer sees it beside that field.
        let findings = ReferralQualityCheck(timescales: try context.timescales()).findings(existing.form, today: context.today)
        let reasons = ReturnReasons.parse(trimmed, findings: findings)
        try database.write { connection in
            try connection.execute("UPDATE referrals SET status = 'returned', updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.text(context.now), .integer(id)])
            let eventID = try addEvent(connection, referralID: id, event: "Returned to referrer", by: viewer, note: trimmed)
            for (position, reason) in reasons.enumerated() {
                try connection.execute("INSERT INTO referral_return_reasons (referral_id, event_id, position, field, reason) VALUES (?, ?, ?, ?, ?)",
                                       [.integer(id), .integer(eventID), .integer(Int64(position)), .text(reason.field), .text(reason.reason)])
            }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "referral", subjectID: String(id),
                                     detail: "returned")
        }
    }
}
