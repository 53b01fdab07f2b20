import Database
import Domain
import Foundation
import Store
import Testing
import TestSupport

/// Approved minutes update the case: the panel's decisions take effect as of the meeting date, into the case history,
/// and the next review is the one the panel set or the meeting date plus the interval for the level decided.
@Suite("Approved minutes update the case")
struct MinutesApprovalTests {
    /// The review date a panel sets: 60 days after the test clock's start (the clock does not move here).
    static let panelReview = CalendarDate(ManualClock().now).adding(days: 60)

    /// A Level 3 Category 2 case on a Level 3 panel held today, three days before the minutes are written, with minutes written and sent to the chair.
    static func submittedMinutes(_ kind: DatabaseKind, held: Bool = true, decide: (inout MinutesContent) -> Void) throws -> (StoreWorld, Discussion, Int64) {
        let world = try StoreWorld(kind)
        let today = world.today
        let caseID = try world.importCases([
            CaseRegisterRow(nominalRef: "MIN1", familyName: "Minuteperson", givenNames: "Alex", dateOfBirth: CalendarDate("1980-02-02")!,
                            category: .two, level: .three, leadAgency: "probation", mappaStartDate: today.adding(days: -400),
                            nextReviewDate: today.adding(days: 20), rosh: .veryHigh),
        ])["MIN1"]!
        let meeting = try world.schedule(MeetingPlan(kind: .level3, title: "Level 3 panel", date: today, startTime: "10:00", venue: "Room 1"))
        try world.addToAgenda(meeting.id, caseID: caseID)
        world.clock.advance(by: 3 * 86_400)
        if held { try world.markHeld(meeting.id) }
        let item = try world.items(meeting.id)[0]
        let coordinator = try world.coordinator()
        _ = try world.stores.minutes.startDraft(try world.discussion(meeting.id, item.id), by: coordinator)
        var content = MinutesContent()
        content.newInformation = [AgencyUpdate(agency: "probation", text: "Complying with licence conditions")]
        content.riskAssessment = "Former partner at risk of violence; risk reduced since the move away"
        content.rosh = .high
        content.victimIssues = "Victim liaison in contact"
        content.diversity = "None identified"
        content.disclosureConsidered = true
        content.disclosureDecision = "No disclosure"
        content.disclosureRationale = "The partner already knows"
        content.supervision = "Fortnightly reporting"
        content.monitoringAndControl = "Exclusion zone"
        content.interventionsAndTreatment = "Alcohol treatment"
        content.victimSafetyPlanning = "Marker on the address"
        content.decisions = [MinutesDecision(decision: "Step down to Level 2", rationale: "Risk reduced; plan in place")]
        content.levelDecision = .two
        content.leadAgency = "probation"
        decide(&content)
        var discussion = try world.discussion(meeting.id, item.id)
        try world.stores.minutes.save(discussion, content: content, expectedVersion: discussion.minutes!.version, by: coordinator)
        discussion = try world.discussion(meeting.id, item.id)
        let findings = try world.stores.minutes.submit(discussion, expectedVersion: discussion.minutes!.version, by: coordinator)
        #expect(findings.isEmpty, "\(findings.map(\.message))")
        return (world, try world.discussion(meeting.id, item.id), caseID)
    }

    @Test("level, category and RoSH take effect as of the meeting date; the chair saw the same changes first", arguments: DatabaseKind.available)
    func decisionsTakeEffect(kind: DatabaseKind) throws {
        let (world, discussion, caseID) = try Self.submittedMinutes(kind) { content in
            content.categoryDecision = .three
            content.roshByGroup = [.knownAdult: .high]
            content.nextReviewDate = Self.panelReview
        }
        let chair = try world.viewer(.chair)
        let preview = try world.stores.minutes.changesOnApproval(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair))
        #expect(preview.map(\.field) == ["category", "level", "next_review_date", "rosh", "rosh_known_adult"])
        try world.stores.minutes.approve(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair), by: chair)

        let record = try world.record(caseID)
        #expect(record.level == .two && record.category == .three && record.rosh == .high && record.roshByGroup[.knownAdult] == .high)
        #expect(record.nextReviewDate == Self.panelReview && record.lastReviewedOn == discussion.meeting.date)
        let history = try world.history(caseID).filter { $0.reason.contains("approved by the chair") }
        #expect(history.map(\.field) == preview.map(\.field), "the history holds what the chair was shown")
        #expect(history.allSatisfy { $0.changedAt.hasPrefix(discussion.meeting.date.description) }, "dated as of the meeting")
    }

    @Test("with no date set, the next review is the meeting date plus the interval for the level decided", arguments: DatabaseKind.available)
    func reviewFromInterval(kind: DatabaseKind) throws {
        let (world, discussion, caseID) = try Self.submittedMinutes(kind) { _ in }
        let chair = try world.viewer(.chair)
        try world.stores.minutes.approve(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair), by: chair)
        #expect(try world.record(caseID).nextReviewDate == discussion.meeting.date.adding(weeks: 16), "Level 2: every 16 weeks")
    }

    @Test("minutes of a meeting not yet marked held cannot be approved; once it is, they can", arguments: DatabaseKind.available)
    func notHeldRefused(kind: DatabaseKind) throws {
        let (world, discussion, caseID) = try Self.submittedMinutes(kind, held: false) { _ in }
        let chair = try world.viewer(.chair)
        let before = try world.record(caseID)
        do {
            try world.stores.minutes.approve(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair), by: chair)
            Issue.record("approved minutes of a meeting that was not held")
        } catch let error as DomainError {
            #expect(error.problems.map(\.message) == ["The meeting has not been marked as held yet: the coordinator marks it held, then the minutes can be approved"])
        }
        #expect(try world.discussion(discussion.meeting.id, discussion.item.id).minutes?.status == .submitted)
        #expect(try world.record(caseID).level == before.level)
        try world.markHeld(discussion.meeting.id)
        try world.stores.minutes.approve(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair), by: chair)
        #expect(try world.discussion(discussion.meeting.id, discussion.item.id).minutes?.status == .approved)
    }

    @Test("minutes of a meeting dated in the future cannot be approved")
    func futureMeetingRefused() throws {
        #expect(MinutesWorkflow.approvalBlocked(meetingStatus: .scheduled, meetingDate: CalendarDate("2027-03-10")!,
                                                today: CalendarDate("2027-03-03")!)
                == "The meeting is on \(CalendarDate("2027-03-10")!.displayText): minutes can be approved only after the meeting has been held")
        #expect(MinutesWorkflow.approvalBlocked(meetingStatus: .held, meetingDate: CalendarDate("2027-03-10")!,
                                                today: CalendarDate("2027-03-03")!) != nil, "held, yet dated next week")
        #expect(MinutesWorkflow.approvalBlocked(meetingStatus: .cancelled, meetingDate: CalendarDate("2027-03-01")!,
                                                today: CalendarDate("2027-03-03")!) != nil)
        #expect(MinutesWorkflow.approvalBlocked(meetingStatus: .held, meetingDate: CalendarDate("2027-03-03")!,
                                                today: CalendarDate("2027-03-03")!) == nil)
    }

    @Test("decisions that break the case's rules refuse the approval and change nothing", arguments: DatabaseKind.available)
    func brokenDecisionRefused(kind: DatabaseKind) throws {
        let (world, discussion, caseID) = try Self.submittedMinutes(kind) { content in
            content.categoryDecision = .three
            content.levelDecision = .one
        }
        let chair = try world.viewer(.chair)
        #expect(throws: DomainError.self) {
            try world.stores.minutes.approve(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair), by: chair)
        }
        let record = try world.record(caseID)
        #expect(record.level == .three && record.category == .two)
        #expect(try world.discussion(discussion.meeting.id, discussion.item.id).minutes?.status == .submitted)
    }
}

