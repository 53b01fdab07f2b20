import Crypto
import Database
import Domain
import Foundation
import Store
import Testing
import TestSupport

/// Accounts, sessions and the audit trail against a real database (SQLite, and PostgreSQL when available).
@Suite("Accounts and sessions")
struct AccountServiceTests {
    static let admin = Actor(userID: nil, username: "(test)", clientAddress: "127.0.0.1")

    func makeService(_ kind: DatabaseKind, clock: ManualClock = ManualClock()) throws -> (TestDatabase, AccountService) {
        let test = try TestDatabase(kind)
        return (test, Stores(database: test.database, clock: clock.clock).accounts)
    }

    func addUser(_ service: AccountService, _ username: String = "jo.bloggs", role: Role = .coordinator,
                 password: String = "kettle orbit meadow 42") throws -> User {
        try service.createUser(.init(username: username, displayName: "Jo Bloggs", role: role, agencyCode: "police",
                                     password: password, mustChangePassword: false), by: Self.admin)
    }

    @Test("migrations build the schema from an empty database and a second run changes nothing", arguments: DatabaseKind.available)
    func migrations(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind, migrate: false)
        let applied = try Schema.migrator.migrate(test.database)
        #expect(applied.map(\.version) == Schema.migrations.map(\.version))
        #expect(try Schema.migrator.migrate(test.database).isEmpty)
        #expect(try Schema.migrator.appliedVersions(test.database) == Set(Schema.migrations.map(\.version)))
    }

    @Test("a user signs in with the right password and gets a session", arguments: DatabaseKind.available)
    func signIn(kind: DatabaseKind) throws {
        let (test, service) = try makeService(kind)
        _ = test
        let user = try addUser(service)
        let outcome = try service.login(username: "Jo.Bloggs ", password: "kettle orbit meadow 42", clientAddress: "10.1.1.1")
        guard case .success(let token, let signedIn) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(signedIn.id == user.id)
        #expect(token.count == 64)
        guard case .active(let session) = try service.sessions.lookup(token: token) else { Issue.record("no session"); return }
        #expect(session.user.username == "jo.bloggs")
        #expect(session.csrfToken.count == 64)
        // The database holds only a hash of the token.
        let stored = try test.database.read { try $0.query("SELECT token_hash FROM sessions") }
        #expect(stored.map { $0["token_hash"].string } == [Crypto.sha256Hex(token)])
    }

    @Test("wrong password and unknown username give the same answer and are audited", arguments: DatabaseKind.available)
    func wrongPassword(kind: DatabaseKind) throws {
        let (_, service) = try makeService(kind)
        _ = try addUser(service)
        #expect(try service.login(username: "jo.bloggs", password: "not the password", clientAddress: "10.1.1.1") == .invalidCredentials)
        #expect(try service.login(username: "nobody", password: "not the password", clientAddress: "10.1.1.1") == .invalidCredentials)
        let actions = try service.audit.recent().map(\.action)
        #expect(actions.filter { $0 == .loginFailed }.count == 2)
    }

    @Test("five wrong passwords lock the account; the right password is refused until the wait is over", arguments: DatabaseKind.available)
    func throttling(kind: DatabaseKind) throws {
        let clock = ManualClock()
        let (_, service) = try makeService(kind, clock: clock)
        _ = try addUser(service)
        for _ in 1...5 {
            #expect(try service.login(username: "jo.bloggs", password: "guess guess guess", clientAddress: "10.9.9.9") == .invalidCredentials)
        }
        let locked = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "10.1.1.1")
        guard case .throttled(let until) = locked else { Issue.record("expected throttled, got \(locked)"); return }
        #expect(until == clock.now.addingTimeInterval(30))
        #expect(try service.audit.recent(limit: 1).first?.action == .loginThrottled)
        clock.advance(by: 31)
        guard case .success = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "10.1.1.1") else {
            Issue.record("expected success after the wait"); return
        }
        // A success clears the count: one more mistake does not lock again.
        #expect(try service.login(username: "jo.bloggs", password: "guess guess guess", clientAddress: "10.1.1.1") == .invalidCredentials)
        guard case .success = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "10.1.1.1") else {
            Issue.record("expected success"); return
        }
    }

    @Test("a session ends after 30 idle minutes, and after 10 hours however busy", arguments: DatabaseKind.available)
    func sessionExpiry(kind: DatabaseKind) throws {
        let clock = ManualClock()
        let (_, service) = try makeService(kind, clock: clock)
        _ = try addUser(service)
        guard case .success(let idleToken, _) = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "a") else { return }
        clock.advance(by: 29 * 60)
        guard case .active = try service.sessions.lookup(token: idleToken) else { Issue.record("should still be active"); return }
        clock.advance(by: 30 * 60)
        guard case .expired(_, .idleExpired) = try service.sessions.lookup(token: idleToken) else { Issue.record("should be idle-expired"); return }
        #expect(try service.sessions.lookup(token: idleToken) == .none)

        guard case .success(let busyToken, _) = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "a") else { return }
        for _ in 0..<40 {
            clock.advance(by: 15 * 60)
            if case .expired(_, let state) = try service.sessions.lookup(token: busyToken) {
                #expect(state == .absoluteExpired)
                #expect(clock.now.timeIntervalSince(Date(timeIntervalSince1970: 1_800_000_000)) >= 10 * 3600)
                return
            }
        }
        Issue.record("a busy session never hit the absolute timeout")
    }

    @Test("creating a user checks every field at once", arguments: DatabaseKind.available)
    func createValidation(kind: DatabaseKind) throws {
        let (_, service) = try makeService(kind)
        #expect(throws: DomainError.self) {
            try service.createUser(.init(username: "X", displayName: "", email: "nope", role: nil, agencyCode: "nowhere",
                                         password: "password"), by: Self.admin)
        }
        do {
            try service.createUser(.init(username: "X", displayName: "", email: "nope", role: nil, agencyCode: "nowhere",
                                         password: "password"), by: Self.admin)
        } catch let failure as DomainError {
            #expect(Set(failure.problems.map(\.field)) == ["username", "display_name", "email", "role", "agency", "password"])
        }
        _ = try addUser(service)
        do {
            _ = try addUser(service)
            Issue.record("duplicate accepted")
        } catch let failure as DomainError {
            #expect(failure.problems.map(\.message) == ["That username is already in use"])
        }
    }

    @Test("disabling a user ends their sessions and stops sign-in; enabling restores it", arguments: DatabaseKind.available)
    func disable(kind: DatabaseKind) throws {
        let (_, service) = try makeService(kind)
        let user = try addUser(service)
        guard case .success(let token, _) = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "a") else { return }
        try service.setActive(userID: user.id, active: false, by: Self.admin)
        #expect(try service.sessions.lookup(token: token) == .none)
        #expect(try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "a") == .invalidCredentials)
        try service.setActive(userID: user.id, active: true, by: Self.admin)
        guard case .success = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "a") else {
            Issue.record("re-enabled user cannot sign in"); return
        }
    }

    @Test("a reset password must be changed at next sign-in and ends existing sessions", arguments: DatabaseKind.available)
    func reset(kind: DatabaseKind) throws {
        let (_, service) = try makeService(kind)
        let user = try addUser(service)
        guard case .success(let token, _) = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "a") else { return }
        try service.resetPassword(userID: user.id, newPassword: "lantern pebble river 7", by: Self.admin)
        #expect(try service.sessions.lookup(token: token) == .none)
        guard case .success(let newToken, let signedIn) = try service.login(username: "jo.bloggs", password: "lantern pebble river 7", clientAddress: "a") else {
            Issue.record("new password refused"); return
        }
        #expect(signedIn.mustChangePassword)
        guard case .active(let session) = try service.sessions.lookup(token: newToken) else { return }
        #expect(throws: DomainError.self) {
            try service.changePassword(session: session, current: "wrong", new: "copper violet anchor 9",
                                       confirmation: "copper violet anchor 9", clientAddress: "a")
        }
        try service.changePassword(session: session, current: "lantern pebble river 7", new: "copper violet anchor 9",
                                   confirmation: "copper violet anchor 9", clientAddress: "a")
        #expect(try service.accounts.user(id: user.id)?.mustChangePassword == false)
    }
}

@Suite("Audit trail")
struct AuditTrailTests {
    @Test("entries chain and verify; an edited row is caught at its sequence number", arguments: DatabaseKind.available)
    func tamper(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let trail = StoreContext(database: test.database).audit
        let actor = Actor(userID: 1, username: "jo", clientAddress: "127.0.0.1")
        for index in 1...6 {
            try trail.record(actor: actor, action: .view, subjectType: "case", subjectID: String(index))
        }
        #expect(try trail.verify() == .intact(entries: 6))
        #expect(try trail.verify(pageSize: 4) == .intact(entries: 6))

        // The database itself refuses edits…
        #expect(throws: DatabaseError.self) {
            try test.database.write { try $0.execute("UPDATE audit_log SET detail = 'x' WHERE sequence = 4") }
        }
        #expect(throws: DatabaseError.self) {
            try test.database.write { try $0.execute("DELETE FROM audit_log WHERE sequence = 6") }
        }
        // …and someone who removes that protection is still caught by verify.
        try test.database.write { connection in
            switch kind {
            case .sqlite: try connection.execute("DROP TRIGGER audit_log_no_update")
            case .postgres: try connection.execute("DROP TRIGGER audit_log_no_change ON audit_log")
            }
            try connection.execute("UPDATE audit_log SET subject_id = '99' WHERE sequence = 4")
        }
        #expect(try trail.verify() == .broken(sequence: 4, reason: "contents do not match the stored hash"))
    }

    @Test("removing the newest entries is caught through the chain head", arguments: DatabaseKind.available)
    func truncation(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let trail = StoreContext(database: test.database).audit
        for index in 1...3 {
            try trail.record(actor: .commandLine, action: .create, subjectType: "user", subjectID: String(index))
        }
        try test.database.write { connection in
            switch kind {
            case .sqlite: try connection.execute("DROP TRIGGER audit_log_no_delete")
            case .postgres: try connection.execute("DROP TRIGGER audit_log_no_change ON audit_log")
            }
            try connection.execute("DELETE FROM audit_log WHERE sequence = 3")
        }
        guard case .broken(let sequence, _) = try trail.verify() else { Issue.record("truncation not detected"); return }
        #expect(sequence == 3)
    }

    @Test("concurrent appends from many threads keep one unbroken chain", arguments: DatabaseKind.available)
    func concurrentAppends(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let trail = StoreContext(database: test.database).audit
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<10 {
                try? trail.record(actor: .commandLine, action: .view, subjectType: "case", subjectID: "\(worker)-\(index)")
            }
        }
        #expect(try trail.count() == 80)
        #expect(try trail.verify() == .intact(entries: 80))
    }
}
