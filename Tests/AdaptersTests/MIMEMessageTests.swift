import Adapters
import Domain
import Foundation
import Testing

/// A minimal reader for what `MIMEMessage` writes, so the tests check the message as a mail program would see it.
struct ParsedEntity {
    var headers: [(name: String, value: String)]
    var body: String

    init(_ text: String) {
        let split = text.range(of: "\r\n\r\n")!
        let headerText = String(text[..<split.lowerBound]).replacingOccurrences(of: "\r\n ", with: " ")
        headers = headerText.components(separatedBy: "\r\n").map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        body = String(text[split.upperBound...])
    }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    var boundary: String? {
        guard let type = header("Content-Type"), let range = type.range(of: "boundary=\"") else { return nil }
        return String(type[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The parts of a multipart body.
    var parts: [ParsedEntity] {
        guard let boundary else { return [] }
        let sections = body.components(separatedBy: "--\(boundary)")
        return sections.dropFirst().filter { !$0.hasPrefix("--") }.map { section in
            var text = section
            if text.hasPrefix("\r\n") { text.removeFirst() }  // "\r\n" is one Character in Swift
            if text.hasSuffix("\r\n") { text.removeLast() }
            return ParsedEntity(text)
        }
    }

    var decodedBody: [UInt8] {
        switch header("Content-Transfer-Encoding")?.lowercased() {
        case "base64": return Array(Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))!)
        case "quoted-printable": return MIMEMessageTests.decodeQuotedPrintable(body)
        default: return Array(body.utf8)
        }
    }
}

@Suite("MIME messages")
struct MIMEMessageTests {
    static let date = ISO8601DateFormatter().date(from: "2026-03-01T08:15:30Z")!
    static let from = Mailbox(name: "MAPPA Unit", address: "mappa@unit.example.invalid")

    static func decodeQuotedPrintable(_ text: String) -> [UInt8] {
        let joined = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var out: [UInt8] = []
        var index = 0
        while index < joined.count {
            if joined[index] == UInt8(ascii: "="), index + 2 < joined.count,
               let value = UInt8(String(decoding: joined[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                out.append(value)
                index += 3
            } else {
                out.append(joined[index])
                index += 1
            }
        }
        return out
    }

    static func render(_ mail: OutgoingMail) -> (bytes: [UInt8], entity: ParsedEntity) {
        let bytes = MIMEMessage.render(mail, messageID: "mappa-outbox-7@unit.example.invalid", date: date)
        return (bytes, ParsedEntity(String(decoding: bytes, as: UTF8.self)))
    }

    /// Every byte 7-bit, every line ending CRLF, no line over 998 characters (RFC 5322 §2.1.1).
    static func checkWireFormat(_ bytes: [UInt8]) {
        #expect(bytes.allSatisfy { $0 < 0x80 }, "8-bit byte in the message")
        var lineLength = 0
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A {
                #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)")
                lineLength = 0
            } else {
                if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
                lineLength += 1
                #expect(lineLength <= 1000)
            }
        }
    }

    @Test("a plain message has the RFC 5322 headers and a quoted-printable UTF-8 text part that decodes to the text")
    func plain() {
        let text = "Dear colleague,\n\nThe meeting moved to Room 4 — café level. Ünïcödé ✓\n.leading dot\nFrom here on\ntrailing space \n"
            + String(repeating: "a long line without breaks ", count: 10)
        let (bytes, message) = Self.render(OutgoingMail(from: Self.from, to: [Mailbox(name: "Pat Probation", address: "pat@probation.example.invalid")],
                                                        subject: "Meeting moved", text: text))
        Self.checkWireFormat(bytes)
        #expect(message.header("From") == "\"MAPPA Unit\" <mappa@unit.example.invalid>")
        #expect(message.header("To") == "\"Pat Probation\" <pat@probation.example.invalid>")
        #expect(message.header("Subject") == "Meeting moved")
        #expect(message.header("Date") == "Sun, 01 Mar 2026 08:15:30 +0000")
        #expect(message.header("Message-ID") == "<mappa-outbox-7@unit.example.invalid>")
        #expect(message.header("MIME-Version") == "1.0")
        #expect(message.header("Content-Type") == "text/plain; charset=UTF-8")
        #expect(message.header("Content-Transfer-Encoding") == "quoted-printable")
        for line in message.body.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "encoded line too long: \(line)")
            #expect(!line.hasPrefix("."), "a line starts with a dot")
            #expect(!line.hasPrefix("From "))
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"), "whitespace at the end of an encoded line")
        }
        // The encoded body always ends its last line; the text did not.
        let expected = text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        #expect(String(decoding: message.decodedBody, as: UTF8.self) == expected)
    }

    @Test("a non-ASCII subject and names become RFC 2047 encoded-words of at most 75 characters that decode back")
    func encodedWords() throws {
        let subject = "Réunion MAPPA niveau 3 — révision du plan de gestion des risques ☂️ 会議"
        let (bytes, message) = Self.render(OutgoingMail(from: Mailbox(name: "Zoë Ødegård", address: "zoe@unit.example.invalid"),
                                                        to: [Mailbox(name: "", address: "pat@probation.example.invalid")],
                                                        subject: subject, text: "x"))
        Self.checkWireFormat(bytes)
        let raw = String(decoding: bytes, as: UTF8.self)
        let headerBlock = String(raw[..<raw.range(of: "\r\n\r\n")!.lowerBound])
        // RFC 2047 §2: a line holding an encoded-word is at most 76 characters.
        for line in headerBlock.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76, "header line too long: \(line)") }
        let words = try #require(message.header("Subject")).split(separator: " ")
        #expect(words.count > 1)
        var decoded: [UInt8] = []
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = word.dropFirst(10).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(payload)))
            #expect(String(validating: Array(bytes), as: UTF8.self) != nil, "an encoded-word splits a character")
            decoded += bytes
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        #expect(message.header("From")!.hasPrefix("=?UTF-8?B?"))
        #expect(message.header("To") == "<pat@probation.example.invalid>")
    }

    @Test("CR and LF in the subject, names and addresses cannot add a header")
    func headerInjection() {
        let mail = OutgoingMail(from: Mailbox(name: "Unit\r\nBcc: a@evil.example.invalid", address: "mappa@unit.example.invalid"),
                                to: [Mailbox(name: "Pat\nBcc: b@evil.example.invalid", address: "pat@probation.example.invalid\r\nBcc: c@evil.example.invalid")],
                                subject: "Hello\r\nBcc: d@evil.example.invalid\r\n\r\nInjected body", text: "body",
                                replyTo: Mailbox(name: "Casey\r\nX-Injected: 1", address: "casey@unit.example.invalid"))
        let (bytes, message) = Self.render(mail)
        Self.checkWireFormat(bytes)
        let names = message.headers.map { $0.name.lowercased() }
        #expect(!names.contains("bcc"))
        #expect(!names.contains("x-injected"))
        #expect(Set(names) == ["from", "to", "reply-to", "subject", "date", "message-id", "mime-version", "content-type",
                               "content-transfer-encoding"])
        #expect(message.body.hasPrefix("body"))
    }

    static let event = CalendarEvent(
        uid: "meeting-17@mappa.example.invalid", sequence: 0, method: .request,
        start: ISO8601DateFormatter().date(from: "2026-03-10T09:30:00Z")!, end: ISO8601DateFormatter().date(from: "2026-03-10T11:00:00Z")!,
        summary: "MAPPA Level 2 review", location: "Room 4", details: "Review", organizer: from,
        attendees: [Mailbox(name: "Pat Probation", address: "pat@probation.example.invalid")])

    @Test("an invitation is text and text/calendar alternatives plus invite.ics, both holding the rendered event")
    func invitation() throws {
        let mail = OutgoingMail(from: Self.from, to: [Mailbox(name: "Pat Probation", address: "pat@probation.example.invalid")],
                                subject: "Invitation: MAPPA Level 2 review", text: "You are invited.", calendar: Self.event)
        let (bytes, message) = Self.render(mail)
        Self.checkWireFormat(bytes)
        #expect(message.header("Content-Type")?.hasPrefix("multipart/mixed;") == true)
        let parts = message.parts
        try #require(parts.count == 2)
        #expect(parts[0].header("Content-Type")?.hasPrefix("multipart/alternative;") == true)
        let alternatives = parts[0].parts
        try #require(alternatives.count == 2)
        #expect(alternatives[0].header("Content-Type") == "text/plain; charset=UTF-8")
        #expect(String(decoding: alternatives[0].decodedBody, as: UTF8.self) == "You are invited.")
        #expect(alternatives[1].header("Content-Type") == "text/calendar; charset=UTF-8; method=REQUEST")
        let calendar = ICalendar.render(Self.event, stamp: Self.date)
        #expect(String(decoding: alternatives[1].decodedBody, as: UTF8.self) == calendar)
        #expect(parts[1].header("Content-Type") == "application/ics; name=\"invite.ics\"")
        #expect(parts[1].header("Content-Disposition") == "attachment; filename=\"invite.ics\"")
        #expect(String(decoding: parts[1].decodedBody, as: UTF8.self) == calendar)

        var cancelled = mail
        cancelled.calendar?.method = .cancel
        let cancelParts = Self.render(cancelled).entity.parts
        #expect(cancelParts[0].parts[1].header("Content-Type") == "text/calendar; charset=UTF-8; method=CANCEL")
    }

    @Test("attachments are base64 with their filename; a non-ASCII name also goes in RFC 2231 form; odd types become octet-stream")
    func attachments() throws {
        let pdf: [UInt8] = Array("%PDF-1.4 synthetic".utf8) + (0..<300).map { UInt8($0 % 256) }
        let mail = OutgoingMail(from: Self.from, to: [Mailbox(name: "", address: "pat@probation.example.invalid")],
                                subject: "Minutes", text: "Attached.", attachments: [
                                    MailAttachment(filename: "minutes.pdf", contentType: "application/pdf", data: pdf),
                                    MailAttachment(filename: "Procès-verbal \"final\".txt", contentType: "text/plain\r\nX-Evil: 1", data: Array("ok".utf8)),
                                ])
        let (bytes, message) = Self.render(mail)
        Self.checkWireFormat(bytes)
        let parts = message.parts
        try #require(parts.count == 3)
        #expect(parts[0].header("Content-Type") == "text/plain; charset=UTF-8")
        #expect(parts[1].header("Content-Type") == "application/pdf")
        #expect(parts[1].header("Content-Disposition") == "attachment; filename=\"minutes.pdf\"")
        #expect(parts[1].decodedBody == pdf)
        #expect(parts[2].header("Content-Type") == "application/octet-stream")
        #expect(parts[2].header("X-Evil") == nil)
        let disposition = try #require(parts[2].header("Content-Disposition"))
        #expect(disposition.contains("filename=\"Proc_s-verbal _final_.txt\""))
        #expect(disposition.contains("filename*=UTF-8''Proc%C3%A8s-verbal%20%22final%22.txt"))
        #expect(parts[2].decodedBody == Array("ok".utf8))
    }

    @Test("mail survives a JSON round trip, attachments as base64 text")
    func codable() throws {
        let mail = OutgoingMail(from: Self.from, to: [Mailbox(name: "Pat", address: "pat@probation.example.invalid")],
                                subject: "S", text: "T", calendar: Self.event,
                                attachments: [MailAttachment(filename: "a.bin", contentType: "application/octet-stream", data: [0, 1, 255])])
        let json = try JSONEncoder().encode(mail)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let attachments = try #require(object["attachments"] as? [[String: Any]])
        #expect(attachments.first?["data"] as? String == "AAH/")
        #expect(try JSONDecoder().decode(OutgoingMail.self, from: json) == mail)
    }

    @Test("SMTP settings never put the password in JSON, descriptions or dumps")
    func settingsHidePassword() throws {
        let settings = SMTPSettings(host: "smtp.example.invalid", port: 587, username: "mappa", password: "hunter2-secret",
                                    security: .starttls, fromAddress: "mappa@unit.example.invalid", fromName: "MAPPA")
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        #expect(!json.contains("hunter2"))
        #expect(!settings.description.contains("hunter2"))
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(!String(describing: settings).contains("hunter2") && !String(reflecting: settings).contains("hunter2"))
        var decoded = try JSONDecoder().decode(SMTPSettings.self, from: Data(json.utf8))
        #expect(decoded.password == "")
        decoded.password = settings.password
        #expect(decoded == settings)
        #expect(settings.problems().isEmpty)
        #expect(Set(SMTPSettings(host: "smtp://x/", port: 0, fromAddress: "nobody").problems().map(\.field)) == ["host", "port", "from_address"])
    }
}
