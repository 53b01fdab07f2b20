import Database
import Domain
import Foundation
import Store

/// A small regional database with known annual report answers for 2025/26, shared by the storage and the
/// request tests of MAPPA areas: two areas, cases in each and in none, and events on either side of each rule.
public enum AreaWorld {
    static let actor = Actor(userID: nil, username: "(test)", clientAddress: "127.0.0.1")

    /// The latest case of the nominal with this reference.
    public static func caseID(_ database: Database, ref: String) throws -> Int64? {
        try database.read {
            try $0.queryOne("SELECT MAX(cases.id) AS id FROM cases JOIN nominals ON nominals.id = cases.nominal_id WHERE nominal_ref = ?",
                            [.text(ref)])?["id"].int64
        }
    }

    public static func row(_ ref: String, _ category: MappaCategory, _ level: ManagementLevel, area: String?,
                    custody: CustodyStatus = .community, start: String = "2024-01-10", exit: String? = nil) -> CaseRegisterRow {
        CaseRegisterRow(nominalRef: ref, familyName: "Areaperson\(ref)", givenNames: "Sam", dateOfBirth: CalendarDate("1980-05-05")!,
                        category: category, level: level, leadAgency: "probation", mappaStartDate: CalendarDate(start),
                        custodyStatus: custody, status: exit == nil ? .active : .exited, exitDate: exit.flatMap(CalendarDate.init(_:)),
                        exitReason: exit == nil ? "" : "Licence expired (synthetic)", area: area)
    }

    /// North (population 200,000): N1 Category 1 Level 2 and N2 Category 1 Level 1 in the community; X1 Category 2
    /// Level 2, exited 30 September 2025. South (population not set): S1 Category 2 Level 3; S2 Category 1 in custody;
    /// S3 Category 2 Level 1 from 1 August 2025. No area: U1 Category 1 Level 1.
    public static func seed(_ stores: Stores) throws {
        try stores.areas.add(code: "north", name: "North", population: "200,000", by: actor)
        try stores.areas.add(code: "south", name: "South", population: "", by: actor)
        _ = try stores.register.importRegister([
            Self.row("N1", .one, .two, area: "north"), Self.row("N2", .one, .one, area: "north"),
            Self.row("X1", .two, .two, area: "north", exit: "2025-09-30"),
            Self.row("S1", .two, .three, area: "south"), Self.row("S2", .one, .one, area: "south", custody: .custody),
            Self.row("S3", .two, .one, area: "south", start: "2025-08-01"),
            Self.row("U1", .one, .one, area: nil),
        ], by: .system(SystemJob("test")))
        func event(_ ref: String, _ type: MappaEventType, _ date: String, _ level: ManagementLevel? = nil) -> MappaEventRecord {
            MappaEventRecord(nominalRef: ref, type: type, date: CalendarDate(date)!, levelAtEvent: level, detail: "")
        }
        _ = try stores.events.importEvents([
            event("N1", .returnedToCustodyLicence, "2025-06-01", .two),
            event("X1", .sfoCharged, "2025-09-30", .two),           // on its exit date: still North's
            event("X1", .returnedToCustodyOrder, "2025-10-01"),    // after its exit: no area's
            event("U1", .shpo, "2025-07-01"),
            event("S1", .returnedToCustodyLicence, "2026-03-31", .three),
            event("S3", .notificationBreach, "2025-07-15"),         // before its case started: no area's
            event("S3", .notificationBreach, "2025-08-01"),         // on its start date: South's
            event("S1", .shpo, "2026-04-01"),                       // after the year
        ], by: .system(SystemJob("test")))
    }

    /// Figures of the 2025/26 report by area ("north", "south", "none", "all"), keyed "table/row/column", counted by
    /// hand from the cases and events above; a rate is "blank" when the population is not known.
    public static let expected: [String: [String: String]] = [
        "north": ["eligible_on_31_march/total/total": "2", "eligible_on_31_march/level_1/category_1": "1",
                  "eligible_on_31_march/level_2/category_1": "1", "eligible_on_31_march/level_3/category_2": "0",
                  "level_2_3_in_year/level_2/total": "2", "level_2_3_in_year/level_3/total": "0",
                  "rsos_per_100k/rate/value": "1.00", "events/returned_to_custody_licence/count": "1",
                  "events/returned_to_custody_licence/level_3": "0", "events/returned_to_custody_order/count": "0",
                  "events/sfo_charged/count": "1", "events/shpo/count": "0", "events/notification_breach/count": "0"],
        "south": ["eligible_on_31_march/total/total": "2", "eligible_on_31_march/level_1/category_1": "0",
                  "eligible_on_31_march/level_2/category_1": "0", "eligible_on_31_march/level_3/category_2": "1",
                  "level_2_3_in_year/level_2/total": "0", "level_2_3_in_year/level_3/total": "1",
                  "rsos_per_100k/rate/value": "blank", "events/returned_to_custody_licence/count": "1",
                  "events/returned_to_custody_licence/level_3": "1", "events/returned_to_custody_order/count": "0",
                  "events/sfo_charged/count": "0", "events/shpo/count": "0", "events/notification_breach/count": "1"],
        "none": ["eligible_on_31_march/total/total": "1", "eligible_on_31_march/level_1/category_1": "1",
                 "eligible_on_31_march/level_2/category_1": "0", "eligible_on_31_march/level_3/category_2": "0",
                 "level_2_3_in_year/level_2/total": "0", "level_2_3_in_year/level_3/total": "0",
                 "rsos_per_100k/rate/value": "blank", "events/returned_to_custody_licence/count": "0",
                 "events/returned_to_custody_licence/level_3": "0", "events/returned_to_custody_order/count": "0",
                 "events/sfo_charged/count": "0", "events/shpo/count": "1", "events/notification_breach/count": "0"],
        "all": ["eligible_on_31_march/total/total": "5", "eligible_on_31_march/level_1/category_1": "2",
                "eligible_on_31_march/level_2/category_1": "1", "eligible_on_31_march/level_3/category_2": "1",
                "level_2_3_in_year/level_2/total": "2", "level_2_3_in_year/level_3/total": "1",
                "rsos_per_100k/rate/value": "blank", "events/returned_to_custody_licence/count": "2",
                "events/returned_to_custody_licence/level_3": "1", "events/returned_to_custody_order/count": "1",
                "events/sfo_charged/count": "1", "events/shpo/count": "1", "events/notification_breach/count": "2"],
    ]
}
