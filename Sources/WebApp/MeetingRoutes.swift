import Domain
import Foundation
import HTTPServer
import Store

/// The meeting secretariat: scheduling panels (one-off or a series), building the agenda from cases due for
/// review, confirming invitees, recording attendance and showing the compliance checks. Partner-agency staff
/// see only meetings their agency is part of, and on them only the cases they may see.
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
                                    problems: reader.merged(with: plan?.problems(today: services.meetings.today) ?? []), status: 422)
            }
            do {
                let ids = try services.meetings.schedule(plan, repeatEveryWeeks: repeats ? weeks : nil, count: repeats ? count : 1,
                                                         by: request.actor(session))
                return .redirect(to: "/meetings/\(ids[0])?done=\(Flash.meetingScheduled.rawValue)")
            } catch let failure as AccountService.ValidationFailure {
                return try planPage(session, services, meeting: nil, values: form.firstValues, problems: failure.problems, status: 422)
            }
        })
        router.get("/meetings/:id", Access.require(services, .viewMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(meeting.id))
            return try meetingPage(request, session, services, meeting)
        })
        router.get("/meetings/:id/edit", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            return try planPage(session, services, meeting: meeting, values: planValues(meeting), problems: [], status: 200)
        })
        router.post("/meetings/:id/edit", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let plan = readPlan(&reader, kind: meeting.kind)
            guard reader.problems.isEmpty, let plan else {
                return try planPage(session, services, meeting: meeting, values: form.firstValues,
                                    problems: reader.merged(with: plan?.problems(today: services.meetings.today) ?? []), status: 422)
            }
            do {
                try services.meetings.reschedule(id: meeting.id, plan: plan, expectedVersion: Int64(form["version"] ?? "") ?? 0,
                                                 by: request.actor(session))
            } catch let failure as AccountService.ValidationFailure {
                return try planPage(session, services, meeting: meeting, values: form.firstValues, problems: failure.problems, status: 422)
            } catch let error as StoreError where error == .editConflict {
                return try planPage(session, services, meeting: try services.meetings.meeting(id: meeting.id) ?? meeting,
                                    values: form.firstValues, problems: [ValidationProblem(field: "title", message: error.description)],
                                    status: 409)
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingChanged.rawValue)")
        })
        router.post("/meetings/:id/cancel", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.meetings.cancel(id: meeting.id, by: request.actor(session))
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingCancelled.rawValue)")
        })
        router.post("/meetings/:id/papers", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            var reader = FormReader(try request.form())
            let date = reader.date("papers_sent_on", "The date papers were sent")
            do {
                guard let date else {
                    throw AccountService.ValidationFailure(problems: reader.problems.isEmpty
                        ? [ValidationProblem(field: "papers_sent_on", message: "Enter the date the papers were sent")] : reader.problems)
                }
                try services.meetings.markPapersSent(id: meeting.id, on: date, by: request.actor(session))
            } catch let failure as AccountService.ValidationFailure {
                return try meetingPage(request, session, services, meeting, problems: failure.problems, status: 422)
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingChanged.rawValue)")
        })
        router.post("/meetings/:id/send", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let outbox = Outbox(database: services.database, clock: services.clock)
            let settings = try outbox.settings()
            // Invitations come from the unit's mailbox, so replies reach the coordinators rather than one person.
            let organizer = settings.smtp.fromAddress.isEmpty
                ? Mailbox(name: session.user.displayName, address: session.user.email) : settings.smtp.sender
            guard !organizer.address.isEmpty else {
                return try meetingPage(request, session, services, meeting, problems: [ValidationProblem(field: "send",
                    message: "Mail is not set up yet: ask an administrator to enter the mail settings, then send the invitations")], status: 422)
            }
            let count = try services.meetings.sendInvitations(meetingID: meeting.id, organizer: organizer, outbox: outbox,
                                                              by: request.actor(session))
            return .redirect(to: "/meetings/\(meeting.id)?done=\(count == 0 ? Flash.nothingToSend.rawValue : Flash.invitationsQueued.rawValue)#invitees")
        })
        router.post("/meetings/:id/held", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            try services.meetings.markHeld(id: meeting.id, by: session.user, from: request.remoteAddress)
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.meetingHeld.rawValue)")
        })
        router.post("/meetings/:id/agenda", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let form = try request.form()
            let actor = request.actor(session)
            let itemID = form["item"].flatMap(Int64.init)
            switch form["action"] ?? "" {
            case "add":
                guard let caseID = form["case"].flatMap(Int64.init) else { throw HTTPError.badRequest("Choose a case to add") }
                let reason = try services.meetings.agendaProposals(meetingID: meeting.id).first { $0.caseID == caseID }?.reason.text ?? "Added by the coordinator"
                try services.meetings.addToAgenda(meetingID: meeting.id, caseID: caseID, reason: reason, by: actor)
            case "add_all":
                for proposal in try services.meetings.agendaProposals(meetingID: meeting.id) {
                    try services.meetings.addToAgenda(meetingID: meeting.id, caseID: proposal.caseID, reason: proposal.reason.text, by: actor)
                }
            case "remove":
                guard let itemID else { throw HTTPError.badRequest("Choose an agenda item") }
                try services.meetings.removeFromAgenda(meetingID: meeting.id, itemID: itemID, by: actor)
            case "up", "down":
                guard let itemID else { throw HTTPError.badRequest("Choose an agenda item") }
                try services.meetings.moveItem(meetingID: meeting.id, itemID: itemID, by: form["action"] == "up" ? -1 : 1, actor: actor)
            default:
                throw HTTPError.badRequest("Unknown agenda action")
            }
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.agendaChanged.rawValue)#agenda")
        })
        router.get("/meetings/:id/invitees", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            return try inviteesPage(request, session, services, meeting, problems: [], status: 200)
        })
        router.post("/meetings/:id/invitees", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let form = try request.form()
            let actor = request.actor(session)
            do {
                switch form["action"] ?? "" {
                case "confirm":
                    let chosen = Set(form.values("contact").compactMap(Int64.init))
                    var people: [(agencyID: Int64, name: String, email: String)] = []
                    for id in chosen {
                        if let contact = try services.meetings.contact(id: id) {
                            people.append((contact.agencyID, contact.name, contact.email))
                        }
                    }
                    guard !people.isEmpty else {
                        throw AccountService.ValidationFailure(problems: [ValidationProblem(field: "contact", message: "Select at least one person to invite")])
                    }
                    try services.meetings.confirmInvitees(meetingID: meeting.id, people, by: actor)
                case "add":
                    let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
                    let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
                    var problems: [ValidationProblem] = []
                    let agency = try services.accounts.accounts.agency(code: form["agency"] ?? "")
                    if agency == nil { problems.append(ValidationProblem(field: "agency", message: "Select the person's agency")) }
                    if name.isEmpty { problems.append(ValidationProblem(field: "name", message: "Enter the person's name")) }
                    if email.isEmpty { problems.append(ValidationProblem(field: "email", message: "Enter the person's secure email address")) }
                    problems += AccountRules().emailProblems(email)
                    guard problems.isEmpty, let agency else { throw AccountService.ValidationFailure(problems: problems) }
                    try services.meetings.confirmInvitees(meetingID: meeting.id, [(agency.id, name, email)], by: actor)
                case "remove":
                    guard let id = form["invitee"].flatMap(Int64.init) else { throw HTTPError.badRequest("Choose an invitee") }
                    try services.meetings.removeInvitee(meetingID: meeting.id, inviteeID: id, by: actor)
                default:
                    throw HTTPError.badRequest("Unknown invitation action")
                }
            } catch let failure as AccountService.ValidationFailure {
                return try inviteesPage(request, session, services, meeting, problems: failure.problems, status: 422)
            }
            return .redirect(to: "/meetings/\(meeting.id)/invitees?done=\(Flash.inviteesChanged.rawValue)")
        })
        router.get("/meetings/:id/attendance", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            return try attendancePage(session, services, meeting)
        })
        router.post("/meetings/:id/attendance", Access.require(services, .manageMeetings) { request, session in
            let meeting = try load(request, session, services)
            let form = try request.form()
            let agencies = try attendanceAgencies(services, meeting)
            let items = try services.meetings.items(meetingID: meeting.id)
            var records: [AttendanceRecord] = []
            for agency in agencies {
                if let status = form["status-\(agency.id)"].flatMap(AttendanceStatus.init(rawValue:)) {
                    records.append(AttendanceRecord(itemID: nil, agencyID: agency.id, person: form["person-\(agency.id)"] ?? "", status: status))
                }
                for item in items {
                    if let status = form["status-\(agency.id)-\(item.id)"].flatMap(AttendanceStatus.init(rawValue:)) {
                        records.append(AttendanceRecord(itemID: item.id, agencyID: agency.id, person: form["person-\(agency.id)"] ?? "", status: status))
                    }
                }
            }
            let acknowledged = form["confidentiality_all"] == "yes"
                ? Set(items.map(\.id)) : Set(form.values("confidentiality").compactMap(Int64.init))
            try services.meetings.recordAttendance(meetingID: meeting.id, records, acknowledgedItemIDs: acknowledged, by: request.actor(session))
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.attendanceSaved.rawValue)#compliance")
        })
    }

    /// The meeting, if this person may see it; otherwise 404 (a partner agency is not told of other meetings).
    static func load(_ request: Request, _ session: Session, _ services: Services) throws -> Meeting {
        guard let id = request.parameter("id").flatMap(Int64.init), let meeting = try services.meetings.meeting(id: id) else {
            throw HTTPError.notFound
        }
        guard try services.meetings.canView(meetingID: id, user: session.user) else {
            try services.audit.record(actor: request.actor(session), action: .accessRefused, subjectType: "meeting",
                                      subjectID: String(id), detail: "agency not part of the meeting")
            throw HTTPError.notFound
        }
        return meeting
    }

    static func readPlan(_ reader: inout FormReader, kind fixedKind: MeetingKind? = nil) -> MeetingPlan? {
        let kind = fixedKind ?? reader.choice("kind", MeetingKind.init(rawValue:), required: "Select the kind of meeting")
        let date = reader.date("date", "Meeting date")
        if reader.text("date").isEmpty { reader.problems.append(ValidationProblem(field: "date", message: "Enter the meeting date")) }
        let grade = reader.choice("chair_grade", ChairGrade.init(rawValue:), required: "")
        let chair = Int64(reader.text("chair"))
        guard let kind, let date else { return nil }
        return MeetingPlan(kind: kind, title: reader.text("title"), date: date, startTime: reader.text("start_time"),
                           durationMinutes: Int(reader.text("duration")) ?? 0, venue: reader.text("venue"),
                           onlineLink: reader.text("online_link"), chairUserID: chair, chairGrade: grade)
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
        let today = services.meetings.today
        let all = try services.meetings.meetings(from: today.adding(days: -120), visibleTo: session.user)
        let manages = session.user.role.can(.manageMeetings)
        func rows(_ meetings: [Meeting]) throws -> [[HTML]] {
            try meetings.map { meeting -> [HTML] in
                let findings = manages ? try services.meetings.compliance(meetingID: meeting.id).count : 0
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
                \(Components.textInput("date", label: "Date", value: values["date"] ?? "", hint: "For example, 2027-01-14", problems: problems, width: "10"))
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

    static func meetingPage(_ request: Request, _ session: Session, _ services: Services, _ meeting: Meeting,
                            problems: [ValidationProblem] = [], status: Int = 200) throws -> Response {
        let manages = session.user.role.can(.manageMeetings)
        let scheduled = meeting.status == .scheduled
        let items = try services.meetings.items(meetingID: meeting.id)
        var visible: [MeetingItem] = []
        for item in items where try services.casework.access(caseID: item.caseID, user: session.user) == .allowed { visible.append(item) }
        let hidden = items.count - visible.count
        let agendaRows = try visible.map { item -> [HTML] in
            let minutes = try services.minutes.current(itemID: item.id)
            let openActions = try services.actions.openActionCount(caseID: item.caseID)
            let minutesLink: HTML = session.user.role.can(.viewCases)
                ? "<a href=\"/meetings/\(meeting.id)/items/\(item.id)/minutes\">Minutes<span class=\"visually-hidden\"> for \(item.nominalRef)</span></a>: \(minutes?.status.displayName ?? "not started")"
                : .empty
            let controls: HTML = manages && scheduled ? """
                \(agendaButton(meeting, session, "up", item, "Move up"))\(agendaButton(meeting, session, "down", item, "Move down"))\(agendaButton(meeting, session, "remove", item, "Remove"))
                """ : .empty
            return ["\(item.position)", "<a href=\"/cases/\(item.caseID)\">\(item.nominalName)</a> (\(item.nominalRef))",
                    "\(item.category.shortName), \(item.level.shortName)", "\(item.leadAgencyName)",
                    "\(item.reviewType == "initial" ? "Initial" : "Review"): \(item.reason)\(openActions > 0 ? "; \(openActions) open action\(openActions == 1 ? "" : "s") to review" : "")",
                    minutesLink, controls]
        }
        var proposalsHTML: HTML = .empty
        if manages && scheduled && meeting.kind.reviewLevel != nil {
            let proposals = try services.meetings.agendaProposals(meetingID: meeting.id)
            let rows = try proposals.prefix(50).map { proposal -> [HTML] in
                let record = try services.casework.caseRecord(id: proposal.caseID)
                let nominal = try record.flatMap { try services.casework.nominal(id: $0.nominalID) }
                return ["<a href=\"/cases/\(proposal.caseID)\">\(nominal?.fullName ?? "Case \(proposal.caseID)")</a>",
                        "\(proposal.reason.text)",
                        Components.form(action: "/meetings/\(meeting.id)/agenda", csrf: session.csrfToken, """
                            <input type="hidden" name="action" value="add"><input type="hidden" name="case" value="\(proposal.caseID)">
                            <button class="button button--secondary button--small" type="submit">Add<span class="visually-hidden"> \(nominal?.fullName ?? "")</span></button>
                            """)]
            }
            proposalsHTML = proposals.isEmpty ? "<p>No other \(meeting.kind.reviewLevel!.shortName) cases are new, overdue or due for review by this meeting.</p>" : """
                \(Components.table(caption: "Proposed: \(proposals.count) case\(proposals.count == 1 ? "" : "s") new, overdue or due for review\(proposals.count > 50 ? " (the 50 most urgent shown)" : "")", headers: ["Case", "Why", ""], rows: Array(rows)))
                \(Components.form(action: "/meetings/\(meeting.id)/agenda", csrf: session.csrfToken, """
                    <input type="hidden" name="action" value="add_all">\(Components.button("Add all proposed cases", secondary: true))
                    """))
                """
        }
        let findings = manages ? try services.meetings.compliance(meetingID: meeting.id) : []
        let complianceHTML: HTML = !manages ? .empty : (findings.isEmpty
            ? "<h2 id=\"compliance\">Compliance</h2><p>\(Components.tag("No problems", colour: "green")) Nothing to check at this stage.</p>"
            : """
                <h2 id="compliance">Compliance</h2>
                <ul class="list list--bullet">\(findings.map { finding -> HTML in "<li>\(finding.message)</li>" })</ul>
                """)
        let invitees = manages ? try services.meetings.invitees(meetingID: meeting.id) : []
        let due = manages ? try services.meetings.invitationsDue(meetingID: meeting.id).count : 0
        let mail = manages ? try Outbox(database: services.database, clock: services.clock).entries(meetingID: meeting.id) : []
        let mailRows = mail.map { entry -> [HTML] in
            ["\(entry.createdAt.prefix(16).replacingOccurrences(of: "T", with: " "))", "\(entry.recipients.joined(separator: ", "))",
             "\(entry.purpose.replacingOccurrences(of: "meeting_", with: "").capitalized)",
             entry.status == .sent ? Components.tag("Sent", colour: "green")
                : (entry.status == .failed ? Components.tag("Failed", colour: "red") : Components.tag("Waiting to send", colour: "blue")),
             "\(entry.attempts)", "\(entry.lastError)"]
        }
        let sendForm: HTML = due == 0 || meeting.status == .held ? .empty : Components.form(action: "/meetings/\(meeting.id)/send", csrf: session.csrfToken, """
            <p>\(due) invitee\(due == 1 ? " is" : "s are") due \(meeting.status == .cancelled ? "a cancellation notice" : "an invitation or an update") (email with a calendar invitation).</p>
            \(Components.button(meeting.status == .cancelled ? "Send cancellation notices" : "Send invitations and updates"))
            """)
        let inviteeRows = invitees.map { invitee -> [HTML] in
            ["\(invitee.name)", "\(invitee.agencyName)", "\(invitee.email)",
             "\(invitee.invitedSequence == nil ? "Not sent yet" : (invitee.invitedSequence! < meeting.sequence ? "Update due" : "Sent"))"]
        }
        let actions: HTML = manages && scheduled ? """
            <h2>Actions</h2>
            <p><a href="/meetings/\(meeting.id)/edit">Change date, time, place or chair</a> ·
               <a href="/meetings/\(meeting.id)/invitees">Invitations</a> ·
               <a href="/meetings/\(meeting.id)/attendance">Record attendance</a></p>
            \(Components.form(action: "/meetings/\(meeting.id)/papers", csrf: session.csrfToken, """
                \(Components.textInput("papers_sent_on", label: "Date the papers (referrals and previous minutes) were sent", value: meeting.papersSentOn?.description ?? services.meetings.today.description, problems: problems, width: "10"))
                \(Components.button("Record papers sent", secondary: true))
                """))
            \(meeting.date <= services.meetings.today ? Components.form(action: "/meetings/\(meeting.id)/held", csrf: session.csrfToken, """
                <p>When the meeting has taken place, mark it as held: each case on the agenda counts as reviewed today and gets its next review date.</p>
                \(Components.button("Mark as held"))
                """) : .empty)
            \(Components.form(action: "/meetings/\(meeting.id)/cancel", csrf: session.csrfToken, """
                \(Components.button("Cancel the meeting", warning: true))
                """))
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
            ]))
            \(complianceHTML)
            <h2 id="agenda">Agenda</h2>
            \(Components.table(caption: "\(visible.count) case\(visible.count == 1 ? "" : "s") on the agenda", headers: ["#", "Case", "Category and level", "Lead agency", "Discussion", "Minutes", ""], rows: agendaRows))
            \(hidden > 0 ? "<p>\(hidden) other case\(hidden == 1 ? " is" : "s are") on this agenda but not shown: access is on a need-to-know basis.</p>" as HTML : .empty)
            \(proposalsHTML)
            \(manages ? "<h2 id=\"invitees\">Invitees</h2>" as HTML : .empty)
            \(manages ? Components.table(caption: "\(invitees.count) confirmed", headers: ["Name", "Agency", "Email", "Invitation"], rows: inviteeRows) : .empty)
            \(sendForm)
            \(mail.isEmpty ? .empty : Components.table(caption: "Messages about this meeting", headers: ["Queued", "To", "Kind", "Status", "Attempts", "Last problem"], rows: mailRows))
            \(actions)
            <p><a href="/meetings">All meetings</a></p>
            """
        return .html(Layout.page(title: meeting.title, session: session, currentPath: "/meetings", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    static func agendaButton(_ meeting: Meeting, _ session: Session, _ action: String, _ item: MeetingItem, _ label: String) -> HTML {
        Components.form(action: "/meetings/\(meeting.id)/agenda", csrf: session.csrfToken, """
            <input type="hidden" name="action" value="\(action)"><input type="hidden" name="item" value="\(item.id)">
            <button class="button button--secondary button--small" type="submit">\(label)<span class="visually-hidden"> \(item.nominalRef)</span></button>
            """)
    }

    static func inviteesPage(_ request: Request, _ session: Session, _ services: Services, _ meeting: Meeting,
                             problems: [ValidationProblem], status: Int) throws -> Response {
        let proposed = try services.meetings.proposedInvitees(meetingID: meeting.id)
        let confirmed = try services.meetings.invitees(meetingID: meeting.id)
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
            ["\(invitee.name)", "\(invitee.agencyName)", "\(invitee.email)",
             Components.form(action: "/meetings/\(meeting.id)/invitees", csrf: session.csrfToken, """
                <input type="hidden" name="action" value="remove"><input type="hidden" name="invitee" value="\(invitee.id)">
                <button class="button button--secondary button--small" type="submit">Remove<span class="visually-hidden"> \(invitee.name)</span></button>
                """)]
        }
        let agencies = try services.accounts.accounts.agencies(activeOnly: true)
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
            \(Components.table(caption: "Confirmed invitees", headers: ["Name", "Agency", "Email", ""], rows: confirmedRows))
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

    /// The agencies to record attendance for: those invited, those already recorded, and the core agencies of
    /// each case on the agenda.
    static func attendanceAgencies(_ services: Services, _ meeting: Meeting) throws -> [Agency] {
        var ids = Set(try services.meetings.invitees(meetingID: meeting.id).map(\.agencyID))
        ids.formUnion(try services.meetings.attendance(meetingID: meeting.id).map(\.agencyID))
        ids.formUnion(try services.meetings.proposedInvitees(meetingID: meeting.id).map(\.agency.id))
        let core = Set(["police", "probation"])
        return try services.accounts.accounts.agencies().filter { ids.contains($0.id) || core.contains($0.code) }
    }

    static func attendancePage(_ session: Session, _ services: Services, _ meeting: Meeting) throws -> Response {
        let agencies = try attendanceAgencies(services, meeting)
        let items = try services.meetings.items(meetingID: meeting.id)
        let records = try services.meetings.attendance(meetingID: meeting.id)
        let options = AttendanceStatus.allCases.map { ($0.rawValue, $0.displayName) }
        let wholeRows = agencies.map { agency -> [HTML] in
            let record = records.first { $0.agencyID == agency.id && $0.itemID == nil }
            return ["\(agency.name)",
                    Components.select("status-\(agency.id)", label: "\(agency.name): whole meeting", options: options, selected: record?.status.rawValue ?? ""),
                    Components.textInput("person-\(agency.id)", label: "\(agency.name): who", value: record?.person ?? "")]
        }
        let itemSections = items.map { item -> HTML in
            let rows = agencies.map { agency -> [HTML] in
                let record = records.first { $0.agencyID == agency.id && $0.itemID == item.id }
                return ["\(agency.name)", Components.select("status-\(agency.id)-\(item.id)", label: "\(agency.name) for \(item.nominalRef)",
                                                            options: options, selected: record?.status.rawValue ?? "")]
            }
            return """
                <h3>\(item.position). \(item.nominalRef) (\(item.level.shortName), lead: \(item.leadAgencyName))</h3>
                \(Components.checkbox("confidentiality", label: "Confidentiality statement read or acknowledged for this case", checked: item.confidentialityAcknowledged, value: String(item.id)))
                <details class="details"><summary>Attendance different for this case</summary>
                \(Components.table(caption: "Only where it differs from the whole meeting", headers: ["Agency", "Attendance"], rows: rows))
                </details>
                """
        }
        let content: HTML = """
            <span class="caption">\(meeting.title), \(meeting.date.displayText)</span>
            <h1>Record attendance</h1>
            \(Components.form(action: "/meetings/\(meeting.id)/attendance", csrf: session.csrfToken, """
                <h2>Whole meeting</h2>
                \(Components.table(caption: "Attendance by agency", headers: ["Agency", "Attendance", "Name"], rows: wholeRows))
                \(Components.checkbox("confidentiality_all", label: "The confidentiality and diversity statement was read at the start, for every case", checked: false))
                <h2>Case discussions</h2>
                \(itemSections)
                \(Components.button("Save attendance"))
                """))
            <p><a href="/meetings/\(meeting.id)">Back to the meeting</a></p>
            """
        return .html(Layout.page(title: "Record attendance", session: session, currentPath: "/meetings", content: content).rendered)
    }
}
