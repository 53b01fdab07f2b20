/// A person with an account: who they are, their one role and their agency. Need-to-know on cases comes on top of
/// the role (`CaseVisibility`).
public struct User: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var email: String
    public var role: Role
    public var agencyID: Int64
    public var agencyName: String
    public var mustChangePassword: Bool
    public var active: Bool
    public var createdAt: String
    public var lastLoginAt: String?
    /// Granted by an administrator to named coordinators: they may manage the access list of any restricted case,
    /// so no restricted case is left with nobody able to say who sees it (`CaseVisibility.mayManageAccess`).
    public var managesRestrictedCases: Bool
    /// Bumped on every change, so an edit based on an old copy is detected instead of overwriting.
    public var version: Int64

    public init(id: Int64, username: String, displayName: String, email: String, role: Role, agencyID: Int64,
                agencyName: String, mustChangePassword: Bool, active: Bool, createdAt: String, lastLoginAt: String?,
                managesRestrictedCases: Bool = false, version: Int64) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.email = email
        self.role = role
        self.agencyID = agencyID
        self.agencyName = agencyName
        self.mustChangePassword = mustChangePassword
        self.active = active
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
        self.managesRestrictedCases = managesRestrictedCases
        self.version = version
    }
}
