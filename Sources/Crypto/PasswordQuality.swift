import CPWQuality
import Foundation
import Synchronization

/// Checks proposed passwords against Debian's cracklib dictionary through libpwquality's `pwquality_check`
/// (pwquality.h, https://github.com/libpwquality/libpwquality; the dictionary is cracklib's,
/// Debian `cracklib-runtime`, `/var/cache/cracklib/cracklib_dict.*`), as NIST SP 800-63B §5.1.1.2 asks.
///
/// The settings are made with `pwquality_default_settings` and set explicitly here, never read from
/// /etc/security/pwquality.conf, so a result does not depend on how the machine is configured: the minimum length is
/// ours, the dictionary and user-name checks are on, and every character-class rule is off (NIST: no composition
/// rules). `pwquality_check` is not thread-safe: cracklib keeps the open dictionary in static state shared by the
/// whole process (two instances checking at once crash it), so every check holds one process-wide `Mutex`; each
/// instance's settings sit behind their own `Mutex` too, and `pwquality_free_settings` runs in `deinit`.
///
/// Making one runs two probes (a dictionary word must be refused, a passphrase accepted), so a missing or empty
/// dictionary, or a process user cracklib cannot find in /etc/passwd (it then refuses every password), is found at
/// start-up with `Unavailable` naming the cause, not at the first password someone chooses.
public final class PasswordQuality: Sendable {
    /// Why a password was refused, in our terms; never holds the password.
    public enum Refusal: Sendable, Equatable {
        case dictionaryWord
        case predictable
        case containsUsername
        case tooShort
        /// The dictionary could not be used (`reason` is for the operator's log).
        case unavailable(reason: String)
    }

    /// The dictionary cannot be used: what is wrong and how to fix it, for the operator.
    public struct Unavailable: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// cracklib's own floor: `pwquality_set_int_value` refuses a minimum length below 6.
    public static let fragmentMinimumLength: Int32 = 6

    private struct Settings: ~Copyable {
        /// For whole passwords: our minimum length.
        let whole: OpaquePointer
        /// For words found inside a password (padding removed): cracklib's floor.
        let fragment: OpaquePointer
    }
    private let settings: Mutex<Settings>
    /// cracklib's open dictionary is one per process, whichever settings ask.
    private static let cracklib = Mutex(())
    /// The dictionary's path (without the .pwd/.pwi/.hwm suffixes), for messages.
    public let dictionaryPath: String

    /// - Parameters:
    ///   - minimumLength: the shortest password accepted (the Domain's `PasswordPolicy.minimumLength`).
    ///   - dictionaryPath: cracklib's dictionary without suffix; nil for libpwquality's compiled-in default.
    public init(minimumLength: Int, dictionaryPath: String? = nil) throws(Unavailable) {
        guard let whole = pwquality_default_settings() else { throw Unavailable(description: "libpwquality could not allocate its settings") }
        guard let fragment = pwquality_default_settings() else {
            pwquality_free_settings(whole)
            throw Unavailable(description: "libpwquality could not allocate its settings")
        }
        for (pointer, length) in [(whole, Int32(max(minimumLength, Int(Self.fragmentMinimumLength)))),
                                  (fragment, Self.fragmentMinimumLength)] {
            let values: [(Int32, Int32)] = [
                (PWQ_SETTING_MIN_LENGTH, length), (PWQ_SETTING_DICT_CHECK, 1), (PWQ_SETTING_USER_CHECK, 1),
                (PWQ_SETTING_DIG_CREDIT, 0), (PWQ_SETTING_UP_CREDIT, 0), (PWQ_SETTING_LOW_CREDIT, 0),
                (PWQ_SETTING_OTH_CREDIT, 0), (PWQ_SETTING_MIN_CLASS, 0), (PWQ_SETTING_MAX_REPEAT, 0),
                (PWQ_SETTING_MAX_CLASS_REPEAT, 0), (PWQ_SETTING_MAX_SEQUENCE, 0), (PWQ_SETTING_GECOS_CHECK, 0),
                (PWQ_SETTING_LOCAL_USERS, 0), (PWQ_SETTING_ENFORCING, 1),
            ]
            for (setting, value) in values { _ = pwquality_set_int_value(pointer, setting, value) }
            if let dictionaryPath { _ = pwquality_set_str_value(pointer, PWQ_SETTING_DICT_PATH, dictionaryPath) }
        }
        var path: UnsafePointer<CChar>?
        _ = pwquality_get_str_value(whole, PWQ_SETTING_DICT_PATH, &path)
        self.dictionaryPath = dictionaryPath ?? path.map { String(cString: $0) } ?? "/var/cache/cracklib/cracklib_dict"
        settings = Mutex(Settings(whole: whole, fragment: fragment))
        try probe()
    }

    deinit {
        settings.withLock { settings in
            pwquality_free_settings(settings.whole)
            pwquality_free_settings(settings.fragment)
        }
    }

    /// `pwquality_check` of a whole proposed password; `username` is passed as its user argument (the user-name
    /// check). Nil when it passes.
    public func check(_ password: String, username: String) -> Refusal? {
        settings.withLock { settings in
            Self.cracklib.withLock { _ in Self.check(settings.whole, password, username: username) }
        }
    }

    /// The dictionary check of a word found inside a password, at cracklib's minimum length (6).
    public func checkFragment(_ fragment: String) -> Refusal? {
        settings.withLock { settings in
            Self.cracklib.withLock { _ in Self.check(settings.fragment, fragment, username: nil) }
        }
    }

    private static func check(_ settings: OpaquePointer, _ password: String, username: String?) -> Refusal? {
        var auxiliary: UnsafeMutableRawPointer?
        let result = password.withCString { passwordPointer in
            if let username, !username.isEmpty {
                return username.withCString { pwquality_check(settings, passwordPointer, nil, $0, &auxiliary) }
            }
            return pwquality_check(settings, passwordPointer, nil, nil, &auxiliary)
        }
        guard result < 0 else { return nil }
        // Always through pwquality_strerror: it frees what `auxiliary` holds (pwquality.h). The text never
        // contains the password; it is read only to tell cracklib's verdicts apart.
        var buffer = [CChar](repeating: 0, count: Int(PWQ_MAX_ERROR_MESSAGE_LEN))
        let text = buffer.withUnsafeMutableBufferPointer { pointer in
            pwquality_strerror(pointer.baseAddress, pointer.count, result, auxiliary).map { String(cString: $0) } ?? ""
        }
        return refusal(code: result, message: text)
    }

    /// pwquality.h's error codes in our terms.
    static func refusal(code: Int32, message: String) -> Refusal {
        switch code {
        case PWQ_ERROR_MIN_LENGTH:
            return .tooShort
        case PWQ_ERROR_USER_CHECK, PWQ_ERROR_GECOS_CHECK, PWQ_ERROR_BAD_WORDS:
            return .containsUsername
        case PWQ_ERROR_PALINDROME, PWQ_ERROR_CASE_CHANGES_ONLY, PWQ_ERROR_ROTATED, PWQ_ERROR_MAX_CONSECUTIVE,
             PWQ_ERROR_MAX_CLASS_REPEAT, PWQ_ERROR_MAX_SEQUENCE, PWQ_ERROR_TOO_SIMILAR, PWQ_ERROR_SAME_PASSWORD,
             PWQ_ERROR_EMPTY_PASSWORD, PWQ_ERROR_MIN_DIGITS, PWQ_ERROR_MIN_UPPERS, PWQ_ERROR_MIN_LOWERS,
             PWQ_ERROR_MIN_OTHERS, PWQ_ERROR_MIN_CLASSES:
            return .predictable
        case PWQ_ERROR_CRACKLIB_CHECK:
            // cracklib's FascistCheck messages (fascist.c).
            if message.contains("error loading dictionary") || message.contains("not registered in the password file") {
                return .unavailable(reason: message)
            }
            return message.contains("dictionary word") ? .dictionaryWord : .predictable
        default:
            return .unavailable(reason: message.isEmpty ? "libpwquality error \(code)" : message)
        }
    }

    /// A word every English dictionary holds must be refused, and a plain passphrase accepted.
    private func probe() throws(Unavailable) {
        let fix = "Install Debian's cracklib-runtime (its update-cracklib builds \(dictionaryPath).pwd, .pwi and .hwm) "
            + "and run mappa as a user listed in /etc/passwd (cracklib looks the process's user up)."
        switch checkFragment("dragonfly") {
        case .dictionaryWord?:
            break
        case .unavailable(let reason)?:
            throw Unavailable(description: "The password dictionary cannot be used (\(reason)). \(fix)")
        default:
            throw Unavailable(description: "The password dictionary \(dictionaryPath) does not hold common words. \(fix)")
        }
        if case .unavailable(let reason)? = checkFragment("kettle orbit meadow 42") {
            throw Unavailable(description: "The password dictionary cannot be used (\(reason)). \(fix)")
        }
    }
}
