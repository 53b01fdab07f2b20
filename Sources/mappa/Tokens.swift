import Database
import Domain
import Foundation
import Store

/// `mappa token create`: an API token for a user, for setting up a system that uses the API.
enum TokenCommand {
    static let help = """
        Usage: mappa token create --user USERNAME --name NAME [--days N] [--database LOCATION]

        Creates an API token for the user and prints it on standard output, once: only its hash is kept.
        The token acts as the user, with the user's role, until it expires (after \(ApiTokenStore.defaultLifetimeDays) days
        unless --days says otherwise, at most \(ApiTokenStore.maximumLifetimeDays)) or is revoked on the user's
        Account → API tokens page. Send it in an 'Authorization: Bearer TOKEN' header.
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["help"])
        if arguments.has("help") || arguments.positional != ["create"] { print(help); return arguments.has("help") ? 0 : 2 }
        try arguments.allowOnly(["database", "user", "name", "days"])
        let username = try arguments.required("user")
        let name = try arguments.required("name")
        var days = ApiTokenStore.defaultLifetimeDays
        if let text = arguments.value("days") {
            guard let number = Int(text) else { throw Arguments.UsageError(description: "--days must be a whole number") }
            days = number
        }
        let (stores, _) = try openStores(arguments)
        guard let user = try stores.accounts.accounts.user(username: username.lowercased()) else {
            throw Arguments.UsageError(description: "there is no user '\(username)'")
        }
        let created = try stores.apiTokens.create(userID: user.id, name: name, lifetimeDays: days, by: .commandLine)
        printError("created API token '\(created.record.name)' for \(user.username) (\(user.role.displayName)), "
                   + "expires \(Timestamp.string(created.record.expiresAt)); it is shown only now")
        print(created.token)
        return 0
    }
}
