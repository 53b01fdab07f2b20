/// What an upcoming meeting still lacks (domain.md §3.3 and the inspection findings on meeting practice): an agenda, a
/// chair, invitees confirmed and invited, and papers sent in advance. The coordinator's home queue lists each
/// meeting of the next fortnight with its gaps, so nothing is found missing on the day.
public struct MeetingReadiness: Sendable, Equatable {
    public var date: CalendarDate
    public var hasChair: Bool
    public var agendaItems: Int
    public var confirmedInvitees: Int
    /// Confirmed invitees who have not been sent the meeting as it now stands.
    public var notInvited: Int
    public var papersSentOn: CalendarDate?

    public init(date: CalendarDate, hasChair: Bool, agendaItems: Int, confirmedInvitees: Int, notInvited: Int,
                papersSentOn: CalendarDate?) {
        self.date = date
        self.hasChair = hasChair
        self.agendaItems = agendaItems
        self.confirmedInvitees = confirmedInvitees
        self.notInvited = notInvited
        self.papersSentOn = papersSentOn
    }

    /// What is missing, most basic first, in words for the coordinator. Papers are expected `papersNoticeDays` before
    /// the meeting, as the compliance check expects them.
    public func gaps(papersNoticeDays: Int = 5) -> [String] {
        var gaps: [String] = []
        if agendaItems == 0 { gaps.append("no agenda") }
        if !hasChair { gaps.append("no chair") }
        if confirmedInvitees == 0 {
            gaps.append("no invitees confirmed")
        } else if notInvited > 0 {
            gaps.append("\(notInvited) invitation\(notInvited == 1 ? "" : "s") not sent")
        }
        if papersSentOn == nil { gaps.append("papers not sent (due by \(date.adding(days: -papersNoticeDays).displayText))") }
        return gaps
    }
}
