import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The JSON API as an integrating system uses it: bearer tokens instead of cookies, problem documents for
/// every error, the same permissions, need-to-know and auditing as the pages, and a document that lists it all.
@Suite("JSON API")
struct ApiTests {
    /// Invented people (DESIGN.md register format): a Category 1 case at Level 1, a Category 4 case (restricted
    /// by default) and a Category 3 case whose level was never set and which has ended.
    static let register = """
        nominal_ref,family_name,given_names,aliases,date_of_birth,gender,ethnicity,pnc_id,visor_ref,crn,category,level,lead_agency,mappa_start_date,statutory_end_date,next_review_date,rosh,custody_status,release_date,status,exit_date,exit_reason
        SYN-0001,Examplesson,Jordan,Jay,1984-03-02,Male,White British,84/100001A,VR0001,X100001,1,1,police,2021-05-01,2031-05-01,2027-03-01,medium,community,,active,,
        SYN-0002,Placeholder,Morgan,,1979-07-14,Male,Asian British,79/100003C,,X100003,4,3,police,2024-02-01,,2026-12-15,very high,custody,2027-06-01,active,,
        SYN-0003,Fictional,Riley,,1972-01-30,Male,White Irish,72/100004D,,,3,,probation,2019-09-09,,,low,community,,exited,2024-09-09,Order expired

        """

    static let form: JSONValue = [
        "levelRequested": 3, "category": 2, "familyName": "Syntheticson", "givenNames": "Avery",
        "aliases": ["Ave"], "dateOfBirth": "1988-04-12", "gender": "Female", "custodyStatus": "community",
        "indexOffences": "Wounding", "sentence": "3 years", "offenceDetails": "- Invented", "reasonForReferral": "Threats",
        "roshOverall": "high", "roshByGroup": ["public": "high", "children": nil], "victimInformation": "Neighbour",
        "diversityNeeds": "None known", "currentRiskManagementPlan": "Weekly reporting",
        "multiAgencyValue": "Housing and police must co-ordinate", "leadAgency": "probation",
        "agenciesInvolved": ["housing"], "managerAuthorisedBy": "SPO Example", "managerAuthorisedOn": "2027-01-05",
    ]

    /// The app with a user of each role (`AppFixture`), the register above and a way to mint tokens.
    struct Fixture {
        let app: AppFixture
        init(_ kind: DatabaseKind) throws {
            app = try AppFixture(kind)
            let rows = try CaseRegisterCSV.parse(Array(ApiTests.register.utf8), agencyCodes: try app.stores.register.agencyCodes(),
                                                 today: app.today).get()
            _ = try app.world.importCases(rows)
        }

        var tokens: ApiTokenStore { app.stores.apiTokens }

        func user(_ role: Role) throws -> User { try app.viewer(role).user }

        func token(_ role: Role, days: Int = 90) throws -> String {
            try tokens.create(userID: try user(role).id, name: "test", lifetimeDays: days, by: .commandLine).token
        }

        func nominalID(_ ref: String) throws -> Int64 { try #require(try app.world.nominalID(ref)) }

        func caseID(_ ref: String) throws -> Int64 { try app.world.caseID(ref) }

        @discardableResult
        func send(_ method: String, _ target: String, token: String?, json: JSONValue? = nil,
                  contentType: String = "application/json", body: String? = nil) -> Response {
            var headers = Headers()
            if let token { headers.set("Authorization", "Bearer \(token)") }
            var bytes: [UInt8] = []
            if let json { bytes = json.encoded }
            if let body { bytes = Array(body.utf8) }
            if json != nil || body != nil { headers.set("Content-Type", contentType) }
            return app.app.handle(Request(method: method, path: TestClient.path(target), query: TestClient.query(target),
                                          headers: headers, body: bytes, remoteAddress: "192.0.2.44"))
        }

        func audit() throws -> [AuditEntry] { try app.stores.audit.recent(limit: 1000) }
    }

    static func json(_ response: Response) throws -> JSONValue {
        try #require(JSONValue.parse(response.body))
    }

    /// The elements of a JSON array (none for anything else).
    static func elements(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    static func isProblem(_ response: Response, _ status: Int, code: String? = nil) throws -> Bool {
        let body = try json(response)
        return response.status == status && response.headers["Content-Type"] == "application/problem+json"
            && body["status"] == .int(Int64(status)) && body["title"] != nil
            && (code.map { body["code"] == .string($0) } ?? true)
    }

    @Test("no token, a wrong one, a revoked one or an expired one: 401 problem with a Bearer challenge, never a sign-in redirect",
          arguments: DatabaseKind.available)
    func unauthorized(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let path = "/api/v1/nominals?q=Examplesson"
        let revoked = try fixture.tokens.create(userID: try fixture.user(.coordinator).id, name: "old", by: .commandLine)
        try fixture.tokens.revoke(id: revoked.record.id, userID: try fixture.user(.coordinator).id, by: .commandLine)
        let expiring = try fixture.token(.coordinator, days: 1)
        #expect(fixture.send("GET", path, token: expiring).status == 200)
        fixture.app.clock.advance(by: 86_400)

        let missing = fixture.send("GET", path, token: nil)
        #expect(try Self.isProblem(missing, 401, code: "unauthorized"))
        #expect(missing.headers["WWW-Authenticate"] == "Bearer realm=\"MAPPA Coordinator API\"")
        #expect(missing.headers["Location"] == nil)
        for token in ["mappa_" + String(repeating: "0", count: 64), "not-a-token", revoked.token, expiring] {
            let refused = fixture.send("GET", path, token: token)
            #expect(try Self.isProblem(refused, 401))
            #expect(refused.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true)
        }
        // A session cookie is no way in either: the API reads only the bearer token.
        let browser = fixture.app.client(signedInAs: .coordinator)
        var request = Request(method: "GET", path: "/api/v1/nominals", query: [("q", "Examplesson")], headers: browser.headers())
        request.remoteAddress = "192.0.2.44"
        #expect(try Self.isProblem(fixture.app.app.handle(request), 401))
        #expect(try fixture.audit().filter { $0.action == .loginFailed && $0.subjectType == "api_token" }.count == 4)
    }

    @Test("a role without the permission gets a 403 problem, and the refusal is audited", arguments: DatabaseKind.available)
    func forbidden(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let referrer = try fixture.token(.referrer)
        let refused = fixture.send("GET", "/api/v1/nominals?q=Examplesson", token: referrer)
        #expect(try Self.isProblem(refused, 403, code: "forbidden"))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/screening-decisions?since=2027-01-01", token: referrer), 403))
        #expect(try Self.isProblem(fixture.send("POST", "/api/v1/referrals", token: try fixture.token(.manager), json: [:]), 403))
        let entry = try #require(try fixture.audit().first { $0.action == .accessRefused && $0.subjectID == "/api/v1/nominals" })
        #expect(entry.actorUsername == "user.referrer")
        #expect(entry.detail == "role referrer lacks viewCases")
        #expect(entry.clientAddress == "192.0.2.44")
    }

    @Test("need-to-know: a restricted case and a case the agency is not involved in are refused with 403, and audited",
          arguments: DatabaseKind.available)
    func needToKnow(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let restricted = try fixture.caseID("SYN-0002")
        let coordinator = try fixture.token(.coordinator)
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/cases/\(restricted)", token: coordinator), 403, code: "need_to_know"))
        // The housing representative sees no police-led case until housing is involved in it.
        let policeCase = try fixture.caseID("SYN-0001")
        let housing = try fixture.token(.agencyRepresentative)
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/cases/\(policeCase)", token: housing), 403, code: "need_to_know"))
        let housingID = try fixture.app.world.agencyID("housing")
        try fixture.app.test.database.write {
            try $0.execute("INSERT INTO case_agencies (case_id, agency_id) VALUES (?, ?)", [.integer(policeCase), .integer(housingID)])
        }
        #expect(fixture.send("GET", "/api/v1/cases/\(policeCase)", token: housing).status == 200)
        // The referrer's role has no access to cases at all.
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/cases/\(policeCase)", token: try fixture.token(.referrer)), 403))

        let refusals = try fixture.audit().filter { $0.action == .accessRefused && $0.subjectType == "case" }
        #expect(refusals.map(\.detail).sorted() == ["agency not involved in the case", "restricted case; not on its access list",
                                                    "role has no access to cases"])
        // Need-to-know covers the person too: a restricted case's nominal is refused (and audited), as on the pages.
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nominals/\(try fixture.nominalID("SYN-0002"))", token: coordinator), 403))
        #expect(try fixture.audit().contains { $0.action == .accessRefused && $0.subjectType == "nominal" })
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/cases/999999", token: coordinator), 404))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/cases/abc", token: coordinator), 404))
    }

    @Test("nominal search: q is required, limit is bounded, results are JSON and the search is audited",
          arguments: DatabaseKind.available)
    func search(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let token = try fixture.token(.coordinator)
        let found = fixture.send("GET", "/api/v1/nominals?q=jordan%20example", token: token)
        #expect(found.status == 200)
        #expect(found.headers["Content-Type"] == "application/json")
        let body = try Self.json(found)
        guard case .array(let items)? = body["items"] else { Issue.record("no items"); return }
        #expect(items.count == 1)
        #expect(items.first?["nominalRef"] == "SYN-0001")
        #expect(items.first?["dateOfBirth"] == "1984-03-02")
        #expect(items.first?["aliases"] == ["Jay"])
        #expect(body["more"] == false)
        #expect(try Self.json(fixture.send("GET", "/api/v1/nominals?q=1984-03-02", token: token))["items"] == body["items"])
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nominals", token: token), 400, code: "missing_parameter"))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nominals?q=", token: token), 400))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nominals?q=" + String(repeating: "a", count: 101), token: token), 400))
        for limit in ["0", "101", "ten"] {
            #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nominals?q=smith&limit=\(limit)", token: token), 400))
        }
        let searches = try fixture.audit().filter { $0.subjectType == "nominal_search" }
        #expect(searches.count == 2)
        #expect(searches.allSatisfy { $0.action == .view && $0.actorUsername == "user.coordinator" && $0.detail.hasPrefix("via API") })
        #expect(searches.contains { $0.detail == "via API, searched for \"1984-03-02\": 1 shown (SYN-0001)" },
                "the audit keeps what was searched for and whom it showed")

        let nominal = try Self.json(fixture.send("GET", "/api/v1/nominals/\(try fixture.nominalID("SYN-0001"))", token: token))
        #expect(nominal["familyName"] == "Examplesson")
        guard case .array(let cases)? = nominal["cases"] else { Issue.record("no cases"); return }
        #expect(cases.count == 1)
        #expect(try fixture.audit().contains { $0.action == .view && $0.subjectType == "nominal" })
    }

    @Test("a case uses the HMPPS field names, null for an unknown level, and carries RoSH, status, exit and history",
          arguments: DatabaseKind.available)
    func caseFields(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let token = try fixture.token(.coordinator)
        let active = try Self.json(fixture.send("GET", "/api/v1/cases/\(try fixture.caseID("SYN-0001"))", token: token))
        #expect(active["level"] == 1)
        #expect(active["levelDescription"] == .string(ManagementLevel.one.description))
        #expect(active["category"] == 1)
        #expect(active["categoryDescription"] == .string(MappaCategory.one.description))
        #expect(active["startDate"] == "2021-05-01")
        #expect(active["reviewDate"] == "2027-03-01")
        #expect(active["statutoryEndDate"] == "2031-05-01")
        #expect(active["rosh"] == "medium")
        #expect(active["roshByGroup"] == ["children": nil, "public": nil, "knownAdult": nil, "staff": nil])
        #expect(active["status"] == "active")
        #expect(active["exit"] == .null)
        #expect(active["leadAgency"]?["code"] == "police")
        #expect(active["nominal"]?["nominalRef"] == "SYN-0001")
        guard case .array(let history)? = active["history"] else { Issue.record("no history"); return }
        _ = history
        #expect(active["level_description"] == nil && active["nextReviewDate"] == nil)
        #expect(active["area"] == .null, "no MAPPA area recorded")
        // A regional database: the case is put in an area, and the API names it by its code.
        try fixture.app.stores.areas.add(code: "north_testshire", name: "North Testshire", population: "", by: .commandLine)
        let coordinator = try fixture.app.viewer(.coordinator)
        let record = try fixture.app.world.record(try fixture.caseID("SYN-0001"))
        var details = record.details
        details.area = "north_testshire"
        try fixture.app.stores.cases.updateCase(id: record.id, details: details, reason: "", expectedVersion: record.version, by: coordinator)
        let placed = try Self.json(fixture.send("GET", "/api/v1/cases/\(record.id)", token: token))
        #expect(placed["area"] == "north_testshire")

        let exited = try Self.json(fixture.send("GET", "/api/v1/cases/\(try fixture.caseID("SYN-0003"))", token: token))
        #expect(exited["level"] == .null)
        #expect(exited["levelDescription"] == .string(ManagementLevel.unknown.description))
        #expect(exited["reviewDate"] == .null)
        #expect(exited["exit"] == ["date": "2024-09-09", "reason": "Order expired"])
        #expect(try fixture.audit().filter { $0.action == .view && $0.subjectType == "case" }.count == 3)
    }

    @Test("errors on API paths are problems, not pages: unknown paths 404 and wrong methods 405 with Allow",
          arguments: DatabaseKind.available)
    func errorsAreProblems(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let token = try fixture.token(.coordinator)
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nothing-here", token: token), 404))
        let wrongMethod = fixture.send("DELETE", "/api/v1/referrals", token: token)
        #expect(try Self.isProblem(wrongMethod, 405))
        #expect(wrongMethod.headers["Allow"] == "GET, POST")
    }

    @Test("/api/openapi.json is OpenAPI 3.1 without a token and documents exactly the routes under /api/v1",
          arguments: DatabaseKind.available)
    func openAPIDocument(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let response = fixture.send("GET", "/api/openapi.json", token: nil)
        #expect(response.status == 200)
        let document = try Self.json(response)
        #expect(document["openapi"] == "3.1.0")
        #expect(document["components"]?["securitySchemes"]?["bearerAuth"]?["scheme"] == "bearer")
        guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
        var documented = Set<String>()
        for (path, item) in paths where path.hasPrefix("/api/v1/") {
            guard case .object(let operations) = item else { continue }
            for (method, operation) in operations {
                documented.insert("\(method.uppercased()) \(path)")
                // Every operation says how it answers an unauthenticated client.
                #expect(operation["responses"]?["401"] != nil, "\(method) \(path) documents no 401")
            }
        }
        var router = Router()
        ApiRoutes.register(&router, Services(stores: fixture.app.stores, configuration: WebConfiguration(), imports: ImportJobs()))
        let routed = Set(router.routes.filter { $0.pattern.hasPrefix("/api/v1/") }.map { route in
            "\(route.method) " + route.pattern.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .reduce("") { $0 + "/" + $1 }
        })
        #expect(documented == routed)
        #expect(routed.count == 11)
        // Every reference points at something the document defines.
        let text = response.bodyText
        let references = Set(text.matches(of: /"\$ref":"#\/components\/(\w+)\/(\w+)"/).map { ($0.1, $0.2) }.map { "\($0.0)/\($0.1)" })
        for reference in references {
            let parts = reference.split(separator: "/").map(String.init)
            #expect(document["components"]?[parts[0]]?[parts[1]] != nil, "unresolved \(reference)")
        }
        // The agency directory is where the form's agency codes come from.
        let agencyCodes = document["components"]?["schemas"]?["ReferralFormInput"]?["properties"]?["leadAgency"]?["enum"]
        guard case .array(let codes)? = agencyCodes else { Issue.record("no agency codes"); return }
        #expect(codes.contains("housing") && codes.contains(""))
    }

    @Test("the API tokens page: create a token (shown once), use it, revoke it", arguments: DatabaseKind.available)
    func tokenPage(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let browser = fixture.app.client(signedInAs: .chair)
        #expect(browser.get("/account").bodyText.contains("href=\"/account/api-tokens\""))
        let empty = browser.get("/account/api-tokens")
        #expect(empty.status == 200)
        #expect(empty.bodyText.contains("You have no API tokens"))
        #expect(browser.post("/account/api-tokens", [("name", " "), ("days", "90")]).status == 422)
        let created = browser.post("/account/api-tokens", [("name", "Case system sync"), ("days", "30")])
        #expect(created.status == 200)
        #expect(created.bodyText.contains("It will not be shown again"))
        let token = try #require(TestClient.firstMatch(#"value="(mappa_[0-9a-f]{64})""#, in: created.bodyText))
        let listed = browser.get("/account/api-tokens")
        #expect(listed.bodyText.contains("Case system sync"))
        #expect(!listed.bodyText.contains(token))
        #expect(listed.bodyText.contains("Never"))
        #expect(fixture.send("GET", "/api/v1/nominals?q=Examplesson", token: token).status == 200)
        #expect(!browser.get("/account/api-tokens").bodyText.contains("Never"))

        let tokenID = try #require(TestClient.firstMatch(#"action="/account/api-tokens/(\d+)/revoke""#, in: listed.bodyText))
        // Without the CSRF token the revocation is refused; with it the token stops working at once.
        #expect(browser.post("/account/api-tokens/\(tokenID)/revoke", [], addCSRF: false).status == 403)
        #expect(fixture.send("GET", "/api/v1/nominals?q=Examplesson", token: token).status == 200)
        let revoked = browser.post("/account/api-tokens/\(tokenID)/revoke", [])
        #expect(revoked.status == 303)
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/nominals?q=Examplesson", token: token), 401))
        #expect(browser.get("/account/api-tokens").bodyText.contains("Revoked"))
        // Someone else's token id is not found, and nothing changes.
        let other = fixture.app.client(signedInAs: .manager)
        other.get("/account/api-tokens")
        #expect(other.post("/account/api-tokens/\(tokenID)/revoke", []).status == 404)
        #expect(try fixture.audit().filter { $0.subjectType == "api_token" && $0.action != .loginFailed }.map(\.action)
                == [.update, .create])
    }
}
