import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// A screening panel's agenda lists the referrals ready for screening; each decision is recorded against the panel
/// where it was made, with that panel's attendance; a decided referral shows its decision instead of the form, and
/// sending the decision again (a refresh, the back button) never records a second one.
@Suite("Screening panels")
struct ScreeningPanelTests {
    struct World {
        let fixture: AppFixture
        let coordinator: TestClient
        let referralID: Int64
        let meetingID: Int64

        init(_ kind: DatabaseKind) throws {
            fixture = try AppFixture(kind)
            coordinator = fixture.client(signedInAs: .coordinator)
            coordinator.get("/referrals/new")
            let created = coordinator.post("/referrals/new", ReferralFlowTests.incomplete.filter { $0.0 != "level_requested" }
                                           + [("level_requested", "2"), ("action", "submit")])
            let location = try #require(created.headers["Location"])
            referralID = try #require(Int64(location.split(separator: "?")[0].split(separator: "/").last ?? ""))
            coordinator.get("/meetings/new")
            let scheduled = coordinator.post("/meetings/new", [("kind", "screening"), ("title", "Screening panel – North"),
                                                               ("date", fixture.today.description), ("start_time", "09:30"), ("duration", "60"),
                                                               ("venue", "Room 2")])
            meetingID = try #require(scheduled.headers["Location"]?.split(separator: "/").last?.split(separator: "?").first.flatMap { Int64($0) })
        }

        var referralPath: String { "/referrals/\(referralID)" }
    }

    static func decision(meeting: Int64?) -> [(String, String)] {
        [("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"), ("level", "2"), ("existing_nominal", ""),
         ("rationale", "Housing and police must co-ordinate."), ("action", "decide"), ("meeting", meeting.map(String.init) ?? "")]
    }

    @Test("the panel's agenda lists the referrals ready for screening; the decision records the panel and its attendance",
          arguments: DatabaseKind.available)
    func decidedAtPanel(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.coordinator
        let agenda = coordinator.get("/meetings/\(world.meetingID)").bodyText
        #expect(agenda.contains("1 referral ready for screening") && agenda.contains("Robin Sampleton"))
        #expect(agenda.contains("href=\"/referrals/\(world.referralID)/screening?meeting=\(world.meetingID)\""))
        let police = try world.fixture.world.agencyID("police")
        let probation = try world.fixture.world.agencyID("probation")
        coordinator.get("/meetings/\(world.meetingID)/attendance")
        #expect(coordinator.post("/meetings/\(world.meetingID)/attendance", [("status-\(police)", "attended"), ("person-\(police)", "DI Panelist"),
                                                                            ("status-\(probation)", "apologies"), ("person-\(probation)", "SPO Absent")]).status == 303)
        let form = coordinator.get(world.referralPath + "/screening?meeting=\(world.meetingID)").bodyText
        #expect(form.contains("<option value=\"\(world.meetingID)\" selected>Screening panel – North"))
        #expect(coordinator.post(world.referralPath + "/screening", Self.decision(meeting: world.meetingID)).status == 303)

        let referral = try world.fixture.stores.referrals.referral(id: world.referralID, for: try world.fixture.viewer(.coordinator))
        #expect(try world.fixture.stores.screening.decision(on: referral)?.meetingID == world.meetingID)
        let page = coordinator.get(world.referralPath).bodyText
        #expect(page.contains("Screening decision") && page.contains("Screening panel – North"))
        #expect(page.contains("DI Panelist") && page.contains("SPO Absent") && page.contains("Sent apologies"), "the panel's attendance")
        let after = coordinator.get("/meetings/\(world.meetingID)").bodyText
        #expect(after.contains("Decided at this panel") && after.contains("Accepted at Level 2") && !after.contains("ready for screening,"))
    }

    @Test("sending the decision again goes to the decision (303), records nothing more, and screening is not offered again",
          arguments: DatabaseKind.available)
    func noSecondDecision(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.coordinator
        coordinator.get(world.referralPath + "/screening")
        let first = coordinator.post(world.referralPath + "/screening", Self.decision(meeting: nil))
        #expect(first.status == 303)
        let again = coordinator.post(world.referralPath + "/screening", Self.decision(meeting: nil))
        #expect(again.status == 303 && again.headers["Location"] == world.referralPath + "/screening")
        let count = try world.fixture.test.database.read { connection -> Int in
            try connection.queryOne("SELECT COUNT(*) AS n FROM screening_decisions WHERE referral_id = ?", [.integer(world.referralID)])?.value("n") ?? 0
        }
        #expect(count == 1)
        let shown = coordinator.get(world.referralPath + "/screening")
        #expect(shown.status == 200)
        #expect(shown.bodyText.contains("Accepted at Level 2") && shown.bodyText.contains("Not recorded against a panel"))
        #expect(!shown.bodyText.contains("Record the decision"), "no form for a referral already decided")
        #expect(!coordinator.get(world.referralPath).bodyText.contains("Screen this referral"))
    }

    @Test("a decision can only be recorded against a screening panel that has taken place")
    func wrongPanel() throws {
        let world = try World(.sqlite)
        let coordinator = world.coordinator
        coordinator.get("/meetings/new")
        let later = coordinator.post("/meetings/new", [("kind", "screening"), ("title", "Next screening"), ("date", world.fixture.today.adding(days: 7).description),
                                                       ("start_time", "09:30"), ("duration", "60"), ("venue", "Room 2")])
        let laterID = try #require(later.headers["Location"]?.split(separator: "/").last?.split(separator: "?").first.flatMap { Int64($0) })
        coordinator.get(world.referralPath + "/screening")
        let refused = coordinator.post(world.referralPath + "/screening", Self.decision(meeting: laterID))
        #expect(refused.status == 422 && refused.bodyText.contains("Select a screening panel that has taken place"))
        let unknown = coordinator.post(world.referralPath + "/screening", Self.decision(meeting: 999_999))
        #expect(unknown.status == 422 && unknown.bodyText.contains("Select the screening panel from the list"))
        #expect(try world.fixture.stores.referrals.referral(id: world.referralID, for: try world.fixture.viewer(.coordinator)).status == .submitted)
    }
}
