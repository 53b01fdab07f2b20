import Foundation

/// One labelled value on a chart. Nil `value` means nothing to show (a gap in a line, "No data" in the table),
/// which is not the same as zero.
struct ChartValue: Sendable, Equatable {
    var label: String
    var value: Double?
    /// How the value reads in the table and to screen readers ("75% (3 of 4)"); the number and unit if nil.
    var text: String?

    init(_ label: String, _ value: Double?, text: String? = nil) {
        self.label = label
        self.value = value
        self.text = text
    }
}

/// A named run of values, one per label, for a line chart.
struct ChartSeries: Sendable, Equatable {
    var name: String
    var values: [ChartValue]
}

/// What every chart needs besides its values.
struct ChartOptions: Sendable {
    /// Unique on the page: the ids of the chart's title and description derive from it.
    var id: String
    var title: String
    /// One sentence for screen readers on what the chart shows; the values follow it in the description.
    var summary: String
    /// Written after numbers: "%" or " days".
    var unit: String = ""
    /// The top of the value axis; nil fits the data.
    var maximum: Double? = nil
    /// A line across the chart, such as the target.
    var reference: (label: String, value: Double)? = nil
}

/// Accessible charts drawn as inline SVG, with no JavaScript: the SVG is one image (`role="img"`) named by its
/// `<title>` and described by its `<desc>` (which reads out every value), and a table below gives the same
/// numbers to everyone (WCAG 1.1.1, 1.4.1: series differ by dash pattern and marker as well as colour).
enum Charts {
    static let width = 640.0
    static let colours = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#0b0c0c"]
    static let dashes = ["", "8 4", "2 3", "12 4 2 4", "4 4", "1 0"]
    static let ink = "#0b0c0c"
    static let grid = "#b1b4b6"

    /// Horizontal bars, one per value, longest labels fitting on the left.
    static func bar(_ options: ChartOptions, _ values: [ChartValue]) -> HTML {
        let top = axisMaximum(options, values.compactMap(\.value))
        let left = 210.0, right = width - 80, rowHeight = 30.0, topMargin = 24.0
        let height = topMargin + rowHeight * Double(max(values.count, 1)) + 30
        var shapes: [String] = []
        shapes += ticks(top).map { tick in
            let x = left + (right - left) * tick / top
            return "<line x1=\"\(f(x))\" y1=\"\(f(topMargin - 6))\" x2=\"\(f(x))\" y2=\"\(f(height - 26))\" stroke=\"\(grid)\" stroke-width=\"1\"/>"
                + "<text x=\"\(f(x))\" y=\"\(f(height - 10))\" font-size=\"12\" text-anchor=\"middle\" fill=\"\(ink)\">\(esc(number(tick, options.unit)))</text>"
        }
        for (index, item) in values.enumerated() {
            let y = topMargin + rowHeight * Double(index)
            shapes.append("<text x=\"\(f(left - 8))\" y=\"\(f(y + 19))\" font-size=\"13\" text-anchor=\"end\" fill=\"\(ink)\">\(esc(truncated(item.label, 30)))</text>")
            if let value = item.value {
                let length = max(1, (right - left) * min(value, top) / top)
                shapes.append("<rect x=\"\(f(left))\" y=\"\(f(y + 5))\" width=\"\(f(length))\" height=\"\(f(rowHeight - 10))\" fill=\"\(colours[0])\"/>")
                shapes.append("<text x=\"\(f(left + length + 6))\" y=\"\(f(y + 19))\" font-size=\"13\" fill=\"\(ink)\">\(esc(number(value, options.unit)))</text>")
            } else {
                shapes.append("<text x=\"\(f(left + 6))\" y=\"\(f(y + 19))\" font-size=\"13\" fill=\"\(ink)\">No data</text>")
            }
        }
        shapes += referenceLine(options, top: top) { value in
            let x = left + (right - left) * min(value, top) / top
            return (x, topMargin - 10, x, height - 26, x, topMargin - 12, "middle")
        }
        let description = values.map { "\($0.label): \(text($0, options.unit))" }.joined(separator: "; ")
        let rows = values.map { item -> [HTML] in ["\(item.label)", "\(text(item, options.unit))"] }
        return figure(options, height: height, shapes: shapes, description: description,
                      table: Components.table(caption: "\(options.title): the figures", headers: ["", "Value"], rows: rows))
    }

    /// One line per series over the same labels (periods, say); a missing value breaks the line.
    static func line(_ options: ChartOptions, _ series: [ChartSeries]) -> HTML {
        let labels = series.first?.values.map(\.label) ?? []
        let top = axisMaximum(options, series.flatMap { $0.values.compactMap(\.value) })
        let left = 56.0, right = width - 48, topMargin = 20.0, plotBottom = 200.0
        let legendRows = series.count > 1 ? Double(series.count) * 20 : 0
        let height = plotBottom + 36 + legendRows
        let step = labels.count > 1 ? (right - left) / Double(labels.count - 1) : 0
        func x(_ index: Int) -> Double { labels.count > 1 ? left + step * Double(index) : (left + right) / 2 }
        func y(_ value: Double) -> Double { plotBottom - (plotBottom - topMargin) * min(value, top) / top }
        var shapes: [String] = []
        shapes += ticks(top).map { tick in
            "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(right))\" y2=\"\(f(y(tick)))\" stroke=\"\(grid)\" stroke-width=\"1\"/>"
                + "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"\(ink)\">\(esc(number(tick, options.unit)))</text>"
        }
        for (index, label) in labels.enumerated() {
            shapes.append("<text x=\"\(f(x(index)))\" y=\"\(f(plotBottom + 18))\" font-size=\"12\" text-anchor=\"middle\" fill=\"\(ink)\">\(esc(truncated(label, 14)))</text>")
        }
        shapes += referenceLine(options, top: top) { value in (left, y(value), right, y(value), right, y(value) - 4, "end") }
        for (number, item) in series.enumerated() {
            let colour = colours[number % colours.count]
            let dash = dashes[number % dashes.count]
            var run: [String] = []
            func flush() {
                if run.count > 1 {
                    shapes.append("<polyline points=\"\(run.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"3\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>")
                }
                run = []
            }
            for (index, point) in item.values.enumerated() {
                guard let value = point.value else { flush(); continue }
                run.append("\(f(x(index))),\(f(y(value)))")
                shapes.append(marker(number, x: x(index), y: y(value), colour: colour))
            }
            flush()
            if series.count > 1 {
                let legendY = plotBottom + 40 + Double(number) * 20
                shapes.append("<line x1=\"\(f(left))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(left + 30))\" y2=\"\(f(legendY - 4))\" stroke=\"\(colour)\" stroke-width=\"3\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
                              + marker(number, x: left + 15, y: legendY - 4, colour: colour)
                              + "<text x=\"\(f(left + 38))\" y=\"\(f(legendY))\" font-size=\"12\" fill=\"\(ink)\">\(esc(item.name))</text>")
            }
        }
        let description = series.map { item in
            "\(item.name): " + item.values.map { "\($0.label) \(text($0, options.unit))" }.joined(separator: ", ")
        }.joined(separator: ". ")
        let rows = labels.indices.map { index -> [HTML] in
            ["\(labels[index])"] + series.map { item -> HTML in index < item.values.count ? "\(text(item.values[index], options.unit))" : "–" }
        }
        return figure(options, height: height, shapes: shapes, description: description,
                      table: Components.table(caption: "\(options.title): the figures", headers: [""] + series.map(\.name), rows: rows))
    }

    // MARK: drawing

    static func figure(_ options: ChartOptions, height: Double, shapes: [String], description: String, table: HTML) -> HTML {
        let id = options.id
        let reference = options.reference.map { " \($0.label): \(number($0.value, options.unit))." } ?? ""
        let svg = """
            <svg class="chart__image" role="img" aria-labelledby="\(esc(id))-title \(esc(id))-desc" viewBox="0 0 \(f(width)) \(f(height))" \
            width="100%" preserveAspectRatio="xMinYMin meet"><title id="\(esc(id))-title">\(esc(options.title))</title>\
            <desc id="\(esc(id))-desc">\(esc(options.summary + reference + " " + description))</desc>\(shapes.joined())</svg>
            """
        return """
            <figure class="chart" id="\(id)">
              <figcaption class="chart__caption"><strong>\(options.title)</strong></figcaption>
              \(HTML(trusted: svg))
              \(table)
            </figure>
            """
    }

    static func marker(_ series: Int, x: Double, y: Double, colour: String) -> String {
        switch series % 3 {
        case 0: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"5\" fill=\"\(colour)\"/>"
        case 1: return "<rect x=\"\(f(x - 5))\" y=\"\(f(y - 5))\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
        default: return "<polygon points=\"\(f(x)),\(f(y - 6)) \(f(x + 6)),\(f(y + 5)) \(f(x - 6)),\(f(y + 5))\" fill=\"\(colour)\"/>"
        }
    }

    /// The dashed reference line and its label; `place` gives the line's ends and the label's anchor.
    static func referenceLine(_ options: ChartOptions, top: Double,
                              place: (Double) -> (Double, Double, Double, Double, Double, Double, String)) -> [String] {
        guard let reference = options.reference else { return [] }
        let (x1, y1, x2, y2, labelX, labelY, anchor) = place(reference.value)
        return ["<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(ink)\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"
                + "<text x=\"\(f(labelX))\" y=\"\(f(labelY))\" font-size=\"12\" text-anchor=\"\(anchor)\" fill=\"\(ink)\">\(esc("\(reference.label) \(number(reference.value, options.unit))"))</text>"]
    }

    /// The axis top: the given maximum, else a round number above the data and any reference line.
    static func axisMaximum(_ options: ChartOptions, _ values: [Double]) -> Double {
        if let maximum = options.maximum, maximum > 0 { return maximum }
        let highest = (values + [options.reference?.value ?? 0]).max() ?? 0
        guard highest > 0 else { return 1 }
        let magnitude = pow(10, (log10(highest)).rounded(.down))
        for multiple in [1.0, 2, 2.5, 5, 10] where multiple * magnitude >= highest { return multiple * magnitude }
        return 10 * magnitude
    }

    static func ticks(_ top: Double) -> [Double] { (0...4).map { top * Double($0) / 4 } }

    static func number(_ value: Double, _ unit: String) -> String {
        let rounded = (value * 10).rounded() / 10
        return (rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)) + unit
    }

    static func text(_ value: ChartValue, _ unit: String) -> String {
        value.text ?? value.value.map { number($0, unit) } ?? "No data"
    }

    static func truncated(_ text: String, _ limit: Int) -> String { text.count > limit ? String(text.prefix(limit - 1)) + "…" : text }
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
    static func esc(_ text: String) -> String { HTML.escape(text) }
}
