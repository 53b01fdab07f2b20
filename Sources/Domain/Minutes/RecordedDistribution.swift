import Foundation

/// Minutes distributed another way than through the app's mail (secure email from another system, by hand at the
/// next meeting): the coordinator records when, to whom and how, and the record counts towards the distribution
/// deadline exactly as mail sent by the app does (`MinutesWorkflow.distributionDeadline`).
public struct RecordedDistribution: Sendable, Equatable {
    public var date: CalendarDate
    public var recipients: String
    public var method: String

    public static let maximumRecipientsLength = 1000
    public static let maximumMethodLength = 200

    public init(date: CalendarDate, recipients: String, method: String) {
        self.date = date
        self.recipients = recipients
        self.method = method
    }

    /// What stops it being recorded: a date in the future or before the chair approved the minutes, recipients or
    /// method missing, too long or holding control characters.
    public func problems(today: CalendarDate, approvedOn: CalendarDate?) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if date > today {
            problems.append(ValidationProblem(field: "distributed_on", message: "The date the minutes were distributed cannot be in the future"))
        } else if let approvedOn, date < approvedOn {
            problems.append(ValidationProblem(field: "distributed_on",
                message: "The minutes were approved on \(approvedOn.displayText): they cannot have been distributed before that"))
        }
        let recipients = recipients.trimmingCharacters(in: .whitespacesAndNewlines)
        if recipients.isEmpty {
            problems.append(ValidationProblem(field: "recipients", message: "Enter who the minutes were sent to"))
        } else if recipients.count > Self.maximumRecipientsLength {
            problems.append(ValidationProblem(field: "recipients", message: "The recipients must be \(Self.maximumRecipientsLength) characters or fewer"))
        } else if TextRules.hasControlCharacters(recipients, allowingLineBreaks: true) {
            problems.append(ValidationProblem(field: "recipients", message: "The recipients contain characters that cannot be stored"))
        }
        let method = method.trimmingCharacters(in: .whitespacesAndNewlines)
        if method.isEmpty {
            problems.append(ValidationProblem(field: "method", message: "Enter how the minutes were sent, for example secure email from another system"))
        } else if method.count > Self.maximumMethodLength {
            problems.append(ValidationProblem(field: "method", message: "The method must be \(Self.maximumMethodLength) characters or fewer"))
        } else if TextRules.hasControlCharacters(method, allowingLineBreaks: false) {
            problems.append(ValidationProblem(field: "method", message: "The method contains characters that cannot be stored"))
        }
        return problems
    }
}
