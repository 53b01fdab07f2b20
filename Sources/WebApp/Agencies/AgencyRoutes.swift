import Domain
import Foundation
import HTTPServer
import Store

/// The single point of contact directory: responsible authorities, duty-to-co-operate and associate agencies,
/// each with its contacts and a named SPOC. Everyone signed in can look people up; the coordinator and
/// administrators keep it current. Also each case's contact log.
enum AgencyRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/agencies", Access.require(services, nil) { request, session in
            try directory(request, session, services, name: "", problems: [], status: 200)
        })
        router.post("/agencies", Access.require(services, .manageDirectory) { request, session in
            let form = try request.form()
            let reader = FormReader(form)
            let name = reader.text("name")
            do {
                guard reader.problems.isEmpty else { throw DomainError.validation(reader.problems) }
                let agency = try services.agencies.addAgency(name: name, kind: .associate, by: request.actor(session))
                return .redirect(to: "/agencies/\(agency.code)?done=\(Flash.agencyChanged.rawValue)")
            } catch let error as DomainError where error.isValidation {
                return try directory(request, session, services, name: form["name"] ?? "", problems: error.problems, status: 422)
            }
        })
        router.get("/agencies/:code", Access.require(services, nil) { request, session in
            let agency = try load(request, services)
            return try agencyPage(request, session, services, agency, values: [:], problems: [], status: 200)
        })
        router.post("/agencies/:code", Access.require(services, .manageDirectory) { request, session in
            let agency = try load(request, services)
            let form = try request.form()
            if let active = form["active"] {
                try services.agencies.setAgencyActive(id: agency.id, active: active == "yes", by: request.actor(session))
                return .redirect(to: "/agencies/\(agency.code)?done=\(Flash.agencyChanged.rawValue)")
            }
            let contactID = form["contact"].flatMap(Int64.init)
            if let contactID, try services.agencies.contact(id: contactID)?.agencyID != agency.id { throw DomainError.notFound("The contact") }
            do {
                try services.agencies.saveContact(
                    id: contactID, agencyID: agency.id, name: (form["name"] ?? "").trimmingCharacters(in: .whitespaces),
                    role: (form["role"] ?? "").trimmingCharacters(in: .whitespaces), email: (form["email"] ?? "").trimmingCharacters(in: .whitespaces),
                    phone: (form["phone"] ?? "").trimmingCharacters(in: .whitespaces), isSPOC: form["spoc"] == "yes",
                    active: form["contact_active"] != "no", by: request.actor(session))
            } catch let error as DomainError where error.isValidation {
                return try agencyPage(request, session, services, agency, values: form.firstValues, problems: error.problems, status: 422)
            }
            return .redirect(to: "/agencies/\(agency.code)?done=\(Flash.contactSaved.rawValue)")
        })
    }

    /// The directory, with the form to add an associate agency (what was typed and what is wrong, after a refusal).
    static func directory(_ request: Request, _ session: Session, _ services: Services, name: String, problems: [ValidationProblem],
                          status: Int) throws -> Response {
        let agencies = try services.agencies.agencies()
        let spocs = try services.agencies.singlePointsOfContact()
        let rows = agencies.map { agency -> [HTML] in
            let spoc = spocs[agency.id]
            return ["<a href=\"/agencies/\(agency.code)\">\(agency.name)</a>", "\(agency.kind.displayName)",
                    "\(spoc.map { "\($0.name), \($0.email.isEmpty ? $0.phone : $0.email)" } ?? "None named")",
                    agency.active ? Components.tag("Active", colour: "green") : Components.tag("Inactive", colour: "grey")]
        }
        let manage: HTML = session.user.role.can(.manageDirectory) ? Components.form(action: "/agencies", csrf: session.csrfToken, """
            <h2>Add an associate agency</h2>
            <p>Associate agencies are neither responsible authority nor duty-to-co-operate agencies but take part in MAPPA information sharing.</p>
            \(Components.textInput("name", label: "Agency name", value: name, problems: problems))
            \(Components.button("Add agency", secondary: true))
            """) : .empty
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <h1>Agencies and contacts</h1>
            \(Components.table(caption: "\(agencies.count) agencies", headers: ["Agency", "Kind", "Single point of contact", "Status"], rows: rows))
            \(manage)
            """
        return .html(Layout.page(title: "Agencies and contacts", session: session, currentPath: "/agencies", hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func load(_ request: Request, _ services: Services) throws -> Agency {
        guard let code = request.parameter("code"), let agency = try services.agencies.agency(code: code) else {
            throw DomainError.notFound("The agency")
        }
        return agency
    }

    static func agencyPage(_ request: Request, _ session: Session, _ services: Services, _ agency: Agency, values: [String: String],
                           problems: [ValidationProblem], status: Int) throws -> Response {
        let manages = session.user.role.can(.manageDirectory)
        let contacts = try services.agencies.contacts(agencyID: agency.id)
        let rows = contacts.map { contact -> [HTML] in
            ["\(contact.name)\(contact.isSPOC ? " (single point of contact)" : "")", "\(contact.role)",
             contact.email.isEmpty ? "–" : "<a href=\"mailto:\(contact.email)\">\(contact.email)</a>", "\(contact.phone)",
             contact.active ? "Active" : "Left"]
        }
        let editing = values["contact"].flatMap(Int64.init)
        let manage: HTML = manages ? """
            \(Components.form(action: "/agencies/\(agency.code)", csrf: session.csrfToken, """
                <h2>\(editing == nil ? "Add a contact" : "Change a contact")</h2>
                \(editing.map { "<input type=\"hidden\" name=\"contact\" value=\"\($0)\">" as HTML } ?? .empty)
                \(Components.textInput("name", label: "Name", value: values["name"] ?? "", problems: problems))
                \(Components.textInput("role", label: "Role", value: values["role"] ?? "", hint: "For example, MAPPA single point of contact, housing options manager", problems: problems))
                \(Components.textInput("email", label: "Secure email address", value: values["email"] ?? "", type: "email", problems: problems))
                \(Components.textInput("phone", label: "Phone", value: values["phone"] ?? "", type: "tel", problems: problems, width: "20"))
                \(Components.checkbox("spoc", label: "Single point of contact for MAPPA (replaces the current one)", checked: values["spoc"] == "yes"))
                \(Components.button("Save contact", secondary: true))
                """))
            \(Components.form(action: "/agencies/\(agency.code)", csrf: session.csrfToken, """
                <input type="hidden" name="active" value="\(agency.active ? "no" : "yes")">
                \(agency.active
                    ? "<h2>Make inactive</h2><p>An inactive agency stays in existing records but is no longer offered for new cases, invitations or users.</p>" as HTML
                    : "<h2>Make active again</h2>" as HTML)
                \(Components.button(agency.active ? "Make inactive" : "Make active", secondary: true))
                """))
            """ : .empty
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">\(agency.kind.displayName)</span>
            <h1>\(agency.name)</h1>
            \(agency.active ? .empty : "<p>\(Components.tag("Inactive", colour: "grey"))</p>" as HTML)
            \(Components.table(caption: "Contacts", headers: ["Name", "Role", "Email", "Phone", "Status"], rows: rows))
            \(manage)
            <p><a href="/agencies">All agencies</a></p>
            """
        return .html(Layout.page(title: agency.name, session: session, currentPath: "/agencies", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    /// The contact log and the form to add to it, for the case page.
    /// `agencies`: the active agencies, offered in the form to record a contact (shown to those who edit cases).
}
