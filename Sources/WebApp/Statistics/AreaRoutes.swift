import Adapters
import Domain
import Foundation
import HTTPServer
import Store

/// MAPPA areas for a regional deployment holding several in one database: the list with each area's cases, adding
/// and changing an area (for whoever configures the statistics), and the annual figures of every area side by
/// side (for everyone who reads the statistics), as a page with a chart and as CSV.
enum AreaRoutes {
    static let path = "/statistics/areas"
    static let comparisonPath = "/statistics/annual/areas"

    static func register(_ router: inout Router, _ services: Services) {
        let areas = services.areas
        router.get(path, Access.require(services, .configureStatistics) { request, session in
            try listPage(request, session, services, values: [:], problems: [], status: 200)
        })
        router.post(path, Access.require(services, .configureStatistics) { request, session in
            let form = try request.form()
            do {
                let area = try areas.add(code: form["code"] ?? "", name: form["name"] ?? "", population: form["population"] ?? "",
                                         by: request.actor(session))
                return .redirect(to: "\(path)?done=\(Flash.areaAdded.rawValue)#area-\(area.code)")
            } catch let failure as DomainError where failure.isValidation {
                return try listPage(request, session, services, values: form.firstValues, problems: failure.problems, status: 422)
            }
        })
        router.get(path + "/:code", Access.require(services, .configureStatistics) { request, session in
            let area = try load(request, services)
            return editPage(session, area, values: ["name": area.name, "population": area.population.map(AreaPopulation.written) ?? "",
                                                    "active": area.active ? "yes" : ""], problems: [], status: 200)
        })
        router.post(path + "/:code", Access.require(services, .configureStatistics) { request, session in
            let area = try load(request, services)
            let form = try request.form()
            do {
                try areas.update(code: area.code, name: form["name"] ?? "", population: form["population"] ?? "",
                                 active: form["active"] == "yes", by: request.actor(session))
            } catch let failure as DomainError where failure.isValidation {
                return editPage(session, area, values: form.firstValues, problems: failure.problems, status: 422)
            }
            return .redirect(to: "\(path)?done=\(Flash.areaSaved.rawValue)#area-\(area.code)")
        })
        router.get(comparisonPath, Access.require(services, .viewStatistics) { request, session in
            let year = try StatisticsRoutes.reportingYear(request, services)
            let rows = try services.statistics.areaComparison(year: year)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "annual_report_areas",
                                      subjectID: year.end.description)
            return comparisonPage(session, services, year: year, rows: rows)
        })
        router.get(comparisonPath + ".csv", Access.require(services, .viewStatistics) { request, session in
            let year = try StatisticsRoutes.reportingYear(request, services)
            let rows = try services.statistics.areaComparison(year: year)
            try services.audit.record(actor: request.actor(session), action: .export, subjectType: "annual_report_areas",
                                      subjectID: year.end.description, detail: "csv")
            var response = Response.json(Array(AreaComparisonExport.csv(rows, year: year, made: services.today).utf8),
                                         contentType: AnnualReportFormat.csv.contentType)
            response.headers.set("Content-Disposition", "attachment; filename=\"mappa-areas-compared-\(year.end).csv\"")
            return response
        })
    }

    static func load(_ request: Request, _ services: Services) throws -> MappaArea {
        guard let code = request.parameter("code"), let area = try services.areas.area(code: code) else { throw DomainError.notFound("The page") }
        return area
    }

    static func listPage(_ request: Request, _ session: Session, _ services: Services, values: [String: String],
                         problems: [ValidationProblem], status: Int) throws -> Response {
        let (summaries, unassigned) = try services.areas.summaries()
        let rows = summaries.map { summary -> [HTML] in
            let area = summary.area
            return ["<span id=\"area-\(area.code)\">\(area.name)</span>", "<code>\(area.code)</code>",
                    "\(area.population.map(AreaPopulation.written) ?? "Not set")", "\(summary.activeCases)", "\(summary.allCases)",
                    area.active ? Components.tag("Active", colour: "green") : Components.tag("Inactive", colour: "grey"),
                    "<a href=\"\(path)/\(area.code)\">Change<span class=\"visually-hidden\"> \(area.name)</span></a>"]
        } + [["No area recorded", "–", "–", "\(unassigned.active)", "\(unassigned.all)", "", ""]]
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">Statistics</span>
            <h1>MAPPA areas</h1>
            <p>England and Wales have 42 MAPPA areas. Where this database holds the cases of several, each case can be put in its
            area (on the case, or with the <code>mappa_area</code> column of the case register file), and the annual report and
            the performance indicators can be shown for one area or compared across them. With no areas, everything counts as
            one area, as before.</p>
            \(summaries.isEmpty ? "<p>No areas have been added.</p>" as HTML
                : Components.table(caption: "Areas and their cases", headers: ["Area", "Code", "Population", "Active cases", "All cases", "Status", ""], rows: rows))
            <h2>Add an area</h2>
            \(Components.form(action: path, csrf: session.csrfToken, """
                \(Components.textInput("code", label: "Code", value: values["code"] ?? "",
                                       hint: "Lowercase letters, numbers, hyphens and underscores, for example north_wales. Files and links name the area by it; it cannot be changed later.",
                                       problems: problems, width: "20"))
                \(Components.textInput("name", label: "Name", value: values["name"] ?? "", hint: "For example North Wales", problems: problems))
                \(Components.textInput("population", label: "Population (optional)", value: values["population"] ?? "",
                                       hint: "From the latest ONS mid-year estimate, for example 700,000. Needed for the rate per 100,000.",
                                       problems: problems, width: "10"))
                \(Components.button("Add area"))
                """))
            <p><a href="\(comparisonPath)">Compare the areas' annual figures</a> · <a href="\(StatisticsRoutes.annualPath)">MAPPA annual report</a></p>
            """
        return .html(Layout.page(title: "MAPPA areas", session: session, currentPath: "/statistics", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    static func editPage(_ session: Session, _ area: MappaArea, values: [String: String], problems: [ValidationProblem],
                         status: Int) -> Response {
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">MAPPA area <code>\(area.code)</code></span>
            <h1>Change \(area.name)</h1>
            \(Components.form(action: "\(path)/\(area.code)", csrf: session.csrfToken, """
                \(Components.textInput("name", label: "Name", value: values["name"] ?? "", problems: problems))
                \(Components.textInput("population", label: "Population (optional)", value: values["population"] ?? "",
                                       hint: "From the latest ONS mid-year estimate, for example 700,000. Leave it empty if not known.",
                                       problems: problems, width: "10"))
                \(Components.checkbox("active", label: "Active: offered when a case's area is chosen", checked: values["active"] == "yes"))
                \(Components.button("Save area"))
                """))
            <p>An inactive area keeps its cases and its figures in past years' reports.</p>
            <p><a href="\(path)">Back to the MAPPA areas</a></p>
            """
        return .html(Layout.page(title: "Change \(area.name)", session: session, currentPath: "/statistics", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    static func comparisonPage(_ session: Session, _ services: Services, year: ReportingYear, rows: [AreaComparisonRow]) -> Response {
        let latest = ReportingYear(containing: services.today)
        var years = [latest]
        while years.count < 8 { years.append(years.last!.previous) }
        let options = years.map { ($0.end.description, "\($0) (1 April \($0.start.year) to 31 March \($0.end.year))") }
        let body: HTML
        if rows.isEmpty {
            body = """
                <p>This database holds no MAPPA areas, so there is nothing to compare: the
                <a href="\(StatisticsRoutes.annualPath)?year_ending=\(year.end)">annual report</a> covers every case.
                \(session.user.role.can(.configureStatistics) ? "Add areas on the <a href=\"\(path)\">MAPPA areas</a> page." as HTML : .empty)</p>
                """
        } else {
            let head = ([HTML("<th scope=\"col\" class=\"table__header\">Area</th>")] + AreaComparison.columns.map { column -> HTML in
                "<th scope=\"col\" class=\"table__header table__header--numeric\">\(AreaComparison.label(column))</th>"
            })
            let lines = rows.map { row -> HTML in
                let cells = zip(AreaComparison.columns, row.values).map { column, value -> HTML in
                    let text = column == "population" ? value.map { AreaPopulation.written(Int($0)) } ?? "Not set"
                        : value.map { AreaComparison.formatted($0, column: column) } ?? "Not known"
                    return "<td class=\"table__cell table__cell--numeric\" data-column=\"\(column)\">\(text)</td>"
                }
                let link: HTML = row.key == "all" || row.key == "none" ? "\(row.label)"
                    : "<a href=\"\(StatisticsRoutes.annualPath)?year_ending=\(year.end)&amp;area=\(row.key)\">\(row.label)</a>"
                return "<tr class=\"table__row\" data-row=\"\(row.key)\"><th scope=\"row\" class=\"table__header\">\(link)</th>\(cells)</tr>"
            }
            let rated = rows.filter { $0.key != "none" }
            let chart = Charts.bar(
                ChartOptions(id: "rate-by-area", title: "Registered sexual offenders per 100,000 population on 31 March \(year.end.year), by area",
                             summary: "The rate in each area and in all areas together. Rates compare areas of different sizes; totals do not."),
                rated.map { row in
                    let rate = row.value("rsos_per_100k")
                    return ChartValue(row.label, rate, text: rate.map { AnnualReport.formattedRate($0) } ?? "Not known: population not set")
                })
            body = """
                <p>Each area's cases as the annual report counts them. An event counts for an area when the nominal had a case in that
                area open on the date of the event (started on or before it, not exited before it); an event of a nominal with no
                case open that day counts only in all areas. Returned to custody counts both returns for breach of licence and for
                breach of an order. Totals depend on each area's size: compare areas by the rate per 100,000 population.</p>
                <p>Download: <a href="\(comparisonPath).csv?year_ending=\(year.end)" download>CSV</a>. Downloads are recorded in the audit trail.</p>
                \(Components.scrollingRegion(label: "Figures by area, \(year.description)", """
                <table class="table" data-table="areas">
                  <caption class="table__caption">Figures by area, \(year.description)</caption>
                  <thead><tr class="table__row">\(head)</tr></thead>
                  <tbody>\(lines)</tbody>
                </table>
                """))
                \(chart)
                """
        }
        let content: HTML = """
            <span class="caption">Statistics</span>
            <h1>MAPPA areas compared, \(year.description)</h1>
            <form method="get" action="\(comparisonPath)" class="inline-form">
              \(Components.select("year_ending", label: "Reporting year", options: options, selected: year.end.description))
              \(Components.button("Show", secondary: true))
            </form>
            \(body)
            <p><a href="\(StatisticsRoutes.annualPath)?year_ending=\(year.end)">MAPPA annual report \(year.description)</a></p>
            """
        return .html(Layout.page(title: "MAPPA areas compared, \(year.description)", session: session, currentPath: "/statistics",
                                 content: content).rendered)
    }
}
