import Database
import Domain
import Foundation

public struct ReferralRecord: Sendable, Equatable {
    public var id: Int64
    public var status: ReferralStatus
    public var form: ReferralForm
    public var referrerUserID: Int64
    public var referrerName: String
    public var referringAgency: String
    public var nominalID: Int64?
    public var caseID: Int64?
    public var createdAt: String
    public var submittedAt: String?
    public var updatedAt: String
    public var version: Int64
    /// A reference people can quote on the phone without naming the offender.
    public var reference: String { String(format: "REF-%05lld", id) }
}

public struct ReferralEvent: Sendable, Equatable {
    public var event: String
    public var occurredAt: String
    public var userName: String
    public var note: String
}

public struct NominalRecord: Sendable, Equatable {
    public var id: Int64
    public var nominalRef: String
    public var familyName: String
    public var givenNames: String
    public var aliases: [String]
    public var dateOfBirth: CalendarDate?
    public var gender: String
    public var ethnicity: String
    public var pncID: String
    public var visorReference: String
    public var crn: String
    public var custodyStatus: CustodyStatus
    public var releaseDate: CalendarDate?
    public var currentAddress: String = ""
    public var noFixedAbode: Bool = false
    public var nfaArea: String = ""
    public var proposedReleaseAddress: String = ""
    public var version: Int64 = 1
    public var fullName: String { NominalListing.fullName(givenNames: givenNames, familyName: familyName) }
    /// The record as a list of search results shows it.
    public var listing: NominalListing {
        NominalListing(id: id, nominalRef: nominalRef, familyName: familyName, givenNames: givenNames, aliases: aliases,
                       dateOfBirth: dateOfBirth, pncID: pncID)
    }
    public var person: PersonDetails { details.person }
    /// The editable facts, as the edit form and `NominalRules` take them.
    public var details: NominalDetails {
        NominalDetails(familyName: familyName, givenNames: givenNames, aliases: aliases, dateOfBirth: dateOfBirth,
                       gender: gender, ethnicity: ethnicity, pncID: pncID, visorReference: visorReference, crn: crn,
                       currentAddress: currentAddress, noFixedAbode: noFixedAbode, nfaArea: nfaArea,
                       proposedReleaseAddress: proposedReleaseAddress, custodyStatus: custodyStatus, releaseDate: releaseDate)
    }
}

/// A nominal as a list of search results shows one: who they are and the identifiers that tell people apart.
public struct NominalListing: Sendable, Equatable {
    public var id: Int64
    public var nominalRef: String
    public var familyName: String
    public var givenNames: String
    public var aliases: [String]
    public var dateOfBirth: CalendarDate?
    public var pncID: String
    public var fullName: String { Self.fullName(givenNames: givenNames, familyName: familyName) }

    /// Given names, then the family name in capitals, as police records write a name.
    static func fullName(givenNames: String, familyName: String) -> String { "\(givenNames) \(familyName.uppercased())" }

    static let columns = "id, nominal_ref, family_name, given_names, date_of_birth, pnc_id, alias_list"

    /// From a row whose first columns are `columns`, in that order: read by position, as a page of results
    /// would otherwise look up 350 column names.
    init(_ row: Row) {
        self.init(id: row[0].int64 ?? 0, nominalRef: row[1].string ?? "", familyName: row[2].string ?? "",
                  givenNames: row[3].string ?? "", aliases: AliasList.decode(row[6].string ?? ""),
                  dateOfBirth: row[4].string.flatMap(CalendarDate.init), pncID: row[5].string ?? "")
    }

    public init(id: Int64, nominalRef: String, familyName: String, givenNames: String, aliases: [String],
                dateOfBirth: CalendarDate?, pncID: String) {
        self.id = id
        self.nominalRef = nominalRef
        self.familyName = familyName
        self.givenNames = givenNames
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.pncID = pncID
    }
}

public struct CaseRecord: Sendable, Equatable {
    public var id: Int64
    public var nominalID: Int64
    public var category: MappaCategory
    public var level: ManagementLevel
    public var leadAgencyID: Int64
    public var leadAgencyName: String
    public var leadAgencyCode: String = ""
    public var startDate: CalendarDate
    public var statutoryEndDate: CalendarDate?
    public var nextReviewDate: CalendarDate?
    public var lastReviewedOn: CalendarDate?
    public var rosh: RoSH?
    public var roshByGroup: [RiskGroup: RoSH]
    public var status: CaseStatus
    public var exitDate: CalendarDate?
    public var exitReason: String
    public var restricted: Bool
    public var version: Int64
    /// The MAPPA area's code and name; empty when none is recorded.
    public var areaCode: String = ""
    public var areaName: String = ""
    /// The editable facts, as the edit form and `CaseRules` take them.
    public var details: CaseDetails {
        CaseDetails(category: category, level: level, leadAgency: leadAgencyCode, startDate: startDate,
                    statutoryEndDate: statutoryEndDate, nextReviewDate: nextReviewDate, rosh: rosh, roshByGroup: roshByGroup,
                    status: status, exitDate: exitDate, exitReason: exitReason, area: areaCode)
    }
}

public struct CaseHistoryEntry: Sendable, Equatable {
    public var field: String
    public var oldValue: String
    public var newValue: String
    public var reason: String
    public var changedAt: String
    public var changedBy: String
}

/// What the screening panel decided.
public enum ScreeningOutcome: Sendable, Equatable {
    /// Accepted at a level. `existingNominalID` links the referral to a nominal already on record (a duplicate
    /// the coordinator confirmed); nil creates a new nominal.
    case accept(level: ManagementLevel, existingNominalID: Int64?)
    case decline(reason: String)
}

/// Referrals, screening, nominals and cases: the casework records, every change audited in the same
/// transaction, every view of personal data audited by the web layer.
public final class CaseworkService: Sendable {
    let database: Database
    let clock: Clock
    public let audit: AuditTrail
    /// Fixed timescales (tests); nil reads the unit's settings, so a change applies at once on every instance.
    let fixedTimescales: Timescales?
    public var timescales: Timescales { fixedTimescales ?? TimescaleSettings.load(database) }

    public init(database: Database, clock: Clock = .system, timescales: Timescales? = nil) {
        self.database = database
        self.clock = clock
        self.audit = AuditTrail(database: database, clock: clock)
        self.fixedTimescales = timescales
    }

    public var today: CalendarDate { CalendarDate(clock.now()) }
    var now: String { Timestamp.string(clock.now()) }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func actor(_ user: User, _ address: String) -> Actor {
        Actor(userID: user.id, username: user.username, clientAddress: address)
    }

    // MARK: referrals

    static let referralSelect = """
        SELECT referrals.*, users.display_name AS referrer_name, agencies.name AS agency_name
        FROM referrals JOIN users ON users.id = referrals.referrer_user_id
        JOIN agencies ON agencies.id = referrals.referring_agency_id
        """

    static func referral(_ row: Row) throws -> ReferralRecord {
        let form = try JSONDecoder().decode(ReferralForm.self, from: Data(row.string("form_json").utf8))
        return ReferralRecord(id: row.int64("id"), status: ReferralStatus(rawValue: row.string("status")) ?? .draft,
                              form: form, referrerUserID: row.int64("referrer_user_id"),
                              referrerName: row.string("referrer_name"), referringAgency: row.string("agency_name"),
                              nominalID: row["nominal_id"].int64, caseID: row["case_id"].int64,
                              createdAt: row.string("created_at"), submittedAt: row["submitted_at"].string,
                              updatedAt: row.string("updated_at"), version: row.int64("version"))
    }

    public func referral(id: Int64) throws -> ReferralRecord? {
        try database.read { try $0.queryOne(Self.referralSelect + " WHERE referrals.id = ?", [.integer(id)]).map(Self.referral) }
    }

    /// Referrers see their own referrals; the coordinator sees everyone's.
    public func referrals(visibleTo user: User, statuses: [ReferralStatus]? = nil, limit: Int = 200) throws -> [ReferralRecord] {
        var sql = Self.referralSelect + " WHERE 1 = 1"
        var parameters: [SQLValue] = []
        if !user.role.can(.manageReferrals) {
            sql += " AND referrals.referrer_user_id = ?"
            parameters.append(.integer(user.id))
        }
        if let statuses, !statuses.isEmpty {
            sql += " AND referrals.status IN (" + statuses.map { _ in "?" }.joined(separator: ", ") + ")"
            parameters += statuses.map { .text($0.rawValue) }
        }
        sql += " ORDER BY referrals.updated_at DESC, referrals.id DESC LIMIT ?"
        parameters.append(.integer(Int64(limit)))
        return try database.read { try $0.query(sql, parameters).map(Self.referral) }
    }

    public func canView(referral: ReferralRecord, user: User) -> Bool {
        user.role.can(.manageReferrals) || referral.referrerUserID == user.id
    }

    /// The referrals that led to this case, oldest first.
    public func referralIDs(caseID: Int64) throws -> [Int64] {
        try database.read { try $0.query("SELECT id FROM referrals WHERE case_id = ? ORDER BY id", [.integer(caseID)]).map { $0.int64("id") } }
    }

    public func events(referralID: Int64) throws -> [ReferralEvent] {
        try database.read { connection in
            try connection.query("""
                SELECT referral_events.*, COALESCE(users.display_name, '') AS user_name FROM referral_events
                LEFT JOIN users ON users.id = referral_events.user_id WHERE referral_id = ? ORDER BY referral_events.id
                """, [.integer(referralID)]).map {
                ReferralEvent(event: $0.string("event"), occurredAt: $0.string("occurred_at"),
                              userName: $0.string("user_name"), note: $0.string("note"))
            }
        }
    }

    func addEvent(_ connection: Connection, referralID: Int64, event: String, user: User, note: String = "") throws {
        try connection.execute("INSERT INTO referral_events (referral_id, event, occurred_at, user_id, note) VALUES (?, ?, ?, ?, ?)",
                               [.integer(referralID), .text(event), .text(now), .integer(user.id), .text(note)])
    }

    public func createReferral(_ form: ReferralForm, by user: User, from address: String) throws -> ReferralRecord {
        let id = try database.write { connection in
            let id = try connection.insert("""
                INSERT INTO referrals (status, form_json, referrer_user_id, referring_agency_id, created_at, updated_at)
                VALUES ('draft', ?, ?, ?, ?, ?)
                """, [.text(try Self.encode(form)), .integer(user.id), .integer(user.agencyID), .text(now), .text(now)])
            try addEvent(connection, referralID: id, event: "Draft started", user: user)
            try audit.append(connection, actor: Self.actor(user, address), action: .create, subjectType: "referral",
                             subjectID: String(id))
            return id
        }
        guard let record = try referral(id: id) else { throw StoreError.notFound("The referral") }
        return record
    }

    /// Saves the form if the referral is still editable by this person and nobody saved it in between.
    public func updateReferral(id: Int64, form: ReferralForm, expectedVersion: Int64, by user: User, from address: String) throws {
        guard let existing = try referral(id: id), canView(referral: existing, user: user) else {
            throw StoreError.notFound("The referral")
        }
        guard existing.status.referrerCanEdit || (user.role.can(.manageReferrals) && !existing.status.isClosed) else {
            throw StoreError("not_editable", "This referral can no longer be changed: it is \(existing.status.displayName.lowercased())")
        }
        try database.write { connection in
            let changed = try connection.execute(
                "UPDATE referrals SET form_json = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                [.text(try Self.encode(form)), .text(now), .integer(id), .integer(expectedVersion)])
            guard changed == 1 else { throw StoreError.editConflict }
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "referral",
                             subjectID: String(id))
        }
    }

    /// Submits (or resubmits after a return) and returns the quality findings it was submitted with.
    @discardableResult
    public func submitReferral(id: Int64, by user: User, from address: String) throws -> [QualityFinding] {
        guard let existing = try referral(id: id), canView(referral: existing, user: user) else {
            throw StoreError.notFound("The referral")
        }
        guard existing.status.referrerCanEdit else {
            throw StoreError("not_submittable", "This referral has already been submitted")
        }
        let findings = ReferralQualityCheck(timescales: timescales).findings(existing.form, today: today)
        let newStatus: ReferralStatus = existing.status == .returned ? .resubmitted : .submitted
        let summary = findings.isEmpty ? "No quality findings"
            : "\(findings.filter { $0.kind != .warning }.count) to fix, \(findings.filter { $0.kind == .warning }.count) to check"
        try database.write { connection in
            try connection.execute("UPDATE referrals SET status = ?, submitted_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.text(newStatus.rawValue), .text(now), .text(now), .integer(id)])
            try addEvent(connection, referralID: id, event: newStatus == .resubmitted ? "Resubmitted" : "Submitted",
                         user: user, note: summary)
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "referral",
                             subjectID: String(id), detail: newStatus.rawValue)
        }
        return findings
    }

    /// The coordinator sends a referral back with reasons; the referrer can then edit and resubmit.
    public func returnReferral(id: Int64, reasons: String, by user: User, from address: String) throws {
        let trimmed = reasons.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw AccountService.ValidationFailure(problems: [
                ValidationProblem(field: "reasons", message: "Say what the referrer needs to add or correct"),
            ])
        }
        guard let existing = try referral(id: id) else { throw StoreError.notFound("The referral") }
        guard existing.status.awaitingCoordinator else {
            throw StoreError("not_returnable", "Only a submitted referral can be returned")
        }
        try database.write { connection in
            try connection.execute("UPDATE referrals SET status = 'returned', updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.text(now), .integer(id)])
            try addEvent(connection, referralID: id, event: "Returned to referrer", user: user, note: trimmed)
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "referral",
                             subjectID: String(id), detail: "returned")
        }
    }

    // MARK: duplicates and nominals

    static func person(_ form: ReferralForm) -> PersonDetails {
        PersonDetails(familyName: form.familyName, givenNames: form.givenNames, aliases: form.aliases,
                      dateOfBirth: form.dateOfBirth, pncID: form.pncID, visorReference: form.visorReference, crn: form.crn)
    }

    static func nominal(_ row: Row, aliases: [String]) -> NominalRecord {
        NominalRecord(id: row.int64("id"), nominalRef: row.string("nominal_ref"), familyName: row.string("family_name"),
                      givenNames: row.string("given_names"), aliases: aliases,
                      dateOfBirth: row["date_of_birth"].string.flatMap(CalendarDate.init),
                      gender: row.string("gender"), ethnicity: row.string("ethnicity"), pncID: row.string("pnc_id"),
                      visorReference: row.string("visor_ref"), crn: row.string("crn"),
                      custodyStatus: CustodyStatus(rawValue: row.string("custody_status")) ?? .community,
                      releaseDate: row["release_date"].string.flatMap(CalendarDate.init),
                      currentAddress: row.string("current_address"), noFixedAbode: row.bool("no_fixed_abode"),
                      nfaArea: row.string("nfa_area"), proposedReleaseAddress: row.string("proposed_release_address"),
                      version: row.int64("version"))
    }

    func nominals(_ connection: Connection, ids: [Int64]) throws -> [NominalRecord] {
        guard !ids.isEmpty else { return [] }
        let placeholders = ids.map { _ in "?" }.joined(separator: ", ")
        return try connection.query("SELECT * FROM nominals WHERE id IN (\(placeholders))", ids.map { SQLValue.integer($0) }).map {
            Self.nominal($0, aliases: AliasList.decode($0.string("alias_list")))
        }
    }

    public func nominal(id: Int64) throws -> NominalRecord? {
        try database.read { try nominals($0, ids: [id]).first }
    }

    /// Existing nominals that may be the person on this referral, best first, with the reasons.
    public func duplicateCandidates(for form: ReferralForm, limit: Int = 10) throws -> [(NominalRecord, DuplicateCandidate)] {
        let person = Self.person(form)
        let keys = DuplicateMatcher.searchKeys(person).filter { !$0.hasPrefix("n:") || $0.count > 3 }
        var candidateIDs = Set<Int64>()
        try database.read { connection in
            if !keys.isEmpty {
                let placeholders = keys.map { _ in "?" }.joined(separator: ", ")
                for row in try connection.query("SELECT DISTINCT nominal_id FROM nominal_search_keys WHERE key IN (\(placeholders)) LIMIT 2000",
                                                keys.sorted().map { .text($0) }) {
                    candidateIDs.insert(row.int64("nominal_id"))
                }
            }
            if let dob = person.dateOfBirth {
                var dates = [dob.description]
                if dob.day <= 12 { dates.append(String(format: "%04d-%02d-%02d", dob.year, dob.day, dob.month)) }
                for row in try connection.query("SELECT id FROM nominals WHERE date_of_birth IN (?, ?)",
                                                [.text(dates[0]), .text(dates.count > 1 ? dates[1] : dates[0])]) {
                    candidateIDs.insert(row.int64("id"))
                }
            }
        }
        let records = try database.read { try nominals($0, ids: Array(candidateIDs.prefix(2000))) }
        return records.compactMap { record in
            DuplicateMatcher.match(person, against: record.person, nominalID: record.id).map { (record, $0) }
        }.sorted { $0.1.score > $1.1.score }.prefix(limit).map { $0 }
    }

    /// Finds nominals by name or alias (case- and accent-insensitive, any order, each word may be the start of
    /// a name), by date of birth (YYYY-MM-DD or DD/MM/YYYY), or by PNC ID, ViSOR reference, CRN or nominal
    /// reference. Results are in name order; `limit` caps them (ask for one more to know there are more).
    public func searchNominals(_ query: String, limit: Int = 50, visibleTo user: User? = nil) throws -> [NominalRecord] {
        try search(query, limit: limit, visibleTo: user, columns: "*") { Self.nominal($0, aliases: AliasList.decode($0.string("alias_list"))) }
    }

    /// The same search as `searchNominals`, reading only what a list of results shows: a page of 50 people
    /// read whole was 1,000 strings made and dropped per search.
    public func searchNominalListings(_ query: String, limit: Int = 50, visibleTo user: User? = nil) throws -> [NominalListing] {
        try search(query, limit: limit, visibleTo: user, columns: NominalListing.columns, NominalListing.init)
    }

    /// The search itself: `columns` of `nominals` (with `id`) read for the results, each made into `T` with its aliases.
    private func search<T>(_ query: String, limit: Int, visibleTo user: User?, columns: String,
                           _ make: (Row) -> T) throws -> [T] {
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return [] }
        let select = "SELECT \(columns) FROM nominals"
        return try database.read { connection in
            let filter = try user.map { try Self.hiddenNominalsFilter($0, connection) } ?? ""
            let order = filter + " ORDER BY family_name, given_names, id LIMIT ?"
            let rows: [Row]
            if let date = Self.parseSearchDate(trimmed) {
                rows = try connection.query(select + " WHERE date_of_birth = ?" + order,
                                            [.text(date.description), .integer(Int64(limit))])
            } else if trimmed.rangeOfCharacter(from: .decimalDigits) != nil {
                let identifier = DuplicateMatcher.normalisedIdentifier(trimmed)
                // The few matching ids first, then the records by id: in one statement with the need-to-know
                // filter, PostgreSQL estimated a quarter of all nominals and scanned them all (30 ms at 100k).
                let ids = try connection.query("""
                    SELECT id FROM nominals WHERE nominal_ref = ?
                    UNION SELECT nominal_id AS id FROM nominal_search_keys WHERE key IN (?, ?, ?)
                    """, [.text(trimmed.uppercased()), .text("pnc:" + identifier), .text("visor:" + identifier),
                          .text("crn:" + identifier)]).prefix(1000).map { SQLValue.integer($0.int64("id")) }
                rows = ids.isEmpty ? [] : try connection.query(
                    select + " WHERE id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))" + order,
                    ids + [.integer(Int64(limit))])
            } else {
                // The longest word drives the join: a longer prefix matches fewer names, so fewer lookups follow.
                let tokens = Array(DuplicateMatcher.tokens(trimmed).prefix(4)).sorted { $0.count > $1.count }
                guard !tokens.isEmpty else { return [] }
                // Every word must match the start of one of the person's names or aliases. One word: a range of the
                // name keys. Two or more: the first two as a range of the word-pair keys filtered by the second
                // word (one short sequential read), then any further words joined on the nominal.
                let firstWord: (lower: SQLValue, upper: SQLValue) = (.text("n:" + tokens[0]), .text("n:" + tokens[0] + "\u{10FFFF}"))
                // The name key, when only one name in the index starts with the first word ("ashdown"; "hollins"
                // when nobody is called Hollinsworth; "cholm" for Cholmondeley).
                let onlyName = try Self.onlyKey(connection, from: firstWord.lower, before: firstWord.upper)
                if tokens.count == 1, let onlyName {
                    // One statement: the key's entries, already in name order, each with its record and need-to-know,
                    // until a page is full. Ids read first and bound back into a second statement cost a temporary
                    // index of the ids and a dictionary to put the records back in order; a window of entries read
                    // and sorted was half the search's SQL time.
                    rows = try connection.query(select + " JOIN nominal_search_keys k ON k.nominal_id = nominals.id WHERE k.key = ?"
                                                + filter + " ORDER BY k.sort_name, k.nominal_id LIMIT ?",
                                                [onlyName, .integer(Int64(limit))])
                } else {
                    var sql = "SELECT k0.nominal_id, k0.sort_name FROM nominal_search_keys k0"
                    var parameters: [SQLValue] = []
                    for index in 2..<max(2, tokens.count) where tokens.count > 2 {
                        sql += " JOIN nominal_search_keys k\(index) ON k\(index).nominal_id = k0.nominal_id AND k\(index).key >= ? AND k\(index).key < ?"
                        parameters += [.text("n:" + tokens[index]), .text("n:" + tokens[index] + "\u{10FFFF}")]
                    }
                    if tokens.count == 1 {
                        sql += " WHERE k0.key >= ? AND k0.key < ?"
                        parameters += [firstWord.lower, firstWord.upper]
                    } else if let name = onlyName?.string?.dropFirst(2) {
                        // Every pair key the first word starts begins with that one name whole, then a space, so its
                        // pairs with the second word are one short range. Matched by LIKE, every pair starting with a
                        // common name was read: two-thirds of the two-word search's instructions.
                        let pair = "p:" + name + " " + tokens[1]
                        sql += " WHERE k0.key >= ? AND k0.key < ?"
                        parameters += [.text(pair), .text(pair + "\u{10FFFF}")]
                    } else {
                        sql += " WHERE k0.key >= ? AND k0.key < ? AND k0.key LIKE ?"
                        parameters += [.text("p:" + tokens[0]), .text("p:" + tokens[0] + "\u{10FFFF}"),
                                       .text("p:\(tokens[0])% \(tokens[1])%")]
                    }
                    // Read candidates in index order and stop after a few hundred: a common name (1,300 "Smith"s)
                    // then costs the same as a rare one, and the page asks for more of the name. Each entry carries
                    // the person's sort name, so the candidates are put in name order without reading a single
                    // record. Up to that many matching names the results are complete and in name order.
                    sql += " ORDER BY k0.key, k0.sort_name, k0.nominal_id LIMIT ?"
                    parameters.append(.integer(Int64(max(limit * 4, Self.searchCandidates))))
                    // A page's worth of candidates and a few spare (for people the user may not see) nearly always
                    // fill the page; all of them only when more were hidden than that.
                    func candidates(first count: Int?) throws -> (ids: [Int64], complete: Bool) {
                        var seen = Set<Int64>()
                        let found = try connection.query("SELECT nominal_id FROM (\(sql)) c ORDER BY sort_name, nominal_id"
                                                         + (count.map { " LIMIT \($0)" } ?? ""), parameters)
                        return (found.map { $0.int64("nominal_id") }.filter { seen.insert($0).inserted },
                                found.count < (count ?? .max))
                    }
                    let first = try candidates(first: limit + 8)
                    let page = try Self.records(connection, select: select, inOrder: first.ids, limit: limit, filter: filter)
                    rows = page.count < limit && !first.complete
                        ? try Self.records(connection, select: select, inOrder: try candidates(first: nil).ids, limit: limit,
                                           filter: filter) : page
                }
            }
            return rows.map(make)
        }
    }

    /// The key, when every search key from `lower` up to `upper` is the same one: the first and the last of the
    /// range, each one step down the index.
    static func onlyKey(_ connection: Connection, from lower: SQLValue, before upper: SQLValue) throws -> SQLValue? {
        let ends = try connection.queryOne("""
            SELECT (SELECT key FROM nominal_search_keys WHERE key >= ? AND key < ? ORDER BY key LIMIT 1) AS first_key,
                   (SELECT key FROM nominal_search_keys WHERE key >= ? AND key < ? ORDER BY key DESC LIMIT 1) AS last_key
            """, [lower, upper, lower, upper])
        guard let first = ends?["first_key"], !first.isNull, first == ends?["last_key"] else { return nil }
        return first
    }

    /// The records for `ids` that pass `filter`, in the order of `ids`, at most `limit`: read a page's worth at a
    /// time (a few spare for people the user may not see), so a search reads about as many records as it shows
    /// rather than every candidate.
    static func records(_ connection: Connection, select: String, inOrder ids: [Int64], limit: Int, filter: String) throws -> [Row] {
        var found: [Row] = []
        var next = 0
        while found.count < limit, next < ids.count {
            let chunk = Array(ids[next..<min(ids.count, next + limit - found.count + 8)])
            next += chunk.count
            var byID: [Int64: Row] = [:]
            for row in try connection.query(select + " WHERE id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))"
                                             + filter, chunk.map { .integer($0) }) {
                byID[row.int64("id")] = row
            }
            found += chunk.compactMap { byID[$0] }
        }
        return Array(found.prefix(limit))
    }

    /// SQL that leaves out nominals with a case the user is excluded from, or a restricted case the user is
    /// not named on: need-to-know applies to finding the person, not only to opening the case. Correlated, so
    /// it is checked only for the few candidate rows: as `id NOT IN (every restricted case…)` it read all the
    /// restricted cases on every search, 85% of a name search's SQL time at 100k nominals. The exclusion check
    /// is left out for a user excluded from nothing (most users), which saves a lookup per row.
    static func hiddenNominalsFilter(_ user: User, _ connection: Connection) throws -> String {
        var filter = """
             AND NOT EXISTS (SELECT 1 FROM cases WHERE cases.nominal_id = nominals.id AND cases.restricted = 1 AND NOT EXISTS (
                    SELECT 1 FROM case_access a WHERE a.case_id = cases.id AND a.user_id = \(user.id) AND a.kind = 'allow'))
            """
        if try connection.queryOne("SELECT 1 AS excluded FROM case_access WHERE user_id = ? AND kind = 'exclude' LIMIT 1",
                                   [.integer(user.id)]) != nil {
            filter += """
                 AND NOT EXISTS (SELECT 1 FROM cases JOIN case_access a ON a.case_id = cases.id
                        WHERE cases.nominal_id = nominals.id AND a.user_id = \(user.id) AND a.kind = 'exclude')
                """
        }
        return filter
    }

    /// Need-to-know for a nominal record: refused when any of the person's cases refuses the user by name or
    /// restriction, so an excluded user cannot read the person's details through the nominal page either.
    public func nominalAccess(nominalID: Int64, user: User) throws -> AccessDecision {
        guard user.role.can(.viewCases) else { return .refused(reason: "role has no access to nominal records") }
        for record in try cases(nominalID: nominalID) {
            if case .refused(let reason) = try access(caseID: record.id, user: user) { return .refused(reason: reason) }
        }
        return .allowed
    }

    /// How many index entries a name search reads at most before it asks for more of the name.
    public static let searchCandidates = 200

    public static func parseSearchDate(_ text: String) -> CalendarDate? {
        if let date = CalendarDate(text) { return date }
        let parts = text.split(separator: "/")
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), parts[2].count == 4 else { return nil }
        return CalendarDate(String(format: "%@-%02d-%02d", String(parts[2]), month, day))
    }

    func insertNominal(_ connection: Connection, _ form: ReferralForm) throws -> Int64 {
        let id = try connection.insert("""
            INSERT INTO nominals (nominal_ref, family_name, given_names, date_of_birth, gender, ethnicity, pnc_id, visor_ref,
                                  crn, current_address, no_fixed_abode, nfa_area, proposed_release_address, custody_status,
                                  release_date, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text("PENDING-" + UUID().uuidString), .text(form.familyName), .text(form.givenNames),
                  .init(form.dateOfBirth?.description), .text(form.gender), .text(form.ethnicity), .text(form.pncID),
                  .text(form.visorReference), .text(form.crn), .text(form.currentAddress), .init(form.noFixedAbode),
                  .text(form.nfaArea), .text(form.proposedReleaseAddress),
                  .text((form.custodyStatus ?? .community).rawValue), .init(form.releaseDate?.description),
                  .text(now), .text(now)])
        try connection.execute("UPDATE nominals SET nominal_ref = ? WHERE id = ?",
                               [.text(String(format: "NOM-%06lld", id)), .integer(id)])
        try AliasList.replace(connection, nominalID: id, with: form.aliases.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty },
                              isNew: true)
        try indexNominal(connection, id: id, person: Self.person(form))
        return id
    }

    func indexNominal(_ connection: Connection, id: Int64, person: PersonDetails) throws {
        try connection.execute("DELETE FROM nominal_search_keys WHERE nominal_id = ?", [.integer(id)])
        try SearchKeyBatch(count: 1) { _ in person }.write(connection, nominalIDs: [id])
    }

    // MARK: screening and cases

    /// Records the panel's decision. Accepting creates the nominal (or links the confirmed existing one) and
    /// creates the MAPPA case, or updates that nominal's active case, with the first review date from the
    /// configured intervals. Returns the case id when accepted.
    @discardableResult
    public func recordScreening(referralID: Int64, outcome: ScreeningOutcome, facts: ScreeningFacts, rationale: String,
                                by user: User, from address: String) throws -> Int64? {
        guard let referral = try referral(id: referralID) else { throw StoreError.notFound("The referral") }
        var problems: [ValidationProblem] = []
        if rationale.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(ValidationProblem(field: "rationale", message: "Record the panel's reasons for the decision"))
        }
        if case .decline(let reason) = outcome, reason.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationProblem(field: "decline_reason", message: "Say why the referral is declined"))
        }
        let form = referral.form
        if case .accept(let level, _) = outcome {
            if level == .unknown { problems.append(ValidationProblem(field: "level", message: "Select the level the panel agreed")) }
            if form.category == .three, level == .one {
                problems.append(ValidationProblem(field: "level", message: "Category 3 offenders are managed only at Level 2 or Level 3"))
            }
            if form.category == nil {
                problems.append(ValidationProblem(field: "level", message: "The referral has no category: return it to the referrer first"))
            }
            if form.familyName.isEmpty || form.givenNames.isEmpty {
                problems.append(ValidationProblem(field: "level", message: "The referral has no name for the offender: return it to the referrer first"))
            }
        }
        guard referral.status.awaitingCoordinator else {
            throw StoreError("not_screenable", "Only a submitted referral can be screened")
        }
        let leadAgency = try AccountStore(database: database).agency(code: form.leadAgency)
        if case .accept = outcome, leadAgency == nil {
            problems.append(ValidationProblem(field: "level", message: "The referral names no lead agency: return it to the referrer first"))
        }
        guard problems.isEmpty else { throw AccountService.ValidationFailure(problems: problems) }
        let recommendation = LevelRecommendation.recommend(facts)
        let decisionDate = today
        let actor = Self.actor(user, address)
        return try database.write { connection -> Int64? in
            var caseID: Int64?
            var nominalID: Int64?
            var levelValue: SQLValue = .null
            let decision: String
            switch outcome {
            case .decline(let reason):
                decision = "declined"
                try addEvent(connection, referralID: referralID, event: "Declined at screening", user: user, note: reason)
            case .accept(let level, let existingNominalID):
                decision = "accepted"
                levelValue = .integer(Int64(level.rawValue))
                let nominal = try existingNominalID ?? insertNominal(connection, form)
                nominalID = nominal
                if existingNominalID != nil {
                    try audit.append(connection, actor: actor, action: .update, subjectType: "nominal", subjectID: String(nominal),
                                     detail: "linked to referral \(referralID) as a confirmed duplicate")
                } else {
                    try audit.append(connection, actor: actor, action: .create, subjectType: "nominal", subjectID: String(nominal),
                                     detail: "from referral \(referralID)")
                }
                caseID = try upsertCase(connection, nominalID: nominal, form: form, level: level, leadAgencyID: leadAgency!.id,
                                        decisionDate: decisionDate, user: user, actor: actor, referralID: referralID)
                // Agencies involved: the lead, the referrer's, and any the referral names. They drive need-to-know.
                var involved: Set<Int64> = [leadAgency!.id, try referringAgencyID(connection, referralID)]
                for code in form.agenciesInvolved {
                    if let row = try connection.queryOne("SELECT id FROM agencies WHERE code = ?", [.text(code)]) {
                        involved.insert(row.int64("id"))
                    }
                }
                for agencyID in involved {
                    try connection.execute("INSERT INTO case_agencies (case_id, agency_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM case_agencies WHERE case_id = ? AND agency_id = ?)",
                                           [.integer(caseID!), .integer(agencyID), .integer(caseID!), .integer(agencyID)])
                }
                try addEvent(connection, referralID: referralID, event: "Accepted at \(level.shortName)", user: user)
            }
            try connection.execute("""
                INSERT INTO screening_decisions (referral_id, decision, level, recommended_level, facts_json,
                                                 recommendation_json, rationale, decided_on, decided_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(referralID), .text(decision), levelValue, .init(recommendation.level.map { Int64($0.rawValue) }),
                      .text(try Self.encode(facts)), .text(try Self.encode(recommendation)), .text(rationale),
                      .text(decisionDate.description), .integer(user.id)])
            try connection.execute("UPDATE referrals SET status = ?, nominal_id = ?, case_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                   [.text(decision), .init(nominalID), .init(caseID), .text(now), .integer(referralID)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "referral", subjectID: String(referralID),
                             detail: "screened: \(decision)")
            return caseID
        }
    }

    func referringAgencyID(_ connection: Connection, _ referralID: Int64) throws -> Int64 {
        try connection.queryOne("SELECT referring_agency_id FROM referrals WHERE id = ?", [.integer(referralID)])?
            .int64("referring_agency_id") ?? 0
    }

    func upsertCase(_ connection: Connection, nominalID: Int64, form: ReferralForm, level: ManagementLevel, leadAgencyID: Int64,
                    decisionDate: CalendarDate, user: User, actor: Actor, referralID: Int64) throws -> Int64 {
        let category = form.category ?? .three
        let nextReview = timescales.nextReviewDue(after: decisionDate, level: level)
        let statutoryEnd = category == .one ? form.notificationEndDate : (category == .two ? form.licenceEndDate : nil)
        let reason = "Screening decision on referral \(String(format: "REF-%05lld", referralID))"
        if let existing = try connection.queryOne("SELECT id, category, level, rosh FROM cases WHERE nominal_id = ? AND status = 'active'",
                                                  [.integer(nominalID)]) {
            let caseID = existing.int64("id")
            for (field, old, new) in [("category", existing.string("category"), String(category.rawValue)),
                                      ("level", existing.string("level"), String(level.rawValue)),
                                      ("rosh", existing.string("rosh"), form.roshOverall?.rawValue ?? "")] where old != new {
                try addHistory(connection, caseID: caseID, field: field, old: old, new: new, reason: reason, user: user)
            }
            try connection.execute("""
                UPDATE cases SET category = ?, level = ?, lead_agency_id = ?, next_review_date = ?, rosh = ?,
                    updated_at = ?, version = version + 1 WHERE id = ?
                """, [.integer(Int64(category.rawValue)), .integer(Int64(level.rawValue)), .integer(leadAgencyID),
                      .init(nextReview?.description), .init(form.roshOverall?.rawValue), .text(now), .integer(caseID)])
            try audit.append(connection, actor: actor, action: .update, subjectType: "case", subjectID: String(caseID),
                             detail: "level \(level.rawValue) at screening")
            return caseID
        }
        let caseID = try connection.insert("""
            INSERT INTO cases (nominal_id, category, level, lead_agency_id, start_date, statutory_end_date, next_review_date,
                               rosh, rosh_children, rosh_public, rosh_known_adult, rosh_staff, status, restricted,
                               created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
            """, [.integer(nominalID), .integer(Int64(category.rawValue)), .integer(Int64(level.rawValue)),
                  .integer(leadAgencyID), .text(decisionDate.description), .init(statutoryEnd?.description),
                  .init(nextReview?.description), .init(form.roshOverall?.rawValue),
                  .init(form.roshByGroup[.children]?.rawValue), .init(form.roshByGroup[.publicAtLarge]?.rawValue),
                  .init(form.roshByGroup[.knownAdult]?.rawValue), .init(form.roshByGroup[.staff]?.rawValue),
                  .init(category == .four), .text(now), .text(now)])
        try addHistory(connection, caseID: caseID, field: "created", old: "",
                       new: "\(category.shortName), \(level.shortName)", reason: reason, user: user)
        if category == .four {
            // Category 4 (terrorism) cases are restricted by default: only named users see them.
            try connection.execute("INSERT INTO case_access (case_id, user_id, kind) VALUES (?, ?, 'allow')",
                                   [.integer(caseID), .integer(user.id)])
        }
        try audit.append(connection, actor: actor, action: .create, subjectType: "case", subjectID: String(caseID),
                         detail: "\(category.shortName), \(level.shortName)")
        return caseID
    }

    func addHistory(_ connection: Connection, caseID: Int64, field: String, old: String, new: String, reason: String, user: User) throws {
        try connection.execute("""
            INSERT INTO case_history (case_id, field, old_value, new_value, reason, changed_at, changed_by)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.integer(caseID), .text(field), .text(old), .text(new), .text(reason), .text(now), .integer(user.id)])
    }

    static let caseSelect = """
        SELECT cases.*, agencies.name AS lead_agency_name, agencies.code AS lead_agency_code, areas.code AS area_code,
               areas.name AS area_name
        FROM cases JOIN agencies ON agencies.id = cases.lead_agency_id LEFT JOIN areas ON areas.id = cases.area_id
        """

    static func caseRecord(_ row: Row) -> CaseRecord {
        var groups: [RiskGroup: RoSH] = [:]
        for (group, column) in [(RiskGroup.children, "rosh_children"), (.publicAtLarge, "rosh_public"),
                                (.knownAdult, "rosh_known_adult"), (.staff, "rosh_staff")] {
            if let value = row[column].string.flatMap(RoSH.init(rawValue:)) { groups[group] = value }
        }
        let date = { (column: String) in row[column].string.flatMap(CalendarDate.init) }
        return CaseRecord(id: row.int64("id"), nominalID: row.int64("nominal_id"),
                          category: MappaCategory(rawValue: row["category"].int ?? 3) ?? .three,
                          level: ManagementLevel(rawValue: row["level"].int ?? 0) ?? .unknown,
                          leadAgencyID: row.int64("lead_agency_id"), leadAgencyName: row.string("lead_agency_name"),
                          leadAgencyCode: row.string("lead_agency_code"),
                          startDate: date("start_date") ?? CalendarDate(daysSinceEpoch: 0),
                          statutoryEndDate: date("statutory_end_date"), nextReviewDate: date("next_review_date"),
                          lastReviewedOn: date("last_reviewed_on"), rosh: row["rosh"].string.flatMap(RoSH.init(rawValue:)),
                          roshByGroup: groups, status: CaseStatus(rawValue: row.string("status")) ?? .active,
                          exitDate: date("exit_date"), exitReason: row.string("exit_reason"),
                          restricted: row.bool("restricted"), version: row.int64("version"),
                          areaCode: row.string("area_code"), areaName: row.string("area_name"))
    }

    public func caseRecord(id: Int64) throws -> CaseRecord? {
        try database.read { try $0.queryOne(Self.caseSelect + " WHERE cases.id = ?", [.integer(id)]).map(Self.caseRecord) }
    }

    public func cases(nominalID: Int64) throws -> [CaseRecord] {
        try database.read { try $0.query(Self.caseSelect + " WHERE cases.nominal_id = ? ORDER BY cases.id DESC", [.integer(nominalID)]).map(Self.caseRecord) }
    }

    public func history(caseID: Int64) throws -> [CaseHistoryEntry] {
        try database.read { connection in
            try connection.query("""
                SELECT case_history.*, COALESCE(users.display_name, '') AS user_name FROM case_history
                LEFT JOIN users ON users.id = case_history.changed_by WHERE case_id = ? ORDER BY case_history.id
                """, [.integer(caseID)]).map {
                CaseHistoryEntry(field: $0.string("field"), oldValue: $0.string("old_value"), newValue: $0.string("new_value"),
                                 reason: $0.string("reason"), changedAt: $0.string("changed_at"), changedBy: $0.string("user_name"))
            }
        }
    }

    public enum AccessDecision: Sendable, Equatable {
        case allowed
        case refused(reason: String)
    }

    /// Need-to-know for one case: a named exclusion always refuses; a restricted case (Category 4 by default)
    /// admits only named users; otherwise unit staff see every case and partner-agency staff only cases their
    /// agency is involved in.
    public func access(caseID: Int64, user: User) throws -> AccessDecision {
        guard let record = try caseRecord(id: caseID) else { return .refused(reason: "no such case") }
        return try access(to: record, user: user)
    }

    /// The same decision for a case already read (a page that shows it reads it once).
    public func access(to record: CaseRecord, user: User) throws -> AccessDecision {
        let caseID = record.id
        let entry = try database.read {
            try $0.queryOne("SELECT kind FROM case_access WHERE case_id = ? AND user_id = ?", [.integer(caseID), .integer(user.id)])?["kind"].string
        }
        if entry == "exclude" { return .refused(reason: "named on the case's exclusion list") }
        if record.restricted && entry != "allow" { return .refused(reason: "restricted case; not on its access list") }
        if user.role.can(.viewCases) { return .allowed }
        if user.role.can(.viewInvolvedCases) {
            let involved = try database.read {
                try $0.queryOne("SELECT 1 AS yes FROM case_agencies WHERE case_id = ? AND agency_id = ?",
                                [.integer(caseID), .integer(user.agencyID)]) != nil
            }
            return involved ? .allowed : .refused(reason: "agency not involved in the case")
        }
        return .refused(reason: "role has no access to cases")
    }

    /// Names a user on a case's exclusion ("exclude") or access ("allow") list.
    public func setAccess(caseID: Int64, userID: Int64, kind: String?, by user: User, from address: String) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM case_access WHERE case_id = ? AND user_id = ?", [.integer(caseID), .integer(userID)])
            if let kind {
                try connection.execute("INSERT INTO case_access (case_id, user_id, kind) VALUES (?, ?, ?)",
                                       [.integer(caseID), .integer(userID), .text(kind)])
            }
            try audit.append(connection, actor: Self.actor(user, address), action: .update, subjectType: "case",
                             subjectID: String(caseID), detail: "access list: user \(userID) \(kind ?? "removed")")
        }
    }
}
