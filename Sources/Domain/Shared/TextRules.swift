/// The one check of free text typed into the app: a length limit, and no control characters (line breaks and tabs only
/// in multi-line text), nor the invisible marks that reverse how text reads. Such characters have no place in a record
/// and can break what it is written into: a list, a PDF, a mail header, a CSV cell.
public enum TextRules {
    /// Whether `scalar` is refused: a control character (but line breaks and tabs where `allowingLineBreaks`), a line or
    /// paragraph separator, or a bidirectional override or isolate.
    public static func isRefused(_ scalar: Unicode.Scalar, allowingLineBreaks: Bool) -> Bool {
        if allowingLineBreaks && (scalar == "\n" || scalar == "\r" || scalar == "\t") { return false }
        switch scalar.value {
        case 0x2028, 0x2029, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068: return true
        default: return scalar.properties.generalCategory == .control
        }
    }

    public static func hasControlCharacters(_ text: String, allowingLineBreaks: Bool) -> Bool {
        text.unicodeScalars.contains { isRefused($0, allowingLineBreaks: allowingLineBreaks) }
    }

    /// A problem for the field when `text` is longer than `limit` characters or holds a refused character.
    public static func problem(_ text: String, field: String, label: String, limit: Int, multiline: Bool = false) -> ValidationProblem? {
        if text.count > limit { return ValidationProblem(field: field, message: "\(label) must be \(limit) characters or fewer") }
        if hasControlCharacters(text, allowingLineBreaks: multiline) {
            return ValidationProblem(field: field, message: "\(label) must not contain control characters")
        }
        return nil
    }
}
