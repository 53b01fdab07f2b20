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
        Usage: mappa stats annual [--year-ending YYYY-03-31] [--format csv|json|xlsx] [--to FILE] [--database LOCATION]
               mappa stats population NUMBER [--database LOCATION]

        annual      the MAPPA annual report tables for the reporting year 1 April - 31 March ending on
                    --year-ending (default: the last year that has ended). CSV columns: table,row,column,value.
                    XLSX has one sheet per table. Written to standard output unless --to names a file.
        population  sets the area's population, used for registered sexual offenders per 100,000.
        """

    static func runImportEvents(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help", "dry-run"])
        if arguments.has("help") || arguments.positional.first != "events" || arguments.positional.count != 2 {
            print(importHelp)
            return arguments.has("help") ? 0 : 2
        }
        try arguments.allowOnly(["database", "dry-run"])
        let path = arguments.positional[1]
        let data = try FileImport.read(path)
        let (database, _) = try openMigratedDatabase(arguments)
        let statistics = StatisticsService(database: database)
        let started = Date()
        let known = try statistics.nominalRefs()
        let checked = EventsCSV.parse(data, knownNominalRefs: { known.contains($0) }, today: statistics.today,
                                      progress: FileImport.progress("checked"))
        return try FileImport.finish(path, checked, dryRun: arguments.has("dry-run"), started: started) { events in
            let summary = try statistics.importEvents(events, by: .commandLine, progress: FileImport.progress("imported"))
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
            let (database, _) = try openMigratedDatabase(arguments)
            let statistics = StatisticsService(database: database)
            try statistics.setAreaPopulation(arguments.positional[1], by: .commandLine)
            print("area population set to \(try statistics.areaPopulation() ?? 0)")
            return 0
        default:
            print(help)
            return arguments.has("help") ? 0 : 2
        }
    }

    static func annual(_ arguments: Arguments) throws -> Int32 {
        try arguments.allowOnly(["database", "year-ending", "format", "to"])
        let formatText = arguments.value("format") ?? "csv"
        guard let format = AnnualReportFormat(rawValue: formatText) else {
            throw Arguments.UsageError(description: "--format must be \(AnnualReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(formatText.prefix(20))'")
        }
        let (database, _) = try openMigratedDatabase(arguments)
        let statistics = StatisticsService(database: database)
        let year: ReportingYear
        if let text = arguments.value("year-ending") {
            guard let date = CalendarDate(text), let parsed = ReportingYear(yearEnding: date) else {
                throw Arguments.UsageError(description: "--year-ending must be a 31 March written YYYY-03-31")
            }
            year = parsed
        } else {
            year = ReportingYear.lastCompleted(before: statistics.today)
        }
        let started = Date()
        let report = try statistics.annualReport(year: year)
        let bytes = try format.bytes(report)
        try statistics.audit.record(actor: .commandLine, action: .export, subjectType: "annual_report", subjectID: year.end.description,
                                    detail: format.rawValue)
        if let target = arguments.value("to") {
            guard FileManager.default.createFile(atPath: target, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw Arguments.UsageError(description: "cannot write \(target)")
            }
            FileHandle.standardError.write(Data("annual report \(year) written to \(target) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
        return 0
    }
}
