import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The changes that leaked in issue 23, each done again the way the probe did it: a write that targets a case follows
/// the same need-to-know rule as the pages that show it. (What pages show is the surface table's job.)
@Suite("Need-to-know on changes")
struct NeedToKnowLeakTests {
    @Test("a case the user may not open cannot be put on an agenda, and the refusal says why", arguments: DatabaseKind.available)
    func addToAgenda(kind: DatabaseKind) throws {
        let world = try NeedToKnowWorld(kind)
        let client = world.client(.excludedCoordinator)
        let path = "/meetings/\(world.emptyPanelID)"
        client.get(path)
        let refused = client.post(path + "/agenda", [("action", "add"), ("case", String(world.excluded.caseID))])
        #expect(refused.status == 403)
        #expect(refused.bodyText.contains("need-to-know") && !refused.bodyText.contains("Your role does not allow"))
        #expect(try world.fixture.world.items(world.emptyPanelID).isEmpty)
        let added = client.post(path + "/agenda", [("action", "add"), ("case", String(world.visible.caseID))])
        #expect(added.status == 303, "a case they may open goes on")
        #expect(try world.fixture.world.items(world.emptyPanelID).map(\.caseID) == [world.visible.caseID])
        #expect(try world.fixture.stores.audit.recent(limit: 20).contains {
            $0.action == .accessRefused && $0.subjectType == "case" && $0.subjectID == String(world.excluded.caseID)
        })
    }

    @Test("screening links a referral only to a person the screener may see; an unknown one is a clear error", arguments: DatabaseKind.available)
    func screeningIntoExistingNominal(kind: DatabaseKind) throws {
        let world = try NeedToKnowWorld(kind)
        let client = world.client(.coordinator)
        let referral = world.lookalikeReferrals[1]
        let before = try world.fixture.world.record(world.restricted.caseID)
        let involvedBefore = try world.involvedInRestricted()
        client.get("/referrals/\(referral)/screening")
        let restricted = client.post("/referrals/\(referral)/screening", [
            ("action", "decide"), ("decision", "accept"), ("level", "3"), ("existing_nominal", String(world.restricted.nominalID)),
            ("rationale", "Linking to the person on record"), ("adds_value", "yes"), ("rosh", "very_high")])
        #expect(restricted.status == 422)
        #expect(restricted.bodyText.contains("href=\"#existing_nominal\""))
        #expect(!restricted.bodyText.uppercased().contains("TERRORPERSON") && !restricted.bodyText.contains("NTKC3"))
        #expect(try world.fixture.world.record(world.restricted.caseID) == before, "the restricted case is unchanged")
        #expect(try world.involvedInRestricted() == involvedBefore)
        client.get("/referrals/\(referral)/screening")
        let unknown = client.post("/referrals/\(referral)/screening", [
            ("action", "decide"), ("decision", "accept"), ("level", "2"), ("existing_nominal", "999999"),
            ("rationale", "Linking"), ("adds_value", "yes"), ("rosh", "high")])
        #expect(unknown.status == 422, "an unknown person is a form error, not a server error")
        #expect(unknown.bodyText.contains("href=\"#existing_nominal\""))
        #expect(try world.fixture.stores.referrals.referral(id: referral, for: try world.fixture.viewer(.coordinator)).status == .submitted,
                "the referral still waits to be screened")
    }

    @Test("minutes and reminders go only to people and agencies who may see the case", arguments: DatabaseKind.available)
    func mail(kind: DatabaseKind) throws {
        let world = try NeedToKnowWorld(kind)
        let stores = world.fixture.stores
        try stores.outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, fromAddress: "unit@example.invalid")),
                                       by: .commandLine)
        // The panel (dated three days on) is held before its minutes are approved.
        world.fixture.clock.advance(by: 3 * 86_400)
        try world.fixture.world.markHeld(world.panelID)
        let coordinator = world.client(.coordinator)
        let chair = world.client(.chair)
        var sentTo: [String: Set<String>] = [:]
        for marked in [world.visible, world.probationOnly] {
            let path = "/meetings/\(world.panelID)/items/\(world.items[marked.ref]!)/minutes"
            let page = coordinator.get(path)
            // The agreed action is for probation, the lead: an action makes its owner's agency involved.
            let fields = MinutesFlowTests.complete.map { $0.0 == "action_agency_1" ? ($0.0, "probation") : $0 }
            let submitted = coordinator.post(path, fields + [
                ("version", try MinutesFlowTests.version(page)), ("action_due_1", world.fixture.today.adding(days: 14).description),
                ("next_review_date", world.fixture.today.adding(weeks: 8).description), ("action", "submit")])
            #expect(submitted.status == 303)
            chair.get(path)
            #expect(chair.post(path + "/approve", [("confirm", "yes")]).status == 303)
            let distributionPage = coordinator.get(path).bodyText
            if marked.ref == world.probationOnly.ref {
                #expect(distributionPage.contains("Not sent to") && distributionPage.contains("Housing Lead"),
                        "the page says who will not get them, and why")
            }
            #expect(coordinator.post(path + "/distribute", []).status == 303)
            sentTo[marked.ref] = Set(try stores.outbox.claimDue(limit: 20).flatMap { $0.mail.to.map(\.address) })
        }
        #expect(sentTo[world.visible.ref] == ["housing@example.invalid", "probation@example.invalid"],
                "police and DWP are not involved in the case")
        #expect(sentTo[world.probationOnly.ref] == ["probation@example.invalid"], "only the lead agency is involved")

        // The overdue digest: each coordinator's lists only the actions on cases they may see.
        try stores.actions.sendReminders(outbox: stores.outbox, accounts: stores.accounts.accounts, asSystem: .reminders)
        let digests = Dictionary(try stores.outbox.claimDue(limit: 50).filter { $0.purpose == "action_digest" }
            .map { ($0.mail.to[0].address, $0.mail.text) }, uniquingKeysWith: { a, b in a + b })
        let excludedDigest = try #require(digests[NeedToKnowWorld.email(.excludedCoordinator)])
        #expect(excludedDigest.contains("Visit Visibleperson") && !excludedDigest.contains("Excludedperson") && !excludedDigest.contains("Terrorperson"))
        let coordinatorDigest = try #require(digests[NeedToKnowWorld.email(.coordinator)])
        #expect(coordinatorDigest.contains("Visit Excludedperson") && !coordinatorDigest.contains("Terrorperson"))
        #expect(try #require(digests[NeedToKnowWorld.email(.keeper)]).contains("Visit Terrorperson"))
    }

    @Test("a Category 4 case imported by the system is not stuck: a coordinator granted it names who sees it", arguments: DatabaseKind.available)
    func restrictedCaseNotStuck(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let caseID = try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "STUCK1", familyName: "Stuckperson", givenNames: "Lee", dateOfBirth: CalendarDate("1975-01-01")!,
            category: .four, level: .three, leadAgency: "police", mappaStartDate: fixture.today)])["STUCK1"]!
        let coordinator = fixture.client(signedInAs: .coordinator)
        let refused = coordinator.get("/cases/\(caseID)/access")
        #expect(refused.status == 403 && refused.bodyText.contains("need-to-know"), "an ordinary coordinator may not")
        #expect(coordinator.get("/cases/restricted").status == 403)

        // An administrator grants one coordinator "manage restricted cases".
        _ = try fixture.world.addUser("lead.coordinator", role: .coordinator, agency: "mappa_unit")
        let lead = try fixture.world.viewer("lead.coordinator").user
        let admin = fixture.client(signedInAs: .administrator)
        let form = admin.get("/admin/users/\(lead.id)/edit")
        #expect(form.bodyText.contains("manages_restricted_cases"))
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: form.bodyText))
        let granted = admin.post("/admin/users/\(lead.id)/edit", [
            ("display_name", lead.displayName), ("email", ""), ("role", "coordinator"), ("agency", "mappa_unit"),
            ("manages_restricted_cases", "yes"), ("version", version)])
        #expect(granted.status == 303)

        let client = fixture.client()
        client.signIn("lead.coordinator", AppFixture.password)
        let home = client.get("/").bodyText
        #expect(home.contains("1 restricted case nobody may see yet") && home.contains("href=\"/cases/restricted\""),
                "the next person finds the stuck case on their home page")
        #expect(!coordinator.get("/").bodyText.contains("nobody may see yet"), "which only those who manage restricted cases are told")
        let list = client.get("/cases/restricted").bodyText
        #expect(list.contains("/cases/\(caseID)/access") && list.contains("Nobody yet"))
        #expect(!list.contains("STUCK1") && !list.uppercased().contains("STUCKPERSON"), "they manage it, but are not on its list: the person is not named")
        #expect(client.get("/cases/\(caseID)").status == 403, "managing the list is not seeing the case")
        let page = client.get("/cases/\(caseID)/access")
        #expect(page.status == 200 && !page.bodyText.uppercased().contains("STUCKPERSON"))
        #expect(client.post("/cases/\(caseID)/access", [("username", "user.chair"), ("kind", "allow")]).status == 303)
        #expect(fixture.client(signedInAs: .chair).get("/cases/\(caseID)").bodyText.uppercased().contains("STUCKPERSON"), "the chair named now sees it")
        #expect(!client.get("/").bodyText.contains("nobody may see yet"), "and it is off the home page")
        #expect(try fixture.stores.audit.recent(limit: 20).contains { $0.subjectType == "case" && $0.subjectID == String(caseID) && $0.action == .update })
    }

    @Test("a coordinator who imports a Category 4 case is told who can see it, and is on its list", arguments: DatabaseKind.available)
    func importSaysWhoSees(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/cases/import")
        let finished = try RegisterImportTests.finished(coordinator, coordinator.upload(
            "/cases/import", fields: [], fileField: "register", filename: "register.csv",
            data: RegisterImportTests.file([RegisterImportTests.row("IMP4", "Importedperson", category: "4", level: "3")])))
        #expect(finished.contains("1 case is restricted (Category 4): only you can see it for now"), "\(finished)")
        #expect(finished.contains("No coordinator manages restricted cases yet"), "and who else could be given it")
        let caseID = try fixture.world.caseID("IMP4")
        #expect(coordinator.get("/cases/\(caseID)").bodyText.uppercased().contains("IMPORTEDPERSON"))
        #expect(fixture.client(signedInAs: .chair).get("/cases/\(caseID)").status == 403)
    }

    @Test("an import by a person cannot change someone hidden from them", arguments: DatabaseKind.available)
    func importCannotChangeHiddenPeople(kind: DatabaseKind) throws {
        let world = try NeedToKnowWorld(kind)
        let client = world.client(.excludedCoordinator)
        let before = try world.fixture.world.record(world.excluded.caseID)
        client.get("/cases/import")
        let finished = try RegisterImportTests.finished(client, client.upload(
            "/cases/import", fields: [], fileField: "register", filename: "register.csv",
            data: RegisterImportTests.file([RegisterImportTests.row("NTKE2", "Renamedperson", category: "1", level: "1")])))
        #expect(finished.contains("you may not change this person&#39;s record") && finished.contains("Nothing was imported"), "\(finished)")
        #expect(!finished.uppercased().contains("EXCLUDEDPERSON"))
        #expect(try world.fixture.world.record(world.excluded.caseID) == before)
        #expect(try world.fixture.searchNominals("Renamedperson").isEmpty)

        // Events for someone hidden from them are refused as if that person were not on record.
        let events = [StatisticsRouteTests.header, "NTKE2,shpo,2026-01-05,,", "NTKV1,shpo,2026-01-05,,"].joined(separator: "\n")
        client.get("/statistics/events/import")
        let rejected = try RegisterImportTests.finished(client, client.upload("/statistics/events/import", fields: [], fileField: "events",
                                                                           filename: "events.csv", data: Array(events.utf8)))
        #expect(rejected.contains("1 problem in 2 rows: nothing was imported") && rejected.contains("No nominal on record has this reference"))
    }
}

extension NeedToKnowWorld {
    /// The agencies involved in the restricted case, as the keeper sees them.
    func involvedInRestricted() throws -> [String] {
        let keeper = try fixture.world.viewer(Person.keeper.username)
        return try fixture.stores.caseAccess.involvedAgencies(of: try fixture.stores.cases.case(id: restricted.caseID, for: keeper)).map(\.code)
    }
}
