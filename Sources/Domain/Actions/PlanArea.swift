/// The area of the risk management plan an action serves: the four headings of the MAPPA minutes' plan (MAPPA
/// Guidance ch.13 "risk management plan"; domain.md §4.4). Every new action names one, so the panel can see which
/// part of the plan has nothing live behind it.
public enum PlanArea: String, CaseIterable, Sendable, Codable {
    case supervision
    case monitoringAndControl = "monitoring_and_control"
    case interventionsAndTreatment = "interventions_and_treatment"
    case victimSafety = "victim_safety"

    public var displayName: String {
        switch self {
        case .supervision: return "Supervision"
        case .monitoringAndControl: return "Monitoring and control"
        case .interventionsAndTreatment: return "Interventions and treatment"
        case .victimSafety: return "Victim safety"
        }
    }

    /// What an action recorded before areas were asked for shows.
    public static let notRecorded = "Not recorded"

    /// The areas with no live action, in the plan's order, given the areas of a case's open actions (nil for an
    /// action recorded before areas were asked for, which covers none).
    public static func uncovered(byOpen areas: [PlanArea?]) -> [PlanArea] {
        let covered = Set(areas.compactMap { $0 })
        return allCases.filter { !covered.contains($0) }
    }
}

/// Who owns an action: a person from the directory, either someone with an account (a user, whose agency is theirs)
/// or an agency contact (from the directory under /agencies). Never free text: a form sends the token
/// ("user:12", "contact:4") of a choice the directory offered.
public enum ActionOwner: Sendable, Hashable {
    case user(Int64)
    case contact(Int64)

    /// The owner a form's value names, or nil for anything else (including ids that are not positive numbers).
    public init?(token: String) {
        let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[1].count <= 18, let id = Int64(parts[1]), id > 0, parts[1].allSatisfy(\.isASCII) else { return nil }
        switch parts[0] {
        case "user": self = .user(id)
        case "contact": self = .contact(id)
        default: return nil
        }
    }

    public var token: String {
        switch self {
        case .user(let id): return "user:\(id)"
        case .contact(let id): return "contact:\(id)"
        }
    }
}

/// Kept in minutes (JSON) as its token.
extension ActionOwner: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let owner = ActionOwner(token: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an action owner")
        }
        self = owner
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(token)
    }
}
