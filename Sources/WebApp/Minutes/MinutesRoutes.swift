import Documents
import Domain
import Foundation
import HTTPServer
import Store

/// Minutes of each case discussion: the coordinator writes them (pre-filled with what is still current), the quality
/// check lists what is missing, the chair approves or sends them back, the coordinator distributes a PDF to the people
/// the case's need-to-know admits (`MinutesStore.recipients`), and an edit after approval makes a new version with the
/// reason shown. The pages are in `MinutesRoutes+Pages`, the PDF in `MinutesRoutes+Document`.
enum MinutesRoutes {
    static let handling = [
        "OFFICIAL-SENSITIVE. Shared under the MAPPA information-sharing agreement because the risk to public or individual safety outweighs confidentiality.",
        "Do not photocopy, forward or share outside your agency without the chair's agreement; further disclosure needs the chair's permission, on a need-to-know basis.",
        "Keep in the restricted or confidential part of your agency's files. Do not bring these minutes to MAPPA meetings.",
    ]

    static func register(_ router: inout Router, _ services: Services) {
        let base = "/meetings/:id/items/:item/minutes"
        // Partner-agency staff pass the gate too: the Store lets them read approved minutes of the cases their agency is
        // involved in, and nothing else (`MinutesStore.discussion`).
        router.get(base, Access.require(services, .viewMeetings) { request, session in
            let context = try load(request, session, services)
            if let minutes = context.minutes {
                try services.audit.record(actor: request.actor(session), action: .view, subjectType: "minutes", subjectID: String(minutes.id))
            } else {
                try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(context.item.caseID),
                                          detail: "discussion at meeting \(context.meeting.id), no minutes yet")
            }
            return try page(request, session, services, context, values: nil, problems: [], findings: nil, status: 200)
        })
        router.post(base + "/start", Access.require(services, .manageMeetings) { request, session in
            let context = try load(request, session, services)
            _ = try services.minutes.startDraft(context, by: request.viewer(session))
            return .redirect(to: path(context))
        })
        router.post(base, Access.require(services, .manageMeetings) { request, session in
            let context = try load(request, session, services)
            guard context.minutes != nil else { throw DomainError.notFound("The minutes") }
            let form = try request.form()
            // "Add another" or "Remove": the same form again with one row more or fewer, nothing saved, nothing lost.
            for rows in [decisionRows, actionRows] {
                guard let edit = rows.edit(in: form) else { continue }
                var values = form.firstValues
                values = values.filter { !$0.key.hasPrefix("add_") && !$0.key.hasPrefix("remove_") }
                rows.apply(edit, to: &values)
                return try page(request, session, services, context, values: values, problems: [], findings: nil, status: 200,
                                version: Int64(form["version"] ?? ""))
            }
            var reader = FormReader(form)
            let content = read(&reader, form: form, agencies: try agencyCodes(services, context),
                               owners: try services.actions.ownerChoices(matching: "", for: request.viewer(session)))
            let version = Int64(form["version"] ?? "") ?? 0
            guard reader.problems.isEmpty else {
                return try page(request, session, services, context, values: form.firstValues, problems: reader.problems, findings: nil, status: 422)
            }
            do {
                try services.minutes.save(context, content: content, expectedVersion: version, by: request.viewer(session))
                if form["action"] == "submit" {
                    let saved = try load(request, session, services)
                    let findings = try services.minutes.submit(saved, expectedVersion: saved.minutes?.version ?? 0, by: request.viewer(session))
                    if !findings.isEmpty {
                        return try page(request, session, services, try load(request, session, services), values: nil, problems: [],
                                        findings: findings, status: 422)
                    }
                    return .redirect(to: path(context) + "?done=\(Flash.minutesSubmitted.rawValue)")
                }
            } catch let error as DomainError where error == .editConflict {
                return try page(request, session, services, try load(request, session, services), values: form.firstValues,
                                problems: [ValidationProblem(field: "risk_assessment", message: "Someone else saved these minutes after you opened them. Your text is still in the form below; the saved version is in the history. Check, then save again.")],
                                findings: nil, status: 409)
            }
            return .redirect(to: path(context) + "?done=\(Flash.minutesSaved.rawValue)")
        })
        router.get(base + "/approve", Access.require(services, .approveMinutes) { request, session in
            let context = try load(request, session, services)
            guard let minutes = context.minutes, minutes.status == .submitted else { return .redirect(to: path(context)) }
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "minutes", subjectID: String(minutes.id),
                                      detail: "approval check")
            return try confirmApproval(request, session, services, context, minutes)
        })
        // Approving changes the case: the first press shows what will change (the page above); only the confirmation
        // (`confirm=yes`) approves.
        step(&router, base + "/approve", .approveMinutes, services, done: .minutesApproved) { context, request, viewer in
            guard try request.form()["confirm"] == "yes" else { throw ConfirmFirst(path: path(context) + "/approve") }
            try services.minutes.approve(context, by: viewer)
        }
        step(&router, base + "/send-back", .approveMinutes, services, done: .minutesSentBack) { context, request, viewer in
            try services.minutes.sendBack(context, comments: try request.form()["comments"] ?? "", by: viewer)
        }
        step(&router, base + "/distribute", .manageMeetings, services, done: .minutesDistributed) { context, _, viewer in
            guard let minutes = context.minutes else { throw DomainError.notFound("The minutes") }
            let outbox = services.outbox
            let sender = try outbox.settings().smtp.sender
            guard try outbox.isSetUp() else {
                throw DomainError.validation(field: "distribute", MailStatusText.notSetUp
                    + " Record below a distribution made another way (secure email from another system, by hand).")
            }
            // Each recipient's copy carries their name on every page, as a copy downloaded from the app does.
            try services.minutes.distribute(
                context, from: sender,
                subject: "MAPPA minutes: \(context.meeting.kind.displayName), \(context.meeting.date.displayText) (\(context.item.nominalRef))",
                text: "The approved minutes of the MAPPA meeting are attached.\n\n" + handling.joined(separator: "\n\n"),
                pdf: { recipient in
                    MailAttachment(filename: "mappa-minutes-\(context.item.nominalRef)-\(context.meeting.date).pdf", contentType: "application/pdf",
                                   data: try PDFRenderer.render(document(context, minutes, services,
                                                                         copyFor: "\(recipient.invitee.name), \(recipient.invitee.agencyName)")))
                },
                outbox: outbox, by: viewer)
        }
        router.post(base + "/record-distribution", Access.require(services, .manageMeetings) { request, session in
            let context = try load(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let date = reader.date("distributed_on", "The date the minutes were distributed",
                                   required: "Enter the date the minutes were distributed")
            let recipients = reader.text("recipients"), method = reader.text("method")
            do {
                guard let date, reader.problems.isEmpty else {
                    throw DomainError.validation(reader.merged(with: RecordedDistribution(date: services.today, recipients: recipients, method: method)
                        .problems(today: services.today, approvedOn: nil)))
                }
                try services.minutes.recordDistribution(context, RecordedDistribution(date: date, recipients: recipients, method: method),
                                                        by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try page(request, session, services, context, values: form.firstValues, problems: error.problems, findings: nil, status: 422)
            }
            return .redirect(to: path(context) + "?done=\(Flash.minutesDistributionRecorded.rawValue)")
        })
        step(&router, base + "/amend", .manageMeetings, services, done: .minutesAmended) { context, request, viewer in
            _ = try services.minutes.amend(context, changeNote: try request.form()["change_note"] ?? "", by: viewer)
        }
        router.get(base + ".pdf", Access.require(services, .viewMeetings) { request, session in
            let context = try load(request, session, services)
            guard let minutes = context.minutes else { throw DomainError.notFound("The minutes") }
            try services.audit.record(actor: request.actor(session), action: .export, subjectType: "minutes", subjectID: String(minutes.id),
                                      detail: "PDF")
            let copyFor = "\(session.user.displayName), \(session.user.agencyName)"
            var response = Response.json(try PDFRenderer.render(document(context, minutes, services, copyFor: copyFor)), contentType: "application/pdf")
            response.headers.set("Content-Disposition", "attachment; filename=\"mappa-minutes-\(context.item.nominalRef).pdf\"")
            return response
        })
    }

    /// One step of the minutes' workflow: done, then back to the minutes with `done`'s message; what stops it (a
    /// comment missing, mail not set up) shows the minutes page with the problem.
    static func step(_ router: inout Router, _ route: String, _ permission: Permission, _ services: Services, done: Flash,
                     _ body: @escaping @Sendable (Discussion, Request, Viewer) throws -> Void) {
        router.post(route, Access.require(services, permission) { request, session in
            let context = try load(request, session, services)
            do {
                try body(context, request, request.viewer(session))
            } catch let confirm as ConfirmFirst {
                return .redirect(to: confirm.path)
            } catch let error as DomainError where error.isValidation {
                return try page(request, session, services, context, values: nil, problems: error.problems, findings: nil, status: 422)
            }
            return .redirect(to: path(context) + "?done=\(done.rawValue)")
        })
    }

    /// A step that must be confirmed on its own page first: the step answers with a redirect there.
    struct ConfirmFirst: Error { var path: String }

    static func path(_ context: Discussion) -> String { "/meetings/\(context.meeting.id)/items/\(context.item.id)/minutes" }

    /// The meeting, the case discussion and its minutes, behind need-to-know for the meeting and the case
    /// (`MinutesStore.discussion`).
    static func load(_ request: Request, _ session: Session, _ services: Services) throws -> Discussion {
        try services.minutes.discussion(meetingID: try NominalRoutes.id(request), itemID: try NominalRoutes.id(request, "item"),
                                        for: request.viewer(session))
    }

    /// The agencies whose new information the form asks for: core agencies and those involved in the case.
    static func agencyCodes(_ services: Services, _ context: Discussion) throws -> [(code: String, name: String)] {
        var agencies = try services.caseAccess.involvedAgencies(of: context.visibleCase)
        for code in ["police", "probation"] + (context.item.inCustody ? ["prison"] : [])
            where !agencies.contains(where: { $0.code == code }) {
            if let agency = try services.agencies.agency(code: code) { agencies.append(agency) }
        }
        return agencies.map { ($0.code, $0.name) }
    }
}
