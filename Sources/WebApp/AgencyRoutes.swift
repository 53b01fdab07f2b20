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
            let agencies = try services.accounts.accounts.agencies()
            let rows = try agencies.map { agency -> [HTML] in
                let spoc = try services.meetings.contacts(agencyID: agency.id, activeOnly: true).first { $0.isSPOC }
                return ["<a href=\"/agencies/\(agency.code)\">\(agency.name)</a>", "\(agency.kind.displayName)",
                        "\(spoc.map { "\($0.name), \($0.email.isEmpty ? $0.phone : $0.email)" } ?? "None named")",
                        agency.active ? Components.tag("Active", colour: "green") : Components.tag("Inactive", colour: "grey")]
            }
            let manage: HTML = session.user.role.can(.manageDirectory) ? Components.form(action: "/agencies", csrf: session.csrfToken, """
                <h2>Add an associate agency</h2>
                <p>Associate agencies are neither responsible authority nor duty-to-co-operate agencies but take part in MAPPA information sharing.</p>
                \(Components.textInput("name", label: "Agency name"))
                \(Components.button("Add agency", secondary: true))
                """) : .empty
            let content: HTML = """
                \(Components.notification(Flash.from(request)?.message))
                <h1>Agencies and contacts</h1>
                \(Components.table(caption: "\(agencies.count) agencies", headers: ["Agency", "Kind", "Single point of contact", "Status"], rows: rows))
                \(manage)
                """
            return .html(Layout.page(title: "Agencies and contacts", session: session, currentPath: "/agencies", content: content).rendered)
        })
        router.post("/agencies", Access.require(services, .manageDirectory) { request, session in
            let form = try request.form()
            do {
                let agency = try services.meetings.addAgency(name: form["name"] ?? "", kind: .associate, by: request.actor(session))
                return .redirect(to: "/agencies/\(agency.code)?done=\(Flash.agencyChanged.rawValue)")
            } catch let failure as AccountService.ValidationFailure {
                throw HTTPError(status: 422, code: "invalid", description: failure.problems.map(\.message).joined(separator: ". "))
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
                try services.meetings.setAgencyActive(id: agency.id, active: active == "yes", by: request.actor(session))
                return .redirect(to: "/agencies/\(agency.code)?done=\(Flash.agencyChanged.rawValue)")
            }
            let contactID = form["contact"].flatMap(Int64.init)
            if let contactID, try services.meetings.contact(id: contactID)?.agencyID != agency.id { throw HTTPError.notFound }
            do {
                try services.meetings.saveContact(
                    id: contactID, agencyID: agency.id, name: (form["name"] ?? "").trimmingCharacters(in: .whitespaces),
                    role: (form["role"] ?? "").trimmingCharacters(in: .whitespaces), email: (form["email"] ?? "").trimmingCharacters(in: .whitespaces),
                    phone: (form["phone"] ?? "").trimmingCharacters(in: .whitespaces), isSPOC: form["spoc"] == "yes",
                    active: form["contact_active"] != "no", by: request.actor(session))
            } catch let failure as AccountService.ValidationFailure {
                return try agencyPage(request, session, services, agency, values: form.firstValues, problems: failure.problems, status: 422)
            }
            return .redirect(to: "/agencies/\(agency.code)?done=\(Flash.contactSaved.rawValue)")
        })
        router.post("/cases/:id/contacts", Access.require(services, .editCases) { request, session in
            let record = try CaseEditRoutes.loadCase(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let date = reader.date("occurred_on", "The contact date")
            let agency = try services.accounts.accounts.agency(code: form["agency"] ?? "")
            do {
                try services.meetings.logContact(caseID: record.id, occurredOn: date, direction: form["direction"] ?? "",
                                                 agencyID: agency?.id, person: reader.text("person"), method: form["method"] ?? "",
                                                 summary: reader.text("summary"), by: session.user, from: request.remoteAddress)
            } catch let failure as AccountService.ValidationFailure {
                let problems = reader.merged(with: failure.problems)
                throw HTTPError(status: 422, code: "invalid", description: problems.map(\.message).joined(separator: ". ") + ". Go back to correct the entry.")
            }
            return .redirect(to: "/cases/\(record.id)?done=\(Flash.contactLogged.rawValue)#contact-log")
        })
    }

    static func load(_ request: Request, _ services: Services) throws -> Agency {
        guard let code = request.parameter("code"), let agency = try services.accounts.accounts.agency(code: code) else {
            throw HTTPError.notFound
        }
        return agency
    }

    static func agencyPage(_ request: Request, _ session: Session, _ services: Services, _ agency: Agency, values: [String: String],
                           problems: [ValidationProblem], status: Int) throws -> Response {
        let manages = session.user.role.can(.manageDirectory)
        let contacts = try services.meetings.contacts(agencyID: agency.id)
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
    static func contactLogSection(_ session: Session, _ services: Services, caseID: Int64, entries: [CaseContact],
                                  agencies: [Agency]) -> HTML {
        let rows = entries.map { entry -> [HTML] in
            ["\(entry.occurredOn.displayText)", "\(entry.direction == "in" ? "Received from" : "Sent to") \(entry.agencyName)",
             "\(entry.person)", "\(entry.method)", "\(entry.summary)", "\(entry.recordedBy)"]
        }
        guard session.user.role.can(.editCases) else {
            return Components.table(caption: "Contact log", headers: ["Date", "With", "Person", "How", "Summary", "Recorded by"], rows: rows)
        }
        return """
            <h2 id="contact-log">Contact log</h2>
            \(Components.table(caption: "\(entries.count) contact\(entries.count == 1 ? "" : "s") recorded", headers: ["Date", "With", "Person", "How", "Summary", "Recorded by"], rows: rows))
            <details class="details"><summary>Record a contact</summary>
            \(Components.form(action: "/cases/\(caseID)/contacts", csrf: session.csrfToken, """
                \(Components.textInput("occurred_on", label: "Date", value: services.meetings.today.description, width: "10"))
                \(Components.select("direction", label: "Direction", options: [("out", "Sent to the agency"), ("in", "Received from the agency")], selected: "out"))
                \(Components.select("agency", label: "Agency", options: agencies.map { ($0.code, $0.name) }, selected: ""))
                \(Components.textInput("person", label: "Person (optional)"))
                \(Components.select("method", label: "How", options: MeetingService.contactMethods.map { ($0, $0) }, selected: "Secure email"))
                \(Components.textarea("summary", label: "Summary", value: "", hint: "What was asked, shared or agreed. No more detail than the record needs.", rows: 3))
                \(Components.button("Add to the log", secondary: true))
                """))
            </details>
            """
    }
}
