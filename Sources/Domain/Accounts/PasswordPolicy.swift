import Foundation

/// Password rules (NCSC guidance: length over complexity, refuse known-breached and common passwords).
public struct PasswordPolicy: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int
    public var denyList: Set<String>

    public init(minimumLength: Int = 12, maximumLength: Int = 128, denyList: Set<String> = CommonPasswords.list) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.denyList = denyList
    }

    /// Every problem with a proposed password; empty when it is acceptable.
    public func problems(password: String, username: String, field: String = "password") -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        let length = password.count
        if length < minimumLength {
            problems.append(ValidationProblem(field: field,
                message: "Password must be \(minimumLength) characters or more"))
        }
        if length > maximumLength {
            problems.append(ValidationProblem(field: field,
                message: "Password must be \(maximumLength) characters or fewer"))
        }
        let lowered = password.lowercased()
        let stripped = String(lowered.reversed().drop { $0.isNumber || $0.isPunctuation || $0.isSymbol }.reversed())
        if denyList.contains(lowered) || denyList.contains(stripped) || Self.isRepetitive(lowered) {
            problems.append(ValidationProblem(field: field,
                message: "Password is too common: choose a password that is harder to guess"))
        }
        if !username.isEmpty, lowered.contains(username.lowercased()) {
            problems.append(ValidationProblem(field: field, message: "Password must not contain your username"))
        }
        return problems
    }

    /// "aaaaaaaaaaaa", "abcabcabcabc", "123412341234": few distinct characters.
    static func isRepetitive(_ password: String) -> Bool {
        Set(password).count <= 3
    }
}
