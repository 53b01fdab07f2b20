import Foundation

/// A person's (or the service's) name and email address, as in `"Jo Bloggs" <jo.bloggs@example.org>`.
public struct Mailbox: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var address: String
    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }

    /// A cheap plausibility check of an address before it is queued: one `@` with text either side, no spaces,
    /// control characters or angle brackets (which would break the SMTP envelope, RFC 5321 §4.1.2), at most 254
    /// octets (RFC 5321 §4.5.3.1 with the path's brackets). It does not prove the mailbox exists: the mail server
    /// decides that.
    public static func isPlausibleAddress(_ address: String) -> Bool {
        let octets = Array(address.utf8)
        guard !octets.isEmpty, octets.count <= 254 else { return false }
        guard octets.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
                                  && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "\"") })
        else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 1, !parts[1].hasPrefix("."),
              !parts[1].hasSuffix(".") else { return false }
        return true
    }
}

/// The iTIP method of a calendar message (RFC 5546 §1.4): an invitation or update is a REQUEST, a
/// cancellation a CANCEL.
public enum CalendarMethod: String, Codable, Sendable, Equatable, CaseIterable {
    case request = "REQUEST"
    case cancel = "CANCEL"
}

/// One meeting as a calendar event. A reschedule or cancellation keeps `uid` and raises `sequence`, so calendar
/// programs update the event they already hold (RFC 5545 §3.8.7.4, DESIGN.md "Workflow states").
public struct CalendarEvent: Codable, Sendable, Equatable {
    public var uid: String
    public var sequence: Int
    public var method: CalendarMethod
    public var start: Date
    public var end: Date
    public var summary: String
    public var location: String
    public var details: String
    public var organizer: Mailbox
    public var attendees: [Mailbox]

    public init(uid: String, sequence: Int, method: CalendarMethod, start: Date, end: Date, summary: String,
                location: String, details: String, organizer: Mailbox, attendees: [Mailbox]) {
        self.uid = uid
        self.sequence = sequence
        self.method = method
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.details = details
        self.organizer = organizer
        self.attendees = attendees
    }
}

/// A file sent with a message (minutes, an agenda). Encoded as base64 text when the mail is stored as JSON,
/// so a queued attachment costs a third more than its size rather than four times.
public struct MailAttachment: Codable, Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case filename, contentType, data }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        filename = try container.decode(String.self, forKey: .filename)
        contentType = try container.decode(String.self, forKey: .contentType)
        let text = try container.decode(String.self, forKey: .data)
        guard let decoded = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container, debugDescription: "attachment is not base64")
        }
        data = Array(decoded)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(filename, forKey: .filename)
        try container.encode(contentType, forKey: .contentType)
        try container.encode(Data(data).base64EncodedString(), forKey: .data)
    }
}

/// A message waiting to be sent: what the outbox stores and the mail adapter renders.
///
/// `from` is the person or team the message is from. The delivery worker sends it from the service's configured
/// address (mail servers refuse to relay other senders, and DMARC rejects forged domains) and puts `from` in
/// `Reply-To` when it differs, so replies still reach the person.
public struct OutgoingMail: Codable, Sendable, Equatable {
    public var from: Mailbox
    public var to: [Mailbox]
    public var subject: String
    public var text: String
    public var calendar: CalendarEvent?
    public var attachments: [MailAttachment]
    /// Where replies go, when not to `from`.
    public var replyTo: Mailbox?

    public init(from: Mailbox, to: [Mailbox], subject: String, text: String, calendar: CalendarEvent? = nil,
                attachments: [MailAttachment] = [], replyTo: Mailbox? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.calendar = calendar
        self.attachments = attachments
        self.replyTo = replyTo
    }
}

extension OutgoingMail {
    /// The message an administrator sends to check the mail settings: synthetic, no case information, and with
    /// `invitation` a sample meeting invitation (tomorrow, on the hour, one hour long) so calendar handling can be
    /// checked too.
    public static func testMessage(to recipient: Mailbox, sender: Mailbox, invitation: Bool, now: Date,
                                   uid: String = UUID().uuidString.lowercased()) -> OutgoingMail {
        var mail = OutgoingMail(from: sender, to: [recipient], subject: "MAPPA Coordinator test message",
                                text: """
                                This is a test message from MAPPA Coordinator, sent by an administrator to check \
                                the mail settings. It contains no case information and needs no reply.
                                """)
        if invitation {
            let hour = (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600
            let start = Date(timeIntervalSince1970: hour + 24 * 3600)
            mail.calendar = CalendarEvent(uid: "test-\(uid)@mappa-coordinator", sequence: 0, method: .request,
                                          start: start, end: start.addingTimeInterval(3600),
                                          summary: "Test meeting (please ignore)", location: "Nowhere: this is a test",
                                          details: "A sample invitation sent to check the mail settings.",
                                          organizer: sender, attendees: [recipient])
            mail.text += "\n\nIt carries a sample meeting invitation, which you can decline."
        }
        return mail
    }
}
