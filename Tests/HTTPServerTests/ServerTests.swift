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
