import Database
import Domain
import Foundation

extension NominalStore {
    /// The version of `DuplicateMatcher.searchKeys` the stored keys (and `AliasList`, the other names kept with
    /// each record) were built with. Raise it when either changes; `rebuildSearchKeysIfNeeded` then rebuilds
    /// them once, at the next start. (4: the lists were added.)
    public static let searchKeysVersion = "4"

    /// Rebuilds every nominal's search keys when they were built by an older version of the rules, in one
    /// transaction: system work at start-up, over every person. Returns how many nominals were re-indexed, or nil when
    /// the keys were current. `starting` is called before a rebuild begins, so a long one (seconds at national scale)
    /// can be announced.
    @discardableResult
    public func rebuildSearchKeysIfNeeded(asSystem job: SystemJob, starting: (() -> Void)? = nil) throws -> Int? {
        let current: String? = try database.read {
            try $0.queryOne("SELECT value FROM settings WHERE key = 'search_keys_version'")?.value("value")
        }
        guard current != Self.searchKeysVersion else { return nil }
        if try database.read({ try $0.queryOne("SELECT 1 AS found FROM nominals LIMIT 1") }) != nil { starting?() }
        return try database.write { connection -> Int in
            var aliases: [Int64: [String]] = [:]
            for row in try connection.query("SELECT nominal_id, alias FROM nominal_aliases") {
                aliases[try row.value("nominal_id"), default: []].append(try row.value("alias"))
            }
            var nominals = try connection.query(NominalRecord.self, "SELECT \(NominalRecord.columns) FROM nominals ORDER BY nominals.id")
            try connection.execute("DELETE FROM nominal_search_keys")
            for index in nominals.indices {
                // The list kept with the record, from the rows (filled here once after the column was added).
                let names = aliases[nominals[index].id] ?? []
                if AliasList.encode(nominals[index].aliases) != AliasList.encode(names) {
                    try connection.execute("UPDATE nominals SET alias_list = ? WHERE id = ?",
                                           [.text(AliasList.encode(names)), .integer(nominals[index].id)])
                }
                nominals[index].details.aliases = names
            }
            try SearchKeyBatch(count: nominals.count) { nominals[$0].person }.write(connection, nominalIDs: nominals.map(\.id))
            try connection.execute("DELETE FROM settings WHERE key = 'search_keys_version'")
            try connection.execute("INSERT INTO settings (key, value) VALUES ('search_keys_version', ?)", [.text(Self.searchKeysVersion)])
            return nominals.count
        }
    }
}

/// People's search keys, worked out and put in the index's order, then written in a few large statements once the
/// change is done. Written one nominal at a time, each of a 100,000-row import's 880,000 keys landed somewhere else
/// in the key index: more than half the import's time, and far more pages than the import's cache holds. In order,
/// they are appended. The keys need only the people, not their nominals' ids, so a register import works them out
/// on another core while its writer inserts the rows (on the writer's thread they were a seventh of the import).
struct SearchKeyBatch: Sendable {
    /// Each key with its person's position (0..<count).
    private let entries: [(key: String, sortName: String, person: Int)]

    /// The keys of `count` people, the person at each position given by `person` (nil: not indexed here, as when a
    /// register lists the nominal again further on).
    init(count: Int, person: (Int) -> PersonDetails?) {
        var entries: [(key: String, sortName: String, person: Int)] = []
        entries.reserveCapacity(count * 9)
        for index in 0..<count {
            guard let person = person(index) else { continue }
            let sortName = DuplicateMatcher.sortName(person)
            for key in DuplicateMatcher.searchKeys(person) { entries.append((key, sortName, index)) }
        }
        // The nominal id breaks ties in the index; ids rise with the positions for new nominals and a table read in
        // id order, so the position gives the same order (and only a slightly different one otherwise).
        entries.sort { ($0.key, $0.sortName, $0.person) < ($1.key, $1.sortName, $1.person) }
        self.entries = entries
    }

    /// Inserts every key of the person at position `i` under `nominalIDs[i]`. The nominals' old keys must be gone
    /// already.
    func write(_ connection: Connection, nominalIDs: [Int64]) throws {
        let rebuilt = try SecondaryIndex.dropForBulkLoad("nominal_search_keys_nominal", rows: entries.count, connection)
        // In slices, so the values of a national register's 900,000 keys are never all held at once.
        for start in stride(from: 0, to: entries.count, by: 20_000) {
            let slice = entries[start..<min(entries.count, start + 20_000)]
            try connection.insertMany(into: "nominal_search_keys", columns: ["key", "sort_name", "nominal_id"],
                                      rows: slice.map { [.text($0.key), .text($0.sortName), .integer(nominalIDs[$0.person])] },
                                      skippingDuplicates: false)
        }
        try rebuilt?.create(connection)
    }
}

/// A secondary index taken down for a bulk load and built again after it, in the same transaction (so a failed
/// load rolls the index back with it). Rows loaded in the table's key order land in the secondary index in
/// random places: the 880,000 keys of a 100,000-row import were 1.8 s of random inserts into the by-person
/// index, against under a second for SQLite to build it again by sorting. Only for a load of
/// many rows, at least as many as the table holds already: building sorts the whole table, about half the cost
/// per row of a random insert. A single edit keeps the index. https://www.sqlite.org/lang_createindex.html
struct SecondaryIndex {
    /// The index's own CREATE statement, as the engine keeps it, so the index comes back exactly as the schema made it.
    let definition: String

    /// Drops the index named `name` when `rows` are about to be loaded and there are enough of them; nil when it was
    /// left in place. Call `create` once the rows are in. PostgreSQL gains less (its COPY is mostly the primary key
    /// and the foreign-key checks) but still about an eighth. https://www.postgresql.org/docs/15/populate.html
    static func dropForBulkLoad(_ name: String, rows: Int, _ connection: Connection) throws -> SecondaryIndex? {
        let catalogue = connection.dialect == .sqlite
            ? "SELECT sql, tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?"
            : "SELECT indexdef AS sql, tablename AS tbl_name FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?"
        guard rows >= 10_000,
              let index = try connection.queryOne(catalogue, [.text(name)]),
              let definition: String = try index.valueIfPresent("sql"),
              let held: Int = try connection.queryOne("SELECT COUNT(*) AS n FROM \(try index.value("tbl_name", as: String.self))")?.value("n"),
              held <= rows else { return nil }
        try connection.executeScript("DROP INDEX \(name)")
        return SecondaryIndex(definition: definition)
    }

    func create(_ connection: Connection) throws { try connection.executeScript(definition) }
}
