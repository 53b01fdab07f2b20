import Domain

/// One person's work on their home page (issue "The work flows between people"): sections of things waiting on them,
/// counts first, each item a link, the most urgent first. Sections with something overdue come before the rest.
struct WorkQueue {
    /// How pressing an item is; the order a section lists its items in.
    enum Urgency: Int, Comparable {
        case overdue, dueSoon, waiting
        static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    struct Item {
        var label: String
        var href: String
        var detail: String
        var urgency: Urgency = .waiting
        /// "Overdue by 3 days", "Due 12 December"; empty when the item has no date.
        var when: String = ""
    }

    struct Section {
        /// Anchor for the counts at the top.
        var id: String
        var title: String
        /// Everything waiting, which may be more than `items` lists.
        var count: Int
        var items: [Item]
        /// The page with all of them, when there is one.
        var all: (href: String, text: String)? = nil
        /// Shown when nothing is waiting.
        var empty: String = "Nothing waiting."

        var mostUrgent: Urgency { items.map(\.urgency).min() ?? .waiting }
    }

    var sections: [Section] = []

    mutating func add(_ section: Section) { sections.append(section) }

    /// The sections, those with something overdue first (a stable order otherwise), each with its items most urgent first.
    var ordered: [Section] {
        sections.enumerated().sorted { a, b in
            let urgencyA = a.element.count == 0 ? Urgency.waiting : a.element.mostUrgent
            let urgencyB = b.element.count == 0 ? Urgency.waiting : b.element.mostUrgent
            return (urgencyA, a.offset) < (urgencyB, b.offset)
        }.map { pair in
            var section = pair.element
            section.items = section.items.enumerated().sorted { ($0.element.urgency, $0.offset) < ($1.element.urgency, $1.offset) }.map(\.element)
            return section
        }
    }

    /// The counts, each a link to its section, then each section that has something in it.
    var html: HTML {
        let ordered = ordered
        guard !ordered.isEmpty else { return .empty }
        let counts = ordered.map { section -> HTML in
            let title = section.title.prefix(1).lowercased() + section.title.dropFirst()
            return section.count == 0 ? "<li><span class=\"work-count\">0</span> \(title)</li>"
                : "<li><a href=\"#\(section.id)\"><span class=\"work-count\">\(section.count)</span> \(title)</a></li>"
        }
        let bodies = ordered.map { section -> HTML in
            let rows = section.items.map { item -> HTML in
                let tag: HTML = item.when.isEmpty ? .empty
                    : Components.tag(item.when, colour: item.urgency == .overdue ? "red" : (item.urgency == .dueSoon ? "" : "grey"))
                return "<li><a href=\"\(item.href)\">\(item.label)</a> \(tag)\(item.detail.isEmpty ? .empty : "<br><span class=\"hint\">\(item.detail)</span>" as HTML)</li>"
            }
            let more: HTML = section.all.map { "<p><a href=\"\($0.href)\">\($0.text)</a></p>" } ?? .empty
            return """
                <section class="work-section" aria-labelledby="\(section.id)">
                  <h2 id="\(section.id)">\(section.title) (\(section.count))</h2>
                  \(section.count == 0 ? "<p>\(section.empty)</p>" as HTML : "<ul class=\"list work-list\">\(rows)</ul>" as HTML)
                  \(more)
                </section>
                """
        }
        return """
            <h2 class="visually-hidden">Your work</h2>
            <ul class="work-counts">\(counts)</ul>
            \(bodies)
            """
    }
}
