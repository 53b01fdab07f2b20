import Database
import Domain
import Foundation

extension NominalStore {
    /// Finds the people the viewer may see by name or other name (case- and accent-insensitive, any order, each word
    /// may be the start of a name), by date of birth (YYYY-MM-DD or DD/MM/YYYY), or by PNC ID, ViSOR reference, CRN
    /// or nominal reference. Results are in name order; `limit` caps them (ask for one more to know there are more).
    /// Someone with a case the viewer may not see is not found at all: need-to-know applies to finding the person,
    /// not only to opening the case.
    public func search(_ query: String, limit: Int = 50, for viewer: Viewer) throws -> [NominalListing] {
        try search(query, limit: limit, for: viewer, NominalListing.self)
    }

    /// The same search, with the whole record of each person (the API lists them).
    public func searchRecords(_ query: String, limit: Int = 50, for viewer: Viewer) throws -> [NominalRecord] {
        try search(query, limit: limit, for: viewer, NominalRecord.self)
    }

    /// How many index entries a name search reads at most before it asks for more of the name.
    public static let searchCandidates = 200

    private func search<T: RowDecodable>(_ query: String, limit: Int, for viewer: Viewer, _ type: T.Type) throws -> [T] {
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, viewer.can(.viewCases) else { return [] }
        let select = "SELECT \(T.columns) FROM nominals"
        return try database.read { connection -> [T] in
            let filter = try CaseVisibilityFilter(viewer, connection).nominals()
            let order = filter.sql + " ORDER BY family_name, given_names, id LIMIT ?"
            let rows: [Row]
            if let date = Self.searchDate(trimmed) {
                rows = try connection.query(select + " WHERE date_of_birth = ?" + order,
                                            [.text(date.description)] + filter.parameters + [.integer(Int64(limit))])
            } else if trimmed.rangeOfCharacter(from: .decimalDigits) != nil {
                let identifier = DuplicateMatcher.normalisedIdentifier(trimmed)
                // The few matching ids first, then the records by id: in one statement with the need-to-know filter,
                // PostgreSQL estimated a quarter of all nominals and scanned them all (30 ms at 100k).
                let ids = try connection.query("""
                    SELECT id FROM nominals WHERE nominal_ref = ?
                    UNION SELECT nominal_id AS id FROM nominal_search_keys WHERE key IN (?, ?, ?)
                    """, [.text(trimmed.uppercased()), .text("pnc:" + identifier), .text("visor:" + identifier),
                          .text("crn:" + identifier)]).prefix(1000).map { row throws(DatabaseError) in SQLValue.integer(try row.value("id")) }
                rows = ids.isEmpty ? [] : try connection.query(select + " WHERE id IN (\(SQL.placeholders(ids.count)))" + order,
                                                               ids + filter.parameters + [.integer(Int64(limit))])
            } else {
                rows = try nameSearch(connection, trimmed, limit: limit, select: select, filter: filter)
            }
            return try rows.decode(T.self)
        }
    }

    private func nameSearch(_ connection: Connection, _ text: String, limit: Int, select: String, filter: SQLCondition) throws -> [Row] {
        // The longest word drives the join: a longer prefix matches fewer names, so fewer lookups follow.
        let tokens = Array(DuplicateMatcher.tokens(text).prefix(4)).sorted { $0.count > $1.count }
        guard !tokens.isEmpty else { return [] }
        // Every word must match the start of one of the person's names or aliases. One word: a range of the name keys.
        // Two or more: the first two as a range of the word-pair keys filtered by the second word (one short sequential
        // read), then any further words joined on the nominal.
        let firstWord: (lower: SQLValue, upper: SQLValue) = (.text("n:" + tokens[0]), .text("n:" + tokens[0] + "\u{10FFFF}"))
        // The name key, when only one name in the index starts with the first word ("ashdown"; "hollins" when nobody
        // is called Hollinsworth; "cholm" for Cholmondeley).
        let onlyName = try Self.onlyKey(connection, from: firstWord.lower, before: firstWord.upper)
        if tokens.count == 1, let onlyName {
            // One statement: the key's entries, already in name order, each with its record and need-to-know, until a
            // page is full. Ids read first and bound back into a second statement cost a temporary index of the ids and
            // a dictionary to put the records back in order; a window of entries read and sorted was half the search's
            // SQL time.
            return try connection.query(select + " JOIN nominal_search_keys k ON k.nominal_id = nominals.id WHERE k.key = ?"
                                        + filter.sql + " ORDER BY k.sort_name, k.nominal_id LIMIT ?",
                                        [onlyName] + filter.parameters + [.integer(Int64(limit))])
        }
        var sql = "SELECT k0.nominal_id, k0.sort_name FROM nominal_search_keys k0"
        var parameters: [SQLValue] = []
        for index in 2..<max(2, tokens.count) where tokens.count > 2 {
            sql += " JOIN nominal_search_keys k\(index) ON k\(index).nominal_id = k0.nominal_id AND k\(index).key >= ? AND k\(index).key < ?"
            parameters += [.text("n:" + tokens[index]), .text("n:" + tokens[index] + "\u{10FFFF}")]
        }
        if tokens.count == 1 {
            sql += " WHERE k0.key >= ? AND k0.key < ?"
            parameters += [firstWord.lower, firstWord.upper]
        } else if case .text(let key)? = onlyName {
            // Every pair key the first word starts begins with that one name whole, then a space, so its pairs with the
            // second word are one short range. Matched by LIKE, every pair starting with a common name was read:
            // two-thirds of the two-word search's instructions.
            let pair = "p:" + key.dropFirst(2) + " " + tokens[1]
            sql += " WHERE k0.key >= ? AND k0.key < ?"
            parameters += [.text(pair), .text(pair + "\u{10FFFF}")]
        } else {
            sql += " WHERE k0.key >= ? AND k0.key < ? AND k0.key LIKE ?"
            parameters += [.text("p:" + tokens[0]), .text("p:" + tokens[0] + "\u{10FFFF}"), .text("p:\(tokens[0])% \(tokens[1])%")]
        }
        // Read candidates in index order and stop after a few hundred: a common name (1,300 "Smith"s) then costs the
        // same as a rare one, and the page asks for more of the name. Each entry carries the person's sort name, so the
        // candidates are put in name order without reading a single record. Up to that many matching names the results
        // are complete and in name order.
        sql += " ORDER BY k0.key, k0.sort_name, k0.nominal_id LIMIT ?"
        parameters.append(.integer(Int64(max(limit * 4, Self.searchCandidates))))
        // A page's worth of candidates and a few spare (for people the viewer may not see) nearly always fill the
        // page; all of them only when more were hidden than that.
        func candidates(first count: Int?) throws -> (ids: [Int64], complete: Bool) {
            var seen = Set<Int64>()
            let found = try connection.query("SELECT nominal_id FROM (\(sql)) c ORDER BY sort_name, nominal_id"
                                             + (count.map { " LIMIT \($0)" } ?? ""), parameters)
            let ids = try found.map { row throws(DatabaseError) in try row.value("nominal_id", as: Int64.self) }
            return (ids.filter { seen.insert($0).inserted }, found.count < (count ?? .max))
        }
        let first = try candidates(first: limit + 8)
        let page = try Self.records(connection, select: select, inOrder: first.ids, limit: limit, filter: filter)
        return page.count < limit && !first.complete
            ? try Self.records(connection, select: select, inOrder: try candidates(first: nil).ids, limit: limit, filter: filter) : page
    }

    /// The key, when every search key from `lower` up to `upper` is the same one: the first and the last of the range,
    /// each one step down the index.
    static func onlyKey(_ connection: Connection, from lower: SQLValue, before upper: SQLValue) throws -> SQLValue? {
        let ends = try connection.queryOne("""
            SELECT (SELECT key FROM nominal_search_keys WHERE key >= ? AND key < ? ORDER BY key LIMIT 1) AS first_key,
                   (SELECT key FROM nominal_search_keys WHERE key >= ? AND key < ? ORDER BY key DESC LIMIT 1) AS last_key
            """, [lower, upper, lower, upper])
        guard let first: String = try ends?.valueIfPresent("first_key"), try ends?.valueIfPresent("last_key") == first else { return nil }
        return .text(first)
    }

    /// The records for `ids` that pass `filter`, in the order of `ids`, at most `limit`: read a page's worth at a time
    /// (a few spare for people the viewer may not see), so a search reads about as many records as it shows rather
    /// than every candidate.
    static func records(_ connection: Connection, select: String, inOrder ids: [Int64], limit: Int, filter: SQLCondition) throws -> [Row] {
        var found: [Row] = []
        var next = 0
        while found.count < limit, next < ids.count {
            let chunk = Array(ids[next..<min(ids.count, next + limit - found.count + 8)])
            next += chunk.count
            var byID: [Int64: Row] = [:]
            for row in try connection.query(select + " WHERE id IN (\(SQL.placeholders(chunk.count)))" + filter.sql,
                                             SQL.ids(chunk) + filter.parameters) {
                byID[try row.value("id")] = row
            }
            found += chunk.compactMap { byID[$0] }
        }
        return Array(found.prefix(limit))
    }

    /// A search that is a date of birth: YYYY-MM-DD or DD/MM/YYYY.
    public static func searchDate(_ text: String) -> CalendarDate? { CalendarDate(typed: text) }
}
