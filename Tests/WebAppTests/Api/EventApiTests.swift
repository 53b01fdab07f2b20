import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The change-event feed as an integrating system follows it: HMPPS domain-event shape, a cursor, need-to-know and audit.
@Suite("Change event feed")
struct EventApiTests {
    @Test("events in HMPPS shape with CRN and PNC; a restricted case's are not shown; paging by cursor; bad cursors refused; audited",
          arguments: DatabaseKind.available)
    func feed(kind: DatabaseKind) throws {
        let fixture = try ApiTests.Fixture(kind)
        let token = try fixture.token(.coordinator)
        let response = fixture.send("GET", "/api/v1/events", token: token)
        #expect(response.status == 200 && response.headers["Content-Type"] == "application/json")
        let body = try ApiTests.json(response)
        let items = ApiTests.elements(body["items"])
        let open = try fixture.caseID("SYN-0001"), restricted = try fixture.caseID("SYN-0002"), exited = try fixture.caseID("SYN-0003")
        #expect(items.map { $0["additionalInformation"]?["caseId"] } == [.string(String(open)), .string(String(exited))],
                "the restricted case registered between them is not shown to a coordinator not named on it")
        let first = try #require(items.first)
        #expect(first["eventType"] == "mappa.case.registered" && first["version"] == 1)
        #expect(first["personReference"] == ["identifiers": [["type": "CRN", "value": "X100001"], ["type": "PNC", "value": "84/100001A"]]])
        #expect(first["additionalInformation"] == ["caseId": .string(String(open)), "category": "1", "level": "1"])
        if case .string(let when)? = first["occurredAt"] { #expect(when.hasSuffix("Z") && when.count == 20) } else { Issue.record("no occurredAt") }
        #expect(items.last?["personReference"] == ["identifiers": [["type": "PNC", "value": "72/100004D"]]], "no CRN is known for SYN-0003")
        #expect(body["more"] == false && body["next"] != nil && body["next"] == items.last?["id"], "the cursor is the last event looked at")
        #expect(!response.bodyText.contains("\"caseId\":\"\(restricted)\""))

        // Page by page: the hidden event is a page that shows nothing and still moves the cursor on.
        var after: Int64 = 0
        var pages: [[JSONValue]] = []
        for _ in 0..<5 {
            let page = try ApiTests.json(fixture.send("GET", "/api/v1/events?after=\(after)&limit=1", token: token))
            pages.append(ApiTests.elements(page["items"]))
            guard case .int(let next)? = page["next"] else { Issue.record("no next"); break }
            #expect(next > after)
            after = next
            if page["more"] == false { break }
        }
        #expect(pages.map(\.count) == [1, 0, 1])
        #expect(try ApiTests.json(fixture.send("GET", "/api/v1/events?after=\(after)", token: token))["items"] == [])

        for bad in ["after=-1", "after=abc", "after=9223372036854775808", "limit=0", "limit=501", "limit=ten"] {
            #expect(try ApiTests.isProblem(fixture.send("GET", "/api/v1/events?\(bad)", token: token), 400, code: "invalid_parameter"), "\(bad)")
        }
        #expect(try ApiTests.isProblem(fixture.send("GET", "/api/v1/events", token: nil), 401))
        let referrer = try ApiTests.json(fixture.send("GET", "/api/v1/events", token: try fixture.token(.referrer)))
        #expect(referrer["items"] == [], "an account that may see none of these cases gets an empty feed, not a refusal")

        let reads = try fixture.audit().filter { $0.subjectType == "change_event" && $0.action == .view }
        #expect(reads.contains { $0.actorUsername == "user.coordinator" && $0.detail == "2 events after 0 via API, cases \(min(open, exited)) \(max(open, exited))" })
        #expect(reads.contains { $0.actorUsername == "user.referrer" && $0.detail == "0 events after 0 via API" })
    }

    @Test("a level changed on the case page is in the feed, with the level before and after", arguments: DatabaseKind.available)
    func levelChange(kind: DatabaseKind) throws {
        let fixture = try ApiTests.Fixture(kind)
        let caseID = try fixture.caseID("SYN-0001")
        let coordinator = try fixture.app.viewer(.coordinator)
        let record = try fixture.app.world.record(caseID)
        var details = record.details
        details.level = .two
        try fixture.app.stores.cases.updateCase(id: caseID, details: details, reason: "Panel agreed", expectedVersion: record.version, by: coordinator)
        let items = ApiTests.elements(try ApiTests.json(fixture.send("GET", "/api/v1/events", token: try fixture.token(.coordinator)))["items"])
        #expect(items.last?["eventType"] == "mappa.level.changed")
        #expect(items.last?["additionalInformation"] == ["caseId": .string(String(caseID)), "previousLevel": "1", "level": "2"])
    }
}
