import CCurl
import Domain
import Foundation

/// Something that delivers a rendered message: the SMTP sender, or a stand-in in tests of the outbox worker.
public protocol MailTransport: AnyObject {
    /// Delivers `message` (a whole RFC 5322 message) to every address in `to`, or throws `MailDeliveryError`
    /// having delivered it to none (the sender stops at the first refused recipient, before DATA).
    func send(_ message: [UInt8], from: String, to: [String]) throws
}

/// Why a message could not be sent, in words safe to store and show an administrator: no password, no message
/// content, no recipient, no server reply text (which can echo addresses), only the SMTP reply code.
public struct MailDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var description: String
    public init(_ code: String, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Sends mail through an SMTP server with libcurl's easy interface (https://curl.se/libcurl/c/smtp-mail.html,
/// https://curl.se/libcurl/c/smtp-tls.html). Owns one CURL handle, reused for each message (so an open connection
/// can be reused too) and freed in deinit. One message at a time: `send` holds a lock for the transfer.
public final class SMTPSender: MailTransport, @unchecked Sendable {
    public let settings: SMTPSettings
    public let connectTimeoutSeconds: Int
    public let timeoutSeconds: Int
    // The CURL * (a `void *` typedef). Used only under `lock`; that is the safety argument for @unchecked Sendable.
    private let handle: UnsafeMutableRawPointer
    private let lock = NSLock()

    /// curl_global_init must run once before any other libcurl call and is not safe to race with other threads
    /// starting libcurl (https://curl.se/libcurl/c/curl_global_init.html); a static is initialised exactly once.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// `settings.password` is used for SMTP AUTH when `settings.username` is set; the caller fills it from the
    /// environment (`MAPPA_SMTP_PASSWORD`).
    public init(settings: SMTPSettings, connectTimeoutSeconds: Int = 10, timeoutSeconds: Int = 60) throws {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw MailDeliveryError("smtp_init", "The mail library could not start")
        }
        self.handle = handle
        self.settings = settings
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { curl_easy_cleanup(handle) }

    /// The server's URL: smtps:// for TLS from the start, smtp:// otherwise (STARTTLS is asked for with
    /// CURLOPT_USE_SSL). IPv6 literals go in brackets (RFC 3986 §3.2.2).
    var url: String {
        let host = settings.host.contains(":") && !settings.host.hasPrefix("[") ? "[\(settings.host)]" : settings.host
        return "\(settings.security == .tls ? "smtps" : "smtp")://\(host):\(settings.port)"
    }

    public func send(_ message: [UInt8], from: String, to: [String]) throws {
        guard settings.problems().filter({ $0.field != "from_address" }).isEmpty else {
            throw MailDeliveryError("smtp_settings", "The mail server settings are incomplete or invalid")
        }
        guard Mailbox.isPlausibleAddress(from) else {
            throw MailDeliveryError("mail_sender", "The sender address is not a valid email address")
        }
        guard !to.isEmpty, to.allSatisfy(Mailbox.isPlausibleAddress) else {
            throw MailDeliveryError("mail_recipient", "A recipient address is missing or not a valid email address")
        }
        let recipients = try RecipientList(to.map { "<\($0)>" })
        let source = UploadSource(message)
        lock.lock()
        defer { lock.unlock() }
        // Options persist between transfers on one handle; start each message from the defaults.
        // https://curl.se/libcurl/c/curl_easy_reset.html
        curl_easy_reset(handle)
        try withExtendedLifetime((recipients, source)) {
            try set(mappa_curl_set_string(handle, CURLOPT_URL, url))
            // Refuse anything but SMTP even if the host setting were crafted (https://curl.se/libcurl/c/CURLOPT_PROTOCOLS_STR.html).
            try set(mappa_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
            // Multi-threaded program: no signals for timeouts (https://curl.se/libcurl/c/CURLOPT_NOSIGNAL.html).
            try set(mappa_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
            try set(mappa_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"))
            try set(mappa_curl_set_pointer(handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients.head)))
            // The message is uploaded through the read callback (https://curl.se/libcurl/c/CURLOPT_READFUNCTION.html);
            // libcurl escapes lines starting with "." and sends the final "." itself.
            try set(mappa_curl_set_read_function(handle, uploadCallback))
            try set(mappa_curl_set_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque()))
            try set(mappa_curl_set_long(handle, CURLOPT_UPLOAD, 1))
            // CURLUSESSL_ALL: STARTTLS is required, never silently skipped (https://curl.se/libcurl/c/CURLOPT_USE_SSL.html).
            let tls = settings.security == .none ? CURLUSESSL_NONE : CURLUSESSL_ALL
            try set(mappa_curl_set_long(handle, CURLOPT_USE_SSL, Int(tls.rawValue)))
            if !settings.username.isEmpty {
                try set(mappa_curl_set_string(handle, CURLOPT_USERNAME, settings.username))
                try set(mappa_curl_set_string(handle, CURLOPT_PASSWORD, settings.password))
            }
            try set(mappa_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeoutSeconds))
            try set(mappa_curl_set_long(handle, CURLOPT_TIMEOUT, timeoutSeconds))
            let result = curl_easy_perform(handle)
            // Drop the password from the handle's copy as soon as it has been used.
            _ = mappa_curl_set_string(handle, CURLOPT_PASSWORD, nil)
            if result != CURLE_OK {
                throw Self.error(for: result, reply: mappa_curl_response_code(handle))
            }
        }
    }

    private func set(_ code: CURLcode) throws {
        guard code == CURLE_OK else {
            throw MailDeliveryError("smtp_option", "The mail library refused a setting (libcurl error \(code.rawValue))")
        }
    }

    /// Our own words for libcurl's result (https://curl.se/libcurl/c/libcurl-errors.html) plus the SMTP reply code.
    /// libcurl's error buffer is not used: it can quote the server's reply, which may name a recipient.
    static func error(for code: CURLcode, reply: Int) -> MailDeliveryError {
        let replyText = reply > 0 ? " (SMTP reply \(reply))" : ""
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return MailDeliveryError("smtp_resolve", "The mail server's host name could not be found")
        case CURLE_COULDNT_CONNECT:
            return MailDeliveryError("smtp_connect", "Could not connect to the mail server")
        case CURLE_OPERATION_TIMEDOUT:
            return MailDeliveryError("smtp_timeout", "The mail server did not answer in time")
        case CURLE_LOGIN_DENIED:
            return MailDeliveryError("smtp_auth", "The mail server refused the username or password" + replyText)
        case CURLE_USE_SSL_FAILED:
            return MailDeliveryError("smtp_tls", "The mail server does not offer STARTTLS")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return MailDeliveryError("smtp_tls", "A secure connection to the mail server could not be made (TLS or certificate problem)")
        case CURLE_SEND_ERROR, CURLE_UPLOAD_FAILED, CURLE_WEIRD_SERVER_REPLY, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            if reply >= 400 {
                return MailDeliveryError("smtp_rejected", "The mail server refused the message" + replyText)
            }
            return MailDeliveryError("smtp_connection", "The connection to the mail server failed part-way")
        default:
            let text = String(cString: curl_easy_strerror(code))
            return MailDeliveryError("smtp_failed", "Sending failed: \(text) (libcurl error \(code.rawValue))" + replyText)
        }
    }
}

/// The recipients as a curl_slist (https://curl.se/libcurl/c/curl_slist_append.html), freed in deinit.
final class RecipientList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    init(_ items: [String]) throws {
        for item in items {
            guard let appended = curl_slist_append(head, item) else {
                if let head { curl_slist_free_all(head) }
                throw MailDeliveryError("smtp_init", "Out of memory building the recipient list")
            }
            head = appended
        }
    }

    deinit { if let head { curl_slist_free_all(head) } }
}

/// The message being uploaded and how far libcurl has read it.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// CURLOPT_READFUNCTION: copies the next piece of the message into libcurl's buffer; 0 ends the upload. The
/// source arrives through the `void *` (CURLOPT_READDATA): a C function pointer cannot capture context.
private let uploadCallback: curl_read_callback = { buffer, size, count, context in
    guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
    let source = Unmanaged<UploadSource>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
