import Foundation
import Testing
@testable import Domain

@Suite("Password policy")
struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    @Test("a long uncommon passphrase is accepted")
    func acceptsPassphrase() {
        #expect(policy.problems(password: "kettle orbit meadow 42", username: "jo.bloggs").isEmpty)
    }

    @Test("too short is refused with the minimum length named")
    func refusesShort() {
        let problems = policy.problems(password: "Tr0ub4dor!", username: "jo")
        #expect(problems.map(\.message) == ["Password must be 12 characters or more"])
    }

    @Test("common passwords are refused even with digits and symbols added", arguments: [
        "password123456", "Password123456!", "qwertyuiop123", "welcome2026!!!", "aaaaaaaaaaaaaa", "abababababab",
    ])
    func refusesCommon(password: String) {
        #expect(policy.problems(password: password, username: "jo").contains { $0.message.contains("too common") })
    }

    @Test("a password containing the username is refused")
    func refusesUsername() {
        #expect(policy.problems(password: "xx-jo.bloggs-rocks", username: "jo.bloggs")
            .contains { $0.message == "Password must not contain your username" })
    }

    @Test("over the maximum length is refused")
    func refusesHuge() {
        #expect(policy.problems(password: String(repeating: "abcdefgh", count: 20), username: "jo")
            .contains { $0.message == "Password must be 128 characters or fewer" })
    }
}

@Suite("Login throttling")
struct LoginThrottleTests {
    let throttle = LoginThrottle(freeAttempts: 5, window: 900, baseDelay: 30, maximumDelay: 900)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func failures(_ secondsAgo: [Double]) -> [Date] { secondsAgo.map { now.addingTimeInterval(-$0) } }

    @Test("four failures leave the account open")
    func underLimit() {
        #expect(throttle.lockedUntil(failures: failures([1, 2, 3, 4]), now: now) == nil)
    }

    @Test("the fifth failure locks for the base delay from the last failure")
    func atLimit() {
        #expect(throttle.lockedUntil(failures: failures([1, 2, 3, 4, 5]), now: now) == now.addingTimeInterval(29))
    }

    @Test("each further failure doubles the wait, up to the maximum")
    func doubling() {
        #expect(throttle.lockedUntil(failures: failures([0, 2, 3, 4, 5, 6]), now: now) == now.addingTimeInterval(60))
        #expect(throttle.lockedUntil(failures: failures(Array(repeating: 0, count: 30)), now: now)
                == now.addingTimeInterval(900))
    }

    @Test("failures older than the window do not count")
    func window() {
        #expect(throttle.lockedUntil(failures: failures([1, 2, 3, 901, 902, 903]), now: now) == nil)
    }

    @Test("the lock ends once the delay has passed")
    func expires() {
        #expect(throttle.lockedUntil(failures: failures([40, 41, 42, 43, 44]), now: now) == nil)
    }
}

@Suite("Session lifetime")
struct SessionPolicyTests {
    let policy = SessionPolicy(idleTimeout: 1800, absoluteTimeout: 36000, touchInterval: 60)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a session in use stays active")
    func active() {
        #expect(policy.state(createdAt: start, lastSeenAt: start.addingTimeInterval(3000),
                             now: start.addingTimeInterval(3100)) == .active)
    }

    @Test("30 minutes without a request ends the session")
    func idle() {
        #expect(policy.state(createdAt: start, lastSeenAt: start, now: start.addingTimeInterval(1800)) == .idleExpired)
    }

    @Test("10 hours ends the session even while it is in use")
    func absolute() {
        #expect(policy.state(createdAt: start, lastSeenAt: start.addingTimeInterval(35990),
                             now: start.addingTimeInterval(36000)) == .absoluteExpired)
    }

    @Test("last-seen is rewritten at most once a minute")
    func touch() {
        #expect(!policy.needsTouch(lastSeenAt: start, now: start.addingTimeInterval(59)))
        #expect(policy.needsTouch(lastSeenAt: start, now: start.addingTimeInterval(60)))
    }
}

@Suite("Account fields")
struct AccountRulesTests {
    let rules = AccountRules()

    @Test("usernames", arguments: [
        ("jo.bloggs", true), ("a_b-c.9", true), ("", false), ("jo", false), ("Jo.Bloggs", false), ("jo bloggs", false),
        ("jo<script>", false), (String(repeating: "a", count: 65), false),
    ])
    func usernames(username: String, valid: Bool) {
        #expect(rules.usernameProblems(username).isEmpty == valid)
    }

    @Test("email is optional but must look like an address when given")
    func emails() {
        #expect(rules.emailProblems("").isEmpty)
        #expect(rules.emailProblems("jo@agency.gov.uk").isEmpty)
        #expect(!rules.emailProblems("jo@agency").isEmpty)
        #expect(!rules.emailProblems("jo agency.gov.uk").isEmpty)
    }

    @Test("a name is required")
    func names() {
        #expect(rules.displayNameProblems("  ").map(\.field) == ["display_name"])
        #expect(rules.displayNameProblems("Jo Bloggs").isEmpty)
    }
}

@Suite("Roles")
struct RoleTests {
    @Test("only administrators manage users and only auditors read the audit trail")
    func separation() {
        #expect(Role.allCases.filter { $0.can(.manageUsers) } == [.administrator])
        #expect(Set(Role.allCases.filter { $0.can(.submitReferrals) }) == [.coordinator, .referrer])
        #expect(Role.allCases.filter { $0.can(.viewAuditTrail) } == [.auditor])
    }

    @Test("partner-agency representatives see only cases their agency is involved in")
    func needToKnow() {
        #expect(!Role.agencyRepresentative.can(.viewCases))
        #expect(Role.agencyRepresentative.can(.viewInvolvedCases))
    }

    @Test("a role can do exactly what it is granted, each permission on its own")
    func grants() {
        for role in Role.allCases {
            for permission in Permission.allCases {
                #expect(role.can(permission) == role.permissions.contains(permission), "\(role) \(permission)")
            }
        }
        #expect(Permission.allCases.count <= 63)
    }

    @Test("every role can reach the home page")
    func dashboard() {
        #expect(Role.allCases.allSatisfy { $0.can(.viewDashboard) })
    }

    @Test("the statutory agency list has the Responsible Authority and unique codes")
    func agencies() {
        let codes = AgencySeed.statutory.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(Set(AgencySeed.statutory.filter { $0.kind == .responsibleAuthority }.map(\.code))
            .isSuperset(of: ["police", "probation", "prison"]))
    }
}
