import Testing
@testable import Domain

@Suite("Duplicate matching")
struct DuplicateMatcherTests {
    let existing = PersonDetails(familyName: "O'Brien-Smyth", givenNames: "Zoë Ann", aliases: ["Zed"],
                                 dateOfBirth: CalendarDate("1990-03-07"), pncID: "90/123456X", crn: "A123456")

    func match(_ person: PersonDetails) -> DuplicateCandidate? { DuplicateMatcher.match(person, against: existing, nominalID: 1) }

    @Test("the same PNC ID is a strong match on its own, however it is written")
    func identifier() throws {
        let result = try #require(match(PersonDetails(familyName: "Unrelated", givenNames: "Name", dateOfBirth: nil, pncID: "90 123456 x")))
        #expect(result.score >= 100)
        #expect(result.reasons.contains("Same PNC ID"))
    }

    @Test("accents, case, apostrophes and hyphens do not hide a match")
    func normalised() throws {
        let result = try #require(match(PersonDetails(familyName: "obrien smyth", givenNames: "ZOE", dateOfBirth: CalendarDate("1990-03-07"))))
        #expect(result.reasons.contains("Same family name"))
        #expect(result.reasons.contains("Same first given name"))
        #expect(DuplicateMatcher.normalisedName("  O'Brien-Smyth ") == "obrien smyth")
    }

    @Test("a typo or sound-alike family name with the same date of birth is found")
    func typo() throws {
        let result = try #require(match(PersonDetails(familyName: "O'Brian-Smith", givenNames: "Zoe", dateOfBirth: CalendarDate("1990-03-07"))))
        #expect(result.reasons.contains("Similar family name"))
    }

    @Test("day and month swapped in the date of birth is found")
    func swappedDate() throws {
        let result = try #require(match(PersonDetails(familyName: "O'Brien-Smyth", givenNames: "Zoe", dateOfBirth: CalendarDate("1990-07-03"))))
        #expect(result.reasons.contains("Date of birth with day and month swapped"))
    }

    @Test("a family name that is a known alias is found")
    func alias() throws {
        let result = try #require(match(PersonDetails(familyName: "Zed", givenNames: "Zoe", dateOfBirth: CalendarDate("1990-03-07"))))
        #expect(result.reasons.contains("Family name matches an alias"))
    }

    @Test("given and family names entered the wrong way round are found")
    func reversed() throws {
        let other = PersonDetails(familyName: "Jordan", givenNames: "Sample", dateOfBirth: CalendarDate("1985-01-02"))
        let result = try #require(DuplicateMatcher.match(
            PersonDetails(familyName: "Sample", givenNames: "Jordan", dateOfBirth: CalendarDate("1985-01-02")), against: other, nominalID: 2))
        #expect(result.reasons.contains("Given and family names reversed"))
    }

    @Test("a stranger born on the same day is not flagged")
    func stranger() {
        #expect(match(PersonDetails(familyName: "Kowalczyk", givenNames: "Piotr", dateOfBirth: CalendarDate("1990-03-07"))) == nil)
    }

    @Test("the same name with a different date of birth is at most a weak match")
    func sameNameOtherDate() {
        let result = match(PersonDetails(familyName: "O'Brien-Smyth", givenNames: "Zoë Ann", dateOfBirth: CalendarDate("1971-11-30")))
        #expect(result.map { $0.score < 100 } ?? true)
    }

    @Test("search keys hold folded names, sound codes and identifiers")
    func keys() {
        let keys = DuplicateMatcher.searchKeys(existing)
        #expect(keys.isSuperset(of: ["n:obrien", "n:smyth", "n:zoe", "n:zed", "s:S530", "pnc:90123456X", "crn:A123456"]))
        #expect(DuplicateMatcher.soundex("Smith") == DuplicateMatcher.soundex("Smyth"))
        #expect(DuplicateMatcher.soundex("Robert") == "R163")
    }

    @Test("Soundex codes and identifiers from the byte-level path equal those of the Foundation-based rules they replace")
    func soundexAndIdentifiersMatchReference() {
        let names = ["Robert", "Rupert", "Rubin", "Ashcraft", "Tymczak", "Pfister", "Honeyman", "Lee", "O'Hare", "Smith",
                     "Smyth", "Van der Berg", "McDonald-Price", "A", "Wh", "Ba", "123", "2nd", "", "  ", "Müller", "Øye",
                     "Strauß", "Ærø", "Jiménez", "Zoë", "Łukasz"]
        for name in names {
            // The Foundation path (used now only for names that stay non-ASCII) on every name, ASCII ones too.
            #expect(DuplicateMatcher.soundex(name) == DuplicateMatcher.scalarSoundex(DuplicateMatcher.normalisedName(name)), "\(name)")
        }
        #expect(DuplicateMatcher.soundex("Robert") == "R163")
        #expect(DuplicateMatcher.soundex("Ashcraft") == "A261", "h does not separate s and c")
        #expect(DuplicateMatcher.soundex("Lee") == "L000")
        #expect(DuplicateMatcher.soundex("123") == "")
        for identifier in ["88/123456a", "x 000-777", "AB12-cd", "", "--", "ab–12", "ﬁ9", "Ä1b"] {
            #expect(DuplicateMatcher.normalisedIdentifier(identifier) == DuplicateMatcher.scalarIdentifier(identifier), "\(identifier)")
        }
        #expect(DuplicateMatcher.normalisedIdentifier("88/123456a") == "88123456A")
    }

    @Test("plain ASCII names and the same names with accents normalise alike (the ASCII fast path matches Foundation's folding)")
    func asciiFastPath() {
        let pairs = [("  O'Brien-Smyth ", "  Ó'Brïen-Smyth "), ("MACDONALD\tjohn--paul", "MACDONÁLD\tjohn--paul"),
                     ("Ann  Marie 2nd", "Ånn  Marie 2nd"), ("St. John, Jr", "St. Jöhn, Jr")]
        for (plain, accented) in pairs {
            #expect(DuplicateMatcher.normalisedName(plain) == DuplicateMatcher.normalisedName(accented), "\(plain)")
        }
        #expect(DuplicateMatcher.normalisedName("MACDONALD\tjohn--paul") == "macdonald john paul")
        #expect(DuplicateMatcher.normalisedName("St. John, Jr") == "st john jr")
        #expect(CalendarDate(year: 2026, month: 3, day: 9).description == "2026-03-09")
        #expect(CalendarDate(year: 1850, month: 12, day: 31).description == "1850-12-31")
    }
}
