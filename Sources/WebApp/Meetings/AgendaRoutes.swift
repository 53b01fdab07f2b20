import Domain
import Foundation
import HTTPServer
import Store

/// A meeting's agenda: the cases the builder proposes (new, overdue or due for review at the panel's level, among those
/// the coordinator may see), adding, removing and ordering them. Adding a case the coordinator may not open is refused
/// and recorded by the Store, as opening it would be.
enum AgendaRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.post("/meetings/:id/agenda", Access.require(services, .manageMeetings) { request, session in
            let meeting = try MeetingRoutes.load(request, session, services)
            let form = try request.form()
            let viewer = request.viewer(session)
            let itemID = form["item"].flatMap(Int64.init)
            switch form["action"] ?? "" {
            case "add":
                guard let caseID = form["case"].flatMap(Int64.init) else { throw DomainError.badRequest("Choose a case to add") }
                try services.meetings.addToAgenda(meeting, caseID: caseID, by: viewer)
            case "add_all":
                try services.meetings.addProposals(meeting, by: viewer)
            case "remove":
                guard let itemID else { throw DomainError.badRequest("Choose an agenda item") }
                try services.meetings.removeFromAgenda(meeting, itemID: itemID, by: viewer)
            case "up", "down":
                guard let itemID else { throw DomainError.badRequest("Choose an agenda item") }
                try services.meetings.moveItem(meeting, itemID: itemID, by: form["action"] == "up" ? -1 : 1, viewer: viewer)
            default:
                throw DomainError.badRequest("Unknown agenda action")
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.agendaChanged.rawValue)#agenda")
        })
        // A time slot per case: "HH:MM" within the meeting, or empty to clear it. A wrong time shows the meeting page
        // again with what was typed and the problem beside that item.
        router.post("/meetings/:id/items/:item/time", Access.require(services, .manageMeetings) { request, session in
            let meeting = try MeetingRoutes.load(request, session, services)
            let itemID = try NominalRoutes.id(request, "item")
            let form = try request.form()
            let typed = FormReader(form).text("start_time")
            do {
                try services.meetings.setTimeSlot(meeting, itemID: itemID, startTime: typed, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                let problems = error.problems.map { ValidationProblem(field: slotField(itemID), message: $0.message) }
                return try MeetingRoutes.meetingPage(request, session, services, meeting, problems: problems, status: 422,
                                                     typedSlots: [itemID: typed])
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.agendaChanged.rawValue)#agenda")
        })
    }

    static func slotField(_ itemID: Int64) -> String { "slot-\(itemID)" }

    /// The time slot cell of an agenda item: the time, and for the coordinator of a scheduled meeting a small form to
    /// set it (with its problem and what was typed, after a wrong time).
    static func slotCell(_ meeting: Meeting, _ session: Session, _ item: MeetingItem, editable: Bool, typed: String?,
                         problems: [ValidationProblem]) -> HTML {
        guard editable else { return "\(item.startTime.isEmpty ? "–" : item.startTime)" }
        let field = slotField(item.id)
        let error = Components.fieldError(problems, field)
        return Components.form(action: "/meetings/\(meeting.id)/items/\(item.id)/time", csrf: session.csrfToken, """
            <div class="form-group\(error == nil ? "" : " form-group--error")">
            <label class="label" for="\(field)">Start time<span class="visually-hidden"> for \(item.nominalRef)</span></label>
            \(error.map { "<p class=\"error-message\" id=\"\(field)-error\"><span class=\"visually-hidden\">Error:</span> \($0.message)</p>" as HTML } ?? .empty)
            <input class="input input--5\(error == nil ? "" : " input--error")" id="\(field)" name="start_time" type="text" inputmode="numeric" maxlength="5" value="\(typed ?? item.startTime)" autocomplete="off"\(error == nil ? HTML.empty : HTML(trusted: " aria-describedby=\"\(field)-error\""))>
            </div>
            <button class="button button--secondary button--small" type="submit">Set time<span class="visually-hidden"> for \(item.nominalRef)</span></button>
            """)
    }

    /// The builder's proposals for the meeting page: the 50 most urgent with their person, and a button to add them all.
    static func proposalsSection(_ session: Session, _ services: Services, _ meeting: Meeting, viewer: Viewer) throws -> HTML {
        let found = try services.meetings.proposals(for: meeting, by: viewer)
        let proposals = found.proposals
        let rows = proposals.prefix(50).map { proposal -> [HTML] in
            let name = found.people[proposal.caseID]?.fullName ?? "Case \(proposal.caseID)"
            return ["<a href=\"/cases/\(proposal.caseID)\">\(name)</a>", "\(proposal.reason.text)",
                    Components.form(action: "/meetings/\(meeting.id)/agenda", csrf: session.csrfToken, """
                        <input type="hidden" name="action" value="add"><input type="hidden" name="case" value="\(proposal.caseID)">
                        <button class="button button--secondary button--small" type="submit">Add<span class="visually-hidden"> \(name)</span></button>
                        """)]
        }
        return proposals.isEmpty ? "<p>No other \(meeting.kind.reviewLevel!.shortName) cases are new, overdue or due for review by this meeting.</p>" : """
            \(Components.table(caption: "Proposed: \(proposals.count) case\(proposals.count == 1 ? "" : "s") new, overdue or due for review\(proposals.count > 50 ? " (the 50 most urgent shown)" : "")", headers: ["Case", "Why", ""], rows: Array(rows)))
            \(Components.form(action: "/meetings/\(meeting.id)/agenda", csrf: session.csrfToken, """
                <input type="hidden" name="action" value="add_all">\(Components.button("Add all proposed cases", secondary: true))
                """))
            """
    }

    static func button(_ meeting: Meeting, _ session: Session, _ action: String, _ item: MeetingItem, _ label: String) -> HTML {
        Components.form(action: "/meetings/\(meeting.id)/agenda", csrf: session.csrfToken, """
            <input type="hidden" name="action" value="\(action)"><input type="hidden" name="item" value="\(item.id)">
            <button class="button button--secondary button--small" type="submit">\(label)<span class="visually-hidden"> \(item.nominalRef)</span></button>
            """)
    }
}
