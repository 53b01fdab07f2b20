/// A document laid out for printing or distribution as a PDF (minutes, reports). Pure data: the Documents
/// target renders it. Every string is plain text, never markup.
public struct PrintableDocument: Sendable, Equatable {
    /// Shown large on the first page, in every page header and as the PDF's metadata title.
    public var title: String
    /// Shown under the title on the first page; may be empty.
    public var subtitle: String
    /// The Government Security Classification marking, e.g. "OFFICIAL-SENSITIVE", centred in every header and footer.
    public var marking: String
    /// Handling conditions, shown boxed on the first page (omitted when empty).
    public var handlingConditions: [String]
    public var blocks: [PrintableBlock]
    /// Whose copy this is (a person and their agency), printed in every page footer beside the marking, so a copy
    /// that strays can be traced; empty for a document not issued to one person.
    public var copyFor: String

    public init(title: String, subtitle: String = "", marking: String, handlingConditions: [String] = [],
                blocks: [PrintableBlock] = [], copyFor: String = "") {
        self.copyFor = copyFor
        self.title = title
        self.subtitle = subtitle
        self.marking = marking
        self.handlingConditions = handlingConditions
        self.blocks = blocks
    }
}

/// One label and its value, e.g. "Chair" and the chair's name.
public struct PrintableKeyValue: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A piece of a printable document's body, flowed across pages in order.
public enum PrintableBlock: Sendable, Equatable {
    case heading(String)
    /// Line breaks inside the text are kept.
    case paragraph(String)
    /// Labels in a bold first column, values beside them.
    case keyValues([PrintableKeyValue])
    /// Rows shorter than the headers are padded with empty cells. The header row repeats on each page.
    case table(headers: [String], rows: [[String]])
    case bullets([String])
}
