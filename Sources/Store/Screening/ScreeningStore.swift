import Database
import Domain
import Foundation

/// What the screening panel decided.
public enum ScreeningOutcome: Sendable, Equatable {
    /// Accepted at a level. `existingNominalID` links the referral to a nominal already on record (a duplicate the
    /// coordinator confirmed); nil creates a new nominal.
    case accept(level: ManagementLevel, existingNominalID: Int64?)
    case decline(reason: String)
}

/// A screening panel's recorded decision on a referral, as `recordScreening` stored it.
public struct ScreeningDecisionRecord: Sendable, Equatable, RowDecodable {
    public enum Decision: String, Sendable, CaseIterable, StoredAsRawValue {
        case accepted, declined
    }
    public var id: Int64
    public var referralID: Int64
    public var decision: Decision
    /// The level the panel agreed; nil when declined.
    public var level: ManagementLevel?
    /// What the guidance pointed to; nil when it pointed to declining.
    public var recommendedLevel: ManagementLevel?
    public var facts: ScreeningFacts?
    public var recommendation: LevelRecommendation?
    public var rationale: String
    /// The reason given to the referrer when declined (recorded on the referral's history).
    public var declineReason: String?
    public var decidedOn: CalendarDate
    public var decidedByName: String
    public var nominalID: Int64?
    public var caseID: Int64?
    /// The screening panel where the decision was made; nil when it was not recorded against one.
    public var meetingID: Int64?

    public static let columns = """
        screening_decisions.id, screening_decisions.referral_id, screening_decisions.decision, screening_decisions.level,
        screening_decisions.recommended_level, screening_decisions.facts_json, screening_decisions.recommendation_json,
        screening_decisions.rationale, screening_decisions.decided_on, COALESCE(users.display_name, '') AS decided_by_name,
        referrals.nominal_id AS referral_nominal_id, referrals.case_id AS referral_case_id,
        (SELECT note FROM referral_events WHERE referral_events.referral_id = screening_decisions.referral_id
           AND referral_events.event = 'Declined at screening' ORDER BY referral_events.id DESC LIMIT 1) AS decline_note,
        screening_decisions.meeting_id
        """
    static let tables = """
        FROM screening_decisions JOIN referrals ON referrals.id = screening_decisions.referral_id
        LEFT JOIN users ON users.id = screening_decisions.decided_by
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        referralID = try row.decode("referral_id")
        decision = try row.decode("decision")
        level = try row.decodeIfPresent("level")
        recommendedLevel = try row.decodeIfPresent("recommended_level")
        facts = try row.decodeJSON("facts_json", as: ScreeningFacts.self)
        recommendation = try row.decodeJSON("recommendation_json", as: LevelRecommendation.self)
        rationale = try row.decode("rationale")
        decidedOn = try row.decode("decided_on")
        decidedByName = try row.decode("decided_by_name")
        nominalID = try row.decodeIfPresent("referral_nominal_id")
        caseID = try row.decodeIfPresent("referral_case_id")
        let note: String? = try row.decodeIfPresent("decline_note")
        declineReason = decision == .declined ? note : nil
        meetingID = try row.decodeIfPresent("meeting_id")
    }
}

/// The screening panel's decisions: accepting creates (or, for a confirmed duplicate, updates) the nominal and the
/// MAPPA case with its first review date; declining records why. Only a person the screener may see can be linked,
/// and only a case they may see changed.
public struct ScreeningStore: FeatureStore {
    let context: StoreContext
    let referrals: ReferralStore
    let nominals: NominalStore
    let agencies: AgencyStore

    /// Records the panel's decision. Accepting creates the nominal (or links the confirmed existing one, who must be
    /// someone the screener may see) and creates the MAPPA case, or updates that nominal's active case, with the first
    /// review date from the configured intervals. `meeting`: the screening panel where the decision was made (its
    /// attendance is the decision's), which must be a screening panel that has not been cancelled and is not in the
    /// future. Returns the case id when accepted.
    @discardableResult
    public func recordScreening(referralID: Int64, outcome: ScreeningOutcome, facts: ScreeningFacts, rationale: String,
                                at meeting: Meeting? = nil, by viewer: Viewer) throws -> Int64? {
        guard viewer.can(.manageReferrals) else { throw DomainError.roleRefused() }
        let referral = try referrals.referral(id: referralID, for: viewer)
        var problems: [ValidationProblem] = []
        if rationale.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "rationale", message: "Record the panel's reasons for the decision"))
        }
        if case .decline(let reason) = outcome, reason.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "decline_reason", message: "Say why the referral is declined"))
        }
        let form = referral.form
        if case .accept(let level, let existingNominalID) = outcome {
            if level == .unknown { problems.append(ValidationProblem(field: "level", message: "Select the level the panel agreed")) }
            if form.category == .three, level == .one {
                problems.append(ValidationProblem(field: "level", message: "Category 3 offenders are managed only at Level 2 or Level 3"))
            }
            if form.category == nil {
                problems.append(ValidationProblem(field: "level", message: "The referral has no category: return it to the referrer first"))
            }
            if form.familyName.isEmpty || form.givenNames.isEmpty {
                problems.append(ValidationProblem(field: "level", message: "The referral has no name for the offender: return it to the referrer first"))
            }
            if let existingNominalID, let problem = try existingNominalProblem(existingNominalID, viewer) { problems.append(problem) }
        }
        if let meeting, meeting.kind != .screening || meeting.status == .cancelled || meeting.date > context.today {
            problems.append(ValidationProblem(field: "meeting", message: "Select a screening panel that has taken place (today or earlier, not cancelled)"))
        }
        guard referral.status.awaitingCoordinator else {
            throw DomainError.conflict("not_screenable", "Only a submitted referral can be screened")
        }
        let leadAgency = try agencies.agency(code: form.leadAgency)
        if case .accept = outcome, leadAgency == nil {
            problems.append(ValidationProblem(field: "level", message: "The referral names no lead agency: return it to the referrer first"))
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let recommendation = LevelRecommendation.recommend(facts)
        let decisionDate = context.today
        return try database.write { connection -> Int64? in
            var caseID: Int64?
            var nominalID: Int64?
            var levelValue: SQLValue = .null
            let decision: String
            switch outcome {
            case .decline(let reason):
                decision = "declined"
                try referrals.addEvent(connection, referralID: referralID, event: "Declined at screening", by: viewer, note: reason)
            case .accept(let level, let existingNominalID):
                decision = "accepted"
                levelValue = .integer(Int64(level.rawValue))
                let nominal = try existingNominalID ?? nominals.insert(connection, form)
                nominalID = nominal
                try context.audit.append(connection, actor: viewer.actor, action: existingNominalID == nil ? .create : .update,
                                         subjectType: "nominal", subjectID: String(nominal),
                                         detail: existingNominalID == nil ? "from referral \(referralID)"
                                                                          : "linked to referral \(referralID) as a confirmed duplicate")
                let lead = leadAgency!
                let newCase = try upsertCase(connection, nominalID: nominal, form: form, level: level, leadAgencyID: lead.id,
                                             decisionDate: decisionDate, viewer: viewer, referralID: referralID)
                caseID = newCase
                // Agencies involved: the lead, the referrer's, and any the referral names. They drive need-to-know.
                var involved: Set<Int64> = [lead.id]
                if let referring: Int64 = try connection.queryOne("SELECT referring_agency_id FROM referrals WHERE id = ?",
                                                                  [.integer(referralID)])?.value("referring_agency_id") {
                    involved.insert(referring)
                }
                for code in form.agenciesInvolved {
                    if let id: Int64 = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(code)])?.value("id") {
                        involved.insert(id)
                    }
                }
                for agencyID in involved.sorted() { try CaseStore.involve(connection, caseID: newCase, agencyID: agencyID) }
                try referrals.addEvent(connection, referralID: referralID, event: "Accepted at \(level.shortName)", by: viewer)
            }
            try connection.execute("""
                INSERT INTO screening_decisions (referral_id, decision, level, recommended_level, facts_json,
                                                 recommendation_json, rationale, decided_on, decided_by, meeting_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(referralID), .text(decision), levelValue, .init(recommendation.level.map { Int64($0.rawValue) }),
                      .text(try ReferralStore.json(facts)), .text(try ReferralStore.json(recommendation)), .text(rationale),
                      .text(decisionDate.description), .integer(viewer.user.id), .init(meeting?.id)])
            try connection.execute("UPDATE referrals SET status = ?, nominal_id = ?, case_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.text(decision), .init(nominalID), .init(caseID), .text(context.now), .integer(referralID)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "referral", subjectID: String(referralID),
                                     detail: "screened: \(decision)\(meeting.map { " at meeting \($0.id)" } ?? "")")
            var information = ["referralId": String(referralID), "decision": decision, "decidedOn": decisionDate.description]
            if case .accept(let level, _) = outcome { information["level"] = String(level.rawValue) }
            if let caseID { information["caseId"] = String(caseID) }
            try ChangeEventStore.record(connection, .screeningDecisionRecorded, caseID: caseID, referralID: referralID, at: context.now, information)
            return caseID
        }
    }

    /// Why the nominal chosen as this person cannot be linked: unknown, or someone the screener may not see (the refusal
    /// is recorded, and said no differently from an unknown one). Nil when they can be.
    func existingNominalProblem(_ id: Int64, _ viewer: Viewer) throws -> ValidationProblem? {
        do {
            _ = try nominals.nominal(id: id, for: viewer)
            return nil
        } catch let error as DomainError where error.kind == .notFound || error.kind == .needToKnow {
            return ValidationProblem(field: "existing_nominal", message: "Select the person from the possible duplicates listed, or create a new nominal")
        }
    }

    /// Creates the case, or updates the nominal's active case (one the screener may see: checked again here, in the
    /// decision's transaction), inside that transaction.
    func upsertCase(_ connection: Connection, nominalID: Int64, form: ReferralForm, level: ManagementLevel, leadAgencyID: Int64,
                    decisionDate: CalendarDate, viewer: Viewer, referralID: Int64) throws -> Int64 {
        let category = form.category ?? .three
        let nextReview = try context.timescales().nextReviewDue(after: decisionDate, level: level)
        let statutoryEnd = category == .one ? form.notificationEndDate : (category == .two ? form.licenceEndDate : nil)
        let reason = "Screening decision on referral \(ReferralRecord.reference(referralID))"
        let now = context.now
        if let existing = try connection.queryOne("SELECT id, category, level, rosh FROM cases WHERE nominal_id = ? AND status = 'active'",
                                                  [.integer(nominalID)]) {
            var reader = RowReader(existing)
            let caseID: Int64 = try reader.decode("id")
            let oldCategory: MappaCategory = try reader.decode("category")
            let oldLevel: ManagementLevel = try reader.decode("level")
            let oldRosh: RoSH? = try reader.decodeIfPresent("rosh")
            try CaseVisibilityFilter.require(connection, caseID: caseID, viewer: viewer)
            for (field, old, new) in [("category", String(oldCategory.rawValue), String(category.rawValue)),
                                      ("level", String(oldLevel.rawValue), String(level.rawValue)),
                                      ("rosh", oldRosh?.rawValue ?? "", form.roshOverall?.rawValue ?? "")] where old != new {
                try CaseStore.addHistory(connection, caseID: caseID, field: field, old: old, new: new, reason: reason, by: viewer.user.id, at: now)
            }
            try connection.execute("""
                UPDATE cases SET category = ?, level = ?, lead_agency_id = ?, next_review_date = ?, rosh = ?,
                    restricted = CASE WHEN ? = 4 THEN 1 ELSE restricted END, updated_at = ?, version = version + 1 WHERE id = ?
                """, [.integer(Int64(category.rawValue)), .integer(Int64(level.rawValue)), .integer(leadAgencyID),
                      .init(nextReview), .init(form.roshOverall?.rawValue), .integer(Int64(category.rawValue)), .text(now), .integer(caseID)])
            if category == .four && oldCategory != .four {
                try CaseAccessStore.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow)
            }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "case", subjectID: String(caseID),
                                     detail: "level \(level.rawValue) at screening")
            return caseID
        }
        let caseID = try connection.insert("""
            INSERT INTO cases (nominal_id, category, level, lead_agency_id, start_date, statutory_end_date, next_review_date,
                               rosh, rosh_children, rosh_public, rosh_known_adult, rosh_staff, status, restricted,
                               created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
            """, [.integer(nominalID), .integer(Int64(category.rawValue)), .integer(Int64(level.rawValue)),
                  .integer(leadAgencyID), .text(decisionDate.description), .init(statutoryEnd), .init(nextReview),
                  .init(form.roshOverall?.rawValue), .init(form.roshByGroup[.children]?.rawValue),
                  .init(form.roshByGroup[.publicAtLarge]?.rawValue), .init(form.roshByGroup[.knownAdult]?.rawValue),
                  .init(form.roshByGroup[.staff]?.rawValue), .init(category == .four), .text(now), .text(now)])
        try CaseStore.addHistory(connection, caseID: caseID, field: "created", old: "", new: "\(category.shortName), \(level.shortName)",
                                 reason: reason, by: viewer.user.id, at: now)
        if category == .four {
            // Category 4 (terrorism) cases are restricted: only the people named on them see them, the screener first.
            try CaseAccessStore.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow)
        }
        try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "case", subjectID: String(caseID),
                                 detail: "\(category.shortName), \(level.shortName)")
        return caseID
    }

    /// The decision on a referral the viewer may see (the latest, should it ever have been screened twice), or nil if it
    /// has not been screened.
    public func decision(on referral: ReferralRecord) throws -> ScreeningDecisionRecord? {
        try database.read {
            try $0.queryOne(ScreeningDecisionRecord.self, "SELECT \(ScreeningDecisionRecord.columns) \(ScreeningDecisionRecord.tables)"
                            + " WHERE screening_decisions.referral_id = ? ORDER BY screening_decisions.id DESC LIMIT 1", [.integer(referral.id)])
        }
    }

    /// Decisions made on or after a date on referrals the viewer may see, oldest first, so a client can follow new
    /// decisions day by day.
    public func decisions(since: CalendarDate, limit: Int, for viewer: Viewer) throws -> [ScreeningDecisionRecord] {
        guard viewer.can(.manageReferrals) else { throw DomainError.roleRefused() }
        return try database.read { connection in
            let visible = try referrals.visibility(viewer, connection)
            return try connection.query(ScreeningDecisionRecord.self, "SELECT \(ScreeningDecisionRecord.columns) \(ScreeningDecisionRecord.tables)"
                                        + " WHERE screening_decisions.decided_on >= ?" + visible.sql
                                        + " ORDER BY screening_decisions.decided_on, screening_decisions.id LIMIT ?",
                                        [.text(since.description)] + visible.parameters + [.integer(Int64(limit))])
        }
    }

    /// The decisions recorded against a screening panel, on referrals the viewer may see, in the order they were made.
    public func decisions(at meeting: Meeting, for viewer: Viewer) throws -> [ScreeningDecisionRecord] {
        guard viewer.can(.manageReferrals) else { return [] }
        return try database.read { connection in
            let visible = try referrals.visibility(viewer, connection)
            return try connection.query(ScreeningDecisionRecord.self, "SELECT \(ScreeningDecisionRecord.columns) \(ScreeningDecisionRecord.tables)"
                                        + " WHERE screening_decisions.meeting_id = ?" + visible.sql + " ORDER BY screening_decisions.id",
                                        [.integer(meeting.id)] + visible.parameters)
        }
    }

    /// Referrals the viewer may see that wait for screening and pass the quality check (nothing missing or
    /// inconsistent): what a screening panel's agenda lists. Oldest submission first.
    public func readyForScreening(for viewer: Viewer) throws -> [ReferralRecord] {
        guard viewer.can(.manageReferrals) else { return [] }
        let check = ReferralQualityCheck(timescales: try context.timescales())
        let today = context.today
        return try referrals.referrals(for: viewer, statuses: [.submitted, .resubmitted])
            .filter { ReferralQualityCheck.isReadyForScreening(check.findings($0.form, today: today)) }
            .sorted { ($0.submittedAt ?? "", $0.id) < ($1.submittedAt ?? "", $1.id) }
    }
}
