import Domain
import Foundation
import HTTPServer
import Store

/// A case's contact log: the single point of contact's record of every communication with and about the agencies,
/// shown on the case page and added to by the coordinator.
enum ContactLogRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.post("/cases/:id/contacts", Access.require(services, .editCases) { request, session in
            let caseID = try NominalRoutes.id(request)
            let form = try request.form()
            var reader = FormReader(form)
            // A contact is logged after it happened: a date to come is refused.
            let date = reader.date("occurred_on", "Date of contact", bound: .todayOrPast(today: services.today))
            let agency = try services.agencies.agency(code: form["agency"] ?? "")
            let person = reader.text("person", "The person", max: 200)
            let summary = reader.text("summary", "The summary", max: 4000, multiline: true)
            do {
                guard reader.problems.isEmpty else { throw DomainError.validation(reader.problems) }
                try services.contacts.logContact(caseID: caseID, occurredOn: date, direction: form["direction"] ?? "",
                                                 agencyID: agency?.id, person: person, method: form["method"] ?? "",
                                                 summary: summary, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                // The case page again, with the log's form open on what was typed and what is wrong.
                let visible = try services.cases.case(id: caseID, for: request.viewer(session))
                try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(caseID),
                                          detail: "contact log entry refused")
                return try CaseRoutes.page(request, session, services, visible,
                                           contactForm: (values: form.firstValues, problems: reader.merged(with: error.problems)))
            }
            return .redirect(to: "/cases/\(caseID)?done=\(Flash.contactLogged.rawValue)#contact-log")
        })
    }

    /// The log on the case page, with the form to add to it for those who edit cases. `agencies`: the active agencies.
    /// `form`: what was typed and what is wrong, when an entry was refused; the form is then open.
    static func section(_ session: Session, _ services: Services, caseID: Int64, entries: [CaseContact], agencies: [Agency],
                        form: (values: [String: String], problems: [ValidationProblem])? = nil) -> HTML {
        let values = form?.values ?? [:], problems = form?.problems ?? []
        let rows = entries.map { entry -> [HTML] in
            ["\(entry.occurredOn.displayText)", "\(entry.direction == "in" ? "Received from" : "Sent to") \(entry.agencyName)",
             "<span class=\"free-text\">\(entry.person)</span>", "\(entry.method)", "<span class=\"preserve-lines\">\(entry.summary)</span>",
             "\(entry.recordedBy)"]
        }
        let log: HTML = """
            <h2 id="contact-log">Contact log</h2>
            \(Components.table(caption: "\(entries.count) contact\(entries.count == 1 ? "" : "s") recorded", headers: ["Date", "With", "Person", "How", "Summary", "Recorded by"], rows: rows, empty: "No contacts recorded yet."))
            """
        guard session.user.role.can(.editCases) else { return log }
        return """
            \(log)
            <details class="details"\(form == nil ? .empty : HTML(trusted: " open"))><summary>Record a contact</summary>
            \(Components.form(action: "/cases/\(caseID)/contacts", csrf: session.csrfToken, """
                \(Components.dateInput("occurred_on", label: "Date of contact", values: values, default: services.today, problems: problems))
                \(Components.select("direction", label: "Direction", options: [("out", "Sent to the agency"), ("in", "Received from the agency")], selected: values["direction"] ?? "out", problems: problems))
                \(Components.select("agency", label: "Agency", options: agencies.map { ($0.code, $0.name) }, selected: values["agency"] ?? "", problems: problems))
                \(Components.textInput("person", label: "Person (optional)", value: values["person"] ?? "", problems: problems))
                \(Components.select("method", label: "How", options: ContactLogStore.methods.map { ($0, $0) }, selected: values["method"] ?? "Secure email", problems: problems))
                \(Components.textarea("summary", label: "Summary", value: values["summary"] ?? "", hint: "What was asked, shared or agreed. No more detail than the record needs.", problems: problems, rows: 3))
                \(Components.button("Add to the log", secondary: true))
                """))
            </details>
            """
    }
}
