import Domain
import Foundation
import HTTPServer
import Store

/// Actions: each person's own list (partner-agency staff included) where they close their actions; the unit's open
/// actions for unit staff, filtered; the coordinator adds actions on a case, choosing the owner from the directory.
/// An owner sees the actions they own even on a case they cannot otherwise open: they need to know what they are
/// asked to do, and nothing more.
enum ActionRoutes {
    static let headers = ["Action", "Case", "Owner", "Area", "Due", "Status"]

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/actions", Access.require(services, .trackActions) { request, session in
            let viewer = request.viewer(session)
            let mine = try services.actions.actions(ownedBy: viewer)
            let open = mine.filter { $0.action.status == .open }, closed = mine.filter { $0.action.status != .open }
            let overdue = open.filter(\.isOverdue).count
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "actions", subjectID: String(viewer.user.id),
                                      detail: "my actions: \(mine.count) listed")
            let content: HTML = """
                \(Components.notification(Flash.from(request)?.message))
                <h1>My actions</h1>
                \(tabs(session, current: "/actions"))
                <p>\(open.isEmpty ? "You have no open actions." : "You have \(open.count) open action\(open.count == 1 ? "" : "s")\(overdue > 0 ? ", \(overdue) overdue" : "").")</p>
                \(Components.table(caption: "Open actions you own, most urgent first", headers: headers, rows: rows(open, today: services.today)))
                \(closed.isEmpty ? .empty : Components.table(caption: "Actions you own that are closed", headers: headers, rows: rows(closed, today: services.today)))
                """
            return .html(Layout.page(title: "My actions", session: session, currentPath: "/actions", content: content).rendered)
        })
        router.get("/actions/open", Access.require(services, .viewCases) { request, session in
            try openList(request, session, services)
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
                return page(request, session, services, listed, problems: error.problems, typed: form.firstValues, status: 422)
            } catch let error as DomainError where error == .editConflict {
                return page(request, session, services, try services.actions.action(id: action.id, for: viewer),
                            problems: [ValidationProblem(field: "status", message: error.description)], status: 409)
            }
            return .redirect(to: "/actions/\(action.id)?done=\(Flash.actionSaved.rawValue)")
        })
        router.get("/cases/:id/actions/new", Access.require(services, .editCases) { request, session in
            let visible = try services.cases.case(id: try NominalRoutes.id(request), for: request.viewer(session))
            let query = String((request.queryValue("q") ?? "").prefix(ActionRules.searchLimit + 1)).trimmingCharacters(in: .whitespaces)
            let response = try newActionPage(request, session, services, visible, values: [:], search: query, problems: [], status: 200)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(visible.id),
                                      detail: "add an action")
            return response
        })
        router.post("/cases/:id/actions", Access.require(services, .editCases) { request, session in
            let caseID = try NominalRoutes.id(request)
            let viewer = request.viewer(session)
            let form = try request.form()
            var reader = FormReader(form)
            let due = reader.date("due_date", "Due date")
            let owner = reader.choice("owner", ActionOwner.init(token:), required: "Choose the owner from the directory")
            let area = reader.choice("area", PlanArea.init(rawValue:), required: "Select the area of the risk management plan the action serves")
            let values = ["description": form["description"] ?? "", "owner": reader.text("owner"), "area": reader.text("area")]
                .merging(FormReader.dateValues(form, "due_date")) { first, _ in first }
            do {
                let rules = ActionRules.problems(description: reader.text("description"), owner: owner, ownerName: "", ownerAgency: "", area: area,
                                                 dueDate: due, today: services.today, isNew: true)
                let problems = reader.merged(with: rules)
                guard problems.isEmpty else { throw DomainError.validation(problems) }
                try services.actions.create(NewAction(caseID: caseID, description: reader.text("description"), owner: owner, area: area,
                                                      dueDate: due), by: viewer)
            } catch let error as DomainError where error.isValidation {
                let visible = try services.cases.case(id: caseID, for: viewer)
                let response = try newActionPage(request, session, services, visible, values: values, search: "", problems: error.problems, status: 422)
                try services.audit.record(actor: viewer.actor, action: .view, subjectType: "case", subjectID: String(visible.id),
                                          detail: "add an action, with problems")
                return response
            }
            return .redirect(to: "/cases/\(caseID)?done=\(Flash.actionSaved.rawValue)#actions")
        })
    }

    /// "My actions" and, for unit staff, the unit's open actions, as two tabs.
    static func tabs(_ session: Session, current: String) -> HTML {
        guard session.user.role.can(.viewCases) else { return .empty }
        func tab(_ href: String, _ label: String) -> HTML {
            href == current ? "<li><a href=\"\(href)\" aria-current=\"page\"><strong>\(label)</strong></a></li>"
                : "<li><a href=\"\(href)\">\(label)</a></li>"
        }
        return "<nav aria-label=\"Actions\"><ul class=\"list list--inline\">\(tab("/actions", "My actions"))\(tab("/actions/open", "Open actions across the unit"))</ul></nav>"
    }

    static func rows(_ actions: [ListedAction], today: CalendarDate) -> [[HTML]] {
        actions.map { listed -> [HTML] in
            let action = listed.action
            return ["<a href=\"/actions/\(action.id)\">\(action.description)</a>",
                    listed.caseVisible ? "<a href=\"/cases/\(action.caseID)\">\(action.nominalRef)</a>" : "Not shown: need-to-know",
                    "\(action.ownerName), \(action.ownerAgencyName)", "\(action.area?.displayName ?? PlanArea.notRecorded)",
                    "\(action.dueDate.displayText)", tag(action, today: today)]
        }
    }

    static func tag(_ action: ActionItem, today: CalendarDate) -> HTML {
        if action.isOverdue(today: today) { return Components.tag("Overdue", colour: "red") }
        if action.isDueSoon(today: today, days: 3) { return Components.tag("Due soon", colour: "yellow") }
        return Components.tag(action.status.displayName, colour: action.status == .open ? "blue" : "grey")
    }

    /// The directory's people as a select's groups, one per agency.
    static func ownerGroups(_ choices: [OwnerChoice]) -> [(label: String, options: [(value: String, label: String)])] {
        var groups: [(label: String, options: [(value: String, label: String)])] = []
        for choice in choices {
            let option = (value: choice.owner.token, label: choice.label)
            if groups.last?.label == choice.agencyName { groups[groups.count - 1].options.append(option) } else {
                groups.append((label: choice.agencyName, options: [option]))
            }
        }
        return groups
    }

    /// The unit's open actions, filtered by agency, owner, case, overdue and area, most urgent first, 50 a page.
    static func openList(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let viewer = request.viewer(session)
        var problems: [ValidationProblem] = []
        func value(_ name: String, _ label: String, limit: Int) -> String {
            let text = (request.queryValue(name) ?? "").trimmingCharacters(in: .whitespaces)
            if let problem = TextRules.problem(text, field: name, label: label, limit: limit) {
                problems.append(problem)
                return ""
            }
            return text
        }
        var filter = OpenActionFilter()
        filter.agencyCode = value("agency", "The agency", limit: 60)
        let ownerText = value("owner", "The owner", limit: 30)
        filter.owner = ActionOwner(token: ownerText)
        if !ownerText.isEmpty && filter.owner == nil { problems.append(ValidationProblem(field: "owner", message: "Choose an owner from the list")) }
        filter.nominalRef = value("case", "The case reference", limit: 40)
        filter.overdueOnly = request.queryValue("overdue") == "yes"
        let areaText = value("area", "The area", limit: 40)
        filter.area = PlanArea(rawValue: areaText)
        if !areaText.isEmpty && filter.area == nil { problems.append(ValidationProblem(field: "area", message: "Choose an area from the list")) }
        let pageText = value("page", "The page", limit: 6)
        let pageNumber = Int(pageText) ?? 1
        let agencies = try services.agencies.agencies()
        let choices = try services.actions.ownerChoices(matching: "", for: viewer)
        let filters = Components.getForm(action: "/actions/open", """
            <div>
            \(Components.select("agency", label: "Owner's agency", options: agencies.map { ($0.code, $0.name) }, selected: filter.agencyCode, problems: problems))
            \(Components.groupedSelect("owner", label: "Owner", groups: ownerGroups(choices), selected: ownerText, problems: problems))
            \(Components.textInput("case", label: "Case reference", value: filter.nominalRef, problems: problems, width: "10"))
            \(Components.select("area", label: "Area of the risk management plan", options: PlanArea.allCases.map { ($0.rawValue, $0.displayName) },
                                selected: areaText, problems: problems))
            \(Components.checkbox("overdue", label: "Overdue only", checked: filter.overdueOnly))
            </div>
            \(Components.button("Apply the filters", secondary: true))
            """)
        var results: HTML = .empty
        if problems.isEmpty {
            let page = try services.actions.openActions(filter, page: pageNumber, for: viewer)
            func link(_ number: Int) -> String {
                var items: [(String, String)] = [("agency", filter.agencyCode), ("owner", ownerText), ("case", filter.nominalRef),
                                                 ("area", areaText), ("overdue", filter.overdueOnly ? "yes" : "")]
                items.append(("page", String(number)))
                return "/actions/open?" + items.filter { !$0.1.isEmpty }.map { "\($0.0)=\(Components.urlEncoded($0.1))" }.joined(separator: "&")
            }
            var pager: [HTML] = []
            if page.page > 1 { pager.append("<a href=\"\(link(page.page - 1))\">Previous page</a>") }
            if page.page < page.pageCount { pager.append("<a href=\"\(link(page.page + 1))\">Next page</a>") }
            let first = page.total == 0 ? 0 : (page.page - 1) * page.pageSize + 1
            results = """
                \(Components.table(caption: page.total == 0 ? "Open actions" : "Open actions \(first) to \(first + page.items.count - 1) of \(page.total), most urgent first",
                                   headers: headers, rows: rows(page.items, today: services.today), empty: "No open actions match."))
                \(pager.isEmpty ? .empty : "<nav aria-label=\"Pages of open actions\"><p>Page \(page.page) of \(page.pageCount): \(pager.map { $0 + " " })</p></nav>" as HTML)
                """
        }
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Open actions across the unit</h1>
            \(tabs(session, current: "/actions/open"))
            <p>Every open action on the cases you may see, most urgent first.</p>
            \(filters)
            \(results)
            """
        return .html(Layout.page(title: "Open actions across the unit", session: session, currentPath: "/actions", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: problems.isEmpty ? 200 : 422)
    }

    /// The form to add an action to a case: a search step for the owner (works without JavaScript; with it, the list
    /// narrows as the person types), then what, who, the area of the plan and the date. Re-shown with what was typed
    /// and the problems when something is wrong.
    static func newActionPage(_ request: Request, _ session: Session, _ services: Services, _ visible: VisibleCase, values: [String: String],
                              search: String, problems: [ValidationProblem], status: Int) throws -> Response {
        let viewer = request.viewer(session)
        let nominal = try services.nominals.nominal(of: visible)
        var searchProblems: [ValidationProblem] = []
        var choices: [OwnerChoice]
        do {
            choices = try services.actions.ownerChoices(matching: search, for: viewer)
        } catch let error as DomainError where error.isValidation {
            searchProblems = error.problems
            choices = try services.actions.ownerChoices(matching: "", for: viewer)
        }
        let path = "/cases/\(visible.id)/actions"
        let found: HTML = search.isEmpty ? .empty
            : choices.isEmpty ? "<p>Nobody in the directory matches “\(search)”. <a href=\"\(path)/new\">Show everyone</a>.</p>"
            : "<p>\(choices.count) \(choices.count == 1 ? "person matches" : "people match") “\(search)”. <a href=\"\(path)/new\">Show everyone</a>.</p>"
        let content: HTML = """
            \(Components.errorSummary(problems + searchProblems))
            <span class="caption">\(nominal.fullName) (\(nominal.nominalRef))</span>
            <h1>Add an action</h1>
            \(Components.getForm(action: path + "/new", """
                \(Components.textInput("q", label: "Find the owner", value: search, hint: "Part of their name, email, role or agency. The people in the directory: users, with their agency, and agency contacts.", type: "search", problems: searchProblems, filters: "owner"))
                <p class="hint" id="owner-status" aria-live="polite"></p>
                \(Components.button("Search the directory", secondary: true))
                """))
            \(found)
            \(Components.form(action: path, csrf: session.csrfToken, """
                \(Components.textInput("description", label: "What is to be done", value: values["description"] ?? "", problems: problems))
                \(Components.groupedSelect("owner", label: "Owner", groups: ownerGroups(choices), selected: values["owner"] ?? "",
                                           hint: "By agency. The owner's agency becomes involved in the case.", problems: problems, filterable: true))
                \(Components.select("area", label: "Area of the risk management plan", options: PlanArea.allCases.map { ($0.rawValue, $0.displayName) },
                                    selected: values["area"] ?? "", problems: problems))
                \(Components.dateInput("due_date", label: "Due date", values: values, hint: "For example, 31 1 2027", problems: problems))
                \(Components.button("Add the action"))
                """))
            <p><a href="/cases/\(visible.id)#actions">Back to the case</a></p>
            """
        return .html(Layout.page(title: "Add an action", session: session, currentPath: "/nominals", hasErrors: !problems.isEmpty || !searchProblems.isEmpty,
                                 content: content).rendered, status: searchProblems.isEmpty ? status : 422)
    }

    /// `typed` is what was sent, shown again when the form comes back with problems.
    static func page(_ request: Request, _ session: Session, _ services: Services, _ listed: ListedAction, problems: [ValidationProblem],
                     typed: [String: String]? = nil, status: Int) -> Response {
        let action = listed.action
        let mayUpdate = services.actions.canUpdate(action, by: request.viewer(session))
        let coordinator = session.user.role.can(.editCases)
        let statuses = ActionStatus.allCases.map { ($0.rawValue, $0.displayName) }
        let form: HTML = mayUpdate ? Components.form(action: "/actions/\(action.id)", csrf: session.csrfToken, """
            <input type="hidden" name="version" value="\(action.version)">
            \(Components.select("status", label: "Status", options: statuses, selected: action.status.rawValue, problems: problems))
            \(Components.textarea("completion_note", label: "What was done, or why it is cancelled or reopened", value: "", problems: problems, rows: 3))
            \(coordinator ? Components.dateInput("due_date", label: "Due date", values: typed, default: action.dueDate, problems: problems) : .empty)
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
                ("Area of the risk management plan", "\(action.area?.displayName ?? PlanArea.notRecorded)"),
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

    /// The case's actions and, for the coordinator, the way to add one, for the case page.
    static func caseSection(_ session: Session, _ services: Services, _ visible: VisibleCase) throws -> HTML {
        let actions = try services.actions.actions(of: visible)
        let today = services.today
        let rows = actions.map { action -> [HTML] in
            ["<a href=\"/actions/\(action.id)\">\(action.description)</a>", "\(action.ownerName), \(action.ownerAgencyName)",
             "\(action.area?.displayName ?? PlanArea.notRecorded)", "\(action.dueDate.displayText)", tag(action, today: today)]
        }
        let open = actions.filter { $0.status == .open }.count
        let table = Components.table(caption: "\(actions.count) action\(actions.count == 1 ? "" : "s"), \(open) open",
                                     headers: ["Action", "Owner", "Area", "Due", "Status"], rows: rows, empty: "No actions yet.")
        guard session.user.role.can(.editCases) else { return "<h2 id=\"actions\">Actions</h2>\(table)" }
        return """
            <h2 id="actions">Actions</h2>
            \(table)
            <p><a class="button button--secondary" href="/cases/\(visible.id)/actions/new" role="button" draggable="false">Add an action</a></p>
            """
    }

    /// For the minutes of a case's discussion, until they are approved: the areas of the risk management plan with no
    /// open action on the case, for the panel to consider.
    static func uncoveredAreas(_ services: Services, _ discussion: Discussion) throws -> HTML {
        if let minutes = discussion.minutes, minutes.status == .approved || minutes.status == .distributed { return .empty }
        let uncovered = try services.actions.uncoveredAreas(of: discussion.visibleCase)
        guard !uncovered.isEmpty else { return .empty }
        return """
            <div class="notification" role="region" aria-labelledby="uncovered-title">
              <h2 class="notification__title" id="uncovered-title">Risk management plan: no open action</h2>
              <p class="notification__body">These areas have no open action on this case: </p>
              <ul class="list list--bullet">\(uncovered.map { area -> HTML in "<li>\(area.displayName)</li>" })</ul>
            </div>
            """
    }
}
