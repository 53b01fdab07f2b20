import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The referral form as a task list, through the real pages: each section saved on its own with its status, errors
/// shown with what was typed, and Check your answers before submitting.
@Suite("Referral task list")
struct ReferralTaskListTests {
    static func started(_ client: TestClient) throws -> String {
        client.get("/referrals/new")
        let started = client.post("/referrals/new", [])
        #expect(started.status == 303)
        let location = try #require(started.headers["Location"])
        #expect(location.hasSuffix("/edit"))
        return String(location.dropLast("/edit".count))
    }

    @Test("a section's status: not started, in progress, has problems once marked complete with an answer missing, completed",
          arguments: DatabaseKind.available)
    func statuses(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let referrer = fixture.client(signedInAs: .referrer)
        let path = try Self.started(referrer)
        let fresh = referrer.get(path + "/edit").bodyText
        for section in ReferralSection.allCases {
            #expect(try ReferralFlowTests.sectionStatus(fresh, ReferralTaskPages.slug(section)) == "Not started")
            #expect(fresh.contains("href=\"\(path)/sections/\(ReferralTaskPages.slug(section))\""))
        }
        #expect(try fixture.auditActions().contains(.view))

        let partial = try ReferralFlowTests.save(referrer, path, .offender, [("family_name", "Tasklist"), ("given_names", "")], completed: "no")
        #expect(partial.status == 303)
        #expect(partial.headers["Location"] == "\(path)/edit")
        let afterPartial = referrer.get(path + "/edit").bodyText
        #expect(try ReferralFlowTests.sectionStatus(afterPartial, "offender") == "In progress")
        #expect(afterPartial.contains("Section saved."))
        #expect(!referrer.get(path + "/edit").bodyText.contains("Section saved."), "the message shows once")

        // Marked complete with the given names still missing: the quality check's finding marks it, and says what.
        try ReferralFlowTests.save(referrer, path, .offender, [("family_name", "Tasklist")])
        let marked = referrer.get(path + "/edit").bodyText
        #expect(try ReferralFlowTests.sectionStatus(marked, "offender") == "Has problems")
        #expect(marked.contains("Enter the offender&#39;s given names"))
        #expect(try ReferralFlowTests.sectionStatus(marked, "category") == "Not started", "other sections are untouched")

        let offender = ReferralFlowTests.incomplete.filter { ReferralFlowTests.section(of: $0.0) == .offender }
        try ReferralFlowTests.save(referrer, path, .offender, offender)
        let done = referrer.get(path + "/edit").bodyText
        #expect(try ReferralFlowTests.sectionStatus(done, "offender") == "Completed")
        #expect(done.contains("You have completed 1 of 9 sections"))
        // Unmarked again: back in progress.
        try ReferralFlowTests.save(referrer, path, .offender, offender, completed: "no")
        #expect(try ReferralFlowTests.sectionStatus(referrer.get(path + "/edit").bodyText, "offender") == "In progress")

        let stored = try fixture.stores.referrals.referral(id: try #require(Int64(path.split(separator: "/").last ?? "")),
                                                           for: try fixture.viewer(.referrer))
        #expect(stored.form.familyName == "Sampleton" && stored.form.aliases == ["Rob", "The Fox"])
        #expect(stored.completedSections.isEmpty)
    }

    @Test("a section with mistakes comes back with the error summary and everything typed, and saves nothing",
          arguments: DatabaseKind.available)
    func sectionErrors(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let referrer = fixture.client(signedInAs: .referrer)
        let path = try Self.started(referrer)
        let page = referrer.get(path + "/sections/offender")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("<h1>2. Offender information</h1>"))
        #expect(page.bodyText.contains("Have you completed this section?"))
        #expect(!page.bodyText.contains("name=\"category\""), "only the section's own fields")
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: page.bodyText))

        let wrong = referrer.post(path + "/sections/offender", [
            ("family_name", "Typedkept"), ("ethnicity", "White British"), ("date_of_birth-day", "31"), ("date_of_birth-month", "2"),
            ("date_of_birth-year", "1990"), ("given_names", String(repeating: "x", count: 201)), ("version", version),
        ])
        #expect(wrong.status == 422)
        let body = wrong.bodyText
        #expect(body.contains("class=\"error-summary\""))
        #expect(body.contains("Date of birth must be a real date"))
        #expect(body.contains("<a href=\"#completed\">Select whether you have completed this section</a>"))
        #expect(body.contains("Given names must be 200 characters or fewer"))
        #expect(body.contains("value=\"Typedkept\"") && body.contains("value=\"White British\""))
        #expect(TestClient.dateInputValue(body, "date_of_birth", "day") == "31")
        let control = referrer.post(path + "/sections/reason", [("reason_for_referral", "Bell\u{7}"), ("version", version), ("completed", "yes")])
        #expect(control.status == 422)

        let referral = try fixture.stores.referrals.referral(id: try #require(Int64(path.split(separator: "/").last ?? "")),
                                                             for: try fixture.viewer(.referrer))
        #expect(referral.form.familyName.isEmpty && referral.version == Int64(version), "nothing was saved")

        // Someone else saved the referral in between: the page says so and keeps what was typed.
        try ReferralFlowTests.save(referrer, path, .reason, [("reason_for_referral", "First")])
        let stale = referrer.post(path + "/sections/offender", [("family_name", "Latecomer"), ("version", version), ("completed", "no")])
        #expect(stale.status == 409)
        #expect(stale.bodyText.contains("value=\"Latecomer\""))
    }

    @Test("check your answers shows every answer with a Change link per section, and submits through the quality check",
          arguments: DatabaseKind.available)
    func checkAnswers(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let referrer = fixture.client(signedInAs: .referrer)
        let path = try Self.started(referrer)
        try ReferralFlowTests.fill(referrer, path, ReferralFlowTests.incomplete)
        let check = referrer.get(path + "/check")
        #expect(check.status == 200)
        let body = check.bodyText
        for section in ReferralSection.allCases {
            #expect(body.contains("href=\"\(path)/sections/\(ReferralTaskPages.slug(section))\">Change<span class=\"visually-hidden\"> \(section.title)</span>"))
        }
        #expect(body.contains("Sampleton") && body.contains("14 February 1990") && body.contains("Probation"))
        #expect(body.contains("Not given"), "unanswered questions are listed too")
        #expect(body.contains("A Level 3 referral must say which parts"), "the quality check's findings before submitting")
        #expect(body.contains("action=\"\(path)/submit\""))
        #expect(try fixture.stores.audit.recent(limit: 20).contains { $0.detail == "check answers" })

        #expect(referrer.get(path + "/sections/nowhere").status == 404)
        let submitted = referrer.post(path + "/submit", [])
        #expect(submitted.headers["Location"] == "\(path)?done=referral-submitted")
        let id = try #require(Int64(path.split(separator: "/").last ?? ""))
        #expect(try fixture.stores.referrals.referral(id: id, for: try fixture.viewer(.referrer)).status == .submitted)
        // Submitted: the sections can no longer be changed, nor the referral submitted twice.
        #expect(referrer.get(path + "/sections/offender").status == 409)
        #expect(referrer.get(path + "/check").status == 409)
        #expect(referrer.post(path + "/submit", []).status == 409)
        // Someone else's referral is not shown, nor confirmed to exist.
        let other = fixture.client(signedInAs: .coordinator)
        let othersPath = try Self.started(other)
        #expect(referrer.get(othersPath + "/sections/offender").status == 404)
        #expect(referrer.get(othersPath + "/check").status == 404)
    }
}
