import Domain
import Foundation

/// Writes a meeting as an iCalendar invitation (RFC 5545 for the format, RFC 5546 iTIP for REQUEST/CANCEL),
/// the text/calendar part that Outlook, Gmail and Apple Mail turn into an "accept / decline" invitation.
public enum ICalendar {
    public static let productID = "-//MAPPA Coordinator//Meeting secretariat//EN"

    /// The whole VCALENDAR object, CRLF line endings, folded at 75 octets. `stamp` is DTSTAMP: when the
    /// invitation was made (RFC 5546 §2.1.5 uses it with SEQUENCE to order updates), so pass the time it was
    /// queued, not the time of each delivery attempt.
    public static func render(_ event: CalendarEvent, stamp: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR",
            "PRODID:\(productID)",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:\(event.method.rawValue)",
            "BEGIN:VEVENT",
            "UID:\(text(event.uid))",
            "SEQUENCE:\(max(0, event.sequence))",
            "DTSTAMP:\(utc(stamp))",
            "DTSTART:\(utc(event.start))",
            "DTEND:\(utc(max(event.end, event.start)))",
            "SUMMARY:\(text(event.summary))",
        ]
        if !event.location.isEmpty { lines.append("LOCATION:\(text(event.location))") }
        if !event.details.isEmpty { lines.append("DESCRIPTION:\(text(event.details))") }
        lines.append("ORGANIZER\(commonName(event.organizer.name)):mailto:\(address(event.organizer.address))")
        for attendee in event.attendees {
            lines.append("ATTENDEE\(commonName(attendee.name));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
                         + ":mailto:\(address(attendee.address))")
        }
        lines += [
            "STATUS:\(event.method == .cancel ? "CANCELLED" : "CONFIRMED")",
            "TRANSP:OPAQUE",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        return lines.map(fold).joined()
    }

    /// A date-time in UTC ("FORM #2", RFC 5545 §3.3.5), so no VTIMEZONE is needed and every client agrees.
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
                      c.minute ?? 0, c.second ?? 0)
    }

    /// TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon and comma are escaped, a line break of any
    /// kind becomes `\n`, and other control characters (not allowed in TEXT) are dropped.
    static func text(_ value: String) -> String {
        var out = ""
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            case "\t": out += " "
            default:
                if scalar.properties.generalCategory == .control { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The CN parameter (RFC 5545 §3.2.2), quoted when the name holds a character that ends a parameter
    /// (`:` `;` `,`). A parameter value cannot contain DQUOTE or control characters at all (§3.1), so those are
    /// replaced or dropped; empty names are left out.
    static func commonName(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
            if scalar == "\"" { return "'" }
            return scalar.properties.generalCategory == .control ? nil : scalar
        })).trimmingCharacters(in: .whitespaces)
        if cleaned.isEmpty { return "" }
        return cleaned.contains(where: { ":;,".contains($0) }) ? ";CN=\"\(cleaned)\"" : ";CN=\(cleaned)"
    }

    /// A mailto address with anything that could break the line or the URI removed.
    static func address(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter {
            $0.properties.generalCategory != .control && $0 != " " && $0 != "<" && $0 != ">"
        }))
    }

    /// Folds one content line (RFC 5545 §3.1): no line longer than 75 octets excluding the CRLF; each
    /// continuation starts with one space. Splits fall between Unicode scalars, never inside a UTF-8 sequence:
    /// RFC 5545 notes that naive folding can cut one and only asks readers to cope, but not every reader does.
    /// Returns the line(s) with their CRLF.
    static func fold(_ line: String) -> String {
        var out = ""
        var octetsOnLine = 0
        for scalar in line.unicodeScalars {
            let size = UTF8.width(scalar)
            if octetsOnLine + size > 75 {
                out += "\r\n "
                octetsOnLine = 1
            }
            out.unicodeScalars.append(scalar)
            octetsOnLine += size
        }
        return out + "\r\n"
    }
}
