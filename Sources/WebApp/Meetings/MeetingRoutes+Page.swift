import Domain
import Foundation
import HTTPServer
import Store

extension MeetingRoutes {
    /// The meeting: its details, compliance, agenda (the cases the viewer may see, and how many others for those who
    /// run it), the builder's proposals, invitees and messages, and what can be done next.
    /// `typedSlots`: time slots as typed, by item, after one was refused; `typedPapersSent`: the papers-sent date's
    /// fields as typed, after it was refused.
    static func meetingPage(_ request: Request, _ session: Session, _ services: Services, _ meeting: Meeting,
                            problems: [ValidationProblem] = [], status: Int = 200, typedSlots: [Int64: String] = [:],
                            typedPapersSent: [String: String]? = nil) throws -> Response {
        let manages = session.user.role.can(.manageMeetings)
        let scheduled = meeting.status == .scheduled
        let viewer = request.viewer(session)
        let agenda = try services.meetings.agenda(of: meeting, for: viewer)
        let visible = agenda.items
        let minutesStatuses = try services.minutes.statuses(of: agenda)
        let openCounts = try services.actions.openCounts(of: agenda)
        let agendaRows = visible.map { item -> [HTML] in
            let openActions = openCounts[item.caseID] ?? 0
            // Partner-agency staff read approved minutes only (`MinutesWorkflow.mayRead`): they are not told of drafts.
            let status = minutesStatuses[item.id]
            let minutesLink: HTML = status.map { MinutesWorkflow.mayRead($0, role: session.user.role) } ?? session.user.role.can(.viewCases)
                ? "<a href=\"/meetings/\(meeting.id)/items/\(item.id)/minutes\">Minutes<span class=\"visually-hidden\"> for \(item.nominalRef)</span></a>: \(status?.displayName ?? "not started")"
                : "Not approved yet"
            let controls: HTML = manages && scheduled ? """
                \(AgendaRoutes.button(meeting, session, "up", item, "Move up"))\(AgendaRoutes.button(meeting, session, "down", item, "Move down"))\(AgendaRoutes.button(meeting, session, "remove", item, "Remove"))
                """ : .empty
            // A case whose level no longer matches the panel (moved from Level 3 to Level 2, say) is flagged, not hidden.
            let flag: HTML = AgendaBuilder.levelMismatch(caseLevel: item.level, kind: meeting.kind)
                .map { "<br>\(Components.tag("Level changed", colour: "red")) \($0)" } ?? .empty
            return ["\(item.position)",
                    AgendaRoutes.slotCell(meeting, session, item, editable: manages && scheduled, typed: typedSlots[item.id], problems: problems),
                    "<a href=\"/cases/\(item.caseID)\">\(item.nominalName)</a> (\(item.nominalRef))",
                    "\(item.category.shortName), \(item.level.shortName)<br>Review date: \(item.nextReviewDate?.displayText ?? "not set")",
                    "\(item.leadAgencyName)",
                    "\(item.reviewType == "initial" ? "Initial" : "Review"): \(item.reason)\(openActions > 0 ? "; \(openActions) open action\(openActions == 1 ? "" : "s") to review" : "")\(flag)",
                    minutesLink, controls]
        }
        let proposalsHTML = manages && scheduled && meeting.kind.reviewLevel != nil
            ? try AgendaRoutes.proposalsSection(session, services, meeting, viewer: viewer) : .empty
        let screeningHTML = meeting.kind == .screening && session.user.role.can(.manageReferrals)
            ? try ScreeningRoutes.meetingSection(session, services, meeting, viewer: viewer) : .empty
        let findings = manages ? try services.meetings.compliance(of: meeting, for: viewer) : []
        let complianceHTML: HTML = !manages ? .empty : (findings.isEmpty
            ? "<h2 id=\"compliance\">Compliance</h2><p>\(Components.tag("No problems", colour: "green")) Nothing to check at this stage.</p>"
            : """
                <h2 id="compliance">Compliance</h2>
                <ul class="list list--bullet">\(findings.map { finding -> HTML in "<li>\(finding.message)</li>" })</ul>
                """)
        let invitees = manages ? try services.meetings.invitees(of: meeting) : []
        let due = MeetingStore.invitationsDue(meeting, among: invitees).count
        let mail = manages ? try services.outbox.entries(meetingID: meeting.id) : []
        let mailRows = mail.map { entry -> [HTML] in
            [Components.time(entry.createdAt), "\(entry.recipients.joined(separator: ", "))",
             "\(entry.purpose.replacingOccurrences(of: "meeting_", with: "").capitalized)",
             MailStatusText.tag(MessageStatus(status: entry.status, lastError: entry.lastError, sentAt: entry.sentAt)),
             "\(entry.attempts)"]
        }
        let sendForm: HTML = due == 0 || meeting.status == .held ? .empty : Components.form(action: "/meetings/\(meeting.id)/send", csrf: session.csrfToken, """
            <p>\(due) invitee\(due == 1 ? " is" : "s are") due \(meeting.status == .cancelled ? "a cancellation notice" : "an invitation or an update") (email with a calendar invitation).</p>
            \(Components.button(meeting.status == .cancelled ? "Send cancellation notices" : "Send invitations and updates"))
            """)
        let inviteeRows = invitees.map { invitee -> [HTML] in
            ["\(invitee.name)", "\(invitee.agencyName)", "\(invitee.email)", MailStatusText.invitation(invitee, meeting: meeting),
             MailStatusText.reply(invitee.reply)]
        }
        let mailSetUp = manages ? try services.outbox.isSetUp() : true
        let notSetUp: HTML = mailSetUp || (invitees.isEmpty && mail.isEmpty) ? .empty
            : "<div class=\"inset-text\"><p>\(MailStatusText.notSetUp)</p></div>"
        let actions: HTML = manages && scheduled ? """
            <h2>Actions</h2>
            <p><a href="/meetings/\(meeting.id)/edit">Change date, time, place or chair</a> ·
               <a href="/meetings/\(meeting.id)/invitees">Invitations</a> ·
               <a href="/meetings/\(meeting.id)/attendance">Record attendance</a></p>
            \(Components.form(action: "/meetings/\(meeting.id)/papers", csrf: session.csrfToken, """
                \(Components.dateInput("papers_sent_on", label: "Date the papers (referrals and previous minutes) were sent", values: typedPapersSent, default: meeting.papersSentOn ?? services.today, problems: problems))
                \(Components.button("Record papers sent", secondary: true))
                """))
            \(meeting.date <= services.today ? Components.form(action: "/meetings/\(meeting.id)/held", csrf: session.csrfToken, """
                <p>When the meeting has taken place, mark it as held: each case on the agenda counts as reviewed on the meeting's date. Its next review date is set when the chair approves the minutes.</p>
                \(Components.button("Mark as held"))
                """) : .empty)
            <p><a class="button button--warning" href="/meetings/\(meeting.id)/cancel" role="button" draggable="false">Cancel the meeting</a></p>
            """ : (manages && meeting.status == .held ? "<p><a href=\"/meetings/\(meeting.id)/attendance\">Correct the attendance record</a></p>" as HTML : .empty)
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">\(meeting.kind.displayName)</span>
            <h1>\(meeting.title)</h1>
            \(Components.summaryList([
                ("When", "\(when(meeting))"),
                ("Where", "\(meeting.venue.isEmpty ? "Online only" : meeting.venue)"),
                ("Online link", meeting.onlineLink.isEmpty ? "None" : "<a href=\"\(meeting.onlineLink)\" rel=\"noreferrer\">Join online</a>"),
                ("Chair", "\(meeting.chairName.isEmpty ? "Not set" : meeting.chairName)\(meeting.chairGrade.map { " – \($0.displayName)" } ?? "")"),
                ("Status", statusTag(meeting)),
                ("Papers sent", "\(meeting.papersSentOn?.displayText ?? "Not yet")"),
            ] + (meeting.status == .cancelled && !meeting.cancelReason.isEmpty ? [("Why it was cancelled", "\(meeting.cancelReason)")] : [])))
            \(complianceHTML)
            <h2 id="agenda">Agenda</h2>
            \(visible.isEmpty ? .empty : "<p><a href=\"/meetings/\(meeting.id)/agenda.pdf\" download>Download the agenda (PDF)</a></p>" as HTML)
            \(Components.table(caption: "\(visible.count) case\(visible.count == 1 ? "" : "s") on the agenda", headers: ["#", "Time", "Case", "Category and level", "Lead agency", "Discussion", "Minutes", ""], rows: agendaRows))
            \((agenda.hiddenCount ?? 0) > 0 ? "<p>\(agenda.hiddenCount!) other case\(agenda.hiddenCount! == 1 ? " is" : "s are") on this agenda but not shown: access is on a need-to-know basis.</p>" as HTML : .empty)
            \(proposalsHTML)
            \(screeningHTML)
            \(manages ? "<h2 id=\"invitees\">Invitees</h2>" as HTML : .empty)
            \(notSetUp)
            \(manages ? Components.table(caption: "\(invitees.count) confirmed", headers: ["Name", "Agency", "Email", "Invitation", "Agency's reply"], rows: inviteeRows) : .empty)
            \(sendForm)
            \(mail.isEmpty ? .empty : Components.table(caption: "Messages about this meeting", headers: ["Queued", "To", "Kind", "Status", "Attempts"], rows: mailRows))
            \(actions)
            <p><a href="/meetings">All meetings</a></p>
            """
        return .html(Layout.page(title: meeting.title, session: session, currentPath: "/meetings", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
