import Database
import Domain
import Foundation

/// How often and how long to retry. Exponential back-off: after attempt n the next one waits
/// `baseDelay × 2^(n−1)`, capped at `maxDelay` (1, 2, 4 … 32 minutes, then hourly by default).
public struct OutboxPolicy: Sendable, Equatable {
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// How long a claim lasts before another worker may take the message: longer than a batch of sends can take
    /// (the worker claims 10 at a time and gives each at most 60 s).
    public var claimLease: TimeInterval
    /// Attempts before a message is marked failed, unless the `outbox.max_attempts` setting says otherwise.
    public var defaultMaxAttempts: Int

    public init(baseDelay: TimeInterval = 60, maxDelay: TimeInterval = 3600, claimLease: TimeInterval = 900,
                defaultMaxAttempts: Int = 20) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.claimLease = claimLease
        self.defaultMaxAttempts = defaultMaxAttempts
    }

    /// The wait after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        return min(maxDelay, baseDelay * pow(2, exponent))
    }

    /// The defaults, with `MAPPA_OUTBOX_BACKOFF_SECONDS` (first wait) and `MAPPA_OUTBOX_MAX_BACKOFF_SECONDS` (cap)
    /// applied when set: short waits make a delivery test quick.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OutboxPolicy {
        var policy = OutboxPolicy()
        if let base = environment["MAPPA_OUTBOX_BACKOFF_SECONDS"].flatMap(Double.init), base > 0 { policy.baseDelay = base }
        if let cap = environment["MAPPA_OUTBOX_MAX_BACKOFF_SECONDS"].flatMap(Double.init), cap > 0 { policy.maxDelay = cap }
        policy.maxDelay = max(policy.maxDelay, policy.baseDelay)
        return policy
    }
}

/// What an administrator sets for mail: the SMTP server (password excepted, see `SMTPSettings`) and how many
/// attempts a message gets.
public struct MailSettings: Sendable, Equatable {
    public var smtp: SMTPSettings
    public var maxAttempts: Int
    public init(smtp: SMTPSettings = SMTPSettings(), maxAttempts: Int = OutboxPolicy().defaultMaxAttempts) {
        self.smtp = smtp
        self.maxAttempts = maxAttempts
    }

    public func problems() -> [ValidationProblem] {
        var problems = smtp.problems()
        if !(1...100).contains(maxAttempts) {
            problems.append(ValidationProblem(field: "max_attempts", message: "Enter a number of attempts from 1 to 100"))
        }
        return problems
    }
}
