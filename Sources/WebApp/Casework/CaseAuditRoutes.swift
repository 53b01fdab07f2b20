import Domain
import Foundation
import HTTPServer
import Store

/// Who has viewed, changed, exported or been refused a case: its entries on the audit trail, newest first, for the
/// coordinators who keep the case (a curious insider shows up here). Need-to-know as on the case page.
enum CaseAuditRoutes {
    static let pageSize = 50

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/cases/:id/audit", Access.require(services, .editCases) { request, session in
            let visible = try services.cases.case(id: try NominalRoutes.id(request), for: request.viewer(session))
            let page = max(1, min(10_000, request.queryValue("page").flatMap(Int.init) ?? 1))
            // This view is itself recorded before the list is read, so it is the first entry shown.
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(visible.id),
                                      detail: "who viewed this case")
            let (total, entries) = try services.audit.entries(matching: AuditQuery(subjectType: "case", subjectID: String(visible.id)),
                                                              limit: pageSize, offset: (page - 1) * pageSize)
            let rows = entries.map { entry -> [HTML] in
                ["\(Timestamp.string(entry.occurredAt))", "\(entry.actorUsername)", "\(entry.action.rawValue)", "\(entry.detail)",
                 "\(entry.clientAddress)"]
            }
            var pager: [HTML] = []
            if page > 1 { pager.append("<a href=\"/cases/\(visible.id)/audit?page=\(page - 1)\">Newer entries</a>") }
            if page * pageSize < total { pager.append("<a href=\"/cases/\(visible.id)/audit?page=\(page + 1)\">Older entries</a>") }
            let content: HTML = """
                <span class="caption">MAPPA case \(visible.id)</span>
                <h1>Who has viewed or changed this case</h1>
                <p>Every view, change, export and refused attempt on the case page and its forms, newest first. Views of the
                person's record, the minutes and the lists are on the full audit trail.</p>
                \(Components.table(caption: "\(total) entr\(total == 1 ? "y" : "ies")", headers: ["Time (UTC)", "User", "Action", "Detail", "From"],
                                   rows: rows))
                \(pager.isEmpty ? .empty : "<nav aria-label=\"Pages\"><p>\(pager.map { $0 + " " })</p></nav>" as HTML)
                <p><a href="/cases/\(visible.id)">Back to the case</a></p>
                """
            return .html(Layout.page(title: "Who has viewed this case", session: session, currentPath: "/cases", content: content).rendered)
        })
    }
}
