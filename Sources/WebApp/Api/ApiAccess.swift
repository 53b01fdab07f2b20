import Domain
import Foundation
import HTTPServer
import Store

extension Request {
    /// Who is making an API request, for the audit trail.
    func actor(_ user: User) -> Actor {
        Actor(userID: user.id, username: user.username, clientAddress: remoteAddress)
    }

    /// The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or nil when there is none.
    var bearerToken: String? {
        guard let header = headers["Authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// The gate in front of every API endpoint, the API's counterpart of `Access.require`: the caller is the user
/// of a bearer token (no cookies, so no CSRF token is needed or read); a missing or unusable token is 401 with
/// `WWW-Authenticate`, a role without the permission is 403 and audited. Every answer is JSON (`ErrorMapping`):
/// never a redirect to the sign-in page and never an HTML page.
enum ApiAccess {
    typealias ClientHandler = @Sendable (Request, Viewer) throws -> Response

    static let realm = "MAPPA Coordinator API"

    static func require(_ services: Services, _ permission: Permission?, _ body: @escaping ClientHandler) -> Handler {
        return Access.readingOneSnapshot(services) { request in
            guard let presented = request.bearerToken else {
                return unauthorized("Send an API token in an Authorization: Bearer header", challenge: "Bearer realm=\"\(realm)\"")
            }
            guard let user = try services.apiTokens.authenticate(presented) else {
                try services.audit.record(actor: Actor(userID: nil, username: "(api token)", clientAddress: request.remoteAddress),
                                          action: .loginFailed, subjectType: "api_token", subjectID: "",
                                          detail: "token unknown, revoked or expired, or its account disabled")
                return unauthorized("The API token is not valid: it may have expired or been revoked",
                                    challenge: "Bearer realm=\"\(realm)\", error=\"invalid_token\"")
            }
            if let permission, !user.role.can(permission) {
                try services.audit.record(actor: request.actor(user), action: .accessRefused, subjectType: "route",
                                          subjectID: request.path, detail: "role \(user.role.rawValue) lacks \(permission.rawValue)")
                return ErrorMapping.response(request, DomainError.roleRefused(), session: nil)
            }
            do {
                return try body(request, Viewer(user, from: request.remoteAddress))
            } catch {
                return ErrorMapping.response(request, error, session: nil)
            }
        }
    }

    static func unauthorized(_ description: String, challenge: String) -> Response {
        var response = Response.problem(HTTPError(status: 401, code: "unauthorized", description: description))
        response.headers.set("WWW-Authenticate", challenge)
        return response
    }
}
