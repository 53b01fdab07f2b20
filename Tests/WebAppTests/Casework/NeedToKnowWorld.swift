import Database
import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Four cases that each hide from someone, set up as the unit would set them up, and everyone who looks at them: the
/// world the need-to-know surface table probes. Every case is overdue for review, on a Level 2 agenda, in minutes, in
/// an action, in the contact log and behind a referral, so each surface that can name a case has all four to name.
///
/// - `visible` (Category 2, housing involved): seen by all unit staff and by housing.
/// - `excluded` (Category 2, housing involved): one coordinator is on its exclusion list.
/// - `restricted` (Category 4): only the coordinator named on its access list (the keeper) sees it.
/// - `probationOnly` (Category 2, no partner agency involved): housing does not see it.
///
/// A second panel's minutes are approved, so partner agencies have minutes to read (and to be kept from).
struct NeedToKnowWorld {
    /// The people who look.
    enum Person: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case coordinator, excludedCoordinator, keeper, chair, manager, housing, dwp, referrer, administrator, auditor

        var username: String {
            switch self {
            case .excludedCoordinator: return "user.excluded"
            case .keeper: return "restricted.keeper"
            case .housing: return "user.agency_representative"
            case .dwp: return "user.uninvolved"
            default: return "user.\(rawValue)"
            }
        }

        var testDescription: String { rawValue }
    }

    /// A case and the strings that would name it: its person's name and reference, links to it, and the names on the
    /// referrals screened into it.
    struct MarkedCase: Sendable {
        let ref: String
        let familyName: String
        let caseID: Int64
        let nominalID: Int64
        var referralNames: [String] = []

        /// What would name the case to `person`: a referrer knows the names on their own referrals, having written them.
        func markers(to person: Person) -> [String] {
            [ref, familyName, "/cases/\(caseID)\"", "/cases/\(caseID)/", "/cases/\(caseID)#", "/nominals/\(nominalID)\"",
             "/nominals/\(nominalID)/", "\"caseId\":\"\(caseID)\""] + (person == .referrer ? [] : referralNames)
        }
    }

    let fixture: AppFixture
    let visible: MarkedCase, excluded: MarkedCase, restricted: MarkedCase, probationOnly: MarkedCase
    /// A Level 2 panel with all four cases on its agenda and minutes for each.
    let panelID: Int64
    /// The agenda item of each case on the panel, by reference.
    let items: [String: Int64]
    /// A Level 2 panel with all four cases on its agenda and approved minutes for each.
    let approvedPanelID: Int64
    /// The agenda item of each case on the approved panel, by reference.
    let approvedItems: [String: Int64]
    /// A Level 2 panel with an empty agenda: it proposes the cases due for review.
    let emptyPanelID: Int64
    /// A screening panel held today: its agenda lists the referrals ready for screening.
    let screeningPanelID: Int64
    /// One open action on each case, by reference.
    let actions: [String: Int64]
    /// Unscreened referrals whose PNC ID matches the excluded and the restricted person: their duplicates name them.
    let lookalikeReferrals: [Int64]
    /// Referrals screened into the excluded and the restricted case: they are now part of those cases.
    let screenedReferrals: [Int64]

    var cases: [MarkedCase] { [visible, excluded, restricted, probationOnly] }

    /// The cases each person must not find named anywhere.
    func hidden(from person: Person) -> [MarkedCase] {
        switch person {
        case .keeper: return []
        case .coordinator, .chair, .manager: return [restricted]
        case .excludedCoordinator: return [excluded, restricted]
        case .housing: return [restricted, probationOnly]
        case .dwp, .referrer, .administrator, .auditor: return cases
        }
    }

    static let dateOfBirth = CalendarDate("1979-03-04")!

    /// Each person's email address.
    static func email(_ person: Person) -> String { "\(person.rawValue)@unit.example.invalid" }

    init(_ kind: DatabaseKind) throws {
        fixture = try AppFixture(kind)
        let world = fixture.world
        let stores = fixture.stores
        let today = world.today
        try world.addUser("user.excluded", role: .coordinator, agency: "mappa_unit")
        try world.addUser("user.uninvolved", role: .agencyRepresentative, agency: "dwp")
        let keeper = try world.keeper()
        let coordinator = try world.coordinator()

        // The register comes in from the command line: the Category 4 case has nobody on its access list yet.
        func row(_ ref: String, _ family: String, _ category: MappaCategory, pnc: String) -> CaseRegisterRow {
            CaseRegisterRow(nominalRef: ref, familyName: family, givenNames: "Pat", dateOfBirth: Self.dateOfBirth, pncID: pnc,
                            category: category, level: .two, leadAgency: "probation", mappaStartDate: today.adding(days: -400),
                            nextReviewDate: today.adding(days: -20), rosh: .high)
        }
        let ids = try world.importCases([row("NTKV1", "Visibleperson", .two, pnc: "79/000001A"),
                                         row("NTKE2", "Excludedperson", .two, pnc: "79/000002B"),
                                         row("NTKC3", "Terrorperson", .four, pnc: "79/000003C"),
                                         row("NTKP4", "Probationonly", .two, pnc: "79/000004D")])
        func marked(_ ref: String, _ family: String) throws -> MarkedCase {
            MarkedCase(ref: ref, familyName: family, caseID: ids[ref]!, nominalID: try #require(try world.nominalID(ref)))
        }
        let visible = try marked("NTKV1", "Visibleperson")
        var excluded = try marked("NTKE2", "Excludedperson")
        var restricted = try marked("NTKC3", "Terrorperson")
        let probationOnly = try marked("NTKP4", "Probationonly")

        // The keeper, who manages restricted cases, names themself on the Category 4 case and involves housing in it.
        try world.name(Person.keeper.username, on: restricted.caseID, as: .allow)
        try stores.caseAccess.setInvolvedAgency(caseID: restricted.caseID, agencyCode: "housing", involved: true, by: keeper)
        try world.involve(visible.caseID, agency: "housing")
        try world.involve(excluded.caseID, agency: "housing")
        try world.name(Person.excludedCoordinator.username, on: excluded.caseID, as: .exclude)

        // Everyone has an email address, so actions and digests reach them.
        for person in Person.allCases {
            let user = try world.viewer(person.username).user
            let agency = try #require(try stores.agencies.agencies().first { $0.id == user.agencyID }).code
            try stores.accounts.updateDetails(userID: user.id, .init(displayName: user.displayName, email: Self.email(person), role: user.role,
                                                                     agencyCode: agency, managesRestrictedCases: user.managesRestrictedCases,
                                                                     expectedVersion: user.version), by: .commandLine)
        }

        // Referrals: two screened into the excluded and the restricted case, two unscreened that look like them.
        let referrer = try world.viewer(.referrer)
        func refer(_ family: String, pnc: String, _ category: MappaCategory) throws -> Int64 {
            var form = ReferralForm()
            form.familyName = family
            form.givenNames = "Pat"
            form.dateOfBirth = Self.dateOfBirth
            form.pncID = pnc
            form.category = category
            form.levelRequested = .two
            form.leadAgency = "probation"
            let referral = try stores.referrals.createReferral(form, by: referrer)
            _ = try stores.referrals.submitReferral(id: referral.id, by: referrer)
            return referral.id
        }
        let screenedIntoExcluded = try refer("Screenedone", pnc: "79/000002B", .two)
        let screenedIntoRestricted = try refer("Screenedtwo", pnc: "79/000003C", .four)
        let lookalikes = [try refer("Newcomerthree", pnc: "79/000002B", .two), try refer("Newcomerfour", pnc: "79/000003C", .two)]
        for (referralID, marked, screener) in [(screenedIntoExcluded, excluded, Person.coordinator), (screenedIntoRestricted, restricted, .keeper)] {
            let client = fixture.client()
            client.signIn(screener.username, AppFixture.password)
            client.get("/referrals/\(referralID)/screening")
            let decided = client.post("/referrals/\(referralID)/screening", [
                ("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"), ("level", "2"),
                ("existing_nominal", String(marked.nominalID)), ("rationale", "The person on record."), ("action", "decide")])
            #expect(decided.status == 303, "screened into \(marked.ref): \(decided.bodyText.prefix(400))")
        }
        excluded.referralNames = ["Screenedone"]
        restricted.referralNames = ["Screenedtwo"]

        // Each case's contact log, and an open action: the housing representative's on the cases housing sees, the
        // keeper's on the restricted one, a probation officer's (who has no account) on the last.
        func actor(for caseID: Int64) -> Viewer { caseID == restricted.caseID ? keeper : coordinator }
        var actions: [String: Int64] = [:]
        for marked in [visible, excluded, restricted, probationOnly] {
            try stores.contacts.logContact(caseID: marked.caseID, occurredOn: today, direction: "out", agencyID: try world.agencyID("housing"),
                                           person: "Housing officer", method: "Phone",
                                           summary: "Told housing about \(marked.familyName)", by: actor(for: marked.caseID))
            let owner: ActionOwner = switch marked.ref {
            case restricted.ref: .user(keeper.user.id)
            case probationOnly.ref: try world.contactOwner("Pat Officer", agency: "probation", email: "officer@probation.example.invalid")
            default: .user(try world.viewer(Person.housing.username).user.id)
            }
            actions[marked.ref] = try stores.actions.create(NewAction(
                caseID: marked.caseID, description: "Visit \(marked.familyName) at home", owner: owner, area: .supervision,
                dueDate: today.adding(days: 7)), by: actor(for: marked.caseID))
        }

        // Half a year on: every review and every action is overdue.
        fixture.clock.advance(by: 26 * 7 * 86_400)
        let later = world.today

        // The panel: every case on its agenda (the keeper adds the one only they see), police, housing and DWP invited.
        let panel = try world.schedule(MeetingPlan(kind: .level2, title: "Surface panel", date: later.adding(days: 3),
                                                   startTime: "10:00", venue: "Room 1"))
        for marked in [visible, excluded, probationOnly] { try world.addToAgenda(panel.id, caseID: marked.caseID) }
        try stores.meetings.addToAgenda(try stores.meetings.meeting(id: panel.id, for: keeper), caseID: restricted.caseID,
                                        reason: "Review", by: keeper)
        try stores.meetings.confirmInvitees(panel, [
            (try world.agencyID("police"), "DS Police", "police@example.invalid"),
            (try world.agencyID("housing"), "Housing Lead", "housing@example.invalid"),
            (try world.agencyID("probation"), "PO Probation", "probation@example.invalid"),
            (try world.agencyID("dwp"), "DWP Person", "dwp@example.invalid")], by: coordinator.actor)
        var items: [String: Int64] = [:]
        let agenda = try stores.meetings.agenda(of: try stores.meetings.meeting(id: panel.id, for: keeper), for: keeper)
        for item in agenda.items { items[item.nominalRef] = item.id }
        // Minutes for each discussion, begun by whoever may see the case.
        for marked in [visible, excluded, restricted, probationOnly] {
            let viewer = actor(for: marked.caseID)
            _ = try stores.minutes.startDraft(try world.discussion(panel.id, items[marked.ref]!, as: viewer), by: viewer)
        }
        // A second panel whose minutes the chair has approved (set directly: what is probed is who reads approved
        // minutes, not the approval), so partner agencies have minutes to read, and to be kept from.
        let approvedPanel = try world.schedule(MeetingPlan(kind: .level2, title: "Approved panel", date: later, startTime: "09:00", venue: "Room 3"))
        for marked in [visible, excluded, probationOnly] { try world.addToAgenda(approvedPanel.id, caseID: marked.caseID) }
        try stores.meetings.addToAgenda(try stores.meetings.meeting(id: approvedPanel.id, for: keeper), caseID: restricted.caseID,
                                        reason: "Review", by: keeper)
        var approvedItems: [String: Int64] = [:]
        for item in try stores.meetings.agenda(of: try stores.meetings.meeting(id: approvedPanel.id, for: keeper), for: keeper).items {
            approvedItems[item.nominalRef] = item.id
        }
        for marked in [visible, excluded, restricted, probationOnly] {
            let viewer = actor(for: marked.caseID)
            _ = try stores.minutes.startDraft(try world.discussion(approvedPanel.id, approvedItems[marked.ref]!, as: viewer), by: viewer)
        }
        let chairID = try world.viewer(.chair).user.id
        try stores.database.write { connection in
            // Approved minutes are of a held meeting.
            try connection.execute("UPDATE meetings SET status = 'held' WHERE id = ?", [.integer(approvedPanel.id)])
            try connection.execute("UPDATE minutes SET status = 'approved', approved_at = ?, approved_by = ? WHERE meeting_id = ?",
                                   [.text(later.description), .integer(chairID), .integer(approvedPanel.id)])
        }
        let emptyPanel = try world.schedule(MeetingPlan(kind: .level2, title: "Proposal panel", date: later.adding(days: 10),
                                                        startTime: "14:00", venue: "Room 2"))

        screeningPanelID = try world.schedule(MeetingPlan(kind: .screening, title: "Surface screening", date: later, startTime: "09:00",
                                                          venue: "Room 3")).id
        self.visible = visible
        self.excluded = excluded
        self.restricted = restricted
        self.probationOnly = probationOnly
        panelID = panel.id
        self.items = items
        approvedPanelID = approvedPanel.id
        self.approvedItems = approvedItems
        emptyPanelID = emptyPanel.id
        self.actions = actions
        lookalikeReferrals = lookalikes
        screenedReferrals = [screenedIntoExcluded, screenedIntoRestricted]
    }

    /// A browser signed in as the person.
    func client(_ person: Person) -> TestClient {
        let client = fixture.client()
        client.signIn(person.username, AppFixture.password)
        return client
    }

    /// A client presenting the person's own API token.
    func apiClient(_ person: Person) throws -> TestClient {
        let client = fixture.client()
        let user = try fixture.world.viewer(person.username).user
        client.bearer = try fixture.stores.apiTokens.create(userID: user.id, name: "surface", by: .commandLine).token
        return client
    }
}
