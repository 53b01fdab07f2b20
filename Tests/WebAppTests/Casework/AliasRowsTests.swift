import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebApp

/// Other names on the nominal forms: a box each, added and removed by buttons that post the form, keeping
/// everything typed (no JavaScript needed).
@Suite("Other names rows")
struct AliasRowsTests {
    @Test("the nominal form: add two other names, remove the middle one, keep the rest; saving stores them in order",
          arguments: DatabaseKind.available)
    func nominalForm(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let (nominalID, _) = try CaseRecordTests.seed(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        var page = coordinator.get("/nominals/\(nominalID)/edit").bodyText
        #expect(MinutesRowsTests.input(page, "alias_1") == "JJ", "each saved other name in its own box")
        let version = try CaseRecordTests.version(coordinator.get("/nominals/\(nominalID)/edit"))
        var typed: [(String, String)] = [("version", version), ("family_name", "Exampleton"), ("given_names", "Joanna"),
                                         ("alias_1", "JJ"), ("alias_rows", "1"), ("custody_status", "community")]
        func press(_ button: String) throws -> String {
            let response = coordinator.post("/nominals/\(nominalID)/edit", typed + [(button, "1")])
            #expect(response.status == 200)
            #expect(!response.bodyText.contains("There is a problem"))
            typed = typed.filter { $0.0 != "alias_rows" } + [("alias_rows", try #require(MinutesRowsTests.hidden(response.bodyText, "alias_rows")))]
            return response.bodyText
        }
        page = try press("add_alias")
        #expect(page.contains("formaction=\"/nominals/\(nominalID)/edit#alias-3\""), "the next add opens at the row after")
        typed.append(("alias_2", "Spike"))
        page = try press("add_alias")
        #expect(MinutesRowsTests.input(page, "alias_2") == "Spike")
        #expect(MinutesRowsTests.input(page, "alias_3") == "")
        typed.append(("alias_3", "Jo Smith"))
        page = try press("remove_alias_2")
        #expect(MinutesRowsTests.input(page, "alias_1") == "JJ")
        #expect(MinutesRowsTests.input(page, "alias_2") == "Jo Smith")
        #expect(MinutesRowsTests.input(page, "alias_3") == nil)
        #expect(MinutesRowsTests.input(page, "given_names") == "Joanna")
        #expect(MinutesRowsTests.hidden(page, "version") == version)
        #expect(try fixture.stores.nominals.nominal(id: nominalID, for: fixture.viewer(.coordinator)).details.givenNames == "Jo", "nothing saved yet")

        let saved = coordinator.post("/nominals/\(nominalID)/edit", [("version", version), ("family_name", "Exampleton"), ("given_names", "Joanna"),
                                                                      ("alias_1", "JJ"), ("alias_2", "Jo Smith"), ("custody_status", "community"),
                                                                      ("date_of_birth", "14/02/1990"), ("pnc_id", "90/123456A"), ("current_address", "1 Sample Road")])
        #expect(saved.status == 303, "\(TestClient.firstMatch("(error-summary[\\s\\S]{0,600})", in: saved.bodyText) ?? "")")
        #expect(try fixture.stores.nominals.nominal(id: nominalID, for: fixture.viewer(.coordinator)).details.aliases == ["JJ", "Jo Smith"])
        // An other name is one line, held to a length.
        let refused = coordinator.post("/nominals/\(nominalID)/edit", [("version", version), ("family_name", "Exampleton"), ("given_names", "Jo"),
                                                                        ("alias_1", String(repeating: "x", count: 101)), ("custody_status", "community"),
                                                                        ("date_of_birth", "14/02/1990"), ("pnc_id", "90/123456A"), ("current_address", "1 Sample Road")])
        #expect(refused.status == 422)
        #expect(refused.bodyText.contains("Other name 1"), "the problem names the box")
    }

    @Test("recording a case by hand: the other names rows work the same, nothing else typed is lost", arguments: DatabaseKind.available)
    func caseForm(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/cases/new").status == 200)
        let response = coordinator.post("/cases/new", [("family_name", "Rowperson"), ("given_names", "Ari"), ("alias_1", "Az"),
                                                       ("category", "2"), ("start_date", "2026-11-30"), ("add_alias", "1")])
        #expect(response.status == 200)
        let page = response.bodyText
        #expect(!page.contains("There is a problem"))
        #expect(MinutesRowsTests.input(page, "alias_1") == "Az")
        #expect(MinutesRowsTests.input(page, "alias_2") == "")
        #expect(MinutesRowsTests.input(page, "family_name") == "Rowperson")
        #expect(["day", "month", "year"].map { TestClient.dateInputValue(page, "start_date", $0) } == ["30", "11", "2026"])
        #expect(try fixture.searchNominals("Rowperson").isEmpty, "nothing saved")
    }
}
