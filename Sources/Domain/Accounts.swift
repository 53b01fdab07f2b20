import Foundation

/// A rule failure worth showing a person: which field and what to do about it. Never holds personal data.
public struct ValidationProblem: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// Password rules (NCSC guidance: length over complexity, refuse known-breached and common passwords).
public struct PasswordPolicy: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int
    public var denyList: Set<String>

    public init(minimumLength: Int = 12, maximumLength: Int = 128, denyList: Set<String> = CommonPasswords.list) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.denyList = denyList
    }

    /// Every problem with a proposed password; empty when it is acceptable.
    public func problems(password: String, username: String, field: String = "password") -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        let length = password.count
        if length < minimumLength {
            problems.append(ValidationProblem(field: field,
                message: "Password must be \(minimumLength) characters or more"))
        }
        if length > maximumLength {
            problems.append(ValidationProblem(field: field,
                message: "Password must be \(maximumLength) characters or fewer"))
        }
        let lowered = password.lowercased()
        let stripped = String(lowered.reversed().drop { $0.isNumber || $0.isPunctuation || $0.isSymbol }.reversed())
        if denyList.contains(lowered) || denyList.contains(stripped) || Self.isRepetitive(lowered) {
            problems.append(ValidationProblem(field: field,
                message: "Password is too common: choose a password that is harder to guess"))
        }
        if !username.isEmpty, lowered.contains(username.lowercased()) {
            problems.append(ValidationProblem(field: field, message: "Password must not contain your username"))
        }
        return problems
    }

    /// "aaaaaaaaaaaa", "abcabcabcabc", "123412341234": few distinct characters.
    static func isRepetitive(_ password: String) -> Bool {
        Set(password).count <= 3
    }
}

/// Throttles password guessing per account and per client address. After `freeAttempts` failures inside the
/// window, each further attempt must wait, doubling from `baseDelay` up to `maximumDelay`.
public struct LoginThrottle: Sendable {
    public var freeAttempts: Int
    public var window: TimeInterval
    public var baseDelay: TimeInterval
    public var maximumDelay: TimeInterval

    public init(freeAttempts: Int = 5, window: TimeInterval = 15 * 60, baseDelay: TimeInterval = 30,
                maximumDelay: TimeInterval = 15 * 60) {
        self.freeAttempts = freeAttempts
        self.window = window
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// When the next attempt may be made, or nil when it may be made now. `failures` are the times of recent
    /// failed attempts (any order).
    public func lockedUntil(failures: [Date], now: Date) -> Date? {
        let recent = failures.filter { now.timeIntervalSince($0) < window }.sorted()
        guard recent.count >= freeAttempts, let last = recent.last else { return nil }
        let excess = recent.count - freeAttempts
        let delay = min(maximumDelay, baseDelay * pow(2, Double(min(excess, 20))))
        let until = last.addingTimeInterval(delay)
        return until > now ? until : nil
    }
}

/// Session lifetime: ended after `idleTimeout` without a request, and after `absoluteTimeout` whatever happens.
public struct SessionPolicy: Sendable {
    public var idleTimeout: TimeInterval
    public var absoluteTimeout: TimeInterval
    /// How stale `lastSeen` may get before it is written again (saves a write per request).
    public var touchInterval: TimeInterval

    public init(idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 10 * 60 * 60,
                touchInterval: TimeInterval = 60) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.touchInterval = touchInterval
    }

    public enum State: Sendable, Equatable {
        case active
        case idleExpired
        case absoluteExpired
    }

    public func state(createdAt: Date, lastSeenAt: Date, now: Date) -> State {
        if now.timeIntervalSince(createdAt) >= absoluteTimeout { return .absoluteExpired }
        if now.timeIntervalSince(lastSeenAt) >= idleTimeout { return .idleExpired }
        return .active
    }

    public func needsTouch(lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) >= touchInterval
    }
}

/// Rules for a new or edited user account.
public struct AccountRules: Sendable {
    public init() {}

    /// Usernames are short, lowercase and safe to show in logs: letters, digits, dot, hyphen, underscore.
    public func usernameProblems(_ username: String) -> [ValidationProblem] {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-")
        if username.isEmpty {
            return [ValidationProblem(field: "username", message: "Enter a username")]
        }
        if username.count < 3 || username.count > 64 {
            return [ValidationProblem(field: "username", message: "Username must be between 3 and 64 characters")]
        }
        if username.unicodeScalars.contains(where: { !allowed.contains($0) }) {
            return [ValidationProblem(field: "username",
                message: "Username can only contain lowercase letters, numbers, dots, hyphens and underscores")]
        }
        return []
    }

    public func displayNameProblems(_ name: String) -> [ValidationProblem] {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [ValidationProblem(field: "display_name", message: "Enter the person's full name")] }
        if trimmed.count > 120 {
            return [ValidationProblem(field: "display_name", message: "Name must be 120 characters or fewer")]
        }
        return []
    }

    public func emailProblems(_ email: String) -> [ValidationProblem] {
        let trimmed = email.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || trimmed.contains(" ") {
            return [ValidationProblem(field: "email",
                message: "Enter an email address in the correct format, like name@agency.gov.uk")]
        }
        return []
    }
}
