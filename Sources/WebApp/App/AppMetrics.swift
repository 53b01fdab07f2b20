import Crypto
import Database
import Domain
import Foundation
import HTTPServer
import Store

/// Who may read `/metrics`: a scraper at one of `addresses` (`mappa serve --metrics-from`), or one presenting
/// `Authorization: Bearer` with `token` (MAPPA_METRICS_TOKEN). Nobody when neither is set.
public struct MetricsAccess: Sendable {
    public var addresses: Set<String>
    public var token: String?
    public init(addresses: Set<String> = [], token: String? = nil) {
        self.addresses = addresses
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A token this short could be guessed; `mappa serve` refuses one.
    public static let shortestToken = 16

    func allows(_ request: Request) -> Bool {
        if addresses.contains(request.remoteAddress) { return true }
        guard let token, let presented = request.bearerToken else { return false }
        // Hashed first, so the comparison takes the same time whatever the presented token's length.
        return Crypto.constantTimeEqual(Crypto.sha256(Array(presented.utf8)), Crypto.sha256(Array(token.utf8)))
    }
}

/// This build, as the metrics report it.
public enum BuildInfo {
    /// The release; the Debian package carries the same number.
    public static let version = "1.0.0"
}

/// What an operator's Prometheus reads about this instance, owned by the app (one per `WebApplication`, no globals):
/// requests by route pattern and status class with their latencies (counted by the router, `RequestMetrics`), sign-in
/// failures and throttles, and, read when scraped, the database pools, the mail outbox, the audit staging file,
/// active sessions and the process. Counts only: no path, id, name or address is ever a label.
public final class AppMetrics: Sendable {
    public let requests = RequestMetrics()
    public let signInFailures = Counter()
    public let signInThrottles = Counter()
    public let signIns = Counter()
    private let started = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// The Prometheus text exposition format, version 0.0.4.
    /// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every metric, read now.
    func exposition(_ stores: Stores) -> String {
        var out = Exposition()
        out.family("mappa_build_info", "gauge", "The running build: release and the newest schema version it knows.")
        out.sample("mappa_build_info", ["version": BuildInfo.version, "schema": String(Schema.migrator.latestVersion)], 1)

        let routes = requests.routes
        out.family("mappa_http_requests_total", "counter", "Requests answered, by route pattern and status class.")
        for route in routes {
            for (statusClass, count) in route.byStatusClass {
                out.sample("mappa_http_requests_total", ["method": route.method, "route": route.pattern, "status": statusClass], Double(count))
            }
        }
        out.family("mappa_http_request_duration_seconds", "histogram", "Time to answer a request, by route pattern.")
        for route in routes {
            let cumulative = route.cumulativeLatencies
            guard let count = cumulative.last, count > 0 else { continue }
            let labels = ["method": route.method, "route": route.pattern]
            for (bound, total) in zip(RequestMetrics.latencyBounds, cumulative) {
                out.sample("mappa_http_request_duration_seconds_bucket", labels.merging(["le": Exposition.number(bound)]) { a, _ in a }, Double(total))
            }
            out.sample("mappa_http_request_duration_seconds_bucket", labels.merging(["le": "+Inf"]) { a, _ in a }, Double(count))
            out.sample("mappa_http_request_duration_seconds_sum", labels, route.totalSeconds)
            out.sample("mappa_http_request_duration_seconds_count", labels, Double(count))
        }

        out.family("mappa_signin_failures_total", "counter", "Sign-ins refused for a wrong username or password.")
        out.sample("mappa_signin_failures_total", [:], Double(signInFailures.current))
        out.family("mappa_signin_throttled_total", "counter", "Sign-ins refused because of too many recent failures.")
        out.sample("mappa_signin_throttled_total", [:], Double(signInThrottles.current))
        out.family("mappa_signins_total", "counter", "Successful sign-ins.")
        out.sample("mappa_signins_total", [:], Double(signIns.current))

        let pools = stores.database.poolStatistics
        out.family("mappa_database_pool_size", "gauge", "Connections in each pool.")
        for pool in pools { out.sample("mappa_database_pool_size", ["pool": pool.name], Double(pool.size)) }
        out.family("mappa_database_pool_acquisitions_total", "counter", "Connections taken from each pool.")
        for pool in pools { out.sample("mappa_database_pool_acquisitions_total", ["pool": pool.name], Double(pool.acquisitions)) }
        out.family("mappa_database_pool_waits_total", "counter", "Takers that found every connection in use and waited.")
        for pool in pools { out.sample("mappa_database_pool_waits_total", ["pool": pool.name], Double(pool.waits)) }
        out.family("mappa_database_pool_wait_seconds_total", "counter", "Time spent waiting for a connection.")
        for pool in pools { out.sample("mappa_database_pool_wait_seconds_total", ["pool": pool.name], Double(pool.waitNanoseconds) / 1e9) }

        // Read from the database: when it does not answer, these are left out and mappa_database_up says so.
        var databaseUp = true
        if let depth = try? stores.outbox.depth() {
            out.family("mappa_outbox_waiting_messages", "gauge", "Mail queued or being sent, not yet accepted by the mail server.")
            out.sample("mappa_outbox_waiting_messages", [:], Double(depth.waiting))
            out.family("mappa_outbox_oldest_waiting_age_seconds", "gauge", "How long the oldest waiting message has waited (0 when none).")
            out.sample("mappa_outbox_oldest_waiting_age_seconds", [:],
                       depth.oldestQueuedAt.map { max(0, stores.clock.now().timeIntervalSince($0)) } ?? 0)
        } else {
            databaseUp = false
        }
        if let sessions = try? stores.accounts.sessions.activeCount() {
            out.family("mappa_sessions_active", "gauge", "Signed-in sessions within their idle and absolute timeouts.")
            out.sample("mappa_sessions_active", [:], Double(sessions))
        } else {
            databaseUp = false
        }
        out.family("mappa_audit_staging_waiting_entries", "gauge",
                   "Audit entries committed to the staging file and not yet chained in the database (0 without staging).")
        if let staging = stores.audit.staging {
            if let waiting = try? staging.waiting() { out.sample("mappa_audit_staging_waiting_entries", [:], Double(waiting)) }
        } else {
            out.sample("mappa_audit_staging_waiting_entries", [:], 0)
        }
        out.family("mappa_database_up", "gauge", "1 when the database answered this scrape's queries.")
        out.sample("mappa_database_up", [:], databaseUp ? 1 : 0)

        let process = ProcessFigures.read()
        out.family("process_resident_memory_bytes", "gauge", "Resident memory (VmRSS in /proc/self/status).")
        out.sample("process_resident_memory_bytes", [:], Double(process.residentBytes))
        out.family("process_open_fds", "gauge", "Open file descriptors (/proc/self/fd).")
        out.sample("process_open_fds", [:], Double(process.openFileDescriptors))
        out.family("mappa_uptime_seconds", "gauge", "Seconds since this instance started serving.")
        out.sample("mappa_uptime_seconds", [:], Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9)
        return out.text
    }
}

/// The process as Linux reports it.
struct ProcessFigures {
    var residentBytes: Int
    var openFileDescriptors: Int

    static func read() -> ProcessFigures {
        var resident = 0
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
           let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) }) {
            resident = kilobytes * 1024
        }
        // Less the one the listing itself holds open.
        let fds = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count).map { max(0, $0 - 1) } ?? 0
        return ProcessFigures(residentBytes: resident, openFileDescriptors: fds)
    }
}

/// Writes the text format: a HELP and TYPE line per family, then its samples, labels escaped as the format says.
struct Exposition {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.number(value))\n"
    }

    /// Label values: backslash, double quote and line feed escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// `GET /metrics` for the configured scraper; to anyone else it does not exist (404, as an unknown page).
enum MetricsRoutes {
    static let path = "/metrics"

    static func register(_ router: inout Router, _ services: Services) {
        router.add("GET", path, unlisted: true) { request in
            guard services.configuration.metricsAccess.allows(request) else { throw HTTPError.notFound }
            var response = Response(status: 200, body: Array(services.metrics.exposition(services.stores).utf8))
            response.headers.set("Content-Type", AppMetrics.contentType)
            return response
        }
    }
}
