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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Arguments.UsageError(description: "cannot read \(path)")
        }
        let (database, _) = try openMigratedDatabase(arguments)
        let statistics = StatisticsService(database: database)
        let started = Date()
        let progress: (String) -> (Int) -> Void = { stage in
            { count in FileHandle.standardError.write(Data("\r\(stage): \(count) rows".utf8)) }
        }
        let known = try statistics.nominalRefs()
        switch EventsCSV.parse(Array(data), knownNominalRefs: { known.contains($0) }, today: statistics.today,
                               progress: progress("checked")) {
        case .failure(let failure):
            FileHandle.standardError.write(Data("\n".utf8))
            print("\(path): \(failure.errors.count) problem\(failure.errors.count == 1 ? "" : "s") in \(failure.rowsRead) rows; nothing was imported")
            for error in failure.errors.prefix(1000) { print("  \(error)") }
            if failure.errors.count > 1000 { print("  … and \(failure.errors.count - 1000) more") }
            return 1
        case .success(let events):
            FileHandle.standardError.write(Data("\n".utf8))
            if arguments.has("dry-run") {
                print("\(path): all \(events.count) rows are valid (dry run: nothing imported)")
                return 0
            }
            let summary = try statistics.importEvents(events, by: .commandLine, progress: progress("imported"))
            FileHandle.standardError.write(Data("\n".utf8))
            print("imported \(events.count) rows in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: "
                + "\(summary.added) events added, \(summary.alreadyRecorded) already on record")
            return 0
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
