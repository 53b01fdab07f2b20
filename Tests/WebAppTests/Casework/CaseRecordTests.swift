import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Keeping nominal and case records current through the edit pages, with history, locking and need-to-know.
@Suite("Case and nominal records")
struct CaseRecordTests {
    /// One Level 2 case, imported the way a unit moving onto the system would bring its register.
    static func seed(_ fixture: AppFixture, category: MappaCategory = .two) throws -> (nominalID: Int64, caseID: Int64) {
        _ = try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "N-0001", familyName: "Exampleton", givenNames: "Jo", aliases: ["JJ"],
            dateOfBirth: CalendarDate("1990-02-14")!, pncID: "90/123456A", category: category, level: .two,
            leadAgency: "probation", mappaStartDate: CalendarDate("2026-06-01"), nextReviewDate: CalendarDate("2027-02-01"),
            rosh: .high)])
        let nominal = try #require(try fixture.searchNominals("Exampleton").first)
        let record = try #require(try fixture.cases(nominalID: nominal.id).first)
        return (nominal.id, record.id)
    }

    static func caseForm(_ overrides: [(String, String)] = []) -> [(String, String)] {
        var fields: [String: String] = ["category": "2", "level": "2", "lead_agency": "probation", "start_date": "2026-06-01",
                                        "statutory_end_date": "", "next_review_date": "2027-02-01", "rosh": "high",
                                        "status": "active", "exit_date": "", "exit_reason": "", "change_reason": ""]
        for (name, value) in overrides { fields[name] = value }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    static func version(_ page: Response) throws -> String {
        try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: page.bodyText))
    }

    @Test("a level change needs a reason, then shows in the case history", arguments: DatabaseKind.available)
    func levelChange(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let (_, caseID) = try Self.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let form = coordinator.get("/cases/\(caseID)/edit")
        #expect(form.status == 200)
        let version = try Self.version(form)
        let noReason = coordinator.post("/cases/\(caseID)/edit", Self.caseForm([("level", "3"), ("version", version)]))
        #expect(noReason.status == 422)
        #expect(noReason.bodyText.contains("Say why the category, level, next review date, risk of serious harm or status changed"))
        #expect(noReason.bodyText.contains("<option value=\"3\" selected>"), "the form keeps what was chosen")
        let saved = coordinator.post("/cases/\(caseID)/edit", Self.caseForm([("level", "3"), ("rosh", "very high"),
            ("change_reason", "Threats to staff at the hostel"), ("version", version)]))
        #expect(saved.status == 303)
        let page = coordinator.get("/cases/\(caseID)").bodyText
        #expect(page.contains("Level 3: active multi-agency management"))
        #expect(page.contains("Threats to staff at the hostel"), "the history on the case page shows the reason")
        let history = try fixture.world.history(caseID)
        #expect(history.contains { $0.field == "level" && $0.oldValue == "2" && $0.newValue == "3" && $0.reason == "Threats to staff at the hostel" })
        #expect(history.contains { $0.field == "rosh" && $0.newValue == "very high" })
    }

    @Test("rule checks: Category 3 at Level 1 and an exit without a reason are refused, with every problem listed")
    func rules() throws {
        let fixture = try AppFixture(.sqlite)
        let (_, caseID) = try Self.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let version = try Self.version(coordinator.get("/cases/\(caseID)/edit"))
        let response = coordinator.post("/cases/\(caseID)/edit", Self.caseForm([
            ("category", "3"), ("level", "1"), ("status", "exited"), ("exit_date", "not a day/12/2026"),
            ("change_reason", "Recategorised"), ("version", version)]))
        #expect(response.status == 422)
        let body = response.bodyText
        #expect(body.contains("Category 3 offenders are managed only at Level 2 or Level 3"))
        #expect(body.contains("Exit date must be a real date"))
        #expect(body.contains("Say why the case is leaving MAPPA"))
        #expect(try fixture.world.record(caseID).category == .two, "nothing was saved")
    }

    @Test("two coordinators editing the same case: the second save is refused with what is saved now", arguments: DatabaseKind.available)
    func conflict(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let (_, caseID) = try Self.seed(fixture)
        let first = fixture.client(signedInAs: .coordinator)
        let second = fixture.client(signedInAs: .coordinator)
        let version = try Self.version(first.get("/cases/\(caseID)/edit"))
        _ = second.get("/cases/\(caseID)/edit")
        #expect(first.post("/cases/\(caseID)/edit", Self.caseForm([("next_review_date", "2027-01-20"), ("version", version),
                                                                    ("change_reason", "Panel asked for an earlier review")])).status == 303)
        let late = second.post("/cases/\(caseID)/edit", Self.caseForm([("next_review_date", "2027-03-01"), ("version", version),
                                                                       ("change_reason", "Moved after the holiday")]))
        #expect(late.status == 409)
        #expect(late.bodyText.contains("Someone else saved this record"))
        #expect(TestClient.dateInputValue(late.bodyText, "next_review_date", "month") == "3"
                && TestClient.dateInputValue(late.bodyText, "next_review_date", "day") == "1", "the second person's change is still in the form")
        #expect(try fixture.world.record(caseID).nextReviewDate == CalendarDate("2027-01-20"))
    }

    @Test("editing is for the coordinator: other roles are refused and the refusal audited")
    func editPermission() throws {
        let fixture = try AppFixture(.sqlite)
        let (nominalID, caseID) = try Self.seed(fixture)
        for role in [Role.manager, .chair, .agencyRepresentative, .referrer] {
            let client = fixture.client(signedInAs: role)
            #expect(client.get("/cases/\(caseID)/edit").status == 403)
            #expect(client.get("/nominals/\(nominalID)/edit").status == 403)
            #expect(client.get("/cases/\(caseID)/access").status == 403)
        }
        #expect(try fixture.auditActions().filter { $0 == .accessRefused }.count == 12)
    }

    @Test("a nominal edit is validated, saved, re-indexed for search and audited without personal data", arguments: DatabaseKind.available)
    func nominalEdit(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let (nominalID, _) = try Self.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let form = coordinator.get("/nominals/\(nominalID)/edit")
        #expect(form.bodyText.contains("Exampleton"))
        let version = try Self.version(form)
        var fields: [(String, String)] = [("family_name", "Exampleton"), ("given_names", "Jo"), ("alias_1", "JJ"), ("alias_2", "Spike"),
                                          ("date_of_birth", "14/02/1990"), ("pnc_id", "bad"), ("custody_status", "custody"),
                                          ("release_date", "2027-05-01"), ("proposed_release_address", "Approved premises, Northtown"),
                                          ("version", version)]
        let refused = coordinator.post("/nominals/\(nominalID)/edit", fields)
        #expect(refused.status == 422)
        #expect(refused.bodyText.contains("Enter the PNC ID as year, slash, number and check letter"))
        fields = fields.filter { $0.0 != "pnc_id" } + [("pnc_id", "1990/0123456a")]
        let saved = coordinator.post("/nominals/\(nominalID)/edit", fields)
        #expect(saved.status == 303)
        let page = coordinator.get("/nominals/\(nominalID)").bodyText
        #expect(page.contains("Approved premises, Northtown"))
        #expect(page.contains("1990/0123456A"))
        #expect(try fixture.searchNominals("spike").map(\.id) == [nominalID])
        #expect(try fixture.searchNominals("1990/0123456A").map(\.id) == [nominalID])
        let entry = try #require(try fixture.stores.audit.recent(limit: 20).first { $0.subjectType == "nominal" && $0.action == .update })
        #expect(entry.detail.contains("other names") && entry.detail.contains("PNC ID"))
        #expect(!entry.detail.contains("Spike") && !entry.detail.contains("Northtown"))
    }

    @Test("the access page names people: an excluded manager is refused; a case made Category 4 becomes restricted")
    func accessList() throws {
        let fixture = try AppFixture(.sqlite)
        let (nominalID, caseID) = try Self.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/\(caseID)/access")
        let unknown = coordinator.post("/cases/\(caseID)/access", [("username", "nobody.here"), ("kind", "exclude")])
        #expect(unknown.status == 422)
        #expect(unknown.bodyText.contains("There is no user with that username"))
        #expect(coordinator.post("/cases/\(caseID)/access", [("username", "user.manager"), ("kind", "exclude")]).status == 303)
        #expect(coordinator.get("/cases/\(caseID)/access").bodyText.contains("Test Manager"))
        let manager = fixture.client(signedInAs: .manager)
        #expect(manager.get("/cases/\(caseID)").status == 403)
        #expect(manager.get("/nominals/\(nominalID)").status == 403, "nor the person's record")
        #expect(!manager.get("/nominals?q=exampleton").bodyText.contains("N-0001"), "nor finds the person in search")
        #expect(fixture.client(signedInAs: .chair).get("/nominals?q=exampleton").bodyText.contains("N-0001"))
        // Remove the exclusion: the manager can see it again.
        let managerUser = try #require(try fixture.stores.accounts.accounts.user(username: "user.manager"))
        coordinator.get("/cases/\(caseID)/access")
        #expect(coordinator.post("/cases/\(caseID)/access", [("remove", String(managerUser.id))]).status == 303)
        #expect(manager.get("/cases/\(caseID)").status == 200)

        let version = try Self.version(coordinator.get("/cases/\(caseID)/edit"))
        #expect(coordinator.post("/cases/\(caseID)/edit", Self.caseForm([("category", "4"), ("change_reason", "Terrorism connection found"),
                                                                         ("version", version)])).status == 303)
        #expect(manager.get("/cases/\(caseID)").status == 403)
        #expect(!manager.get("/nominals?q=exampleton").bodyText.contains("N-0001"), "a restricted case's nominal is not found")
        #expect(coordinator.get("/cases/\(caseID)").status == 200, "the coordinator who restricted it keeps access")
        #expect(coordinator.get("/nominals?q=exampleton").bodyText.contains("N-0001"))
    }

    @Test("adding an agency to a case lets its representatives see it; removing it takes that away; the lead stays")
    func involvedAgency() throws {
        let fixture = try AppFixture(.sqlite)
        let (_, caseID) = try Self.seed(fixture)
        let housing = fixture.client(signedInAs: .agencyRepresentative)
        #expect(housing.get("/cases/\(caseID)").status == 403)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/\(caseID)/access")
        #expect(coordinator.post("/cases/\(caseID)/access", [("agency", "housing")]).status == 303)
        #expect(coordinator.get("/cases/\(caseID)/access").bodyText.contains("Local housing authority"))
        #expect(housing.get("/cases/\(caseID)").status == 200)
        #expect(coordinator.post("/cases/\(caseID)/access", [("agency", "housing"), ("involved", "no")]).status == 303)
        #expect(housing.get("/cases/\(caseID)").status == 403)
        coordinator.get("/cases/\(caseID)/access")
        let lead = coordinator.post("/cases/\(caseID)/access", [("agency", "probation"), ("involved", "no")])
        #expect(lead.status == 422)
        #expect(lead.bodyText.contains("The lead agency is always involved"))
    }
}
