import Database
@testable import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// Partner agencies in the loop, through the stores the pages use: the housing representative reads the approved
/// minutes of the case housing is involved in (never a draft, never another agency's case, not when excluded), and a
/// distribution made another way meets the deadline as mail from the app does.
@Suite("Partner minutes and recorded distribution")
struct PartnerMinutesTests {
    /// Two cases on one held Level 2 panel: `shared` (housing involved) and `probationOnly` (no partner agency). A second
    /// housing representative is on the shared case's exclusion list.
    struct World {
        let world: StoreWorld
        let meeting: Meeting
        let shared: Int64, probationOnly: Int64
        let sharedItem: Int64, probationItem: Int64

        init(_ kind: DatabaseKind) throws {
            world = try StoreWorld(kind)
            let today = world.today
            let ids = try world.importCases([
                CaseRegisterRow(nominalRef: "PM1", familyName: "Sharedcase", givenNames: "Alex", dateOfBirth: CalendarDate("1980-01-01")!,
                                category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -100)),
                CaseRegisterRow(nominalRef: "PM2", familyName: "Probationonly", givenNames: "Sam", dateOfBirth: CalendarDate("1981-01-01")!,
                                category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -100)),
            ])
            let shared = ids["PM1"]!, probationOnly = ids["PM2"]!
            self.shared = shared
            self.probationOnly = probationOnly
            try world.involve(shared, agency: "housing")
            try world.addUser("housing.excluded", role: .agencyRepresentative, agency: "housing")
            try world.name("housing.excluded", on: shared, as: .exclude)
            try world.addUser("dwp.rep", role: .agencyRepresentative, agency: "dwp")
            meeting = try world.schedule(MeetingPlan(kind: .level2, title: "Partner panel", date: today, startTime: "10:00", venue: "Room 1",
                                                     chairGrade: .manager))
            try world.addToAgenda(meeting.id, caseID: shared)
            try world.addToAgenda(meeting.id, caseID: probationOnly)
            try world.stores.meetings.confirmInvitees(meeting, [
                (try world.agencyID("police"), "DS Police", "police@example.invalid"),
                (try world.agencyID("housing"), "Housing Lead", "housing@example.invalid"),
                (try world.agencyID("dwp"), "DWP Person", "dwp@example.invalid")], by: try world.coordinator().actor)
            let items = try world.items(meeting.id)
            sharedItem = try #require(items.first { $0.caseID == shared }?.id)
            probationItem = try #require(items.first { $0.caseID == probationOnly }?.id)
        }

        /// Writes, submits (the quality check is not what is tested here) and approves the discussion's minutes.
        func approve(_ itemID: Int64, meetingID: Int64? = nil) throws {
            let coordinator = try world.coordinator()
            let discussion = try world.discussion(meetingID ?? meeting.id, itemID)
            let draft = try world.stores.minutes.startDraft(discussion, by: coordinator)
            try world.stores.minutes.move(draft.id, .submit, expectedVersion: nil, viewer: coordinator)
            try holdIfScheduled(meetingID ?? meeting.id)
            try world.stores.minutes.approve(try world.discussion(meetingID ?? meeting.id, itemID), by: try world.viewer(.chair))
        }

        /// Minutes are approved only once their meeting has been held.
        func holdIfScheduled(_ meetingID: Int64) throws {
            if try world.meeting(meetingID).status == .scheduled { try world.markHeld(meetingID) }
        }
    }

    @Test("the involved agency reads approved minutes only; another agency and an excluded person do not", arguments: DatabaseKind.available)
    func needToKnow(kind: DatabaseKind) throws {
        let w = try World(kind)
        let minutes = w.world.stores.minutes
        let housing = try w.world.viewer(.agencyRepresentative)
        // A draft is not readable by the partner: the discussion loads, with no minutes.
        _ = try minutes.startDraft(try w.world.discussion(w.meeting.id, w.sharedItem), by: try w.world.coordinator())
        #expect(try w.world.discussion(w.meeting.id, w.sharedItem, as: housing).minutes == nil, "a draft is not shown to a partner agency")
        #expect(try minutes.readableMinutes(for: housing).total == 0)
        #expect(try w.world.discussion(w.meeting.id, w.sharedItem).minutes?.status == .draft, "the coordinator reads the draft")

        let coordinator = try w.world.coordinator()
        try minutes.move(try #require(try w.world.discussion(w.meeting.id, w.sharedItem).minutes).id, .submit, expectedVersion: nil, viewer: coordinator)
        try w.holdIfScheduled(w.meeting.id)
        try minutes.approve(try w.world.discussion(w.meeting.id, w.sharedItem), by: try w.world.viewer(.chair))
        try w.approve(w.probationItem)

        let seen = try w.world.discussion(w.meeting.id, w.sharedItem, as: housing)
        #expect(seen.minutes?.status == .approved && seen.readsDrafts == false)
        let list = try minutes.readableMinutes(for: housing)
        #expect(list.total == 1 && list.items.map(\.caseID) == [w.shared], "only the case housing is involved in")
        #expect(list.items.first?.nominalRef == "PM1")

        // Another agency's case: refused by need-to-know, whatever the minutes.
        #expect(throws: DomainError.self) { try w.world.discussion(w.meeting.id, w.probationItem, as: housing) }
        let excluded = try w.world.viewer("housing.excluded")
        #expect(try minutes.readableMinutes(for: excluded).total == 0, "the exclusion list keeps them out")
        #expect(throws: DomainError.self) { try w.world.discussion(w.meeting.id, w.sharedItem, as: excluded) }
        let dwp = try w.world.viewer("dwp.rep")
        #expect(try minutes.readableMinutes(for: dwp).total == 0, "invited, but not involved in either case")
        #expect(try minutes.readableMinutes(for: try w.world.viewer(.referrer)).total == 0)
        #expect(try minutes.readableMinutes(for: coordinator).total == 2)

        // An amendment starts a draft version 2: the partner still reads version 1, and is not shown the draft.
        _ = try minutes.amend(try w.world.discussion(w.meeting.id, w.sharedItem), changeNote: "Correct the owner", by: coordinator)
        let after = try w.world.discussion(w.meeting.id, w.sharedItem, as: housing)
        #expect(after.minutes?.versionNumber == 1 && after.minutes?.status == .approved)
        #expect(try minutes.versions(of: after).map(\.versionNumber) == [1])
        #expect(try minutes.versions(of: try w.world.discussion(w.meeting.id, w.sharedItem)).map(\.versionNumber) == [2, 1])
        #expect(try minutes.readableMinutes(for: housing).items.first?.versionNumber == 1)
    }

    @Test("minutes you may read: newest meeting first, with the count", arguments: DatabaseKind.available)
    func newestFirst(kind: DatabaseKind) throws {
        let w = try World(kind)
        try w.approve(w.sharedItem)
        w.world.clock.advance(by: 7 * 86_400)
        let later = try w.world.schedule(MeetingPlan(kind: .level2, title: "Later panel", date: w.world.today, startTime: "10:00", venue: "Room 1"))
        try w.world.addToAgenda(later.id, caseID: w.shared)
        try w.approve(try #require(try w.world.items(later.id).first?.id), meetingID: later.id)
        let housing = try w.world.viewer(.agencyRepresentative)
        let list = try w.world.stores.minutes.readableMinutes(for: housing)
        #expect(list.total == 2 && list.items.map(\.meetingTitle) == ["Later panel", "Partner panel"])
        let page = try w.world.stores.minutes.readableMinutes(for: housing, limit: 1, offset: 1)
        #expect(page.total == 2 && page.items.map(\.meetingTitle) == ["Partner panel"])
    }

    @Test("a distribution made another way: validated, audited, and it meets the deadline as mail does", arguments: DatabaseKind.available)
    func recordedDistribution(kind: DatabaseKind) throws {
        let w = try World(kind)
        let stores = w.world.stores
        let coordinator = try w.world.coordinator()
        try stores.meetings.markHeld(w.meeting, by: coordinator)
        try w.approve(w.sharedItem)
        let today = w.world.today
        let waiting = try stores.minutes.awaitingDistribution(for: coordinator)
        let deadline = MinutesWorkflow.distributionDeadline(meetingDate: w.meeting.date, workingDays: 10)
        #expect(waiting.map(\.minutes.caseID) == [w.shared] && waiting.first?.deadline == deadline && waiting.first?.overdue == false)
        #expect(try stores.minutes.awaitingDistribution(for: try w.world.viewer(.agencyRepresentative)).isEmpty, "the coordinator's queue only")

        let discussion = try w.world.discussion(w.meeting.id, w.sharedItem)
        func problems(_ distribution: RecordedDistribution) -> [String] {
            do { try stores.minutes.recordDistribution(discussion, distribution, by: coordinator); return [] } catch let error as DomainError {
                return error.problems.map(\.field)
            } catch { return ["unexpected \(error)"] }
        }
        #expect(problems(RecordedDistribution(date: today.adding(days: 1), recipients: "Housing Lead", method: "By hand")) == ["distributed_on"])
        #expect(problems(RecordedDistribution(date: today.adding(days: -1), recipients: "Housing Lead", method: "By hand")) == ["distributed_on"],
                "not before the approval")
        #expect(problems(RecordedDistribution(date: today, recipients: "", method: "By hand")) == ["recipients"])
        #expect(problems(RecordedDistribution(date: today, recipients: "Housing Lead", method: String(repeating: "x", count: 201))) == ["method"])
        #expect(problems(RecordedDistribution(date: today, recipients: "Housing\u{0007} Lead", method: "By hand")) == ["recipients"])
        #expect(throws: DomainError.self) {
            try stores.minutes.recordDistribution(discussion, RecordedDistribution(date: today, recipients: "Housing Lead", method: "By hand"),
                                                  by: try w.world.viewer(.agencyRepresentative))
        }
        #expect(try w.world.discussion(w.meeting.id, w.sharedItem).minutes?.status == .approved, "nothing recorded yet")

        try stores.minutes.recordDistribution(discussion, RecordedDistribution(date: today, recipients: " Housing Lead (Housing) ",
                                                                               method: "Secure email from the police system"), by: coordinator)
        let distributed = try #require(try w.world.discussion(w.meeting.id, w.sharedItem).minutes)
        #expect(distributed.status == .distributed && distributed.distributedAt == today.description)
        let record = try stores.minutes.distribution(of: try w.world.discussion(w.meeting.id, w.sharedItem), viewer: coordinator)
        #expect(record.messages.isEmpty && record.recorded.map(\.distribution.recipients) == ["Housing Lead (Housing)"])
        #expect(try stores.minutes.awaitingDistribution(for: coordinator).isEmpty)
        #expect(try stores.audit.recent(subjectType: "minutes", subjectID: String(distributed.id)).contains { $0.detail.hasPrefix("distribution recorded") })

        // The KPI reads the recorded date as it reads mail sent by the app: distributed within the deadline.
        let discussions = try stores.kpis.discussions(from: today.adding(days: -30), through: today)
        let item = try #require(discussions.first { $0.discussion.caseID == w.shared })
        #expect(item.firstDistributed == today)
        let counted = KPICalculator.minutesDistribution(discussions, workingDays: 10, period: ReportingPeriod.containing(today, kind: .quarter),
                                                        today: today.adding(days: 30))
        #expect(counted.first { $0.caseID == w.shared }?.counted == true)
        #expect(counted.first { $0.caseID == w.probationOnly }?.counted == false, "the other case's minutes were never distributed")
    }

    @Test("the compliance check holds minutes to the deadline as the KPI does, recorded distributions included", arguments: DatabaseKind.available)
    func complianceDeadline(kind: DatabaseKind) throws {
        let w = try World(kind)
        let stores = w.world.stores
        let coordinator = try w.world.coordinator()
        try stores.meetings.markHeld(w.meeting, by: coordinator)
        try w.approve(w.sharedItem)
        try w.approve(w.probationItem)
        let approvedOn = w.world.today
        func minutesFindings() throws -> [String] {
            try stores.meetings.compliance(of: try w.world.meeting(w.meeting.id), for: coordinator).filter { $0.check == .minutesDistribution }.map(\.message)
        }
        #expect(try minutesFindings().isEmpty, "not due yet")
        try stores.minutes.recordDistribution(try w.world.discussion(w.meeting.id, w.sharedItem),
                                              RecordedDistribution(date: approvedOn, recipients: "Housing Lead", method: "By hand"), by: coordinator)
        w.world.clock.advance(by: 20 * 86_400)
        let deadline = MinutesWorkflow.distributionDeadline(meetingDate: w.meeting.date, workingDays: 10)
        #expect(try minutesFindings() == ["PM2: minutes not distributed by \(deadline.displayText) (10 working days after the meeting)"],
                "the recorded distribution met the deadline; the other minutes are overdue")
        try stores.minutes.recordDistribution(try w.world.discussion(w.meeting.id, w.probationItem),
                                              RecordedDistribution(date: w.world.today, recipients: "DS Police", method: "Secure email"), by: coordinator)
        let late = try minutesFindings()
        #expect(late.count == 1 && late[0].hasPrefix("PM2: minutes distributed") && late[0].contains("after the deadline"))
        // The KPI reads the same: the shared case on time, the other late.
        let items = KPICalculator.minutesDistribution(try stores.kpis.discussions(from: approvedOn.adding(days: -1), through: w.world.today),
                                                      workingDays: 10, period: ReportingPeriod.containing(approvedOn, kind: .year), today: w.world.today)
        #expect(items.first { $0.caseID == w.shared }?.counted == true && items.first { $0.caseID == w.probationOnly }?.counted == false)
    }
}
