import Foundation

/// An HTTP error safe to show a user: a status, a stable code for logs and tests, and a plain description.
/// Never carries personal data or internals.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var description: String
    public init(status: Int, code: String, description: String) {
        self.status = status
        self.code = code
        self.description = description
    }
    public static func badRequest(_ description: String, code: String = "bad_request") -> HTTPError {
        HTTPError(status: 400, code: code, description: description)
    }
    public static let notFound = HTTPError(status: 404, code: "not_found", description: "Page not found")
    public static let payloadTooLarge = HTTPError(status: 413, code: "payload_too_large",
                                                  description: "The request body is larger than this server accepts")
}

/// Header fields, looked up case-insensitively (RFC 9110 §5.1).
public struct Headers: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }
    public subscript(_ name: String) -> String? {
        fields.first { Headers.sameName($0.name, name) }?.value
    }
    public func values(_ name: String) -> [String] {
        fields.filter { Headers.sameName($0.name, name) }.map(\.value)
    }
    /// Replaces every field of that name.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }
    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }
    public mutating func remove(_ name: String) {
        fields.removeAll { Headers.sameName($0.name, name) }
    }
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// Field names compared ignoring ASCII case (names are ASCII tokens, RFC 9110 §5.1), without making
    /// lowercased copies: every response looks up a dozen names, and the copies showed in the server's profile.
    public static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8) { asciiLower($0) == asciiLower($1) }
    }

    static func asciiLower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}

/// One uploaded file of a multipart/form-data body.
public struct UploadedFile: Sendable, Equatable {
    public var fieldName: String
    public var filename: String
    public var contentType: String
    public var data: [UInt8]
    public init(fieldName: String, filename: String, contentType: String, data: [UInt8]) {
        self.fieldName = fieldName
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// Decoded form fields (urlencoded or multipart), keeping order and repeated names.
public struct FormData: Sendable, Equatable {
    public var fields: [(name: String, value: String)]
    public var files: [UploadedFile]
    public init(fields: [(String, String)] = [], files: [UploadedFile] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
        self.files = files
    }
    /// The first value of a field, or nil.
    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
    public func file(_ name: String) -> UploadedFile? { files.first { $0.fieldName == name } }
    /// Each field's first value by name, for redisplaying a form with what the person typed.
    public var firstValues: [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
    public static func == (a: FormData, b: FormData) -> Bool {
        a.fields.map { [$0.name, $0.value] } == b.fields.map { [$0.name, $0.value] } && a.files == b.files
    }
}

/// A complete request as a handler sees it: the body is fully read (and size-limited) before the handler runs.
public struct Request: Sendable {
    public var method: String
    /// Percent-decoded path without the query string, e.g. "/cases/12".
    public var path: String
    /// Decoded query parameters in order.
    public var query: [(name: String, value: String)]
    public var headers: Headers
    public var body: [UInt8]
    public var remoteAddress: String
    /// Filled by the router from patterns such as "/cases/:id".
    public var pathParameters: [String: String] = [:]

    public init(method: String, path: String, query: [(String, String)] = [], headers: Headers = Headers(),
                body: [UInt8] = [], remoteAddress: String = "127.0.0.1") {
        self.method = method.uppercased()
        self.path = path
        self.query = query.map { (name: $0.0, value: $0.1) }
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
    public func parameter(_ name: String) -> String? { pathParameters[name] }
}

/// A response ready to send. Bodies are bytes; helpers build HTML, JSON and redirects.
public struct Response: Sendable {
    public var status: Int
    public var headers: Headers
    public var body: [UInt8]

    public init(status: Int = 200, headers: Headers = Headers(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
    public static func html(_ html: String, status: Int = 200) -> Response {
        .html(Array(html.utf8), status: status)
    }
    /// HTML already written as UTF-8 bytes.
    public static func html(_ utf8: [UInt8], status: Int = 200) -> Response {
        Response(status: status, headers: Headers([("Content-Type", "text/html; charset=utf-8")]), body: utf8)
    }
    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: Headers([("Content-Type", "text/plain; charset=utf-8")]), body: Array(text.utf8))
    }
    public static func json(_ bytes: [UInt8], status: Int = 200, contentType: String = "application/json") -> Response {
        Response(status: status, headers: Headers([("Content-Type", contentType)]), body: bytes)
    }
    /// 303 See Other: the Post/Redirect/Get pattern after a successful form submission.
    public static func redirect(to location: String, status: Int = 303) -> Response {
        Response(status: status, headers: Headers([("Location", location)]))
    }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What every route is: a synchronous function. Handlers may block (SQLite, argon2); the server runs
/// one thread per connection so a slow handler stalls only its own connection (DESIGN.md, "Threading").
public typealias Handler = @Sendable (Request) throws -> Response
