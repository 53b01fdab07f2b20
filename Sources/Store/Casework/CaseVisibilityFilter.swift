import Database
import Domain
import Foundation

/// A piece of a WHERE clause and the values it binds, appended in order.
struct SQLCondition {
    var sql: String
    var parameters: [SQLValue]

    static let none = SQLCondition(sql: "", parameters: [])
    /// Matches nothing: for a viewer whose role sees no cases at all.
    static let nothing = SQLCondition(sql: " AND 1 = 0", parameters: [])

    /// The condition as a value of its own (1 or 0, true or false), for a SELECT list: `… AS visible`.
    var expression: String { "(1 = 1" + sql + ")" }
}

/// A record and whether the viewer may see what it is about, for lists that count what they do not show (an agenda
/// tells the coordinator how many of its cases are not shown) or mark it (a drill-down's "not shown" rows). The query
/// selects `T.columns` then a condition's `expression` as `visible`.
struct Seen<T: RowDecodable>: RowDecodable {
    let record: T
    let visible: Bool

    static var columns: String { T.columns }

    init(row: inout RowReader) throws(DatabaseError) {
        record = try T(row: &row)
        visible = try row.decode("visible")
    }

    init(record: T, visible: Bool) {
        self.record = record
        self.visible = visible
    }
}

/// The need-to-know rule (`CaseVisibility`) as SQL, for every list that names a case or a person: search, agendas and
/// their proposals, home queues, duplicates, actions, drill-downs and exports filter in the query, so a list never
/// holds what its reader may not see. A Category 4 case is restricted by the rule whatever its flag; here the flag
/// alone is tested, which the table guarantees is set on every Category 4 case (migration 21). `CaseVisibilityTests`
/// holds these conditions to the Domain rule.
struct CaseVisibilityFilter {
    let viewer: Viewer
    /// Whether the viewer is on any case's exclusion list. Most people are on none, and their conditions then leave
    /// out the exclusion check, a lookup per row.
    let hasExclusions: Bool

    /// Whether the viewer is on an exclusion list is kept with the connection while the database is unchanged: a page
    /// builds several filters (the dashboard three), and each asked again.
    init(_ viewer: Viewer, _ connection: Connection) throws {
        self.viewer = viewer
        hasExclusions = try connection.keptWhileUnchanged("case_access.excluded.\(viewer.user.id)") {
            try connection.queryOne("SELECT 1 AS found FROM case_access WHERE user_id = ? AND kind = 'exclude' LIMIT 1",
                                    [.integer(viewer.user.id)]) != nil
        }
    }

    private var userID: SQLValue { .integer(viewer.user.id) }

    /// True for a row of `cases` (called `alias` in the query) the viewer may see.
    func cases(_ alias: String = "cases") -> SQLCondition {
        let role = viewer.role
        guard role.can(.viewCases) || role.can(.viewInvolvedCases) else { return .nothing }
        var condition = SQLCondition(sql: """
             AND (\(alias).restricted = 0
                  OR EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = \(alias).id AND a.user_id = ? AND a.kind = 'allow'))
            """, parameters: [userID])
        if hasExclusions {
            condition.sql += " AND NOT EXISTS (SELECT 1 FROM case_access x WHERE x.case_id = \(alias).id AND x.user_id = ? AND x.kind = 'exclude')"
            condition.parameters.append(userID)
        }
        if !role.can(.viewCases) {
            condition.sql += " AND EXISTS (SELECT 1 FROM case_agencies i WHERE i.case_id = \(alias).id AND i.agency_id = ?)"
            condition.parameters.append(.integer(viewer.user.agencyID))
        }
        return condition
    }

    /// The ids of the cases `cases()` leaves out, as a subquery, for a role that sees every case but those restricted
    /// from them: few (the restricted cases not opened to the viewer and those they are excluded from), so a count of
    /// what the viewer may see is every match, counted from an index alone, less the matches among these, instead of
    /// the rule worked out on each of thousands of rows. Nil for a role that sees only involved cases (most are hidden
    /// from it) or none.
    func hiddenCaseIDs() -> SQLCondition? {
        guard viewer.can(.viewCases) else { return nil }
        var condition = SQLCondition(sql: """
            SELECT r.id FROM cases r WHERE r.restricted = 1
                AND NOT EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = r.id AND a.user_id = ? AND a.kind = 'allow')
            """, parameters: [userID])
        if hasExclusions {
            condition.sql += " UNION SELECT x.case_id FROM case_access x WHERE x.user_id = ? AND x.kind = 'exclude'"
            condition.parameters.append(userID)
        }
        return condition
    }

    /// True for a row of `nominals` (called `alias`) whom the viewer may find by name: someone whose role sees cases,
    /// and none of the person's cases hidden from them. Correlated, so it is worked out only for the few candidate
    /// rows: as `id NOT IN (every restricted case…)` it read every restricted case on each search.
    /// A person's restricted cases are found through the partial index `cases_restricted` (usually none).
    func nominals(_ alias: String = "nominals") -> SQLCondition {
        guard viewer.can(.viewCases) else { return .nothing }
        var condition = SQLCondition(sql: """
             AND NOT EXISTS (SELECT 1 FROM cases r WHERE r.nominal_id = \(alias).id AND r.restricted = 1
                AND NOT EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = r.id AND a.user_id = ? AND a.kind = 'allow'))
            """, parameters: [userID])
        if hasExclusions {
            condition.sql += """
                 AND NOT EXISTS (SELECT 1 FROM cases r JOIN case_access x ON x.case_id = r.id
                    WHERE r.nominal_id = \(alias).id AND x.user_id = ? AND x.kind = 'exclude')
                """
            condition.parameters.append(userID)
        }
        return condition
    }

    /// The nominal references of everyone `nominals()` leaves out (all of them for a role that sees no cases), in one
    /// query: for checking a whole file of people against need-to-know before importing it.
    func hiddenNominalRefs(_ connection: Connection) throws -> Set<String> {
        let sql: String
        var parameters: [SQLValue] = []
        if viewer.can(.viewCases) {
            sql = """
                SELECT DISTINCT nominals.nominal_ref FROM nominals JOIN cases r ON r.nominal_id = nominals.id
                WHERE (r.restricted = 1
                       AND NOT EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = r.id AND a.user_id = ? AND a.kind = 'allow'))
                   OR EXISTS (SELECT 1 FROM case_access x WHERE x.case_id = r.id AND x.user_id = ? AND x.kind = 'exclude')
                """
            parameters = [userID, userID]
        } else {
            sql = "SELECT nominal_ref FROM nominals"
        }
        return Set(try connection.query(sql, parameters).map { row throws(DatabaseError) in try row.value("nominal_ref", as: String.self) })
    }

    /// The columns that give the rule its facts about one case (the row of `cases` in the query), read by
    /// `facts(_:)`, with the values they bind (which come before any in the WHERE clause).
    static func factsColumns(_ viewer: Viewer) -> (sql: String, parameters: [SQLValue]) {
        ("""
         (SELECT kind FROM case_access WHERE case_id = cases.id AND user_id = ?) AS viewer_named,
         (SELECT COUNT(*) FROM case_agencies WHERE case_id = cases.id AND agency_id = ?) AS viewer_agency_involved
         """, [.integer(viewer.user.id), .integer(viewer.user.agencyID)])
    }

    /// The rule's facts, from the two columns of `factsColumns` at the reader's position.
    static func facts(_ row: inout RowReader, restricted: Bool, category: MappaCategory) throws(DatabaseError) -> CaseVisibility.Facts {
        let named: CaseAccessKind? = try row.decodeIfPresent("viewer_named")
        let involved: Int64 = try row.decode("viewer_agency_involved")
        return CaseVisibility.Facts(restricted: restricted, category: category, named: named, agencyInvolved: involved > 0)
    }

    /// The rule's facts for one case, or nil when there is no such case.
    static func facts(_ connection: Connection, caseID: Int64, viewer: Viewer) throws -> CaseVisibility.Facts? {
        let columns = factsColumns(viewer)
        guard let row = try connection.queryOne("SELECT cases.restricted, cases.category, \(columns.sql) FROM cases WHERE cases.id = ?",
                                                columns.parameters + [.integer(caseID)]) else { return nil }
        var reader = RowReader(row)
        let restricted: Bool = try reader.decode("restricted")
        let category: MappaCategory = try reader.decode("category")
        return try facts(&reader, restricted: restricted, category: category)
    }
}
