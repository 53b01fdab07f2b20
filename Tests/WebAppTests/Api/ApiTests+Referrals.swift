import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Referrals and screening decisions through the API, as a partner system files and follows them.
extension ApiTests {
    @Test("referrals: create a draft, update it with its version (409 when stale), submit with findings by section",
          arguments: DatabaseKind.available)
    func referralLifecycle(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let referrer = try fixture.token(.referrer)
        let created = fixture.send("POST", "/api/v1/referrals", token: referrer, json: Self.form)
        #expect(created.status == 201)
        let referral = try Self.json(created)
        let id = try #require({ if case .int(let id)? = referral["id"] { return id } else { return nil } }())
        #expect(created.headers["Location"] == "/api/v1/referrals/\(id)")
        #expect(referral["status"] == "draft")
        #expect(referral["version"] == 1)
        #expect(referral["form"]?["roshByGroup"] == ["children": nil, "public": "high", "knownAdult": nil, "staff": nil])
        #expect(referral["form"]?["dateOfBirth"] == "1988-04-12")
        #expect(referral["readyForScreening"] == false)
        #expect(try fixture.audit().contains { $0.action == .create && $0.subjectType == "referral" && $0.subjectID == String(id) })

        guard case .object(var changed) = Self.form else { Issue.record("the referral form fixture is not a JSON object"); return }
        changed["givenNames"] = "Avery Jo"
        let updated = fixture.send("PUT", "/api/v1/referrals/\(id)", token: referrer, json: ["version": 1, "form": .object(changed)])
        #expect(updated.status == 200)
        #expect(try Self.json(updated)["version"] == 2)
        #expect(try Self.json(updated)["form"]?["givenNames"] == "Avery Jo")
        let stale = fixture.send("PUT", "/api/v1/referrals/\(id)", token: referrer, json: ["version": 1, "form": Self.form])
        #expect(try Self.isProblem(stale, 409, code: "edit_conflict"))
        #expect(try fixture.app.stores.referrals.referral(id: id, for: try fixture.app.viewer(.coordinator)).form.givenNames == "Avery Jo")

        let submitted = fixture.send("POST", "/api/v1/referrals/\(id)/submit", token: referrer)
        #expect(submitted.status == 200)
        let outcome = try Self.json(submitted)
        #expect(outcome["referral"]?["status"] == "submitted")
        #expect(outcome["readyForScreening"] == false)
        // Level 3 without saying what Level 2 cannot deliver: reported in section 7 under the API's field name.
        guard case .array(let sections)? = outcome["findings"] else { Issue.record("no findings"); return }
        let risk = try #require(sections.first { $0["section"] == "risk" })
        #expect(risk["title"] == "7. Risk, victims and plan")
        guard case .array(let findings)? = risk["findings"] else { Issue.record("no risk findings"); return }
        #expect(findings.contains { $0["field"] == "whyLevel2IsNotEnough" && $0["kind"] == "missing" })

        #expect(try Self.isProblem(fixture.send("POST", "/api/v1/referrals/\(id)/submit", token: referrer), 409, code: "not_submittable"))
        let late = fixture.send("PUT", "/api/v1/referrals/\(id)", token: referrer, json: ["version": 3, "form": Self.form])
        #expect(try Self.isProblem(late, 409, code: "not_editable"))

        // Another referrer cannot see it: answered as if it did not exist, and audited.
        let other = try fixture.app.stores.accounts.createUser(.init(username: "other.referrer", displayName: "Other", role: .referrer,
                                                                  agencyCode: "probation", password: "harbour tulip spoon 5",
                                                                  mustChangePassword: false), by: .commandLine)
        let otherToken = try fixture.tokens.create(userID: other.id, name: "t", by: .commandLine).token
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/referrals/\(id)", token: otherToken), 404))
        #expect(try fixture.audit().contains { $0.action == .accessRefused && $0.subjectType == "referral" && $0.actorUsername == "other.referrer" })
        guard case .array(let visible)? = try Self.json(fixture.send("GET", "/api/v1/referrals", token: otherToken))["items"] else {
            Issue.record("no list"); return
        }
        #expect(visible.isEmpty)
        let listed = try Self.json(fixture.send("GET", "/api/v1/referrals?status=submitted", token: try fixture.token(.coordinator)))
        #expect(Self.elements(listed["items"]).count == 1)
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/referrals?status=lost", token: referrer), 400))

        let viewed = fixture.send("GET", "/api/v1/referrals/\(id)", token: referrer)
        #expect(Self.elements(try Self.json(viewed)["history"]).count == 2)
        #expect(try fixture.audit().contains { $0.action == .view && $0.subjectType == "referral" && $0.detail == "via API" })
    }

    @Test("bodies that cannot be read: 415 for another media type, 400 for broken JSON, 422 listing every bad field",
          arguments: DatabaseKind.available)
    func badBodies(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let token = try fixture.token(.coordinator)
        #expect(try Self.isProblem(fixture.send("POST", "/api/v1/referrals", token: token, contentType: "text/plain", body: "{}"), 415))
        #expect(try Self.isProblem(fixture.send("POST", "/api/v1/referrals", token: token, body: "{\"familyName\": "), 400, code: "invalid_json"))
        let bad = fixture.send("POST", "/api/v1/referrals", token: token, json: [
            "category": 5, "levelRequested": "3", "roshOverall": "extreme", "dateOfBirth": "1988-02-30", "noFixedAbode": "yes",
            "roshByGroup": ["pets": "low"], "agenciesInvolved": ["nowhere"], "leadAgency": "nowhere", "familyName": "A\u{0}B",
            "favouriteColour": "blue",
        ])
        #expect(try Self.isProblem(bad, 422, code: "invalid_request"))
        guard case .array(let errors)? = try Self.json(bad)["errors"] else { Issue.record("no errors"); return }
        let fields = Set(errors.compactMap { error -> String? in if case .string(let field)? = error["field"] { return field } else { return nil } })
        #expect(fields == ["category", "levelRequested", "roshOverall", "dateOfBirth", "noFixedAbode", "roshByGroup",
                           "agenciesInvolved", "leadAgency", "familyName", "favouriteColour"])
        #expect(try Self.isProblem(fixture.send("POST", "/api/v1/referrals", token: token, json: ["a", "b"]), 422))
        #expect(try fixture.app.stores.referrals.referrals(for: try fixture.app.viewer(.coordinator)).isEmpty)

        let id = try fixture.app.stores.referrals.createReferral(ReferralForm(), by: try fixture.app.viewer(.coordinator)).id
        let update = fixture.send("PUT", "/api/v1/referrals/\(id)", token: token, json: ["form": ["category": "two"], "extra": 1])
        guard case .array(let updateErrors)? = try Self.json(update)["errors"] else { Issue.record("no errors"); return }
        #expect(Set(updateErrors.compactMap { error -> String? in if case .string(let field)? = error["field"] { return field } else { return nil } })
                == ["version", "form.category", "extra"])
    }

    @Test("screening decisions: one referral's decision and the decisions since a date, for the coordinator only",
          arguments: DatabaseKind.available)
    func screeningDecisions(kind: DatabaseKind) throws {
        let fixture = try Fixture(kind)
        let coordinatorUser = try fixture.app.viewer(.coordinator)
        let referrals = fixture.app.stores.referrals
        var form = ReferralForm()
        form.category = .two
        form.familyName = "Syntheticson"
        form.givenNames = "Avery"
        form.leadAgency = "probation"
        form.roshOverall = .high
        let accepted = try referrals.createReferral(form, by: coordinatorUser).id
        let declined = try referrals.createReferral(form, by: coordinatorUser).id
        let waiting = try referrals.createReferral(form, by: coordinatorUser).id
        for id in [accepted, declined, waiting] { try referrals.submitReferral(id: id, by: coordinatorUser) }
        let facts = ScreeningFacts(category: .two, rosh: .high, addsValue: true)
        let caseID = try fixture.app.stores.screening.recordScreening(referralID: accepted, outcome: .accept(level: .two, existingNominalID: nil),
                                                                      facts: facts, rationale: "Meets 7.4(a).", by: coordinatorUser)
        try fixture.app.stores.screening.recordScreening(referralID: declined, outcome: .decline(reason: "Managed well by probation alone."),
                                                         facts: facts, rationale: "No added value.", by: coordinatorUser)

        let token = try fixture.token(.coordinator)
        let decision = try Self.json(fixture.send("GET", "/api/v1/referrals/\(accepted)/screening-decision", token: token))
        #expect(decision["decision"] == "accepted")
        #expect(decision["level"] == 2)
        #expect(decision["recommendedLevel"] == 2)
        #expect(decision["caseId"] == .nullable(caseID))
        #expect(decision["rationale"] == "Meets 7.4(a).")
        #expect(decision["decidedOn"] == .string(fixture.app.today.description))
        #expect(decision["decidedBy"] == "Test MAPPA coordinator")
        #expect(decision["facts"]?["addsValue"] == true)
        #expect(decision["declineReason"] == .null)
        #expect(decision["meetingId"] == .null, "not recorded against a screening panel")
        let refusal = try Self.json(fixture.send("GET", "/api/v1/referrals/\(declined)/screening-decision", token: token))
        #expect(refusal["decision"] == "declined")
        #expect(refusal["level"] == .null)
        #expect(refusal["declineReason"] == "Managed well by probation alone.")
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/referrals/\(waiting)/screening-decision", token: token), 404, code: "not_screened"))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/referrals/999/screening-decision", token: token), 404))

        let today = fixture.app.today
        let list = try Self.json(fixture.send("GET", "/api/v1/screening-decisions?since=\(today)", token: token))
        #expect(Self.elements(list["items"]).map { $0["referralId"] } == [.int(accepted), .int(declined)])
        let limited = try Self.json(fixture.send("GET", "/api/v1/screening-decisions?since=\(today)&limit=1", token: token))
        #expect(limited["more"] == true)
        let later = try Self.json(fixture.send("GET", "/api/v1/screening-decisions?since=\(today.adding(days: 1))", token: token))
        #expect(later["items"] == .array([]))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/screening-decisions", token: token), 400))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/screening-decisions?since=2027-02-30", token: token), 400))
        #expect(try Self.isProblem(fixture.send("GET", "/api/v1/referrals/\(accepted)/screening-decision", token: try fixture.token(.referrer)), 403))
        #expect(try fixture.audit().contains { $0.action == .view && $0.subjectType == "screening_decision" })
    }
}
