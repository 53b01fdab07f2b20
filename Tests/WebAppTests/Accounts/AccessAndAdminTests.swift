import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

@Suite("Roles, administration and the audit trail")
struct AccessAndAdminTests {
    /// Which roles may open each signed-in page. A page added without a row here is not covered: add it.
    static let pageAccess: [(path: String, allowed: Set<Role>)] = [
        ("/", Set(Role.allCases)),
        ("/account", Set(Role.allCases)),
        ("/account/password", Set(Role.allCases)),
        ("/admin/users", [.administrator]),
        ("/admin/users/new", [.administrator]),
        ("/admin/users/1", [.administrator]),
        ("/admin/users/1/edit", [.administrator]),
        ("/admin/mail", [.administrator]),
        ("/audit", [.auditor]),
    ]

    @Test("each role reaches exactly the pages it should; refusals say so and are audited", arguments: Role.allCases)
    func roleMatrix(role: Role) throws {
        let fixture = try AppFixture(.sqlite)
        let client = fixture.client(signedInAs: role)
        for (path, allowed) in Self.pageAccess {
            let response = client.get(path)
            if allowed.contains(role) {
                #expect(response.status == 200, "\(role) should open \(path)")
            } else {
                #expect(response.status == 403, "\(role) should be refused \(path)")
                #expect(response.bodyText.contains("This refusal has been recorded"))
            }
        }
        let refusals = try fixture.stores.audit.recent(limit: 100).filter { $0.action == .accessRefused }
        #expect(refusals.count == Self.pageAccess.filter { !$0.allowed.contains(role) }.count)
    }

    @Test("navigation shows only what the role can use")
    func navigation() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinatorHome = fixture.client(signedInAs: .coordinator).get("/").bodyText
        #expect(!coordinatorHome.contains("href=\"/admin/users\""))
        let adminHome = fixture.client(signedInAs: .administrator).get("/").bodyText
        #expect(adminHome.contains("href=\"/admin/users\""))
    }

    @Test("an administrator adds a user, who signs in and must change the temporary password", arguments: DatabaseKind.available)
    func addUser(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/users/new")
        let created = admin.post("/admin/users/new", [("display_name", "Pat Example"), ("username", "pat.example"),
                                                      ("email", "pat@probation.example"), ("role", "referrer"),
                                                      ("agency", "probation"), ("password", "harbour tulip spoon 5")])
        #expect(created.status == 303)
        let location = try #require(created.headers["Location"])
        // The message travels in a one-time cookie, not the address: a reload shows the record without it.
        #expect(location.hasPrefix("/admin/users/") && !location.contains("?"))
        let page = admin.get(location)
        #expect(page.bodyText.contains("User account created"))
        #expect(!admin.get(location).bodyText.contains("User account created"))
        #expect(page.bodyText.contains("Pat Example"))
        #expect(page.bodyText.contains("Probation Service"))
        #expect(admin.get("/admin/users").bodyText.contains("pat.example"))

        let pat = fixture.client()
        #expect(pat.signIn("pat.example", "harbour tulip spoon 5").headers["Location"] == "/account/password")
        let audit = try fixture.stores.audit.recent(limit: 100)
        #expect(audit.contains { $0.action == .create && $0.subjectType == "user" && $0.actorUsername == "user.administrator" })
    }

    @Test("the add-user form lists every problem and keeps what was typed")
    func addUserErrors() throws {
        let fixture = try AppFixture(.sqlite)
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/users/new")
        let response = admin.post("/admin/users/new", [("display_name", "Pat Example"), ("username", "Pat Example"),
                                                       ("email", ""), ("role", ""), ("agency", "probation"),
                                                       ("password", "password1234")])
        #expect(response.status == 422)
        let body = response.bodyText
        #expect(body.contains("There is a problem"))
        #expect(body.contains("href=\"#username\""))
        #expect(body.contains("href=\"#role\">Select a role"))
        #expect(body.contains(PasswordPolicy.Message.common))
        #expect(body.contains("value=\"Pat Example\""))
        #expect(body.contains("<option value=\"probation\" selected>"))
    }

    @Test("text people type is shown as text, never run as script")
    func escaping() throws {
        let fixture = try AppFixture(.sqlite)
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/users/new")
        let created = admin.post("/admin/users/new", [("display_name", "<script>alert('x')</script>"), ("username", "xss.test"),
                                                      ("role", "referrer"), ("agency", "probation"),
                                                      ("password", "harbour tulip spoon 5")])
        #expect(created.status == 303)
        let list = admin.get("/admin/users").bodyText
        #expect(!list.contains("<script>alert"))
        #expect(list.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
    }

    @Test("disabling a user signs them out at once; an administrator cannot disable themself", arguments: DatabaseKind.available)
    func disable(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let chair = fixture.client(signedInAs: .chair)
        #expect(chair.get("/").status == 200)
        let chairUser = try #require(try fixture.stores.accounts.accounts.user(username: "user.chair"))
        let adminUser = try #require(try fixture.stores.accounts.accounts.user(username: "user.administrator"))
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/users/\(chairUser.id)")
        #expect(admin.post("/admin/users/\(chairUser.id)/disable", []).status == 303)
        #expect(chair.get("/").status == 303)
        admin.get("/admin/users/\(adminUser.id)")
        let selfDisable = admin.post("/admin/users/\(adminUser.id)/disable", [])
        #expect(selfDisable.status == 422)
        #expect(selfDisable.bodyText.contains("You cannot disable your own account"))
    }

    @Test("two administrators editing the same user: the second is told, nothing is lost or overwritten", arguments: DatabaseKind.available)
    func concurrentEdit(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let chair = try #require(try fixture.stores.accounts.accounts.user(username: "user.chair"))
        let first = fixture.client(signedInAs: .administrator)
        let second = fixture.client(signedInAs: .administrator)
        #expect(first.get("/admin/users/\(chair.id)/edit").status == 200)
        #expect(second.get("/admin/users/\(chair.id)/edit").status == 200)
        let version = String(chair.version)
        let saved = first.post("/admin/users/\(chair.id)/edit", [("display_name", "Chair Renamed"), ("email", ""),
                                                               ("role", "chair"), ("agency", "police"), ("version", version)])
        #expect(saved.status == 303)
        let clash = second.post("/admin/users/\(chair.id)/edit", [("display_name", "Chair Other Name"), ("email", ""),
                                                                ("role", "manager"), ("agency", "police"), ("version", version)])
        #expect(clash.status == 409)
        #expect(clash.bodyText.contains("Someone else changed this record"))
        #expect(clash.bodyText.contains("value=\"Chair Other Name\""), "the second administrator's typing is kept")
        #expect(clash.bodyText.contains("Chair Renamed"), "and the saved details are shown")
        let after = try #require(try fixture.stores.accounts.accounts.user(id: chair.id))
        #expect(after.displayName == "Chair Renamed")
        #expect(after.role == .chair)
        // Saving again from the refreshed form is a deliberate overwrite and succeeds.
        let retry = second.post("/admin/users/\(chair.id)/edit", [("display_name", "Chair Other Name"), ("email", ""),
                                                                ("role", "manager"), ("agency", "police"), ("version", String(after.version))])
        #expect(retry.status == 303)
        #expect(try fixture.stores.accounts.accounts.user(id: chair.id)?.role == .manager)
    }

    @Test("a role change signs the person out so the new permissions apply at once")
    func roleChangeEndsSessions() throws {
        let fixture = try AppFixture(.sqlite)
        let chairClient = fixture.client(signedInAs: .chair)
        #expect(chairClient.get("/").status == 200)
        let chair = try #require(try fixture.stores.accounts.accounts.user(username: "user.chair"))
        let admin = fixture.client(signedInAs: .administrator)
        admin.get("/admin/users/\(chair.id)/edit")
        #expect(admin.post("/admin/users/\(chair.id)/edit", [("display_name", chair.displayName), ("email", ""),
                                                          ("role", "auditor"), ("agency", "police"),
                                                          ("version", String(chair.version))]).status == 303)
        #expect(chairClient.get("/").status == 303)
        let audit = try fixture.stores.audit.recent(limit: 5)
        #expect(audit.contains { $0.action == .update && $0.detail.contains("role chair to auditor") })
    }

    @Test("the auditor sees the trail and can check the chain")
    func auditPage() throws {
        let fixture = try AppFixture(.sqlite)
        let auditor = fixture.client(signedInAs: .auditor)
        let page = auditor.get("/audit")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("login.succeeded"))
        let verified = auditor.get("/audit/verify")
        #expect(verified.bodyText.contains("The audit chain is intact"))
    }

    @Test("unknown pages and wrong methods get plain error pages")
    func errors() throws {
        let fixture = try AppFixture(.sqlite)
        let client = fixture.client(signedInAs: .coordinator)
        let missing = client.get("/no/such/page")
        #expect(missing.status == 404)
        #expect(missing.bodyText.contains("Page not found"))
        let wrongMethod = client.send(Request(method: "DELETE", path: "/login"))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "GET, POST")
        let missingUser = fixture.client(signedInAs: .administrator).get("/admin/users/999999")
        #expect(missingUser.status == 404)
    }

    @Test("health and readiness answer without signing in")
    func health() throws {
        let fixture = try AppFixture(.sqlite)
        #expect(fixture.client().get("/healthz").bodyText == "ok")
        #expect(fixture.client().get("/readyz").bodyText == "ready")
    }

    @Test("every change an administrator makes to a user answers 303; its message shows once, so a reload repeats nothing")
    func adminChangesRedirect() throws {
        let fixture = try AppFixture(.sqlite)
        let admin = fixture.client(signedInAs: .administrator)
        let referrer = try fixture.viewer(.referrer).user
        let path = "/admin/users/\(referrer.id)"
        admin.get(path)
        let changes: [(String, [(String, String)], String)] = [
            (path + "/reset-password", [("new_password", "harbour tulip spoon 5")], "Password reset."),
            (path + "/disable", [], "User account disabled."),
            (path + "/enable", [], "User account enabled."),
            (path + "/edit", [("display_name", "Taylor Renamed"), ("email", ""), ("role", "referrer"), ("agency", "probation")],
             "User details saved."),
        ]
        for (target, fields, message) in changes {
            // The edit form's version, read as the form is opened.
            let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: admin.get(path + "/edit").bodyText))
            let response = admin.post(target, fields + [("version", version)])
            #expect(response.status == 303, "\(target): \(response.status)")
            #expect(response.headers["Location"] == path, "\(target) goes back to the user's page, with nothing in the address")
            #expect(admin.get(path).bodyText.contains(message), "\(target): the message shows")
            #expect(!admin.get(path).bodyText.contains(message), "\(target): and only once")
        }
        #expect(admin.get(path).bodyText.contains("Taylor Renamed"))
    }

    @Test("the stylesheet is served with a validator so browsers can cache it")
    func stylesheet() throws {
        let fixture = try AppFixture(.sqlite)
        let client = fixture.client()
        let first = client.get("/assets/app.css")
        #expect(first.status == 200)
        let etag = try #require(first.headers["ETag"])
        var request = Request(method: "GET", path: "/assets/app.css")
        request.headers.set("If-None-Match", etag)
        #expect(client.send(request).status == 304)
    }
}

@Suite("HTML escaping")
struct HTMLTests {
    @Test("interpolated strings are escaped, literal markup and nested HTML are not")
    func escaping() {
        let name = "<b>\"Tom\" & 'Jerry'</b>"
        let inner: HTML = "<em>\(name)</em>"
        let page: HTML = "<p title=\"\(name)\">\(inner)</p>"
        #expect(page.rendered == "<p title=\"&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;\"><em>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</em></p>")
    }
}
