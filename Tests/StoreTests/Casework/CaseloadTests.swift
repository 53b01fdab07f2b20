import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// The caseload as unit staff and partner agencies read it: filtered, ordered and paged in the query, and never
/// holding a case the reader may not see (excluded, restricted, or one their agency is not involved in).
@Suite("Caseload")
struct CaseloadTests {
    static let born = CalendarDate("1980-05-06")!

    /// Seven cases: levels, categories, lead agencies, custody, a release date, review dates (one none), an exited one,
    /// a Category 4 one (restricted), one the excluded coordinator is named off and one in an area.
    static func world(_ kind: DatabaseKind) throws -> StoreWorld {
        let world = try StoreWorld(kind)
        let today = world.today
        _ = try world.stores.areas.add(code: "north", name: "North", population: "", by: .commandLine)
        func row(_ ref: String, _ family: String, _ category: MappaCategory, _ level: ManagementLevel, lead: String = "probation",
                 review: Int?, custody: CustodyStatus = .community, release: Int? = nil, status: CaseStatus = .active,
                 area: String? = nil) -> CaseRegisterRow {
            CaseRegisterRow(nominalRef: ref, familyName: family, givenNames: "Pat", dateOfBirth: born, category: category, level: level,
                            leadAgency: lead, mappaStartDate: today.adding(days: -300), nextReviewDate: review.map { today.adding(days: $0) },
                            custodyStatus: custody, releaseDate: release.map { today.adding(days: $0) }, status: status,
                            exitDate: status == .exited ? today.adding(days: -10) : nil, exitReason: status == .exited ? "Licence expired" : "",
                            area: area)
        }
        let ids = try world.importCases([
            row("CL1", "Avery", .two, .two, review: 30),
            row("CL2", "Brook", .one, .one, lead: "police", review: nil),
            row("CL3", "Carter", .two, .three, review: -5, custody: .custody, release: 90),
            row("CL4", "Dale", .four, .two, review: 1),
            row("CL5", "Ellis", .three, .two, review: 10, status: .exited),
            row("CL6", "Finch", .two, .two, review: 20, custody: .custody, release: 40, area: "north"),
            row("CL7", "Grey", .one, .two, lead: "police", review: 15),
        ])
        try world.addUser("user.excluded", role: .coordinator, agency: "mappa_unit")
        try world.name("user.excluded", on: ids["CL7"]!, as: .exclude)
        try world.involve(ids["CL1"]!, agency: "housing")
        try world.involve(ids["CL6"]!, agency: "housing")
        return world
    }

    static func refs(_ page: CaseloadPage) -> [String] { page.rows.map(\.nominalRef) }

    @Test("unit staff see every active case they may see, soonest review first, none last; filters narrow it", arguments: DatabaseKind.available)
    func filtersAndOrder(kind: DatabaseKind) throws {
        let world = try Self.world(kind)
        let cases = world.stores.cases
        let coordinator = try world.coordinator()
        let all = try cases.caseload(CaseloadFilter(), for: coordinator)
        // The Category 4 case is restricted (nobody named), the exited one left out by default.
        #expect(Self.refs(all) == ["CL3", "CL7", "CL6", "CL1", "CL2"])
        #expect(all.total == 5)
        #expect(Self.refs(try cases.caseload(CaseloadFilter(level: .two), for: coordinator)) == ["CL7", "CL6", "CL1"])
        #expect(Self.refs(try cases.caseload(CaseloadFilter(category: .one), for: coordinator)) == ["CL7", "CL2"])
        #expect(Self.refs(try cases.caseload(CaseloadFilter(leadAgency: "police"), for: coordinator)) == ["CL7", "CL2"])
        #expect(Self.refs(try cases.caseload(CaseloadFilter(status: .exited), for: coordinator)) == ["CL5"])
        #expect(try cases.caseload(CaseloadFilter(status: nil), for: coordinator).total == 6)
        #expect(Self.refs(try cases.caseload(CaseloadFilter(custody: .custody), for: coordinator)) == ["CL3", "CL6"])
        #expect(Self.refs(try cases.caseload(CaseloadFilter(area: "north"), for: coordinator)) == ["CL6"])
        #expect(Self.refs(try cases.caseload(CaseloadFilter(custody: .custody, sort: .releaseDate), for: coordinator)) == ["CL6", "CL3"])
        // Release date: soonest first, people with none after.
        #expect(Self.refs(try cases.caseload(CaseloadFilter(sort: .releaseDate), for: coordinator)).prefix(2) == ["CL6", "CL3"])
        #expect(Self.refs(try cases.caseload(CaseloadFilter(sort: .name), for: coordinator)) == ["CL1", "CL2", "CL3", "CL6", "CL7"])
        #expect(try cases.caseload(CaseloadFilter(leadAgency: "no_such_agency"), for: coordinator).total == 0)
        let row = try #require(all.rows.first { $0.nominalRef == "CL6" })
        #expect(row.areaName == "North" && row.custodyStatus == .custody && row.releaseDate == world.today.adding(days: 40))
        #expect(row.nextReviewDate == world.today.adding(days: 20) && row.leadAgencyName.contains("Probation"))
    }

    @Test("need-to-know: excluded and restricted cases are absent; a partner agency sees only the cases it is involved in",
          arguments: DatabaseKind.available)
    func needToKnow(kind: DatabaseKind) throws {
        let world = try Self.world(kind)
        let cases = world.stores.cases
        let everything = CaseloadFilter(status: nil)
        let excluded = try cases.caseload(everything, for: try world.viewer("user.excluded"))
        #expect(!Self.refs(excluded).contains("CL7") && !Self.refs(excluded).contains("CL4") && excluded.total == 5)
        let housing = try cases.caseload(everything, for: try world.viewer(.agencyRepresentative))
        #expect(Set(Self.refs(housing)) == ["CL1", "CL6"] && housing.total == 2)
        #expect(try cases.caseloadExport(everything, for: try world.viewer(.agencyRepresentative)).map(\.nominalRef).sorted() == ["CL1", "CL6"])
        for role in [Role.referrer, .administrator, .auditor] {
            #expect(try cases.caseload(everything, for: try world.viewer(role)).total == 0, "\(role) sees no case")
        }
        // Named on the Category 4 case's access list, the keeper sees it too, marked restricted.
        let dale = try world.caseID("CL4")
        try world.name("restricted.keeper", on: dale, as: .allow)
        let keeper = try cases.caseload(everything, for: try world.keeper())
        #expect(keeper.rows.first { $0.nominalRef == "CL4" }?.restricted == true)
        #expect(keeper.total == 7)
        // A person's cases for search results: only those the viewer may see.
        let people = try [world.nominalID("CL4"), world.nominalID("CL7"), world.nominalID("CL1")].compactMap { $0 }
        let byPerson = try cases.caseload(nominalIDs: people, for: try world.viewer("user.excluded"))
        #expect(byPerson.values.flatMap { $0 }.map(\.nominalRef) == ["CL1"])
    }

    @Test("pages of fifty, in order, with the total", arguments: DatabaseKind.available)
    func paging(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let today = world.today
        let rows = (0..<120).map { index in
            CaseRegisterRow(nominalRef: String(format: "PG%03d", index), familyName: "Pager", givenNames: "Pat", dateOfBirth: Self.born,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -100),
                            nextReviewDate: today.adding(days: index % 60))
        }
        try world.importCases(rows)
        let coordinator = try world.coordinator()
        var seen: [String] = []
        for page in 1...3 {
            let result = try world.stores.cases.caseload(CaseloadFilter(page: page), for: coordinator)
            #expect(result.total == 120 && result.pageCount == 3)
            #expect(result.rows.count == (page == 3 ? 20 : 50))
            seen += Self.refs(result)
        }
        #expect(Set(seen).count == 120)
        let dates = try world.stores.cases.caseloadExport(CaseloadFilter(), for: coordinator).map { $0.nextReviewDate! }
        #expect(dates == dates.sorted())
        #expect(try world.stores.cases.caseload(CaseloadFilter(page: 4), for: coordinator).rows.isEmpty)
    }
}
