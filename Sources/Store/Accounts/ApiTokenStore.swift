import Crypto
import Database
import Domain
import Foundation

/// A bearer token an API client presents instead of a session cookie. Only its SHA-256 is stored; the token
/// itself is shown once, when it is created.
public struct ApiToken: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var userID: Int64
    /// What the owner called it ("case management sync"), so they can tell their tokens apart.
    public var name: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var expiresAt: Date
    public var revokedAt: Date?

    public func isUsable(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }

    public static let columns = "id, user_id, name, created_at, last_used_at, expires_at, revoked_at"

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        userID = try row.decode("user_id")
        name = try row.decode("name")
        createdAt = try row.decodeTimestamp("created_at")
        lastUsedAt = try row.decodeTimestampIfPresent("last_used_at")
        expiresAt = try row.decodeTimestamp("expires_at")
        revokedAt = try row.decodeTimestampIfPresent("revoked_at")
    }
}

/// API tokens: created for a user (audited), checked on every API request, listed for their owner and
/// revoked (audited). A token acts as its user with that user's current role, so disabling the account or
/// changing the role takes effect at once.
public struct ApiTokenStore: FeatureStore {
    let context: StoreContext
    let accounts: AccountStore

    /// Tokens expire so a forgotten one does not stay usable for ever.
    public static let defaultLifetimeDays = 90
    public static let maximumLifetimeDays = 366
    public static let maximumNameLength = 100
    /// Makes a leaked token recognisable (log and secret scanners, people reading a config file).
    public static let tokenPrefix = "mappa_"
    /// Writing `last_used_at` on every request would turn each API read into a write; once per interval is
    /// enough to tell whether a token is still in use.
    static let lastUsedResolution: TimeInterval = 300

    static func hash(_ token: String) -> String { Crypto.sha256Hex(token) }

    /// Creates a token for an active user and returns it in plain text: the only time it is available.
    public func create(userID: Int64, name: String, lifetimeDays: Int = ApiTokenStore.defaultLifetimeDays,
                       by actor: Actor) throws -> (token: String, record: ApiToken) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [ValidationProblem] = []
        if trimmed.isEmpty {
            problems.append(ValidationProblem(field: "name", message: "Enter a name for the token, such as the system that will use it"))
        } else if trimmed.count > Self.maximumNameLength {
            problems.append(ValidationProblem(field: "name", message: "The name must be \(Self.maximumNameLength) characters or fewer"))
        }
        if !(1...Self.maximumLifetimeDays).contains(lifetimeDays) {
            problems.append(ValidationProblem(field: "days", message: "A token lasts from 1 to \(Self.maximumLifetimeDays) days"))
        }
        guard let user = try accounts.user(id: userID) else { throw DomainError.notFound("The user") }
        if !user.active {
            problems.append(ValidationProblem(field: "user", message: "The account is disabled: enable it before giving it a token"))
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }

        let token = Self.tokenPrefix + Crypto.randomToken()
        let now = clock.now()
        let expires = now.addingTimeInterval(TimeInterval(lifetimeDays) * 86_400)
        let id = try database.write { connection in
            let id = try connection.insert("""
                INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                """, [.integer(userID), .text(trimmed), .text(Self.hash(token)), .text(Timestamp.string(now)),
                      .text(Timestamp.string(expires))])
            try audit.append(connection, actor: actor, action: .create, subjectType: "api_token", subjectID: String(id),
                             detail: "for user \(userID), expires \(Timestamp.string(expires))")
            return id
        }
        guard let record = try self.token(id: id) else { throw DomainError.notFound("The token") }
        return (token, record)
    }

    public func token(id: Int64) throws -> ApiToken? {
        try database.read { try $0.queryOne(ApiToken.self, "SELECT \(ApiToken.columns) FROM api_tokens WHERE id = ?", [.integer(id)]) }
    }

    /// The token and its user in one read; built once, since every API request runs it.
    static let authenticateSelect = """
        SELECT \(User.columns), api_tokens.id AS token_id, api_tokens.expires_at AS token_expires_at,
               api_tokens.revoked_at AS token_revoked_at, api_tokens.last_used_at AS token_last_used_at
        FROM users JOIN agencies ON agencies.id = users.agency_id JOIN api_tokens ON api_tokens.user_id = users.id
        WHERE api_tokens.token_hash = ?
        """

    /// The user a presented token acts for, or nil when the token is unknown, revoked or expired, or its
    /// account is disabled.
    public func authenticate(_ presented: String) throws -> User? {
        let secret = presented.dropFirst(Self.tokenPrefix.count)
        guard presented.hasPrefix(Self.tokenPrefix), secret.count == 64,
              secret.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        let tokenHash = Self.hash(presented)
        let row = try database.read { connection in
            try connection.queryOne(Self.authenticateSelect, [.text(tokenHash)])
        }
        guard let row else { return nil }
        let now = clock.now()
        var reader = RowReader(row)
        let user = try User(row: &reader)
        let tokenID: Int64 = try reader.decode("token_id")
        let expires = try reader.decodeTimestamp("token_expires_at")
        let revoked = try reader.decodeTimestampIfPresent("token_revoked_at")
        let lastUsed = try reader.decodeTimestampIfPresent("token_last_used_at")
        guard user.active, revoked == nil, expires > now else { return nil }
        if lastUsed.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            try database.write { connection in
                try connection.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                                       [.text(Timestamp.string(now)), .integer(tokenID)])
            }
        }
        return user
    }

    /// A user's tokens, newest first, including revoked and expired ones so the owner sees what existed.
    public func tokens(userID: Int64) throws -> [ApiToken] {
        try database.read {
            try $0.query(ApiToken.self, "SELECT \(ApiToken.columns) FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC",
                         [.integer(userID)])
        }
    }

    /// Revokes one of the user's own tokens at once. Revoking a token that is already revoked changes nothing.
    public func revoke(id: Int64, userID: Int64, by actor: Actor) throws {
        guard let token = try token(id: id), token.userID == userID else { throw DomainError.notFound("The token") }
        guard token.revokedAt == nil else { return }
        try database.write { connection in
            try connection.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                   [.text(context.now), .integer(id)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "api_token", subjectID: String(id),
                             detail: "revoked")
        }
    }
}
