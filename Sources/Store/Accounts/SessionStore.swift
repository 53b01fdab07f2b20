import Crypto
import Database
import Domain
import Foundation

/// A signed-in session as the web app sees it. The raw token lives only in the browser's cookie; the
/// database keeps its SHA-256, so a copy of the database cannot be used to sign in.
public struct Session: Sendable, Equatable {
    public var tokenHash: String
    public var user: User
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date
}

/// Sessions: made at sign-in, looked up on every request (ended when timed out), ended at sign-out.
public final class SessionStore: FeatureStore {
    let context: StoreContext
    public let policy: SessionPolicy

    init(_ context: StoreContext, policy: SessionPolicy = SessionPolicy()) {
        self.context = context
        self.policy = policy
    }

    static func hash(_ token: String) -> String { Crypto.sha256Hex(token) }

    /// The session and its user in one read; built once, since every request runs it.
    static let lookupSelect = """
        SELECT \(User.columns), sessions.csrf_token, sessions.created_at AS session_created_at, sessions.last_seen_at
        FROM users JOIN agencies ON agencies.id = users.agency_id JOIN sessions ON sessions.user_id = users.id
        WHERE sessions.token_hash = ?
        """

    /// Starts a session inside the caller's transaction; returns the raw token for the cookie.
    func create(_ connection: Connection, userID: Int64, clientAddress: String) throws -> String {
        let token = Crypto.randomToken()
        let now = SQLValue.integer(Int64(clock.now().timeIntervalSince1970))
        try connection.execute("""
            INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, client_address)
            VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(Self.hash(token)), .integer(userID), .text(Crypto.randomToken()), now, now, .text(clientAddress)])
        return token
    }

    public enum Lookup: Sendable, Equatable {
        case active(Session)
        /// The session existed but timed out (it is deleted); the user must sign in again.
        case expired(User, SessionPolicy.State)
        case none
    }

    /// Finds the session for a cookie token, ends it if it has timed out, and refreshes its idle clock.
    public func lookup(token: String) throws -> Lookup {
        guard !token.isEmpty, token.count <= 128 else { return .none }
        let tokenHash = Self.hash(token)
        let row = try database.read { connection in
            try connection.queryOne(Self.lookupSelect, [.text(tokenHash)])
        }
        guard let row else { return .none }
        var reader = RowReader(row)
        let user = try User(row: &reader)
        let csrfToken: String = try reader.decode("csrf_token")
        let created = Date(timeIntervalSince1970: TimeInterval(try reader.decode("session_created_at", as: Int64.self)))
        let lastSeen = Date(timeIntervalSince1970: TimeInterval(try reader.decode("last_seen_at", as: Int64.self)))
        let now = clock.now()
        let state = policy.state(createdAt: created, lastSeenAt: lastSeen, now: now)
        if state != .active || !user.active {
            try delete(tokenHash: tokenHash)
            return user.active ? .expired(user, state) : .none
        }
        var seen = lastSeen
        if policy.needsTouch(lastSeenAt: lastSeen, now: now) {
            try database.write { connection in
                try connection.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                                       [.integer(Int64(now.timeIntervalSince1970)), .text(tokenHash)])
            }
            seen = now
        }
        return .active(Session(tokenHash: tokenHash, user: user, csrfToken: csrfToken,
                               createdAt: created, lastSeenAt: seen))
    }

    public func delete(tokenHash: String) throws {
        try database.write { try $0.execute("DELETE FROM sessions WHERE token_hash = ?", [.text(tokenHash)]) }
    }

    func delete(_ connection: Connection, tokenHash: String) throws {
        try connection.execute("DELETE FROM sessions WHERE token_hash = ?", [.text(tokenHash)])
    }

    func deleteAll(_ connection: Connection, userID: Int64) throws {
        try connection.execute("DELETE FROM sessions WHERE user_id = ?", [.integer(userID)])
    }

    /// Removes sessions past either timeout; returns how many.
    @discardableResult
    public func purgeExpired() throws -> Int {
        let now = clock.now().timeIntervalSince1970
        return try database.write { connection in
            try connection.execute("DELETE FROM sessions WHERE created_at < ? OR last_seen_at < ?",
                                   [.integer(Int64(now - policy.absoluteTimeout)), .integer(Int64(now - policy.idleTimeout))])
        }
    }
}
