import Domain
import Testing

@Suite("Agenda builder and meeting compliance")
struct MeetingRuleTests {
    static let meetingDay = CalendarDate("2026-12-10")!

    @Test("the agenda proposes overdue, new and soon-due cases at the panel's level, most urgent first")
    func agenda() {
        let start = CalendarDate("2026-01-05")!
        let cases = [
            AgendaCase(caseID: 1, level: .two, startDate: start, nextReviewDate: CalendarDate("2026-12-20"), lastReviewedOn: CalendarDate("2026-08-30")),
            AgendaCase(caseID: 2, level: .two, startDate: start, nextReviewDate: CalendarDate("2026-11-01"), lastReviewedOn: CalendarDate("2026-07-12")),
            AgendaCase(caseID: 3, level: .two, startDate: CalendarDate("2026-12-01")!, nextReviewDate: nil, lastReviewedOn: nil),
            AgendaCase(caseID: 4, level: .two, startDate: start, nextReviewDate: CalendarDate("2027-03-01"), lastReviewedOn: CalendarDate("2026-11-09")),
            AgendaCase(caseID: 5, level: .three, startDate: start, nextReviewDate: CalendarDate("2026-11-01"), lastReviewedOn: CalendarDate("2026-09-06")),
            AgendaCase(caseID: 6, level: .two, status: .exited, startDate: start, nextReviewDate: CalendarDate("2026-11-01"), lastReviewedOn: nil),
            AgendaCase(caseID: 7, level: .two, startDate: start, nextReviewDate: CalendarDate("2026-12-10"), lastReviewedOn: CalendarDate("2026-08-20")),
        ]
        let proposals = AgendaBuilder.proposals(cases, kind: .level2, meetingDate: Self.meetingDay)
        #expect(proposals.map(\.caseID) == [2, 3, 7, 1])
        #expect(proposals[0].reason == .overdue(days: 39))
        #expect(proposals[1].reason == .newCase)
        #expect(proposals[2].reason == .due(inDays: 0))
        #expect(proposals[3].reason == .due(inDays: 10))
        #expect(AgendaBuilder.proposals(cases, kind: .level3, meetingDate: Self.meetingDay).map(\.caseID) == [5])
        #expect(AgendaBuilder.proposals(cases, kind: .screening, meetingDate: Self.meetingDay).isEmpty)
        #expect(AgendaReason.overdue(days: 1).text == "Review overdue by 1 day")
    }

    @Test("each proposal has its true reason: new, level changed, no review date, overdue by N days, due")
    func reasons() {
        let start = CalendarDate("2026-01-05")!
        let cases = [
            // Reviewed at Level 3 panels, now Level 2: its first Level 2 review, whatever the date says.
            AgendaCase(caseID: 1, level: .two, startDate: start, nextReviewDate: CalendarDate("2027-02-01"),
                       lastReviewedOn: CalendarDate("2026-11-01"), lastReviewedLevel: .three),
            // Reviewed at Level 2 but no date stored: due, not invented.
            AgendaCase(caseID: 2, level: .two, startDate: start, nextReviewDate: nil, lastReviewedOn: CalendarDate("2026-09-01"), lastReviewedLevel: .two),
            // Overdue from the stored date even though start + interval would be long past for every case here.
            AgendaCase(caseID: 3, level: .two, startDate: start, nextReviewDate: CalendarDate("2026-12-07"),
                       lastReviewedOn: CalendarDate("2026-08-17"), lastReviewedLevel: .two),
            // Stored far ahead: not proposed although start + 16 weeks is long past.
            AgendaCase(caseID: 4, level: .two, startDate: start, nextReviewDate: CalendarDate("2027-01-06"),
                       lastReviewedOn: CalendarDate("2026-11-20"), lastReviewedLevel: .two),
            AgendaCase(caseID: 5, level: .two, startDate: start, nextReviewDate: CalendarDate("2026-12-20"), lastReviewedOn: nil),
        ]
        let proposals = AgendaBuilder.proposals(cases, kind: .level2, meetingDate: Self.meetingDay)
        #expect(proposals.map(\.caseID) == [3, 1, 2, 5])
        #expect(proposals.map(\.reason) == [.overdue(days: 3), .levelChanged(from: .three, to: .two), .noReviewDate, .newCase])
        #expect(proposals[0].reason.text == "Review overdue by 3 days")
        #expect(proposals[1].reason.text == "Level changed: moved from Level 3 to Level 2, first review at Level 2")
        #expect(proposals[2].reason.text == "No review date set: review due")
    }

    @Test("a case whose level no longer matches the panel is flagged")
    func levelMismatch() {
        #expect(AgendaBuilder.levelMismatch(caseLevel: .three, kind: .level3) == nil)
        let flag = AgendaBuilder.levelMismatch(caseLevel: .two, kind: .level3)
        #expect(flag?.hasPrefix("Level changed: this case is now managed at Level 2, not Level 3") == true)
        #expect(AgendaBuilder.levelMismatch(caseLevel: .one, kind: .level2) != nil)
        #expect(AgendaBuilder.levelMismatch(caseLevel: .two, kind: .professionals) == nil)
    }

    @Test("a time slot is HH:MM within the meeting's hours, or blank", arguments: [
        ("", true), ("10:00", true), ("11:59", true), ("09:59", false), ("12:00", false), ("10:0", false), ("1000", false),
        ("25:00", false), ("10:60", false), ("ab:cd", false), ("+1:30", false), ("10:30 ", false), ("٣٠:١٠", false),
    ])
    func timeSlot(slot: String, valid: Bool) {
        let problems = AgendaTimeSlot.problems(slot, meetingStart: "10:00", durationMinutes: 120)
        #expect(problems.isEmpty == valid)
        if !valid { #expect(problems.map(\.field) == ["start_time"]) }
    }

    static func discussion(_ attendance: [String: AttendanceStatus], lead: String = "probation", custody: Bool = false,
                           due: String? = "2026-12-10", acknowledged: Bool = true) -> DiscussionFacts {
        DiscussionFacts(caseID: 9, label: "N-9", level: .two, leadAgency: lead, inCustody: custody, reviewDue: due.flatMap(CalendarDate.init(_:)),
                        attendance: attendance, confidentialityAcknowledged: acknowledged)
    }

    static func held(_ discussions: [DiscussionFacts], kind: MeetingKind = .level2, grade: ChairGrade? = .manager,
                     papers: String? = "2026-12-01") -> MeetingFacts {
        MeetingFacts(kind: kind, date: meetingDay, status: .held, chairGrade: grade, papersSentOn: papers.flatMap(CalendarDate.init(_:)),
                     discussions: discussions)
    }

    func checks(_ facts: MeetingFacts) -> [ComplianceFinding.Check] {
        MeetingCompliance.findings(facts, today: Self.meetingDay).map(\.check)
    }

    @Test("a well-run held meeting has no findings")
    func clean() {
        #expect(checks(Self.held([Self.discussion(["police": .attended, "probation": .attended])])).isEmpty)
    }

    @Test("a missing core agency is flagged; a report instead of attendance is flagged as such; prison for custody cases")
    func coreAgencies() {
        let findings = MeetingCompliance.findings(Self.held([Self.discussion(["probation": .attended, "police": .apologies])]), today: Self.meetingDay)
        #expect(findings.map(\.check) == [.coreAgencies])
        #expect(findings[0].message == "N-9: Police was not represented")
        let report = MeetingCompliance.findings(Self.held([Self.discussion(["probation": .attended, "police": .reportSent])]), today: Self.meetingDay)
        #expect(report[0].message.contains("sent a report but was not represented"))
        let custody = MeetingCompliance.findings(Self.held([Self.discussion(["probation": .attended, "police": .attended], custody: true)]), today: Self.meetingDay)
        #expect(custody.map(\.message) == ["N-9: Prison Service was not represented"])
        let housingLead = MeetingCompliance.findings(Self.held([Self.discussion(["probation": .attended, "police": .attended], lead: "housing")]), today: Self.meetingDay)
        #expect(housingLead.map(\.message) == ["N-9: Local housing authority was not represented"])
    }

    @Test("attendance is not checked before the meeting is held; nothing is checked for a cancelled one")
    func notYetHeld() {
        var facts = Self.held([Self.discussion([:])])
        facts.status = .scheduled
        #expect(checks(facts).isEmpty)
        facts.status = .cancelled
        facts.chairGrade = nil
        #expect(checks(facts).isEmpty)
    }

    @Test("the chair's grade must suit the level")
    func chair() {
        let ok = [Self.discussion(["police": .attended, "probation": .attended])]
        #expect(checks(Self.held(ok, kind: .level3, grade: .manager)) == [.chairGrade])
        #expect(checks(Self.held(ok, kind: .level3, grade: .strategic)).isEmpty)
        #expect(checks(Self.held(ok, kind: .level2, grade: .strategic)).isEmpty)
        #expect(checks(Self.held(ok, kind: .level2, grade: nil)) == [.chairGrade])
    }

    @Test("a review held after the case's stored review date is flagged with how late; a case without one is flagged too")
    func interval() {
        let attended: [String: AttendanceStatus] = ["police": .attended, "probation": .attended]
        let late = MeetingCompliance.findings(Self.held([Self.discussion(attended, due: "2026-11-21")]), today: Self.meetingDay)
        #expect(late.map(\.check) == [.reviewInterval])
        #expect(late[0].message == "N-9: reviewed 19 days after its review date, 21 November 2026")
        #expect(checks(Self.held([Self.discussion(attended, due: "2026-12-10")])).isEmpty, "on the day is in time")
        let undated = MeetingCompliance.findings(Self.held([Self.discussion(attended, due: nil)]), today: Self.meetingDay)
        #expect(undated.map(\.message) == ["N-9: no review date was set for this Level 2 case"])
    }

    @Test("papers must go out five days ahead; the gap is flagged only once it matters")
    func papers() {
        let ok = [Self.discussion(["police": .attended, "probation": .attended])]
        #expect(checks(Self.held(ok, papers: "2026-12-08")) == [.papersInAdvance])
        #expect(checks(Self.held(ok, papers: nil)) == [.papersInAdvance])
        var upcoming = Self.held(ok, papers: nil)
        upcoming.status = .scheduled
        #expect(MeetingCompliance.findings(upcoming, today: CalendarDate("2026-11-25")!).isEmpty, "two weeks ahead: not late yet")
        #expect(MeetingCompliance.findings(upcoming, today: CalendarDate("2026-12-07")!).map(\.check) == [.papersInAdvance])
    }

    @Test("the confidentiality statement must be recorded for each discussion")
    func confidentiality() {
        #expect(checks(Self.held([Self.discussion(["police": .attended, "probation": .attended], acknowledged: false)])) == [.confidentiality])
    }
}
