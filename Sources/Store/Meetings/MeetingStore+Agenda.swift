import Database
import Domain
import Foundation

/// The agenda builder's proposals for a panel, with the people behind the first few (the page shows 50 of what may be
/// thousands).
public struct AgendaProposals: Sendable, Equatable {
    /// Every case the viewer may see that is new, overdue or due for review by the meeting, most urgent first.
    public var proposals: [AgendaProposal]
    /// The person of each of the first proposals, by case id.
    public var people: [Int64: NominalListing]
}

extension MeetingStore {
    /// The meeting's agenda as the viewer sees it (`Agenda`).
    public func agenda(of meeting: Meeting, for viewer: Viewer) throws -> Agenda {
        let seen = try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            return try connection.query(Seen<MeetingItem>.self, "SELECT \(MeetingItem.columns), \(visible.expression) AS visible \(MeetingItem.tables)"
                                        + " WHERE meeting_items.meeting_id = ? ORDER BY meeting_items.position, meeting_items.id",
                                        visible.parameters + [.integer(meeting.id)])
        }
        let hidden = seen.filter { !$0.visible }.count
        return Agenda(meetingID: meeting.id, items: seen.filter(\.visible).map(\.record), hiddenCount: viewer.can(.manageMeetings) ? hidden : nil)
    }

    /// The cases the agenda builder proposes for the meeting that are not on it yet and that the viewer may see.
    /// `naming`: how many of the first proposals come with their person.
    public func proposals(for meeting: Meeting, by viewer: Viewer, naming: Int = 50) throws -> AgendaProposals {
        let proposals = try builderProposals(for: meeting, by: viewer)
        return AgendaProposals(proposals: proposals, people: try people(ofCases: Array(proposals.prefix(naming).map(\.caseID))))
    }

    /// What the agenda builder proposes of the active cases at the meeting's level that the viewer may see and that are
    /// not on the agenda yet: all of them, or only `caseID`.
    private func builderProposals(for meeting: Meeting, by viewer: Viewer, only caseID: Int64? = nil) throws -> [AgendaProposal] {
        guard let level = meeting.kind.reviewLevel else { return [] }
        let cases = try database.read { connection -> [AgendaCase] in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            // At national scale a Level 2 panel weighs some 7,000 cases: read by position, the names checked on the first.
            // The last panel is looked up only for a case a panel has reviewed: the builder proposes one never reviewed
            // as new, whatever it was (`AgendaBuilder`).
            let rows = try connection.query("""
                SELECT cases.id, cases.start_date, cases.next_review_date, cases.last_reviewed_on,
                    CASE WHEN cases.last_reviewed_on IS NULL THEN NULL ELSE
                    (SELECT meetings.kind FROM meeting_items AS reviewed JOIN meetings ON meetings.id = reviewed.meeting_id
                     WHERE reviewed.case_id = cases.id AND meetings.status = 'held' AND meetings.kind IN ('level_2', 'level_3')
                     ORDER BY meetings.meeting_date DESC, meetings.id DESC LIMIT 1) END AS last_panel
                FROM cases
                WHERE cases.status = 'active' AND cases.level = ?
                  AND cases.id NOT IN (SELECT case_id FROM meeting_items WHERE meeting_id = ?)
                """ + (caseID == nil ? "" : " AND cases.id = ?") + visible.sql,
                [.integer(Int64(level.rawValue)), .integer(meeting.id)] + (caseID.map { [.integer($0)] } ?? []) + visible.parameters)
            var cases: [AgendaCase] = []
            cases.reserveCapacity(rows.count)
            for (index, row) in rows.enumerated() {
                var reader = RowReader(row, checksNames: index == 0)
                cases.append(AgendaCase(caseID: try reader.decode("id"), level: level, status: .active,
                                        startDate: try reader.decode("start_date"), nextReviewDate: try reader.decodeIfPresent("next_review_date"),
                                        lastReviewedOn: try reader.decodeIfPresent("last_reviewed_on"),
                                        lastReviewedLevel: try reader.decodeIfPresent("last_panel", as: MeetingKind.self)?.reviewLevel))
            }
            return cases
        }
        return AgendaBuilder.proposals(cases, kind: meeting.kind, meetingDate: meeting.date)
    }

    /// The person of each case, by case id (for cases already found visible).
    func people(ofCases ids: [Int64]) throws -> [Int64: NominalListing] {
        guard !ids.isEmpty else { return [:] }
        let rows = try database.read { connection in
            try connection.query(Owned<NominalListing>.self, "SELECT cases.id AS owner_id, \(NominalListing.columns) FROM cases JOIN nominals ON nominals.id = cases.nominal_id"
                                 + " WHERE cases.id IN (\(SQL.placeholders(ids.count)))", SQL.ids(ids))
        }
        return Dictionary(rows.map { ($0.ownerID, $0.record) }, uniquingKeysWith: { first, _ in first })
    }

    /// Adds a case the viewer may see to the agenda (once), with why it is there: `reason`, or the builder's for that
    /// case, or "Added by the coordinator". Adding one they may not see is refused and recorded, as opening it would be.
    public func addToAgenda(_ meeting: Meeting, caseID: Int64, reason: String? = nil, by viewer: Viewer) throws {
        try requireManager(viewer)
        try context.requireVisibleCase(caseID, for: viewer)
        let reason = try reason ?? builderProposals(for: meeting, by: viewer, only: caseID).first?.reason.text ?? "Added by the coordinator"
        try database.write { connection in
            try CaseVisibilityFilter.require(connection, caseID: caseID, viewer: viewer)
            try add(connection, meetingID: meeting.id, caseID: caseID, reason: reason)
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "agenda: case \(caseID) added")
        }
    }

    /// Adds every proposed case the viewer may see, each with the builder's reason; returns how many.
    @discardableResult
    public func addProposals(_ meeting: Meeting, by viewer: Viewer) throws -> Int {
        try requireManager(viewer)
        let proposals = try builderProposals(for: meeting, by: viewer)
        guard !proposals.isEmpty else { return 0 }
        try database.write { connection in
            for proposal in proposals {
                try add(connection, meetingID: meeting.id, caseID: proposal.caseID, reason: proposal.reason.text)
            }
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "agenda: \(proposals.count) proposed cases added")
        }
        return proposals.count
    }

    private func add(_ connection: Connection, meetingID: Int64, caseID: Int64, reason: String) throws {
        guard try connection.queryOne("SELECT 1 AS found FROM meeting_items WHERE meeting_id = ? AND case_id = ?",
                                      [.integer(meetingID), .integer(caseID)]) == nil else { return }
        guard let row = try connection.queryOne("SELECT last_reviewed_on FROM cases WHERE id = ?", [.integer(caseID)]) else {
            throw DomainError.notFound("The case")
        }
        let reviewed: String? = try row.valueIfPresent("last_reviewed_on")
        let top: Int = try connection.queryOne("SELECT COALESCE(MAX(position), 0) AS top FROM meeting_items WHERE meeting_id = ?",
                                               [.integer(meetingID)])?.value("top") ?? 0
        try connection.execute("""
            INSERT INTO meeting_items (meeting_id, case_id, position, review_type, reason) VALUES (?, ?, ?, ?, ?)
            """, [.integer(meetingID), .integer(caseID), .integer(Int64(top + 1)), .text(reviewed == nil ? "initial" : "review"),
                  .text(reason)])
    }

    /// The agenda item, if it is on this meeting and its case is one the viewer may see; otherwise not found.
    func visibleItem(_ meeting: Meeting, itemID: Int64, for viewer: Viewer) throws -> MeetingItem {
        guard let item = try agenda(of: meeting, for: viewer).items.first(where: { $0.id == itemID }) else {
            throw DomainError.notFound("The agenda item")
        }
        return item
    }

    /// Sets when the item's case is discussed ("HH:MM" within the meeting, `AgendaTimeSlot`), or clears it (empty).
    public func setTimeSlot(_ meeting: Meeting, itemID: Int64, startTime: String, by viewer: Viewer) throws {
        try requireManager(viewer)
        guard meeting.status == .scheduled else { throw DomainError.conflict("not_scheduled", "Time slots can be changed only before the meeting is held") }
        let problems = AgendaTimeSlot.problems(startTime, meetingStart: meeting.startTime, durationMinutes: meeting.durationMinutes)
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        let item = try visibleItem(meeting, itemID: itemID, for: viewer)
        try database.write { connection in
            try connection.execute("UPDATE meeting_items SET start_time = ? WHERE id = ? AND meeting_id = ?",
                                   [.text(startTime), .integer(item.id), .integer(meeting.id)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "agenda: item \(item.id) time \(startTime.isEmpty ? "cleared" : startTime)")
        }
    }

    public func removeFromAgenda(_ meeting: Meeting, itemID: Int64, by viewer: Viewer) throws {
        try requireManager(viewer)
        let item = try visibleItem(meeting, itemID: itemID, for: viewer)
        try database.write { connection in
            try connection.execute("DELETE FROM attendance WHERE item_id = ?", [.integer(item.id)])
            try connection.execute("DELETE FROM meeting_items WHERE id = ? AND meeting_id = ?", [.integer(item.id), .integer(meeting.id)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "agenda: item \(item.id) removed")
        }
    }

    /// Moves an agenda item one place up (-1) or down (+1) among the items the viewer sees.
    public func moveItem(_ meeting: Meeting, itemID: Int64, by offset: Int, viewer: Viewer) throws {
        try requireManager(viewer)
        let order = try agenda(of: meeting, for: viewer).items
        guard let index = order.firstIndex(where: { $0.id == itemID }) else { throw DomainError.notFound("The agenda item") }
        let target = index + offset
        guard order.indices.contains(target) else { return }
        // The two swap places; items the viewer does not see keep theirs.
        let (first, second) = (order[index], order[target])
        try database.write { connection in
            try connection.execute("UPDATE meeting_items SET position = ? WHERE id = ?", [.integer(Int64(second.position)), .integer(first.id)])
            try connection.execute("UPDATE meeting_items SET position = ? WHERE id = ?", [.integer(Int64(first.position)), .integer(second.id)])
            try context.audit.append(connection, actor: viewer.actor, action: .update, subjectType: "meeting", subjectID: String(meeting.id),
                                     detail: "agenda reordered")
        }
    }
}
