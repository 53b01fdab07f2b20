import Domain
import Foundation
import HTTPServer
import Store

/// Who can see a case: its named people, the agencies involved, and whether it is restricted; and, for coordinators
/// who manage restricted cases, the list of every restricted case (those nobody may see yet first), so none is stuck.
/// The Store decides who may manage which (`CaseVisibility.mayManageAccess`) and records refusals.
enum CaseAccessRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/cases/:id/access", Access.require(services, .editCases) { request, session in
            let access = try services.caseAccess.access(caseID: try NominalRoutes.id(request), for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(access.caseID),
                                      detail: "access list")
            return try page(request, session, services, access, username: "", problems: [], status: 200)
        })
        router.post("/cases/:id/access", Access.require(services, .editCases) { request, session in
            let caseID = try NominalRoutes.id(request)
            let viewer = request.viewer(session)
            let form = try request.form()
            do {
                if let agency = form["agency"] {
                    try services.caseAccess.setInvolvedAgency(caseID: caseID, agencyCode: agency, involved: form["involved"] != "no", by: viewer)
                } else if let restricted = form["restricted"] {
                    try services.caseAccess.setRestricted(caseID: caseID, restricted: restricted == "yes", by: viewer)
                } else if let removeID = form["remove"].flatMap(Int64.init) {
                    try services.caseAccess.setAccess(caseID: caseID, userID: removeID, kind: nil, by: viewer)
                } else {
                    guard let kind = CaseAccessKind(rawValue: form["kind"] ?? "") else {
                        throw DomainError.validation(field: "kind", "Select whether to give access or exclude")
                    }
                    try services.caseAccess.setAccess(caseID: caseID, username: form["username"] ?? "", kind: kind, by: viewer)
                }
            } catch let error as DomainError where error.isValidation {
                let access = try services.caseAccess.access(caseID: caseID, for: viewer)
                return try page(request, session, services, access, username: form["username"] ?? "", problems: error.problems, status: 422)
            }
            return .redirect(to: "/cases/\(caseID)/access?done=\(Flash.accessChanged.rawValue)")
        })
        router.get("/cases/restricted", Access.require(services, .editCases) { request, session in
            let cases = try services.caseAccess.restrictedCases(for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: "",
                                      detail: "restricted cases: \(cases.count) listed")
            return list(session, cases)
        })
    }

    static func page(_ request: Request, _ session: Session, _ services: Services, _ access: CaseAccessStore.CaseAccess, username: String,
                     problems: [ValidationProblem], status: Int) throws -> Response {
        let path = "/cases/\(access.caseID)/access"
        let rows = access.named.map { entry -> [HTML] in
            ["\(entry.user.displayName)", "\(entry.user.username)", "\(entry.user.agencyName)",
             "\(entry.kind == .allow ? "May see this case" : "Excluded")",
             Components.form(action: path, csrf: session.csrfToken, """
                <input type="hidden" name="remove" value="\(entry.user.id)">
                <button class="button button--secondary button--small" type="submit">Remove<span class="visually-hidden"> \(entry.user.displayName)</span></button>
                """)]
        }
        let agencyRows = access.involved.map { agency -> [HTML] in
            ["\(agency.name)\(agency.id == access.leadAgencyID ? " (lead)" : "")",
             agency.id == access.leadAgencyID ? .empty : Components.form(action: path, csrf: session.csrfToken, """
                <input type="hidden" name="agency" value="\(agency.code)"><input type="hidden" name="involved" value="no">
                <button class="button button--secondary button--small" type="submit">Remove<span class="visually-hidden"> \(agency.name)</span></button>
                """)]
        }
        let others = try services.agencies.agencies(activeOnly: true).filter { agency in !access.involved.contains { $0.id == agency.id } }
        let explanation: String = access.isRestricted
            ? "This case is restricted\(access.category == .four ? " (every Category 4 case is)" : ""): only the people listed as able to see it can open it, whatever their role."
            : "MAPPA unit staff can see this case, and partner-agency staff from the agencies involved: \(access.involved.map(\.name).joined(separator: ", ")). People listed as excluded cannot see it."
        let restriction: HTML = access.category == .four ? .empty : Components.form(action: path, csrf: session.csrfToken, access.restricted ? """
            <input type="hidden" name="restricted" value="no">
            \(Components.button("Lift the restriction", secondary: true))
            """ : """
            <input type="hidden" name="restricted" value="yes">
            <p>Restricting the case limits it to the people listed as able to see it. You are added to the list.</p>
            \(Components.button("Restrict this case", secondary: true))
            """)
        let caseLink: HTML = access.viewerMaySeeCase ? "<p><a href=\"/cases/\(access.caseID)\">Back to the case</a></p>"
            : "<p>You manage who sees this restricted case but are not on its list yourself. <a href=\"/cases/restricted\">All restricted cases</a></p>"
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">MAPPA case \(access.caseID): \(access.category.shortName), \(access.level.shortName)</span>
            <h1>Who can see this case</h1>
            <p>\(explanation)</p>
            \(Components.table(caption: "Named people", headers: ["Name", "Username", "Agency", "Access", ""], rows: rows))
            \(restriction)
            \(Components.table(caption: "Agencies involved", headers: ["Agency", ""], rows: agencyRows))
            \(Components.form(action: path, csrf: session.csrfToken, """
                \(Components.select("agency", label: "Add an agency involved in this case", options: others.map { ($0.code, $0.name) }, selected: "", hint: "Its representatives can then see this case", problems: problems))
                \(Components.button("Add agency", secondary: true))
                """))
            \(Components.form(action: path, csrf: session.csrfToken, """
                <h2>Name a person</h2>
                \(Components.textInput("username", label: "Username", value: username, problems: problems, width: "20"))
                \(Components.select("kind", label: "Access", options: [("allow", "May see this case"), ("exclude", "Exclude from this case")], selected: "", problems: problems))
                \(Components.button("Save", secondary: true))
                """))
            \(caseLink)
            """
        return .html(Layout.page(title: "Who can see this case", session: session, currentPath: "/cases",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func list(_ session: Session, _ cases: [CaseAccessStore.RestrictedCase]) -> Response {
        let rows = cases.map { item -> [HTML] in
            ["<a href=\"/cases/\(item.caseID)/access\">Case \(item.caseID)</a>", "\(item.nominalRef ?? "Not shown: you are not on its list")",
             "\(item.category.shortName), \(item.level.shortName)", "\(item.status.displayName)",
             item.peopleWithAccess == 0 ? Components.tag("Nobody yet", colour: "red") : "\(item.peopleWithAccess)"]
        }
        let content: HTML = """
            <h1>Restricted cases</h1>
            <p>Every restricted case, including every Category 4 case, with how many people may see it. You can say who sees
            each one, whether or not you are on its list; cases nobody may see yet come first.</p>
            \(Components.table(caption: "\(cases.count) restricted case\(cases.count == 1 ? "" : "s")",
                               headers: ["Case", "Nominal", "Category and level", "Status", "People who may see it"], rows: rows))
            """
        return .html(Layout.page(title: "Restricted cases", session: session, currentPath: "/cases", content: content).rendered)
    }
}
