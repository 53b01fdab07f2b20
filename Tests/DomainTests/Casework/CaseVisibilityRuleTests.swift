import Domain
import Testing

/// The need-to-know rule for one case, as the MAPPA unit explains it to a new member of staff.
@Suite("Case visibility rule")
struct CaseVisibilityRuleTests {
    static func facts(restricted: Bool = false, category: MappaCategory = .two, named: CaseAccessKind? = nil,
                      involved: Bool = false) -> CaseVisibility.Facts {
        CaseVisibility.Facts(restricted: restricted, category: category, named: named, agencyInvolved: involved)
    }

    static func user(_ role: Role, managesRestricted: Bool = false) -> User {
        User(id: 7, username: "someone", displayName: "Someone", email: "", role: role, agencyID: 1, agencyName: "Police",
             mustChangePassword: false, active: true, createdAt: "2026-01-01T00:00:00Z", lastLoginAt: nil,
             managesRestrictedCases: managesRestricted, version: 1)
    }

    @Test("unit staff see an ordinary case; a partner agency only when it is involved; referrers, administrators and auditors never")
    func ordinaryCase() {
        for role in [Role.coordinator, .chair, .manager] {
            #expect(CaseVisibility.decide(Self.facts(), role: role) == .visible, "\(role)")
        }
        #expect(CaseVisibility.decide(Self.facts(involved: true), role: .agencyRepresentative) == .visible)
        #expect(CaseVisibility.decide(Self.facts(), role: .agencyRepresentative) == .hidden(reason: "agency not involved in the case"))
        for role in [Role.referrer, .administrator, .auditor] {
            #expect(CaseVisibility.decide(Self.facts(involved: true), role: role) == .hidden(reason: "role has no access to cases"), "\(role)")
        }
    }

    @Test("a named exclusion refuses whatever the role, the agency or the restriction")
    func exclusion() {
        for role in Role.allCases {
            #expect(CaseVisibility.decide(Self.facts(named: .exclude, involved: true), role: role)
                    == .hidden(reason: "named on the case's exclusion list"), "\(role)")
        }
    }

    @Test("a restricted case, and every Category 4 case, admits only the people on its access list")
    func restriction() {
        for facts in [Self.facts(restricted: true), Self.facts(category: .four)] {
            #expect(facts.isRestricted)
            #expect(CaseVisibility.decide(facts, role: .coordinator) == .hidden(reason: "restricted case; not on its access list"))
            var named = facts
            named.named = .allow
            #expect(CaseVisibility.decide(named, role: .coordinator) == .visible)
            named.agencyInvolved = false
            #expect(CaseVisibility.decide(named, role: .agencyRepresentative) != .visible, "being named does not replace agency involvement")
            named.agencyInvolved = true
            #expect(CaseVisibility.decide(named, role: .agencyRepresentative) == .visible)
            #expect(CaseVisibility.decide(named, role: .referrer) != .visible, "nor the role")
        }
    }

    @Test("who may say who sees a case: whoever edits cases and sees it, or for a restricted one a coordinator granted it")
    func managingAccess() {
        #expect(CaseVisibility.mayManageAccess(Self.facts(), user: Self.user(.coordinator)))
        #expect(!CaseVisibility.mayManageAccess(Self.facts(), user: Self.user(.chair)), "chairs do not edit cases")
        #expect(!CaseVisibility.mayManageAccess(Self.facts(category: .four), user: Self.user(.coordinator)), "not on the list")
        #expect(CaseVisibility.mayManageAccess(Self.facts(category: .four, named: .allow), user: Self.user(.coordinator)))
        #expect(CaseVisibility.mayManageAccess(Self.facts(category: .four), user: Self.user(.coordinator, managesRestricted: true)),
                "a restricted case nobody is named on is never stuck")
        #expect(CaseVisibility.decide(Self.facts(category: .four), role: .coordinator) != .visible, "managing it is not seeing it")
        #expect(!CaseVisibility.mayManageAccess(Self.facts(category: .four, named: .exclude), user: Self.user(.coordinator, managesRestricted: true)),
                "an exclusion refuses even them")
        #expect(!CaseVisibility.mayManageAccess(Self.facts(), user: Self.user(.administrator, managesRestricted: true)),
                "the grant is for coordinators: it gives no other role the case")
    }
}
