import Domain
import Foundation
import HTTPServer
import Store

/// The JSON API under /api/v1 (DESIGN.md, "Contracts other systems rely on"), described by /api/openapi.json. Each
/// feature adds its endpoints (`CaseApiRoutes`, `ReferralApiRoutes`, `ScreeningApiRoutes`) with the same rules as its
/// pages: the same permissions, need-to-know in the Store, and every view of personal data audited as the matching
/// page audits it (with "via API" in the detail).
enum ApiRoutes {
    static let prefix = "/api/v1"

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/api/openapi.json") { _ in
            var response = Response.json(ApiDocument.build(context: try formContext(services)))
            response.headers.set("Cache-Control", "no-cache")
            return response
        }
        CaseApiRoutes.register(&router, services)
        ReferralApiRoutes.register(&router, services)
        ScreeningApiRoutes.register(&router, services)
        EventApiRoutes.register(&router, services)
    }

    // MARK: helpers

    static func notFound(_ what: String) -> DomainError {
        DomainError(.notFound, code: "not_found", "There is no \(what) with that id")
    }

    /// The record id of the path: a whole number from 1, or not found.
    static func id(_ request: Request, _ what: String) throws -> Int64 {
        guard let id = request.parameter("id").flatMap(Int64.init), id >= 1 else { throw notFound(what) }
        return id
    }

    static func integerParameter(_ request: Request, _ name: String, range: ClosedRange<Int>, default value: Int) throws -> Int {
        guard let text = request.queryValue(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw DomainError.badRequest("The \(name) parameter must be a whole number from \(range.lowerBound) to \(range.upperBound)",
                                         code: "invalid_parameter")
        }
        return number
    }

    /// The body of a POST or PUT as JSON: 415 unless it says it is JSON, 400 unless it is.
    static func jsonBody(_ request: Request) throws -> JSONValue {
        let mediaType = (request.headers["Content-Type"] ?? "").split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard mediaType == "application/json" else {
            throw HTTPError(status: 415, code: "unsupported_media_type", description: "Send the body as application/json")
        }
        guard let value = JSONValue.parse(request.body) else {
            throw DomainError.badRequest("The body is not valid JSON", code: "invalid_json")
        }
        return value
    }

    static func formContext(_ services: Services) throws -> ApiFormField.Context {
        ApiFormField.Context(agencyCodes: try services.agencies.agencies(activeOnly: true).map(\.code).sorted())
    }

    static func agencyDirectory(_ services: Services) throws -> [Int64: Agency] {
        Dictionary(try services.agencies.agencies().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The referral if this client may see it. As on the pages, a referral someone may not see answers exactly as a
    /// missing one does, and the refusal is recorded (`ReferralStore.referral`).
    static func loadReferral(_ request: Request, _ viewer: Viewer, _ services: Services) throws -> ReferralRecord {
        do {
            return try services.referrals.referral(id: try id(request, "referral"), for: viewer)
        } catch let error as DomainError where error.kind == .notFound {
            throw notFound("referral")
        }
    }

    static func referralResponse(_ referral: ReferralRecord, _ services: Services, status: Int = 200) throws -> Response {
        let findings = ReferralQualityCheck(timescales: try services.context.timescales()).findings(referral.form, today: services.today)
        return .json(ApiRepresentation.referral(referral, findings: findings, events: try services.referrals.events(of: referral)), status: status)
    }
}
