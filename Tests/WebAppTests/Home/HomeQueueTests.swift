import Domain
import Foundation
import Store
import Testing
import TestSupport

/// Each person finds their next step on their home page: counts first, each item a link to the record, most urgent
/// first, and only what their need-to-know admits.
@Suite("Home work queues")
struct HomeQueueTests {
    @Test("the referrer sees a returned referral with the reasons; the coordinator sees what waits to be checked", arguments: DatabaseKind.available)
    func referralLoop(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let stores = fixture.stores
        let referrer = try fixture.viewer(.referrer), coordinator = try fixture.viewer(.coordinator)
        func refer(_ family: String) throws -> Int64 {
            var form = ReferralForm()
            form.familyName = family
            form.givenNames = "Pat"
            form.category = .two
            form.levelRequested = .two
            form.leadAgency = "probation"
            let referral = try stores.referrals.createReferral(form, by: referrer)
            _ = try stores.referrals.submitReferral(id: referral.id, by: referrer)
            return referral.id
        }
        let returned = try refer("Homequeueone")
        let waiting = try refer("Homequeuetwo")
        try stores.referrals.returnReferral(id: returned, reasons: "Add the victims and the current plan", by: coordinator)

        let referrerHome = fixture.client(signedInAs: .referrer).get("/").bodyText
        #expect(referrerHome.contains("Referrals returned to you (1)"))
        #expect(referrerHome.contains("href=\"/referrals/\(returned)\"") && referrerHome.contains("Add the victims and the current plan"))
        #expect(referrerHome.contains("Referrals waiting for screening (1)") && referrerHome.contains("href=\"/referrals/\(waiting)\""))
        #expect(referrerHome.firstRange(of: "Referrals returned to you")!.lowerBound
                < referrerHome.firstRange(of: "Referrals waiting for screening (1)")!.lowerBound, "what needs the referrer comes first")

        let coordinatorHome = fixture.client(signedInAs: .coordinator).get("/").bodyText
        #expect(coordinatorHome.contains("Referrals to check (1)") && coordinatorHome.contains("href=\"/referrals/\(waiting)\""))
        #expect(!coordinatorHome.contains("href=\"/referrals/\(returned)\""), "a returned referral waits on its referrer, not the coordinator")
        #expect(!coordinatorHome.contains("class=\"card\""), "the navigation tiles are gone")
    }

    @Test("reviews due in the next fortnight and meetings that lack something, only of cases the viewer may see", arguments: DatabaseKind.available)
    func reviewsAndMeetings(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let world = fixture.world, today = fixture.today
        let ids = try world.importCases([
            CaseRegisterRow(nominalRef: "HQ-LATE", familyName: "Homelate", givenNames: "Sam", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -300),
                            nextReviewDate: today.adding(days: -3)),
            CaseRegisterRow(nominalRef: "HQ-SOON", familyName: "Homesoon", givenNames: "Sam", dateOfBirth: CalendarDate("1980-01-02")!,
                            category: .two, level: .three, leadAgency: "probation", mappaStartDate: today.adding(days: -300),
                            nextReviewDate: today.adding(days: 10)),
            CaseRegisterRow(nominalRef: "HQ-LATER", familyName: "Homelater", givenNames: "Sam", dateOfBirth: CalendarDate("1980-01-03")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -300),
                            nextReviewDate: today.adding(days: 40)),
            CaseRegisterRow(nominalRef: "HQ-HIDDEN", familyName: "Homehidden", givenNames: "Sam", dateOfBirth: CalendarDate("1980-01-04")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -300),
                            nextReviewDate: today.adding(days: -30)),
        ])
        try world.name("user.coordinator", on: ids["HQ-HIDDEN"]!, as: .exclude)
        try world.involve(ids["HQ-SOON"]!, agency: "housing")
        _ = try world.schedule(MeetingPlan(kind: .level2, title: "Panel with gaps", date: today.adding(days: 4), startTime: "10:00", venue: "Room 2"))

        let home = fixture.client(signedInAs: .coordinator).get("/").bodyText
        #expect(home.contains("Reviews overdue or due in 14 days (2)"))
        #expect(home.contains("HQ-LATE") && home.contains("Overdue by 3 days") && home.contains("HQ-SOON"))
        #expect(!home.contains("HQ-LATER"), "due after the fortnight")
        #expect(!home.contains("HQ-HIDDEN"), "the coordinator is excluded from that case")
        #expect(home.firstRange(of: "HQ-LATE")!.lowerBound < home.firstRange(of: "HQ-SOON")!.lowerBound, "most overdue first")
        #expect(home.contains("Meetings in the next 14 days that lack something (1)"))
        #expect(home.contains("Lacks: no agenda; no chair; no invitees confirmed; papers not sent"))

        let housing = fixture.client(signedInAs: .agencyRepresentative).get("/").bodyText
        #expect(housing.contains("Your agency&#39;s cases by next review (1)") || housing.contains("Your agency's cases by next review (1)"))
        #expect(housing.contains("HQ-SOON") && !housing.contains("HQ-LATE"), "only the case housing is involved in")
    }
}
