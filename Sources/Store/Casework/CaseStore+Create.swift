import Database
import Domain
import Foundation

/// What came of asking to create a case by hand.
public enum CaseCreation: Sendable {
    /// The new nominal and case.
    case created(caseID: Int64, nominalID: Int64, restricted: Bool)
    /// People on record (only those the viewer may see) who may be this person, best first: nothing was created. The
    /// coordinator confirms it is a different person, or opens the existing record instead.
    case possibleDuplicates([(NominalRecord, DuplicateCandidate)])
}

extension CaseStore {
    /// Creates a nominal and their MAPPA case from what a coordinator typed (`NewCase` rules), after the same duplicate
    /// check a referral has: while anyone the viewer may see may be this person and the coordinator has not confirmed
    /// this is someone else, nothing is created and the candidates are returned. A Category 4 case is restricted, with
    /// its creator on its access list. The next review date, when left empty at Level 2 or 3, is the start date plus
    /// the level's interval. Audited in the same transaction.
    public func createCase(_ new: NewCase, confirmedDifferentPerson: Bool, by viewer: Viewer) throws -> CaseCreation {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        var problems = new.problems(today: context.today)
        let leadAgency = new.registration.leadAgency.isEmpty ? nil : try agencies.agency(code: new.registration.leadAgency)
        if leadAgency == nil && !new.registration.leadAgency.isEmpty {
            problems.append(ValidationProblem(field: "lead_agency", message: "Select a lead agency from the list"))
        }
        let area = new.registration.area.isEmpty ? nil : try areas.area(code: new.registration.area)
        if area == nil && !new.registration.area.isEmpty {
            problems.append(ValidationProblem(field: "area", message: "Select a MAPPA area from the list"))
        }
        guard problems.isEmpty, let leadAgency else { throw DomainError.validation(problems) }
        if !confirmedDifferentPerson {
            let candidates = try nominals.duplicateCandidates(of: new.nominal.person, for: viewer)
            if !candidates.isEmpty { return .possibleDuplicates(candidates) }
        }
        let details = new.registration
        let nextReview = try details.nextReviewDate ?? context.timescales().nextReviewDue(after: details.startDate, level: details.level)
        let restricted = details.category == .four
        let now = context.now
        return try database.write { connection in
            var person = new.nominal
            person.pncID = person.pncID.uppercased()
            person.crn = person.crn.uppercased()
            let nominalID = try nominals.insert(connection, details: person)
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "nominal", subjectID: String(nominalID),
                                     detail: "by hand" + (confirmedDifferentPerson ? "; confirmed not a possible duplicate" : ""))
            let caseID = try connection.insert("""
                INSERT INTO cases (nominal_id, category, level, lead_agency_id, start_date, statutory_end_date, next_review_date,
                                   rosh, rosh_children, rosh_public, rosh_known_adult, rosh_staff, status, restricted, area_id,
                                   created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
                """, [.integer(nominalID), .integer(Int64(details.category.rawValue)), .integer(Int64(details.level.rawValue)),
                      .integer(leadAgency.id), .text(details.startDate.description), .init(details.statutoryEndDate), .init(nextReview),
                      .init(details.rosh?.rawValue), .init(details.roshByGroup[.children]?.rawValue),
                      .init(details.roshByGroup[.publicAtLarge]?.rawValue), .init(details.roshByGroup[.knownAdult]?.rawValue),
                      .init(details.roshByGroup[.staff]?.rawValue), .init(restricted), .init(area?.id), .text(now), .text(now)])
            try Self.addHistory(connection, caseID: caseID, field: "created", old: "", new: "\(details.category.shortName), \(details.level.shortName)",
                                reason: "Created by hand", by: viewer.user.id, at: now)
            if restricted {
                // Only the people named on a Category 4 case see it: its creator first.
                try CaseAccessStore.name(connection, caseID: caseID, userID: viewer.user.id, as: .allow)
            }
            try Self.involve(connection, caseID: caseID, agencyID: leadAgency.id)
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "case", subjectID: String(caseID),
                                     detail: "by hand: \(details.category.shortName), \(details.level.shortName)")
            return .created(caseID: caseID, nominalID: nominalID, restricted: restricted)
        }
    }
}
