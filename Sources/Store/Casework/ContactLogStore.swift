import Database
import Domain
import Foundation

/// One entry of a case's contact log: a communication with or about an agency.
public struct CaseContact: Sendable, Equatable, RowDecodable {
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

    public static let columns = """
        case_contacts.id, case_contacts.case_id, case_contacts.occurred_on, case_contacts.direction, agencies.name AS agency_name,
        case_contacts.person, case_contacts.method, case_contacts.summary, users.display_name AS recorder
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        caseID = try row.decode("case_id")
        occurredOn = try row.decode("occurred_on")
        direction = try row.decode("direction")
        agencyName = try row.decode("agency_name")
        person = try row.decode("person")
        method = try row.decode("method")
        summary = try row.decode("summary")
        recordedBy = try row.decode("recorder")
    }
}

/// Each case's log of communications with and about agencies: the single point of contact's record of who was told
/// what. Need-to-know as for the case; every entry audited.
public struct ContactLogStore: FeatureStore {
    let context: StoreContext

    public static let methods = ["Secure email", "Phone", "Meeting", "Letter", "Video call", "In person"]

    /// Adds an entry to the log of a case the viewer may see, after checking every field.
    public func logContact(caseID: Int64, occurredOn: CalendarDate?, direction: String, agencyID: Int64?, person: String,
                           method: String, summary: String, by viewer: Viewer) throws {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        try context.requireVisibleCase(caseID, for: viewer)
        var problems: [ValidationProblem] = []
        if occurredOn == nil { problems.append(ValidationProblem(field: "occurred_on", message: "Enter the date of the contact, like 2026-11-25")) }
        if let occurredOn, occurredOn > context.today { problems.append(ValidationProblem(field: "occurred_on", message: "The contact date cannot be in the future")) }
        if !["in", "out"].contains(direction) { problems.append(ValidationProblem(field: "direction", message: "Select whether the contact was received or sent")) }
        if agencyID == nil { problems.append(ValidationProblem(field: "agency", message: "Select the agency")) }
        if !Self.methods.contains(method) { problems.append(ValidationProblem(field: "method", message: "Select how the contact was made")) }
        if summary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "summary", message: "Summarise what was communicated"))
        }
        guard problems.isEmpty, let occurredOn, let agencyID else { throw DomainError.validation(problems) }
        try context.database.write { connection in
            try CaseVisibilityFilter.require(connection, caseID: caseID, viewer: viewer)
            let id = try connection.insert("""
                INSERT INTO case_contacts (case_id, occurred_on, direction, agency_id, person, method, summary, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(caseID), .text(occurredOn.description), .text(direction), .integer(agencyID), .text(person),
                      .text(method), .text(summary), .integer(viewer.user.id), .text(context.now)])
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "case_contact", subjectID: String(id),
                                     detail: "case \(caseID)")
        }
    }

    /// The case's log, newest first.
    public func contactLog(of visible: VisibleCase) throws -> [CaseContact] {
        try context.database.read { connection in
            try connection.query(CaseContact.self, """
                SELECT \(CaseContact.columns) FROM case_contacts
                JOIN agencies ON agencies.id = case_contacts.agency_id JOIN users ON users.id = case_contacts.recorded_by
                WHERE case_contacts.case_id = ? ORDER BY case_contacts.occurred_on DESC, case_contacts.id DESC
                """, [.integer(visible.id)])
        }
    }
}
