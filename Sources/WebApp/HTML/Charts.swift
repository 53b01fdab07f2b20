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
    /// The values are counts of things: the value axis ticks only whole numbers (0, 1, 2… or 0, 5, 10…).
    var counts: Bool = false
}

/// Accessible charts drawn as inline SVG, with no JavaScript: the SVG is one image (`role="img"`) named by its
/// `<title>` and described by its `<desc>` (which reads out every value), and a table below gives the same
/// numbers to everyone (WCAG 1.1.1, 1.4.1: series differ by fill pattern, dash pattern and marker as well as
/// colour, and a legend names them in words). Labels are wrapped over lines (`<tspan>`), never cut short.
enum Charts {
    static let width = 640.0
    /// Each at least 3:1 against the white page (WCAG 1.4.11).
    static let colours = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#6f4e12", "#0b0c0c"]
    static let dashes = ["", "8 4", "2 3", "12 4 2 4", "4 4", "1 0"]
    static let ink = "#0b0c0c"
    static let grid = "#b1b4b6"
    /// Characters of 13px text that fit in the bar chart's label column.
    static let barLabelCharacters = 28
    static let lineHeight = 16.0

    /// Horizontal bars, one per value, labels wrapped on the left.
    static func bar(_ options: ChartOptions, _ values: [ChartValue]) -> HTML {
        bars(options, [ChartSeries(name: "Value", values: values)])
    }

    /// Horizontal bars grouped by label, one bar per series (this year and the year before, say); the first series
    /// is solid, the others hatched, and a legend above the bars names each one.
    static func bars(_ options: ChartOptions, _ series: [ChartSeries]) -> HTML {
        let labels = series.first?.values.map(\.label) ?? []
        let scale = axis(options, series.flatMap { $0.values.compactMap(\.value) })
        let top = scale.last ?? 1
        let left = 210.0, right = width - 80, barHeight = 18.0, barGap = 4.0
        let legend = series.count > 1 ? Double(series.count) * 22 + 6 : 0
        let topMargin = 24.0 + legend
        var shapes: [String] = [patterns(options.id, count: series.count)]
        if series.count > 1 {
            for (seriesIndex, item) in series.enumerated() {
                let y = 8 + Double(seriesIndex) * 22
                shapes.append("<g class=\"chart__legend-item\"><rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"24\" height=\"16\" fill=\"\(fill(options.id, seriesIndex))\" stroke=\"\(colours[seriesIndex % colours.count])\" stroke-width=\"2\"/>"
                              + "<text x=\"\(f(left + 32))\" y=\"\(f(y + 13))\" font-size=\"13\" fill=\"\(ink)\">\(esc(item.name))</text></g>")
            }
        }
        var y = topMargin
        var rows: [(label: [String], y: Double, height: Double)] = []
        for label in labels {
            let lines = wrapped(label, width: barLabelCharacters)
            let height = max(Double(lines.count) * lineHeight, Double(series.count) * (barHeight + barGap) - barGap) + 12
            rows.append((lines, y, height))
            y += height
        }
        let plotBottom = max(y, topMargin + 30)
        let height = plotBottom + 30
        shapes += scale.map { tick in
            let x = left + (right - left) * tick / top
            return "<line x1=\"\(f(x))\" y1=\"\(f(topMargin - 6))\" x2=\"\(f(x))\" y2=\"\(f(plotBottom))\" stroke=\"\(grid)\" stroke-width=\"1\"/>"
                + "<text class=\"chart__tick\" x=\"\(f(x))\" y=\"\(f(plotBottom + 18))\" font-size=\"12\" text-anchor=\"middle\" fill=\"\(ink)\">\(esc(number(tick, options.unit)))</text>"
        }
        for (index, row) in rows.enumerated() {
            let labelTop = row.y + (row.height - Double(row.label.count) * lineHeight) / 2
            shapes.append(textLines(row.label, x: left - 8, y: labelTop + 12, anchor: "end", size: 13, className: "chart__label"))
            let barsTop = row.y + (row.height - (Double(series.count) * (barHeight + barGap) - barGap)) / 2
            for (seriesIndex, item) in series.enumerated() {
                let barY = barsTop + Double(seriesIndex) * (barHeight + barGap)
                let value = index < item.values.count ? item.values[index].value : nil
                if let value {
                    let length = max(1, (right - left) * min(value, top) / top)
                    shapes.append("<rect x=\"\(f(left))\" y=\"\(f(barY))\" width=\"\(f(length))\" height=\"\(f(barHeight))\" fill=\"\(fill(options.id, seriesIndex))\""
                                  + (seriesIndex == 0 ? "" : " stroke=\"\(colours[seriesIndex % colours.count])\" stroke-width=\"2\"") + "/>")
                    shapes.append("<text x=\"\(f(left + length + 6))\" y=\"\(f(barY + 14))\" font-size=\"13\" fill=\"\(ink)\">\(esc(number(value, options.unit)))</text>")
                } else {
                    shapes.append("<text x=\"\(f(left + 6))\" y=\"\(f(barY + 14))\" font-size=\"13\" fill=\"\(ink)\">No data</text>")
                }
            }
        }
        shapes += referenceLine(options, top: top) { value in
            let x = left + (right - left) * min(value, top) / top
            return (x, topMargin - 10, x, plotBottom, x, topMargin - 12, "middle")
        }
        let description = labels.indices.map { index in
            "\(labels[index]): " + series.map { item in
                let value = index < item.values.count ? text(item.values[index], options.unit) : "No data"
                return series.count > 1 ? "\(item.name) \(value)" : value
            }.joined(separator: ", ")
        }.joined(separator: "; ")
        return figure(options, height: height, shapes: shapes, description: description, table: table(options, labels: labels, series: series))
    }

    /// One line per series over the same labels (periods, say); a missing value breaks the line.
    static func line(_ options: ChartOptions, _ series: [ChartSeries]) -> HTML {
        let labels = series.first?.values.map(\.label) ?? []
        let scale = axis(options, series.flatMap { $0.values.compactMap(\.value) })
        let top = scale.last ?? 1
        let left = 56.0, right = width - 48, topMargin = 20.0, plotBottom = 200.0
        let step = labels.count > 1 ? (right - left) / Double(labels.count - 1) : 0
        // 12px text is about 7px a character; each label has the space between its neighbours.
        let labelCharacters = labels.count > 1 ? max(6, Int(step / 7)) : 40
        let labelLines = labels.map { wrapped($0, width: labelCharacters) }
        let labelHeight = Double(labelLines.map(\.count).max() ?? 1) * 14
        let legendTop = plotBottom + 8 + labelHeight + 12
        let legendRows = series.count > 1 ? Double(series.count) * 20 : 0
        let height = legendTop + legendRows + 8
        func x(_ index: Int) -> Double { labels.count > 1 ? left + step * Double(index) : (left + right) / 2 }
        func y(_ value: Double) -> Double { plotBottom - (plotBottom - topMargin) * min(value, top) / top }
        var shapes: [String] = []
        shapes += scale.map { tick in
            "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(right))\" y2=\"\(f(y(tick)))\" stroke=\"\(grid)\" stroke-width=\"1\"/>"
                + "<text class=\"chart__tick\" x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"\(ink)\">\(esc(number(tick, options.unit)))</text>"
        }
        for (index, lines) in labelLines.enumerated() {
            shapes.append(textLines(lines, x: x(index), y: plotBottom + 18, anchor: "middle", size: 12, className: "chart__label", spacing: 14))
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
                let legendY = legendTop + 12 + Double(number) * 20
                shapes.append("<g class=\"chart__legend-item\"><line x1=\"\(f(left))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(left + 30))\" y2=\"\(f(legendY - 4))\" stroke=\"\(colour)\" stroke-width=\"3\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
                              + marker(number, x: left + 15, y: legendY - 4, colour: colour)
                              + "<text x=\"\(f(left + 38))\" y=\"\(f(legendY))\" font-size=\"12\" fill=\"\(ink)\">\(esc(item.name))</text></g>")
            }
        }
        let description = series.map { item in
            "\(item.name): " + item.values.map { "\($0.label) \(text($0, options.unit))" }.joined(separator: ", ")
        }.joined(separator: ". ")
        return figure(options, height: height, shapes: shapes, description: description, table: table(options, labels: labels, series: series))
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

    /// The same figures as the chart: a row per label, a column per series.
    static func table(_ options: ChartOptions, labels: [String], series: [ChartSeries]) -> HTML {
        let rows = labels.indices.map { index -> [HTML] in
            ["\(labels[index])"] + series.map { item -> HTML in index < item.values.count ? "\(text(item.values[index], options.unit))" : "–" }
        }
        return Components.table(caption: "\(options.title): the figures", headers: [""] + series.map(\.name), rows: rows)
    }

    /// A `<text>` of one `<tspan>` per line, the first line's baseline at `y`.
    static func textLines(_ lines: [String], x: Double, y: Double, anchor: String, size: Int, className: String,
                          spacing: Double = lineHeight) -> String {
        let spans = lines.enumerated().map { index, line in
            "<tspan x=\"\(f(x))\" dy=\"\(index == 0 ? "0" : f(spacing))\">\(esc(line))</tspan>"
        }.joined()
        return "<text class=\"\(className)\" x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(ink)\">\(spans)</text>"
    }

    /// Fill patterns for the second and later series: diagonal hatching at a different angle for each.
    static func patterns(_ id: String, count: Int) -> String {
        guard count > 1 else { return "" }
        let angles = [45, -45, 0, 90]
        let defs = (1..<count).map { number in
            "<pattern id=\"\(esc(id))-pattern-\(number)\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(\(angles[(number - 1) % angles.count]))\">"
                + "<rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><rect width=\"3\" height=\"6\" fill=\"\(colours[number % colours.count])\"/></pattern>"
        }.joined()
        return "<defs>\(defs)</defs>"
    }

    static func fill(_ id: String, _ series: Int) -> String {
        series == 0 ? colours[0] : "url(#\(esc(id))-pattern-\(series))"
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

    // MARK: scale and words

    /// The value axis's ticks, from 0 to the top: the given maximum, else the data and any reference line.
    static func axis(_ options: ChartOptions, _ values: [Double]) -> [Double] {
        if let maximum = options.maximum, maximum > 0 { return ticks(upTo: maximum, whole: options.counts) }
        return ticks(upTo: (values + [options.reference?.value ?? 0]).max() ?? 0, whole: options.counts)
    }

    /// "Nice" ticks from 0 to at least `highest`: a step of 1, 2, 2.5 or 5 times a power of ten, at most four steps
    /// (five ticks). For counts (`whole`) every tick is a whole number: 0, 1, 2, 3 for a highest of 3, never 0.75.
    static func ticks(upTo highest: Double, whole: Bool) -> [Double] {
        guard highest > 0, highest.isFinite else { return [0, 1] }
        let rough = highest / 4
        var magnitude = pow(10, log10(rough).rounded(.down))
        if whole { magnitude = max(magnitude, 1) }
        var step = 10 * magnitude
        for multiple in [1.0, 2, 2.5, 5, 10] {
            let candidate = multiple * magnitude
            if whole, candidate != candidate.rounded() { continue }
            if candidate >= rough * (1 - 1e-9) { step = candidate; break }
        }
        let count = max(1, Int((highest / step - 1e-9).rounded(.up)))
        return (0...count).map { Double($0) * step }
    }

    /// Words fitted into lines of at most `width` characters; a word longer than a line is split, never dropped,
    /// so the lines joined read the whole label.
    static func wrapped(_ text: String, width: Int) -> [String] {
        let width = max(width, 1)
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            var word = word
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if current.isEmpty { current = word }
            else if current.count + 1 + word.count <= width { current += " " + word }
            else { lines.append(current); current = word }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    static func number(_ value: Double, _ unit: String) -> String {
        let rounded = (value * 10).rounded() / 10
        return (rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)) + unit
    }

    static func text(_ value: ChartValue, _ unit: String) -> String {
        value.text ?? value.value.map { number($0, unit) } ?? "No data"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
    static func esc(_ text: String) -> String { HTML.escape(text) }
}
