import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// What a form may carry: no NUL anywhere (it would be cut short where it is stored), and only UTF-8 text, each
/// refusal saying what is wrong rather than that the form expired.
@Suite("Form input")
struct FormInputTests {
    @Test("a NUL in a form field is refused naming the field, and nothing is stored cut short", arguments: DatabaseKind.available)
    func nulRefused(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client(signedInAs: .coordinator)
        client.get("/agencies")
        let response = client.post("/agencies", [("name", "Zephyrtown\u{0}Harbour trust")])
        #expect(response.status == 422)
        #expect(response.bodyText.contains("The field “name” contains a NUL control character"))
        let directory = client.get("/agencies")
        #expect(!directory.bodyText.contains("Zephyrtown"))
        #expect(try !fixture.auditActions().contains(.accessRefused))
    }

    @Test("a NUL in an uploaded form's field is refused the same way")
    func nulInMultipart() throws {
        let fixture = try AppFixture(.sqlite)
        let client = fixture.client(signedInAs: .coordinator)
        client.get("/cases/import")
        let response = client.upload("/cases/import", fields: [("note", "a\u{0}b")], fileField: "file", filename: "cases.csv",
                                     data: Array("x".utf8))
        #expect(response.status == 422)
        #expect(response.bodyText.contains("The field “note” contains a NUL control character"))
    }

    @Test("a form that is not UTF-8 is a 400 saying so, not an expired form nor a CSRF failure", arguments: DatabaseKind.available)
    func invalidUTF8(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client(signedInAs: .coordinator)
        client.get("/agencies")
        var headers = client.headers()
        headers.set("Content-Type", "application/x-www-form-urlencoded")
        let body = Array("csrf_token=\(client.lastCSRF ?? "")&name=Caf%E9".utf8)
        let response = client.send(Request(method: "POST", path: "/agencies", headers: headers, body: body))
        #expect(response.status == 400)
        #expect(response.bodyText.contains("The form could not be read as UTF-8 text"))
        #expect(!response.bodyText.contains("expired"))
        #expect(try !fixture.auditActions().contains(.accessRefused))
    }
}
