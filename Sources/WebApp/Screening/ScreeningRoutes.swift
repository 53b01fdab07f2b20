import Domain
import Foundation
import HTTPServer
import Store

/// The screening queue and the panel's decision: the guidance criteria, the level they point to, and the
/// decision recorded with its rationale.
enum ScreeningRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/screening", Access.require(services, .manageReferrals) { request, session in
            let waiting = try services.referrals.referrals(for: request.viewer(session), statuses: [.submitted, .resubmitted])
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral", subjectID: "", detail: "screening queue: \(waiting.count) listed")
            let check = ReferralQualityCheck(timescales: try services.context.timescales())
            let rows = waiting.map { referral -> [HTML] in
                let ready = ReferralQualityCheck.isReadyForScreening(check.findings(referral.form, today: services.today))
                return ["<a href=\"/referrals/\(referral.id)\">\(referral.reference)</a>", "\(referral.form.fullName)",
                        "\(referral.form.levelRequested?.shortName ?? "–")", "\(referral.referringAgency)",
                        "\(referral.submittedAt ?? "")",
                        ready ? Components.tag("Ready to screen", colour: "green") : Components.tag("Incomplete", colour: "red")]
            }
            let content: HTML = """
                <h1>Screening queue</h1>
                <p>Submitted and resubmitted referrals waiting for the coordinator, oldest first. Return incomplete ones to the referrer with reasons.</p>
                \(Components.table(caption: "\(waiting.count) waiting", headers: ["Reference", "Offender", "Level requested", "From", "Submitted", "Quality"],
                                   rows: rows.reversed()))
                """
            return .html(Layout.page(title: "Screening queue", session: session, currentPath: "/screening", content: content).rendered)
        })
        router.get("/referrals/:id/screening", Access.require(services, .manageReferrals) { request, session in
            let referral = try ReferralRoutes.load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "referral", subjectID: String(referral.id), detail: "screening")
            let facts = ScreeningFacts(category: referral.form.category ?? .three, rosh: referral.form.roshOverall,
                                       addsValue: !referral.form.multiAgencyValue.isEmpty,
                                       previouslyLevel3: false)
            return try page(request, session, services, referral, facts: facts, values: [:], problems: [], status: 200)
        })
        router.post("/referrals/:id/screening", Access.require(services, .manageReferrals) { request, session in
            let referral = try ReferralRoutes.load(request, session, services)
            let data = try request.form()
            let facts = ScreeningFacts(
                category: Int(data["category"] ?? "").flatMap(MappaCategory.init(rawValue:)) ?? referral.form.category ?? .three,
                rosh: RoSH(rawValue: data["rosh"] ?? "") ?? referral.form.roshOverall,
                addsValue: data["adds_value"] == "yes",
                exceptionalLowerRiskNeedingCoordination: data["exceptional"] == "yes",
                previouslyLevel3: data["step_down"] == "yes",
                needsSeniorRepresentation: data["senior"] == "yes",
                needsResourcesAtShortNotice: data["resources"] == "yes",
                publicConfidenceConcern: data["public_confidence"] == "yes")
            var values = data.firstValues
            guard data["action"] == "decide" else {
                // A new recommendation moves the level choice to it, so a coordinator who does not notice the
                // change cannot record the old level by accident; they can still choose another before deciding.
                values["level"] = nil
                return try page(request, session, services, referral, facts: facts, values: values, problems: [], status: 200)
            }
            let outcome: ScreeningOutcome
            switch data["decision"] ?? "" {
            case "accept":
                let existing = (data["existing_nominal"] ?? "").trimmingCharacters(in: .whitespaces)
                guard existing.isEmpty || Int64(existing) != nil else {
                    return try page(request, session, services, referral, facts: facts, values: values, problems: [
                        ValidationProblem(field: "existing_nominal", message: "Select the person from the possible duplicates listed, or create a new nominal"),
                    ], status: 422)
                }
                outcome = .accept(level: Int(data["level"] ?? "").flatMap(ManagementLevel.init(rawValue:)) ?? .unknown,
                                  existingNominalID: Int64(existing))
            case "decline":
                outcome = .decline(reason: data["decline_reason"] ?? "")
            default:
                return try page(request, session, services, referral, facts: facts, values: values, problems: [
                    ValidationProblem(field: "decision", message: "Select whether the panel accepted or declined the referral"),
                ], status: 422)
            }
            do {
                let caseID = try services.screening.recordScreening(referralID: referral.id, outcome: outcome, facts: facts,
                                                                    rationale: data["rationale"] ?? "", by: request.viewer(session))
                if let caseID { return .redirect(to: "/cases/\(caseID)?done=\(Flash.referralScreened.rawValue)") }
                return .redirect(to: "/referrals/\(referral.id)?done=\(Flash.referralScreened.rawValue)")
            } catch let error as DomainError where error.isValidation {
                return try page(request, session, services, referral, facts: facts, values: values, problems: error.problems, status: 422)
            }
        })
    }

    static func page(_ request: Request, _ session: Session, _ services: Services, _ referral: ReferralRecord, facts: ScreeningFacts,
                     values: [String: String], problems: [ValidationProblem], status: Int) throws -> Response {
        let recommendation = LevelRecommendation.recommend(facts)
        let met = recommendation.criteriaMet.map { criterion -> HTML in "<li>\(criterion.explanation)</li>" }
        let notMet = recommendation.criteriaNotMet.map { criterion -> HTML in "<li>\(criterion.explanation)</li>" }
        let reasons = recommendation.reasons.map { reason -> HTML in "<li>\(reason)</li>" }
        let duplicates = try services.referrals.duplicateCandidates(of: referral, for: request.viewer(session))
        let duplicateOptions = [("", "No: create a new nominal")] + duplicates.map {
            (String($0.0.id), "\($0.0.nominalRef) \($0.0.fullName) (\($0.1.reasons.joined(separator: "; ")))")
        }
        let recommended = recommendation.level.map { "Recommended: \($0.shortName)" } ?? "Recommended: decline (does not meet the criteria for MAPPA management)"
        let box = { (name: String, label: String, checked: Bool) -> HTML in Components.checkbox(name, label: label, checked: checked) }
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">Screening referral \(referral.reference)</span>
            <h1>Screen \(referral.form.fullName)</h1>
            \(Components.summaryList([
                ("Category", "\(referral.form.category?.description ?? "Not stated")"),
                ("Level requested", "\(referral.form.levelRequested?.shortName ?? "Not stated")"),
                ("Overall RoSH", "\(referral.form.roshOverall?.displayName ?? "Not stated")"),
                ("What multi-agency management would add", "<span class=\"preserve-lines\">\(referral.form.multiAgencyValue)</span>"),
                ("Why Level 2 is not enough", "<span class=\"preserve-lines\">\(referral.form.whyLevel2IsNotEnough)</span>"),
            ]))
            \(Components.form(action: "/referrals/\(referral.id)/screening", csrf: session.csrfToken, """
                <input type="hidden" name="category" value="\(facts.category.rawValue)">
                \(Components.select("rosh", label: "Risk of serious harm agreed by the panel", options: RoSH.allCases.map { ($0.rawValue, $0.displayName) }, selected: facts.rosh?.rawValue ?? ""))
                <fieldset class="fieldset"><legend class="fieldset__legend">The panel's view against the guidance (MAPPA Guidance ch.7)</legend>
                \(box("adds_value", LevelCriterion.addsValue.explanation, facts.addsValue))
                \(box("exceptional", LevelCriterion.exceptionalLowerRisk.explanation, facts.exceptionalLowerRiskNeedingCoordination))
                \(box("step_down", LevelCriterion.stepDownFromLevel3.explanation, facts.previouslyLevel3))
                \(box("senior", LevelCriterion.seniorRepresentation.explanation, facts.needsSeniorRepresentation))
                \(box("resources", LevelCriterion.resourcesAtShortNotice.explanation, facts.needsResourcesAtShortNotice))
                \(box("public_confidence", LevelCriterion.publicConfidence.explanation, facts.publicConfidenceConcern))
                </fieldset>
                <button type="submit" class="button button--secondary" name="action" value="recommend">Update the recommendation</button>
                <div class="notification" role="region" aria-labelledby="recommendation-title">
                  <h2 class="notification__title" id="recommendation-title">\(recommended)</h2>
                  <div class="notification__body">
                    <ul>\(reasons)</ul>
                    <p>Criteria met:</p><ul>\(met.isEmpty ? ["<li>None</li>"] : met)</ul>
                    <p>Criteria not met:</p><ul>\(notMet)</ul>
                  </div>
                </div>
                <h2>The panel's decision</h2>
                \(Components.select("decision", label: "Decision", options: [("accept", "Accept"), ("decline", "Decline")], selected: values["decision"] ?? (recommendation.level == nil ? "decline" : "accept"), problems: problems))
                \(Components.select("level", label: "Level, if accepted", options: [("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")], selected: values["level"] ?? recommendation.level.map { String($0.rawValue) } ?? "", problems: problems))
                \(Components.select("existing_nominal", label: "Is this person already on record?", options: duplicateOptions, selected: values["existing_nominal"] ?? "", hint: "Candidates from the duplicate check. Link only when you are sure it is the same person.", problems: problems))
                \(Components.textarea("decline_reason", label: "If declined: the reason, for the referrer", value: values["decline_reason"] ?? "", problems: problems))
                \(Components.textarea("rationale", label: "Rationale for the decision", value: values["rationale"] ?? "", hint: "Record why, including where the panel departs from the recommendation.", problems: problems))
                <button type="submit" class="button" name="action" value="decide">Record the decision</button>
                """))
            <p><a href="/referrals/\(referral.id)">Back to the referral</a></p>
            """
        return .html(Layout.page(title: "Screen referral \(referral.reference)", session: session, currentPath: "/screening",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }
}
