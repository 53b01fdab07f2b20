import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// What the home pages will list of referrals: the referrer's returned (with the reasons, by field), waiting and
/// decided; the coordinator's to check and ready for screening. Each person's own, oldest first.
@Suite("Referral queues and return reasons")
struct ReferralQueueTests {
    /// A referral with nothing the quality check would block on.
    static func complete(_ family: String) -> ReferralForm {
        var form = ReferralForm()
        form.levelRequested = .two
        form.category = .two
        form.familyName = family
        form.givenNames = "Sam"
        form.dateOfBirth = CalendarDate("1985-01-01")
        form.ethnicity = "White British"
        form.currentAddress = "1 Example Road"
        form.custodyStatus = .community
        form.indexOffences = "Wounding"
        form.sentence = "4 years"
        form.offenceDetails = "- Assault"
        form.reasonForReferral = "Threats"
        form.roshOverall = .high
        form.multiAgencyValue = "Housing and police"
        form.victimInformation = "None known"
        form.diversityNeeds = "None known"
        form.currentRiskManagementPlan = "Weekly reporting"
        form.leadAgency = "probation"
        form.managerAuthorisedBy = "SPO"
        form.managerAuthorisedOn = CalendarDate("2026-01-01")
        form.pncID = "85/000001X"
        form.licenceEndDate = CalendarDate("2030-01-01")
        return form
    }

    @Test("return reasons are kept by the field of the finding they quote; queues list each person's referrals", arguments: DatabaseKind.available)
    func queues(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let stores = world.stores
        let referrer = try world.viewer(.referrer)
        let coordinator = try world.coordinator()
        let otherReferrer = try world.addUser("other.referrer", role: .referrer, agency: "probation")
        var incomplete = Self.complete("Incompleteone")
        incomplete.dateOfBirth = nil
        incomplete.ethnicity = ""
        var ids: [String: Int64] = [:]
        for (name, form, by) in [("incomplete", incomplete, referrer), ("complete", Self.complete("Completetwo"), referrer),
                                 ("returned", Self.complete("Returnedthree"), referrer), ("other", Self.complete("Otherfour"), otherReferrer)] {
            let referral = try stores.referrals.createReferral(form, by: by)
            try stores.referrals.submitReferral(id: referral.id, by: by)
            ids[name] = referral.id
            world.clock.advance(by: 60)
        }
        // The coordinator returns one, from the pre-filled box plus a line of their own.
        var toReturn = Self.complete("Returnedthree")
        toReturn.ethnicity = ""
        try stores.referrals.updateReferral(id: ids["returned"]!, form: toReturn, expectedVersion: try stores.referrals.referral(id: ids["returned"]!, for: coordinator).version, by: coordinator)
        let findings = ReferralQualityCheck().findings(toReturn, today: world.today)
        let box = ReturnReasons.prefilled(findings) + "\nPlease call me about the victim."
        try stores.referrals.returnReferral(id: ids["returned"]!, reasons: box, by: coordinator)

        let returned = try #require(try stores.referrals.latestReturn(of: try stores.referrals.referral(id: ids["returned"]!, for: referrer)))
        #expect(returned.reasons.map(\.field) == ["ethnicity", ""])
        #expect(returned.reasons.last?.reason == "Please call me about the victim.")
        #expect(returned.returnedBy == coordinator.user.displayName)

        let mine = try stores.referrals.referrerQueues(for: referrer)
        #expect(mine.returned.map(\.referral.id) == [ids["returned"]!])
        #expect(mine.returned.first?.returned.reasons.first?.field == "ethnicity")
        #expect(mine.awaitingScreening.total == 2 && mine.awaitingScreening.first.map(\.id) == [ids["incomplete"]!, ids["complete"]!])
        #expect(mine.decided.isEmpty)
        #expect(try stores.referrals.referrerQueues(for: otherReferrer).awaitingScreening.first.map(\.id) == [ids["other"]!])

        let queues = try stores.referrals.coordinatorQueues(for: coordinator)
        #expect(queues.toCheck.first.map(\.id) == [ids["incomplete"]!])
        #expect(queues.readyForScreening.first.map(\.id) == [ids["complete"]!, ids["other"]!])
        #expect(queues.readyForScreening.total == 2 && queues.toCheck.total == 1)
        #expect(throws: DomainError.self) { _ = try stores.referrals.coordinatorQueues(for: referrer) }

        // Declined: it moves to the referrer's decided list.
        try stores.screening.recordScreening(referralID: ids["complete"]!, outcome: .decline(reason: "Level 1 is enough"),
                                             facts: ScreeningFacts(category: .two, rosh: .high, addsValue: false, previouslyLevel3: false),
                                             rationale: "Managed by the lead agency", by: coordinator)
        let after = try stores.referrals.referrerQueues(for: referrer)
        #expect(after.decided.map(\.id) == [ids["complete"]!])
        #expect(after.awaitingScreening.total == 1)
        #expect(try stores.referrals.coordinatorQueues(for: coordinator).readyForScreening.first.map(\.id) == [ids["other"]!])
    }

    @Test("a pasted box is read line by line, each tied to the finding it quotes")
    func parse() {
        let findings = [QualityFinding(.offender, "date_of_birth", .missing, "Enter the offender's date of birth"),
                        QualityFinding(.offender, "pnc_id", .warning, "No PNC ID given")]
        let box = ReturnReasons.prefilled(findings) + "\n\n  * Anything else  "
        #expect(box.hasPrefix("- 2. The offender: Enter the offender's date of birth") || box.contains("Enter the offender's date of birth"))
        let parsed = ReturnReasons.parse(box, findings: findings)
        #expect(parsed.map(\.field) == ["date_of_birth", "pnc_id", ""])
        #expect(parsed.last?.reason == "Anything else")
    }
}
