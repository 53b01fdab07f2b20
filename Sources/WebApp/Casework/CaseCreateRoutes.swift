import Domain
import Foundation
import HTTPServer
import Store

/// A coordinator records a nominal and their MAPPA case by hand (a Level 1 notification, say, that will never come as
/// a referral), after the duplicate check a referral has: while people the coordinator may see look like this person,
/// nothing is saved until they open the existing record or confirm this is someone else.
enum CaseCreateRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/cases/new", Access.require(services, .editCases) { _, session in
            try page(session, services, values: ["custody_status": "community", "start_date": services.today.description],
                     duplicates: [], problems: [], status: 200)
        })
        router.post("/cases/new", Access.require(services, .editCases) { request, session in
            let form = try request.form()
            if let values = NominalRoutes.aliasEdit(form) {
                return try page(session, services, values: values, duplicates: [], problems: [], status: 200)
            }
            var reader = FormReader(form)
            let nominal = NominalRoutes.readDetails(form, &reader, today: services.today)
            let startDate = reader.date("start_date", "MAPPA start date", required: "Enter the MAPPA start date")
            let registration = CaseDetails(
                category: reader.choice("category", { Int($0).flatMap(MappaCategory.init(rawValue:)) }, required: "Select exactly one category") ?? .two,
                level: reader.choice("level", { Int($0).flatMap(ManagementLevel.init(rawValue:)) }, required: "Select the level the case is managed at") ?? .unknown,
                leadAgency: reader.text("lead_agency", "Lead agency", max: 50),
                startDate: startDate ?? services.today,
                statutoryEndDate: reader.date("statutory_end_date", "Statutory end date"),
                nextReviewDate: reader.date("next_review_date", "Next review date"),
                rosh: reader.choice("rosh", RoSH.init(rawValue:), required: ""),
                area: MappaArea.normalisedCode(reader.text("area", "MAPPA area", max: 50)))
            let new = NewCase(nominal: nominal, registration: registration)
            let values = form.firstValues
            if !reader.problems.isEmpty {
                return try page(session, services, values: values, duplicates: [],
                                problems: reader.merged(with: new.problems(today: services.today)), status: 422)
            }
            let confirmed = form["confirm_different"] == "yes"
            let outcome: CaseCreation
            do {
                outcome = try services.cases.createCase(new, confirmedDifferentPerson: confirmed, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return try page(session, services, values: values, duplicates: [], problems: error.problems, status: 422)
            }
            switch outcome {
            case .possibleDuplicates(let candidates):
                try services.audit.record(actor: request.actor(session), action: .view, subjectType: "nominal", subjectID: "",
                                          detail: "possible duplicates of a case recorded by hand: \(candidates.count) listed")
                return try page(session, services, values: values, duplicates: candidates, problems: [ValidationProblem(
                    field: "confirm_different",
                    message: "Someone on record may be this person: open their record instead, or confirm this is a different person")],
                                status: 422)
            case .created(let caseID, _, let restricted):
                return .redirect(to: "/cases/\(caseID)?done=\((restricted ? Flash.caseCreatedRestricted : .caseCreated).rawValue)")
            }
        })
    }

    static func page(_ session: Session, _ services: Services, values: [String: String],
                     duplicates: [(NominalRecord, DuplicateCandidate)], problems: [ValidationProblem], status: Int) throws -> Response {
        let agencies = try services.agencies.agencies(activeOnly: true)
        let areas = try services.areas.areas(activeOnly: true)
        let areaSelect: HTML = areas.isEmpty ? .empty
            : Components.select("area", label: "MAPPA area", options: areas.map { ($0.code, $0.name) }, selected: values["area"] ?? "",
                                hint: "Leave it unselected if none is recorded.", problems: problems)
        let roshOptions = RoSH.allCases.map { ($0.rawValue, $0.displayName) }
        var confirm: HTML = .empty
        if !duplicates.isEmpty {
            let rows = duplicates.map { pair -> [HTML] in
                ["<a href=\"/nominals/\(pair.0.id)\">\(pair.0.nominalRef)</a>", "\(pair.0.fullName)",
                 "\(pair.0.dateOfBirth?.displayText ?? "–")", "\(pair.1.reasons.joined(separator: "; "))"]
            }
            confirm = """
                <h2>Possible duplicates</h2>
                \(Components.table(caption: "People on record who may be this person", headers: ["Nominal", "Name", "Date of birth", "Why it matches"], rows: rows))
                <p>If one of them is this person, open their record and add the case there instead. Otherwise confirm below and save again.</p>
                <fieldset class="fieldset" id="confirm_different"><legend class="label">Is this a different person?</legend>
                \(Components.checkbox("confirm_different", label: "This is a different person from everyone listed above", checked: false))
                </fieldset>
                """
        }
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">Cases</span>
            <h1>Record a new case</h1>
            <p>For a person who is not on record yet, such as a Level 1 notification. Anyone on record who may be the same person
            is listed before anything is saved.</p>
            \(Components.form(action: "/cases/new", csrf: session.csrfToken, """
                \(RepeatingRows.defaultSubmit())
                \(confirm)
                \(NominalRoutes.fields(values, problems, action: "/cases/new"))
                <h2>The MAPPA case</h2>
                \(Components.select("category", label: "Category", options: MappaCategory.allCases.map { (String($0.rawValue), $0.description) }, selected: values["category"] ?? "", hint: "A Category 4 case is restricted: only you, and the people a coordinator who manages restricted cases names on it, will see it.", problems: problems))
                \(Components.select("level", label: "Level", options: [ManagementLevel.one, .two, .three].map { (String($0.rawValue), $0.description) }, selected: values["level"] ?? "", hint: "Category 3 is managed only at Level 2 or 3", problems: problems))
                \(Components.select("lead_agency", label: "Lead agency", options: agencies.map { ($0.code, $0.name) }, selected: values["lead_agency"] ?? "", problems: problems))
                \(areaSelect)
                \(Components.dateInput("start_date", label: "MAPPA start date", values: values, hint: "For example, 30 11 2026", problems: problems))
                \(Components.dateInput("statutory_end_date", label: "Statutory end date (optional)", values: values, hint: "End of notification, licence or order. For example, 30 11 2031", problems: problems))
                \(Components.dateInput("next_review_date", label: "Next review date (optional)", values: values, hint: "Left empty at Level 2 or 3, it is the start date plus the review interval for the level", problems: problems))
                \(Components.select("rosh", label: "Overall RoSH (optional)", options: roshOptions, selected: values["rosh"] ?? "", problems: problems))
                \(Components.button("Save the case"))
                """))
            <p><a href="/cases">Cancel</a></p>
            """
        return .html(Layout.page(title: "Record a new case", session: session, currentPath: "/cases", hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
