import Database
import Domain
import Foundation

/// MAPPA cases: reading one behind need-to-know, its history, the coordinator's edits (every changed fact kept with
/// its reason), and the overdue reviews of the home page. Every change is audited in the same transaction.
public struct CaseStore: FeatureStore {
    let context: StoreContext
    let agencies: AgencyStore
    let areas: AreaStore
    let nominals: NominalStore

    /// The case, if the viewer may see it (`CaseVisibility`). A refusal is written to the audit trail, with the
    /// rule's reason, and thrown as need-to-know; an unknown case is not found.
    public func `case`(id: Int64, for viewer: Viewer) throws -> VisibleCase {
        let facts = CaseVisibilityFilter.factsColumns(viewer)
        let found = try database.read { connection -> (CaseRecord, CaseVisibility.Facts)? in
            guard let row = try connection.queryOne("SELECT \(CaseRecord.columns), \(facts.sql) \(CaseRecord.tables) WHERE cases.id = ?",
                                                    facts.parameters + [.integer(id)]) else { return nil }
            var reader = RowReader(row)
            let record = try CaseRecord(row: &reader)
            return (record, try CaseVisibilityFilter.facts(&reader, restricted: record.restricted, category: record.category))
        }
        guard let (record, caseFacts) = found else { throw DomainError.notFound("The case") }
        if case .hidden(let reason) = CaseVisibility.decide(caseFacts, role: viewer.role) {
            throw try context.refuse(viewer, subjectType: "case", subjectID: id, reason: reason, as: .mappaCase)
        }
        return VisibleCase(record, viewer: viewer, mayManageAccess: CaseVisibility.mayManageAccess(caseFacts, user: viewer.user))
    }

    /// The person's cases the viewer may see, newest first.
    public func cases(nominalID: Int64, for viewer: Viewer) throws -> [CaseRecord] {
        try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return try connection.query(CaseRecord.self, "SELECT \(CaseRecord.columns) \(CaseRecord.tables) WHERE cases.nominal_id = ?"
                                        + visible.sql + " ORDER BY cases.id DESC", [.integer(nominalID)] + visible.parameters)
        }
    }

    /// Every change to the case, oldest first.
    public func history(of visible: VisibleCase) throws -> [CaseHistoryEntry] {
        try database.read { connection in
            try connection.query(CaseHistoryEntry.self, """
                SELECT \(CaseHistoryEntry.columns) FROM case_history LEFT JOIN users ON users.id = case_history.changed_by
                WHERE case_history.case_id = ? ORDER BY case_history.id
                """, [.integer(visible.id)])
        }
    }

    /// Saves a coordinator's edit of a registration after `CaseRules`. Every changed fact goes into the case history
    /// with `reason`; a case that becomes Category 4 is restricted, and the person who made it so stays on its access
    /// list. `details.area` is a MAPPA area's code, or empty for none. `expectedVersion` is the version the form was
    /// loaded with: two people editing at once get `DomainError.editConflict` instead of a lost update.
    public func updateCase(id: Int64, details: CaseDetails, reason: String, expectedVersion: Int64, by viewer: Viewer) throws {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        let before = try `case`(id: id, for: viewer).record
        var problems = CaseRules.problems(details, previous: before.details, changeReason: reason, today: context.today)
        let leadAgency = try agencies.agency(code: details.leadAgency)
        if leadAgency == nil && !details.leadAgency.isEmpty {
            problems.append(ValidationProblem(field: "lead_agency", message: "Select a lead agency from the list"))
        }
        let area = details.area.isEmpty ? nil : try areas.area(code: details.area)
        if area == nil && !details.area.isEmpty {
            problems.append(ValidationProblem(field: "area", message: "Select a MAPPA area from the list"))
        }
        guard problems.isEmpty, let leadAgency else { throw DomainError.validation(problems) }
        let now = context.now
        try database.write { connection in
            let changes = try Self.write(connection, caseID: id, details: details, before: before.details, leadAgencyID: leadAgency.id,
                                         areaID: area?.id, reason: reason, expectedVersion: expectedVersion, by: viewer, at: now)
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "case", subjectID: String(id),
                                     detail: "changed: " + (changes.isEmpty ? "nothing" : changes.map(\.field).joined(separator: ", ")))
        }
    }

    /// Writes a registration's new facts, one history entry per changed fact with `reason`, in the caller's transaction:
    /// the one way a coordinator's edit and approved minutes change a case. The history is dated `effectiveAt` (approved
    /// minutes take effect as of the meeting date), else `now`. A case that becomes Category 4 is restricted, and the
    /// person who made it so stays on its access list; the lead agency is involved. A stale `expectedVersion` is
    /// `DomainError.editConflict`.
    @discardableResult
    static func write(_ connection: Connection, caseID id: Int64, details: CaseDetails, before: CaseDetails, leadAgencyID: Int64,
                      areaID: Int64?, reason: String, expectedVersion: Int64, by viewer: Viewer, at now: String,
                      effectiveAt: String? = nil) throws -> [CaseFieldChange] {
        let changes = CaseRules.changes(from: before, to: details)
        let trimmedReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let exited = details.status == .exited
        let updated = try connection.execute("""
            UPDATE cases SET category = ?, level = ?, lead_agency_id = ?, start_date = ?, statutory_end_date = ?,
                next_review_date = ?, rosh = ?, rosh_children = ?, rosh_public = ?, rosh_known_adult = ?, rosh_staff = ?,
                status = ?, exit_date = ?, exit_reason = ?, restricted = CASE WHEN ? = 4 THEN 1 ELSE restricted END,
                area_id = ?, updated_at = ?, version = version + 1
            WHERE id = ? AND version = ?
            """, [.integer(Int64(details.category.rawValue)), .integer(Int64(details.level.rawValue)), .integer(leadAgencyID),
                  .text(details.startDate.description), .init(details.statutoryEndDate), .init(details.nextReviewDate),
                  .init(details.rosh?.rawValue), .init(details.roshByGroup[.children]?.rawValue),
                  .init(details.roshByGroup[.publicAtLarge]?.rawValue), .init(details.roshByGroup[.knownAdult]?.rawValue),
                  .init(details.roshByGroup[.staff]?.rawValue), .text(details.status.rawValue),
                  .init(exited ? details.exitDate : nil), .text(exited ? details.exitReason : ""),
                  .integer(Int64(details.category.rawValue)), .init(areaID), .text(now), .integer(id), .integer(expectedVersion)])
        guard updated == 1 else { throw DomainError.editConflict }
        for change in changes {
            try addHistory(connection, caseID: id, field: change.field, old: change.oldValue, new: change.newValue,
                           reason: trimmedReason, by: viewer.user.id, at: effectiveAt ?? now)
        }
        if details.category == .four && before.category != .four {
            try CaseAccessStore.name(connection, caseID: id, userID: viewer.user.id, as: .allow)
        }
        try involve(connection, caseID: id, agencyID: leadAgencyID)
        return changes
    }

    /// An overdue review on the home page: the case, its person's reference, its level and when the review was due.
    public struct OverdueReview: Sendable, Equatable, RowDecodable {
        public var caseID: Int64
        public var nominalRef: String
        public var level: ManagementLevel
        public var due: CalendarDate

        public static let columns = "cases.id, nominals.nominal_ref, cases.level, cases.next_review_date"

        public init(row: inout RowReader) throws(DatabaseError) {
            caseID = try row.decode("id")
            nominalRef = try row.decode("nominal_ref")
            level = try row.decode("level")
            due = try row.decode("next_review_date")
        }
    }

    /// Active Level 2 and 3 cases the viewer may see whose review date (the one stored date, `ReviewSchedule`) has
    /// passed, most overdue first, and how many there are in all.
    public func overdueReviews(for viewer: Viewer, limit: Int = 20) throws -> (total: Int, reviews: [OverdueReview]) {
        try reviews(dueFrom: nil, before: context.today, for: viewer, limit: limit)
    }

    /// Active Level 2 and 3 cases the viewer may see whose review date falls from today to `days` days ahead, soonest
    /// first, and how many there are in all (the home page's "due in 14 days").
    public func reviewsDue(withinDays days: Int, for viewer: Viewer, limit: Int = 20) throws -> (total: Int, reviews: [OverdueReview]) {
        try reviews(dueFrom: context.today, before: context.today.adding(days: days + 1), for: viewer, limit: limit)
    }

    /// Active Level 2 and 3 cases the viewer may see whose stored review date is on or after `from` and before
    /// `before` (either end open when nil), soonest first, and how many there are in all: an agency representative's
    /// cases by their next review take both ends open.
    public func reviews(dueFrom from: CalendarDate?, before: CalendarDate?, for viewer: Viewer,
                        limit: Int) throws -> (total: Int, reviews: [OverdueReview]) {
        try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection)
            let filter = """
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id
                WHERE cases.status = 'active' AND cases.level IN (2, 3) AND cases.next_review_date IS NOT NULL
                """ + (before == nil ? "" : " AND cases.next_review_date < ?") + (from == nil ? "" : " AND cases.next_review_date >= ?")
                + visible.cases().sql
            let parameters = (before.map { [SQLValue.text($0.description)] } ?? []) + (from.map { [SQLValue.text($0.description)] } ?? [])
                + visible.cases().parameters
            let matching = """
                cases.status = 'active' AND cases.level IN (2, 3) AND cases.next_review_date IS NOT NULL
                """ + (before == nil ? "" : " AND cases.next_review_date < ?") + (from == nil ? "" : " AND cases.next_review_date >= ?")
            let dates = (before.map { [SQLValue.text($0.description)] } ?? []) + (from.map { [SQLValue.text($0.description)] } ?? [])
            let total = try Self.count(matching, dates, visible: visible, filter, parameters, connection)
            // The first few of each level read in order from `cases_review_due` (stopping at `limit`), then merged: as one
            // query over both levels every match (7,000 overdue at national scale) was read and sorted for ten.
            let oneLevel = filter.replacingOccurrences(of: "cases.level IN (2, 3)", with: "cases.level = ?")
            var reviews: [OverdueReview] = []
            for level in [ManagementLevel.two, .three] {
                reviews += try connection.query(OverdueReview.self, "SELECT \(OverdueReview.columns) " + oneLevel
                                                + " ORDER BY cases.next_review_date, cases.id LIMIT ?",
                                                [.integer(Int64(level.rawValue))] + parameters + [.integer(Int64(limit))])
            }
            reviews.sort { ($0.due, $0.caseID) < ($1.due, $1.caseID) }
            return (total, Array(reviews.prefix(max(0, limit))))
        }
    }

    /// An active Level 2 or 3 case with no review date stored: due now (`ReviewSchedule.State.notSet`).
    public struct UndatedReview: Sendable, Equatable, RowDecodable {
        public var caseID: Int64
        public var nominalRef: String
        public var level: ManagementLevel

        public static let columns = "cases.id, nominals.nominal_ref, cases.level"

        public init(row: inout RowReader) throws(DatabaseError) {
            caseID = try row.decode("id")
            nominalRef = try row.decode("nominal_ref")
            level = try row.decode("level")
        }
    }

    /// Active Level 2 and 3 cases the viewer may see with no review date stored, which count as due now (oldest case
    /// first), and how many there are in all: the home page lists them with the overdue reviews.
    public func undatedReviews(for viewer: Viewer, limit: Int = 20) throws -> (total: Int, cases: [UndatedReview]) {
        try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection)
            let filter = """
                FROM cases JOIN nominals ON nominals.id = cases.nominal_id
                WHERE cases.status = 'active' AND cases.level IN (2, 3) AND cases.next_review_date IS NULL
                """ + visible.cases().sql
            let total = try Self.count("cases.status = 'active' AND cases.level IN (2, 3) AND cases.next_review_date IS NULL", [],
                                       visible: visible, filter, visible.cases().parameters, connection)
            let cases = try connection.query(UndatedReview.self, "SELECT \(UndatedReview.columns) " + filter + " ORDER BY cases.id LIMIT ?",
                                             visible.cases().parameters + [.integer(Int64(limit))])
            return (total, cases)
        }
    }

    /// How many cases match `matching` (a condition on `cases` alone, with `values`) that the viewer may see. For a role
    /// that sees all but a few cases: every match, counted from an index (`cases_review_due`) alone, less the matches
    /// among the few hidden from them (`hiddenCaseIDs`): at national scale some 7,000 overdue reviews, each row read for
    /// its restricted flag before. Otherwise the rows of `filter` (FROM … WHERE …, with `parameters`) counted one by one.
    static func count(_ matching: String, _ values: [SQLValue], visible: CaseVisibilityFilter, _ filter: String, _ parameters: [SQLValue],
                      _ connection: Connection) throws -> Int {
        guard let hidden = visible.hiddenCaseIDs() else {
            return try connection.queryOne("SELECT COUNT(*) AS n " + filter, parameters)?.value("n") ?? 0
        }
        return try connection.queryOne("""
            SELECT (SELECT COUNT(*) FROM cases WHERE \(matching))
                 - (SELECT COUNT(*) FROM cases WHERE \(matching) AND cases.id IN (\(hidden.sql))) AS n
            """, values + values + hidden.parameters)?.value("n") ?? 0
    }

    /// Adds a line to a case's history inside the caller's transaction.
    static func addHistory(_ connection: Connection, caseID: Int64, field: String, old: String, new: String, reason: String,
                           by userID: Int64?, at now: String) throws {
        try connection.execute("""
            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.integer(caseID), .text(field), .text(old), .text(new), .text(reason), .text(now), .init(userID)])
        try ChangeEventStore.recordHistory(connection, caseID: caseID, field: field, old: old, new: new, at: now)
    }

    /// Makes an agency involved in a case (once), inside the caller's transaction: its staff may then see the case.
    static func involve(_ connection: Connection, caseID: Int64, agencyID: Int64) throws {
        try connection.execute("""
            INSERT INTO case_agencies (case_id, agency_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM case_agencies WHERE case_id = ? AND agency_id = ?)
            """, [.integer(caseID), .integer(agencyID), .integer(caseID), .integer(agencyID)])
    }
}

extension StoreContext {
    /// Records a need-to-know refusal on the audit trail and returns the error that says so. `reason` names the rule,
    /// never the person.
    func refuse(_ viewer: Viewer, subjectType: String, subjectID: Int64, reason: String, as subject: NeedToKnowSubject) throws -> DomainError {
        try audit.record(actor: viewer.actor, action: .accessRefused, subjectType: subjectType, subjectID: String(subjectID), detail: reason)
        return DomainError.needToKnow(subject)
    }

    /// Refuses a change to a case the viewer may not see (`CaseVisibility`), recording the refusal; an unknown case is
    /// not found. Called before the change's transaction, which checks again with `CaseVisibilityFilter.require`.
    func requireVisibleCase(_ caseID: Int64, for viewer: Viewer) throws {
        guard let facts = try database.read({ try CaseVisibilityFilter.facts($0, caseID: caseID, viewer: viewer) }) else {
            throw DomainError.notFound("The case")
        }
        if case .hidden(let reason) = CaseVisibility.decide(facts, role: viewer.role) {
            throw try refuse(viewer, subjectType: "case", subjectID: caseID, reason: reason, as: .mappaCase)
        }
    }
}

extension CaseVisibilityFilter {
    /// The same check inside a change's transaction, so an access list changed in between is honoured too.
    static func require(_ connection: Connection, caseID: Int64, viewer: Viewer) throws {
        guard let facts = try facts(connection, caseID: caseID, viewer: viewer) else { throw DomainError.notFound("The case") }
        guard CaseVisibility.decide(facts, role: viewer.role) == .visible else { throw DomainError.needToKnow(.mappaCase) }
    }
}
