import Foundation
import Synchronization

/// A blocking pool of connections: `acquire` waits while every connection is in use.
/// Connections are not Sendable; the lock guards the array and each connection is used by one thread at a
/// time, which is the safety argument for @unchecked Sendable.
final class ConnectionPool<C: AnyObject>: @unchecked Sendable {
    private var available: [C]
    private let lock = NSLock()
    private let slots: DispatchSemaphore

    init(_ connections: [C]) {
        available = connections
        slots = DispatchSemaphore(value: connections.count)
    }

    /// Takes a connection, waiting for one when all are in use; give it back with `release`.
    func acquire() -> C {
        slots.wait()
        lock.lock()
        defer { lock.unlock() }
        return available.removeLast()
    }

    func release(_ connection: C) {
        lock.lock()
        available.append(connection)
        lock.unlock()
        slots.signal()
    }

    func withConnection<T>(_ body: (C) throws -> T) rethrows -> T {
        let connection = acquire()
        defer { release(connection) }
        return try body(connection)
    }
}
