import Database
import Domain
import Foundation

/// Agencies, users and login failures: the rows behind accounts. Validation and hashing happen in
/// `AccountService`; this type only maps rows.
public final class AccountStore: Sendable {
    let database: Database
    let clock: Clock

    public init(database: Database, clock: Clock = .system) {
        self.database = database
        self.clock = clock
    }

    // MARK: agencies

    /// Adds any statutory agency missing from the directory (idempotent).
    public func seedAgencies(_ seeds: [AgencySeed] = AgencySeed.statutory) throws {
        try database.write { connection in
            for seed in seeds where try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(seed.code)]) == nil {
                try connection.execute("INSERT INTO agencies (code, name, kind, active) VALUES (?, ?, ?, 1)",
                                       [.text(seed.code), .text(seed.name), .text(seed.kind.rawValue)])
            }
        }
    }

    /// Kept with the connection while the database is unchanged (`keptWhileUnchanged`): the case page's forms list
    /// every agency.
    public func agencies(activeOnly: Bool = false) throws -> [Agency] {
        try database.read { connection in
            try connection.keptWhileUnchanged(activeOnly ? "agencies.active" : "agencies.all") {
                try connection.query("SELECT \(Self.agencyColumns) FROM agencies" + (activeOnly ? " WHERE active = 1" : "") + " ORDER BY name")
                    .map(Self.agency)
            }
        }
    }

    public func agency(code: String) throws -> Agency? {
        try database.read { try $0.queryOne("SELECT \(Self.agencyColumns) FROM agencies WHERE code = ?", [.text(code)]).map(Self.agency) }
    }

    public func agency(id: Int64) throws -> Agency? {
        try database.read { try $0.queryOne("SELECT \(Self.agencyColumns) FROM agencies WHERE id = ?", [.integer(id)]).map(Self.agency) }
    }

    /// What `agency(_:)` reads, in its order: read by position, since the case page's two forms list every agency.
    static let agencyColumns = "id, code, name, kind, active"

    static func agency(_ row: Row) -> Agency {
        Agency(id: row[0].int64 ?? 0, code: row[1].string ?? "", name: row[2].string ?? "",
               kind: AgencyKind(rawValue: row[3].string ?? "") ?? .associate, active: row[4].bool ?? false)
    }

    // MARK: users

    /// What `user(_:)` reads, and from where; the password hash stays out (it is read only to check a password).
    static let userColumns = """
        users.id, users.username, users.display_name, users.email, users.role, users.agency_id, users.must_change_password,
        users.active, users.created_at, users.last_login_at, users.version, agencies.name AS agency_name
        """
    static let userTables = "FROM users JOIN agencies ON agencies.id = users.agency_id"
    static let userSelect = "SELECT \(userColumns) \(userTables)"

    static func user(_ row: Row) -> User {
        User(id: row.int64("id"), username: row.string("username"), displayName: row.string("display_name"),
             email: row.string("email"), role: Role(rawValue: row.string("role")) ?? .referrer,
             agencyID: row.int64("agency_id"), agencyName: row.string("agency_name"),
             mustChangePassword: row.bool("must_change_password"), active: row.bool("active"),
             createdAt: row.string("created_at"), lastLoginAt: row["last_login_at"].string,
             version: row.int64("version"))
    }

    /// Inserts a user inside the caller's transaction.
    func insertUser(_ connection: Connection, username: String, displayName: String, email: String, role: Role,
                    agencyID: Int64, passwordHash: String, mustChangePassword: Bool) throws -> Int64 {
        let now = Timestamp.string(clock.now())
        do {
            return try connection.insert("""
                INSERT INTO users (username, display_name, email, role, agency_id, password_hash,
                                   must_change_password, active, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """, [.text(username), .text(displayName), .text(email), .text(role.rawValue), .integer(agencyID),
                      .text(passwordHash), .init(mustChangePassword), .text(now), .text(now)])
        } catch where error.code == .constraint {
            throw StoreError("username_taken", "That username is already in use")
        }
    }

    public func users() throws -> [User] {
        try database.read { try $0.query(Self.userSelect + " ORDER BY users.display_name").map(Self.user) }
    }

    public func user(id: Int64) throws -> User? {
        try database.read { try $0.queryOne(Self.userSelect + " WHERE users.id = ?", [.integer(id)]).map(Self.user) }
    }

    public func user(username: String) throws -> User? {
        try database.read {
            try $0.queryOne(Self.userSelect + " WHERE users.username = ?", [.text(username)]).map(Self.user)
        }
    }

    /// The stored argon2id string, for verification only.
    func passwordHash(userID: Int64) throws -> String? {
        try database.read {
            try $0.queryOne("SELECT password_hash FROM users WHERE id = ?", [.integer(userID)])?["password_hash"].string
        }
    }

    func updatePassword(_ connection: Connection, userID: Int64, hash: String, mustChange: Bool) throws {
        try connection.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [.text(hash), .init(mustChange), .text(Timestamp.string(clock.now())), .integer(userID)])
    }

    func updateActive(_ connection: Connection, userID: Int64, active: Bool) throws {
        try connection.execute("UPDATE users SET active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                               [.init(active), .text(Timestamp.string(clock.now())), .integer(userID)])
    }

    /// Changes name, email, role and agency only if the row is still at `expectedVersion`; false when someone
    /// else changed it first.
    func updateDetails(_ connection: Connection, userID: Int64, expectedVersion: Int64, displayName: String,
                       email: String, role: Role, agencyID: Int64) throws -> Bool {
        try connection.execute("""
            UPDATE users SET display_name = ?, email = ?, role = ?, agency_id = ?, updated_at = ?, version = version + 1
            WHERE id = ? AND version = ?
            """, [.text(displayName), .text(email), .text(role.rawValue), .integer(agencyID),
                  .text(Timestamp.string(clock.now())), .integer(userID), .integer(expectedVersion)]) == 1
    }

    func updateLastLogin(_ connection: Connection, userID: Int64) throws {
        try connection.execute("UPDATE users SET last_login_at = ? WHERE id = ?",
                               [.text(Timestamp.string(clock.now())), .integer(userID)])
    }

    // MARK: login failures

    func recordLoginFailure(_ connection: Connection, username: String, clientAddress: String) throws {
        try connection.execute("INSERT INTO login_failures (username, client_address, occurred_at) VALUES (?, ?, ?)",
                               [.text(username), .text(clientAddress), .integer(Int64(clock.now().timeIntervalSince1970))])
    }

    /// Failure times for this username and for this client address since `since`.
    func recentFailures(username: String, clientAddress: String, since: Date) throws -> (user: [Date], address: [Date]) {
        let cutoff = SQLValue.integer(Int64(since.timeIntervalSince1970))
        return try database.read { connection in
            let byUser = try connection.query(
                "SELECT occurred_at FROM login_failures WHERE username = ? AND occurred_at >= ?", [.text(username), cutoff])
            let byAddress = try connection.query(
                "SELECT occurred_at FROM login_failures WHERE client_address = ? AND occurred_at >= ?",
                [.text(clientAddress), cutoff])
            let dates = { (rows: [Row]) in rows.map { Date(timeIntervalSince1970: TimeInterval($0.int64("occurred_at"))) } }
            return (dates(byUser), dates(byAddress))
        }
    }

    func clearLoginFailures(_ connection: Connection, username: String) throws {
        try connection.execute("DELETE FROM login_failures WHERE username = ?", [.text(username)])
    }
}
