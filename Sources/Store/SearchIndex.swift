import Database
import Domain
import Foundation

extension CaseworkService {
    /// The version of `DuplicateMatcher.searchKeys` the stored keys (and `AliasList`, the other names kept with
    /// each record) were built with. Raise it when either changes; `rebuildSearchKeysIfNeeded` then rebuilds
    /// them once, at the next start. (4: the lists were added.)
    public static let searchKeysVersion = "4"

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
            try connection.execute("DELETE FROM nominal_search_keys")
            var keys = SearchKeyBatch()
            for row in rows {
                let nominal = Self.nominal(row, aliases: aliases[row.int64("id")] ?? [])
                keys.set(nominalID: nominal.id, person: nominal.person)
                // The list kept with the record, from the rows (filled here once after the column was added).
                let list = AliasList.encode(nominal.aliases)
                if row.string("alias_list") != list {
                    try connection.execute("UPDATE nominals SET alias_list = ? WHERE id = ?", [.text(list), .integer(nominal.id)])
                }
            }
            try keys.write(connection)
            try connection.execute("DELETE FROM settings WHERE key = 'search_keys_version'")
            try connection.execute("INSERT INTO settings (key, value) VALUES ('search_keys_version', ?)", [.text(Self.searchKeysVersion)])
            return rows.count
        }
    }
}

/// A nominal's search keys, written in key order in a few large statements once a change is done. Written one
/// nominal at a time, each of a 100,000-row import's 880,000 keys landed somewhere else in the key index: more
/// than half the import's time, and far more pages than the import's cache holds. In order, they are appended.
struct SearchKeyBatch {
    private var rows: [(key: String, sortName: String, nominalID: Int64)] = []
    private var nominalIDs = Set<Int64>()

    /// Adds a nominal's keys; a nominal set again (a register listing it twice) has its earlier keys replaced.
    mutating func set(nominalID: Int64, person: PersonDetails) {
        if !nominalIDs.insert(nominalID).inserted { rows.removeAll { $0.nominalID == nominalID } }
        let sortName = DuplicateMatcher.sortName(person)
        for key in DuplicateMatcher.searchKeys(person) { rows.append((key, sortName, nominalID)) }
    }

    /// Inserts every key, in the index's order. The nominals' old keys must be gone already.
    func write(_ connection: Connection) throws {
        let ordered = rows.sorted { ($0.key, $0.sortName, $0.nominalID) < ($1.key, $1.sortName, $1.nominalID) }
        try Self.insert(count: ordered.count, connection) { ordered[$0] }
    }

    /// The keys of many people whose nominals are not written yet (a register import's rows), worked out and put in
    /// the index's order on another core while the writer inserts the rows: at 100,000 rows, working out and
    /// sorting the 880,000 keys on the writer's thread was a seventh of the import.
    struct Pending: Sendable {
        /// Each key with its person's position (0..<count).
        private let entries: [(key: String, sortName: String, person: Int)]

        /// The keys of `count` people, the person at each position given by `person` (nil: not indexed here, as
        /// when a register lists the nominal again further on).
        init(count: Int, person: (Int) -> PersonDetails?) {
            var entries: [(key: String, sortName: String, person: Int)] = []
            entries.reserveCapacity(count * 9)
            for index in 0..<count {
                guard let person = person(index) else { continue }
                let sortName = DuplicateMatcher.sortName(person)
                for key in DuplicateMatcher.searchKeys(person) { entries.append((key, sortName, index)) }
            }
            // The nominal id breaks ties in the index; new nominals' ids rise with their rows, so the row's place
            // gives the same order for them (and only a slightly different one for existing nominals).
            entries.sort { ($0.key, $0.sortName, $0.person) < ($1.key, $1.sortName, $1.person) }
            self.entries = entries
        }

        /// Inserts every key of the person at position `i` under `nominalIDs[i]`. The nominals' old keys must be gone already.
        func write(_ connection: Connection, nominalIDs: [Int64]) throws {
            try SearchKeyBatch.insert(count: entries.count, connection) { index in
                let entry = entries[index]
                return (entry.key, entry.sortName, nominalIDs[entry.person])
            }
        }
    }

    /// Inserts keys already in the index's order.
    private static func insert(count: Int, _ connection: Connection,
                               _ entry: (Int) -> (key: String, sortName: String, nominalID: Int64)) throws {
        let rebuilt = try SecondaryIndex.dropForBulkLoad("nominal_search_keys_nominal", rows: count, connection)
        // A few hundred rows per statement: on PostgreSQL each statement is a round trip.
        let perStatement = 300
        for start in stride(from: 0, to: count, by: perStatement) {
            let end = min(count, start + perStatement)
            var parameters: [SQLValue] = []
            parameters.reserveCapacity((end - start) * 3)
            for index in start..<end {
                let (key, sortName, nominalID) = entry(index)
                parameters += [.text(key), .text(sortName), .integer(nominalID)]
            }
            try connection.execute("INSERT INTO nominal_search_keys (key, sort_name, nominal_id) VALUES "
                                       + Array(repeating: "(?, ?, ?)", count: end - start).joined(separator: ", "), parameters)
        }
        try rebuilt?.create(connection)
    }
}

/// A secondary index taken down for a bulk load and built again after it, in the same transaction (so a failed
/// load rolls the index back with it). Rows loaded in the table's key order land in the secondary index in
/// random places: the 880,000 keys of a 100,000-row import were 1.8 s of random inserts into the by-person
/// index, against under a second for SQLite to build it again by sorting. Only on SQLite, and only for a load of
/// many rows, at least as many as the table holds already: building sorts the whole table, about half the cost
/// per row of a random insert. A single edit keeps the index. https://www.sqlite.org/lang_createindex.html
struct SecondaryIndex {
    /// The index's own CREATE statement, as SQLite keeps it, so the index comes back exactly as the schema made it.
    let definition: String

    /// Drops the index named `name` when `rows` are about to be loaded on SQLite and there are enough of them;
    /// nil when it was left in place. Call `create` once the rows are in.
    static func dropForBulkLoad(_ name: String, rows: Int, _ connection: Connection) throws -> SecondaryIndex? {
        guard connection.dialect == .sqlite, rows >= 10_000,
              let index = try connection.queryOne("SELECT sql, tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?",
                                                  [.text(name)]),
              let definition = index["sql"].string,
              let held = try connection.queryOne("SELECT COUNT(*) AS n FROM \(index.string("tbl_name"))")?["n"].int,
              held <= rows else { return nil }
        try connection.executeScript("DROP INDEX \(name)")
        return SecondaryIndex(definition: definition)
    }

    func create(_ connection: Connection) throws { try connection.executeScript(definition) }
}
