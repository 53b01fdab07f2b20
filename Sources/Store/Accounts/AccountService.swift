import Crypto
import Database
import Domain
import Foundation
import Synchronization

/// Accounts as people use them: sign in (with throttling and auditing), create users, reset and change
/// passwords, disable and enable. Every change is audited in the same transaction as the change.
public final class AccountService: FeatureStore {
    public let accounts: AccountStore
    public let sessions: SessionStore
    let agencies: AgencyStore
    let context: StoreContext
    public var audit: AuditTrail { context.audit }
    public let passwordPolicy: PasswordPolicy
    /// Per account: slows guessing at one user's password.
    public let accountThrottle: LoginThrottle
    /// Per client address: a high, short ceiling on one machine trying many usernames. Behind a proxy (or an office
    /// NAT) everyone shares one address, so it must never lock every account out for long: 300 failures a minute,
    /// then at most a minute's wait. Guessing at one account is held back by `accountThrottle`.
    public let addressThrottle: LoginThrottle
    /// How many passwords have been checked against a stored hash (argon2id) since start: the costly step the
    /// throttle bounds, counted so tests and the hostile-traffic figures can state it without timing anything.
    public let passwordChecks = Atomic<Int>(0)

    init(_ context: StoreContext, accounts: AccountStore, sessions: SessionStore, agencies: AgencyStore, passwordPolicy: PasswordPolicy = PasswordPolicy(dictionary: CracklibDictionary()),
         accountThrottle: LoginThrottle = LoginThrottle(), addressThrottle: LoginThrottle = LoginThrottle(freeAttempts: 300, window: 60, baseDelay: 10,
                                                                                                              maximumDelay: 60)) {
        self.context = context
        self.accounts = accounts
        self.sessions = sessions
        self.agencies = agencies
        self.passwordPolicy = passwordPolicy
        self.accountThrottle = accountThrottle
        self.addressThrottle = addressThrottle
    }

    // MARK: signing in

    public enum LoginOutcome: Sendable, Equatable {
        case success(token: String, user: User)
        /// Wrong username or password: one message for both, so usernames cannot be discovered.
        case invalidCredentials
        /// Too many recent failures; try again after this time.
        case throttled(until: Date)
    }

    /// Signs in. `previousSessionToken` is the session cookie the browser already held, if any: a new sign-in ends
    /// that session on the server, so signing in as someone else in the same browser leaves no session behind.
    public func login(username rawUsername: String, password: String, clientAddress: String,
                      previousSessionToken: String? = nil) throws -> LoginOutcome {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        let now = clock.now()
        let since = now.addingTimeInterval(-max(accountThrottle.window, addressThrottle.window))
        let actor = Actor(userID: nil, username: String(username.prefix(64)), clientAddress: clientAddress)
        // One step: lock the account's throttle row, decide, and record this attempt as a failure before hashing.
        let lockedUntil = try database.write { connection -> Date? in
            try accounts.lockThrottle(connection, username: username)
            let failures = try accounts.recentFailures(connection, username: username, clientAddress: clientAddress, since: since)
            let lockedUntil = [accountThrottle.lockedUntil(failures: failures.user, now: now),
                               addressThrottle.lockedUntil(failures: failures.address, now: now)].compactMap { $0 }.max()
            if let lockedUntil {
                try audit.append(connection, actor: actor, action: .loginThrottled, subjectType: "account", subjectID: actor.username)
                return lockedUntil
            }
            try accounts.reserveLoginAttempt(connection, username: username, clientAddress: clientAddress)
            return nil
        }
        if let lockedUntil { return .throttled(until: lockedUntil) }
        let user = try accounts.user(username: username)
        // Verify against a real hash even for unknown users so timing does not reveal which usernames exist.
        let storedHash = try user.flatMap { try accounts.passwordHash(userID: $0.id) } ?? Self.decoyHash
        let passwordMatches = checkPassword(password, hash: storedHash)
        guard let user, user.active, passwordMatches else {
            // The attempt is already recorded as a failure (reserved above); only the audit entry remains.
            try database.write { connection in
                let reason = user == nil ? "unknown username" : (user!.active ? "wrong password" : "account disabled")
                try audit.append(connection, actor: Actor(userID: user?.id, username: actor.username,
                                                          clientAddress: clientAddress),
                                 action: .loginFailed, subjectType: "account", subjectID: actor.username, detail: reason)
            }
            return .invalidCredentials
        }
        let token = try database.write { connection in
            if let previousSessionToken {
                try sessions.delete(connection, tokenHash: SessionStore.hash(previousSessionToken))
            }
            try accounts.clearLoginFailures(connection, username: username)
            try accounts.updateLastLogin(connection, userID: user.id)
            try audit.append(connection, actor: Actor(userID: user.id, username: user.username, clientAddress: clientAddress),
                             action: .loginSucceeded, subjectType: "account", subjectID: user.username)
            return try sessions.create(connection, userID: user.id, clientAddress: clientAddress)
        }
        return .success(token: token, user: user)
    }

    /// Every password check goes through here, so `passwordChecks` counts them all.
    func checkPassword(_ password: String, hash: String) -> Bool {
        passwordChecks.add(1, ordering: .relaxed)
        return Crypto.verifyPassword(password, hash: hash)
    }

    /// An argon2id hash of a random password, made once, to spend the same time on unknown usernames.
    static let decoyHash: String = (try? Crypto.hashPassword(Crypto.randomToken())) ?? ""

    public func logout(session: Session, clientAddress: String) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM sessions WHERE token_hash = ?", [.text(session.tokenHash)])
            try audit.append(connection, actor: Actor(userID: session.user.id, username: session.user.username,
                                                      clientAddress: clientAddress),
                             action: .logout, subjectType: "account", subjectID: session.user.username)
        }
    }

    // MARK: managing users

    public struct NewUser: Sendable {
        public var username: String
        public var displayName: String
        public var email: String
        public var role: Role?
        public var agencyCode: String
        public var password: String
        public var mustChangePassword: Bool
        public init(username: String, displayName: String, email: String = "", role: Role?, agencyCode: String,
                    password: String, mustChangePassword: Bool = true) {
            self.username = username
            self.displayName = displayName
            self.email = email
            self.role = role
            self.agencyCode = agencyCode
            self.password = password
            self.mustChangePassword = mustChangePassword
        }
    }

    /// Creates a user after checking every field; throws `DomainError.validation` listing all problems at once.
    @discardableResult
    public func createUser(_ new: NewUser, by actor: Actor) throws -> User {
        let username = new.username.trimmingCharacters(in: .whitespaces)
        let rules = AccountRules()
        var problems = rules.usernameProblems(username) + rules.displayNameProblems(new.displayName)
            + rules.emailProblems(new.email)
        if new.role == nil { problems.append(ValidationProblem(field: "role", message: "Select a role")) }
        let agency = new.agencyCode.isEmpty ? nil : try agencies.agency(code: new.agencyCode)
        if agency == nil { problems.append(ValidationProblem(field: "agency", message: "Select the person's agency")) }
        problems += passwordPolicy.problems(password: new.password, context: PasswordContext(
            username: username, displayName: new.displayName, email: new.email, agencyName: agency?.name ?? "",
            agencyCode: agency?.code ?? ""))
        if problems.isEmpty, try accounts.user(username: username) != nil {
            problems.append(ValidationProblem(field: "username", message: "That username is already in use"))
        }
        guard problems.isEmpty, let role = new.role, let agency else { throw DomainError.validation(problems) }
        let hash = try Crypto.hashPassword(new.password)
        let id = try database.write { connection in
            let id = try accounts.insertUser(connection, username: username,
                                             displayName: new.displayName.trimmingCharacters(in: .whitespaces),
                                             email: new.email.trimmingCharacters(in: .whitespaces), role: role,
                                             agencyID: agency.id, passwordHash: hash,
                                             mustChangePassword: new.mustChangePassword)
            try audit.append(connection, actor: actor, action: .create, subjectType: "user", subjectID: String(id),
                             detail: "role \(role.rawValue), agency \(agency.code)")
            return id
        }
        guard let user = try accounts.user(id: id) else { throw DomainError.notFound("The new user") }
        return user
    }

    /// Sets a new password chosen by an administrator; the user must change it at next sign-in, every session they
    /// have is ended and every API token they hold is revoked (whoever knew the old password may have made one).
    public func resetPassword(userID: Int64, newPassword: String, mustChange: Bool = true, by actor: Actor) throws {
        guard let user = try accounts.user(id: userID) else { throw DomainError.notFound("The user") }
        let problems = passwordPolicy.problems(password: newPassword, context: try passwordContext(user),
                                               field: "new_password")
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let hash = try Crypto.hashPassword(newPassword)
        try database.write { connection in
            try accounts.updatePassword(connection, userID: userID, hash: hash, mustChange: mustChange)
            try sessions.deleteAll(connection, userID: userID)
            let revoked = try revokeApiTokens(connection, userID: userID)
            try accounts.clearLoginFailures(connection, username: user.username)
            try audit.append(connection, actor: actor, action: .passwordChanged, subjectType: "user",
                             subjectID: String(userID),
                             detail: "reset by administrator; sessions ended, \(revoked) API token\(revoked == 1 ? "" : "s") revoked")
        }
    }

    /// The user changes their own password: the current one must be right. Every other session is ended, every
    /// API token revoked, and the session making the change is renewed (a new token, so a copy of the old cookie is
    /// worth nothing); returns the new session token for the cookie.
    @discardableResult
    public func changePassword(session: Session, current: String, new: String, confirmation: String,
                               clientAddress: String) throws -> String {
        var problems: [ValidationProblem] = []
        let stored = try accounts.passwordHash(userID: session.user.id) ?? ""
        if !checkPassword(current, hash: stored) {
            problems.append(ValidationProblem(field: "current_password", message: "Your current password is wrong"))
        }
        problems += passwordPolicy.problems(password: new, context: try passwordContext(session.user), field: "new_password")
        if new != confirmation {
            problems.append(ValidationProblem(field: "confirm_password", message: "The passwords do not match"))
        }
        if new == current, !new.isEmpty {
            problems.append(ValidationProblem(field: "new_password", message: "Choose a password you have not used here before"))
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let hash = try Crypto.hashPassword(new)
        return try database.write { connection in
            try accounts.updatePassword(connection, userID: session.user.id, hash: hash, mustChange: false)
            try sessions.deleteAll(connection, userID: session.user.id)
            let revoked = try revokeApiTokens(connection, userID: session.user.id)
            try audit.append(connection, actor: Actor(userID: session.user.id, username: session.user.username,
                                                      clientAddress: clientAddress),
                             action: .passwordChanged, subjectType: "user", subjectID: String(session.user.id),
                             detail: "changed by the user; other sessions ended, \(revoked) API token\(revoked == 1 ? "" : "s") revoked")
            return try sessions.create(connection, userID: session.user.id, clientAddress: clientAddress)
        }
    }

    /// A random password (80 bits, hex) that the policy accepts for this person: for `mappa user add` without a
    /// password, and the demo sign-ins. A draw the dictionary happens to refuse is drawn again.
    public func temporaryPassword(for context: PasswordContext) -> String {
        var password = Crypto.randomToken(byteCount: 10), draws = 1
        while draws < 20, !passwordPolicy.problems(password: password, context: context).isEmpty {
            password = Crypto.randomToken(byteCount: 10)
            draws += 1
        }
        return password
    }

    /// The words a password for this user must not contain: their names, email and agency.
    func passwordContext(_ user: User) throws -> PasswordContext {
        PasswordContext(user, agencyCode: try agencies.agency(id: user.agencyID)?.code ?? "")
    }

    /// Revokes every usable API token of the user inside the caller's transaction; returns how many.
    func revokeApiTokens(_ connection: Connection, userID: Int64) throws -> Int {
        try connection.execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                               [.text(context.now), .integer(userID)])
    }

    public struct DetailsChange: Sendable {
        public var displayName: String
        public var email: String
        public var role: Role?
        public var agencyCode: String
        /// May manage the access list of every restricted case (`User.managesRestrictedCases`); coordinators only.
        public var managesRestrictedCases: Bool
        /// The `version` the administrator's form was built from.
        public var expectedVersion: Int64
        public init(displayName: String, email: String, role: Role?, agencyCode: String, managesRestrictedCases: Bool = false,
                    expectedVersion: Int64) {
            self.displayName = displayName
            self.email = email
            self.role = role
            self.agencyCode = agencyCode
            self.managesRestrictedCases = managesRestrictedCases
            self.expectedVersion = expectedVersion
        }
    }

    /// Changes a user's name, email, role and agency. Throws `DomainError.validation` for bad fields and
    /// `DomainError.editConflict` when someone else changed the user since the form was loaded (across app
    /// instances too, as the check is in the UPDATE itself). A role change ends the user's sessions so the new
    /// permissions apply at once.
    @discardableResult
    public func updateDetails(userID: Int64, _ change: DetailsChange, by actor: Actor) throws -> User {
        guard let existing = try accounts.user(id: userID) else { throw DomainError.notFound("The user") }
        let rules = AccountRules()
        var problems = rules.displayNameProblems(change.displayName) + rules.emailProblems(change.email)
        if change.role == nil { problems.append(ValidationProblem(field: "role", message: "Select a role")) }
        let agency = change.agencyCode.isEmpty ? nil : try agencies.agency(code: change.agencyCode)
        if agency == nil { problems.append(ValidationProblem(field: "agency", message: "Select the person's agency")) }
        if change.role != nil, change.role != .administrator, actor.userID == userID {
            problems.append(ValidationProblem(field: "role", message: "You cannot remove your own administrator role"))
        }
        if change.managesRestrictedCases, let role = change.role, !role.can(.editCases) {
            problems.append(ValidationProblem(field: "manages_restricted_cases",
                                              message: "Only a MAPPA coordinator can manage restricted cases: choose that role, or leave this unticked"))
        }
        guard problems.isEmpty, let role = change.role, let agency else { throw DomainError.validation(problems) }
        try database.write { connection in
            guard try accounts.updateDetails(connection, userID: userID, expectedVersion: change.expectedVersion,
                                             displayName: change.displayName.trimmingCharacters(in: .whitespaces),
                                             email: change.email.trimmingCharacters(in: .whitespaces),
                                             role: role, agencyID: agency.id,
                                             managesRestrictedCases: change.managesRestrictedCases) else {
                throw DomainError.editConflict
            }
            if role != existing.role || agency.id != existing.agencyID { try sessions.deleteAll(connection, userID: userID) }
            var changed: [String] = []
            if role != existing.role { changed.append("role \(existing.role.rawValue) to \(role.rawValue)") }
            if agency.id != existing.agencyID { changed.append("agency changed to \(agency.code)") }
            if change.displayName != existing.displayName { changed.append("name changed") }
            if change.email != existing.email { changed.append("email changed") }
            if change.managesRestrictedCases != existing.managesRestrictedCases {
                changed.append(change.managesRestrictedCases ? "may manage restricted cases" : "no longer manages restricted cases")
            }
            try audit.append(connection, actor: actor, action: .update, subjectType: "user", subjectID: String(userID),
                             detail: changed.isEmpty ? "no change" : changed.joined(separator: "; "))
        }
        guard let user = try accounts.user(id: userID) else { throw DomainError.notFound("The user") }
        return user
    }

    /// Disabling ends every session of the user at once.
    public func setActive(userID: Int64, active: Bool, by actor: Actor) throws {
        guard try accounts.user(id: userID) != nil else { throw DomainError.notFound("The user") }
        if !active, actor.userID == userID {
            throw DomainError.validation(field: "user", "You cannot disable your own account")
        }
        try database.write { connection in
            try accounts.updateActive(connection, userID: userID, active: active)
            if !active { try sessions.deleteAll(connection, userID: userID) }
            try audit.append(connection, actor: actor, action: active ? .userEnabled : .userDisabled,
                             subjectType: "user", subjectID: String(userID))
        }
    }
}
