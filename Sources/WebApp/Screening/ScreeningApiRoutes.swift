import Domain
import Foundation
import HTTPServer
import Store

/// The API's screening decisions: the decision on a referral, and the decisions since a date, on referrals the client
/// may see.
enum ScreeningApiRoutes {
    static let prefix = ApiRoutes.prefix

    static func register(_ router: inout Router, _ services: Services) {
        router.get(prefix + "/referrals/:id/screening-decision", ApiAccess.require(services, .manageReferrals) { request, viewer in
            let referral = try ApiRoutes.loadReferral(request, viewer, services)
            guard let decision = try services.screening.decision(on: referral) else {
                throw DomainError(.notFound, code: "not_screened", "This referral has not been screened yet")
            }
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "referral",
                                      subjectID: String(referral.id), detail: "screening decision via API")
            return .json(ApiRepresentation.screeningDecision(decision))
        })
        router.get(prefix + "/screening-decisions", ApiAccess.require(services, .manageReferrals) { request, viewer in
            guard let text = request.queryValue("since") else {
                throw DomainError.badRequest("Give the since parameter: the first decision date wanted, YYYY-MM-DD", code: "missing_parameter")
            }
            guard let since = CalendarDate(text) else {
                throw DomainError.badRequest("The since parameter must be a real date written YYYY-MM-DD, from 1850 on", code: "invalid_parameter")
            }
            let limit = try ApiRoutes.integerParameter(request, "limit", range: 1...500, default: 100)
            let decisions = try services.screening.decisions(since: since, limit: limit + 1, for: viewer)
            let page = decisions.prefix(limit)
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "screening_decision",
                                      subjectID: "", detail: "\(page.count) decisions since \(since) via API")
            return .json(["items": .array(page.map(ApiRepresentation.screeningDecision)), "more": .bool(decisions.count > limit)])
        })
    }
}
