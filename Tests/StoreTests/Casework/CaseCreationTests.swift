import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// A coordinator records a person and their case by hand, after the duplicate check a referral has.
@Suite("A case recorded by hand")
struct CaseCreationTests {
    static func newCase(_ family: String, pnc: String = "", born: String = "1990-07-08", category: MappaCategory = .one,
                        level: ManagementLevel = .one, today: CalendarDate) -> NewCase {
        NewCase(nominal: NominalDetails(familyName: family, givenNames: "Robin", dateOfBirth: CalendarDate(born), pncID: pnc,
                                        currentAddress: "1 Example Road"),
                registration: CaseDetails(category: category, level: level, leadAgency: "police", startDate: today.adding(days: -2)))
    }

    @Test("created after the duplicate check; a possible duplicate stops it until the coordinator confirms", arguments: DatabaseKind.available)
    func duplicateCheck(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let coordinator = try world.coordinator()
        let today = world.today
        try world.importCases([CaseRegisterRow(nominalRef: "ON1", familyName: "Onrecord", givenNames: "Robin", dateOfBirth: CalendarDate("1975-02-03")!,
                                               pncID: "75/000001A", category: .two, level: .two, leadAgency: "probation",
                                               mappaStartDate: today.adding(days: -50))])
        guard case .created(let caseID, let nominalID, let restricted) = try world.stores.cases.createCase(
            Self.newCase("Newperson", today: today), confirmedDifferentPerson: false, by: coordinator) else {
            Issue.record("a person nobody on record resembles is created at once")
            return
        }
        #expect(!restricted)
        let record = try world.record(caseID)
        #expect(record.nominalID == nominalID && record.level == .one && record.category == .one && record.status == .active)
        #expect(try world.history(caseID).first?.field == "created")
        #expect(try world.stores.nominals.nominal(id: nominalID, for: coordinator).nominalRef == String(format: "NOM-%06lld", nominalID))
        #expect(!(try world.stores.nominals.search("Newperson", for: coordinator)).isEmpty, "the new person is found by name at once")

        // Same PNC ID as someone on record: nothing is created until confirmed.
        let lookalike = Self.newCase("Otherperson", pnc: "75/000001A", born: "1962-01-01", today: today)
        guard case .possibleDuplicates(let candidates) = try world.stores.cases.createCase(lookalike, confirmedDifferentPerson: false, by: coordinator) else {
            Issue.record("the PNC ID match is listed")
            return
        }
        #expect(candidates.map(\.0.nominalRef) == ["ON1"])
        #expect(try world.stores.nominals.search("Otherperson", for: coordinator).isEmpty)
        guard case .created = try world.stores.cases.createCase(lookalike, confirmedDifferentPerson: true, by: coordinator) else {
            Issue.record("confirmed as a different person, it is created")
            return
        }
        let audit = try world.stores.audit.recent(limit: 50)
        #expect(audit.contains { $0.action == .create && $0.subjectType == "nominal" && $0.detail.contains("confirmed not a possible duplicate") })
        #expect(audit.filter { $0.action == .create && $0.subjectType == "case" }.count == 2)
    }

    @Test("a duplicate the coordinator may not see is not named, and does not stop the case", arguments: DatabaseKind.available)
    func hiddenDuplicate(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let today = world.today
        try world.importCases([CaseRegisterRow(nominalRef: "HID1", familyName: "Hidden", givenNames: "Robin", dateOfBirth: CalendarDate("1975-02-03")!,
                                               pncID: "75/000002B", category: .four, level: .two, leadAgency: "police",
                                               mappaStartDate: today.adding(days: -50))])
        let outcome = try world.stores.cases.createCase(Self.newCase("Different", pnc: "75/000002B", today: today), confirmedDifferentPerson: false,
                                                        by: try world.coordinator())
        guard case .created = outcome else {
            Issue.record("a restricted person is never listed to someone not on its access list")
            return
        }
    }

    @Test("a Category 4 case is restricted, its creator on its access list; the rules and the role are enforced", arguments: DatabaseKind.available)
    func categoryFourAndRules(kind: DatabaseKind) throws {
        let world = try StoreWorld(kind)
        let today = world.today
        let coordinator = try world.coordinator()
        guard case .created(let caseID, _, let restricted) = try world.stores.cases.createCase(
            Self.newCase("Terrorcase", category: .four, level: .three, today: today), confirmedDifferentPerson: false, by: coordinator) else {
            Issue.record("created")
            return
        }
        #expect(restricted)
        #expect(try world.record(caseID).restricted)
        #expect(throws: Never.self) { try world.stores.cases.case(id: caseID, for: coordinator) }
        #expect(throws: DomainError.self) { try world.stores.cases.case(id: caseID, for: try world.viewer(.chair)) }
        // Level 3 without a review date: the start date plus the Level 3 interval.
        let interval = try world.stores.context.timescales().nextReviewDue(after: today.adding(days: -2), level: .three)
        #expect(try world.record(caseID).nextReviewDate == interval)

        var invalid = Self.newCase("", category: .three, level: .one, today: today)
        invalid.registration.leadAgency = "no_such_agency"
        #expect {
            _ = try world.stores.cases.createCase(invalid, confirmedDifferentPerson: true, by: coordinator)
        } throws: { error in
            let fields = Set((error as? DomainError)?.problems.map(\.field) ?? [])
            return fields.isSuperset(of: ["family_name", "level", "lead_agency"])
        }
        #expect(throws: DomainError.self) {
            _ = try world.stores.cases.createCase(Self.newCase("Chairmade", today: today), confirmedDifferentPerson: true, by: try world.viewer(.chair))
        }
    }
}
