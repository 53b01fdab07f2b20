import Database
import Domain
import Foundation

extension CaseworkService {
    /// The version of `DuplicateMatcher.searchKeys` the stored keys were built with. Raise it when the keys
    /// change; `rebuildSearchKeysIfNeeded` then rebuilds them once, at the next start.
    public static let searchKeysVersion = "3"

    /// Rebuilds every nominal's search keys when they were built by an older version of the rules, in one
    /// transaction. Returns how many nominals were re-indexed, or nil when the keys were current. `starting` is
    /// called before a rebuild begins, so a long one (seconds at national scale) can be announced.
    @discardableResult
    public func rebuildSearchKeysIfNeeded(starting: (() -> Void)? = nil) throws -> Int? {
        let current = try database.read {
            try $0.queryOne("SELECT value FROM settings WHERE key = 'search_keys_version'")?["value"].string
        }
        guard current != Self.searchKeysVersion else { return nil }
        if try database.read({ try $0.queryOne("SELECT 1 AS any FROM nominals LIMIT 1") }) != nil { starting?() }
        return try database.write { connection -> Int in
            var aliases: [Int64: [String]] = [:]
            for row in try connection.query("SELECT nominal_id, alias FROM nominal_aliases") {
                aliases[row.int64("nominal_id"), default: []].append(row.string("alias"))
            }
            let rows = try connection.query("SELECT * FROM nominals")
            for row in rows {
                let nominal = Self.nominal(row, aliases: aliases[row.int64("id")] ?? [])
                try indexNominal(connection, id: nominal.id, person: nominal.person)
            }
            try connection.execute("DELETE FROM settings WHERE key = 'search_keys_version'")
            try connection.execute("INSERT INTO settings (key, value) VALUES ('search_keys_version', ?)", [.text(Self.searchKeysVersion)])
            return rows.count
        }
    }
}
