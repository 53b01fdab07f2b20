import Database
import Domain
import Foundation

/// Who may be sent a case's details by email, outside the pages: a meeting's invitees (the minutes) and actions'
/// owners (reminders and digests), known by an email address and an agency. Someone whose account has that address is
/// held to `CaseVisibility` as that person; someone without an account needs their agency involved in the case, and a
/// restricted case goes only to people named on its access list.
struct CaseRecipients {
    struct CaseFacts {
        var restricted: Bool
        var category: MappaCategory
        var involved: Set<Int64>
        var named: [Int64: CaseAccessKind]
    }

    let cases: [Int64: CaseFacts]
    /// Active accounts by lower-case email address.
    let accounts: [String: User]

    /// The facts of `caseIDs`, read in one go.
    static func load(_ connection: Connection, caseIDs: [Int64], users: [User]) throws -> CaseRecipients {
        var cases: [Int64: CaseFacts] = [:]
        let ids = Array(Set(caseIDs))
        if !ids.isEmpty {
            let list = SQL.placeholders(ids.count)
            for row in try connection.query("SELECT id, restricted, category FROM cases WHERE id IN (\(list))", SQL.ids(ids)) {
                cases[try row.value("id")] = CaseFacts(restricted: try row.value("restricted"), category: try row.value("category"),
                                                      involved: [], named: [:])
            }
            for row in try connection.query("SELECT case_id, agency_id FROM case_agencies WHERE case_id IN (\(list))", SQL.ids(ids)) {
                cases[try row.value("case_id")]?.involved.insert(try row.value("agency_id"))
            }
            for row in try connection.query("SELECT case_id, user_id, kind FROM case_access WHERE case_id IN (\(list))", SQL.ids(ids)) {
                cases[try row.value("case_id")]?.named[try row.value("user_id")] = try row.value("kind")
            }
        }
        var accounts: [String: User] = [:]
        for user in users where user.active && !user.email.isEmpty { accounts[user.email.lowercased()] = user }
        return CaseRecipients(cases: cases, accounts: accounts)
    }

    /// Why the person at `email` (of `agencyID`) may not be sent the case's details, or nil when they may.
    func refusal(caseID: Int64, email: String, agencyID: Int64, agencyName: String) -> String? {
        guard let facts = cases[caseID] else { return "the case was not found" }
        if let user = accounts[email.lowercased()] {
            let visibility = CaseVisibility.Facts(restricted: facts.restricted, category: facts.category, named: facts.named[user.id],
                                                  agencyInvolved: facts.involved.contains(user.agencyID))
            if case .hidden(let reason) = CaseVisibility.decide(visibility, role: user.role) { return "may not see this case (\(reason))" }
            return nil
        }
        if CaseVisibility.isRestricted(flagged: facts.restricted, category: facts.category) {
            return "the case is restricted to named people, and \(email) has no account on its access list"
        }
        if !facts.involved.contains(agencyID) {
            return "\(agencyName) is not involved in this case: add it on the case's access page first"
        }
        return nil
    }
}
