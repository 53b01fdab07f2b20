import Database
import Domain
import Foundation

/// A record with the id of what it belongs to (selected first, `AS owner_id`), for reading many owners' records in
/// one query and grouping them: the dashboard's meetings' agendas and attendance.
struct Owned<T: RowDecodable>: RowDecodable {
    let ownerID: Int64
    let record: T

    static var columns: String { T.columns }

    init(row: inout RowReader) throws(DatabaseError) {
        ownerID = try row.decode("owner_id")
        record = try T(row: &row)
    }
}
