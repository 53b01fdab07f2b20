import Domain
import Foundation
import HTTPServer
import Store

/// The referral form as a GOV.UK task list: the list of sections with their status, each section on its own page
/// saved on its own, and "Check your answers" with the submit button.
/// https://design-system.service.gov.uk/patterns/complete-multiple-tasks/ and /patterns/check-answers/
enum ReferralTaskPages {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/referrals/:id/sections/:section", Access.require(services, nil) { request, session in
            let referral = try editable(request, session, services)
            let section = try section(request)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral",
                                      subjectID: String(referral.id), detail: "section \(section.rawValue)")
            return try sectionPage(session, services, referral, section, form: referral.form, raw: nil, problems: [], status: 200)
        })
        router.post("/referrals/:id/sections/:section", Access.require(services, nil) { request, session in
            let referral = try editable(request, session, services)
            let section = try section(request)
            let data = try request.form()
            var form = referral.form
            var problems = ReferralField.read(data, into: &form, today: services.today,
                                              fields: ReferralField.all.filter { $0.section == section })
            var reader = FormReader(data)
            let done = reader.choice("completed", { ["yes": true, "no": false][$0] },
                                     required: "Select whether you have completed this section")
            problems += reader.problems
            guard problems.isEmpty, let done else {
                return try sectionPage(session, services, referral, section, form: form, raw: data, problems: problems, status: 422)
            }
            var completed = referral.completedSections
            if done { completed.insert(section) } else { completed.remove(section) }
            do {
                try services.referrals.updateReferral(id: referral.id, form: form, expectedVersion: Int64(data["version"] ?? "") ?? -1,
                                                      completed: completed, by: request.viewer(session))
            } catch let error as DomainError where error == .editConflict {
                let current = try services.referrals.referral(id: referral.id, for: request.viewer(session))
                let first = ReferralField.all.first { $0.section == section }?.name ?? "completed"
                return try sectionPage(session, services, current, section, form: form, raw: data,
                                       problems: [ValidationProblem(field: first, message: error.description)], status: 409)
            }
            return Flash.redirect(to: "/referrals/\(referral.id)/edit", .referralSectionSaved, services)
        })
        router.get("/referrals/:id/check", Access.require(services, nil) { request, session in
            let referral = try editable(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral",
                                      subjectID: String(referral.id), detail: "check answers")
            return try checkAnswersPage(session, services, referral)
        })
    }

    /// The address part naming each section, as the referrer sees it in the address bar.
    static func slug(_ section: ReferralSection) -> String {
        switch section {
        case .header: return "details"
        case .category: return "category"
        case .offender: return "offender"
        case .conviction: return "conviction"
        case .dates: return "dates"
        case .hospital: return "hospital"
        case .reason: return "reason"
        case .risk: return "risk"
        case .authorisation: return "authorisation"
        }
    }

    static func section(_ request: Request) throws -> ReferralSection {
        guard let name = request.parameter("section"), let section = ReferralSection.allCases.first(where: { slug($0) == name }) else {
            throw DomainError.notFound("The section")
        }
        return section
    }

    static func sectionPath(_ referral: ReferralRecord, _ section: ReferralSection) -> String {
        "/referrals/\(referral.id)/sections/\(slug(section))"
    }

    /// The referral, if this person may see it and may still change it (as the one-page form allowed: the referrer
    /// before submission or after a return, whoever manages referrals until it is closed).
    static func editable(_ request: Request, _ session: Session, _ services: Services) throws -> ReferralRecord {
        let referral = try ReferralRoutes.load(request, session, services)
        guard referral.status.referrerCanEdit || (session.user.role.can(.manageReferrals) && !referral.status.isClosed) else {
            throw DomainError.conflict("not_editable", "This referral is \(referral.status.displayName.lowercased()) and can no longer be changed.")
        }
        return referral
    }

    /// The sections with at least one answer.
    static func started(_ form: ReferralForm) -> Set<ReferralSection> {
        Set(ReferralField.all.filter { !$0.get(form).isEmpty }.map(\.section))
    }

    /// Each section's status, with the quality check's blocking findings and the coordinator's return reasons in it.
    static func statuses(_ referral: ReferralRecord, findings: [QualityFinding], returned: ReferralReturn?)
        -> [(section: ReferralSection, status: ReferralTaskStatus, problems: [String])] {
        let started = started(referral.form)
        let isReturned = referral.status == .returned
        let sectionOf = Dictionary(ReferralField.all.map { ($0.name, $0.section) }, uniquingKeysWith: { a, _ in a })
        let reasons = isReturned ? (returned?.reasons ?? []).compactMap { reason in sectionOf[reason.field].map { ($0, reason.reason) } } : []
        var problems = ReferralTaskList.problemSections(findings, started: started, completed: referral.completedSections,
                                                        returned: isReturned)
        problems.formUnion(reasons.map(\.0))
        return ReferralSection.allCases.map { section in
            let status = ReferralTaskList.status(section, started: started, completed: referral.completedSections, problems: problems)
            let messages = status == .hasProblems
                ? findings.filter { $0.section == section && $0.kind != .warning }.map(\.message) + reasons.filter { $0.0 == section }.map(\.1)
                : []
            return (section, status, messages)
        }
    }

    static func statusTag(_ status: ReferralTaskStatus, id: String) -> HTML {
        switch status {
        case .completed: return "<div class=\"task-list__status\" id=\"\(id)\">Completed</div>"
        case .inProgress: return "<div class=\"task-list__status\" id=\"\(id)\">\(Components.tag("In progress", colour: "light-blue"))</div>"
        case .notStarted: return "<div class=\"task-list__status\" id=\"\(id)\">\(Components.tag("Not started", colour: "grey"))</div>"
        case .hasProblems: return "<div class=\"task-list__status\" id=\"\(id)\">\(Components.tag("Has problems", colour: "red"))</div>"
        }
    }

    static func taskListPage(_ request: Request, _ session: Session, _ services: Services, _ referral: ReferralRecord) throws -> Response {
        let findings = ReferralQualityCheck(timescales: try services.context.timescales()).findings(referral.form, today: services.today)
        let returned = referral.status == .returned ? try services.referrals.latestReturn(of: referral) : nil
        let rows = statuses(referral, findings: findings, returned: returned)
        let items = rows.map { row -> HTML in
            let statusID = "section-\(slug(row.section))-status"
            let hint: HTML = row.problems.isEmpty ? .empty
                : "<ul class=\"task-list__hint\">\(row.problems.map { message -> HTML in "<li>\(message)</li>" })</ul>"
            return """
                <li class="task-list__item task-list__item--with-link">
                <div class="task-list__name-and-hint"><a class="task-list__link" href="\(sectionPath(referral, row.section))" aria-describedby="\(statusID)">\(row.section.title)</a>\(hint)</div>
                \(statusTag(row.status, id: statusID))</li>
                """
        }
        let done = rows.filter { $0.status == .completed }.count
        let title = referral.status == .returned ? "Correct and resubmit referral \(referral.reference)" : "Referral \(referral.reference)"
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">MAPPA A: referral to Level 2 or Level 3\(referral.form.fullName.isEmpty ? "" : ", " + referral.form.fullName)</span>
            <h1>\(title)</h1>
            \(returned.map { ReferralRoutes.returnPanel($0, referral: referral, linked: true) } ?? .empty)
            <p>You have completed \(done) of \(rows.count) sections. Each section is saved on its own: you can leave and come back.
            When the sections are done, check your answers and submit the referral to the MAPPA coordinator.</p>
            <ul class="task-list">\(items)</ul>
            <p><a class="button" href="/referrals/\(referral.id)/check" role="button" draggable="false">Check your answers</a></p>
            <p><a href="/referrals/\(referral.id)">Back to the referral</a></p>
            """
        return .html(Layout.page(title: title, session: session, currentPath: "/referrals", content: content).rendered)
    }

    static func sectionPage(_ session: Session, _ services: Services, _ referral: ReferralRecord, _ section: ReferralSection,
                            form: ReferralForm, raw: FormData?, problems: [ValidationProblem], status: Int) throws -> Response {
        let agencies = try services.agencies.agencies(activeOnly: true)
        let returned = referral.status == .returned ? try services.referrals.latestReturn(of: referral) : nil
        let chosen = raw?["completed"] ?? (referral.completedSections.contains(section) ? "yes" : "")
        let radioError = Components.fieldError(problems, "completed")
        let radios = [("yes", "Yes, I’ve completed this section"), ("no", "No, I’ll come back to it later")].map { option -> HTML in
            let id = option.0 == "yes" ? "completed" : "completed-no"
            return """
                <div class="radios__item"><input class="radios__input" id="\(id)" name="completed" type="radio" value="\(option.0)"\(chosen == option.0 ? HTML(trusted: " checked") : .empty)>
                <label class="radios__label" for="\(id)">\(option.1)</label></div>
                """
        }
        let completion: HTML = """
            <div class="form-group\(radioError == nil ? "" : " form-group--error")">
            <fieldset class="fieldset"\(radioError == nil ? HTML.empty : " aria-describedby=\"completed-error\"")><legend class="fieldset__legend fieldset__legend--m">Have you completed this section?</legend>
            \(radioError.map { "<p class=\"error-message\" id=\"completed-error\"><span class=\"visually-hidden\">Error:</span> \($0.message)</p>" } ?? .empty)
            <div class="radios">\(radios)</div></fieldset></div>
            """
        let title = section.title
        let hint: HTML = section == .hospital ? "<p>Completed by mental health services, only when the offender is detained in hospital. Otherwise leave it blank.</p>" : .empty
        let content: HTML = """
            <a class="back-link" href="/referrals/\(referral.id)/edit">Back to the sections</a>
            \(Components.errorSummary(problems))
            <span class="caption">Referral \(referral.reference)</span>
            <h1>\(title)</h1>
            \(hint)
            \(Components.form(action: sectionPath(referral, section), csrf: session.csrfToken, """
                <input type="hidden" name="version" value="\(referral.version)">
                \(ReferralField.inputs(form, raw: raw, agencies: agencies, problems: problems, notes: ReferralRoutes.notes(returned), only: section))
                \(completion)
                \(Components.button("Save and continue"))
                """))
            """
        return .html(Layout.page(title: "\(title) – referral \(referral.reference)", session: session, currentPath: "/referrals",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func checkAnswersPage(_ session: Session, _ services: Services, _ referral: ReferralRecord) throws -> Response {
        let findings = ReferralQualityCheck(timescales: try services.context.timescales()).findings(referral.form, today: services.today)
        let names = Dictionary(try services.agencies.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let sections = ReferralSection.allCases.map { section -> HTML in
            let rows = ReferralField.all.filter { $0.section == section }.map { field -> HTML in
                let value = field.display(referral.form, agencyNames: names)
                return """
                    <div class="summary-list__row"><dt class="summary-list__key">\(field.label)</dt><dd class="summary-list__value">\(value.isEmpty ? HTML("Not given") : "<span class=\"preserve-lines\">\(value)</span>")</dd></div>
                    """
            }
            return """
                <div class="check-answers__section"><h2 class="check-answers__heading">\(section.title)</h2>
                <p class="check-answers__change"><a href="\(sectionPath(referral, section))">Change<span class="visually-hidden"> \(section.title)</span></a></p>
                <dl class="summary-list">\(rows)</dl></div>
                """
        }
        let resubmit = referral.status == .returned
        let content: HTML = """
            <a class="back-link" href="/referrals/\(referral.id)/edit">Back to the sections</a>
            <span class="caption">Referral \(referral.reference)</span>
            <h1>Check your answers before \(resubmit ? "resubmitting" : "submitting") the referral</h1>
            \(ReferralRoutes.findingsPanel(findings))
            \(sections)
            <h2>Now send the referral</h2>
            <p>When you submit, the referral is checked for anything missing and sent to the MAPPA coordinator. You cannot change it while the coordinator has it.</p>
            \(Components.form(action: "/referrals/\(referral.id)/submit", csrf: session.csrfToken,
                              Components.button(resubmit ? "Resubmit referral" : "Submit referral")))
            """
        return .html(Layout.page(title: "Check your answers – referral \(referral.reference)", session: session,
                                 currentPath: "/referrals", content: content).rendered)
    }
}
