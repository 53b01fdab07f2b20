import Foundation

/// What the coordinator enters to schedule a meeting (or each meeting of a series).
public struct MeetingPlan: Sendable, Equatable {
    public var kind: MeetingKind
    public var title: String
    public var date: CalendarDate
    public var startTime: String
    public var durationMinutes: Int
    public var venue: String
    public var onlineLink: String
    public var chairUserID: Int64?
    public var chairGrade: ChairGrade?

    public init(kind: MeetingKind, title: String, date: CalendarDate, startTime: String, durationMinutes: Int = 120,
                venue: String = "", onlineLink: String = "", chairUserID: Int64? = nil, chairGrade: ChairGrade? = nil) {
        self.kind = kind
        self.title = title
        self.date = date
        self.startTime = startTime
        self.durationMinutes = durationMinutes
        self.venue = venue
        self.onlineLink = onlineLink
        self.chairUserID = chairUserID
        self.chairGrade = chairGrade
    }

    /// Checks a person can act on: a title, a real time, a sensible length, and somewhere to meet.
    public func problems(today: CalendarDate, allowPast: Bool = false) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "title", message: "Enter a title for the meeting"))
        }
        // They go into invitations, calendar files and mail: one line each, no control characters.
        for (text, field, label, limit) in [(title, "title", "Meeting title", Self.titleLimit), (venue, "venue", "Venue", Self.venueLimit),
                                            (onlineLink, "online_link", "Online meeting link", Self.onlineLinkLimit)] {
            if let problem = TextRules.problem(text, field: field, label: label, limit: limit) { problems.append(problem) }
        }
        if !allowPast && date < today { problems.append(ValidationProblem(field: "date", message: "The meeting date must be today or later")) }
        if MeetingPlan.minutesOfDay(startTime) == nil {
            problems.append(ValidationProblem(field: "start_time", message: "Enter the start time as hours and minutes, like 10:00"))
        }
        if !(15...480).contains(durationMinutes) {
            problems.append(ValidationProblem(field: "duration", message: "The meeting must last between 15 minutes and 8 hours"))
        }
        if venue.trimmingCharacters(in: .whitespaces).isEmpty && onlineLink.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "venue", message: "Enter a venue, an online meeting link, or both"))
        }
        if !onlineLink.isEmpty && !onlineLink.lowercased().hasPrefix("https://") {
            problems.append(ValidationProblem(field: "online_link", message: "The online meeting link must start with https://"))
        }
        return problems
    }

    /// "10:30" → 630; nil when not a time of day.
    public static func minutesOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }

    public static let titleLimit = 200
    public static let venueLimit = 200
    public static let onlineLinkLimit = 500

    /// The longest cancellation reason: it is sent in every invitee's cancellation notice.
    public static let cancellationReasonLimit = 500

    /// A cancellation needs a reason, which the notice tells every invitee.
    public static func cancellationProblems(_ reason: String) -> [ValidationProblem] {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            return [ValidationProblem(field: "reason", message: "Say why the meeting is cancelled: the cancellation notice tells the invitees")]
        }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !["\n", "\r", "\t"].contains($0) }) {
            return [ValidationProblem(field: "reason", message: "The reason cannot contain control characters")]
        }
        if trimmed.count > cancellationReasonLimit {
            return [ValidationProblem(field: "reason", message: "The reason must be \(cancellationReasonLimit) characters or fewer")]
        }
        return []
    }
}
