import Database
import Dispatch
import Domain
import Foundation
import Store
import Synchronization
import Testing
import TestSupport

/// The wrong-password throttle under parallel guessing and behind a shared proxy address (issue 24, item 3),
/// against a real database (SQLite, and PostgreSQL when available). The clock stands still, so every attempt
/// falls inside one throttle window; password checks are counted by `AccountService.passwordChecks`, not timed.
@Suite("Sign-in throttle under parallel and shared-address guessing")
struct LoginThrottleRaceTests {
    static let admin = Actor(userID: nil, username: "(test)", clientAddress: "127.0.0.1")

    func makeService(_ kind: DatabaseKind) throws -> (TestDatabase, AccountService) {
        let test = try TestDatabase(kind)
        let service = Stores(database: test.database, clock: ManualClock().clock).accounts
        try service.createUser(.init(username: "jo.bloggs", displayName: "Jo Bloggs", role: .coordinator, agencyCode: "police",
                                     password: "kettle orbit meadow 42", mustChangePassword: false), by: Self.admin)
        return (test, service)
    }

    /// Runs `body` on `count` threads that all start together, and returns what each gave.
    func inParallel<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = Mutex<[T]>([])
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                start.wait()
                let result = body(index)
                results.withLock { $0.append(result) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<count { start.signal() }
        group.wait()
        return results.withLock { $0 }
    }

    @Test("40 and 100 parallel wrong passwords for one account run at most five password checks",
          arguments: DatabaseKind.available)
    func parallelWrongPasswords(kind: DatabaseKind) throws {
        for attempts in [40, 100] {
            let (test, service) = try makeService(kind)
            _ = test
            let before = service.passwordChecks.load(ordering: .acquiring)
            let outcomes = inParallel(attempts) { index in
                Result { try service.login(username: "jo.bloggs", password: "guess number \(index)", clientAddress: "10.9.9.9") }
            }
            let checks = service.passwordChecks.load(ordering: .acquiring) - before
            print("parallel wrong passwords (\(kind)): \(attempts) attempts ran \(checks) password checks against a limit of 5")
            #expect(checks <= service.accountThrottle.freeAttempts)
            let answers = try outcomes.map { try $0.get() }
            #expect(answers.filter { $0 == .invalidCredentials }.count == checks)
            #expect(answers.filter { if case .throttled = $0 { true } else { false } }.count == attempts - checks)
            // Every check that ran was recorded as a failure, so the account stays throttled afterwards.
            guard case .throttled = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42",
                                                      clientAddress: "10.9.9.9") else {
                Issue.record("the account should still be throttled"); return
            }
        }
    }

    @Test("100 wrong sign-ins for various accounts from one address do not stop another user signing in from it",
          arguments: DatabaseKind.available)
    func sharedProxyAddress(kind: DatabaseKind) throws {
        let (test, service) = try makeService(kind)
        _ = test
        for index in 0..<100 {
            let outcome = try service.login(username: "someone.\(index % 20)", password: "guess number \(index)",
                                            clientAddress: "10.0.0.1")
            #expect(outcome == .invalidCredentials)
        }
        let outcome = try service.login(username: "jo.bloggs", password: "kettle orbit meadow 42", clientAddress: "10.0.0.1")
        guard case .success(_, let user) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(user.username == "jo.bloggs")
    }
}
