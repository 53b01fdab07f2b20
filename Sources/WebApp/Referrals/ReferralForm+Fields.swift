import Domain
import HTTPServer
import Store

/// The MAPPA A form as a table of fields, so one definition renders the form, reads it back and shows a
/// referral. Field names match `QualityFinding.field`, so each finding links to its input.
struct ReferralField {
    enum Kind {
        case text
        case textarea
        case date
        case checkbox
        case lines
        case select([(value: String, label: String)])
        case agencies
        case leadAgency

        var isMultiline: Bool {
            switch self {
            case .textarea, .lines: return true
            default: return false
            }
        }
    }
    var name: String
    var label: String
    var hint: String?
    var section: ReferralSection
    var kind: Kind
    var get: @Sendable (ReferralForm) -> String
    /// Stores the submitted text; returns a problem when it cannot be read (e.g. not a date).
    var set: @Sendable (inout ReferralForm, String) -> ValidationProblem?

    static func text(_ name: String, _ label: String, _ section: ReferralSection, hint: String? = nil, long: Bool = false,
                     _ path: WritableKeyPath<ReferralForm, String> & Sendable) -> ReferralField {
        ReferralField(name: name, label: label, hint: hint, section: section, kind: long ? .textarea : .text,
                      get: { $0[keyPath: path] }, set: { form, value in form[keyPath: path] = value; return nil })
    }

    static func date(_ name: String, _ label: String, _ section: ReferralSection, hint: String? = nil,
                     _ path: WritableKeyPath<ReferralForm, CalendarDate?> & Sendable) -> ReferralField {
        ReferralField(name: name, label: label, hint: hint ?? "For example, 27 3 2027", section: section, kind: .date,
                      get: { $0[keyPath: path]?.description ?? "" },
                      set: { form, value in
                          let trimmed = value.trimmingCharacters(in: .whitespaces)
                          if trimmed.isEmpty { form[keyPath: path] = nil; return nil }
                          guard let date = CalendarDate(typed: trimmed) else {
                              return ValidationProblem(field: name, message: "\(label) must be a real date, like 2027-03-27")
                          }
                          form[keyPath: path] = date
                          return nil
                      })
    }

    static func checkbox(_ name: String, _ label: String, _ section: ReferralSection,
                         _ path: WritableKeyPath<ReferralForm, Bool> & Sendable) -> ReferralField {
        ReferralField(name: name, label: label, section: section, kind: .checkbox,
                      get: { $0[keyPath: path] ? "yes" : "" }, set: { form, value in form[keyPath: path] = value == "yes"; return nil })
    }

    static func rosh(_ name: String, _ label: String, _ group: RiskGroup?) -> ReferralField {
        ReferralField(name: name, label: label, section: .risk,
                      kind: .select(RoSH.allCases.map { ($0.rawValue, $0.displayName) }),
                      get: { form in (group.map { form.roshByGroup[$0] } ?? form.roshOverall)?.rawValue ?? "" },
                      set: { form, value in
                          let rosh = RoSH(rawValue: value)
                          if let group { form.roshByGroup[group] = rosh } else { form.roshOverall = rosh }
                          return nil
                      })
    }

    static let all: [ReferralField] = [
        ReferralField(name: "level_requested", label: "Level referred to", section: .header,
                      kind: .select([("2", "Level 2"), ("3", "Level 3")]),
                      get: { $0.levelRequested.map { String($0.rawValue) } ?? "" },
                      set: { form, value in form.levelRequested = Int(value).flatMap(ManagementLevel.init(rawValue:)); return nil }),
        .text("mappa_area", "MAPPA area", .header, \.mappaArea),
        ReferralField(name: "category", label: "MAPPA category", hint: "Select one only. Category 1 takes precedence.",
                      section: .category, kind: .select(MappaCategory.allCases.map { (String($0.rawValue), $0.description) }),
                      get: { $0.category.map { String($0.rawValue) } ?? "" },
                      set: { form, value in form.category = Int(value).flatMap(MappaCategory.init(rawValue:)); return nil }),
        .text("family_name", "Family name", .offender, \.familyName),
        .text("given_names", "Given names", .offender, \.givenNames),
        ReferralField(name: "aliases", label: "Other names and nicknames", hint: "One on each line", section: .offender,
                      kind: .lines, get: { $0.aliases.joined(separator: "\n") },
                      set: { form, value in
                          form.aliases = value.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                              .filter { !$0.isEmpty }
                          return nil
                      }),
        .date("date_of_birth", "Date of birth", .offender, hint: "For example, 27 3 1988", \.dateOfBirth),
        .text("gender", "Gender", .offender, \.gender),
        .text("ethnicity", "Ethnicity", .offender, hint: "Write it out, not a code", \.ethnicity),
        .text("current_address", "Current address", .offender, long: true, \.currentAddress),
        .checkbox("no_fixed_abode", "No fixed abode before custody", .offender, \.noFixedAbode),
        .text("nfa_area", "If no fixed abode: area of closest links", .offender, \.nfaArea),
        .text("pnc_id", "PNC ID", .offender, \.pncID),
        .text("visor_reference", "ViSOR reference", .offender, \.visorReference),
        .text("crn", "nDelius CRN", .offender, \.crn),
        ReferralField(name: "custody_status", label: "Where is the offender now?", section: .offender,
                      kind: .select(CustodyStatus.allCases.map { ($0.rawValue, $0.displayName) }),
                      get: { $0.custodyStatus?.rawValue ?? "" },
                      set: { form, value in form.custodyStatus = CustodyStatus(rawValue: value); return nil }),
        .date("release_date", "Expected release date", .offender, \.releaseDate),
        .text("proposed_release_address", "Proposed or approved release address", .offender, long: true, \.proposedReleaseAddress),
        .text("index_offences", "Index offence(s), or caution for Category 3", .conviction, long: true, \.indexOffences),
        .checkbox("index_is_caution", "The index matter is a caution", .conviction, \.indexIsCaution),
        .text("sentence", "Sentence length and type", .conviction, \.sentence),
        .text("offence_details", "Brief offence details", .conviction,
              hint: "Short bullet points; do not paste from the pre-sentence report", long: true, \.offenceDetails),
        .text("previous_offences", "Previous related offences", .conviction, long: true, \.previousOffences),
        .text("additional_information", "Any additional information", .conviction, long: true, \.additionalInformation),
        .date("sentence_date", "Sentence date", .dates, \.sentenceDate),
        .date("licence_end_date", "Licence or order end date", .dates, \.licenceEndDate),
        .date("notification_end_date", "Notification requirements end", .dates, \.notificationEndDate),
        .text("hospital_details", "Hospital details (mental health services)", .hospital, long: true, \.hospitalDetails),
        .text("reason_for_referral", "Reason for referral", .reason,
              hint: "Concerns about behaviour and attitudes, patterns of offending, information from other agencies",
              long: true, \.reasonForReferral),
        rosh("rosh_overall", "Overall risk of serious harm", nil),
        rosh("rosh_children", "Risk to children", .children),
        rosh("rosh_public", "Risk to the public", .publicAtLarge),
        rosh("rosh_known_adult", "Risk to a known adult", .knownAdult),
        rosh("rosh_staff", "Risk to staff", .staff),
        .text("risk_assessment_tools", "Risk assessment tools used and results", .risk, long: true, \.riskAssessmentTools),
        .text("victim_information", "Victims and potential victims", .risk, long: true, \.victimInformation),
        .text("diversity_needs", "Diversity and equality needs", .risk, long: true, \.diversityNeeds),
        .text("current_risk_management_plan", "Current risk management plan", .risk, long: true, \.currentRiskManagementPlan),
        .text("multi_agency_value", "What would multi-agency management add?", .risk, long: true, \.multiAgencyValue),
        .text("why_level2_is_not_enough", "Level 3 only: what cannot be delivered at Level 2?", .risk, long: true,
              \.whyLevel2IsNotEnough),
        ReferralField(name: "agencies_involved", label: "Other agencies involved", section: .risk, kind: .agencies,
                      get: { $0.agenciesInvolved.joined(separator: ",") },
                      set: { form, value in form.agenciesInvolved = value.split(separator: ",").map(String.init); return nil }),
        ReferralField(name: "lead_agency", label: "Lead agency", section: .risk, kind: .leadAgency,
                      get: { $0.leadAgency }, set: { form, value in form.leadAgency = value; return nil }),
        .text("manager_authorised_by", "Authorising manager", .authorisation, \.managerAuthorisedBy),
        .date("manager_authorised_on", "Date authorised", .authorisation, \.managerAuthorisedOn),
    ]

    /// Reads a submitted form into a referral; problems are fields that could not be read (the text is kept on
    /// the page so nothing typed is lost).
    /// A date is typed in the three fields of `Components.dateInput` and read as `FormReader.date` reads it; a date of
    /// birth must be before `today`.
    /// Only `fields` are read (one section's, when it is saved from the task list); text is refused when too long or
    /// holding control characters, as `FormReader.text` refuses it.
    static func read(_ data: FormData, into form: inout ReferralForm, today: CalendarDate,
                     fields: [ReferralField] = all) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        for field in fields {
            let value: String
            switch field.kind {
            case .text, .textarea, .lines:
                var reader = FormReader(data)
                let long = field.kind.isMultiline
                value = reader.text(field.name, field.label, max: long ? 4000 : 200, multiline: long)
                if let problem = reader.problems.first {
                    problems.append(problem)
                    continue
                }
            case .agencies: value = data.values(field.name).joined(separator: ",")
            case .date:
                var reader = FormReader(data)
                let date = reader.date(field.name, field.label, bound: field.name == "date_of_birth" ? .past(today: today) : nil)
                if let problem = reader.problems.first {
                    problems.append(problem)
                    continue
                }
                value = date?.description ?? ""
            default: value = data[field.name] ?? ""
            }
            if let problem = field.set(&form, value) { problems.append(problem) }
        }
        return problems
    }

    /// The form's inputs, section by section. `notes` are the reasons the referral was returned, by field: each is
    /// shown with its field, in the field's hint, so the referrer reads what to correct where they correct it.
    /// `only` renders one section's fields without its legend, for that section's own page (its heading names it).
    static func inputs(_ form: ReferralForm, raw: FormData?, agencies: [Agency], problems: [ValidationProblem],
                       notes: [String: [String]] = [:], only: ReferralSection? = nil) -> HTML {
        var sections: [HTML] = []
        for section in only.map({ [$0] }) ?? ReferralSection.allCases {
            let fields = all.filter { $0.section == section }
            guard !fields.isEmpty else { continue }
            let rendered = fields.map { field -> HTML in
                // Show exactly what was typed when the page comes back with problems.
                let value = raw?[field.name] ?? field.get(form)
                let hint = notes[field.name].map { "Returned by the coordinator: " + $0.joined(separator: " ") + (field.hint.map { " (\($0))" } ?? "") }
                    ?? field.hint
                switch field.kind {
                case .text:
                    return Components.textInput(field.name, label: field.label, value: value, hint: hint, problems: problems)
                case .date:
                    let values = raw.map { FormReader.dateValues($0, field.name) } ?? [field.name: value]
                    return Components.dateInput(field.name, label: field.label, values: values, hint: hint, problems: problems)
                case .textarea, .lines:
                    return Components.textarea(field.name, label: field.label, value: value, hint: hint, problems: problems)
                case .checkbox:
                    return Components.checkbox(field.name, label: field.label, checked: value == "yes")
                case .select(let options):
                    return Components.select(field.name, label: field.label, options: options, selected: value,
                                             hint: hint, problems: problems)
                case .leadAgency:
                    return Components.select(field.name, label: field.label, options: agencies.map { ($0.code, $0.name) },
                                             selected: value, hint: hint, problems: problems)
                case .agencies:
                    let chosen = Set(raw.map { $0.values(field.name) } ?? form.agenciesInvolved)
                    let boxes = agencies.map { Components.checkbox(field.name, label: $0.name, checked: chosen.contains($0.code), value: $0.code) }
                    return "<fieldset class=\"fieldset\" id=\"\(field.name)\"><legend class=\"label\">\(field.label)</legend>\(boxes)</fieldset>"
                }
            }
            sections.append(only != nil ? rendered.joined()
                : "<fieldset class=\"fieldset\"><legend class=\"fieldset__legend\">\(section.title)</legend>\(rendered)</fieldset>")
        }
        return sections.joined()
    }

    /// The referral as a read-only summary, section by section, each return reason (`notes`) beside its field.
    static func summary(_ form: ReferralForm, agencies: [Agency], notes: [String: [String]] = [:]) -> HTML {
        let names = Dictionary(agencies.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        var parts: [HTML] = []
        for section in ReferralSection.allCases {
            let rows = all.filter { $0.section == section }.compactMap { field -> (String, HTML)? in
                let value = field.display(form, agencyNames: names)
                let note: HTML = notes[field.name].map { "<br><strong>Returned:</strong> \($0.joined(separator: " "))" } ?? .empty
                if value.isEmpty { return notes[field.name] == nil ? nil : (field.label, "Not given" + note) }
                return (field.label, "<span class=\"preserve-lines\">\(value)</span>\(note)")
            }
            guard !rows.isEmpty else { continue }
            parts.append("<h3>\(section.title)</h3>" + Components.summaryList(rows))
        }
        return parts.joined()
    }

    /// The answer as the referrer would read it back: an option's label, an agency's name, a date written out; "" when
    /// not given.
    func display(_ form: ReferralForm, agencyNames names: [String: String]) -> String {
        let value = get(form)
        guard !value.isEmpty else { return "" }
        switch kind {
        case .select(let options): return options.first { $0.value == value }?.label ?? value
        case .checkbox: return "Yes"
        case .leadAgency: return names[value] ?? value
        case .agencies: return value.split(separator: ",").map { names[String($0)] ?? String($0) }.joined(separator: ", ")
        case .date: return CalendarDate(typed: value)?.displayText ?? value
        default: return value
        }
    }
}
