import Adapters
import Domain
import Foundation
import HTTPServer
import Store

/// Performance indicators (domain.md §6): every KPI for a quarter or reporting year with its numerator,
/// denominator, target and benchmarks (the period before, the same period a year earlier, a trend), by lead
/// agency; a page per indicator listing the records behind it, under need-to-know; and the settings page.
enum KPIRoutes {
    static let path = "/statistics/kpis"
    static let settingsPath = "/statistics/kpis/settings"
    /// Periods in each trend chart.
    static let trendLength = 6

    static func register(_ router: inout Router, _ services: Services) {
        let kpis = services.kpis
        router.get(path, Access.require(services, .viewStatistics) { request, session in
            let filter = try Filter(request, services, today: kpis.today)
            let benchmarks = try kpis.benchmarks(chosen: filter.period, trendLength: trendLength)
            return overview(request, session, services, filter, benchmarks.map { filter.narrowed($0) }, unfiltered: benchmarks)
        })
        for format in ["csv", "xlsx"] {
            router.get("\(path).\(format)", Access.require(services, .viewStatistics) { request, session in
                let filter = try Filter(request, services, today: kpis.today)
                let benchmarks = try kpis.benchmarks(chosen: filter.period, trendLength: 1).map { filter.narrowed($0) }
                try services.audit.record(actor: request.actor(session), action: .export, subjectType: "kpi",
                                          subjectID: filter.period.id, detail: format + filter.auditDetail)
                let heading = filter.heading(today: services.today)
                var response = format == "csv"
                    ? Response.json(Array(KPIExport.csv(benchmarks, heading: heading).utf8), contentType: "text/csv; charset=utf-8")
                    : Response.json(try KPIExport.xlsx(benchmarks, heading: heading, leadAgencyName: filter.name),
                                    contentType: AnnualReportFormat.xlsx.contentType)
                response.headers.set("Content-Disposition", "attachment; filename=\"mappa-indicators-\(filter.period.id).\(format)\"")
                return response
            })
        }
        router.get(path + "/:id", Access.require(services, .viewStatistics) { request, session in
            guard let indicator = request.parameter("id").flatMap(KPIIndicator.init(rawValue:)) else { throw DomainError.notFound("The page") }
            let filter = try Filter(request, services, today: kpis.today)
            let all = try kpis.benchmarks(chosen: filter.period, trendLength: trendLength, only: indicator)[0]
            return try detail(request, session, services, filter, filter.narrowed(all), unfiltered: all)
        })
        router.get(settingsPath, Access.require(services, .configureStatistics) { request, session in
            settingsPage(request, session, values: values(try kpis.settings()), problems: [], status: 200)
        })
        router.post(settingsPath, Access.require(services, .configureStatistics) { request, session in
            let form = try request.form()
            var settings: [KPIIndicator: KPISettings] = [:]
            var problems: [ValidationProblem] = []
            for indicator in KPIIndicator.allCases {
                let field = { (name: String) in (form["\(indicator.rawValue)-\(name)"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
                let defaults = indicator.defaultSettings
                guard let target = Double(field("target").replacingOccurrences(of: "%", with: "")), target.isFinite else {
                    problems.append(ValidationProblem(field: "\(indicator.rawValue)-target",
                                                      message: "Enter the target for indicator \(indicator.number) as a number, like \(KPIFormat.number(defaults.target))"))
                    continue
                }
                settings[indicator] = KPISettings(
                    name: field("name"), target: target, direction: KPIDirection(rawValue: field("direction")) ?? defaults.direction,
                    period: ReportingPeriod.Kind(rawValue: field("period")) ?? defaults.period,
                    average: KPIAverage(rawValue: field("average")) ?? defaults.average, definition: field("definition"))
            }
            do {
                guard problems.isEmpty else {
                    throw DomainError.validation(problems + KPIIndicator.allCases.flatMap { settings[$0]?.problems(for: $0) ?? [] })
                }
                try KPISettingsStore.save(settings, context: services.context, by: request.actor(session))
            } catch let failure as DomainError where failure.isValidation {
                return settingsPage(request, session, values: form.firstValues, problems: failure.problems, status: 422)
            }
            return .redirect(to: settingsPath + "?done=\(Flash.kpisSaved.rawValue)")
        })
    }

    // MARK: the chosen period and lead agency

    /// The query: `period` ("2026-27-Q1" or "2026-27"; the current quarter when absent), `lead` (an agency
    /// code; every lead agency when absent) and `area` (a MAPPA area's code; every area when absent). Anything
    /// else is a 400 that says what to write.
    struct Filter {
        var period: ReportingPeriod
        var lead: Agency?
        var agencies: [Agency]
        var area: StatisticsRoutes.AreaChoice

        init(_ request: Request, _ services: Services, today: CalendarDate) throws {
            agencies = try services.agencies.agencies()
            area = try StatisticsRoutes.AreaChoice(request, services)
            let periodText = (request.queryValue("period") ?? "").trimmingCharacters(in: .whitespaces)
            if periodText.isEmpty {
                period = ReportingPeriod.containing(today, kind: .quarter)
            } else if let chosen = ReportingPeriod(id: periodText) {
                guard chosen.start <= today else {
                    throw DomainError.badRequest("That period has not started yet. Choose a reporting year such as \(ReportingPeriod.containing(today, kind: .year).id) or a quarter up to \(ReportingPeriod.containing(today, kind: .quarter).id).",
                                               code: "future_period")
                }
                period = chosen
            } else {
                throw DomainError.badRequest("The period must be a reporting year written like 2026-27 (1 April 2026 to 31 March 2027) or a quarter written like 2026-27-Q1 (Q1 is April to June).",
                                           code: "bad_period")
            }
            let leadText = (request.queryValue("lead") ?? "").trimmingCharacters(in: .whitespaces)
            if leadText.isEmpty {
                lead = nil
            } else if let agency = agencies.first(where: { $0.code == leadText }) {
                lead = agency
            } else {
                throw DomainError.badRequest("The lead agency must be one of the agencies in the directory. Choose it from the list.", code: "bad_lead_agency")
            }
        }

        var query: String { "?period=\(period.id)" + (lead.map { "&lead=\($0.code)" } ?? "") + area.query }

        /// ", lead police, area north": what the audit trail records of the filter.
        var auditDetail: String {
            (lead.map { ", lead \($0.code)" } ?? "") + (area.auditDetail.map { ", \($0)" } ?? "")
        }

        /// The title of a download: the area (and lead agency) and the period.
        func heading(today: CalendarDate) -> ExportHeading {
            ExportHeading(subject: "MAPPA performance indicators",
                          area: (area.area?.name ?? "All MAPPA areas") + (lead.map { ", cases led by \($0.name)" } ?? ""),
                          period: "\(period.name) (\(period.dates))", made: today)
        }

        func name(_ code: String) -> String {
            code.isEmpty ? "Not recorded" : (agencies.first { $0.code == code }?.name ?? code)
        }

        func areaName(_ code: String) -> String {
            code.isEmpty ? "No area recorded" : (area.areas.first { $0.code == code }?.name ?? code)
        }

        func narrowed(_ benchmark: KPIBenchmark) -> KPIBenchmark {
            let led = lead.map { benchmark.forLeadAgency($0.code) } ?? benchmark
            return area.area.map { led.forArea($0.code) } ?? led
        }

        /// The period and lead agency choice, as a GET form that works without JavaScript.
        func form(action: String, today: CalendarDate) -> HTML {
            let current = ReportingPeriod.containing(today, kind: .quarter)
            let choices = (current.recent(8).reversed() + ReportingPeriod.containing(today, kind: .year).recent(3).reversed())
            let options = (choices.contains(period) ? choices : [period] + choices).map { ($0.id, "\($0.name) (\($0.dates))") }
            return """
                <form method="get" action="\(action)" class="filter">
                  \(Components.select("period", label: "Period", options: options, selected: period.id,
                                      hint: "A quarter of the reporting year (Q1 is April to June) or the whole year from 1 April. Unselected: this quarter."))
                  \(Components.select("lead", label: "Lead agency", options: agencies.filter(\.active).map { ($0.code, $0.name) }, selected: lead?.code ?? "",
                                      hint: "Only the cases this agency leads. Unselected: every lead agency."))
                  \(area.select(hint: "Only the cases in this MAPPA area. Unselected: every area."))
                  \(Components.button("Show", secondary: true))
                </form>
                """
        }
    }

    // MARK: pages

    static func metTag(_ result: KPIResult) -> HTML {
        switch result.met {
        case true?: return Components.tag("Met", colour: "green")
        case false?: return Components.tag("Not met", colour: "red")
        case nil: return Components.tag("No data", colour: "grey")
        }
    }

    static func fraction(_ result: KPIResult) -> String {
        result.hasData ? "\(result.numerator) of \(result.denominator)" : "–"
    }

    static func withPeriod(_ result: KPIResult) -> String { "\(result.valueText) (\(result.period.name))" }

    static func chartValue(_ result: KPIResult, label: String) -> ChartValue {
        ChartValue(label, result.value, text: result.hasData ? "\(result.valueText) (\(fraction(result)))" : "No data")
    }

    static func trendChart(_ benchmark: KPIBenchmark, id: String) -> HTML {
        let current = benchmark.current
        let unit = current.indicator.measure == .rate ? "%" : " days"
        return Charts.line(ChartOptions(id: id, title: "\(current.indicator.number). \(current.settings.name): the last \(benchmark.trend.count) periods",
                                        summary: "The figure for each \(current.period.kind == .quarter ? "quarter" : "reporting year") up to \(current.period.name).",
                                        unit: unit, maximum: current.indicator.measure == .rate ? 100 : nil,
                                        reference: ("Target", current.settings.target)),
                           [ChartSeries(name: current.settings.name, values: benchmark.trend.map { chartValue($0, label: $0.period.name) })])
    }

    static func overview(_ request: Request, _ session: Session, _ services: Services, _ filter: Filter, _ benchmarks: [KPIBenchmark],
                         unfiltered: [KPIBenchmark]) -> Response {
        let today = services.today
        let rows = benchmarks.map { benchmark -> [HTML] in
            let result = benchmark.current
            return ["<a href=\"\(path)/\(result.indicator.rawValue)\(filter.query)\">\(result.indicator.number). \(result.settings.name)</a>",
                    "\(result.period.name)", "\(fraction(result))", "\(result.valueText)", "\(result.settings.targetText(result.indicator.measure))",
                    metTag(result), "\(withPeriod(benchmark.previous))", "\(withPeriod(benchmark.yearBefore))"]
        }
        let leads = Set(unfiltered.flatMap(\.current.leadAgencies)).sorted { filter.name($0) < filter.name($1) }
        let byLead = breakdownRows(unfiltered, leads) { $0.forLeadAgency($1) }
        // Areas by name, then the records whose case has no area.
        let areas = Set(unfiltered.flatMap(\.current.areas)).sorted { ($0.isEmpty ? 1 : 0, filter.areaName($0)) < ($1.isEmpty ? 1 : 0, filter.areaName($1)) }
        let byArea = breakdownRows(unfiltered, areas) { $0.forArea($1) }
        let areaSection: HTML = filter.area.areas.isEmpty ? .empty : """
            <h2>By MAPPA area</h2>
            \(areas.isEmpty ? "<p>No records in this period.</p>" as HTML
                : Components.table(caption: "Each indicator by the MAPPA area of the case, \(filter.period.name)", headers: ["Indicator"] + areas.map(filter.areaName), rows: byArea))
            """
        let attendance = benchmarks.first { $0.indicator == .attendance }!.current
        let perAgency = attendance.byAgency().sorted { filter.name($0.agency) < filter.name($1.agency) }
        let attendanceSection: HTML = perAgency.isEmpty ? "<p>No Level 2 or 3 case discussions were held in \(attendance.period.name).</p>" : """
            \(Components.table(caption: "Attendance by agency, \(attendance.period.name)", headers: ["Agency", "Attended or sent a report", "Expected", "Rate", "Target"],
                               rows: perAgency.map { ["\(filter.name($0.agency))", "\($0.result.numerator)", "\($0.result.denominator)", "\($0.result.valueText)", metTag($0.result)] }))
            """
        let trends = benchmarks.map { trendChart($0, id: "trend-\($0.indicator.rawValue)") }
        let settingsLink: HTML = session.user.role.can(.configureStatistics)
            ? "<p><a href=\"\(settingsPath)\">Change the indicators' names, definitions, targets and periods</a></p>" : .empty
        let scope = (filter.lead.map { "Cases led by \($0.name)." } ?? "All lead agencies.")
            + (filter.area.area.map { " Cases in \($0.name)." } ?? (filter.area.areas.isEmpty ? "" : " All MAPPA areas."))
        let content: HTML = """
            <span class="caption">Statistics</span>
            <h1>Performance indicators</h1>
            <p>\(filter.period.name): \(filter.period.dates). \(scope) Indicators reported yearly show the reporting year that contains the
            chosen quarter. Where nothing happened in a period the figure says “No data in this period” rather than 0%.</p>
            \(filter.form(action: path, today: today))
            <p>Download these figures: <a href="\(path).csv\(filter.query)" download>CSV</a> ·
            <a href="\(path).xlsx\(filter.query)" download>Excel (XLSX)</a>, with each indicator by lead agency. Downloads are
            recorded in the audit trail.</p>
            \(settingsLink)
            \(Components.table(caption: "Indicators for \(filter.period.name)",
                               headers: ["Indicator", "Period", "Count", "Figure", "Target", "Result", "Previous period", "Same period a year before"],
                               rows: rows))
            <h2>By lead agency</h2>
            \(leads.isEmpty ? "<p>No records in this period.</p>" as HTML
                : Components.table(caption: "Each indicator by the lead agency of the case, \(filter.period.name)", headers: ["Indicator"] + leads.map(filter.name), rows: byLead))
            \(areaSection)
            <h2>Attendance at Level 2 and 3 meetings by agency</h2>
            \(attendanceSection)
            <h2>Trends</h2>
            \(trends)
            """
        return .html(Layout.page(title: "Performance indicators", session: session, currentPath: path, content: content).rendered)
    }

    /// One row per indicator, one cell per key (a lead agency or an area): the figure over the records `narrow` keeps.
    static func breakdownRows(_ benchmarks: [KPIBenchmark], _ keys: [String], _ narrow: (KPIResult, String) -> KPIResult) -> [[HTML]] {
        benchmarks.map { benchmark -> [HTML] in
            ["\(benchmark.indicator.number). \(benchmark.current.settings.name)"] + keys.map { key -> HTML in
                let result = narrow(benchmark.current, key)
                return result.hasData ? "\(result.valueText) (\(fraction(result)))" : "–"
            }
        }
    }

    static func detail(_ request: Request, _ session: Session, _ services: Services, _ filter: Filter, _ benchmark: KPIBenchmark,
                       unfiltered: KPIBenchmark) throws -> Response {
        let result = benchmark.current
        let indicator = result.indicator
        let unit = indicator.measure == .rate ? "%" : " days"
        // Need-to-know: a case the user may not open is listed without its reference or a link.
        let (items, shownCases, hidden) = try services.kpis.records(of: result, for: request.viewer(session))
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "kpi", subjectID: indicator.rawValue,
                                  detail: "\(result.period.id)\(filter.auditDetail): \(result.items.count) records, \(shownCases) cases shown")
        let isAttendance = indicator == .attendance
        let rows = items.prefix(1000).map { item, shown -> [HTML] in
            let record: HTML
            if !shown {
                record = "Not shown: need-to-know"
            } else if let caseID = item.caseID {
                record = "<a href=\"/cases/\(caseID)\">\(item.reference)</a>"
            } else {
                record = "\(item.reference)"
            }
            var cells: [HTML] = [record, "\(filter.name(item.leadAgency))"]
            if isAttendance { cells.append("\(filter.name(item.agency ?? ""))") }
            cells += ["\(item.date.displayText)", item.counted ? Components.tag("Yes", colour: "green") : Components.tag("No", colour: "grey"), "\(item.reason)"]
            return cells
        }
        let breakdown: [(String, KPIResult)] = isAttendance
            ? result.byAgency().map { (filter.name($0.agency), $0.result) }
            : unfiltered.current.leadAgencies.map { (filter.name($0), unfiltered.current.forLeadAgency($0)) }
        let breakdownChart: HTML = breakdown.isEmpty ? .empty : Charts.bar(
            ChartOptions(id: "breakdown", title: isAttendance ? "By agency expected, \(result.period.name)" : "By lead agency, \(result.period.name)",
                         summary: isAttendance ? "The attendance rate of each agency expected at case discussions." : "The figure for the cases each agency leads.",
                         unit: unit, maximum: indicator.measure == .rate ? 100 : nil, reference: ("Target", result.settings.target)),
            breakdown.sorted { $0.0 < $1.0 }.map { chartValue($0.1, label: $0.0) })
        let content: HTML = """
            <span class="caption">Performance indicator \(indicator.number)</span>
            <h1>\(result.settings.name)</h1>
            <p>\(result.settings.definition)</p>
            \(filter.form(action: "\(path)/\(indicator.rawValue)", today: services.today))
            \(Components.summaryList([
                ("Period", "\(result.period.name): \(result.period.dates)"),
                ("Lead agency", "\(filter.lead?.name ?? "All")"),
            ] + (filter.area.areas.isEmpty ? [] : [("MAPPA area", "\(filter.area.area?.name ?? "All")")]) + [
                (indicator.numeratorLabel, "\(result.numerator)"),
                (indicator.denominatorLabel, "\(result.denominator)"),
                ("Figure", "\(result.valueText)"),
                ("Target", "\(result.settings.targetText(indicator.measure))"),
                ("Result", metTag(result)),
                ("Previous period", "\(withPeriod(benchmark.previous)), \(fraction(benchmark.previous))"),
                ("Same period a year before", "\(withPeriod(benchmark.yearBefore)), \(fraction(benchmark.yearBefore))"),
            ]))
            \(breakdownChart)
            \(trendChart(benchmark, id: "trend"))
            <h2>The records behind the figure</h2>
            \(hidden > 0 ? "<p>\(hidden) case\(hidden == 1 ? " is" : "s are") counted but not shown: you do not have access to \(hidden == 1 ? "it" : "them") (need-to-know).</p>" as HTML : .empty)
            \(result.items.count > 1000 ? "<p>The first 1,000 of \(result.items.count) records.</p>" as HTML : .empty)
            \(Components.table(caption: "\(result.denominator) record\(result.denominator == 1 ? "" : "s") in \(result.period.name)",
                               headers: ["Case", "Lead agency"] + (isAttendance ? ["Agency expected"] : []) + ["Date", indicator.numeratorLabel, "Why"],
                               rows: Array(rows), empty: "No data in this period."))
            <p><a href="\(path)\(filter.query)">All performance indicators</a></p>
            """
        return .html(Layout.page(title: result.settings.name, session: session, currentPath: path, content: content).rendered)
    }

    // MARK: settings

    static func values(_ settings: [KPIIndicator: KPISettings]) -> [String: String] {
        var values: [String: String] = [:]
        for (indicator, setting) in settings {
            let prefix = indicator.rawValue
            values["\(prefix)-name"] = setting.name
            values["\(prefix)-definition"] = setting.definition
            values["\(prefix)-target"] = KPIFormat.number(setting.target)
            values["\(prefix)-direction"] = setting.direction.rawValue
            values["\(prefix)-period"] = setting.period.rawValue
            values["\(prefix)-average"] = setting.average.rawValue
        }
        return values
    }

    static func settingsPage(_ request: Request, _ session: Session, values: [String: String], problems: [ValidationProblem], status: Int) -> Response {
        let sections = KPIIndicator.allCases.map { indicator -> HTML in
            let prefix = indicator.rawValue
            func value(_ name: String) -> String { values["\(prefix)-\(name)"] ?? "" }
            let average: HTML = indicator.measure == .days
                ? Components.select("\(prefix)-average", label: "Typical figure", options: KPIAverage.allCases.map { ($0.rawValue, $0.displayName) },
                                    selected: value("average"), problems: problems)
                : .empty
            return """
                <fieldset class="fieldset">
                  <legend class="fieldset__legend">Indicator \(indicator.number)</legend>
                  \(Components.textInput("\(prefix)-name", label: "Name", value: value("name"), problems: problems))
                  \(Components.textarea("\(prefix)-definition", label: "Definition shown with the figure", value: value("definition"), problems: problems, rows: 3))
                  \(Components.textInput("\(prefix)-target", label: indicator.measure == .rate ? "Target (%)" : "Target (days)", value: value("target"),
                                         hint: "Default \(KPIFormat.number(indicator.defaultSettings.target))", problems: problems, width: "4"))
                  \(Components.select("\(prefix)-direction", label: "The figure should be", options: KPIDirection.allCases.map { ($0.rawValue, "\($0.displayName) the target") },
                                      selected: value("direction"), problems: problems))
                  \(Components.select("\(prefix)-period", label: "Reported", options: [("quarter", "Quarterly"), ("year", "Yearly (1 April to 31 March)")],
                                      selected: value("period"), problems: problems))
                  \(average)
                </fieldset>
                """
        }
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">Statistics</span>
            <h1>Performance indicator settings</h1>
            <p>The national MAPPA indicators are not published in a form that can be checked (domain.md §6), so each is a setting:
            its name, the definition readers see, its target and whether it is reported by quarter or by reporting year. Review
            intervals, the custody referral lead time and the minutes deadline are the unit's timescales.</p>
            \(Components.form(action: settingsPath, csrf: session.csrfToken, "\(sections)\(Components.button("Save indicators"))"))
            <p><a href="\(path)">Performance indicators</a></p>
            """
        return .html(Layout.page(title: "Performance indicator settings", session: session, currentPath: path, hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
