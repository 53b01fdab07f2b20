import Domain
import Foundation
import HTTPServer
import Store

/// How records look in the API, each next to its JSON Schema so the published document and the responses are
/// written in one place. Field names are camelCase; MAPPA fields use the names HMPPS services use (`level`,
/// `levelDescription`, `category`, `categoryDescription`, `startDate`, `reviewDate`); dates are YYYY-MM-DD
/// and timestamps ISO 8601 in UTC.
enum ApiRepresentation {
    // MARK: schema helpers

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }
    static let string: JSONValue = ["type": "string"]
    static let id: JSONValue = ["type": "integer", "format": "int64", "minimum": 1]
    static let nullableID: JSONValue = ["type": ["integer", "null"], "format": "int64", "minimum": 1]
    static let date: JSONValue = ["type": "string", "format": "date"]
    static let nullableDate: JSONValue = ["type": ["string", "null"], "format": "date"]
    static let timestamp: JSONValue = ["type": "string", "format": "date-time"]
    static let nullableTimestamp: JSONValue = ["type": ["string", "null"], "format": "date-time"]
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func enumeration(_ values: [String], nullable: Bool = false) -> JSONValue {
        ["type": nullable ? ["string", "null"] : "string",
         "enum": .array(values.map { .string($0) } + (nullable ? [.null] : []))]
    }

    /// A closed object schema: every property listed is always present (possibly null) and nothing else is.
    static func object(_ description: String, _ properties: KeyValuePairs<String, JSONValue>) -> JSONValue {
        ["type": "object", "description": .string(description), "additionalProperties": false,
         "required": .array(properties.map { .string($0.key) }),
         "properties": .object(Dictionary(uniqueKeysWithValues: properties.map { ($0.key, $0.value) }))]
    }

    static func merge(_ base: JSONValue, description: String, adding extra: KeyValuePairs<String, JSONValue>) -> JSONValue {
        guard case .object(var schema) = base, case .object(var properties)? = schema["properties"],
              case .array(var required)? = schema["required"] else { return base }
        for (key, value) in extra {
            properties[key] = value
            required.append(.string(key))
        }
        schema["properties"] = .object(properties)
        schema["required"] = .array(required)
        schema["description"] = .string(description)
        return .object(schema)
    }

    // MARK: nominals

    static func nominal(_ nominal: NominalRecord) -> JSONValue {
        ["id": .int(nominal.id), "nominalRef": .string(nominal.nominalRef), "familyName": .string(nominal.familyName),
         "givenNames": .string(nominal.givenNames), "aliases": .array(nominal.aliases.map { .string($0) }),
         "dateOfBirth": .date(nominal.dateOfBirth), "gender": .string(nominal.gender),
         "ethnicity": .string(nominal.ethnicity), "pncId": .string(nominal.pncID),
         "visorReference": .string(nominal.visorReference), "crn": .string(nominal.crn),
         "custodyStatus": .string(nominal.custodyStatus.rawValue), "releaseDate": .date(nominal.releaseDate)]
    }

    static let nominalSchema = object("A person on the MAPPA register", [
        "id": id, "nominalRef": string, "familyName": string, "givenNames": string, "aliases": array(string),
        "dateOfBirth": nullableDate, "gender": string, "ethnicity": string, "pncId": string, "visorReference": string,
        "crn": string, "custodyStatus": enumeration(CustodyStatus.allCases.map(\.rawValue)), "releaseDate": nullableDate,
    ])

    // MARK: cases

    static func roshByGroup(_ groups: [RiskGroup: RoSH]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: ApiFormField.roshGroupNames.map { name, group in
            (name, JSONValue(groups[group]) { .string($0.rawValue) })
        }))
    }

    static let roshByGroupSchema = object("Risk of serious harm to each group; null where not recorded",
        ["children": ApiFormField.roshSchema, "public": ApiFormField.roshSchema,
         "knownAdult": ApiFormField.roshSchema, "staff": ApiFormField.roshSchema])

    static func agency(_ agency: Agency?, fallbackName: String, id: Int64) -> JSONValue {
        ["id": .int(id), "code": .string(agency?.code ?? ""), "name": .string(agency?.name ?? fallbackName)]
    }

    static let agencySchema = object("An agency in the directory", ["id": id, "code": string, "name": string])

    static func caseSummary(_ record: CaseRecord, agencies: [Int64: Agency]) -> JSONValue {
        ["id": .int(record.id), "nominalId": .int(record.nominalID),
         "category": .int(Int64(record.category.rawValue)), "categoryDescription": .string(record.category.description),
         "level": record.level == .unknown ? .null : .int(Int64(record.level.rawValue)),
         "levelDescription": .string(record.level.description),
         "leadAgency": agency(agencies[record.leadAgencyID], fallbackName: record.leadAgencyName, id: record.leadAgencyID),
         "area": record.areaCode.isEmpty ? .null : .string(record.areaCode),
         "startDate": .date(record.startDate), "statutoryEndDate": .date(record.statutoryEndDate),
         "reviewDate": .date(record.nextReviewDate), "lastReviewedOn": .date(record.lastReviewedOn),
         "rosh": JSONValue(record.rosh) { .string($0.rawValue) }, "roshByGroup": roshByGroup(record.roshByGroup),
         "status": .string(record.status.rawValue),
         "exit": record.status == .exited ? ["date": .date(record.exitDate), "reason": .string(record.exitReason)] : .null,
         "restricted": .bool(record.restricted), "version": .int(record.version)]
    }

    static let caseSummarySchema = object("A MAPPA case (registration) of a nominal", [
        "id": id, "nominalId": id,
        "category": ["type": "integer", "enum": [1, 2, 3, 4], "description": "MAPPA category 1–4"],
        "categoryDescription": string,
        "level": ["type": ["integer", "null"], "enum": [1, 2, 3, nil], "description": "MAPPA level 1–3; null while not yet set"],
        "levelDescription": string,
        "leadAgency": ref("Agency"),
        "area": ["type": ["string", "null"], "pattern": "^[a-z0-9_-]{2,40}$",
                 "description": "The code of the MAPPA area the case is in, where the database holds several areas; null when none is recorded"],
        "startDate": date, "statutoryEndDate": nullableDate,
        "reviewDate": ["type": ["string", "null"], "format": "date", "description": "When the next MAPPA review is due"],
        "lastReviewedOn": nullableDate, "rosh": ApiFormField.roshSchema, "roshByGroup": ref("RoshByGroup"),
        "status": enumeration(CaseStatus.allCases.map(\.rawValue)),
        "exit": ["oneOf": [["type": "null"], object("How the case ended", ["date": nullableDate, "reason": string])],
                 "description": "Null while the case is active"],
        "restricted": ["type": "boolean", "description": "Only named users may see the case (Category 4 by default)"],
        "version": id,
    ])

    static func caseDetail(_ record: CaseRecord, nominal: NominalRecord?, history: [CaseHistoryEntry],
                           agencies: [Int64: Agency]) -> JSONValue {
        guard case .object(var members) = caseSummary(record, agencies: agencies) else { return .null }
        members["nominal"] = nominal.map { nominal -> JSONValue in
            ["id": .int(nominal.id), "nominalRef": .string(nominal.nominalRef), "familyName": .string(nominal.familyName),
             "givenNames": .string(nominal.givenNames), "dateOfBirth": .date(nominal.dateOfBirth)]
        } ?? .null
        members["history"] = .array(history.map { entry in
            ["field": .string(entry.field), "oldValue": .string(entry.oldValue), "newValue": .string(entry.newValue),
             "reason": .string(entry.reason), "changedAt": .string(entry.changedAt), "changedBy": .string(entry.changedBy)]
        })
        return .object(members)
    }

    static let caseDetailSchema = merge(caseSummarySchema, description: "A MAPPA case with its nominal and history", adding: [
        "nominal": ["oneOf": [["type": "null"], object("Who the case is about", [
            "id": id, "nominalRef": string, "familyName": string, "givenNames": string, "dateOfBirth": nullableDate,
        ])]],
        "history": array(object("A change of category, level or risk, with its reason", [
            "field": string, "oldValue": string, "newValue": string, "reason": string, "changedAt": timestamp,
            "changedBy": string,
        ])),
    ])

    // MARK: referrals

    static func referralSummary(_ referral: ReferralRecord) -> JSONValue {
        ["id": .int(referral.id), "reference": .string(referral.reference), "status": .string(referral.status.rawValue),
         "offenderName": .string(referral.form.fullName),
         "levelRequested": JSONValue(referral.form.levelRequested) { .int(Int64($0.rawValue)) },
         "referrerName": .string(referral.referrerName), "referringAgency": .string(referral.referringAgency),
         "createdAt": .string(referral.createdAt), "submittedAt": .nullable(referral.submittedAt),
         "updatedAt": .string(referral.updatedAt), "version": .int(referral.version)]
    }

    static let referralSummarySchema = object("A MAPPA A referral, in brief", [
        "id": id, "reference": string, "status": enumeration(ReferralStatus.allCases.map(\.rawValue)),
        "offenderName": string, "levelRequested": ["type": ["integer", "null"], "enum": [2, 3, nil]],
        "referrerName": string, "referringAgency": string, "createdAt": timestamp, "submittedAt": nullableTimestamp,
        "updatedAt": timestamp,
        "version": ["type": "integer", "format": "int64", "minimum": 1,
                    "description": "Send it back with a change: a change based on an older version is refused (409)"],
    ])

    static func sectionName(_ section: ReferralSection) -> String { String(describing: section) }

    /// Quality findings grouped by the section of the form they are in, in form order.
    static func findings(_ findings: [QualityFinding]) -> JSONValue {
        .array(ReferralSection.allCases.compactMap { section -> JSONValue? in
            let items = findings.filter { $0.section == section }
            guard !items.isEmpty else { return nil }
            return ["section": .string(sectionName(section)), "title": .string(section.title),
                    "findings": .array(items.map { finding in
                        ["field": .string(ApiFormField.apiName(formName: finding.field)),
                         "kind": .string(finding.kind.rawValue), "message": .string(finding.message)]
                    })]
        })
    }

    static let findingSectionSchema = object("Quality findings in one section of the form", [
        "section": enumeration(ReferralSection.allCases.map(sectionName)), "title": string,
        "findings": array(object("Something missing or wrong on the form", [
            "field": ["type": "string", "description": "The referral form field, as named in ReferralForm"],
            "kind": ["type": "string", "enum": ["missing", "inconsistent", "warning"],
                     "description": "missing and inconsistent must be put right before screening; warning is for the coordinator to check"],
            "message": string,
        ])),
    ])

    static func referral(_ referral: ReferralRecord, findings: [QualityFinding], events: [ReferralEvent]) -> JSONValue {
        guard case .object(var members) = referralSummary(referral) else { return .null }
        members["form"] = ApiFormField.encode(referral.form)
        members["nominalId"] = .nullable(referral.nominalID)
        members["caseId"] = .nullable(referral.caseID)
        members["readyForScreening"] = .bool(ReferralQualityCheck.isReadyForScreening(findings))
        members["qualityFindings"] = Self.findings(findings)
        members["history"] = .array(events.map { event in
            ["event": .string(event.event), "occurredAt": .string(event.occurredAt), "by": .string(event.userName),
             "note": .string(event.note)]
        })
        return .object(members)
    }

    static let referralSchema = merge(referralSummarySchema, description: "A MAPPA A referral in full", adding: [
        "form": ref("ReferralForm"), "nominalId": nullableID, "caseId": nullableID,
        "readyForScreening": ["type": "boolean", "description": "True when no finding is missing or inconsistent"],
        "qualityFindings": array(ref("QualityFindingSection")),
        "history": array(object("Something that happened to the referral", [
            "event": string, "occurredAt": timestamp, "by": string, "note": string,
        ])),
    ])

    // MARK: screening

    static func screeningDecision(_ decision: ScreeningDecisionRecord) -> JSONValue {
        let level = { (level: ManagementLevel?) in JSONValue(level) { .int(Int64($0.rawValue)) } }
        let facts = decision.facts.map { facts -> JSONValue in
            ["category": .int(Int64(facts.category.rawValue)), "rosh": JSONValue(facts.rosh) { .string($0.rawValue) },
             "addsValue": .bool(facts.addsValue),
             "exceptionalLowerRiskNeedingCoordination": .bool(facts.exceptionalLowerRiskNeedingCoordination),
             "previouslyLevel3": .bool(facts.previouslyLevel3),
             "needsSeniorRepresentation": .bool(facts.needsSeniorRepresentation),
             "needsResourcesAtShortNotice": .bool(facts.needsResourcesAtShortNotice),
             "publicConfidenceConcern": .bool(facts.publicConfidenceConcern)]
        } ?? .null
        let recommendation = decision.recommendation.map { recommendation -> JSONValue in
            ["level": level(recommendation.level),
             "criteriaMet": .array(recommendation.criteriaMet.map { .string($0.rawValue) }),
             "criteriaNotMet": .array(recommendation.criteriaNotMet.map { .string($0.rawValue) }),
             "reasons": .array(recommendation.reasons.map { .string($0) })]
        } ?? .null
        return ["id": .int(decision.id), "referralId": .int(decision.referralID),
                "referralReference": .string(String(format: "REF-%05lld", decision.referralID)),
                "decision": .string(decision.decision.rawValue), "level": level(decision.level),
                "levelDescription": JSONValue(decision.level) { .string($0.description) },
                "recommendedLevel": level(decision.recommendedLevel), "rationale": .string(decision.rationale),
                "declineReason": .nullable(decision.declineReason), "decidedOn": .date(decision.decidedOn),
                "decidedBy": .string(decision.decidedByName), "nominalId": .nullable(decision.nominalID),
                "caseId": .nullable(decision.caseID), "meetingId": .nullable(decision.meetingID), "facts": facts,
                "recommendation": recommendation]
    }

    static let screeningDecisionSchema: JSONValue = {
        let level: JSONValue = ["type": ["integer", "null"], "enum": [1, 2, 3, nil]]
        let criteria = enumeration(LevelCriterion.allCases.map(\.rawValue))
        return object("The screening panel's decision on a referral", [
            "id": id, "referralId": id, "referralReference": string,
            "decision": enumeration(ScreeningDecisionRecord.Decision.allCases.map(\.rawValue)),
            "level": level, "levelDescription": nullable("string"),
            "recommendedLevel": ["type": ["integer", "null"], "enum": [1, 2, 3, nil],
                                 "description": "The level the guidance pointed to; null when it pointed to declining"],
            "rationale": string, "declineReason": nullable("string"), "decidedOn": date, "decidedBy": string,
            "nominalId": nullableID, "caseId": nullableID,
            "meetingId": ["type": ["integer", "null"], "description": "The screening panel where the decision was made; null when none was recorded"],
            "facts": ["oneOf": [["type": "null"], object("What the panel weighed (MAPPA Guidance ch.7)", [
                "category": ["type": "integer", "enum": [1, 2, 3, 4]], "rosh": ApiFormField.roshSchema,
                "addsValue": ["type": "boolean"], "exceptionalLowerRiskNeedingCoordination": ["type": "boolean"],
                "previouslyLevel3": ["type": "boolean"], "needsSeniorRepresentation": ["type": "boolean"],
                "needsResourcesAtShortNotice": ["type": "boolean"], "publicConfidenceConcern": ["type": "boolean"],
            ])]],
            "recommendation": ["oneOf": [["type": "null"], object("The level the guidance pointed to, and why", [
                "level": level, "criteriaMet": array(criteria), "criteriaNotMet": array(criteria), "reasons": array(string),
            ])]],
        ])
    }()
}
