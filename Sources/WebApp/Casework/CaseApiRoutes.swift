import Domain
import Foundation
import HTTPServer
import Store

/// The API's nominals and cases: search, a person's record with the cases the client may see, and a case with its
/// history. The Store refuses (and records) what the client may not see.
enum CaseApiRoutes {
    static let prefix = ApiRoutes.prefix

    static func register(_ router: inout Router, _ services: Services) {
        router.get(prefix + "/nominals", ApiAccess.require(services, .viewCases) { request, viewer in
            guard let query = request.queryValue("q") else {
                throw DomainError.badRequest("Give a search in the q parameter: a name, date of birth or identifier", code: "missing_parameter")
            }
            guard !query.isEmpty, query.unicodeScalars.count <= 100, !query.unicodeScalars.contains("\u{0}") else {
                throw DomainError.badRequest("The q parameter must be 1 to 100 characters", code: "invalid_parameter")
            }
            let limit = try ApiRoutes.integerParameter(request, "limit", range: 1...100, default: 50)
            var results = try services.nominals.searchRecords(query, limit: limit + 1, for: viewer)
            let more = results.count > limit
            results = Array(results.prefix(limit))
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "nominal_search",
                                      subjectID: "", detail: "via API, " + NominalRoutes.searchDetail(query, shown: results.map(\.nominalRef)))
            return .json(["items": .array(results.map(ApiRepresentation.nominal)), "more": .bool(more)])
        })
        router.get(prefix + "/nominals/:id", ApiAccess.require(services, .viewCases) { request, viewer in
            let nominal: NominalRecord
            do {
                nominal = try services.nominals.nominal(id: try ApiRoutes.id(request, "nominal"), for: viewer)
            } catch let error as DomainError where error.kind == .notFound {
                throw ApiRoutes.notFound("nominal")
            }
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "nominal", subjectID: String(nominal.id),
                                      detail: "via API")
            let agencies = try ApiRoutes.agencyDirectory(services)
            let visible = try services.cases.cases(nominalID: nominal.id, for: viewer)
            guard case .object(var members) = ApiRepresentation.nominal(nominal) else { throw ApiRoutes.notFound("nominal") }
            members["cases"] = .array(visible.map { ApiRepresentation.caseSummary($0, agencies: agencies) })
            return .json(.object(members))
        })
        router.get(prefix + "/cases/:id", ApiAccess.require(services, nil) { request, viewer in
            let visible: VisibleCase
            do {
                visible = try services.cases.case(id: try ApiRoutes.id(request, "case"), for: viewer)
            } catch let error as DomainError where error.kind == .notFound {
                throw ApiRoutes.notFound("case")
            }
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "case", subjectID: String(visible.id), detail: "via API")
            return .json(ApiRepresentation.caseDetail(visible.record, nominal: try services.nominals.nominal(of: visible),
                                                      history: try services.cases.history(of: visible),
                                                      agencies: try ApiRoutes.agencyDirectory(services)))
        })
    }
}
