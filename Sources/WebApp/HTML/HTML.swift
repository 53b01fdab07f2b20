/// HTML that is safe to send. Literal text written in code is trusted; every interpolated `String` (or other
/// value) is escaped, and only interpolated `HTML` goes in as it is. So user data cannot become markup by
/// accident: `let page: HTML = "<p>\(name)</p>"` escapes `name`.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var rendered: String

    public init(stringLiteral value: String) { rendered = value }
    public init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }
    /// For markup built elsewhere and known to be safe (used by the builders below only).
    init(trusted: String) { rendered = trusted }
    public static let empty = HTML(trusted: "")

    public var description: String { rendered }

    public struct Interpolation: StringInterpolationProtocol {
        var output = ""
        public init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { output += literal }
        public mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        public mutating func appendInterpolation(_ html: [HTML]) { for item in html { output += item.rendered } }
        public mutating func appendInterpolation(_ html: HTML?) { if let html { output += html.rendered } }
        public mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        public mutating func appendInterpolation(_ text: String?) { if let text { output += HTML.escape(text) } }
        public mutating func appendInterpolation<T: CustomStringConvertible>(_ value: T) {
            output += HTML.escape(value.description)
        }
    }

    /// Escapes text for element content and quoted attribute values (OWASP: & < > " ').
    public static func escape(_ text: String) -> String {
        // Most text has nothing to escape: return it as it is. Otherwise work on UTF-8 bytes (the five characters
        // are ASCII, so no multi-byte sequence is split); a case page escapes hundreds of strings.
        let utf8 = text.utf8
        // The five characters are all below 0x3F: most bytes fail that one comparison.
        let needsEscaping = { (byte: UInt8) -> Bool in
            byte < 0x3F && (byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27)
        }
        let found = utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscaping) } ?? utf8.contains(where: needsEscaping)
        guard found else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(trusted: lhs.rendered + rhs.rendered) }
}

/// Markup written straight into bytes, for the long repeated parts of a page (a table's rows): literal markup is
/// copied as it is and text is escaped as it is copied, with no `String` made per piece. Built with `HTML`
/// interpolation, a search's 50 rows were some 900 appends and 300 strings, a sixth of the page's CPU.
///
/// The bytes live in memory this writer owns (freed in `deinit`), not in an `Array`: a page is about a thousand
/// appends of a few bytes each, and `Array.append(contentsOf:)` spent some 90 instructions a call on uniqueness and
/// capacity checks; here an append is one bounds check and a copy. It cannot be copied, so the memory has one owner.
struct HTMLWriter: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 256)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// What has been written, as UTF-8.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    /// Trusted markup written in code.
    mutating func markup(_ literal: StaticString) {
        literal.withUTF8Buffer { appendBytes($0) }
    }

    /// Markup already made safe.
    mutating func append(_ html: HTML) {
        var text = html.rendered
        text.withUTF8 { appendBytes($0) }
    }

    /// Text, escaped as `HTML.escape` does (& < > " ').
    mutating func text(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x3F {
                let entity: StaticString
                switch byte {
                case 0x26: entity = "&amp;"
                case 0x3C: entity = "&lt;"
                case 0x3E: entity = "&gt;"
                case 0x22: entity = "&quot;"
                case 0x27: entity = "&#39;"
                default: continue
                }
                appendBytes(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                markup(entity)
                runStart = index + 1
            }
            appendBytes(UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    /// A table cell of text.
    mutating func cell(_ content: String) {
        markup("<td class=\"table__cell\">")
        text(content)
        markup("</td>")
    }

    /// A table cell of markup.
    mutating func cell(_ content: HTML) {
        markup("<td class=\"table__cell\">")
        append(content)
        markup("</td>")
    }

    /// A table cell holding a link.
    mutating func cell(link content: String, href: String) {
        markup("<td class=\"table__cell\"><a href=\"")
        text(href)
        markup("\">")
        text(content)
        markup("</a></td>")
    }

    var html: HTML { HTML(trusted: String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)) }

    private mutating func appendBytes(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let source = utf8.baseAddress else { return }
        let length = utf8.count
        if count + length > capacity { grow(toHold: count + length) }
        (start + count).initialize(from: source, count: length)
        count += length
    }

    /// Doubles the memory (at least to `needed`), keeping what is written.
    private mutating func grow(toHold needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        larger.initialize(from: start, count: count)
        start.deallocate()
        start = larger
        capacity = newCapacity
    }
}

extension Array where Element == HTML {
    public func joined() -> HTML { HTML(trusted: map(\.rendered).joined()) }
    /// The pieces with `separator` (escaped, as any text is) between them.
    public func joined(separator: String) -> HTML { HTML(trusted: map(\.rendered).joined(separator: HTML.escape(separator))) }
}
