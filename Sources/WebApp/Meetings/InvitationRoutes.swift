import Domain
import Foundation
import HTTPServer
import Store

/// A meeting's invitations: the invitees proposed from the agencies involved in the cases on the agenda (those the
/// coordinator may see) and the core agencies, confirmed or added by hand, and removed.
enum InvitationRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/meetings/:id/invitees", Access.require(services, .manageMeetings) { request, session in
            let meeting = try MeetingRoutes.load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(meeting.id),
                                      detail: "invitees")
            return try page(request, session, services, meeting, problems: [], status: 200)
        })
        router.post("/meetings/:id/invitees", Access.require(services, .manageMeetings) { request, session in
            let meeting = try MeetingRoutes.load(request, session, services)
            let form = try request.form()
            let actor = request.actor(session)
            do {
                switch form["action"] ?? "" {
                case "confirm":
                    let chosen = Set(form.values("contact").compactMap(Int64.init))
                    var people: [(agencyID: Int64, name: String, email: String)] = []
                    for id in chosen {
                        if let contact = try services.agencies.contact(id: id) {
                            people.append((contact.agencyID, contact.name, contact.email))
                        }
                    }
                    guard !people.isEmpty else {
                        throw DomainError.validation(field: "contact", "Select at least one person to invite")
                    }
                    try services.meetings.confirmInvitees(meeting, people, by: actor)
                case "add":
                    let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
                    let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
                    var problems: [ValidationProblem] = []
                    let agency = try services.agencies.agency(code: form["agency"] ?? "")
                    if agency == nil { problems.append(ValidationProblem(field: "agency", message: "Select the person's agency")) }
                    if name.isEmpty { problems.append(ValidationProblem(field: "name", message: "Enter the person's name")) }
                    if email.isEmpty { problems.append(ValidationProblem(field: "email", message: "Enter the person's secure email address")) }
                    problems += AccountRules().emailProblems(email)
                    guard problems.isEmpty, let agency else { throw DomainError.validation(problems) }
                    try services.meetings.confirmInvitees(meeting, [(agency.id, name, email)], by: actor)
                case "remove":
                    guard let id = form["invitee"].flatMap(Int64.init) else { throw DomainError.badRequest("Choose an invitee") }
                    try services.meetings.removeInvitee(meeting, inviteeID: id, by: actor)
                default:
                    throw DomainError.badRequest("Unknown invitation action")
                }
            } catch let error as DomainError where error.isValidation {
                return try page(request, session, services, meeting, problems: error.problems, status: 422)
            }
            return .redirect(to: "/meetings/\(meeting.id)/invitees?done=\(Flash.inviteesChanged.rawValue)")
        })
    }

    static func page(_ request: Request, _ session: Session, _ services: Services, _ meeting: Meeting,
                             problems: [ValidationProblem], status: Int) throws -> Response {
        let proposed = try services.meetings.proposedInvitees(for: try services.meetings.agenda(of: meeting, for: request.viewer(session)))
        let confirmed = try services.meetings.invitees(of: meeting)
        let confirmedEmails = Set(confirmed.map(\.email))
        let proposalRows = proposed.map { entry -> [HTML] in
            guard let contact = entry.contact else {
                return ["–", "\(entry.agency.name)", "No contact with an email address: <a href=\"/agencies/\(entry.agency.code)\">add one</a>" as HTML]
            }
            let already = confirmedEmails.contains(contact.email)
            return [already ? "Confirmed" : Components.checkbox("contact", label: "Invite \(contact.name)", checked: true, value: String(contact.id)),
                    "\(entry.agency.name)", "\(contact.name)\(contact.isSPOC ? " (single point of contact)" : ""), \(contact.email)"]
        }
        let confirmedRows = confirmed.map { invitee -> [HTML] in
            ["\(invitee.name)", "\(invitee.agencyName)", "\(invitee.email)", MailStatusText.invitation(invitee, meeting: meeting),
             MailStatusText.reply(invitee.reply),
             Components.form(action: "/meetings/\(meeting.id)/invitees", csrf: session.csrfToken, """
                <input type="hidden" name="action" value="remove"><input type="hidden" name="invitee" value="\(invitee.id)">
                <button class="button button--secondary button--small" type="submit">Remove<span class="visually-hidden"> \(invitee.name)</span></button>
                """)]
        }
        let agencies = try services.agencies.agencies(activeOnly: true)
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">\(meeting.title), \(meeting.date.displayText)</span>
            <h1>Invitations</h1>
            <p>Proposed from the agencies involved in each case on the agenda, with police, probation, the lead agency
            and, for cases in custody, the prison service. Check the list, then confirm.</p>
            \(Components.form(action: "/meetings/\(meeting.id)/invitees", csrf: session.csrfToken, """
                <input type="hidden" name="action" value="confirm">
                \(Components.table(caption: "Proposed invitees", headers: ["Invite", "Agency", "Contact"], rows: proposalRows))
                \(Components.button("Confirm the selected invitees"))
                """))
            \(try services.outbox.isSetUp() ? .empty : "<div class=\"inset-text\"><p>\(MailStatusText.notSetUp)</p></div>" as HTML)
            \(Components.table(caption: "Confirmed invitees", headers: ["Name", "Agency", "Email", "Invitation", "Agency's reply", ""], rows: confirmedRows))
            \(Components.form(action: "/meetings/\(meeting.id)/invitees", csrf: session.csrfToken, """
                <h2>Invite someone else</h2>
                <input type="hidden" name="action" value="add">
                \(Components.select("agency", label: "Agency", options: agencies.map { ($0.code, $0.name) }, selected: "", problems: problems))
                \(Components.textInput("name", label: "Name", problems: problems))
                \(Components.textInput("email", label: "Secure email address", type: "email", problems: problems))
                \(Components.button("Add invitee", secondary: true))
                """))
            <p><a href="/meetings/\(meeting.id)">Back to the meeting</a></p>
            """
        return .html(Layout.page(title: "Invitations", session: session, currentPath: "/meetings", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
