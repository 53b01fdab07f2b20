import Foundation

/// Routes a request by method and path pattern. Patterns are literal segments and `:name` parameters,
/// e.g. "/cases/:id/minutes". Static segments win over parameters when both match.
public struct Router: Sendable {
    public struct Route: Sendable {
        public var method: String
        public var pattern: String
        let segments: [Segment]
        let handler: Handler
        /// This route's counters, when the router is measured.
        let metrics: RouteMetrics?
        /// Not named in a 405's Allow list: to a request with another method the path does not exist (404).
        let unlisted: Bool
    }
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public private(set) var routes: [Route] = []
    /// The positions in `routes` of each method's routes with so many segments: a request is matched against
    /// those only, not against every route (a scan of all of them was a twentieth of a simple page's time).
    private var candidates: [String: [Int: [Int]]] = [:]
    /// Turns a thrown error into a response; the web app supplies one that renders its own error page.
    public var errorResponder: @Sendable (Request, Error) -> Response = { _, error in
        if let http = error as? HTTPError { return .text(http.description, status: http.status) }
        return .text("Sorry, there is a problem with the service", status: 500)
    }

    /// Counts requests and their times by route pattern, when given (`RequestMetrics`).
    public let metrics: RequestMetrics?

    public init(metrics: RequestMetrics? = nil) {
        self.metrics = metrics
    }

    /// `unlisted`: a route whose existence is not disclosed (`/metrics`): another method on its path gets 404, not 405.
    public mutating func add(_ method: String, _ pattern: String, unlisted: Bool = false, _ handler: @escaping Handler) {
        let segments = Router.split(pattern).map { part -> Segment in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(part)
        }
        let route = Route(method: method.uppercased(), pattern: pattern, segments: segments, handler: handler,
                          metrics: metrics?.register(method: method.uppercased(), pattern: pattern), unlisted: unlisted)
        candidates[route.method, default: [:]][segments.count, default: []].append(routes.count)
        routes.append(route)
    }
    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add("GET", pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add("POST", pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add("PUT", pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: @escaping Handler) { add("PATCH", pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add("DELETE", pattern, handler) }

    static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Finds the route for a request: (route, parameters), or the allowed methods when only the method is wrong.
    func match(_ method: String, _ path: String) -> (Route, [String: String])? {
        let parts = Router.split(path)
        var best: (Route, [String: String], Int)?
        var positions = candidates[method]?[parts.count] ?? []
        if method == "HEAD" { positions += candidates["GET"]?[parts.count] ?? [] }
        for position in positions {
            let route = routes[position]
            guard let (params, literals) = Router.bind(route.segments, parts) else { continue }
            if best == nil || literals > best!.2 { best = (route, params, literals) }
        }
        return best.map { ($0.0, $0.1) }
    }

    static func bind(_ segments: [Segment], _ parts: [String]) -> ([String: String], Int)? {
        guard segments.count == parts.count else { return nil }
        var params: [String: String] = [:]
        var literals = 0
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard text == part else { return nil }
                literals += 1
            case .parameter(let name):
                params[name] = part
            }
        }
        return (params, literals)
    }

    public func allowedMethods(for path: String) -> [String] {
        let parts = Router.split(path)
        var methods = Set<String>()
        for route in routes where !route.unlisted && Router.bind(route.segments, parts) != nil { methods.insert(route.method) }
        return methods.sorted()
    }

    /// Runs the matching handler; 404 when no pattern matches, 405 (with Allow) when only the method differs.
    /// With `metrics`, counts the request and its time under the route's pattern.
    public func handle(_ request: Request) -> Response {
        guard let metrics else { return dispatch(request).0 }
        let started = DispatchTime.now().uptimeNanoseconds
        let (response, route) = dispatch(request)
        (route?.metrics ?? metrics.unmatched).record(status: response.status,
                                                     nanoseconds: DispatchTime.now().uptimeNanoseconds &- started)
        return response
    }

    private func dispatch(_ request: Request) -> (Response, Route?) {
        guard let (route, params) = match(request.method, request.path) else {
            let allowed = allowedMethods(for: request.path)
            if allowed.isEmpty { return (errorResponder(request, HTTPError.notFound), nil) }
            var response = errorResponder(request, HTTPError(status: 405, code: "method_not_allowed",
                                                             description: "That action is not allowed on this page"))
            response.headers.set("Allow", allowed.joined(separator: ", "))
            return (response, nil)
        }
        var bound = request
        bound.pathParameters = params
        do {
            // libmicrohttpd drops the body of a HEAD response itself and keeps its Content-Length.
            return (try route.handler(bound), route)
        } catch {
            return (errorResponder(bound, error), route)
        }
    }
}
