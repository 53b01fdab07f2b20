import Crypto
import Domain
import Foundation

/// The Domain's `PasswordDictionary` answered by libpwquality and Debian's cracklib dictionary (`PasswordQuality`).
///
/// One per process, made at first use. If the dictionary cannot be used, every password is refused with
/// `PasswordFinding.unavailable` (fail closed: an unchecked password is never accepted), and `mappa serve`,
/// `mappa user add` and `mappa demo` refuse to start, naming the cause (`CracklibDictionary.requireAvailable()`).
public struct CracklibDictionary: PasswordDictionary {
    public init() {}

    /// The environment variable naming another cracklib dictionary (path without .pwd/.pwi/.hwm), for example one
    /// an operator built with `create-cracklib-dict` from a list of breached passwords; unset, Debian's.
    public static let pathVariable = "MAPPA_PASSWORD_DICTIONARY"

    /// Made once, for the policy's minimum length.
    static let shared: Result<PasswordQuality, PasswordQuality.Unavailable> = Result {
        () throws(PasswordQuality.Unavailable) -> PasswordQuality in
        let path = ProcessInfo.processInfo.environment[pathVariable].flatMap { $0.isEmpty ? nil : $0 }
        do throws(PasswordQuality.Unavailable) {
            return try PasswordQuality(minimumLength: PasswordPolicy().minimumLength, dictionaryPath: path)
        } catch {
            guard let path else { throw error }
            throw PasswordQuality.Unavailable(description: "\(error.description) (\(pathVariable) names \(path).)")
        }
    }

    /// Throws, with what to install or change, when passwords cannot be checked against the dictionary.
    public static func requireAvailable() throws(PasswordQuality.Unavailable) {
        _ = try shared.get()
    }

    public func finding(password: String, username: String) -> PasswordFinding? {
        guard case .success(let quality) = Self.shared else { return .unavailable }
        return Self.finding(quality.check(password, username: username))
    }

    public func finding(fragment: String) -> PasswordFinding? {
        guard case .success(let quality) = Self.shared else { return .unavailable }
        return Self.finding(quality.checkFragment(fragment))
    }

    static func finding(_ refusal: PasswordQuality.Refusal?) -> PasswordFinding? {
        switch refusal {
        case .dictionaryWord?: .dictionaryWord
        case .predictable?: .predictable
        case .containsUsername?: .containsUsername
        case .unavailable?: .unavailable
        // The Domain checks the length before it asks the dictionary.
        case .tooShort?, nil: nil
        }
    }
}
