import Foundation

/// A date typed as three parts (day, month and year fields), read the GOV.UK way: each mistake named by the part it is
/// in, so the form highlights only those parts. https://design-system.service.gov.uk/components/date-input/
public enum DateInput {
    public enum Part: String, Sendable, CaseIterable { case day, month, year }

    /// What the person typed in each box, kept as typed so the form can show it again.
    public struct Typed: Sendable, Equatable {
        public var day: String
        public var month: String
        public var year: String
        public init(day: String, month: String, year: String) {
            self.day = day
            self.month = month
            self.year = year
        }
        /// The parts of a known date, written as a person would type them (no leading zeros).
        public init(_ date: CalendarDate) {
            self.init(day: String(date.day), month: String(date.month), year: String(date.year))
        }
        public subscript(_ part: Part) -> String {
            switch part {
            case .day: day
            case .month: month
            case .year: year
            }
        }
        /// The date as a hint's example gives it: "27 3 2007".
        public var example: String { "\(day) \(month) \(year)" }
        public var isEmpty: Bool { Part.allCases.allSatisfy { self[$0].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } }
    }

    /// A limit the date must keep, checked once it is a real date.
    public enum Bound: Sendable, Equatable {
        /// Strictly before `today` (a date of birth).
        case past(today: CalendarDate)
        /// `today` or earlier (the day something happened).
        case todayOrPast(today: CalendarDate)
    }

    public enum Reading: Sendable, Equatable {
        case empty
        case date(CalendarDate)
        case problem(ValidationProblem)
    }

    /// The date, or empty when nothing was typed; a problem names the parts in error (all three when no one part is wrong).
    public static func read(_ typed: Typed, field: String, label: String, bound: Bound? = nil) -> Reading {
        func problem(_ message: String, _ parts: [Part]) -> Reading {
            .problem(ValidationProblem(field: field, message: message, parts: parts.map(\.rawValue)))
        }
        let text = Part.allCases.map { typed[$0].trimmingCharacters(in: .whitespacesAndNewlines) }
        let (day, month, year) = (text[0], text[1], text[2])
        if day.isEmpty && month.isEmpty && year.isEmpty { return .empty }
        let missing = Part.allCases.filter { text[$0 == .day ? 0 : $0 == .month ? 1 : 2].isEmpty }
        if !missing.isEmpty {
            return problem("\(label) must include a \(missing.map(\.rawValue).joined(separator: " and "))", missing)
        }
        for (index, value) in text.enumerated() where value.utf8.count > 20 || value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return problem("\(label) must be a real date", [Part.allCases[index]])
        }
        let dayNumber = number(day)
        let monthNumber = number(month) ?? monthName(month)
        let yearNumber = number(year)
        var wrong: [Part] = []
        if dayNumber.map({ !(1...31).contains($0) }) ?? true { wrong.append(.day) }
        if monthNumber.map({ !(1...12).contains($0) }) ?? true { wrong.append(.month) }
        if yearNumber == nil { wrong.append(.year) }
        if !wrong.isEmpty { return problem("\(label) must be a real date", wrong) }
        guard let dayNumber, let monthNumber, let yearNumber else { return problem("\(label) must be a real date", Part.allCases) }
        if year.count != 4 { return problem("\(label) must include a year with 4 numbers, like 2007", [.year]) }
        if yearNumber < 1850 { return problem("\(label) must be a real date, in 1850 or later", [.year]) }
        guard dayNumber <= CalendarDate.daysIn(month: monthNumber, year: yearNumber) else {
            return problem("\(label) must be a real date", Part.allCases)
        }
        let date = CalendarDate(year: yearNumber, month: monthNumber, day: dayNumber)
        switch bound {
        case .past(let today) where date >= today: return problem("\(label) must be in the past", Part.allCases)
        case .todayOrPast(let today) where date > today: return problem("\(label) must be today or in the past", Part.allCases)
        default: return .date(date)
        }
    }

    /// A whole number written only in ASCII digits (no signs, no spaces inside).
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    /// GOV.UK asks services to accept month names too: "March", "mar".
    private static func monthName(_ text: String) -> Int? {
        let lower = text.lowercased()
        guard lower.count >= 3 else { return nil }
        let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        return names.firstIndex { $0 == lower || ($0.hasPrefix(lower) && lower.count == 3) || (lower == "sept" && $0 == "september") }.map { $0 + 1 }
    }
}
