import Domain
import Foundation
import HTTPServer
import Store

/// A user's own API tokens: list them, create one (shown once, never again) and revoke them. Any signed-in
/// user may have tokens; a token can do only what its user's role allows.
enum ApiTokenPages {
    static let path = "/account/api-tokens"

    static func register(_ router: inout Router, _ services: Services) {
        router.get(path, Access.require(services, nil) { request, session in
            try page(request, session, services, created: nil, name: "", days: ApiTokenStore.defaultLifetimeDays,
                     problems: [], status: 200)
        })
        router.post(path, Access.require(services, nil) { request, session in
            let form = try request.form()
            let name = form["name"] ?? ""
            let days = Int(form["days"] ?? "") ?? 0
            do {
                let created = try services.apiTokens.create(userID: session.user.id, name: name, lifetimeDays: days,
                                                            by: request.actor(session))
                return try page(request, session, services, created: created, name: "",
                                days: ApiTokenStore.defaultLifetimeDays, problems: [], status: 200)
            } catch let failure as DomainError where failure.isValidation {
                return try page(request, session, services, created: nil, name: name, days: days,
                                problems: failure.problems, status: 422)
            }
        })
        router.post(path + "/:id/revoke", Access.require(services, nil) { request, session in
            guard let id = request.parameter("id").flatMap(Int64.init) else { throw DomainError.notFound("The page") }
            do {
                try services.apiTokens.revoke(id: id, userID: session.user.id, by: request.actor(session))
            } catch let error as DomainError where error.kind == .notFound {
                throw DomainError.notFound("The page")
            }
            return .redirect(to: path + "?done=\(Flash.apiTokenRevoked.rawValue)")
        })
    }

    static let lifetimes = [30, 90, 180, 365]

    static func when(_ date: Date, withTime: Bool = false) -> String {
        withTime ? HumanTime.text(date) : HumanTime.day(date)
    }

    static func page(_ request: Request, _ session: Session, _ services: Services,
                     created: (token: String, record: ApiToken)?, name: String, days: Int,
                     problems: [ValidationProblem], status: Int) throws -> Response {
        let now = services.clock.now()
        let tokens = try services.apiTokens.tokens(userID: session.user.id)
        let rows = tokens.map { token -> [HTML] in
            let state: HTML
            let action: HTML
            if let revoked = token.revokedAt {
                state = Components.tag("Revoked \(when(revoked))", colour: "grey")
                action = .empty
            } else if token.expiresAt <= now {
                state = Components.tag("Expired", colour: "red")
                action = .empty
            } else {
                state = Components.tag("Active", colour: "green")
                action = """
                    <form method="post" action="\(path)/\(token.id)/revoke" class="inline-form">
                      <input type="hidden" name="csrf_token" value="\(session.csrfToken)">
                      <button type="submit" class="button button--warning">Revoke<span class="visually-hidden"> the token \(token.name)</span></button>
                    </form>
                    """
            }
            return ["\(token.name)", "\(when(token.createdAt))",
                    "\(token.lastUsedAt.map { when($0, withTime: true) } ?? "Never")", "\(when(token.expiresAt))", state, action]
        }
        let createdPanel: HTML = created.map { created in
            """
            <div class="notification notification--success" role="region" aria-labelledby="token-created-title">
              <h2 class="notification__title" id="token-created-title">API token created</h2>
              <div class="notification__body">
                <p><strong>Copy this token now. It will not be shown again</strong>: only a scrambled form of it is kept. Anyone who has it can use the API as you until it expires on \(when(created.record.expiresAt)) or you revoke it, so store it only in the system that needs it.</p>
                <label class="label" for="new-token">Your new token “\(created.record.name)”</label>
                <input class="input" id="new-token" type="text" value="\(created.token)" readonly autocomplete="off" spellcheck="false">
              </div>
            </div>
            """
        } ?? .empty
        let lifetimeOptions = lifetimes.map { (String($0), "\($0) days") }
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            \(createdPanel)
            <h1>API tokens</h1>
            <p>An API token lets another system, such as a case management system, use the MAPPA Coordinator API as you, with your role and access. Every record it reads or changes is recorded in the audit trail under your name. Give each system its own token and revoke a token as soon as it is no longer needed or may have been seen by someone else.</p>
            \(Components.table(caption: "Your API tokens",
                               headers: ["Name", "Created", "Last used", "Expires", "Status", "Action"], rows: rows, empty: "You have no API tokens."))
            <h2>Create a token</h2>
            \(Components.form(action: path, csrf: session.csrfToken, """
                \(Components.textInput("name", label: "Name", value: name,
                                       hint: "Say which system will use it, so you can tell your tokens apart", problems: problems))
                \(Components.select("days", label: "Expires after", options: lifetimeOptions,
                                    selected: String(days), problems: problems))
                \(Components.button("Create token"))
                """))
            <p><a href="/account">Back to your account</a></p>
            """
        return .html(Layout.page(title: "API tokens", session: session, currentPath: "/account", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
