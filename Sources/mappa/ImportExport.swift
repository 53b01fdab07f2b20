import Database
import Domain
import Foundation
import Store

/// `mappa import cases` / `mappa export cases`: the case register file of DESIGN.md.
enum RegisterCommand {
    static let help = """
        Usage: mappa import cases FILE.csv [--dry-run] [--database LOCATION]
               mappa export cases [--to FILE.csv] [--include-restricted] [--database LOCATION]

        import  checks every row first; if any row is wrong nothing is imported and every problem is listed with
                its line number. A nominal_ref already on record is updated, never duplicated. --dry-run only checks.
                An optional last column mappa_area names the case's MAPPA area by its code (see 'mappa stats
                areas'); empty, or no such column, leaves the area as it is.
        export  writes the register in the same format (standard output without --to). Text that a spreadsheet
                would run as a formula is prefixed with '. Category 4 (restricted) cases are left out unless
                --include-restricted. A mappa_area column follows when any case has a MAPPA area.
        """

    static func runImport(_ words: [String]) throws -> Int32 {
        let command = try FileImport.command(words, noun: "cases", help: help)
        guard case .run(let arguments, let path, let data) = command else { return command.exitStatus }
        let (stores, _) = try openStores(arguments)
        let register = stores.register
        let started = Date()
        let checked = CaseRegisterCSV.parse(data, agencyCodes: try register.agencyCodes(), areaCodes: try register.areaCodes(), today: stores.today,
                                            progress: FileImport.progress("checked"))
        return try FileImport.finish(path, checked, dryRun: arguments.has("dry-run"), started: started) { rows in
            let summary = try register.importRegister(rows, by: .system(.commandLine), progress: FileImport.progress("imported"))
            var line = "\(summary.nominalsCreated) nominals created, \(summary.nominalsUpdated) updated; "
                + "\(summary.casesCreated) cases created, \(summary.casesUpdated) updated"
            if let note = try stores.caseAccess.whoSees(summary, importedBy: .system(.commandLine)) { line += ". " + note }
            return line
        }
    }

    static func runExport(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help", "include-restricted"])
        if arguments.has("help") || arguments.positional != ["cases"] { print(help); return arguments.has("help") ? 0 : 2 }
        try arguments.allowOnly(["database", "to", "include-restricted"])
        let (stores, _) = try openStores(arguments)
        let rows = try stores.register.exportRegister(asSystem: .commandLine, includeRestricted: arguments.has("include-restricted"))
        let text = CaseRegisterCSV.write(rows)
        try stores.audit.record(actor: .commandLine, action: .export, subjectType: "case_register", subjectID: "export",
                                  detail: "\(rows.count) rows\(arguments.has("include-restricted") ? " including restricted" : "")")
        if let target = arguments.value("to") {
            guard FileManager.default.createFile(atPath: target, contents: Data(text.utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw Arguments.UsageError(description: "cannot write \(target)")
            }
            FileHandle.standardError.write(Data("exported \(rows.count) rows to \(target)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        return 0
    }
}

/// What every `mappa import …` shares around its own checks: reading the file, progress on standard error, then
/// listing the problems and importing nothing, stopping after the check (--dry-run), or importing and saying so.
enum FileImport {
    /// `mappa import NOUN FILE [--dry-run] [--database …]` read: the arguments, the file's path and contents; or, after
    /// printing `help` (asked for, or the command used wrongly), the exit status.
    enum Command {
        case run(Arguments, path: String, data: [UInt8])
        case exit(Int32)

        var exitStatus: Int32 { if case .exit(let status) = self { status } else { 0 } }
    }

    static func command(_ words: [String], noun: String, help: String) throws -> Command {
        let arguments = try Arguments(words, flagNames: ["help", "dry-run"])
        if arguments.has("help") || arguments.positional.first != noun || arguments.positional.count != 2 {
            print(help)
            return .exit(arguments.has("help") ? 0 : 2)
        }
        try arguments.allowOnly(["database", "dry-run"])
        let path = arguments.positional[1]
        return .run(arguments, path: path, data: try read(path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Arguments.UsageError(description: "cannot read \(path)")
        }
        return Array(data)
    }

    static func progress(_ stage: String) -> (Int) -> Void {
        { count in FileHandle.standardError.write(Data("\r\(stage): \(count) rows".utf8)) }
    }

    /// `importRows` imports the checked rows and describes what it did.
    static func finish<Row>(_ path: String, _ checked: Result<[Row], CaseRegisterImportError>, dryRun: Bool, started: Date,
                            importRows: ([Row]) throws -> String) throws -> Int32 {
        FileHandle.standardError.write(Data("\n".utf8))
        switch checked {
        case .failure(let failure):
            print("\(path): \(failure.errors.count) problem\(failure.errors.count == 1 ? "" : "s") in \(failure.rowsRead) rows; nothing was imported")
            for error in failure.errors.prefix(1000) { print("  \(error)") }
            if failure.errors.count > 1000 { print("  … and \(failure.errors.count - 1000) more") }
            return 1
        case .success(let rows) where dryRun:
            print("\(path): all \(rows.count) rows are valid (dry run: nothing imported)")
            return 0
        case .success(let rows):
            let summary = try importRows(rows)
            FileHandle.standardError.write(Data("\n".utf8))
            print("imported \(rows.count) rows in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(summary)")
            return 0
        }
    }
}
