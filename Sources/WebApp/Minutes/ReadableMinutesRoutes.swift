import Domain
import Foundation
import HTTPServer
import Store

/// "Minutes you may read": the approved minutes of the cases the viewer may see (for a partner agency, those it is
/// involved in), newest meeting first, each a link to the minutes and their PDF (`MinutesStore.readableMinutes`).
enum ReadableMinutesRoutes {
    static let pageSize = 50

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/minutes", Access.require(services, .viewMeetings) { request, session in
            let page = max(1, min(10_000, Int(request.queryValue("page") ?? "") ?? 1))
            let list = try services.minutes.readableMinutes(for: request.viewer(session), limit: pageSize, offset: (page - 1) * pageSize)
            if !list.items.isEmpty {
                try services.audit.record(actor: request.actor(session), action: .view, subjectType: "minutes",
                                          subjectID: list.items.map { "\($0.meetingID)/\($0.itemID)" }.joined(separator: ","),
                                          detail: "minutes list; cases \(Set(list.items.map(\.caseID)).sorted().map(String.init).joined(separator: ","))")
            }
            let rows = list.items.map { minutes -> [HTML] in
                let path = "/meetings/\(minutes.meetingID)/items/\(minutes.itemID)/minutes"
                return ["<a href=\"\(path)\">\(minutes.nominalName)</a> (\(minutes.nominalRef))",
                        "\(minutes.meetingKind.displayName): \(minutes.meetingTitle)", "\(minutes.meetingDate.displayText)",
                        "Version \(minutes.versionNumber), approved \(HumanTime.parse(minutes.approvedAt).map(HumanTime.day) ?? minutes.approvedAt)",
                        "<a href=\"\(path).pdf\">PDF<span class=\"visually-hidden\"> of the minutes for \(minutes.nominalRef), \(minutes.meetingDate.displayText)</span></a>"]
            }
            let pages = max(1, (list.total + pageSize - 1) / pageSize)
            let pager: HTML = pages <= 1 ? .empty : """
                <p>Page \(page) of \(pages)\(page > 1 ? " · <a href=\"/minutes?page=\(page - 1)\">Newer</a>" as HTML : .empty)\(page < pages ? " · <a href=\"/minutes?page=\(page + 1)\">Older</a>" as HTML : .empty)</p>
                """
            let content: HTML = """
                <h1>Minutes you may read</h1>
                <p>Approved minutes of the case discussions \(session.user.role.can(.viewCases) ? "of the cases you may see" : "of the cases your agency is involved in"),
                newest first. Each PDF carries your name and the OFFICIAL-SENSITIVE marking on every page: handle it under the
                MAPPA information-sharing agreement.</p>
                \(Components.table(caption: "\(list.total) approved minutes", headers: ["Case", "Meeting", "Date", "Minutes", "Download"], rows: rows))
                \(pager)
                """
            return .html(Layout.page(title: "Minutes you may read", session: session, currentPath: "/minutes", content: content).rendered)
        })
    }
}
