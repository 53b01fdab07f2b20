import Database
import Domain
import Foundation

/// A case as the caseload lists it: whose it is, how it is managed, when it is next reviewed and where the person is.
public struct CaseloadRow: Sendable, Equatable, RowDecodable {
    public var caseID: Int64
    public var nominalID: Int64
    public var nominalRef: String
    public var familyName: String
    public var givenNames: String
    public var category: MappaCategory
    public var level: ManagementLevel
    public var leadAgencyName: String
    /// The case's stored next review date (`cases.next_review_date`).
    public var nextReviewDate: CalendarDate?
    public var status: CaseStatus
    public var custodyStatus: CustodyStatus
    public var releaseDate: CalendarDate?
    public var areaName: String
    public var restricted: Bool

    public var fullName: String { NominalListing.fullName(givenNames: givenNames, familyName: familyName) }

    public static let columns = """
        cases.id AS case_id, cases.nominal_id, nominals.nominal_ref, nominals.family_name, nominals.given_names, cases.category,
        cases.level, agencies.name AS lead_agency_name, cases.next_review_date, cases.status, nominals.custody_status,
        nominals.release_date, COALESCE(areas.name, '') AS area_name, cases.restricted
        """
    static let tables = """
        FROM cases JOIN nominals ON nominals.id = cases.nominal_id JOIN agencies ON agencies.id = cases.lead_agency_id
        LEFT JOIN areas ON areas.id = cases.area_id
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        caseID = try row.decode("case_id")
        nominalID = try row.decode("nominal_id")
        nominalRef = try row.decode("nominal_ref")
        familyName = try row.decode("family_name")
        givenNames = try row.decode("given_names")
        category = try row.decode("category")
        level = try row.decode("level")
        leadAgencyName = try row.decode("lead_agency_name")
        nextReviewDate = try row.decodeIfPresent("next_review_date")
        status = try row.decode("status")
        custodyStatus = try row.decode("custody_status")
        releaseDate = try row.decodeIfPresent("release_date")
        areaName = try row.decode("area_name")
        restricted = try row.decode("restricted")
    }
}

/// One page of the caseload and how many cases the filter finds in all.
public struct CaseloadPage: Sendable, Equatable {
    public var total: Int
    public var rows: [CaseloadRow]
    public var filter: CaseloadFilter
    public var pageCount: Int { max(1, (total + CaseloadFilter.pageSize - 1) / CaseloadFilter.pageSize) }
}

extension CaseStore {
    /// The cases the viewer may see (`CaseVisibilityFilter`, in the query), narrowed by `filter`, one page in its order,
    /// with the total. An unknown lead agency or area code finds nothing (the page checks codes against its lists).
    public func caseload(_ filter: CaseloadFilter, for viewer: Viewer) throws -> CaseloadPage {
        try database.read { connection in
            let (countSQL, countParameters) = try Self.caseloadCondition(filter, viewer, connection, sortedBy: .nextReview)
            let total: Int = try connection.queryOne("SELECT COUNT(*) AS n FROM cases" + (filter.custody == nil ? "" : " JOIN nominals ON nominals.id = cases.nominal_id")
                                                     + countSQL, countParameters)?.value("n") ?? 0
            let (whereSQL, parameters) = try Self.caseloadCondition(filter, viewer, connection, sortedBy: filter.sort)
            let offset = (max(1, filter.page) - 1) * CaseloadFilter.pageSize
            let rows = try connection.query(CaseloadRow.self, "SELECT \(CaseloadRow.columns) \(CaseloadRow.tables)" + whereSQL
                                            + Self.caseloadOrder(filter.sort) + " LIMIT ? OFFSET ?",
                                            parameters + [.integer(Int64(CaseloadFilter.pageSize)), .integer(Int64(offset))])
            return CaseloadPage(total: total, rows: rows, filter: filter)
        }
    }

    /// Every case of the caseload `filter` finds (its page ignored), in its order: for the download.
    public func caseloadExport(_ filter: CaseloadFilter, for viewer: Viewer) throws -> [CaseloadRow] {
        try database.read { connection in
            let (whereSQL, parameters) = try Self.caseloadCondition(filter, viewer, connection, sortedBy: filter.sort)
            return try connection.query(CaseloadRow.self, "SELECT \(CaseloadRow.columns) \(CaseloadRow.tables)" + whereSQL
                                        + Self.caseloadOrder(filter.sort), parameters)
        }
    }

    /// The visible cases of each of these people, active first then newest: for search results, in one query.
    public func caseload(nominalIDs: [Int64], for viewer: Viewer) throws -> [Int64: [CaseloadRow]] {
        guard !nominalIDs.isEmpty else { return [:] }
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            let rows = try connection.query(CaseloadRow.self, "SELECT \(CaseloadRow.columns) \(CaseloadRow.tables)"
                                            + " WHERE cases.nominal_id IN (\(SQL.placeholders(nominalIDs.count)))" + visible.sql
                                            + " ORDER BY cases.status, cases.id DESC", SQL.ids(nominalIDs) + visible.parameters)
            return Dictionary(grouping: rows, by: \.nominalID)
        }
    }

    /// The filter and need-to-know as a WHERE clause. In name or release-date order SQLite is given the status in a form
    /// no index serves (`status || ''`), so it reads the people in that order from their index and stops after a page,
    /// instead of reading every active case by status and sorting them all (200 ms at 100,000 cases; 6 ms so).
    /// PostgreSQL walks the people's index by itself (25 ms), and the disguise made it sort them all (320 ms).
    static func caseloadCondition(_ filter: CaseloadFilter, _ viewer: Viewer, _ connection: Connection,
                                  sortedBy sort: CaseloadSort) throws -> (String, [SQLValue]) {
        let visible = try CaseVisibilityFilter(viewer, connection).cases()
        var sql = " WHERE 1 = 1"
        var parameters: [SQLValue] = []
        if let status = filter.status {
            sql += sort == .nextReview || connection.dialect == .postgres ? " AND cases.status = ?" : " AND (cases.status || '') = ?"
            parameters.append(.text(status.rawValue))
        }
        if let level = filter.level {
            sql += " AND cases.level = ?"
            parameters.append(.integer(Int64(level.rawValue)))
        }
        if let category = filter.category {
            sql += " AND cases.category = ?"
            parameters.append(.integer(Int64(category.rawValue)))
        }
        if let code = filter.leadAgency {
            sql += " AND cases.lead_agency_id = (SELECT id FROM agencies WHERE code = ?)"
            parameters.append(.text(code))
        }
        if let code = filter.area {
            sql += " AND cases.area_id = (SELECT id FROM areas WHERE code = ?)"
            parameters.append(.text(code))
        }
        if let custody = filter.custody {
            sql += " AND nominals.custody_status = ?"
            parameters.append(.text(custody.rawValue))
        }
        return (sql + visible.sql, parameters + visible.parameters)
    }

    /// Each order as its index (migration 25) holds it: no date last, then the case id so pages never overlap.
    static func caseloadOrder(_ sort: CaseloadSort) -> String {
        switch sort {
        case .nextReview: return " ORDER BY (cases.next_review_date IS NULL), cases.next_review_date, cases.id"
        case .releaseDate: return " ORDER BY (nominals.release_date IS NULL), nominals.release_date, nominals.id, cases.id"
        case .name: return " ORDER BY nominals.family_name, nominals.given_names, nominals.id, cases.id"
        }
    }
}
