import Database
import Domain
import Foundation

extension ChangeEventType: StoredAsRawValue {}

/// A row of `events_outbox` (migration 31).
struct ChangeEventRow: RowDecodable {
    static let columns = """
        events_outbox.id, events_outbox.event_type, events_outbox.occurred_at, events_outbox.crn, events_outbox.pnc,
        events_outbox.case_id, events_outbox.referral_id, events_outbox.meeting_id, events_outbox.additional_information
        """
    let event: ChangeEvent

    init(row: inout RowReader) throws(DatabaseError) {
        let id: Int64 = try row.decode("id")
        let type: ChangeEventType = try row.decode("event_type")
        let occurredAt: String = try row.decode("occurred_at")
        let crn: String = try row.decode("crn")
        let pnc: String = try row.decode("pnc")
        let caseID: Int64? = try row.decodeIfPresent("case_id")
        let referralID: Int64? = try row.decodeIfPresent("referral_id")
        let meetingID: Int64? = try row.decodeIfPresent("meeting_id")
        let details = try row.decodeJSON("additional_information", as: [String: String].self)
        event = ChangeEvent(id: id, eventType: type, occurredAt: occurredAt, crn: crn, pnc: pnc, caseID: caseID, referralID: referralID,
                            meetingID: meetingID, additionalInformation: details)
    }
}

/// Change events (issue 29 item 3, DESIGN.md "Change events"): each store that makes one of the changes in
/// `ChangeEventType` records it here in its own transaction (`record`), so an event exists exactly when its change
/// was committed; API clients read them in id order (`events(after:limit:for:)`), each filtered by need-to-know.
public struct ChangeEventStore: FeatureStore {
    let context: StoreContext
    let referrals: ReferralStore

    /// The most a feed page holds.
    public static let maxLimit = 500

    /// Adds an event inside the caller's transaction. The person (CRN and PNC) comes from the case, else the
    /// referral's nominal. On PostgreSQL the table is locked for the rest of the transaction first, so events commit
    /// in id order and a reader following `after=` never passes one that commits later with a smaller id.
    static func record(_ connection: Connection, _ type: ChangeEventType, caseID: Int64? = nil, referralID: Int64? = nil,
                       meetingID: Int64? = nil, at occurredAt: String, _ information: [String: String]) throws {
        if connection.dialect == .postgres { try connection.execute("LOCK TABLE events_outbox IN SHARE ROW EXCLUSIVE MODE") }
        var crn = "", pnc = ""
        let person: (String, Int64)? = caseID.map { ("SELECT nominals.crn, nominals.pnc_id FROM cases JOIN nominals ON nominals.id = cases.nominal_id WHERE cases.id = ?", $0) }
            ?? referralID.map { ("SELECT nominals.crn, nominals.pnc_id FROM referrals JOIN nominals ON nominals.id = referrals.nominal_id WHERE referrals.id = ?", $0) }
        if let (sql, id) = person, let found = try connection.queryOne(sql, [.integer(id)]) {
            var reader = RowReader(found)
            crn = try reader.decode("crn")
            pnc = try reader.decode("pnc_id")
        }
        try connection.execute("""
            INSERT INTO events_outbox (event_type, occurred_at, case_id, referral_id, meeting_id, crn, pnc, additional_information)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(type.rawValue), .text(occurredAt), .init(caseID), .init(referralID), .init(meetingID), .text(crn), .text(pnc),
                  .text(try details(information))])
    }

    /// The event's details as stored: JSON with its keys in order.
    private static func details(_ information: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(information), as: UTF8.self)
    }

    /// A case event worked out by a bulk load (the register import), with the person's identifiers it already holds.
    struct CaseEvent {
        let type: ChangeEventType
        let caseID: Int64
        let crn: String
        let pnc: String
        let information: [String: String]
    }

    /// Adds many case events inside the caller's transaction at once (`insertMany`), in order, under the same lock
    /// as `record`.
    static func recordMany(_ connection: Connection, _ events: [CaseEvent], at occurredAt: String) throws {
        guard !events.isEmpty else { return }
        if connection.dialect == .postgres { try connection.execute("LOCK TABLE events_outbox IN SHARE ROW EXCLUSIVE MODE") }
        try connection.insertMany(into: "events_outbox",
                                  columns: ["event_type", "occurred_at", "case_id", "crn", "pnc", "additional_information"],
                                  rows: events.map { event in
                                      [.text(event.type.rawValue), .text(occurredAt), .integer(event.caseID), .text(event.crn),
                                       .text(event.pnc), .text(try details(event.information))]
                                  }, skippingDuplicates: false)
    }

    /// The event a line of a case's history makes, if any: a registration, a level or category change, an exit.
    static func recordHistory(_ connection: Connection, caseID: Int64, field: String, old: String, new: String, at: String) throws {
        guard let (type, information) = try historyEvent(caseID: caseID, field: field, old: old, new: new, registeredAs: {
            guard let row = try connection.queryOne("SELECT category, level FROM cases WHERE id = ?", [.integer(caseID)]) else { return nil }
            var reader = RowReader(row)
            return (try reader.decode("category"), try reader.decode("level"))
        }) else { return }
        try record(connection, type, caseID: caseID, at: at, information)
    }

    /// Which event a line of a case's history makes and its details; `registeredAs` gives the new case's category and
    /// level for its "created" line.
    static func historyEvent(caseID: Int64, field: String, old: String, new: String,
                             registeredAs: () throws -> (MappaCategory, ManagementLevel)?) rethrows -> (ChangeEventType, [String: String])? {
        switch field {
        case "created":
            guard let (category, level) = try registeredAs() else { return nil }
            return (.caseRegistered, ["caseId": String(caseID), "category": String(category.rawValue),
                                      "level": level == .unknown ? "" : String(level.rawValue)])
        case "level":
            return (.levelChanged, ["caseId": String(caseID), "previousLevel": old == "0" ? "" : old, "level": new == "0" ? "" : new])
        case "category":
            return (.categoryChanged, ["caseId": String(caseID), "previousCategory": old, "category": new])
        case "status" where new == CaseStatus.exited.rawValue:
            return (.caseExited, ["caseId": String(caseID)])
        default:
            return nil
        }
    }

    /// The events after `after` (an id; 0 for the first) that the viewer may see, oldest first, at most `limit`, and
    /// the id to ask after next: the last id looked at, so a page of events the viewer may not see still moves the
    /// cursor on. An event about a case follows the case's need-to-know (`CaseVisibilityFilter`); one about a referral
    /// without a case, the referral's rule; one about a meeting, the meeting's. An event about nothing is never shown.
    public func events(after: Int64, limit: Int, for viewer: Viewer) throws -> (events: [ChangeEvent], next: Int64, more: Bool) {
        let limit = min(max(limit, 1), Self.maxLimit)
        return try database.read { connection in
            let cases = try CaseVisibilityFilter(viewer, connection).cases("cases")
            let referralRule = try referrals.visibility(viewer, connection)
            let meetings = viewer.can(.viewMeetings) ? MeetingStore.visibility(viewer) : .nothing
            // The ids looked at: up to `limit` after the cursor, whatever the viewer may see of them.
            let window = try connection.query("SELECT id FROM events_outbox WHERE id > ? ORDER BY id LIMIT ?",
                                              [.integer(after), .integer(Int64(limit + 1))]).map { row -> Int64 in
                var reader = RowReader(row)
                return try reader.decode("id")
            }
            guard !window.isEmpty else { return ([], after, false) }
            let more = window.count > limit
            let last = window[min(limit, window.count) - 1]
            let sql = """
                SELECT \(ChangeEventRow.columns) FROM events_outbox
                LEFT JOIN cases ON cases.id = events_outbox.case_id
                LEFT JOIN referrals ON referrals.id = events_outbox.referral_id
                LEFT JOIN meetings ON meetings.id = events_outbox.meeting_id
                WHERE events_outbox.id > ? AND events_outbox.id <= ? AND (
                    (events_outbox.case_id IS NOT NULL AND \(cases.expression))
                    OR (events_outbox.case_id IS NULL AND events_outbox.referral_id IS NOT NULL AND \(referralRule.expression))
                    OR (events_outbox.case_id IS NULL AND events_outbox.referral_id IS NULL AND events_outbox.meeting_id IS NOT NULL
                        AND \(meetings.expression)))
                ORDER BY events_outbox.id
                """
            let rows = try connection.query(ChangeEventRow.self, sql, [.integer(after), .integer(last)] + cases.parameters
                                            + referralRule.parameters + meetings.parameters)
            return (rows.map(\.event), last, more)
        }
    }
}
