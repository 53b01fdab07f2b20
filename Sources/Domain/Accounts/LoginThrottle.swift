import Foundation

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
