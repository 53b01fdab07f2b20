import Domain
import HTTPServer
import Store

/// The MAPPA A form as the API reads and writes it: one table of fields gives the JSON name, the JSON Schema
/// published in /api/openapi.json, how to write the field and how to read and check it, so the document
/// cannot drift from what the server accepts. `formName` is the HTML form's name for the field, which the
/// quality findings use; the API reports findings under the JSON name.
struct ApiFormField: Sendable {
    /// Facts from the database the fields are checked against (agency codes come from the directory).
    struct Context: Sendable {
        var agencyCodes: [String]
    }

    var name: String
    var formName: String
    var schema: @Sendable (Context) -> JSONValue
    var get: @Sendable (ReferralForm) -> JSONValue
    /// Stores the value; returns what is wrong with it instead when it cannot be stored.
    var set: @Sendable (inout ReferralForm, JSONValue, Context) -> String?

    static let shortTextLength = 200
    static let longTextLength = 10_000
    /// PostgreSQL cannot store NUL characters in text, so they are refused everywhere in the API.
    static let noNulPattern = "^[^\\u0000]*$"
    /// Real dates from 1850 (`CalendarDate`'s range); `format: date` rules out 30 February.
    static let datePattern = "^(18[5-9][0-9]|19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"

    static func textSchema(maxLength: Int) -> JSONValue {
        ["type": "string", "maxLength": .int(Int64(maxLength)), "pattern": .string(noNulPattern)]
    }
    static let dateSchema: JSONValue = ["type": ["string", "null"], "format": "date", "pattern": .string(datePattern),
                                        "description": "YYYY-MM-DD, or null when not known"]
    static let roshSchema: JSONValue = ["type": ["string", "null"],
                                        "enum": .array(RoSH.allCases.map { .string($0.rawValue) } + [.null])]

    /// Checks free text: a string, not too long (counted in Unicode code points, as JSON Schema counts), no NUL.
    static func checkText(_ value: JSONValue, maxLength: Int) -> (String?, String?) {
        guard case .string(let text) = value else { return (nil, "must be a string, not \(value.typeName)") }
        if text.unicodeScalars.count > maxLength { return (nil, "must be \(maxLength) characters or fewer") }
        if text.unicodeScalars.contains("\u{0}") { return (nil, "must not contain NUL characters") }
        return (text, nil)
    }

    static func checkDate(_ value: JSONValue) -> (CalendarDate?, String?) {
        switch value {
        case .null: return (nil, nil)
        case .string(let text):
            guard let date = CalendarDate(text) else { return (nil, "must be a real date written YYYY-MM-DD, from 1850 on") }
            return (date, nil)
        default: return (nil, "must be a date written YYYY-MM-DD, or null")
        }
    }

    static func text(_ name: String, _ formName: String, long: Bool = false,
                     _ path: WritableKeyPath<ReferralForm, String> & Sendable) -> ApiFormField {
        let maxLength = long ? longTextLength : shortTextLength
        return ApiFormField(name: name, formName: formName, schema: { _ in textSchema(maxLength: maxLength) },
                            get: { .string($0[keyPath: path]) },
                            set: { form, value, _ in
                                let (text, problem) = checkText(value, maxLength: maxLength)
                                if let text { form[keyPath: path] = text }
                                return problem
                            })
    }

    static func date(_ name: String, _ formName: String,
                     _ path: WritableKeyPath<ReferralForm, CalendarDate?> & Sendable) -> ApiFormField {
        ApiFormField(name: name, formName: formName, schema: { _ in dateSchema }, get: { .date($0[keyPath: path]) },
                     set: { form, value, _ in
                         let (date, problem) = checkDate(value)
                         if problem == nil { form[keyPath: path] = date }
                         return problem
                     })
    }

    static func flag(_ name: String, _ formName: String, _ path: WritableKeyPath<ReferralForm, Bool> & Sendable) -> ApiFormField {
        ApiFormField(name: name, formName: formName, schema: { _ in ["type": "boolean"] }, get: { .bool($0[keyPath: path]) },
                     set: { form, value, _ in
                         guard case .bool(let flag) = value else { return "must be true or false" }
                         form[keyPath: path] = flag
                         return nil
                     })
    }

    /// A choice among fixed values (or null): `values` pairs each JSON value with the domain value.
    static func choice<Value: Equatable & Sendable>(_ name: String, _ formName: String, _ values: [(JSONValue, Value)],
                                                    _ path: WritableKeyPath<ReferralForm, Value?> & Sendable,
                                                    type: String) -> ApiFormField {
        let allowed = values.map(\.0)
        let described = allowed.map { value -> String in
            if case .string(let text) = value { return "\"\(text)\"" }
            if case .int(let number) = value { return String(number) }
            return "null"
        }.joined(separator: ", ")
        return ApiFormField(name: name, formName: formName,
                            schema: { _ in ["type": [.string(type), "null"], "enum": .array(allowed + [.null])] },
                            get: { form in
                                guard let current = form[keyPath: path] else { return .null }
                                return values.first { $0.1 == current }?.0 ?? .null
                            },
                            set: { form, value, _ in
                                if value == .null { form[keyPath: path] = nil; return nil }
                                guard let match = values.first(where: { $0.0 == value }) else { return "must be one of \(described), or null" }
                                form[keyPath: path] = match.1
                                return nil
                            })
    }

    static func strings(_ name: String, _ formName: String, maxItems: Int, item: @escaping @Sendable (Context) -> JSONValue,
                        check: @escaping @Sendable (String, Context) -> String?,
                        _ path: WritableKeyPath<ReferralForm, [String]> & Sendable) -> ApiFormField {
        ApiFormField(name: name, formName: formName,
                     schema: { context in ["type": "array", "maxItems": .int(Int64(maxItems)), "items": item(context)] },
                     get: { .array($0[keyPath: path].map { .string($0) }) },
                     set: { form, value, context in
                         guard case .array(let items) = value else { return "must be an array of strings" }
                         if items.count > maxItems { return "must have \(maxItems) items or fewer" }
                         var texts: [String] = []
                         for (index, item) in items.enumerated() {
                             guard case .string(let text) = item else { return "item \(index + 1) must be a string" }
                             if let problem = check(text, context) { return "item \(index + 1) \(problem)" }
                             texts.append(text)
                         }
                         form[keyPath: path] = texts
                         return nil
                     })
    }

    static let roshGroupNames: [(String, RiskGroup)] = [("children", .children), ("public", .publicAtLarge),
                                                        ("knownAdult", .knownAdult), ("staff", .staff)]

    static let roshByGroup = ApiFormField(
        name: "roshByGroup", formName: "rosh_children",
        schema: { _ in
            ["type": "object", "additionalProperties": false,
             "description": "Risk of serious harm to each group; a group left out or null is not recorded",
             "properties": .object(Dictionary(uniqueKeysWithValues: roshGroupNames.map { ($0.0, roshSchema) }))]
        },
        get: { form in .object(Dictionary(uniqueKeysWithValues: roshGroupNames.map { name, group in
            (name, JSONValue(form.roshByGroup[group]) { .string($0.rawValue) })
        })) },
        set: { form, value, _ in
            guard case .object(let members) = value else { return "must be an object" }
            if let unknown = members.keys.sorted().first(where: { key in !roshGroupNames.contains { $0.0 == key } }) {
                return "has an unknown group \"\(unknown)\": use children, public, knownAdult or staff"
            }
            var groups: [RiskGroup: RoSH] = [:]
            for (name, group) in roshGroupNames {
                switch members[name] {
                case nil, .null?: continue
                case .string(let text)? where RoSH(rawValue: text) != nil: groups[group] = RoSH(rawValue: text)
                default: return "\(name) must be one of \"low\", \"medium\", \"high\", \"very high\", or null"
                }
            }
            form.roshByGroup = groups
            return nil
        })

    static let leadAgency = ApiFormField(
        name: "leadAgency", formName: "lead_agency",
        schema: { context in
            ["type": "string", "enum": .array([""] + context.agencyCodes.map { .string($0) }),
             "description": "Agency code of the lead agency; empty while not yet chosen"]
        },
        get: { .string($0.leadAgency) },
        set: { form, value, context in
            guard case .string(let code) = value else { return "must be an agency code (a string)" }
            guard code.isEmpty || context.agencyCodes.contains(code) else { return "is not the code of an agency in the directory" }
            form.leadAgency = code
            return nil
        })

    static let all: [ApiFormField] = [
        choice("levelRequested", "level_requested", [(JSONValue.int(2), ManagementLevel.two), (.int(3), .three)], \.levelRequested, type: "integer"),
        text("mappaArea", "mappa_area", \.mappaArea),
        choice("category", "category", MappaCategory.allCases.map { (.int(Int64($0.rawValue)), $0) }, \.category, type: "integer"),
        text("familyName", "family_name", \.familyName),
        text("givenNames", "given_names", \.givenNames),
        strings("aliases", "aliases", maxItems: 20, item: { _ in textSchema(maxLength: shortTextLength) },
                check: { text, _ in checkText(.string(text), maxLength: shortTextLength).1 }, \.aliases),
        date("dateOfBirth", "date_of_birth", \.dateOfBirth),
        text("gender", "gender", \.gender),
        text("ethnicity", "ethnicity", \.ethnicity),
        text("currentAddress", "current_address", long: true, \.currentAddress),
        flag("noFixedAbode", "no_fixed_abode", \.noFixedAbode),
        text("nfaArea", "nfa_area", \.nfaArea),
        text("pncId", "pnc_id", \.pncID),
        text("visorReference", "visor_reference", \.visorReference),
        text("crn", "crn", \.crn),
        choice("custodyStatus", "custody_status", CustodyStatus.allCases.map { (.string($0.rawValue), $0) }, \.custodyStatus, type: "string"),
        date("releaseDate", "release_date", \.releaseDate),
        text("proposedReleaseAddress", "proposed_release_address", long: true, \.proposedReleaseAddress),
        text("indexOffences", "index_offences", long: true, \.indexOffences),
        flag("indexIsCaution", "index_is_caution", \.indexIsCaution),
        text("sentence", "sentence", \.sentence),
        text("offenceDetails", "offence_details", long: true, \.offenceDetails),
        text("previousOffences", "previous_offences", long: true, \.previousOffences),
        text("additionalInformation", "additional_information", long: true, \.additionalInformation),
        date("sentenceDate", "sentence_date", \.sentenceDate),
        date("licenceEndDate", "licence_end_date", \.licenceEndDate),
        date("notificationEndDate", "notification_end_date", \.notificationEndDate),
        text("hospitalDetails", "hospital_details", long: true, \.hospitalDetails),
        text("reasonForReferral", "reason_for_referral", long: true, \.reasonForReferral),
        choice("roshOverall", "rosh_overall", RoSH.allCases.map { (.string($0.rawValue), $0) }, \.roshOverall, type: "string"),
        roshByGroup,
        text("riskAssessmentTools", "risk_assessment_tools", long: true, \.riskAssessmentTools),
        text("victimInformation", "victim_information", long: true, \.victimInformation),
        text("diversityNeeds", "diversity_needs", long: true, \.diversityNeeds),
        text("currentRiskManagementPlan", "current_risk_management_plan", long: true, \.currentRiskManagementPlan),
        text("multiAgencyValue", "multi_agency_value", long: true, \.multiAgencyValue),
        text("whyLevel2IsNotEnough", "why_level2_is_not_enough", long: true, \.whyLevel2IsNotEnough),
        strings("agenciesInvolved", "agencies_involved", maxItems: 50,
                item: { context in ["type": "string", "enum": .array(context.agencyCodes.map { .string($0) })] },
                check: { code, context in context.agencyCodes.contains(code) ? nil : "is not the code of an agency in the directory" },
                \.agenciesInvolved),
        leadAgency,
        text("managerAuthorisedBy", "manager_authorised_by", \.managerAuthorisedBy),
        date("managerAuthorisedOn", "manager_authorised_on", \.managerAuthorisedOn),
    ]

    /// The API name of a quality finding's field (findings use the HTML form's names).
    static func apiName(formName: String) -> String {
        if formName.hasPrefix("rosh_"), formName != "rosh_overall" { return "roshByGroup" }
        return all.first { $0.formName == formName }?.name ?? formName
    }

    /// The form as JSON, every field present.
    static func encode(_ form: ReferralForm) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.get(form)) }))
    }

    /// Reads a form; fields left out keep their empty defaults (a draft may be incomplete). Every problem is
    /// reported, each under its field's path (`prefix` names the enclosing member, e.g. "form.").
    static func decode(_ value: JSONValue, context: Context, prefix: String = "") -> (ReferralForm, [ValidationProblem]) {
        var form = ReferralForm()
        guard case .object(let members) = value else {
            return (form, [ValidationProblem(field: prefix.isEmpty ? "(body)" : String(prefix.dropLast()),
                                             message: "must be a JSON object of referral form fields")])
        }
        var problems: [ValidationProblem] = []
        for key in members.keys.sorted() where !all.contains(where: { $0.name == key }) {
            problems.append(ValidationProblem(field: prefix + key, message: "is not a field of the referral form"))
        }
        for field in all {
            guard let member = members[field.name] else { continue }
            if let problem = field.set(&form, member, context) {
                problems.append(ValidationProblem(field: prefix + field.name, message: problem))
            }
        }
        return (form, problems)
    }

    /// The JSON Schema of the form: for requests nothing is required; responses always carry every field.
    static func schema(_ context: Context, forResponse: Bool) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object", "additionalProperties": false,
            "properties": .object(Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.schema(context)) })),
        ]
        if forResponse { schema["required"] = .array(all.map { .string($0.name) }) }
        return .object(schema)
    }
}
