/// The person a read or a change is done for: who they are, for the need-to-know rule (`CaseVisibility`), and
/// where they are, for the audit trail. Every Store read that names a person or a case takes one.
public struct Viewer: Sendable, Equatable {
    public let user: User
    public let clientAddress: String

    public init(_ user: User, from clientAddress: String) {
        self.user = user
        self.clientAddress = clientAddress
    }

    public var actor: Actor { Actor(userID: user.id, username: user.username, clientAddress: clientAddress) }
    public var role: Role { user.role }
    public func can(_ permission: Permission) -> Bool { user.role.can(permission) }
}
