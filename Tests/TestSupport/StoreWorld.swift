import Database
import Domain
import Foundation
import Store

/// A migrated database with every store on it (made once, as the app makes them), a clock the test moves, and one
/// user of each role to act as: what a storage test needs to act as real people do.
public struct StoreWorld {
    public let test: TestDatabase
    public let clock: ManualClock
    public let stores: Stores
    public static let password = "kettle orbit meadow 42"

    /// `users`: one account per role, called "user.<role>" (the agency representative works for housing).
    public init(_ kind: DatabaseKind = .sqlite, timescales: Timescales? = nil, users: Bool = true) throws {
        test = try TestDatabase(kind)
        clock = ManualClock()
        stores = Stores(StoreContext(database: test.database, clock: clock.clock,
                                     auditStaging: try AuditStaging.forDatabase(test.driver), timescales: timescales))
        if users {
            for role in Role.allCases {
                try stores.accounts.createUser(.init(username: "user.\(role.rawValue)", displayName: "Test \(role.displayName)",
                                                     role: role,
                                                     agencyCode: role == .agencyRepresentative ? "housing" : "police",
                                                     password: Self.password, mustChangePassword: false), by: .commandLine)
            }
        }
    }

    public var today: CalendarDate { CalendarDate(clock.now) }

    /// The person with this username, to act as.
    public func viewer(_ username: String) throws -> Viewer {
        guard let user = try stores.accounts.accounts.user(username: username) else { throw DomainError.notFound("The user") }
        return Viewer(user, from: "192.0.2.1")
    }

    /// The test user of this role, to act as.
    public func viewer(_ role: Role) throws -> Viewer { try viewer("user.\(role.rawValue)") }

    /// Adds a user and returns them to act as.
    @discardableResult
    public func addUser(_ username: String, role: Role, agency: String, email: String = "") throws -> Viewer {
        try stores.accounts.createUser(.init(username: username, displayName: username, email: email, role: role, agencyCode: agency,
                                             password: Self.password, mustChangePassword: false), by: .commandLine)
        return try viewer(username)
    }

    /// Imports register rows as the system (the command line), returning each row's case id by nominal reference.
    @discardableResult
    public func importCases(_ rows: [CaseRegisterRow]) throws -> [String: Int64] {
        _ = try stores.register.importRegister(rows, by: .system(SystemJob("test")))
        return try caseIDs(rows.map(\.nominalRef))
    }

    /// The latest case of each nominal reference.
    public func caseIDs(_ refs: [String]) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        for ref in refs { ids[ref] = try AreaWorld.caseID(stores.database, ref: ref) }
        return ids
    }

    /// The nominal id of a nominal reference.
    public func nominalID(_ ref: String) throws -> Int64? {
        try stores.database.read { try $0.queryOne("SELECT id FROM nominals WHERE nominal_ref = ?", [.text(ref)])?.value("id") }
    }
}
