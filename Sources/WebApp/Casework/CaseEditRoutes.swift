import Domain
import Foundation
import HTTPServer
import Store

/// The coordinator's edit of a case's registration. The form carries the version it was loaded with: a save over
/// someone else's change is refused with what is saved now.
enum CaseEditRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/cases/:id/edit", Access.require(services, .editCases) { request, session in
            let record = try services.cases.case(id: try NominalRoutes.id(request), for: request.viewer(session)).record
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(record.id), detail: "edit form")
            return try casePage(session, services, record, values: values(record.details), version: record.version,
                                problems: [], conflict: false, status: 200)
        })
        router.post("/cases/:id/edit", Access.require(services, .editCases) { request, session in
            let record = try services.cases.case(id: try NominalRoutes.id(request), for: request.viewer(session)).record
            let form = try request.form()
            var reader = FormReader(form)
            var groups: [RiskGroup: RoSH] = [:]
            for group in RiskGroup.allCases {
                groups[group] = reader.choice("rosh_\(group.rawValue)", RoSH.init(rawValue:), required: "")
            }
            let details = CaseDetails(
                category: reader.choice("category", { Int($0).flatMap(MappaCategory.init(rawValue:)) }, required: "Select exactly one category") ?? record.category,
                level: reader.choice("level", { Int($0).flatMap(ManagementLevel.init(rawValue:)) }, required: "Select the level") ?? record.level,
                leadAgency: reader.text("lead_agency"),
                startDate: reader.date("start_date", "MAPPA start date", required: "Enter the MAPPA start date") ?? record.startDate,
                statutoryEndDate: reader.date("statutory_end_date", "Statutory end date"),
                nextReviewDate: reader.date("next_review_date", "Next review date"),
                rosh: reader.choice("rosh", RoSH.init(rawValue:), required: ""), roshByGroup: groups,
                status: reader.choice("status", CaseStatus.init(rawValue:), required: "Select the status") ?? record.status,
                exitDate: reader.date("exit_date", "Exit date"), exitReason: reader.text("exit_reason"),
                // The select is shown only when the database has areas; without it the area stays as it is.
                area: form["area"] == nil ? record.areaCode : MappaArea.normalisedCode(reader.text("area")))
            let values = form.firstValues
            let version = Int64(form["version"] ?? "") ?? 0
            if !reader.problems.isEmpty {
                let problems = reader.merged(with: CaseRules.problems(details, previous: record.details,
                                                                      changeReason: reader.text("change_reason"), today: services.today))
                return try casePage(session, services, record, values: values, version: version, problems: problems,
                                    conflict: false, status: 422)
            }
            do {
                try services.cases.updateCase(id: record.id, details: details, reason: reader.text("change_reason"),
                                              expectedVersion: version, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try casePage(session, services, record, values: values, version: version, problems: error.problems,
                                    conflict: false, status: 422)
            } catch let error as DomainError where error == .editConflict {
                return try casePage(session, services, record, values: values, version: record.version,
                                    problems: [ValidationProblem(field: "category", message: error.description)], conflict: true, status: 409)
            }
            return .redirect(to: "/cases/\(record.id)?done=\(Flash.caseSaved.rawValue)")
        })
    }

    static func values(_ details: CaseDetails) -> [String: String] {
        var values = ["category": String(details.category.rawValue), "level": String(details.level.rawValue),
                      "lead_agency": details.leadAgency, "start_date": details.startDate.description,
                      "statutory_end_date": details.statutoryEndDate?.description ?? "",
                      "next_review_date": details.nextReviewDate?.description ?? "", "rosh": details.rosh?.rawValue ?? "",
                      "status": details.status.rawValue, "exit_date": details.exitDate?.description ?? "",
                      "exit_reason": details.exitReason, "area": details.area]
        for group in RiskGroup.allCases { values["rosh_\(group.rawValue)"] = details.roshByGroup[group]?.rawValue ?? "" }
        return values
    }

    static let conflictExplanation: HTML = """
        <p>Someone else saved this record after you opened it. Your changes are still in the form below; the page
        behind it now shows what is saved. Check your changes against it, then save again.</p>
        """

    static func casePage(_ session: Session, _ services: Services, _ record: CaseRecord, values: [String: String], version: Int64,
                         problems: [ValidationProblem], conflict: Bool, status: Int) throws -> Response {
        let agencies = try services.agencies.agencies(activeOnly: true)
        // Active areas, and the case's own even if it has since been made inactive.
        let areas = try services.areas.areas().filter { $0.active || $0.code == record.areaCode }
        let areaSelect: HTML = areas.isEmpty ? .empty
            : Components.select("area", label: "MAPPA area", options: areas.map { ($0.code, $0.name) }, selected: values["area"] ?? "",
                                hint: "The area whose arrangements manage the case. Leave it unselected if none is recorded.", problems: problems)
        let roshOptions = RoSH.allCases.map { ($0.rawValue, $0.displayName) }
        let groupSelects = RiskGroup.allCases.map { group -> HTML in
            Components.select("rosh_\(group.rawValue)", label: "RoSH to \(group.displayName.lowercased())", options: roshOptions,
                              selected: values["rosh_\(group.rawValue)"] ?? "", problems: problems)
        }
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">MAPPA case \(record.id)</span>
            <h1>Change the MAPPA case</h1>
            \(conflict ? conflictExplanation : .empty)
            \(Components.form(action: "/cases/\(record.id)/edit", csrf: session.csrfToken, """
                <input type="hidden" name="version" value="\(version)">
                \(Components.select("category", label: "Category", options: MappaCategory.allCases.map { (String($0.rawValue), $0.description) }, selected: values["category"] ?? "", problems: problems))
                \(Components.select("level", label: "Level", options: ManagementLevel.allCases.map { (String($0.rawValue), $0.description) }, selected: values["level"] ?? "", hint: "Category 3 is managed only at Level 2 or 3", problems: problems))
                \(Components.select("lead_agency", label: "Lead agency", options: agencies.map { ($0.code, $0.name) }, selected: values["lead_agency"] ?? "", problems: problems))
                \(areaSelect)
                \(Components.dateInput("start_date", label: "MAPPA start date", values: values, problems: problems))
                \(Components.dateInput("statutory_end_date", label: "Statutory end date", values: values, hint: "End of notification, licence or order", problems: problems))
                \(Components.dateInput("next_review_date", label: "Next review date", values: values, hint: "The one review date every page, list and check uses. Changing it needs a reason below.", problems: problems))
                <h2>Risk of serious harm</h2>
                \(Components.select("rosh", label: "Overall RoSH", options: roshOptions, selected: values["rosh"] ?? "", problems: problems))
                \(groupSelects)
                <h2>Status</h2>
                \(Components.select("status", label: "Status", options: CaseStatus.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["status"] ?? "", problems: problems))
                \(Components.dateInput("exit_date", label: "Exit date", values: values, hint: "Only when the case leaves MAPPA", problems: problems))
                \(Components.textInput("exit_reason", label: "Exit reason", value: values["exit_reason"] ?? "", hint: "For example: notification period ended, licence expired, died", problems: problems))
                \(Components.textarea("change_reason", label: "Reason for the change", value: values["change_reason"] ?? "", hint: "Needed when the category, level, next review date, risk of serious harm or status changes: it is kept in the case history", problems: problems, rows: 3))
                \(Components.button("Save changes"))
                """))
            <p><a href="/cases/\(record.id)">Cancel</a></p>
            """
        return .html(Layout.page(title: "Change the MAPPA case", session: session, currentPath: "/cases",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }
}
