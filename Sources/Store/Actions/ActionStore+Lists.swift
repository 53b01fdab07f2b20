import Database
import Domain
import Foundation

/// What the unit-wide list of open actions is narrowed to. Empty values leave a filter off.
public struct OpenActionFilter: Sendable, Equatable {
    public var agencyCode: String
    public var owner: ActionOwner?
    public var nominalRef: String
    public var overdueOnly: Bool
    public var area: PlanArea?

    public init(agencyCode: String = "", owner: ActionOwner? = nil, nominalRef: String = "", overdueOnly: Bool = false, area: PlanArea? = nil) {
        self.agencyCode = agencyCode
        self.owner = owner
        self.nominalRef = nominalRef
        self.overdueOnly = overdueOnly
        self.area = area
    }

    /// The filters in words, for the audit trail (codes and references, never a name).
    public var summary: String {
        var parts: [String] = []
        if !agencyCode.isEmpty { parts.append("agency \(agencyCode)") }
        if let owner { parts.append("owner \(owner.token)") }
        if !nominalRef.isEmpty { parts.append("case \(nominalRef)") }
        if overdueOnly { parts.append("overdue only") }
        if let area { parts.append("area \(area.rawValue)") }
        return parts.isEmpty ? "no filters" : parts.joined(separator: ", ")
    }
}

/// One page of a list of actions, with how many there are in all.
public struct ActionPage: Sendable, Equatable {
    public var items: [ListedAction]
    public var total: Int
    public var page: Int
    public var pageSize: Int

    public var pageCount: Int { max(1, (total + pageSize - 1) / pageSize) }
}

/// A work queue of open actions for a home page: how many, how many overdue, and the most urgent first.
public struct ActionQueue: Sendable, Equatable {
    public var count: Int
    public var overdueCount: Int
    /// The first few, most urgent (earliest due) first, each flagged when overdue.
    public var items: [ListedAction]
}

extension ActionStore {
    /// The unit's open actions on cases the viewer may see (need-to-know in the query), narrowed by `filter`, most
    /// urgent (earliest due, so the most overdue) first, one page of `pageSize`. For unit staff; each view audited.
    public func openActions(_ filter: OpenActionFilter, page: Int, pageSize: Int = 50, for viewer: Viewer) throws -> ActionPage {
        guard viewer.can(.viewCases) else { throw DomainError.roleRefused() }
        let today = context.today
        let page = max(1, page), size = max(1, min(pageSize, 200))
        var condition = "actions.status = 'open'"
        var parameters: [SQLValue] = []
        if !filter.agencyCode.isEmpty { condition += " AND agencies.code = ?"; parameters.append(.text(filter.agencyCode)) }
        switch filter.owner {
        case .user(let id): condition += " AND actions.owner_user_id = ?"; parameters.append(.integer(id))
        case .contact(let id): condition += " AND actions.owner_contact_id = ?"; parameters.append(.integer(id))
        case nil: break
        }
        if !filter.nominalRef.isEmpty { condition += " AND nominals.nominal_ref = ?"; parameters.append(.text(filter.nominalRef)) }
        if filter.overdueOnly { condition += " AND actions.due_date < ?"; parameters.append(.text(today.description)) }
        if let area = filter.area { condition += " AND actions.area = ?"; parameters.append(.text(area.rawValue)) }
        let (total, items) = try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            let values = parameters + visible.parameters
            let filtering = " WHERE " + condition + visible.sql
            let total: Int = try connection.queryOne("SELECT COUNT(*) AS n \(Self.tables)" + filtering, values)?.value("n") ?? 0
            let items = try connection.query(ActionItem.self, "SELECT \(ActionItem.columns) \(Self.tables)" + filtering
                                             + " ORDER BY actions.due_date, actions.id LIMIT ? OFFSET ?",
                                             values + [.integer(Int64(size)), .integer(Int64((page - 1) * size))])
            return (total, items)
        }
        try context.audit.record(actor: viewer.actor, action: .view, subjectType: "actions", subjectID: "open",
                                 detail: "\(filter.summary); page \(page); \(items.count) of \(total) shown")
        return ActionPage(items: items.map { Self.listing($0, visible: true, today: today) }, total: total, page: page, pageSize: size)
    }

    /// For the home queue: the viewer's own open actions (whatever their agency, on any case: an owner's case
    /// reference is withheld where need-to-know does not admit them), how many are overdue, and the first `limit`.
    public func openQueue(ownedBy viewer: Viewer, limit: Int = 10) throws -> ActionQueue {
        let owned = Self.ownedCondition(viewer)
        let today = context.today
        return try database.read { connection in
            let visible = try CaseVisibilityFilter(viewer, connection).cases()
            let counts = try connection.queryOne("SELECT COUNT(*) AS n, SUM(CASE WHEN actions.due_date < ? THEN 1 ELSE 0 END) AS late"
                                                 + " FROM actions WHERE actions.status = 'open' AND " + owned.sql,
                                                 [.text(today.description)] + owned.parameters)
            let count: Int = try counts?.value("n") ?? 0
            let late: Int? = count == 0 ? 0 : try counts?.value("late")
            let items = try connection.query(Seen<ActionItem>.self, "SELECT \(ActionItem.columns), \(visible.expression) AS visible \(Self.tables)"
                                             + " WHERE actions.status = 'open' AND " + owned.sql + " ORDER BY actions.due_date, actions.id LIMIT ?",
                                             visible.parameters + owned.parameters + [.integer(Int64(max(0, limit)))])
            return ActionQueue(count: count, overdueCount: late ?? 0,
                               items: items.map { Self.listing($0.record, visible: $0.visible, today: today) })
        }
    }

    /// For the coordinator's home queue: the unit's overdue open actions on cases the viewer may see, how many, and
    /// the first `limit`, most overdue first.
    public func overdueQueue(for viewer: Viewer, limit: Int = 10) throws -> ActionQueue {
        let today = context.today
        let overdue = "actions.status = 'open' AND actions.due_date < ?"
        return try database.read { connection in
            let filter = try CaseVisibilityFilter(viewer, connection)
            let visible = filter.cases()
            let count: Int
            if let hidden = filter.hiddenCaseIDs() {
                // Thousands overdue at national scale: counted from the index `actions_open_due` alone, less those
                // on the few cases hidden from the viewer, not by reading each one's case.
                count = try connection.queryOne("""
                    SELECT (SELECT COUNT(*) FROM actions WHERE \(overdue))
                         - (SELECT COUNT(*) FROM actions WHERE \(overdue) AND actions.case_id IN (\(hidden.sql))) AS n
                    """, [.text(today.description), .text(today.description)] + hidden.parameters)?.value("n") ?? 0
            } else {
                count = try connection.queryOne("SELECT COUNT(*) AS n FROM actions JOIN cases ON cases.id = actions.case_id WHERE "
                                                + overdue + visible.sql, [.text(today.description)] + visible.parameters)?.value("n") ?? 0
            }
            let items = try connection.query(ActionItem.self, "SELECT \(ActionItem.columns) \(Self.tables) WHERE " + overdue + visible.sql
                                             + " ORDER BY actions.due_date, actions.id LIMIT ?",
                                             [.text(today.description)] + visible.parameters + [.integer(Int64(max(0, limit)))])
            return ActionQueue(count: count, overdueCount: count, items: items.map { Self.listing($0, visible: true, today: today) })
        }
    }

    /// The areas of the risk management plan with no open action on the case, in the plan's order: for the panel that
    /// discusses it next.
    public func uncoveredAreas(of visible: VisibleCase) throws -> [PlanArea] {
        let rows = try database.read { connection in
            try connection.query("SELECT DISTINCT area FROM actions WHERE case_id = ? AND status = 'open' AND area IS NOT NULL",
                                 [.integer(visible.id)])
        }
        let areas = try rows.map { row throws -> PlanArea? in PlanArea(rawValue: try row.value("area", as: String.self)) }
        return PlanArea.uncovered(byOpen: areas)
    }
}
