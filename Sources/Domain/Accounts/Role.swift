/// The people who use MAPPA Coordinator (DESIGN.md, "Users and access"). A user has exactly one role;
/// need-to-know checks on cases come on top of it.
public enum Role: String, CaseIterable, Sendable, Codable {
    case coordinator
    case chair
    case manager
    case agencyRepresentative = "agency_representative"
    case referrer
    case administrator
    case auditor

    public var displayName: String {
        switch self {
        case .coordinator: return "MAPPA coordinator"
        case .chair: return "Meeting chair"
        case .manager: return "Manager"
        case .agencyRepresentative: return "Agency representative"
        case .referrer: return "Referrer"
        case .administrator: return "Administrator"
        case .auditor: return "Auditor"
        }
    }

    public var permissions: Set<Permission> {
        switch self {
        case .coordinator:
            return [.viewDashboard, .viewCases, .editCases, .manageReferrals, .submitReferrals, .viewMeetings, .manageMeetings,
                    .manageDirectory, .viewStatistics, .configureStatistics, .trackActions]
        case .chair:
            return [.viewDashboard, .viewCases, .viewMeetings, .manageMeetings, .approveMinutes, .trackActions]
        case .manager:
            return [.viewDashboard, .viewCases, .viewMeetings, .viewStatistics, .trackActions]
        case .agencyRepresentative:
            return [.viewDashboard, .viewInvolvedCases, .viewMeetings, .trackActions]
        case .referrer:
            return [.viewDashboard, .submitReferrals]
        case .administrator:
            return [.viewDashboard, .manageUsers, .manageDirectory, .configureStatistics]
        case .auditor:
            return [.viewDashboard, .viewAuditTrail, .viewStatistics]
        }
    }

    public func can(_ permission: Permission) -> Bool {
        guard let role = Self.ordered.firstIndex(of: self) else { return false }
        return Self.grants[role] & permission.bit != 0
    }

    /// `permissions` for every role (in `ordered`), as one bit per permission, built once: `can` runs a dozen
    /// times per page (the navigation alone asks twelve times). Building the set on each call, and later looking
    /// it up by role (hashing the role, then the permission), each showed in the server's profile.
    private static let grants: [UInt64] = ordered.map { role in role.permissions.reduce(0) { $0 | $1.bit } }
    private static let ordered = allCases
}

/// What a role may do. Routes name the permission they need; the web app refuses (and audits) the rest.
public enum Permission: String, CaseIterable, Sendable {
    /// This permission's bit in a role's grants (`Role.can`).
    var bit: UInt64 { 1 << UInt64(Self.ordered.firstIndex(of: self) ?? 63) }
    private static let ordered = allCases

    case viewDashboard
    case viewCases
    /// Partner-agency staff: only cases their agency is involved in (need-to-know).
    case viewInvolvedCases
    case editCases
    case manageReferrals
    case submitReferrals
    /// Meetings: unit staff see all; partner-agency staff only those their agency is part of (need-to-know).
    case viewMeetings
    case manageMeetings
    /// A list of the actions one owns, and closing them.
    case trackActions
    /// The agency directory: agencies, contacts and single points of contact.
    case manageDirectory
    case approveMinutes
    case viewStatistics
    /// The performance indicators' names, definitions, targets and periods.
    case configureStatistics
    case manageUsers
    case viewAuditTrail
}
