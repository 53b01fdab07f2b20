import Domain
import HTTPServer
import Store

/// The home page: what this person can do here, by role.
enum HomeRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/", Access.require(services, .viewDashboard) { request, session in
            try home(request, session, services)
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
        Card(title: "My actions", href: "/actions", text: "The actions you own: what is due, what is overdue, and closing them.", permission: .trackActions),
        Card(title: "Meetings", href: "/meetings", text: "Screening, Level 2 and Level 3 panels: agendas, invitations, attendance and compliance.", permission: .viewMeetings),
        Card(title: "Agencies and contacts", href: "/agencies", text: "Responsible authorities and partner agencies, their contacts and single points of contact.", permission: .viewDashboard),
        Card(title: "Users", href: "/admin/users", text: "Add people, set their role and agency, reset passwords and disable accounts.", permission: .manageUsers),
        Card(title: "Performance indicators", href: "/statistics/kpis", text: "Each KPI by quarter or year against its target, by lead agency, with the cases behind it.", permission: .viewStatistics),
        Card(title: "MAPPA annual report", href: "/statistics/annual", text: "The Ministry of Justice area tables for a reporting year, compared with the year before; CSV, Excel and JSON downloads.", permission: .viewStatistics),
        Card(title: "Indicator settings", href: "/statistics/kpis/settings", text: "Names, definitions, targets and reporting periods of the performance indicators.", permission: .configureStatistics),
        Card(title: "Timescales", href: "/admin/timescales", text: "Review intervals for each level, the custody referral lead time and the minutes deadline.", permission: .manageUsers),
        Card(title: "Audit trail", href: "/audit", text: "Every sign-in, view, change and export, with a check that no entry has been altered.", permission: .viewAuditTrail),
    ]

    static func home(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let user = session.user
        var visibleCards = cards.filter { user.role.can($0.permission) }
        if user.managesRestrictedCases && user.role.can(.editCases) {
            visibleCards.append(Card(title: "Restricted cases", href: "/cases/restricted",
                                     text: "Every restricted and Category 4 case, with who may see it: name the right people on each.",
                                     permission: .editCases))
        }
        let available = visibleCards.map { card -> HTML in
            "<div class=\"card\"><h2><a href=\"\(card.href)\">\(card.title)</a></h2><p>\(card.text)</p></div>"
        }
        let grid: HTML = available.isEmpty ? .empty : "<div class=\"card-grid\">\(available)</div>"
        let unseen = try services.caseAccess.restrictedCasesNobodySees(for: request.viewer(session)) ?? 0
        let restricted: HTML = unseen == 0 ? .empty : """
            <div class="notification" role="region" aria-labelledby="restricted-title">
              <h2 class="notification__title" id="restricted-title">Important</h2>
              <p class="notification__body">\(unseen) restricted case\(unseen == 1 ? "" : "s") nobody may see yet.
              <a href="/cases/restricted">Name who sees \(unseen == 1 ? "it" : "them")</a>.</p>
            </div>
            """
        let content: HTML = """
            <span class="caption">\(user.role.displayName), \(user.agencyName)</span>
            <h1>Welcome, \(user.displayName)</h1>
            \(restricted)
            \(grid)
            \(session.user.role.can(.manageMeetings) ? try dashboard(request.viewer(session), services) : .empty)
            <h2>Your account</h2>
            <p><a href="/account">View your account</a> or <a href="/account/password">change your password</a>.</p>
            """
        return .html(Layout.page(title: "Home", session: session, currentPath: "/", content: content).rendered)
    }

    /// What needs the coordinator's attention among the cases they may see: reviews that have slipped, overdue actions,
    /// and meetings with compliance gaps.
    static func dashboard(_ viewer: Viewer, _ services: Services) throws -> HTML {
        let today = services.today
        let overdue = try services.cases.overdueReviews(for: viewer, limit: 10)
        let overdueRows = overdue.reviews.map { item -> [HTML] in
            ["<a href=\"/cases/\(item.caseID)\">\(item.nominalRef)</a>", "\(item.level.shortName)",
             "\(item.due.displayText) (\(item.due.days(until: today)) days ago)"]
        }
        let meetings = try services.meetings.meetings(from: today.adding(days: -30), through: today.adding(days: 28), for: viewer)
        var flagged: [[HTML]] = []
        let held = meetings.filter { $0.status != .cancelled }
        let compliance = try services.meetings.compliance(of: held, for: viewer)
        for meeting in held {
            let findings = compliance[meeting.id] ?? []
            if !findings.isEmpty {
                flagged.append(["<a href=\"/meetings/\(meeting.id)#compliance\">\(meeting.title)</a>", "\(meeting.date.displayText)",
                                "\(findings.count): \(findings.first!.message)\(findings.count > 1 ? " …" : "")"])
            }
        }
        let overdueActions = try services.actions.overdue(for: viewer, limit: 10).map { action -> [HTML] in
            ["<a href=\"/actions/\(action.id)\">\(action.description)</a>", "\(action.ownerName), \(action.ownerAgencyName)",
             "\(action.dueDate.displayText)", "\(action.nominalRef)"]
        }
        return """
            <h2>Needs attention</h2>
            \(Components.table(caption: overdueActions.isEmpty ? "No actions are overdue" : "Overdue actions",
                               headers: ["Action", "Owner", "Was due", "Case"], rows: overdueActions))
            \(Components.table(caption: overdue.total == 0 ? "No Level 2 or 3 reviews are overdue" : "\(overdue.total) Level 2 and 3 review\(overdue.total == 1 ? " is" : "s are") overdue",
                               headers: ["Case", "Level", "Review was due"], rows: overdueRows))
            \(Components.table(caption: flagged.isEmpty ? "No compliance problems in meetings of the last 30 and next 28 days"
                                   : "\(flagged.count) meeting\(flagged.count == 1 ? " has" : "s have") compliance problems\(flagged.count > 25 ? " (the first 25 shown; see Meetings for the rest)" : "")",
                               headers: ["Meeting", "Date", "Problems"], rows: Array(flagged.prefix(25))))
            """
    }
}
