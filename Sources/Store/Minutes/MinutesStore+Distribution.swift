import Database
import Domain
import Foundation

/// Minutes distributed another way, as recorded.
public struct RecordedDistributionEntry: Sendable, Equatable, RowDecodable {
    public var distribution: RecordedDistribution
    public var recordedBy: String
    public var recordedAt: String

    public static let columns = """
        minutes_distributions.distributed_on, minutes_distributions.recipients, minutes_distributions.method,
        COALESCE(users.display_name, '') AS recorder, minutes_distributions.recorded_at
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        distribution = RecordedDistribution(date: try row.decode("distributed_on"), recipients: try row.decode("recipients"),
                                            method: try row.decode("method"))
        recordedBy = try row.decode("recorder")
        recordedAt = try row.decode("recorded_at")
    }
}

/// How a discussion's minutes went out: each message the app queued (its status read from the outbox: waiting, sent,
/// or failed with the safe reason) and each distribution recorded as made another way.
public struct MinutesDistribution: Sendable, Equatable {
    public var messages: [OutboxEntry]
    public var recorded: [RecordedDistributionEntry]
}

/// Approved minutes a person may read, as the "Minutes you may read" list shows them.
public struct ReadableMinutes: Sendable, Equatable, RowDecodable {
    public var meetingID: Int64
    public var itemID: Int64
    public var caseID: Int64
    public var nominalName: String
    public var nominalRef: String
    public var meetingTitle: String
    public var meetingKind: MeetingKind
    public var meetingDate: CalendarDate
    public var versionNumber: Int
    public var approvedAt: String

    public static let columns = """
        minutes.meeting_id, minutes.item_id, minutes.case_id, nominals.given_names, nominals.family_name, nominals.nominal_ref,
        meetings.title, meetings.kind, meetings.meeting_date, minutes.version_number, COALESCE(minutes.approved_at, '') AS approved_at
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        meetingID = try row.decode("meeting_id")
        itemID = try row.decode("item_id")
        caseID = try row.decode("case_id")
        let given: String = try row.decode("given_names")
        let family: String = try row.decode("family_name")
        nominalName = NominalListing.fullName(givenNames: given, familyName: family)
        nominalRef = try row.decode("nominal_ref")
        meetingTitle = try row.decode("title")
        meetingKind = try row.decode("kind")
        meetingDate = try row.decode("meeting_date")
        versionNumber = try row.decode("version_number")
        approvedAt = try row.decode("approved_at")
    }
}

/// A page of a list and how many there are in all.
public struct Counted<T: Sendable & Equatable>: Sendable, Equatable {
    public var items: [T]
    public var total: Int
}

/// Approved minutes not distributed yet, with the day they are due out.
public struct UndistributedMinutes: Sendable, Equatable {
    public var minutes: ReadableMinutes
    /// `MinutesWorkflow.distributionDeadline` from the meeting's date and the timescale setting.
    public var deadline: CalendarDate
    public var overdue: Bool
}

extension MinutesStore {
    /// The approved minutes that `viewer` may read, newest meeting first (the latest approved version of each
    /// discussion), `limit` of them and how many in all: for partner-agency staff those of the cases their agency is
    /// involved in at meetings they are part of (`CaseVisibilityFilter`, `MeetingStore.visibility`), never a draft; a
    /// named exclusion or a restricted case keeps them out as everywhere else.
    public func readableMinutes(for viewer: Viewer, limit: Int = 100, offset: Int = 0) throws -> Counted<ReadableMinutes> {
        guard viewer.can(.viewCases) || viewer.can(.viewInvolvedCases) else { return Counted(items: [], total: 0) }
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            let meetingVisible = MeetingStore.visibility(viewer)
            let from = """
                FROM minutes JOIN meetings ON meetings.id = minutes.meeting_id JOIN cases ON cases.id = minutes.case_id
                JOIN nominals ON nominals.id = cases.nominal_id
                WHERE minutes.status IN ('approved', 'distributed')
                  AND minutes.version_number = (SELECT MAX(latest.version_number) FROM minutes latest
                                                WHERE latest.item_id = minutes.item_id AND latest.status IN ('approved', 'distributed'))
                """ + visible.sql + meetingVisible.sql
            let parameters = visible.parameters + meetingVisible.parameters
            let total: Int = try connection.queryOne("SELECT COUNT(*) AS n " + from, parameters)?.value("n") ?? 0
            let items = try connection.query(ReadableMinutes.self, "SELECT \(ReadableMinutes.columns) " + from
                                             + " ORDER BY meetings.meeting_date DESC, minutes.approved_at DESC, minutes.id DESC LIMIT ? OFFSET ?",
                                             parameters + [.integer(Int64(max(0, limit))), .integer(Int64(max(0, offset)))])
            return Counted(items: items, total: total)
        }
    }

    /// Approved minutes of the cases the viewer may see that have not been distributed, soonest deadline first, each
    /// with its deadline (`MinutesWorkflow.distributionDeadline`, the same one the KPI holds them to): the coordinator's
    /// queue. Only those who distribute minutes get it.
    public func awaitingDistribution(for viewer: Viewer) throws -> [UndistributedMinutes] {
        guard viewer.can(.manageMeetings) else { return [] }
        let rows = try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return try connection.query(ReadableMinutes.self, """
                SELECT \(ReadableMinutes.columns) FROM minutes JOIN meetings ON meetings.id = minutes.meeting_id
                JOIN cases ON cases.id = minutes.case_id JOIN nominals ON nominals.id = cases.nominal_id
                WHERE minutes.status = 'approved'
                  AND NOT EXISTS (SELECT 1 FROM minutes later WHERE later.item_id = minutes.item_id AND later.version_number > minutes.version_number
                                  AND later.status IN ('approved', 'distributed'))
                """ + visible.sql + " ORDER BY meetings.meeting_date, minutes.id", visible.parameters)
        }
        let workingDays = try context.timescales().minutesDistributionWorkingDays
        let today = context.today
        return rows.map { minutes in
            let deadline = MinutesWorkflow.distributionDeadline(meetingDate: minutes.meetingDate, workingDays: workingDays)
            return UndistributedMinutes(minutes: minutes, deadline: deadline, overdue: deadline < today)
        }.sorted { $0.deadline < $1.deadline }
    }

    /// Records that the approved minutes were distributed another way (secure email from another system, by hand), on
    /// `distribution.date`: they become distributed as of that day, which the distribution deadline then reads as it
    /// reads mail sent by the app (`minutes.distributed_at`). The date may not be in the future or before the approval.
    /// Audited with the method, not the recipients.
    public func recordDistribution(_ discussion: Discussion, _ distribution: RecordedDistribution, by viewer: Viewer) throws {
        try meetings.requireManager(viewer)
        var distribution = distribution
        distribution.recipients = distribution.recipients.trimmingCharacters(in: .whitespacesAndNewlines)
        distribution.method = distribution.method.trimmingCharacters(in: .whitespacesAndNewlines)
        let existing = try current(discussion)
        guard existing.status == .approved else {
            throw DomainError.conflict("not_approved", "Only approved minutes that have not been distributed can be recorded as distributed")
        }
        let approvedOn = existing.approvedAt.flatMap { CalendarDate(String($0.prefix(10))) }
        let problems = distribution.problems(today: context.today, approvedOn: approvedOn)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let now = context.now
        try move(existing.id, .distribute, expectedVersion: nil, distributedOn: distribution.date, extra: { connection, minutes in
            try connection.execute("""
                INSERT INTO minutes_distributions (minutes_id, distributed_on, recipients, method, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [.integer(minutes.id), .text(distribution.date.description), .text(distribution.recipients), .text(distribution.method),
                      .integer(viewer.user.id), .text(now)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "minutes", subjectID: String(minutes.id),
                                     detail: "distribution recorded: \(distribution.date), \(distribution.method.prefix(80))")
        }, viewer: viewer)
    }

    /// How the discussion's minutes went out: the app's messages (from the outbox) and distributions recorded as made
    /// another way, oldest first. For those who distribute minutes; others get nothing.
    public func distribution(of discussion: Discussion, viewer: Viewer) throws -> MinutesDistribution {
        guard viewer.can(.manageMeetings) else { return MinutesDistribution(messages: [], recorded: []) }
        return try database.read { connection in
            MinutesDistribution(
                messages: try connection.query(OutboxEntry.self, "SELECT \(OutboxEntry.columns) FROM outbox WHERE meeting_id = ? AND case_id = ? AND purpose = 'minutes' ORDER BY id",
                                               [.integer(discussion.meeting.id), .integer(discussion.visibleCase.id)]),
                recorded: try connection.query(RecordedDistributionEntry.self, """
                    SELECT \(RecordedDistributionEntry.columns) FROM minutes_distributions JOIN minutes ON minutes.id = minutes_distributions.minutes_id
                    LEFT JOIN users ON users.id = minutes_distributions.recorded_by WHERE minutes.item_id = ? ORDER BY minutes_distributions.id
                    """, [.integer(discussion.item.id)]))
        }
    }
}
