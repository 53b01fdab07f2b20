import Domain
import Foundation
import HTTPServer
import Store

/// Reads a submitted form into typed values, collecting a problem for each value that cannot be read, so a
/// form with several mistakes reports all of them at once and keeps what the person typed.
struct FormReader {
    let form: FormData
    var problems: [ValidationProblem] = []

    init(_ form: FormData) { self.form = form }

    func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// An optional date, typed as 2027-03-27 or 27/03/2027.
    mutating func date(_ name: String, _ label: String) -> CalendarDate? {
        let value = text(name)
        guard !value.isEmpty else { return nil }
        guard let date = CaseworkService.parseDisplayDate(value) else {
            problems.append(ValidationProblem(field: name, message: "\(label) must be a real date, like 2027-03-27"))
            return nil
        }
        return date
    }

    /// The reading problems, then the rule problems about fields that were read correctly.
    func merged(with ruleProblems: [ValidationProblem]) -> [ValidationProblem] {
        problems + ruleProblems.filter { rule in !problems.contains { $0.field == rule.field } }
    }

    /// A choice from a fixed list; an empty or unknown value is a problem with `message`.
    mutating func choice<T>(_ name: String, _ make: (String) -> T?, required message: String?) -> T? {
        let value = text(name)
        if let parsed = make(value) { return parsed }
        if let message, !(value.isEmpty && message.isEmpty) {
            problems.append(ValidationProblem(field: name, message: message))
        }
        return nil
    }
}

/// The coordinator's edit pages for nominal and case records and a case's named access list. Each form carries
/// the version it was loaded with: a save over someone else's change is refused with what is saved now.
enum CaseEditRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/nominals/:id/edit", Access.require(services, .editCases) { request, session in
            let nominal = try loadNominal(request, session, services)
            return nominalPage(session, nominal, values: nominalValues(nominal.details), version: nominal.version,
                               problems: [], conflict: false, status: 200)
        })
        router.post("/nominals/:id/edit", Access.require(services, .editCases) { request, session in
            let nominal = try loadNominal(request, session, services)
            let form = try request.form()
            var reader = FormReader(form)
            let details = NominalDetails(
                familyName: reader.text("family_name"), givenNames: reader.text("given_names"),
                aliases: NominalRules.aliases(from: form["aliases"] ?? ""), dateOfBirth: reader.date("date_of_birth", "Date of birth"),
                gender: reader.text("gender"), ethnicity: reader.text("ethnicity"), pncID: reader.text("pnc_id"),
                visorReference: reader.text("visor_ref"), crn: reader.text("crn"), currentAddress: reader.text("current_address"),
                noFixedAbode: form["no_fixed_abode"] == "yes", nfaArea: reader.text("nfa_area"),
                proposedReleaseAddress: reader.text("proposed_release_address"),
                custodyStatus: reader.choice("custody_status", CustodyStatus.init(rawValue:), required: "Select the custody status") ?? .community,
                releaseDate: reader.date("release_date", "Release date"))
            let values = form.firstValues
            let version = Int64(form["version"] ?? "") ?? 0
            if !reader.problems.isEmpty {
                let problems = reader.merged(with: NominalRules.problems(details, today: services.casework.today))
                return nominalPage(session, nominal, values: values, version: version, problems: problems, conflict: false, status: 422)
            }
            do {
                try services.casework.updateNominal(id: nominal.id, details: details, expectedVersion: version,
                                                    by: session.user, from: request.remoteAddress)
            } catch let failure as AccountService.ValidationFailure {
                return nominalPage(session, nominal, values: values, version: version, problems: failure.problems, conflict: false, status: 422)
            } catch let error as StoreError where error == .editConflict {
                return nominalPage(session, nominal, values: values, version: nominal.version,
                                   problems: [ValidationProblem(field: "family_name", message: error.description)], conflict: true, status: 409)
            }
            return .redirect(to: "/nominals/\(nominal.id)?done=\(Flash.nominalSaved.rawValue)")
        })
        router.get("/cases/:id/edit", Access.require(services, .editCases) { request, session in
            let record = try loadCase(request, session, services)
            return try casePage(session, services, record, values: caseValues(record.details), version: record.version,
                                problems: [], conflict: false, status: 200)
        })
        router.post("/cases/:id/edit", Access.require(services, .editCases) { request, session in
            let record = try loadCase(request, session, services)
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
                startDate: reader.date("start_date", "MAPPA start date") ?? record.startDate,
                statutoryEndDate: reader.date("statutory_end_date", "Statutory end date"),
                nextReviewDate: reader.date("next_review_date", "Next review date"),
                rosh: reader.choice("rosh", RoSH.init(rawValue:), required: ""), roshByGroup: groups,
                status: reader.choice("status", CaseStatus.init(rawValue:), required: "Select the status") ?? record.status,
                exitDate: reader.date("exit_date", "Exit date"), exitReason: reader.text("exit_reason"),
                // The select is shown only when the database has areas; without it the area stays as it is.
                area: form["area"] == nil ? record.areaCode : MappaArea.normalisedCode(reader.text("area")))
            if reader.text("start_date").isEmpty {
                reader.problems.append(ValidationProblem(field: "start_date", message: "Enter the MAPPA start date"))
            }
            let values = form.firstValues
            let version = Int64(form["version"] ?? "") ?? 0
            if !reader.problems.isEmpty {
                let problems = reader.merged(with: CaseRules.problems(details, previous: record.details,
                                                                      changeReason: reader.text("change_reason"), today: services.casework.today))
                return try casePage(session, services, record, values: values, version: version, problems: problems,
                                    conflict: false, status: 422)
            }
            do {
                try services.casework.updateCase(id: record.id, details: details, reason: reader.text("change_reason"),
                                                 expectedVersion: version, by: session.user, from: request.remoteAddress)
            } catch let failure as AccountService.ValidationFailure {
                return try casePage(session, services, record, values: values, version: version, problems: failure.problems,
                                    conflict: false, status: 422)
            } catch let error as StoreError where error == .editConflict {
                return try casePage(session, services, record, values: values, version: record.version,
                                    problems: [ValidationProblem(field: "category", message: error.description)], conflict: true, status: 409)
            }
            return .redirect(to: "/cases/\(record.id)?done=\(Flash.caseSaved.rawValue)")
        })
        router.get("/cases/:id/access", Access.require(services, .editCases) { request, session in
            let record = try loadCase(request, session, services)
            return try accessPage(request, session, services, record, username: "", problems: [], status: 200)
        })
        router.post("/cases/:id/access", Access.require(services, .editCases) { request, session in
            let record = try loadCase(request, session, services)
            let form = try request.form()
            if let agency = form["agency"] {
                do {
                    try services.casework.setInvolvedAgency(caseID: record.id, agencyCode: agency, involved: form["involved"] != "no",
                                                            by: session.user, from: request.remoteAddress)
                } catch let failure as AccountService.ValidationFailure {
                    return try accessPage(request, session, services, record, username: "", problems: failure.problems, status: 422)
                }
                return .redirect(to: "/cases/\(record.id)/access?done=\(Flash.accessChanged.rawValue)")
            }
            if let removeID = form["remove"].flatMap(Int64.init) {
                try services.casework.setAccess(caseID: record.id, userID: removeID, kind: nil, by: session.user, from: request.remoteAddress)
                return .redirect(to: "/cases/\(record.id)/access?done=\(Flash.accessChanged.rawValue)")
            }
            let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let kind = form["kind"] ?? ""
            var problems: [ValidationProblem] = []
            let user = try services.accounts.accounts.user(username: username)
            if username.isEmpty { problems.append(ValidationProblem(field: "username", message: "Enter the username of the person")) }
            else if user == nil { problems.append(ValidationProblem(field: "username", message: "There is no user with that username")) }
            else if user?.id == session.user.id && kind == "exclude" {
                problems.append(ValidationProblem(field: "username", message: "You cannot exclude yourself: ask another coordinator"))
            }
            if !["allow", "exclude"].contains(kind) { problems.append(ValidationProblem(field: "kind", message: "Select whether to give access or exclude")) }
            guard problems.isEmpty, let user else {
                return try accessPage(request, session, services, record, username: username, problems: problems, status: 422)
            }
            try services.casework.setAccess(caseID: record.id, userID: user.id, kind: kind, by: session.user, from: request.remoteAddress)
            return .redirect(to: "/cases/\(record.id)/access?done=\(Flash.accessChanged.rawValue)")
        })
    }

    /// The nominal, if this person may see it (see `CaseworkService.nominalAccess`); a refusal is audited.
    static func loadNominal(_ request: Request, _ session: Session, _ services: Services) throws -> NominalRecord {
        guard let id = request.parameter("id").flatMap(Int64.init), let nominal = try services.casework.nominal(id: id) else {
            throw HTTPError.notFound
        }
        if case .refused(let reason) = try services.casework.nominalAccess(nominalID: id, user: session.user) {
            try services.audit.record(actor: request.actor(session), action: .accessRefused, subjectType: "nominal",
                                      subjectID: String(id), detail: reason)
            throw FinishedResponse(ErrorPages.needToKnow(session: session))
        }
        return nominal
    }

    /// The case, if this person may see it; a refusal is audited and shown as the need-to-know page.
    static func loadCase(_ request: Request, _ session: Session, _ services: Services) throws -> CaseRecord {
        guard let id = request.parameter("id").flatMap(Int64.init), let record = try services.casework.caseRecord(id: id) else {
            throw HTTPError.notFound
        }
        if case .refused(let reason) = try services.casework.access(to: record, user: session.user) {
            try services.audit.record(actor: request.actor(session), action: .accessRefused, subjectType: "case",
                                      subjectID: String(id), detail: reason)
            throw FinishedResponse(ErrorPages.needToKnow(session: session))
        }
        return record
    }

    static func nominalValues(_ details: NominalDetails) -> [String: String] {
        ["family_name": details.familyName, "given_names": details.givenNames, "aliases": details.aliases.joined(separator: "\n"),
         "date_of_birth": details.dateOfBirth?.description ?? "", "gender": details.gender, "ethnicity": details.ethnicity,
         "pnc_id": details.pncID, "visor_ref": details.visorReference, "crn": details.crn,
         "current_address": details.currentAddress, "no_fixed_abode": details.noFixedAbode ? "yes" : "",
         "nfa_area": details.nfaArea, "proposed_release_address": details.proposedReleaseAddress,
         "custody_status": details.custodyStatus.rawValue, "release_date": details.releaseDate?.description ?? ""]
    }

    static func caseValues(_ details: CaseDetails) -> [String: String] {
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

    static func nominalPage(_ session: Session, _ nominal: NominalRecord, values: [String: String], version: Int64,
                            problems: [ValidationProblem], conflict: Bool, status: Int) -> Response {
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">Nominal \(nominal.nominalRef)</span>
            <h1>Change the nominal record</h1>
            \(conflict ? conflictExplanation : .empty)
            \(Components.form(action: "/nominals/\(nominal.id)/edit", csrf: session.csrfToken, """
                <input type="hidden" name="version" value="\(version)">
                <h2>Names</h2>
                \(Components.textInput("family_name", label: "Family name", value: values["family_name"] ?? "", problems: problems))
                \(Components.textInput("given_names", label: "Given names", value: values["given_names"] ?? "", problems: problems))
                \(Components.textarea("aliases", label: "Other names and nicknames", value: values["aliases"] ?? "", hint: "One per line", problems: problems, rows: 3))
                <h2>Personal details</h2>
                \(Components.textInput("date_of_birth", label: "Date of birth", value: values["date_of_birth"] ?? "", hint: "For example, 1988-04-12", problems: problems, width: "10"))
                \(Components.textInput("gender", label: "Gender", value: values["gender"] ?? "", problems: problems, width: "20"))
                \(Components.textInput("ethnicity", label: "Ethnicity", value: values["ethnicity"] ?? "", hint: "Written out in full, not a code", problems: problems))
                <h2>Identifiers</h2>
                \(Components.textInput("pnc_id", label: "PNC ID", value: values["pnc_id"] ?? "", hint: "For example, 2019/0123456X", problems: problems, width: "20"))
                \(Components.textInput("visor_ref", label: "ViSOR reference", value: values["visor_ref"] ?? "", problems: problems, width: "20"))
                \(Components.textInput("crn", label: "nDelius CRN", value: values["crn"] ?? "", hint: "For example, X123456", problems: problems, width: "10"))
                <h2>Addresses and custody</h2>
                \(Components.select("custody_status", label: "Custody status", options: CustodyStatus.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["custody_status"] ?? "", problems: problems))
                \(Components.textInput("release_date", label: "Release date", value: values["release_date"] ?? "", hint: "Expected or actual release from custody or hospital", problems: problems, width: "10"))
                \(Components.textarea("current_address", label: "Current address", value: values["current_address"] ?? "", problems: problems, rows: 3))
                \(Components.checkbox("no_fixed_abode", label: "No fixed abode", checked: values["no_fixed_abode"] == "yes"))
                \(Components.textInput("nfa_area", label: "With no fixed abode: area of closest links", value: values["nfa_area"] ?? "", problems: problems))
                \(Components.textarea("proposed_release_address", label: "Proposed release address", value: values["proposed_release_address"] ?? "", problems: problems, rows: 3))
                \(Components.button("Save changes"))
                """))
            <p><a href="/nominals/\(nominal.id)">Cancel</a></p>
            """
        return .html(Layout.page(title: "Change the nominal record", session: session, currentPath: "/nominals",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func casePage(_ session: Session, _ services: Services, _ record: CaseRecord, values: [String: String], version: Int64,
                         problems: [ValidationProblem], conflict: Bool, status: Int) throws -> Response {
        let agencies = try services.accounts.accounts.agencies(activeOnly: true)
        // Active areas, and the case's own even if it has since been made inactive.
        let areas = try services.statistics.areas.areas().filter { $0.active || $0.code == record.areaCode }
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
                \(Components.textInput("start_date", label: "MAPPA start date", value: values["start_date"] ?? "", problems: problems, width: "10"))
                \(Components.textInput("statutory_end_date", label: "Statutory end date", value: values["statutory_end_date"] ?? "", hint: "End of notification, licence or order", problems: problems, width: "10"))
                \(Components.textInput("next_review_date", label: "Next review date", value: values["next_review_date"] ?? "", problems: problems, width: "10"))
                <h2>Risk of serious harm</h2>
                \(Components.select("rosh", label: "Overall RoSH", options: roshOptions, selected: values["rosh"] ?? "", problems: problems))
                \(groupSelects)
                <h2>Status</h2>
                \(Components.select("status", label: "Status", options: CaseStatus.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["status"] ?? "", problems: problems))
                \(Components.textInput("exit_date", label: "Exit date", value: values["exit_date"] ?? "", hint: "Only when the case leaves MAPPA", problems: problems, width: "10"))
                \(Components.textInput("exit_reason", label: "Exit reason", value: values["exit_reason"] ?? "", hint: "For example: notification period ended, licence expired, died", problems: problems))
                \(Components.textarea("change_reason", label: "Reason for the change", value: values["change_reason"] ?? "", hint: "Needed when the category, level, risk of serious harm or status changes: it is kept in the case history", problems: problems, rows: 3))
                \(Components.button("Save changes"))
                """))
            <p><a href="/cases/\(record.id)">Cancel</a></p>
            """
        return .html(Layout.page(title: "Change the MAPPA case", session: session, currentPath: "/cases",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    static func accessPage(_ request: Request, _ session: Session, _ services: Services, _ record: CaseRecord, username: String,
                           problems: [ValidationProblem], status: Int) throws -> Response {
        let entries = try services.casework.accessList(caseID: record.id)
        let rows = entries.map { entry -> [HTML] in
            ["\(entry.user.displayName)", "\(entry.user.username)", "\(entry.user.agencyName)",
             "\(entry.kind == "allow" ? "May see this case" : "Excluded")",
             Components.form(action: "/cases/\(record.id)/access", csrf: session.csrfToken, """
                <input type="hidden" name="remove" value="\(entry.user.id)">
                <button class="button button--secondary button--small" type="submit">Remove<span class="visually-hidden"> \(entry.user.displayName)</span></button>
                """)]
        }
        let involved = try services.casework.involvedAgencies(caseID: record.id)
        let agencies = involved.map(\.name).joined(separator: ", ")
        let agencyRows = involved.map { agency -> [HTML] in
            ["\(agency.name)\(agency.id == record.leadAgencyID ? " (lead)" : "")",
             agency.id == record.leadAgencyID ? .empty : Components.form(action: "/cases/\(record.id)/access", csrf: session.csrfToken, """
                <input type="hidden" name="agency" value="\(agency.code)"><input type="hidden" name="involved" value="no">
                <button class="button button--secondary button--small" type="submit">Remove<span class="visually-hidden"> \(agency.name)</span></button>
                """)]
        }
        let others = try services.accounts.accounts.agencies(activeOnly: true).filter { a in !involved.contains { $0.id == a.id } }
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">MAPPA case \(record.id)</span>
            <h1>Who can see this case</h1>
            <p>\(record.restricted
                ? "This case is restricted: only the people listed as able to see it can open it, whatever their role."
                : "MAPPA unit staff can see this case, and partner-agency staff from the agencies involved: \(agencies). People listed as excluded cannot see it.")</p>
            \(Components.table(caption: "Named people", headers: ["Name", "Username", "Agency", "Access", ""], rows: rows))
            \(Components.table(caption: "Agencies involved", headers: ["Agency", ""], rows: agencyRows))
            \(Components.form(action: "/cases/\(record.id)/access", csrf: session.csrfToken, """
                \(Components.select("agency", label: "Add an agency involved in this case", options: others.map { ($0.code, $0.name) }, selected: "", hint: "Its representatives can then see this case", problems: problems))
                \(Components.button("Add agency", secondary: true))
                """))
            \(Components.form(action: "/cases/\(record.id)/access", csrf: session.csrfToken, """
                <h2>Name a person</h2>
                \(Components.textInput("username", label: "Username", value: username, problems: problems, width: "20"))
                \(Components.select("kind", label: "Access", options: [("allow", "May see this case"), ("exclude", "Exclude from this case")], selected: "", problems: problems))
                \(Components.button("Save", secondary: true))
                """))
            <p><a href="/cases/\(record.id)">Back to the case</a></p>
            """
        return .html(Layout.page(title: "Who can see this case", session: session, currentPath: "/cases",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }
}
