import Foundation

/// Rules for a new or edited user account.
public struct AccountRules: Sendable {
    public init() {}

    /// Usernames are short, lowercase and safe to show in logs: letters, digits, dot, hyphen, underscore.
    public func usernameProblems(_ username: String) -> [ValidationProblem] {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-")
        if username.isEmpty {
            return [ValidationProblem(field: "username", message: "Enter a username")]
        }
        if username.count < 3 || username.count > 64 {
            return [ValidationProblem(field: "username", message: "Username must be between 3 and 64 characters")]
        }
        if username.unicodeScalars.contains(where: { !allowed.contains($0) }) {
            return [ValidationProblem(field: "username",
                message: "Username can only contain lowercase letters, numbers, dots, hyphens and underscores")]
        }
        return []
    }

    public func displayNameProblems(_ name: String) -> [ValidationProblem] {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [ValidationProblem(field: "display_name", message: "Enter the person's full name")] }
        if trimmed.count > 120 {
            return [ValidationProblem(field: "display_name", message: "Name must be 120 characters or fewer")]
        }
        return []
    }

    public func emailProblems(_ email: String) -> [ValidationProblem] {
        let trimmed = email.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || trimmed.contains(" ") {
            return [ValidationProblem(field: "email",
                message: "Enter an email address in the correct format, like name@agency.gov.uk")]
        }
        return []
    }
}
