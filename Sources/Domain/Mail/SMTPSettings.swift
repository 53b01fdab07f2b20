import Foundation

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
