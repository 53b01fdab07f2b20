import Domain
import Foundation
import HTTPServer
import Store

/// The JSON API under /api/v1 (DESIGN.md, "Contracts other systems rely on"), described by /api/openapi.json.
/// The same rules as the pages: the same permissions, need-to-know on cases, and every view of personal data
/// audited as the matching page audits it (with "via API" in the detail).
enum ApiRoutes {
    static let prefix = "/api/v1"

    static func register(_ router: inout Router, _ services: Services) {
        router.get("/api/openapi.json") { _ in
            var response = Response.json(ApiDocument.build(context: try formContext(services)))
            response.headers.set("Cache-Control", "no-cache")
            return response
        }
        registerCasework(&router, services)
        registerReferrals(&router, services)
        registerScreening(&router, services)
    }

    // MARK: nominals and cases

    static func registerCasework(_ router: inout Router, _ services: Services) {
        router.get(prefix + "/nominals", ApiAccess.require(services, .viewCases) { request, user in
            guard let query = request.queryValue("q") else {
                throw HTTPError.badRequest("Give a search in the q parameter: a name, date of birth or identifier", code: "missing_parameter")
            }
            guard !query.isEmpty, query.unicodeScalars.count <= 100, !query.unicodeScalars.contains("\u{0}") else {
                throw HTTPError.badRequest("The q parameter must be 1 to 100 characters", code: "invalid_parameter")
            }
            let limit = try integerParameter(request, "limit", range: 1...100, default: 50)
            var results = try services.casework.searchNominals(query, limit: limit + 1, visibleTo: user)
            let more = results.count > limit
            results = Array(results.prefix(limit))
            try services.audit.record(actor: request.actor(user), action: .view, subjectType: "nominal_search",
                                      subjectID: "", detail: "\(results.count) results via API")
            return .json(["items": .array(results.map(ApiRepresentation.nominal)), "more": .bool(more)])
        })
        router.get(prefix + "/nominals/:id", ApiAccess.require(services, .viewCases) { request, user in
            guard let id = idParameter(request), let nominal = try services.casework.nominal(id: id) else {
                throw notFound("nominal")
            }
            if case .refused(let reason) = try services.casework.nominalAccess(nominalID: id, user: user) {
                try services.audit.record(actor: request.actor(user), action: .accessRefused, subjectType: "nominal",
                                          subjectID: String(id), detail: reason)
                return .problem(HTTPError(status: 403, code: "need_to_know",
                    description: "You do not have access to this person's record. Access is on a need-to-know basis; if you need it for your work, ask the MAPPA coordinator. This refusal has been recorded."))
            }
            try services.audit.record(actor: request.actor(user), action: .view, subjectType: "nominal", subjectID: String(id),
                                      detail: "via API")
            let agencies = try agencyDirectory(services)
            let visible = try services.casework.cases(nominalID: id).filter {
                try services.casework.access(caseID: $0.id, user: user) == .allowed
            }
            guard case .object(var members) = ApiRepresentation.nominal(nominal) else { throw notFound("nominal") }
            members["cases"] = .array(visible.map { ApiRepresentation.caseSummary($0, agencies: agencies) })
            return .json(.object(members))
        })
        router.get(prefix + "/cases/:id", ApiAccess.require(services, nil) { request, user in
            guard let id = idParameter(request), let record = try services.casework.caseRecord(id: id) else {
                throw notFound("case")
            }
            if case .refused(let reason) = try services.casework.access(caseID: id, user: user) {
                try services.audit.record(actor: request.actor(user), action: .accessRefused, subjectType: "case",
                                          subjectID: String(id), detail: reason)
                return .problem(HTTPError(status: 403, code: "need_to_know",
                    description: "You do not have access to this case. Access to MAPPA cases is on a need-to-know basis; if you need it for your work, ask the MAPPA coordinator. This refusal has been recorded."))
            }
            try services.audit.record(actor: request.actor(user), action: .view, subjectType: "case", subjectID: String(id),
                                      detail: "via API")
            return .json(ApiRepresentation.caseDetail(record, nominal: try services.casework.nominal(id: record.nominalID),
                                                      history: try services.casework.history(caseID: id),
                                                      agencies: try agencyDirectory(services)))
        })
    }

    // MARK: referrals

    static func registerReferrals(_ router: inout Router, _ services: Services) {
        router.get(prefix + "/referrals", ApiAccess.require(services, .submitReferrals) { request, user in
            var statuses: [ReferralStatus]?
            if let text = request.queryValue("status") {
                guard let status = ReferralStatus(rawValue: text) else {
                    throw HTTPError.badRequest("The status parameter must be one of \(ReferralStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                                               code: "invalid_parameter")
                }
                statuses = [status]
            }
            let pageSize = 200
            let referrals = try services.casework.referrals(visibleTo: user, statuses: statuses, limit: pageSize + 1)
            return .json(["items": .array(referrals.prefix(pageSize).map(ApiRepresentation.referralSummary)),
                          "more": .bool(referrals.count > pageSize)])
        })
        router.post(prefix + "/referrals", ApiAccess.require(services, .submitReferrals) { request, user in
            let body = try jsonBody(request)
            let (form, problems) = ApiFormField.decode(body, context: try formContext(services))
            guard problems.isEmpty else { throw ApiInvalidRequest(problems: problems) }
            let referral = try services.casework.createReferral(form, by: user, from: request.remoteAddress)
            var response = try referralResponse(referral, services, status: 201)
            response.headers.set("Location", "\(prefix)/referrals/\(referral.id)")
            return response
        })
        router.get(prefix + "/referrals/:id", ApiAccess.require(services, nil) { request, user in
            let referral = try loadReferral(request, user, services)
            try services.audit.record(actor: request.actor(user), action: .view, subjectType: "referral",
                                      subjectID: String(referral.id), detail: "via API")
            return try referralResponse(referral, services)
        })
        router.put(prefix + "/referrals/:id", ApiAccess.require(services, nil) { request, user in
            let referral = try loadReferral(request, user, services)
            let body = try jsonBody(request)
            guard case .object(let members) = body else {
                throw ApiInvalidRequest(problems: [ValidationProblem(field: "(body)", message: "must be a JSON object with version and form")])
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
                let decoded = ApiFormField.decode(formValue, context: try formContext(services), prefix: "form.")
                form = decoded.0
                problems += decoded.1
            } else {
                problems.append(ValidationProblem(field: "form", message: "is required: send the whole referral form"))
            }
            guard problems.isEmpty, let version else { throw ApiInvalidRequest(problems: problems) }
            try services.casework.updateReferral(id: referral.id, form: form, expectedVersion: version, by: user,
                                                 from: request.remoteAddress)
            guard let updated = try services.casework.referral(id: referral.id) else { throw notFound("referral") }
            return try referralResponse(updated, services)
        })
        router.post(prefix + "/referrals/:id/submit", ApiAccess.require(services, nil) { request, user in
            let referral = try loadReferral(request, user, services)
            let findings = try services.casework.submitReferral(id: referral.id, by: user, from: request.remoteAddress)
            guard let submitted = try services.casework.referral(id: referral.id) else { throw notFound("referral") }
            return .json(["referral": ApiRepresentation.referralSummary(submitted),
                          "readyForScreening": .bool(ReferralQualityCheck.isReadyForScreening(findings)),
                          "findings": ApiRepresentation.findings(findings)])
        })
    }

    // MARK: screening decisions

    static func registerScreening(_ router: inout Router, _ services: Services) {
        router.get(prefix + "/referrals/:id/screening-decision", ApiAccess.require(services, .manageReferrals) { request, user in
            let referral = try loadReferral(request, user, services)
            guard let decision = try services.casework.screeningDecision(referralID: referral.id) else {
                throw HTTPError(status: 404, code: "not_screened", description: "This referral has not been screened yet")
            }
            try services.audit.record(actor: request.actor(user), action: .view, subjectType: "referral",
                                      subjectID: String(referral.id), detail: "screening decision via API")
            return .json(ApiRepresentation.screeningDecision(decision))
        })
        router.get(prefix + "/screening-decisions", ApiAccess.require(services, .manageReferrals) { request, user in
            guard let text = request.queryValue("since") else {
                throw HTTPError.badRequest("Give the since parameter: the first decision date wanted, YYYY-MM-DD", code: "missing_parameter")
            }
            guard let since = CalendarDate(text) else {
                throw HTTPError.badRequest("The since parameter must be a real date written YYYY-MM-DD, from 1850 on", code: "invalid_parameter")
            }
            let limit = try integerParameter(request, "limit", range: 1...500, default: 100)
            let decisions = try services.casework.screeningDecisions(since: since, limit: limit + 1)
            let page = decisions.prefix(limit)
            try services.audit.record(actor: request.actor(user), action: .view, subjectType: "screening_decision",
                                      subjectID: "", detail: "\(page.count) decisions since \(since) via API")
            return .json(["items": .array(page.map(ApiRepresentation.screeningDecision)), "more": .bool(decisions.count > limit)])
        })
    }

    // MARK: helpers

    static func notFound(_ what: String) -> HTTPError {
        HTTPError(status: 404, code: "not_found", description: "There is no \(what) with that id")
    }

    static func idParameter(_ request: Request) -> Int64? {
        request.parameter("id").flatMap(Int64.init).flatMap { $0 >= 1 ? $0 : nil }
    }

    static func integerParameter(_ request: Request, _ name: String, range: ClosedRange<Int>, default value: Int) throws -> Int {
        guard let text = request.queryValue(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw HTTPError.badRequest("The \(name) parameter must be a whole number from \(range.lowerBound) to \(range.upperBound)",
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
            throw HTTPError.badRequest("The body is not valid JSON", code: "invalid_json")
        }
        return value
    }

    static func formContext(_ services: Services) throws -> ApiFormField.Context {
        ApiFormField.Context(agencyCodes: try services.accounts.accounts.agencies(activeOnly: true).map(\.code).sorted())
    }

    static func agencyDirectory(_ services: Services) throws -> [Int64: Agency] {
        Dictionary(try services.accounts.accounts.agencies().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The referral if this client may see it. As on the pages, a referral someone may not see answers exactly
    /// as a missing one does, and the refusal is audited.
    static func loadReferral(_ request: Request, _ user: User, _ services: Services) throws -> ReferralRecord {
        guard let id = idParameter(request), let referral = try services.casework.referral(id: id) else {
            throw notFound("referral")
        }
        guard services.casework.canView(referral: referral, user: user) else {
            try services.audit.record(actor: request.actor(user), action: .accessRefused, subjectType: "referral",
                                      subjectID: String(id), detail: "not the referrer")
            throw notFound("referral")
        }
        return referral
    }

    static func referralResponse(_ referral: ReferralRecord, _ services: Services, status: Int = 200) throws -> Response {
        let findings = ReferralQualityCheck(timescales: services.casework.timescales)
            .findings(referral.form, today: services.casework.today)
        return .json(ApiRepresentation.referral(referral, findings: findings, events: try services.casework.events(referralID: referral.id)),
                     status: status)
    }
}
