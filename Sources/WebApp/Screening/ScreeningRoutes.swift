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
                        referral.submittedAt.map { Components.time($0) } ?? "",
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
            // A referral already decided (or not submitted) is not offered for screening: its decision is shown instead.
            guard referral.status.awaitingCoordinator else { return try decidedPage(request, session, services, referral) }
            let facts = ScreeningFacts(category: referral.form.category ?? .three, rosh: referral.form.roshOverall,
                                       addsValue: !referral.form.multiAgencyValue.isEmpty,
                                       previouslyLevel3: false)
            return try page(request, session, services, referral, facts: facts, values: ["meeting": request.queryValue("meeting") ?? ""],
                            problems: [], status: 200)
        })
        router.post("/referrals/:id/screening", Access.require(services, .manageReferrals) { request, session in
            let referral = try ReferralRoutes.load(request, session, services)
            // Sent again (back and resubmit, a second tab) after the decision: to the decision, never a second one.
            guard referral.status.awaitingCoordinator else { return .redirect(to: "/referrals/\(referral.id)/screening") }
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
            var meeting: Meeting?
            if let chosen = data["meeting"], !chosen.isEmpty {
                guard let id = Int64(chosen), let found = try? services.meetings.meeting(id: id, for: request.viewer(session)) else {
                    return try page(request, session, services, referral, facts: facts, values: values, problems: [
                        ValidationProblem(field: "meeting", message: "Select the screening panel from the list, or none"),
                    ], status: 422)
                }
                meeting = found
            }
            do {
                let caseID = try services.screening.recordScreening(referralID: referral.id, outcome: outcome, facts: facts,
                                                                    rationale: data["rationale"] ?? "", at: meeting, by: request.viewer(session))
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
        let panels = try screeningPanels(request, session, services)
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
                <div class="recommendation" role="region" aria-labelledby="recommendation-title">
                  <h2 class="recommendation__title" id="recommendation-title">\(recommended)</h2>
                  <ul>\(reasons)</ul>
                  <h3 class="recommendation__subheading">Criteria met</h3>
                  <ul>\(met.isEmpty ? ["<li>None</li>"] : met)</ul>
                  <h3 class="recommendation__subheading">Criteria not met</h3>
                  \(notMet.isEmpty ? "<p>None</p>" as HTML : "<ul>\(notMet)</ul>")
                </div>
                <h2>The panel's decision</h2>
                \(Components.select("decision", label: "Decision", options: [("accept", "Accept"), ("decline", "Decline")], selected: values["decision"] ?? (recommendation.level == nil ? "decline" : "accept"), problems: problems))
                \(Components.select("level", label: "Level, if accepted", options: [("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")], selected: values["level"] ?? recommendation.level.map { String($0.rawValue) } ?? "", problems: problems))
                \(Components.select("existing_nominal", label: "Is this person already on record?", options: duplicateOptions, selected: values["existing_nominal"] ?? "", hint: "Candidates from the duplicate check. Link only when you are sure it is the same person.", problems: problems))
                \(Components.textarea("decline_reason", label: "If declined: the reason, for the referrer", value: values["decline_reason"] ?? "", problems: problems))
                \(Components.select("meeting", label: "Screening panel where the decision was made", options: panels.map { (String($0.id), "\($0.title), \($0.date.displayText)") }, selected: values["meeting"] ?? "", hint: "Its attendance is recorded with the decision. Leave as Select if it was not made at a panel.", problems: problems))
                \(Components.textarea("rationale", label: "Rationale for the decision", value: values["rationale"] ?? "", hint: "Record why, including where the panel departs from the recommendation.", problems: problems))
                <button type="submit" class="button" name="action" value="decide">Record the decision</button>
                """))
            <p><a href="/referrals/\(referral.id)">Back to the referral</a></p>
            """
        return .html(Layout.page(title: "Screen referral \(referral.reference)", session: session, currentPath: "/screening",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    /// Screening panels a decision can be recorded against: from the last 60 days up to today, not cancelled.
    static func screeningPanels(_ request: Request, _ session: Session, _ services: Services) throws -> [Meeting] {
        try services.meetings.meetings(from: services.today.adding(days: -60), through: services.today, for: request.viewer(session))
            .filter { $0.kind == .screening && $0.status != .cancelled }.reversed()
    }

    /// The page for a referral that is not waiting for screening: its decision (or where it stands), with no form.
    static func decidedPage(_ request: Request, _ session: Session, _ services: Services, _ referral: ReferralRecord) throws -> Response {
        let decision = try decisionSection(request, session, services, referral)
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">Screening referral \(referral.reference)</span>
            <h1>\(referral.form.fullName.isEmpty ? "Referral \(referral.reference)" : referral.form.fullName)</h1>
            \(decision == .empty ? "<p>This referral is not waiting for screening: it is \(referral.status.rawValue). Only a submitted or resubmitted referral can be screened.</p>" as HTML : decision)
            <p><a href="/referrals/\(referral.id)">Back to the referral</a></p>
            """
        return .html(Layout.page(title: "Screening of referral \(referral.reference)", session: session, currentPath: "/screening",
                                 content: content).rendered)
    }

    /// The screening decision on a referral, with the panel where it was made and that panel's attendance; empty when
    /// the referral has not been screened. Shown on the referral and in place of the screening form.
    static func decisionSection(_ request: Request, _ session: Session, _ services: Services, _ referral: ReferralRecord) throws -> HTML {
        guard let decision = try services.screening.decision(on: referral) else { return .empty }
        let viewer = request.viewer(session)
        var rows: [(String, HTML)] = [
            ("Decision", "\(decision.decision == .accepted ? "Accepted at \(decision.level?.shortName ?? "an unknown level")" : "Declined")"),
            ("Decided on", "\(decision.decidedOn.displayText) by \(decision.decidedByName)"),
            ("Rationale", "<span class=\"preserve-lines\">\(decision.rationale)</span>"),
        ]
        if let reason = decision.declineReason { rows.append(("Reason given to the referrer", "<span class=\"preserve-lines\">\(reason)</span>")) }
        var attendance: HTML = .empty
        if let meetingID = decision.meetingID {
            if let meeting = try? services.meetings.meeting(id: meetingID, for: viewer) {
                rows.append(("Screening panel", "<a href=\"/meetings/\(meeting.id)\">\(meeting.title)</a>, \(meeting.date.displayText)"))
                let records = try services.meetings.attendance(of: services.meetings.agenda(of: meeting, for: viewer)).filter { $0.itemID == nil }
                attendance = Components.table(caption: "Who took part in the panel", headers: ["Agency", "Name", "Attendance"],
                                              rows: records.map { ["\($0.agencyName)", "\($0.person)", "\($0.status.displayName)"] })
            }
        } else {
            rows.append(("Screening panel", "Not recorded against a panel"))
        }
        return """
            <h2 id="screening-decision">Screening decision</h2>
            \(Components.summaryList(rows))
            \(attendance)
            \(decision.caseID.map { "<p><a href=\"/cases/\($0)\">Open the MAPPA case</a></p>" as HTML } ?? .empty)
            """
    }

    /// A screening panel's agenda: the referrals ready for screening (passing the quality check), each a link to screen
    /// it at this panel, and the decisions already recorded here.
    static func meetingSection(_ session: Session, _ services: Services, _ meeting: Meeting, viewer: Viewer) throws -> HTML {
        let ready = meeting.status == .cancelled ? [] : try services.screening.readyForScreening(for: viewer)
        let decided = try services.screening.decisions(at: meeting, for: viewer)
        let readyRows = ready.map { referral -> [HTML] in
            ["<a href=\"/referrals/\(referral.id)\">\(referral.reference)</a>", "\(referral.form.fullName)",
             "\(referral.form.levelRequested?.shortName ?? "–")", "\(referral.referringAgency)", "\(referral.submittedAt.flatMap(HumanTime.parse).map(HumanTime.day) ?? "")",
             meeting.date <= services.today
                ? "<a href=\"/referrals/\(referral.id)/screening?meeting=\(meeting.id)\">Screen at this panel<span class=\"visually-hidden\"> \(referral.reference)</span></a>"
                : "From \(meeting.date.displayText)"]
        }
        let decidedRows = decided.map { decision -> [HTML] in
            ["<a href=\"/referrals/\(decision.referralID)\">\(ReferralRecord.reference(decision.referralID))</a>",
             "\(decision.decision == .accepted ? "Accepted at \(decision.level?.shortName ?? "an unknown level")" : "Declined")",
             "\(decision.decidedOn.displayText)", "\(decision.decidedByName)"]
        }
        return """
            <h2 id="screening">Referrals for screening</h2>
            \(ready.isEmpty ? "<p>No referral is ready for screening: each submitted referral needs its quality check clear first.</p>" as HTML
                : Components.table(caption: "\(ready.count) referral\(ready.count == 1 ? "" : "s") ready for screening, oldest first", headers: ["Referral", "Offender", "Level requested", "From", "Submitted", ""], rows: readyRows))
            \(decided.isEmpty ? .empty : Components.table(caption: "Decided at this panel", headers: ["Referral", "Decision", "On", "By"], rows: decidedRows))
            """
    }
}
