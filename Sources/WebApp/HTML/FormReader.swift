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

    /// An optional date, typed as 2027-03-27 or 27/03/2027.
    mutating func date(_ name: String, _ label: String) -> CalendarDate? {
        let value = text(name)
        guard !value.isEmpty else { return nil }
        guard let date = CalendarDate(typed: value) else {
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
