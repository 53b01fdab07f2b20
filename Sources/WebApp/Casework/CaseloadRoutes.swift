import Adapters
import Domain
import Foundation
import HTTPServer
import Store

/// The caseload: every case the viewer may see (the Store filters by need-to-know in the query), narrowed by level,
/// category, lead agency, status, custody and area, in next-review, release-date or name order, a page at a time,
/// and the same list as a CSV download. Every view and download is audited.
enum CaseloadRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/cases", Access.require(services, nil) { request, session in
            guard mayList(session.user) else { return try refuse(request, session, services) }
            let choices = try Choices(services)
            let (filter, problems) = read(request, choices)
            guard problems.isEmpty else { return page(request, session, choices, filter: filter, result: nil, problems: problems) }
            let result = try services.cases.caseload(filter, for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "caseload", subjectID: "",
                                      detail: "list: \(result.rows.count) of \(result.total) listed")
            return page(request, session, choices, filter: filter, result: result, problems: [])
        })
        router.get("/cases.csv", Access.require(services, nil) { request, session in
            guard mayList(session.user) else { return try refuse(request, session, services) }
            let choices = try Choices(services)
            let (filter, problems) = read(request, choices)
            guard problems.isEmpty else { throw DomainError.validation(problems) }
            let rows = try services.cases.caseloadExport(filter, for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .export, subjectType: "caseload", subjectID: "",
                                      detail: "\(rows.count) rows")
            let heading = ExportHeading(subject: "MAPPA caseload", area: choices.areas.first { $0.code == filter.area }?.name ?? "All MAPPA areas",
                                        period: describe(filter, choices) + " on \(services.today.displayText)", made: services.today)
            var response = Response.json(Array(csv(rows, heading: heading).utf8), contentType: "text/csv; charset=utf-8")
            response.headers.set("Content-Disposition", "attachment; filename=\"cases-\(services.today).csv\"")
            return response
        })
    }

    /// Unit staff list every case they may see; partner agencies' staff the cases their agency is involved in.
    static func mayList(_ user: User) -> Bool { user.role.can(.viewCases) || user.role.can(.viewInvolvedCases) }

    static func refuse(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        try services.audit.record(actor: request.actor(session), action: .accessRefused, subjectType: "route",
                                  subjectID: request.path, detail: "role \(session.user.role.rawValue) sees no cases")
        return ErrorPages.forbidden(session: session)
    }

    /// What the filters offer: every agency, and the MAPPA areas when the database has any.
    struct Choices {
        let agencies: [Agency]
        let areas: [MappaArea]
        init(_ services: Services) throws {
            agencies = try services.agencies.agencies()
            areas = try services.areas.areas()
        }
    }

    /// The filter in the query string; a value not on offer is a problem naming its field (never a 500).
    static func read(_ request: Request, _ choices: Choices) -> (CaseloadFilter, [ValidationProblem]) {
        var problems: [ValidationProblem] = []
        func value(_ name: String) -> String { (request.queryValue(name) ?? "").trimmingCharacters(in: .whitespaces) }
        func choose<T>(_ name: String, _ message: String, _ make: (String) -> T?) -> T? {
            let text = value(name)
            guard !text.isEmpty else { return nil }
            if let made = make(text) { return made }
            problems.append(ValidationProblem(field: name, message: message))
            return nil
        }
        var filter = CaseloadFilter()
        filter.level = choose("level", "Select a level from the list") { Int($0).flatMap(ManagementLevel.init(rawValue:)) }
        filter.category = choose("category", "Select a category from the list") { Int($0).flatMap(MappaCategory.init(rawValue:)) }
        filter.leadAgency = choose("lead_agency", "Select a lead agency from the list") { code in choices.agencies.contains { $0.code == code } ? code : nil }
        filter.area = choose("area", "Select a MAPPA area from the list") { code in choices.areas.contains { $0.code == code } ? code : nil }
        filter.custody = choose("custody", "Select where the person is from the list", CustodyStatus.init(rawValue:))
        switch value("status") {
        case "", "active": filter.status = .active
        case "exited": filter.status = .exited
        case "all": filter.status = nil
        default: problems.append(ValidationProblem(field: "status", message: "Select active, exited or all cases"))
        }
        filter.sort = choose("sort", "Select an order from the list", CaseloadSort.init(rawValue:)) ?? .nextReview
        filter.page = choose("page", "The page must be a number from 1 to \(CaseloadFilter.maxPage)") { text in
            Int(text).flatMap { (1...CaseloadFilter.maxPage).contains($0) ? $0 : nil }
        } ?? 1
        return (filter, problems)
    }

    /// The filter as a query string (without its page), for the download link and the pages.
    static func query(_ filter: CaseloadFilter, page: Int? = nil) -> String {
        var pairs: [(String, String)] = []
        if let level = filter.level { pairs.append(("level", String(level.rawValue))) }
        if let category = filter.category { pairs.append(("category", String(category.rawValue))) }
        if let agency = filter.leadAgency { pairs.append(("lead_agency", agency)) }
        pairs.append(("status", filter.status?.rawValue ?? "all"))
        if let custody = filter.custody { pairs.append(("custody", custody.rawValue)) }
        if let area = filter.area { pairs.append(("area", area)) }
        pairs.append(("sort", filter.sort.rawValue))
        if let page { pairs.append(("page", String(page))) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    /// The download's columns: the codes (the second header row) with headings in words.
    static let csvColumns = [
        ExportColumn("nominal_ref", "Case reference", meaning: "The nominal's reference in the case register"),
        ExportColumn("family_name", "Family name", meaning: "Family name"),
        ExportColumn("given_names", "Given names", meaning: "Given names"),
        ExportColumn("category", "MAPPA category", .whole, meaning: "1 to 4"),
        ExportColumn("level", "Management level", .whole, meaning: "1 to 3; empty when not known"),
        ExportColumn("lead_agency", "Lead agency", meaning: "The agency that leads the case"),
        ExportColumn("next_review_date", "Next review", meaning: "YYYY-MM-DD"),
        ExportColumn("status", "Status", meaning: "active or exited"),
        ExportColumn("custody_status", "Where the person is", meaning: "community, custody or hospital"),
        ExportColumn("release_date", "Release date", meaning: "YYYY-MM-DD"),
        ExportColumn("mappa_area", "MAPPA area", meaning: "The case's MAPPA area"),
    ]

    /// The filters in words, for the download's title: "Active Level 2 Category 1 cases led by Police".
    static func describe(_ filter: CaseloadFilter, _ choices: Choices) -> String {
        var words = [filter.status.map { $0 == .active ? "Active" : "Exited" } ?? "Active and exited"]
        if let level = filter.level { words.append(level.shortName) }
        if let category = filter.category { words.append(category.shortName) }
        words.append("cases")
        if let custody = filter.custody { words.append("(\(custody.displayName.lowercased()))") }
        if let lead = filter.leadAgency { words.append("led by " + (choices.agencies.first { $0.code == lead }?.name ?? lead)) }
        return words.joined(separator: " ")
    }

    /// The list as a readable CSV (`ReadableExport.csv`): the marking and title, headings in words, the codes,
    /// then one line per case; every cell neutralised against formula injection.
    static func csv(_ rows: [CaseloadRow], heading: ExportHeading) -> String {
        ReadableExport.csv(heading, ExportTable(name: "Cases", title: "Cases", explanation: "", columns: csvColumns, rows: rows.map { row in
            [.text(row.nominalRef), .text(row.familyName), .text(row.givenNames), .integer(row.category.rawValue),
             row.level == .unknown ? .empty : .integer(row.level.rawValue), .text(row.leadAgencyName), .text(row.nextReviewDate?.description ?? ""),
             .text(row.status.rawValue), .text(row.custodyStatus.rawValue), .text(row.releaseDate?.description ?? ""), .text(row.areaName)]
        }))
    }

    static func page(_ request: Request, _ session: Session, _ choices: Choices, filter: CaseloadFilter, result: CaseloadPage?,
                     problems: [ValidationProblem]) -> Response {
        func selected(_ name: String) -> String { request.queryValue(name) ?? "" }
        let areaSelect: HTML = choices.areas.isEmpty ? .empty
            : Components.select("area", label: "MAPPA area", options: choices.areas.map { ($0.code, $0.name) }, selected: selected("area"), problems: problems)
        var links: [HTML] = ["<a href=\"/nominals\">Find a person by name, date of birth or identifier</a>"]
        if session.user.role.can(.editCases) { links.append("<a href=\"/cases/new\">Record a new case</a>") }
        let filters: HTML = """
            <form method="get" action="/cases" class="filters" novalidate>
              <h2>Filter the cases</h2>
              \(Components.select("level", label: "Level", options: ManagementLevel.allCases.map { (String($0.rawValue), $0.shortName) }, selected: selected("level"), problems: problems))
              \(Components.select("category", label: "Category", options: MappaCategory.allCases.map { (String($0.rawValue), $0.shortName) }, selected: selected("category"), problems: problems))
              \(Components.select("lead_agency", label: "Lead agency", options: choices.agencies.map { ($0.code, $0.name) }, selected: selected("lead_agency"), problems: problems))
              \(Components.select("status", label: "Status", options: [("active", "Active"), ("exited", "Exited"), ("all", "Active and exited")], selected: selected("status").isEmpty ? "active" : selected("status"), problems: problems))
              \(Components.select("custody", label: "Where the person is", options: CustodyStatus.allCases.map { ($0.rawValue, $0.displayName) }, selected: selected("custody"), problems: problems))
              \(areaSelect)
              \(Components.select("sort", label: "Order by", options: CaseloadSort.allCases.map { ($0.rawValue, $0.displayName) }, selected: filter.sort.rawValue, problems: problems))
              \(Components.button("Apply filters", secondary: true))
            </form>
            """
        var listing: HTML = .empty
        if let result {
            let first = (filter.page - 1) * CaseloadFilter.pageSize + 1
            let caption = result.rows.isEmpty ? "No cases match these filters"
                : "Cases \(first) to \(first + result.rows.count - 1) of \(result.total)"
            var headers = ["Case", "Name", "Category", "Level", "Lead agency", "Next review", "Custody", "Release date"]
            if !choices.areas.isEmpty { headers.append("Area") }
            headers.append("Status")
            let table = Components.table(caption: caption, headers: headers, rows: result.rows) { row, out in
                out.cell(link: row.nominalRef, href: "/cases/\(row.caseID)")
                out.cell(link: row.fullName, href: "/cases/\(row.caseID)")
                out.cell(row.category.shortName)
                out.cell(row.level.shortName)
                out.cell(row.leadAgencyName)
                out.cell(row.nextReviewDate?.displayText ?? "–")
                out.cell(row.custodyStatus.displayName)
                out.cell(row.releaseDate?.displayText ?? "–")
                if !choices.areas.isEmpty { out.cell(row.areaName.isEmpty ? "–" : row.areaName) }
                out.cell(row.status.displayName + (row.restricted ? " (restricted)" : ""))
            }
            var pages: [HTML] = []
            if filter.page > 1 { pages.append("<li><a href=\"/cases?\(query(filter, page: filter.page - 1))\" rel=\"prev\">Previous page</a></li>") }
            if filter.page < result.pageCount {
                pages.append("<li><a href=\"/cases?\(query(filter, page: filter.page + 1))\" rel=\"next\">Next page</a></li>")
            }
            let pager: HTML = pages.isEmpty ? .empty
                : "<nav aria-label=\"Pages of cases\"><p>Page \(filter.page) of \(result.pageCount)</p><ul class=\"header__nav-list\">\(pages)</ul></nav>"
            listing = """
                \(table)
                \(pager)
                <p><a href="/cases.csv?\(query(filter))" download>Download these \(result.total) cases (CSV)</a>. The download is recorded
                in the audit trail; keep the file on OFFICIAL-SENSITIVE systems only.</p>
                """
        }
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Cases</h1>
            <p>\(links.joined(separator: " · "))</p>
            \(filters)
            \(listing)
            """
        return .html(Layout.page(title: "Cases", session: session, currentPath: "/cases", hasErrors: !problems.isEmpty, content: content).rendered,
                     status: problems.isEmpty ? 200 : 422)
    }
}
