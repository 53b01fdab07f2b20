import Domain
import HTTPServer
import Store

/// The home page: what this person can do here, by role.
enum HomeRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/", Access.require(services, .viewDashboard) { request, session in
            home(request, session)
        })
    }

    struct Card {
        var title: String
        var href: String
        var text: String
        var permission: Permission
    }

    static let cards: [Card] = [
        Card(title: "Referrals", href: "/referrals", text: "Start a MAPPA referral, see the quality check, and follow it through screening.", permission: .submitReferrals),
        Card(title: "Screening queue", href: "/screening", text: "Referrals waiting for quality assurance and a screening decision.", permission: .manageReferrals),
        Card(title: "Find a nominal", href: "/nominals", text: "Search by name, other name, date of birth or identifier.", permission: .viewCases),
        Card(title: "Users", href: "/admin/users", text: "Add people, set their role and agency, reset passwords and disable accounts.", permission: .manageUsers),
        Card(title: "Audit trail", href: "/audit", text: "Every sign-in, view, change and export, with a check that no entry has been altered.", permission: .viewAuditTrail),
    ]

    static func home(_ request: Request, _ session: Session) -> Response {
        let user = session.user
        let available = cards.filter { user.role.can($0.permission) }.map { card -> HTML in
            "<div class=\"card\"><h2><a href=\"\(card.href)\">\(card.title)</a></h2><p>\(card.text)</p></div>"
        }
        let grid: HTML = available.isEmpty ? .empty : "<div class=\"card-grid\">\(available)</div>"
        let content: HTML = """
            <span class="caption">\(user.role.displayName), \(user.agencyName)</span>
            <h1>Welcome, \(user.displayName)</h1>
            \(grid)
            <h2>Your account</h2>
            <p><a href="/account">View your account</a> or <a href="/account/password">change your password</a>.</p>
            """
        return .html(Layout.page(title: "Home", session: session, currentPath: "/", content: content).rendered)
    }
}
