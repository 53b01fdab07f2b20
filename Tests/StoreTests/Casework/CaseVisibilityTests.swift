import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// The need-to-know rule is written twice: in Swift (`CaseVisibility`, for one case) and in SQL
/// (`CaseVisibilityFilter`, for every list). Here the two are held to each other on every combination of the facts
/// the rule reads, for every role, on a real database: the lists, the single-case read and the check of an imported
/// file must all agree with the Domain rule.
@Suite("Case visibility: the SQL filter agrees with the rule")
struct CaseVisibilityTests {
    /// One case for each combination of facts, for one viewer.
    struct Combination: Sendable, CustomStringConvertible {
        let restricted: Bool
        let category: MappaCategory
        let named: CaseAccessKind?
        let involved: Bool

        var description: String {
            "\(restricted ? "restricted" : "open") Category \(category.rawValue), \(named?.rawValue ?? "not named"), \(involved ? "" : "not ")involved"
        }

        /// Every combination the database can hold: a Category 4 case is always flagged restricted (`cannotUnflag`).
        static let all: [Combination] = [false, true].flatMap { restricted in
            [MappaCategory.two, .four].filter { restricted || $0 != .four }.flatMap { category in
                [CaseAccessKind?.none, .allow, .exclude].flatMap { named in
                    [false, true].map { Combination(restricted: restricted, category: category, named: named, involved: $0) }
                }
            }
        }
    }

    @Test("every combination of restriction, category, naming and involvement, for every role", arguments: DatabaseKind.available)
    func filterAgreesWithRule(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind, users: false)
        let stores = world.stores
        var rows: [CaseRegisterRow] = []
        var plan: [(ref: String, role: Role, combination: Combination)] = []
        for role in Role.allCases {
            try world.addUser("viewer.\(role.rawValue)", role: role, agency: "housing")
            for (index, combination) in Combination.all.enumerated() {
                let ref = "V-\(role.rawValue)-\(index)"
                plan.append((ref, role, combination))
                rows.append(CaseRegisterRow(nominalRef: ref, familyName: "Combination", givenNames: "Pat", dateOfBirth: CalendarDate("1980-01-01")!,
                                            category: combination.category, level: .two, leadAgency: "probation",
                                            mappaStartDate: CalendarDate("2026-01-01")))
            }
        }
        let ids = try world.importCases(rows)
        // The facts go straight into the tables: what is tested is how they are read.
        let housing = try world.agencyID("housing")
        try stores.database.write { connection in
            for (ref, role, combination) in plan {
                let caseID = ids[ref]!
                let userID = try world.viewer("viewer.\(role.rawValue)").user.id
                try connection.execute("UPDATE cases SET restricted = ? WHERE id = ?", [.init(combination.restricted), .integer(caseID)])
                if let named = combination.named {
                    try connection.execute("INSERT INTO case_access (case_id, user_id, kind) VALUES (?, ?, ?)",
                                           [.integer(caseID), .integer(userID), .text(named.rawValue)])
                }
                if combination.involved {
                    try connection.execute("INSERT INTO case_agencies (case_id, agency_id) VALUES (?, ?)", [.integer(caseID), .integer(housing)])
                }
            }
        }
        for role in Role.allCases {
            let viewer = try world.viewer("viewer.\(role.rawValue)")
            let (listed, hiddenRefs) = try stores.database.read { connection -> (Set<Int64>, Set<String>) in
                let filter = try CaseVisibilityFilter(viewer, connection)
                let condition = filter.cases()
                let listed = Set(try connection.query("SELECT cases.id FROM cases WHERE 1 = 1" + condition.sql, condition.parameters)
                    .map { row -> Int64 in try row.value("id") })
                return (listed, try filter.hiddenNominalRefs(connection))
            }
            for (ref, planned, combination) in plan where planned == role {
                let caseID = ids[ref]!
                let facts = CaseVisibility.Facts(restricted: combination.restricted, category: combination.category, named: combination.named,
                                                 agencyInvolved: combination.involved)
                let visible = CaseVisibility.decide(facts, role: role) == .visible
                #expect(listed.contains(caseID) == visible, "\(role.rawValue), \(combination): lists disagree with the rule")
                let opened = (try? stores.cases.case(id: caseID, for: viewer)) != nil
                #expect(opened == visible, "\(role.rawValue), \(combination): the case page disagrees with the rule")
                if role.can(.viewCases) {
                    // A person with one case is findable exactly when that case is visible.
                    #expect(hiddenRefs.contains(ref) == !visible, "\(role.rawValue), \(combination): the import check disagrees with the rule")
                } else {
                    #expect(hiddenRefs.contains(ref), "\(role.rawValue): finds nobody by name")
                }
            }
        }
    }

    @Test("the database refuses a Category 4 case that is not restricted, however it is written", arguments: DatabaseKind.available)
    func cannotUnflag(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind, users: false)
        let ids = try world.importCases([CaseRegisterRow(nominalRef: "C4", familyName: "Flagged", givenNames: "Pat",
                                                         dateOfBirth: CalendarDate("1980-01-01")!, category: .four, level: .three,
                                                         leadAgency: "police", mappaStartDate: CalendarDate("2026-01-01"))])
        let caseID = try #require(ids["C4"])
        #expect(try world.record(caseID).restricted)
        for sql in ["UPDATE cases SET restricted = 0 WHERE id = ?",
                    "INSERT INTO cases (nominal_id, category, level, lead_agency_id, start_date, status, restricted, created_at, updated_at) SELECT nominal_id, 4, 3, lead_agency_id, start_date, 'active', 0, created_at, updated_at FROM cases WHERE id = ?"] {
            #expect(throws: DatabaseError.self, "\(sql)") {
                try world.stores.database.write { try $0.execute(sql, [.integer(caseID)]) }
            }
        }
        #expect(try world.record(caseID).restricted, "unchanged")
    }
}
