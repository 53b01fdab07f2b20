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

/// Copies strings' UTF-8 one after another into a buffer sized beforehand (`String(unsafeUninitializedCapacity:)`).
struct UTF8Writer {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var written = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// Writes `text`; the caller sized the buffer for everything it writes.
    mutating func write(_ text: String) {
        let start = written
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            precondition(start + bytes.count <= buffer.count, "UTF8Writer: the buffer is too small")
            if let source = bytes.baseAddress, let target = buffer.baseAddress {
                UnsafeMutableRawPointer(target + start).copyMemory(from: source, byteCount: bytes.count)
            }
            return bytes.count
        }
        if let copied {
            written += copied
        } else {
            for byte in text.utf8 {
                precondition(written < buffer.count, "UTF8Writer: the buffer is too small")
                buffer[written] = byte
                written += 1
            }
        }
    }
}

extension Array where Element == HTML {
    public func joined() -> HTML { HTML(trusted: map(\.rendered).joined()) }
}
