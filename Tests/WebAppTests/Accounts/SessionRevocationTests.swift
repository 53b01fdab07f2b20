import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Sessions and API tokens end when a password changes or another sign-in replaces them, and HSTS behind TLS
/// (issue 24, item 6).
@Suite("Sessions and tokens after password changes and new sign-ins")
struct SessionRevocationTests {
    /// An API token for the user, and a client using it.
    func tokenClient(_ fixture: AppFixture, _ user: User) throws -> TestClient {
        let client = fixture.client()
        client.bearer = try fixture.stores.apiTokens.create(userID: user.id, name: "reporting", by: .commandLine).token
        #expect(client.get("/api/v1/nominals?q=Examplesson").status == 200)
        return client
    }

    @Test("changing your password signs out your other sessions, revokes your API tokens and renews this session, and says so",
          arguments: DatabaseKind.available)
    func ownChange(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let user = try fixture.viewer(.coordinator).user
        let api = try tokenClient(fixture, user)
        let other = fixture.client(signedInAs: .coordinator)
        let client = fixture.client(signedInAs: .coordinator)
        let oldCookie = try #require(client.cookies["mappa_session"])
        client.get("/account/password")
        let changed = client.post("/account/password", [("current_password", AppFixture.password),
                                                        ("new_password", "copper violet anchor 9"),
                                                        ("confirm_password", "copper violet anchor 9")])
        #expect(changed.status == 303)
        let newCookie = try #require(client.cookies["mappa_session"])
        #expect(newCookie != oldCookie)
        let page = client.get(try #require(changed.headers["Location"]))
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Your other sessions and your API tokens were signed out and revoked."))
        // The other browser, a copy of the old cookie and the API token are all refused.
        #expect(other.get("/").status == 303)
        let stale = fixture.client()
        stale.cookies["mappa_session"] = oldCookie
        #expect(stale.get("/").status == 303)
        #expect(api.get("/api/v1/nominals?q=Examplesson").status == 401)
    }

    @Test("an administrator's password reset signs out every session of the user and revokes their API tokens, and says so",
          arguments: DatabaseKind.available)
    func adminReset(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let user = try fixture.viewer(.coordinator).user
        let api = try tokenClient(fixture, user)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/").status == 200)
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/users/\(user.id)")
        let reset = admin.post("/admin/users/\(user.id)/reset-password", [("new_password", "lantern pebble river 7")])
        #expect(reset.status == 303)
        let page = admin.get(try #require(reset.headers["Location"]))
        #expect(page.bodyText.contains("All their sessions were signed out and their API tokens revoked."))
        #expect(coordinator.get("/").status == 303)
        #expect(api.get("/api/v1/nominals?q=Examplesson").status == 401)
        let tokens = try fixture.stores.apiTokens.tokens(userID: user.id)
        #expect(!tokens.isEmpty && tokens.allSatisfy { $0.revokedAt != nil })
    }

    @Test("signing in as someone else in the same browser ends the first session on the server", arguments: DatabaseKind.available)
    func secondSignIn(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client(signedInAs: .coordinator)
        let first = try #require(client.cookies["mappa_session"])
        client.get("/login")
        #expect(client.signIn("user.chair", AppFixture.password).status == 303)
        #expect(client.cookies["mappa_session"] != first)
        let chair = try fixture.viewer(.chair).user
        #expect(client.get("/").bodyText.contains("Welcome, \(chair.displayName)"))
        let copy = fixture.client()
        copy.cookies["mappa_session"] = first
        #expect(copy.get("/").status == 303)
        #expect(try fixture.stores.accounts.sessions.lookup(token: first) == .none)
    }

    @Test("with --secure-cookies every response carries Strict-Transport-Security; without it none does",
          arguments: DatabaseKind.available)
    func strictTransportSecurity(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let secure = TestClient(WebApplication(stores: fixture.stores, configuration: WebConfiguration(secureCookies: true)))
        for response in [secure.get("/login"), secure.get("/healthz"), secure.get("/no/such/page"),
                         secure.signIn("user.coordinator", AppFixture.password), secure.get("/")] {
            #expect(response.headers["Strict-Transport-Security"] == "max-age=31536000")
        }
        let plain = fixture.client()
        #expect(plain.get("/login").headers["Strict-Transport-Security"] == nil)
    }

    @Test("the README's nginx example sets HSTS")
    func readmeProxy() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../README.md"), encoding: .utf8)
        #expect(readme.contains("add_header Strict-Transport-Security \"max-age=31536000\" always;"))
    }
}
