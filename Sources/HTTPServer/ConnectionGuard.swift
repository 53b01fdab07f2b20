import Foundation
import Synchronization

/// Keeps slow and greedy clients from starving everyone else: a cap on open connections per client address,
/// a deadline for a request's line and headers, and a minimum rate for its body. The server tells it what each
/// connection is doing; `reap` ends the ones past their deadline. Trusted proxies are exempt from the per-address
/// cap (every user behind them shares their address). Pure bookkeeping: the server owns the sockets.
public final class ConnectionGuard: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Open connections one client address may hold (a browser opens about six).
        public var perAddress: Int
        /// Seconds from a connection opening (or its previous response ending) to its request's headers
        /// arriving. A client that trickles a header line every few seconds is cut off here.
        public var headerSeconds: Double
        /// A body must bring at least `minimumBodyBytes` in every window of `bodyWindowSeconds`.
        public var bodyWindowSeconds: Double
        public var minimumBodyBytes: Int

        public init(perAddress: Int = 128, headerSeconds: Double = 10, bodyWindowSeconds: Double = 10,
                    minimumBodyBytes: Int = 10 * 1024) {
            self.perAddress = perAddress
            self.headerSeconds = headerSeconds
            self.bodyWindowSeconds = bodyWindowSeconds
            self.minimumBodyBytes = minimumBodyBytes
        }
    }

    /// What a connection is doing, which decides its deadline.
    enum Phase: Equatable {
        /// Waiting for a request line and headers (a new or kept-alive connection): `headerSeconds`.
        case awaitingRequest
        /// Headers read, body arriving: the minimum rate applies.
        case receivingBody
        /// A worker has the request, or its response is being sent: no deadline of ours (the server's idle
        /// timeout still ends a client that stops reading).
        case busy
    }

    struct Record {
        var socket: Int32
        var address: String
        var phase: Phase
        /// When the phase (or the body's current window) began, in monotonic seconds.
        var since: Double
        var windowBytes = 0
    }

    struct State {
        var records: [UInt: Record] = [:]
        var openByAddress: [String: Int] = [:]
    }

    public let limits: Limits
    let trustedProxies: Set<String>
    private let state = Mutex(State())

    public init(limits: Limits = Limits(), trustedProxies: Set<String> = []) {
        self.limits = limits
        self.trustedProxies = trustedProxies
    }

    /// Whether a new connection from `address` may open (the accept policy).
    public func admits(_ address: String) -> Bool {
        guard !trustedProxies.contains(address) else { return true }
        return state.withLock { ($0.openByAddress[address] ?? 0) < limits.perAddress }
    }

    public func opened(_ id: UInt, socket: Int32, address: String, now: Double) {
        state.withLock {
            $0.records[id] = Record(socket: socket, address: address, phase: .awaitingRequest, since: now)
            $0.openByAddress[address, default: 0] += 1
        }
    }

    public func closed(_ id: UInt) {
        state.withLock {
            guard let record = $0.records.removeValue(forKey: id) else { return }
            let left = ($0.openByAddress[record.address] ?? 1) - 1
            $0.openByAddress[record.address] = left > 0 ? left : nil
        }
    }

    /// The headers of a request have arrived; its body (if any) is next.
    public func headersArrived(_ id: UInt, now: Double) { move(id, to: .receivingBody, now: now) }

    public func bodyArrived(_ id: UInt, bytes: Int) {
        state.withLock { $0.records[id]?.windowBytes += bytes }
    }

    /// The request is complete and being handled, then answered.
    public func busy(_ id: UInt, now: Double) { move(id, to: .busy, now: now) }

    /// The response has been sent; a kept-alive connection waits for its next request.
    public func answered(_ id: UInt, now: Double) { move(id, to: .awaitingRequest, now: now) }

    private func move(_ id: UInt, to phase: Phase, now: Double) {
        state.withLock {
            $0.records[id]?.phase = phase
            $0.records[id]?.since = now
            $0.records[id]?.windowBytes = 0
        }
    }

    /// Calls `end` with the socket of every connection past its deadline, under the lock, so a connection cannot
    /// close (and its descriptor be reused) meanwhile: libmicrohttpd reports the close through `closed` before it
    /// closes the descriptor. Returns how many were ended.
    @discardableResult
    public func reap(now: Double, end: (Int32) -> Void) -> Int {
        state.withLock { state in
            var ended = 0
            for (id, record) in state.records {
                switch record.phase {
                case .awaitingRequest:
                    guard now - record.since > limits.headerSeconds else { continue }
                case .receivingBody:
                    guard now - record.since >= limits.bodyWindowSeconds else { continue }
                    if record.windowBytes >= limits.minimumBodyBytes {
                        state.records[id]?.since = now
                        state.records[id]?.windowBytes = 0
                        continue
                    }
                case .busy:
                    continue
                }
                end(record.socket)
                // Counted as ended once; the close notification removes the record.
                state.records[id]?.phase = .busy
                ended += 1
            }
            return ended
        }
    }

    /// Open connections per address, for tests and the status line.
    public func openConnections(from address: String) -> Int { state.withLock { $0.openByAddress[address] ?? 0 } }
}

/// The address of the client behind a request. Behind a reverse proxy every request comes from the proxy, so
/// the client is read from `X-Forwarded-For`, but only when the peer is a proxy we were told to trust: anyone
/// else could write that header. The list is read right to left, skipping trusted proxies, and the first
/// address that is not one is the client (addresses to its left were written by the client and prove nothing).
public enum ClientAddress {
    public static func resolve(peer: String, forwardedFor: [String], trustedProxies: Set<String>,
                               isAddress: (String) -> Bool) -> String {
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard isAddress(hop) else { return peer }
            if !trustedProxies.contains(hop) { return hop }
        }
        return peer
    }
}
