import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// One review date per case (`ReviewSchedule`): the stored `cases.next_review_date` is what the case, the home
/// page's overdue list, the agenda builder, the compliance check, the indicators and the export read; marking a
/// meeting held does not move it; an edit changes it only with a reason, kept in the history. On SQLite and PostgreSQL.
@Suite("One review date per case")
struct ReviewDateTests {
    struct World {
        let world: StoreWorld
        let coordinator: Viewer
        let caseID: Int64
        /// The stored date: neither the start date nor the last review plus the Level 2 interval.
        let due: CalendarDate
        var stores: Stores { world.stores }
        var today: CalendarDate { world.today }

        init(_ kind: DatabaseKind) throws {
            world = try StoreWorld(kind)
            coordinator = try world.coordinator()
            let today = world.today
            due = today.adding(days: -5)
            // Start + 16 weeks was 288 days ago; the last review + 16 weeks is 92 days ahead; the stored date, 5 days ago.
            let ids = try world.importCases([CaseRegisterRow(nominalRef: "ONEDATE1", familyName: "Onedate", givenNames: "Test",
                                                             dateOfBirth: CalendarDate("1980-01-01")!, category: .two, level: .two,
                                                             leadAgency: "probation", mappaStartDate: today.adding(days: -400),
                                                             nextReviewDate: due)])
            caseID = try #require(ids["ONEDATE1"])
            try world.test.database.write { connection in
                try connection.execute("UPDATE cases SET last_reviewed_on = ? WHERE id = ?",
                                       [.text(today.adding(days: -20).description), .integer(ids["ONEDATE1"]!)])
            }
        }
    }

    @Test("one case shows the same date on the case, the overdue list, the agenda, the compliance check, the indicators and the export",
          arguments: DatabaseKind.available)
    func sameDateEverywhere(kind: DatabaseKind) throws {
        let world = try World(kind)
        let stores = world.stores
        let record = try stores.cases.case(id: world.caseID, for: world.coordinator).record
        #expect(record.nextReviewDate == world.due)
        let schedule = ReviewSchedule(level: record.level, status: record.status, nextReviewDate: record.nextReviewDate, today: world.today)
        #expect(schedule.state == .overdue(days: 5))

        let overdue = try stores.cases.overdueReviews(for: world.coordinator)
        #expect(overdue.reviews.map(\.caseID) == [world.caseID] && overdue.reviews.first?.due == world.due)
        #expect(try stores.cases.reviewsDue(withinDays: 14, for: world.coordinator).total == 0, "overdue is not due")

        let meeting = try world.world.schedule(MeetingPlan(kind: .level2, title: "Level 2 panel", date: world.today.adding(days: 7),
                                                           startTime: "10:00", venue: "Room 1", chairGrade: .manager))
        let proposals = try stores.meetings.proposals(for: meeting, by: world.coordinator).proposals
        #expect(proposals.map(\.reason) == [.overdue(days: 12)], "counted from the stored date to the meeting")

        try world.world.addToAgenda(meeting.id, caseID: world.caseID)
        let findings = try stores.meetings.compliance(of: meeting, for: world.coordinator).filter { $0.check == .reviewInterval }
        #expect(findings.map(\.message) == ["ONEDATE1: reviewed 12 days after its review date, \(world.due.displayText)"])

        let facts = try stores.kpis.facts(from: world.today.adding(days: -500), through: world.today)
        #expect(facts.reviewCases.first { $0.caseID == world.caseID }?.nextReviewDate == world.due)
        let period = ReportingPeriod.containing(world.due, kind: .year)
        let result = KPICalculator.result(.level2Reviews, settings: KPIIndicator.level2Reviews.defaultSettings, facts: facts, period: period,
                                          today: world.today, timescales: Timescales())
        let item = try #require(result.items.last { $0.caseID == world.caseID })
        #expect(item.date == world.due && !item.counted && item.reason.hasSuffix("its review date"))

        #expect(try stores.register.exportRegister(for: world.coordinator).first { $0.nominalRef == "ONEDATE1" }?.nextReviewDate == world.due)
    }

    @Test("marking a meeting held counts the case as reviewed but does not move its date; the check keeps the date it was due by",
          arguments: DatabaseKind.available)
    func heldKeepsTheDate(kind: DatabaseKind) throws {
        let world = try World(kind)
        let stores = world.stores
        let meeting = try world.world.schedule(MeetingPlan(kind: .level2, title: "Level 2 panel", date: world.today, startTime: "10:00",
                                                           venue: "Room 1", chairGrade: .manager))
        try world.world.addToAgenda(meeting.id, caseID: world.caseID)
        try stores.meetings.markHeld(meeting, by: world.coordinator)
        let reviewed = try world.world.record(world.caseID)
        #expect(reviewed.lastReviewedOn == world.today)
        #expect(reviewed.nextReviewDate == world.due, "the minutes set the next date, not the held button")
        #expect(!(try world.world.history(world.caseID)).contains { $0.field == "next_review_date" })

        // The case's date then moves on (as approved minutes or an edit move it): the held meeting was still late.
        var details = reviewed.details
        details.nextReviewDate = world.today.adding(weeks: 16)
        #expect(throws: DomainError.self) {
            try stores.cases.updateCase(id: world.caseID, details: details, reason: "", expectedVersion: reviewed.version, by: world.coordinator)
        }
        try stores.cases.updateCase(id: world.caseID, details: details, reason: "Reviewed at the panel", expectedVersion: reviewed.version,
                                    by: world.coordinator)
        let change = try #require(try world.world.history(world.caseID).last)
        #expect(change.field == "next_review_date" && change.newValue == details.nextReviewDate?.description && change.reason == "Reviewed at the panel")
        let findings = try stores.meetings.compliance(of: try world.world.meeting(meeting.id), for: world.coordinator)
        #expect(findings.filter { $0.check == .reviewInterval }.map(\.message) == ["ONEDATE1: reviewed 5 days after its review date, \(world.due.displayText)"])
        #expect(try stores.cases.overdueReviews(for: world.coordinator).total == 0)
        #expect(try stores.cases.reviewsDue(withinDays: 200, for: world.coordinator).reviews.map(\.due) == [details.nextReviewDate!])
    }

    @Test("an active Level 2 or 3 case without a date is listed as undated and proposed as due, never given an invented date",
          arguments: DatabaseKind.available)
    func undated(kind: DatabaseKind) throws {
        let world = try World(kind)
        let ids = try world.world.importCases([
            CaseRegisterRow(nominalRef: "NODATE1", familyName: "Nodate", givenNames: "Test", dateOfBirth: CalendarDate("1981-01-01")!,
                            category: .two, level: .two, leadAgency: "probation", mappaStartDate: world.today.adding(days: -300)),
            CaseRegisterRow(nominalRef: "LEVELONE1", familyName: "Levelone", givenNames: "Test", dateOfBirth: CalendarDate("1982-01-01")!,
                            category: .one, level: .one, leadAgency: "police", mappaStartDate: world.today.adding(days: -300)),
        ])
        let nodate = try #require(ids["NODATE1"])
        try world.world.test.database.write { connection in
            try connection.execute("UPDATE cases SET last_reviewed_on = ? WHERE id = ?", [.text(world.today.adding(days: -30).description), .integer(nodate)])
        }
        let undated = try world.stores.cases.undatedReviews(for: world.coordinator)
        #expect(undated.total == 1 && undated.cases.map(\.caseID) == [nodate])
        #expect(try world.world.record(nodate).nextReviewDate == nil)
        let meeting = try world.world.schedule(MeetingPlan(kind: .level2, title: "Level 2 panel", date: world.today.adding(days: 7),
                                                           startTime: "10:00", venue: "Room 1", chairGrade: .manager))
        let proposals = try world.stores.meetings.proposals(for: meeting, by: world.coordinator).proposals
        #expect(proposals.first { $0.caseID == nodate }?.reason == .noReviewDate)
        // Partner-agency staff see only their agencies' cases: housing is not involved in it.
        #expect(try world.stores.cases.undatedReviews(for: try world.world.viewer(.agencyRepresentative)).total == 0)
    }

    @Test("the migration gives each active Level 2 and 3 case without a date its last review (or start) plus the configured interval, in its history",
          arguments: DatabaseKind.available)
    func backfill(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind, migrate: false)
        let index = try #require(Schema.migrations.firstIndex { $0.name.hasPrefix("one review date per case") })
        // This release's stores write the register below, and a case registered writes a change event with it: that table too.
        let changeEvents = try #require(Schema.migrations.first { $0.sql.contains("CREATE TABLE events_outbox") })
        try Migrator(Array(Schema.migrations[..<index]) + [changeEvents]).migrate(test.database)
        let stores = Stores(database: test.database)
        try stores.agencies.seedAgencies()
        _ = try stores.register.importRegister([
            CaseRegisterRow(nominalRef: "L3REVIEWED", familyName: "A", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-01")!,
                            category: .two, level: .three, leadAgency: "police", mappaStartDate: CalendarDate("2026-01-10")!),
            CaseRegisterRow(nominalRef: "L2NEVER", familyName: "B", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-02")!,
                            category: .two, level: .two, leadAgency: "police", mappaStartDate: CalendarDate("2026-02-01")!),
            CaseRegisterRow(nominalRef: "L2DATED", familyName: "C", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-03")!,
                            category: .two, level: .two, leadAgency: "police", mappaStartDate: CalendarDate("2026-02-01")!,
                            nextReviewDate: CalendarDate("2026-12-24")!),
            CaseRegisterRow(nominalRef: "L1", familyName: "D", givenNames: "Test", dateOfBirth: CalendarDate("1980-01-04")!,
                            category: .one, level: .one, leadAgency: "police", mappaStartDate: CalendarDate("2026-02-01")!),
        ], by: .system(SystemJob("test")))
        try test.database.write { connection in
            try connection.execute("UPDATE cases SET last_reviewed_on = '2026-10-01' WHERE nominal_id = (SELECT id FROM nominals WHERE nominal_ref = 'L3REVIEWED')")
            try connection.execute("INSERT INTO settings (key, value) VALUES ('timescale.level3_review_weeks', '6')")
        }
        try Schema.migrator.migrate(test.database)
        func stored(_ ref: String) throws -> (String?, [String]) {
            try test.database.read { connection in
                let id: Int64 = try #require(try AreaWorld.caseID(test.database, ref: ref))
                let date: String? = try connection.queryOne("SELECT next_review_date FROM cases WHERE id = ?", [.integer(id)])?.valueIfPresent("next_review_date")
                let history = try connection.query("SELECT new_value FROM case_history WHERE case_id = ? AND field = 'next_review_date'", [.integer(id)])
                    .map { try $0.value("new_value", as: String.self) }
                return (date, history)
            }
        }
        #expect(try stored("L3REVIEWED") == ("2026-11-12", ["2026-11-12"]), "1 October plus the configured 6 weeks")
        #expect(try stored("L2NEVER") == ("2026-05-24", ["2026-05-24"]), "the start date plus the default 16 weeks")
        #expect(try stored("L2DATED") == ("2026-12-24", []))
        #expect(try stored("L1") == (nil, []))
    }
}
