import Foundation

/// How the caseload is ordered: by the stored next review date (soonest first, cases with none last), by release date
/// (soonest first, none last) or by the person's name.
public enum CaseloadSort: String, Sendable, CaseIterable {
    case nextReview = "review"
    case releaseDate = "release"
    case name

    public var displayName: String {
        switch self {
        case .nextReview: return "Next review date"
        case .releaseDate: return "Release date"
        case .name: return "Name"
        }
    }
}

/// What a caseload list is narrowed to: each filter nil for "any". `status` nil lists active and exited cases.
public struct CaseloadFilter: Sendable, Equatable {
    public var level: ManagementLevel?
    public var category: MappaCategory?
    /// A lead agency's code.
    public var leadAgency: String?
    public var status: CaseStatus?
    public var custody: CustodyStatus?
    /// A MAPPA area's code.
    public var area: String?
    public var sort: CaseloadSort
    /// From 1.
    public var page: Int

    public static let pageSize = 50
    /// Pages beyond this are refused: 50 × 10,000 covers any unit's caseload.
    public static let maxPage = 10_000

    public init(level: ManagementLevel? = nil, category: MappaCategory? = nil, leadAgency: String? = nil,
                status: CaseStatus? = .active, custody: CustodyStatus? = nil, area: String? = nil,
                sort: CaseloadSort = .nextReview, page: Int = 1) {
        self.level = level
        self.category = category
        self.leadAgency = leadAgency
        self.status = status
        self.custody = custody
        self.area = area
        self.sort = sort
        self.page = page
    }
}

