import Database
import Domain
import Foundation
import Store
import Testing
import TestSupport

/// Nominal search as a coordinator types it, on both databases.
@Suite("Nominal search")
struct NominalSearchTests {
    /// A coordinator's view of the search: they may see every case here (none is restricted unless a test says so).
    struct Searcher {
        let world: StoreWorld
        let viewer: Viewer
        var stores: Stores { world.stores }
        var test: TestDatabase { world.test }

        init(_ world: StoreWorld) throws {
            self.world = world
            viewer = try world.viewer(.coordinator)
        }

        func searchNominals(_ query: String, limit: Int = 50) throws -> [NominalRecord] {
            try stores.nominals.searchRecords(query, limit: limit, for: viewer)
        }

        func searchNominalListings(_ query: String) throws -> [NominalListing] { try stores.nominals.search(query, for: viewer) }

        func importRegister(_ rows: [CaseRegisterRow]) throws { _ = try world.importCases(rows) }
    }

    static func seeded(_ kind: DatabaseKind) throws -> (TestDatabase, Searcher) {
        let world = try StoreWorld(kind)
        let casework = try Searcher(world)
        let people: [(String, String, String, [String])] = [
            ("S-1", "Hollins", "Sam", ["Spike"]), ("S-2", "Hollinsworth", "Samantha", []), ("S-3", "Hollins", "Alex", []),
            ("S-4", "Samuels", "Hollie", []), ("S-5", "Müller", "Zoë Anne", []), ("S-6", "O'Hare", "Sam", ["Jo-Jo"]),
        ]
        try casework.importRegister(people.map { ref, family, given, aliases in
            CaseRegisterRow(nominalRef: ref, familyName: family, givenNames: given, aliases: aliases,
                            dateOfBirth: CalendarDate("1980-01-01")!, category: .one, level: .one, leadAgency: "police")
        })
        return (world.test, casework)
    }

    func refs(_ casework: Searcher, _ query: String) throws -> [String] {
        try casework.searchNominals(query).map(\.nominalRef)
    }

    @Test("the results list shows the same people, in the same order, with the same details as the full records",
          arguments: DatabaseKind.available)
    func listingsMatchRecords(kind: DatabaseKind) throws {
        let (test, casework) = try Self.seeded(kind)
        _ = test
        for query in ["hollins", "holl sa", "jo", "1980-01-01", "S-6", "nobody"] {
            let records = try casework.searchNominals(query)
            let listings = try casework.searchNominalListings(query)
            #expect(listings == records.map(\.listing), "query \(query)")
        }
        #expect(try casework.searchNominalListings("spike").map(\.aliases) == [["Spike"]])
        #expect(try casework.searchNominalListings("ohare").map(\.fullName) == ["Sam O'HARE"])
    }

    @Test("a nominal listed twice in one import is found by the name it was given last, not the first",
          arguments: DatabaseKind.available)
    func importedTwice(kind: DatabaseKind) throws {
        let (test, casework) = try Self.seeded(kind)
        _ = test
        let rows = ["Brackenbury", "Cholmondeley"].map { family in
            CaseRegisterRow(nominalRef: "S-9", familyName: family, givenNames: "Robin", dateOfBirth: CalendarDate("1979-05-05")!,
                            category: .one, level: .one, leadAgency: "police")
        }
        try casework.importRegister(rows)
        #expect(try refs(casework, "brackenbury").isEmpty)
        #expect(try refs(casework, "cholmondeley robin") == ["S-9"])
        #expect(try refs(casework, "hollins sam") == ["S-1", "S-2"], "the others keep their keys")
    }

    @Test("two words match in either order and as prefixes, names and aliases, accents and case folded", arguments: DatabaseKind.available)
    func words(kind: DatabaseKind) throws {
        let (test, casework) = try Self.seeded(kind)
        _ = test
        #expect(try refs(casework, "hollins sam") == ["S-1", "S-2"])
        #expect(try refs(casework, "SAM HOLLINS") == ["S-1", "S-2"])
        #expect(try refs(casework, "holl sa") == ["S-1", "S-2", "S-4"], "Hollie Samuels matches too")
        #expect(try refs(casework, "spike hollins") == ["S-1"], "an alias with the family name")
        #expect(try refs(casework, "muller zoe") == ["S-5"])
        #expect(try refs(casework, "zoe anne muller") == ["S-5"], "three words")
        #expect(try refs(casework, "ohare jo") == ["S-6"])
        #expect(try refs(casework, "hollins") == ["S-3", "S-1", "S-2"], "one word, in name order")
        #expect(try refs(casework, "hollins zed").isEmpty)
        // A first word that is the whole of the only name it starts (no Samanthas but one, no Alexanders) is read
        // as one range of word pairs; the second word still matches as a prefix, and nothing else comes with it.
        #expect(try refs(casework, "samantha hol") == ["S-2"])
        #expect(try refs(casework, "alex hollinsworth").isEmpty)
        #expect(try refs(casework, "alex h") == ["S-3"])
        #expect(try refs(casework, "samuels hollie") == ["S-4"])
        #expect(try refs(casework, "hollinsw sam") == ["S-2"], "the start of the only name that starts so")
        #expect(try refs(casework, "samue hol") == ["S-4"])
        #expect(try refs(casework, "zoe muller anne") == ["S-5"], "three words, the longest first")
        let bySamOrSpike = try refs(casework, "s")
        #expect(bySamOrSpike.filter { $0 == "S-1" }.count == 1, "matched by a name and an alias (Sam, Spike), listed once")
        #expect(Set(bySamOrSpike) == ["S-1", "S-2", "S-4", "S-6"])
    }

    @Test("a register big enough to load its keys with the by-person index taken down still has that index after, and every person is found",
          arguments: DatabaseKind.available)
    func bulkImportKeepsIndex(kind: DatabaseKind) throws {
        let casework = try Searcher(try StoreWorld(kind))
        let test = casework.test
        let families = ["Ashcombe", "Birtwhistle", "Carrow", "Dunmore", "Eskdale", "Farrant", "Gillow", "Harbottle"]
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        // 1,600 people give more than 10,000 keys: enough for the bulk path.
        let rows = (0..<1600).map { index in
            CaseRegisterRow(nominalRef: "B-\(index)", familyName: families[index % families.count],
                            givenNames: "Given\(letters[index % 26])\(letters[(index / 26) % 26])",
                            dateOfBirth: CalendarDate("1975-03-04")!, category: .one, level: .one, leadAgency: "police")
        }
        try casework.importRegister(rows)
        if kind == .sqlite {
            let index = try test.database.read {
                try $0.queryOne("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'nominal_search_keys_nominal'")
            }
            #expect(try index?.value("sql", as: String.self) == "CREATE INDEX nominal_search_keys_nominal ON nominal_search_keys(nominal_id, key)")
            #expect(try test.database.read { try $0.queryOne("PRAGMA integrity_check")?.value("integrity_check", as: String.self) } == "ok")
        } else {
            let index = try test.database.read {
                try $0.queryOne("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'nominal_search_keys_nominal'")
            }
            #expect(try index?.value("indexdef", as: String.self).hasSuffix("USING btree (nominal_id, key)") == true)
        }
        #expect(try casework.searchNominals("dunmore", limit: 1000).count == 200)
        #expect(try refs(casework, "harbottle givenhe") == ["B-111", "B-1463"])
        // Imported again under another name: the old keys go (found through the by-person index), the new ones come.
        try casework.importRegister([CaseRegisterRow(nominalRef: "B-111", familyName: "Quennell", givenNames: "Givenhe",
                                                     dateOfBirth: CalendarDate("1975-03-04")!, category: .one, level: .one,
                                                     leadAgency: "police")])
        #expect(try refs(casework, "harbottle givenhe") == ["B-1463"], "the namesake keeps their keys")
        #expect(try refs(casework, "quennell") == ["B-111"])
        #expect(try casework.searchNominals("harbottle", limit: 1000).count == 199)
    }

    @Test("keys from an older version are rebuilt once at start, and search works again", arguments: DatabaseKind.available)
    func rebuild(kind: DatabaseKind) throws {
        let (test, casework) = try Self.seeded(kind)
        let nominals = casework.stores.nominals
        try nominals.rebuildSearchKeysIfNeeded(asSystem: .commandLine)
        #expect(try nominals.rebuildSearchKeysIfNeeded(asSystem: .commandLine) == nil, "current keys are left alone")
        try test.database.write { connection in
            try connection.execute("DELETE FROM nominal_search_keys WHERE key LIKE 'p:%'")
            try connection.execute("UPDATE settings SET value = '1' WHERE key = 'search_keys_version'")
        }
        #expect(try refs(casework, "hollins sam").isEmpty)
        #expect(try nominals.rebuildSearchKeysIfNeeded(asSystem: .commandLine) == 6)
        #expect(try refs(casework, "hollins sam") == ["S-1", "S-2"])
    }

    @Test("the other names a results list shows follow every change: an edit, a re-import, and an upgrade's rebuild",
          arguments: DatabaseKind.available)
    func otherNamesFollowChanges(kind: DatabaseKind) throws {
        let (test, casework) = try Self.seeded(kind)
        _ = test
        let editor = casework.viewer
        func listed(_ query: String) throws -> [[String]] { try casework.searchNominalListings(query).map(\.aliases) }
        #expect(try listed("hollins sam") == [["Spike"], []])

        // An edit: names with a colon, digits, accents and a comma come back exactly, in byte order.
        let id = try #require(try casework.searchNominals("spike").first).id
        var details = try casework.stores.nominals.nominal(id: id, for: editor).details
        let version = try casework.stores.nominals.nominal(id: id, for: editor).version
        details.aliases = ["Zoë 12:3", "Big: Sam, Jr", "99"]
        details.currentAddress = "1 Example Street, Testtown"
        try casework.stores.nominals.updateNominal(id: id, details: details, expectedVersion: version, by: editor)
        #expect(try listed("hollins sam") == [["99", "Big: Sam, Jr", "Zoë 12:3"], []])
        #expect(try casework.stores.nominals.nominal(id: id, for: editor).aliases == ["99", "Big: Sam, Jr", "Zoë 12:3"])
        #expect(try listed("zoe") == [["99", "Big: Sam, Jr", "Zoë 12:3"], []], "Zoë Anne Müller has none")

        // A re-import replaces them; one without other names clears them.
        try casework.importRegister([CaseRegisterRow(nominalRef: "S-1", familyName: "Hollins", givenNames: "Sam", aliases: ["Sammy"],
                                                     dateOfBirth: CalendarDate("1980-01-01")!, category: .one, level: .one,
                                                     leadAgency: "police"),
                                     CaseRegisterRow(nominalRef: "S-6", familyName: "O'Hare", givenNames: "Sam",
                                                     dateOfBirth: CalendarDate("1980-01-01")!, category: .one, level: .one,
                                                     leadAgency: "police")])
        #expect(try listed("hollins sam") == [["Sammy"], []])
        #expect(try listed("ohare") == [[]])

        // A database from before the lists: the rebuild the new index version brings fills them from the rows.
        try test.database.write { connection in
            try connection.execute("UPDATE nominals SET alias_list = ''")
            try connection.execute("UPDATE settings SET value = '3' WHERE key = 'search_keys_version'")
        }
        #expect(try listed("hollins sam") == [[], []])
        #expect(try casework.stores.nominals.rebuildSearchKeysIfNeeded(asSystem: .commandLine) == 6)
        #expect(try listed("hollins sam") == [["Sammy"], []])
        #expect(try casework.searchNominals("sammy").map(\.aliases) == [["Sammy"]])
    }

    @Test("a very common name reads a bounded number of entries and still fills the page; more words find the one", arguments: DatabaseKind.available)
    func commonName(kind: DatabaseKind) throws {
        let casework = try Searcher(try StoreWorld(kind))
        let test = casework.test
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let rows = (0..<300).map { index in
            CaseRegisterRow(nominalRef: "C-\(index)", familyName: "Commonname", givenNames: "Given\(letters[index % 26])\(letters[index / 26])",
                            dateOfBirth: CalendarDate("1980-01-01")!, category: .one, level: .one, leadAgency: "police")
        }
        try casework.importRegister(rows)
        let page = try casework.searchNominals("commonname", limit: 51)
        #expect(page.count == 51, "a full page and the sign that there are more")
        #expect(page.map { $0.givenNames } == page.map { $0.givenNames }.sorted(), "shown in name order")
        #expect(try casework.searchNominals("commonname givenlk").map(\.nominalRef) == ["C-271"])
    }

    @Test("people on restricted cases are left out and the page still fills, in name order, with the next names", arguments: DatabaseKind.available)
    func hiddenPeopleSkipped(kind: DatabaseKind) throws {
        let casework = try Searcher(try StoreWorld(kind))
        let test = casework.test
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        // 80 people named Restrictedson, Given aa … Given db in name order; the first 12 are Category 4, so their
        // cases are restricted and a manager not named on them may not find them.
        let rows = (0..<80).map { index in
            CaseRegisterRow(nominalRef: "R-\(index)", familyName: "Restrictedson",
                            givenNames: "Given \(letters[index / 26])\(letters[index % 26])",
                            dateOfBirth: CalendarDate("1980-01-01")!, category: index < 12 ? .four : .one, level: .one,
                            leadAgency: "police")
        }
        try casework.importRegister(rows)
        _ = test
        let manager = try casework.world.viewer(.manager)
        let nominals = casework.stores.nominals
        let page = try nominals.searchRecords("restrictedson", limit: 51, for: manager)
        #expect(page.count == 51, "hidden people do not leave the page short")
        #expect(page.map(\.nominalRef) == (12..<63).map { "R-\($0)" }, "the visible people, in name order")
        #expect(try nominals.searchRecords("restrictedson", limit: 5, for: manager).map(\.nominalRef)
                == (12..<17).map { "R-\($0)" }, "a short page whose first candidates are all hidden reads further")
        // Named on the first restricted case's access list (by a coordinator who manages restricted cases), the manager
        // finds that person first.
        try casework.world.name("user.manager", on: try casework.world.caseID("R-0"), as: .allow)
        #expect(try nominals.searchRecords("restrictedson", limit: 51, for: manager).first?.nominalRef == "R-0")
    }
}
