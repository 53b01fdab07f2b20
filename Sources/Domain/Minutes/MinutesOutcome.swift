/// What approved minutes do to the case (domain.md §4.4–4.5): the panel's decisions on level, category, lead agency and
/// risk of serious harm take effect as of the meeting date, and the next review is the date the panel set or, when it
/// set none, the meeting date plus the review interval for the level it decided. The chair sees these changes before
/// approving, and the Store writes the same list into the case history.
public enum MinutesOutcome {
    /// The case's facts once the minutes are approved. A decision the minutes leave empty keeps the case's value.
    public static func details(after current: CaseDetails, content: MinutesContent, meetingDate: CalendarDate,
                               timescales: Timescales) -> CaseDetails {
        var next = current
        if let level = content.levelDecision { next.level = level }
        if let category = content.categoryDecision { next.category = category }
        if !content.leadAgency.isEmpty { next.leadAgency = content.leadAgency }
        if let rosh = content.rosh { next.rosh = rosh }
        next.roshByGroup.merge(content.roshByGroup) { _, decided in decided }
        next.nextReviewDate = content.nextReviewDate ?? timescales.nextReviewDue(after: meetingDate, level: next.level)
        return next
    }

    /// The facts that approval changes, in the order the case page lists them.
    public static func changes(to current: CaseDetails, content: MinutesContent, meetingDate: CalendarDate,
                               timescales: Timescales) -> [CaseFieldChange] {
        CaseRules.changes(from: current, to: details(after: current, content: content, meetingDate: meetingDate, timescales: timescales))
    }
}
