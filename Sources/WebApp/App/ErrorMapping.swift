import Database
import Domain
import Foundation
import HTTPServer
import Store

/// The one place an error becomes an answer. A `DomainError`'s kind gives the status; its description, safe to show,
/// is what the person reads on the page, or the RFC 9457 problem's title for an API client (with the field problems of
/// a validation error as `errors`). The HTTP server's own errors (a body too large, a form that cannot be read) keep
/// their status. Anything else is a 500 whose code goes only to the log.
enum ErrorMapping {
    static func status(_ kind: DomainError.Kind) -> Int {
        switch kind {
        case .validation: return 422
        case .badRequest: return 400
        case .notFound: return 404
        case .needToKnow, .roleRefused: return 403
        case .conflict: return 409
        case .unavailable: return 503
        }
    }

    /// The response for `error` to `request`: a page (with the signed-in header when there is a `session`), or a
    /// problem document for the API.
    static func response(_ request: Request, _ error: Error, session: Session?) -> Response {
        let http: HTTPError
        var problems: [ValidationProblem] = []
        switch error {
        case let domain as DomainError:
            http = HTTPError(status: status(domain.kind), code: domain.code, description: domain.description)
            problems = domain.problems
        case let known as HTTPError:
            http = known
        default:
            let database = error as? DatabaseError
            let code = database.map { "database_\($0.code.rawValue)" } ?? "internal"
            // A decoding error's description names only a column (the driver's messages may quote values: not logged).
            let detail = database.flatMap { $0.code == .decode ? ",\"detail\":\"\($0.description)\"" : nil } ?? ""
            FileHandle.standardError.write(Data("{\"level\":\"error\",\"code\":\"\(code)\"\(detail)}\n".utf8))
            http = HTTPError(status: 500, code: code, description: "Sorry, there is a problem with the service. Try again later.")
        }
        if request.path.hasPrefix("/api/") { return .problem(http, errors: problems) }
        return ErrorPages.page(http, session: session)
    }
}
