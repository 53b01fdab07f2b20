import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The case register upload and download, as the coordinator moving a unit's records onto the system uses them.
@Suite("Case register upload and download")
struct RegisterImportTests {
    static let header = "nominal_ref,family_name,given_names,aliases,date_of_birth,gender,ethnicity,pnc_id,visor_ref,crn,category,level,lead_agency,mappa_start_date,statutory_end_date,next_review_date,rosh,custody_status,release_date,status,exit_date,exit_reason"

    static func row(_ ref: String, _ family: String, category: String = "2", level: String = "2") -> String {
        "\(ref),\(family),Sam,,1985-03-02,Female,White British,,,,\(category),\(level),probation,2026-01-05,,2027-01-05,high,community,,active,,"
    }

    static func file(_ rows: [String]) -> [UInt8] { Array(([header] + rows).joined(separator: "\r\n").utf8) }

    /// Follows the progress page until the background job finishes; fails the test if it never does.
    static func finished(_ client: TestClient, _ upload: Response) throws -> String {
        #expect(upload.status == 303)
        let location = try #require(upload.headers["Location"])
        for _ in 0..<200 {
            let page = client.get(location)
            #expect(page.status == 200)
            if !page.bodyText.contains("data-refresh") { return page.bodyText }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("the import did not finish")
        return ""
    }

    @Test("a file with a bad row imports nothing and lists every problem by line", arguments: DatabaseKind.available)
    func badRow(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/cases/import").bodyText.contains("Import the case register"))
        let data = Self.file([Self.row("R1", "Goodrow"), Self.row("R2", "Badcategory", category: "5"),
                              Self.row("R3", "Catthree", category: "3", level: "1")])
        let page = try Self.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register",
                                                                      filename: "register.csv", data: data))
        #expect(page.contains("2 problems in 3 rows: nothing was imported"))
        #expect(page.contains("<td class=\"table__cell\">3</td><td class=\"table__cell\">category</td>"), "line 3 (the second data row) is named")
        #expect(page.contains("Category 3 is managed only at Level 2 or Level 3"))
        #expect(try fixture.searchNominals("Goodrow").isEmpty, "the good row was not imported either")
    }

    @Test("a person's name found by search follows the import: renamed by a later file, the old name no longer finds them",
          arguments: DatabaseKind.available)
    func searchFollowsImport(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/import")
        _ = try Self.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register", filename: "register.csv",
                                                               data: Self.file([Self.row("R1", "Abbotsley"), Self.row("R2", "Cholmondeley")])))
        #expect(try fixture.searchNominals("Abbotsley").map(\.nominalRef) == ["R1"])
        #expect(try fixture.searchNominals("cholm sam").map(\.nominalRef) == ["R2"])
        coordinator.get("/cases/import")
        _ = try Self.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register",
                                                               filename: "register.csv", data: Self.file([Self.row("R1", "Dunstable")])))
        #expect(try fixture.searchNominals("Abbotsley").isEmpty, "re-imported under a new name")
        #expect(try fixture.searchNominalListings("Dunstable").map(\.fullName) == ["Sam DUNSTABLE"])
        #expect(try fixture.searchNominals("Cholmondeley").map(\.nominalRef) == ["R2"], "people not in the file keep their keys")
    }

    @Test("a good file imports with a summary; importing it again updates and never duplicates", arguments: DatabaseKind.available)
    func importAndReimport(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/import")
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let names = (1...30).map { (number: Int) -> String in "Family\(letters[number % 26])\(letters[number / 26])" }
        let data = Self.file(names.enumerated().map { Self.row("R\($0.offset)", $0.element) })
        let first = try Self.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register",
                                                                       filename: "register.csv", data: data))
        #expect(first.contains("Case register imported"))
        #expect(first.contains("Nominals created") && first.contains(">30<"))
        #expect(try fixture.searchNominals(names[6]).count == 1)
        coordinator.get("/cases/import")
        let again = try Self.finished(coordinator, coordinator.upload("/cases/import", fields: [], fileField: "register",
                                                                       filename: "register.csv", data: data))
        #expect(again.contains("Case register imported"))
        let summary = try fixture.stores.register.exportRegister(for: fixture.viewer(.coordinator))
        #expect(summary.count == 30, "still 30 nominals after importing the same file twice")
        let audit = try fixture.stores.audit.recent(limit: 50)
        #expect(audit.filter { $0.subjectType == "case_register" && $0.actorUsername == "user.coordinator" }.count == 2)
    }

    @Test("a dry run checks the file and imports nothing; another user cannot see the job")
    func dryRun() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/import")
        let upload = coordinator.upload("/cases/import", fields: [("dry_run", "yes")], fileField: "register",
                                        filename: "register.csv", data: Self.file([Self.row("R1", "Onlychecked")]))
        let page = try Self.finished(coordinator, upload)
        #expect(page.contains("All 1 rows are valid"))
        #expect(try fixture.searchNominals("Onlychecked").isEmpty)
        try fixture.stores.accounts.createUser(.init(username: "other.coordinator", displayName: "Other", role: .coordinator,
                                                  agencyCode: "police", password: AppFixture.password, mustChangePassword: false), by: .commandLine)
        let other = fixture.client()
        other.signIn("other.coordinator", AppFixture.password)
        #expect(other.get(try #require(upload.headers["Location"])).status == 404)
    }

    @Test("no file chosen: a clear error on the upload page")
    func noFile() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/import")
        let response = coordinator.upload("/cases/import", fields: [], fileField: "register", filename: "", data: [])
        #expect(response.status == 422)
        #expect(response.bodyText.contains("Select a CSV file of the case register"))
    }

    @Test("the download is the same format, leaves out restricted cases, neutralises formulas and is audited")
    func download() throws {
        let fixture = try AppFixture(.sqlite)
        _ = try fixture.world.importCases([
            CaseRegisterRow(nominalRef: "R1", familyName: "=HYPERLINK(\"x\")", givenNames: "Sam", dateOfBirth: CalendarDate("1985-03-02")!,
                            category: .one, level: .one, leadAgency: "police"),
            CaseRegisterRow(nominalRef: "R2", familyName: "Secretcase", givenNames: "Al", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: .four, level: .two, leadAgency: "police"),
        ])
        let coordinator = fixture.client(signedInAs: .coordinator)
        let response = coordinator.get("/cases/export.csv")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        #expect(response.headers["Content-Disposition"]?.contains("attachment") == true)
        let text = response.bodyText
        #expect(text.hasPrefix(Self.header))
        #expect(text.contains("'=HYPERLINK"))
        #expect(!text.contains("Secretcase"))
        #expect(try fixture.stores.audit.recent(limit: 10).contains { $0.action == .export && $0.subjectType == "case_register" })
        #expect(fixture.client(signedInAs: .manager).get("/cases/export.csv").status == 403)
        #expect(fixture.client(signedInAs: .agencyRepresentative).get("/cases/import").status == 403)
    }
}
