import Database
import Domain
import Foundation
import Store
import Testing
import TestSupport

/// The agenda sent with each invitation lists only the cases that invitee may be sent (`CaseRecipients`, the rule the
/// minutes go out under): someone with an account as that person, someone without one through their agency's
/// involvement, and a restricted case only to people named on it. On SQLite and PostgreSQL.
@Suite("The agenda sent with invitations")
struct AgendaMailingTests {
    @Test("each invitee's copy names only the cases they may be sent; a cancellation carries none", arguments: DatabaseKind.available)
    func perInvitee(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let coordinator = try world.coordinator()
        let today = world.today
        let row = { (ref: String, category: MappaCategory, lead: String) in
            CaseRegisterRow(nominalRef: ref, familyName: "Agenda\(ref)", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: category, level: .two, leadAgency: lead, mappaStartDate: today.adding(days: -100),
                            nextReviewDate: today.adding(days: 3))
        }
        let ids = try world.importCases([row("POLICELED", .two, "police"), row("HOUSINGTOO", .two, "probation"), row("RESTRICTED", .four, "police")])
        try world.involve(ids["HOUSINGTOO"]!, agency: "housing")
        try world.name("user.coordinator", on: ids["RESTRICTED"]!, as: .allow)
        let excluded = try world.addUser("housing.excluded", role: .agencyRepresentative, agency: "housing", email: "excluded@housing.example.invalid")
        try world.name(excluded.user.username, on: ids["HOUSINGTOO"]!, as: .exclude)

        let meeting = try world.schedule(MeetingPlan(kind: .level2, title: "Mailing panel", date: today.adding(days: 7), startTime: "10:00",
                                                     venue: "Room 1"))
        for ref in ["POLICELED", "HOUSINGTOO", "RESTRICTED"] { try world.addToAgenda(meeting.id, caseID: ids[ref]!) }
        try world.stores.meetings.confirmInvitees(meeting, [
            (try world.agencyID("police"), "DS Police", "police@example.invalid"),
            (try world.agencyID("housing"), "Housing Lead", "lead@housing.example.invalid"),
            (try world.agencyID("housing"), "Excluded Officer", "excluded@housing.example.invalid"),
        ], by: coordinator.actor)
        // The "PDF" here lists the references it was given, so the test can read each copy.
        let mailing = AgendaMailing(users: try world.stores.accounts.accounts.users()) { _, items in
            MailAttachment(filename: "agenda.txt", contentType: "text/plain", data: Array(items.map(\.nominalRef).sorted().joined(separator: ",").utf8))
        }
        let organizer = Mailbox(name: "MAPPA Unit", address: "mappa@example.invalid")
        #expect(try world.stores.meetings.sendInvitations(meeting, organizer: organizer, outbox: world.stores.outbox, agenda: mailing,
                                                          by: coordinator.actor) == 3)
        var copies: [String: String] = [:]
        for message in try world.stores.outbox.claimDue(limit: 10) {
            try world.stores.outbox.markSent(message)
            copies[message.mail.to[0].address] = message.mail.attachments.first.map { String(decoding: $0.data, as: UTF8.self) }
        }
        #expect(copies["police@example.invalid"] == "POLICELED", "police lead it; the restricted one goes only to people named on it")
        #expect(copies["lead@housing.example.invalid"] == "HOUSINGTOO", "housing is involved in that one only")
        #expect(copies["excluded@housing.example.invalid"] == "", "held to the rule as the person, who is excluded from it")

        try world.stores.meetings.cancel(try world.meeting(meeting.id), reason: "Chair unavailable", by: coordinator)
        #expect(try world.stores.meetings.sendInvitations(try world.meeting(meeting.id), organizer: organizer, outbox: world.stores.outbox,
                                                          agenda: mailing, by: coordinator.actor) == 3)
        let notices = try world.stores.outbox.claimDue(limit: 10).map(\.mail)
        #expect(notices.count == 3 && notices.allSatisfy { $0.attachments.isEmpty && $0.text.contains("Reason: Chair unavailable") })
    }
}
