import Crypto
import Domain
import Foundation
import HTTPServer
import Store

/// The administrator's pages: list, add, reset, disable and enable users.
enum AdminRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/admin/users", Access.require(services, .manageUsers) { request, session in
            try list(request, session, services)
        })
        router.get("/admin/users/new", Access.require(services, .manageUsers) { _, session in
            try newUserPage(session, services, values: [:], problems: [], status: 200)
        })
        router.post("/admin/users/new", Access.require(services, .manageUsers) { request, session in
            let form = try request.form()
            let values = form.firstValues
            do {
                let user = try services.accounts.createUser(AccountService.NewUser(
                    username: (form["username"] ?? "").lowercased(), displayName: form["display_name"] ?? "",
                    email: form["email"] ?? "", role: Role(rawValue: form["role"] ?? ""),
                    agencyCode: form["agency"] ?? "", password: form["password"] ?? "", mustChangePassword: true),
                    by: request.actor(session))
                return Flash.redirect(to: "/admin/users/\(user.id)", .userCreated, services)
            } catch let failure as DomainError where failure.isValidation {
                return try newUserPage(session, services, values: values, problems: failure.problems, status: 422)
            }
        })
        router.get("/admin/users/:id", Access.require(services, .manageUsers) { request, session in
            let user = try loadUser(request, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "user",
                                      subjectID: String(user.id))
            return userPage(request, session, user, problems: [], status: 200)
        })
        router.get("/admin/users/:id/edit", Access.require(services, .manageUsers) { request, session in
            let user = try loadUser(request, services)
            return try editPage(session, services, user, values: [
                "display_name": user.displayName, "email": user.email, "role": user.role.rawValue,
                "agency": try services.agencies.agency(id: user.agencyID)?.code ?? "",
                "manages_restricted_cases": user.managesRestrictedCases ? "yes" : "",
            ], problems: [], conflict: false, status: 200)
        })
        router.post("/admin/users/:id/edit", Access.require(services, .manageUsers) { request, session in
            let user = try loadUser(request, services)
            let form = try request.form()
            let values = form.firstValues
            do {
                try services.accounts.updateDetails(userID: user.id, AccountService.DetailsChange(
                    displayName: form["display_name"] ?? "", email: form["email"] ?? "",
                    role: Role(rawValue: form["role"] ?? ""), agencyCode: form["agency"] ?? "",
                    managesRestrictedCases: form["manages_restricted_cases"] == "yes",
                    expectedVersion: Int64(form["version"] ?? "") ?? -1), by: request.actor(session))
            } catch let failure as DomainError where failure.isValidation {
                return try editPage(session, services, user, values: values, problems: failure.problems, conflict: false, status: 422)
            } catch let error as DomainError where error == .editConflict {
                // Keep what the administrator typed; show what is saved now, and base a resubmission on it.
                return try editPage(session, services, user, values: values, problems: [
                    ValidationProblem(field: "display_name", message: error.description),
                ], conflict: true, status: 409)
            }
            return Flash.redirect(to: "/admin/users/\(user.id)", .userUpdated, services)
        })
        router.post("/admin/users/:id/reset-password", Access.require(services, .manageUsers) { request, session in
            let user = try loadUser(request, services)
            let form = try request.form()
            do {
                try services.accounts.resetPassword(userID: user.id, newPassword: form["new_password"] ?? "",
                                                    by: request.actor(session))
            } catch let failure as DomainError where failure.isValidation {
                return userPage(request, session, user, problems: failure.problems, status: 422)
            }
            return Flash.redirect(to: "/admin/users/\(user.id)", .passwordReset, services)
        })
        for (path, active, flash) in [("disable", false, Flash.userDisabled), ("enable", true, Flash.userEnabled)] {
            router.post("/admin/users/:id/\(path)", Access.require(services, .manageUsers) { request, session in
                let user = try loadUser(request, services)
                do {
                    try services.accounts.setActive(userID: user.id, active: active, by: request.actor(session))
                } catch let failure as DomainError where failure.isValidation {
                    return userPage(request, session, user, problems: failure.problems, status: 422)
                }
                return Flash.redirect(to: "/admin/users/\(user.id)", flash, services)
            })
        }
    }

    static func loadUser(_ request: Request, _ services: Services) throws -> User {
        guard let id = request.parameter("id").flatMap(Int64.init), let user = try services.accounts.accounts.user(id: id) else {
            throw DomainError.notFound("The page")
        }
        return user
    }

    static func list(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let users = try services.accounts.accounts.users()
        let rows = users.map { user -> [HTML] in
            ["<a href=\"/admin/users/\(user.id)\">\(user.displayName)</a>", "\(user.username)",
             "\(user.role.displayName)", "\(user.agencyName)",
             user.active ? Components.tag("Active", colour: "green") : Components.tag("Disabled", colour: "grey")]
        }
        let content: HTML = """
            <h1>Users</h1>
            <a class="button" href="/admin/users/new" role="button" draggable="false">Add a user</a>
            \(Components.table(caption: "\(users.count) user\(users.count == 1 ? "" : "s")",
                               headers: ["Name", "Username", "Role", "Agency", "Status"], rows: rows))
            """
        return .html(Layout.page(title: "Users", session: session, currentPath: "/admin/users", content: content).rendered)
    }

    static func newUserPage(_ session: Session, _ services: Services, values: [String: String],
                            problems: [ValidationProblem], status: Int) throws -> Response {
        let agencies = try services.agencies.agencies(activeOnly: true)
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Add a user</h1>
            \(Components.form(action: "/admin/users/new", csrf: session.csrfToken, """
                \(Components.textInput("display_name", label: "Full name", value: values["display_name"] ?? "", autocomplete: "off", problems: problems))
                \(Components.textInput("username", label: "Username", value: values["username"] ?? "", hint: "Lowercase letters, numbers, dots, hyphens and underscores, for example jane.smith", problems: problems, width: "20"))
                \(Components.textInput("email", label: "Secure email address (optional)", value: values["email"] ?? "", hint: "Meeting invitations and minutes are sent here", type: "email", problems: problems))
                \(Components.select("role", label: "Role", options: Role.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["role"] ?? "", problems: problems))
                \(Components.select("agency", label: "Agency", options: agencies.map { ($0.code, $0.name) }, selected: values["agency"] ?? "", problems: problems))
                \(Components.textInput("password", label: "Temporary password", hint: "12 characters or more. The person must change it when they first sign in. Tell them it by phone or in person, not by email.", type: "password", autocomplete: "new-password", problems: problems, width: "20"))
                \(Components.button("Add user"))
                """))
            """
        return .html(Layout.page(title: "Add a user", session: session, currentPath: "/admin/users",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func editPage(_ session: Session, _ services: Services, _ user: User, values: [String: String],
                         problems: [ValidationProblem], conflict: Bool, status: Int) throws -> Response {
        let agencies = try services.agencies.agencies(activeOnly: true)
        let saved: HTML = conflict ? """
            <h2>What is saved now</h2>
            \(Components.summaryList([
                ("Name", "\(user.displayName)"), ("Email", "\(user.email.isEmpty ? "Not given" : user.email)"),
                ("Role", "\(user.role.displayName)"), ("Agency", "\(user.agencyName)"),
                ("Manages restricted cases", "\(user.managesRestrictedCases ? "Yes" : "No")"),
            ]))
            <p>Your changes are still in the form below. Check them against what is saved now, then save again.</p>
            """ : .empty
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">\(user.username)</span>
            <h1>Change user details</h1>
            \(saved)
            \(Components.form(action: "/admin/users/\(user.id)/edit", csrf: session.csrfToken, """
                <input type="hidden" name="version" value="\(user.version)">
                \(Components.textInput("display_name", label: "Full name", value: values["display_name"] ?? "", problems: problems))
                \(Components.textInput("email", label: "Secure email address (optional)", value: values["email"] ?? "", type: "email", problems: problems))
                \(Components.select("role", label: "Role", options: Role.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["role"] ?? "", hint: "Changing the role or agency signs the person out so the change applies at once.", problems: problems))
                \(Components.select("agency", label: "Agency", options: agencies.map { ($0.code, $0.name) }, selected: values["agency"] ?? "", problems: problems))
                \(Components.checkbox("manages_restricted_cases", label: "May manage restricted cases: say who sees every restricted and Category 4 case, including those nobody is named on yet (MAPPA coordinators only)", checked: values["manages_restricted_cases"] == "yes"))
                \(Components.button("Save changes"))
                """))
            <p><a href="/admin/users/\(user.id)">Cancel</a></p>
            """
        return .html(Layout.page(title: "Change user details", session: session, currentPath: "/admin/users",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func userPage(_ request: Request, _ session: Session, _ user: User, problems: [ValidationProblem],
                         status: Int) -> Response {
        let toggle: HTML = user.active
            ? Components.form(action: "/admin/users/\(user.id)/disable", csrf: session.csrfToken, """
                <h2>Disable this account</h2>
                <p>The person will be signed out at once and will not be able to sign in until the account is enabled again.</p>
                \(Components.button("Disable account", warning: true))
                """)
            : Components.form(action: "/admin/users/\(user.id)/enable", csrf: session.csrfToken, """
                <h2>Enable this account</h2>
                \(Components.button("Enable account", secondary: true))
                """)
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">User</span>
            <h1>\(user.displayName)</h1>
            \(Components.summaryList([
                ("Username", "\(user.username)"),
                ("Role", "\(user.role.displayName)"),
                ("Agency", "\(user.agencyName)"),
                ("Manages restricted cases", "\(user.managesRestrictedCases ? "Yes" : "No")"),
                ("Email", "\(user.email.isEmpty ? "Not given" : user.email)"),
                ("Status", user.active ? Components.tag("Active", colour: "green") : Components.tag("Disabled", colour: "grey")),
                ("Must change password", "\(user.mustChangePassword ? "Yes" : "No")"),
                ("Created", Components.time(user.createdAt)),
                ("Last signed in", user.lastLoginAt.map { Components.time($0) } ?? "Never"),
            ]))
            <p><a href="/admin/users/\(user.id)/edit">Change name, email, role, agency or restricted-case management</a></p>
            \(Components.form(action: "/admin/users/\(user.id)/reset-password", csrf: session.csrfToken, """
                <h2>Reset password</h2>
                \(Components.textInput("new_password", label: "New temporary password", hint: "12 characters or more. The person must change it when they next sign in.", type: "password", autocomplete: "new-password", problems: problems, width: "20"))
                \(Components.button("Reset password", secondary: true))
                """))
            \(toggle)
            <p><a href="/admin/users">Back to users</a></p>
            """
        return .html(Layout.page(title: user.displayName, session: session, currentPath: "/admin/users",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }
}
