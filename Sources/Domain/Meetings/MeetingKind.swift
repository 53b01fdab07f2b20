import Foundation

/// The panels the MAPPA unit runs (domain.md §3.1, §3.3).
public enum MeetingKind: String, CaseIterable, Sendable, Codable {
    case screening
    case level2 = "level_2"
    case level3 = "level_3"
    case professionals

    public var displayName: String {
        switch self {
        case .screening: return "Screening panel"
        case .level2: return "Level 2 panel"
        case .level3: return "Level 3 panel"
        case .professionals: return "Professionals meeting"
        }
    }

    /// The management level whose cases the panel reviews, if it reviews cases by level.
    public var reviewLevel: ManagementLevel? {
        switch self {
        case .level2: return .two
        case .level3: return .three
        case .screening, .professionals: return nil
        }
    }

    /// The chair grade the guidance expects (domain.md §3.3: managers for Level 2, strategic managers for Level 3).
    public var minimumChairGrade: ChairGrade? {
        switch self {
        case .level2: return .manager
        case .level3: return .strategic
        case .screening, .professionals: return nil
        }
    }
}

public enum MeetingStatus: String, CaseIterable, Sendable, Codable {
    case scheduled, held, cancelled
    public var displayName: String { rawValue.capitalized }
}

/// The chair's seniority: inspector / senior probation officer (manager) or superintendent / head of service
/// (strategic manager).
public enum ChairGrade: String, CaseIterable, Sendable, Codable, Comparable {
    case manager, strategic

    public var displayName: String {
        switch self {
        case .manager: return "Manager (police inspector, senior probation officer or equivalent)"
        case .strategic: return "Strategic manager (police superintendent, head of probation service or equivalent)"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a == .manager && b == .strategic }
}

/// How an agency took part in one meeting or one case discussion (MAPPA L audit: attended, apologies, report).
public enum AttendanceStatus: String, CaseIterable, Sendable, Codable {
    case attended
    case apologies
    case reportSent = "report_sent"
    case didNotAttend = "did_not_attend"

    public var displayName: String {
        switch self {
        case .attended: return "Attended"
        case .apologies: return "Sent apologies"
        case .reportSent: return "Sent a report"
        case .didNotAttend: return "Did not attend"
        }
    }
}
