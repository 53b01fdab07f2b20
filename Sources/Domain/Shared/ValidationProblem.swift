import Foundation

/// A rule failure worth showing a person: which field and what to do about it. Never holds personal data.
public struct ValidationProblem: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}
