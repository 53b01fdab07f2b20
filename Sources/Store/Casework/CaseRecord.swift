import Database
import Domain
import Foundation

/// A MAPPA case (registration): category, level, lead agency, dates, risk and status.
public struct CaseRecord: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var nominalID: Int64
    public var category: MappaCategory
    public var level: ManagementLevel
    public var leadAgencyID: Int64
    public var leadAgencyName: String
    public var leadAgencyCode: String
    public var startDate: CalendarDate
    public var statutoryEndDate: CalendarDate?
    public var nextReviewDate: CalendarDate?
    public var lastReviewedOn: CalendarDate?
    public var rosh: RoSH?
    public var roshByGroup: [RiskGroup: RoSH]
    public var status: CaseStatus
    public var exitDate: CalendarDate?
    public var exitReason: String
    /// Restricted by a coordinator; a Category 4 case is restricted whatever this says (`CaseVisibility`).
    public var restricted: Bool
    public var version: Int64
    /// The MAPPA area's code and name; empty when none is recorded.
    public var areaCode: String
    public var areaName: String

    public var isRestricted: Bool { CaseVisibility.isRestricted(flagged: restricted, category: category) }

    /// The editable facts, as the edit form and `CaseRules` take them.
    public var details: CaseDetails {
        CaseDetails(category: category, level: level, leadAgency: leadAgencyCode, startDate: startDate,
                    statutoryEndDate: statutoryEndDate, nextReviewDate: nextReviewDate, rosh: rosh, roshByGroup: roshByGroup,
                    status: status, exitDate: exitDate, exitReason: exitReason, area: areaCode)
    }

    /// The case's own columns and its lead agency and area; the query joins `agencies` and left-joins `areas`.
    public static let columns = """
        cases.id, cases.nominal_id, cases.category, cases.level, cases.lead_agency_id, agencies.name AS lead_agency_name,
        agencies.code AS lead_agency_code, cases.start_date, cases.statutory_end_date, cases.next_review_date,
        cases.last_reviewed_on, cases.rosh, cases.rosh_children, cases.rosh_public, cases.rosh_known_adult, cases.rosh_staff,
        cases.status, cases.exit_date, cases.exit_reason, cases.restricted, cases.version,
        COALESCE(areas.code, '') AS area_code, COALESCE(areas.name, '') AS area_name
        """
    static let tables = "FROM cases JOIN agencies ON agencies.id = cases.lead_agency_id LEFT JOIN areas ON areas.id = cases.area_id"

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        nominalID = try row.decode("nominal_id")
        category = try row.decode("category")
        level = try row.decode("level")
        leadAgencyID = try row.decode("lead_agency_id")
        leadAgencyName = try row.decode("lead_agency_name")
        leadAgencyCode = try row.decode("lead_agency_code")
        startDate = try row.decode("start_date")
        statutoryEndDate = try row.decodeIfPresent("statutory_end_date")
        nextReviewDate = try row.decodeIfPresent("next_review_date")
        lastReviewedOn = try row.decodeIfPresent("last_reviewed_on")
        rosh = try row.decodeIfPresent("rosh")
        var groups: [RiskGroup: RoSH] = [:]
        for (group, column) in [(RiskGroup.children, "rosh_children"), (.publicAtLarge, "rosh_public"),
                                (.knownAdult, "rosh_known_adult"), (.staff, "rosh_staff")] {
            groups[group] = try row.decodeIfPresent(column, as: RoSH.self)
        }
        roshByGroup = groups
        status = try row.decode("status")
        exitDate = try row.decodeIfPresent("exit_date")
        exitReason = try row.decode("exit_reason")
        restricted = try row.decode("restricted")
        version = try row.decode("version")
        areaCode = try row.decode("area_code")
        areaName = try row.decode("area_name")
    }
}

/// One change to a case, with its reason and who made it.
public struct CaseHistoryEntry: Sendable, Equatable, RowDecodable {
    public var field: String
    public var oldValue: String
    public var newValue: String
    public var reason: String
    public var changedAt: String
    public var changedBy: String

    public static let columns = """
        case_history.field, case_history.old_value, case_history.new_value, case_history.reason, case_history.changed_at,
        COALESCE(users.display_name, '') AS changed_by_name
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        field = try row.decode("field")
        oldValue = try row.decode("old_value")
        newValue = try row.decode("new_value")
        reason = try row.decode("reason")
        changedAt = try row.decode("changed_at")
        changedBy = try row.decode("changed_by_name")
    }
}

/// A case the viewer was found allowed to see (`CaseStore.case(id:for:)`). The reads of what hangs off a case (its
/// history, contacts, actions, meetings, referrals, events) take one, so none of them can be reached without that
/// check; only the Store makes one.
public struct VisibleCase: Sendable {
    public let record: CaseRecord
    public let viewer: Viewer
    /// The viewer may change who sees the case (`CaseVisibility.mayManageAccess`).
    public let viewerMayManageAccess: Bool

    init(_ record: CaseRecord, viewer: Viewer, mayManageAccess: Bool) {
        self.record = record
        self.viewer = viewer
        self.viewerMayManageAccess = mayManageAccess
    }

    public var id: Int64 { record.id }
}
