import Domain
import Foundation
import HTTPServer
import Store

/// Finding people and their records: the search, the nominal page and the coordinator's edit of it. The Store finds
/// only people the viewer may see, and refuses (and records) the rest; every view is audited.
enum NominalRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/nominals", Access.require(services, .viewCases) { request, session in
            try search(request, session, services)
        })
        router.get("/nominals/:id", Access.require(services, .viewCases) { request, session in
            let nominal = try services.nominals.nominal(id: try id(request), for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "nominal", subjectID: String(nominal.id))
            return try page(request, session, services, nominal)
        })
        router.get("/nominals/:id/edit", Access.require(services, .editCases) { request, session in
            let nominal = try services.nominals.nominal(id: try id(request), for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "nominal", subjectID: String(nominal.id), detail: "edit form")
            return editPage(session, nominal, values: values(nominal.details), version: nominal.version, problems: [], conflict: false, status: 200)
        })
        router.post("/nominals/:id/edit", Access.require(services, .editCases) { request, session in
            let nominal = try services.nominals.nominal(id: try id(request), for: request.viewer(session))
            let form = try request.form()
            if let values = aliasEdit(form) {
                return editPage(session, nominal, values: values, version: Int64(form["version"] ?? "") ?? 0, problems: [], conflict: false, status: 200)
            }
            var reader = FormReader(form)
            let details = readDetails(form, &reader, today: services.today)
            let values = form.firstValues
            let version = Int64(form["version"] ?? "") ?? 0
            if !reader.problems.isEmpty {
                let problems = reader.merged(with: NominalRules.problems(details, today: services.today))
                return editPage(session, nominal, values: values, version: version, problems: problems, conflict: false, status: 422)
            }
            do {
                try services.nominals.updateNominal(id: nominal.id, details: details, expectedVersion: version, by: request.viewer(session))
            } catch let error as DomainError where error.isValidation {
                return editPage(session, nominal, values: values, version: version, problems: error.problems, conflict: false, status: 422)
            } catch let error as DomainError where error == .editConflict {
                return editPage(session, nominal, values: values, version: nominal.version,
                                problems: [ValidationProblem(field: "family_name", message: error.description)], conflict: true, status: 409)
            }
            return .redirect(to: "/nominals/\(nominal.id)?done=\(Flash.nominalSaved.rawValue)")
        })
    }

    /// A person's details as the nominal forms send them (the edit form, and a case recorded by hand), each text
    /// held to a length and refused with control characters.
    static func readDetails(_ form: FormData, _ reader: inout FormReader, today: CalendarDate) -> NominalDetails {
        NominalDetails(
            familyName: reader.text("family_name", "Family name", max: 100), givenNames: reader.text("given_names", "Given names", max: 100),
            aliases: NominalRules.aliases(from: (1...aliasRows.limit).map { reader.text("alias_\($0)", "Other name \($0)", max: 100) }
                .joined(separator: "\n")),
            dateOfBirth: reader.date("date_of_birth", "Date of birth", bound: .past(today: today)),
            gender: reader.text("gender", "Gender", max: 50), ethnicity: reader.text("ethnicity", "Ethnicity", max: 100),
            pncID: reader.text("pnc_id", "PNC ID", max: 20), visorReference: reader.text("visor_ref", "ViSOR reference", max: 30),
            crn: reader.text("crn", "nDelius CRN", max: 10),
            currentAddress: reader.text("current_address", "Current address", max: 500, multiline: true),
            noFixedAbode: form["no_fixed_abode"] == "yes", nfaArea: reader.text("nfa_area", "Area of closest links", max: 200),
            proposedReleaseAddress: reader.text("proposed_release_address", "Proposed release address", max: 500, multiline: true),
            custodyStatus: reader.choice("custody_status", CustodyStatus.init(rawValue:), required: "Select the custody status") ?? .community,
            releaseDate: reader.date("release_date", "Release date"))
    }

    /// The record id of the path, or not found.
    static func id(_ request: Request, _ name: String = "id") throws -> Int64 {
        guard let id = request.parameter(name).flatMap(Int64.init) else { throw DomainError.notFound("The record") }
        return id
    }

    static func search(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let query = String((request.queryValue("q") ?? "").prefix(100))
        let pageSize = 50
        var results = try services.nominals.search(query, limit: pageSize + 1, for: request.viewer(session))
        let more = results.count > pageSize
        results = Array(results.prefix(pageSize))
        // Each person's cases the viewer may see, in one query: level and status, each a link to the case.
        let cases = try services.cases.caseload(nominalIDs: results.map(\.id), for: request.viewer(session))
        if !query.isEmpty {
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "nominal_search",
                                      subjectID: "", detail: searchDetail(query, shown: results.map(\.nominalRef)))
        }
        let search: HTML = """
            <h1>Find a nominal</h1>
            <form method="get" action="/nominals" class="search" role="search">
              \(Components.textInput("q", label: "Name, other name, date of birth or identifier", value: query,
                                     hint: "For example: smith jo, 12/04/1988, a PNC ID or a CRN"))
              \(Components.button("Search"))
            </form>

            """
        let page = Layout.page(title: "Find a nominal", session: session, currentPath: "/cases",
                               capacity: 1024 + results.count * 512) { out in
            out.append(search)
            if !query.isEmpty {
                // Written into the page: 50 rows made into HTML first were checked and copied twice more.
                Components.table(into: &out, caption: more
                                    ? "The first \(pageSize) results: add more of the name, a date of birth or an identifier to narrow the search"
                                    : "\(results.count) result\(results.count == 1 ? "" : "s")",
                                 headers: ["Nominal", "Name", "Other names", "Date of birth", "PNC ID", "MAPPA case"], rows: results) { nominal, row in
                    row.cell(link: nominal.nominalRef, href: "/nominals/\(nominal.id)")
                    row.cell(nominal.fullName)
                    row.cell(nominal.aliases.joined(separator: ", "))
                    row.cell(nominal.dateOfBirth?.displayText ?? "–")
                    row.cell(nominal.pncID)
                    let links = (cases[nominal.id] ?? []).map { found -> HTML in
                        "<a href=\"/cases/\(found.caseID)\">\(found.level.shortName), \(found.status.displayName.lowercased())</a>"
                    }
                    row.cell(links.isEmpty ? "None" as HTML : links.joined(separator: "; "))
                }
            }
            if session.user.role.can(.editCases) {
                out.markup("\n<p><a href=\"/cases/new\">Record a new case</a> · <a href=\"/cases/import\">Import or download the case register</a></p>")
            }
        }
        return .html(page.rendered)
    }

    static func page(_ request: Request, _ session: Session, _ services: Services, _ nominal: NominalRecord) throws -> Response {
        let cases = try services.cases.cases(nominalID: nominal.id, for: request.viewer(session)).map { record -> [HTML] in
            ["<a href=\"/cases/\(record.id)\">Case \(record.id)</a>", "\(record.category.shortName)", "\(record.level.shortName)",
             "\(record.leadAgencyName)", "\(record.status.rawValue)"]
        }
        let content: HTML = """
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">Nominal \(nominal.nominalRef)</span>
            <h1>\(nominal.fullName)</h1>
            \(Components.summaryList([
                ("Other names", "\(nominal.aliases.isEmpty ? "None recorded" : nominal.aliases.joined(separator: ", "))"),
                ("Date of birth", "\(nominal.dateOfBirth?.displayText ?? "Not recorded")"),
                ("Gender", "\(nominal.gender)"), ("Ethnicity", "\(nominal.ethnicity)"),
                ("PNC ID", "\(nominal.pncID)"), ("ViSOR reference", "\(nominal.visorReference)"), ("nDelius CRN", "\(nominal.crn)"),
                ("Custody status", "\(nominal.custodyStatus.displayName)"),
                ("Release date", "\(nominal.releaseDate?.displayText ?? "–")"),
                ("Current address", "\(nominal.noFixedAbode ? "No fixed abode (closest links: \(nominal.nfaArea))" : (nominal.currentAddress.isEmpty ? "Not recorded" : nominal.currentAddress))"),
                ("Proposed release address", "\(nominal.proposedReleaseAddress.isEmpty ? "–" : nominal.proposedReleaseAddress)"),
            ]))
            \(session.user.role.can(.editCases) ? "<p><a href=\"/nominals/\(nominal.id)/edit\">Change the nominal record</a></p>" as HTML : .empty)
            \(Components.table(caption: "MAPPA cases", headers: ["Case", "Category", "Level", "Lead agency", "Status"], rows: cases))
            """
        return .html(Layout.page(title: nominal.fullName, session: session, currentPath: "/nominals", content: content).rendered)
    }

    static func values(_ details: NominalDetails) -> [String: String] {
        var values = [
         "family_name": details.familyName, "given_names": details.givenNames,
         "date_of_birth": details.dateOfBirth?.description ?? "", "gender": details.gender, "ethnicity": details.ethnicity,
         "pnc_id": details.pncID, "visor_ref": details.visorReference, "crn": details.crn,
         "current_address": details.currentAddress, "no_fixed_abode": details.noFixedAbode ? "yes" : "",
         "nfa_area": details.nfaArea, "proposed_release_address": details.proposedReleaseAddress,
         "custody_status": details.custodyStatus.rawValue, "release_date": details.releaseDate?.description ?? ""]
        for (index, alias) in details.aliases.prefix(aliasRows.limit).enumerated() { values["alias_\(index + 1)"] = alias }
        return values
    }

    /// Other names: a box each, added and removed on the form itself (`RepeatingRows`).
    static let aliasRows = RepeatingRows(name: "alias", noun: "other name", fields: ["alias_"])

    /// The other names, one box each, with their add and remove buttons; `action` is the form's address.
    static func aliasFields(_ values: [String: String], _ problems: [ValidationProblem], action: String) -> HTML {
        let count = aliasRows.count(values)
        let rows = (1...count).map { index -> HTML in
            """
            <div class="rows__row" id="\(aliasRows.id(index))">
            \(Components.textInput("alias_\(index)", label: "Other name \(index)", value: values["alias_\(index)"] ?? "", problems: problems))
            \(count > 1 ? aliasRows.removeButton(index, action: action) : .empty)
            </div>
            """
        }
        return """
            <fieldset class="fieldset" id="\(aliasRows.listID)"><legend class="fieldset__legend">Other names and nicknames</legend>
            <div class="hint">Aliases, earlier names and nicknames, one in each box</div>
            \(rows)
            \(aliasRows.addButton(count, action: action))
            \(aliasRows.countInput(count))
            </fieldset>
            """
    }

    /// The form again after "Add another other name" or "Remove": nothing read, nothing lost; nil for any other press.
    static func aliasEdit(_ form: FormData) -> [String: String]? {
        guard let edit = aliasRows.edit(in: form) else { return nil }
        var values = form.firstValues.filter { !$0.key.hasPrefix("add_") && !$0.key.hasPrefix("remove_") }
        aliasRows.apply(edit, to: &values)
        return values
    }

    /// The person's fields, as the edit form and the form for a case recorded by hand show them.
    static func fields(_ values: [String: String], _ problems: [ValidationProblem], action: String) -> HTML {
        """
            <h2>Names</h2>
            \(Components.textInput("family_name", label: "Family name", value: values["family_name"] ?? "", problems: problems))
            \(Components.textInput("given_names", label: "Given names", value: values["given_names"] ?? "", problems: problems))
            \(aliasFields(values, problems, action: action))
            <h2>Personal details</h2>
            \(Components.dateInput("date_of_birth", label: "Date of birth", values: values, hint: "For example, 27 3 1988", problems: problems))
            \(Components.textInput("gender", label: "Gender", value: values["gender"] ?? "", problems: problems, width: "20"))
            \(Components.textInput("ethnicity", label: "Ethnicity", value: values["ethnicity"] ?? "", hint: "Written out in full, not a code", problems: problems))
            <h2>Identifiers</h2>
            \(Components.textInput("pnc_id", label: "PNC ID", value: values["pnc_id"] ?? "", hint: "For example, 2019/0123456X", problems: problems, width: "20"))
            \(Components.textInput("visor_ref", label: "ViSOR reference", value: values["visor_ref"] ?? "", problems: problems, width: "20"))
            \(Components.textInput("crn", label: "nDelius CRN", value: values["crn"] ?? "", hint: "For example, X123456", problems: problems, width: "10"))
            <h2>Addresses and custody</h2>
            \(Components.select("custody_status", label: "Custody status", options: CustodyStatus.allCases.map { ($0.rawValue, $0.displayName) }, selected: values["custody_status"] ?? "", problems: problems))
            \(Components.dateInput("release_date", label: "Release date", values: values, hint: "Expected or actual release from custody or hospital. For example, 14 6 2027", problems: problems))
            \(Components.textarea("current_address", label: "Current address", value: values["current_address"] ?? "", problems: problems, rows: 3))
            \(Components.checkbox("no_fixed_abode", label: "No fixed abode", checked: values["no_fixed_abode"] == "yes"))
            \(Components.textInput("nfa_area", label: "With no fixed abode: area of closest links", value: values["nfa_area"] ?? "", problems: problems))
            \(Components.textarea("proposed_release_address", label: "Proposed release address", value: values["proposed_release_address"] ?? "", problems: problems, rows: 3))
            """
    }

    static func editPage(_ session: Session, _ nominal: NominalRecord, values: [String: String], version: Int64,
                            problems: [ValidationProblem], conflict: Bool, status: Int) -> Response {
        let content: HTML = """
            \(Components.errorSummary(problems))
            <span class="caption">Nominal \(nominal.nominalRef)</span>
            <h1>Change the nominal record</h1>
            \(conflict ? CaseEditRoutes.conflictExplanation : .empty)
            \(Components.form(action: "/nominals/\(nominal.id)/edit", csrf: session.csrfToken, """
                \(RepeatingRows.defaultSubmit())
                <input type="hidden" name="version" value="\(version)">
                \(fields(values, problems, action: "/nominals/\(nominal.id)/edit"))
                \(Components.button("Save changes"))
                """))
            <p><a href="/nominals/\(nominal.id)">Cancel</a></p>
            """
        return .html(Layout.page(title: "Change the nominal record", session: session, currentPath: "/nominals",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    /// A search as the audit trail keeps it: what was searched for (control characters shown as "?") and whom it showed.
    static func searchDetail(_ query: String, shown refs: [String]) -> String {
        let terms = String(String.UnicodeScalarView(query.unicodeScalars.map { TextRules.isRefused($0, allowingLineBreaks: false) ? "?" : $0 }))
        return "searched for \"\(terms)\": \(refs.count) shown" + (refs.isEmpty ? "" : " (" + refs.joined(separator: ", ") + ")")
    }
}
