import Domain
import Foundation
import HTTPServer
import Store

/// Partner agencies in the loop: the meetings a representative's agency is invited to ("Meetings you are invited to",
/// naming only the cases they may see), and their agency's reply to each (attending, apologies, or apologies with a
/// report), which the coordinator sees on the invitee list and the compliance check reads as attendance.
enum InvitationReplyRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/meetings/invited", Access.require(services, .viewMeetings) { request, session in
            let invitations = try services.meetings.invitations(for: request.viewer(session))
            let named = invitations.flatMap(\.cases)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting",
                                      subjectID: invitations.map { String($0.meeting.id) }.joined(separator: ","),
                                      detail: "invitations list; cases \(Set(named.map(\.caseID)).sorted().map(String.init).joined(separator: ","))")
            return list(request, session, invitations)
        })
        router.get("/meetings/:id/reply", Access.require(services, .viewMeetings) { request, session in
            let invitation = try load(request, session, services)
            try audit(request, session, services, invitation)
            return try replyPage(request, session, invitation, values: nil, problems: [], status: 200)
        })
        router.post("/meetings/:id/reply", Access.require(services, .viewMeetings) { request, session in
            let invitation = try load(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let response = reader.choice("response", InvitationResponse.init(rawValue:), required: "Choose your agency's reply")
            // Read as typed (not trimmed) so the length and control-character checks see what was sent.
            let text = form["report_text"] ?? ""
            do {
                guard let response, reader.problems.isEmpty else {
                    throw DomainError.validation(reader.merged(with: InvitationReply(response: .apologiesWithReport, reportText: text, reportSent: true).problems()))
                }
                try services.meetings.reply(to: invitation.meeting, InvitationReply(response: response, reportText: text, reportSent: form["report_sent"] == "yes"),
                                            by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try replyPage(request, session, invitation, values: form.firstValues, problems: error.problems, status: 422)
            }
            return .redirect(to: "/meetings/invited?done=\(Flash.invitationReplied.rawValue)")
        })
    }

    static func load(_ request: Request, _ session: Session, _ services: Services) throws -> MeetingInvitation {
        let viewer = request.viewer(session)
        // The meeting first: an agency not part of it is not told it exists (`MeetingStore.meeting`).
        let meeting = try services.meetings.meeting(id: try NominalRoutes.id(request), for: viewer)
        return try services.meetings.invitation(meetingID: meeting.id, for: viewer)
    }

    static func audit(_ request: Request, _ session: Session, _ services: Services, _ invitation: MeetingInvitation) throws {
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(invitation.meeting.id),
                                  detail: "invitation; cases \(invitation.cases.map { String($0.caseID) }.joined(separator: ","))")
    }

    static func when(_ meeting: Meeting) -> String { MeetingRoutes.when(meeting) }

    static func casesText(_ invitation: MeetingInvitation) -> HTML {
        invitation.cases.isEmpty ? "None of the cases on the agenda is shared with your agency yet"
            : "\(invitation.cases.map { "\($0.nominalName) (\($0.nominalRef))" }.joined(separator: "; "))"
    }

    static func replyText(_ reply: StoredInvitationReply?) -> HTML {
        guard let reply else { return Components.tag("No reply yet", colour: "red") }
        return "\(reply.reply.response.displayName)\(reply.reply.reportSent ? "; report sent separately" : "")"
    }

    static func list(_ request: Request, _ session: Session, _ invitations: [MeetingInvitation]) -> Response {
        func rows(_ invitations: [MeetingInvitation]) -> [[HTML]] {
            invitations.map { invitation in
                let meeting = invitation.meeting
                let link: HTML = invitation.upcoming
                    ? "<a href=\"/meetings/\(meeting.id)/reply\">\(invitation.reply == nil ? "Reply" : "Change the reply")<span class=\"visually-hidden\"> to \(meeting.title)</span></a>"
                    : "Closed"
                return ["<a href=\"/meetings/\(meeting.id)\">\(meeting.title)</a>", "\(when(meeting))", casesText(invitation), replyText(invitation.reply), link]
            }
        }
        let upcoming = invitations.filter(\.upcoming)
        let past = invitations.filter { !$0.upcoming }
        let headers = ["Meeting", "When", "Cases you may see", "Your agency's reply", ""]
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <h1>Meetings you are invited to</h1>
            <p>Meetings your agency (\(session.user.agencyName)) is invited to. Tell the coordinator whether you will attend; if you
            cannot, send apologies and, where you can, a written report: the panel counts a report from an absent agency.</p>
            \(Components.table(caption: "Coming up (\(upcoming.count))", headers: headers, rows: rows(upcoming)))
            \(past.isEmpty ? .empty : Components.table(caption: "Recent (\(past.count))", headers: headers, rows: rows(past)))
            <p><a href="/minutes">Minutes you may read</a></p>
            """
        return .html(Layout.page(title: "Meetings you are invited to", session: session, currentPath: "/meetings", content: content).rendered)
    }

    static func replyPage(_ request: Request, _ session: Session, _ invitation: MeetingInvitation, values: [String: String]?,
                          problems: [ValidationProblem], status: Int) throws -> Response {
        let meeting = invitation.meeting
        let current = invitation.reply?.reply
        let values = values ?? ["response": current?.response.rawValue ?? "", "report_text": current?.reportText ?? "",
                                "report_sent": current?.reportSent == true ? "yes" : ""]
        let form: HTML = invitation.upcoming ? Components.form(action: "/meetings/\(meeting.id)/reply", csrf: session.csrfToken, """
            \(Components.select("response", label: "Your agency's reply", options: InvitationResponse.allCases.map { ($0.rawValue, $0.displayName) },
                                selected: values["response"] ?? "", problems: problems))
            \(Components.textarea("report_text", label: "Report (if you cannot attend)", value: values["report_text"] ?? "",
                                  hint: "Up to \(InvitationReply.maximumReportLength) characters: what your agency knows that the panel needs. Or send it separately and tick the box below.",
                                  problems: problems, rows: 6))
            \(Components.checkbox("report_sent", label: "Our report is sent separately (by secure email)", checked: values["report_sent"] == "yes"))
            \(Components.button("Send the reply"))
            """) : "<p>This meeting is \(meeting.status == .cancelled ? "cancelled" : "over"): replies are closed.</p>"
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">\(meeting.kind.displayName)</span>
            <h1>Reply: \(meeting.title)</h1>
            \(Components.summaryList([
                ("When", "\(when(meeting))"),
                ("Where", "\(meeting.venue.isEmpty ? "Online only" : meeting.venue)"),
                ("Cases you may see", casesText(invitation)),
                ("Your agency's reply", invitation.reply.map { reply -> HTML in
                    "\(replyText(reply)) (\(reply.repliedBy), \(reply.repliedAt.prefix(10)))" } ?? replyText(nil)),
            ]))
            \(form)
            <p><a href="/meetings/invited">Meetings you are invited to</a></p>
            """
        return .html(Layout.page(title: "Reply: \(meeting.title)", session: session, currentPath: "/meetings", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
