import Database
import Domain
import Foundation

/// An area with how many cases it holds, for the areas page and `mappa stats areas`.
public struct AreaSummary: Sendable, Equatable {
    public var area: MappaArea
    public var activeCases: Int
    public var allCases: Int
}

/// The MAPPA areas of a regional deployment (several areas in one database). Reads are plain; every change is
/// written to the audit trail in the same transaction, with the figures changed (area names and populations are
/// not personal data).
public struct AreaStore: FeatureStore {
    let context: StoreContext

    /// Every area (or only the active ones), by name.
    public func areas(activeOnly: Bool = false) throws -> [MappaArea] {
        try database.read { connection in
            try connection.query(MappaArea.self, "SELECT \(MappaArea.columns) FROM areas" + (activeOnly ? " WHERE active = 1" : "") + " ORDER BY name, code")
        }
    }

    public func area(code: String) throws -> MappaArea? {
        try database.read { try $0.queryOne(MappaArea.self, "SELECT \(MappaArea.columns) FROM areas WHERE code = ?", [.text(MappaArea.normalisedCode(code))]) }
    }

    /// Every area with its case counts, and the cases with no area recorded (active, all).
    public func summaries() throws -> (areas: [AreaSummary], unassigned: (active: Int, all: Int)) {
        try database.read { connection in
            var counts: [Int64?: (active: Int, all: Int)] = [:]
            for row in try connection.query("""
                SELECT area_id, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active_cases, COUNT(*) AS all_cases
                FROM cases GROUP BY area_id
                """) {
                counts[try row.valueIfPresent("area_id")] = (try row.value("active_cases"), try row.value("all_cases"))
            }
            let areas = try connection.query(MappaArea.self, "SELECT \(MappaArea.columns) FROM areas ORDER BY name, code").map { area in
                AreaSummary(area: area, activeCases: counts[area.id]?.active ?? 0, allCases: counts[area.id]?.all ?? 0)
            }
            let none = counts[nil] ?? (0, 0)
            return (areas, (none.active, none.all))
        }
    }

    /// Adds an area after `MappaArea.problems`; a code already taken is a problem on `code`. Audited.
    @discardableResult
    public func add(code: String, name: String, population: String, by actor: Actor) throws -> MappaArea {
        var problems = MappaArea.problems(code: code, name: name, population: population)
        let normalised = MappaArea.normalisedCode(code)
        if problems.isEmpty, try area(code: normalised) != nil {
            problems.append(ValidationProblem(field: "code", message: "There is already an area with the code \(normalised): choose another code"))
        }
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let people = AreaPopulation.parse(population)
        try database.write { connection in
            let id = try connection.insert("INSERT INTO areas (code, name, population, active) VALUES (?, ?, ?, 1)",
                                           [.text(normalised), .text(trimmedName), .init(people)])
            try audit.append(connection, actor: actor, action: .create, subjectType: "area", subjectID: normalised,
                             detail: "area \(id): \(trimmedName), population \(people.map(String.init) ?? "not set")")
        }
        guard let added = try area(code: normalised) else { throw DomainError.notFound("The area") }
        return added
    }

    /// Changes an area's name, population (empty clears it) and whether it is active. The code stays. Audited
    /// with what changed.
    public func update(code: String, name: String, population: String, active: Bool, by actor: Actor) throws {
        guard let before = try area(code: code) else { throw DomainError.notFound("The area") }
        let problems = MappaArea.problems(code: nil, name: name, population: population)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let after = MappaArea(id: before.id, code: before.code, name: name.trimmingCharacters(in: .whitespacesAndNewlines),
                              population: AreaPopulation.parse(population), active: active)
        var changes: [String] = []
        if after.name != before.name { changes.append("name \(after.name)") }
        if after.population != before.population { changes.append("population \(after.population.map(String.init) ?? "not set")") }
        if after.active != before.active { changes.append(active ? "active" : "inactive") }
        try database.write { connection in
            try connection.execute("UPDATE areas SET name = ?, population = ?, active = ? WHERE id = ?",
                                   [.text(after.name), .init(after.population), .init(after.active), .integer(after.id)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "area", subjectID: after.code,
                             detail: changes.isEmpty ? "nothing changed" : changes.joined(separator: ", "))
        }
    }

    /// Sets only the population (the command line's `stats area-population`), keeping the rest.
    public func setPopulation(code: String, population: String, by actor: Actor) throws {
        guard let area = try area(code: code) else {
            throw DomainError.validation(field: "code", "There is no area with the code \(MappaArea.normalisedCode(code).prefix(40))")
        }
        guard AreaPopulation.parse(population) != nil else {
            throw DomainError.validation(field: "population", AreaPopulation.message)
        }
        try update(code: area.code, name: area.name, population: population, active: area.active, by: actor)
    }
}

extension MappaArea: RowDecodable {
    public static let columns = "id, code, name, population, active"

    public init(row: inout RowReader) throws(DatabaseError) {
        self.init(id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
                  population: try row.decodeIfPresent("population"), active: try row.decode("active"))
    }
}
