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

    static func auditPage(_ request: Request, _ session: Session, _ services: Services,
                          verification: AuditChainVerifier.Outcome?) throws -> Response {
        let page = max(1, min(100_000, request.queryValue("page").flatMap(Int.init) ?? 1))
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "audit_trail",
                                  subjectID: "page \(page)")
        let total = try services.audit.count()
        let entries = try services.audit.recent(limit: pageSize, offset: (page - 1) * pageSize)
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
        if page > 1 { pager.append("<a href=\"/audit?page=\(page - 1)\">Newer entries</a>") }
        if page * pageSize < total { pager.append("<a href=\"/audit?page=\(page + 1)\">Older entries</a>") }
        let pagerHTML: HTML = pager.isEmpty ? .empty : "<nav aria-label=\"Audit trail pages\"><p>\(pager.map { $0 + " " })</p></nav>"
        let content: HTML = """
            <h1>Audit trail</h1>
            <p>Every sign-in, view, change, export and refusal, oldest entry 1. Entries cannot be changed; each is linked to the one before by a hash.</p>
            \(verificationHTML)
            \(Components.table(caption: "Entries \(total == 0 ? 0 : (page - 1) * pageSize + 1) to \(min(total, page * pageSize)) of \(total)",
                               headers: ["No.", "Time (UTC)", "User", "Action", "Subject", "Detail", "From"], rows: rows))
            \(pagerHTML)
            """
        return .html(Layout.page(title: "Audit trail", session: session, currentPath: "/audit", content: content).rendered)
    }
}
