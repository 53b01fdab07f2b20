import Domain
import Foundation
import Testing
import TestSupport
@testable import WebApp

/// Charts a reader can trust: count axes in whole numbers, every label whole, the year before charted and named.
@Suite("Charts")
struct ChartTests {
    @Test("count axes tick whole numbers only, in nice steps, up to at least the highest value")
    func wholeTicks() {
        #expect(Charts.ticks(upTo: 1, whole: true) == [0, 1], "one event: never 0.25, 0.5, 0.75")
        #expect(Charts.ticks(upTo: 3, whole: true) == [0, 1, 2, 3])
        #expect(Charts.ticks(upTo: 4, whole: true) == [0, 1, 2, 3, 4])
        #expect(Charts.ticks(upTo: 7, whole: true) == [0, 2, 4, 6, 8])
        #expect(Charts.ticks(upTo: 12, whole: true) == [0, 5, 10, 15])
        #expect(Charts.ticks(upTo: 100, whole: true) == [0, 25, 50, 75, 100])
        #expect(Charts.ticks(upTo: 1234, whole: true) == [0, 500, 1000, 1500])
        #expect(Charts.ticks(upTo: 0, whole: true) == [0, 1], "nothing to count still draws an axis")
        for highest in stride(from: 0.5, through: 400, by: 0.5) {
            let ticks = Charts.ticks(upTo: highest, whole: true)
            #expect(ticks.allSatisfy { $0 == $0.rounded() }, "whole ticks for \(highest): \(ticks)")
            #expect(ticks.last! >= highest && ticks.count <= 6 && ticks.count >= 2, "\(highest): \(ticks)")
        }
    }

    @Test("other axes may tick fractions, still in nice steps")
    func fractionTicks() {
        #expect(Charts.ticks(upTo: 1, whole: false) == [0, 0.25, 0.5, 0.75, 1])
        #expect(Charts.ticks(upTo: 3.2, whole: false) == [0, 1, 2, 3, 4])
        #expect(Charts.ticks(upTo: 100, whole: false) == [0, 25, 50, 75, 100])
    }

    @Test("labels wrap at word breaks into lines that read the whole label, never cut")
    func wrapping() {
        #expect(Charts.wrapped("Returned to custody for breach of licence", width: 28) == ["Returned to custody for", "breach of licence"])
        #expect(Charts.wrapped("Returned to custody for breach of SHPO, SOPO or SRO", width: 28) == ["Returned to custody for", "breach of SHPO, SOPO or SRO"])
        #expect(Charts.wrapped("Category 1", width: 28) == ["Category 1"])
        #expect(Charts.wrapped("", width: 28) == [""])
        #expect(Charts.wrapped("Supercalifragilistic word", width: 8) == ["Supercal", "ifragili", "stic", "word"], "a long word is split, not dropped")
        for type in MappaEventType.allCases {
            let lines = Charts.wrapped(type.displayName, width: 28)
            #expect(lines.joined(separator: " ") == type.displayName)
            #expect(lines.allSatisfy { $0.count <= 28 })
        }
    }

    @Test("a bar chart draws each label as tspan lines, the series named in a legend, and the same figures in its table")
    func groupedBars() {
        let html = Charts.bars(
            ChartOptions(id: "test-chart", title: "Events", summary: "Events by type.", counts: true),
            [ChartSeries(name: "2025/26", values: [ChartValue("Returned to custody for breach of licence", 3), ChartValue("Charged with a serious further offence", 1)]),
             ChartSeries(name: "2024/25", values: [ChartValue("Returned to custody for breach of licence", 1), ChartValue("Charged with a serious further offence", nil)])]
        ).rendered
        let svg = Self.svgs(html)
        #expect(svg.count == 1)
        #expect(Self.ticks(svg[0]) == ["0", "1", "2", "3"])
        #expect(Self.labels(svg[0]) == ["Returned to custody for breach of licence", "Charged with a serious further offence"])
        #expect(Self.legend(svg[0]) == ["2025/26", "2024/25"])
        #expect(svg[0].contains("url(#test-chart-pattern-1)"), "the year before is hatched, not told apart by colour alone")
        #expect(!html.contains("…"))
        #expect(html.contains("<th scope=\"col\" class=\"table__header\">2024/25</th>"))
        #expect(Self.tableRow(html, "Charged with a serious further offence") == ["1", "No data"])
        #expect(svg[0].contains("Returned to custody for breach of licence: 2025/26 3, 2024/25 1; Charged with a serious further offence: 2025/26 1, 2024/25 No data"),
                "the description reads every figure of both series")
    }

    @Test("the annual report charts this year and the year before, in whole numbers, with whole labels", arguments: DatabaseKind.available)
    func annualCharts(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        _ = try StatisticsRouteTests.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/statistics/events/import").status == 200)
        let file = [StatisticsRouteTests.header,
                    "E1,returned_to_custody_licence,2025-06-01,2,Recall",
                    "E2,returned_to_custody_licence,2026-03-31,3,",
                    "E2,returned_to_custody_licence,2025-03-01,3,",
                    "E3,shpo,2025-09-09,,",
                    "E1,shpo,2025-03-31,,Before the year"].joined(separator: "\n")
        _ = try RegisterImportTests.finished(coordinator, coordinator.upload(
            "/statistics/events/import", fields: [], fileField: "events", filename: "events.csv", data: Array(file.utf8)))
        let page = coordinator.get("/statistics/annual?year_ending=2026-03-31")
        #expect(page.status == 200)
        let svgs = Self.svgs(page.bodyText)
        #expect(svgs.count == 2)
        for svg in svgs {
            let ticks = Self.ticks(svg)
            #expect(!ticks.isEmpty && ticks.allSatisfy { Int($0) != nil }, "count axes tick whole numbers: \(ticks)")
            #expect(Self.legend(svg) == ["2025/26 (this year)", "2024/25 (the year before)"])
            #expect(!svg.contains("…"))
        }
        #expect(Self.labels(svgs[1]) == MappaEventType.allCases.map(\.displayName), "every event's label whole")
        #expect(Self.labels(svgs[0]) == (1...4).map { "Category \($0)" })
        // The table beside the chart has the same figures: 2 returns in 2025/26, 1 in 2024/25.
        let figure = try #require(Self.matches("(<figure class=\"chart\" id=\"events-in-year\">[\\s\\S]*?</figure>)", in: page.bodyText).first)
        #expect(figure.contains(">2024/25 (the year before)</th>"), "the table has a column for each year")
        #expect(Self.tableRow(figure, "Returned to custody for breach of licence") == ["2", "1"])
        #expect(Self.tableRow(figure, "Sexual Harm Prevention Order imposed") == ["1", "1"])
        #expect(svgs[1].contains("Returned to custody for breach of licence: 2025/26 (this year) 2, 2024/25 (the year before) 1"))
        #expect(!page.bodyText.contains("…"))
    }

    // MARK: reading the SVG

    static func svgs(_ html: String) -> [String] { matches("(<svg class=\"chart__image\"[\\s\\S]*?</svg>)", in: html) }
    static func ticks(_ svg: String) -> [String] { matches("<text class=\"chart__tick\"[^>]*>([^<]*)</text>", in: svg) }
    static func labels(_ svg: String) -> [String] {
        matches("<text class=\"chart__label\"[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>", in: svg).map { spans in
            matches("<tspan[^>]*>([^<]*)</tspan>", in: spans).joined(separator: " ")
        }
    }
    static func legend(_ svg: String) -> [String] {
        matches("<g class=\"chart__legend-item\">[\\s\\S]*?<text[^>]*>([^<]*)</text></g>", in: svg)
    }
    static func tableRow(_ html: String, _ header: String) -> [String] {
        guard let row = matches("<tr[^>]*><td[^>]*>\(NSRegularExpression.escapedPattern(for: header))</td>([\\s\\S]*?)</tr>", in: html).last else { return [] }
        return matches("<td[^>]*>([^<]*)</td>", in: row)
    }
    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
