import Database
import Domain
import Foundation

/// The unit's timescales (review intervals, custody referral lead time, minutes deadline), kept in the settings table:
/// DESIGN.md says they are settings with defaults, not constants.
public enum TimescaleSettings {
    static let keys = (level3: "timescale.level3_review_weeks", level2: "timescale.level2_review_weeks",
                       custody: "timescale.custody_referral_lead_months", minutes: "timescale.minutes_distribution_working_days")

    /// The saved timescales, each the default until someone sets it. A saved value that is not a number is an error,
    /// never read as the default: the review dates of every case hang on it.
    public static func load(_ database: Database) throws -> Timescales {
        let defaults = Timescales()
        var values: [String: Int] = [:]
        for row in try database.read({ try $0.query("SELECT key, value FROM settings WHERE key LIKE 'timescale.%'") }) {
            let key: String = try row.value("key")
            guard let value = Int(try row.value("value", as: String.self)) else {
                throw DatabaseError(.decode, "the timescale setting \(key) is not a number")
            }
            values[key] = value
        }
        return Timescales(level3ReviewWeeks: values[keys.level3] ?? defaults.level3ReviewWeeks,
                          level2ReviewWeeks: values[keys.level2] ?? defaults.level2ReviewWeeks,
                          custodyReferralLeadMonths: values[keys.custody] ?? defaults.custodyReferralLeadMonths,
                          minutesDistributionWorkingDays: values[keys.minutes] ?? defaults.minutesDistributionWorkingDays)
    }

    public static func save(_ timescales: Timescales, context: StoreContext, by actor: Actor) throws {
        let problems = timescales.problems()
        guard problems.isEmpty else { throw DomainError.validation(problems) }
        try context.database.write { connection in
            for (key, value) in [(keys.level3, timescales.level3ReviewWeeks), (keys.level2, timescales.level2ReviewWeeks),
                                 (keys.custody, timescales.custodyReferralLeadMonths), (keys.minutes, timescales.minutesDistributionWorkingDays)] {
                try connection.execute("DELETE FROM settings WHERE key = ?", [.text(key)])
                try connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [.text(key), .text(String(value))])
            }
            try context.audit.append(connection, actor: actor, action: .update, subjectType: "settings", subjectID: "timescales",
                                     detail: "L3 \(timescales.level3ReviewWeeks)w, L2 \(timescales.level2ReviewWeeks)w, custody \(timescales.custodyReferralLeadMonths)m, minutes \(timescales.minutesDistributionWorkingDays)d")
        }
    }
}
