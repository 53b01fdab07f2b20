import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

@Suite("Timescales are settings")
struct TimescaleTests {
    @Test("an administrator changes the review interval; screening then sets first reviews from it", arguments: DatabaseKind.available)
    func reviewInterval(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let admin = fixture.client(signedInAs: .administrator)
        #expect(admin.get("/admin/timescales").bodyText.contains("value=\"16\""))
        let bad = admin.post("/admin/timescales", [("level3_review_weeks", "10"), ("level2_review_weeks", "6"),
                                                   ("custody_referral_lead_months", "6"), ("minutes_distribution_working_days", "0")])
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("Level 2 cases cannot be reviewed more often than Level 3 cases"))
        #expect(bad.bodyText.contains("Minutes must be distributed within 1 to 30 working days"))
        #expect(admin.post("/admin/timescales", [("level3_review_weeks", "6"), ("level2_review_weeks", "12"),
                                                 ("custody_referral_lead_months", "6"), ("minutes_distribution_working_days", "5")]).status == 303)
        let saved = try fixture.stores.context.timescales()
        #expect(saved.level2ReviewWeeks == 12 && saved.minutesDistributionWorkingDays == 5)

        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/referrals/new")
        let created = coordinator.post("/referrals/new", ReferralFlowTests.incomplete.filter { $0.0 != "level_requested" }
                                       + [("level_requested", "2"), ("action", "submit")])
        let path = String(try #require(created.headers["Location"]).split(separator: "?")[0])
        coordinator.get(path + "/screening")
        let decided = coordinator.post(path + "/screening", [("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"), ("level", "2"),
                                                             ("rationale", "Meets 7.4(a)."), ("action", "decide")])
        let location = try #require(decided.headers["Location"])
        let caseID = try #require(Int64(location.split(separator: "?")[0].split(separator: "/").last ?? ""))
        #expect(try fixture.world.record(caseID).nextReviewDate == CalendarDate(fixture.clock.now).adding(weeks: 12))
        #expect(try fixture.stores.audit.recent(limit: 20).contains { $0.subjectType == "settings" && $0.subjectID == "timescales" })
        #expect(coordinator.get("/admin/timescales").status == 403)
    }
}
