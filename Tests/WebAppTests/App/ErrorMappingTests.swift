import Database
import Domain
import Foundation
import HTTPServer
import Testing
@testable import WebApp

/// Every error becomes an answer in one place: a page for a person, an RFC 9457 problem for an API client, with the
/// status its kind gives and words that are safe to show; anything unexpected is a 500 that says nothing of why.
@Suite("Errors as answers")
struct ErrorMappingTests {
    static let kinds: [(DomainError, Int)] = [
        (.validation(field: "name", "Enter the name"), 422), (.badRequest("The date is not a date"), 400),
        (.notFound("The case"), 404), (.needToKnow(.mappaCase), 403), (.roleRefused(), 403),
        (.conflict("already_held", "The meeting has already been held"), 409),
        (DomainError(.unavailable, code: "database_unavailable", "The database is not answering"), 503),
    ]

    @Test("each kind of error has its status, as a page and as a problem document with its code")
    func statuses() throws {
        for (error, status) in Self.kinds {
            let page = ErrorMapping.response(Request(method: "GET", path: "/cases/1"), error, session: nil)
            #expect(page.status == status, "\(error.code)")
            #expect(page.bodyText.contains(HTML.escape(error.description)), "the page says what went wrong: \(error.code)")
            let problem = ErrorMapping.response(Request(method: "GET", path: "/api/v1/cases/1"), error, session: nil)
            #expect(problem.status == status && problem.headers["Content-Type"] == "application/problem+json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(problem.body)) as? [String: Any])
            #expect(document["code"] as? String == error.code && document["status"] as? Int == status)
        }
        let invalid = ErrorMapping.response(Request(method: "POST", path: "/api/v1/referrals"),
                                            DomainError.validation(field: "family_name", "Enter the family name"), session: nil)
        let errors = try #require((try JSONSerialization.jsonObject(with: Data(invalid.body)) as? [String: Any])?["errors"] as? [[String: String]])
        #expect(errors == [["field": "family_name", "message": "Enter the family name"]], "each field's problem, for the client to show")
    }

    @Test("a need-to-know refusal says so, not that the role forbids it")
    func needToKnowSaysSo() {
        let page = ErrorMapping.response(Request(method: "GET", path: "/cases/1"), DomainError.needToKnow(.mappaCase), session: nil)
        #expect(page.bodyText.contains("need-to-know") && !page.bodyText.contains("Your role does not allow"))
    }

    @Test("an unexpected failure is a 500 that tells neither the person nor the client what failed")
    func unexpected() {
        let failure = DatabaseError(.constraint, "UNIQUE constraint failed: users.username")
        for path in ["/cases/1", "/api/v1/cases/1"] {
            let response = ErrorMapping.response(Request(method: "GET", path: path), failure, session: nil)
            #expect(response.status == 500)
            #expect(!response.bodyText.contains("users.username") && !response.bodyText.contains("UNIQUE"))
        }
    }
}
