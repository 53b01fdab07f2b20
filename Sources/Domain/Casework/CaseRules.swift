import Foundation

/// The editable facts of a MAPPA registration (DESIGN.md "Workflow states"), as the coordinator keeps them
/// current between panel meetings.
public struct CaseDetails: Sendable, Equatable {
    public var category: MappaCategory
    public var level: ManagementLevel
    public var leadAgency: String
    public var startDate: CalendarDate
    public var statutoryEndDate: CalendarDate?
    public var nextReviewDate: CalendarDate?
    public var rosh: RoSH?
    public var roshByGroup: [RiskGroup: RoSH]
    public var status: CaseStatus
    public var exitDate: CalendarDate?
    public var exitReason: String
    /// The MAPPA area's code; empty when none is recorded (a database with one area has none).
    public var area: String

    public init(category: MappaCategory, level: ManagementLevel, leadAgency: String, startDate: CalendarDate,
                statutoryEndDate: CalendarDate? = nil, nextReviewDate: CalendarDate? = nil, rosh: RoSH? = nil,
                roshByGroup: [RiskGroup: RoSH] = [:], status: CaseStatus = .active, exitDate: CalendarDate? = nil,
                exitReason: String = "", area: String = "") {
        self.category = category
        self.level = level
        self.leadAgency = leadAgency
        self.startDate = startDate
        self.statutoryEndDate = statutoryEndDate
        self.nextReviewDate = nextReviewDate
        self.rosh = rosh
        self.roshByGroup = roshByGroup
        self.status = status
        self.exitDate = exitDate
        self.exitReason = exitReason
        self.area = area
    }
}

/// One changed fact, as the case history shows it.
public struct CaseFieldChange: Sendable, Equatable {
    /// Stable name stored in the history (`category`, `level`, `rosh`, `rosh_children`, …).
    public var field: String
    public var oldValue: String
    public var newValue: String
    /// Changes an inspector would expect to see justified: category, level, the next review date (the one date every
    /// page and check reads: `ReviewSchedule`), RoSH and status.
    public var needsReason: Bool
}

/// Rules for keeping a registration consistent (domain.md sections 2–3): exactly one category, Category 3 only
/// at Level 2 or 3, an exit needs a date and a reason, and significant changes carry the reason they were made.
public enum CaseRules {
    public static func problems(_ details: CaseDetails, previous: CaseDetails?, changeReason: String,
                                today: CalendarDate) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        func add(_ field: String, _ message: String) { problems.append(ValidationProblem(field: field, message: message)) }
        if details.category == .three && details.level == .one {
            add("level", "Category 3 offenders are managed only at Level 2 or Level 3")
        }
        if details.leadAgency.isEmpty { add("lead_agency", "Select the lead agency") }
        if details.startDate > today { add("start_date", "The MAPPA start date cannot be in the future") }
        if let end = details.statutoryEndDate, end < details.startDate {
            add("statutory_end_date", "The statutory end date must be on or after the MAPPA start date")
        }
        if let review = details.nextReviewDate, review < details.startDate {
            add("next_review_date", "The next review date must be on or after the MAPPA start date")
        }
        switch details.status {
        case .exited:
            if details.exitReason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                add("exit_reason", "Say why the case is leaving MAPPA (for example: notification period ended, licence expired, died)")
            }
            if let exit = details.exitDate {
                if exit < details.startDate { add("exit_date", "The exit date must be on or after the MAPPA start date") }
                if exit > today { add("exit_date", "The exit date cannot be in the future") }
            } else {
                add("exit_date", "Enter the date the case left MAPPA")
            }
        case .active:
            if details.exitDate != nil { add("exit_date", "An active case has no exit date: set the status to exited, or clear the date") }
        }
        if let previous, changes(from: previous, to: details).contains(where: \.needsReason),
           changeReason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            add("change_reason", "Say why the category, level, next review date, risk of serious harm or status changed: the case history keeps the reason")
        }
        return problems
    }

    /// What differs between two versions of a registration, in the order the case page lists the facts.
    public static func changes(from old: CaseDetails, to new: CaseDetails) -> [CaseFieldChange] {
        var result: [CaseFieldChange] = []
        func compare(_ field: String, _ a: String, _ b: String, reason: Bool) {
            if a != b { result.append(CaseFieldChange(field: field, oldValue: a, newValue: b, needsReason: reason)) }
        }
        compare("category", String(old.category.rawValue), String(new.category.rawValue), reason: true)
        compare("level", String(old.level.rawValue), String(new.level.rawValue), reason: true)
        compare("lead_agency", old.leadAgency, new.leadAgency, reason: false)
        compare("area", old.area, new.area, reason: false)
        compare("start_date", old.startDate.description, new.startDate.description, reason: false)
        compare("statutory_end_date", old.statutoryEndDate?.description ?? "", new.statutoryEndDate?.description ?? "", reason: false)
        compare("next_review_date", old.nextReviewDate?.description ?? "", new.nextReviewDate?.description ?? "", reason: true)
        compare("rosh", old.rosh?.rawValue ?? "", new.rosh?.rawValue ?? "", reason: true)
        for group in RiskGroup.allCases {
            compare("rosh_\(group.rawValue)", old.roshByGroup[group]?.rawValue ?? "", new.roshByGroup[group]?.rawValue ?? "", reason: true)
        }
        compare("status", old.status.rawValue, new.status.rawValue, reason: true)
        compare("exit_date", old.exitDate?.description ?? "", new.exitDate?.description ?? "", reason: false)
        compare("exit_reason", old.exitReason, new.exitReason, reason: false)
        return result
    }

    /// A history value as a person reads it ("Level 2", "Very high", "Category 1").
    public static func displayValue(field: String, _ value: String) -> String {
        if value.isEmpty { return "–" }
        switch field {
        case "category": return Int(value).flatMap(MappaCategory.init(rawValue:))?.shortName ?? value
        case "level": return Int(value).flatMap(ManagementLevel.init(rawValue:))?.shortName ?? value
        case "status": return value == "exited" ? "Exited" : (value == "active" ? "Active" : value)
        default:
            if field.hasPrefix("rosh") { return RoSH(rawValue: value)?.displayName ?? value }
            if let date = CalendarDate(value) { return date.displayText }
            return value
        }
    }

    /// A history field name as a person reads it.
    public static func fieldName(_ field: String) -> String {
        switch field {
        case "created": return "Case created"
        case "category": return "Category"
        case "level": return "Level"
        case "lead_agency": return "Lead agency"
        case "area": return "MAPPA area"
        case "start_date": return "MAPPA start date"
        case "statutory_end_date": return "Statutory end date"
        case "next_review_date": return "Next review date"
        case "rosh": return "Overall RoSH"
        case "status": return "Status"
        case "exit_date": return "Exit date"
        case "exit_reason": return "Exit reason"
        default:
            if field.hasPrefix("rosh_"), let group = RiskGroup(rawValue: String(field.dropFirst(5))) {
                return "RoSH to \(group.displayName.lowercased())"
            }
            return field
        }
    }
}
