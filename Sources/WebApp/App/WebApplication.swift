import Database
import Domain
import Foundation
import HTTPServer
import Store

/// The whole web application as one function from request to response, so it can be served by `HTTPServer` or called
/// directly by tests. Holds no per-user state: sessions live in the database, so several instances can share one
/// PostgreSQL.
public final class WebApplication: Sendable {
    /// Every store, made once (`Stores`), for the command line and tests that set up records.
    public let stores: Stores
    private let handler: Handler
    /// Every route as "METHOD /pattern", so tests can hold each one to an access rule.
    public let routeTable: [String]
    /// This instance's counters, served at `/metrics` to the configured scraper.
    public let metrics = AppMetrics()

    public init(stores: Stores, configuration: WebConfiguration = WebConfiguration()) {
        self.stores = stores
        let services = Services(stores: stores, configuration: configuration, imports: ImportJobs(), metrics: metrics)
        let router = Self.routes(services)
        routeTable = router.routes.map { "\($0.method) \($0.pattern)" }
        handler = Middleware.secure(strictTransportSecurity: configuration.secureCookies) { request in router.handle(request) }
    }

    /// Paths that take large file uploads; the server allows them a bigger body than other requests.
    public static let uploadPaths: Set<String> = [RegisterImportRoutes.uploadPath, StatisticsRoutes.eventsUploadPath]

    /// The server's `sessionCheck`: true when the request carries an active session cookie or a valid API token,
    /// and, for an upload path, its user may import (`editCases`). One lookup, before any body byte is read; the
    /// session's idle clock is refreshed as on any signed-in request.
    public func mayUpload(path: String, headers: Headers) -> Bool {
        let request = Request(method: "POST", path: path, headers: headers)
        let user: User?
        if let token = request.bearerToken {
            user = try? stores.apiTokens.authenticate(token)
        } else if case .active(let session)? = try? stores.accounts.sessions.lookup(token: request.cookies[CookieName.session] ?? "") {
            user = session.user
        } else {
            user = nil
        }
        guard let user else { return false }
        return !Self.uploadPaths.contains(path) || user.role.can(.editCases)
    }

    /// Runs a request through the app. Never throws: every failure becomes a page that explains itself without
    /// internals.
    public func handle(_ request: Request) -> Response {
        (try? handler(request)) ?? ErrorMapping.response(request, CancellationError(), session: nil)
    }

    private static func routes(_ services: Services) -> Router {
        var router = Router(metrics: services.metrics.requests)
        router.errorResponder = { request, error in ErrorMapping.response(request, error, session: nil) }
        router.get("/healthz") { _ in .text("ok") }
        router.get("/readyz") { _ in
            services.stores.database.ping() ? .text("ready") : .text("database unavailable", status: 503)
        }
        router.get(Assets.stylesheetPath) { request in Assets.stylesheetFile.response(for: request) }
        router.get(Assets.scriptPath) { request in Assets.scriptFile.response(for: request) }
        AuthRoutes.register(&router, services)
        HomeRoutes.register(&router, services)
        AdminRoutes.register(&router, services)
        AuditRoutes.register(&router, services)
        ReferralRoutes.register(&router, services)
        ScreeningRoutes.register(&router, services)
        NominalRoutes.register(&router, services)
        CaseRoutes.register(&router, services)
        CaseloadRoutes.register(&router, services)
        CaseCreateRoutes.register(&router, services)
        CaseEditRoutes.register(&router, services)
        CaseAccessRoutes.register(&router, services)
        CaseAuditRoutes.register(&router, services)
        RegisterImportRoutes.register(&router, services)
        MeetingRoutes.register(&router, services)
        AgendaRoutes.register(&router, services)
        InvitationRoutes.register(&router, services)
        InvitationReplyRoutes.register(&router, services)
        AttendanceRoutes.register(&router, services)
        AgencyRoutes.register(&router, services)
        ContactLogRoutes.register(&router, services)
        MinutesRoutes.register(&router, services)
        ReadableMinutesRoutes.register(&router, services)
        TimescaleRoutes.register(&router, services)
        ActionRoutes.register(&router, services)
        StatisticsRoutes.register(&router, services)
        AreaRoutes.register(&router, services)
        KPIRoutes.register(&router, services)
        ApiRoutes.register(&router, services)
        MailRoutes.register(&router, services)
        MetricsRoutes.register(&router, services)
        return router
    }
}
