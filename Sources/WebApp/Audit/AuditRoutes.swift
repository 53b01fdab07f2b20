import Domain
import Foundation
import HTTPServer
import Store

/// The auditor's view of the audit trail, newest first, with a check of the whole hash chain.
enum AuditRoutes {
    static let pageSize = 50

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/audit", Access.require(services, .viewAuditTrail) { request, session in
            try auditPage(request, session, services, verification: nil)
        })
        router.get("/audit/verify", Access.require(services, .viewAuditTrail) { request, session in
            let outcome = try services.audit.verify()
            return try auditPage(request, session, services, verification: outcome)
        })
    }

    /// The auditor's filters, read from the query: who, what action, which subject, which days (UTC). Each value is
    /// length-limited and refused with control characters; a bad one is named in the error summary.
    static func query(_ request: Request) -> (query: AuditQuery, values: [String: String], problems: [ValidationProblem]) {
        var reader = FormReader(FormData(fields: request.query))
        var query = AuditQuery()
        let user = reader.text("user", "The user name", max: 100)
        if !user.isEmpty { query.username = user }
        if !reader.text("action").isEmpty {
            query.action = reader.choice("action", AuditAction.init(rawValue:), required: "Select an action from the list")
        }
        let subject = reader.text("subject_type", "The subject", max: 50)
        if !subject.isEmpty { query.subjectType = subject }
        let subjectID = reader.text("subject_id", "The subject's number", max: 50)
        if !subjectID.isEmpty { query.subjectID = subjectID }
        query.from = reader.date("from", "The first day")
        query.through = reader.date("through", "The last day")
        if let from = query.from, let through = query.through, through < from {
            reader.problems.append(ValidationProblem(field: "through", message: "The last day must be on or after the first day",
                                                     parts: DateInput.Part.allCases.map(\.rawValue)))
        }
        return (query, Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }), reader.problems)
    }

    static func auditPage(_ request: Request, _ session: Session, _ services: Services,
                          verification: AuditChainVerifier.Outcome?) throws -> Response {
        let page = max(1, min(100_000, request.queryValue("page").flatMap(Int.init) ?? 1))
        let (query, values, problems) = Self.query(request)
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "audit_trail",
                                  subjectID: "page \(page)", detail: problems.isEmpty ? filterText(query) : "filters refused")
        let (total, entries) = problems.isEmpty
            ? try services.audit.entries(matching: query, limit: pageSize, offset: (page - 1) * pageSize) : (0, [])
        let rows = entries.map { entry -> [HTML] in
            ["\(entry.sequence)", "\(Timestamp.string(entry.occurredAt))", "\(entry.actorUsername)",
             "\(entry.action.rawValue)", "\(entry.subjectType) \(entry.subjectID)", "\(entry.detail)",
             "\(entry.clientAddress)"]
        }
        let verificationHTML: HTML
        switch verification {
        case .none:
            verificationHTML = "<p><a href=\"/audit/verify\" class=\"button button--secondary\" role=\"button\" draggable=\"false\">Check the chain has not been altered</a></p>"
        case .intact(let entries):
            verificationHTML = Components.notification("The audit chain is intact: all \(entries) entries match their hashes.")
        case .broken(let sequence, let reason):
            verificationHTML = """
                <div class="error-summary" role="alert"><h2 class="error-summary__title">The audit chain is broken</h2>
                <p>First broken link at entry \(sequence): \(reason). Report this to your information security officer.</p></div>
                """
        }
        var pager: [HTML] = []
        let kept = request.query.filter { $0.name != "page" && !$0.value.isEmpty }
            .map { "&\(Components.urlEncoded($0.name))=\(Components.urlEncoded($0.value))" }.joined()
        if page > 1 { pager.append("<a href=\"/audit?page=\(page - 1)\(kept)\">Newer entries</a>") }
        if page * pageSize < total { pager.append("<a href=\"/audit?page=\(page + 1)\(kept)\">Older entries</a>") }
        let pagerHTML: HTML = pager.isEmpty ? .empty : "<nav aria-label=\"Audit trail pages\"><p>\(pager.map { $0 + " " })</p></nav>"
        let actions = AuditAction.allCases.map { ($0.rawValue, $0.rawValue) }
        let filters = Components.getForm(action: "/audit", """
            <h2>Find entries</h2>
            \(Components.textInput("user", label: "User name", value: values["user"] ?? "", problems: problems))
            \(Components.select("action", label: "Action", options: actions, selected: values["action"] ?? "", problems: problems))
            \(Components.textInput("subject_type", label: "Subject", value: values["subject_type"] ?? "", hint: "For example: case, nominal, minutes, referral", problems: problems))
            \(Components.textInput("subject_id", label: "Subject's number", value: values["subject_id"] ?? "", problems: problems, width: "10"))
            \(Components.dateInput("from", label: "From (UTC)", values: values, hint: "For example, 1 11 2026", problems: problems))
            \(Components.dateInput("through", label: "Up to and including (UTC)", values: values, problems: problems))
            \(Components.button("Find", secondary: true))
            """)
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Audit trail</h1>
            <p>Every sign-in, view, change, export and refusal, oldest entry 1. Entries cannot be changed; each is linked to the one before by a hash.</p>
            \(verificationHTML)
            \(filters)
            \(Components.table(caption: "Entries \(total == 0 ? 0 : (page - 1) * pageSize + 1) to \(min(total, page * pageSize)) of \(total)",
                               headers: ["No.", "Time (UTC)", "User", "Action", "Subject", "Detail", "From"], rows: rows))
            \(pagerHTML)
            """
        return .html(Layout.page(title: "Audit trail", session: session, currentPath: "/audit", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: problems.isEmpty ? 200 : 422)
    }

    /// The filters in use, as the audit entry for the auditor's own view records them.
    static func filterText(_ query: AuditQuery) -> String {
        [query.username.map { "user \($0)" }, query.action.map { "action \($0.rawValue)" }, query.subjectType.map { "subject \($0)" },
         query.subjectID.map { "number \($0)" }, query.from.map { "from \($0)" }, query.through.map { "through \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
