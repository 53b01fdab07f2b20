import Domain
import Foundation
import HTTPServer
import Store

/// The API's referrals: listing the client's own (or, for the coordinator, every one they may see), creating,
/// changing and submitting one, with the quality check's findings.
enum ReferralApiRoutes {
    static let prefix = ApiRoutes.prefix

    static func register(_ router: inout Router, _ services: Services) {
        router.get(prefix + "/referrals", ApiAccess.require(services, .submitReferrals) { request, viewer in
            var statuses: [ReferralStatus]?
            if let text = request.queryValue("status") {
                guard let status = ReferralStatus(rawValue: text) else {
                    throw DomainError.badRequest("The status parameter must be one of \(ReferralStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                                                 code: "invalid_parameter")
                }
                statuses = [status]
            }
            let pageSize = 200
            let referrals = try services.referrals.referrals(for: viewer, statuses: statuses, limit: pageSize + 1)
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "referral", subjectID: "list",
                                      detail: "API list: " + referrals.prefix(pageSize).map(\.reference).joined(separator: ", "))
            return .json(["items": .array(referrals.prefix(pageSize).map(ApiRepresentation.referralSummary)),
                          "more": .bool(referrals.count > pageSize)])
        })
        router.post(prefix + "/referrals", ApiAccess.require(services, .submitReferrals) { request, viewer in
            let body = try ApiRoutes.jsonBody(request)
            let (form, problems) = ApiFormField.decode(body, context: try ApiRoutes.formContext(services))
            guard problems.isEmpty else { throw DomainError.validation(problems) }
            let referral = try services.referrals.createReferral(form, by: viewer)
            var response = try ApiRoutes.referralResponse(referral, services, status: 201)
            response.headers.set("Location", "\(prefix)/referrals/\(referral.id)")
            return response
        })
        router.get(prefix + "/referrals/:id", ApiAccess.require(services, nil) { request, viewer in
            let referral = try ApiRoutes.loadReferral(request, viewer, services)
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "referral",
                                      subjectID: String(referral.id), detail: "via API")
            return try ApiRoutes.referralResponse(referral, services)
        })
        router.put(prefix + "/referrals/:id", ApiAccess.require(services, nil) { request, viewer in
            let referral = try ApiRoutes.loadReferral(request, viewer, services)
            let body = try ApiRoutes.jsonBody(request)
            guard case .object(let members) = body else {
                throw DomainError.validation(field: "(body)", "must be a JSON object with version and form")
            }
            var problems: [ValidationProblem] = []
            for key in members.keys.sorted() where key != "version" && key != "form" {
                problems.append(ValidationProblem(field: key, message: "is not a member of a referral update: send version and form"))
            }
            var version: Int64?
            switch members["version"] {
            case .int(let number)? where number >= 1: version = number
            case nil: problems.append(ValidationProblem(field: "version", message: "is required: send the version you last read"))
            default: problems.append(ValidationProblem(field: "version", message: "must be a whole number from 1"))
            }
            var form = ReferralForm()
            if let formValue = members["form"] {
                let decoded = ApiFormField.decode(formValue, context: try ApiRoutes.formContext(services), prefix: "form.")
                form = decoded.0
                problems += decoded.1
            } else {
                problems.append(ValidationProblem(field: "form", message: "is required: send the whole referral form"))
            }
            guard problems.isEmpty, let version else { throw DomainError.validation(problems) }
            try services.referrals.updateReferral(id: referral.id, form: form, expectedVersion: version, by: viewer)
            return try ApiRoutes.referralResponse(try services.referrals.referral(id: referral.id, for: viewer), services)
        })
        router.post(prefix + "/referrals/:id/submit", ApiAccess.require(services, nil) { request, viewer in
            let referral = try ApiRoutes.loadReferral(request, viewer, services)
            let findings = try services.referrals.submitReferral(id: referral.id, by: viewer)
            let submitted = try services.referrals.referral(id: referral.id, for: viewer)
            return .json(["referral": ApiRepresentation.referralSummary(submitted),
                          "readyForScreening": .bool(ReferralQualityCheck.isReadyForScreening(findings)),
                          "findings": ApiRepresentation.findings(findings)])
        })
    }
}
