import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The caseload, the search results' cases and a case recorded by hand, through the real pages.
@Suite("Caseload and cases recorded by hand")
struct CaseloadRouteTests {
    static func importCases(_ fixture: AppFixture) throws -> [String: Int64] {
        let today = fixture.today
        func row(_ ref: String, _ family: String, _ level: ManagementLevel, review: Int, pnc: String = "") -> CaseRegisterRow {
            CaseRegisterRow(nominalRef: ref, familyName: family, givenNames: "Lee", dateOfBirth: CalendarDate("1970-01-02")!, pncID: pnc,
                            category: .two, level: level, leadAgency: "probation", mappaStartDate: today.adding(days: -100),
                            nextReviewDate: today.adding(days: review))
        }
        let ids = try fixture.world.importCases([row("CR1", "Levelthree", .three, review: 5, pnc: "70/000001A"),
                                                 row("CR2", "Leveltwo", .two, review: 2), row("CR3", "=HYPERLINK(\"x\")", .two, review: 9)])
        try fixture.world.involve(ids["CR2"]!, agency: "housing")
        return ids
    }

    @Test("filters, order, bad filters refused with a clear error, and an audited CSV safe from formulas", arguments: DatabaseKind.available)
    func caseload(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let ids = try Self.importCases(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        let page = coordinator.get("/cases")
        #expect(page.status == 200)
        let body = page.bodyText
        #expect(body.contains("href=\"/cases/\(ids["CR1"]!)\""))
        // Soonest review first.
        let two = try #require(body.range(of: "CR2")), one = try #require(body.range(of: "CR1"))
        #expect(two.lowerBound < one.lowerBound)
        #expect(body.contains("Cases 1 to 3 of 3"))
        let levelThree = coordinator.get("/cases?level=3").bodyText
        #expect(levelThree.contains("CR1") && !levelThree.contains("CR2"))
        for bad in ["/cases?level=9", "/cases?status=closed", "/cases?lead_agency=nowhere", "/cases?page=0", "/cases?sort=shoe", "/cases?page=abc"] {
            let refused = coordinator.get(bad)
            #expect(refused.status == 422, "\(bad)")
            #expect(refused.bodyText.contains("There is a problem"), "\(bad)")
        }
        #expect(coordinator.get("/cases.csv?custody=moon").status == 422)

        let csv = coordinator.get("/cases.csv?sort=name")
        #expect(csv.status == 200)
        #expect(csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        let lines = csv.bodyText.split(separator: "\n").map(String.init)
        #expect(csv.body.starts(with: [0xEF, 0xBB, 0xBF]), "a byte order mark, so a spreadsheet reads the names as UTF-8")
        #expect(lines.first == "\u{FEFF}OFFICIAL-SENSITIVE")
        #expect(lines.count > 1 && lines[1].hasPrefix("\"MAPPA caseload, All MAPPA areas, Active cases on ")
                && lines[1].contains(", made "), "the title names the area, the cases chosen and the day")
        #expect(lines.count > 2 && lines[2] == "Case reference,Family name,Given names,MAPPA category,Management level,Lead agency,Next review,Status,Where the person is,Release date,MAPPA area")
        #expect(lines.count > 3 && lines[3] == "nominal_ref,family_name,given_names,category,level,lead_agency,next_review_date,status,custody_status,release_date,mappa_area",
                "the codes of earlier downloads, kept as the second header row")
        #expect(lines.count == 7, "marking, title, two header rows and three cases")
        #expect(csv.bodyText.contains("\"'=HYPERLINK(\"\"x\"\")\""), "a formula from a record is neutralised")
        let audit = try fixture.stores.audit.recent(limit: 100)
        #expect(audit.contains { $0.action == .view && $0.subjectType == "caseload" })
        #expect(audit.contains { $0.action == .export && $0.subjectType == "caseload" && $0.detail == "3 rows" })

        // The housing representative: only the case housing is involved in.
        let housing = fixture.client(signedInAs: .agencyRepresentative)
        let theirs = housing.get("/cases").bodyText
        #expect(theirs.contains("CR2") && !theirs.contains("CR1"))
        #expect(housing.get("/cases.csv").bodyText.split(separator: "\n").count == 5)
        #expect(fixture.client(signedInAs: .referrer).get("/cases").status == 403)
        #expect(fixture.client(signedInAs: .coordinator).get("/").bodyText.contains("href=\"/cases\""))
    }

    @Test("search results show each person's case level and status and link to the case and the person")
    func searchResults() throws {
        let fixture = try AppFixture(.sqlite)
        let ids = try Self.importCases(fixture)
        let results = fixture.client(signedInAs: .coordinator).get("/nominals?q=1970-01-02").bodyText
        #expect(results.contains("href=\"/cases/\(ids["CR1"]!)\">Level 3, active</a>"))
        let nominalID = try #require(try fixture.world.nominalID("CR1"))
        #expect(results.contains("href=\"/nominals/\(nominalID)\""))
    }

    static let newCase: [(String, String)] = [
        ("family_name", "Handmade"), ("given_names", "Alex"), ("date_of_birth", "1981-03-04"), ("current_address", "2 Sample Street"),
        ("custody_status", "community"), ("category", "1"), ("level", "1"), ("lead_agency", "police"), ("start_date", "2026-01-05"),
    ]

    @Test("a case recorded by hand: errors keep what was typed, a duplicate asks for confirmation, then 303 to the case",
          arguments: DatabaseKind.available)
    func recordByHand(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let ids = try Self.importCases(fixture)
        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/cases/new").status == 200)

        let long = String(repeating: "x", count: 101)
        let invalid = coordinator.post("/cases/new", [("family_name", long), ("given_names", "Al\u{7}ex"), ("date_of_birth", "not a date"),
                                                       ("level", ""), ("lead_agency", "police"), ("start_date", "2026-01-05")])
        #expect(invalid.status == 422)
        #expect(invalid.bodyText.contains("Family name must be 100 characters or fewer"))
        #expect(invalid.bodyText.contains("Given names must not contain control characters"))
        #expect(invalid.bodyText.contains("value=\"\(long)\""), "what was typed is kept")
        #expect(invalid.bodyText.contains("Select the level the case is managed at"))

        // The same PNC ID as someone on record: listed, nothing saved until confirmed.
        let lookalike = Self.newCase + [("pnc_id", "70/000001A")]
        let asked = coordinator.post("/cases/new", lookalike)
        #expect(asked.status == 422)
        #expect(asked.bodyText.contains("Possible duplicates") && asked.bodyText.contains("CR1"))
        #expect(asked.bodyText.contains("name=\"confirm_different\""))
        #expect(asked.bodyText.contains("value=\"Handmade\""))
        #expect(try fixture.searchNominals("Handmade").isEmpty)
        let created = coordinator.post("/cases/new", lookalike + [("confirm_different", "yes")])
        #expect(created.status == 303)
        let location = try #require(created.headers["Location"])
        #expect(location.hasPrefix("/cases/") && location.hasSuffix("?done=case-created"))
        let casePage = coordinator.get(location)
        #expect(casePage.bodyText.contains("Case recorded") && casePage.bodyText.contains("Alex HANDMADE"))
        #expect(casePage.bodyText.contains("Level 1"))
        #expect(!location.contains("/cases/\(ids["CR1"]!)?"))

        // Category 4: restricted, and the creator is told who may see it.
        let terror = coordinator.post("/cases/new", [("family_name", "Restrictedhand"), ("given_names", "Jo"), ("date_of_birth", "1990-09-09"),
                                                     ("current_address", "3 Sample Street"), ("custody_status", "community"), ("category", "4"),
                                                     ("level", "3"), ("lead_agency", "police"), ("start_date", "2026-01-05")])
        #expect(terror.status == 303)
        let restricted = coordinator.get(try #require(terror.headers["Location"])).bodyText
        #expect(restricted.contains("only the people on its access list see it"))
        #expect(fixture.client(signedInAs: .chair).get(try #require(terror.headers["Location"])).status == 403)
        #expect(fixture.client(signedInAs: .chair).get("/cases?status=all").bodyText.contains("Restrictedhand") == false)
    }
}
