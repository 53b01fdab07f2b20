import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// Actions against a real database (SQLite, and PostgreSQL when available): owners from the directory, "My actions"
/// whatever the owner's agency, the unit's open actions with their filters and need-to-know, the home queues, and
/// the areas of the plan with no live action.
@Suite("Actions in the database")
struct ActionStoreTests {
    struct Fixture {
        let world: StoreWorld
        let coordinator: Viewer
        let caseID: Int64
        let otherCaseID: Int64
        var stores: Stores { world.stores }
        var actions: ActionStore { stores.actions }
        var today: CalendarDate { world.today }

        init(_ kind: DatabaseKind) throws {
            world = try StoreWorld(kind)
            coordinator = try world.coordinator()
            let ids = try world.importCases([
                CaseRegisterRow(nominalRef: "OWN1", familyName: "Ownerson", givenNames: "Al", dateOfBirth: CalendarDate("1980-01-01")!,
                                category: .two, level: .two, leadAgency: "probation", mappaStartDate: CalendarDate("2026-06-01")),
                CaseRegisterRow(nominalRef: "OWN2", familyName: "Secondcase", givenNames: "Bo", dateOfBirth: CalendarDate("1982-03-03")!,
                                category: .one, level: .two, leadAgency: "police", mappaStartDate: CalendarDate("2026-06-01")),
            ])
            caseID = ids["OWN1"]!
            otherCaseID = ids["OWN2"]!
        }

        @discardableResult
        func add(_ description: String, on caseID: Int64? = nil, owner: ActionOwner, area: PlanArea = .supervision, dueIn days: Int) throws -> Int64 {
            try actions.create(NewAction(caseID: caseID ?? self.caseID, description: description, owner: owner, area: area,
                                         dueDate: today.adding(days: days)), by: coordinator)
        }

        func stored(_ id: Int64) throws -> ActionItem { try actions.action(id: id, for: coordinator).action }
    }

    static func problems(_ body: () throws -> Void) -> [String] {
        do { try body() } catch let error as DomainError {
            return error.problems.isEmpty ? ["refused: \(error.description)"] : error.problems.map(\.field)
        } catch { return ["unexpected \(error)"] }
        return []
    }

    @Test("the owner is a reference to a user or a contact; name, email and agency follow the directory", arguments: DatabaseKind.available)
    func ownerResolution(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let housing = try fixture.world.viewer(.agencyRepresentative)
        let toUser = try fixture.add("Find a tenancy", owner: .user(housing.user.id), dueIn: 5)
        let user = try fixture.stored(toUser)
        #expect(user.ownerUserID == housing.user.id && user.ownerContactID == nil && user.ownerName == housing.user.displayName
                && user.ownerAgencyCode == "housing" && user.area == .supervision)
        let contact = try fixture.world.contactOwner("Pat Officer", agency: "probation", email: "Pat.Officer@example.invalid")
        let toContact = try fixture.stored(try fixture.add("Licence check", owner: contact, area: .victimSafety, dueIn: 5))
        #expect(toContact.owner == contact && toContact.ownerName == "Pat Officer" && toContact.ownerEmail == "pat.officer@example.invalid"
                && toContact.ownerAgencyCode == "probation" && toContact.area == .victimSafety)
        // The directory changes: the action follows the person.
        guard case .contact(let contactID) = contact else { Issue.record("not a contact"); return }
        try fixture.stores.agencies.saveContact(id: contactID, agencyID: try fixture.world.agencyID("probation"), name: "Pat Officer-Smith",
                                                role: "Officer", email: "pat.new@example.invalid", phone: "", isSPOC: false, active: true,
                                                by: .commandLine)
        let moved = try fixture.stored(toContact.id)
        #expect(moved.ownerName == "Pat Officer-Smith" && moved.ownerEmail == "pat.new@example.invalid")
        // Someone not (or no longer) in the directory, free text, no area: refused, nothing saved.
        #expect(Self.problems { try fixture.add("Ghost", owner: .user(999_999), dueIn: 5) } == ["owner"])
        try fixture.stores.agencies.saveContact(id: contactID, agencyID: try fixture.world.agencyID("probation"), name: "Pat Officer-Smith",
                                                role: "Officer", email: "pat.new@example.invalid", phone: "", isSPOC: false, active: false,
                                                by: .commandLine)
        #expect(Self.problems { try fixture.add("Gone", owner: contact, dueIn: 5) } == ["owner"])
        #expect(Self.problems {
            try fixture.actions.create(NewAction(caseID: fixture.caseID, description: "Free text", ownerName: "Somebody", ownerAgencyCode: "police",
                                                 dueDate: fixture.today.adding(days: 3)), by: fixture.coordinator)
        } == ["owner", "area"])
        #expect(Self.problems { try fixture.add("Late", owner: .user(housing.user.id), dueIn: -1) } == ["due_date"])
        #expect(try fixture.actions.actions(of: try fixture.stores.cases.case(id: fixture.caseID, for: fixture.coordinator)).count == 2)
    }

    @Test("actions carried from minutes link to the directory by email; earlier owners are linked by the migration", arguments: DatabaseKind.available)
    func linkingByEmail(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let rep = try fixture.world.addUser("rep.linked", role: .agencyRepresentative, agency: "dwp", email: "rep.linked@example.invalid")
        let contact = try fixture.world.contactOwner("Cai Contact", agency: "nhs_trust", email: "cai@example.invalid")
        func resolved(_ email: String) throws -> ResolvedOwner? {
            try fixture.stores.database.read { connection in
                try fixture.actions.resolveOwner(connection, NewAction(caseID: fixture.caseID, description: "From minutes", ownerName: "Typed",
                                                                       ownerEmail: email, ownerAgencyCode: "police", dueDate: fixture.today))
            }
        }
        let linkedUser = try #require(try resolved(" REP.LINKED@example.invalid"))
        #expect(linkedUser.userID == rep.user.id && linkedUser.contactID == nil && linkedUser.agencyCode == "dwp", "the agency follows the owner")
        let linkedContact = try #require(try resolved("cai@example.invalid"))
        #expect(linkedContact.contactID.map(ActionOwner.contact) == contact && linkedContact.agencyCode == "nhs_trust")
        #expect(try resolved("nobody@example.invalid") == nil && (try resolved("")) == nil, "the minutes' owner is kept as they recorded them")

        // Owners typed before the directory was used: migration 23 links what it can by email and keeps the rest.
        func typed(_ name: String, _ email: String) throws -> Int64 {
            try fixture.stores.database.write { connection in
                try connection.insert("""
                    INSERT INTO actions (case_id, description, owner_name, owner_email, owner_agency_id, due_date, status, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)
                    """, [.integer(fixture.caseID), .text("Typed \(name)"), .text(name), .text(email), .integer(try fixture.world.agencyID("police")),
                          .text(fixture.today.description), .text("2026-01-01T00:00:00Z"), .text("2026-01-01T00:00:00Z")])
            }
        }
        let toUser = try typed("Rep", "Rep.Linked@example.invalid"), toContact = try typed("Cai", "cai@example.invalid")
        let free = try typed("Nobody Known", "nobody@example.invalid"), blank = try typed("No Email", "")
        let migration = try #require(Schema.migrations.first { $0.version == 23 })
        try fixture.stores.database.write { connection in
            for statement in migration.sql(for: connection.dialect).components(separatedBy: ";")
            where statement.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("UPDATE") {
                try connection.execute(statement)
            }
        }
        #expect(try fixture.stored(toUser).ownerUserID == rep.user.id && (try fixture.stored(toUser).ownerName) == "rep.linked")
        #expect(try fixture.stored(toContact).owner == contact)
        for kept in [free, blank] {
            let action = try fixture.stored(kept)
            #expect(action.owner == nil && action.ownerName.hasPrefix("No") && action.area == nil, "kept as typed")
        }
    }

    @Test("My actions: every action the signed-in person owns, whatever their agency; open first, most urgent first", arguments: DatabaseKind.available)
    func myActions(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        // A housing representative who is also in probation's directory as a contact with the same address.
        let rep = try fixture.world.addUser("rep.two", role: .agencyRepresentative, agency: "housing", email: "rep.two@example.invalid")
        let asContact = try fixture.world.contactOwner("Rep Two", agency: "probation", email: "rep.two@example.invalid")
        let first = try fixture.add("As a user", owner: .user(rep.user.id), dueIn: 10)
        let second = try fixture.add("As a contact", on: fixture.otherCaseID, owner: asContact, dueIn: 2)
        try fixture.add("Someone else's", owner: .user(fixture.coordinator.user.id), dueIn: 1)
        let mine = try fixture.actions.actions(ownedBy: rep)
        #expect(mine.map(\.action.id) == [second, first], "most urgent first")
        #expect(mine.first?.caseVisible == false && mine.first?.action.nominalRef == "",
                "the contact's agency (probation) made the second case visible to probation, not to housing")
        #expect(try fixture.actions.canUpdate(fixture.stored(second), by: rep), "they may close it")
        try fixture.actions.update(id: second, status: .done, note: "Done", dueDate: nil, expectedVersion: 1, by: rep)
        #expect(try fixture.actions.actions(ownedBy: rep).map(\.action.id) == [first, second], "closed ones after the open")
        let queue = try fixture.actions.openQueue(ownedBy: rep, limit: 5)
        #expect(queue.count == 1 && queue.overdueCount == 0 && queue.items.map(\.action.id) == [first])
        fixture.world.clock.advance(by: 11 * 86400)
        let late = try fixture.actions.openQueue(ownedBy: rep, limit: 5)
        #expect(late.count == 1 && late.overdueCount == 1 && late.items.first?.isOverdue == true)
        #expect(try fixture.actions.openQueue(ownedBy: try fixture.world.viewer(.referrer), limit: 5).count == 0)
    }

    @Test("the unit's open actions: filters, most urgent first, pages, need-to-know in the query, audited", arguments: DatabaseKind.available)
    func unitList(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let housing = try fixture.world.userOwner("user.agency_representative")
        let officer = try fixture.world.contactOwner("Pat Officer", agency: "probation", email: "pat@example.invalid")
        let a = try fixture.add("A housing", owner: housing, area: .victimSafety, dueIn: 1)
        let b = try fixture.add("B licence", owner: officer, area: .supervision, dueIn: 20)
        let c = try fixture.add("C other case", on: fixture.otherCaseID, owner: officer, area: .supervision, dueIn: 5)
        let d = try fixture.add("D closed", owner: officer, dueIn: 3)
        try fixture.actions.update(id: d, status: .cancelled, note: "No longer needed", dueDate: nil, expectedVersion: 1, by: fixture.coordinator)
        fixture.world.clock.advance(by: 2 * 86400)
        func ids(_ filter: OpenActionFilter, page: Int = 1, size: Int = 50, as viewer: Viewer? = nil) throws -> [Int64] {
            try fixture.actions.openActions(filter, page: page, pageSize: size, for: viewer ?? fixture.coordinator).items.map(\.action.id)
        }
        #expect(try ids(OpenActionFilter()) == [a, c, b], "open only, most urgent first")
        #expect(try ids(OpenActionFilter(agencyCode: "probation")) == [c, b])
        #expect(try ids(OpenActionFilter(owner: housing)) == [a])
        #expect(try ids(OpenActionFilter(nominalRef: "OWN2")) == [c])
        #expect(try ids(OpenActionFilter(overdueOnly: true)) == [a])
        #expect(try ids(OpenActionFilter(area: .supervision)) == [c, b])
        #expect(try ids(OpenActionFilter(agencyCode: "probation", area: .victimSafety)).isEmpty)
        let second = try fixture.actions.openActions(OpenActionFilter(), page: 2, pageSize: 2, for: fixture.coordinator)
        #expect(second.items.map(\.action.id) == [b] && second.total == 3 && second.pageCount == 2)
        #expect(try fixture.actions.openActions(OpenActionFilter(), page: 1, pageSize: 2, for: fixture.coordinator).items.first?.isOverdue == true)

        let excluded = try fixture.world.addUser("excluded.one", role: .coordinator, agency: "mappa_unit")
        try fixture.world.name("excluded.one", on: fixture.otherCaseID, as: .exclude)
        #expect(try ids(OpenActionFilter(), as: excluded) == [a, b], "need-to-know in the query")
        #expect(try fixture.actions.openActions(OpenActionFilter(), page: 1, for: excluded).total == 2, "and in the count")
        #expect(Self.problems { _ = try fixture.actions.openActions(OpenActionFilter(), page: 1, for: try fixture.world.viewer(.agencyRepresentative)) }
                    .first?.hasPrefix("refused") == true,
                "unit staff only")
        let audit = try fixture.stores.audit.recent(limit: 50, subjectType: "actions", subjectID: "open").map(\.detail)
        #expect(audit.contains { $0.contains("case OWN2") } && audit.contains { $0.contains("overdue only") })

        // The coordinator's home queue: overdue actions across the unit, within need-to-know; the old overdue list agrees.
        let overdue = try fixture.actions.overdueQueue(for: fixture.coordinator, limit: 10)
        #expect(overdue.count == 1 && overdue.overdueCount == 1 && overdue.items.map(\.action.id) == [a])
        #expect(try fixture.actions.overdue(for: fixture.coordinator).map(\.id) == [a])
        fixture.world.clock.advance(by: 10 * 86400)
        #expect(try fixture.actions.overdueQueue(for: fixture.coordinator, limit: 1).count == 2)
        #expect(try fixture.actions.overdueQueue(for: fixture.coordinator, limit: 1).items.map(\.action.id) == [a])
        #expect(try fixture.actions.overdueQueue(for: excluded, limit: 10).items.map(\.action.id) == [a])
    }

    @Test("the owner directory names staff only, searched by every word; the search is limited", arguments: DatabaseKind.available)
    func ownerDirectory(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        _ = try fixture.world.contactOwner("Dana Housingofficer", agency: "housing", email: "dana@example.invalid")
        let everyone = try fixture.actions.ownerChoices(matching: "", for: fixture.coordinator)
        #expect(everyone.contains { $0.name == "Dana Housingofficer" && $0.agencyName == "Local housing authority" })
        #expect(everyone.contains { $0.owner == .user(fixture.coordinator.user.id) })
        #expect(!everyone.contains { $0.name.contains("Ownerson") }, "never a nominal")
        let housing = try fixture.actions.ownerChoices(matching: "local HOUSING", for: fixture.coordinator)
        #expect(Set(housing.map(\.name)) == ["Dana Housingofficer", "Test Agency representative"])
        #expect(try fixture.actions.ownerChoices(matching: "dana example", for: fixture.coordinator).map(\.name) == ["Dana Housingofficer"])
        #expect(try fixture.actions.ownerChoices(matching: "100%", for: fixture.coordinator).isEmpty, "LIKE wildcards are literal")
        #expect(Self.problems { _ = try fixture.actions.ownerChoices(matching: String(repeating: "a", count: 101), for: fixture.coordinator) } == ["q"])
        #expect(Self.problems { _ = try fixture.actions.ownerChoices(matching: "a\u{7}", for: fixture.coordinator) } == ["q"])
        #expect(Self.problems { _ = try fixture.actions.ownerChoices(matching: "", for: try fixture.world.viewer(.referrer)) }.first?.hasPrefix("refused") == true)
    }

    @Test("reminders and the overdue digest go to the owner's address in the directory, as it is now", arguments: DatabaseKind.available)
    func remindersFollowTheDirectory(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let outbox = fixture.stores.outbox
        try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "127.0.0.1", port: 2525, fromAddress: "unit@example.invalid")), by: .commandLine)
        let rep = try fixture.world.addUser("rep.mail", role: .agencyRepresentative, agency: "housing", email: "rep.mail@example.invalid")
        let contact = try fixture.world.contactOwner("Pat Officer", agency: "probation", email: "pat.old@example.invalid")
        try fixture.add("User's action", owner: .user(rep.user.id), dueIn: 2)
        try fixture.add("Contact's action", owner: contact, dueIn: 2)
        guard case .contact(let contactID) = contact else { Issue.record("not a contact"); return }
        try fixture.stores.agencies.saveContact(id: contactID, agencyID: try fixture.world.agencyID("probation"), name: "Pat Officer",
                                                role: "Officer", email: "pat.new@example.invalid", phone: "", isSPOC: false, active: true,
                                                by: .commandLine)
        #expect(try fixture.actions.sendReminders(outbox: outbox, accounts: fixture.stores.accounts.accounts, asSystem: .reminders) == 2)
        let reminded = Set(try outbox.claimDue(limit: 10).flatMap { $0.mail.to.map(\.address) })
        #expect(reminded == ["rep.mail@example.invalid", "pat.new@example.invalid"])
        fixture.world.clock.advance(by: 3 * 86400)
        #expect(try fixture.actions.sendReminders(outbox: outbox, accounts: fixture.stores.accounts.accounts, asSystem: .reminders) == 2,
                "each owner's overdue digest (no coordinator has an address)")
        let digests = try outbox.claimDue(limit: 10)
        #expect(Set(digests.flatMap { $0.mail.to.map(\.address) }) == ["rep.mail@example.invalid", "pat.new@example.invalid"])
    }

    @Test("the areas of the plan with no open action on the case", arguments: DatabaseKind.available)
    func uncoveredAreas(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let visible = try fixture.stores.cases.case(id: fixture.caseID, for: fixture.coordinator)
        #expect(try fixture.actions.uncoveredAreas(of: visible) == PlanArea.allCases)
        let officer = try fixture.world.contactOwner("Pat Officer", agency: "probation", email: "pat@example.invalid")
        try fixture.add("Supervise", owner: officer, area: .supervision, dueIn: 3)
        let done = try fixture.add("Victim plan", owner: officer, area: .victimSafety, dueIn: 3)
        try fixture.add("Other case", on: fixture.otherCaseID, owner: officer, area: .monitoringAndControl, dueIn: 3)
        try fixture.actions.update(id: done, status: .done, note: "Done", dueDate: nil, expectedVersion: 1, by: fixture.coordinator)
        #expect(try fixture.actions.uncoveredAreas(of: visible) == [.monitoringAndControl, .interventionsAndTreatment, .victimSafety],
                "a closed action is not live; another case's action does not count")
    }
}
