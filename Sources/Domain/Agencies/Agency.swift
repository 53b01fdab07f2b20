/// An agency in the directory: a responsible authority, a duty-to-co-operate agency or an associate agency.
public struct Agency: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var kind: AgencyKind
    public var active: Bool

    public init(id: Int64, code: String, name: String, kind: AgencyKind, active: Bool) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.active = active
    }
}

/// How an agency takes part in MAPPA (CJA 2003 s.325; MAPPA Guidance ch.3). domain.md §1.2–1.3.
public enum AgencyKind: String, CaseIterable, Sendable, Codable {
    /// Police, probation and prison: the Responsible Authority.
    case responsibleAuthority = "responsible_authority"
    /// The statutory list in s.325(6).
    case dutyToCooperate = "duty_to_cooperate"
    /// Neither RA nor DTC, but inside the information-sharing circle (MAPPA Guidance ch.10 para 10.2).
    case associate

    public var displayName: String {
        switch self {
        case .responsibleAuthority: return "Responsible authority"
        case .dutyToCooperate: return "Duty to co-operate agency"
        case .associate: return "Associate agency"
        }
    }
}

/// An agency as first seeded into a new database. The directory is edited in the app afterwards.
public struct AgencySeed: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: AgencyKind
    public init(code: String, name: String, kind: AgencyKind) {
        self.code = code
        self.name = name
        self.kind = kind
    }

    /// The Responsible Authority plus the duty-to-co-operate agencies of MAPPA Guidance ch.3 para 3.4.
    public static let statutory: [AgencySeed] = [
        AgencySeed(code: "police", name: "Police", kind: .responsibleAuthority),
        AgencySeed(code: "probation", name: "Probation Service", kind: .responsibleAuthority),
        AgencySeed(code: "prison", name: "Prison Service", kind: .responsibleAuthority),
        AgencySeed(code: "yot", name: "Youth Offending Team", kind: .dutyToCooperate),
        AgencySeed(code: "dwp", name: "Department for Work and Pensions / Jobcentre Plus", kind: .dutyToCooperate),
        AgencySeed(code: "mod", name: "Ministry of Defence", kind: .dutyToCooperate),
        AgencySeed(code: "childrens_services", name: "Children's social care", kind: .dutyToCooperate),
        AgencySeed(code: "adult_services", name: "Adult social care", kind: .dutyToCooperate),
        AgencySeed(code: "education", name: "Local authority education", kind: .dutyToCooperate),
        AgencySeed(code: "la_health", name: "Local authority health functions", kind: .dutyToCooperate),
        AgencySeed(code: "nhs_england", name: "NHS England", kind: .dutyToCooperate),
        AgencySeed(code: "icb", name: "Integrated Care Board / Local Health Board", kind: .dutyToCooperate),
        AgencySeed(code: "nhs_trust", name: "NHS Trust (including mental health)", kind: .dutyToCooperate),
        AgencySeed(code: "housing", name: "Local housing authority", kind: .dutyToCooperate),
        AgencySeed(code: "social_landlord", name: "Registered social landlord", kind: .dutyToCooperate),
        AgencySeed(code: "electronic_monitoring", name: "Electronic monitoring provider", kind: .dutyToCooperate),
        AgencySeed(code: "home_office", name: "Home Office (UKVI, Border Force, Immigration Enforcement)",
                   kind: .dutyToCooperate),
        AgencySeed(code: "mappa_unit", name: "MAPPA Coordination Unit", kind: .responsibleAuthority),
    ]
}
