import Domain
import Testing

@Suite("What approved minutes change on the case")
struct MinutesOutcomeTests {
    static let meeting = CalendarDate("2026-12-10")!
    static let current = CaseDetails(category: .two, level: .three, leadAgency: "probation", startDate: CalendarDate("2025-01-06")!,
                                     nextReviewDate: CalendarDate("2027-01-06"), rosh: .veryHigh,
                                     roshByGroup: [.children: .low, .knownAdult: .veryHigh])

    @Test("the panel's level, category, lead agency and RoSH decisions take effect, in the order the case page lists them")
    func decisionsTakeEffect() {
        var minutes = MinutesContent()
        minutes.levelDecision = .two
        minutes.categoryDecision = .three
        minutes.leadAgency = "police"
        minutes.rosh = .high
        minutes.roshByGroup = [.knownAdult: .high]
        minutes.nextReviewDate = CalendarDate("2027-02-01")
        let changes = MinutesOutcome.changes(to: Self.current, content: minutes, meetingDate: Self.meeting, timescales: Timescales())
        #expect(changes.map(\.field) == ["category", "level", "lead_agency", "next_review_date", "rosh", "rosh_known_adult"])
        #expect(changes.first { $0.field == "level" }?.newValue == "2")
        #expect(changes.first { $0.field == "rosh_known_adult" }?.oldValue == "very high")
        let after = MinutesOutcome.details(after: Self.current, content: minutes, meetingDate: Self.meeting, timescales: Timescales())
        #expect(after.roshByGroup[.children] == .low, "a group the minutes leave blank keeps its assessment")
    }

    @Test("with no date set by the panel, the next review is the meeting date plus the interval for the level decided")
    func reviewFromInterval() {
        var minutes = MinutesContent()
        minutes.levelDecision = .two
        let after = MinutesOutcome.details(after: Self.current, content: minutes, meetingDate: Self.meeting, timescales: Timescales())
        #expect(after.nextReviewDate == Self.meeting.adding(weeks: 16))
        minutes.levelDecision = .three
        #expect(MinutesOutcome.details(after: Self.current, content: minutes, meetingDate: Self.meeting, timescales: Timescales())
            .nextReviewDate == Self.meeting.adding(weeks: 8))
        minutes.levelDecision = .one
        #expect(MinutesOutcome.details(after: Self.current, content: minutes, meetingDate: Self.meeting, timescales: Timescales())
            .nextReviewDate == nil, "Level 1 has no multi-agency review")
    }

    @Test("minutes that decide nothing new change only the review date")
    func nothingNew() {
        var minutes = MinutesContent()
        minutes.levelDecision = .three
        minutes.leadAgency = "probation"
        minutes.rosh = .veryHigh
        minutes.nextReviewDate = CalendarDate("2027-01-06")
        #expect(MinutesOutcome.changes(to: Self.current, content: minutes, meetingDate: Self.meeting, timescales: Timescales()).isEmpty)
    }
}
