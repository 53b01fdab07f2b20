import Database
import Domain
import Foundation
import Store

/// Synthetic demonstration data. Everything it creates is invented; it never holds real people's details.
enum Demo {
    static let help = """
        Usage: mappa demo [--database LOCATION]

        Creates the demo sign-ins (one for each role) if they are missing, gives each a fresh random password,
        and prints them. The first time, it also creates synthetic casework: 24 nominals with their MAPPA cases
        (reviews due and overdue, a restricted Category 4 case, an exited case) and referrals at each step.
        Safe to run again: it never duplicates anything. All demo data is synthetic.
        """

    struct DemoUser {
        var username: String
        var name: String
        var role: Role
        var agency: String
    }

    static let users: [DemoUser] = [
        DemoUser(username: "demo.coordinator", name: "Casey Demo-Coordinator", role: .coordinator, agency: "mappa_unit"),
        DemoUser(username: "demo.chair", name: "Jordan Demo-Chair", role: .chair, agency: "police"),
        DemoUser(username: "demo.manager", name: "Morgan Demo-Manager", role: .manager, agency: "mappa_unit"),
        DemoUser(username: "demo.housing", name: "Riley Demo-Housing", role: .agencyRepresentative, agency: "housing"),
        DemoUser(username: "demo.referrer", name: "Taylor Demo-Referrer", role: .referrer, agency: "probation"),
        DemoUser(username: "demo.admin", name: "Sam Demo-Admin", role: .administrator, agency: "mappa_unit"),
        DemoUser(username: "demo.auditor", name: "Avery Demo-Auditor", role: .auditor, agency: "police"),
    ]

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") { print(help); return 0 }
        try arguments.allowOnly(["database"])
        try CracklibDictionary.requireAvailable()
        let (stores, location) = try openStores(arguments)
        let service = stores.accounts
        var lines: [String] = []
        for demo in users {
            let password = service.temporaryPassword(for: PasswordContext(
                username: demo.username, displayName: demo.name, email: "\(demo.username)@example.invalid",
                agencyCode: demo.agency))
            if let existing = try service.accounts.user(username: demo.username) {
                try service.resetPassword(userID: existing.id, newPassword: password, mustChange: false, by: .commandLine)
            } else {
                try service.createUser(AccountService.NewUser(
                    username: demo.username, displayName: demo.name, email: "\(demo.username)@example.invalid",
                    role: demo.role, agencyCode: demo.agency, password: password, mustChangePassword: false), by: .commandLine)
            }
            lines.append("  \(demo.username.padding(toLength: 18, withPad: " ", startingAt: 0)) \(password)   (\(demo.role.displayName))")
        }
        // The demo coordinator manages restricted cases, so the demo shows who may grant access to them.
        if let coordinator = try service.accounts.user(username: "demo.coordinator"), !coordinator.managesRestrictedCases,
           let agency = try stores.agencies.agency(id: coordinator.agencyID) {
            try service.updateDetails(userID: coordinator.id, AccountService.DetailsChange(
                displayName: coordinator.displayName, email: coordinator.email, role: coordinator.role, agencyCode: agency.code,
                managesRestrictedCases: true, expectedVersion: coordinator.version), by: .commandLine)
        }
        let casework = try DemoCasework.create(stores)
        print("Demo data ready in \(DatabaseLocation.redacted(location)) (synthetic, not real people).")
        if let casework { print("Created \(casework).") }
        print("Demo sign-ins (passwords are new each time 'mappa demo' runs):")
        lines.forEach { print($0) }
        return 0
    }
}
