import CXLSXWriter
import Domain
import Foundation

/// One cell of a spreadsheet export.
public enum SpreadsheetCell: Sendable, Equatable {
    case text(String)
    case number(Double)
    case empty
}

/// One sheet: a bold, frozen header row, then the rows.
public struct SpreadsheetSheet: Sendable, Equatable {
    public var name: String
    public var columns: [String]
    public var rows: [[SpreadsheetCell]]
    public init(name: String, columns: [String], rows: [[SpreadsheetCell]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }
}

/// A failed XLSX write; the description never repeats cell contents.
public struct XLSXError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var description: String
}

/// XLSX files through libxlsxwriter (https://libxlsxwriter.github.io/). Text goes through
/// `worksheet_write_string`, never as a formula, and text that a spreadsheet would run as a formula is
/// neutralised exactly as the CSV exports do (`CaseRegisterCSV.neutralised`).
public enum XLSXWorkbook {
    /// The workbook's bytes. libxlsxwriter 1.1.4 writes only to a file, so it writes to a private temporary
    /// file (mode 0600 in a fresh directory), reads it back and removes it, whatever happens.
    public static func data(sheets: [SpreadsheetSheet]) throws(XLSXError) -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-xlsx-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw XLSXError(code: "xlsx.temporary_file", description: "The spreadsheet could not be prepared")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("export.xlsx").path
        let workbook = try Workbook(path: path)
        let bold = workbook_add_format(workbook.handle)
        if let bold { format_set_bold(bold) }
        var used: Set<String> = []
        for sheet in sheets.isEmpty ? [SpreadsheetSheet(name: "Empty", columns: [], rows: [])] : sheets {
            let name = sheetName(sheet.name, used: &used)
            guard let worksheet = name.withCString({ workbook_add_worksheet(workbook.handle, $0) }) else {
                throw XLSXError(code: "xlsx.write_failed", description: "The spreadsheet could not add a sheet")
            }
            var widths = sheet.columns.map { Double($0.count) }
            for (column, title) in sheet.columns.enumerated() {
                try check(worksheet_write_string(worksheet, 0, lxw_col_t(column), CaseRegisterCSV.neutralised(title), bold))
            }
            for (index, row) in sheet.rows.enumerated() {
                let rowNumber = lxw_row_t(index + 1)
                for (column, cell) in row.enumerated() {
                    while widths.count <= column { widths.append(0) }
                    switch cell {
                    case .text(let text):
                        try check(worksheet_write_string(worksheet, rowNumber, lxw_col_t(column), CaseRegisterCSV.neutralised(text), nil))
                        widths[column] = max(widths[column], Double(text.count))
                    case .number(let value):
                        try check(worksheet_write_number(worksheet, rowNumber, lxw_col_t(column), value, nil))
                        widths[column] = max(widths[column], Double(String(value).count))
                    case .empty:
                        break
                    }
                }
            }
            for (column, width) in widths.enumerated() {
                try check(worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), min(max(width + 2, 8), 60), nil))
            }
            if !sheet.columns.isEmpty { worksheet_freeze_panes(worksheet, 1, 0) }
        }
        try workbook.close()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XLSXError(code: "xlsx.read_failed", description: "The spreadsheet was written but could not be read back")
        }
        return Array(data)
    }

    /// Excel allows 31 characters and none of `[]:*?/\`; names must differ (ignoring case).
    static func sheetName(_ wanted: String, used: inout Set<String>) -> String {
        var base = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        if base.isEmpty { base = "Sheet" }
        var name = base
        var number = 2
        while used.contains(name.lowercased()) {
            let suffix = " (\(number))"
            name = String(base.prefix(31 - suffix.count)) + suffix
            number += 1
        }
        used.insert(name.lowercased())
        return name
    }

    static func check(_ error: lxw_error) throws(XLSXError) {
        guard error == LXW_NO_ERROR else {
            throw XLSXError(code: "xlsx.write_failed", description: "The spreadsheet could not be written (libxlsxwriter error \(error.rawValue))")
        }
    }

    /// Owns the lxw_workbook: `workbook_close` writes and frees it; if it is never closed, deinit frees it.
    private final class Workbook {
        let handle: UnsafeMutablePointer<lxw_workbook>
        private var closed = false

        init(path: String) throws(XLSXError) {
            guard let handle = path.withCString({ workbook_new($0) }) else {
                throw XLSXError(code: "xlsx.create_failed", description: "The spreadsheet could not be created")
            }
            self.handle = handle
        }

        func close() throws(XLSXError) {
            closed = true
            try XLSXWorkbook.check(workbook_close(handle))
        }

        deinit { if !closed { lxw_workbook_free(handle) } }
    }
}
