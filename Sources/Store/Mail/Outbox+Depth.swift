import Database
import Domain
import Foundation

/// How far behind mail delivery is, for the metrics page: no content, addresses or records, only a count and an age.
public struct OutboxDepth: Sendable, Equatable {
    /// Messages waiting to go out (queued, or claimed by a worker and not yet accepted).
    public var waiting: Int
    /// When the oldest of them was queued; nil when none waits.
    public var oldestQueuedAt: Date?
}

extension Outbox {
    /// How many messages wait for delivery and since when the oldest has; one indexed count, no message read.
    public func depth() throws -> OutboxDepth {
        try database.read { connection in
            guard let row = try connection.queryOne(
                "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status IN ('queued', 'sending')") else {
                return OutboxDepth(waiting: 0, oldestQueuedAt: nil)
            }
            var reader = RowReader(row)
            return OutboxDepth(waiting: try reader.decode("n", as: Int.self), oldestQueuedAt: try reader.decodeTimestampIfPresent("oldest"))
        }
    }
}
