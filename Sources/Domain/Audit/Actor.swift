/// Who did something and from where, as the audit trail records it.
public struct Actor: Sendable, Equatable {
    public var userID: Int64?
    public var username: String
    public var clientAddress: String

    public init(userID: Int64?, username: String, clientAddress: String) {
        self.userID = userID
        self.username = username
        self.clientAddress = clientAddress
    }

    /// Changes made from the command line by the operator of the machine.
    public static let commandLine = Actor(userID: nil, username: "(command line)", clientAddress: "local")
}

/// Work the system does for nobody in particular: an import or export from the command line, the daily reminders,
/// the demo data. Store reads that ignore need-to-know take one, so they say so in their signature and a reviewer
/// can find them all by this name.
public struct SystemJob: Sendable, Equatable {
    public let actor: Actor

    public init(_ name: String) { actor = Actor(userID: nil, username: "(\(name))", clientAddress: "local") }

    /// The operator of the machine, at the command line.
    public static let commandLine = SystemJob(actor: .commandLine)
    /// The action reminders and overdue digest.
    public static let reminders = SystemJob("reminders")

    init(actor: Actor) { self.actor = actor }
}
