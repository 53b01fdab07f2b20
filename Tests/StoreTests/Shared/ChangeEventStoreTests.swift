import Domain
@testable import Store
import Testing
import TestSupport

/// Change events (issue 29 item 3): written with the change, in order, and read back only by those who may see them.
@Suite("Change events")
struct ChangeEventStoreTests {
    static func row(_ ref: String, category: MappaCategory = .two, level: ManagementLevel = .two, lead: String = "police",
                    crn: String = "", pnc: String = "", status: CaseStatus = .active, exitDate: CalendarDate? = nil) -> CaseRegisterRow {
        CaseRegisterRow(nominalRef: ref, familyName: "Eventperson", givenNames: "Sam", dateOfBirth: CalendarDate("1981-02-03")!, pncID: pnc,
                        crn: crn, category: category, level: level, leadAgency: lead, mappaStartDate: CalendarDate("2026-01-05"),
                        status: status, exitDate: exitDate, exitReason: exitDate == nil ? "" : "Order ended")
    }

    @Test("registration, a level change, a category change and an exit are events in order, naming the person by CRN and PNC",
          arguments: DatabaseKind.available)
    func caseEvents(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let coordinator = try world.coordinator()
        let caseID = try #require(try world.importCases([Self.row("EV1", crn: "X123456", pnc: "2001/0000001A")])["EV1"])
        let record = try world.record(caseID)
        var details = record.details
        details.level = .three
        #expect(throws: DomainError.self, "a stale edit is refused") {
            try world.stores.cases.updateCase(id: caseID, details: details, reason: "Risk up", expectedVersion: record.version - 1, by: coordinator)
        }
        #expect(try world.stores.changeEvents.events(after: 0, limit: 100, for: coordinator).events.count == 1,
                "a change that was not made leaves no event: the event is written in the change's transaction")
        try world.stores.cases.updateCase(id: caseID, details: details, reason: "Risk up", expectedVersion: record.version, by: coordinator)
        try world.importCases([Self.row("EV1", category: .one, level: .three, crn: "X123456", pnc: "2001/0000001A", status: .exited,
                                        exitDate: world.today)])

        let page = try world.stores.changeEvents.events(after: 0, limit: 100, for: coordinator)
        #expect(page.events.map(\.eventType) == [.caseRegistered, .levelChanged, .categoryChanged, .caseExited])
        #expect(page.events.map(\.id) == page.events.map(\.id).sorted() && Set(page.events.map(\.id)).count == 4, "ids only grow")
        #expect(page.events.allSatisfy { $0.crn == "X123456" && $0.pnc == "2001/0000001A" && $0.caseID == caseID })
        #expect(page.events.first?.additionalInformation == ["caseId": String(caseID), "category": "2", "level": "2"])
        #expect(page.events.dropFirst().first?.additionalInformation == ["caseId": String(caseID), "previousLevel": "2", "level": "3"])
        #expect(page.events.dropFirst(2).first?.additionalInformation == ["caseId": String(caseID), "previousCategory": "2", "category": "1"])
        #expect(page.next == page.events.last?.id && !page.more)
        #expect(try world.stores.changeEvents.events(after: page.next, limit: 100, for: coordinator).events.isEmpty)
    }

    @Test("each account sees only events about what it may see; the cursor still moves past the rest", arguments: DatabaseKind.available)
    func needToKnow(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let coordinator = try world.coordinator()
        let ids = try world.importCases([Self.row("OPEN1"), Self.row("HIDE2", category: .four), Self.row("PROB3", lead: "probation")])
        let (open, hidden, probation) = (ids["OPEN1"]!, ids["HIDE2"]!, ids["PROB3"]!)
        try world.involve(open, agency: "housing")
        let keeper = try world.keeper()
        try world.name("restricted.keeper", on: hidden, as: .allow)
        let meeting = try world.schedule(MeetingPlan(kind: .level2, title: "Level 2 panel", date: world.today.adding(days: 7), startTime: "10:00",
                                                     venue: "Room 1"))
        let events = world.stores.changeEvents
        func cases(_ viewer: Viewer) throws -> [Int64?] { try events.events(after: 0, limit: 100, for: viewer).events.map(\.caseID) }

        #expect(try cases(coordinator) == [open, probation, nil], "a restricted case's events are not shown to a coordinator not named on it")
        #expect(try cases(keeper) == [open, hidden, probation, nil], "the coordinator named on the restricted case sees its events")
        #expect(try cases(try world.viewer(.agencyRepresentative)) == [open],
                "housing sees the case it is involved in, and not a meeting it is not part of")
        let referrer = try world.viewer(.referrer)
        let nothing = try events.events(after: 0, limit: 100, for: referrer)
        let everything = try events.events(after: 0, limit: 100, for: keeper)
        #expect(nothing.events.isEmpty && nothing.next == everything.next,
                "someone who may see none of them reads no events, and the cursor moves to the last event looked at")
        #expect(try events.events(after: 0, limit: 100, for: coordinator).events.last?.meetingID == meeting.id)

        // One at a time: the hidden case's event is a page with nothing shown that still moves the cursor on.
        var after: Int64 = 0
        var seen: [[Int64?]] = []
        while true {
            let page = try events.events(after: after, limit: 1, for: coordinator)
            seen.append(page.events.map(\.caseID))
            #expect(page.next > after)
            after = page.next
            if !page.more { break }
        }
        #expect(seen == [[open], [], [probation], [nil]])
    }

    @Test("cancelling a meeting and a referral's submission are events too", arguments: DatabaseKind.available)
    func meetingAndReferral(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let coordinator = try world.coordinator()
        let meeting = try world.schedule(MeetingPlan(kind: .level3, title: "Level 3 panel", date: world.today.adding(days: 3), startTime: "09:30",
                                                     venue: "Room 2"))
        try world.stores.meetings.cancel(meeting, reason: "The chair is ill", by: coordinator)
        let referrer = try world.viewer(.referrer)
        var form = ReferralForm()
        form.familyName = "Referredperson"
        form.givenNames = "Kim"
        let referral = try world.stores.referrals.createReferral(form, by: referrer)
        _ = try world.stores.referrals.submitReferral(id: referral.id, by: referrer)

        let all = try world.stores.changeEvents.events(after: 0, limit: 100, for: coordinator).events
        #expect(all.map(\.eventType) == [.meetingScheduled, .meetingCancelled, .referralSubmitted])
        #expect(all[1].additionalInformation["meetingId"] == String(meeting.id) && all[1].meetingID == meeting.id)
        #expect(all[2].referralID == referral.id && all[2].additionalInformation == ["referralId": String(referral.id), "resubmitted": "false"])
        #expect(try world.stores.changeEvents.events(after: 0, limit: 100, for: referrer).events.map(\.eventType) == [.referralSubmitted],
                "the referrer sees their own referral's event, and no meeting's")
        #expect(try world.stores.changeEvents.events(after: 0, limit: 100, for: try world.viewer(.agencyRepresentative)).events.isEmpty)
    }

    @Test("a screening decision, and approved minutes with the level change they make, are events", arguments: DatabaseKind.available)
    func screeningAndMinutes(kind: DatabaseKind) throws {
        let (world, discussion, caseID) = try MinutesApprovalTests.submittedMinutes(kind) { _ in }
        let coordinator = try world.coordinator()
        let chair = try world.viewer(.chair)
        try world.stores.minutes.approve(try world.discussion(discussion.meeting.id, discussion.item.id, as: chair), by: chair)
        let referrer = try world.viewer(.referrer)
        var form = ReferralForm()
        form.familyName = "Screenedperson"
        form.givenNames = "Lee"
        let referral = try world.stores.referrals.createReferral(form, by: referrer)
        _ = try world.stores.referrals.submitReferral(id: referral.id, by: referrer)
        try world.stores.screening.recordScreening(referralID: referral.id, outcome: .decline(reason: "Level 1 is enough"),
                                                   facts: ScreeningFacts(category: .two, rosh: .high, addsValue: false, previouslyLevel3: false),
                                                   rationale: "Managed by the lead agency", by: coordinator)

        let all = try world.stores.changeEvents.events(after: 0, limit: 100, for: coordinator).events
        #expect(all.map(\.eventType) == [.caseRegistered, .meetingScheduled, .levelChanged, .minutesApproved, .referralSubmitted,
                                         .screeningDecisionRecorded])
        let level = try #require(all.first { $0.eventType == .levelChanged })
        #expect(level.additionalInformation["level"] == "2" && level.occurredAt.hasPrefix(discussion.meeting.date.description),
                "the minutes' level takes effect as of the meeting")
        let approved = try #require(all.first { $0.eventType == .minutesApproved })
        #expect(approved.caseID == caseID && approved.meetingID == discussion.meeting.id
                && approved.additionalInformation["meetingDate"] == discussion.meeting.date.description)
        let decision = try #require(all.last)
        #expect(decision.referralID == referral.id && decision.caseID == nil
                && decision.additionalInformation == ["referralId": String(referral.id), "decision": "declined", "decidedOn": world.today.description])
        #expect(try world.stores.changeEvents.events(after: 0, limit: 100, for: referrer).events.map(\.eventType)
                == [.referralSubmitted, .screeningDecisionRecorded], "the referrer follows their own referral, and nothing else")
    }

    @Test("the overdue sweep notes each open action once, when it passes its due date, as an event about its case",
          arguments: DatabaseKind.available)
    func overdueActions(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let coordinator = try world.coordinator()
        let ids = try world.importCases([Self.row("ACT1"), Self.row("ACT2", category: .four)])
        let owner = try world.userOwner("user.coordinator")
        let late = try world.stores.actions.create(NewAction(caseID: ids["ACT1"]!, description: "Home visit", owner: owner, area: .supervision,
                                                             dueDate: world.today.adding(days: 1)), by: coordinator)
        let done = try world.stores.actions.create(NewAction(caseID: ids["ACT1"]!, description: "Check licence", owner: owner, area: .supervision,
                                                             dueDate: world.today.adding(days: 1)), by: coordinator)
        let keeper = try world.keeper()
        try world.name("restricted.keeper", on: ids["ACT2"]!, as: .allow)
        _ = try world.stores.actions.create(NewAction(caseID: ids["ACT2"]!, description: "Restricted task", owner: owner, area: .supervision,
                                                      dueDate: world.today.adding(days: 1)), by: keeper)
        let finished = try world.stores.actions.action(id: done, for: coordinator)
        try world.stores.actions.update(id: done, status: .done, note: "Checked", dueDate: nil, expectedVersion: finished.action.version, by: coordinator)

        #expect(try world.stores.actions.noteOverdue(asSystem: .reminders) == 0, "nothing is overdue on its due date's eve")
        world.clock.advance(by: 2 * 86_400)
        #expect(try world.stores.actions.noteOverdue(asSystem: .reminders) == 2, "the open action on each case; not the one done")
        #expect(try world.stores.actions.noteOverdue(asSystem: .reminders) == 0, "each is noted once")

        let overdue = try world.stores.changeEvents.events(after: 0, limit: 100, for: coordinator).events.filter { $0.eventType == .actionOverdue }
        #expect(overdue.map { $0.additionalInformation["actionId"] } == [String(late)], "the restricted case's action is not shown")
        #expect(overdue.first?.additionalInformation["dueDate"] == world.today.adding(days: -1).description)
        #expect(try world.stores.changeEvents.events(after: 0, limit: 100, for: keeper).events.filter { $0.eventType == .actionOverdue }.count == 2)
    }
}
