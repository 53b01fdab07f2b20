import CMicroHTTPD
import Foundation

/// The HTTP server: libmicrohttpd in thread-per-connection mode, so a handler that blocks (SQLite, libpq,
/// argon2) stalls only its own connection (DESIGN.md, "Threading"). Bodies are read whole, up to a limit,
/// before the handler runs. https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html
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
        /// Simultaneous connections (each has a thread). Must be above 0: MHD treats 0 as "none".
        public var connectionLimit: UInt32
        public var timeoutSeconds: UInt32

        public init(host: String = "127.0.0.1", port: UInt16 = 8080, maxBodyBytes: Int = 10 * 1024 * 1024,
                    connectionLimit: UInt32 = 256, timeoutSeconds: UInt32 = 30) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.connectionLimit = connectionLimit
            self.timeoutSeconds = timeoutSeconds
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
    // Set once in init; cleared by stop() under `lock`. That is the safety argument for @unchecked Sendable.
    private var daemon: OpaquePointer?
    private let lock = NSLock()
    public private(set) var port: UInt16 = 0

    public init(configuration: Configuration = Configuration(), handler: @escaping Handler) throws {
        guard configuration.connectionLimit > 0 else {
            throw StartError(description: "the connection limit must be at least 1")
        }
        self.configuration = configuration
        self.handler = handler
        var address = sockaddr_in()
        guard mappa_ipv4_address(configuration.host, configuration.port, &address) == 0 else {
            throw StartError(description: "'\(configuration.host)' is not an IPv4 address")
        }
        let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_THREAD_PER_CONNECTION.rawValue
            | MHD_USE_POLL.rawValue | MHD_USE_ERROR_LOG.rawValue
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                mappa_mhd_start(UInt32(flags), configuration.port, accessHandler, context, completedHandler,
                                socketAddress, configuration.connectionLimit, configuration.timeoutSeconds)
            }
        }
        guard let started else {
            throw StartError(description: "could not listen on \(configuration.host):\(configuration.port) (is the port in use?)")
        }
        daemon = started
        port = mappa_mhd_bound_port(started)
    }

    /// Stops accepting connections and waits for the connection threads to finish (MHD_stop_daemon).
    public func stop() {
        lock.lock()
        let running = daemon
        daemon = nil
        lock.unlock()
        if let running { MHD_stop_daemon(running) }
    }

    deinit { stop() }

    /// Call before starting the server (and any other thread) so SIGINT/SIGTERM reach `waitForTerminationSignal`
    /// instead of killing the process mid-request.
    public static func blockTerminationSignals() { mappa_block_termination_signals() }

    /// Caps glibc's malloc arenas (mallopt(3), M_ARENA_MAX). With a thread per connection, busy threads would
    /// each get an arena and keep freed memory resident (200+ MB under load was measured); call at start.
    public static func limitMallocArenas(_ count: Int32) { _ = mappa_limit_malloc_arenas(count) }

    /// Blocks until SIGINT or SIGTERM; returns the signal number.
    public static func waitForTerminationSignal() -> Int32 { mappa_wait_termination_signal() }
}

/// What the server keeps for one request between libmicrohttpd's calls: the body so far.
final class RequestState {
    var body: [UInt8] = []
    var tooLarge = false
    var bodyLimit = 0
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

/// The access handler (manual §"Handling requests"). Called once when headers arrive, then per body chunk, then
/// once more with no data. On the first call only the state is created (queueing a response then closes
/// keep-alive), except for a declared body over the limit: its 413 is queued at once, because libmicrohttpd
/// decides right after this first call whether to send "100 Continue" (it does unless a response is queued) and
/// later calls carrying body data cannot queue a response. The connection then closes without reading the body.
private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, state in
    guard let cls, let connection, let state, let uploadSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    guard let existing = state.pointee else {
        let fresh = RequestState()
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
    if uploadSize.pointee > 0 {
        if !request.tooLarge, let uploadData {
            if request.body.count + uploadSize.pointee > request.bodyLimit {
                request.tooLarge = true
                request.body = []
            } else {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) { bytes in
                    request.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: uploadSize.pointee))
                }
            }
        }
        uploadSize.pointee = 0
        return .YES
    }
    if request.tooLarge {
        return send(connection, server.handler413(limit: request.bodyLimit))
    }
    var address = [CChar](repeating: 0, count: 64)
    let remote = mappa_mhd_client_address(connection, &address, socklen_t(address.count)) == 0
        ? String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    let incoming = Request(method: method.map { String(cString: $0) } ?? "GET",
                           path: url.map { String(cString: $0) } ?? "/",
                           query: collectPairs(connection, .GET_ARGUMENT_KIND),
                           headers: Headers(collectPairs(connection, .HEADER_KIND)),
                           body: request.body, remoteAddress: remote)
    request.body = []
    let response = (try? server.handler(incoming))
        ?? .text("Sorry, there is a problem with the service. Try again later.", status: 500)
    return send(connection, response)
}

/// Frees the per-request state once libmicrohttpd is done with the request (MHD_OPTION_NOTIFY_COMPLETED).
private let completedHandler: MHD_RequestCompletedCallback = { _, _, state, _ in
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
