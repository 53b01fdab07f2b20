import Database
import Domain
import Foundation

/// Every store, made once at start-up from one `StoreContext` (one database, one clock, one audit trail) and shared by
/// every request: nothing makes a store, or an audit trail, while it answers one.
public final class Stores: Sendable {
    public let context: StoreContext
    public let accounts: AccountService
    public let agencies: AgencyStore
    public let apiTokens: ApiTokenStore
    public let nominals: NominalStore
    public let cases: CaseStore
    public let caseAccess: CaseAccessStore
    public let contacts: ContactLogStore
    public let register: CaseRegisterStore
    public let referrals: ReferralStore
    public let screening: ScreeningStore
    public let meetings: MeetingStore
    public let minutes: MinutesStore
    public let actions: ActionStore
    public let events: EventStore
    public let statistics: StatisticsStore
    public let areas: AreaStore
    public let kpis: KPIStore
    public let outbox: Outbox
    public let changeEvents: ChangeEventStore

    public init(_ context: StoreContext, sessionPolicy: SessionPolicy = SessionPolicy(), accountThrottle: LoginThrottle = LoginThrottle(),
                outboxPolicy: OutboxPolicy = OutboxPolicy()) {
        self.context = context
        agencies = AgencyStore(context: context)
        let users = AccountStore(context: context)
        accounts = AccountService(context, accounts: users, sessions: SessionStore(context, policy: sessionPolicy), agencies: agencies,
                                  accountThrottle: accountThrottle)
        apiTokens = ApiTokenStore(context: context, accounts: users)
        areas = AreaStore(context: context)
        nominals = NominalStore(context: context)
        cases = CaseStore(context: context, agencies: agencies, areas: areas, nominals: nominals)
        caseAccess = CaseAccessStore(context: context, accounts: users, agencies: agencies)
        contacts = ContactLogStore(context: context)
        register = CaseRegisterStore(context: context, agencies: agencies, areas: areas)
        referrals = ReferralStore(context: context, nominals: nominals)
        screening = ScreeningStore(context: context, referrals: referrals, nominals: nominals, agencies: agencies)
        meetings = MeetingStore(context: context, agencies: agencies)
        actions = ActionStore(context: context)
        minutes = MinutesStore(context: context, meetings: meetings, cases: cases, referrals: referrals, actions: actions, accounts: users)
        events = EventStore(context: context)
        statistics = StatisticsStore(context: context, areas: areas)
        kpis = KPIStore(context: context, meetings: meetings)
        outbox = Outbox(context, policy: outboxPolicy)
        changeEvents = ChangeEventStore(context: context, referrals: referrals)
    }

    /// The convenience of tests and commands that hold only a database.
    public convenience init(database: Database, clock: Clock = .system, auditStaging: AuditStaging? = nil, timescales: Timescales? = nil) {
        self.init(StoreContext(database: database, clock: clock, auditStaging: auditStaging, timescales: timescales))
    }

    public var database: Database { context.database }
    public var clock: Clock { context.clock }
    public var audit: AuditTrail { context.audit }
    public var today: CalendarDate { context.today }
}
