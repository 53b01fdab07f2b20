/// Need-to-know for one MAPPA case (DESIGN.md "Users and access"; probation's "limited access offender" model): the
/// one rule every read and change of a case follows. A named exclusion always refuses; a restricted case, and every
/// Category 4 case, admits only the people on its access list; otherwise unit staff see every case and partner-agency
/// staff only the cases their agency is involved in. The Store applies the same rule in SQL to every list
/// (`CaseVisibilityFilter`); a test holds the two to each other.
public enum CaseVisibility {
    /// What the rule reads of the case and of the viewer's place in it.
    public struct Facts: Sendable, Equatable {
        public var restricted: Bool
        public var category: MappaCategory
        /// The viewer's entry on the case's access list, if any.
        public var named: CaseAccessKind?
        /// Whether the viewer's agency is involved in the case.
        public var agencyInvolved: Bool

        public init(restricted: Bool, category: MappaCategory, named: CaseAccessKind?, agencyInvolved: Bool) {
            self.restricted = restricted
            self.category = category
            self.named = named
            self.agencyInvolved = agencyInvolved
        }

        /// Category 4 (terrorism) cases are restricted whatever the flag says.
        public var isRestricted: Bool { CaseVisibility.isRestricted(flagged: restricted, category: category) }
    }

    public enum Decision: Sendable, Equatable {
        case visible
        /// `reason` is for the audit trail: it names the rule, never the person.
        case hidden(reason: String)
    }

    /// Whether a case admits only the people on its access list: flagged so, or Category 4, which always is.
    public static func isRestricted(flagged: Bool, category: MappaCategory) -> Bool { flagged || category == .four }

    public static func decide(_ facts: Facts, role: Role) -> Decision {
        if facts.named == .exclude { return .hidden(reason: "named on the case's exclusion list") }
        if facts.isRestricted && facts.named != .allow { return .hidden(reason: "restricted case; not on its access list") }
        if role.can(.viewCases) { return .visible }
        if role.can(.viewInvolvedCases) {
            return facts.agencyInvolved ? .visible : .hidden(reason: "agency not involved in the case")
        }
        return .hidden(reason: "role has no access to cases")
    }

    /// Who may change the case's access list and agencies: whoever edits cases and may see this one; for a restricted
    /// case also a coordinator granted "manage restricted cases", so a restricted case nobody is named on (one imported
    /// from the command line, say) is never stuck. A named exclusion refuses even them.
    public static func mayManageAccess(_ facts: Facts, user: User) -> Bool {
        guard user.role.can(.editCases), facts.named != .exclude else { return false }
        if decide(facts, role: user.role) == .visible { return true }
        return facts.isRestricted && user.managesRestrictedCases
    }
}

/// A person's entry on a case's access list.
public enum CaseAccessKind: String, Sendable, CaseIterable, Codable {
    /// May see the case (the only way to see a restricted one).
    case allow
    /// May not see the case, whatever their role.
    case exclude
}
