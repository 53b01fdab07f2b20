import Foundation
import Synchronization
import Testing
@testable import HTTPServer

@Suite("Connection caps and deadlines")
struct ConnectionGuardTests {
    @Test("an address at its cap is refused until one of its connections closes; other addresses and trusted proxies are not")
    func perAddressCap() {
        let connections = ConnectionGuard(limits: .init(perAddress: 2), trustedProxies: ["10.0.0.9"])
        connections.opened(1, socket: 11, address: "203.0.113.5", now: 0)
        connections.opened(2, socket: 12, address: "203.0.113.5", now: 0)
        #expect(!connections.admits("203.0.113.5"))
        #expect(connections.admits("203.0.113.6"))
        connections.closed(1)
        #expect(connections.admits("203.0.113.5"))
        for id in 10..<20 { connections.opened(UInt(id), socket: Int32(id), address: "10.0.0.9", now: 0) }
        #expect(connections.admits("10.0.0.9"), "every user behind the proxy shares its address")
        connections.closed(99)
        #expect(connections.openConnections(from: "203.0.113.5") == 1, "closing an unknown connection changes nothing")
    }

    @Test("a request whose headers have not all arrived by the deadline is ended, once; a kept-alive one gets a fresh deadline")
    func headerDeadline() {
        let connections = ConnectionGuard(limits: .init(headerSeconds: 10))
        connections.opened(1, socket: 11, address: "a", now: 0)
        connections.opened(2, socket: 12, address: "a", now: 0)
        connections.headersArrived(2, now: 1)
        connections.busy(2, now: 1)
        connections.answered(2, now: 8)
        var ended: [Int32] = []
        #expect(connections.reap(now: 10) { ended.append($0) } == 0)
        #expect(connections.reap(now: 10.5) { ended.append($0) } == 1)
        #expect(ended == [11])
        #expect(connections.reap(now: 12) { ended.append($0) } == 0, "an ended connection is not ended again")
        #expect(connections.reap(now: 18.5) { ended.append($0) } == 1)
        #expect(ended == [11, 12])
    }

    @Test("a body that brings less than the minimum in a window is ended; a steady one and a busy request are not")
    func bodyRate() {
        let connections = ConnectionGuard(limits: .init(bodyWindowSeconds: 10, minimumBodyBytes: 1000))
        connections.opened(1, socket: 11, address: "a", now: 0)
        connections.opened(2, socket: 12, address: "a", now: 0)
        connections.opened(3, socket: 13, address: "a", now: 0)
        for id: UInt in [1, 2] { connections.headersArrived(id, now: 0) }
        connections.headersArrived(3, now: 0)
        connections.busy(3, now: 0)
        connections.bodyArrived(1, bytes: 5000)
        connections.bodyArrived(2, bytes: 999)
        var ended: [Int32] = []
        connections.reap(now: 10) { ended.append($0) }
        #expect(ended == [12])
        connections.bodyArrived(1, bytes: 10)
        connections.reap(now: 20) { ended.append($0) }
        #expect(ended == [12, 11], "each window must bring its own minimum")
        connections.reap(now: 1000) { ended.append($0) }
        #expect(ended == [12, 11], "a request being handled has no deadline of ours")
    }

    @Test("X-Forwarded-For names the client only when the peer is a trusted proxy", arguments: [
        ("192.0.2.1", ["198.51.100.7"], "192.0.2.1"),
        ("127.0.0.1", ["198.51.100.7"], "198.51.100.7"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),
        ("127.0.0.1", ["198.51.100.7, 10.0.0.2"], "198.51.100.7"),
        ("127.0.0.1", ["not-an-address"], "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["2001:db8::1"], "2001:db8::1"),
    ])
    func forwardedFor(peer: String, header: [String], client: String) {
        let isAddress: (String) -> Bool = { $0.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" } && !$0.isEmpty }
        #expect(ClientAddress.resolve(peer: peer, forwardedFor: header, trustedProxies: ["127.0.0.1", "10.0.0.2"],
                                      isAddress: isAddress) == client)
    }
}

@Suite("Slow and greedy clients over real sockets", .serialized)
struct SlowClientTests {
    func start(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in },
               _ handler: @escaping Handler = { request in .text("ok from \(request.remoteAddress)") }) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, maxBodyBytes: 1024 * 1024)
        configure(&configuration)
        return try HTTPServer(configuration: configuration, handler: handler)
    }

    @Test("connections over an address's cap are closed at once, while another address is served")
    func capPerAddress() throws {
        let server = try start { $0.limits.perAddress = 3 }
        defer { server.stop() }
        let held = try (0..<3).map { _ in try RawClient(port: server.port, from: "127.0.0.2") }
        Thread.sleep(forTimeInterval: 0.2)
        let refused = try RawClient(port: server.port, from: "127.0.0.2")
        #expect(refused.isEnded(within: 2))
        let other = try RawClient(port: server.port, from: "127.0.0.1")
        other.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(other.readReply()?.body == "ok from 127.0.0.1")
        held[0].write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(held[0].readReply()?.status == 200, "connections within the cap are served")
    }

    @Test("a client that trickles its headers is cut off at the deadline")
    func trickledHeaders() throws {
        let server = try start { $0.limits.headerSeconds = 1 }
        defer { server.stop() }
        let slow = try RawClient(port: server.port)
        let started = Date()
        slow.write("GET / HTTP/1.1\r\n")
        var ended = false
        for line in 0..<10 where !ended {
            slow.write("X-Slow-\(line): y\r\n")
            ended = slow.isEnded(within: 1)
        }
        #expect(ended, "the connection stayed open while headers trickled in")
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test("a silent connection is closed at the header deadline, not the idle timeout")
    func silentConnection() throws {
        let server = try start { $0.limits.headerSeconds = 1 }
        defer { server.stop() }
        let silent = try RawClient(port: server.port)
        let started = Date()
        #expect(silent.isEnded(within: 5))
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test("a body that stalls below the minimum rate is cut off; a steady one is read")
    func stalledBody() throws {
        let server = try start({ $0.limits.bodyWindowSeconds = 1; $0.limits.minimumBodyBytes = 1000 }) { request in
            .text("\(request.body.count)")
        }
        defer { server.stop() }
        let stalled = try RawClient(port: server.port)
        stalled.write("POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "a", count: 500))
        #expect(stalled.isEnded(within: 4))
        let steady = try RawClient(port: server.port)
        steady.write("POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 6000\r\n\r\n")
        for _ in 0..<3 {
            steady.write(String(repeating: "b", count: 2000))
            Thread.sleep(forTimeInterval: 0.6)
        }
        #expect(steady.readReply()?.body == "6000")
    }

    @Test("hundreds of silent connections from many addresses do not keep a normal client waiting")
    func manySilentConnections() throws {
        let server = try start { $0.limits.perAddress = 20 }
        defer { server.stop() }
        var silent: [RawClient] = []
        for address in 2...31 {
            for _ in 0..<20 { silent.append(try RawClient(port: server.port, from: "127.0.0.\(address)")) }
        }
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        let client = try RawClient(port: server.port)
        client.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readReply()?.status == 200)
        #expect(Date().timeIntervalSince(started) < 1, "a normal request waited behind \(silent.count) silent connections")
    }

    @Test("X-Forwarded-For is the client's address only from a trusted proxy")
    func forwardedFromTrustedProxy() throws {
        let server = try start { $0.trustedProxies = ["127.0.0.1"] }
        defer { server.stop() }
        let proxy = try RawClient(port: server.port, from: "127.0.0.1")
        proxy.write("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n\r\n")
        #expect(proxy.readReply()?.body == "ok from 198.51.100.7")
        let stranger = try RawClient(port: server.port, from: "127.0.0.3")
        stranger.write("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\n\r\n")
        #expect(stranger.readReply()?.body == "ok from 127.0.0.3")
    }

    @Test("when every worker is busy and the queue is full, a request is answered 503 at once, and the rest are served")
    func busyWorkers() throws {
        let release = Mutex(false)
        let server = try start({ $0.workerThreads = 1; $0.queueLimit = 1 }) { request in
            while request.path == "/hold" && !release.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
            return .text("done \(request.path)")
        }
        defer { server.stop() }
        let holding = try RawClient(port: server.port)
        holding.write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        let queued = try RawClient(port: server.port)
        queued.write("GET /queued HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        let turnedAway = try RawClient(port: server.port)
        turnedAway.write("GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
        let busy = try #require(turnedAway.readReply())
        #expect(busy.status == 503)
        #expect(busy.headers["retry-after"] == "30")
        release.withLock { $0 = true }
        #expect(holding.readReply()?.body == "done /hold")
        #expect(queued.readReply()?.body == "done /queued")
    }
}
