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
        // The caseload (with the search for a person) for unit staff, and for partner agencies' staff their agency's
        // cases: no role holds both permissions, so one "Cases" shows.
        NavItem(label: "Cases", href: "/cases", permission: .viewCases),
        NavItem(label: "Cases", href: "/cases", permission: .viewInvolvedCases),
        NavItem(label: "Meetings", href: "/meetings", permission: .viewMeetings),
        NavItem(label: "My actions", href: "/actions", permission: .trackActions),
        NavItem(label: "Agencies", href: "/agencies", permission: nil),
        NavItem(label: "Statistics", href: "/statistics", permission: .viewStatistics),
        NavItem(label: "Users", href: "/admin/users", permission: .manageUsers),
        NavItem(label: "Mail", href: "/admin/mail", permission: .manageUsers),
        NavItem(label: "Audit trail", href: "/audit", permission: .viewAuditTrail),
        NavItem(label: "Account", href: "/account", permission: nil),
    ]

    /// A whole page as it is sent: bytes (`Response.html`), never made into one `String` (checking 16 KB of
    /// UTF-8 again cost more than writing it).
    struct Page {
        let rendered: [UInt8]
    }

    /// A whole page. `title` is the page's h1 and the start of the document title; when the page shows form
    /// errors the title starts with "Error: " (GOV.UK pattern) so screen reader users hear it first. Written
    /// into bytes (`HTMLWriter`): as one interpolation the shell was a tenth of a search page's CPU.
    static func page(title: String, session: Session?, currentPath: String, hasErrors: Bool = false,
                     content: HTML) -> Page {
        page(title: title, session: session, currentPath: currentPath, hasErrors: hasErrors, capacity: content.rendered.utf8.count) {
            $0.append(content)
        }
    }

    /// A page whose main content `writeContent` writes straight into it (about `capacity` bytes): for long lists,
    /// which would otherwise be made into HTML, checked as UTF-8 and copied into the page.
    static func page(title: String, session: Session?, currentPath: String, hasErrors: Bool = false, capacity: Int,
                     writeContent: (inout HTMLWriter) -> Void) -> Page {
        var out = HTMLWriter(capacity: 4096 + capacity)
        out.markup("""
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="robots" content="noindex, nofollow">
              <title>
            """)
        if hasErrors { out.markup("Error: ") }
        out.text(title)
        out.markup(" – ")
        out.text(serviceName)
        out.markup("</title>\n  <link rel=\"stylesheet\" href=\"")
        out.text(Assets.stylesheetPath)
        out.markup("""
            ">
            </head>
            <body>
              <a href="#main-content" class="skip-link">Skip to main content</a>
              <div class="marking" role="note" aria-label="Protective marking">
            """)
        out.text(marking)
        out.markup("""
            </div>
              <header class="header">
                <div class="width-container header__container">
                  <a href="/" class="header__service">
            """)
        out.text(serviceName)
        out.markup("</a>\n      ")
        if let session {
            out.markup("<nav class=\"header__nav\" aria-label=\"Main\">\n  <ul class=\"header__nav-list\">")
            for item in navigation where item.permission.map(session.user.role.can) ?? true {
                let current = item.href == "/" ? currentPath == "/" : currentPath.hasPrefix(item.href)
                out.markup("<li class=\"header__nav-item\"><a class=\"header__link\" href=\"")
                out.text(item.href)
                out.markup(current ? "\" aria-current=\"page\">" : "\">")
                out.text(item.label)
                out.markup("</a></li>")
            }
            out.markup("""
                </ul>
                </nav>
                <div class="header__account">
                  <span class="header__user">
                """)
            out.text(session.user.displayName)
            out.markup(" <span class=\"header__role\">(")
            out.text(session.user.role.displayName)
            out.markup(", ")
            out.text(session.user.agencyName)
            out.markup("""
                )</span></span>
                  <form method="post" action="/logout" class="header__signout">
                    <input type="hidden" name="csrf_token" value="
                """)
            out.text(session.csrfToken)
            out.markup("""
                ">
                    <button type="submit" class="header__signout-button">Sign out</button>
                  </form>
                </div>
                """)
        }
        out.markup("\n    </div>\n  </header>\n  <div class=\"width-container\">\n    <main class=\"main\" id=\"main-content\">\n      ")
        writeContent(&out)
        out.markup("""

                </main>
              </div>
              <footer class="footer">
                <div class="width-container">
                  <p class="footer__marking">
            """)
        out.text(marking)
        out.markup("""
            : handle, store and share only in line with the MAPPA information-sharing agreement. Every view and change is recorded.</p>
                </div>
              </footer>
              <div class="marking marking--bottom" role="note" aria-label="Protective marking at end of page">
            """)
        out.text(marking)
        // The one script, on every page: progressive enhancement only (focus on the error summary, live filters).
        out.markup("</div>\n  <script src=\"")
        out.text(Assets.scriptPath)
        out.markup("\"></script>\n</body>\n</html>")
        return Page(rendered: out.bytes)
    }
}
