import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// The home queues' counts at national scale (issue 28) are worked out from indexes: every match less those on the few
/// cases hidden from the viewer (`CaseVisibilityFilter.hiddenCaseIDs`), and each person's own actions from the index of
/// each way of owning one. These hold each count to the lists the same queries give row by row, for viewers who see
/// every case, one opened to them, one they are excluded from, and a partner agency's, on SQLite and PostgreSQL.
@Suite("Home queue counts")
struct HomeQueueCountTests {
    @Test("overdue, due and undated reviews and overdue actions: each count is what the viewer's list holds", arguments: DatabaseKind.available)
    func countsMatchTheLists(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let today = world.today
        func row(_ ref: String, level: ManagementLevel, review: Int?) -> CaseRegisterRow {
            CaseRegisterRow(nominalRef: ref, familyName: "Count", givenNames: ref, dateOfBirth: CalendarDate("1980-01-01")!, category: .two,
                            level: level, leadAgency: "probation", mappaStartDate: today.adding(days: -300),
                            nextReviewDate: review.map { today.adding(days: $0) })
        }
        let ids = try world.importCases([
            row("LATE1", level: .two, review: -10), row("LATE2", level: .three, review: -3), row("LATE3", level: .two, review: -1),
            row("SOON1", level: .two, review: 4), row("SOON2", level: .three, review: 14), row("LATER1", level: .two, review: 40),
            row("NODATE1", level: .two, review: nil), row("NODATE2", level: .three, review: nil), row("LEVELONE", level: .one, review: -5),
        ])
        // LATE2 and NODATE2 restricted (LATE2 opened to one coordinator); another coordinator excluded from LATE1.
        try world.test.database.write { connection in
            try connection.execute("UPDATE cases SET restricted = 1 WHERE id IN (?, ?)", [.integer(ids["LATE2"]!), .integer(ids["NODATE2"]!)])
            for (ref, days) in [("LATE1", -4), ("LATE1", -2), ("LATE2", -6), ("SOON1", -1), ("NODATE2", -9), ("LATER1", 5)] {
                try connection.execute("""
                    INSERT INTO actions (case_id, description, owner_name, owner_email, owner_agency_id, due_date, status, created_at, updated_at)
                    VALUES (?, 'Counted', 'Someone', '', (SELECT id FROM agencies WHERE code = 'police'), ?, 'open', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')
                    """, [.integer(ids[ref]!), .text(today.adding(days: days).description)])
            }
        }
        _ = try world.addUser("opened.one", role: .coordinator, agency: "mappa_unit")
        try world.name("opened.one", on: ids["LATE2"]!, as: .allow)
        _ = try world.addUser("excluded.one", role: .coordinator, agency: "mappa_unit")
        try world.name("excluded.one", on: ids["LATE1"]!, as: .exclude)
        try world.involve(ids["LATE1"]!, agency: "housing")
        try world.involve(ids["NODATE1"]!, agency: "housing")

        let stores = world.stores
        // (viewer, overdue reviews, due in 14 days, undated, overdue actions)
        let expected: [(Viewer, Int, Int, Int, Int)] = [
            (try world.coordinator(), 2, 2, 1, 3),
            (try world.viewer("opened.one"), 3, 2, 1, 4),
            (try world.viewer("excluded.one"), 1, 2, 1, 1),
            (try world.viewer(.agencyRepresentative), 1, 0, 1, 2),
        ]
        for (viewer, overdue, due, undated, actions) in expected {
            let who = viewer.user.username
            let overdueReviews = try stores.cases.overdueReviews(for: viewer, limit: 100)
            #expect(overdueReviews.total == overdue && overdueReviews.reviews.count == overdue, "overdue reviews, \(who)")
            let dueReviews = try stores.cases.reviewsDue(withinDays: 14, for: viewer, limit: 100)
            #expect(dueReviews.total == due && dueReviews.reviews.count == due, "reviews due, \(who)")
            let undatedReviews = try stores.cases.undatedReviews(for: viewer, limit: 100)
            #expect(undatedReviews.total == undated && undatedReviews.cases.count == undated, "undated reviews, \(who)")
            let queue = try stores.actions.overdueQueue(for: viewer, limit: 100)
            #expect(queue.count == actions && queue.overdueCount == actions && queue.items.count == actions, "overdue actions, \(who)")
            #expect(try stores.actions.overdue(for: viewer).count == actions, "the overdue list agrees, \(who)")
        }
        // The lists merge both levels, most overdue first, and stop at the limit.
        let opened = try world.viewer("opened.one")
        #expect(try stores.cases.overdueReviews(for: opened, limit: 100).reviews.map(\.caseID) == [ids["LATE1"]!, ids["LATE2"]!, ids["LATE3"]!])
        let firstTwo = try stores.cases.overdueReviews(for: opened, limit: 2)
        #expect(firstTwo.total == 3 && firstTwo.reviews.map(\.caseID) == [ids["LATE1"]!, ids["LATE2"]!])
        #expect(try stores.cases.reviewsDue(withinDays: 14, for: opened, limit: 1).reviews.map(\.caseID) == [ids["SOON1"]!])
    }

    @Test("an action owned by an address with no account or contact behind it is in its owner's queue and list, whatever the case",
          arguments: DatabaseKind.available)
    func ownedByAddress(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let ids = try world.importCases([
            CaseRegisterRow(nominalRef: "OWNED1", familyName: "Owned", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: world.today.adding(days: -100)),
        ])
        let rep = try world.addUser("address.owner", role: .agencyRepresentative, agency: "housing", email: "Address.Owner@example.invalid")
        try world.test.database.write { connection in
            for (email, days, status) in [("ADDRESS.OWNER@example.invalid", -2, "open"), ("address.owner@example.invalid", 3, "open"),
                                          ("address.owner@example.invalid", 1, "done"), ("someone.else@example.invalid", 1, "open")] {
                try connection.execute("""
                    INSERT INTO actions (case_id, description, owner_name, owner_email, owner_agency_id, due_date, status, created_at, updated_at)
                    VALUES (?, 'By address', 'Address Owner', ?, (SELECT id FROM agencies WHERE code = 'housing'), ?, ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')
                    """, [.integer(ids["OWNED1"]!), .text(email), .text(world.today.adding(days: days).description), .text(status)])
            }
        }
        let queue = try world.stores.actions.openQueue(ownedBy: rep, limit: 10)
        #expect(queue.count == 2 && queue.overdueCount == 1 && queue.items.count == 2)
        #expect(queue.items.allSatisfy { !$0.caseVisible && $0.action.nominalRef.isEmpty }, "housing is not involved in the case")
        #expect(try world.stores.actions.actions(ownedBy: rep).count == 3, "open and closed")
    }
}
