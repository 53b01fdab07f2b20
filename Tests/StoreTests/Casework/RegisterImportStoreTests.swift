import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// The register import writes in bulk, a slice of rows at a time; what it leaves on record must not depend on where
/// the slices fall, and must be what a row at a time did: a person listed again is updated, with the change in the
/// case history, their other names replaced and their search keys those of the last row.
@Suite("Case register import in slices")
struct RegisterImportStoreTests {
    static func row(_ ref: String, _ family: String, _ given: String = "Sam", aliases: [String] = [], category: MappaCategory = .one,
                    level: ManagementLevel = .one, rosh: RoSH? = nil, area: String? = nil) -> CaseRegisterRow {
        CaseRegisterRow(nominalRef: ref, familyName: family, givenNames: given, aliases: aliases,
                        dateOfBirth: CalendarDate("1980-01-01")!, crn: "X\(ref)", category: category, level: level,
                        leadAgency: "police", rosh: rosh, area: area)
    }

    /// A first register, then a second that changes A (listed twice: level, then category and aliases), restricts B,
    /// leaves C alone, and adds D twice.
    static let first = [row("A", "Ashdown", aliases: ["Spike", "Jo"]), row("B", "Brook", level: .two, rosh: .high),
                        row("C", "Carter", area: "north")]
    static let second = [row("A", "Ashdown", aliases: ["Spike", "Jo"], level: .two), row("B", "Brook", category: .four, level: .two, rosh: .medium),
                         row("D", "Dale", aliases: ["Dee"]), row("A", "Ashdown-Smith", aliases: ["Ace"], category: .two, level: .two, area: "south"),
                         row("C", "Carter"), row("D", "Dale", aliases: ["Dee"], level: .three)]

    /// Everything the import writes, by nominal reference rather than id, timestamps left out.
    static func snapshot(_ world: StoreWorld) throws -> [String] {
        try world.stores.database.read { connection in
            var lines: [String] = []
            for row in try connection.query("""
                SELECT nominal_ref, family_name, given_names, crn, alias_list, version FROM nominals ORDER BY nominal_ref
                """) { lines.append("nominal \(row.values)") }
            for row in try connection.query("""
                SELECT nominals.nominal_ref, alias FROM nominal_aliases JOIN nominals ON nominals.id = nominal_id ORDER BY 1, 2
                """) { lines.append("alias \(row.values)") }
            for row in try connection.query("""
                SELECT nominals.nominal_ref, key, sort_name FROM nominal_search_keys JOIN nominals ON nominals.id = nominal_id ORDER BY 1, 2, 3
                """) { lines.append("key \(row.values)") }
            for row in try connection.query("""
                SELECT nominals.nominal_ref, category, level, rosh, status, restricted, COALESCE(areas.code, '-') AS area, cases.version,
                       (SELECT COUNT(*) FROM case_agencies WHERE case_id = cases.id) AS agencies
                FROM cases JOIN nominals ON nominals.id = nominal_id LEFT JOIN areas ON areas.id = area_id ORDER BY 1
                """) { lines.append("case \(row.values)") }
            for row in try connection.query("""
                SELECT nominals.nominal_ref, field, old_value, new_value, reason FROM case_history
                JOIN cases ON cases.id = case_id JOIN nominals ON nominals.id = cases.nominal_id ORDER BY case_history.id
                """) { lines.append("history \(row.values)") }
            return lines
        }
    }

    static func imported(_ kind: DatabaseKind, sliceSize: Int) throws -> (StoreWorld, [ImportSummary]) {
        let world = try StoreWorld(kind)
        try world.stores.areas.add(code: "north", name: "North", population: "", by: SystemJob("test").actor)
        try world.stores.areas.add(code: "south", name: "South", population: "", by: SystemJob("test").actor)
        let summaries = try [first, second].map { rows in
            try world.stores.register.importRegister(rows, by: .system(SystemJob("test")), progress: nil, sliceSize: sliceSize)
        }
        return (world, summaries)
    }

    @Test("a person listed again is updated with the change in the history, other names replaced, Category 4 restricted", arguments: DatabaseKind.available)
    func reimport(kind: DatabaseKind) throws {
        let (world, summaries) = try Self.imported(kind, sliceSize: RegisterLoad.sliceSize)
        #expect(summaries[0] == ImportSummary(nominalsCreated: 3, nominalsUpdated: 0, casesCreated: 3, casesUpdated: 0, restrictedCases: 0))
        #expect(summaries[1] == ImportSummary(nominalsCreated: 1, nominalsUpdated: 5, casesCreated: 1, casesUpdated: 5, restrictedCases: 1))
        let aHistory = try world.stores.database.read { connection in
            try connection.query("""
                SELECT field, old_value, new_value FROM case_history JOIN cases ON cases.id = case_id
                JOIN nominals ON nominals.id = cases.nominal_id WHERE nominal_ref = 'A' ORDER BY case_history.id
                """).map { "\($0["field"].string ?? ""): \($0["old_value"].string ?? "") → \($0["new_value"].string ?? "")" }
        }
        #expect(aHistory == ["created:  → Category 1, Level 1", "level: 1 → 2", "category: 1 → 2", "area:  → south"])
        let dHistory = try world.stores.database.read { connection in
            try connection.query("""
                SELECT field FROM case_history JOIN cases ON cases.id = case_id JOIN nominals ON nominals.id = cases.nominal_id
                WHERE nominal_ref = 'D' ORDER BY case_history.id
                """).map { $0["field"].string ?? "" }
        }
        #expect(dHistory == ["created", "level"])
        let people = try world.stores.database.read { connection in
            try connection.query("SELECT nominal_ref, family_name, alias_list, version FROM nominals ORDER BY nominal_ref")
        }
        #expect(people.map { $0["family_name"].string } == ["Ashdown-Smith", "Brook", "Carter", "Dale"])
        #expect(people.map { $0["version"].int } == [3, 2, 2, 2])
        #expect(people[0]["alias_list"].string == AliasList.encode(["Ace"]))
        let aliases = try world.stores.database.read { connection in
            try connection.query("SELECT nominal_ref, alias FROM nominal_aliases JOIN nominals ON nominals.id = nominal_id ORDER BY 1, 2")
                .map { "\($0["nominal_ref"].string ?? ""):\($0["alias"].string ?? "")" }
        }
        #expect(aliases == ["A:Ace", "D:Dee"])
        let cases = try world.stores.database.read { connection in
            try connection.query("""
                SELECT nominal_ref, category, level, restricted, COALESCE(areas.code, '-') AS area FROM cases
                JOIN nominals ON nominals.id = nominal_id LEFT JOIN areas ON areas.id = area_id ORDER BY 1
                """).map { "\($0["nominal_ref"].string ?? ""): \($0["category"].int ?? 0)/\($0["level"].int ?? 0)/\($0["restricted"].int ?? 0)/\($0["area"].string ?? "")" }
        }
        // C's area is kept when the second register leaves it out; B is restricted once it is Category 4.
        #expect(cases == ["A: 2/2/0/south", "B: 4/2/1/-", "C: 1/1/0/north", "D: 1/3/0/-"])
        let coordinator = try world.coordinator()
        #expect(try world.stores.nominals.searchRecords("ace", for: coordinator).map(\.nominalRef) == ["A"])
        #expect(try world.stores.nominals.searchRecords("spike", for: coordinator).isEmpty)
        #expect(try world.stores.nominals.searchRecords("dee", for: coordinator).map(\.nominalRef) == ["D"])
    }

    @Test("slices of one row, of two rows and of the whole file leave exactly the same records", arguments: DatabaseKind.available)
    func slicesDoNotMatter(kind: DatabaseKind) throws {
        let whole = try Self.snapshot(try Self.imported(kind, sliceSize: RegisterLoad.sliceSize).0)
        #expect(whole.count > 40)
        for size in [1, 2] {
            let (world, summaries) = try Self.imported(kind, sliceSize: size)
            #expect(summaries[1].nominalsUpdated == 5)
            #expect(try Self.snapshot(world) == whole)
        }
    }
}
