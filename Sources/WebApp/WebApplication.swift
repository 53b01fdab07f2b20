import Database
import Domain
import Foundation
import HTTPServer
import Store

/// Settings the web app needs from whoever starts it.
public struct WebConfiguration: Sendable {
    /// Adds `Secure` to cookies; set when the app is served over TLS (directly or behind a proxy).
    public var secureCookies: Bool
    public init(secureCookies: Bool = false) { self.secureCookies = secureCookies }
}

/// Everything a route needs, shared by all of them. Sendable and immutable: per-user state lives in the
/// database.
struct Services: Sendable {
    let database: Database
    let accounts: AccountService
    let configuration: WebConfiguration
    let clock: Clock
    let casework: CaseworkService
    let imports: ImportJobs
    let meetings: MeetingService
    let minutes: MinutesService
    let actions: ActionService
    let statistics: StatisticsService
    var audit: AuditTrail { accounts.audit }
}

/// The whole web application as one function from request to response, so it can be served by
/// `HTTPServer` or called directly by tests. Holds no per-user state: sessions live in the database, so
/// several instances can share one PostgreSQL.
public final class WebApplication: Sendable {
    public let database: Database
    public let accounts: AccountService
    public let casework: CaseworkService
    public let meetings: MeetingService
    public let minutes: MinutesService
    public let actions: ActionService
    public let statistics: StatisticsService
    private let handler: Handler
    /// Every route as "METHOD /pattern", so tests can hold each one to an access rule.
    public let routeTable: [String]

    public init(database: Database, clock: Clock = .system, configuration: WebConfiguration = WebConfiguration(),
                sessionPolicy: SessionPolicy = SessionPolicy(), accountThrottle: LoginThrottle = LoginThrottle(),
                auditStaging: AuditStaging? = nil) {
        self.database = database
        let accounts = AccountService(database: database, clock: clock, sessionPolicy: sessionPolicy,
                                      accountThrottle: accountThrottle, auditStaging: auditStaging)
        self.accounts = accounts
        let casework = CaseworkService(database: database, clock: clock)
        self.casework = casework
        let meetings = MeetingService(database: database, clock: clock)
        self.meetings = meetings
        let minutes = MinutesService(database: database, clock: clock)
        self.minutes = minutes
        let actions = ActionService(database: database, clock: clock)
        self.actions = actions
        let statistics = StatisticsService(database: database, clock: clock)
        self.statistics = statistics
        let services = Services(database: database, accounts: accounts, configuration: configuration, clock: clock,
                                casework: casework, imports: ImportJobs(), meetings: meetings,
                                minutes: minutes, actions: actions, statistics: statistics)
        let router = Self.routes(services)
        self.routeTable = router.routes.map { "\($0.method) \($0.pattern)" }
        self.handler = Middleware.secure { request in router.handle(request) }
    }

    /// Paths that take large file uploads; the server allows them a bigger body than other requests.
    public static let uploadPaths: Set<String> = [ImportRoutes.uploadPath, StatisticsRoutes.eventsUploadPath]

    /// Runs a request through the app. Never throws: every failure becomes a page that explains itself
    /// without internals.
    public func handle(_ request: Request) -> Response {
        (try? handler(request)) ?? Self.errorResponse(request, CancellationError())
    }

    private static func routes(_ services: Services) -> Router {
        var router = Router()
        router.errorResponder = { request, error in errorResponse(request, error) }
        router.get("/healthz") { _ in .text("ok") }
        router.get("/readyz") { _ in
            services.database.ping() ? .text("ready") : .text("database unavailable", status: 503)
        }
        router.get(Assets.stylesheetPath) { request in Assets.stylesheetFile.response(for: request) }
        router.get(Assets.scriptPath) { request in Assets.scriptFile.response(for: request) }
        AuthRoutes.register(&router, services)
        HomeRoutes.register(&router, services)
        AdminRoutes.register(&router, services)
        AuditRoutes.register(&router, services)
        ReferralRoutes.register(&router, services)
        CaseRoutes.register(&router, services)
        ImportRoutes.register(&router, services)
        MeetingRoutes.register(&router, services)
        AgencyRoutes.register(&router, services)
        MinutesRoutes.register(&router, services)
        TimescaleRoutes.register(&router, services)
        ActionRoutes.register(&router, services)
        StatisticsRoutes.register(&router, services)
        AreaRoutes.register(&router, services)
        KPIRoutes.register(&router, services)
        ApiRoutes.register(&router, services)
        MailRoutes.register(&router, services)
        return router
    }

    /// Maps any thrown error to a page: known HTTP errors keep their status and message; anything else is a
    /// 500 whose code goes only to the log.
    static func errorResponse(_ request: Request, _ error: Error) -> Response {
        let http: HTTPError
        if let finished = error as? FinishedResponse { return finished.response }
        if let known = error as? HTTPError {
            http = known
        } else if let store = error as? StoreError {
            // Store errors describe a rule of the records (already submitted, changed by someone else) in words
            // safe to show; they are the person's to resolve, not the server's failure.
            http = HTTPError(status: store.code == "not_found" ? 404 : 409, code: store.code, description: store.description)
        } else {
            let code = (error as? DatabaseError).map { "database_\($0.code.rawValue)" } ?? "internal"
            FileHandle.standardError.write(Data("{\"level\":\"error\",\"code\":\"\(code)\"}\n".utf8))
            http = HTTPError(status: 500, code: code, description: "Sorry, there is a problem with the service. Try again later.")
        }
        if request.path.hasPrefix("/api/") { return Response.problem(http) }
        return ErrorPages.page(http)
    }
}

extension Response {
    /// An RFC 9457 problem document.
    static func problem(_ error: HTTPError) -> Response {
        let body: [String: Any] = ["type": "about:blank", "title": error.description, "status": error.status,
                                   "code": error.code]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return .json(Array(data), status: error.status, contentType: "application/problem+json")
    }
}
