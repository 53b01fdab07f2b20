import Domain
import Testing

/// Every indicator against small hand-worked cases: the numerator, the denominator and the reason for each
/// record, with the boundaries (exactly on a deadline, the first and last day of a period) and empty periods.
@Suite("KPIs")
struct KPITests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static let q1 = ReportingPeriod(id: "2026-27-Q1")!  // 1 April to 30 June 2026
    static let year = ReportingPeriod(id: "2026-27")!

    static func result(_ indicator: KPIIndicator, _ facts: KPIFacts, period: ReportingPeriod = q1, today: String,
                       settings: KPISettings? = nil, timescales: Timescales = Timescales()) -> KPIResult {
        KPICalculator.result(indicator, settings: settings ?? indicator.defaultSettings, facts: facts, period: period,
                             today: date(today), timescales: timescales)
    }

    // MARK: periods

    @Test("periods are quarters of the reporting year (Q1 is April to June) or the year from 1 April to 31 March")
    func periods() {
        #expect(Self.q1.start == Self.date("2026-04-01") && Self.q1.end == Self.date("2026-06-30"))
        let q4 = ReportingPeriod(id: "2026-27-Q4")!
        #expect(q4.start == Self.date("2027-01-01") && q4.end == Self.date("2027-03-31"))
        #expect(Self.year.start == Self.date("2026-04-01") && Self.year.end == Self.date("2027-03-31"))
        #expect(Self.q1.name == "Q1 2026/27" && Self.year.name == "2026/27" && ReportingPeriod(id: "1999-00")?.name == "1999/00")
        #expect(ReportingPeriod.containing(Self.date("2026-03-31"), kind: .quarter).id == "2025-26-Q4")
        #expect(ReportingPeriod.containing(Self.date("2026-04-01"), kind: .quarter).id == "2026-27-Q1")
        #expect(ReportingPeriod.containing(Self.date("2026-12-31"), kind: .quarter).id == "2026-27-Q3")
        #expect(ReportingPeriod.containing(Self.date("2027-01-01"), kind: .year).id == "2026-27")
        #expect(Self.q1.previous.id == "2025-26-Q4" && Self.q1.yearBefore.id == "2025-26-Q1" && Self.year.previous.id == "2025-26")
        #expect(Self.year.yearBefore == Self.year.previous)
        #expect(Self.q1.recent(3).map(\.id) == ["2025-26-Q3", "2025-26-Q4", "2026-27-Q1"])
        #expect(Self.q1.offset(by: 5).id == "2027-28-Q2")
        #expect(ReportingPeriod(id: "2026-27-Q2")!.measured(as: .year) == Self.year)
        #expect(Self.year.measured(as: .quarter) == Self.year && Self.q1.measured(as: .quarter) == Self.q1)
        #expect(Self.q1.contains(Self.date("2026-04-01")) && Self.q1.contains(Self.date("2026-06-30"))
                && !Self.q1.contains(Self.date("2026-07-01")) && !Self.q1.contains(Self.date("2026-03-31")))
    }

    @Test("a period name must be exact", arguments: ["", "2026", "2026-28", "2026-27-Q5", "2026-27-Q0", "2026-27-q1", "2026-27-Q1x",
                                                     "26-27", "abcd-ef", "2026-27-", "2026--27", "+026-27", "2026-27-Q+1", "0100-01"])
    func malformedPeriods(id: String) {
        #expect(ReportingPeriod(id: id) == nil)
    }

    @Test("a period name survives the round trip")
    func periodRoundTrip() {
        for id in ["2026-27", "2026-27-Q1", "2026-27-Q4", "1999-00", "1999-00-Q3"] { #expect(ReportingPeriod(id: id)?.id == id) }
    }

    // MARK: settings

    @Test("settings are checked with messages naming the indicator and the field")
    func settingsProblems() {
        for indicator in KPIIndicator.allCases { #expect(indicator.defaultSettings.problems(for: indicator).isEmpty) }
        var settings = KPIIndicator.attendance.defaultSettings
        settings.name = "  "
        settings.target = 101
        #expect(settings.problems(for: .attendance).map(\.field) == ["attendance-name", "attendance-target"])
        #expect(settings.problems(for: .attendance).map(\.message).contains("The target for indicator 3 must be a percentage from 0 to 100"))
        var days = KPIIndicator.screeningDays.defaultSettings
        days.target = 400
        #expect(days.problems(for: .screeningDays).map(\.field) == ["screening-days-target"])
        days.target = .nan
        #expect(days.problems(for: .screeningDays).count == 1)
        days.target = 120
        #expect(days.problems(for: .screeningDays).isEmpty, "120 days is a number of days, though not a percentage")
        #expect(KPIIndicator.referralsReturned.defaultSettings.direction == .atMost)
        #expect(KPIIndicator.referralsReturned.defaultSettings.targetText(.rate) == "At most 10%")
        #expect(KPIIndicator.screeningDays.defaultSettings.targetText(.days) == "At most 10 days")
    }

    // MARK: empty periods

    @Test("a period with nothing in it has no data, not 0%", arguments: KPIIndicator.allCases)
    func emptyPeriod(indicator: KPIIndicator) {
        let result = Self.result(indicator, KPIFacts(), today: "2026-07-15")
        #expect(!result.hasData && result.numerator == 0 && result.denominator == 0)
        #expect(result.value == nil && result.met == nil && result.valueText == "No data in this period")
    }

    // MARK: 1 and 2, reviews within the interval

    static let reviewCases = [
        // Reviewed 20 March; next due 15 May (8 weeks); reviewed exactly on 15 May: in time. Its next (10 July) is in Q2.
        ReviewCaseFacts(caseID: 1, reference: "A", leadAgency: "probation", level: .three, startDate: date("2026-02-01"),
                        reviews: [date("2026-03-20"), date("2026-05-15")]),
        // Started 1 March, due 26 April, never reviewed: late.
        ReviewCaseFacts(caseID: 2, reference: "B", leadAgency: "police", level: .three, startDate: date("2026-03-01"), reviews: []),
        // Started 10 March, due 5 May, reviewed 6 May: one day late.
        ReviewCaseFacts(caseID: 3, reference: "C", leadAgency: "probation", level: .three, startDate: date("2026-03-10"),
                        reviews: [date("2026-05-06")]),
        // A Level 2 case (16 weeks): due 21 June, reviewed 1 June.
        ReviewCaseFacts(caseID: 4, reference: "D", leadAgency: "police", level: .two, startDate: date("2026-03-01"),
                        reviews: [date("2026-06-01")]),
        // First review due 5 July, after the quarter.
        ReviewCaseFacts(caseID: 5, reference: "E", leadAgency: "police", level: .three, startDate: date("2026-05-10"), reviews: []),
        // Left MAPPA on 1 April, before its review fell due on 26 April.
        ReviewCaseFacts(caseID: 6, reference: "F", leadAgency: "police", level: .three, startDate: date("2026-03-01"), reviews: [],
                        exitDate: date("2026-04-01")),
        // Due on 30 June, the quarter's last day, not reviewed.
        ReviewCaseFacts(caseID: 7, reference: "G", leadAgency: "prison", level: .three, startDate: date("2026-05-05"), reviews: []),
    ]

    @Test("Level 3: each review due in the period, held by its due date (exactly on it counts)")
    func level3Reviews() {
        let result = Self.result(.level3Reviews, KPIFacts(reviewCases: Self.reviewCases), today: "2026-07-15")
        #expect(result.items.map(\.reference) == ["B", "C", "A", "G"], "in due-date order")
        #expect(result.items.map(\.counted) == [false, false, true, false])
        #expect(result.numerator == 1 && result.denominator == 4 && result.value == 25 && result.met == false)
        #expect(result.items[1].reason == "Reviewed on 6 May 2026, 1 day after the 8-week interval")
        #expect(result.items[2].reason == "Reviewed on 15 May 2026; due by 15 May 2026")
        #expect(result.items[0].reason == "Not reviewed by 26 April 2026, the end of the 8-week interval")
        #expect(result.items[0].date == Self.date("2026-04-26"))
        // On 30 June, G's review is due today: not late yet, so left out.
        let onTheDay = Self.result(.level3Reviews, KPIFacts(reviewCases: Self.reviewCases), today: "2026-06-30")
        #expect(onTheDay.denominator == 3 && onTheDay.numerator == 1)
        // A longer interval moves the due dates: at 12 weeks A falls due twice (26 April and 12 June, both in
        // time), B on 24 May (late), C on 2 June (reviewed 6 May, early); E (2 August) and G (28 July) later.
        let twelve = Self.result(.level3Reviews, KPIFacts(reviewCases: Self.reviewCases), today: "2026-07-15",
                                 timescales: Timescales(level3ReviewWeeks: 12))
        #expect(twelve.items.map(\.reference) == ["A", "B", "C", "A"] && twelve.numerator == 3)
    }

    @Test("the review still to come falls due on the case's stored review date, the one the case page shows")
    func storedReviewDate() {
        // Started 1 March: start + 8 weeks is 26 April, but the panel set 20 May: late only from 20 May.
        let set = ReviewCaseFacts(caseID: 2, reference: "B", leadAgency: "police", level: .three, startDate: Self.date("2026-03-01"),
                                  reviews: [], nextReviewDate: Self.date("2026-05-20"))
        let result = Self.result(.level3Reviews, KPIFacts(reviewCases: [set]), today: "2026-06-30")
        #expect(result.items.map(\.date) == [Self.date("2026-05-20")])
        #expect(result.items[0].reason == "Not reviewed by 20 May 2026, its review date")
        #expect(Self.result(.level3Reviews, KPIFacts(reviewCases: [set]), today: "2026-05-20").items.isEmpty, "due today: not late yet")
        // Reviewed since: the stored date belongs to the review after the last one.
        var reviewed = set
        reviewed.reviews = [Self.date("2026-04-20")]
        reviewed.nextReviewDate = Self.date("2026-06-10")
        let after = Self.result(.level3Reviews, KPIFacts(reviewCases: [reviewed]), today: "2026-06-30")
        #expect(after.items.map(\.date) == [Self.date("2026-04-26"), Self.date("2026-06-10")])
        #expect(after.items.map(\.counted) == [true, false])
    }

    @Test("Level 2 uses the Level 2 interval and only Level 2 cases")
    func level2Reviews() {
        let result = Self.result(.level2Reviews, KPIFacts(reviewCases: Self.reviewCases), today: "2026-07-15")
        #expect(result.items.map(\.reference) == ["D"] && result.numerator == 1 && result.value == 100 && result.met == true)
        #expect(result.items[0].date == Self.date("2026-06-21"))
        #expect(result.forLeadAgency("probation").hasData == false && result.forLeadAgency("police").numerator == 1)
    }

    // MARK: 3, attendance

    static func discussion(_ caseID: Int64, lead: String, custody: Bool = false, attendance: [String: AttendanceStatus]) -> DiscussionFacts {
        DiscussionFacts(caseID: caseID, label: "N\(caseID)", level: .two, leadAgency: lead, inCustody: custody, reviewDue: nil,
                        attendance: attendance, confidentialityAcknowledged: true)
    }

    @Test("attendance: each expected agency at each discussion of a held Level 2 or 3 meeting, per agency")
    func attendance() {
        let facts = KPIFacts(discussions: [
            // Core: police, probation (the lead), prison (custody); housing is invited and involved; DWP invited only.
            KPIDiscussion(meetingID: 1, meetingKind: .level2, meetingDate: Self.date("2026-05-10"),
                          discussion: Self.discussion(1, lead: "probation", custody: true,
                                                      attendance: ["police": .attended, "probation": .reportSent, "prison": .apologies]),
                          invitedAgencies: ["police", "probation", "prison", "housing", "dwp"], involvedAgencies: ["housing", "probation"]),
            // Lead police: police and probation expected; probation did not attend.
            KPIDiscussion(meetingID: 2, meetingKind: .level3, meetingDate: Self.date("2026-06-30"),
                          discussion: Self.discussion(2, lead: "police", attendance: ["police": .attended, "probation": .didNotAttend])),
            // Not counted: a meeting not held, a professionals meeting, and one after the quarter.
            KPIDiscussion(meetingID: 3, meetingKind: .level2, meetingStatus: .scheduled, meetingDate: Self.date("2026-05-20"),
                          discussion: Self.discussion(3, lead: "police", attendance: [:])),
            KPIDiscussion(meetingID: 4, meetingKind: .professionals, meetingDate: Self.date("2026-05-20"),
                          discussion: Self.discussion(4, lead: "police", attendance: [:])),
            KPIDiscussion(meetingID: 5, meetingKind: .level2, meetingDate: Self.date("2026-07-01"),
                          discussion: Self.discussion(5, lead: "police", attendance: [:])),
        ])
        let result = Self.result(.attendance, facts, today: "2026-07-15")
        #expect(result.denominator == 6 && result.numerator == 3 && result.value == 50)
        #expect(result.items.filter { $0.caseID == 1 }.map(\.agency) == ["housing", "police", "prison", "probation"])
        let byAgency = result.byAgency().map { ($0.agency, $0.result.numerator, $0.result.denominator) }
        #expect(byAgency.map(\.0) == ["housing", "police", "prison", "probation"])
        #expect(byAgency.map(\.1) == [0, 2, 0, 1] && byAgency.map(\.2) == [1, 2, 1, 2])
        #expect(result.items.first { $0.agency == "housing" }?.reason == "Level 2 panel on 10 May 2026: No attendance recorded")
        #expect(result.forLeadAgency("police").numerator == 1 && result.forLeadAgency("police").denominator == 2)
    }

    // MARK: 4, custody referrals

    @Test("custody referrals: submitted on or before release less the lead time; others left out")
    func custodyReferrals() {
        let facts = KPIFacts(referrals: [
            KPIReferral(referralID: 1, reference: "REF-1", leadAgency: "probation", firstSubmitted: Self.date("2026-06-30"),
                        inCustody: true, releaseDate: Self.date("2026-12-31")),  // exactly six months ahead
            KPIReferral(referralID: 2, reference: "REF-2", leadAgency: "probation", firstSubmitted: Self.date("2026-07-01"),
                        inCustody: true, releaseDate: Self.date("2026-12-31")),  // a day too late
            KPIReferral(referralID: 3, reference: "REF-3", leadAgency: "police", firstSubmitted: Self.date("2026-05-01")),  // community
            KPIReferral(referralID: 4, reference: "REF-4", leadAgency: "police", firstSubmitted: Self.date("2026-05-01"), inCustody: true),
            KPIReferral(referralID: 5, reference: "REF-5", leadAgency: "police", firstSubmitted: Self.date("2026-03-31"),
                        inCustody: true, releaseDate: Self.date("2027-03-31")),  // before the year
            KPIReferral(referralID: 6, reference: "REF-6", leadAgency: "police", firstSubmitted: nil, inCustody: true,
                        releaseDate: Self.date("2027-03-31")),  // never submitted
            // 31 August less six months is 28 February (the month is shorter).
            KPIReferral(referralID: 7, reference: "REF-7", leadAgency: "prison", firstSubmitted: Self.date("2027-02-28"),
                        inCustody: true, releaseDate: Self.date("2027-08-31")),
        ])
        let result = Self.result(.custodyReferrals, facts, period: Self.year, today: "2027-04-15")
        #expect(result.items.map(\.reference) == ["REF-1", "REF-2", "REF-7"] && result.items.map(\.counted) == [true, false, true])
        #expect(result.numerator == 2 && result.denominator == 3)
        #expect(result.items[1].reason == "Submitted 1 July 2026, release 31 December 2026: 1 day after 30 June 2026, less than 6 months ahead")
        let quarter = Self.result(.custodyReferrals, facts, today: "2027-04-15")
        #expect(quarter.numerator == 1 && quarter.denominator == 1 && quarter.met == true)
        let longer = Self.result(.custodyReferrals, facts, period: Self.year, today: "2027-04-15",
                                 timescales: Timescales(custodyReferralLeadMonths: 7))
        #expect(longer.numerator == 0, "seven months: every one is late")
    }

    // MARK: 5 and 6, victims and disclosure in the minutes

    static var minutesFacts: KPIFacts {
        var full = MinutesContent()
        full.victimIssues = "VLO in contact"
        full.disclosureConsidered = true
        full.disclosureDecision = "No disclosure"
        var planOnly = MinutesContent()
        planOnly.victimSafetyPlanning = "Marker on the address"
        var noDecision = MinutesContent()
        noDecision.victimIssues = "   "
        noDecision.disclosureConsidered = true
        func item(_ id: Int64, _ minutes: MinutesContent?, date: String = "2026-05-10") -> KPIDiscussion {
            KPIDiscussion(meetingID: id, meetingKind: .level3, meetingDate: Self.date(date),
                          discussion: Self.discussion(id, lead: "police", attendance: [:]), approvedMinutes: minutes)
        }
        return KPIFacts(discussions: [item(1, full), item(2, planOnly), item(3, nil), item(4, noDecision), item(5, full, date: "2026-07-01")])
    }

    @Test("victim issues: approved minutes recording victim issues or victim safety planning; none approved does not count")
    func victimIssues() {
        let result = Self.result(.victimIssues, Self.minutesFacts, today: "2026-07-15")
        #expect(result.items.map(\.counted) == [true, true, false, false] && result.numerator == 2 && result.denominator == 4)
        #expect(result.items[2].reason == "10 May 2026: No approved minutes yet")
        #expect(result.items[3].reason == "10 May 2026: The approved minutes do not record victim issues")
    }

    @Test("disclosure: considered and the decision recorded")
    func disclosure() {
        let result = Self.result(.disclosure, Self.minutesFacts, today: "2026-07-15")
        #expect(result.items.map(\.counted) == [true, false, false, false] && result.numerator == 1 && result.denominator == 4)
        #expect(result.value == 25)
    }

    // MARK: 7, minutes distributed in time

    @Test("minutes: distributed within the working-day deadline (exactly on it counts); not yet due is left out")
    func minutesDistribution() {
        // Friday 15 May 2026 + 10 working days = Friday 29 May; Friday 26 June + 10 = Friday 10 July.
        func item(_ id: Int64, _ date: String, sent: String?) -> KPIDiscussion {
            KPIDiscussion(meetingID: id, meetingKind: .level2, meetingDate: Self.date(date),
                          discussion: Self.discussion(id, lead: "probation", attendance: [:]), firstDistributed: sent.map(Self.date))
        }
        let facts = KPIFacts(discussions: [item(1, "2026-05-15", sent: "2026-05-29"), item(2, "2026-05-15", sent: "2026-06-01"),
                                           item(3, "2026-06-26", sent: nil), item(4, "2026-05-15", sent: nil)])
        let onDeadline = Self.result(.minutesDistribution, facts, today: "2026-07-10")
        #expect(onDeadline.items.map(\.caseID) == [1, 2, 4] && onDeadline.items.map(\.counted) == [true, false, false])
        #expect(onDeadline.items[1].reason == "Meeting 15 May 2026, deadline 29 May 2026: distributed 1 June 2026, 3 days late")
        let after = Self.result(.minutesDistribution, facts, today: "2026-07-13")
        #expect(after.numerator == 1 && after.denominator == 4)
        let five = Self.result(.minutesDistribution, facts, today: "2026-07-13", timescales: Timescales(minutesDistributionWorkingDays: 5))
        #expect(five.numerator == 0, "5 working days from 15 May is 22 May")
    }

    // MARK: 8, actions

    @Test("actions due in the period: done by the due date; cancelled and not-yet-due open actions left out")
    func actions() {
        func action(_ id: Int64, due: String, _ status: ActionStatus, done: String? = nil) -> KPIAction {
            KPIAction(actionID: id, caseID: id, reference: "N\(id)", leadAgency: id % 2 == 0 ? "police" : "probation",
                      dueDate: Self.date(due), status: status, completedOn: done.map(Self.date))
        }
        let facts = KPIFacts(actions: [
            action(1, due: "2026-06-30", .done, done: "2026-06-30"), action(2, due: "2026-05-01", .done, done: "2026-05-03"),
            action(3, due: "2026-05-10", .cancelled, done: "2026-05-01"), action(4, due: "2026-06-15", .open),
            action(5, due: "2026-07-05", .done, done: "2026-07-01"), action(6, due: "2026-04-01", .done, done: "2026-03-30"),
            action(7, due: "2026-06-25", .open),
        ])
        let early = Self.result(.actionsOnTime, facts, today: "2026-06-10")
        #expect(early.items.map(\.caseID) == [6, 2, 1], "4 and 7 are open and not yet due")
        let result = Self.result(.actionsOnTime, facts, today: "2026-07-01")
        #expect(result.items.map(\.caseID) == [6, 2, 4, 7, 1] && result.items.map(\.counted) == [true, false, false, false, true])
        #expect(result.numerator == 2 && result.denominator == 5 && result.value == 40 && result.met == false)
        #expect(result.items[2].reason == "Due 15 June 2026: still open, 16 days overdue")
        #expect(result.items[1].reason == "Due 1 May 2026: completed 3 May 2026, 2 days late")
    }

    @Test("each record carries its case's MAPPA area, like the lead agency; the figure narrows to one area and to none")
    func byArea() {
        let facts = KPIFacts(
            reviewCases: [ReviewCaseFacts(caseID: 1, reference: "N1", leadAgency: "police", level: .three, startDate: Self.date("2026-03-01"),
                                          reviews: [Self.date("2026-04-20")], area: "north"),
                          ReviewCaseFacts(caseID: 2, reference: "N2", leadAgency: "police", level: .three, startDate: Self.date("2026-03-01"),
                                          reviews: [], area: "south")],
            referrals: [KPIReferral(referralID: 7, reference: "REF-00007", caseID: 3, leadAgency: "police",
                                    firstSubmitted: Self.date("2026-05-01"), timesReturned: 1, area: "north")],
            actions: [KPIAction(actionID: 9, caseID: 4, reference: "N4", leadAgency: "police", dueDate: Self.date("2026-05-01"),
                                status: .done, completedOn: Self.date("2026-04-30"))])
        let reviews = Self.result(.level3Reviews, facts, today: "2026-06-30")
        // N1: due 26 April, reviewed 20 April; then due 15 June, not reviewed. N2: due 26 April, not reviewed.
        #expect(reviews.items.map(\.area) == ["north", "south", "north"] && reviews.areas == ["north", "south"])
        #expect(reviews.forArea("north").numerator == 1 && reviews.forArea("north").denominator == 2)
        #expect(reviews.forArea("south").numerator == 0 && reviews.forArea("south").denominator == 1)
        #expect(!reviews.forArea("east").hasData)
        #expect(Self.result(.referralsReturned, facts, today: "2026-06-30").items.map(\.area) == ["north"])
        let actions = Self.result(.actionsOnTime, facts, today: "2026-06-30")
        #expect(actions.areas == [""] && actions.forArea("").numerator == 1, "a case with no area is its own group")
        let benchmark = KPICalculator.benchmark(.level3Reviews, settings: KPIIndicator.level3Reviews.defaultSettings, facts: facts,
                                                chosen: Self.q1, trendLength: 3, today: Self.date("2026-06-30"), timescales: Timescales())
        let north = benchmark.forArea("north")
        #expect(north.current.denominator == 2 && north.trend.count == 3 && north.trend.last == north.current)
    }

    // MARK: 9, referrals returned

    @Test("referrals returned as incomplete: lower is better, the target is a ceiling")
    func referralsReturned() {
        func referral(_ id: Int64, _ submitted: String?, returned: Int) -> KPIReferral {
            KPIReferral(referralID: id, reference: "REF-\(id)", leadAgency: "police", firstSubmitted: submitted.map(Self.date), timesReturned: returned)
        }
        let facts = KPIFacts(referrals: [referral(1, "2026-04-02", returned: 0), referral(2, "2026-05-01", returned: 2),
                                         referral(3, "2026-06-30", returned: 1), referral(4, "2026-03-31", returned: 1), referral(5, nil, returned: 0)])
        let result = Self.result(.referralsReturned, facts, today: "2026-07-01")
        #expect(result.numerator == 2 && result.denominator == 3 && result.valueText == "66.7%" && result.met == false)
        #expect(result.items[1].reason == "Submitted 1 May 2026: returned 2 times as incomplete")
        var settings = KPIIndicator.referralsReturned.defaultSettings
        settings.target = 66.7
        #expect(Self.result(.referralsReturned, facts, today: "2026-07-01", settings: settings).met == true,
                "compared as shown: 66.7% is at most 66.7%")
        settings.direction = .atLeast
        settings.target = 66.8
        #expect(Self.result(.referralsReturned, facts, today: "2026-07-01", settings: settings).met == false)
        let none = KPIFacts(referrals: [referral(1, "2026-04-02", returned: 0)])
        #expect(Self.result(.referralsReturned, none, today: "2026-07-01").met == true && Self.result(.referralsReturned, none, today: "2026-07-01").value == 0)
    }

    // MARK: 10, days to screening

    @Test("days to a screening decision: median or mean of the days; the count is those within the target")
    func screeningDays() {
        func referral(_ id: Int64, _ submitted: String, decided: String?) -> KPIReferral {
            KPIReferral(referralID: id, reference: "REF-\(id)", leadAgency: "probation", firstSubmitted: Self.date(submitted),
                        decidedOn: decided.map(Self.date))
        }
        var referrals = [referral(1, "2026-04-01", decided: "2026-04-04"), referral(2, "2026-04-20", decided: "2026-04-30"),
                         referral(3, "2026-05-01", decided: "2026-05-22"), referral(4, "2026-06-25", decided: "2026-06-30"),
                         referral(5, "2026-06-25", decided: "2026-07-01"), referral(6, "2026-06-25", decided: nil)]
        let result = Self.result(.screeningDays, KPIFacts(referrals: referrals), today: "2026-07-15")
        #expect(result.items.compactMap(\.days) == [3, 10, 21, 5])
        #expect(result.numerator == 3 && result.denominator == 4, "10 days is within a 10-day target")
        #expect(result.value == 7.5 && result.valueText == "7.5 days (median)" && result.met == true)
        var mean = KPIIndicator.screeningDays.defaultSettings
        mean.average = .mean
        let meanResult = Self.result(.screeningDays, KPIFacts(referrals: referrals), today: "2026-07-15", settings: mean)
        #expect(meanResult.value == 9.75 && meanResult.valueText == "9.8 days (mean)" && meanResult.met == true)
        var strict = KPIIndicator.screeningDays.defaultSettings
        strict.target = 7
        let strictResult = Self.result(.screeningDays, KPIFacts(referrals: referrals), today: "2026-07-15", settings: strict)
        #expect(strictResult.met == false && strictResult.numerator == 2)
        referrals.append(referral(7, "2026-06-01", decided: "2026-06-05"))
        #expect(Self.result(.screeningDays, KPIFacts(referrals: referrals), today: "2026-07-15").value == 5, "odd count: the middle one")
    }
}
