import Database
import Domain
import Foundation
@testable import Store

/// Setting up a scenario as the people in it would: the coordinator (unless a test says who) imports cases, involves
/// agencies, schedules panels and builds their agendas, through the same stores the pages use. Reads for checking what
/// happened (`record`, `history`) look at the database as the system does, whoever may see it.
extension StoreWorld {
    /// The coordinator, who sets most scenarios up.
    public func coordinator() throws -> Viewer { try viewer(.coordinator) }

    /// The case of the nominal with this reference.
    public func caseID(_ ref: String) throws -> Int64 {
        guard let id = try caseIDs([ref])[ref] else { throw DomainError.notFound("The case") }
        return id
    }

    /// The case as it is stored, for checking what happened to it.
    public func record(_ caseID: Int64) throws -> CaseRecord {
        guard let record = try stores.database.read({
            try $0.queryOne(CaseRecord.self, "SELECT \(CaseRecord.columns) \(CaseRecord.tables) WHERE cases.id = ?", [.integer(caseID)])
        }) else { throw DomainError.notFound("The case") }
        return record
    }

    /// The case's history as it is stored.
    public func history(_ caseID: Int64) throws -> [CaseHistoryEntry] {
        try stores.database.read {
            try $0.query(CaseHistoryEntry.self, "SELECT \(CaseHistoryEntry.columns) FROM case_history LEFT JOIN users ON users.id = case_history.changed_by"
                         + " WHERE case_history.case_id = ? ORDER BY case_history.id", [.integer(caseID)])
        }
    }

    /// Makes an agency involved in a case, as the coordinator.
    public func involve(_ caseID: Int64, agency: String) throws {
        try stores.caseAccess.setInvolvedAgency(caseID: caseID, agencyCode: agency, involved: true, by: try coordinator())
    }

    /// Names a person on a case's access or exclusion list, as a coordinator who manages restricted cases (made once).
    public func name(_ username: String, on caseID: Int64, as kind: CaseAccessKind) throws {
        guard let user = try stores.accounts.accounts.user(username: username) else { throw DomainError.notFound("The user") }
        try stores.caseAccess.setAccess(caseID: caseID, userID: user.id, kind: kind, by: try keeper())
    }

    /// A coordinator an administrator has granted "manage restricted cases".
    public func keeper() throws -> Viewer {
        if let existing = try stores.accounts.accounts.user(username: "restricted.keeper") { return Viewer(existing, from: "192.0.2.1") }
        let created = try addUser("restricted.keeper", role: .coordinator, agency: "mappa_unit")
        try stores.accounts.updateDetails(userID: created.user.id, .init(displayName: "Restricted Keeper", email: "", role: .coordinator,
                                                                         agencyCode: "mappa_unit", managesRestrictedCases: true,
                                                                         expectedVersion: created.user.version), by: .commandLine)
        return try viewer("restricted.keeper")
    }

    /// Schedules a meeting as the coordinator and returns it.
    public func schedule(_ plan: MeetingPlan) throws -> Meeting {
        let id = try stores.meetings.schedule(plan, by: try coordinator().actor)[0]
        return try meeting(id)
    }

    /// The meeting, as the coordinator sees it (every meeting).
    public func meeting(_ id: Int64) throws -> Meeting { try stores.meetings.meeting(id: id, for: try coordinator()) }

    /// Marks the meeting held, as the coordinator (minutes can be approved only once it has been).
    public func markHeld(_ meetingID: Int64) throws {
        try stores.meetings.markHeld(try meeting(meetingID), by: try coordinator())
    }

    /// Puts a case on the meeting's agenda, as the coordinator.
    public func addToAgenda(_ meetingID: Int64, caseID: Int64, reason: String = "Review") throws {
        try stores.meetings.addToAgenda(try meeting(meetingID), caseID: caseID, reason: reason, by: try coordinator())
    }

    /// The meeting's agenda as the coordinator sees it.
    public func items(_ meetingID: Int64) throws -> [MeetingItem] {
        try stores.meetings.agenda(of: try meeting(meetingID), for: try coordinator()).items
    }

    /// A case discussion, as `viewer` (the coordinator by default) sees it.
    public func discussion(_ meetingID: Int64, _ itemID: Int64, as viewer: Viewer? = nil) throws -> Discussion {
        try stores.minutes.discussion(meetingID: meetingID, itemID: itemID, for: try viewer ?? coordinator())
    }

    /// An agency's id by code.
    public func agencyID(_ code: String) throws -> Int64 {
        guard let agency = try stores.agencies.agency(code: code) else { throw DomainError.notFound("The agency") }
        return agency.id
    }
}
