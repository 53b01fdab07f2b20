import Database
import Domain
import Foundation

extension SessionStore {
    /// Sessions within both timeouts now (signed-in people, counted; the metrics page). Names nobody.
    public func activeCount() throws -> Int {
        let now = clock.now().timeIntervalSince1970
        return try database.read { connection in
            try connection.queryOne("SELECT COUNT(*) AS n FROM sessions WHERE created_at >= ? AND last_seen_at >= ?",
                                    [.integer(Int64(now - policy.absoluteTimeout)), .integer(Int64(now - policy.idleTimeout))])?
                .value("n") ?? 0
        }
    }
}
