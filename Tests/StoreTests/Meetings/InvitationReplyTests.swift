import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// An invited agency replies in the app; the reply shows on the invitee list and the compliance check reads it as it
/// reads recorded attendance. Invitation status comes from the outbox, and failed mail reaches the coordinator.
@Suite("Invitation replies and mail status")
struct InvitationReplyTests {
    /// A Level 2 panel with a housing-led case (housing is then a core agency) and a probation case housing is not in.
    struct World {
        let world: StoreWorld
        let meeting: Meeting
        let housingCase: Int64, otherCase: Int64

        init(_ kind: DatabaseKind) throws {
            world = try StoreWorld(kind)
            let today = world.today
            let ids = try world.importCases([
                CaseRegisterRow(nominalRef: "IR1", familyName: "Housingled", givenNames: "Alex", dateOfBirth: CalendarDate("1980-01-01")!,
                                category: .two, level: .two, leadAgency: "housing", mappaStartDate: today.adding(days: -30)),
                CaseRegisterRow(nominalRef: "IR2", familyName: "Notshared", givenNames: "Sam", dateOfBirth: CalendarDate("1981-01-01")!,
                                category: .two, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -30)),
            ])
            housingCase = ids["IR1"]!
            otherCase = ids["IR2"]!
            try world.involve(housingCase, agency: "housing")
            try world.addUser("prison.rep", role: .agencyRepresentative, agency: "prison")
            meeting = try world.schedule(MeetingPlan(kind: .level2, title: "Reply panel", date: today.adding(days: 7), startTime: "10:00",
                                                     venue: "Room 1", chairGrade: .manager))
            try world.addToAgenda(meeting.id, caseID: housingCase)
            try world.addToAgenda(meeting.id, caseID: otherCase)
            try world.stores.meetings.confirmInvitees(meeting, [
                (try world.agencyID("police"), "DS Police", "police@example.invalid"),
                (try world.agencyID("housing"), "Housing Lead", "housing@example.invalid")], by: try world.coordinator().actor)
        }
    }

    @Test("a reply: validated, shown on the invitee list, one per agency, refused to an agency not invited", arguments: DatabaseKind.available)
    func reply(kind: DatabaseKind) throws {
        let w = try World(kind)
        let meetings = w.world.stores.meetings
        let housing = try w.world.viewer(.agencyRepresentative)
        func fields(_ reply: InvitationReply, by viewer: Viewer) -> [String] {
            do { try meetings.reply(to: w.meeting, reply, by: viewer); return [] } catch let error as DomainError {
                return error.isValidation ? error.problems.map(\.field) : ["refused"]
            } catch { return ["unexpected"] }
        }
        #expect(fields(InvitationReply(response: .apologiesWithReport), by: housing) == ["report_text"], "a report, or say it is sent")
        #expect(fields(InvitationReply(response: .apologiesWithReport, reportText: String(repeating: "r", count: 2001)), by: housing) == ["report_text"])
        #expect(fields(InvitationReply(response: .apologiesWithReport, reportText: "Tenancy \u{0000}ended"), by: housing) == ["report_text"])
        #expect(fields(InvitationReply(response: .attending, reportText: "A report"), by: housing) == ["response"])
        #expect(fields(InvitationReply(response: .attending), by: try w.world.viewer("prison.rep")) == ["refused"], "prison is not invited")
        #expect(fields(InvitationReply(response: .attending), by: try w.world.viewer(.referrer)) == ["refused"])

        #expect(fields(InvitationReply(response: .attending), by: housing) == [])
        #expect(fields(InvitationReply(response: .apologiesWithReport, reportText: "Tenancy ended;\nnew address known", reportSent: true), by: housing) == [])
        let invitees = try meetings.invitees(of: w.meeting)
        let lead = try #require(invitees.first { $0.name == "Housing Lead" })
        #expect(lead.reply?.reply == InvitationReply(response: .apologiesWithReport, reportText: "Tenancy ended;\nnew address known", reportSent: true))
        #expect(lead.reply?.repliedBy == housing.user.displayName)
        #expect(invitees.first { $0.name == "DS Police" }?.reply == nil)
        let count = try w.world.stores.database.read { try $0.queryOne("SELECT COUNT(*) AS n FROM invitation_replies")?.value("n", as: Int.self) }
        #expect(count == 1, "the second reply replaced the first")
    }

    @Test("meetings you are invited to: upcoming first, only the cases the agency may see", arguments: DatabaseKind.available)
    func invitations(kind: DatabaseKind) throws {
        let w = try World(kind)
        let meetings = w.world.stores.meetings
        let housing = try w.world.viewer(.agencyRepresentative)
        let past = try w.world.schedule(MeetingPlan(kind: .level2, title: "Earlier panel", date: w.world.today, startTime: "09:00", venue: "Room 2"))
        try meetings.confirmInvitees(past, [(try w.world.agencyID("housing"), "Housing Lead", "housing@example.invalid")], by: try w.world.coordinator().actor)
        try meetings.markHeld(past, by: try w.world.coordinator())
        let later = try w.world.schedule(MeetingPlan(kind: .level2, title: "Later panel", date: w.world.today.adding(days: 21), startTime: "09:00", venue: "Room 2"))
        try meetings.confirmInvitees(later, [(try w.world.agencyID("housing"), "Housing Lead", "housing@example.invalid")], by: try w.world.coordinator().actor)
        _ = try w.world.schedule(MeetingPlan(kind: .level2, title: "Not invited", date: w.world.today.adding(days: 3), startTime: "09:00", venue: "Room 2"))
        try meetings.reply(to: w.meeting, InvitationReply(response: .apologies), by: housing)

        let list = try meetings.invitations(for: housing)
        #expect(list.map(\.meeting.title) == ["Reply panel", "Later panel", "Earlier panel"])
        #expect(list.map(\.upcoming) == [true, true, false])
        #expect(list[0].cases.map(\.nominalRef) == ["IR1"], "the probation case is not named to housing")
        #expect(list[0].reply?.reply.response == .apologies && list[1].reply == nil)
        #expect(try meetings.invitations(for: try w.world.viewer("prison.rep")).isEmpty)
        #expect(try meetings.invitation(meetingID: w.meeting.id, for: housing).meeting.id == w.meeting.id)
        #expect(throws: DomainError.self) { try meetings.invitation(meetingID: w.meeting.id, for: try w.world.viewer("prison.rep")) }
        // Once held, replies are closed.
        #expect(throws: DomainError.self) { try meetings.reply(to: try w.world.meeting(past.id), InvitationReply(response: .attending), by: housing) }
    }

    @Test("compliance reads apologies with a report as a report sent, as it reads recorded attendance", arguments: DatabaseKind.available)
    func compliance(kind: DatabaseKind) throws {
        let w = try World(kind)
        let meetings = w.world.stores.meetings
        let coordinator = try w.world.coordinator()
        try meetings.reply(to: w.meeting, InvitationReply(response: .apologiesWithReport, reportText: "Tenancy report"),
                           by: try w.world.viewer(.agencyRepresentative))
        w.world.clock.advance(by: 7 * 86_400)
        try meetings.markHeld(try w.world.meeting(w.meeting.id), by: coordinator)
        let findings = try meetings.compliance(of: try w.world.meeting(w.meeting.id), for: coordinator).map(\.message)
        #expect(findings.contains { $0.contains("IR1") && $0.contains("sent a report but was not represented") })
        #expect(!findings.contains { $0.contains("IR1") && $0.hasSuffix("Housing was not represented") })
        // Recorded attendance still counts: housing attended after all.
        let housingID = try w.world.agencyID("housing")
        try meetings.recordAttendance(try w.world.meeting(w.meeting.id), [AttendanceRecord(itemID: nil, agencyID: housingID, person: "Housing Lead",
                                                                                         status: .attended)],
                                      acknowledgedItemIDs: [], by: coordinator)
        let after = try meetings.compliance(of: try w.world.meeting(w.meeting.id), for: coordinator).map(\.message)
        #expect(!after.contains { $0.contains("IR1") && $0.contains("ousing") }, "\(after)")
        // The KPI's compliance facts read the same reply.
        let facts = try meetings.complianceFacts(meetingIDs: [w.meeting.id], asSystem: SystemJob("test"))
        #expect(facts[w.meeting.id]?.discussions.first { $0.caseID == w.housingCase }?.attendance["housing"] == .attended)
    }

    @Test("invitation status comes from the outbox: waiting, sent, failed with the reason", arguments: DatabaseKind.available)
    func outboxStatus(kind: DatabaseKind) throws {
        let w = try World(kind)
        let stores = w.world.stores
        let coordinator = try w.world.coordinator()
        #expect(try stores.outbox.isSetUp() == false)
        #expect(try stores.meetings.invitees(of: w.meeting).allSatisfy { $0.message == nil && $0.invitedSequence == nil })
        try stores.meetings.sendInvitations(w.meeting, organizer: Mailbox(name: "Unit", address: "unit@example.invalid"), outbox: stores.outbox,
                                            by: coordinator.actor)
        #expect(try stores.meetings.invitees(of: w.meeting).allSatisfy { $0.message?.status == .queued }, "queued is not sent")
        let claimed = try stores.outbox.claimDue(limit: 10)
        #expect(claimed.count == 2)
        let police = try #require(claimed.first { $0.mail.to.first?.address == "police@example.invalid" })
        let housing = try #require(claimed.first { $0.mail.to.first?.address == "housing@example.invalid" })
        try stores.outbox.markSent(police)
        try stores.database.write { try $0.execute("INSERT INTO settings (key, value) VALUES ('outbox.max_attempts', '1')") }
        try stores.outbox.markFailed(housing, error: "smtp_rejected: 550 mailbox unavailable")
        let invitees = try stores.meetings.invitees(of: w.meeting)
        #expect(invitees.first { $0.name == "DS Police" }?.message?.status == .sent)
        let failed = try #require(invitees.first { $0.name == "Housing Lead" }?.message)
        #expect(failed.status == .failed && failed.lastError == "smtp_rejected: 550 mailbox unavailable")

        let queue = try stores.outbox.failedMail(limit: 5, for: coordinator)
        #expect(queue.count == 1 && queue.first.map(\.lastError) == ["smtp_rejected: 550 mailbox unavailable"])
        #expect(try stores.outbox.failedMail(for: try w.world.viewer(.agencyRepresentative)).count == 0, "not a partner's queue")
        try stores.outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, security: .none, fromAddress: "unit@example.invalid")),
                                       by: .commandLine)
        #expect(try stores.outbox.isSetUp())
    }
}
