import Database
import Domain
import Foundation

/// Someone the directory offers as an action's owner: a user (with their agency) or an agency contact.
public struct OwnerChoice: Sendable, Equatable {
    public var owner: ActionOwner
    public var name: String
    public var agencyCode: String
    public var agencyName: String
    /// A user's role, or what the directory says a contact does.
    public var detail: String
    public var email: String

    public init(owner: ActionOwner, name: String, agencyCode: String, agencyName: String, detail: String, email: String) {
        self.owner = owner
        self.name = name
        self.agencyCode = agencyCode
        self.agencyName = agencyName
        self.detail = detail
        self.email = email
    }

    /// How a list shows the choice: "Name (role), Agency".
    public var label: String { "\(name)\(detail.isEmpty ? "" : " (\(detail))")" }
}

/// An owner as the directory gives them when an action is made: who, their address and their agency.
struct ResolvedOwner {
    let userID: Int64?
    let contactID: Int64?
    let name: String
    let email: String
    let agencyID: Int64
    let agencyCode: String
}

extension ActionStore {
    /// One row of the directory of possible owners.
    struct OwnerRow: RowDecodable {
        static let columns = "kind, id, name, email, detail, agency_id, agency_code, agency_name"
        let kind: String, id: Int64, name: String, email: String, detail: String, agencyID: Int64, agencyCode: String, agencyName: String

        init(row: inout RowReader) throws(DatabaseError) {
            kind = try row.decode("kind"); id = try row.decode("id"); name = try row.decode("name"); email = try row.decode("email")
            detail = try row.decode("detail"); agencyID = try row.decode("agency_id"); agencyCode = try row.decode("agency_code")
            agencyName = try row.decode("agency_name")
        }

        var choice: OwnerChoice {
            OwnerChoice(owner: kind == "user" ? .user(id) : .contact(id), name: name, agencyCode: agencyCode, agencyName: agencyName,
                        detail: kind == "user" ? (Role(rawValue: detail)?.displayName ?? "") : detail, email: email)
        }

        var resolved: ResolvedOwner {
            ResolvedOwner(userID: kind == "user" ? id : nil, contactID: kind == "user" ? nil : id, name: name, email: email.lowercased(),
                          agencyID: agencyID, agencyCode: agencyCode)
        }
    }

    /// The directory of possible owners as one SELECT: active users with their agency, and active agency contacts, of
    /// active agencies.
    /// Names only staff, never a nominal.
    static let ownerDirectory = """
        SELECT * FROM (
          SELECT 'user' AS kind, users.id AS id, users.display_name AS name, users.email AS email, users.role AS detail,
                 agencies.id AS agency_id, agencies.code AS agency_code, agencies.name AS agency_name
          FROM users JOIN agencies ON agencies.id = users.agency_id WHERE users.active = 1 AND agencies.active = 1
          UNION ALL
          SELECT 'contact' AS kind, c.id AS id, c.name AS name, c.email AS email, c.role AS detail,
                 agencies.id AS agency_id, agencies.code AS agency_code, agencies.name AS agency_name
          FROM agency_contacts c JOIN agencies ON agencies.id = c.agency_id WHERE c.active = 1 AND agencies.active = 1
        ) directory
        """

    /// The people an action may be given to, by agency then name, whose name, email, role or agency contains every word
    /// of `query` (everyone when it is empty), at most `limit`. For unit staff (who add actions and filter the unit's
    /// list by owner); the query is at most `ActionRules.searchLimit` characters with no control characters.
    public func ownerChoices(matching query: String, limit: Int = 500, for viewer: Viewer) throws -> [OwnerChoice] {
        guard viewer.can(.viewCases) else { throw DomainError.roleRefused() }
        if let problem = TextRules.problem(query, field: "q", label: "The search", limit: ActionRules.searchLimit) {
            throw DomainError.validation([problem])
        }
        let words = query.lowercased().split(whereSeparator: { $0.isWhitespace }).prefix(5).map(String.init)
        var sql = "SELECT \(OwnerRow.columns) FROM (\(Self.ownerDirectory)) owners WHERE 1 = 1"
        var parameters: [SQLValue] = []
        for word in words {
            let escaped = word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            sql += " AND (LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(detail) LIKE ? ESCAPE '\\'"
                + " OR LOWER(agency_name) LIKE ? ESCAPE '\\')"
            parameters += Array(repeating: .text("%\(escaped)%"), count: 4)
        }
        sql += " ORDER BY agency_name, name, kind, id LIMIT ?"
        let rows = try database.read { try $0.query(OwnerRow.self, sql, parameters + [.integer(Int64(max(1, min(limit, 1000))))]) }
        return rows.map(\.choice)
    }

    /// The owner a new action names, from the directory: the user or contact it chose (nil when they are no longer
    /// in it, inactive); for an action carried from minutes, whoever in the directory has the email the minutes
    /// recorded (a user first, then a contact), if anyone does.
    func resolveOwner(_ connection: Connection, _ new: NewAction) throws -> ResolvedOwner? {
        let base = "SELECT \(OwnerRow.columns) FROM (\(Self.ownerDirectory)) owners"
        switch new.owner {
        case .user(let id):
            return try connection.queryOne(OwnerRow.self, base + " WHERE kind = 'user' AND id = ?", [.integer(id)])?.resolved
        case .contact(let id):
            return try connection.queryOne(OwnerRow.self, base + " WHERE kind = 'contact' AND id = ?", [.integer(id)])?.resolved
        case nil:
            let email = new.ownerEmail.trimmingCharacters(in: .whitespaces).lowercased()
            guard !email.isEmpty else { return nil }
            return try connection.queryOne(OwnerRow.self, base + " WHERE email <> '' AND LOWER(email) = ? ORDER BY kind DESC, id LIMIT 1",
                                           [.text(email)])?.resolved
        }
    }
}
