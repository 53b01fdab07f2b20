import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// `GET /metrics`: only the configured scraper reads it, everyone else finds no such page; it counts requests under
/// route patterns (never a path, id or name) and its figures move as the app is used.
@Suite("Metrics")
struct MetricsTests {
    static let scraper = "192.0.2.77"
    static let token = "metrics-token-0123456789abcdef"

    /// The app as `mappa serve --metrics-from 192.0.2.77` with MAPPA_METRICS_TOKEN set runs it.
    static func app(_ fixture: AppFixture) -> WebApplication {
        WebApplication(stores: fixture.stores, configuration: WebConfiguration(
            metricsAccess: MetricsAccess(addresses: [scraper], token: token)))
    }

    static func scrape(_ app: WebApplication) -> Response {
        TestClient(app, address: scraper).get("/metrics")
    }

    /// The value of the sample written exactly as `series` (name with its labels, as the app writes them).
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("anyone but the configured scraper finds no such page: other addresses, no token, a wrong or empty token, a session",
          arguments: DatabaseKind.available)
    func refused(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let app = Self.app(fixture)
        let unknownPage = TestClient(app).get("/no-such-page")
        var attempts: [TestClient] = [TestClient(app), TestClient(app, address: "192.0.2.78")]
        for wrong in ["metrics-token-0123456789abcdeX", "metrics-token", Self.token + "x", ""] {
            let client = TestClient(app)
            client.bearer = wrong
            attempts.append(client)
        }
        let administrator = TestClient(app)
        administrator.signIn("user.administrator", AppFixture.password)
        attempts.append(administrator)
        for client in attempts {
            let response = client.get("/metrics")
            #expect(response.status == 404)
            #expect(response.bodyText == unknownPage.bodyText, "the refusal looks like any unknown page")
            #expect(!response.bodyText.contains("mappa_"))
        }
        // Another method does not give it away with a 405 and an Allow list, not even from the scraper.
        for method in ["POST", "PUT", "DELETE"] {
            let response = TestClient(app, address: Self.scraper).send(Request(method: method, path: "/metrics"))
            #expect(response.status == 404 && response.headers["Allow"] == nil, "\(method) /metrics answered \(response.status)")
        }
        // With nothing configured (the default), not even the loopback address reads it.
        #expect(TestClient(fixture.app, address: "127.0.0.1").get("/metrics").status == 404)
        #expect(TestClient(WebApplication(stores: fixture.stores, configuration: WebConfiguration(
            metricsAccess: MetricsAccess(token: "")))).get("/metrics").status == 404)
    }

    @Test("the scraper's address or its bearer token (from any address) reads the Prometheus text format",
          arguments: DatabaseKind.available)
    func allowed(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let app = Self.app(fixture)
        let byAddress = Self.scrape(app)
        #expect(byAddress.status == 200)
        #expect(byAddress.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(byAddress.headers["Cache-Control"] == "no-store")
        let tokenClient = TestClient(app, address: "198.51.100.9")
        tokenClient.bearer = Self.token
        let byToken = tokenClient.get("/metrics")
        #expect(byToken.status == 200)
        for text in [byAddress.bodyText, byToken.bodyText] {
            for family in ["mappa_http_requests_total", "mappa_http_request_duration_seconds", "mappa_database_pool_waits_total",
                           "mappa_outbox_waiting_messages", "mappa_outbox_oldest_waiting_age_seconds",
                           "mappa_audit_staging_waiting_entries", "mappa_signin_failures_total", "mappa_signin_throttled_total",
                           "mappa_sessions_active", "process_resident_memory_bytes", "process_open_fds", "mappa_uptime_seconds",
                           "mappa_build_info"] {
                #expect(text.contains("# TYPE \(family) "), "no \(family)")
            }
            #expect((Self.value(text, "process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((Self.value(text, "process_open_fds") ?? 0) > 2)
            #expect(Self.value(text, "mappa_database_up") == 1)
            #expect(text.contains("mappa_build_info{schema=\"\(Schema.migrator.latestVersion)\",version=\"\(BuildInfo.version)\"} 1"))
        }
    }

    @Test("requests are counted under their route pattern and status class, never the path with its id or a name",
          arguments: DatabaseKind.available)
    func labelsArePatterns(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let app = Self.app(fixture)
        let caseID = try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "MET-1", familyName: "Labelwood", givenNames: "Robin", dateOfBirth: CalendarDate("1981-02-03")!,
            category: .two, level: .two, leadAgency: "probation", mappaStartDate: CalendarDate("2026-01-01"))])["MET-1"]!
        let coordinator = TestClient(app)
        coordinator.signIn("user.coordinator", AppFixture.password)
        #expect(coordinator.get("/cases/\(caseID)").status == 200)
        #expect(coordinator.get("/cases/\(caseID)/edit").status == 200)
        #expect(coordinator.get("/nominals?q=Labelwood").status == 200)
        #expect(TestClient(app).get("/people/Labelwood/\(caseID)").status == 404)

        let text = Self.scrape(app).bodyText
        #expect(Self.value(text, #"mappa_http_requests_total{method="GET",route="/cases/:id",status="2xx"}"#) == 1)
        #expect(Self.value(text, #"mappa_http_requests_total{method="GET",route="/cases/:id/edit",status="2xx"}"#) == 1)
        #expect(Self.value(text, #"mappa_http_request_duration_seconds_count{method="GET",route="/cases/:id"}"#) == 1)
        #expect(Self.value(text, #"mappa_http_requests_total{method="any",route="unmatched",status="4xx"}"#) == 1)
        let patterns = Set(app.routeTable.map { $0.split(separator: " ", maxSplits: 1)[1] })
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(!line.contains("Labelwood") && !line.contains("/\(caseID)") && !line.contains("people") && !line.contains("192.0.2"),
                    "personal data or an id in \(line)")
            if let start = line.range(of: "route=\"") {
                let route = line[start.upperBound...].prefix { $0 != "\"" }
                #expect(route == "unmatched" || patterns.contains(route), "\(route) is not a route pattern")
            }
        }
    }

    @Test("counts move as the app is used: requests, latencies, sign-in failures and throttles, sessions, pool use, the outbox",
          arguments: DatabaseKind.available)
    func countsMove(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let app = Self.app(fixture)
        let before = Self.scrape(app).bodyText
        let healthz = #"mappa_http_requests_total{method="GET",route="/healthz",status="2xx"}"#
        let healthzCount = #"mappa_http_request_duration_seconds_count{method="GET",route="/healthz"}"#
        let healthzFast = #"mappa_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/healthz"}"#
        #expect(Self.value(before, healthz) == nil)
        for _ in 0..<3 { TestClient(app).get("/healthz") }

        let guesser = TestClient(app, address: "203.0.113.5")
        for _ in 0..<8 { guesser.signIn("user.chair", "not the password") }
        let signedIn = TestClient(app)
        signedIn.signIn("user.coordinator", AppFixture.password)
        let caseID = try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "MET-2", familyName: "Countley", givenNames: "Jo", dateOfBirth: CalendarDate("1982-02-03")!,
            category: .two, level: .two, leadAgency: "probation", mappaStartDate: CalendarDate("2026-01-01"))])["MET-2"]!
        #expect(signedIn.get("/cases/\(caseID)").status == 200)
        try fixture.stores.outbox.enqueue(mail: OutgoingMail(from: Mailbox(name: "", address: "mappa@example.invalid"),
                                                             to: [Mailbox(name: "", address: "a@example.invalid")], subject: "s", text: "t"),
                                          purpose: "test")
        fixture.clock.advance(by: 90)

        let after = Self.scrape(app).bodyText
        #expect(Self.value(after, healthz) == 3)
        #expect(Self.value(after, healthzCount) == 3)
        #expect(Self.value(after, healthzFast) == 3)
        let failures = Self.value(after, "mappa_signin_failures_total") ?? 0
        let throttled = Self.value(after, "mappa_signin_throttled_total") ?? 0
        #expect(failures >= 1 && throttled >= 1 && failures + throttled == 8, "failures \(failures), throttled \(throttled)")
        #expect(Self.value(after, "mappa_signins_total") == 1)
        #expect(Self.value(after, #"mappa_http_requests_total{method="POST",route="/login",status="4xx"}"#) == 8)
        #expect((Self.value(after, "mappa_sessions_active") ?? 0) >= 1)
        #expect(Self.value(after, "mappa_outbox_waiting_messages") == 1)
        #expect((Self.value(after, "mappa_outbox_oldest_waiting_age_seconds") ?? 0) >= 90)
        // On SQLite page views wait in the staging file until chained: the lag shows them, and falls when they are.
        if kind == .sqlite {
            #expect((Self.value(after, "mappa_audit_staging_waiting_entries") ?? 0) >= 1)
            try fixture.stores.audit.moveStaged()
            #expect(Self.value(Self.scrape(app).bodyText, "mappa_audit_staging_waiting_entries") == 0)
        }
        let pool = kind == .sqlite ? "sqlite_readers" : "postgres"
        #expect((Self.value(after, #"mappa_database_pool_acquisitions_total{pool="\#(pool)"}"#) ?? 0)
                > (Self.value(before, #"mappa_database_pool_acquisitions_total{pool="\#(pool)"}"#) ?? 0))
        #expect(Self.value(after, #"mappa_database_pool_waits_total{pool="\#(pool)"}"#) != nil)
    }

    @Test("exposition format: label values escaped, whole numbers without a decimal point")
    func format() {
        var out = Exposition()
        out.sample("x", ["route": "a\"b\\c\nd"], 2)
        out.sample("y", [:], 0.25)
        #expect(out.text == "x{route=\"a\\\"b\\\\c\\nd\"} 2\ny 0.25\n")
    }
}
