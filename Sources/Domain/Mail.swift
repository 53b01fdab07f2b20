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

/// How to reach the mail server. The password is never stored or encoded: it comes from the environment
/// variable `MAPPA_SMTP_PASSWORD` of the process that sends (see README, "Mail"), so a database backup or a
/// settings page cannot reveal it. It is left out of `Codable`, `description` and `dump` alike.
public struct SMTPSettings: Codable, Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// How the connection is protected: `starttls` upgrades a plain connection (usually port 587) and refuses
    /// to continue if the server cannot; `tls` is TLS from the first byte (SMTPS, usually port 465).
    public enum Security: String, Codable, Sendable, CaseIterable {
        case none, starttls, tls

        public var displayName: String {
            switch self {
            case .none: return "None (only for a relay on the same machine or a test sink)"
            case .starttls: return "STARTTLS (usually port 587)"
            case .tls: return "TLS from the start, SMTPS (usually port 465)"
            }
        }
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var security: Security
    public var fromAddress: String
    public var fromName: String

    public init(host: String = "", port: Int = 587, username: String = "", password: String = "",
                security: Security = .starttls, fromAddress: String = "", fromName: String = "MAPPA Coordinator") {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.fromAddress = fromAddress
        self.fromName = fromName
    }

    /// The name of the environment variable the password is read from.
    public static let passwordVariable = "MAPPA_SMTP_PASSWORD"

    /// Enough to try sending: a server and a sender address.
    public var isConfigured: Bool { !host.isEmpty && !fromAddress.isEmpty }

    /// The service's own mailbox, which every message is sent from.
    public var sender: Mailbox { Mailbox(name: fromName, address: fromAddress) }

    enum CodingKeys: String, CodingKey { case host, port, username, security, fromAddress, fromName }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(host: try container.decode(String.self, forKey: .host), port: try container.decode(Int.self, forKey: .port),
                  username: try container.decode(String.self, forKey: .username), password: "",
                  security: try container.decode(Security.self, forKey: .security),
                  fromAddress: try container.decode(String.self, forKey: .fromAddress),
                  fromName: try container.decode(String.self, forKey: .fromName))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(host, forKey: .host)
        try container.encode(port, forKey: .port)
        try container.encode(username, forKey: .username)
        try container.encode(security, forKey: .security)
        try container.encode(fromAddress, forKey: .fromAddress)
        try container.encode(fromName, forKey: .fromName)
    }

    public var description: String {
        "SMTPSettings(host: \(host), port: \(port), security: \(security.rawValue), username: \(username), "
            + "password: \(password.isEmpty ? "not set" : "set"), from: \(fromAddress))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "username": username, "security": security,
                                "fromAddress": fromAddress, "fromName": fromName,
                                "password": password.isEmpty ? "not set" : "set"])
    }

    /// Every problem with the settings an administrator typed, worded for the form's error summary.
    public func problems() -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        func add(_ field: String, _ message: String) { problems.append(ValidationProblem(field: field, message: message)) }
        let hostAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-:[]"))
        if host.isEmpty {
            add("host", "Enter the mail server's host name")
        } else if host.utf8.count > 253 || host.unicodeScalars.contains(where: { !hostAllowed.contains($0) || !$0.isASCII }) {
            add("host", "Enter a host name such as smtp.example.org or an IP address, without a scheme or path")
        }
        if !(1...65535).contains(port) { add("port", "Enter a port from 1 to 65535") }
        if username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) || username.utf8.count > 256 {
            add("username", "The username must be one line of at most 256 characters")
        }
        if !Mailbox.isPlausibleAddress(fromAddress) { add("from_address", "Enter the address messages are sent from, like mappa@example.org") }
        if fromName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) || fromName.count > 100 {
            add("from_name", "The sender name must be one line of at most 100 characters")
        }
        return problems
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
