import CXLSXWriter
import Domain
import Foundation

/// One cell of a spreadsheet export.
public enum SpreadsheetCell: Sendable, Equatable {
    /// Stored as a string, never as a formula, neutralised like the CSV exports (`CaseRegisterCSV.neutralised`).
    case text(String)
    /// Stored as a number. NaN and infinities have no XLSX form and are left blank.
    case number(Double)
    case empty

    /// A whole number, stored as a number. Spreadsheets hold every number as a double, so beyond 2^53 it is
    /// rounded. (A factory rather than a case, so existing exhaustive `switch`es keep compiling.)
    public static func integer(_ value: Int) -> SpreadsheetCell { .number(Double(value)) }
}

/// One sheet: optional title lines, a bold, frozen header row, then the rows.
public struct SpreadsheetSheet: Sendable, Equatable {
    /// Made a valid, unique Excel sheet name when written (see `XLSXWorkbook.sheetName`).
    public var name: String
    public var columns: [String]
    public var rows: [[SpreadsheetCell]]
    /// Lines above the header row, the first in bold (an export's marking and title); they take no part in the
    /// column widths. Empty: the header is the first row.
    public var titleRows: [String]
    /// An Excel number format (`format_set_num_format`, e.g. `#,##0` or `0.0%`) per cell, row by row in step
    /// with `rows`; nil, or a row or cell left out, keeps the default "General".
    public var numberFormats: [[String?]]
    /// Printed in the centre of every page's header and footer (the protective marking); nil prints nothing.
    public var printMarking: String?

    public init(name: String, columns: [String], rows: [[SpreadsheetCell]], titleRows: [String] = [],
                numberFormats: [[String?]] = [], printMarking: String? = nil) {
        self.name = name
        self.columns = columns
        self.rows = rows
        self.titleRows = titleRows
        self.numberFormats = numberFormats
        self.printMarking = printMarking
    }
}

/// A failed XLSX write; the description never repeats cell contents.
public struct XLSXError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `xlsx.temporary_file`, `xlsx.create_failed`, `xlsx.too_large`, `xlsx.text_too_long`, `xlsx.write_failed`
    /// or `xlsx.read_failed`.
    public var code: String
    public var description: String
}

/// XLSX files through libxlsxwriter 1.1.4 (https://libxlsxwriter.github.io/). Text goes through
/// `worksheet_write_string`, never as a formula, and text that a spreadsheet would run as a formula is
/// neutralised exactly as the CSV exports do (`CaseRegisterCSV.neutralised`).
public enum XLSXWorkbook {
    /// Excel's limits (https://support.microsoft.com/office/excel-specifications-and-limits-1672b34d-7043-467e-8e27-269d656771c3):
    /// rows and columns per sheet (`LXW_ROW_MAX`, `LXW_COL_MAX` in worksheet.h), characters in a cell, and in a
    /// sheet name (`LXW_SHEETNAME_MAX`).
    static let maxRows = 1_048_576, maxColumns = 16_384, maxCellCharacters = 32_767, maxSheetName = 31

    /// The workbook's bytes; no sheets gives one empty sheet, as a workbook needs one.
    public static func data(sheets: [SpreadsheetSheet]) throws(XLSXError) -> [UInt8] {
        try data(sheets: sheets, temporaryDirectory: FileManager.default.temporaryDirectory.path)
    }

    /// libxlsxwriter 1.1.4 writes only to a named file (`lxw_workbook_options` has no output buffer), so this
    /// writes into a fresh `mkdtemp` directory (mode 0700) under `temporaryDirectory`: the workbook to a `mkstemp`
    /// file (mode 0600) and libxlsxwriter's own temporary files (its `tmpdir` option). It reads the workbook back
    /// and removes the directory, whatever happens.
    static func data(sheets: [SpreadsheetSheet], temporaryDirectory: String) throws(XLSXError) -> [UInt8] {
        for sheet in sheets {
            guard sheet.rows.count < maxRows, sheet.columns.count <= maxColumns,
                  sheet.rows.allSatisfy({ $0.count <= maxColumns }) else {
                throw XLSXError(code: "xlsx.too_large",
                                description: "A sheet has more than a spreadsheet's \(maxRows) rows or \(maxColumns) columns")
            }
        }
        var template = Array((temporaryDirectory + "/mappa-xlsx-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw XLSXError(code: "xlsx.temporary_file", description: "The spreadsheet could not be prepared")
        }
        let directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var fileTemplate = Array((directory + "/export-XXXXXX").utf8CString)
        let descriptor = fileTemplate.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw XLSXError(code: "xlsx.temporary_file", description: "The spreadsheet could not be prepared")
        }
        close(descriptor)
        let path = fileTemplate.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }

        let workbook = try Workbook(path: path, temporaryDirectory: directory)
        let bold = workbook_add_format(workbook.handle)
        if let bold { format_set_bold(bold) }
        // The header row of a titled sheet wraps, so a heading in words does not make its column too wide.
        let heading = workbook_add_format(workbook.handle)
        if let heading { format_set_bold(heading); format_set_text_wrap(heading); format_set_align(heading, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue)) }
        var numberFormats: [String: UnsafeMutablePointer<lxw_format>] = [:]
        func numberFormat(_ code: String) -> UnsafeMutablePointer<lxw_format>? {
            if let made = numberFormats[code] { return made }
            guard let made = workbook_add_format(workbook.handle) else { return nil }
            code.withCString { format_set_num_format(made, $0) }
            numberFormats[code] = made
            return made
        }
        var used: Set<String> = ["history"]  // reserved by Excel (workbook.h, workbook_add_worksheet)
        for sheet in sheets.isEmpty ? [SpreadsheetSheet(name: "Sheet1", columns: [], rows: [])] : sheets {
            let name = sheetName(sheet.name, used: &used)
            guard let worksheet = name.withCString({ workbook_add_worksheet(workbook.handle, $0) }) else {
                throw XLSXError(code: "xlsx.write_failed", description: "The spreadsheet could not add a sheet")
            }
            let titled = !sheet.titleRows.isEmpty
            for (index, line) in sheet.titleRows.enumerated() {
                try writeText(line, worksheet, row: index, column: 0, format: index == 0 ? bold : nil)
            }
            let headerRow = sheet.titleRows.count
            // A wrapped heading counts for at most 24 characters of its column's width.
            var widths = sheet.columns.map { titled ? min(displayWidth($0), 24) : displayWidth($0) }
            for (column, title) in sheet.columns.enumerated() {
                try writeText(title, worksheet, row: headerRow, column: column, format: titled ? heading : bold)
            }
            for (index, row) in sheet.rows.enumerated() {
                if widths.count < row.count { widths += Array(repeating: 0, count: row.count - widths.count) }
                let formats = index < sheet.numberFormats.count ? sheet.numberFormats[index] : []
                for (column, cell) in row.enumerated() {
                    switch cell {
                    case .text(let text):
                        try writeText(text, worksheet, row: headerRow + index + 1, column: column, format: nil)
                        widths[column] = max(widths[column], displayWidth(text))
                    case .number(let value) where value.isFinite:
                        let code = column < formats.count ? formats[column] : nil
                        try check(worksheet_write_number(worksheet, lxw_row_t(headerRow + index + 1), lxw_col_t(column), value,
                                                         code.flatMap(numberFormat)))
                        widths[column] = max(widths[column], value.description.count + (code == nil ? 0 : 2))
                    case .number, .empty:
                        break
                    }
                }
            }
            // Widths in characters of the default font (worksheet_set_column), from the longest line, 8 to 60.
            for (column, width) in widths.enumerated() {
                try check(worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column),
                                               Double(min(max(width + 2, 8), 60)), nil))
            }
            if !sheet.columns.isEmpty {
                worksheet_freeze_panes(worksheet, lxw_row_t(headerRow + 1), 0)
                if titled { try check(worksheet_repeat_rows(worksheet, 0, lxw_row_t(headerRow))) }
            }
            if let marking = sheet.printMarking {
                // Header and footer codes (worksheet_set_header): &C centres, &P and &N number the pages; a literal
                // & is written &&.
                let text = marking.replacingOccurrences(of: "&", with: "&&")
                try check(("&C" + text).withCString { worksheet_set_header(worksheet, $0) })
                try check(("&C" + text + "&RPage &P of &N").withCString { worksheet_set_footer(worksheet, $0) })
            }
        }
        try workbook.close()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XLSXError(code: "xlsx.read_failed", description: "The spreadsheet was written but could not be read back")
        }
        return Array(data)
    }

    /// A text cell through `worksheet_write_string`: neutralised like the CSV, then made safe for the file's XML.
    static func writeText(_ text: String, _ worksheet: UnsafeMutablePointer<lxw_worksheet>, row: Int, column: Int,
                          format: UnsafeMutablePointer<lxw_format>?) throws(XLSXError) {
        let cell = stored(CaseRegisterCSV.neutralised(text))
        guard cell.utf16.count <= maxCellCharacters else {
            throw XLSXError(code: "xlsx.text_too_long",
                            description: "A text cell is longer than the \(maxCellCharacters) characters a spreadsheet cell holds")
        }
        try check(cell.withCString { worksheet_write_string(worksheet, lxw_row_t(row), lxw_col_t(column), $0, format) })
    }

    /// What libxlsxwriter 1.1.4 leaves for us: it writes control characters as `_xHHHH_` but passes a literal
    /// `_xHHHH_` through, which Excel would then decode (ECMA-376 Part 1, 22.9.2.19 ST_Xstring), so its `_` is
    /// escaped as `_x005F_`; U+FFFE and U+FFFF are not XML characters and NUL would end the C string, so those
    /// become U+FFFD.
    static func stored(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "_" || $0 == "\0" || $0.value >= 0xFFFE }) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\0", "\u{FFFE}", "\u{FFFF}": out.append("\u{FFFD}")
            case "_" where index + 6 < scalars.count && scalars[index + 1] == "x" && scalars[index + 6] == "_"
                && scalars[(index + 2)...(index + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }):
                out.append(contentsOf: "_x005F_".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Characters on the longest line, for the column width.
    static func displayWidth(_ text: String) -> Int {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(\.count).max() ?? 0
    }

    /// A name Excel and libxlsxwriter accept (workbook.h, workbook_add_worksheet): at most 31 characters (counted
    /// in UTF-16 as Excel does, so also at most 31 code points as libxlsxwriter counts), none of `[]:*?/\` or
    /// control characters, not starting or ending with an apostrophe, not empty, and unique ignoring case
    /// (Unicode case: libxlsxwriter compares only ASCII case) with " (2)", " (3)", ... added to repeats.
    static func sheetName(_ wanted: String, used: inout Set<String>) -> String {
        let cleaned = String(String.UnicodeScalarView(wanted.unicodeScalars.map { scalar in
            "[]:*?/\\".unicodeScalars.contains(scalar) || scalar.properties.generalCategory == .control
                || scalar.value >= 0xFFFE && scalar.value <= 0xFFFF ? "_" : scalar
        }))
        let apostrophe = CharacterSet(charactersIn: "'")
        var base = truncated(cleaned.trimmingCharacters(in: apostrophe), to: maxSheetName).trimmingCharacters(in: apostrophe)
        if base.isEmpty { base = "Sheet" }
        var name = base
        var number = 2
        while used.contains(name.lowercased()) {
            let suffix = " (\(number))"
            name = truncated(base, to: maxSheetName - suffix.utf16.count) + suffix
            number += 1
        }
        used.insert(name.lowercased())
        return name
    }

    /// The leading whole characters of `text` that fit in `limit` UTF-16 code units.
    static func truncated(_ text: String, to limit: Int) -> String {
        var length = 0
        var end = text.startIndex
        for index in text.indices {
            length += text[index].utf16.count
            if length > limit { break }
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// Maps an `lxw_error` to an `XLSXError`; `lxw_strerror` gives the library's fixed message, never cell data.
    static func check(_ error: lxw_error) throws(XLSXError) {
        guard error != LXW_NO_ERROR else { return }
        let reason = String(cString: lxw_strerror(error))
        if error == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED {
            throw XLSXError(code: "xlsx.text_too_long", description: "The spreadsheet could not be written: \(reason)")
        }
        if error == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE {
            throw XLSXError(code: "xlsx.too_large", description: "The spreadsheet could not be written: \(reason)")
        }
        throw XLSXError(code: "xlsx.write_failed",
                        description: "The spreadsheet could not be written (libxlsxwriter error \(error.rawValue): \(reason))")
    }

    /// Owns the lxw_workbook (https://libxlsxwriter.github.io/workbook_8h.html): `workbook_close` writes the file
    /// and frees the workbook whatever it returns; a workbook never closed is freed by `lxw_workbook_free` in
    /// deinit, writing nothing. Also owns the `tmpdir` string passed to `workbook_new_opt`.
    private final class Workbook {
        let handle: UnsafeMutablePointer<lxw_workbook>
        private let temporaryDirectory: UnsafeMutablePointer<CChar>
        private var closed = false

        init(path: String, temporaryDirectory: String) throws(XLSXError) {
            guard let directory = strdup(temporaryDirectory) else {
                throw XLSXError(code: "xlsx.create_failed", description: "The spreadsheet could not be created")
            }
            var options = lxw_workbook_options(constant_memory: 0, tmpdir: directory, use_zip64: 0)
            guard let handle = path.withCString({ workbook_new_opt($0, &options) }) else {
                free(directory)
                throw XLSXError(code: "xlsx.create_failed", description: "The spreadsheet could not be created")
            }
            self.handle = handle
            self.temporaryDirectory = directory
        }

        func close() throws(XLSXError) {
            closed = true
            try XLSXWorkbook.check(workbook_close(handle))
        }

        deinit {
            if !closed { lxw_workbook_free(handle) }
            free(temporaryDirectory)
        }
    }
}
