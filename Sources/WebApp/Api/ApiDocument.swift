import Domain
import HTTPServer
import Store

/// The OpenAPI 3.1 document served at /api/openapi.json. Schemas come from `ApiRepresentation` and
/// `ApiFormField`, the code that writes and reads the JSON, so the document says exactly what the server
/// does; `ApiTests` checks it names every route under /api/v1, and scripts/api-tests.sh fuzzes the server
/// against it with schemathesis.
enum ApiDocument {
    typealias R = ApiRepresentation

    static func build(context: ApiFormField.Context) -> JSONValue {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "MAPPA Coordinator API",
                "version": "1.0.0",
                "description": """
                    Nominals, MAPPA cases, MAPPA A referrals, screening decisions and change events. OFFICIAL-SENSITIVE: every view \
                    of personal data is recorded in the audit trail under the token's user. Authenticate with an API \
                    token (Account → API tokens, or `mappa token create`) in an `Authorization: Bearer` header. Errors \
                    are RFC 9457 problem documents. Dates are YYYY-MM-DD, timestamps ISO 8601 in UTC.
                    """,
            ],
            "servers": [["url": "/"]],
            "security": [["bearerAuth": []]],
            "tags": [
                ["name": "nominals", "description": "People on the MAPPA register"],
                ["name": "cases", "description": "MAPPA cases, behind need-to-know"],
                ["name": "referrals", "description": "MAPPA A referrals to Level 2 or 3"],
                ["name": "screening", "description": "The screening panel's decisions"],
                ["name": "events", "description": "Change events, in the shape of HMPPS domain events"],
                ["name": "meta", "description": "This document"],
            ],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearerAuth": [
                    "type": "http", "scheme": "bearer",
                    "description": "An API token, shown once when it is created. It acts as its user, with that user's role.",
                ]],
                "schemas": schemas(context),
                "responses": responses,
                "parameters": parameters,
            ],
        ]
    }

    // MARK: paths

    static let paths: JSONValue = [
        "/api/openapi.json": ["get": [
            "operationId": "getOpenApiDocument", "tags": ["meta"], "summary": "This OpenAPI document",
            "security": [],
            "responses": ["200": ["description": "The document", "content": ["application/json": ["schema": ["type": "object"]]]]],
        ]],
        "/api/v1/nominals": ["get": operation(
            "searchNominals", tag: "nominals", summary: "Find nominals",
            description: "By name or other name (any order, each word may be the start of a name, accents and case ignored), by date of birth (YYYY-MM-DD or DD/MM/YYYY), or by PNC ID, ViSOR reference, CRN or nominal reference. Results are in name order. Needs the viewCases permission. Audited.",
            parameters: [
                ["name": "q", "in": "query", "required": true,
                 "description": "What to search for. The text ends at a NUL character (the HTTP server reads query values as C strings), so it cannot start with one.",
                 "schema": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\u0000]"]],
                ["name": "limit", "in": "query", "required": false, "description": "At most this many results",
                 "schema": ["type": "integer", "minimum": 1, "maximum": 100, "default": 50]],
            ],
            success: ["200": ok("Matching nominals", R.ref("NominalList"),
                                links: ["GetNominal": link("getNominal", "$response.body#/items/0/id")])],
            problems: [400, 401, 403])],
        "/api/v1/nominals/{id}": ["get": operation(
            "getNominal", tag: "nominals", summary: "A nominal and the cases you may see",
            description: "Cases you may not see under need-to-know are left out. Needs the viewCases permission. Audited.",
            parameters: [["$ref": "#/components/parameters/id"]],
            success: ["200": ok("The nominal", R.ref("NominalDetail"),
                                links: ["GetCase": link("getCase", "$response.body#/cases/0/id")])],
            problems: [401, 403, 404])],
        "/api/v1/cases/{id}": ["get": operation(
            "getCase", tag: "cases", summary: "A MAPPA case",
            description: "Need-to-know applies: unit staff see every case that is not restricted to named users; agency representatives see cases their agency is involved in. A refusal is 403 and is audited, as is every view.",
            parameters: [["$ref": "#/components/parameters/id"]],
            success: ["200": ok("The case", R.ref("CaseDetail"))], problems: [401, 403, 404])],
        "/api/v1/referrals": [
            "get": operation(
                "listReferrals", tag: "referrals", summary: "Referrals you may see",
                description: "Your own referrals; the MAPPA coordinator sees everyone's. The 200 most recently updated. Needs the submitReferrals permission.",
                parameters: [["name": "status", "in": "query", "required": false, "description": "Only referrals in this state",
                              "schema": R.enumeration(ReferralStatus.allCases.map(\.rawValue))]],
                success: ["200": ok("Referrals, most recently updated first", R.ref("ReferralList"),
                                    links: ["GetReferral": link("getReferral", "$response.body#/items/0/id")])],
                problems: [400, 401, 403]),
            "post": operation(
                "createReferral", tag: "referrals", summary: "Start a referral (saved as a draft)",
                description: "Every field may be left out: a draft can be incomplete. Unknown fields and values that cannot be read are refused with 422, listing each field. Needs the submitReferrals permission.",
                requestBody: body("The referral form", R.ref("ReferralFormInput")),
                success: ["201": [
                    "description": "Created",
                    "headers": ["Location": ["required": true, "description": "Where the new referral is",
                                             "schema": ["type": "string"]]],
                    "content": ["application/json": ["schema": R.ref("Referral")]],
                    "links": [
                        "GetReferral": link("getReferral", "$response.body#/id"),
                        "SubmitReferral": link("submitReferral", "$response.body#/id"),
                        "GetScreeningDecision": link("getScreeningDecision", "$response.body#/id"),
                    ],
                ]],
                problems: [400, 401, 403, 415, 422]),
        ],
        "/api/v1/referrals/{id}": [
            "get": operation(
                "getReferral", tag: "referrals", summary: "A referral in full",
                description: "With its quality findings and history. A referral you may not see answers 404, as a missing one does. Audited.",
                parameters: [["$ref": "#/components/parameters/id"]],
                success: ["200": ok("The referral", R.ref("Referral"))], problems: [401, 404]),
            "put": operation(
                "updateReferral", tag: "referrals", summary: "Replace a referral's form",
                description: "Send the whole form (fields left out are emptied) with the version you last read. 409 when someone changed the referral since (edit_conflict) or it can no longer be changed (not_editable).",
                parameters: [["$ref": "#/components/parameters/id"]],
                requestBody: body("The new form and the version it is based on", R.ref("ReferralUpdate")),
                success: ["200": ok("The saved referral", R.ref("Referral"))], problems: [400, 401, 404, 409, 415, 422]),
        ],
        "/api/v1/referrals/{id}/submit": ["post": operation(
            "submitReferral", tag: "referrals", summary: "Submit (or resubmit) a referral",
            description: "Sends a draft or returned referral to the MAPPA coordinator and answers with the quality findings it was submitted with, by section of the form. Submission is not blocked by findings: the coordinator returns an incomplete referral with reasons. 409 (not_submittable) once it has been submitted.",
            parameters: [["$ref": "#/components/parameters/id"]],
            success: ["200": ok("Submitted", R.ref("Submission"))], problems: [401, 404, 409])],
        "/api/v1/referrals/{id}/screening-decision": ["get": operation(
            "getScreeningDecision", tag: "screening", summary: "The screening decision on a referral",
            description: "404 (not_screened) until the panel has decided. Needs the manageReferrals permission. Audited.",
            parameters: [["$ref": "#/components/parameters/id"]],
            success: ["200": ok("The decision", R.ref("ScreeningDecision"))], problems: [401, 403, 404])],
        "/api/v1/events": ["get": EventApiRoutes.operation],
        "/api/v1/screening-decisions": ["get": operation(
            "listScreeningDecisions", tag: "screening", summary: "Screening decisions since a date",
            description: "Oldest first, so a client can follow new decisions. Needs the manageReferrals permission. Audited.",
            parameters: [
                ["name": "since", "in": "query", "required": true, "description": "The first decision date wanted (YYYY-MM-DD)",
                 "schema": ["type": "string", "format": "date", "pattern": .string(ApiFormField.datePattern)]],
                ["name": "limit", "in": "query", "required": false, "description": "At most this many decisions",
                 "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 100]],
            ],
            success: ["200": ok("Decisions", R.ref("ScreeningDecisionList"),
                                links: ["GetReferral": link("getReferral", "$response.body#/items/0/referralId"),
                                        "GetScreeningDecision": link("getScreeningDecision", "$response.body#/items/0/referralId")])],
            problems: [400, 401, 403])],
    ]

    static func operation(_ id: String, tag: String, summary: String, description: String, parameters: [JSONValue] = [],
                          requestBody: JSONValue? = nil, success: [String: JSONValue], problems: [Int]) -> JSONValue {
        var responses = success
        for status in problems { responses[String(status)] = ["$ref": .string("#/components/responses/\(problemNames[status] ?? "")")] }
        var operation: [String: JSONValue] = ["operationId": .string(id), "tags": [.string(tag)], "summary": .string(summary),
                                              "description": .string(description), "responses": .object(responses)]
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestBody { operation["requestBody"] = requestBody }
        return .object(operation)
    }

    static func ok(_ description: String, _ schema: JSONValue, links: [String: JSONValue] = [:]) -> JSONValue {
        var response: [String: JSONValue] = ["description": .string(description),
                                             "content": ["application/json": ["schema": schema]]]
        if !links.isEmpty { response["links"] = .object(links) }
        return .object(response)
    }

    /// An OpenAPI link: where the id for a follow-up operation comes from in this response.
    static func link(_ operationID: String, _ idExpression: String) -> JSONValue {
        ["operationId": .string(operationID), "parameters": ["id": .string(idExpression)]]
    }

    static func body(_ description: String, _ schema: JSONValue) -> JSONValue {
        ["description": .string(description), "required": true, "content": ["application/json": ["schema": schema]]]
    }

    // MARK: components

    static let problemNames: [Int: String] = [
        400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
        415: "UnsupportedMediaType", 422: "UnprocessableContent",
    ]

    static func problem(_ description: String) -> JSONValue {
        ["description": .string(description), "content": ["application/problem+json": ["schema": R.ref("Problem")]]]
    }

    static let responses: JSONValue = [
        "BadRequest": problem("A query parameter is missing or wrong, or the body is not JSON"),
        "Unauthorized": [
            "description": "No API token, or one that is unknown, expired or revoked, or whose account is disabled",
            "headers": ["WWW-Authenticate": ["required": true, "description": "Bearer challenge (RFC 6750)",
                                             "schema": ["type": "string"]]],
            "content": ["application/problem+json": ["schema": R.ref("Problem")]],
        ],
        "Forbidden": problem("The token's role does not allow this, or need-to-know refuses the case. Recorded in the audit trail."),
        "NotFound": problem("There is no such record, or it is one you may not see"),
        "Conflict": problem("The record changed since you read it, or is past the state that allows this"),
        "UnsupportedMediaType": problem("The body must be application/json"),
        "UnprocessableContent": problem("The body has problems; errors lists each by field"),
    ]

    static let parameters: JSONValue = [
        "id": ["name": "id", "in": "path", "required": true, "description": "The record's id",
               "schema": ["type": "integer", "format": "int64", "minimum": 1, "maximum": .int(Int64.max)]],
    ]

    static func schemas(_ context: ApiFormField.Context) -> JSONValue {
        [
            "Problem": [
                "type": "object", "description": "An RFC 9457 problem document",
                "required": ["type", "title", "status", "code"],
                "properties": [
                    "type": ["type": "string"], "title": ["type": "string"],
                    "status": ["type": "integer", "minimum": 400, "maximum": 599],
                    "code": ["type": "string", "description": "A stable code for programs, e.g. edit_conflict"],
                    "errors": R.array(R.object("A problem with one field of the request", [
                        "field": ["type": "string", "description": "The field's path, e.g. form.dateOfBirth"],
                        "message": R.string,
                    ])),
                ],
            ],
            "Nominal": R.nominalSchema,
            "NominalList": R.object("Search results", ["items": R.array(R.ref("Nominal")),
                                                        "more": ["type": "boolean", "description": "More matched than limit"]]),
            "NominalDetail": R.merge(R.nominalSchema, description: "A nominal with the cases the caller may see",
                                     adding: ["cases": R.array(R.ref("CaseSummary"))]),
            "Agency": R.agencySchema,
            "RoshByGroup": R.roshByGroupSchema,
            "CaseSummary": R.caseSummarySchema,
            "CaseDetail": R.caseDetailSchema,
            "ReferralForm": ApiFormField.schema(context, forResponse: true),
            "ReferralFormInput": ApiFormField.schema(context, forResponse: false),
            "ReferralUpdate": R.object("A new form for a referral, based on the version last read", [
                "version": ["type": "integer", "format": "int64", "minimum": 1, "maximum": .int(Int64.max)],
                "form": R.ref("ReferralFormInput"),
            ]),
            "ReferralSummary": R.referralSummarySchema,
            "ReferralList": R.object("Referrals", ["items": R.array(R.ref("ReferralSummary")),
                                                  "more": ["type": "boolean", "description": "Older referrals were left out"]]),
            "Referral": R.referralSchema,
            "QualityFindingSection": R.findingSectionSchema,
            "Submission": R.object("The outcome of submitting a referral", [
                "referral": R.ref("ReferralSummary"),
                "readyForScreening": ["type": "boolean", "description": "True when no finding is missing or inconsistent"],
                "findings": R.array(R.ref("QualityFindingSection")),
            ]),
            "ScreeningDecision": R.screeningDecisionSchema,
            "ChangeEvent": EventApiRoutes.changeEventSchema,
            "ChangeEventPage": EventApiRoutes.pageSchema,
            "ScreeningDecisionList": R.object("Screening decisions", ["items": R.array(R.ref("ScreeningDecision")),
                                                                      "more": ["type": "boolean", "description": "More were made than limit"]]),
        ]
    }
}
