import Domain
import Foundation
import HTTPServer
import Store

/// Actions: each person's own list (partner-agency staff included) where they close their actions; the
/// coordinator adds actions on a case and sees every overdue one. An owner sees the actions they own even on a
/// case they cannot otherwise open: they need to know what they are asked to do, and nothing more.
enum ActionRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/actions", Access.require(services, .trackActions) { request, session in
            let viewer = request.viewer(session)
            let mine = try services.actions.actions(ownedBy: viewer)
            let today = services.today
            func rows(_ actions: [ListedAction]) -> [[HTML]] {
                actions.map { listed -> [HTML] in
                    let action = listed.action
                    return ["<a href=\"/actions/\(action.id)\">\(action.description)</a>",
                            listed.caseVisible ? "\(action.nominalRef)" : "Not shown: need-to-know",
                            "\(action.ownerName), \(action.ownerAgencyName)", "\(action.dueDate.displayText)", tag(action, today: today)]
                }
            }
            let everyone: HTML = session.user.role.can(.editCases)
                ? Components.table(caption: "All overdue actions", headers: ["Action", "Case", "Owner", "Due", "Status"],
                                   rows: rows(try services.actions.overdue(for: viewer).map { ListedAction(action: $0, caseVisible: true) }))
                : .empty
            let content: HTML = """
                \(Components.notification(Flash.from(request)?.message))
                <h1>My actions</h1>
                \(Components.table(caption: mine.isEmpty ? "You own no actions" : "Actions you own", headers: ["Action", "Case", "Owner", "Due", "Status"], rows: rows(mine)))
                \(everyone)
                """
            return .html(Layout.page(title: "My actions", session: session, currentPath: "/actions", content: content).rendered)
        })
        router.get("/actions/:id", Access.require(services, .trackActions) { request, session in
            let action = try services.actions.action(id: try NominalRoutes.id(request), for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "action", subjectID: String(action.action.id))
            return page(request, session, services, action, problems: [], status: 200)
        })
        router.post("/actions/:id", Access.require(services, .trackActions) { request, session in
            let viewer = request.viewer(session)
            let listed = try services.actions.action(id: try NominalRoutes.id(request), for: viewer)
            let action = listed.action
            try services.actions.requireUpdatable(action, by: viewer)
            let form = try request.form()
            var reader = FormReader(form)
            let status = reader.choice("status", ActionStatus.init(rawValue:), required: "Select the status") ?? action.status
            let due = reader.date("due_date", "Due date")
            do {
                guard reader.problems.isEmpty else { throw DomainError.validation(reader.problems) }
                try services.actions.update(id: action.id, status: status, note: reader.text("completion_note"), dueDate: due,
                                            expectedVersion: Int64(form["version"] ?? "") ?? 0, by: viewer)
            } catch let error as DomainError where error.isValidation {
                return page(request, session, services, listed, problems: error.problems, status: 422)
            } catch let error as DomainError where error == .editConflict {
                return page(request, session, services, try services.actions.action(id: action.id, for: viewer),
                            problems: [ValidationProblem(field: "status", message: error.description)], status: 409)
            }
            return .redirect(to: "/actions/\(action.id)?done=\(Flash.actionSaved.rawValue)")
        })
        router.post("/cases/:id/actions", Access.require(services, .editCases) { request, session in
            let caseID = try NominalRoutes.id(request)
            var reader = FormReader(try request.form())
            let due = reader.date("due_date", "Due date")
            do {
                guard reader.problems.isEmpty else { throw DomainError.validation(reader.problems) }
                try services.actions.create(NewAction(caseID: caseID, description: reader.text("description"), ownerName: reader.text("owner_name"),
                                                      ownerEmail: reader.text("owner_email"), ownerAgencyCode: reader.text("owner_agency"), dueDate: due),
                                            by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                throw DomainError(.validation(error.problems), code: "invalid",
                                  error.problems.map(\.message).joined(separator: ". ") + ". Go back to correct the action.")
            }
            return .redirect(to: "/cases/\(caseID)?done=\(Flash.actionSaved.rawValue)#actions")
        })
    }

    static func tag(_ action: ActionItem, today: CalendarDate) -> HTML {
        if action.isOverdue(today: today) { return Components.tag("Overdue", colour: "red") }
        if action.isDueSoon(today: today, days: 3) { return Components.tag("Due soon", colour: "yellow") }
        return Components.tag(action.status.displayName, colour: action.status == .open ? "blue" : "grey")
    }

    static func page(_ request: Request, _ session: Session, _ services: Services, _ listed: ListedAction, problems: [ValidationProblem],
                     status: Int) -> Response {
        let action = listed.action
        let mayUpdate = services.actions.canUpdate(action, by: request.viewer(session))
        let coordinator = session.user.role.can(.editCases)
        let statuses = ActionStatus.allCases.map { ($0.rawValue, $0.displayName) }
        let form: HTML = mayUpdate ? Components.form(action: "/actions/\(action.id)", csrf: session.csrfToken, """
            <input type="hidden" name="version" value="\(action.version)">
            \(Components.select("status", label: "Status", options: statuses, selected: action.status.rawValue, problems: problems))
            \(Components.textarea("completion_note", label: "What was done, or why it is cancelled or reopened", value: "", problems: problems, rows: 3))
            \(coordinator ? Components.textInput("due_date", label: "Due date", value: action.dueDate.description, problems: problems, width: "10") : .empty)
            \(Components.button("Save"))
            """) : "<p>Only the action's owner or the MAPPA coordinator can change it.</p>"
        let caseLink: HTML = listed.caseVisible ? "<a href=\"/cases/\(action.caseID)\">\(action.nominalRef)</a>" : "Not shown: need-to-know"
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">MAPPA action</span>
            <h1>\(action.description)</h1>
            \(Components.summaryList([
                ("Case", caseLink), ("Owner", "\(action.ownerName), \(action.ownerAgencyName)"),
                ("Due", "\(action.dueDate.displayText)"), ("Status", tag(action, today: services.today)),
                ("Note", "\(action.completionNote.isEmpty ? "–" : action.completionNote)"),
                ("Closed", "\(action.completedOn?.displayText ?? "–")"),
            ]))
            \(form)
            <p><a href="/actions">My actions</a></p>
            """
        return .html(Layout.page(title: "MAPPA action", session: session, currentPath: "/actions", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    /// The case's actions, and (for the coordinator) the form to add one, for the case page.
    /// `agencies`: the active agencies, offered as the owner's agency in the form (shown to those who edit cases).
    static func caseSection(_ session: Session, _ services: Services, _ visible: VisibleCase, agencies: [Agency]) throws -> HTML {
        let actions = try services.actions.actions(of: visible)
        let caseID = visible.id
        let today = services.today
        let rows = actions.map { action -> [HTML] in
            ["<a href=\"/actions/\(action.id)\">\(action.description)</a>", "\(action.ownerName), \(action.ownerAgencyName)",
             "\(action.dueDate.displayText)", tag(action, today: today)]
        }
        let table = Components.table(caption: "Actions", headers: ["Action", "Owner", "Due", "Status"], rows: rows)
        guard session.user.role.can(.editCases) else { return "<h2 id=\"actions\">Actions</h2>\(table)" }
        return """
            <h2 id="actions">Actions</h2>
            \(table)
            <details class="details"><summary>Add an action</summary>
            \(Components.form(action: "/cases/\(caseID)/actions", csrf: session.csrfToken, """
                \(Components.textInput("description", label: "What is to be done"))
                \(Components.textInput("owner_name", label: "Owner"))
                \(Components.textInput("owner_email", label: "Owner's secure email (optional: links the action to their account)", type: "email"))
                \(Components.select("owner_agency", label: "Owner's agency", options: agencies.map { ($0.code, $0.name) }, selected: ""))
                \(Components.textInput("due_date", label: "Due date", width: "10"))
                \(Components.button("Add the action", secondary: true))
                """))
            </details>
            """
    }
}
