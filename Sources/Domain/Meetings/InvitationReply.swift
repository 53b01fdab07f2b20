import Foundation

/// What an invited agency says before the meeting: it will attend, it sends apologies, or it sends apologies with a
/// report (domain.md §3.3: an agency that cannot attend sends a written report instead).
public enum InvitationResponse: String, CaseIterable, Sendable, Codable {
    case attending
    case apologies
    case apologiesWithReport = "apologies_with_report"

    public var displayName: String {
        switch self {
        case .attending: return "Attending"
        case .apologies: return "Apologies"
        case .apologiesWithReport: return "Apologies, with a report"
        }
    }

    /// What the reply says about the agency's part in the meeting, in the terms attendance is recorded in, so the
    /// compliance check reads a reply as it reads recorded attendance (`MeetingCompliance`): apologies with a report
    /// are a report sent; apologies are apologies. Saying one will attend is not attending: nil.
    public var attendanceStatus: AttendanceStatus? {
        switch self {
        case .attending: return nil
        case .apologies: return .apologies
        case .apologiesWithReport: return .reportSent
        }
    }
}

/// An agency's reply to a meeting invitation, as its representative gives it in the app.
public struct InvitationReply: Sendable, Equatable {
    public var response: InvitationResponse
    /// A short written report, or a note of what it covers.
    public var reportText: String
    /// The report is sent separately (by secure email, say).
    public var reportSent: Bool

    public static let maximumReportLength = 2000

    public init(response: InvitationResponse, reportText: String = "", reportSent: Bool = false) {
        self.response = response
        self.reportText = reportText
        self.reportSent = reportSent
    }

    /// What stops the reply being saved: a report longer than the limit, control characters, or apologies "with a
    /// report" that neither give one nor say one is sent.
    public func problems() -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if reportText.count > Self.maximumReportLength {
            problems.append(ValidationProblem(field: "report_text", message: "The report must be \(Self.maximumReportLength) characters or fewer"))
        }
        if TextRules.hasControlCharacters(reportText, allowingLineBreaks: true) {
            problems.append(ValidationProblem(field: "report_text", message: "The report contains characters that cannot be stored"))
        }
        if response == .apologiesWithReport && reportText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !reportSent {
            problems.append(ValidationProblem(field: "report_text", message: "Write the report, or say that it is sent separately"))
        }
        if response != .apologiesWithReport && (!reportText.isEmpty || reportSent) {
            problems.append(ValidationProblem(field: "response", message: "Choose \"Apologies, with a report\" to send a report"))
        }
        return problems
    }
}
