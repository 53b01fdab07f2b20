import Database
import Domain
import Foundation

/// The unit's timescales (review intervals, custody referral lead time, minutes deadline), kept in the
/// settings table: DESIGN.md says they are settings with defaults, not constants.
public enum TimescaleSettings {
    static let keys = (level3: "timescale.level3_review_weeks", level2: "timescale.level2_review_weeks",
                       custody: "timescale.custody_referral_lead_months", minutes: "timescale.minutes_distribution_working_days")

    /// The saved timescales, each falling back to its default; the defaults when the database cannot be read.
    public static func load(_ database: Database) -> Timescales {
        let defaults = Timescales()
        guard let rows = try? database.read({ try $0.query("SELECT key, value FROM settings WHERE key LIKE 'timescale.%'") }) else {
            return defaults
        }
        var values: [String: Int] = [:]
        for row in rows { values[row.string("key")] = Int(row.string("value")) }
        return Timescales(level3ReviewWeeks: values[keys.level3] ?? defaults.level3ReviewWeeks,
                          level2ReviewWeeks: values[keys.level2] ?? defaults.level2ReviewWeeks,
                          custodyReferralLeadMonths: values[keys.custody] ?? defaults.custodyReferralLeadMonths,
                          minutesDistributionWorkingDays: values[keys.minutes] ?? defaults.minutesDistributionWorkingDays)
    }

    public static func save(_ timescales: Timescales, database: Database, by actor: Actor) throws {
        let problems = timescales.problems()
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        try database.write { connection in
            for (key, value) in [(keys.level3, timescales.level3ReviewWeeks), (keys.level2, timescales.level2ReviewWeeks),
                                 (keys.custody, timescales.custodyReferralLeadMonths), (keys.minutes, timescales.minutesDistributionWorkingDays)] {
                try connection.execute("DELETE FROM settings WHERE key = ?", [.text(key)])
                try connection.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [.text(key), .text(String(value))])
            }
            try AuditTrail(database: database).append(connection, actor: actor, action: .update, subjectType: "settings", subjectID: "timescales",
                                                      detail: "L3 \(timescales.level3ReviewWeeks)w, L2 \(timescales.level2ReviewWeeks)w, custody \(timescales.custodyReferralLeadMonths)m, minutes \(timescales.minutesDistributionWorkingDays)d")
        }
    }
}
