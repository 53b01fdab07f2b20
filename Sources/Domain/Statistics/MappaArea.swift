import Foundation

/// A MAPPA area: one of the 42 criminal justice areas of England and Wales that each run their own arrangements
/// (CJA 2003 s.325; domain.md §1). A regional deployment keeps several in one database so managers can compare
/// them; a database with no areas is one area, as it always was.
public struct MappaArea: Sendable, Equatable, Hashable {
    public var id: Int64
    /// Stable and short, like an agency code: lowercase letters, digits, `_` and `-`. Files and URLs name areas by it.
    public var code: String
    public var name: String
    /// People living in the area (ONS mid-year estimate), for registered sexual offenders per 100,000; nil until set.
    public var population: Int?
    /// An inactive area is kept with its cases and its past figures but not offered for new assignments.
    public var active: Bool

    public init(id: Int64, code: String, name: String, population: Int? = nil, active: Bool = true) {
        self.id = id
        self.code = code
        self.name = name
        self.population = population
        self.active = active
    }

    /// Codes the statistics pages use for "every area" and "no area recorded", so an area may not take them.
    public static let reservedCodes: Set<String> = ["all", "none"]

    /// A code as people type it, made canonical: spaces around it cut, letters lowercased ("North_Wales" → "north_wales").
    public static func normalisedCode(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Every problem with an area typed into the form or the command line, keyed by the fields `code`, `name` and
    /// `population`. `code` is nil when editing: an area's code never changes once files and cases name it.
    public static func problems(code: String?, name: String, population: String) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if let code {
            let normalised = normalisedCode(code)
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
            if normalised.isEmpty {
                problems.append(ValidationProblem(field: "code", message: "Enter a code for the area, for example north_wales"))
            } else if normalised.count < 2 || normalised.count > 40 {
                problems.append(ValidationProblem(field: "code", message: "The area code must be between 2 and 40 characters"))
            } else if !normalised.allSatisfy(allowed.contains) {
                problems.append(ValidationProblem(field: "code",
                    message: "The area code can only contain letters, numbers, hyphens and underscores, for example north_wales"))
            } else if reservedCodes.contains(normalised) {
                problems.append(ValidationProblem(field: "code", message: "“\(normalised)” is kept for the statistics pages: choose another code"))
            }
        }
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedName.isEmpty {
            problems.append(ValidationProblem(field: "name", message: "Enter the name of the area, for example North Wales"))
        } else if trimmedName.count > 120 {
            problems.append(ValidationProblem(field: "name", message: "The area name must be 120 characters or fewer"))
        }
        if !population.trimmingCharacters(in: .whitespaces).isEmpty, AreaPopulation.parse(population) == nil {
            problems.append(ValidationProblem(field: "population", message: AreaPopulation.message))
        }
        return problems
    }

    /// The population the all-areas rate per 100,000 uses: the unit's own setting when there is one; otherwise,
    /// when every active area has a population, their sum (the region is the areas together); otherwise nil, and
    /// the rate is left blank rather than worked out over part of the region.
    public static func allAreasPopulation(setting: Int?, areas: [MappaArea]) -> Int? {
        if let setting { return setting }
        let active = areas.filter(\.active)
        guard !active.isEmpty, active.allSatisfy({ $0.population != nil }) else { return nil }
        return active.reduce(0) { $0 + ($1.population ?? 0) }
    }
}

/// A population as people write it ("1,250,000"): one rule for an area's population and the unit's own setting.
public enum AreaPopulation {
    public static let range = 1...100_000_000
    public static let message = "Enter the population as a whole number from 1 to 100,000,000, for example 1,250,000"

    /// The number, or nil unless `text` is a whole number in `range` (commas between digits allowed).
    public static func parse(_ text: String) -> Int? {
        let digits = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 9,
              let value = Int(digits), range.contains(value) else { return nil }
        return value
    }

    /// "1,250,000": as people write a population, and as `parse` reads it back.
    public static func written(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
