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

    public func can(_ permission: Permission) -> Bool { Self.grants[self]?.contains(permission) ?? false }

    /// `permissions` for every role, built once: `can` runs a dozen times per page (the navigation alone asks
    /// twelve times), and building the set on each call showed in the server's profile.
    private static let grants: [Role: Set<Permission>] = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.permissions) })
}

/// What a role may do. Routes name the permission they need; the web app refuses (and audits) the rest.
public enum Permission: String, CaseIterable, Sendable {
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
