import Domain
import Foundation
import Store

/// Synthetic casework for the demo: nominals and cases across every category and level (some reviews due or
/// overdue, one restricted Category 4 case, one exited case), and referrals at each step of their journey, so
/// every page has something to show. Invented names only; created once, never duplicated.
enum DemoCasework {
    static let familyNames = ["Ashdown", "Brackley", "Carrow", "Dunmore", "Elsworth", "Fairbank", "Garside", "Hollins",
                              "Ingleby", "Jessop", "Kenley", "Lowther", "Marden", "Northam", "Oakridge", "Pelham",
                              "Redfern", "Stanwick", "Thursby", "Walford", "Yarrow", "Zetland", "Quarry", "Upton"]
    static let givenNames = ["Alex", "Billie", "Casey", "Dale", "Eden", "Frankie", "Glen", "Harley", "Jamie", "Kit",
                             "Lee", "Morgan", "Noel", "Owen", "Parker", "Quinn", "Robin", "Sam", "Toby", "Rhys"]

    /// Returns a line describing what was created, or nil when the demo casework was already there.
    static func create(_ stores: Stores) throws -> String? {
        guard let coordinatorUser = try stores.accounts.accounts.user(username: "demo.coordinator"),
              let referrerUser = try stores.accounts.accounts.user(username: "demo.referrer") else { return nil }
        let coordinator = Viewer(coordinatorUser, from: "demo")
        let referrer = Viewer(referrerUser, from: "demo")
        guard try stores.nominals.search("DEMO-0001", for: coordinator).isEmpty else { return nil }
        let today = stores.today
        var rows: [CaseRegisterRow] = []
        for index in 0..<24 {
            let category: MappaCategory = index == 23 ? .four : (index % 5 == 3 ? .three : (index % 3 == 0 ? .two : .one))
            let level: ManagementLevel = index < 4 ? .three : (index < 12 ? .two : (category == .three ? .two : .one))
            // Reviews spread around today: some overdue, some due within the fortnight, most later.
            let review: CalendarDate? = level == .one ? nil : today.adding(days: [-21, -3, 5, 12, 30, 45, 60, 90][index % 8])
            let custody: CustodyStatus = index % 7 == 2 ? .custody : .community
            rows.append(CaseRegisterRow(
                nominalRef: String(format: "DEMO-%04d", index + 1), familyName: familyNames[index],
                givenNames: givenNames[index % givenNames.count], aliases: index % 4 == 0 ? ["\(givenNames[(index + 5) % givenNames.count])y"] : [],
                dateOfBirth: CalendarDate("1960-01-15")!.adding(days: index * 523), gender: index % 6 == 0 ? "Female" : "Male",
                ethnicity: "Not stated (synthetic)", pncID: String(format: "%02d/%06dD", 80 + index % 20, 100 + index),
                crn: String(format: "D%06d", 500 + index), category: category, level: level,
                leadAgency: category == .one ? "police" : "probation", mappaStartDate: today.adding(days: -400 + index * 9),
                statutoryEndDate: today.adding(days: 700 + index * 30), nextReviewDate: review,
                rosh: level == .three ? .veryHigh : (level == .two ? .high : .medium), custodyStatus: custody,
                releaseDate: custody == .custody ? today.adding(days: 150 + index) : nil,
                status: index == 22 ? .exited : .active, exitDate: index == 22 ? today.adding(days: -10) : nil,
                exitReason: index == 22 ? "Notification period ended" : ""))
        }
        // Imported by the demo coordinator, who is therefore named on the restricted Category 4 case (DEMO-0024) and
        // so sees it; everyone else does not until a coordinator who manages restricted cases names them.
        _ = try stores.register.importRegister(rows, by: .person(coordinator))
        // The housing representative's agency is involved in the first six cases.
        for index in 0..<6 {
            if let nominal = try stores.nominals.search(String(format: "DEMO-%04d", index + 1), for: coordinator).first,
               let record = try stores.cases.cases(nominalID: nominal.id, for: coordinator).first {
                try stores.caseAccess.setInvolvedAgency(caseID: record.id, agencyCode: "housing", involved: true, by: coordinator)
            }
        }

        var draft = referralForm(family: "Kestrel", given: "Jordan", today: today)
        draft.reasonForReferral = ""
        _ = try stores.referrals.createReferral(draft, by: referrer)

        var incomplete = referralForm(family: "Larkspur", given: "Drew", today: today)
        incomplete.levelRequested = .three
        incomplete.whyLevel2IsNotEnough = ""
        incomplete.custodyStatus = .custody
        incomplete.releaseDate = nil
        let submitted = try stores.referrals.createReferral(incomplete, by: referrer)
        _ = try stores.referrals.submitReferral(id: submitted.id, by: referrer)

        let toReturn = try stores.referrals.createReferral(referralForm(family: "Mallory", given: "Ash", today: today, offence: ""), by: referrer)
        _ = try stores.referrals.submitReferral(id: toReturn.id, by: referrer)
        try stores.referrals.returnReferral(id: toReturn.id, reasons: "Please add the offence details (section 3) and the current risk management plan.",
                                            by: coordinator)

        let ready = try stores.referrals.createReferral(referralForm(family: "Nightingale", given: "Sasha", today: today), by: referrer)
        _ = try stores.referrals.submitReferral(id: ready.id, by: referrer)
        let meetings = try createMeetings(stores, coordinator: coordinator, chair: try stores.accounts.accounts.user(username: "demo.chair"))
        return "\(rows.count) synthetic nominals and cases; 4 referrals (a draft, one with quality findings, one returned, one ready for screening); \(meetings)"
    }

    static func referralForm(family: String, given: String, today: CalendarDate, offence: String = "- Assault on a former partner\n- Breach of a restraining order") -> ReferralForm {
        var form = ReferralForm()
        form.levelRequested = .two
        form.mappaArea = "Demo area"
        form.category = .two
        form.familyName = family
        form.givenNames = given
        form.dateOfBirth = CalendarDate("1987-07-19")
        form.gender = "Male"
        form.ethnicity = "Not stated (synthetic)"
        form.currentAddress = "1 Example Street, Demotown"
        form.custodyStatus = .community
        form.indexOffences = "Assault occasioning actual bodily harm"
        form.sentence = "2 years' imprisonment; on licence"
        form.offenceDetails = offence
        form.sentenceDate = today.adding(days: -500)
        form.licenceEndDate = today.adding(days: 300)
        form.reasonForReferral = "New relationship with a partner who has two young children; threats made to the former partner."
        form.roshOverall = .high
        form.roshByGroup = [.knownAdult: .high, .children: .medium]
        form.riskAssessmentTools = "OASys, SARA"
        form.victimInformation = "Former partner; victim liaison officer involved."
        form.diversityNeeds = "None known"
        form.currentRiskManagementPlan = offence.isEmpty ? "" : "Weekly reporting; exclusion zone; home visits with police."
        form.multiAgencyValue = "Children's social care and housing need to act together with probation and police."
        form.agenciesInvolved = ["housing", "childrens_services"]
        form.leadAgency = "probation"
        form.managerAuthorisedBy = "Senior probation officer (demo)"
        form.managerAuthorisedOn = today.adding(days: -2)
        return form
    }

    /// Single points of contact for the core agencies, a Level 2 and a Level 3 panel next week with their agendas
    /// built, and a Level 2 panel held last week whose attendance shows a missing core agency.
    static func createMeetings(_ stores: Stores, coordinator: Viewer, chair: User?) throws -> String {
        let actor = coordinator.actor
        let meetings = stores.meetings
        let spocs = [("police", "DS Demo Police-Spoc"), ("probation", "SPO Demo Probation-Spoc"), ("housing", "Demo Housing-Spoc"),
                     ("childrens_services", "Demo Children-Spoc"), ("prison", "Demo Prison-Spoc")]
        for (code, name) in spocs {
            guard let agency = try stores.agencies.agency(code: code) else { continue }
            try stores.agencies.saveContact(id: nil, agencyID: agency.id, name: name, role: "MAPPA single point of contact",
                                     email: "\(code).spoc@example.invalid", phone: "01632 960000", isSPOC: true, active: true, by: actor)
        }
        let today = stores.today
        var made = 0
        for (kind, title, offset, grade) in [(MeetingKind.level2, "Level 2 panel (demo)", 7, ChairGrade.manager),
                                             (.level3, "Level 3 panel (demo)", 8, .strategic)] {
            let id = try meetings.schedule(MeetingPlan(kind: kind, title: title, date: today.adding(days: offset), startTime: "10:00",
                                                       durationMinutes: 180, venue: "Conference room 2, Demotown police station",
                                                       chairUserID: chair?.id, chairGrade: grade), by: actor)[0]
            let meeting = try meetings.meeting(id: id, for: coordinator)
            // A panel discusses a dozen cases or so: the rest wait for the next one.
            for proposal in try meetings.proposals(for: meeting, by: coordinator, naming: 0).proposals.prefix(12) {
                try meetings.addToAgenda(meeting, caseID: proposal.caseID, reason: proposal.reason.text, by: coordinator)
            }
            let invitees = try meetings.proposedInvitees(for: try meetings.agenda(of: meeting, for: coordinator)).compactMap { entry in
                entry.contact.map { (agencyID: entry.agency.id, name: $0.name, email: $0.email) }
            }
            if !invitees.isEmpty { try meetings.confirmInvitees(meeting, invitees, by: actor) }
            made += 1
        }
        return "\(made) panels next week with agendas and invitees, and single points of contact for \(spocs.count) agencies"
    }
}
