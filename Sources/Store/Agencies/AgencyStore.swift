import Database
import Domain
import Foundation

/// A contact at an agency: a person to invite, send minutes to and phone, one of them the agency's single point of
/// contact (SPOC).
public struct AgencyContact: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var agencyID: Int64
    public var name: String
    public var role: String
    public var email: String
    public var phone: String
    public var isSPOC: Bool
    public var active: Bool

    public static let columns = "id, agency_id, name, role, email, phone, is_spoc, active"

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        agencyID = try row.decode("agency_id")
        name = try row.decode("name")
        role = try row.decode("role")
        email = try row.decode("email")
        phone = try row.decode("phone")
        isSPOC = try row.decode("is_spoc")
        active = try row.decode("active")
    }
}

extension Agency: RowDecodable {
    public static let columns = "id, code, name, kind, active"

    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"), kind: try row.decode("kind"),
                  active: try row.decode("active"))
    }
}

/// The single point of contact directory: responsible authorities, duty-to-co-operate and associate agencies, each
/// with its contacts and one SPOC. Every change is audited in the same transaction.
public struct AgencyStore: FeatureStore {
    let context: StoreContext

    /// Adds any statutory agency missing from the directory (idempotent).
    public func seedAgencies(_ seeds: [AgencySeed] = AgencySeed.statutory) throws {
        try database.write { connection in
            for seed in seeds where try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(seed.code)]) == nil {
                try connection.execute("INSERT INTO agencies (code, name, kind, active) VALUES (?, ?, ?, 1)",
                                       [.text(seed.code), .text(seed.name), .text(seed.kind.rawValue)])
            }
        }
    }

    /// In name order, from an index. Kept with the connection while the database is unchanged (`keptWhileUnchanged`):
    /// the case page's forms list every agency.
    public func agencies(activeOnly: Bool = false) throws -> [Agency] {
        try database.read { connection in
            try connection.keptWhileUnchanged(activeOnly ? "agencies.active" : "agencies.all") {
                try connection.query(Agency.self, "SELECT \(Agency.columns) FROM agencies" + (activeOnly ? " WHERE active = 1" : "") + " ORDER BY name")
            }
        }
    }

    public func agency(code: String) throws -> Agency? {
        try database.read { try $0.queryOne(Agency.self, "SELECT \(Agency.columns) FROM agencies WHERE code = ?", [.text(code)]) }
    }

    public func agency(id: Int64) throws -> Agency? {
        try database.read { try $0.queryOne(Agency.self, "SELECT \(Agency.columns) FROM agencies WHERE id = ?", [.integer(id)]) }
    }

    /// Every agency by code, for lists that show agencies' names.
    public func namesByCode() throws -> [String: String] {
        Dictionary(try agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// Adds an associate agency (MAPPA Guidance ch.10: inside the information-sharing circle).
    public func addAgency(name: String, kind: AgencyKind, by actor: Actor) throws -> Agency {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw DomainError.validation(field: "name", "Enter the agency's name") }
        var code = String(DuplicateMatcher.normalisedName(trimmed).replacingOccurrences(of: " ", with: "_").prefix(40))
        if code.isEmpty { code = "agency" }
        var candidate = code
        var suffix = 2
        while try agency(code: candidate) != nil { candidate = "\(code)_\(suffix)"; suffix += 1 }
        let finalCode = candidate
        try database.write { connection in
            let id = try connection.insert("INSERT INTO agencies (code, name, kind, active) VALUES (?, ?, ?, 1)",
                                           [.text(finalCode), .text(trimmed), .text(kind.rawValue)])
            try context.audit.append(connection, actor: actor, action: .create, subjectType: "agency", subjectID: String(id), detail: finalCode)
        }
        guard let agency = try agency(code: finalCode) else { throw DomainError.notFound("The agency") }
        return agency
    }

    /// An inactive agency stays in the records but is no longer offered for new cases, invitations or users.
    public func setAgencyActive(id: Int64, active: Bool, by actor: Actor) throws {
        try database.write { connection in
            try connection.execute("UPDATE agencies SET active = ? WHERE id = ?", [.init(active), .integer(id)])
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "agency", subjectID: String(id),
                                     detail: active ? "active" : "inactive")
        }
    }

    // MARK: contacts

    public func contacts(agencyID: Int64, activeOnly: Bool = false) throws -> [AgencyContact] {
        try database.read { connection in
            try connection.query(AgencyContact.self, "SELECT \(AgencyContact.columns) FROM agency_contacts WHERE agency_id = ?"
                                 + (activeOnly ? " AND active = 1" : "") + " ORDER BY is_spoc DESC, name, id", [.integer(agencyID)])
        }
    }

    public func contact(id: Int64) throws -> AgencyContact? {
        try database.read { try $0.queryOne(AgencyContact.self, "SELECT \(AgencyContact.columns) FROM agency_contacts WHERE id = ?", [.integer(id)]) }
    }

    /// Each agency's single point of contact, by agency id (the directory lists them all at once).
    public func singlePointsOfContact() throws -> [Int64: AgencyContact] {
        let spocs = try database.read { connection in
            try connection.query(AgencyContact.self, "SELECT \(AgencyContact.columns) FROM agency_contacts WHERE is_spoc = 1 AND active = 1")
        }
        return Dictionary(spocs.map { ($0.agencyID, $0) }, uniquingKeysWith: { first, _ in first })
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

    /// Adds (id nil) or changes a contact. Making one the single point of contact (SPOC) clears the flag on the
    /// agency's others: there is one SPOC per agency.
    @discardableResult
    public func saveContact(id: Int64?, agencyID: Int64, name: String, role: String, email: String, phone: String,
                            isSPOC: Bool, active: Bool, by actor: Actor) throws -> Int64 {
        let problems = Self.contactProblems(name: name, email: email, phone: phone)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let now = context.now
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
                guard changed == 1 else { throw DomainError.notFound("The contact") }
                contactID = id
            } else {
                contactID = try connection.insert("""
                    INSERT INTO agency_contacts (name, role, email, phone, is_spoc, active, updated_at, agency_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, values + [.integer(agencyID), .text(now)])
            }
            try context.audit.append(connection, actor: actor, action: id == nil ? .create : .update, subjectType: "agency_contact",
                                     subjectID: String(contactID), detail: "agency \(agencyID)\(isSPOC ? ", single point of contact" : "")")
            return contactID
        }
    }
}
