import Foundation
import Testing
import Domain
@testable import Documents

/// The PDFs are read back with poppler's pdftotext and pdfinfo (Debian poppler-utils, installed by
/// scripts/install-deps.sh --test). Everything here is synthetic.
@Suite("PDF renderer")
struct PDFRendererTests {
    static let marking = "OFFICIAL-SENSITIVE"
    static let title = "Level 2 MAPPA panel – minutes"
    static let conditions = [
        "Share only with the agencies represented at the panel.",
        "Do not forward by email outside the secure network.",
        "Destroy printed copies securely after the next review.",
    ]
    static let multibyte = "Zoë Ó Briain – Siân"
    static let literal = "Text with <b>not bold</b> & &amp; and <span foreground=\"red\">no span</span> stays literal."

    /// About six pages: key values, a table that crosses a page, headings with paragraphs and actions.
    static func minutes() -> (document: PrintableDocument, paragraphs: [String], cells: [String]) {
        var paragraphs: [String] = []
        var blocks: [PrintableBlock] = [
            .keyValues([PrintableKeyValue("Chair", multibyte), PrintableKeyValue("Minute taker", "Test Officer Kay"),
                        PrintableKeyValue("Date", "3 March 2031")]),
            .heading("Attendance"),
        ]
        var cells: [String] = []
        var rows: [[String]] = []
        for number in 1...40 {
            let row = ["Attendee \(number)", "Agency \(number % 7)", number % 5 == 0 ? "Apologies" : "Present"]
            rows.append(row)
            cells += row
        }
        blocks.append(.table(headers: ["Name", "Agency", "Attendance"], rows: rows))
        let words = ["review", "plan", "contact", "licence", "address", "visit", "agency", "risk", "update", "panel"]
        for item in 1...12 {
            blocks.append(.heading("Item \(item): synthetic case C-\(1000 + item)"))
            for part in 1...2 {
                let body = (1...40).map { words[($0 * item + part) % words.count] }.joined(separator: " ")
                let paragraph = "Paragraph \(item).\(part) begins: \(body) (\(multibyte)) ends \(item).\(part)."
                paragraphs.append(paragraph)
                blocks.append(.paragraph(paragraph))
            }
            blocks.append(.bullets(["Action \(item)a: Agency \(item % 7) to update the plan",
                                    "Action \(item)b: review at the next panel"]))
            if item == 6 {
                paragraphs.append(literal)
                blocks.append(.paragraph(literal))
            }
        }
        let document = PrintableDocument(title: title, subtitle: "Synthetic test panel, 3 March 2031",
                                         marking: marking, handlingConditions: conditions, blocks: blocks)
        return (document, paragraphs, cells)
    }

    @Test("every page has the marking in header and footer, the title and Page N of M; content is complete and literal")
    func minutesDocument() throws {
        let (document, paragraphs, cells) = Self.minutes()
        let pdf = try PDFRenderer.render(document)
        #expect(pdf.starts(with: Array("%PDF-".utf8)))

        let pages = try Poppler.pages(pdf)
        let count = pages.count
        #expect(count >= 5 && count <= 8, "expected about six pages, got \(count)")
        #expect(try Poppler.info(pdf)["Pages"] == String(count))

        var body = ""
        for (index, page) in pages.enumerated() {
            let lines = page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            try #require(lines.count >= 5, "page \(index + 1) has too few lines")
            #expect(lines[0] == Self.marking, "header marking on page \(index + 1)")
            #expect(lines[1] == Self.title, "header title on page \(index + 1)")
            #expect(lines[lines.count - 2] == Self.marking, "footer marking on page \(index + 1)")
            #expect(lines[lines.count - 1] == "Page \(index + 1) of \(count)")
            body += lines[2..<(lines.count - 2)].joined(separator: "\n") + "\n"
        }

        let first = pages[0].collapsingWhitespace
        #expect(first.contains("Handling conditions"))
        for condition in Self.conditions { #expect(first.contains(condition)) }
        #expect(first.contains("Synthetic test panel, 3 March 2031"))
        #expect(!pages[1].contains("Handling conditions"))

        // Paragraphs may cross pages; with the headers and footers removed each reads whole and in order.
        let flowing = body.collapsingWhitespace
        var position = flowing.startIndex
        for paragraph in paragraphs {
            let found = flowing.range(of: paragraph, range: position..<flowing.endIndex)
            #expect(found != nil, "paragraph missing or out of order: \(paragraph.prefix(40))")
            if let found { position = found.upperBound }
        }
        for cell in cells { #expect(flowing.contains(cell), "table cell \(cell)") }
        #expect(flowing.contains("Name Agency Attendance"))
        #expect(flowing.contains("Chair \(Self.multibyte)"))
        #expect(flowing.contains("• Action 12b: review at the next panel"))
        #expect(flowing.contains(Self.literal))
        #expect(flowing.contains(Self.multibyte))
    }

    @Test("no body text crosses into the header or footer bands")
    func bodyStaysInsideMargins() throws {
        let pdf = try PDFRenderer.render(Self.minutes().document)
        let words = try Poppler.words(pdf)
        #expect(words.count > 1000)
        var pagesSeen = Set<Int>()
        for word in words {
            pagesSeen.insert(word.page)
            let header = word.yMax <= Page.headerRule
            let footer = word.yMin >= Page.footerRule
            let body = word.yMin >= Page.bodyTop - 1 && word.yMax <= Page.bodyBottom + 1
            #expect(header || footer || body, "\(word.text) at \(word.yMin)–\(word.yMax) on page \(word.page)")
            if header || footer {
                #expect([Self.marking, "Page", "of", "Level", "2", "MAPPA", "panel", "–", "minutes"].contains(word.text)
                    || Int(word.text) != nil, "unexpected \(word.text) in a header or footer")
            }
        }
        #expect(pagesSeen.count >= 5)
    }

    @Test("a table cell taller than a page breaks between its lines and the header row repeats")
    func tallTableCell() throws {
        let tokens = (1...900).map { String(format: "w%03d", $0) }
        let document = PrintableDocument(
            title: "Tall cell", marking: Self.marking,
            blocks: [.table(headers: ["Field", "Notes"], rows: [["Short", "before"],
                                                                ["Long notes", tokens.joined(separator: " ")],
                                                                ["After", "the end"]])])
        let pdf = try PDFRenderer.render(document)
        let pages = try Poppler.pages(pdf)
        #expect(pages.count >= 2)
        // The tall row starts on the first page, right after the short one, rather than leaving it half empty.
        #expect(pages[0].contains("Long notes") && pages[0].contains("w001"))
        for page in pages { #expect(page.contains("Field") && page.contains("Notes"), "header row repeated") }
        let text = pages.joined()
        var position = text.startIndex
        for token in tokens {
            let found = text.range(of: token, range: position..<text.endIndex)
            #expect(found != nil, "\(token) missing or out of order")
            if let found { position = found.upperBound }
        }
        #expect(text.range(of: "the end", range: position..<text.endIndex) != nil)
        for word in try Poppler.words(pdf) where word.yMin < Page.footerRule && word.yMax > Page.headerRule {
            #expect(word.yMin >= Page.bodyTop - 1 && word.yMax <= Page.bodyBottom + 1, "\(word.text) overflows")
        }
    }

    @Test("a document with no body is one page, and the PDF title is the document title")
    func singlePageAndMetadata() throws {
        let document = PrintableDocument(title: "Panel – \(Self.multibyte)", marking: "OFFICIAL",
                                         handlingConditions: ["Panel members only."])
        let pdf = try PDFRenderer.render(document)
        let pages = try Poppler.pages(pdf)
        #expect(pages.count == 1)
        let lines = pages[0].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        #expect(lines.first == "OFFICIAL")
        #expect(lines.last == "Page 1 of 1")
        #expect(pages[0].contains("• Panel members only."))
        let info = try Poppler.info(pdf)
        #expect(info["Pages"] == "1")
        #expect(info["Title"] == "Panel – \(Self.multibyte)")
    }

    @Test("control characters are dropped and line breaks kept")
    func plainText() {
        #expect(TextLayout.plain("a\u{0}b\u{7}c\r\nd\re\tf\u{85}g") == "abc\nd\ne\tfg")
        #expect(TextLayout.plain("Zoë <b>") == "Zoë <b>")
    }

    @Test("columns share the width: narrow ones keep their natural width, the rest split what is left")
    func columnWidths() {
        let narrow = Composer.columnWidths(natural: [50, 400, 600], available: 500)
        #expect(narrow.map { $0.rounded() } == [50, 225, 225])
        let fitting = Composer.columnWidths(natural: [100, 150], available: 500)
        #expect(fitting.map { $0.rounded() } == [200, 300])
    }
}

extension String {
    var collapsingWhitespace: String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// Runs poppler-utils on a PDF written to a temporary file. A missing tool fails the test; nothing is skipped.
enum Poppler {
    struct ToolError: Error, CustomStringConvertible {
        var description: String
    }

    struct Word {
        var page: Int
        var text: String
        var yMin: Double
        var yMax: Double
    }

    static func tool(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw ToolError(description: "\(name) not found: install poppler-utils (scripts/install-deps.sh --test)")
    }

    static func run(_ name: String, _ arguments: [String], pdf: [UInt8]) throws -> String {
        let executable = try tool(name)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mappa-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("document.pdf")
        try Data(pdf).write(to: input)
        let process = Process()
        process.executableURL = executable
        // pdftotext writes to the file named after the input; "-" is standard output.
        process.arguments = arguments + [input.path] + (name == "pdftotext" ? ["-"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError(description: "\(name) exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `pdftotext -layout`: one string per page (pages end with a form feed).
    static func pages(_ pdf: [UInt8]) throws -> [String] {
        var pages = try run("pdftotext", ["-layout", "-enc", "UTF-8"], pdf: pdf)
            .split(separator: "\u{0C}", omittingEmptySubsequences: false).map(String.init)
        if pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true { pages.removeLast() }
        return pages
    }

    /// `pdfinfo`: "Key: value" lines.
    static func info(_ pdf: [UInt8]) throws -> [String: String] {
        var fields: [String: String] = [:]
        for line in try run("pdfinfo", ["-enc", "UTF-8"], pdf: pdf).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// `pdftotext -bbox`: every word with its vertical extent in points from the top of its page.
    static func words(_ pdf: [UInt8]) throws -> [Word] {
        let html = try run("pdftotext", ["-bbox", "-enc", "UTF-8"], pdf: pdf)
        let pattern = try NSRegularExpression(
            pattern: #"<page |<word xMin="[-0-9.]+" yMin="([-0-9.]+)" xMax="[-0-9.]+" yMax="([-0-9.]+)">([^<]*)</word>"#)
        var words: [Word] = []
        var page = 0
        let range = NSRange(html.startIndex..., in: html)
        for match in pattern.matches(in: html, range: range) {
            guard match.range(at: 1).location != NSNotFound,
                  let yMin = Range(match.range(at: 1), in: html), let yMax = Range(match.range(at: 2), in: html),
                  let text = Range(match.range(at: 3), in: html) else {
                page += 1
                continue
            }
            words.append(Word(page: page, text: String(html[text]).unescapingHTML,
                              yMin: Double(html[yMin]) ?? -1, yMax: Double(html[yMax]) ?? -1))
        }
        return words
    }
}

extension String {
    var unescapingHTML: String {
        replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
