import Domain
import Foundation
import HTTPServer

/// Reads a submitted form into typed values, collecting a problem for each value that cannot be read, so a
/// form with several mistakes reports all of them at once and keeps what the person typed.
struct FormReader {
    let form: FormData
    var problems: [ValidationProblem] = []

    init(_ form: FormData) { self.form = form }

    func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The field's text, trimmed, refused (a problem, and the text still returned so the form keeps it) when longer
    /// than `max` characters or holding control characters: any at all on one line, any but line breaks and tabs in a
    /// multi-line box.
    mutating func text(_ name: String, _ label: String, max: Int = 200, multiline: Bool = false) -> String {
        let value = text(name)
        if let problem = TextRules.problem(value, field: name, label: label, limit: max, multiline: multiline) { problems.append(problem) }
        return value
    }

    /// An optional date typed in the GOV.UK date input (`Components.dateInput`): the fields `<name>-day`, `<name>-month`
    /// and `<name>-year`. Each mistake is a problem naming the parts in error; `required` is the message when nothing was
    /// typed ("Enter the meeting date"); `bound` keeps the date in the past where it must be. The only way a form reads a date.
    mutating func date(_ name: String, _ label: String, required: String? = nil, bound: DateInput.Bound? = nil) -> CalendarDate? {
        dateFields.insert(name)
        switch DateInput.read(Self.typedDate(form, name), field: name, label: label, bound: bound) {
        case .date(let date): return date
        case .empty:
            if let required { problems.append(ValidationProblem(field: name, message: required, parts: DateInput.Part.allCases.map(\.rawValue))) }
            return nil
        case .problem(let problem):
            problems.append(problem)
            return nil
        }
    }

    /// What was typed in a date input's three fields.
    static func typedDate(_ form: FormData, _ name: String) -> DateInput.Typed {
        DateInput.Typed(day: form["\(name)-day"] ?? "", month: form["\(name)-month"] ?? "", year: form["\(name)-year"] ?? "")
    }

    /// What was typed in a date input's three fields, under their own names, for showing the form again.
    static func dateValues(_ form: FormData, _ name: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: DateInput.Part.allCases.map { ("\(name)-\($0.rawValue)", form["\(name)-\($0.rawValue)"] ?? "") })
    }

    /// The names read as dates, so a rule's problem about one highlights all its parts and links to its day.
    private(set) var dateFields: Set<String> = []

    /// The reading problems, then the rule problems about fields that were read correctly.
    func merged(with ruleProblems: [ValidationProblem]) -> [ValidationProblem] {
        problems + ruleProblems.filter { rule in !problems.contains { $0.field == rule.field } }.map { rule in
            guard dateFields.contains(rule.field), rule.parts.isEmpty else { return rule }
            return ValidationProblem(field: rule.field, message: rule.message, parts: DateInput.Part.allCases.map(\.rawValue))
        }
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
