import Database
import Domain
import Foundation

/// A storage failure safe to show or log: a code and a plain description, never personal data.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var description: String
    public init(_ code: String, _ description: String) {
        self.code = code
        self.description = description
    }
    public static func notFound(_ what: String) -> StoreError { StoreError("not_found", "\(what) was not found") }
    /// Someone else changed the record since it was loaded: nothing was saved.
    public static let editConflict = StoreError("edit_conflict",
        "Someone else changed this record while you were editing it. Nothing was saved: check the current details and make your change again.")
}

/// Supplies the time, so tests can move it (session expiry, throttling).
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }
    public static let system = Clock()
}

public struct Agency: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var kind: AgencyKind
    public var active: Bool
}

public struct User: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var email: String
    public var role: Role
    public var agencyID: Int64
    public var agencyName: String
    public var mustChangePassword: Bool
    public var active: Bool
    public var createdAt: String
    public var lastLoginAt: String?
    /// Bumped on every change, so an edit based on an old copy is detected instead of overwriting.
    public var version: Int64
}

/// ISO-8601 timestamps as stored in TEXT columns (UTC, seconds).
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}

extension Row {
    func string(_ column: String) -> String { self[column].string ?? "" }
    func int64(_ column: String) -> Int64 { self[column].int64 ?? 0 }
    func bool(_ column: String) -> Bool { self[column].bool ?? false }
}
