import Crypto
import Domain
import Foundation
import HTTPServer
import Store

/// The gate in front of every signed-in page: finds the session from its cookie, ends timed-out sessions,
/// checks the CSRF token on every state-changing request, sends people who must change their password to
/// that page, and refuses (and audits) requests their role does not allow.
enum Access {
    typealias SessionHandler = @Sendable (Request, Session) throws -> Response

    static func require(_ services: Services, _ permission: Permission?, allowWhilePasswordChangeDue: Bool = false,
                        _ body: @escaping SessionHandler) -> Handler {
        let handler: Handler = { request in
            let token = request.cookies[CookieName.session] ?? ""
            switch try services.accounts.sessions.lookup(token: token) {
            case .none:
                return signInRedirect(request, flash: nil, services: services)
            case .expired(let user, _):
                try services.audit.record(actor: Actor(userID: user.id, username: user.username,
                                                       clientAddress: request.remoteAddress),
                                          action: .sessionExpired, subjectType: "account", subjectID: user.username)
                return signInRedirect(request, flash: .sessionExpired, services: services)
            case .active(let session):
                if request.isStateChanging {
                    // A form that cannot be read (not UTF-8, a NUL in a field) is that error, not an expired form.
                    let submitted: String
                    do { submitted = try request.form()["csrf_token"] ?? "" } catch {
                        return ErrorMapping.response(request, error, session: session)
                    }
                    guard Crypto.constantTimeEqual(submitted, session.csrfToken) else {
                        try services.audit.record(actor: request.actor(session), action: .accessRefused,
                                                  subjectType: "route", subjectID: request.path, detail: "CSRF token missing or wrong")
                        return ErrorPages.page(HTTPError(status: 403, code: "csrf",
                            description: "This form has expired or was not sent from this service. Go back, reload the page and try again."),
                            session: session)
                    }
                }
                if session.user.mustChangePassword && !allowWhilePasswordChangeDue {
                    return .redirect(to: "/account/password")
                }
                if let permission, !session.user.role.can(permission) {
                    try services.audit.record(actor: request.actor(session), action: .accessRefused,
                                              subjectType: "route", subjectID: request.path,
                                              detail: "role \(session.user.role.rawValue) lacks \(permission.rawValue)")
                    return ErrorPages.forbidden(session: session)
                }
                do {
                    var response = try body(request, session)
                    // A one-time message has been shown by the page this request read: never again.
                    if request.method == "GET", request.cookies[CookieName.flash] != nil, response.status < 300 {
                        response.setCookie(expiredCookie(CookieName.flash, services))
                    }
                    return response
                } catch {
                    return ErrorMapping.response(request, error, session: session)
                }
            }
        }
        return readingOneSnapshot(services, handler)
    }

    /// A page read (GET or HEAD) reads everything it shows through one database connection and snapshot: the
    /// session, the access checks and the page's dozen queries (`Database.snapshot`). Forms that change things
    /// read as before, each query on its own.
    static func readingOneSnapshot(_ services: Services, _ handler: @escaping Handler) -> Handler {
        return { request in
            request.isStateChanging ? try handler(request) : try services.database.snapshot { try handler(request) }
        }
    }

    /// Sends the browser to sign in, remembering where it was going (GET only; a form post cannot be replayed).
    static func signInRedirect(_ request: Request, flash: Flash?, services: Services) -> Response {
        var query: [String] = []
        if let flash { query.append("done=\(flash.rawValue)") }
        if request.method == "GET", request.path != "/" {
            query.append("next=" + (request.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        var response = Response.redirect(to: "/login" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        response.setCookie(expiredCookie(CookieName.session, services))
        return response
    }

    static func cookie(_ name: String, _ value: String, _ services: Services, maxAge: Int? = nil) -> SetCookie {
        SetCookie(name: name, value: value, path: "/", maxAge: maxAge, secure: services.configuration.secureCookies,
                  httpOnly: true, sameSite: .strict)
    }

    static func expiredCookie(_ name: String, _ services: Services) -> SetCookie {
        cookie(name, "", services, maxAge: 0)
    }
}
