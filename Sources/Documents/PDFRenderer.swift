import Domain

/// Renders a `PrintableDocument` as an A4 PDF with cairo and Pango.
///
/// Every page carries the protective marking centred in bold in its header and footer, the document title in
/// the header and "Page N of M" in the footer, with whose copy it is when it is issued to one person. The first page starts with the title, the subtitle and the
/// handling conditions in a box. Blocks flow across pages: paragraphs break between lines, table rows move to
/// the next page whole (the header row repeats) unless a single row is taller than a page, which then breaks
/// between lines of its cells. All text is set as plain text, never as Pango markup.
public enum PDFRenderer {
    public static func render(_ document: PrintableDocument) throws(DocumentRenderError) -> [UInt8] {
        let surface = try PDFSurface(widthPoints: Page.width, heightPoints: Page.height)
        surface.setTitle(TextLayout.plain(document.title))
        let drawing = try DrawingContext(surface)
        let text = try TextContext(drawing)
        let fonts = try Fonts()

        // Lay everything out first, so the page count is known before any footer is drawn.
        let composer = try Composer(text: text, fonts: fonts)
        try composer.compose(document)
        let pages = composer.pages

        let marking = try TextLayout(text, text: document.marking, font: fonts.marking, wrapWidth: Page.contentWidth,
                                     alignment: .center)
        let title = try TextLayout(text, text: document.title, font: fonts.small, wrapWidth: Page.contentWidth,
                                   alignment: .center, ellipsize: true)
        for (index, operations) in pages.enumerated() {
            drawing.setGray(0)
            marking.draw(x: Page.left, y: Page.headerMarkingTop)
            drawing.setGray(0.25)
            title.draw(x: Page.left, y: Page.headerTitleTop)
            drawing.setGray(0.6)
            drawing.strokeLine(from: (Page.left, Page.headerRule), to: (Page.right, Page.headerRule), width: 0.5)
            drawing.strokeLine(from: (Page.left, Page.footerRule), to: (Page.right, Page.footerRule), width: 0.5)
            drawing.setGray(0)
            marking.draw(x: Page.left, y: Page.footerMarkingTop)
            let page = "Page \(index + 1) of \(pages.count)"
            let number = try TextLayout(text, text: document.copyFor.isEmpty ? page : "\(page) · Copy for \(document.copyFor)", font: fonts.small,
                                        wrapWidth: Page.contentWidth, alignment: .center, ellipsize: true)
            number.draw(x: Page.left, y: Page.footerNumberTop)
            for operation in operations { operation.perform(on: drawing) }
            drawing.showPage()
            try drawing.check()
        }
        return try surface.finish()
    }
}

/// A4 in points, with the header and footer bands outside the body.
enum Page {
    static let width = 595.28
    static let height = 841.89
    static let left = 50.0
    static let right = width - 50
    static let contentWidth = right - left
    static let headerMarkingTop = 22.0
    static let headerTitleTop = 37.0
    static let headerRule = 52.0
    static let bodyTop = 64.0
    static let bodyBottom = height - 66
    static let footerRule = height - 58
    static let footerMarkingTop = height - 52
    static let footerNumberTop = height - 37
}

struct Fonts {
    static let family = "DejaVu Sans,Liberation Sans,sans-serif"
    let body: FontDescription
    let bold: FontDescription
    let heading: FontDescription
    let title: FontDescription
    let subtitle: FontDescription
    let small: FontDescription
    let marking: FontDescription

    init() throws(DocumentRenderError) {
        body = try FontDescription("\(Fonts.family) 10")
        bold = try FontDescription("\(Fonts.family) Bold 10")
        heading = try FontDescription("\(Fonts.family) Bold 13")
        title = try FontDescription("\(Fonts.family) Bold 18")
        subtitle = try FontDescription("\(Fonts.family) 12")
        small = try FontDescription("\(Fonts.family) 8")
        marking = try FontDescription("\(Fonts.family) Bold 10")
    }
}

/// One drawing step on a body page, recorded while composing and performed once the page count is known.
enum DrawOperation {
    case line(TextLayout, LineMetrics, x: Double, top: Double, gray: Double)
    case frame(x: Double, y: Double, width: Double, height: Double, lineWidth: Double)
    case shade(x: Double, y: Double, width: Double, height: Double, gray: Double)

    func perform(on drawing: DrawingContext) {
        switch self {
        case let .line(layout, line, x, top, gray):
            drawing.setGray(gray)
            layout.drawLine(line, layoutX: x, lineTop: top)
        case let .frame(x, y, width, height, lineWidth):
            drawing.setGray(0.45)
            drawing.strokeRectangle(x: x, y: y, width: width, height: height, lineWidth: lineWidth)
        case let .shade(x, y, width, height, gray):
            drawing.setGray(gray)
            drawing.fillRectangle(x: x, y: y, width: width, height: height)
        }
    }
}

/// Flows the document's content into pages of draw operations.
final class Composer {
    private let text: TextContext
    private let fonts: Fonts
    private(set) var pages: [[DrawOperation]] = [[]]
    /// The top of the next thing placed on the current page.
    private var y = Page.bodyTop
    /// The height of one line of body text.
    private let bodyLine: Double

    /// The open box (handling conditions): where it started on the current page.
    private var boxTop: Double?
    private static let boxPadding = 8.0
    /// Called after each page break, e.g. to repeat a table's header row.
    private var onNewPage: (() -> Void)?
    /// The height `onNewPage` fills at the top of each new page.
    private var repeatedHeight = 0.0

    private static let cellPadding = 4.0
    private static let bulletIndent = 14.0

    init(text: TextContext, fonts: Fonts) throws(DocumentRenderError) {
        self.text = text
        self.fonts = fonts
        bodyLine = try TextLayout(text, text: "Ag", font: fonts.body, wrapWidth: nil).height
    }

    private var bottom: Double { Page.bodyBottom - (boxTop == nil ? 0 : Composer.boxPadding) }
    private var atPageTop: Bool { y <= Page.bodyTop + (boxTop == nil ? 0 : Composer.boxPadding) }

    func compose(_ document: PrintableDocument) throws(DocumentRenderError) {
        let title = try layout(document.title, font: fonts.title, width: Page.contentWidth)
        flow(title, x: Page.left)
        if !document.subtitle.isEmpty {
            space(4)
            flow(try layout(document.subtitle, font: fonts.subtitle, width: Page.contentWidth), x: Page.left, gray: 0.25)
        }
        space(14)
        if !document.handlingConditions.isEmpty {
            openBox()
            let inner = Page.contentWidth - 2 * Composer.boxPadding
            let x = Page.left + Composer.boxPadding
            flow(try layout("Handling conditions", font: fonts.bold, width: inner), x: x)
            space(3)
            try bullets(document.handlingConditions, x: x, width: inner)
            closeBox()
            space(14)
        }
        for block in document.blocks {
            switch block {
            case .heading(let heading):
                space(10)
                let layout = try layout(heading, font: fonts.heading, width: Page.contentWidth)
                // Keep the heading with at least two lines of what follows.
                keep(min(layout.height, Page.bodyBottom - Page.bodyTop - 3 * bodyLine) + 2 * bodyLine)
                flow(layout, x: Page.left)
                space(4)
            case .paragraph(let paragraph):
                flow(try layout(paragraph, font: fonts.body, width: Page.contentWidth), x: Page.left)
                space(6)
            case .bullets(let items):
                try bullets(items, x: Page.left, width: Page.contentWidth)
                space(6)
            case .keyValues(let pairs):
                try table(headers: nil, rows: pairs.map { [$0.key, $0.value] }, boldFirstColumn: true)
                space(8)
            case .table(let headers, let rows):
                try table(headers: headers, rows: rows, boldFirstColumn: false)
                space(8)
            }
        }
    }

    // MARK: Pages

    private func add(_ operation: DrawOperation) { pages[pages.count - 1].append(operation) }

    private func newPage() {
        if boxTop != nil { closeBoxPortion() }
        pages.append([])
        y = Page.bodyTop
        if boxTop != nil {
            boxTop = y
            y += Composer.boxPadding
        }
        onNewPage?()
    }

    /// Vertical space, dropped at the top of a page.
    private func space(_ points: Double) {
        guard !atPageTop else { return }
        y = min(y + points, Page.bodyBottom)
    }

    /// Starts a new page unless `height` fits below the current position (or the page is still empty).
    private func keep(_ height: Double) {
        if y + height > bottom && !atPageTop { newPage() }
    }

    private func openBox() {
        boxTop = y
        y += Composer.boxPadding
    }

    private func closeBoxPortion() {
        guard let top = boxTop else { return }
        add(.frame(x: Page.left, y: top, width: Page.contentWidth, height: y + Composer.boxPadding - top,
                   lineWidth: 1))
    }

    private func closeBox() {
        closeBoxPortion()
        y += Composer.boxPadding
        boxTop = nil
    }

    // MARK: Text

    private func layout(_ string: String, font: FontDescription, width: Double?) throws(DocumentRenderError)
        -> TextLayout {
        try TextLayout(text, text: string, font: font, wrapWidth: width)
    }

    /// Places a layout line by line, breaking the page between lines. `marker` is drawn beside the first line.
    private func flow(_ layout: TextLayout, x: Double, gray: Double = 0, marker: (TextLayout, x: Double)? = nil) {
        for (index, line) in layout.lines.enumerated() {
            if y + line.height > bottom && !atPageTop { newPage() }
            add(.line(layout, line, x: x, top: y, gray: gray))
            if index == 0, let (markerLayout, markerX) = marker, let first = markerLayout.lines.first {
                // Align the marker's baseline with the line's.
                add(.line(markerLayout, first, x: markerX, top: y + line.baseline - line.top - first.baseline
                          + first.top, gray: gray))
            }
            y += line.height
        }
    }

    private func bullets(_ items: [String], x: Double, width: Double) throws(DocumentRenderError) {
        let bullet = try layout("•", font: fonts.body, width: nil)
        for (index, item) in items.enumerated() {
            if index > 0 { space(3) }
            let body = try layout(item, font: fonts.body, width: width - Composer.bulletIndent)
            flow(body, x: x + Composer.bulletIndent, marker: (bullet, x + 3))
        }
    }

    // MARK: Tables

    private struct Row {
        var cells: [TextLayout]
        var shaded: Bool
        var height: Double { (cells.map(\.height).max() ?? 0) + 2 * Composer.cellPadding }
    }

    private func table(headers: [String]?, rows: [[String]], boldFirstColumn: Bool) throws(DocumentRenderError) {
        let columns = max(headers?.count ?? 0, rows.map(\.count).max() ?? 0)
        guard columns > 0 else { return }
        func cells(_ strings: [String], header: Bool) throws(DocumentRenderError) -> [TextLayout] {
            var result: [TextLayout] = []
            for column in 0..<columns {
                let string = column < strings.count ? strings[column] : ""
                let font = header || (boldFirstColumn && column == 0) ? fonts.bold : fonts.body
                result.append(try layout(string, font: font, width: nil))
            }
            return result
        }
        var headerRow: Row?
        if let headers { headerRow = Row(cells: try cells(headers, header: true), shaded: true) }
        var bodyRows: [Row] = []
        for row in rows { bodyRows.append(Row(cells: try cells(row, header: false), shaded: false)) }

        let all = (headerRow.map { [$0] } ?? []) + bodyRows
        let natural = (0..<columns).map { column in
            (all.map { $0.cells[column].width }.max() ?? 0) + 2 * Composer.cellPadding
        }
        let widths = Composer.columnWidths(natural: natural, available: Page.contentWidth)
        for row in all {
            for (column, cell) in row.cells.enumerated() { cell.wrap(to: widths[column] - 2 * Composer.cellPadding) }
        }

        if let headerRow {
            // Keep the header row with the first body row.
            keep(headerRow.height + (bodyRows.first?.height ?? 0))
            place(headerRow, widths: widths)
            // Repeat it on the pages the table continues on, unless it would crowd out the rows.
            if headerRow.height <= (Page.bodyBottom - Page.bodyTop) / 4 {
                onNewPage = { [unowned self] in self.place(headerRow, widths: widths) }
                repeatedHeight = headerRow.height
            }
        }
        defer {
            onNewPage = nil
            repeatedHeight = 0
        }
        for row in bodyRows { place(row, widths: widths) }
    }

    /// Shares the width between columns: narrow columns get their natural width, wide ones split the rest evenly;
    /// whatever is left over is spread in proportion.
    static func columnWidths(natural: [Double], available: Double) -> [Double] {
        var widths = natural
        var remaining = available
        var open = Set(natural.indices)
        while !open.isEmpty {
            let share = remaining / Double(open.count)
            let narrow = open.filter { natural[$0] <= share }
            if narrow.isEmpty {
                for column in open { widths[column] = share }
                break
            }
            for column in narrow {
                remaining -= natural[column]
                open.remove(column)
            }
        }
        let total = widths.reduce(0, +)
        return total > 0 ? widths.map { $0 * available / total } : widths.map { _ in available / Double(widths.count) }
    }

    /// Places a table row whole, on the next page if it does not fit here; a row taller than a whole page breaks
    /// between the lines of its cells.
    private func place(_ row: Row, widths: [Double]) {
        let height = row.height
        var freshPage = atPageTop
        // Move to the next page unless the row would not fit there either (then it starts splitting here).
        let fitsOnAPage = height <= bottom - Page.bodyTop - repeatedHeight
        if y + height > bottom && !freshPage && fitsOnAPage {
            newPage()
            freshPage = true
        }
        if y + height <= bottom {
            draw(row, widths: widths, from: row.cells.map { _ in 0 }, height: height)
            return
        }
        // Taller than the page: as many lines of each cell as fit, then the rest on the next pages.
        var next = row.cells.map { _ in 0 }
        while zip(next, row.cells).contains(where: { $0 < $1.lines.count }) {
            let available = bottom - y - 2 * Composer.cellPadding
            var taken = next
            var used = 0.0
            for (column, cell) in row.cells.enumerated() where next[column] < cell.lines.count {
                let top = cell.lines[next[column]].top
                var end = next[column]
                while end < cell.lines.count && cell.lines[end].bottom - top <= available { end += 1 }
                if end == next[column] && freshPage { end += 1 }  // a line taller than the page: never stall
                taken[column] = end
                if end > next[column] { used = max(used, cell.lines[end - 1].bottom - top) }
            }
            if taken == next {
                newPage()
                freshPage = true
                continue
            }
            draw(row, widths: widths, from: next, to: taken, height: used + 2 * Composer.cellPadding)
            next = taken
            if zip(next, row.cells).contains(where: { $0 < $1.lines.count }) {
                newPage()
                freshPage = true
            }
        }
    }

    /// Draws lines `from[c]..<to[c]` of each cell (all of them when `to` is nil) in a band of `height` at y.
    private func draw(_ row: Row, widths: [Double], from: [Int], to: [Int]? = nil, height: Double) {
        var x = Page.left
        if row.shaded { add(.shade(x: x, y: y, width: widths.reduce(0, +), height: height, gray: 0.9)) }
        for (column, cell) in row.cells.enumerated() {
            let end = to?[column] ?? cell.lines.count
            if from[column] < end {
                let top = cell.lines[from[column]].top
                for line in cell.lines[from[column]..<end] {
                    add(.line(cell, line, x: x + Composer.cellPadding,
                              top: y + Composer.cellPadding + line.top - top, gray: 0))
                }
            }
            add(.frame(x: x, y: y, width: widths[column], height: height, lineWidth: 0.5))
            x += widths[column]
        }
        y += height
    }
}
