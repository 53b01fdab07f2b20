import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

@Suite("Signing in and out")
struct AuthRouteTests {
    @Test("an anonymous visitor is sent to sign in, and back to the page they wanted afterwards", arguments: DatabaseKind.available)
    func redirectToSignIn(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client()
        let response = client.get("/admin/users")
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/login?next=%2Fadmin%2Fusers")
        let login = client.get("/login?next=%2Fadmin%2Fusers")
        #expect(login.status == 200)
        #expect(login.bodyText.contains("OFFICIAL-SENSITIVE"))
        let signedIn = client.post("/login?next=%2Fadmin%2Fusers", [("username", "user.administrator"), ("password", AppFixture.password)])
        #expect(signedIn.status == 303)
        #expect(signedIn.headers["Location"] == "/admin/users")
        #expect(client.get("/admin/users").status == 200)
    }

    @Test("the session cookie is HttpOnly and SameSite=Strict, and the home page greets the user", arguments: DatabaseKind.available)
    func sessionCookie(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client()
        let response = client.signIn("user.coordinator", AppFixture.password)
        let cookie = try #require(response.headers.values("Set-Cookie").first { $0.hasPrefix("mappa_session=") })
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=/"))
        let home = client.get("/")
        #expect(home.status == 200)
        #expect(home.bodyText.contains("Welcome, Test MAPPA coordinator"))
    }

    @Test("a wrong password shows one message for username and password and keeps the username typed", arguments: DatabaseKind.available)
    func wrongPassword(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let response = fixture.client().signIn("user.coordinator", "not my password at all")
        #expect(response.status == 401)
        #expect(response.bodyText.contains("The username or password is wrong"))
        #expect(response.bodyText.contains("value=\"user.coordinator\""))
        #expect(response.bodyText.contains("<title>Error: Sign in"))
        #expect(try fixture.auditActions().contains(.loginFailed))
    }

    @Test("empty fields are each named in the error summary")
    func emptyFields() throws {
        let fixture = try AppFixture(.sqlite)
        let response = fixture.client().signIn("", "")
        #expect(response.status == 422)
        #expect(response.bodyText.contains("<a href=\"#username\">Enter your username</a>"))
        #expect(response.bodyText.contains("<a href=\"#password\">Enter your password</a>"))
    }

    @Test("repeated wrong passwords are throttled with a Retry-After, even for the right password", arguments: DatabaseKind.available)
    func throttled(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client()
        for _ in 1...5 { #expect(client.signIn("user.chair", "wrong wrong wrong").status == 401) }
        let response = client.signIn("user.chair", AppFixture.password)
        #expect(response.status == 429)
        #expect(response.headers["Retry-After"] == "30")
        #expect(response.bodyText.contains("too many failed attempts"))
        fixture.clock.advance(by: 31)
        #expect(client.signIn("user.chair", AppFixture.password).status == 303)
    }

    @Test("the sign-in form refuses a post without its CSRF token")
    func loginCSRF() throws {
        let fixture = try AppFixture(.sqlite)
        let client = fixture.client()
        client.get("/login")
        let response = client.post("/login", [("username", "user.coordinator"), ("password", AppFixture.password),
                                              ("csrf_token", String(repeating: "0", count: 64))])
        #expect(response.status == 403)
        #expect(client.cookies["mappa_session"] == nil)
    }

    @Test("a form posted without the session's CSRF token is refused and audited", arguments: DatabaseKind.available)
    func csrfRejected(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client(signedInAs: .coordinator)
        let response = client.post("/logout", [], addCSRF: false)
        #expect(response.status == 403)
        #expect(response.bodyText.contains("This form has expired"))
        #expect(client.get("/").status == 200, "still signed in: the forged sign-out did nothing")
        #expect(try fixture.auditActions().contains(.accessRefused))
        let forged = client.post("/logout", [("csrf_token", String(repeating: "a", count: 64))])
        #expect(forged.status == 403)
    }

    @Test("signing out ends the session on the server", arguments: DatabaseKind.available)
    func signOut(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client(signedInAs: .coordinator)
        let stolenCookie = try #require(client.cookies["mappa_session"])
        client.get("/")
        let response = client.post("/logout", [])
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/login?done=signed-out")
        client.cookies["mappa_session"] = stolenCookie
        #expect(client.get("/").status == 303, "a copy of the old cookie no longer works")
        #expect(try fixture.auditActions().contains(.logout))
    }

    @Test("after 30 idle minutes the next request is sent to sign in with an explanation", arguments: DatabaseKind.available)
    func idleExpiry(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let client = fixture.client(signedInAs: .coordinator)
        fixture.clock.advance(by: 29 * 60)
        #expect(client.get("/").status == 200)
        fixture.clock.advance(by: 30 * 60)
        let response = client.get("/account")
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/login?done=session-expired&next=%2Faccount")
        let login = client.get("/login?done=session-expired")
        #expect(login.bodyText.contains("signed out because you had not done anything for a while"))
        #expect(try fixture.auditActions().contains(.sessionExpired))
    }

    @Test("a user whose password was reset must change it before anything else", arguments: DatabaseKind.available)
    func mustChangePassword(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let user = try #require(try fixture.stores.accounts.accounts.user(username: "user.chair"))
        try fixture.stores.accounts.resetPassword(userID: user.id, newPassword: "lantern pebble river 7", by: .commandLine)
        let client = fixture.client()
        let signIn = client.signIn("user.chair", "lantern pebble river 7")
        #expect(signIn.headers["Location"] == "/account/password")
        #expect(client.get("/").headers["Location"] == "/account/password")
        let page = client.get("/account/password")
        #expect(page.bodyText.contains("You must choose a new password"))
        let mismatch = client.post("/account/password", [("current_password", "lantern pebble river 7"),
                                                         ("new_password", "copper violet anchor 9"),
                                                         ("confirm_password", "copper violet anchor 8")])
        #expect(mismatch.status == 422)
        #expect(mismatch.bodyText.contains("The passwords do not match"))
        let changed = client.post("/account/password", [("current_password", "lantern pebble river 7"),
                                                        ("new_password", "copper violet anchor 9"),
                                                        ("confirm_password", "copper violet anchor 9")])
        #expect(changed.status == 303)
        #expect(client.get("/").status == 200)
    }

    @Test("a redirect after sign-in never leaves the site")
    func openRedirect() {
        #expect(safeLocalPath("https://evil.example/") == "/")
        #expect(safeLocalPath("//evil.example/") == "/")
        #expect(safeLocalPath("/\\evil.example") == "/")
        #expect(safeLocalPath("/admin/users") == "/admin/users")
        #expect(safeLocalPath("/\t/evil.example") == "/")
        #expect(safeLocalPath("/\u{0}x") == "/")
    }

    @Test("after sign-in, next keeps only a local path: one slash, then neither slash nor backslash, no control characters",
          arguments: [("%2F%09%2Fevil.example", "/"), ("//evil.example", "/"), ("%2F%2Fevil.example", "/"),
                      ("/%5Cevil", "/"), ("https://evil.example", "/"), ("%2F%0A%2Fevil.example", "/"),
                      ("/cases/3", "/cases/3"), ("%2Fcases%2F3", "/cases/3")])
    func nextIsLocal(next: String, location: String) throws {
        let fixture = try AppFixture(.sqlite)
        let client = fixture.client()
        #expect(client.get("/login?next=\(next)").status == 200)
        let signedIn = client.post("/login?next=\(next)", [("username", "user.coordinator"), ("password", AppFixture.password)])
        #expect(signedIn.status == 303)
        #expect(signedIn.headers["Location"] == location)
    }
}
