import Testing
@testable import Domain

/// A complete, consistent Level 2 referral (synthetic person): the baseline every rule test breaks one way.
func completeReferral() -> ReferralForm {
    var form = ReferralForm()
    form.levelRequested = .two
    form.mappaArea = "Northshire"
    form.category = .two
    form.familyName = "Testperson"
    form.givenNames = "Alex Sample"
    form.aliases = ["Lexi"]
    form.dateOfBirth = CalendarDate("1988-04-12")
    form.gender = "Male"
    form.ethnicity = "White British"
    form.currentAddress = "Flat 1, 2 Example Street, Northtown"
    form.pncID = "88/123456A"
    form.crn = "X123456"
    form.custodyStatus = .community
    form.indexOffences = "Section 18 wounding with intent"
    form.sentence = "6 years' imprisonment"
    form.offenceDetails = "- Attacked a former partner with a knife\n- Breached a non-molestation order"
    form.licenceEndDate = CalendarDate("2027-09-30")
    form.reasonForReferral = "Escalating threats towards his former partner reported by police and housing."
    form.roshOverall = .high
    form.roshByGroup = [.knownAdult: .high, .publicAtLarge: .medium]
    form.victimInformation = "Former partner; victim liaison officer in contact."
    form.diversityNeeds = "None known."
    form.currentRiskManagementPlan = "Weekly probation appointments, exclusion zone, electronic tag."
    form.multiAgencyValue = "Housing and police need to co-ordinate a move and a safety plan for the victim."
    form.leadAgency = "probation"
    form.managerAuthorisedBy = "Senior Probation Officer Sample"
    form.managerAuthorisedOn = CalendarDate("2026-11-20")
    return form
}

@Suite("Referral quality check")
struct ReferralQualityCheckTests {
    let check = ReferralQualityCheck()
    let today = CalendarDate("2026-11-25")!

    func fields(_ form: ReferralForm) -> [String] { check.findings(form, today: today).map(\.field) }
    func finding(_ form: ReferralForm, _ field: String) -> QualityFinding? {
        check.findings(form, today: today).first { $0.field == field }
    }

    @Test("a complete referral has no findings and is ready for screening")
    func complete() {
        let findings = check.findings(completeReferral(), today: today)
        #expect(findings.isEmpty, "\(findings)")
        #expect(ReferralQualityCheck.isReadyForScreening(findings))
    }

    @Test("each required item, when missing, is named in its section", arguments: [
        ("level_requested", ReferralSection.header), ("category", .category), ("family_name", .offender),
        ("given_names", .offender), ("date_of_birth", .offender), ("ethnicity", .offender),
        ("current_address", .offender), ("custody_status", .offender), ("index_offences", .conviction),
        ("sentence", .conviction), ("offence_details", .conviction), ("reason_for_referral", .reason),
        ("rosh_overall", .risk), ("multi_agency_value", .risk), ("victim_information", .risk),
        ("diversity_needs", .risk), ("current_risk_management_plan", .risk), ("lead_agency", .risk),
        ("manager_authorised_by", .authorisation),
    ])
    func missing(field: String, section: ReferralSection) throws {
        var form = completeReferral()
        switch field {
        case "level_requested": form.levelRequested = nil
        case "category": form.category = nil
        case "family_name": form.familyName = "  "
        case "given_names": form.givenNames = ""
        case "date_of_birth": form.dateOfBirth = nil
        case "ethnicity": form.ethnicity = ""
        case "current_address": form.currentAddress = ""
        case "custody_status": form.custodyStatus = nil
        case "index_offences": form.indexOffences = ""
        case "sentence": form.sentence = ""
        case "offence_details": form.offenceDetails = "\n"
        case "reason_for_referral": form.reasonForReferral = ""
        case "rosh_overall": form.roshOverall = nil
        case "multi_agency_value": form.multiAgencyValue = ""
        case "victim_information": form.victimInformation = ""
        case "diversity_needs": form.diversityNeeds = ""
        case "current_risk_management_plan": form.currentRiskManagementPlan = ""
        case "lead_agency": form.leadAgency = ""
        case "manager_authorised_by": form.managerAuthorisedOn = nil
        default: Issue.record("no mutation for \(field)")
        }
        let result = try #require(finding(form, field))
        #expect(result.kind == .missing)
        #expect(result.section == section)
        #expect(!ReferralQualityCheck.isReadyForScreening(check.findings(form, today: today)))
    }

    @Test("a Level 3 referral must say what Level 2 cannot deliver")
    func level3() throws {
        var form = completeReferral()
        form.levelRequested = .three
        #expect(try #require(finding(form, "why_level2_is_not_enough")).kind == .missing)
        form.whyLevel2IsNotEnough = "Specialist accommodation needs authorising by senior managers."
        #expect(finding(form, "why_level2_is_not_enough") == nil)
    }

    @Test("a referral for Level 1 is inconsistent: referrals are for Level 2 or 3")
    func level1() throws {
        var form = completeReferral()
        form.levelRequested = .one
        #expect(try #require(finding(form, "level_requested")).kind == .inconsistent)
        form.category = .three
        #expect(check.findings(form, today: today).contains { $0.field == "category" && $0.kind == .inconsistent })
    }

    @Test("a custody case needs a release date, a future one, and a proposed address")
    func custody() throws {
        var form = completeReferral()
        form.custodyStatus = .custody
        #expect(try #require(finding(form, "release_date")).kind == .missing)
        form.releaseDate = CalendarDate("2026-10-01")
        #expect(try #require(finding(form, "release_date")).kind == .inconsistent)
        form.releaseDate = CalendarDate("2027-12-01")
        #expect(try #require(finding(form, "proposed_release_address")).kind == .warning)
        form.proposedReleaseAddress = "Approved premises, Northtown"
        #expect(fields(form).isEmpty)
    }

    @Test("a custody referral inside the lead time is flagged late with the days left, and the address becomes required")
    func lateCustodyReferral() throws {
        var form = completeReferral()
        form.custodyStatus = .custody
        form.releaseDate = CalendarDate("2027-01-24")
        let late = try #require(finding(form, "release_date"))
        #expect(late.kind == .warning)
        #expect(late.message.contains("release is in 60 days"))
        #expect(try #require(finding(form, "proposed_release_address")).kind == .missing)
    }

    @Test("a hospital case needs section 5 from mental health services")
    func hospital() throws {
        var form = completeReferral()
        form.custodyStatus = .hospital
        form.releaseDate = CalendarDate("2027-12-01")
        form.proposedReleaseAddress = "Supported housing"
        #expect(try #require(finding(form, "hospital_details")).kind == .missing)
    }

    @Test("no fixed abode needs the area of closest links instead of an address")
    func noFixedAbode() throws {
        var form = completeReferral()
        form.currentAddress = ""
        form.noFixedAbode = true
        #expect(try #require(finding(form, "nfa_area")).kind == .missing)
        form.nfaArea = "Northtown"
        #expect(fields(form).isEmpty)
    }

    @Test("dates of birth in the future or over 110 years ago are inconsistent", arguments: ["2027-01-01", "1900-01-01"])
    func dateOfBirth(text: String) throws {
        var form = completeReferral()
        form.dateOfBirth = CalendarDate(text)
        #expect(try #require(finding(form, "date_of_birth")).kind == .inconsistent)
    }

    @Test("no identifiers at all is a warning, not a block")
    func identifiers() throws {
        var form = completeReferral()
        form.pncID = ""
        form.crn = ""
        #expect(try #require(finding(form, "pnc_id")).kind == .warning)
        #expect(ReferralQualityCheck.isReadyForScreening(check.findings(form, today: today)))
    }

    @Test("only Category 3 can come in by a caution")
    func caution() throws {
        var form = completeReferral()
        form.indexIsCaution = true
        form.sentence = ""
        #expect(try #require(finding(form, "index_is_caution")).kind == .inconsistent)
        form.category = .three
        #expect(finding(form, "index_is_caution") == nil)
        #expect(finding(form, "sentence") == nil, "a caution has no sentence")
    }

    @Test("offence details pasted wholesale are flagged for bullet points")
    func pasted() throws {
        var form = completeReferral()
        form.offenceDetails = String(repeating: "The defendant then went on to say that ", count: 20)
        #expect(try #require(finding(form, "offence_details")).kind == .warning)
    }

    @Test("Level 2 with medium RoSH must explain the exceptional need")
    func exceptionalLevel2() throws {
        var form = completeReferral()
        form.roshOverall = .medium
        form.multiAgencyValue = ""
        #expect(try #require(finding(form, "multi_agency_value")).kind == .inconsistent)
    }

    @Test("end dates that drive exit are asked for by category")
    func exitDates() throws {
        var form = completeReferral()
        form.licenceEndDate = nil
        #expect(try #require(finding(form, "licence_end_date")).kind == .warning)
        form.category = .one
        #expect(try #require(finding(form, "notification_end_date")).kind == .warning)
    }

    @Test("findings come out in the order of the form's sections")
    func ordering() {
        let sections = check.findings(ReferralForm(), today: today).map(\.section)
        #expect(sections == sections.sorted())
        #expect(sections.first == .header)
    }
}

@Suite("Level recommendation")
struct LevelRecommendationTests {
    @Test("high RoSH where meetings add value: Level 2, citing both criteria")
    func level2() {
        let result = LevelRecommendation.recommend(ScreeningFacts(category: .two, rosh: .high, addsValue: true))
        #expect(result.level == .two)
        #expect(result.criteriaMet == [.addsValue, .highOrVeryHighRoSH])
        #expect(result.reasons.first?.contains("7.4(a)") == true)
    }

    @Test("very high RoSH without added value stays at Level 1")
    func noValue() {
        let result = LevelRecommendation.recommend(ScreeningFacts(category: .one, rosh: .veryHigh, addsValue: false))
        #expect(result.level == .one)
        #expect(result.criteriaNotMet.contains(.addsValue))
    }

    @Test("medium RoSH reaches Level 2 only exceptionally or as a step-down", arguments: [
        (false, false, ManagementLevel.one), (true, false, .two), (false, true, .two),
    ])
    func lowerRisk(exceptional: Bool, stepDown: Bool, expected: ManagementLevel) {
        let facts = ScreeningFacts(category: .two, rosh: .medium, addsValue: true,
                                   exceptionalLowerRiskNeedingCoordination: exceptional, previouslyLevel3: stepDown)
        #expect(LevelRecommendation.recommend(facts).level == expected)
    }

    @Test("Level 3 needs the Level 2 criteria plus one of the Level 3 grounds", arguments: [
        (true, false, false), (false, true, false), (false, false, true),
    ])
    func level3(senior: Bool, resources: Bool, publicConfidence: Bool) {
        let facts = ScreeningFacts(category: .one, rosh: .veryHigh, addsValue: true, needsSeniorRepresentation: senior,
                                   needsResourcesAtShortNotice: resources, publicConfidenceConcern: publicConfidence)
        let result = LevelRecommendation.recommend(facts)
        #expect(result.level == .three)
        #expect(result.reasons.first?.contains("(7.5)") == true)
    }

    @Test("Level 3 grounds without the Level 2 criteria do not make a Level 3 case")
    func level3WithoutLevel2() {
        let facts = ScreeningFacts(category: .two, rosh: .low, addsValue: true, publicConfidenceConcern: true)
        let result = LevelRecommendation.recommend(facts)
        #expect(result.level == .one)
        #expect(result.reasons.contains { $0.contains("Level 3 needs the Level 2 criteria") })
    }

    @Test("Category 3 without the Level 2 criteria is recommended for decline, never Level 1")
    func category3() {
        let result = LevelRecommendation.recommend(ScreeningFacts(category: .three, rosh: .medium, addsValue: true))
        #expect(result.level == nil)
        #expect(result.reasons.contains { $0.contains("decline") })
        #expect(LevelRecommendation.recommend(ScreeningFacts(category: .three, rosh: .high, addsValue: true)).level == .two)
    }

    @Test("exceptional lower risk does not count when the risk is already high")
    func exceptionalOnlyForLowerRisk() {
        let result = LevelRecommendation.recommend(ScreeningFacts(category: .two, rosh: .high, addsValue: true,
                                                                  exceptionalLowerRiskNeedingCoordination: true))
        #expect(!result.criteriaMet.contains(.exceptionalLowerRisk))
    }
}

@Suite("Review schedule")
struct ReviewScheduleTests {
    let today = CalendarDate("2026-11-25")!

    @Test("the state comes from the stored review date and today, not from the start date")
    func fromStoredDate() {
        // Started long ago (start + interval would be far past): the stored date alone decides.
        let schedule = ReviewSchedule(level: .three, nextReviewDate: CalendarDate("2027-01-06"), today: today)
        #expect(schedule.dueDate == CalendarDate("2027-01-06"))
        #expect(schedule.state == .dueIn(days: 42))
        #expect(schedule.text == "6 January 2027 (in 42 days)")
        #expect(!schedule.isOverdue)
    }

    @Test("overdue and due-in are counted in days from the stored date")
    func states() {
        let overdue = ReviewSchedule(level: .three, nextReviewDate: CalendarDate("2026-10-27"), today: today)
        #expect(overdue.state == .overdue(days: 29))
        #expect(overdue.isOverdue)
        #expect(overdue.text == "Overdue by 29 days (due 27 October 2026)")
        let due = ReviewSchedule(level: .two, nextReviewDate: CalendarDate("2026-12-27"), today: today)
        #expect(due.state == .dueIn(days: 32))
        #expect(due.isDue(by: CalendarDate("2026-12-31")!))
        #expect(!due.isDue(by: CalendarDate("2026-12-01")!))
        #expect(ReviewSchedule(level: .two, nextReviewDate: today, today: today).text.hasSuffix("(today)"))
    }

    @Test("Level 1 and exited cases have no review cycle; a Level 2 or 3 case without a date is due now")
    func edges() {
        #expect(ReviewSchedule(level: .one, nextReviewDate: CalendarDate("2026-01-01"), today: today).state == .notApplicable)
        #expect(ReviewSchedule(level: .three, status: .exited, nextReviewDate: CalendarDate("2026-01-01"), today: today).state == .notApplicable)
        let undated = ReviewSchedule(level: .two, nextReviewDate: nil, today: today)
        #expect(undated.state == .notSet)
        #expect(undated.dueDate == nil)
        #expect(undated.isDue(by: today))
        #expect(undated.text == "No review date set: due now")
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("only real dates written YYYY-MM-DD parse", arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("2026-13-01", false), ("2026-1-01", false), ("26-01-01", false),
        ("2026-04-31", false), ("", false), ("1800-01-01", false), ("2026-+1-05", false), ("2026-01-0٣", false),
        ("2026/01/05", false), ("2026-01-055", false), ("1850-01-01", true), ("9999-12-31", true),
    ])
    func parsing(text: String, valid: Bool) {
        #expect((CalendarDate(text) != nil) == valid)
    }

    @Test("arithmetic crosses months, years and leap days")
    func arithmetic() {
        let date = CalendarDate("2024-02-28")!
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(CalendarDate("2026-08-31")!.adding(months: 6).description == "2027-02-28")
        #expect(CalendarDate("2026-12-25")!.adding(weeks: 1).description == "2027-01-01")
        #expect(CalendarDate("2026-01-01")!.days(until: CalendarDate("2027-01-01")!) == 365)
        #expect(CalendarDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(CalendarDate("2026-03-05")!.displayText == "5 March 2026")
    }

    @Test("dates are written as stored (YYYY-MM-DD) and as people read them, every digit in place")
    func writtenForms() {
        #expect(CalendarDate(year: 1988, month: 9, day: 30).displayText == "30 September 1988")
        #expect(CalendarDate(year: 2000, month: 5, day: 1).displayText == "1 May 2000")
        #expect(CalendarDate(year: 2026, month: 12, day: 10).description == "2026-12-10")
        #expect(CalendarDate(year: 999, month: 1, day: 9).description == "0999-01-09")
        #expect(CalendarDate(year: 999, month: 1, day: 9).displayText == "9 January 999")
        #expect(CalendarDate(year: 12345, month: 6, day: 15).description == "12345-06-15")
        for days in stride(from: -40_000, through: 40_000, by: 367) {
            let date = CalendarDate(daysSinceEpoch: days)
            #expect(CalendarDate(date.description) == date)
        }
    }
}
