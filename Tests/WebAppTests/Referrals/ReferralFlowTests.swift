import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The referral journey as the referrer and the coordinator live it, through the real pages.
@Suite("Referral to case")
struct ReferralFlowTests {
    /// The form as a referrer fills it in, missing the things a hurried referrer leaves out.
    static let incomplete: [(String, String)] = [
        ("level_requested", "3"), ("category", "2"), ("family_name", "Sampleton"), ("given_names", "Robin"),
        ("aliases", "Rob\nThe Fox"), ("date_of_birth", "14/02/1990"), ("gender", "Male"), ("ethnicity", "White British"),
        ("current_address", "1 Example Road, Northtown"), ("pnc_id", "90/999999Z"), ("custody_status", "community"),
        ("index_offences", "Wounding with intent"), ("sentence", "5 years"),
        ("offence_details", "- Knife attack on a stranger"), ("reason_for_referral", "Threats to a new partner"),
        ("rosh_overall", "high"), ("victim_information", "New partner"), ("diversity_needs", "None known"),
        ("current_risk_management_plan", "Weekly reporting"), ("multi_agency_value", "Housing and police must co-ordinate"),
        ("lead_agency", "probation"), ("agencies_involved", "housing"),
        ("manager_authorised_by", "SPO Sample"), ("manager_authorised_on", "2026-11-20"),
    ]

    static func section(of field: String) -> ReferralSection? {
        let name = field.hasSuffix("-day") || field.hasSuffix("-month") || field.hasSuffix("-year")
            ? String(field[..<field.lastIndex(of: "-")!]) : field
        return ReferralField.all.first { $0.name == name }?.section
    }

    /// Saves one section from its own page (with the version the page carries), marked complete or not.
    @discardableResult
    static func save(_ client: TestClient, _ referralPath: String, _ section: ReferralSection, _ fields: [(String, String)],
                     completed: String = "yes") throws -> Response {
        let path = referralPath + "/sections/" + ReferralTaskPages.slug(section)
        let page = client.get(path)
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: page.bodyText))
        return client.post(path, fields + [("version", version), ("completed", completed)])
    }

    /// Fills in every section of the referral from `fields`, each on its own page and marked complete.
    static func fill(_ client: TestClient, _ referralPath: String, _ fields: [(String, String)]) throws {
        for section in ReferralSection.allCases {
            let saved = try save(client, referralPath, section, fields.filter { Self.section(of: $0.0) == section })
            #expect(saved.status == 303, "section \(section.title) saved")
        }
    }

    /// The status the task list shows for a section.
    static func sectionStatus(_ body: String, _ slug: String) throws -> String {
        let cell = try #require(TestClient.firstMatch(#"<div class="task-list__status" id="section-"# + slug + #"-status">(.*?)</div>"#, in: body))
        return cell.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression)
    }

    @Test("submit incomplete → QA findings → returned → fixed and resubmitted → screened → case", arguments: DatabaseKind.available)
    func journey(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let referrer = fixture.client(signedInAs: .referrer)
        let start = referrer.get("/referrals/new")
        #expect(start.bodyText.contains("Start a MAPPA referral") && start.bodyText.contains("7. Risk, victims and plan"))
        let started = referrer.post("/referrals/new", [])
        #expect(started.status == 303)
        let referralPath = String(try #require(started.headers["Location"]).dropLast("/edit".count))
        #expect(referrer.get(referralPath + "/edit").bodyText.contains("You have completed 0 of 9 sections"))
        // Every section filled in and marked complete on its own page, then submitted from Check your answers.
        try Self.fill(referrer, referralPath, Self.incomplete)
        let check = referrer.get(referralPath + "/check")
        #expect(check.status == 200)
        #expect(check.bodyText.contains("Wounding with intent"))
        let submitted = referrer.post(referralPath + "/submit", [])
        #expect(submitted.status == 303)
        let location = try #require(submitted.headers["Location"])
        let view = referrer.get(location)
        #expect(view.bodyText.contains("Referral submitted"))
        // Level 3 without saying what Level 2 cannot deliver: the check names it in its section.
        #expect(view.bodyText.contains("A Level 3 referral must say which parts of the risk management plan cannot be delivered at Level 2"))
        #expect(view.bodyText.contains("7. Risk, victims and plan"))

        let coordinator = fixture.client(signedInAs: .coordinator)
        let queue = coordinator.get("/screening")
        #expect(queue.bodyText.contains("Robin Sampleton"))
        #expect(queue.bodyText.contains("Incomplete"))
        coordinator.get(referralPath)
        let returned = coordinator.post(referralPath + "/return", [("reasons", "Say what Level 2 cannot deliver.")])
        #expect(returned.status == 303)

        let back = referrer.get(referralPath)
        #expect(back.bodyText.contains("Returned to referrer"))
        #expect(back.bodyText.contains("Say what Level 2 cannot deliver."))
        // The returned referral opens on its task list with the risk section marked.
        let tasks = referrer.get(referralPath + "/edit")
        #expect(tasks.status == 200)
        #expect(try Self.sectionStatus(tasks.bodyText, "risk") == "Has problems")
        #expect(try Self.sectionStatus(tasks.bodyText, "offender") == "Completed")
        let risk = Self.incomplete.filter { Self.section(of: $0.0) == .risk }
        let saved = try Self.save(referrer, referralPath, .risk, risk + [("why_level2_is_not_enough", "Emergency accommodation needs senior sign-off.")])
        #expect(saved.status == 303)
        #expect(try Self.sectionStatus(referrer.get(referralPath + "/edit").bodyText, "risk") == "Completed")
        #expect(referrer.get(referralPath + "/check").bodyText.contains("Resubmit referral"))
        let resubmitted = referrer.post(referralPath + "/submit", [])
        #expect(resubmitted.status == 303)
        #expect(referrer.get(referralPath).bodyText.contains("0 items to add or correct"))

        let screening = coordinator.get(referralPath + "/screening")
        #expect(screening.status == 200)
        let recommended = coordinator.post(referralPath + "/screening", [
            ("rosh", "high"), ("adds_value", "yes"), ("senior", "yes"), ("level", "2"), ("action", "recommend"),
        ])
        #expect(recommended.bodyText.contains("Recommended: Level 3"))
        #expect(recommended.bodyText.contains("<option value=\"3\" selected>Level 3</option>"),
                "the level choice follows the new recommendation")
        #expect(recommended.bodyText.contains("(7.5)"))
        let decided = coordinator.post(referralPath + "/screening", [
            ("rosh", "high"), ("adds_value", "yes"), ("senior", "yes"), ("decision", "accept"), ("level", "3"),
            ("existing_nominal", ""), ("rationale", "Senior housing decisions needed."), ("action", "decide"),
        ])
        #expect(decided.status == 303)
        let casePath = try #require(decided.headers["Location"]).split(separator: "?")[0]
        let casePage = coordinator.get(String(casePath))
        #expect(casePage.status == 200)
        #expect(casePage.bodyText.contains("Level 3: active multi-agency management"))
        #expect(casePage.bodyText.contains("Category 2"))
        // First review 8 weeks after the decision (the Level 3 default).
        let expectedReview = CalendarDate(fixture.clock.now).adding(weeks: 8).displayText
        #expect(casePage.bodyText.contains(expectedReview))

        // The housing representative's agency was named as involved: they may see the case; a referrer may not.
        #expect(fixture.client(signedInAs: .agencyRepresentative).get(String(casePath)).status == 200)
        #expect(referrer.get(String(casePath)).status == 403)
        // And search finds the new nominal by an alias, accent- and case-insensitively.
        #expect(coordinator.get("/nominals?q=the%20FOX").bodyText.contains("SAMPLETON"))
        #expect(coordinator.get("/nominals?q=14/02/1990").bodyText.contains("SAMPLETON"))
    }

    @Test("a second referral for the same person is flagged as a duplicate and can be linked", arguments: DatabaseKind.available)
    func duplicate(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let coordinator = fixture.client(signedInAs: .coordinator)
        var firstID: Int64 = 0
        for (index, name) in ["Sampleton", "Sampletonn"].enumerated() {
            coordinator.get("/referrals/new")
            var fields = Self.incomplete.filter { $0.0 != "family_name" && $0.0 != "level_requested" }
            fields += [("family_name", name), ("level_requested", "2"), ("action", "submit")]
            let created = coordinator.post("/referrals/new", fields)
            let path = String(try #require(created.headers["Location"]).split(separator: "?")[0])
            if index == 0 {
                coordinator.get(path + "/screening")
                let decided = coordinator.post(path + "/screening", [("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"),
                                                                     ("level", "2"), ("rationale", "Meets 7.4(a)."), ("action", "decide")])
                #expect(decided.status == 303)
                firstID = try #require(try fixture.searchNominals("Sampleton").first?.id)
            } else {
                let page = coordinator.get(path)
                #expect(page.bodyText.contains("Possible duplicates"))
                #expect(page.bodyText.contains("Same PNC ID"))
                coordinator.get(path + "/screening")
                let linked = coordinator.post(path + "/screening", [("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"),
                                                                    ("level", "2"), ("existing_nominal", String(firstID)),
                                                                    ("rationale", "Same person, confirmed by PNC."), ("action", "decide")])
                #expect(linked.status == 303)
            }
        }
        // Still one nominal with one active case.
        #expect(try fixture.searchNominals("Sampleton").count == 1)
        #expect(try fixture.cases(nominalID: firstID).count == 1)
    }

    @Test("referrers see only their own referrals; other roles cannot refer")
    func referralAccess() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/referrals/new")
        let created = coordinator.post("/referrals/new", Self.incomplete + [("action", "save")])
        let path = String(try #require(created.headers["Location"]).split(separator: "?")[0])
        let referrer = fixture.client(signedInAs: .referrer)
        #expect(referrer.get(path).status == 404, "someone else's referral is not shown, nor confirmed to exist")
        let referrerList = referrer.get("/referrals").bodyText
        #expect(!referrerList.contains("Sampleton") && !referrerList.contains("SAMPLETON"))
        #expect(fixture.client(signedInAs: .agencyRepresentative).get("/referrals/new").status == 403)
        #expect(referrer.get("/screening").status == 403)
        #expect(try fixture.auditActions().filter { $0 == .accessRefused }.count >= 3)
    }

    @Test("a declined referral records the reason and creates no case")
    func decline() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/referrals/new")
        let created = coordinator.post("/referrals/new", Self.incomplete + [("category", "3"), ("action", "submit")])
        let path = String(try #require(created.headers["Location"]).split(separator: "?")[0])
        coordinator.get(path + "/screening")
        let missing = coordinator.post(path + "/screening", [("decision", "decline"), ("action", "decide")])
        #expect(missing.status == 422)
        #expect(missing.bodyText.contains("Say why the referral is declined"))
        #expect(missing.bodyText.contains("Record the panel&#39;s reasons"))
        let declined = coordinator.post(path + "/screening", [("decision", "decline"), ("decline_reason", "Risk managed by probation alone."),
                                                              ("rationale", "No added value from meetings."), ("action", "decide")])
        #expect(declined.status == 303)
        let page = coordinator.get(path)
        #expect(page.bodyText.contains("Declined"))
        #expect(page.bodyText.contains("Risk managed by probation alone."))
        #expect(try fixture.searchNominals("Sampleton").isEmpty)
    }

    @Test("Category 4 cases are restricted by default; an excluded user is refused and audited")
    func needToKnow() throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        coordinator.get("/referrals/new")
        let created = coordinator.post("/referrals/new", Self.incomplete.filter { $0.0 != "category" } + [("category", "4"), ("action", "submit")])
        let path = String(try #require(created.headers["Location"]).split(separator: "?")[0])
        coordinator.get(path + "/screening")
        let decided = coordinator.post(path + "/screening", [("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"), ("level", "2"),
                                                             ("rationale", "Terrorism risk."), ("action", "decide")])
        let casePath = String(try #require(decided.headers["Location"]).split(separator: "?")[0])
        #expect(coordinator.get(casePath).status == 200, "the coordinator who accepted it is on its access list")
        let chair = fixture.client(signedInAs: .chair)
        let refused = chair.get(casePath)
        #expect(refused.status == 403)
        #expect(refused.bodyText.contains("need-to-know"))
        // An ordinary case with the manager on its exclusion list.
        let caseID = try #require(Int64(casePath.split(separator: "/").last ?? ""))
        try fixture.world.name("user.manager", on: caseID, as: .exclude)
        #expect(fixture.client(signedInAs: .manager).get(casePath).status == 403)
        let audit = try fixture.stores.audit.recent(limit: 50)
        #expect(audit.contains { $0.action == .accessRefused && $0.subjectType == "case" && $0.detail.contains("restricted") })
    }
}

/// The referral loop: the return box pre-filled from the quality check, and the reasons where the referrer works.
@Suite("Returned referrals")
struct ReturnedReferralTests {
    @Test("the return box is pre-filled; the reasons show at the top of the referral, its form and its list, and beside the field",
          arguments: DatabaseKind.available)
    func returnLoop(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let referrer = fixture.client(signedInAs: .referrer)
        referrer.get("/referrals/new")
        let submitted = referrer.post("/referrals/new", ReferralFlowTests.incomplete + [("action", "submit")])
        let path = String(try #require(submitted.headers["Location"]).split(separator: "?")[0])
        let missing = "A Level 3 referral must say which parts of the risk management plan cannot be delivered at Level 2"

        let coordinator = fixture.client(signedInAs: .coordinator)
        let view = coordinator.get(path).bodyText
        let box = try #require(TestClient.firstMatch(#"<textarea[^>]*name="reasons"[^>]*>([^<]*)</textarea>"#, in: view))
        #expect(box.contains(missing), "the return box holds the quality check's findings")
        let tooLong = coordinator.post(path + "/return", [("reasons", String(repeating: "y", count: 4001))])
        #expect(tooLong.status == 422)
        let returned = coordinator.post(path + "/return", [("reasons", "- 7. Risk, victims and plan: \(missing)\nRing me if unsure.")])
        #expect(returned.status == 303)

        let page = referrer.get(path).bodyText
        #expect(page.contains("id=\"return-reasons\""))
        #expect(page.contains("href=\"\(path)/sections/risk#why_level2_is_not_enough\""))
        #expect(page.contains("Ring me if unsure."))
        let tasks = referrer.get(path + "/edit").bodyText
        #expect(tasks.contains("id=\"return-reasons\""))
        #expect(try ReferralFlowTests.sectionStatus(tasks, "risk") == "Has problems")
        let form = referrer.get(path + "/sections/risk").bodyText
        #expect(form.contains("Returned by the coordinator: 7. Risk, victims and plan: \(missing)"))
        let list = referrer.get("/referrals").bodyText
        #expect(list.contains("Returned to you: 1") && list.contains("Ring me if unsure."))
        #expect(list.contains("href=\"\(path)/edit\""), "the returned referral opens on its task list")
    }
}
