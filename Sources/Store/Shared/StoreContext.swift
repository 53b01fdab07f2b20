import Database
import Domain
import Foundation

/// Supplies the time, so tests can move it (session expiry, throttling, overdue actions).
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }
    public static let system = Clock()
}

/// ISO-8601 timestamps as stored in TEXT columns (UTC, seconds).
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}

/// What every store shares, made once at start-up (`Stores`): the database, the clock and the one audit trail (with
/// its staging file under `mappa serve` on SQLite). A store never makes an `AuditTrail` of its own.
public final class StoreContext: Sendable {
    public let database: Database
    public let clock: Clock
    public let audit: AuditTrail
    /// Fixed timescales (tests); nil reads the unit's settings, so a change applies at once on every instance.
    let fixedTimescales: Timescales?

    /// `auditKeys`: the audit key file's keys, when there is one (entries are then keyed); `auditCheckpoints`: where
    /// signed checkpoints of the chain go (with keys only).
    public init(database: Database, clock: Clock = .system, auditStaging: AuditStaging? = nil, timescales: Timescales? = nil,
                auditKeys: AuditKeyring? = nil, auditCheckpoints: AuditCheckpointFile? = nil) {
        self.database = database
        self.clock = clock
        self.audit = AuditTrail(database: database, clock: clock, staging: auditStaging, keys: auditKeys, checkpoints: auditCheckpoints)
        self.fixedTimescales = timescales
    }

    /// The review intervals, custody lead time and minutes deadline in force now.
    public func timescales() throws -> Timescales { try fixedTimescales ?? TimescaleSettings.load(database) }
    public var today: CalendarDate { CalendarDate(clock.now()) }
    /// Now, as stored in TEXT columns.
    var now: String { Timestamp.string(clock.now()) }
}

/// A feature's store: a value holding the shared context and the other stores it reads, made once by `Stores` with
/// its memberwise initializer.
protocol FeatureStore: Sendable {
    var context: StoreContext { get }
}

extension FeatureStore {
    var database: Database { context.database }
    var clock: Clock { context.clock }
    var audit: AuditTrail { context.audit }
    var today: CalendarDate { context.today }
}

/// Small pieces of SQL the stores build the same way.
enum SQL {
    /// "?, ?, ?": the placeholders of an IN list of `count` values.
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    /// The values of an IN list of ids.
    static func ids<S: Sequence>(_ ids: S) -> [SQLValue] where S.Element == Int64 { ids.map { .integer($0) } }
}
