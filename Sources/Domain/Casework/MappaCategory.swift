import Foundation

/// MAPPA category (CJA 2003 s.325–327; domain.md §2). Exactly one per case; Category 1 takes precedence.
/// Codes match nDelius (M1–M4) and the HMPPS `category` field.
public enum MappaCategory: Int, CaseIterable, Sendable, Codable, Comparable {
    case one = 1, two = 2, three = 3, four = 4

    public var description: String {
        switch self {
        case .one: return "Category 1: registered sexual offender"
        case .two: return "Category 2: violent or other sexual offender"
        case .three: return "Category 3: other dangerous offender"
        case .four: return "Category 4: terrorist or terrorism-risk offender"
        }
    }
    public var shortName: String { "Category \(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// MAPPA management level (MAPPA Guidance ch.7). `unknown` is HMPPS's level 0: not yet screened.
public enum ManagementLevel: Int, CaseIterable, Sendable, Codable, Comparable {
    case unknown = 0, one = 1, two = 2, three = 3

    public var description: String {
        switch self {
        case .unknown: return "Level not yet set"
        case .one: return "Level 1: ordinary agency management"
        case .two: return "Level 2: active multi-agency management"
        case .three: return "Level 3: active multi-agency management with senior representation"
        }
    }
    public var shortName: String { self == .unknown ? "Unknown" : "Level \(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Risk of serious harm (OASys bands; domain.md §3.2).
public enum RoSH: String, CaseIterable, Sendable, Codable, Comparable {
    case low
    case medium
    case high
    case veryHigh = "very high"

    public var displayName: String {
        switch self {
        case .low: return "Low"
        case .medium: return "Medium"
        case .high: return "High"
        case .veryHigh: return "Very high"
        }
    }
    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    /// Level 2 criterion (a): high or very high RoSH.
    public var isHighOrVeryHigh: Bool { self >= .high }
}

/// Who is at risk, for RoSH per group.
public enum RiskGroup: String, CaseIterable, Sendable, Codable {
    case children
    case publicAtLarge = "public"
    case knownAdult = "known_adult"
    case staff

    public var displayName: String {
        switch self {
        case .children: return "Children"
        case .publicAtLarge: return "Public"
        case .knownAdult: return "Known adult"
        case .staff: return "Staff"
        }
    }
}

public enum CustodyStatus: String, CaseIterable, Sendable, Codable {
    case community, custody, hospital
    public var displayName: String { rawValue.capitalized }
}

public enum CaseStatus: String, CaseIterable, Sendable, Codable {
    case active, exited
    public var displayName: String { rawValue.capitalized }
}
