import Foundation
import Synchronization

/// A count shared by every worker thread: one relaxed atomic add per event, no lock.
public final class Counter: Sendable {
    private let value = Atomic<UInt64>(0)
    public init() {}
    public func add(_ amount: UInt64 = 1) { value.wrappingAdd(amount, ordering: .relaxed) }
    public var current: UInt64 { value.load(ordering: .relaxed) }
}

/// One route's requests: how many by status class, and how long they took as a histogram. Labelled only by the
/// route's pattern ("/cases/:id"), never by the path asked for, so no id or name reaches the metrics.
public final class RouteMetrics: Sendable {
    public let method: String
    public let pattern: String
    /// Requests answered 1xx…5xx, at 0…4.
    private let statusClasses = (0..<5).map { _ in Counter() }
    /// Requests that took at most `RequestMetrics.latencyBounds[i]` (and more than the bound before), then those
    /// over the last bound: not cumulative here, summed when written out.
    private let latencies = (0...RequestMetrics.latencyBounds.count).map { _ in Counter() }
    private let totalNanoseconds = Counter()

    init(method: String, pattern: String) {
        self.method = method
        self.pattern = pattern
    }

    func record(status: Int, nanoseconds: UInt64) {
        statusClasses[min(4, max(0, status / 100 - 1))].add()
        var bucket = 0
        while bucket < RequestMetrics.latencyBoundNanoseconds.count, nanoseconds > RequestMetrics.latencyBoundNanoseconds[bucket] {
            bucket += 1
        }
        latencies[bucket].add()
        totalNanoseconds.add(nanoseconds)
    }

    /// Requests so far by status class ("2xx" …), leaving out classes with none.
    public var byStatusClass: [(statusClass: String, count: UInt64)] {
        statusClasses.enumerated().compactMap { index, counter in
            let count = counter.current
            return count == 0 ? nil : ("\(index + 1)xx", count)
        }
    }

    /// The latency histogram as Prometheus keeps one: cumulative counts for each bound, then +Inf (all requests).
    public var cumulativeLatencies: [UInt64] {
        var total: UInt64 = 0
        return latencies.map { total &+= $0.current; return total }
    }

    public var totalSeconds: Double { Double(totalNanoseconds.current) / 1e9 }
}

/// Every route's `RouteMetrics`, owned by whoever builds the router (the web app), not a global. Routes register at
/// start-up (under a lock); each request then updates its route's counters directly, lock-free.
public final class RequestMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds: a page takes milliseconds, a report or an argon2 sign-in up
    /// to a second or more.
    public static let latencyBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let latencyBoundNanoseconds: [UInt64] = latencyBounds.map { UInt64($0 * 1e9) }

    private let registered = Mutex<[RouteMetrics]>([])
    /// Requests no route matched (404, 405), under one label: the path asked for is never a label.
    public let unmatched = RouteMetrics(method: "any", pattern: "unmatched")

    public init() {}

    func register(method: String, pattern: String) -> RouteMetrics {
        let route = RouteMetrics(method: method, pattern: pattern)
        registered.withLock { $0.append(route) }
        return route
    }

    /// Every route registered, in the order added, then `unmatched`.
    public var routes: [RouteMetrics] { registered.withLock { $0 } + [unmatched] }
}
