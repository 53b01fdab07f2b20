import Foundation

/// Password rules, after NIST SP 800-63B §5.1.1.2 and NCSC guidance: length over complexity (no composition rules),
/// and new passwords are compared with dictionary words, common passwords and context-specific words (the person's
/// own names, username and email, their agency, the name of this service), including simple variants of those
/// (letter case, digits or symbols added, common letter-for-digit swaps).
///
/// The policy is pure: the dictionary is a `PasswordDictionary` given to it (the Store wires the system's cracklib
/// dictionary through libpwquality; tests give a fake). The hand-kept `CommonPasswords` list stays beside it because
/// Debian's cracklib dictionary does not hold everything people choose: keyboard walks with digits ("qwertyuiop123"),
/// "football2026!", "liverpool1234", "probation123" pass cracklib but are on that list.
public struct PasswordPolicy: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int
    public var denyList: Set<String>
    /// The dictionary check; nil only where no dictionary is wanted (Domain tests of the other rules).
    public var dictionary: (any PasswordDictionary)?

    /// Words of this service refused in every password, whoever sets it.
    public static let serviceWords = ["mappa", "mappacoordinator"]

    public init(minimumLength: Int = 12, maximumLength: Int = 128, denyList: Set<String> = CommonPasswords.list,
                dictionary: (any PasswordDictionary)? = nil) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.denyList = denyList
        self.dictionary = dictionary
    }

    /// The messages people see (GOV.UK style: say what to do). None of them repeats the password.
    public enum Message {
        public static let common = "Choose a password that is not a dictionary word or a common password"
        public static let predictable = "Choose a password that is harder to guess: avoid sequences, keyboard patterns and repeated characters"
        public static let personal = "Choose a password that does not include your name, username or email address"
        public static let organisational = "Choose a password that does not include the name of this service or of your agency"
        public static let unavailable = "Passwords cannot be checked at the moment: try again later, or tell your administrator"
    }

    /// Every problem with a proposed password; empty when it is acceptable.
    public func problems(password: String, context: PasswordContext, field: String = "password") -> [ValidationProblem] {
        var messages: [String] = []
        func add(_ message: String) { if !messages.contains(message) { messages.append(message) } }
        let length = password.count
        if length < minimumLength { add("Password must be \(minimumLength) characters or more") }
        if length > maximumLength { add("Password must be \(maximumLength) characters or fewer") }
        let lowered = password.lowercased()
        let variants = Self.variants(of: lowered)
        if variants.contains(where: denyList.contains) { add(Message.common) }
        if Self.isRepetitive(lowered) { add(Message.predictable) }
        let squeezed = Self.squeezedForms(of: lowered)
        if context.personalWords.contains(where: { word in squeezed.contains { $0.contains(word) } }) {
            add(Message.personal)
        }
        if context.organisationalWords.contains(where: { word in squeezed.contains { $0.contains(word) } }) {
            add(Message.organisational)
        }
        // The dictionary only sees passwords of an acceptable length: a too-long one is not worth the lookup, and
        // a too-short one already has its message.
        if let dictionary, length >= minimumLength, length <= maximumLength {
            switch dictionary.finding(password: password, username: context.username) {
            case .dictionaryWord?: add(Message.common)
            case .predictable?: add(Message.predictable)
            case .containsUsername?: add(Message.personal)
            case .unavailable?: add(Message.unavailable)
            case nil:
                // Cracklib's own variants stop short of "dragonfly2024" and "p@ssw0rd": look up the word inside.
                fragments: for fragment in variants where fragment != lowered && fragment.count >= 6 {
                    switch dictionary.finding(fragment: fragment) {
                    case .dictionaryWord?: add(Message.common); break fragments
                    case .unavailable?: add(Message.unavailable); break fragments
                    case .predictable?, .containsUsername?, nil: continue
                    }
                }
            }
        }
        return messages.map { ValidationProblem(field: field, message: $0) }
    }

    /// "aaaaaaaaaaaa", "abcabcabcabc", "123412341234": few distinct characters.
    static func isRepetitive(_ password: String) -> Bool {
        Set(password).count <= 3
    }

    /// Letter-for-digit and letter-for-symbol swaps undone ("p@ssw0rd" → "password"); "1" may stand for i or l.
    static let leet: [Character: [Character]] = [
        "0": ["o"], "1": ["i", "l"], "3": ["e"], "4": ["a"], "5": ["s"], "7": ["t"], "8": ["b"], "9": ["g"],
        "@": ["a"], "$": ["s"], "!": ["i"], "|": ["l"], "+": ["t"],
    ]

    /// The lowered password, without digits and symbols before or after it, and the same with swaps undone:
    /// the forms matched against the deny list and looked up in the dictionary.
    static func variants(of lowered: String) -> [String] {
        func isPadding(_ character: Character) -> Bool {
            character.isNumber || character.isPunctuation || character.isSymbol || character.isWhitespace
        }
        let stripped = String(lowered.drop(while: isPadding).reversed().drop(while: isPadding).reversed())
        var forms = [lowered, stripped]
        for choice in 0..<2 {
            func unswapped(_ text: String) -> String {
                String(text.map { character in
                    guard let letters = leet[character] else { return character }
                    return letters[min(choice, letters.count - 1)]
                })
            }
            forms += [unswapped(lowered), unswapped(stripped)]
        }
        var seen = Set<String>()
        return forms.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The password's letters only, as typed and with swaps undone: "Jo.Bl0ggs-26" → "jobloggs", so a name is found
    /// whatever separates, pads or disguises it.
    static func squeezedForms(of lowered: String) -> [String] {
        var forms = [String(lowered.filter(\.isLetter))]
        for choice in 0..<2 {
            forms.append(String(lowered.compactMap { character -> Character? in
                if let letters = leet[character] { return letters[min(choice, letters.count - 1)] }
                return character.isLetter ? character : nil
            }))
        }
        return forms
    }
}

/// Who a password is for, so it can be checked against their own words (NIST SP 800-63B §5.1.1.2:
/// "context-specific words, such as the name of the service, the username, and derivatives thereof").
public struct PasswordContext: Sendable, Equatable {
    public var username: String
    public var displayName: String
    public var email: String
    public var agencyName: String
    public var agencyCode: String

    public init(username: String, displayName: String = "", email: String = "", agencyName: String = "",
                agencyCode: String = "") {
        self.username = username
        self.displayName = displayName
        self.email = email
        self.agencyName = agencyName
        self.agencyCode = agencyCode
    }

    public init(_ user: User, agencyCode: String = "") {
        self.init(username: user.username, displayName: user.displayName, email: user.email,
                  agencyName: user.agencyName, agencyCode: agencyCode)
    }

    /// Shorter name parts ("Jo", "Li") would refuse too many unrelated passwords; a whole username, email local part
    /// or display name is refused from three letters ("li.wu" as "liwu").
    static let minimumPartLength = 4

    /// The username, the email address's local part and each of their parts and the display name's of four or
    /// more letters, in letters only and lower case.
    var personalWords: [String] {
        let local = email.split(separator: "@").first.map(String.init) ?? ""
        var words = [username, local, displayName].map(Self.letters)
        for source in [username, local, displayName] {
            words += source.split { !$0.isLetter }.map { Self.letters(String($0)) }
                .filter { $0.count >= Self.minimumPartLength }
        }
        return Self.unique(words.filter { $0.count >= 3 })
    }

    /// The agency's name and code and the service's name, in letters only and lower case.
    var organisationalWords: [String] {
        Self.unique(([agencyName, agencyCode].map(Self.letters) + PasswordPolicy.serviceWords).filter { $0.count >= 3 })
    }

    static func letters(_ text: String) -> String { String(text.lowercased().filter(\.isLetter)) }

    static func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}

/// What a dictionary check found wrong with a password (libpwquality's verdicts, in our terms).
public enum PasswordFinding: Sendable, Equatable {
    /// A dictionary word, or one in disguise (cracklib's "based on a dictionary word").
    case dictionaryWord
    /// Too simple or systematic: sequences, palindromes, too few different characters.
    case predictable
    /// Contains the username in some form.
    case containsUsername
    /// The dictionary could not be read: refuse rather than accept unchecked.
    case unavailable
}

/// A dictionary of words people must not use as passwords; the Store gives libpwquality's, tests a fake.
public protocol PasswordDictionary: Sendable {
    /// The whole check of a proposed password for this user; nil when it passes.
    func finding(password: String, username: String) -> PasswordFinding?
    /// Whether a word found inside a password (padding or swaps removed, six or more characters) is a dictionary word.
    func finding(fragment: String) -> PasswordFinding?
}
