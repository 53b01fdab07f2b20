import Foundation

/// The identifying details compared when a referral arrives, so the coordinator links it to an existing
/// nominal instead of creating a second record for the same person (issue: duplicate detection).
public struct PersonDetails: Sendable, Equatable {
    public var familyName: String
    public var givenNames: String
    public var aliases: [String]
    public var dateOfBirth: CalendarDate?
    public var pncID: String
    public var visorReference: String
    public var crn: String

    public init(familyName: String, givenNames: String, aliases: [String] = [], dateOfBirth: CalendarDate?,
                pncID: String = "", visorReference: String = "", crn: String = "") {
        self.familyName = familyName
        self.givenNames = givenNames
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.pncID = pncID
        self.visorReference = visorReference
        self.crn = crn
    }
}

public struct DuplicateCandidate: Sendable, Equatable {
    public var nominalID: Int64
    public var score: Int
    public var reasons: [String]
}

/// Scores how likely two records describe the same person. Identifiers decide on their own; names count only
/// with a date of birth that agrees (exactly or with day and month swapped), so two strangers born on the same
/// day with different names are not flagged.
public enum DuplicateMatcher {
    public static let reportThreshold = 50

    /// Lowercase, accents and punctuation removed, single spaces: "  O'Brien-Smyth " → "obrien smyth".
    public static func normalisedName(_ text: String) -> String {
        // Plain ASCII (most names): the same result byte by byte, without Foundation's folding.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count)
            var lastWasSpace = true
            for byte in text.utf8 {
                switch byte {
                case 0x41...0x5A: out.append(byte + 0x20); lastWasSpace = false
                case 0x61...0x7A, 0x30...0x39: out.append(byte); lastWasSpace = false
                case 0x2D, 0x20, 0x09:
                    if !lastWasSpace { out.append(0x20); lastWasSpace = true }
                default: break
                }
            }
            if out.last == 0x20 { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = ""
        var lastWasSpace = true
        for scalar in folded.unicodeScalars {
            if CharacterSet.letters.contains(scalar) || CharacterSet.decimalDigits.contains(scalar) {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            } else if scalar == "-" || CharacterSet.whitespaces.contains(scalar) {
                if !lastWasSpace { out += " "; lastWasSpace = true }
            }
            // Apostrophes and other punctuation vanish: O'Brien = OBrien.
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    public static func tokens(_ text: String) -> [String] {
        normalisedName(text).split(separator: " ").map(String.init)
    }

    /// Identifiers compared without spaces, slashes or case: "88/123456a" = "88123456A".
    public static func normalisedIdentifier(_ text: String) -> String {
        // Plain ASCII (every real identifier): the same result byte by byte, without Foundation's character sets.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return scalarIdentifier(text) }
        return String(decoding: text.utf8.compactMap { byte -> UInt8? in
            switch byte {
            case 0x61...0x7A: return byte - 0x20
            case 0x41...0x5A, 0x30...0x39: return byte
            default: return nil
            }
        }, as: UTF8.self)
    }

    /// `normalisedIdentifier` for any text, with Foundation's Unicode case and character sets.
    static func scalarIdentifier(_ text: String) -> String {
        String(text.uppercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// American Soundex of a single name token, for sound-alike names (Smith/Smyth).
    public static func soundex(_ token: String) -> String {
        let normalised = normalisedName(token)
        // Plain ASCII (most names) byte by byte, without Foundation: it was a tenth of a register import.
        return normalised.utf8.allSatisfy({ $0 < 0x80 }) ? asciiSoundex(normalised) : scalarSoundex(normalised)
    }

    /// The Soundex digit of a lowercase ASCII letter (as an ASCII digit); nil for vowels, h, w, y and the rest.
    static func soundexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x62, 0x66, 0x70, 0x76: return 0x31  // b f p v
        case 0x63, 0x67, 0x6A, 0x6B, 0x71, 0x73, 0x78, 0x7A: return 0x32  // c g j k q s x z
        case 0x64, 0x74: return 0x33  // d t
        case 0x6C: return 0x34  // l
        case 0x6D, 0x6E: return 0x35  // m n
        case 0x72: return 0x36  // r
        default: return nil
        }
    }

    /// Soundex of a normalised name that is all ASCII.
    static func asciiSoundex(_ normalised: String) -> String {
        let letters = normalised.utf8.filter { $0 != 0x20 }
        guard let first = letters.first, (0x61...0x7A).contains(first) else { return "" }
        var result: [UInt8] = [first - 0x20]
        var last = soundexDigit(first)
        for byte in letters.dropFirst() {
            let current = soundexDigit(byte)
            if let current, current != last { result.append(current) }
            if byte != 0x68 && byte != 0x77 { last = current }  // h and w do not separate equal codes
            if result.count == 4 { break }
        }
        while result.count < 4 { result.append(0x30) }
        return String(decoding: result, as: UTF8.self)
    }

    /// Soundex of any normalised name, on Unicode scalars with Foundation (names that stay non-ASCII once folded:
    /// ø, ß, æ).
    static func scalarSoundex(_ normalised: String) -> String {
        let letters = Array(normalised.replacingOccurrences(of: " ", with: "").unicodeScalars)
        guard let first = letters.first, CharacterSet.lowercaseLetters.contains(first) else { return "" }
        func code(_ scalar: Unicode.Scalar) -> Character? {
            scalar.isASCII ? soundexDigit(UInt8(scalar.value)).map { Character(Unicode.Scalar($0)) } : nil
        }
        var result = String(Character(first)).uppercased()
        var last = code(first)
        for scalar in letters.dropFirst() {
            let current = code(scalar)
            if let current, current != last { result.append(current) }
            if scalar != "h" && scalar != "w" { last = current }
            if result.count == 4 { break }
        }
        return result.padding(toLength: 4, withPad: "0", startingAt: 0)
    }

    /// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    static func similar(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let allowed = max(a.count, b.count) <= 5 ? 1 : 2
        return editDistance(a, b) <= allowed || (a.count > 2 && b.count > 2 && soundex(a) == soundex(b))
    }

    /// The order a name search lists people in: family name, then given names, folded as the search words are
    /// ("Hollins Sam" before "Hollinsworth Samantha", since a space sorts before any letter). Stored with each
    /// search key, so the index hands out candidates already in name order.
    public static func sortName(_ person: PersonDetails) -> String {
        normalisedName(person.familyName) + " " + normalisedName(person.givenNames)
    }

    /// Keys to index a person by, so a search or a duplicate check reads a few index entries instead of every
    /// nominal: each folded name token, its Soundex code, each identifier, and each ordered pair of words that
    /// can appear together in a search for the person (`p:first second`), so a two-word name search reads one
    /// short run of the index instead of looking up every person who shares a common first word.
    public static func searchKeys(_ person: PersonDetails) -> Set<String> {
        var keys = Set<String>()
        for name in [person.familyName, person.givenNames] + person.aliases {
            for token in tokens(name) {
                keys.insert("n:" + token)
                let code = soundex(token)
                if !code.isEmpty { keys.insert("s:" + code) }
            }
        }
        let family = tokens(person.familyName)
        for group in [family + tokens(person.givenNames)] + person.aliases.map({ tokens($0) + family }) {
            let words = Array(Set(group))
            for first in words {
                for second in words where second != first { keys.insert("p:\(first) \(second)") }
            }
        }
        for (prefix, value) in [("pnc:", person.pncID), ("visor:", person.visorReference), ("crn:", person.crn)] {
            let id = normalisedIdentifier(value)
            if !id.isEmpty { keys.insert(prefix + id) }
        }
        return keys
    }

    /// How well `existing` matches `incoming`; nil below the reporting threshold.
    public static func match(_ incoming: PersonDetails, against existing: PersonDetails, nominalID: Int64) -> DuplicateCandidate? {
        var score = 0
        var reasons: [String] = []
        for (label, a, b) in [("PNC ID", incoming.pncID, existing.pncID), ("ViSOR reference", incoming.visorReference, existing.visorReference),
                              ("nDelius CRN", incoming.crn, existing.crn)] {
            let left = normalisedIdentifier(a), right = normalisedIdentifier(b)
            if !left.isEmpty, left == right {
                score += 100
                reasons.append("Same \(label)")
            }
        }
        var dateAgrees = false
        if let a = incoming.dateOfBirth, let b = existing.dateOfBirth {
            if a == b {
                score += 30
                dateAgrees = true
                reasons.append("Same date of birth")
            } else if a.year == b.year, a.month == b.day, a.day == b.month {
                score += 20
                dateAgrees = true
                reasons.append("Date of birth with day and month swapped")
            }
        }
        let incomingFamily = tokens(incoming.familyName), existingFamily = tokens(existing.familyName)
        let incomingGiven = tokens(incoming.givenNames), existingGiven = tokens(existing.givenNames)
        let existingAliasTokens = existing.aliases.flatMap(tokens)
        let incomingAliasTokens = incoming.aliases.flatMap(tokens)
        var nameScore = 0
        var nameReasons: [String] = []
        if !incomingFamily.isEmpty, incomingFamily == existingFamily {
            nameScore += 30
            nameReasons.append("Same family name")
        } else if let a = incomingFamily.last, let b = existingFamily.last, similar(a, b) {
            nameScore += 20
            nameReasons.append("Similar family name")
        } else if incomingFamily.contains(where: { token in existingFamily.contains(token) }) {
            nameScore += 20
            nameReasons.append("Family names share a part (double-barrelled or hyphenated)")
        } else if !incomingFamily.isEmpty, incomingFamily.allSatisfy({ existingAliasTokens.contains($0) }) {
            nameScore += 25
            nameReasons.append("Family name matches an alias")
        } else if !incomingFamily.isEmpty, incomingFamily == existingGiven, incomingGiven == existingFamily {
            nameScore += 30
            nameReasons.append("Given and family names reversed")
        }
        if let a = incomingGiven.first, let b = existingGiven.first {
            if a == b {
                nameScore += 20
                nameReasons.append("Same first given name")
            } else if similar(a, b) {
                nameScore += 10
                nameReasons.append("Similar first given name")
            } else if a.first == b.first {
                nameScore += 5
                nameReasons.append("Given name initial matches")
            }
        }
        if !incomingAliasTokens.isEmpty, incomingAliasTokens.contains(where: { existingFamily.contains($0) || existingGiven.contains($0) || existingAliasTokens.contains($0) }) {
            nameScore += 15
            nameReasons.append("An alias matches a name on the record")
        }
        // Names alone are weak evidence; they count fully only with an agreeing date of birth or identifier.
        if dateAgrees || score >= 100 {
            score += nameScore
            reasons += nameReasons
        } else if nameScore >= 50 {
            score += nameScore / 2
            reasons += nameReasons + ["No date of birth agreement"]
        }
        guard score >= reportThreshold else { return nil }
        return DuplicateCandidate(nominalID: nominalID, score: score, reasons: reasons)
    }
}
