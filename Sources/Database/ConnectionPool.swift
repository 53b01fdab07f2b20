import Foundation
import Synchronization

/// How a pool of connections has been used since start, for the metrics page: how often a connection was taken, how
/// often the taker had to wait because every one was in use, and for how long in all.
public struct PoolStatistics: Sendable, Equatable {
    /// Which pool: "sqlite_readers", "sqlite_writer" or "postgres".
    public var name: String
    public var size: Int
    public var acquisitions: UInt64
    public var waits: UInt64
    public var waitNanoseconds: UInt64
    public init(name: String, size: Int, acquisitions: UInt64, waits: UInt64, waitNanoseconds: UInt64) {
        self.name = name
        self.size = size
        self.acquisitions = acquisitions
        self.waits = waits
        self.waitNanoseconds = waitNanoseconds
    }
}

/// Counts for `PoolStatistics`, kept with atomics (relaxed adds, no lock): the wait is only timed when there is one.
final class PoolCounters: Sendable {
    let name: String
    let size: Int
    private let acquisitions = Atomic<UInt64>(0)
    private let waits = Atomic<UInt64>(0)
    private let waitNanoseconds = Atomic<UInt64>(0)

    init(name: String, size: Int) {
        self.name = name
        self.size = size
    }

    func acquired() { acquisitions.wrappingAdd(1, ordering: .relaxed) }

    func waited(since started: UInt64) {
        waits.wrappingAdd(1, ordering: .relaxed)
        waitNanoseconds.wrappingAdd(DispatchTime.now().uptimeNanoseconds &- started, ordering: .relaxed)
    }

    var statistics: PoolStatistics {
        PoolStatistics(name: name, size: size, acquisitions: acquisitions.load(ordering: .relaxed),
                       waits: waits.load(ordering: .relaxed), waitNanoseconds: waitNanoseconds.load(ordering: .relaxed))
    }
}

/// A blocking pool of connections: `acquire` waits while every connection is in use.
/// Connections are not Sendable; the lock guards the array and each connection is used by one thread at a
/// time, which is the safety argument for @unchecked Sendable.
final class ConnectionPool<C: AnyObject>: @unchecked Sendable {
    private var available: [C]
    private let lock = NSLock()
    private let slots: DispatchSemaphore
    let counters: PoolCounters

    init(_ connections: [C], name: String) {
        available = connections
        slots = DispatchSemaphore(value: connections.count)
        counters = PoolCounters(name: name, size: connections.count)
    }

    /// Takes a connection, waiting for one when all are in use; give it back with `release`.
    func acquire() -> C {
        counters.acquired()
        if slots.wait(timeout: .now()) == .timedOut {
            let started = DispatchTime.now().uptimeNanoseconds
            slots.wait()
            counters.waited(since: started)
        }
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
