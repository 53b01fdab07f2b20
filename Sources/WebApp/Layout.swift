import Domain
import Store

/// The page shell every screen shares: skip link, the OFFICIAL-SENSITIVE marking top and bottom, the service
/// header with navigation for the user's role, and one main landmark. https://design-system.service.gov.uk/styles/page-template/
struct Layout {
    static let serviceName = "MAPPA Coordinator"
    static let marking = "OFFICIAL-SENSITIVE"

    struct NavItem {
        var label: String
        var href: String
        var permission: Permission?
    }

    static let navigation: [NavItem] = [
        NavItem(label: "Home", href: "/", permission: nil),
        NavItem(label: "Referrals", href: "/referrals", permission: .submitReferrals),
        NavItem(label: "Screening", href: "/screening", permission: .manageReferrals),
        NavItem(label: "Nominals", href: "/nominals", permission: .viewCases),
        NavItem(label: "Meetings", href: "/meetings", permission: .viewMeetings),
        NavItem(label: "My actions", href: "/actions", permission: .trackActions),
        NavItem(label: "Agencies", href: "/agencies", permission: nil),
        NavItem(label: "Performance", href: "/statistics/kpis", permission: .viewStatistics),
        NavItem(label: "Users", href: "/admin/users", permission: .manageUsers),
        NavItem(label: "Mail", href: "/admin/mail", permission: .manageUsers),
        NavItem(label: "Audit trail", href: "/audit", permission: .viewAuditTrail),
        NavItem(label: "Account", href: "/account", permission: nil),
    ]

    /// A whole page. `title` is the page's h1 and the start of the document title; when the page shows form
    /// errors the title starts with "Error: " (GOV.UK pattern) so screen reader users hear it first.
    static func page(title: String, session: Session?, currentPath: String, hasErrors: Bool = false,
                     content: HTML) -> HTML {
        let navigation: HTML
        if let session {
            let items = Self.navigation.filter { $0.permission.map(session.user.role.can) ?? true }.map { item -> HTML in
                let current = item.href == "/" ? currentPath == "/" : currentPath.hasPrefix(item.href)
                return "<li class=\"header__nav-item\"><a class=\"header__link\" href=\"\(item.href)\"\(current ? HTML(trusted: " aria-current=\"page\"") : .empty)>\(item.label)</a></li>"
            }
            navigation = """
                <nav class="header__nav" aria-label="Main">
                  <ul class="header__nav-list">\(items)</ul>
                </nav>
                <div class="header__account">
                  <span class="header__user">\(session.user.displayName) <span class="header__role">(\(session.user.role.displayName), \(session.user.agencyName))</span></span>
                  <form method="post" action="/logout" class="header__signout">
                    <input type="hidden" name="csrf_token" value="\(session.csrfToken)">
                    <button type="submit" class="header__signout-button">Sign out</button>
                  </form>
                </div>
                """
        } else {
            navigation = .empty
        }
        return """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="robots" content="noindex, nofollow">
              <title>\(hasErrors ? "Error: " : "")\(title) – \(serviceName)</title>
              <link rel="stylesheet" href="\(Assets.stylesheetPath)">
            </head>
            <body>
              <a href="#main-content" class="skip-link">Skip to main content</a>
              <div class="marking" role="note" aria-label="Protective marking">\(marking)</div>
              <header class="header">
                <div class="width-container header__container">
                  <a href="/" class="header__service">\(serviceName)</a>
                  \(navigation)
                </div>
              </header>
              <div class="width-container">
                <main class="main" id="main-content">
                  \(content)
                </main>
              </div>
              <footer class="footer">
                <div class="width-container">
                  <p class="footer__marking">\(marking): handle, store and share only in line with the MAPPA information-sharing agreement. Every view and change is recorded.</p>
                </div>
              </footer>
              <div class="marking marking--bottom" role="note" aria-label="Protective marking at end of page">\(marking)</div>
            </body>
            </html>
            """
    }
}
