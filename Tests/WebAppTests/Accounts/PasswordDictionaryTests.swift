import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Every form that sets a password refuses dictionary words and the person's own names with the field named, 422 and
/// the error summary, against the real cracklib dictionary (issue 24, item 9).
@Suite("Passwords checked against the dictionary and the person's own words")
struct PasswordDictionaryTests {
    /// "dragonfly2024" passes cracklib's own variants; the word inside it does not.
    static let dictionaryWord = "Dragonfly2024!!"
    static let ownName = "Kowalczyk kettle 42"

    /// Pat, whose surname is distinctive enough to find inside a password.
    func pat(_ fixture: AppFixture) throws -> User {
        try fixture.stores.accounts.createUser(.init(
            username: "pat.k", displayName: "Pat Kowalczyk", email: "pat.kowalczyk@probation.example", role: .referrer,
            agencyCode: "probation", password: AppFixture.password, mustChangePassword: false), by: .commandLine)
    }

    func expectRefused(_ response: Response, field: String, _ message: String, password: String) {
        #expect(response.status == 422)
        let body = response.bodyText
        #expect(body.contains("There is a problem"))
        #expect(body.contains("href=\"#\(field)\">\(message)"))
        #expect(!body.contains(password))
    }

    @Test("changing your own password to a dictionary word or your own name is refused", arguments: DatabaseKind.available)
    func ownChange(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        _ = try pat(fixture)
        let client = fixture.client()
        client.signIn("pat.k", AppFixture.password)
        for (password, message) in [(Self.dictionaryWord, PasswordPolicy.Message.common),
                                    (Self.ownName, PasswordPolicy.Message.personal),
                                    ("m4pp4 kettle orbit 7", PasswordPolicy.Message.organisational)] {
            client.get("/account/password")
            let response = client.post("/account/password", [("current_password", AppFixture.password),
                                                             ("new_password", password), ("confirm_password", password)])
            expectRefused(response, field: "new_password", message, password: password)
        }
        client.get("/account/password")
        #expect(client.post("/account/password", [("current_password", AppFixture.password),
                                                  ("new_password", "copper violet anchor 9"),
                                                  ("confirm_password", "copper violet anchor 9")]).status == 303)
    }

    @Test("an administrator's reset to a dictionary word or the person's name is refused on the reset field",
          arguments: DatabaseKind.available)
    func reset(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let user = try pat(fixture)
        let admin = fixture.client(signedInAs: .administrator)
        for (password, message) in [(Self.dictionaryWord, PasswordPolicy.Message.common),
                                    (Self.ownName, PasswordPolicy.Message.personal)] {
            admin.get("/admin/users/\(user.id)")
            let response = admin.post("/admin/users/\(user.id)/reset-password", [("new_password", password)])
            expectRefused(response, field: "new_password", message, password: password)
        }
        #expect(fixture.client().signIn("pat.k", AppFixture.password).status == 303)
    }

    @Test("adding a user with a dictionary word or their own name as the password is refused, keeping the other values",
          arguments: DatabaseKind.available)
    func create(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let admin = fixture.client(signedInAs: .administrator)
        for (password, message) in [(Self.dictionaryWord, PasswordPolicy.Message.common),
                                    (Self.ownName, PasswordPolicy.Message.personal),
                                    ("Probation Service 2026", PasswordPolicy.Message.organisational)] {
            admin.get("/admin/users/new")
            let response = admin.post("/admin/users/new", [("display_name", "Pat Kowalczyk"), ("username", "pat.k"),
                                                           ("email", "pat.kowalczyk@probation.example"),
                                                           ("role", "referrer"), ("agency", "probation"),
                                                           ("password", password)])
            expectRefused(response, field: "password", message, password: password)
            #expect(response.bodyText.contains("value=\"Pat Kowalczyk\""))
            #expect(response.bodyText.contains("value=\"pat.kowalczyk@probation.example\""))
        }
        #expect(try fixture.stores.accounts.accounts.user(username: "pat.k") == nil)
    }
}
