import Database
import Domain
import Foundation

/// A Domain value stored as its raw value: read back through that raw value, and refused (an error naming the
/// column) when the stored text or number is not one of the type's values.
public protocol StoredAsRawValue: ColumnDecodable, RawRepresentable where RawValue: ColumnDecodable {}

extension StoredAsRawValue {
    public init?(column value: SQLValue) {
        guard let raw = RawValue(column: value) else { return nil }
        self.init(rawValue: raw)
    }
}

extension MappaCategory: StoredAsRawValue {}
extension ManagementLevel: StoredAsRawValue {}
extension RoSH: StoredAsRawValue {}
extension CustodyStatus: StoredAsRawValue {}
extension CaseStatus: StoredAsRawValue {}
extension CaseAccessKind: StoredAsRawValue {}
extension ReferralStatus: StoredAsRawValue {}
extension MeetingKind: StoredAsRawValue {}
extension MeetingStatus: StoredAsRawValue {}
extension ChairGrade: StoredAsRawValue {}
extension AttendanceStatus: StoredAsRawValue {}
extension MinutesStatus: StoredAsRawValue {}
extension ActionStatus: StoredAsRawValue {}
extension PlanArea: StoredAsRawValue {}
extension Role: StoredAsRawValue {}
extension AgencyKind: StoredAsRawValue {}
extension AuditAction: StoredAsRawValue {}
extension MappaEventType: StoredAsRawValue {}

/// Dates are stored as TEXT, `YYYY-MM-DD`.
extension CalendarDate: ColumnDecodable {
    public init?(column value: SQLValue) {
        guard case .text(let text) = value else { return nil }
        self.init(text)
    }
}

extension RowReader {
    /// A column holding JSON (a referral form, minutes), decoded as `T`; JSON that does not decode is an error naming
    /// the column, as any other corrupt value is.
    mutating func decodeJSON<T: Decodable>(_ name: String, as type: T.Type) throws(DatabaseError) -> T {
        let text: String = try decode(name)
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw DatabaseError(.decode, "column \(name) holds JSON that is not a \(T.self)")
        }
    }

    /// A TEXT timestamp column (`2026-12-07T15:33:54Z`, as `Timestamp` writes them) as an instant.
    mutating func decodeTimestamp(_ name: String) throws(DatabaseError) -> Date {
        guard let date = try decodeTimestampIfPresent(name) else { throw RowReader.corrupt(name, .null) }
        return date
    }

    mutating func decodeTimestampIfPresent(_ name: String) throws(DatabaseError) -> Date? {
        guard let text: String = try decodeIfPresent(name) else { return nil }
        guard let date = try? Date.ISO8601FormatStyle().parse(text) else {
            throw DatabaseError(.decode, "column \(name) holds a value that is not a timestamp")
        }
        return date
    }

    /// The date part of a TEXT timestamp column (`2026-12-07T15:33:54Z` or a date).
    mutating func decodeDayIfPresent(_ name: String) throws(DatabaseError) -> CalendarDate? {
        guard let text: String = try decodeIfPresent(name) else { return nil }
        guard let day = CalendarDate(String(text.prefix(10))) else {
            throw DatabaseError(.decode, "column \(name) holds a value that is not a date")
        }
        return day
    }
}

extension SQLValue {
    /// A date bound as its TEXT form, or NULL.
    init(_ date: CalendarDate?) { self = date.map { .text($0.description) } ?? .null }
}
