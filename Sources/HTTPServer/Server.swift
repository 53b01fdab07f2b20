import CMicroHTTPD
import Foundation

/// The HTTP server: libmicrohttpd's own event loop (epoll, two polling threads) reads requests, and a
/// bounded pool of worker threads runs the handlers, whose work blocks (SQLite, libpq, argon2). A complete
/// request's connection is suspended (`MHD_suspend_connection`) while a worker has it and resumed with the
/// response (`MHD_resume_connection`), so an idle or slow connection costs a few kilobytes, not a thread.
/// `ConnectionGuard` caps connections per client address and ends those that miss their deadlines. Bodies are
/// read whole, up to a limit, before the handler runs (DESIGN.md, "Threading").
/// https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html
public final class HTTPServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; read it back from `port`.
        public var port: UInt16
        public var maxBodyBytes: Int
        /// Paths that take file uploads (a case register, say) and may send up to `maxUploadBytes` instead. Kept
        /// to named paths so that every other request stays small: bodies are held in memory.
        public var uploadPaths: Set<String> = []
        public var maxUploadBytes: Int = 64 * 1024 * 1024
        /// The body limit before sign-in (enough for the sign-in form), applied when `sessionCheck` is set.
        public var anonymousBodyBytes: Int = 64 * 1024
        /// True when a request (path, headers) comes from a signed-in user who may send a body to that path (an
        /// upload path: one allowed to upload). Called at most once per request, before any body byte is read,
        /// and only when the body could exceed `anonymousBodyBytes`. Nil: every request gets the full limits.
        public var sessionCheck: (@Sendable (String, Headers) -> Bool)?
        /// Simultaneous connections in all. An idle connection costs its socket and up to 32 KB of buffers, so
        /// the default is sized to memory and to the descriptors the process may open.
        public var connectionLimit: UInt32
        /// Seconds without any traffic after which a connection is closed (also one that stops reading its
        /// response).
        public var timeoutSeconds: UInt32
        /// Per-address cap and deadlines (see `ConnectionGuard`).
        public var limits = ConnectionGuard.Limits()
        /// Peers whose `X-Forwarded-For` names the client (a reverse proxy in front of us). Exempt from the
        /// per-address cap.
        public var trustedProxies: Set<String> = []
        /// Threads that run handlers; more requests than this wait in a queue of `queueLimit`, and beyond that
        /// are answered 503. A handler spends most of its time waiting (for its audit entry's group commit, about
        /// 5 ms under load, or the database), so requests per second top out near workers / 5 ms: 16 workers held
        /// the case page to about 3,100 req/s where 64 reached the thread-per-connection figure (bench/compare).
        public var workerThreads: Int = 64
        /// Threads running libmicrohttpd's event loop (reading requests, writing responses). Two measured ahead
        /// of one on the sign-in page and static files (MHD_OPTION_THREAD_POOL_SIZE).
        public var pollingThreads: Int = 2
        public var queueLimit: Int = 4096
        /// A body larger than this waits in an unlinked temporary file while it arrives (see `BodySpool`).
        public var spoolBytes: Int = 1024 * 1024

        public init(host: String = "127.0.0.1", port: UInt16 = 8080, maxBodyBytes: Int = 10 * 1024 * 1024,
                    connectionLimit: UInt32 = Configuration.defaultConnectionLimit, timeoutSeconds: UInt32 = 30) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.connectionLimit = connectionLimit
            self.timeoutSeconds = timeoutSeconds
        }

        /// One connection per 256 KB of a sixteenth of memory (its buffers and the kernel's), between 256 and
        /// 10,000: 10,000 on a machine of 16 GB or more.
        public static var defaultConnectionLimit: UInt32 {
            let budget = ProcessInfo.processInfo.physicalMemory / 16 / (256 * 1024)
            return UInt32(min(10_000, max(256, budget)))
        }

        /// The body limit for a request to `path`, from a signed-in user or not.
        public func bodyLimit(for path: String, signedIn: Bool = true) -> Int {
            guard signedIn || sessionCheck == nil else { return min(anonymousBodyBytes, maxBodyBytes) }
            return uploadPaths.contains(path) ? max(maxUploadBytes, maxBodyBytes) : maxBodyBytes
        }

        /// The limit for a request whose headers have arrived: the session is checked only when the body could
        /// be larger than the anonymous limit (a declared length above it, or chunked), so small forms cost no
        /// lookup.
        func bodyLimit(for path: String, headers: Headers, declaredLength: Int?) -> Int {
            guard let sessionCheck else { return bodyLimit(for: path) }
            let anonymous = bodyLimit(for: path, signedIn: false)
            let chunked = headers["Transfer-Encoding"] != nil
            if !chunked, (declaredLength ?? 0) <= anonymous { return anonymous }
            return bodyLimit(for: path, signedIn: sessionCheck(path, headers))
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public let configuration: Configuration
    let handler: Handler
    let connections: ConnectionGuard
    let workers: WorkerPool
    // Set once in init; cleared by stop() under `lock`. That is the safety argument for @unchecked Sendable.
    private var daemon: OpaquePointer?
    private let lock = NSLock()
    private var reaper: Thread?
    private let reaperStop = NSCondition()
    private var reaperStopping = false
    public private(set) var port: UInt16 = 0

    public init(configuration: Configuration = Configuration(), handler: @escaping Handler) throws {
        guard configuration.connectionLimit > 0 else {
            throw StartError(description: "the connection limit must be at least 1")
        }
        self.configuration = configuration
        self.handler = handler
        connections = ConnectionGuard(limits: configuration.limits, trustedProxies: configuration.trustedProxies)
        workers = WorkerPool(threads: configuration.workerThreads, queueLimit: configuration.queueLimit)
        var address = sockaddr_in()
        guard mappa_ipv4_address(configuration.host, configuration.port, &address) == 0 else {
            workers.stop()
            throw StartError(description: "'\(configuration.host)' is not an IPv4 address")
        }
        let descriptors = mappa_raise_descriptor_limit()
        let limit = UInt32(clamping: min(Int(configuration.connectionLimit), max(16, descriptors - 64)))
        let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                mappa_mhd_start(UInt32(flags), configuration.port, acceptPolicy, accessHandler, context,
                                completedHandler, connectionHandler, socketAddress, limit,
                                configuration.timeoutSeconds, UInt32(max(1, configuration.pollingThreads)))
            }
        }
        guard let started else {
            workers.stop()
            throw StartError(description: "could not listen on \(configuration.host):\(configuration.port) (is the port in use?)")
        }
        daemon = started
        port = mappa_mhd_bound_port(started)
        let reaper = Thread { [weak self] in self?.reapUntilStopped() }
        reaper.name = "mappa-connection-deadlines"
        self.reaper = reaper
        reaper.start()
    }

    /// Stops accepting connections, lets the requests in hand finish, and waits for libmicrohttpd's threads
    /// (MHD_quiesce_daemon, then MHD_stop_daemon: no connection may still be suspended by then).
    public func stop() {
        lock.lock()
        let running = daemon
        daemon = nil
        lock.unlock()
        guard let running else { return }
        let listening = MHD_quiesce_daemon(running)
        if listening >= 0 { close(listening) }
        workers.stop()
        reaperStop.lock()
        reaperStopping = true
        reaperStop.broadcast()
        reaperStop.unlock()
        MHD_stop_daemon(running)
    }

    deinit { stop() }

    /// Twice a second, ends the connections past their deadlines.
    private func reapUntilStopped() {
        reaperStop.lock()
        defer { reaperStop.unlock() }
        while !reaperStopping {
            _ = reaperStop.wait(until: Date().addingTimeInterval(0.5))
            connections.reap(now: monotonicSeconds()) { mappa_shutdown_socket($0) }
        }
    }

    /// Call before starting the server (and any other thread) so SIGINT/SIGTERM reach `waitForTerminationSignal`
    /// instead of killing the process mid-request.
    public static func blockTerminationSignals() { mappa_block_termination_signals() }

    /// Caps glibc's malloc arenas (mallopt(3), M_ARENA_MAX): every worker thread would otherwise get an arena
    /// and keep freed memory resident (200+ MB under load was measured with a thread per connection).
    public static func limitMallocArenas(_ count: Int32) { _ = mappa_limit_malloc_arenas(count) }

    /// True for an IPv4 or IPv6 address literal (inet_pton(3)).
    public static func isIPAddress(_ text: String) -> Bool { mappa_is_ip_address(text) != 0 }

    /// Blocks until SIGINT or SIGTERM; returns the signal number.
    public static func waitForTerminationSignal() -> Int32 { mappa_wait_termination_signal() }
}

func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// What the server keeps for one request between libmicrohttpd's calls: the body so far, then the response a
/// worker made. The worker writes `response` before `MHD_resume_connection`, and the polling thread reads it
/// only after libmicrohttpd has resumed the connection (libmicrohttpd's own lock orders the two): the safety
/// argument for @unchecked Sendable.
final class RequestState: @unchecked Sendable {
    var body: [UInt8] = []
    /// A body past `HTTPServer.spoolBytes` (an upload) waits in a file, not in memory, while it arrives.
    var spool: BodySpool?
    var tooLarge = false
    /// Bytes thrown away since the body was found too large.
    var discarded = 0
    var bodyLimit = 0
    var response: Response?

    /// Appends a piece of the body, moving it to a spool file once it passes `spoolBytes`.
    func append(_ bytes: UnsafeBufferPointer<UInt8>, spoolBytes: Int) throws {
        if let spool { return try spool.write(bytes) }
        guard body.count + bytes.count > spoolBytes else { return body.append(contentsOf: bytes) }
        let spool = try BodySpool()
        try body.withUnsafeBufferPointer { try spool.write($0) }
        try spool.write(bytes)
        body = []
        self.spool = spool
    }
}

/// An upload's body on its way in: an unlinked temporary file (mkstemp(3), mode 0600, removed from the directory
/// at once), so nobody else can open it and it disappears with the descriptor. Read back whole only when a worker
/// handles the request, so slow uploads in flight cost disk, not memory.
final class BodySpool: @unchecked Sendable {
    struct Failure: Error {}
    // Written only by the polling thread while the body arrives, then read only by the worker that handles the
    // request (handed over through MHD_suspend_connection): the safety argument for @unchecked Sendable.
    private let descriptor: Int32
    private(set) var count = 0

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/mappa-upload-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw Failure() }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure() }
            offset += written
        }
        count += bytes.count
    }

    func readAll() throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + offset, count - offset, off_t(offset)) }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { throw Failure() }
            offset += read
        }
        return bytes
    }
}

/// A connection handed to a worker, to resume once its response is ready. libmicrohttpd keeps a suspended
/// connection alive until it is resumed: the safety argument for @unchecked Sendable.
struct SuspendedConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Header and query collection through MHD_get_connection_values.
final class PairCollector {
    var pairs: [(String, String)] = []
}

private func collectPairs(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(String, String)] {
    let collector = PairCollector()
    let context = Unmanaged.passUnretained(collector).toOpaque()
    MHD_get_connection_values(connection, kind, { cls, _, key, value in
        guard let cls, let key else { return .YES }
        let collector = Unmanaged<PairCollector>.fromOpaque(cls).takeUnretainedValue()
        collector.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
        return .YES
    }, context)
    return collector.pairs
}

private func send(_ connection: OpaquePointer, _ response: Response) -> MHD_Result {
    let mhdResponse = response.body.withUnsafeBytes { buffer in
        MHD_create_response_from_buffer(buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                                        .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    defer { MHD_destroy_response(mhdResponse) }
    for field in response.headers where !Headers.sameName(field.name, "Content-Length") {
        // Header values come from our own code; refuse CR/LF anyway so nothing can split a response.
        guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { continue }
        MHD_add_response_header(mhdResponse, field.name, field.value)
    }
    return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
}

/// An IP address as text, from a shim that writes it into a buffer (inet_ntop(3)); "" when there is none.
private func addressText(_ fill: (UnsafeMutablePointer<CChar>, socklen_t) -> Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    guard buffer.withUnsafeMutableBufferPointer({ fill($0.baseAddress!, socklen_t($0.count)) }) == 0 else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private func text(_ address: UnsafePointer<sockaddr>?) -> String { addressText { mappa_address_text(address, $0, $1) } }

private func peerAddress(_ connection: OpaquePointer) -> String {
    addressText { mappa_mhd_client_address(connection, $0, $1) }
}

private func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))) }

/// The accept policy (MHD_AcceptPolicyCallback): refuses a connection from an address already at its cap, before
/// libmicrohttpd allocates anything for it.
private let acceptPolicy: MHD_AcceptPolicyCallback = { cls, address, _ in
    guard let cls else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    return server.connections.admits(text(address)) ? .YES : .NO
}

/// Connection opened and closed (MHD_OPTION_NOTIFY_CONNECTION): the guard counts them per address and knows
/// each one's socket. libmicrohttpd reports the close before it closes the socket.
private let connectionHandler: MHD_NotifyConnectionCallback = { cls, connection, _, code in
    guard let cls, let connection else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if code.rawValue == 0 { // MHD_CONNECTION_NOTIFY_STARTED
        server.connections.opened(key(connection), socket: mappa_mhd_connection_fd(connection),
                                  address: peerAddress(connection), now: monotonicSeconds())
    } else {
        server.connections.closed(key(connection))
    }
}

/// The access handler (manual §"Handling requests"). Called once when headers arrive, then per body chunk, then
/// once more with no data. On the first call only the state is created (queueing a response then closes
/// keep-alive), except for a declared body over the limit: its 413 is queued at once, because libmicrohttpd
/// decides right after this first call whether to send "100 Continue" (it does unless a response is queued) and
/// later calls carrying body data cannot queue a response. The connection then closes without reading the body.
/// On the last call the connection is suspended and the request handed to a worker; the worker resumes it, and
/// libmicrohttpd calls once more, when the response is queued.
private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, state in
    guard let cls, let connection, let state, let uploadSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    guard let existing = state.pointee else {
        let fresh = RequestState()
        server.connections.headersArrived(key(connection), now: monotonicSeconds())
        let headers = Headers(collectPairs(connection, .HEADER_KIND))
        let declared = headers["Content-Length"].flatMap { Int($0) }
        fresh.bodyLimit = server.configuration.bodyLimit(for: url.map { String(cString: $0) } ?? "", headers: headers,
                                                         declaredLength: declared)
        state.pointee = Unmanaged.passRetained(fresh).toOpaque()
        if let declared, declared > fresh.bodyLimit {
            fresh.tooLarge = true
            return send(connection, server.handler413(limit: fresh.bodyLimit))
        }
        return .YES
    }
    let request = Unmanaged<RequestState>.fromOpaque(existing).takeUnretainedValue()
    if let response = request.response {
        request.response = nil
        return send(connection, response)
    }
    if uploadSize.pointee > 0 {
        server.connections.bodyArrived(key(connection), bytes: uploadSize.pointee)
        if request.tooLarge {
            // A chunked body (no declared length) found too large is discarded as it comes, so that an honest
            // client still reads the 413 at its end; one that goes on for another limit's worth is cut off.
            request.discarded += uploadSize.pointee
            uploadSize.pointee = 0
            return request.discarded > request.bodyLimit + 1024 * 1024 ? .NO : .YES
        }
        if let uploadData {
            if (request.spool?.count ?? request.body.count) + uploadSize.pointee > request.bodyLimit {
                request.tooLarge = true
                request.body = []
                request.spool = nil
            } else {
                do {
                    try uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) { bytes in
                        try request.append(UnsafeBufferPointer(start: bytes, count: uploadSize.pointee),
                                           spoolBytes: server.configuration.spoolBytes)
                    }
                } catch {
                    // The disk is full or the temporary directory unwritable: refuse rather than hold it in memory.
                    request.tooLarge = true
                    request.spool = nil
                }
            }
        }
        uploadSize.pointee = 0
        return .YES
    }
    if request.tooLarge {
        return send(connection, server.handler413(limit: request.bodyLimit))
    }
    let headers = Headers(collectPairs(connection, .HEADER_KIND))
    let remote = ClientAddress.resolve(peer: peerAddress(connection), forwardedFor: headers.values("X-Forwarded-For"),
                                       trustedProxies: server.configuration.trustedProxies,
                                       isAddress: HTTPServer.isIPAddress)
    var incoming = Request(method: method.map { String(cString: $0) } ?? "GET",
                           path: url.map { String(cString: $0) } ?? "/",
                           query: collectPairs(connection, .GET_ARGUMENT_KIND),
                           headers: headers, body: request.body, remoteAddress: remote)
    request.body = []
    let spool = request.spool
    request.spool = nil
    server.connections.busy(key(connection), now: monotonicSeconds())
    let suspended = SuspendedConnection(pointer: connection)
    MHD_suspend_connection(connection)
    let handler = server.handler
    let accepted = server.workers.submit {
        defer { MHD_resume_connection(suspended.pointer) }
        if let spool {
            guard let body = try? spool.readAll() else {
                request.response = .text("Sorry, the upload could not be read. Try again later.", status: 500)
                return
            }
            incoming.body = body
        }
        request.response = (try? handler(incoming))
            ?? .text("Sorry, there is a problem with the service. Try again later.", status: 500)
    }
    if !accepted {
        var busy = Response.text("The service is busy. Try again in a minute.", status: 503)
        busy.headers.set("Retry-After", "30")
        request.response = busy
        MHD_resume_connection(connection)
    }
    return .YES
}

/// Frees the per-request state once libmicrohttpd is done with the request (MHD_OPTION_NOTIFY_COMPLETED); a
/// kept-alive connection then waits for its next request, under the header deadline again.
private let completedHandler: MHD_RequestCompletedCallback = { cls, connection, state, _ in
    if let cls, let connection {
        Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().connections.answered(key(connection),
                                                                                          now: monotonicSeconds())
    }
    guard let state, let existing = state.pointee else { return }
    Unmanaged<RequestState>.fromOpaque(existing).release()
    state.pointee = nil
}

extension HTTPServer {
    func handler413(limit: Int) -> Response {
        let size = limit >= 1024 * 1024 ? "\(limit / 1024 / 1024) MB" : "\(limit / 1024) KB"
        return .text(HTTPError.payloadTooLarge.description + " (at most \(size)).",
              status: 413)
    }
}
