import Crypto
import Database
import Domain
import Foundation
import Store
import Testing
import TestSupport

/// API tokens against a real database (SQLite, and PostgreSQL when available).
@Suite("API tokens")
struct ApiTokenStoreTests {
    static let operator_ = Actor(userID: nil, username: "(test)", clientAddress: "127.0.0.1")

    struct Fixture {
        let test: TestDatabase
        let clock = ManualClock()
        let accounts: AccountService
        let tokens: ApiTokenStore
        let user: User

        init(_ kind: DatabaseKind) throws {
            test = try TestDatabase(kind)
            let stores = Stores(database: test.database, clock: clock.clock)
            accounts = stores.accounts
            tokens = stores.apiTokens
            user = try accounts.createUser(.init(username: "sync.user", displayName: "Sync User", role: .coordinator,
                                                 agencyCode: "police", password: "kettle orbit meadow 42",
                                                 mustChangePassword: false), by: ApiTokenStoreTests.operator_)
        }

        func auditEntries() throws -> [AuditEntry] { try accounts.audit.recent(limit: 100, subjectType: "api_token") }
    }

    @Test("a new token is 256 random bits shown once; only its hash is stored; it authenticates its user",
          arguments: DatabaseKind.available)
    func createAndAuthenticate(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let (token, record) = try fixture.tokens.create(userID: fixture.user.id, name: "  Case system  ", by: Self.operator_)
        #expect(token.hasPrefix("mappa_"))
        #expect(token.count == "mappa_".count + 64)
        #expect(record.name == "Case system")
        #expect(record.expiresAt == fixture.clock.now.addingTimeInterval(90 * 86_400))
        #expect(record.lastUsedAt == nil)
        let stored = try fixture.test.database.read { try $0.query("SELECT token_hash FROM api_tokens") }
        #expect(stored.map { $0["token_hash"].string } == [Crypto.sha256Hex(token)])
        #expect(try fixture.tokens.authenticate(token)?.id == fixture.user.id)
        #expect(try fixture.tokens.token(id: record.id)?.lastUsedAt == fixture.clock.now)
        // Another token is different, and near misses are refused.
        let (second, _) = try fixture.tokens.create(userID: fixture.user.id, name: "Second", by: Self.operator_)
        #expect(second != token)
        #expect(try fixture.tokens.authenticate(String(token.dropLast()) + (token.last == "0" ? "1" : "0")) == nil)
        #expect(try fixture.tokens.authenticate(String(token.dropFirst("mappa_".count))) == nil)
        #expect(try fixture.tokens.authenticate(token.uppercased()) == nil)
        #expect(try fixture.tokens.authenticate("") == nil)
        let audit = try fixture.auditEntries()
        #expect(audit.filter { $0.action == .create }.map(\.subjectID).sorted() == ["1", "2"])
        #expect(!audit.contains { $0.detail.contains("Case system") })
    }

    @Test("last use is recorded at most every five minutes, so API reads do not each become a write",
          arguments: DatabaseKind.available)
    func lastUsed(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let (token, record) = try fixture.tokens.create(userID: fixture.user.id, name: "Sync", by: Self.operator_)
        let first = fixture.clock.now
        _ = try fixture.tokens.authenticate(token)
        fixture.clock.advance(by: 60)
        _ = try fixture.tokens.authenticate(token)
        #expect(try fixture.tokens.token(id: record.id)?.lastUsedAt == first)
        fixture.clock.advance(by: 300)
        _ = try fixture.tokens.authenticate(token)
        #expect(try fixture.tokens.token(id: record.id)?.lastUsedAt == fixture.clock.now)
    }

    @Test("tokens stop working when revoked, when they expire, and while their account is disabled",
          arguments: DatabaseKind.available)
    func refusals(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let (revoked, revokedRecord) = try fixture.tokens.create(userID: fixture.user.id, name: "Old", by: Self.operator_)
        let (shortLived, _) = try fixture.tokens.create(userID: fixture.user.id, name: "Day", lifetimeDays: 1, by: Self.operator_)
        let (kept, _) = try fixture.tokens.create(userID: fixture.user.id, name: "Kept", by: Self.operator_)

        try fixture.tokens.revoke(id: revokedRecord.id, userID: fixture.user.id, by: Self.operator_)
        try fixture.tokens.revoke(id: revokedRecord.id, userID: fixture.user.id, by: Self.operator_)
        #expect(try fixture.tokens.authenticate(revoked) == nil)
        #expect(try fixture.auditEntries().filter { $0.detail == "revoked" }.count == 1)

        fixture.clock.advance(by: 86_400 - 1)
        #expect(try fixture.tokens.authenticate(shortLived) != nil)
        fixture.clock.advance(by: 1)
        #expect(try fixture.tokens.authenticate(shortLived) == nil)

        try fixture.accounts.setActive(userID: fixture.user.id, active: false, by: Self.operator_)
        #expect(try fixture.tokens.authenticate(kept) == nil)
        try fixture.accounts.setActive(userID: fixture.user.id, active: true, by: Self.operator_)
        #expect(try fixture.tokens.authenticate(kept)?.username == "sync.user")

        let listed = try fixture.tokens.tokens(userID: fixture.user.id)
        #expect(Set(listed.map(\.name)) == ["Old", "Day", "Kept"])
        #expect(listed.filter { $0.isUsable(at: fixture.clock.now) }.map(\.name) == ["Kept"])
    }

    @Test("a token needs a name and a lifetime of 1 to 366 days; nobody revokes another user's token",
          arguments: DatabaseKind.available)
    func validation(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let failure = try #require(throws: DomainError.self) {
            try fixture.tokens.create(userID: fixture.user.id, name: " ", lifetimeDays: 0, by: Self.operator_)
        }
        #expect(failure.problems == [
            ValidationProblem(field: "name", message: "Enter a name for the token, such as the system that will use it"),
            ValidationProblem(field: "days", message: "A token lasts from 1 to 366 days"),
        ])
        #expect(throws: DomainError.self) {
            try fixture.tokens.create(userID: fixture.user.id, name: "x", lifetimeDays: 367, by: Self.operator_)
        }
        #expect(try fixture.tokens.tokens(userID: fixture.user.id).isEmpty)

        let other = try fixture.accounts.createUser(.init(username: "other.user", displayName: "Other", role: .referrer,
                                                          agencyCode: "probation", password: "harbour tulip spoon 5",
                                                          mustChangePassword: false), by: Self.operator_)
        let (token, record) = try fixture.tokens.create(userID: fixture.user.id, name: "Mine", by: Self.operator_)
        #expect(throws: DomainError.notFound("The token")) {
            try fixture.tokens.revoke(id: record.id, userID: other.id, by: Self.operator_)
        }
        #expect(try fixture.tokens.authenticate(token) != nil)
    }
}
