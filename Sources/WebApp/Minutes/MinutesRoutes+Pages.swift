import Domain
import Foundation
import HTTPServer
import Store

extension MinutesRoutes {
    /// `owners`: the directory, for the owners the actions chose from it (their name, email and agency come with them).
    static func read(_ reader: inout FormReader, form: FormData, agencies: [(code: String, name: String)], owners: [OwnerChoice] = []) -> MinutesContent {
        var content = MinutesContent()
        content.newInformation = agencies.compactMap { agency in
            let text = reader.text("info_\(agency.code)")
            return text.isEmpty ? nil : AgencyUpdate(agency: agency.code, text: text)
        }
        content.riskAssessment = reader.text("risk_assessment")
        content.rosh = reader.choice("rosh", RoSH.init(rawValue:), required: "")
        for group in RiskGroup.allCases {
            content.roshByGroup[group] = reader.choice("rosh_\(group.rawValue)", RoSH.init(rawValue:), required: "")
        }
        content.victimIssues = reader.text("victim_issues")
        content.diversity = reader.text("diversity")
        content.disclosureConsidered = form["disclosure_considered"] == "yes"
        content.disclosureDecision = reader.text("disclosure_decision")
        content.disclosureTo = reader.text("disclosure_to")
        content.disclosureBy = reader.text("disclosure_by")
        content.disclosureRationale = reader.text("disclosure_rationale")
        content.supervision = reader.text("supervision")
        content.monitoringAndControl = reader.text("monitoring_and_control")
        content.interventionsAndTreatment = reader.text("interventions_and_treatment")
        content.victimSafetyPlanning = reader.text("victim_safety_planning")
        for index in 1...20 {
            let decision = reader.text("decision_\(index)"), rationale = reader.text("rationale_\(index)")
            if !decision.isEmpty || !rationale.isEmpty { content.decisions.append(MinutesDecision(decision: decision, rationale: rationale)) }
        }
        content.anyDisagreement = form["any_disagreement"] == "yes"
        content.dissent = reader.text("dissent")
        content.levelDecision = reader.choice("level_decision", { Int($0).flatMap(ManagementLevel.init(rawValue:)) }, required: "")
        content.categoryDecision = reader.choice("category_decision", { Int($0).flatMap(MappaCategory.init(rawValue:)) }, required: "")
        content.leadAgency = reader.text("lead_agency")
        content.nextReviewDate = reader.date("next_review_date", "Next review date")
        for index in 1...20 {
            let description = reader.text("action_\(index)")
            let owner = reader.text("action_owner_\(index)")
            let due = reader.date("action_due_\(index)", "Action \(index) due date")
            let chosen = ActionOwner(token: reader.text("action_owner_ref_\(index)")).flatMap { ref in owners.first { $0.owner == ref } }
            if !description.isEmpty || !owner.isEmpty || due != nil || chosen != nil {
                var planned = PlannedAction(description: description, ownerName: owner, ownerEmail: reader.text("action_email_\(index)"),
                                            ownerAgency: reader.text("action_agency_\(index)"), dueDate: due,
                                            area: PlanArea(rawValue: reader.text("action_area_\(index)")))
                if let chosen {
                    planned.owner = chosen.owner
                    (planned.ownerName, planned.ownerEmail, planned.ownerAgency) = (chosen.name, chosen.email, chosen.agencyCode)
                }
                content.actions.append(planned)
            }
        }
        return content
    }

    static func values(_ content: MinutesContent) -> [String: String] {
        var values: [String: String] = [
            "risk_assessment": content.riskAssessment, "rosh": content.rosh?.rawValue ?? "", "victim_issues": content.victimIssues,
            "diversity": content.diversity, "disclosure_considered": content.disclosureConsidered ? "yes" : "",
            "disclosure_decision": content.disclosureDecision, "disclosure_to": content.disclosureTo, "disclosure_by": content.disclosureBy,
            "disclosure_rationale": content.disclosureRationale, "supervision": content.supervision,
            "monitoring_and_control": content.monitoringAndControl, "interventions_and_treatment": content.interventionsAndTreatment,
            "victim_safety_planning": content.victimSafetyPlanning, "any_disagreement": content.anyDisagreement ? "yes" : "",
            "dissent": content.dissent, "level_decision": content.levelDecision.map { String($0.rawValue) } ?? "",
            "category_decision": content.categoryDecision.map { String($0.rawValue) } ?? "",
            "lead_agency": content.leadAgency, "next_review_date": content.nextReviewDate?.description ?? "",
        ]
        for group in RiskGroup.allCases { values["rosh_\(group.rawValue)"] = content.roshByGroup[group]?.rawValue ?? "" }
        for update in content.newInformation { values["info_\(update.agency)"] = update.text }
        for (index, decision) in content.decisions.enumerated() {
            values["decision_\(index + 1)"] = decision.decision
            values["rationale_\(index + 1)"] = decision.rationale
        }
        for (index, action) in content.actions.enumerated() {
            values["action_\(index + 1)"] = action.description
            values["action_owner_\(index + 1)"] = action.ownerName
            values["action_email_\(index + 1)"] = action.ownerEmail
            values["action_agency_\(index + 1)"] = action.ownerAgency
            values["action_due_\(index + 1)"] = action.dueDate?.description ?? ""
            values["action_owner_ref_\(index + 1)"] = action.owner?.token ?? ""
            values["action_area_\(index + 1)"] = action.area?.rawValue ?? ""
        }
        return values
    }

    /// The decisions and the actions: rows added and removed on the form itself, typing kept (`RepeatingRows`).
    static let decisionRows = RepeatingRows(name: "decision", noun: "decision", fields: ["decision_", "rationale_"])
    static let actionRows = RepeatingRows(name: "action", noun: "action", fields: [
        "action_", "action_owner_", "action_owner_ref_", "action_email_", "action_agency_", "action_due_", "action_area_"])

    static func form(_ session: Session, _ services: Services, _ context: Discussion, _ minutes: MinutesRecord, values: [String: String],
                     problems: [ValidationProblem], agencies: [(code: String, name: String)], owners: [OwnerChoice],
                     version: Int64? = nil) throws -> HTML {
        let all = try services.agencies.agencies(activeOnly: true).map { ($0.code, $0.name) }
        let roshOptions = RoSH.allCases.map { ($0.rawValue, $0.displayName) }
        let timescales = try services.context.timescales()
        func area(_ name: String, _ label: String, hint: String? = nil, rows: Int = 4) -> HTML {
            Components.textarea(name, label: label, value: values[name] ?? "", hint: hint, problems: problems, rows: rows)
        }
        let info = agencies.map { area("info_\($0.code)", "New information from \($0.name)", rows: 3) }
        let groups = RiskGroup.allCases.map { group -> HTML in
            Components.select("rosh_\(group.rawValue)", label: "RoSH to \(group.displayName.lowercased())", options: roshOptions,
                              selected: values["rosh_\(group.rawValue)"] ?? "", problems: problems)
        }
        let action = path(context)
        let decisionCount = decisionRows.count(values)
        let decisions = (1...decisionCount).map { index -> HTML in
            """
            <fieldset class="fieldset rows__row" id="\(decisionRows.id(index))"><legend class="fieldset__legend">Decision \(index)</legend>
            \(Components.textInput("decision_\(index)", label: "Decision", value: values["decision_\(index)"] ?? "", problems: problems))
            \(Components.textarea("rationale_\(index)", label: "Rationale", value: values["rationale_\(index)"] ?? "", problems: problems, rows: 2))
            \(decisionCount > 1 ? decisionRows.removeButton(index, action: action) : .empty)
            </fieldset>
            """
        }
        let ownerGroups = ActionRoutes.ownerGroups(owners)
        let areas = PlanArea.allCases.map { ($0.rawValue, $0.displayName) }
        let actionCount = actionRows.count(values)
        let actions = (1...actionCount).map { index -> HTML in
            // An owner typed before owners were chosen from the directory is kept as typed until one is chosen.
            let typed = values["action_owner_ref_\(index)"] ?? "" == "" ? ["action_owner_", "action_email_", "action_agency_"].compactMap { name -> HTML? in
                guard let value = values["\(name)\(index)"], !value.isEmpty else { return nil }
                return "<input type=\"hidden\" name=\"\(name)\(index)\" value=\"\(value)\">"
            } : []
            let recorded: HTML = typed.isEmpty ? .empty : "<p class=\"hint\">Owner as recorded: \(values["action_owner_\(index)"] ?? "")</p>"
            return """
            <fieldset class="fieldset rows__row" id="\(actionRows.id(index))"><legend class="fieldset__legend">Action \(index)</legend>
            \(Components.textInput("action_\(index)", label: "What is to be done", value: values["action_\(index)"] ?? "", problems: problems))
            \(typed)\(recorded)
            \(Components.groupedSelect("action_owner_ref_\(index)", label: "Owner, from the directory", groups: ownerGroups,
                                       selected: values["action_owner_ref_\(index)"] ?? "", hint: "By agency. Add people missing from the directory under Agencies.", problems: problems))
            \(Components.select("action_area_\(index)", label: "Area of the risk management plan", options: areas, selected: values["action_area_\(index)"] ?? "", problems: problems))
            \(Components.dateInput("action_due_\(index)", label: "Due date", values: values, problems: problems))
            \(actionCount > 1 ? actionRows.removeButton(index, action: action) : .empty)
            </fieldset>
            """
        }
        return Components.form(action: action, csrf: session.csrfToken, """
            \(RepeatingRows.defaultSubmit(name: "action", value: "save"))
            <input type="hidden" name="version" value="\(version ?? minutes.version)">
            \(decisionRows.countInput(decisionCount))\(actionRows.countInput(actionCount))
            <h2>New information</h2>
            \(info)
            <h2>Risk assessment</h2>
            \(area("risk_assessment", "Risk assessment", hint: "Who is at risk, of what, and when; what makes the risk worse or better"))
            \(Components.select("rosh", label: "Overall risk of serious harm", options: roshOptions, selected: values["rosh"] ?? "", problems: problems))
            \(groups)
            \(area("victim_issues", "Victims and potential victims"))
            \(area("diversity", "Diversity", rows: 2))
            <h2>Disclosure</h2>
            \(Components.checkbox("disclosure_considered", label: "Disclosure was considered", checked: values["disclosure_considered"] == "yes"))
            \(Components.textInput("disclosure_decision", label: "Decision", value: values["disclosure_decision"] ?? "", hint: "For example: no disclosure", problems: problems))
            \(Components.textInput("disclosure_to", label: "To whom", value: values["disclosure_to"] ?? "", problems: problems))
            \(Components.textInput("disclosure_by", label: "By whom", value: values["disclosure_by"] ?? "", problems: problems))
            \(area("disclosure_rationale", "Rationale", rows: 2))
            <h2>Risk management plan</h2>
            \(area("supervision", "Supervision"))
            \(area("monitoring_and_control", "Monitoring and control"))
            \(area("interventions_and_treatment", "Interventions and treatment"))
            \(area("victim_safety_planning", "Victim safety planning"))
            <h2 id="\(decisionRows.listID)">Decisions</h2>
            \(decisions)
            \(decisionRows.addButton(decisionCount, action: action))
            \(Components.checkbox("any_disagreement", label: "An attendee disagreed with a decision", checked: values["any_disagreement"] == "yes"))
            \(area("dissent", "Dissent: who disagreed and why", rows: 2))
            <h2 id="\(actionRows.listID)">Actions</h2>
            <p>Add a row for each action agreed. The actions are tracked once the chair approves the minutes.</p>
            \(actions)
            \(actionRows.addButton(actionCount, action: action))
            <h2>Level and review</h2>
            \(Components.select("level_decision", label: "Level decision", options: ManagementLevel.allCases.filter { $0 != .unknown }.map { (String($0.rawValue), $0.description) }, selected: values["level_decision"] ?? "", problems: problems))
            \(Components.select("category_decision", label: "Category change", options: MappaCategory.allCases.map { (String($0.rawValue), $0.description) }, selected: values["category_decision"] ?? "", hint: "Only if the panel decided the case belongs in another category", problems: problems))
            \(Components.select("lead_agency", label: "Lead agency", options: all, selected: values["lead_agency"] ?? "", problems: problems))
            \(Components.dateInput("next_review_date", label: "Next review date", values: values, hint: "Leave blank for the end of the review interval (\(timescales.level2ReviewWeeks) weeks at Level 2, \(timescales.level3ReviewWeeks) at Level 3), or set an earlier date", problems: problems))
            <div class="button-group">
            <button type="submit" class="button button--secondary" name="action" value="save">Save draft</button>
            <button type="submit" class="button" name="action" value="submit">Save and send to the chair</button>
            </div>
            """)
    }

    static func view(_ content: MinutesContent, agencyNames: [String: String]) -> HTML {
        func text(_ value: String) -> HTML { value.isEmpty ? "–" : "\(value)" }
        let info = content.newInformation.map { ("\(agencyNames[$0.agency] ?? $0.agency)", text($0.text)) }
        return """
            <h2>New information</h2>
            \(Components.summaryList(info.isEmpty ? [("None recorded", HTML.empty)] : info))
            <h2>Risk</h2>
            \(Components.summaryList([("Risk assessment", text(content.riskAssessment)), ("Overall RoSH", text(content.rosh?.displayName ?? "")),
                                      ("Victims", text(content.victimIssues)), ("Diversity", text(content.diversity))]))
            <h2>Disclosure</h2>
            \(Components.summaryList([("Considered", content.disclosureConsidered ? "Yes" : "No"), ("Decision", text(content.disclosureDecision)),
                                      ("To whom", text(content.disclosureTo)), ("By whom", text(content.disclosureBy)),
                                      ("Rationale", text(content.disclosureRationale))]))
            <h2>Risk management plan</h2>
            \(Components.summaryList(content.riskManagementPlanPillars.map { ($0.name, text($0.text)) }))
            <h2>Decisions</h2>
            \(Components.table(caption: "Decisions and rationale", headers: ["Decision", "Rationale"], rows: content.decisions.map { ["\($0.decision)", "\($0.rationale)"] },
                               empty: "No decisions recorded."))
            \(content.anyDisagreement ? "<p><strong>Dissent:</strong> \(content.dissent)</p>" as HTML : .empty)
            <h2>Actions</h2>
            \(Components.table(caption: "Actions agreed", headers: ["Action", "Owner", "Agency", "Due"], rows: content.actions.map {
                ["\($0.description)", "\($0.ownerName)", "\(agencyNames[$0.ownerAgency] ?? $0.ownerAgency)", "\($0.dueDate?.displayText ?? "–")"]
            }, empty: "No actions were agreed."))
            <h2>Level and review</h2>
            \(Components.summaryList([("Level decision", text(content.levelDecision?.description ?? "")),
                                      ("Category change", text(content.categoryDecision?.description ?? "None")),
                                      ("Lead agency", text(agencyNames[content.leadAgency] ?? content.leadAgency)),
                                      ("Next review", text(content.nextReviewDate?.displayText ?? ""))]))
            """
    }

    /// What approval changes on the case, as of the meeting date (`MinutesStore.changesOnApproval`).
    static func caseChanges(_ services: Services, _ context: Discussion) throws -> HTML {
        let changes = try services.minutes.changesOnApproval(context)
        guard !changes.isEmpty else { return "<p>Approving these minutes changes nothing on the case but the date it was last reviewed.</p>" }
        return Components.table(caption: "What approval changes on the case, as of \(context.meeting.date.displayText)",
                                headers: ["Fact", "Now", "After approval"], rows: changes.map { change -> [HTML] in
            ["\(CaseRules.fieldName(change.field))", "\(CaseRules.displayValue(field: change.field, change.oldValue))",
             "<strong>\(CaseRules.displayValue(field: change.field, change.newValue))</strong>"]
        })
    }

    /// The chair's last look before approving: what changes on the case and which actions start being tracked.
    static func confirmApproval(_ request: Request, _ session: Session, _ services: Services, _ context: Discussion,
                                _ minutes: MinutesRecord) throws -> Response {
        let agencyNames = try services.agencies.namesByCode()
        let actions = minutes.content.actions.map { action -> [HTML] in
            ["\(action.description)", "\(action.ownerName)", "\(agencyNames[action.ownerAgency] ?? action.ownerAgency)",
             "\(action.dueDate?.displayText ?? "–")"]
        }
        let content: HTML = """
            <span class="caption">\(context.meeting.title), \(context.meeting.date.displayText)</span>
            <h1>Approve the minutes: \(context.item.nominalName) (\(context.item.nominalRef))</h1>
            \(try caseChanges(services, context))
            \(Components.table(caption: "Actions that will be tracked",
                               headers: ["Action", "Owner", "Agency", "Due"], rows: actions, empty: "No actions were agreed."))
            <p>The changes go into the case history with these minutes as the reason. To change something, send the minutes back instead.</p>
            \(Components.form(action: path(context) + "/approve", csrf: session.csrfToken, """
                <input type="hidden" name="confirm" value="yes">
                \(Components.button("Confirm approval"))
                """))
            <p><a href="\(path(context))">Back to the minutes</a></p>
            """
        return .html(Layout.page(title: "Approve the minutes", session: session, currentPath: "/meetings", content: content).rendered)
    }

    /// `version`: the version the form was opened at, when the form is shown again after adding or removing a row.
    static func page(_ request: Request, _ session: Session, _ services: Services, _ context: Discussion, values: [String: String]?,
                     problems: [ValidationProblem], findings: [MinutesFinding]?, status: Int, version: Int64? = nil) throws -> Response {
        let manages = session.user.role.can(.manageMeetings)
        let chairs = session.user.role.can(.approveMinutes)
        let agencies = try agencyCodes(services, context)
        let agencyNames = try services.agencies.namesByCode()
        var body: HTML
        if let minutes = context.minutes {
            let timescales = try services.context.timescales()
            let workingDays = timescales.minutesDistributionWorkingDays
            let deadline = MinutesWorkflow.distributionDeadline(meetingDate: context.meeting.date, workingDays: workingDays)
            let checks = findings ?? (minutes.status.editable
                ? MinutesQuality.findings(minutes.content, meetingDate: context.meeting.date, timescales: timescales) : [])
            let checkList: HTML = checks.isEmpty ? .empty : """
                <div class="error-summary" role="region" aria-labelledby="quality-title">
                  <h2 class="error-summary__title" id="quality-title">Quality check: \(checks.count) thing\(checks.count == 1 ? "" : "s") to complete before the chair can approve</h2>
                  <ul class="list">\(checks.map { finding -> HTML in "<li><strong>\(finding.section):</strong> \(finding.message)</li>" })</ul>
                </div>
                """
            let versions = try services.minutes.versions(of: context)
            let history = versions.enumerated().map { index, version -> [HTML] in
                let earlier = index + 1 < versions.count ? versions[index + 1] : nil
                let changed = earlier.map { version.content.changedSections(from: $0.content) }
                return ["\(version.versionNumber)", "\(version.status.displayName)", "\(version.approvedAt.map { "\(version.approvedBy), \(HumanTime.parse($0).map(HumanTime.day) ?? $0)" } ?? "–")",
                        "\(version.changeNote.isEmpty ? (version.versionNumber == 1 ? "First version" : "–") : version.changeNote)",
                        "\(changed.map { $0.isEmpty ? "Nothing yet" : $0.joined(separator: ", ") } ?? "–")"]
            }
            var actions: HTML = .empty
            switch minutes.status {
            case .submitted where chairs:
                if let blocked = MinutesWorkflow.approvalBlocked(meetingStatus: context.meeting.status, meetingDate: context.meeting.date,
                                                                 today: services.today) {
                    actions = """
                        <h2>Approve</h2>
                        <div class="inset-text" id="approval-blocked">\(blocked).</div>
                        \(Components.form(action: path(context) + "/send-back", csrf: session.csrfToken, """
                            \(Components.textarea("comments", label: "Or send them back: what needs changing", value: "", problems: problems, rows: 3))
                            \(Components.button("Send back", secondary: true))
                            """))
                        """
                    break
                }
                actions = """
                    <h2>Approve</h2>
                    \(try caseChanges(services, context))
                    \(Components.form(action: path(context) + "/approve", csrf: session.csrfToken, "\(Components.button("Approve the minutes"))"))
                    \(Components.form(action: path(context) + "/send-back", csrf: session.csrfToken, """
                        \(Components.textarea("comments", label: "Or send them back: what needs changing", value: "", problems: problems, rows: 3))
                        \(Components.button("Send back", secondary: true))
                        """))
                    """
            case .approved where manages:
                let recipients = try services.minutes.recipients(of: context)
                let entitled = recipients.filter(\.entitled)
                let leftOut = recipients.filter { !$0.entitled }.map { recipient -> HTML in
                    "<li>\(recipient.invitee.name), \(recipient.invitee.agencyName): \(recipient.refusal ?? "")</li>"
                }
                let mailSetUp = try services.outbox.isSetUp()
                actions = """
                    <h2 id="distribute">Distribute</h2>
                    <p>Distribute by \(deadline.displayText) (\(workingDays) working days after the meeting)\(deadline < services.today ? ": this is overdue" : "").
                    The PDF goes by email only to the invitees this case's need-to-know admits: \(entitled.isEmpty ? "nobody yet" : entitled.map(\.invitee.name).joined(separator: ", ")).</p>
                    \(leftOut.isEmpty ? .empty : "<p>Not sent to:</p><ul class=\"list list--bullet\">\(leftOut)</ul>" as HTML)
                    \(mailSetUp ? Components.form(action: path(context) + "/distribute", csrf: session.csrfToken, "\(Components.button("Distribute the minutes by email"))")
                        : "<div class=\"inset-text\"><p>\(MailStatusText.notSetUp)</p></div>" as HTML)
                    \(Components.form(action: path(context) + "/record-distribution", csrf: session.csrfToken, """
                        <h3>Record a distribution made another way</h3>
                        <p>If the minutes went out another way (secure email from another system, by hand), record it: they count as distributed on that date.</p>
                        \(Components.dateInput("distributed_on", label: "Date distributed", values: values, default: services.today, hint: "For example, \(DateInput.Typed(services.today).example). Not before the approval, not in the future.", problems: problems))
                        \(Components.textarea("recipients", label: "Sent to", value: values?["recipients"] ?? entitled.map { "\($0.invitee.name) (\($0.invitee.agencyName))" }.joined(separator: ", "), hint: "Names and agencies, up to \(RecordedDistribution.maximumRecipientsLength) characters", problems: problems, rows: 2))
                        \(Components.textInput("method", label: "How", value: values?["method"] ?? "", hint: "For example: secure email from the police system; by hand at the panel. Up to \(RecordedDistribution.maximumMethodLength) characters", problems: problems))
                        \(Components.button("Record the distribution", secondary: true))
                        """))
                    """
            default: break
            }
            if (minutes.status == .approved || minutes.status == .distributed) && manages {
                actions = actions + Components.form(action: path(context) + "/amend", csrf: session.csrfToken, """
                    <h2>Amend</h2>
                    \(Components.textarea("change_note", label: "Why do the approved minutes need changing?", value: "", hint: "The change makes a new version for the chair to approve; this version stays as it is.", problems: problems, rows: 2))
                    \(Components.button("Start a new version", secondary: true))
                    """)
            }
            if manages && (minutes.status == .approved || minutes.status == .distributed) {
                actions = try distributionStatus(services, context, viewer: request.viewer(session)) + actions
            }
            let main: HTML = minutes.status.editable && manages
                ? try form(session, services, context, minutes, values: values ?? Self.values(minutes.content), problems: problems, agencies: agencies,
                           owners: try services.actions.ownerChoices(matching: "", for: request.viewer(session)), version: version)
                : view(minutes.content, agencyNames: agencyNames)
            var summary: [(String, HTML)] = [
                ("Status", Components.tag(minutes.status.displayName, colour: minutes.status == .distributed ? "green" : (minutes.status == .sentBack ? "red" : "blue"))),
                ("Version", "\(minutes.versionNumber)\(minutes.changeNote.isEmpty ? "" : " – changed because: \(minutes.changeNote)")"),
            ]
            if context.readsDrafts {
                summary += [("Chair's comments", "\(minutes.chairComments.isEmpty ? "–" : minutes.chairComments)"),
                            ("Distribute by", "\(deadline.displayText)\(minutes.distributedAt.map { " (distributed \($0.prefix(10)))" } ?? "")")]
            } else {
                summary.append(("Approved", "\(minutes.approvedAt.map { "\(minutes.approvedBy), \($0.prefix(10))" } ?? "–")"))
            }
            body = """
                \(Components.summaryList(summary))
                <p><a href="\(path(context)).pdf">Download the PDF</a></p>
                \(checkList)
                \(main)
                \(actions)
                \(Components.table(caption: "Versions", headers: ["Version", "Status", "Approved", "Why changed", "Sections changed from the version before"], rows: history))
                """
        } else {
            body = manages ? Components.form(action: path(context) + "/start", csrf: session.csrfToken, """
                <p>No minutes yet. They start with what is still current from the last approved minutes or the referral.</p>
                \(Components.button("Start the minutes"))
                """) : (context.readsDrafts ? "<p>No minutes have been written for this discussion yet.</p>"
                        : "<p>The minutes of this discussion have not been approved by the chair yet. You can read them here once they are.</p>")
        }
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">\(context.meeting.title), \(context.meeting.date.displayText)</span>
            <h1>Minutes: \(context.item.nominalName) (\(context.item.nominalRef))</h1>
            \(try ActionRoutes.uncoveredAreas(services, context))
            \(body)
            <p><a href="/meetings/\(context.meeting.id)">Back to the meeting</a>\(context.readsDrafts ? "" : " · <a href=\"/minutes\">Minutes you may read</a>" as HTML)</p>
            """
        return .html(Layout.page(title: "Minutes", session: session, currentPath: "/meetings", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }

    /// How the minutes went out: each email the app queued, its status read from the outbox (waiting, sent, or failed
    /// with the safe reason), and each distribution recorded as made another way; and, when email is not set up, that
    /// nothing will be sent.
    static func distributionStatus(_ services: Services, _ context: Discussion, viewer: Viewer) throws -> HTML {
        let distribution = try services.minutes.distribution(of: context, viewer: viewer)
        guard !distribution.messages.isEmpty || !distribution.recorded.isEmpty else { return .empty }
        let mailSetUp = try services.outbox.isSetUp()
        let waiting = distribution.messages.contains { $0.status == .queued || $0.status == .sending }
        let messageRows = distribution.messages.map { entry -> [HTML] in
            ["\(entry.recipients.joined(separator: ", "))", Components.time(entry.createdAt),
             MailStatusText.tag(MessageStatus(status: entry.status, lastError: entry.lastError, sentAt: entry.sentAt))]
        }
        let recordedRows = distribution.recorded.map { entry -> [HTML] in
            ["\(entry.distribution.date.displayText)", "\(entry.distribution.recipients)", "\(entry.distribution.method)",
             "\(entry.recordedBy), \(entry.recordedAt.prefix(10))"]
        }
        return """
            <h2 id="distribution">Distribution</h2>
            \(!mailSetUp && waiting ? "<div class=\"inset-text\"><p>\(MailStatusText.notSetUp)</p></div>" as HTML : .empty)
            \(messageRows.isEmpty ? .empty : Components.table(caption: "Sent by email from this app", headers: ["To", "Queued", "Status"], rows: messageRows))
            \(recordedRows.isEmpty ? .empty : Components.table(caption: "Distributed another way", headers: ["Date", "Sent to", "How", "Recorded by"], rows: recordedRows))
            """
    }
}
