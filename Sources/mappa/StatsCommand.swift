import Adapters
import Database
import Domain
import Foundation
import Store

/// `mappa import events` and `mappa stats`: the events the annual report counts, and the report itself
/// (DESIGN.md, "Events import" and "Annual report").
enum StatsCommand {
    static let importHelp = """
        Usage: mappa import events FILE.csv [--dry-run] [--database LOCATION]

        Columns: nominal_ref,event_type,event_date,level_at_event,detail
        event_type is one of: \(MappaEventType.allCases.map(\.rawValue).joined(separator: ", "))
        Every row is checked first; if any row is wrong nothing is imported and every problem is listed with its
        line number. A row identical to an event already on record is skipped, so importing a file twice counts
        nothing twice. --dry-run only checks.
        """

    static let help = """
        Usage: mappa stats annual [--year-ending YYYY-03-31] [--area CODE] [--format csv|json|xlsx] [--to FILE] [--database LOCATION]
               mappa stats population NUMBER [--database LOCATION]
               mappa stats areas [--database LOCATION]
               mappa stats area-add CODE NAME [--population NUMBER] [--database LOCATION]
               mappa stats area-population CODE NUMBER [--database LOCATION]
               mappa stats areas-compared [--year-ending YYYY-03-31] [--to FILE] [--database LOCATION]

        annual           the MAPPA annual report tables for the reporting year 1 April - 31 March ending on
                         --year-ending (default: the last year that has ended). CSV columns: table,row,column,value.
                         XLSX has one sheet per table. Written to standard output unless --to names a file.
                         --area narrows it to one MAPPA area's cases; an event counts for the area when its
                         nominal had a case there open on the event's date.
        population       sets the population of the whole database's area (or region), used for registered
                         sexual offenders per 100,000. Unset, all areas use the sum of the areas' populations
                         when every active area has one.
        areas            lists the MAPPA areas: code, name, population, active, cases (active/all).
        area-add         adds a MAPPA area. CODE: lowercase letters, numbers, - and _ (for example north_wales);
                         the case register's optional mappa_area column names areas by it.
        area-population  sets one area's population (whole number, commas allowed).
        areas-compared   each area's headline figures for the year side by side, as CSV.
        """

    static func runImportEvents(_ words: [String]) throws -> Int32 {
        let command = try FileImport.command(words, noun: "events", help: importHelp)
        guard case .run(let arguments, let path, let data) = command else { return command.exitStatus }
        let (stores, _) = try openStores(arguments)
        let started = Date()
        let known = try stores.events.nominalRefs(for: .system(.commandLine))
        let checked = EventsCSV.parse(data, knownNominalRefs: { known.contains($0) }, today: stores.today,
                                      progress: FileImport.progress("checked"))
        return try FileImport.finish(path, checked, dryRun: arguments.has("dry-run"), started: started) { events in
            let summary = try stores.events.importEvents(events, by: .system(.commandLine), progress: FileImport.progress("imported"))
            return "\(summary.added) events added, \(summary.alreadyRecorded) already on record"
        }
    }

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        switch arguments.positional.first {
        case "annual" where !arguments.has("help") && arguments.positional.count == 1:
            return try annual(arguments)
        case "population" where !arguments.has("help") && arguments.positional.count == 2:
            try arguments.allowOnly(["database"])
            let (stores, _) = try openStores(arguments)
            let statistics = stores.statistics
            try statistics.setAreaPopulation(arguments.positional[1], by: .commandLine)
            print("area population set to \(try statistics.areaPopulation() ?? 0)")
            return 0
        case "areas" where !arguments.has("help") && arguments.positional.count == 1:
            try arguments.allowOnly(["database"])
            let (stores, _) = try openStores(arguments)
            let (summaries, unassigned) = try stores.areas.summaries()
            if summaries.isEmpty { print("no MAPPA areas: every case counts in the one area of this database") }
            for summary in summaries {
                let area = summary.area
                print([area.code, area.name, area.population.map(AreaPopulation.written) ?? "population not set",
                       area.active ? "active" : "inactive", "\(summary.activeCases)/\(summary.allCases) cases"].joined(separator: "\t"))
            }
            if !summaries.isEmpty { print(["(none)", "No area recorded", "", "", "\(unassigned.active)/\(unassigned.all) cases"].joined(separator: "\t")) }
            return 0
        case "area-add" where !arguments.has("help") && arguments.positional.count == 3:
            try arguments.allowOnly(["database", "population"])
            let (stores, _) = try openStores(arguments)
            let area = try stores.areas.add(code: arguments.positional[1], name: arguments.positional[2],
                                            population: arguments.value("population") ?? "", by: .commandLine)
            print("added MAPPA area \(area.code): \(area.name), population \(area.population.map(AreaPopulation.written) ?? "not set")")
            return 0
        case "area-population" where !arguments.has("help") && arguments.positional.count == 3:
            try arguments.allowOnly(["database"])
            let (stores, _) = try openStores(arguments)
            let areas = stores.areas
            try areas.setPopulation(code: arguments.positional[1], population: arguments.positional[2], by: .commandLine)
            let area = try areas.area(code: arguments.positional[1])
            print("population of \(area?.code ?? "") set to \(area?.population.map(AreaPopulation.written) ?? "")")
            return 0
        case "areas-compared" where !arguments.has("help") && arguments.positional.count == 1:
            try arguments.allowOnly(["database", "year-ending", "to"])
            let (stores, _) = try openStores(arguments)
                let year = try reportingYear(arguments, stores)
            let text = AreaComparison.csv(try stores.statistics.areaComparison(year: year))
            try stores.audit.record(actor: .commandLine, action: .export, subjectType: "annual_report_areas",
                                        subjectID: year.end.description, detail: "csv")
            try write(Array(text.utf8), to: arguments.value("to"), what: "areas compared \(year)")
            return 0
        default:
            print(help)
            return arguments.has("help") ? 0 : 2
        }
    }

    static func annual(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database", "year-ending", "format", "to", "area"])
        let formatText = arguments.value("format") ?? "csv"
        guard let format = AnnualReportFormat(rawValue: formatText) else {
            throw Arguments.UsageError(description: "--format must be \(AnnualReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(formatText.prefix(20))'")
        }
        let (stores, _) = try openStores(arguments)
        let statistics = stores.statistics
        let year = try reportingYear(arguments, stores)
        var scope = AreaScope.all
        if let code = arguments.value("area") {
            guard let area = try stores.areas.area(code: code) else {
                let known = try stores.areas.areas().map(\.code)
                throw Arguments.UsageError(description: "--area must be the code of a MAPPA area" + (known.isEmpty ? "; there are none (see 'mappa stats area-add')"
                                                                                                     : ": \(known.joined(separator: ", "))"))
            }
            scope = .area(area)
        }
        let started = Date()
        let report = try statistics.annualReport(year: year, area: scope)
        let bytes = try format.bytes(report, made: stores.today)
        try stores.audit.record(actor: .commandLine, action: .export, subjectType: "annual_report", subjectID: year.end.description,
                                    detail: format.rawValue + (report.area.map { ", area \($0.code)" } ?? ""))
        try write(bytes, to: arguments.value("to"), what: "annual report \(year)", started: started)
        return 0
    }

    /// --year-ending, else the last reporting year that has ended.
    static func reportingYear(_ arguments: Arguments, _ stores: Stores) throws -> ReportingYear {
        guard let text = arguments.value("year-ending") else { return ReportingYear.lastCompleted(before: stores.today) }
        guard let date = CalendarDate(text), let year = ReportingYear(yearEnding: date) else {
            throw Arguments.UsageError(description: "--year-ending must be a 31 March written YYYY-03-31")
        }
        return year
    }

    /// Standard output, or a file only its owner can read (the figures are OFFICIAL-SENSITIVE).
    static func write(_ bytes: [UInt8], to target: String?, what: String, started: Date = Date()) throws {
        guard let target else { FileHandle.standardOutput.write(Data(bytes)); return }
        guard FileManager.default.createFile(atPath: target, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw Arguments.UsageError(description: "cannot write \(target)")
        }
        FileHandle.standardError.write(Data("\(what) written to \(target) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s\n".utf8))
    }
}
