import Adapters
import Domain
import Foundation
import Testing

/// The invitation as RFC 5545 and calendar programs read it. Everything here is synthetic.
@Suite("iCalendar invitations")
struct ICalendarTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func event(method: CalendarMethod = .request, summary: String = "MAPPA Level 2 review",
                      details: String = "Review of the risk management plan", location: String = "Room 4, Central Police Station")
        -> CalendarEvent {
        CalendarEvent(uid: "meeting-17@mappa.example.invalid", sequence: 2, method: method,
                      start: date("2026-03-10T09:30:00Z"), end: date("2026-03-10T11:00:00Z"), summary: summary,
                      location: location, details: details,
                      organizer: Mailbox(name: "Casey Coordinator", address: "casey@mappa.example.invalid"),
                      attendees: [Mailbox(name: "Pat Probation", address: "pat@probation.example.invalid"),
                                  Mailbox(name: "Bloggs, Jo", address: "jo@housing.example.invalid")])
    }

    /// The content lines with folding undone (RFC 5545 §3.1: remove every CRLF followed by one space).
    /// Done on octets: a fold may fall between two scalars of one character (☂ and its variation selector), which
    /// Swift's character-wise string search would not match.
    static func unfolded(_ text: String) -> [String] {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            if index + 2 < input.count, input[index] == 0x0D, input[index + 1] == 0x0A, input[index + 2] == 0x20 {
                index += 3
                continue
            }
            bytes.append(input[index])
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test("every line ends in CRLF, with no bare CR or LF anywhere")
    func lineEndings() {
        let text = ICalendar.render(Self.event(details: "first line\nsecond line\r\nthird\rfourth"), stamp: Self.date("2026-03-01T08:00:00Z"))
        let bytes = Array(text.utf8)
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)") }
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
        }
        #expect(Self.unfolded(text).contains("DESCRIPTION:first line\\nsecond line\\nthird\\nfourth"))
    }

    @Test("long lines of multibyte text fold at 75 octets without splitting a UTF-8 sequence, and unfold to the original")
    func folding() throws {
        let summary = String(repeating: "Réunion de suivi — niveau 3 ☂️ 会議 ", count: 6)
        let text = ICalendar.render(Self.event(summary: summary), stamp: Self.date("2026-03-01T08:00:00Z"))
        var folds = 0
        for line in text.components(separatedBy: "\r\n") {
            let octets = Array(line.utf8)
            #expect(octets.count <= 75, "line of \(octets.count) octets: \(line)")
            if line.hasPrefix(" ") {
                folds += 1
                // A continuation never starts in the middle of a character.
                #expect(octets.count < 2 || (octets[1] & 0xC0) != 0x80, "continuation starts inside a UTF-8 sequence")
            }
            // Each physical line is whole UTF-8 on its own.
            #expect(String(validating: octets, as: UTF8.self) != nil)
        }
        #expect(folds >= 4)
        #expect(Self.unfolded(text).contains("SUMMARY:" + summary))
    }

    @Test("TEXT values escape backslash, semicolon, comma and line breaks")
    func escaping() {
        let text = ICalendar.render(Self.event(details: #"a\b; c, d"# + "\nnext", location: "Room 1; Floor 2, East"),
                                    stamp: Self.date("2026-03-01T08:00:00Z"))
        let lines = Self.unfolded(text)
        #expect(lines.contains(#"DESCRIPTION:a\\b\; c\, d\nnext"#))
        #expect(lines.contains(#"LOCATION:Room 1\; Floor 2\, East"#))
    }

    @Test("a request carries METHOD, UID, SEQUENCE, UTC times, ORGANIZER and an ATTENDEE per person")
    func request() {
        let lines = Self.unfolded(ICalendar.render(Self.event(), stamp: Self.date("2026-03-01T08:00:00Z")))
        #expect(lines.first == "BEGIN:VCALENDAR")
        #expect(lines.last == "END:VCALENDAR")
        for expected in ["VERSION:2.0", "PRODID:\(ICalendar.productID)", "METHOD:REQUEST", "BEGIN:VEVENT",
                         "UID:meeting-17@mappa.example.invalid", "SEQUENCE:2", "DTSTAMP:20260301T080000Z",
                         "DTSTART:20260310T093000Z", "DTEND:20260310T110000Z", "SUMMARY:MAPPA Level 2 review",
                         "ORGANIZER;CN=Casey Coordinator:mailto:casey@mappa.example.invalid",
                         "ATTENDEE;CN=Pat Probation;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:pat@probation.example.invalid",
                         "ATTENDEE;CN=\"Bloggs, Jo\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:jo@housing.example.invalid",
                         "STATUS:CONFIRMED", "END:VEVENT"] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        #expect(lines.filter { $0.hasPrefix("ATTENDEE") }.count == 2)
        #expect(lines.filter { $0.hasPrefix("BEGIN:VEVENT") }.count == 1)
    }

    @Test("a cancellation keeps the UID and says METHOD:CANCEL and STATUS:CANCELLED")
    func cancel() {
        var event = Self.event(method: .cancel)
        event.sequence = 3
        let lines = Self.unfolded(ICalendar.render(event, stamp: Self.date("2026-03-02T08:00:00Z")))
        #expect(lines.contains("METHOD:CANCEL"))
        #expect(lines.contains("STATUS:CANCELLED"))
        #expect(!lines.contains("STATUS:CONFIRMED"))
        #expect(lines.contains("UID:meeting-17@mappa.example.invalid"))
        #expect(lines.contains("SEQUENCE:3"))
    }

    @Test("line breaks and quotes in names and text cannot start a new property or break a parameter")
    func injection() {
        var event = Self.event(summary: "Review\r\nATTENDEE:mailto:intruder@example.invalid")
        event.organizer = Mailbox(name: "Casey \"The\" Coordinator\r\nX-EVIL:1", address: "casey@mappa.example.invalid\r\nX-EVIL:2")
        let lines = Self.unfolded(ICalendar.render(event, stamp: Self.date("2026-03-01T08:00:00Z")))
        #expect(!lines.contains { $0.hasPrefix("ATTENDEE:mailto:intruder") })
        #expect(!lines.contains { $0.hasPrefix("X-EVIL") })
        #expect(lines.contains("SUMMARY:Review\\nATTENDEE:mailto:intruder@example.invalid"))
        #expect(lines.contains("ORGANIZER;CN=\"Casey 'The' CoordinatorX-EVIL:1\":mailto:casey@mappa.example.invalidX-EVIL:2"))
    }
}
