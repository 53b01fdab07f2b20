import Testing
@testable import Crypto

/// Against the real Debian cracklib dictionary (cracklib-runtime, installed by scripts/install-deps.sh).
@Suite("Password dictionary (libpwquality)")
struct PasswordQualityTests {
    let quality: PasswordQuality

    init() throws { quality = try PasswordQuality(minimumLength: 12) }

    @Test("dictionary words with a few digits added are refused as dictionary words", arguments: [
        "dragonfly123", "butterfly123", "administrator1",
    ])
    func refusesDictionaryWords(password: String) {
        #expect(quality.check(password, username: "jo.bloggs") == .dictionaryWord)
    }

    @Test("sequences and keyboard-plus-digits passwords are refused as predictable", arguments: [
        "password123456", "abcdefghijkl", "monkey12345678", "aaaaaaaaaaaaaa",
    ])
    func refusesPredictable(password: String) {
        #expect(quality.check(password, username: "jo.bloggs") == .predictable)
    }

    @Test("a word found inside a password is looked up at cracklib's own minimum length", arguments: [
        "dragonfly", "liverpool", "qwertyuiop", "sunflower", "passw0rd",
    ])
    func refusesFragments(fragment: String) {
        #expect(quality.checkFragment(fragment) == .dictionaryWord)
    }

    @Test("long passphrases are accepted", arguments: [
        "correct-horse-battery-staple-7", "kettle orbit meadow 42", "Xq7#pLm2vR9z",
    ])
    func acceptsPassphrases(password: String) {
        #expect(quality.check(password, username: "jo.bloggs") == nil)
    }

    @Test("the username given as pwquality_check's user is refused inside the password")
    func refusesUsername() {
        #expect(quality.check("xx-jo.bloggs-rocks", username: "jo.bloggs") == .containsUsername)
        #expect(quality.check("xx-jo.bloggs-rocks", username: "pat.example") == nil)
    }

    @Test("the minimum length is ours, not pwquality.conf's")
    func minimumLength() throws {
        #expect(quality.check("Xq7#pLm2vR9", username: "") == .tooShort)
        #expect(try PasswordQuality(minimumLength: 20).check("Xq7#pLm2vR9z", username: "") == .tooShort)
    }

    @Test("a missing dictionary stops start-up with the package to install, never accepts unchecked")
    func missingDictionary() {
        #expect {
            _ = try PasswordQuality(minimumLength: 12, dictionaryPath: "/nonexistent/cracklib_dict")
        } throws: { error in
            "\(error)".contains("cracklib-runtime") && "\(error)".contains("error loading dictionary")
        }
    }

    @Test("no refusal message repeats the password")
    func messagesAreSafe() {
        let refusal = PasswordQuality.refusal(code: -22, message: "The password fails the dictionary check - error loading dictionary")
        #expect(refusal == .unavailable(reason: "The password fails the dictionary check - error loading dictionary"))
        #expect(PasswordQuality.refusal(code: -25, message: "") == .containsUsername)
        #expect(PasswordQuality.refusal(code: -1, message: "") == .unavailable(reason: "libpwquality error -1"))
    }
}
