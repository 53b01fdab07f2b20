import Database
import Domain
import Foundation

/// What an events import did.
public struct EventImportSummary: Sendable, Equatable {
    public var added = 0
    /// Rows identical to an event already on record (same nominal, type, date, level and detail): skipped, so
    /// importing the same file twice counts nothing twice.
    public var alreadyRecorded = 0
}

/// One event on a nominal's record, for the case page.
public struct RecordedEvent: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var type: MappaEventType
    public var date: CalendarDate
    public var levelAtEvent: ManagementLevel?
    public var detail: String
    public var source: String

    /// The case page lists every event of the person: read by position, the names checked on the first row.
    public static let columns = "id, event_type, event_date, level_at_event, detail, source"

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        type = try row.decode("event_type")
        date = try row.decode("event_date")
        let level: ManagementLevel = try row.decode("level_at_event")
        levelAtEvent = level == .unknown ? nil : level
        detail = try row.decode("detail")
        source = try row.decode("source")
    }
}

/// The events the annual report counts (DESIGN.md "Events import"): imported from a file, or recorded on a case.
public struct EventStore: FeatureStore {
    let context: StoreContext

    /// The nominal references on record that the importer may change, so the events file can be checked before
    /// anything is written: to a person, someone hidden from them is as unknown as someone not on record.
    public func nominalRefs(for importer: Importer) throws -> Set<String> {
        let all = try database.read { connection in
            Set(try connection.query("SELECT nominal_ref FROM nominals").map { row throws(DatabaseError) in try row.value("nominal_ref", as: String.self) })
        }
        return all.subtracting(try importer.hiddenNominalRefs(context))
    }

    /// Imports validated events in one transaction, loaded in bulk (`insertMany`: COPY on PostgreSQL). Rows already
    /// on record are skipped and counted. Any failure rolls back everything.
    public func importEvents(_ events: [MappaEventRecord], by importer: Importer, progress: ((Int) -> Void)? = nil) throws -> EventImportSummary {
        let actor = importer.actor
        let hidden = try importer.hiddenNominalRefs(context)
        var summary = EventImportSummary()
        let stamp = context.now
        try database.write { connection in try connection.withBulkWriteCache {
            var ids: [String: Int64] = [:]
            for row in try connection.query("SELECT id, nominal_ref FROM nominals") { ids[try row.value("nominal_ref")] = try row.value("id") }
            // A load at least as big as the table loads faster with its two secondary indexes built again after.
            let rebuilt = try ["mappa_events_by_nominal", "mappa_events_date"].compactMap {
                try SecondaryIndex.dropForBulkLoad($0, rows: events.count, connection)
            }
            // In slices, so a million events' values are never all held at once, and the progress moves.
            let sliceSize = 10_000
            var start = 0
            while start < events.count {
                let slice = events[start..<min(start + sliceSize, events.count)]
                var rows: [[SQLValue]] = []
                rows.reserveCapacity(slice.count)
                for event in slice {
                    guard let nominalID = ids[event.nominalRef], !hidden.contains(event.nominalRef) else {
                        throw DomainError.validation(field: "nominal_ref", "An event names a nominal reference that is not on record")
                    }
                    rows.append([.integer(nominalID), .text(event.type.rawValue), .text(event.date.description),
                                 .integer(Int64(event.levelAtEvent?.rawValue ?? 0)), .text(event.detail), .text("import"),
                                 .text(stamp), .init(actor.userID)])
                }
                let added = try connection.insertMany(
                    into: "mappa_events",
                    columns: ["nominal_id", "event_type", "event_date", "level_at_event", "detail", "source", "recorded_at", "recorded_by"],
                    rows: rows, skippingDuplicates: true)
                summary.added += added
                summary.alreadyRecorded += slice.count - added
                start += slice.count
                progress?(start)
            }
            for index in rebuilt { try index.create(connection) }
            try context.audit.append(connection, actor: actor, action: .create, subjectType: "events", subjectID: "import",
                             detail: "\(summary.added) events added, \(summary.alreadyRecorded) already recorded")
        } }
        progress?(events.count)
        return summary
    }

    /// Records one event on the person of a case the viewer may see, typed in on the case page. The same event twice
    /// is refused.
    @discardableResult
    public func recordEvent(caseID: Int64, type: MappaEventType, date: CalendarDate, levelAtEvent: ManagementLevel?,
                            detail: String, by viewer: Viewer) throws -> Int64 {
        guard viewer.can(.editCases) else { throw DomainError.roleRefused() }
        try context.requireVisibleCase(caseID, for: viewer)
        return try database.write { connection in
            try CaseVisibilityFilter.require(connection, caseID: caseID, viewer: viewer)
            guard let nominalID: Int64 = try connection.queryOne("SELECT nominal_id FROM cases WHERE id = ?", [.integer(caseID)])?.value("nominal_id") else {
                throw DomainError.notFound("The case")
            }
            let key: [SQLValue] = [.integer(nominalID), .text(type.rawValue), .text(date.description),
                                   .integer(Int64(levelAtEvent?.rawValue ?? 0)), .text(detail)]
            if try connection.queryOne("""
                SELECT id FROM mappa_events WHERE nominal_id = ? AND event_type = ? AND event_date = ? AND level_at_event = ? AND detail = ?
                """, key) != nil {
                throw DomainError.conflict("duplicate_event", "This event is already recorded for this nominal")
            }
            let id = try connection.insert("""
                INSERT INTO mappa_events (nominal_id, event_type, event_date, level_at_event, detail, source, recorded_at, recorded_by)
                VALUES (?, ?, ?, ?, ?, 'recorded', ?, ?)
                """, key + [.text(context.now), .integer(viewer.user.id)])
            try context.audit.append(connection, actor: viewer.actor, action: .create, subjectType: "nominal", subjectID: String(nominalID),
                                     detail: "event \(type.rawValue) on \(date)")
            return id
        }
    }

    /// The events of the case's person, newest first.
    public func events(of visible: VisibleCase) throws -> [RecordedEvent] {
        try database.read { connection in
            try connection.query(RecordedEvent.self, "SELECT \(RecordedEvent.columns) FROM mappa_events WHERE nominal_id = ? ORDER BY event_date DESC, id DESC",
                                 [.integer(visible.record.nominalID)])
        }
    }
}
