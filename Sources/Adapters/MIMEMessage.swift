import Domain
import Foundation

/// Renders an `OutgoingMail` as an Internet message ready for SMTP DATA: RFC 5322 headers, MIME body parts
/// (RFC 2045–2047, 2231), CRLF line endings, 7-bit clean so no server needs 8BITMIME or SMTPUTF8.
///
/// Shape, as Google Calendar and Outlook send invitations so every client shows accept/decline buttons:
///
///     multipart/mixed
///       multipart/alternative
///         text/plain; charset=UTF-8            (quoted-printable)
///         text/calendar; method=REQUEST        (base64; only with a calendar event)
///       application/ics invite.ics             (the same event as a file, for clients that ignore the above)
///       attachments…                           (base64)
///
/// A plain message without calendar or attachments is just the text/plain part.
///
/// Header injection is impossible by construction: every value put into a header has CR, LF and other control
/// characters replaced before use, and non-ASCII text only ever appears as RFC 2047 encoded-words or RFC 2231
/// parameters.
public enum MIMEMessage {
    /// The boundaries contain "=_", which neither quoted-printable (it encodes "=") nor base64 can produce, so they
    /// cannot occur inside an encoded part (RFC 2046 §5.1.1).
    static let mixedBoundary = "=_mappa_mixed_7f3a"
    static let alternativeBoundary = "=_mappa_alt_7f3a"

    public static func render(_ mail: OutgoingMail, messageID: String, date: Date) -> [UInt8] {
        var headers: [String] = []
        headers.append(addressHeader("From", [mail.from]))
        headers.append(addressHeader("To", mail.to))
        if let replyTo = mail.replyTo { headers.append(addressHeader("Reply-To", [replyTo])) }
        headers.append(unstructuredHeader("Subject", mail.subject))
        headers.append("Date: \(rfc5322Date(date))")
        headers.append("Message-ID: <\(messageIDValue(messageID))>")
        headers.append("MIME-Version: 1.0")

        let textPart = Part(headers: ["Content-Type: text/plain; charset=UTF-8",
                                      "Content-Transfer-Encoding: quoted-printable"],
                            body: quotedPrintable(Array(mail.text.utf8)))
        var parts: [Part] = []
        if let event = mail.calendar {
            let calendar = Array(ICalendar.render(event, stamp: date).utf8)
            let method = event.method.rawValue
            let alternative = multipart("alternative", boundary: alternativeBoundary, [
                textPart,
                Part(headers: ["Content-Type: text/calendar; charset=UTF-8; method=\(method)",
                               "Content-Transfer-Encoding: base64"], body: base64(calendar)),
            ])
            parts.append(alternative)
            parts.append(Part(headers: ["Content-Type: application/ics; name=\"invite.ics\"",
                                        "Content-Disposition: attachment; filename=\"invite.ics\"",
                                        "Content-Transfer-Encoding: base64"], body: base64(calendar)))
        } else {
            parts.append(textPart)
        }
        for attachment in mail.attachments {
            parts.append(attachmentPart(attachment))
        }
        let body = parts.count == 1 ? parts[0] : multipart("mixed", boundary: mixedBoundary, parts)
        let message = (headers + body.headers).joined(separator: "\r\n") + "\r\n\r\n" + body.body
        return Array(message.utf8)
    }

    /// A MIME entity: its own headers and an already-encoded, 7-bit body ending in CRLF.
    struct Part {
        var headers: [String]
        var body: String
    }

    static func multipart(_ subtype: String, boundary: String, _ parts: [Part]) -> Part {
        var body = ""
        for part in parts {
            body += "--\(boundary)\r\n" + part.headers.joined(separator: "\r\n") + "\r\n\r\n" + part.body
        }
        body += "--\(boundary)--\r\n"
        return Part(headers: ["Content-Type: multipart/\(subtype); boundary=\"\(boundary)\""], body: body)
    }

    static func attachmentPart(_ attachment: MailAttachment) -> Part {
        let name = String(oneLine(attachment.filename).prefix(120))
        let fallback = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" ? Character(scalar) : "_"
        })
        let type = validContentType(attachment.contentType) ? attachment.contentType.lowercased() : "application/octet-stream"
        var disposition = "Content-Disposition: attachment;\r\n filename=\"\(fallback.isEmpty ? "attachment" : fallback)\""
        if name.unicodeScalars.contains(where: { !$0.isASCII }) {
            // RFC 2231 §4: charset, empty language, percent-encoded octets.
            let encoded = name.utf8.map { byte -> String in
                let c = Character(Unicode.Scalar(byte))
                return byte < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c)) ? String(c) : String(format: "%%%02X", byte)
            }.joined()
            disposition += ";\r\n filename*=UTF-8''\(encoded)"
        }
        return Part(headers: ["Content-Type: \(type)", disposition, "Content-Transfer-Encoding: base64"],
                    body: base64(attachment.data))
    }

    /// type "/" subtype, each an RFC 2045 token.
    static func validContentType(_ value: String) -> Bool {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, value.utf8.count <= 127 else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&^_.+-")
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(allowed.contains) }
    }

    // MARK: headers

    /// Replaces CR, LF and every other control character with a space: a header value is always one line.
    static func oneLine(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
    }

    /// A bare address for the angle brackets: controls, spaces, brackets, quotes and commas removed.
    static func bareAddress(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter {
            $0.properties.generalCategory != .control && !" <>\",;()\\".unicodeScalars.contains($0)
        }))
    }

    /// `"Name" <address>`, or encoded-words for a non-ASCII name (RFC 2047 §5(3)): as tokens for folding.
    static func mailboxTokens(_ mailbox: Mailbox) -> [String] {
        let name = String(oneLine(mailbox.name).trimmingCharacters(in: .whitespaces).prefix(200))
        let address = "<\(bareAddress(mailbox.address))>"
        if name.isEmpty { return [address] }
        if name.unicodeScalars.allSatisfy(\.isASCII), !name.contains("=?") {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ["\"\(quoted)\"", address]
        }
        return encodedWords(name) + [address]
    }

    static func addressHeader(_ field: String, _ mailboxes: [Mailbox]) -> String {
        var tokens: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var mailboxTokens = mailboxTokens(mailbox)
            if index < mailboxes.count - 1 { mailboxTokens[mailboxTokens.count - 1] += "," }
            tokens += mailboxTokens
        }
        return fold(field, tokens)
    }

    /// Subject and other free text (RFC 5322 §3.2.5 unstructured): as it is when plain ASCII, otherwise as
    /// base64 encoded-words in UTF-8 (RFC 2047 §4.1).
    static func unstructuredHeader(_ field: String, _ value: String) -> String {
        let line = oneLine(value)
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if line.unicodeScalars.allSatisfy(\.isASCII), !line.contains("=?"), words.allSatisfy({ $0.utf8.count <= 900 }) {
            return fold(field, words)
        }
        return fold(field, encodedWords(line))
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters (RFC 2047 §2; ours are at most 52), each holding whole characters: a word never
    /// ends inside a UTF-8 sequence (§5 rule 3).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            // 30 octets make 40 base64 characters, 52 with "=?UTF-8?B?" and "?=": short enough that the first word
            // fits on the field's own line within 76 characters (§2), after "Reply-To: " say.
            if chunk.count + bytes.count > 30 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// Joins tokens with single spaces, starting a continuation line (CRLF then the space, RFC 5322 §2.2.3)
    /// instead whenever the line would pass 76 characters (RFC 2047 §2's limit for lines with encoded-words,
    /// within RFC 5322's 78).
    static func fold(_ field: String, _ tokens: [String]) -> String {
        var out = "\(field):"
        var lineLength = out.utf8.count
        for token in tokens {
            // Never fold before an empty token: a continuation line of only whitespace is not allowed (§3.2.2).
            if lineLength + 1 + token.utf8.count > 76 && lineLength > field.utf8.count + 1 && !token.isEmpty {
                out += "\r\n " + token
                lineLength = 1 + token.utf8.count
            } else {
                out += " " + token
                lineLength += 1 + token.utf8.count
            }
        }
        return out
    }

    /// The id-left "@" id-right of a Message-ID (RFC 5322 §3.6.4), made up when the value given is not one.
    static func messageIDValue(_ value: String) -> String {
        let cleaned = bareAddress(value)
        let parts = cleaned.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { return cleaned }
        let left = cleaned.replacingOccurrences(of: "@", with: ".")
        return (left.isEmpty ? "message" : left) + "@mappa.invalid"
    }

    /// RFC 5322 §3.3 date-time in UTC, English day and month names whatever the locale.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.weekday, .year, .month, .day, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d +0000", days[(c.weekday ?? 1) - 1], c.day ?? 1,
                      months[(c.month ?? 1) - 1], c.year ?? 1970, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    // MARK: body encodings

    /// Base64 in lines of 76 characters (RFC 2045 §6.8), each ending in CRLF.
    static func base64(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var out = ""
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            out += encoded[index..<end] + "\r\n"
            index = end
        }
        return out
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks (CRLF, CR or LF) become CRLF. Encoded lines
    /// are at most 76 characters (soft breaks "=" otherwise); spaces and tabs before a line end are encoded
    /// (rule 3); a "." or "From " starting a line is encoded too, so no SMTP server or mbox reader can mistake
    /// the line for the end of DATA or a message separator.
    static func quotedPrintable(_ bytes: [UInt8]) -> String {
        var lines: [[UInt8]] = [[]]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                lines.append([])
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                lines[lines.count - 1].append(byte)
            }
            index += 1
        }
        // A final line break ends the last line rather than starting an empty one.
        if lines.count > 1, lines[lines.count - 1].isEmpty { lines.removeLast() }
        var out = ""
        for line in lines {
            var current = ""
            for (position, byte) in line.enumerated() {
                let isLast = position == line.count - 1
                let startsLine = current.isEmpty
                var token: String
                switch byte {
                case 0x20, 0x09:
                    token = isLast ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
                case 0x3D:
                    token = "=3D"
                case 33...126:
                    token = String(UnicodeScalar(byte))
                default:
                    token = String(format: "=%02X", byte)
                }
                if startsLine, byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "F") && line[position...].starts(with: Array("From ".utf8))) {
                    token = String(format: "=%02X", byte)
                }
                // Leave room for the soft break's "=" (76 in all); the last token of the line needs no room.
                let limit = isLast ? 76 : 75
                if current.utf8.count + token.utf8.count > limit {
                    out += current + "=\r\n"
                    current = ""
                    if byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "F") && line[position...].starts(with: Array("From ".utf8))) {
                        token = String(format: "=%02X", byte)
                    }
                }
                current += token
            }
            out += current + "\r\n"
        }
        return out
    }
}
