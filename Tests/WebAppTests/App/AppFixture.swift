import Foundation
import HTTPServer
import Store
import TestSupport
import WebApp
import Domain

/// A migrated database, the app on it (its stores made once, as `mappa serve` makes them), and one signed-in-able user
/// of each role.
struct AppFixture {
    let world: StoreWorld
    let app: WebApplication
    static let password = StoreWorld.password

    init(_ kind: DatabaseKind) throws {
        world = try StoreWorld(kind)
        app = WebApplication(stores: world.stores)
    }

    var test: TestDatabase { world.test }
    var clock: ManualClock { world.clock }
    var stores: Stores { world.stores }
    var today: CalendarDate { world.today }

    func client(signedInAs role: Role? = nil) -> TestClient {
        let client = TestClient(app)
        if let role { client.signIn("user.\(role.rawValue)", Self.password) }
        return client
    }

    /// The test user of this role, to set records up as.
    func viewer(_ role: Role) throws -> Viewer { try world.viewer(role) }

    func auditActions() throws -> [AuditAction] { try stores.audit.recent(limit: 1000).map(\.action) }

    /// A search as the coordinator makes it.
    func searchNominals(_ query: String) throws -> [NominalRecord] { try stores.nominals.searchRecords(query, for: try viewer(.coordinator)) }
    /// A nominal's cases as the coordinator sees them.
    func cases(nominalID: Int64) throws -> [CaseRecord] { try stores.cases.cases(nominalID: nominalID, for: try viewer(.coordinator)) }
    func searchNominalListings(_ query: String) throws -> [NominalListing] { try stores.nominals.search(query, for: try viewer(.coordinator)) }
}
import Domain
