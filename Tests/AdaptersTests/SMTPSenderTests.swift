import Adapters
import Domain
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A small SMTP server on loopback for one connection, enough of RFC 5321 (and AUTH PLAIN, RFC 4616) to check
/// what libcurl sends: the envelope, the credentials and the message with dot-stuffing undone.
final class FakeSMTPServer: @unchecked Sendable {
    struct Transcript {
        var auth: String?
        var mailFrom = ""
        var recipients: [String] = []
        var data: [UInt8] = []
        var commands: [String] = []
    }

    let port: UInt16
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    // Written by the server thread before `finished` is signalled, read after: the semaphore orders them.
    private var transcript = Transcript()
    let refused: Set<String>
    let credentials: (String, String)?
    let offerStartTLS: Bool

    init(refused: Set<String> = [], credentials: (String, String)? = nil, offerStartTLS: Bool = false) throws {
        self.refused = refused
        self.credentials = credentials
        self.offerStartTLS = offerStartTLS
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Bool in
                bind(fd, socketAddress, length) == 0 && listen(fd, 4) == 0
                    && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { close(fd); throw CancellationError() }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.start()
    }

    deinit { close(listener) }

    /// Waits for the conversation to end and returns it.
    func result() -> Transcript {
        _ = finished.wait(timeout: .now() + 20)
        return transcript
    }

    private func serve() {
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 10_000) == 1 else { return }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        func send(_ line: String) { _ = Array((line + "\r\n").utf8).withUnsafeBytes { write(connection, $0.baseAddress, $0.count) } }
        func readLine() -> String? {
            while true {
                if let end = buffer.indices.dropLast().first(where: { buffer[$0] == 0x0D && buffer[$0 + 1] == 0x0A }) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self)
                    buffer.removeFirst(end + 2)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(connection, &chunk, chunk.count)
                guard count > 0 else { return nil }
                buffer += chunk[..<count]
            }
        }
        send("220 fake.smtp.invalid ESMTP ready")
        while let line = readLine() {
            transcript.commands.append(line)
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") {
                send("250-fake.smtp.invalid")
                if offerStartTLS { send("250-STARTTLS") }
                send("250 AUTH PLAIN")
            } else if upper.hasPrefix("AUTH PLAIN") {
                var encoded = String(line.dropFirst("AUTH PLAIN".count)).trimmingCharacters(in: .whitespaces)
                if encoded.isEmpty {
                    send("334 ")
                    encoded = readLine() ?? ""
                }
                let decoded = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
                transcript.auth = decoded
                if let credentials, decoded == "\0\(credentials.0)\0\(credentials.1)" {
                    send("235 2.7.0 Authentication successful")
                } else {
                    send("535 5.7.8 Authentication credentials invalid")
                }
            } else if upper.hasPrefix("MAIL FROM:") {
                transcript.mailFrom = String(line.dropFirst("MAIL FROM:".count))
                send("250 2.1.0 OK")
            } else if upper.hasPrefix("RCPT TO:") {
                let recipient = String(line.dropFirst("RCPT TO:".count))
                if refused.contains(recipient) {
                    send("550 5.1.1 No such user here")
                } else {
                    transcript.recipients.append(recipient)
                    send("250 2.1.5 OK")
                }
            } else if upper == "DATA" {
                send("354 End data with <CR><LF>.<CR><LF>")
                while let dataLine = readLine(), dataLine != "." {
                    // RFC 5321 §4.5.2: remove the dot the client added to lines starting with one.
                    let unstuffed = dataLine.hasPrefix(".") ? String(dataLine.dropFirst()) : dataLine
                    transcript.data += Array((unstuffed + "\r\n").utf8)
                }
                send("250 2.0.0 Queued")
            } else if upper == "QUIT" {
                send("221 2.0.0 Bye")
                return
            } else if upper == "RSET" || upper == "NOOP" {
                send("250 OK")
            } else {
                send("502 5.5.2 Command not recognised")
            }
        }
    }

    /// A loopback port with nothing listening on it.
    static func closedPort() -> UInt16 {
        guard let server = try? FakeSMTPServer() else { return 9 }
        let port = server.port
        shutdown(server.listener, Int32(SHUT_RDWR))
        return port
    }
}

@Suite("SMTP sender (libcurl)")
struct SMTPSenderTests {
    static func settings(port: UInt16, username: String = "", password: String = "",
                         security: SMTPSettings.Security = .none) -> SMTPSettings {
        SMTPSettings(host: "127.0.0.1", port: Int(port), username: username, password: password, security: security,
                     fromAddress: "mappa@unit.example.invalid", fromName: "MAPPA Unit")
    }

    static let message: [UInt8] = MIMEMessage.render(
        OutgoingMail(from: Mailbox(name: "MAPPA Unit", address: "mappa@unit.example.invalid"),
                     to: [Mailbox(name: "Pat", address: "pat@probation.example.invalid")], subject: "Test",
                     text: "Line one\n.A line starting with a dot\n.\nEnd"),
        messageID: "t-1@unit.example.invalid", date: Date(timeIntervalSince1970: 1_800_000_000))

    @Test("a message is delivered with the envelope, the credentials and its exact bytes")
    func delivers() throws {
        let server = try FakeSMTPServer(credentials: ("mappa", "correct horse"))
        do {
            // libcurl keeps the connection for reuse and says QUIT when the handle is freed, at the end of this scope.
            let sender = try SMTPSender(settings: Self.settings(port: server.port, username: "mappa", password: "correct horse"),
                                        connectTimeoutSeconds: 5, timeoutSeconds: 15)
            try sender.send(Self.message, from: "mappa@unit.example.invalid",
                            to: ["pat@probation.example.invalid", "jo@housing.example.invalid"])
        }
        let transcript = server.result()
        #expect(transcript.auth == "\0mappa\0correct horse")
        #expect(transcript.mailFrom == "<mappa@unit.example.invalid>")
        #expect(transcript.recipients == ["<pat@probation.example.invalid>", "<jo@housing.example.invalid>"])
        #expect(transcript.data == Self.message)
        #expect(transcript.commands.last == "QUIT")
    }

    @Test("a refused recipient fails the whole message, with the SMTP code but no address or password in the error")
    func refusedRecipient() throws {
        let server = try FakeSMTPServer(refused: ["<nobody@probation.example.invalid>"], credentials: ("mappa", "pw-123456"))
        let sender = try SMTPSender(settings: Self.settings(port: server.port, username: "mappa", password: "pw-123456"),
                                    connectTimeoutSeconds: 5, timeoutSeconds: 15)
        let error = try #require(throws: MailDeliveryError.self) {
            try sender.send(Self.message, from: "mappa@unit.example.invalid",
                            to: ["pat@probation.example.invalid", "nobody@probation.example.invalid"])
        }
        #expect(error.code == "smtp_rejected")
        #expect(error.description.contains("550"))
        #expect(!error.description.contains("nobody") && !error.description.contains("pw-123456"))
        #expect(server.result().data.isEmpty, "no DATA after a refused recipient")
    }

    @Test("a wrong password is reported as an authentication failure without the password")
    func wrongPassword() throws {
        let server = try FakeSMTPServer(credentials: ("mappa", "the-right-one"))
        let sender = try SMTPSender(settings: Self.settings(port: server.port, username: "mappa", password: "the-wrong-one"),
                                    connectTimeoutSeconds: 5, timeoutSeconds: 15)
        let error = try #require(throws: MailDeliveryError.self) {
            try sender.send(Self.message, from: "mappa@unit.example.invalid", to: ["pat@probation.example.invalid"])
        }
        #expect(error.code == "smtp_auth")
        #expect(!error.description.contains("the-wrong-one"))
        _ = server.result()
    }

    @Test("STARTTLS required but not offered: nothing is sent in the clear")
    func startTLSRequired() throws {
        let server = try FakeSMTPServer()
        let sender = try SMTPSender(settings: Self.settings(port: server.port, security: .starttls),
                                    connectTimeoutSeconds: 5, timeoutSeconds: 15)
        let error = try #require(throws: MailDeliveryError.self) {
            try sender.send(Self.message, from: "mappa@unit.example.invalid", to: ["pat@probation.example.invalid"])
        }
        #expect(error.code == "smtp_tls")
        let transcript = server.result()
        #expect(transcript.mailFrom.isEmpty && transcript.data.isEmpty)
    }

    @Test("no server listening: a connection error")
    func connectionRefused() throws {
        let sender = try SMTPSender(settings: Self.settings(port: FakeSMTPServer.closedPort()), connectTimeoutSeconds: 5, timeoutSeconds: 10)
        let error = try #require(throws: MailDeliveryError.self) {
            try sender.send(Self.message, from: "mappa@unit.example.invalid", to: ["pat@probation.example.invalid"])
        }
        #expect(error.code == "smtp_connect")
    }

    @Test("addresses that could break the SMTP envelope are refused before connecting")
    func envelopeInjection() throws {
        let sender = try SMTPSender(settings: Self.settings(port: FakeSMTPServer.closedPort()))
        #expect(throws: MailDeliveryError.self) {
            try sender.send(Self.message, from: "mappa@unit.example.invalid", to: ["pat@x.invalid>\r\nRCPT TO:<other@x.invalid"])
        }
        #expect(throws: MailDeliveryError.self) {
            try sender.send(Self.message, from: "mappa@unit.example.invalid", to: [])
        }
    }
}
