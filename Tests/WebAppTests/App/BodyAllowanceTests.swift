import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Who may send a large body: the server asks the app once per request, before reading any body byte
/// (`HTTPServer.Configuration.sessionCheck`).
@Suite("Large bodies only from signed-in users, uploads only from those who may import")
struct BodyAllowanceTests {
    @Test("no session, a wrong cookie or a role that may not import gets only the small limit", arguments: DatabaseKind.available)
    func allowance(kind: DatabaseKind) throws {
        let fixture = try AppFixture(kind)
        let app = fixture.app
        let upload = RegisterImportRoutes.uploadPath
        #expect(!app.mayUpload(path: upload, headers: Headers()))
        #expect(!app.mayUpload(path: upload, headers: Headers([("Cookie", "mappa_session=not-a-session")])))
        #expect(!app.mayUpload(path: "/referrals", headers: Headers([("Authorization", "Bearer mappa_wrong")])))

        let coordinator = fixture.client(signedInAs: .coordinator)
        #expect(app.mayUpload(path: upload, headers: coordinator.headers()))
        #expect(app.mayUpload(path: StatisticsRoutes.eventsUploadPath, headers: coordinator.headers()))

        let referrer = fixture.client(signedInAs: .referrer)
        #expect(app.mayUpload(path: "/referrals", headers: referrer.headers()), "a signed-in form gets the general limit")
        #expect(!app.mayUpload(path: upload, headers: referrer.headers()), "a role that may not import gets no upload limit")

        let token = try fixture.stores.apiTokens.create(userID: try fixture.viewer(.coordinator).user.id, name: "test",
                                                         by: .commandLine).token
        #expect(app.mayUpload(path: upload, headers: Headers([("Authorization", "Bearer \(token)")])))
    }
}
