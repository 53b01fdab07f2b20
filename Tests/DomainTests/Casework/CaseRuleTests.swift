import Domain
import Testing

@Suite("Case and nominal record rules")
struct CaseRuleTests {
    static let today = CalendarDate("2026-11-25")!
    static let base = CaseDetails(category: .two, level: .two, leadAgency: "probation", startDate: CalendarDate("2025-01-10")!,
                                  nextReviewDate: CalendarDate("2026-12-01")!, rosh: .high)

    func fields(_ details: CaseDetails, previous: CaseDetails? = nil, reason: String = "") -> [String] {
        CaseRules.problems(details, previous: previous, changeReason: reason, today: Self.today).map(\.field)
    }

    @Test("a consistent registration has no problems")
    func valid() { #expect(fields(Self.base).isEmpty) }

    @Test("Category 3 only at Level 2 or 3; unknown level allowed while screening")
    func categoryThree() {
        var details = Self.base
        details.category = .three
        details.level = .one
        #expect(fields(details) == ["level"])
        details.level = .unknown
        #expect(fields(details).isEmpty)
        details.level = .three
        #expect(fields(details).isEmpty)
    }

    @Test("an exit needs a reason and a date, not before the start and not in the future")
    func exit() {
        var details = Self.base
        details.status = .exited
        #expect(Set(fields(details)) == ["exit_reason", "exit_date"])
        details.exitReason = "Notification period ended"
        details.exitDate = CalendarDate("2024-12-01")
        #expect(fields(details) == ["exit_date"])
        details.exitDate = CalendarDate("2026-12-01")
        #expect(fields(details) == ["exit_date"])
        details.exitDate = CalendarDate("2026-11-20")
        #expect(fields(details).isEmpty)
    }

    @Test("an active case cannot carry an exit date")
    func activeWithExitDate() {
        var details = Self.base
        details.exitDate = CalendarDate("2026-11-20")
        #expect(fields(details) == ["exit_date"])
    }

    @Test("dates must follow the start date, which cannot be in the future")
    func dates() {
        var details = Self.base
        details.statutoryEndDate = CalendarDate("2024-01-01")
        details.nextReviewDate = CalendarDate("2024-01-01")
        #expect(Set(fields(details)) == ["statutory_end_date", "next_review_date"])
        details = Self.base
        details.startDate = CalendarDate("2026-12-25")!
        details.nextReviewDate = nil
        #expect(fields(details) == ["start_date"])
    }

    @Test("a change of level, category, next review date, RoSH or status needs a reason; other changes do not")
    func changeReason() {
        var details = Self.base
        details.level = .three
        #expect(fields(details, previous: Self.base) == ["change_reason"])
        #expect(fields(details, previous: Self.base, reason: "Escalated after threats").isEmpty)
        details = Self.base
        details.roshByGroup[.children] = .veryHigh
        #expect(fields(details, previous: Self.base) == ["change_reason"])
        details = Self.base
        details.nextReviewDate = CalendarDate("2026-12-08")
        #expect(fields(details, previous: Self.base) == ["change_reason"])
        #expect(fields(details, previous: Self.base, reason: "Panel asked for an earlier review").isEmpty)
        details = Self.base
        details.leadAgency = "police"
        details.statutoryEndDate = CalendarDate("2031-01-01")
        #expect(fields(details, previous: Self.base).isEmpty)
    }

    @Test("changes list each differing fact with its old and new value")
    func changes() {
        var details = Self.base
        details.level = .three
        details.rosh = .veryHigh
        details.roshByGroup[.staff] = .medium
        let changes = CaseRules.changes(from: Self.base, to: details)
        #expect(changes.map(\.field) == ["level", "rosh", "rosh_staff"])
        #expect(changes[0].oldValue == "2" && changes[0].newValue == "3")
        #expect(CaseRules.displayValue(field: "level", "3") == "Level 3")
        #expect(CaseRules.displayValue(field: "rosh_staff", "very high") == "Very high")
        #expect(CaseRules.fieldName("rosh_known_adult") == "RoSH to known adult")
    }

    @Test("a change of MAPPA area is in the history without needing a reason")
    func areaChange() {
        var details = Self.base
        details.area = "north"
        let changes = CaseRules.changes(from: Self.base, to: details)
        #expect(changes.map { "\($0.field):\($0.oldValue)→\($0.newValue):\($0.needsReason)" } == ["area:→north:false"])
        #expect(CaseRules.problems(details, previous: Self.base, changeReason: "", today: CalendarDate("2026-01-01")!).isEmpty)
        #expect(CaseRules.fieldName("area") == "MAPPA area")
    }

    static let person = NominalDetails(familyName: "Exampleton", givenNames: "Jo", dateOfBirth: CalendarDate("1990-02-14"),
                                       currentAddress: "1 Sample Street")

    func nominalFields(_ details: NominalDetails) -> [String] {
        NominalRules.problems(details, today: Self.today).map(\.field)
    }

    @Test("a nominal needs names and a plausible date of birth")
    func nominalIdentity() {
        #expect(nominalFields(Self.person).isEmpty)
        var details = Self.person
        details.familyName = " "
        details.givenNames = ""
        details.dateOfBirth = nil
        #expect(nominalFields(details) == ["family_name", "given_names", "date_of_birth"])
        details = Self.person
        details.dateOfBirth = CalendarDate("2020-01-01")
        #expect(nominalFields(details) == ["date_of_birth"])
        details.dateOfBirth = CalendarDate("2027-01-01")
        #expect(nominalFields(details) == ["date_of_birth"])
    }

    @Test("PNC IDs and CRNs in the forms the national systems issue")
    func identifiers() {
        #expect(NominalRules.isPNCID("2019/0123456X"))
        #expect(NominalRules.isPNCID("90/999999z"))
        #expect(!NominalRules.isPNCID("2019-0123456X"))
        #expect(!NominalRules.isPNCID("2019/01234567"))
        #expect(!NominalRules.isPNCID("19/X"))
        #expect(NominalRules.isCRN("X123456"))
        #expect(!NominalRules.isCRN("X12345"))
        #expect(!NominalRules.isCRN("1234567"))
        var details = Self.person
        details.pncID = "not a pnc"
        details.crn = "ABC"
        #expect(nominalFields(details) == ["pnc_id", "crn"])
    }

    @Test("addresses agree with custody and no fixed abode")
    func addresses() {
        var details = Self.person
        details.currentAddress = ""
        #expect(nominalFields(details) == ["current_address"])
        details.noFixedAbode = true
        #expect(nominalFields(details) == ["nfa_area"])
        details.nfaArea = "Northtown"
        #expect(nominalFields(details).isEmpty)
        details = Self.person
        details.releaseDate = CalendarDate("2027-03-01")
        #expect(nominalFields(details) == ["release_date"])
        details.custodyStatus = .custody
        details.currentAddress = ""
        #expect(nominalFields(details).isEmpty, "in custody: no current address needed, a future release date expected")
    }

    @Test("aliases are split on lines or semicolons, trimmed and de-duplicated")
    func aliases() {
        #expect(NominalRules.aliases(from: "Rob\n The Fox ;rob;;\r\nBobby") == ["Rob", "The Fox", "Bobby"])
    }
}
