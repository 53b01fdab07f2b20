/// The events the MAPPA annual report counts (DESIGN.md, "Events import"; domain.md 7.2–7.3).
public enum MappaEventType: String, CaseIterable, Sendable, Codable {
    case notificationBreach = "notification_breach"
    case lifetimeNotificationRevoked = "lifetime_notification_revoked"
    case shpo
    case interimSHPO = "interim_shpo"
    case notificationOrder = "notification_order"
    case interimNotificationOrder = "interim_notification_order"
    case foreignTravelRestriction = "foreign_travel_restriction"
    case sroBreachNotification = "sro_breach_notification"
    case returnedToCustodyLicence = "returned_to_custody_licence"
    case returnedToCustodyOrder = "returned_to_custody_order"
    case sfoCharged = "sfo_charged"
    case seriousCaseReview = "serious_case_review"

    public var displayName: String {
        switch self {
        case .notificationBreach: return "RSO cautioned or convicted for breach of notification requirements"
        case .lifetimeNotificationRevoked: return "RSO lifetime notification revoked on application"
        case .shpo: return "Sexual Harm Prevention Order imposed"
        case .interimSHPO: return "Interim Sexual Harm Prevention Order imposed"
        case .notificationOrder: return "Notification Order imposed"
        case .interimNotificationOrder: return "Interim Notification Order imposed"
        case .foreignTravelRestriction: return "Foreign travel restriction imposed"
        case .sroBreachNotification: return "Became subject to notification after breach of a Sexual Risk Order"
        case .returnedToCustodyLicence: return "Returned to custody for breach of licence"
        case .returnedToCustodyOrder: return "Returned to custody for breach of SHPO, SOPO or SRO"
        case .sfoCharged: return "Charged with a serious further offence"
        case .seriousCaseReview: return "MAPPA serious case review"
        }
    }

    /// The annual report splits these by the level the offender was managed at when the event happened.
    public var countedByLevel: Bool {
        self == .returnedToCustodyLicence || self == .returnedToCustodyOrder || self == .sfoCharged
    }
}

/// One event as the events file carries it, or as a coordinator records it on a case.
public struct MappaEventRecord: Sendable, Equatable {
    public var nominalRef: String
    public var type: MappaEventType
    public var date: CalendarDate
    /// Nil when the file leaves it empty (not known).
    public var levelAtEvent: ManagementLevel?
    public var detail: String

    public init(nominalRef: String, type: MappaEventType, date: CalendarDate, levelAtEvent: ManagementLevel?, detail: String) {
        self.nominalRef = nominalRef
        self.type = type
        self.date = date
        self.levelAtEvent = levelAtEvent
        self.detail = detail
    }

    /// Problems with an event typed in by hand, keyed by form field, in the words the page shows.
    public static func problems(typeText: String, dateText: String, levelText: String, detail: String,
                                today: CalendarDate) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if MappaEventType(rawValue: typeText) == nil { problems.append(ValidationProblem(field: "event_type", message: "Select the type of event")) }
        if dateText.isEmpty {
            problems.append(ValidationProblem(field: "event_date", message: "Enter the date of the event"))
        } else if let date = CalendarDate(dateText) {
            if date > today { problems.append(ValidationProblem(field: "event_date", message: "The date of the event must be today or in the past")) }
        } else {
            problems.append(ValidationProblem(field: "event_date", message: "Enter the date of the event as a real date, for example 2026-03-14"))
        }
        if !levelText.isEmpty, Int(levelText).flatMap(ManagementLevel.init(rawValue:)).map({ $0 != .unknown }) != true {
            problems.append(ValidationProblem(field: "level_at_event", message: "Select Level 1, 2 or 3, or not known"))
        }
        if detail.count > 500 { problems.append(ValidationProblem(field: "detail", message: "Detail must be 500 characters or fewer")) }
        return problems
    }
}

/// The events CSV contract (DESIGN.md): `nominal_ref,event_type,event_date,level_at_event,detail`, UTF-8 (BOM
/// accepted), header row; all-or-nothing with every bad row reported by line. Whether each `nominal_ref` is on
/// record is the caller's question (`knownNominalRefs`), so this stays free of I/O.
public enum EventsCSV {
    public static let columns = ["nominal_ref", "event_type", "event_date", "level_at_event", "detail"]

    public static func parse(_ data: [UInt8], knownNominalRefs: (String) -> Bool, today: CalendarDate,
                             progress: ((Int) -> Void)? = nil) -> Result<[MappaEventRecord], CaseRegisterImportError> {
        let types = MappaEventType.allCases.map(\.rawValue).joined(separator: ", ")
        return CaseRegisterCSV.parseRows(data, columns: columns, rowNoun: "event", progressEvery: 10_000,
                                         lengthLimits: ["detail": 500], multilineColumns: ["detail"], progress: progress) { line, values in
            var rowErrors: [CaseRegisterRowError] = []
            func fail(_ column: String, _ message: String) { rowErrors.append(CaseRegisterRowError(line: line, column: column, message: message)) }
            let reference = values["nominal_ref"] ?? ""
            if reference.isEmpty {
                fail("nominal_ref", "Enter the nominal reference")
            } else if !knownNominalRefs(reference) {
                fail("nominal_ref", "No nominal on record has this reference: import the case register first")
            }
            let typeText = (values["event_type"] ?? "").lowercased()
            let type = MappaEventType(rawValue: typeText)
            if type == nil {
                fail("event_type", typeText.isEmpty ? "Enter the event type" : "Unknown event type \"\(typeText.prefix(40))\"; the types are: \(types)")
            }
            let dateText = values["event_date"] ?? ""
            var date: CalendarDate?
            if dateText.isEmpty {
                fail("event_date", "Enter the date of the event")
            } else if let parsed = CalendarDate(dateText) {
                if parsed > today { fail("event_date", "The event date is in the future") } else { date = parsed }
            } else {
                fail("event_date", "Must be a real date written YYYY-MM-DD")
            }
            let levelText = values["level_at_event"] ?? ""
            var level: ManagementLevel?
            if !levelText.isEmpty {
                if let parsed = Int(levelText).flatMap(ManagementLevel.init(rawValue:)), parsed != .unknown {
                    level = parsed
                } else {
                    fail("level_at_event", "Level at event must be 1, 2, 3 or empty (not known), not \"\(levelText.prefix(10))\"")
                }
            }
            let detail = values["detail"] ?? ""
            if detail.count > 500 { fail("detail", "Detail must be 500 characters or fewer") }
            guard rowErrors.isEmpty, let type, let date else { return .problems(rowErrors) }
            return .row(MappaEventRecord(nominalRef: reference, type: type, date: date, levelAtEvent: level, detail: detail))
        }
    }
}
