import Database

/// A nominal's other names as kept with the record (`nominals.alias_list`), for the pages that list people with
/// them. A search read them in a second statement, its 50 ids bound as an IN list: a sixth of the search's
/// instructions, and more of its time under load. The `nominal_aliases` rows stay the record of them; every
/// change rewrites both (`replace`), and the search index rebuild puts any stale list right.
enum AliasList {
    /// Each name as its length in UTF-8 bytes, a colon and the name, in byte order (SQLite's order of the rows):
    /// any character, a separator included, comes back as it went in.
    static func encode(_ aliases: [String]) -> String {
        aliases.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { "\($0.utf8.count):\($0)" }.joined()
    }

    /// The names in a stored list; an empty or damaged list gives the names read before the damage.
    static func decode(_ list: String) -> [String] {
        guard !list.isEmpty else { return [] }
        var names: [String] = []
        var rest = list.utf8[...]
        while let colon = rest.firstIndex(of: UInt8(ascii: ":")) {
            var length = 0
            for digit in rest[..<colon] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit), length < 1_000_000 else { return names }
                length = length * 10 + Int(digit - UInt8(ascii: "0"))
            }
            let name = rest[rest.index(after: colon)...].prefix(length)
            guard name.count == length else { return names }
            names.append(String(decoding: name, as: UTF8.self))
            rest = rest[name.endIndex...]
        }
        return names
    }

    /// Replaces a nominal's other names: its `nominal_aliases` rows and its list. `isNew`: the nominal was just
    /// inserted, so it has neither yet.
    static func replace(_ connection: Connection, nominalID: Int64, with aliases: [String], isNew: Bool) throws {
        if !isNew { try connection.execute("DELETE FROM nominal_aliases WHERE nominal_id = ?", [.integer(nominalID)]) }
        for alias in aliases {
            try connection.execute("INSERT INTO nominal_aliases (nominal_id, alias) VALUES (?, ?)", [.integer(nominalID), .text(alias)])
        }
        if !isNew || !aliases.isEmpty {
            try connection.execute("UPDATE nominals SET alias_list = ? WHERE id = ?", [.text(encode(aliases)), .integer(nominalID)])
        }
    }
}
