import Adapters
import Domain
import Foundation
import HTTPServer
import Store

/// The MAPPA annual report (DESIGN.md "Annual report") as a page and as downloads, the events it counts
/// (recorded on a case or imported from a file), and the area population it needs for the per-100,000 rate.
enum StatisticsRoutes {
    static let annualPath = "/statistics/annual"
    static let eventsUploadPath = "/statistics/events/import"

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/statistics", Access.require(services, .viewStatistics) { request, session in
            overviewPage(session)
        })
        router.get(annualPath, Access.require(services, .viewStatistics) { request, session in
            let year = try reportingYear(request, services)
            let choice = try AreaChoice(request, services)
            let report = try services.statistics.annualReport(year: year, area: choice.scope)
            let previous = try services.statistics.annualReport(year: year.previous, area: choice.scope)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "annual_report",
                                      subjectID: year.end.description, detail: choice.auditDetail ?? "")
            return annualPage(request, session, services, choice, report: report, previous: previous, problems: [], population: nil, status: 200)
        })
        for format in AnnualReportFormat.allCases {
            router.get("\(annualPath).\(format.rawValue)", Access.require(services, .viewStatistics) { request, session in
                let year = try reportingYear(request, services)
                let choice = try AreaChoice(request, services)
                let report = try services.statistics.annualReport(year: year, area: choice.scope)
                try services.audit.record(actor: request.actor(session), action: .export, subjectType: "annual_report",
                                          subjectID: year.end.description, detail: format.rawValue + (choice.auditDetail.map { ", \($0)" } ?? ""))
                var response = Response.json(try format.bytes(report, made: services.today), contentType: format.contentType)
                response.headers.set("Content-Disposition",
                                     "attachment; filename=\"mappa-annual-report-\(year.end)\(choice.area.map { "-\($0.code)" } ?? "").\(format.rawValue)\"")
                return response
            })
        }
        router.post("/statistics/population", Access.require(services, .editCases) { request, session in
            let form = try request.form()
            let text = form["area_population"] ?? ""
            do {
                try services.statistics.setAreaPopulation(text, by: request.actor(session))
            } catch let error as DomainError where error.isValidation {
                let year = try reportingYear(request, services)
                return annualPage(request, session, services, try AreaChoice(request, services), report: try services.statistics.annualReport(year: year),
                                  previous: try services.statistics.annualReport(year: year.previous),
                                  problems: error.problems, population: text, status: 422)
            }
            return .redirect(to: annualPath + "?done=\(Flash.populationSaved.rawValue)")
        })

        RegisterImportRoutes.uploadRoutes(&router, services, .events)

        router.post("/cases/:id/events", Access.require(services, .editCases) { request, session in
            // Refused before the form is read: someone who may not see the case learns nothing from its checks.
            let caseID = try services.cases.case(id: try NominalRoutes.id(request), for: request.viewer(session)).id
            let form = try request.form()
            let typeText = form["event_type"] ?? ""
            let dateText = (form["event_date"] ?? "").trimmingCharacters(in: .whitespaces)
            let levelText = form["level_at_event"] ?? ""
            let detail = (form["detail"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            var problems = MappaEventRecord.problems(typeText: typeText, dateText: dateText, levelText: levelText, detail: detail,
                                                     today: services.today)
            if problems.isEmpty, let type = MappaEventType(rawValue: typeText), let date = CalendarDate(dateText) {
                do {
                    try services.events.recordEvent(caseID: caseID, type: type, date: date,
                                                    levelAtEvent: Int(levelText).flatMap(ManagementLevel.init(rawValue:)),
                                                    detail: detail, by: request.viewer(session))
                    return .redirect(to: "/cases/\(caseID)?done=\(Flash.eventRecorded.rawValue)#events")
                } catch let error as DomainError where error.code == "duplicate_event" {
                    problems = [ValidationProblem(field: "event_type", message: error.description)]
                }
            }
            let content: HTML = """
                \(Components.errorSummary(problems))
                <span class="caption">MAPPA case \(caseID)</span>
                <h1>Record an event</h1>
                \(eventForm(session, caseID: caseID, values: form.firstValues, problems: problems))
                <p><a href="/cases/\(caseID)">Back to the case</a></p>
                """
            return .html(Layout.page(title: "Record an event", session: session, currentPath: "/cases", hasErrors: true,
                                     content: content).rendered, status: 422)
        })
    }

    /// The year asked for (`year_ending=YYYY-03-31`), else the last one that has ended.
    static func reportingYear(_ request: Request, _ services: Services) throws -> ReportingYear {
        guard let text = request.queryValue("year_ending"), !text.isEmpty else {
            return ReportingYear.lastCompleted(before: services.today)
        }
        guard let date = CalendarDate(text), let year = ReportingYear(yearEnding: date), date.year >= 2000,
              date.year <= services.today.year + 1 else {
            throw DomainError.badRequest("The reporting year must end on a 31 March, written YYYY-03-31, between 2000 and next year.")
        }
        return year
    }

    /// The MAPPA area asked for (`area=CODE`), else all areas; an unknown code is a 400 that says what to do. The
    /// annual report, its downloads and the performance indicators narrow to it.
    struct AreaChoice {
        var areas: [MappaArea]
        var area: MappaArea?

        init(_ request: Request, _ services: Services) throws {
            areas = try services.areas.areas()
            let code = MappaArea.normalisedCode(request.queryValue("area") ?? "")
            if code.isEmpty {
                area = nil
            } else if let chosen = areas.first(where: { $0.code == code }) {
                area = chosen
            } else {
                throw DomainError.badRequest("The area must be one of the MAPPA areas. Choose it from the list.", code: "bad_area")
            }
        }

        var scope: AreaScope { area.map(AreaScope.area) ?? .all }
        /// "area north": what the audit trail records of the choice.
        var auditDetail: String? { area.map { "area \($0.code)" } }
        /// `&area=CODE`, to carry the choice onto links.
        var query: String { area.map { "&area=\($0.code)" } ?? "" }

        /// The area select for a GET filter form; nothing when the database has no areas.
        func select(hint: String) -> HTML {
            guard !areas.isEmpty else { return .empty }
            return Components.select("area", label: "MAPPA area", options: areas.map { ($0.code, $0.name + ($0.active ? "" : " (inactive)")) },
                                     selected: area?.code ?? "", hint: hint)
        }
    }

    static func overviewPage(_ session: Session) -> Response {
        let content: HTML = """
            <h1>Statistics</h1>
            <ul class="list">
              <li><a href="/statistics/kpis">Performance indicators</a>: reviews on time, core agency attendance, custody
              referrals in time, victims and disclosure in minutes, minutes and actions on time, referral quality and
              screening times, by quarter or year, compared with earlier periods and across lead agencies</li>
              <li><a href="\(annualPath)">MAPPA annual report tables</a>: eligible offenders by category and level, Level 2 and 3
              during the year, registered sexual offenders per 100,000, and the events the report counts</li>
              <li><a href="\(AreaRoutes.comparisonPath)">MAPPA areas compared</a>: where one database holds several MAPPA areas, each
              area's headline figures for a reporting year side by side, with the rate per 100,000 population</li>
              \(session.user.role.can(.configureStatistics) ? "<li><a href=\"\(AreaRoutes.path)\">MAPPA areas</a>: the areas this database holds, their populations, and adding one</li>" as HTML : .empty)
              \(session.user.role.can(.editCases) ? "<li><a href=\"\(eventsUploadPath)\">Import events</a> from a file (breaches, orders, returns to custody, serious further offences, serious case reviews)</li>" as HTML : .empty)
            </ul>
            """
        return .html(Layout.page(title: "Statistics", session: session, currentPath: "/statistics", content: content).rendered)
    }

    static func annualPage(_ request: Request, _ session: Session, _ services: Services, _ choice: AreaChoice, report: AnnualReport,
                           previous: AnnualReport, problems: [ValidationProblem], population: String?, status: Int) -> Response {
        let year = report.year
        let latest = ReportingYear(containing: services.today)
        let years = (0..<8).map { offset -> ReportingYear in
            var candidate = latest
            for _ in 0..<offset { candidate = candidate.previous }
            return candidate
        }
        let options = years.map { candidate -> (value: String, label: String) in
            (candidate.end.description, "\(candidate) (1 April \(candidate.start.year) to 31 March \(candidate.end.year))\(candidate == latest ? ", so far" : "")")
        }
        let query = "?year_ending=\(year.end)" + choice.query
        let tables = report.tables.map { reportTable($0, year: year) }
        let comparison = comparisonTable(report, previous)
        // This year against the year before, the way the annual report reads: a second series, named in the legend.
        let thisYear = "\(year.description) (this year)", yearBefore = "\(year.previous.description) (the year before)"
        let byCategory = Charts.bars(
            ChartOptions(id: "eligible-by-category", title: "Eligible offenders in the community on 31 March \(year.end.year), by category",
                         summary: "The number in each category on 31 March, with the figure a year before.", counts: true),
            [(report, thisYear), (previous, yearBefore)].map { figures, name in
                ChartSeries(name: name, values: (1...4).map { category in
                    ChartValue("Category \(category)", figures.value("eligible_on_31_march", "total", "category_\(category)"))
                })
            })
        let events = Charts.bars(
            ChartOptions(id: "events-in-year", title: "Events during \(year.description), with \(year.previous.description)",
                         summary: "How many of each event the annual report counts were dated in the year, and in the year before.", counts: true),
            [(report, thisYear), (previous, yearBefore)].map { figures, name in
                ChartSeries(name: name, values: MappaEventType.allCases.map { ChartValue($0.displayName, figures.value("events", $0.rawValue, "count")) })
            })
        let unitPopulation = try? services.statistics.areaPopulation()
        let missingPopulation: HTML
        if let area = choice.area {
            missingPopulation = area.population == nil ? """
                <div class="inset-text">The population of \(area.name) is not set, so its rate of registered sexual offenders per
                100,000 cannot be worked out.\(session.user.role.can(.configureStatistics)
                    ? " Set it on the <a href=\"\(AreaRoutes.path)/\(area.code)\">area's page</a>." as HTML
                    : " Ask the MAPPA coordinator to set it.")</div>
                """ : .empty
        } else if report.areaPopulation == nil {
            missingPopulation = """
                <div class="inset-text">The area population is not set, so the rate of registered sexual offenders per 100,000
                cannot be worked out.\(session.user.role.can(.editCases) ? " Set it below." : " Ask the MAPPA coordinator to set it.")
                \(choice.areas.isEmpty ? "" : "Until it is, the rate for all areas uses the sum of the MAPPA areas' populations once every active area has one.")</div>
                """
        } else if let population = report.areaPopulation, (unitPopulation ?? nil) == nil {
            missingPopulation = """
                <div class="inset-text">The rate for all areas uses the sum of the active MAPPA areas' populations,
                \(AreaPopulation.written(population)), as the population of the whole database is not set.</div>
                """
        } else {
            missingPopulation = .empty
        }
        let areaRule: HTML = choice.area.map { area in """
            <p>Only the cases recorded in \(area.name) are counted. An event counts for \(area.name) when the nominal had a case
            there open on the date of the event: started on or before that date, and not exited before it.</p>
            """ } ?? .empty
        let areaLinks: HTML = choice.areas.isEmpty ? .empty
            : "<p><a href=\"\(AreaRoutes.comparisonPath)?year_ending=\(year.end)\">Compare the MAPPA areas for \(year.description)</a></p>"
        let withoutLevel: HTML = report.casesWithoutLevel > 0 ? """
            <div class="inset-text">\(report.casesWithoutLevel) active case\(report.casesWithoutLevel == 1 ? "" : "s") in the community on
            31 March had no level set: counted in the totals, not in a level row. Set their level to make the tables complete.</div>
            """ : .empty
        let populationForm: HTML = session.user.role.can(.editCases) && choice.area == nil ? """
            <h2>Area population</h2>
            \(Components.form(action: "/statistics/population", csrf: session.csrfToken, """
                \(Components.textInput("area_population", label: "Population of the MAPPA area",
                                       value: population ?? report.areaPopulation.map(String.init) ?? "",
                                       hint: "From the latest ONS mid-year estimate, for example 1,250,000", problems: problems, width: "10"))
                \(Components.button("Save population", secondary: true))
                """))
            """ : .empty
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <h1>MAPPA annual report \(year.description)\(choice.area.map { ", \($0.name)" } ?? "")</h1>
            <p>The reporting year runs from 1 April \(year.start.year) to 31 March \(year.end.year)\(year == latest ? "; it has not ended yet, so these figures are the year so far" : "").
            The tables follow the Ministry of Justice area tables. Restricted cases are counted but never named.</p>
            <form method="get" action="\(annualPath)" class="inline-form">
              \(Components.select("year_ending", label: "Reporting year", options: options, selected: year.end.description))
              \(choice.select(hint: "Only the cases recorded in this area. Unselected: all areas together."))
              \(Components.button("Show", secondary: true))
            </form>
            \(areaRule)
            \(areaLinks)
            <p>Download: <a href="\(annualPath).xlsx\(query)" download>Excel (XLSX)</a>, one sheet per table with a sheet of notes
            explaining them · for other systems, <a href="\(annualPath).csv\(query)" download>CSV</a> (one figure a line:
            table, row, column, value) · <a href="\(annualPath).json\(query)" download>JSON</a>. Downloads are recorded in the
            audit trail; the files are OFFICIAL-SENSITIVE.</p>
            \(missingPopulation)
            \(withoutLevel)
            \(tables)
            <h2>Compared with the year before</h2>
            \(comparison)
            \(byCategory)
            \(events)
            \(populationForm)
            """
        return .html(Layout.page(title: "MAPPA annual report \(year.description)\(choice.area.map { ", \($0.name)" } ?? "")", session: session, currentPath: "/statistics",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    /// One report table, machine-readable too: `data-table`, `data-row` and `data-column` carry the names the
    /// CSV uses, so a check can compare the page with the download cell by cell.
    static func reportTable(_ table: AnnualReport.Table, year: ReportingYear) -> HTML {
        let head = ([HTML("<th scope=\"col\" class=\"table__header\">\(table.name == "events" ? "Event" : "")</th>")]
            + table.columns.map { column -> HTML in
                "<th scope=\"col\" class=\"table__header table__header--numeric\">\(AnnualReportCalculator.columnLabel(column))</th>"
            })
        let body = table.rows.map { row -> HTML in
            let cells = zip(table.columns, row.values).map { column, value -> HTML in
                if row.notApplicable.contains(column) { return "<td class=\"table__cell table__cell--numeric\">–</td>" }
                let text = value.map(table.formatted) ?? "Not known"
                return "<td class=\"table__cell table__cell--numeric\" data-column=\"\(column)\">\(text)</td>"
            }
            return "<tr class=\"table__row\" data-row=\"\(row.name)\"><th scope=\"row\" class=\"table__header\">\(row.label)</th>\(cells)</tr>"
        }
        return Components.scrollingRegion(label: table.title, """
            <table class="table" data-table="\(table.name)">
              <caption class="table__caption">\(table.title)</caption>
              <thead><tr class="table__row">\(head)</tr></thead>
              <tbody>\(body)</tbody>
            </table>
            """)
    }

    /// The headline figures beside the year before, with the change: benchmarking year on year.
    static func comparisonTable(_ report: AnnualReport, _ previous: AnnualReport) -> HTML {
        var lines: [(String, Double?, Double?)] = [
            ("Eligible offenders in the community on 31 March", report.value("eligible_on_31_march", "total", "total"),
             previous.value("eligible_on_31_march", "total", "total")),
            ("Managed at Level 2 or 3 during the year", report.value("level_2_3_in_year", "total", "total"),
             previous.value("level_2_3_in_year", "total", "total")),
            ("Registered sexual offenders per 100,000", report.value("rsos_per_100k", "rate", "value"),
             previous.value("rsos_per_100k", "rate", "value")),
        ]
        for type in MappaEventType.allCases {
            lines.append((type.displayName, report.value("events", type.rawValue, "count"), previous.value("events", type.rawValue, "count")))
        }
        let rows = lines.map { label, now, before -> [HTML] in
            let change: String
            if let now, let before {
                let difference = now - before
                change = difference == 0 ? "No change" : (difference > 0 ? "+" : "") + AnnualReport.formatted(difference)
                    + (before > 0 ? " (\(difference > 0 ? "+" : "")\(Int((difference / before * 100).rounded()))%)" : "")
            } else {
                change = "–"
            }
            return ["\(label)", "\(now.map(AnnualReport.formatted) ?? "Not known")", "\(before.map(AnnualReport.formatted) ?? "Not known")", "\(change)"]
        }
        return Components.table(caption: "Compared with \(previous.year.description)",
                                headers: ["Figure", report.year.description, previous.year.description, "Change"], rows: rows)
    }

    static func eventsUploadPage(_ session: Session, problems: [ValidationProblem], status: Int) -> Response {
        let types = MappaEventType.allCases.map { type -> [HTML] in ["<code>\(type.rawValue)</code>", "\(type.displayName)"] }
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Import events</h1>
            <p>Upload the events the annual report counts as a CSV file (UTF-8, with a header row), one row per event, with these
            columns:</p>
            <p class="hint"><code>\(EventsCSV.columns.joined(separator: ","))</code></p>
            <p>Dates are written YYYY-MM-DD; <code>level_at_event</code> is 1, 2, 3 or empty when not known. Each
            <code>nominal_ref</code> must already be on record. Every row is checked first: if any row has a problem, nothing is
            imported and every problem is listed with its line number. A row that matches an event already on record is
            skipped, so importing the same file twice counts nothing twice.</p>
            <form method="post" action="\(eventsUploadPath)" enctype="multipart/form-data" novalidate>
              <input type="hidden" name="csrf_token" value="\(session.csrfToken)">
              \(RegisterImportRoutes.fileInput(problems, name: "events", label: "Events file"))
              \(Components.checkbox("dry_run", label: "Only check the file: do not import anything", checked: false))
              \(Components.button("Upload"))
            </form>
            \(Components.table(caption: "Event types", headers: ["event_type", "Meaning"], rows: types))
            """
        return .html(Layout.page(title: "Import events", session: session, currentPath: "/statistics", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    /// The events on the case's nominal, and for the coordinator a form to record one.
    static func caseEventsSection(_ session: Session, _ services: Services, _ visible: VisibleCase) throws -> HTML {
        let events = try services.events.events(of: visible)
        let caseID = visible.id
        let list: HTML = events.isEmpty ? "<p>No events recorded.</p>"
            : Components.table(caption: "Events for the annual report", headers: ["Date", "Event", "Level at the time", "Detail", "How"],
                               rows: events) { event, row in
                row.cell(event.date.displayText)
                row.cell(event.type.displayName)
                row.cell(event.levelAtEvent?.shortName ?? "Not known")
                row.cell(event.detail.isEmpty ? "–" : event.detail)
                row.cell(event.source == "import" ? "Imported" : "Recorded")
            }
        let form: HTML = session.user.role.can(.editCases) ? """
            <details class="details">
              <summary class="details__summary">Record an event</summary>
              <div class="details__text">\(eventForm(session, caseID: caseID, values: [:], problems: []))</div>
            </details>
            """ : .empty
        return """
            <h2 id="events">Events</h2>
            \(list)
            \(form)
            """
    }

    static func eventForm(_ session: Session, caseID: Int64, values: [String: String], problems: [ValidationProblem]) -> HTML {
        let types = MappaEventType.allCases.map { (value: $0.rawValue, label: $0.displayName) }
        let levels = [(value: "1", label: "Level 1"), ("2", "Level 2"), ("3", "Level 3")]
        return Components.form(action: "/cases/\(caseID)/events", csrf: session.csrfToken, """
            \(Components.select("event_type", label: "Event", options: types, selected: values["event_type"] ?? "", problems: problems))
            \(Components.textInput("event_date", label: "Date of the event", value: values["event_date"] ?? "", hint: "For example 2026-03-14", problems: problems, width: "10"))
            \(Components.select("level_at_event", label: "Level the offender was managed at on that date", options: levels, selected: values["level_at_event"] ?? "", hint: "Leave it unselected if not known", problems: problems))
            \(Components.textarea("detail", label: "Detail (optional)", value: values["detail"] ?? "", hint: "500 characters at most", problems: problems))
            \(Components.button("Record the event"))
            """)
    }
}
