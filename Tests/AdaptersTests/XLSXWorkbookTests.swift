@testable import Adapters
import Domain
import Foundation
import Testing

/// XLSX files read back with Python's standard zipfile and XML parser, the way a spreadsheet program reads them.
@Suite("XLSX workbooks")
struct XLSXWorkbookTests {
    /// One sheet as read back. Cells are "s:text" (a shared string, `_xHHHH_` escapes decoded as Excel does),
    /// "n:value" (a number), "f:formula" (a formula: must never appear) or "<type>:value" for any other kind.
    struct Sheet: Decodable, Equatable {
        var name: String
        var rows: [[String]]
        var bold: [String]          // cell references whose font is bold
        var widths: [Double]        // <col> widths, in column order
        var frozenRows: Int         // rows frozen at the top
        var formats: [String: String]  // cell reference → number format code, for cells not in "General"
        var header: String          // the printed page header (headerFooter/oddHeader), "" when none
        var footer: String
    }

    static func read(_ bytes: [UInt8]) throws -> [Sheet] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-test-\(UUID().uuidString).xlsx").path
        try #require(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = #"""
        import json, re, sys, zipfile
        import xml.etree.ElementTree as ET
        M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
        z = zipfile.ZipFile(sys.argv[1])
        assert z.testzip() is None
        unescape = lambda s: re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(M + "si"):
                strings.append(unescape("".join(t.text or "" for t in si.iter(M + "t"))))
        styles = ET.fromstring(z.read("xl/styles.xml"))
        fonts = styles.find(M + "fonts").findall(M + "font")
        xfs = styles.find(M + "cellXfs").findall(M + "xf")
        bold_style = lambda s: fonts[int(xfs[int(s)].get("fontId", "0"))].find(M + "b") is not None
        codes = {3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}
        if styles.find(M + "numFmts") is not None:
            for f in styles.find(M + "numFmts"): codes[int(f.get("numFmtId"))] = f.get("formatCode")
        number_format = lambda s: codes.get(int(xfs[int(s)].get("numFmtId", "0")))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = []
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).find(M + "sheets"):
            root = ET.fromstring(z.read("xl/" + rels[sheet.get(R + "id")]))
            rows, bold, formats = [], [], {}
            for row in root.iter(M + "row"):
                cells = []
                for c in row.findall(M + "c"):
                    column = re.match(r"[A-Z]+", c.get("r")).group(0)
                    index = 0
                    for ch in column: index = index * 26 + ord(ch) - 64
                    while len(cells) < index - 1: cells.append("")
                    v, f, t = c.find(M + "v"), c.find(M + "f"), c.get("t", "n")
                    text = "" if v is None else v.text
                    if f is not None: cells.append("f:" + (f.text or ""))
                    elif t == "s": cells.append("s:" + strings[int(text)])
                    else: cells.append(t + ":" + text)
                    if c.get("s") and bold_style(c.get("s")): bold.append(c.get("r"))
                    if c.get("s") and number_format(c.get("s")): formats[c.get("r")] = number_format(c.get("s"))
                rows.append(cells)
            cols = root.find(M + "cols")
            widths = [float(col.get("width")) for col in cols] if cols is not None else []
            pane = root.find(".//" + M + "pane")
            frozen = int(float(pane.get("ySplit", "0"))) if pane is not None and pane.get("state") == "frozen" else 0
            hf = root.find(M + "headerFooter")
            text = lambda tag: (hf.find(M + tag).text or "") if hf is not None and hf.find(M + tag) is not None else ""
            out.append({"name": sheet.get("name"), "rows": rows, "bold": bold, "widths": widths, "frozenRows": frozen,
                        "formats": formats, "header": text("oddHeader"), "footer": text("oddFooter")})
        print(json.dumps(out))
        """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the file opens as an XLSX package with well-formed XML")
        return try JSONDecoder().decode([Sheet].self, from: output)
    }

    @Test("a ZIP package; sheets in order; bold frozen header; text as text and numbers as numbers")
    func cells() throws {
        let bytes = try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "events", columns: ["row", "count", "share"], rows: [
                [.text("shpo"), .integer(12), .number(0.64)],
                [.text("12"), .number(-3.5), .empty],
                [.empty, .integer(-7)],
            ]),
            SpreadsheetSheet(name: "second", columns: ["a"], rows: []),
        ])
        #expect(Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04], "a ZIP file")
        let sheets = try Self.read(bytes)
        #expect(sheets.map(\.name) == ["events", "second"])
        let events = try #require(sheets.first)
        #expect(events.rows == [
            ["s:row", "s:count", "s:share"],
            ["s:shpo", "n:12", "n:0.64"],
            ["s:12", "n:-3.5"],
            ["", "n:-7"],
        ], "the text \"12\" stays text; figures are numbers")
        #expect(events.bold == ["A1", "B1", "C1"], "the header, and only the header, is bold")
        #expect(events.frozenRows == 1)
        #expect(sheets[1].rows == [["s:a"]], "a sheet with no rows still has its header")
        #expect(sheets[1].bold == ["A1"])
    }

    @Test("text a spreadsheet would run as a formula is stored as neutralised text, exactly as the CSV does",
          arguments: ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
    func formulas(text: String) throws {
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "s", columns: [text], rows: [[.text(text)]]),
        ]))
        #expect(sheets[0].rows == [["s:'" + text], ["s:'" + text]], "an apostrophe first, a string, never a formula")
        #expect("'" + text == CaseRegisterCSV.neutralised(text), "the same neutraliser as the CSV exports")
    }

    @Test("Unicode, control characters, literal _xHHHH_ and characters XML cannot hold come back as text")
    func unicode() throws {
        let texts = ["Zoë Siân", "日本語のテキスト", "👩‍👩‍👧 family", "שלום", "line one\nline two", "bell\u{7} tab\tend",
                     "_x0041_ stays literal", "a_b_x_c"]
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "Zoë", columns: ["text"], rows: texts.map { [.text($0)] } + [[.text("nul\0 and \u{FFFF}")]]),
        ]))
        #expect(sheets[0].name == "Zoë")
        #expect(sheets[0].rows.dropFirst().map { $0 } == texts.map { ["s:" + $0] } + [["s:nul\u{FFFD} and \u{FFFD}"]])
    }

    @Test("numbers with no XLSX form are left blank rather than corrupting the file")
    func nonFinite() throws {
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "n", columns: ["a", "b", "c", "d"],
                             rows: [[.number(.nan), .number(.infinity), .number(-.infinity), .number(1e300)]]),
        ]))
        #expect(sheets[0].rows == [["s:a", "s:b", "s:c", "s:d"], ["", "", "", "n:1E+300"]])
    }

    @Test("no sheets gives one empty sheet; a sheet with no columns or rows is empty")
    func empty() throws {
        #expect(try Self.read(try XLSXWorkbook.data(sheets: [])) ==
                [Sheet(name: "Sheet1", rows: [], bold: [], widths: [], frozenRows: 0, formats: [:], header: "", footer: "")])
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: [SpreadsheetSheet(name: "nothing", columns: [], rows: [])]))
        #expect(sheets.map(\.name) == ["nothing"])
        #expect(sheets[0].rows.isEmpty)
    }

    @Test("sheet names Excel would refuse are made safe and unique")
    func names() throws {
        let combining = String(repeating: "e\u{301}", count: 20)  // 20 characters, 40 code points
        let wanted = ["a/b:c[d]*e?f\\g", String(repeating: "x", count: 40), String(repeating: "X", count: 40), "", "'quoted'",
                      "History", "Été", "ÉTÉ", combining, "tab\there", String(repeating: "🙂", count: 20)]
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: wanted.map { SpreadsheetSheet(name: $0, columns: [], rows: []) }))
        #expect(sheets.map(\.name) == [
            "a_b_c_d__e_f_g", String(repeating: "x", count: 31), String(repeating: "X", count: 27) + " (2)", "Sheet", "quoted",
            "History (2)", "Été", "ÉTÉ (2)", String(repeating: "e\u{301}", count: 15), "tab_here",
            String(repeating: "🙂", count: 15),
        ])
        for name in sheets.map(\.name) {
            #expect(name.unicodeScalars.count <= 31 && name.utf16.count <= 31)
            #expect(!name.contains(where: { "[]:*?/\\".contains($0) }))
        }
    }

    @Test("column widths follow the longest line, within 8 to 60 characters")
    func widths() throws {
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "w", columns: ["id", "a description heading", "notes"],
                             rows: [[.integer(1), .text("short"), .text(String(repeating: "long ", count: 40))],
                                    [.integer(2), .text("two\nlines"), .text("x")]]),
        ]))
        let widths = sheets[0].widths
        #expect(widths.count == 3)
        guard widths.count == 3 else { return }
        #expect(widths[0] < 9, "a short column keeps about the minimum width")
        #expect(widths[1] > 22 && widths[1] < 25, "as wide as its 21-character heading, plus a margin")
        #expect(widths[2] > 59 && widths[2] < 62, "a long text is capped")
    }

    @Test("too much for a spreadsheet fails with a code, names no cell contents, and leaves no file behind")
    func limits() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-limits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = "Confidential " + String(repeating: "z", count: 32_767)
        let tooLong = #expect(throws: XLSXError.self) {
            try XLSXWorkbook.data(sheets: [SpreadsheetSheet(name: "s", columns: ["a"], rows: [[.text(secret)]])],
                                  temporaryDirectory: directory)
        }
        #expect(tooLong?.code == "xlsx.text_too_long")
        #expect(tooLong.map { !$0.description.contains("Confidential") } == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "the temporary file is deleted after a failure")

        let fits = try XLSXWorkbook.data(sheets: [SpreadsheetSheet(name: "s", columns: ["a"], rows: [[.text(String(repeating: "z", count: 32_767))]])],
                                         temporaryDirectory: directory)
        #expect(try Self.read(fits)[0].rows[1] == ["s:" + String(repeating: "z", count: 32_767)])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "the temporary file is deleted after success")

        let tooManyRows = #expect(throws: XLSXError.self) {
            try XLSXWorkbook.data(sheets: [SpreadsheetSheet(name: "s", columns: ["a"], rows: Array(repeating: [], count: 1_048_576))])
        }
        #expect(tooManyRows?.code == "xlsx.too_large")
        let tooManyColumns = #expect(throws: XLSXError.self) {
            try XLSXWorkbook.data(sheets: [SpreadsheetSheet(name: "s", columns: [], rows: [Array(repeating: .empty, count: 16_385)])])
        }
        #expect(tooManyColumns?.code == "xlsx.too_large")
    }
}
