import Domain
import Foundation
import HTTPServer
import Store

/// Referral intake (MAPPA A), quality findings, return and resubmission, and the screening decision.
enum ReferralRoutes {
    static func canRefer(_ user: User) -> Bool { user.role.can(.submitReferrals) }

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/referrals", Access.require(services, nil) { request, session in
            guard canRefer(session.user) else { return try refuse(request, session, services) }
            return try list(request, session, services)
        })
        router.get("/referrals/new", Access.require(services, nil) { request, session in
            guard canRefer(session.user) else { return try refuse(request, session, services) }
            return try startPage(session)
        })
        // Starts a draft and opens its task list. The answers may also be sent here all at once (and submitted with
        // `action=submit`), which is how a whole referral is entered in one request.
        router.post("/referrals/new", Access.require(services, nil) { request, session in
            guard canRefer(session.user) else { return try refuse(request, session, services) }
            let data = try request.form()
            var form = ReferralForm()
            let problems = ReferralField.read(data, into: &form, today: services.today)
            guard problems.isEmpty else { throw DomainError.validation(problems) }
            let referral = try services.referrals.createReferral(form, by: request.viewer(session))
            guard data["action"] == "submit" else { return .redirect(to: "/referrals/\(referral.id)/edit") }
            return try saved(referral.id, submit: true, request, session, services)
        })
        router.get("/referrals/:id", Access.require(services, nil) { request, session in
            let referral = try load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral",
                                      subjectID: String(referral.id))
            return try viewPage(request, session, services, referral, returnProblems: [], status: 200)
        })
        // The referral's sections as a task list (ReferralTaskPages), each with its status.
        router.get("/referrals/:id/edit", Access.require(services, nil) { request, session in
            let referral = try ReferralTaskPages.editable(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral", subjectID: String(referral.id), detail: "task list")
            return try ReferralTaskPages.taskListPage(request, session, services, referral)
        })
        ReferralTaskPages.register(&router, services)
        router.post("/referrals/:id/submit", Access.require(services, nil) { request, session in
            try saved(try load(request, session, services).id, submit: true, request, session, services)
        })
        router.post("/referrals/:id/return", Access.require(services, .manageReferrals) { request, session in
            let referral = try load(request, session, services)
            var reader = FormReader(try request.form())
            let reasons = reader.text("reasons", "The reasons", max: 4000, multiline: true)
            do {
                guard reader.problems.isEmpty else { throw DomainError.validation(reader.problems) }
                try services.referrals.returnReferral(id: referral.id, reasons: reasons, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try viewPage(request, session, services, referral, returnProblems: error.problems, status: 422,
                                    typedReasons: reader.form["reasons"])
            }
            return .redirect(to: "/referrals/\(referral.id)?done=\(Flash.referralReturned.rawValue)")
        })
    }

    /// After a save: submitted too when the person pressed Submit (the quality check's findings are then on the
    /// referral's page), and back to the referral saying which.
    static func saved(_ id: Int64, submit: Bool, _ request: Request, _ session: Session, _ services: Services) throws -> Response {
        if submit { try services.referrals.submitReferral(id: id, by: request.viewer(session)) }
        return .redirect(to: "/referrals/\(id)?done=\((submit ? Flash.referralSubmitted : .referralSaved).rawValue)")
    }

    static func refuse(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        try services.audit.record(actor: request.actor(session), action: .accessRefused, subjectType: "route",
                                  subjectID: request.path, detail: "role \(session.user.role.rawValue) cannot refer")
        return ErrorPages.forbidden(session: session)
    }

    /// The referral, if this person may see it (`ReferralStore.referral`: a refusal is recorded and looks the same as
    /// a missing referral to people who should not learn it exists).
    static func load(_ request: Request, _ session: Session, _ services: Services) throws -> ReferralRecord {
        try services.referrals.referral(id: try NominalRoutes.id(request), for: request.viewer(session))
    }

    static func statusTag(_ status: ReferralStatus) -> HTML {
        let colour: String
        switch status {
        case .draft: colour = "grey"
        case .returned, .declined: colour = "red"
        case .accepted: colour = "green"
        default: colour = ""
        }
        return Components.tag(status.displayName, colour: colour)
    }

    static func list(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let filter = request.queryValue("status").flatMap(ReferralStatus.init(rawValue:))
        let referrals = try services.referrals.referrals(for: request.viewer(session), statuses: filter.map { [$0] })
        // The viewer's own referrals sent back to them, first and with the reasons: the next thing they have to do.
        let returned = try services.referrals.returnedReferrals(for: request.viewer(session))
        let returnedItems = returned.referrals.map { entry -> HTML in
            let reasons = entry.returned.reasons.map { reason -> HTML in "<li>\(reason.reason)</li>" }
            return """
                <li><a href="/referrals/\(entry.referral.id)/edit">\(entry.referral.reference)\(entry.referral.form.fullName.isEmpty ? "" : ": " + entry.referral.form.fullName)</a>,
                returned by \(entry.returned.returnedBy)<ul>\(reasons)</ul></li>
                """
        }
        let returnedSection: HTML = returned.total == 0 ? .empty : """
            <div class="findings" id="returned-referrals"><h2>Returned to you: \(returned.total)</h2>
            <p>Correct or add what the coordinator asked for, then resubmit.</p><ul>\(returnedItems)</ul></div>
            """
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral", subjectID: "", detail: "list: \(referrals.count) listed")
        let rows = referrals.map { referral -> [HTML] in
            ["<a href=\"/referrals/\(referral.id)\">\(referral.reference)</a>",
             "\(referral.form.fullName.isEmpty ? "(no name yet)" : referral.form.fullName)",
             "\(referral.form.levelRequested?.shortName ?? "–")", "\(referral.referringAgency)", statusTag(referral.status),
             Components.time(referral.updatedAt)]
        }
        let filters = ([nil] + ReferralStatus.allCases.map { Optional($0) }).map { status -> HTML in
            let label = status?.displayName ?? "All"
            let href = status.map { "/referrals?status=\($0.rawValue)" } ?? "/referrals"
            return status == filter ? "<li><strong>\(label)</strong></li>" : "<li><a href=\"\(href)\">\(label)</a></li>"
        }
        let content: HTML = """
            <h1>Referrals</h1>
            \(returnedSection)
            <a class="button" href="/referrals/new" role="button" draggable="false">Start a referral</a>
            <nav aria-label="Filter by status"><ul class="header__nav-list">\(filters)</ul></nav>
            \(Components.table(caption: "\(referrals.count) referral\(referrals.count == 1 ? "" : "s")",
                               headers: ["Reference", "Offender", "Level", "Referring agency", "Status", "Updated"], rows: rows))
            """
        return .html(Layout.page(title: "Referrals", session: session, currentPath: "/referrals", content: content).rendered)
    }

    /// The start of a referral: what it involves, and a button that starts the draft and opens its task list.
    static func startPage(_ session: Session) throws -> Response {
        let sections = ReferralSection.allCases.map { section -> HTML in "<li>\(section.title)</li>" }
        let content: HTML = """
            <span class="caption">MAPPA A: referral to Level 2 or Level 3</span>
            <h1>Start a MAPPA referral</h1>
            <p>The referral has these sections. You can fill them in any order, each is saved on its own, and you can leave and come back:</p>
            <ul>\(sections)</ul>
            <p>Before you submit it you can check every answer. When you submit it, it is checked for anything missing and sent to the MAPPA coordinator.</p>
            \(Components.form(action: "/referrals/new", csrf: session.csrfToken, Components.button("Start the referral")))
            """
        return .html(Layout.page(title: "Start a MAPPA referral", session: session, currentPath: "/referrals", content: content).rendered)
    }

    /// The reasons of a return, by the field each concerns.
    static func notes(_ returned: ReferralReturn?) -> [String: [String]] {
        Dictionary(grouping: (returned?.reasons ?? []).filter { !$0.field.isEmpty }, by: \.field).mapValues { $0.map(\.reason) }
    }

    /// Why the coordinator returned the referral, at the top of its page and its task list: each reason linked to the
    /// field it concerns on its section's page, or not linked (`linked` false: someone who may not edit).
    static func returnPanel(_ returned: ReferralReturn, referral: ReferralRecord, linked: Bool) -> HTML {
        let fields = Dictionary(ReferralField.all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let items = returned.reasons.map { reason -> HTML in
            guard !reason.field.isEmpty, let field = fields[reason.field], linked else { return "<li>\(reason.reason)</li>" }
            let label = field.label
            let href = ReferralTaskPages.sectionPath(referral, field.section) + "#" + reason.field
            return "<li>\(reason.reason) <a href=\"\(href)\">\(label)</a></li>"
        }
        let heading = referral.status == .returned
            ? "Returned to the referrer on \(HumanTime.parse(returned.returnedAt).map(HumanTime.day) ?? returned.returnedAt) by \(returned.returnedBy)"
            : "Returned earlier, on \(HumanTime.parse(returned.returnedAt).map(HumanTime.day) ?? returned.returnedAt), for these reasons"
        let advice: HTML = referral.status == .returned
            ? "<p>Correct or add what is listed (each reason is also beside its field, and its section is marked on the task list), then resubmit the referral.</p>" : .empty
        return """
            <div class="findings" id="return-reasons"><h2>\(heading)</h2>
            \(advice)<ul>\(items)</ul></div>
            """
    }

    static func findingsPanel(_ findings: [QualityFinding]) -> HTML {
        guard !findings.isEmpty else {
            return "<div class=\"findings findings--clear\"><h2>Quality check</h2><p>Nothing is missing or inconsistent.</p></div>"
        }
        let grouped = ReferralSection.allCases.compactMap { section -> HTML? in
            let items = findings.filter { $0.section == section }
            guard !items.isEmpty else { return nil }
            let list = items.map { finding -> HTML in
                let kind: String
                switch finding.kind {
                case .missing: kind = "Missing"
                case .inconsistent: kind = "Inconsistent"
                case .warning: kind = "Check"
                }
                return "<li><strong>\(kind):</strong> \(finding.message)</li>"
            }
            return "<h3>\(section.title)</h3><ul>\(list)</ul>"
        }
        let blocking = findings.filter { $0.kind != .warning }.count
        return """
            <div class="findings" id="quality-findings"><h2>Quality check</h2>
            <p>\(blocking) item\(blocking == 1 ? "" : "s") to add or correct, \(findings.count - blocking) to check.</p>
            \(grouped)</div>
            """
    }

    static func viewPage(_ request: Request, _ session: Session, _ services: Services, _ referral: ReferralRecord,
                         returnProblems: [ValidationProblem], status: Int, typedReasons: String? = nil) throws -> Response {
        let user = session.user
        let findings = ReferralQualityCheck(timescales: try services.context.timescales()).findings(referral.form, today: services.today)
        let agencies = try services.agencies.agencies()
        let events = try services.referrals.events(of: referral).map { event -> HTML in
            "<li><strong>\(event.event)</strong> – \(Components.time(event.occurredAt)) by \(event.userName)\(event.note.isEmpty ? HTML.empty : "<br><span class=\"preserve-lines\">\(event.note)</span>")</li>"
        }
        var actions: [HTML] = []
        let mayEdit = referral.status.referrerCanEdit && (referral.referrerUserID == user.id || user.role.can(.manageReferrals))
        if mayEdit {
            actions.append("<a class=\"button button--secondary\" href=\"/referrals/\(referral.id)/edit\" role=\"button\" draggable=\"false\">Change the referral</a>")
            actions.append(Components.form(action: "/referrals/\(referral.id)/submit", csrf: session.csrfToken,
                                           Components.button(referral.status == .returned ? "Resubmit referral" : "Submit referral")))
        }
        var coordinator: HTML = .empty
        if user.role.can(.manageReferrals), referral.status.awaitingCoordinator {
            let duplicates = try services.referrals.duplicateCandidates(of: referral, for: request.viewer(session))
            let duplicateRows = duplicates.map { pair -> [HTML] in
                ["<a href=\"/nominals/\(pair.0.id)\">\(pair.0.nominalRef)</a>", "\(pair.0.fullName)",
                 "\(pair.0.dateOfBirth?.displayText ?? "–")", "\(pair.1.reasons.joined(separator: "; "))"]
            }
            let duplicatesHTML: HTML = duplicates.isEmpty
                ? "<h2>Possible duplicates</h2><p>No existing nominal looks like this person.</p>"
                : "<h2>Possible duplicates</h2>" + Components.table(caption: "Existing nominals that may be this person",
                    headers: ["Nominal", "Name", "Date of birth", "Why it matches"], rows: duplicateRows)
            coordinator = """
                \(duplicatesHTML)
                <p><a class="button" href="/referrals/\(referral.id)/screening" role="button" draggable="false">Screen this referral</a></p>
                \(Components.errorSummary(returnProblems))
                \(Components.form(action: "/referrals/\(referral.id)/return", csrf: session.csrfToken, """
                    <h2>Return to the referrer</h2>
                    \(Components.textarea("reasons", label: "What the referrer needs to add or correct",
                                          value: typedReasons ?? ReturnReasons.prefilled(findings),
                                          hint: findings.isEmpty
                                              ? "The quality check found nothing to add or correct: say what the referrer needs to change. The referrer sees this."
                                              : "Pre-filled from the quality check, one reason a line: change or add to it. The referrer sees each reason beside the field it concerns.",
                                          problems: returnProblems, rows: max(6, findings.count + 1)))
                    \(Components.button("Return referral", secondary: true))
                    """))
                """
        }
        let screening = user.role.can(.manageReferrals) ? try ScreeningRoutes.decisionSection(request, session, services, referral) : .empty
        let caseLink: HTML = screening != .empty ? .empty : referral.caseID.map { "<p><a href=\"/cases/\($0)\">Open the MAPPA case</a></p>" } ?? .empty
        let returned = referral.status == .returned || referral.status == .resubmitted ? try services.referrals.latestReturn(of: referral) : nil
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">Referral \(referral.reference) from \(referral.referrerName), \(referral.referringAgency)</span>
            <h1>\(referral.form.fullName.isEmpty ? "Referral \(referral.reference)" : referral.form.fullName)</h1>
            <p>\(statusTag(referral.status))</p>
            \(caseLink)
            \(returned.map { returnPanel($0, referral: referral, linked: mayEdit) } ?? .empty)
            \(referral.status.isClosed ? HTML.empty : findingsPanel(findings))
            \(actions)
            \(coordinator)
            \(screening)
            <h2>History</h2>
            <ol class="timeline">\(events)</ol>
            <h2>The referral</h2>
            \(ReferralField.summary(referral.form, agencies: agencies, notes: referral.status == .returned ? notes(returned) : [:]))
            """
        return .html(Layout.page(title: "Referral \(referral.reference)", session: session, currentPath: "/referrals",
                                 hasErrors: !returnProblems.isEmpty, content: content).rendered, status: status)
    }
}
