import Adapters
import Foundation
import Testing

/// XLSX files read back with Python's standard zipfile and XML parser, the way any spreadsheet program reads them.
@Suite("XLSX workbooks")
struct XLSXWorkbookTests {
    /// Every sheet's name and cells as [sheet: [[cell text]]] (numbers as written, shared strings resolved).
    static func read(_ bytes: [UInt8]) throws -> [String: [[String]]] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-test-\(UUID().uuidString).xlsx").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = #"""
        import json, re, sys, zipfile
        import xml.etree.ElementTree as ET
        ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
              "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
        z = zipfile.ZipFile(sys.argv[1])
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                strings.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = {}
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", ns):
            target = rels[sheet.get("{%s}id" % ns["r"])]
            rows = []
            for row in ET.fromstring(z.read("xl/" + target)).iter("{%s}row" % ns["m"]):
                cells = []
                for c in row.findall("m:c", ns):
                    column = re.match(r"[A-Z]+", c.get("r")).group(0)
                    index = 0
                    for ch in column: index = index * 26 + ord(ch) - 64
                    while len(cells) < index - 1: cells.append("")
                    v = c.find("m:v", ns)
                    text = "" if v is None else v.text
                    cells.append(("s:" + strings[int(text)]) if c.get("t") == "s" else ("n:" + text))
                rows.append(cells)
            out[sheet.get("name")] = rows
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
        #expect(process.terminationStatus == 0, "the file opens as an XLSX package")
        return try JSONDecoder().decode([String: [[String]]].self, from: output)
    }

    @Test("sheets, bold header, text and numbers as such; formula-leading text is neutralised; Unicode kept")
    func cells() throws {
        let bytes = try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "events", columns: ["row", "count"], rows: [
                [.text("shpo"), .number(12)], [.text("=HYPERLINK(\"http://x\")"), .number(0.64)], [.text("Zoë Siân"), .empty],
            ]),
            SpreadsheetSheet(name: "second", columns: ["a"], rows: []),
        ])
        #expect(Array(bytes.prefix(2)) == Array("PK".utf8))
        let sheets = try Self.read(bytes)
        #expect(Set(sheets.keys) == ["events", "second"])
        let events = try #require(sheets["events"])
        #expect(events[0] == ["s:row", "s:count"])
        #expect(events[1] == ["s:shpo", "n:12"])
        #expect(events[2] == ["s:'=HYPERLINK(\"http://x\")", "n:0.64"], "stored as text starting with an apostrophe, never a formula")
        #expect(events[3] == ["s:Zoë Siân"])
        #expect(sheets["second"] == [["s:a"]])
    }

    @Test("sheet names Excel would refuse are made safe and unique; an empty workbook still opens")
    func names() throws {
        let sheets = try Self.read(try XLSXWorkbook.data(sheets: [
            SpreadsheetSheet(name: "a/b:c", columns: [], rows: []),
            SpreadsheetSheet(name: String(repeating: "x", count: 40), columns: [], rows: []),
            SpreadsheetSheet(name: String(repeating: "X", count: 40), columns: [], rows: []),
        ]))
        #expect(Set(sheets.keys) == ["a_b_c", String(repeating: "x", count: 31), String(repeating: "X", count: 27) + " (2)"])
        #expect(try Self.read(try XLSXWorkbook.data(sheets: [])).keys.count == 1)
    }
}
