import Foundation
import Store
import Synchronization

/// A clock the test moves by hand, for session expiry and login throttling.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    public var now: Date { current.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0.addTimeInterval(seconds) } }
    public var clock: Clock { Clock { [self] in self.now } }
}
