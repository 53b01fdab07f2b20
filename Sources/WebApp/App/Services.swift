import Database
import Domain
import Foundation
import HTTPServer
import Store

/// Settings the web app needs from whoever starts it.
public struct WebConfiguration: Sendable {
    /// Adds `Secure` to cookies; set when the app is served over TLS (directly or behind a proxy).
    public var secureCookies: Bool
    /// Who may read `/metrics` (nobody by default).
    public var metricsAccess: MetricsAccess
    public init(secureCookies: Bool = false, metricsAccess: MetricsAccess = MetricsAccess()) {
        self.secureCookies = secureCookies
        self.metricsAccess = metricsAccess
    }
}

/// Everything a route needs, made once at start-up and shared by every route: the stores (`services.cases` reads
/// `Stores.cases`), the settings, and this instance's background import jobs. Sendable and immutable: per-user state
/// lives in the database.
@dynamicMemberLookup
struct Services: Sendable {
    let stores: Stores
    let configuration: WebConfiguration
    let imports: ImportJobs
    /// This app's counters (`AppMetrics`).
    var metrics = AppMetrics()

    subscript<T>(dynamicMember path: KeyPath<Stores, T>) -> T { stores[keyPath: path] }

    var today: CalendarDate { stores.today }
}

extension Request {
    /// The signed-in person a page reads and changes records for.
    func viewer(_ session: Session) -> Viewer { Viewer(session.user, from: remoteAddress) }
}
