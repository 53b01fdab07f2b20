import Domain
import Testing

@Suite("MAPPA areas")
struct AreaTests {
    static func fields(_ problems: [ValidationProblem]) -> [String] { problems.map(\.field) }

    @Test("a good area: code like an agency code (typed in any case), a name, a population with commas or none")
    func good() {
        #expect(MappaArea.problems(code: "north_wales", name: "North Wales", population: "700,000").isEmpty)
        #expect(MappaArea.problems(code: " Dyfed-Powys2 ", name: "Dyfed-Powys", population: "").isEmpty)
        #expect(MappaArea.normalisedCode(" Dyfed-Powys2 ") == "dyfed-powys2")
        #expect(MappaArea.problems(code: nil, name: "Renamed", population: "1").isEmpty, "editing checks no code")
    }

    @Test("bad codes are refused with the reason", arguments: [
        ("", "Enter a code"), ("n", "between 2 and 40"), (String(repeating: "a", count: 41), "between 2 and 40"),
        ("north wales", "only contain letters"), ("north.wales", "only contain letters"), ("gwent£", "only contain letters"),
        ("ALL", "kept for the statistics pages"), ("none", "kept for the statistics pages"),
    ])
    func badCode(code: String, message: String) {
        let problems = MappaArea.problems(code: code, name: "Somewhere", population: "")
        #expect(Self.fields(problems) == ["code"])
        #expect(problems.first?.message.contains(message) == true, "\(problems)")
    }

    @Test("a name is required and at most 120 characters")
    func name() {
        #expect(Self.fields(MappaArea.problems(code: "ab", name: "  ", population: "")) == ["name"])
        #expect(Self.fields(MappaArea.problems(code: "ab", name: String(repeating: "x", count: 121), population: "")) == ["name"])
        #expect(MappaArea.problems(code: "ab", name: String(repeating: "x", count: 120), population: "").isEmpty)
    }

    @Test("population: a whole number from 1 to 100,000,000, commas accepted", arguments: [
        ("1", 1), ("1,250,000", 1_250_000), (" 100000000 ", 100_000_000), ("68357", 68_357),
    ])
    func population(text: String, value: Int) {
        #expect(AreaPopulation.parse(text) == value)
        #expect(AreaPopulation.parse(AreaPopulation.written(value)) == value)
        #expect(MappaArea.problems(code: "ab", name: "A", population: text).isEmpty)
    }

    @Test("populations are written with commas between thousands")
    func written() {
        #expect([1, 999, 1_000, 68_357, 1_250_000, 100_000_000].map(AreaPopulation.written) == ["1", "999", "1,000", "68,357", "1,250,000", "100,000,000"])
    }

    @Test("populations that are not whole numbers in range are refused", arguments: [
        "0", "-5", "100,000,001", "1.5", "lots", "1e6", "12 345", "999999999999999999999", "٣٤٥",
    ])
    func badPopulation(text: String) {
        #expect(AreaPopulation.parse(text) == nil)
        let problems = MappaArea.problems(code: "ab", name: "A", population: text)
        #expect(problems == [ValidationProblem(field: "population", message: AreaPopulation.message)])
    }

    @Test("every problem is reported at once")
    func allProblems() {
        #expect(Self.fields(MappaArea.problems(code: "a b", name: "", population: "0")) == ["code", "name", "population"])
    }

    @Test("all areas use the unit's population when set, else the sum when every active area has one")
    func allAreasPopulation() {
        let north = MappaArea(id: 1, code: "north", name: "North", population: 600_000)
        let south = MappaArea(id: 2, code: "south", name: "South", population: 400_000)
        var closed = MappaArea(id: 3, code: "closed", name: "Closed", population: nil)
        closed.active = false
        #expect(MappaArea.allAreasPopulation(setting: 1_234_567, areas: [north, south]) == 1_234_567)
        #expect(MappaArea.allAreasPopulation(setting: nil, areas: [north, south]) == 1_000_000)
        #expect(MappaArea.allAreasPopulation(setting: nil, areas: [north, south, closed]) == 1_000_000, "an inactive area is left out")
        var unknown = south
        unknown.population = nil
        #expect(MappaArea.allAreasPopulation(setting: nil, areas: [north, unknown]) == nil, "not over part of the region")
        #expect(MappaArea.allAreasPopulation(setting: nil, areas: []) == nil)
        #expect(MappaArea.allAreasPopulation(setting: nil, areas: [closed]) == nil)
    }
}
