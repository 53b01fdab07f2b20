import Foundation
import Synchronization
import Testing
@testable import HTTPServer

@Suite("Router")
struct RouterTests {
    func router() -> Router {
        var router = Router()
        router.get("/cases/:id") { request in .text("case \(request.parameter("id") ?? "")") }
        router.get("/cases/new") { _ in .text("new case form") }
        router.post("/cases/:id/notes") { request in .text("note on \(request.parameter("id") ?? "")") }
        return router
    }

    @Test("path parameters are bound and a literal segment wins over a parameter")
    func parameters() {
        #expect(router().handle(Request(method: "GET", path: "/cases/42")).bodyText == "case 42")
        #expect(router().handle(Request(method: "GET", path: "/cases/new")).bodyText == "new case form")
        #expect(router().handle(Request(method: "POST", path: "/cases/7/notes")).bodyText == "note on 7")
    }

    @Test("an unknown path is 404; a known path with the wrong method is 405 with Allow")
    func notFoundAndMethod() {
        #expect(router().handle(Request(method: "GET", path: "/nothing")).status == 404)
        let wrong = router().handle(Request(method: "DELETE", path: "/cases/42"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET")
    }

    @Test("HEAD is answered by the GET route")
    func head() {
        #expect(router().handle(Request(method: "HEAD", path: "/cases/1")).status == 200)
    }

    @Test("a handler's HTTPError keeps its status")
    func thrownError() {
        var router = Router()
        router.get("/boom") { _ in throw HTTPError.badRequest("Enter a date") }
        let response = router.handle(Request(method: "GET", path: "/boom"))
        #expect(response.status == 400)
        #expect(response.bodyText == "Enter a date")
    }
}

@Suite("Forms and cookies")
struct FormTests {
    func post(_ body: String, contentType: String) -> Request {
        Request(method: "POST", path: "/", headers: Headers([("Content-Type", contentType)]), body: Array(body.utf8))
    }

    @Test("urlencoded bodies decode plus, percent escapes, UTF-8, repeats and empty values")
    func urlEncoded() throws {
        let form = try post("name=Zo%C3%AB+Smith&agency=police&agency=probation&empty=&flag",
                            contentType: "application/x-www-form-urlencoded; charset=UTF-8").form()
        #expect(form["name"] == "Zoë Smith")
        #expect(form.values("agency") == ["police", "probation"])
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
    }

    @Test("bad percent-encoding and invalid UTF-8 are a clear 400", arguments: ["a=%zz", "a=%4", "a=%C3%28"])
    func badEncoding(body: String) {
        #expect(throws: HTTPError.self) { try post(body, contentType: "application/x-www-form-urlencoded").form() }
        do { _ = try post(body, contentType: "application/x-www-form-urlencoded").form() } catch {
            #expect(error.status == 400)
        }
    }

    @Test("multipart bodies give fields and files, with CRLF kept inside file content")
    func multipart() throws {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nline one\r\nline two\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cases.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            + "a,b\r\n1,2\r\n--XyZ--\r\n"
        let form = try post(body, contentType: "multipart/form-data; boundary=XyZ").form()
        #expect(form["note"] == "line one\r\nline two")
        let file = try #require(form.file("file"))
        #expect(file.filename == "cases.csv")
        #expect(file.contentType == "text/csv")
        #expect(String(decoding: file.data, as: UTF8.self) == "a,b\r\n1,2")
    }

    @Test("malformed multipart is a 400, an unknown content type a 415")
    func malformedMultipart() {
        #expect(throws: HTTPError.self) { try post("--XyZ\r\nno headers here", contentType: "multipart/form-data; boundary=XyZ").form() }
        #expect(throws: HTTPError.self) { try post("x", contentType: "multipart/form-data").form() }
        do { _ = try post("{}", contentType: "application/json").form() } catch { #expect(error.status == 415) }
    }

    @Test("header names match whatever their case, and only the same name")
    func headerNames() {
        var headers = Headers([("Content-Type", "text/html"), ("X-Frame-Options", "DENY")])
        #expect(headers["content-type"] == "text/html" && headers["CONTENT-TYPE"] == "text/html")
        #expect(headers["Content-Typ"] == nil && headers["Content-Type2"] == nil)
        headers.set("x-frame-options", "SAMEORIGIN")
        #expect(headers.values("X-Frame-Options") == ["SAMEORIGIN"], "set replaces the field whatever the case")
        #expect(Headers.sameName("Cache-Control", "cache-control") && !Headers.sameName("Cache-Control", "Cache_Control"))
    }

    @Test("cookies are parsed and Set-Cookie carries the safe attributes")
    func cookies() {
        let request = Request(method: "GET", path: "/", headers: Headers([("Cookie", "a=1; mappa_session=abc; a=2")]))
        #expect(request.cookies == ["a": "1", "mappa_session": "abc"])
        let untidy = Request(method: "GET", path: "/", headers: Headers([("cookie", " \tq = \"quoted value\" ;;=orphan; flag; e=; m=é\t"),
                                                                       ("COOKIE", "q=later; x=a=b")]))
        #expect(untidy.cookies == ["q": "quoted value", "flag": "", "e": "", "m": "é", "x": "a=b"],
                "spaces and tabs trimmed, quotes removed, names without a value kept, empty names skipped, any header case")
        #expect(SetCookie(name: "s", value: "v", secure: true).headerValue == "s=v; Path=/; Secure; HttpOnly; SameSite=Strict")
        #expect(SetCookie.expired("s").headerValue.contains("Max-Age=0"))
    }
}

@Suite("Static files and middleware")
struct MiddlewareTests {
    @Test("static files carry an ETag and answer 304 when the browser has them")
    func staticFile() {
        let file = StaticFile(contentType: "text/css", text: "body{}")
        let first = file.response(for: Request(method: "GET", path: "/a.css"))
        #expect(first.status == 200)
        #expect(first.headers["Cache-Control"] == "public, max-age=3600")
        let etag = first.headers["ETag"] ?? ""
        let again = file.response(for: Request(method: "GET", path: "/a.css", headers: Headers([("If-None-Match", etag)])))
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        #expect(StaticFile(contentType: "text/css", text: "body{ }").etag != etag)
    }

    @Test("every response gets the security headers and no-store unless it sets its own caching")
    func securityHeaders() throws {
        let handler = Middleware.secure { _ in .text("x") }
        let response = try handler(Request(method: "GET", path: "/"))
        #expect(response.headers["Content-Security-Policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
        #expect(response.headers["X-Frame-Options"] == "DENY")
        #expect(response.headers["Referrer-Policy"] == "no-referrer")
        #expect(response.headers["Cache-Control"] == "no-store")
        let cached = try Middleware.secure { _ in StaticFile(contentType: "text/css", text: "").response(for: Request(method: "GET", path: "/")) }(
            Request(method: "GET", path: "/"))
        #expect(cached.headers["Cache-Control"] == "public, max-age=3600")
    }

    @Test("the request log is one JSON line without the query string or any header")
    func requestLog() throws {
        let lines = Mutex<[String]>([])
        let handler = Middleware.requestLog({ line in lines.withLock { $0.append(line) } }) { _ in .text("ok", status: 201) }
        _ = try handler(Request(method: "GET", path: "/search", query: [("name", "Jo Bloggs")],
                                headers: Headers([("Cookie", "mappa_session=secret")])))
        let logged = lines.withLock { $0 }
        #expect(logged.count == 1)
        let line = try #require(logged.first)
        #expect(!line.contains("\n"))
        #expect(!line.contains("Bloggs"))
        #expect(!line.contains("secret"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["path"] as? String == "/search")
        #expect(object["status"] as? Int == 201)
        #expect(object["method"] as? String == "GET")
        #expect(object["ms"] is Double || object["ms"] is Int)

        // A hostile path stays one valid JSON line.
        _ = try handler(Request(method: "GET", path: "/a\"b\\c\n{\u{01}}/é"))
        let hostile = try #require(lines.withLock { $0 }.last)
        #expect(!hostile.contains("\n"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(hostile.utf8)) as? [String: Any])
        #expect(parsed["path"] as? String == "/a\"b\\c\n{\u{01}}/é")
    }
}

@Suite("The server over real sockets", .serialized)
struct LiveServerTests {
    func start(maxBody: Int = 1024, _ handler: @escaping Handler) throws -> HTTPServer {
        try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, maxBodyBytes: maxBody), handler: handler)
    }

    @Test("two requests travel over one kept-alive connection, with headers and query decoded")
    func keepAlive() throws {
        let server = try start { request in
            .text("\(request.method) \(request.path) q=\(request.queryValue("q") ?? "-") ua=\(request.headers["user-agent"] ?? "-") from=\(request.remoteAddress)")
        }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.write("GET /a?q=Zo%C3%AB+S HTTP/1.1\r\nHost: x\r\nUser-Agent: tester\r\n\r\n")
        let first = try #require(client.readReply())
        #expect(first.status == 200)
        #expect(first.body == "GET /a q=Zoë S ua=tester from=127.0.0.1")
        client.write("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        let second = try #require(client.readReply())
        #expect(second.body.hasPrefix("GET /b"))
    }

    @Test("a body sent in several pieces arrives whole")
    func chunkedBody() throws {
        let server = try start(maxBody: 100_000) { request in .text("\(request.body.count):\(try request.form()["text"]?.count ?? 0)") }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let body = "text=" + String(repeating: "a", count: 50_000)
        client.write("POST /f HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        let bytes = Array(body.utf8)
        for start in stride(from: 0, to: bytes.count, by: 7000) {
            client.write(Array(bytes[start..<min(bytes.count, start + 7000)]))
            usleep(2000)
        }
        let reply = try #require(client.readReply())
        #expect(reply.body == "50005:50000")
    }

    @Test("a body over the limit is refused with 413, declared or chunked")
    func bodyLimit() throws {
        let server = try start(maxBody: 1000) { _ in .text("handled") }
        defer { server.stop() }
        let declared = try RawClient(port: server.port)
        declared.write("POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000))
        let refused = try #require(declared.readReply())
        #expect(refused.status == 413)
        #expect(refused.body.contains("larger than this server accepts"))

        let chunked = try RawClient(port: server.port)
        let chunk = String(repeating: "y", count: 600)
        chunked.write("POST /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunked.write("258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n")
        #expect(chunked.readReply()?.status == 413)
    }

    @Test("an upload path takes a larger body than other paths, and is still bounded")
    func uploadLimit() throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, maxBodyBytes: 1000)
        configuration.uploadPaths = ["/upload"]
        configuration.maxUploadBytes = 10_000
        let server = try HTTPServer(configuration: configuration) { request in .text("\(request.body.count)") }
        defer { server.stop() }
        let body = String(repeating: "z", count: 5000)
        let upload = try RawClient(port: server.port)
        upload.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body)
        #expect(upload.readReply()?.body == "5000")
        let other = try RawClient(port: server.port)
        other.write("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body)
        #expect(other.readReply()?.status == 413)
        let huge = try RawClient(port: server.port)
        huge.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + String(repeating: "z", count: 20000))
        let refused = try #require(huge.readReply())
        #expect(refused.status == 413)
        #expect(refused.body.contains("at most 9 KB"), "the message states the upload limit, not the general one")
    }

    @Test("a slow handler on one connection does not hold up another")
    func slowHandlerIsolated() throws {
        let server = try start { request in
            if request.path == "/slow" { Thread.sleep(forTimeInterval: 1.5) }
            return .text("done \(request.path)")
        }
        defer { server.stop() }
        let slow = try RawClient(port: server.port)
        slow.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let started = Date()
        let fast = try RawClient(port: server.port)
        fast.write("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(fast.readReply()?.body == "done /fast")
        #expect(Date().timeIntervalSince(started) < 1.0, "the fast request waited for the slow one")
        #expect(slow.readReply()?.body == "done /slow")
    }

    @Test("stop() closes the listening socket")
    func stop() throws {
        let server = try start { _ in .text("ok") }
        let port = server.port
        server.stop()
        #expect(throws: (any Error).self) { _ = try RawClient(port: port) }
    }

    @Test("a port already in use gives a clear start error")
    func portInUse() throws {
        let first = try start { _ in .text("ok") }
        defer { first.stop() }
        #expect(throws: HTTPServer.StartError.self) {
            _ = try HTTPServer(configuration: .init(port: first.port)) { _ in .text("x") }
        }
    }
}

@Suite("Body limits before sign-in and form counts", .serialized)
struct BodyLimitTests {
    /// A server whose session check says "signed in" only for the cookie `s=ok`, counting its calls.
    final class Checks: @unchecked Sendable {
        let count = Mutex(0)
    }

    func start(_ checks: Checks = Checks(), _ handler: @escaping Handler = { request in .text("\(request.body.count)") }) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, maxBodyBytes: 10 * 1024 * 1024)
        configuration.uploadPaths = ["/cases/import"]
        configuration.maxUploadBytes = 64 * 1024 * 1024
        configuration.anonymousBodyBytes = 64 * 1024
        configuration.sessionCheck = { _, headers in
            checks.count.withLock { $0 += 1 }
            return headers["Cookie"] == "s=ok"
        }
        return try HTTPServer(configuration: configuration, handler: handler)
    }

    @Test("an anonymous 60 MB declared POST to the upload path gets 413 before any body byte is sent")
    func declaredTooLarge() throws {
        let server = try start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let started = Date()
        client.write("POST /cases/import HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: \(60 * 1024 * 1024)\r\n\r\n")
        let reply = try #require(client.readReply())
        #expect(reply.status == 413)
        #expect(reply.body.contains("at most 64 KB"), "the anonymous limit is stated")
        #expect(Date().timeIntervalSince(started) < 2, "the 413 came at once, not after a timeout")
        #expect(client.isClosedByServer(), "the connection closes rather than reading the body")
    }

    @Test("Expect: 100-continue for a body that will be refused is answered 413, never 100 Continue")
    func expectContinueRefused() throws {
        let server = try start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.write("POST /cases/import HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(20 * 1024 * 1024)\r\n\r\n")
        let reply = try #require(client.readReply())
        #expect(reply.status == 413)
    }

    @Test("Expect: 100-continue for an accepted body still gets 100 Continue and the answer")
    func expectContinueAccepted() throws {
        let server = try start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.write("POST /form HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let interim = try #require(client.readReply())
        #expect(interim.status == 100)
        client.write("a=bcd")
        #expect(client.readReply()?.body == "5")
    }

    @Test("an anonymous 1 MB form is refused; the same form signed in is read; small forms need no session check")
    func anonymousLimit() throws {
        let checks = Checks()
        let server = try start(checks)
        defer { server.stop() }
        let body = "text=" + String(repeating: "a", count: 1024 * 1024)
        let anonymous = try RawClient(port: server.port)
        anonymous.write("POST /referrals HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        #expect(anonymous.readReply()?.status == 413)
        let signedIn = try RawClient(port: server.port)
        signedIn.write("POST /referrals HTTP/1.1\r\nHost: x\r\nCookie: s=ok\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        #expect(signedIn.readReply()?.body == "\(body.utf8.count)")
        #expect(checks.count.withLock { $0 } == 2)
        let login = try RawClient(port: server.port)
        login.write("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nuser=jo")
        #expect(login.readReply()?.body == "7")
        #expect(checks.count.withLock { $0 } == 2, "a body under the anonymous limit costs no session lookup")
    }

    @Test("a signed-in upload within the limit is read whole; a signed-in one over it is refused at once")
    func signedInUpload() throws {
        let server = try start()
        defer { server.stop() }
        let body = String(repeating: "z", count: 3 * 1024 * 1024)
        let upload = try RawClient(port: server.port)
        upload.write("POST /cases/import HTTP/1.1\r\nHost: x\r\nCookie: s=ok\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        #expect(upload.readReply()?.body == "\(body.utf8.count)")
        let huge = try RawClient(port: server.port)
        huge.write("POST /cases/import HTTP/1.1\r\nHost: x\r\nCookie: s=ok\r\nContent-Length: \(65 * 1024 * 1024)\r\n\r\n")
        let refused = try #require(huge.readReply())
        #expect(refused.status == 413)
        #expect(refused.body.contains("at most 64 MB"))
        let other = try RawClient(port: server.port)
        other.write("POST /referrals HTTP/1.1\r\nHost: x\r\nCookie: s=ok\r\nContent-Length: \(11 * 1024 * 1024)\r\n\r\n")
        #expect(other.readReply()?.status == 413, "the upload limit is only for upload paths")
    }

    @Test("a chunked body that goes on long past the limit is cut off, not read to its end")
    func endlessChunked() throws {
        let server = try start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.write("POST /referrals HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "10000\r\n" + String(repeating: "y", count: 65536) + "\r\n"
        for _ in 0..<40 { client.write(chunk) }
        #expect(client.isEnded(within: 2), "2.5 MB past a 64 KB limit and the connection is still open")
    }

    @Test("a large upload waits in an unlinked temporary file while it arrives, and reaches the handler whole")
    func uploadSpooled() throws {
        let server = try start { request in .text("\(request.body.count):\(request.body.last ?? 0)") }
        defer { server.stop() }
        let length = 3 * 1024 * 1024
        let upload = try RawClient(port: server.port)
        upload.write("POST /cases/import HTTP/1.1\r\nHost: x\r\nCookie: s=ok\r\nContent-Length: \(length)\r\n\r\n")
        upload.write([UInt8](repeating: 7, count: 2 * 1024 * 1024))
        Thread.sleep(forTimeInterval: 0.3)
        let spooled = (try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
        }.filter { $0.contains("mappa-upload-") }
        #expect(spooled.count == 1 && spooled.allSatisfy { $0.hasSuffix("(deleted)") },
                "the body so far is in one temporary file, already removed from its directory: \(spooled)")
        upload.write([UInt8](repeating: 9, count: length - 2 * 1024 * 1024))
        #expect(upload.readReply()?.body == "\(length):9")
        Thread.sleep(forTimeInterval: 0.2)
        let left = (try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
        }.filter { $0.contains("mappa-upload-") }
        #expect(left.isEmpty, "the spool file is closed once the request is done")
    }

    @Test("an anonymous chunked body over the anonymous limit is refused")
    func anonymousChunked() throws {
        let server = try start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let chunk = String(repeating: "y", count: 40_000)
        client.write("POST /referrals HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        client.write("9c40\r\n\(chunk)\r\n9c40\r\n\(chunk)\r\n0\r\n\r\n")
        #expect(client.readReply()?.status == 413)
    }

    func post(_ body: [UInt8], contentType: String) -> Request {
        Request(method: "POST", path: "/", headers: Headers([("Content-Type", contentType)]), body: body)
    }

    @Test("a urlencoded form of more than 2,000 fields is refused with a 413 naming the limit; 2,000 are read")
    func tooManyFields() throws {
        let fine = Array(repeating: "a=1", count: FormParsing.maxFields).joined(separator: "&")
        #expect(try post(Array(fine.utf8), contentType: "application/x-www-form-urlencoded").form().fields.count == 2_000)
        let over = fine + "&b=2"
        do {
            _ = try post(Array(over.utf8), contentType: "application/x-www-form-urlencoded").form()
            Issue.record("2,001 fields were accepted")
        } catch {
            #expect(error.status == 413)
            #expect(error.code == "too_many_fields")
            #expect(error.description.contains("2000 fields"))
        }
    }

    @Test("a 10 MB form of 2.4 million fields is refused quickly")
    func hugeFieldCountIsCheap() {
        var body = [UInt8]()
        body.reserveCapacity(10 * 1024 * 1024)
        while body.count < 10 * 1024 * 1024 - 4 { body.append(contentsOf: [0x61, 0x3D, 0x31, 0x26]) }
        let started = Date()
        #expect(throws: FormParsing.tooManyFields) { try post(body, contentType: "application/x-www-form-urlencoded").form() }
        #expect(Date().timeIntervalSince(started) < 0.5, "the count stops at the limit instead of decoding millions of fields")
    }

    @Test("a multipart form of more than 20 parts is refused with a 413 naming the limit; 20 are read")
    func tooManyParts() throws {
        func form(_ parts: Int) -> [UInt8] {
            var text = ""
            for index in 0..<parts { text += "--B\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\nv\r\n" }
            return Array((text + "--B--\r\n").utf8)
        }
        #expect(try post(form(20), contentType: "multipart/form-data; boundary=B").form().fields.count == 20)
        do {
            _ = try post(form(21), contentType: "multipart/form-data; boundary=B").form()
            Issue.record("21 parts were accepted")
        } catch {
            #expect(error.status == 413)
            #expect(error.code == "too_many_parts")
            #expect(error.description.contains("20 parts"))
        }
        let started = Date()
        #expect(throws: FormParsing.tooManyParts) { try post(form(100_000), contentType: "multipart/form-data; boundary=B").form() }
        #expect(Date().timeIntervalSince(started) < 0.5)
    }
}
