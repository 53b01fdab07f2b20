import Foundation

/// Decoding of request bodies: `application/x-www-form-urlencoded` (WHATWG URL standard, §5) and
/// `multipart/form-data` (RFC 7578). Malformed input is a 400 with a message a person can act on.
public enum FormParsing {
    /// The most fields a urlencoded form may have: far above any page's form, far below an attack's millions.
    public static let maxFields = 2_000
    /// The most parts a multipart form may have (a file, the CSRF token and a few options).
    public static let maxParts = 20

    public static let tooManyFields = HTTPError(status: 413, code: "too_many_fields",
        description: "The form has more than \(maxFields) fields, more than this server accepts")
    public static let tooManyParts = HTTPError(status: 413, code: "too_many_parts",
        description: "The uploaded form has more than \(maxParts) parts, more than this server accepts")

    /// Decodes `a=1&b=two+words&c=%C3%A9` into ordered pairs. '+' is a space; invalid percent-encoding or
    /// invalid UTF-8 is an error rather than silently altered data. More than `maxFields` fields is refused
    /// after one count of the separators, before anything is decoded.
    public static func urlEncoded(_ bytes: [UInt8]) throws(HTTPError) -> [(String, String)] {
        var separators = 0
        for byte in bytes where byte == UInt8(ascii: "&") {
            separators += 1
            if separators >= maxFields { throw tooManyFields }
        }
        var pairs: [(String, String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decodeComponent(pieces[0])
            let value = pieces.count > 1 ? try decodeComponent(pieces[1]) : ""
            try refuseNUL(name: name, value: value)
            pairs.append((name, value))
        }
        return pairs
    }

    public static func urlEncoded(_ text: String) throws(HTTPError) -> [(String, String)] {
        try urlEncoded(Array(text.utf8))
    }

    static func decodeComponent(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                    throw HTTPError.badRequest("The form data is not encoded correctly", code: "bad_encoding")
                }
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw notUTF8 }
        return text
    }

    static let notUTF8 = HTTPError.badRequest("The form could not be read as UTF-8 text. Go back and type the text again.",
                                              code: "bad_encoding")

    /// No field may hold a NUL: it has no place in text and is where C strings end, so a value holding one would be
    /// cut short by whatever stores it. The field is named; other control characters are refused field by field
    /// (TextRules), where line breaks may be allowed.
    static func refuseNUL(name: String, value: String) throws(HTTPError) {
        guard name.utf8.contains(0) || value.utf8.contains(0) else { return }
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: name.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(60))
        throw HTTPError(status: 422, code: "control_character",
                        description: "The field “\(String(shown))” contains a NUL control character, which is not allowed. Go back and remove it.")
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }

    /// The value of a parameter in a header such as `multipart/form-data; boundary="x"`.
    static func headerParameter(_ header: String, _ name: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2, pieces[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pieces[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// Splits a multipart/form-data body into fields and files (RFC 7578). Fields must be UTF-8 text.
    public static func multipart(_ body: [UInt8], boundary: String) throws(HTTPError) -> FormData {
        let malformed = HTTPError.badRequest("The uploaded form is malformed", code: "bad_multipart")
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else { throw malformed }
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var searchFrom = 0
        while let found = find(delimiter, in: body, from: searchFrom) {
            // n parts have n + 1 delimiters (the last one closing).
            guard positions.count <= maxParts else { throw tooManyParts }
            positions.append(found)
            searchFrom = found + delimiter.count
        }
        guard positions.count >= 2 else { throw malformed }
        var form = FormData()
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            // Skip the CRLF after the delimiter line.
            if partStart + 1 < body.count, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            else if partStart < body.count, body[partStart] == 10 { partStart += 1 }
            var partEnd = end
            // Drop the CRLF that precedes the next delimiter.
            if partEnd >= 2, body[partEnd - 2] == 13, body[partEnd - 1] == 10 { partEnd -= 2 }
            else if partEnd >= 1, body[partEnd - 1] == 10 { partEnd -= 1 }
            guard partStart <= partEnd else { throw malformed }
            let part = Array(body[partStart..<partEnd])
            let separator: [UInt8] = [13, 10, 13, 10]
            let headerEnd: Int
            let contentStart: Int
            if let crlf = find(separator, in: part, from: 0) {
                headerEnd = crlf
                contentStart = crlf + 4
            } else if let lf = find([10, 10], in: part, from: 0) {
                headerEnd = lf
                contentStart = lf + 2
            } else {
                throw malformed
            }
            guard let headerText = String(validating: part[0..<headerEnd], as: UTF8.self) else { throw malformed }
            var disposition = ""
            var contentType = "text/plain"
            for line in headerText.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2 else { continue }
                let name = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
                let value = pieces[1].trimmingCharacters(in: .whitespaces)
                if name == "content-disposition" { disposition = value }
                if name == "content-type" { contentType = value }
            }
            guard disposition.lowercased().hasPrefix("form-data"), let name = headerParameter(disposition, "name") else {
                throw malformed
            }
            let content = Array(part[contentStart...])
            if let filename = headerParameter(disposition, "filename") {
                form.files.append(UploadedFile(fieldName: name, filename: filename, contentType: contentType, data: content))
            } else {
                guard let value = String(validating: content, as: UTF8.self) else { throw notUTF8 }
                try refuseNUL(name: name, value: value)
                form.fields.append((name: name, value: value))
            }
        }
        return form
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

extension Request {
    /// The body's form fields, by its Content-Type: urlencoded or multipart. Anything else is a 415.
    public func form() throws(HTTPError) -> FormData {
        let contentType = headers["Content-Type"] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "application/x-www-form-urlencoded":
            return FormData(fields: try FormParsing.urlEncoded(body))
        case "multipart/form-data":
            guard let boundary = FormParsing.headerParameter(contentType, "boundary") else {
                throw HTTPError.badRequest("The uploaded form has no boundary", code: "bad_multipart")
            }
            return try FormParsing.multipart(body, boundary: boundary)
        case "" where body.isEmpty:
            return FormData()
        default:
            throw HTTPError(status: 415, code: "unsupported_media_type",
                            description: "Send the form as application/x-www-form-urlencoded or multipart/form-data")
        }
    }
}
