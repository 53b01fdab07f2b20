import Documents
import Domain
import Foundation
import HTTPServer
import Store

/// The meeting secretariat: scheduling panels (one-off or a series), the meeting page (`MeetingRoutes+Page`), its agenda
/// (`AgendaRoutes`), invitations (`InvitationRoutes`) and attendance (`AttendanceRoutes`). Partner-agency staff see only
/// meetings their agency is part of, and on them only the cases they may see.
enum MeetingRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/meetings", Access.require(services, .viewMeetings) { request, session in
            try list(request, session, services)
        })
        router.get("/meetings/new", Access.require(services, .manageMeetings) { _, session in
            try planPage(session, services, meeting: nil, values: ["duration": "120", "start_time": "10:00"], problems: [], status: 200)
        })
        router.post("/meetings/new", Access.require(services, .manageMeetings) { request, session in
            let form = try request.form()
            var reader = FormReader(form)
            let plan = readPlan(&reader)
            let repeats = form["repeat"] == "yes"
            let weeks = Int(reader.text("repeat_weeks"))
            let count = Int(reader.text("count")) ?? 0
            if repeats && weeks == nil {
                reader.problems.append(ValidationProblem(field: "repeat_weeks", message: "Enter how many weeks apart the meetings are"))
            }
            guard reader.problems.isEmpty, let plan else {
                return try planPage(session, services, meeting: nil, values: form.firstValues,
                                    problems: reader.merged(with: plan?.problems(today: services.today) ?? []), status: 422)
            }
            do {
                let ids = try services.meetings.schedule(plan, repeatEveryWeeks: repeats ? weeks : nil, count: repeats ? count : 1,
                                                         by: request.actor(session))
                return .redirect(to: "/meetings/\(ids[0])?done=\(Flash.meetingScheduled.rawValue)")
            } catch let error as DomainError where error.isValidation {
                return try planPage(session, services, meeting: nil, values: form.firstValues, problems: error.problems, status: 422)
            }
        })
        router.get("/meetings/:id", Access.require(services, .viewMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(meeting.id))
            return try meetingPage(request, session, services, meeting)
        })
        router.get("/meetings/:id/edit", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(meeting.id),
                                      detail: "change form")
            return try planPage(session, services, meeting: meeting, values: planValues(meeting), problems: [], status: 200)
        })
        router.post("/meetings/:id/edit", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let plan = readPlan(&reader, kind: meeting.kind)
            guard reader.problems.isEmpty, let plan else {
                return try planPage(session, services, meeting: meeting, values: form.firstValues,
                                    problems: reader.merged(with: plan?.problems(today: services.today) ?? []), status: 422)
            }
            do {
                try services.meetings.reschedule(meeting, plan: plan, expectedVersion: Int64(form["version"] ?? "") ?? 0,
                                                 by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try planPage(session, services, meeting: meeting, values: form.firstValues, problems: error.problems, status: 422)
            } catch let error as DomainError where error == .editConflict {
                return try planPage(session, services, meeting: try services.meetings.meeting(id: meeting.id, for: request.viewer(session)),
                                    values: form.firstValues, problems: [ValidationProblem(field: "title", message: error.description)],
                                    status: 409)
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingChanged.rawValue)")
        })
        // Cancelling asks why (the notice tells the invitees) and confirms first: nothing changes, and nothing is due to
        // be sent, until the coordinator has read what will happen and given the reason.
        router.get("/meetings/:id/cancel", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(meeting.id),
                                      detail: "cancellation check")
            return try cancelPage(session, services, meeting, reason: "", problems: [], status: 200)
        })
        router.post("/meetings/:id/cancel", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let reason = try request.form()["reason"] ?? ""
            do {
                try services.meetings.cancel(meeting, reason: reason, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try cancelPage(session, services, meeting, reason: reason, problems: error.problems, status: 422)
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingCancelled.rawValue)")
        })
        router.get("/meetings/:id/agenda.pdf", Access.require(services, .viewMeetings) { request, session in
            let meeting = try load(request, session, services)
            let agenda = try services.meetings.agenda(of: meeting, for: request.viewer(session))
            let pdf = try PDFRenderer.render(AgendaDocument.document(meeting, items: agenda.items, byReference: false))
            try services.audit.record(actor: request.actor(session), action: .export, subjectType: "meeting", subjectID: String(meeting.id),
                                      detail: "agenda PDF: \(agenda.items.count) cases")
            var response = Response.json(pdf, contentType: "application/pdf")
            response.headers.set("Content-Disposition", "attachment; filename=\"\(AgendaDocument.filename(meeting))\"")
            return response
        })
        router.post("/meetings/:id/papers", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let date = reader.date("papers_sent_on", "The date papers were sent", required: "Enter the date the papers were sent")
            do {
                guard let date else { throw DomainError.validation(reader.problems) }
                try services.meetings.markPapersSent(meeting, on: date, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try meetingPage(request, session, services, meeting, problems: reader.merged(with: error.problems), status: 422,
                                       typedPapersSent: FormReader.dateValues(form, "papers_sent_on"))
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingChanged.rawValue)")
        })
        router.post("/meetings/:id/send", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let outbox = services.outbox
            let settings = try outbox.settings()
            // Invitations come from the unit's mailbox, so replies reach the coordinators rather than one person.
            let organizer = settings.smtp.fromAddress.isEmpty
                ? Mailbox(name: session.user.displayName, address: session.user.email) : settings.smtp.sender
            guard !organizer.address.isEmpty else {
                return try meetingPage(request, session, services, meeting, problems: [ValidationProblem(field: "send",
                    message: MailStatusText.notSetUp + " Invitations need a sender: the unit's address in the mail settings, or yours on your account.")], status: 422)
            }
            let count = try services.meetings.sendInvitations(meeting, organizer: organizer, outbox: outbox,
                                                              agenda: try AgendaDocument.mailing(services), by: request.actor(session))
            let queued: Flash = try outbox.isSetUp() ? .invitationsQueued : .invitationsWaitingForMail
            return .redirect(to: "/meetings/\(meeting.id)?done=\(count == 0 ? Flash.nothingToSend.rawValue : queued.rawValue)#invitees")
        })
        router.post("/meetings/:id/held", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.meetings.markHeld(meeting, by: request.viewer(session))
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingHeld.rawValue)")
        })
    }

    /// The meeting, if this person may see it (`MeetingStore.meeting`: a partner agency is not told of other meetings).
    static func load(_ request: Request, _ session: Session, _ services: Services) throws -> Meeting {
        try services.meetings.meeting(id: try NominalRoutes.id(request), for: request.viewer(session))
    }

    static func readPlan(_ reader: inout FormReader, kind fixedKind: MeetingKind? = nil) -> MeetingPlan? {
        let kind = fixedKind ?? reader.choice("kind", MeetingKind.init(rawValue:), required: "Select the kind of meeting")
        let date = reader.date("date", "Meeting date", required: "Enter the meeting date")
        let grade = reader.choice("chair_grade", ChairGrade.init(rawValue:), required: "")
        let chair = Int64(reader.text("chair"))
        guard let kind, let date else { return nil }
        let title = reader.text("title", "Meeting title", max: MeetingPlan.titleLimit)
        let venue = reader.text("venue", "Venue", max: MeetingPlan.venueLimit)
        let link = reader.text("online_link", "Online meeting link", max: MeetingPlan.onlineLinkLimit)
        return MeetingPlan(kind: kind, title: title, date: date, startTime: reader.text("start_time"),
                           durationMinutes: Int(reader.text("duration")) ?? 0, venue: venue,
                           onlineLink: link, chairUserID: chair, chairGrade: grade)
    }

    static func planValues(_ meeting: Meeting) -> [String: String] {
        ["kind": meeting.kind.rawValue, "title": meeting.title, "date": meeting.date.description, "start_time": meeting.startTime,
         "duration": String(meeting.durationMinutes), "venue": meeting.venue, "online_link": meeting.onlineLink,
         "chair": meeting.chairUserID.map(String.init) ?? "", "chair_grade": meeting.chairGrade?.rawValue ?? ""]
    }

    static func when(_ meeting: Meeting) -> String {
        "\(meeting.date.displayText), \(meeting.startTime) (\(meeting.durationMinutes) minutes)"
    }

    static func statusTag(_ meeting: Meeting) -> HTML {
        switch meeting.status {
        case .scheduled: return Components.tag("Scheduled", colour: "blue")
        case .held: return Components.tag("Held", colour: "green")
        case .cancelled: return Components.tag("Cancelled", colour: "grey")
        }
    }

    static func list(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let today = services.today
        let all = try services.meetings.meetings(from: today.adding(days: -120), for: request.viewer(session))
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: "list",
                                  detail: "\(all.count) meetings listed")
        let manages = session.user.role.can(.manageMeetings)
        let compliance = manages ? try services.meetings.compliance(of: all, for: request.viewer(session)) : [:]
        func rows(_ meetings: [Meeting]) throws -> [[HTML]] {
            meetings.map { meeting -> [HTML] in
                let findings = compliance[meeting.id]?.count ?? 0
                return ["<a href=\"/meetings/\(meeting.id)\">\(meeting.title)</a>", "\(meeting.kind.displayName)", "\(when(meeting))",
                        "\(meeting.chairName.isEmpty ? "Not set" : meeting.chairName)", statusTag(meeting),
                        manages ? (findings == 0 ? Components.tag("No problems", colour: "green")
                                                 : Components.tag("\(findings) to check", colour: "red")) : .empty]
            }
        }
        let upcoming = all.filter { $0.date >= today && $0.status == .scheduled }
        let past = all.filter { $0.date < today || $0.status != .scheduled }.reversed()
        let headers = ["Meeting", "Kind", "When", "Chair", "Status", manages ? "Compliance" : ""]
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <h1>Meetings</h1>
            \(manages ? "<a class=\"button\" href=\"/meetings/new\" role=\"button\" draggable=\"false\">Schedule a meeting</a>" as HTML : .empty)
            \(manages ? .empty : "<p><a href=\"/meetings/invited\">Meetings you are invited to</a> · <a href=\"/minutes\">Minutes you may read</a></p>" as HTML)
            \(Components.table(caption: "Coming up", headers: headers, rows: try rows(upcoming)))
            \(Components.table(caption: "Recent and past", headers: headers, rows: try rows(Array(past))))
            """
        return .html(Layout.page(title: "Meetings", session: session, currentPath: "/meetings", content: content).rendered)
    }

    static func planPage(_ session: Session, _ services: Services, meeting: Meeting?, values: [String: String],
                         problems: [ValidationProblem], status: Int) throws -> Response {
        let chairs = try services.accounts.accounts.users().filter { $0.active && [.chair, .coordinator, .manager].contains($0.role) }
        let action = meeting.map { "/meetings/\($0.id)/edit" } ?? "/meetings/new"
        let kindField: HTML = meeting == nil
            ? Components.select("kind", label: "Kind of meeting", options: MeetingKind.allCases.map { ($0.rawValue, $0.displayName) },
                                selected: values["kind"] ?? "", problems: problems)
            : "<p><strong>\(meeting!.kind.displayName)</strong></p>"
        let series: HTML = meeting == nil ? """
            <h2>Series</h2>
            \(Components.checkbox("repeat", label: "Schedule a series (for example, a monthly Level 2 panel)", checked: values["repeat"] == "yes"))
            \(Components.textInput("repeat_weeks", label: "Weeks between meetings", value: values["repeat_weeks"] ?? "4", problems: problems, width: "4"))
            \(Components.textInput("count", label: "Number of meetings in the series", value: values["count"] ?? "6", problems: problems, width: "4"))
            """ : "<input type=\"hidden\" name=\"version\" value=\"\(meeting!.version)\">"
        let reschedule: HTML = meeting == nil ? .empty
            : "<p>Changing the date, time or place sends every invitee an update to the same calendar event.</p>"
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>\(meeting == nil ? "Schedule a meeting" : "Change the meeting")</h1>
            \(reschedule)
            \(Components.form(action: action, csrf: session.csrfToken, """
                \(kindField)
                \(Components.textInput("title", label: "Title", value: values["title"] ?? "", hint: "For example, Level 2 panel – North", problems: problems))
                \(Components.dateInput("date", label: "Date", values: values, hint: "For example, 14 1 2027", problems: problems))
                \(Components.textInput("start_time", label: "Start time", value: values["start_time"] ?? "", hint: "24-hour clock, UK time, for example 10:00", problems: problems, width: "5"))
                \(Components.textInput("duration", label: "Length in minutes", value: values["duration"] ?? "", problems: problems, width: "4"))
                \(Components.textInput("venue", label: "Venue", value: values["venue"] ?? "", hint: "A secure room: the meeting discusses OFFICIAL-SENSITIVE information", problems: problems))
                \(Components.textInput("online_link", label: "Online meeting link (optional)", value: values["online_link"] ?? "", hint: "Must start with https://", problems: problems))
                \(Components.select("chair", label: "Chair", options: chairs.map { (String($0.id), "\($0.displayName) (\($0.agencyName))") }, selected: values["chair"] ?? "", problems: problems))
                \(Components.select("chair_grade", label: "Chair's grade", options: ChairGrade.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["chair_grade"] ?? "", hint: "Level 3 panels need a strategic manager", problems: problems))
                \(series)
                \(Components.button(meeting == nil ? "Schedule" : "Save changes"))
                """))
            <p><a href="\(meeting.map { "/meetings/\($0.id)" } ?? "/meetings")">Cancel</a></p>
            """
        return .html(Layout.page(title: meeting == nil ? "Schedule a meeting" : "Change the meeting", session: session,
                                 currentPath: "/meetings", hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    /// The confirmation before a cancellation: what will happen, the reason the notice will give, and a way back.
    static func cancelPage(_ session: Session, _ services: Services, _ meeting: Meeting, reason: String, problems: [ValidationProblem],
                           status: Int) throws -> Response {
        guard meeting.status == .scheduled else { throw DomainError.conflict("not_scheduled", "Only a scheduled meeting can be cancelled") }
        let invited = try services.meetings.invitees(of: meeting).filter { $0.confirmed && $0.invitedSequence != nil }.count
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">\(meeting.kind.displayName)</span>
            <h1>Cancel \(meeting.title)?</h1>
            \(Components.summaryList([("When", "\(when(meeting))"), ("Invitees already invited", "\(invited)")]))
            <div class="findings"><p><strong>The meeting will be cancelled and cannot be scheduled again. \(invited == 0 ? "Nobody has been invited yet, so no notice is due." : "\(invited) invitee\(invited == 1 ? " is" : "s are") then due a cancellation notice giving your reason, which you send from the meeting page.")</strong></p></div>
            \(Components.form(action: "/meetings/\(meeting.id)/cancel", csrf: session.csrfToken, """
                \(Components.textarea("reason", label: "Why is the meeting cancelled?", value: reason,
                                      hint: "Sent to the invitees in the cancellation notice: no case details. Up to \(MeetingPlan.cancellationReasonLimit) characters.",
                                      problems: problems, rows: 3))
                \(Components.button("Yes, cancel the meeting", warning: true))
                """))
            <p><a href="/meetings/\(meeting.id)">No, keep the meeting</a></p>
            """
        return .html(Layout.page(title: "Cancel \(meeting.title)", session: session, currentPath: "/meetings", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
