import Foundation
import Testing
@testable import Domain

@Suite("Password policy")
struct PasswordPolicyTests {
    let policy = PasswordPolicy()
    let jo = PasswordContext(username: "jo.bloggs", displayName: "Jo Bloggs", email: "j.bloggs@probation.example",
                             agencyName: "Probation Service", agencyCode: "probation")

    /// A dictionary that knows a few words and says what it was asked, to test the policy without cracklib.
    final class FakeDictionary: PasswordDictionary, @unchecked Sendable {
        let words: Set<String>
        let available: Bool
        var asked: [String] = []
        var usernames: [String] = []
        init(_ words: Set<String> = ["dragonfly", "sunflower", "password"], available: Bool = true) {
            self.words = words
            self.available = available
        }
        func finding(password: String, username: String) -> PasswordFinding? {
            asked.append(password)
            usernames.append(username)
            guard available else { return .unavailable }
            return words.contains(password.lowercased()) ? .dictionaryWord : nil
        }
        func finding(fragment: String) -> PasswordFinding? {
            asked.append(fragment)
            guard available else { return .unavailable }
            return words.contains(fragment) ? .dictionaryWord : nil
        }
    }

    @Test("a long uncommon passphrase is accepted")
    func acceptsPassphrase() {
        #expect(policy.problems(password: "kettle orbit meadow 42", context: jo).isEmpty)
        #expect(PasswordPolicy(dictionary: FakeDictionary()).problems(password: "kettle orbit meadow 42", context: jo).isEmpty)
    }

    @Test("too short is refused with the minimum length named, and not sent to the dictionary")
    func refusesShort() {
        let dictionary = FakeDictionary()
        let problems = PasswordPolicy(dictionary: dictionary).problems(password: "Tr0ub4dor!", context: jo)
        #expect(problems.map(\.message) == ["Password must be 12 characters or more"])
        #expect(dictionary.asked.isEmpty)
    }

    @Test("common passwords are refused even with digits, symbols or swapped letters", arguments: [
        "password123456", "Password123456!", "qwertyuiop123", "welcome2026!!!", "P4ssw0rd2026!!", "2026!!welcome99",
    ])
    func refusesCommon(password: String) {
        #expect(policy.problems(password: password, context: jo).map(\.message).contains(PasswordPolicy.Message.common))
    }

    @Test("repeated characters are refused as easy to guess", arguments: ["aaaaaaaaaaaaaa", "abababababab"])
    func refusesRepetitive(password: String) {
        #expect(policy.problems(password: password, context: jo).map(\.message).contains(PasswordPolicy.Message.predictable))
    }

    @Test("a dictionary word is refused with the field named, including with digits added or letters swapped", arguments: [
        "dragonfly", "Dragonfly2026", "dr4g0nfly!!2026", "2026-sunflower-99",
    ])
    func refusesDictionaryWords(password: String) {
        let problems = PasswordPolicy(minimumLength: 9, dictionary: FakeDictionary()).problems(
            password: password, context: jo, field: "new_password")
        #expect(problems == [ValidationProblem(field: "new_password", message: PasswordPolicy.Message.common)])
    }

    @Test("the username goes to the dictionary as the user")
    func passesUsername() {
        let dictionary = FakeDictionary()
        _ = PasswordPolicy(dictionary: dictionary).problems(password: "kettle orbit meadow 42", context: jo)
        #expect(dictionary.usernames == ["jo.bloggs"])
    }

    @Test("the person's own username, names and email are refused, disguised or not", arguments: [
        "xx-jo.bloggs-rocks", "Bloggs2026!!kettle", "BL0GGS-kettle-orbit", "kettle JoBloggs 42", "jbloggs-kettle-42",
    ])
    func refusesPersonalWords(password: String) {
        #expect(policy.problems(password: password, context: jo).map(\.message) == [PasswordPolicy.Message.personal])
    }

    @Test("the service's and the agency's names are refused", arguments: [
        "Mappa2026kettle!", "m4pp4-kettle-orbit", "MAPPA Coordinator 1", "ProbationService-77", "kettle-probation-42",
    ])
    func refusesOrganisationalWords(password: String) {
        #expect(policy.problems(password: password, context: jo).map(\.message).contains(PasswordPolicy.Message.organisational))
    }

    @Test("a short name part does not refuse unrelated passwords")
    func shortNamePartsAllowed() {
        let li = PasswordContext(username: "li.wu", displayName: "Li Wu")
        #expect(policy.problems(password: "kettle oblique meadow 42", context: li).isEmpty)
        #expect(!policy.problems(password: "kettle liwu meadow 42", context: li).isEmpty)
    }

    @Test("a dictionary that cannot be read refuses the password instead of accepting it unchecked")
    func unavailableFailsClosed() {
        let problems = PasswordPolicy(dictionary: FakeDictionary(available: false))
            .problems(password: "kettle orbit meadow 42", context: jo)
        #expect(problems.map(\.message) == [PasswordPolicy.Message.unavailable])
    }

    @Test("no message repeats the password")
    func messagesAreSafe() {
        let password = "xx-jo.bloggs-dragonfly-mappa"
        let problems = PasswordPolicy(dictionary: FakeDictionary()).problems(password: password, context: jo)
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { !$0.message.lowercased().contains("dragonfly") && !$0.message.contains("bloggs") })
    }

    @Test("over the maximum length is refused")
    func refusesHuge() {
        #expect(policy.problems(password: String(repeating: "abcdefgh", count: 20), context: jo)
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
