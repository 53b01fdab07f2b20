import Domain
import Foundation
import Store
import Testing
import TestSupport

/// The auditor finds entries by user, action, subject and day; a coordinator sees who viewed a case.
@Suite("Audit trail pages")
struct AuditRouteTests {
    @Test("the auditor filters by user, action, subject and day; bad filters are named", arguments: DatabaseKind.available)
    func auditorFilters(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let ids = try fixture.world.importCases([
            CaseRegisterRow(nominalRef: "AUD-1", familyName: "Auditperson", givenNames: "Sam", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: fixture.today.adding(days: -30)),
        ])
        let caseID = try #require(ids["AUD-1"])
        #expect(fixture.client(signedInAs: .coordinator).get("/cases/\(caseID)").status == 200)
        #expect(fixture.client(signedInAs: .chair).get("/cases/\(caseID)").status == 200)

        let auditor = fixture.client(signedInAs: .auditor)
        let page = auditor.get("/audit?user=user.chair&action=view&subject_type=case&subject_id=\(caseID)&\(TestClient.dateQuery("from", fixture.today))&\(TestClient.dateQuery("through", fixture.today))")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Entries 1 to 1 of 1") && page.bodyText.contains("user.chair"))
        #expect(!page.bodyText.contains(">user.coordinator<"), "the coordinator's view is filtered out")
        let none = auditor.get("/audit?user=user.chair&\(TestClient.dateQuery("from", fixture.today.adding(days: 1)))")
        #expect(none.status == 200 && none.bodyText.contains("of 0"))
        #expect(auditor.get("/audit").status == 200, "no filter is not a problem")
        let bad = auditor.get("/audit?action=nonsense&from-day=yesterday&from-month=12&from-year=2026&user=a%01b")
        #expect(bad.status == 422)
        #expect(bad.bodyText.contains("Select an action from the list") && bad.bodyText.contains("The first day must be a real date")
                && bad.bodyText.contains("The user name must not contain control characters"))
        let recorded = try fixture.stores.audit.recent(limit: 5, subjectType: "audit_trail")
        #expect(recorded.contains { $0.detail.contains("user user.chair") && $0.detail.contains("action view") },
                "the auditor's search is audited with its filters")
    }

    @Test("a coordinator sees who viewed or changed a case; the excluded coordinator does not", arguments: DatabaseKind.available)
    func whoViewedTheCase(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let ids = try fixture.world.importCases([
            CaseRegisterRow(nominalRef: "AUD-2", familyName: "Viewedperson", givenNames: "Sam", dateOfBirth: CalendarDate("1980-01-02")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: fixture.today.adding(days: -30)),
        ])
        let caseID = try #require(ids["AUD-2"])
        #expect(fixture.client(signedInAs: .manager).get("/cases/\(caseID)").status == 200)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/cases/\(caseID)").bodyText.contains("href=\"/cases/\(caseID)/audit\""))
        let page = coordinator.get("/cases/\(caseID)/audit")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("user.manager") && page.bodyText.contains("who viewed this case"))
        #expect(fixture.client(signedInAs: .manager).get("/cases/\(caseID)/audit").status == 403, "managers read the case, not its audit")
        try fixture.world.addUser("excluded.one", role: .coordinator, agency: "mappa_unit")
        try fixture.world.name("excluded.one", on: caseID, as: .exclude)
        let excluded = fixture.client()
        excluded.signIn("excluded.one", AppFixture.password)
        #expect(excluded.get("/cases/\(caseID)/audit").status == 403)
    }
}
