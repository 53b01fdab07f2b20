import Database
import Domain
import Foundation

/// Users and login failures: the rows behind accounts. Validation and hashing happen in `AccountService`; this type
/// only maps rows.
public struct AccountStore: FeatureStore {
    let context: StoreContext

    // MARK: users

    static let userSelect = "SELECT \(User.columns) FROM users JOIN agencies ON agencies.id = users.agency_id"

    /// Inserts a user inside the caller's transaction.
    func insertUser(_ connection: Connection, username: String, displayName: String, email: String, role: Role,
                    agencyID: Int64, passwordHash: String, mustChangePassword: Bool) throws -> Int64 {
        let now = context.now
        do {
            return try connection.insert("""
                INSERT INTO users (username, display_name, email, role, agency_id, password_hash,
                                   must_change_password, active, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """, [.text(username), .text(displayName), .text(email), .text(role.rawValue), .integer(agencyID),
                      .text(passwordHash), .init(mustChangePassword), .text(now), .text(now)])
        } catch where error.code == .constraint {
            throw DomainError.validation(field: "username", "That username is already in use")
        }
    }

    public func users() throws -> [User] {
        try database.read { try $0.query(User.self, Self.userSelect + " ORDER BY users.display_name") }
    }

    public func user(id: Int64) throws -> User? {
        try database.read { try $0.queryOne(User.self, Self.userSelect + " WHERE users.id = ?", [.integer(id)]) }
    }

    public func user(username: String) throws -> User? {
        try database.read { try $0.queryOne(User.self, Self.userSelect + " WHERE users.username = ?", [.text(username)]) }
    }

    /// The stored argon2id string, for verification only.
    func passwordHash(userID: Int64) throws -> String? {
        try database.read {
            try $0.queryOne("SELECT password_hash FROM users WHERE id = ?", [.integer(userID)])?.value("password_hash")
        }
    }

    func updatePassword(_ connection: Connection, userID: Int64, hash: String, mustChange: Bool) throws {
        try connection.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [.text(hash), .init(mustChange), .text(context.now), .integer(userID)])
    }

    func updateActive(_ connection: Connection, userID: Int64, active: Bool) throws {
        try connection.execute("UPDATE users SET active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                               [.init(active), .text(context.now), .integer(userID)])
    }

    /// Changes name, email, role and agency only if the row is still at `expectedVersion`; false when someone
    /// else changed it first.
    func updateDetails(_ connection: Connection, userID: Int64, expectedVersion: Int64, displayName: String,
                       email: String, role: Role, agencyID: Int64, managesRestrictedCases: Bool) throws -> Bool {
        try connection.execute("""
            UPDATE users SET display_name = ?, email = ?, role = ?, agency_id = ?, manages_restricted_cases = ?, updated_at = ?,
                version = version + 1
            WHERE id = ? AND version = ?
            """, [.text(displayName), .text(email), .text(role.rawValue), .integer(agencyID), .init(managesRestrictedCases),
                  .text(context.now), .integer(userID), .integer(expectedVersion)]) == 1
    }

    func updateLastLogin(_ connection: Connection, userID: Int64) throws {
        try connection.execute("UPDATE users SET last_login_at = ? WHERE id = ?",
                               [.text(context.now), .integer(userID)])
    }

    // MARK: login failures

    func recordLoginFailure(_ connection: Connection, username: String, clientAddress: String) throws {
        try connection.execute("INSERT INTO login_failures (username, client_address, occurred_at) VALUES (?, ?, ?)",
                               [.text(username), .text(clientAddress), .integer(Int64(clock.now().timeIntervalSince1970))])
    }

    /// Holds the throttle lock of one account name until `connection`'s transaction ends: the row is made on first
    /// use, and the UPDATE takes its row lock in PostgreSQL (SQLite's write transaction already excludes every other
    /// writer). Sign-ins for the same name therefore decide one after another, each seeing the attempts before it.
    func lockThrottle(_ connection: Connection, username: String) throws {
        let now = SQLValue.integer(Int64(clock.now().timeIntervalSince1970))
        try connection.execute("INSERT INTO login_throttle_locks (username, touched_at) VALUES (?, ?) ON CONFLICT (username) DO NOTHING",
                               [.text(username), now])
        try connection.execute("UPDATE login_throttle_locks SET touched_at = ? WHERE username = ?", [now, .text(username)])
    }

    /// Records an attempt as failed before its password is checked; `clearLoginFailures` takes it back on success.
    func reserveLoginAttempt(_ connection: Connection, username: String, clientAddress: String) throws {
        try recordLoginFailure(connection, username: username, clientAddress: clientAddress)
    }

    /// Failure times for this username and for this client address since `since`, read inside the caller's
    /// transaction (see `lockThrottle`).
    func recentFailures(_ connection: Connection, username: String, clientAddress: String, since: Date) throws -> (user: [Date], address: [Date]) {
        let cutoff = SQLValue.integer(Int64(since.timeIntervalSince1970))
        let byUser = try connection.query(
            "SELECT occurred_at FROM login_failures WHERE username = ? AND occurred_at >= ?", [.text(username), cutoff])
        let byAddress = try connection.query(
            "SELECT occurred_at FROM login_failures WHERE client_address = ? AND occurred_at >= ?",
            [.text(clientAddress), cutoff])
        let dates = { (rows: [Row]) throws -> [Date] in
            try rows.map { row throws(DatabaseError) in Date(timeIntervalSince1970: TimeInterval(try row.value("occurred_at", as: Int64.self))) }
        }
        return (try dates(byUser), try dates(byAddress))
    }

    func clearLoginFailures(_ connection: Connection, username: String) throws {
        try connection.execute("DELETE FROM login_failures WHERE username = ?", [.text(username)])
    }
}

extension User: RowDecodable {
    /// The password hash stays out: it is read only to check a password.
    public static let columns = """
        users.id, users.username, users.display_name, users.email, users.role, users.agency_id, agencies.name AS agency_name,
        users.must_change_password, users.active, users.created_at, users.last_login_at, users.manages_restricted_cases, users.version
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(id: try row.decode("id"), username: try row.decode("username"), displayName: try row.decode("display_name"),
                  email: try row.decode("email"), role: try row.decode("role"), agencyID: try row.decode("agency_id"),
                  agencyName: try row.decode("agency_name"), mustChangePassword: try row.decode("must_change_password"),
                  active: try row.decode("active"), createdAt: try row.decode("created_at"), lastLoginAt: try row.decodeIfPresent("last_login_at"),
                  managesRestrictedCases: try row.decode("manages_restricted_cases"), version: try row.decode("version"))
    }
}
