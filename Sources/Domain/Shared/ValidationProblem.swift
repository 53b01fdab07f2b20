import Foundation

/// A rule failure worth showing a person: which field and what to do about it. Never holds personal data.
public struct ValidationProblem: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    /// For a field typed in parts (a date's day, month and year): the parts in error, in order; empty when the whole
    /// field is. The error summary links to the first, and only these are highlighted.
    public var parts: [String]
    public init(field: String, message: String, parts: [String] = []) {
        self.field = field
        self.message = message
        self.parts = parts
    }
    public var description: String { "\(field): \(message)" }
}
