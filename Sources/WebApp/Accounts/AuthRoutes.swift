import Crypto
import Domain
import Foundation
import HTTPServer
import Store

/// Signing in and out, and a user's own account.
enum AuthRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/login") { request in
            let token = request.cookies[CookieName.loginCSRF].flatMap { $0.count == 64 ? $0 : nil } ?? Crypto.randomToken()
            return loginPage(request, services, csrf: token, username: "", problems: [], status: 200)
        }
        router.post("/login") { request in try login(request, services) }
        router.post("/logout", Access.require(services, nil, allowWhilePasswordChangeDue: true) { request, session in
            try services.accounts.logout(session: session, clientAddress: request.remoteAddress)
            var response = Response.redirect(to: "/login?done=\(Flash.signedOut.rawValue)")
            response.setCookie(Access.expiredCookie(CookieName.session, services))
            return response
        })
        router.get("/account", Access.require(services, nil) { request, session in
            accountPage(request, session)
        })
        ApiTokenPages.register(&router, services)
        router.get("/account/password", Access.require(services, nil, allowWhilePasswordChangeDue: true) { _, session in
            passwordPage(session, problems: [], status: 200)
        })
        router.post("/account/password", Access.require(services, nil, allowWhilePasswordChangeDue: true) { request, session in
            let form = try request.form()
            let renewed: String
            do {
                renewed = try services.accounts.changePassword(session: session, current: form["current_password"] ?? "",
                                                     new: form["new_password"] ?? "",
                                                     confirmation: form["confirm_password"] ?? "",
                                                     clientAddress: request.remoteAddress)
            } catch let failure as DomainError where failure.isValidation {
                return passwordPage(session, problems: failure.problems, status: 422)
            }
            var response = Response.redirect(to: "/account?done=\(Flash.passwordChanged.rawValue)")
            response.setCookie(Access.cookie(CookieName.session, renewed, services))
            return response
        })
    }

    static func login(_ request: Request, _ services: Services) throws -> Response {
        let form = try request.form()
        let cookieToken = request.cookies[CookieName.loginCSRF] ?? ""
        let username = String((form["username"] ?? "").prefix(200))
        guard cookieToken.count == 64, Crypto.constantTimeEqual(form["csrf_token"] ?? "", cookieToken) else {
            return loginPage(request, services, csrf: Crypto.randomToken(), username: username, problems: [
                ValidationProblem(field: "username", message: "Your sign-in form expired. Enter your username and password again."),
            ], status: 403)
        }
        var problems: [ValidationProblem] = []
        if username.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "username", message: "Enter your username"))
        }
        let password = form["password"] ?? ""
        if password.isEmpty { problems.append(ValidationProblem(field: "password", message: "Enter your password")) }
        guard problems.isEmpty else {
            return loginPage(request, services, csrf: cookieToken, username: username, problems: problems, status: 422)
        }
        switch try services.accounts.login(username: username, password: password, clientAddress: request.remoteAddress,
                                           previousSessionToken: request.cookies[CookieName.session]) {
        case .success(let token, let user):
            services.metrics.signIns.add()
            var response = Response.redirect(to: user.mustChangePassword ? "/account/password" : safeLocalPath(request.queryValue("next")))
            response.setCookie(Access.cookie(CookieName.session, token, services))
            response.setCookie(Access.expiredCookie(CookieName.loginCSRF, services))
            return response
        case .invalidCredentials:
            services.metrics.signInFailures.add()
            return loginPage(request, services, csrf: cookieToken, username: username, problems: [
                ValidationProblem(field: "username", message: "The username or password is wrong"),
            ], status: 401)
        case .throttled(let until):
            services.metrics.signInThrottles.add()
            let minutes = max(1, Int((until.timeIntervalSince(services.clock.now()) / 60).rounded(.up)))
            var response = loginPage(request, services, csrf: cookieToken, username: username, problems: [
                ValidationProblem(field: "username",
                                  message: "There have been too many failed attempts to sign in. Wait \(minutes) minute\(minutes == 1 ? "" : "s") and try again."),
            ], status: 429)
            response.headers.set("Retry-After", String(Int(until.timeIntervalSince(services.clock.now()).rounded(.up))))
            return response
        }
    }

    static func loginPage(_ request: Request, _ services: Services, csrf: String, username: String,
                          problems: [ValidationProblem], status: Int) -> Response {
        let next = request.queryValue("next").map(safeLocalPath)
        let action = next.map { "/login?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "/login"
        let flash = Flash.from(request)
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(flash?.message, success: flash == .signedOut))
            <h1>Sign in</h1>
            <p>This service holds OFFICIAL-SENSITIVE information about people who may pose a risk of serious harm. Sign in only if you have been given an account for your work with MAPPA.</p>
            <form method="post" action="\(action)" novalidate>
              <input type="hidden" name="csrf_token" value="\(csrf)">
              \(Components.textInput("username", label: "Username", value: username, autocomplete: "username", problems: problems, width: "20"))
              \(Components.textInput("password", label: "Password", type: "password", autocomplete: "current-password", problems: problems, width: "20"))
              \(Components.button("Sign in"))
            </form>
            <p>Forgotten your password? Ask your MAPPA unit administrator to reset it.</p>
            """
        var response = Response.html(Layout.page(title: "Sign in", session: nil, currentPath: "/login",
                                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
        response.setCookie(Access.cookie(CookieName.loginCSRF, csrf, services, maxAge: 3600))
        return response
    }

    static func accountPage(_ request: Request, _ session: Session) -> Response {
        let user = session.user
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <h1>Your account</h1>
            \(Components.summaryList([
                ("Name", "\(user.displayName)"),
                ("Username", "\(user.username)"),
                ("Role", "\(user.role.displayName)"),
                ("Agency", "\(user.agencyName)"),
                ("Email", "\(user.email.isEmpty ? "Not given" : user.email)"),
                ("Last signed in", user.lastLoginAt.map { Components.time($0) } ?? "Never"),
            ]))
            <p><a href="/account/password">Change your password</a></p>
            <p><a href="/account/api-tokens">Manage your API tokens</a></p>
            """
        return .html(Layout.page(title: "Your account", session: session, currentPath: "/account", content: content).rendered)
    }

    static func passwordPage(_ session: Session, problems: [ValidationProblem], status: Int) -> Response {
        let intro: HTML = session.user.mustChangePassword
            ? "<p class=\"lead\">You must choose a new password before you continue.</p>"
            : .empty
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Change your password</h1>
            \(intro)
            \(Components.form(action: "/account/password", csrf: session.csrfToken, """
                \(Components.textInput("current_password", label: "Current password", type: "password", autocomplete: "current-password", problems: problems, width: "20"))
                \(Components.textInput("new_password", label: "New password", hint: "Use 12 characters or more. A few unrelated words together are easy to remember and hard to guess.", type: "password", autocomplete: "new-password", problems: problems, width: "20"))
                \(Components.textInput("confirm_password", label: "Confirm new password", type: "password", autocomplete: "new-password", problems: problems, width: "20"))
                \(Components.button("Change password"))
                """))
            """
        return .html(Layout.page(title: "Change your password", session: session, currentPath: "/account",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }
}
