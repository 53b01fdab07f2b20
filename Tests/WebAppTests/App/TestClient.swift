import Domain
import Foundation
import HTTPServer
import Store
import TestSupport
import WebApp

/// Drives the web app in process, the way a browser would: keeps cookies, follows nothing automatically,
/// and fills in the CSRF token from the last page it saw.
final class TestClient {
    let app: WebApplication
    var cookies: [String: String] = [:]
    var lastCSRF: String?
    /// An API token sent as `Authorization: Bearer`, for the JSON API.
    var bearer: String?
    var address: String

    init(_ app: WebApplication, address: String = "192.0.2.10") {
        self.app = app
        self.address = address
    }

    @discardableResult
    func get(_ target: String) -> Response {
        send(Request(method: "GET", path: Self.path(target), query: Self.query(target), headers: headers()))
    }

    /// Posts a form; the CSRF token from the last page is added unless the test sets `csrf_token` itself.
    @discardableResult
    func post(_ target: String, _ fields: [(String, String)], addCSRF: Bool = true) -> Response {
        var fields = fields.flatMap(Self.asDateInput)
        if addCSRF, !fields.contains(where: { $0.0 == "csrf_token" }), let lastCSRF { fields.append(("csrf_token", lastCSRF)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = headers()
        headers.set("Content-Type", "application/x-www-form-urlencoded")
        return send(Request(method: "POST", path: Self.path(target), query: Self.query(target), headers: headers,
                            body: Array(body.utf8)))
    }

    /// The names of the forms' date inputs (`Components.dateInput`), which a browser sends as three fields.
    static let dateInputNames: Set<String> = [
        "date", "date_of_birth", "release_date", "start_date", "statutory_end_date", "next_review_date", "exit_date",
        "due_date", "papers_sent_on", "distributed_on", "occurred_on", "sentence_date", "licence_end_date",
        "notification_end_date", "manager_authorised_on"]

    /// A whole date a test gives for a date input (2027-03-27, or 27/03/2027) sent as the browser sends it: the
    /// `-day`, `-month` and `-year` fields ("7", "3", "2027"). Anything else given for it is typed into the day field.
    static func asDateInput(_ field: (String, String)) -> [(String, String)] {
        let (name, value) = field
        guard dateInputNames.contains(name) || name.hasPrefix("action_due_") else { return [field] }
        let parts: [String]
        if let date = CalendarDate(value) {
            parts = [String(date.day), String(date.month), String(date.year)]
        } else if value.split(separator: "/").count == 3 {
            parts = value.split(separator: "/").map(String.init)
        } else {
            parts = [value, "", ""]
        }
        return zip(["day", "month", "year"], parts).map { ("\(name)-\($0)", $1) }
    }

    /// The value shown in one part (day, month or year) of a date input on a page, or nil when the page has no such field.
    static func dateInputValue(_ body: String, _ name: String, _ part: String) -> String? {
        guard let start = body.range(of: "name=\"\(name)-\(part)\""), let value = body[start.upperBound...].range(of: "value=\""),
              let end = body[value.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(body[value.upperBound..<end])
    }

    /// A date as a GET form's date input sends it in the query: `from-day=7&from-month=12&from-year=2026`.
    static func dateQuery(_ name: String, _ date: CalendarDate) -> String {
        "\(name)-day=\(date.day)&\(name)-month=\(date.month)&\(name)-year=\(date.year)"
    }

    /// Posts a multipart form with one file, as a browser's file upload does; CSRF token added as for `post`.
    @discardableResult
    func upload(_ target: String, fields: [(String, String)], fileField: String, filename: String, data: [UInt8]) -> Response {
        let boundary = "----test-boundary-7d1f"
        var body: [UInt8] = []
        var allFields = fields
        if let lastCSRF { allFields.append(("csrf_token", lastCSRF)) }
        for (name, value) in allFields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += data + Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = headers()
        headers.set("Content-Type", "multipart/form-data; boundary=\(boundary)")
        return send(Request(method: "POST", path: Self.path(target), query: Self.query(target), headers: headers, body: body))
    }

    /// Signs in through the real form.
    @discardableResult
    func signIn(_ username: String, _ password: String) -> Response {
        get("/login")
        return post("/login", [("username", username), ("password", password)])
    }

    func send(_ request: Request) -> Response {
        var request = request
        request.remoteAddress = address
        let response = app.handle(request)
        for header in response.headers.values("Set-Cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies.removeValue(forKey: name) } else { cookies[name] = value }
        }
        if let token = Self.firstMatch(#"name="csrf_token" value="([0-9a-f]+)""#, in: response.bodyText) { lastCSRF = token }
        return response
    }

    func headers() -> Headers {
        var headers = Headers()
        if !cookies.isEmpty { headers.set("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let bearer { headers.set("Authorization", "Bearer \(bearer)") }
        return headers
    }

    static func path(_ target: String) -> String { String(target.split(separator: "?", maxSplits: 1)[0]) }
    static func query(_ target: String) -> [(String, String)] {
        let parts = target.split(separator: "?", maxSplits: 1)
        guard parts.count == 2 else { return [] }
        return parts[1].split(separator: "&").map { item in
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (pair[0], pair.count > 1 ? pair[1] : "")
        }
    }
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}
