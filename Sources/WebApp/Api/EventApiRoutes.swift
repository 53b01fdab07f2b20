import Domain
import Foundation
import HTTPServer
import Store

/// The change-event feed (DESIGN.md "Change events"): `GET /api/v1/events?after=<id>&limit=<n>`, oldest first, in the
/// shape of HMPPS domain events. Any API account may read it; each sees only events about what it may see
/// (`ChangeEventStore.events`), and every read is audited.
enum EventApiRoutes {
    static let path = ApiRoutes.prefix + "/events"

    static func register(_ router: inout Router, _ services: Services) {
        router.get(path, ApiAccess.require(services, nil) { request, viewer in
            let after = try ApiRoutes.integerParameter(request, "after", range: 0...Int.max, default: 0)
            let limit = try ApiRoutes.integerParameter(request, "limit", range: 1...ChangeEventStore.maxLimit, default: 100)
            let page = try services.changeEvents.events(after: Int64(after), limit: limit, for: viewer)
            try services.audit.record(actor: viewer.actor, action: .view, subjectType: "change_event", subjectID: "",
                                      detail: "\(page.events.count) events after \(after) via API"
                                          + (page.events.isEmpty ? "" : ", cases \(Set(page.events.compactMap(\.caseID)).sorted().map(String.init).joined(separator: " "))"))
            return .json(["items": .array(page.events.map(representation)), "next": .int(page.next), "more": .bool(page.more)])
        })
    }

    /// One event as HMPPS domain events are written: `personReference.identifiers` holds the CRN and PNC where known.
    static func representation(_ event: ChangeEvent) -> JSONValue {
        var identifiers: [JSONValue] = []
        if !event.crn.isEmpty { identifiers.append(["type": "CRN", "value": .string(event.crn)]) }
        if !event.pnc.isEmpty { identifiers.append(["type": "PNC", "value": .string(event.pnc)]) }
        return [
            "id": .int(event.id),
            "eventType": .string(event.eventType.rawValue),
            "version": 1,
            "description": .string(event.eventType.description),
            "occurredAt": .string(event.occurredAt),
            "personReference": ["identifiers": .array(identifiers)],
            "additionalInformation": .object(event.additionalInformation.mapValues { .string($0) }),
        ]
    }

    /// The schemas the OpenAPI document gives for the feed.
    static let changeEventSchema: JSONValue = ApiRepresentation.object("A change, in the shape of an HMPPS domain event", [
            "id": ["type": "integer", "format": "int64", "minimum": 1, "description": "Only grows: ask for the events after the last one you read"],
            "eventType": ApiRepresentation.enumeration(ChangeEventType.allCases.map(\.rawValue)),
            "version": ["type": "integer", "enum": [1]],
            "description": ApiRepresentation.string,
            "occurredAt": ApiRepresentation.timestamp,
            "personReference": ApiRepresentation.object("The person the event is about, where there is one", [
                "identifiers": ApiRepresentation.array(ApiRepresentation.object("An identifier of the person", [
                    "type": ApiRepresentation.enumeration(["CRN", "PNC"]), "value": ApiRepresentation.string,
                ])),
            ]),
            "additionalInformation": ["type": "object", "additionalProperties": ["type": "string"],
                                      "description": "Details by name (caseId, referralId, meetingId, level, previousLevel, category, previousCategory, decision, date, …)"],
        ])
    static let pageSchema: JSONValue = ApiRepresentation.object("A page of change events, oldest first", [
            "items": ApiRepresentation.array(ApiRepresentation.ref("ChangeEvent")),
            "next": ["type": "integer", "format": "int64", "minimum": 0,
                     "description": "Give this as after= for the next page: the last event looked at, shown to you or not"],
            "more": ["type": "boolean", "description": "More events follow next"],
        ])

    static let operation: JSONValue = ApiDocument.operation(
        "listChangeEvents", tag: "events", summary: "Change events after a cursor",
        description: "Cases registered, levels and categories changed, cases exited, referrals submitted, screening decisions, meetings scheduled and cancelled, minutes approved, actions newly overdue (noted by a sweep every 15 minutes): each written in the same transaction as the change. Oldest first. You see only events about cases, referrals and meetings your account may see (need-to-know); follow next to page. Audited.",
        parameters: [
            ["name": "after", "in": "query", "required": false, "description": "Only events after this id (0, the default: from the first)",
             "schema": ["type": "integer", "format": "int64", "minimum": 0, "maximum": .int(Int64.max), "default": 0]],
            ["name": "limit", "in": "query", "required": false, "description": "Look at most at this many events",
             "schema": ["type": "integer", "minimum": 1, "maximum": .int(Int64(ChangeEventStore.maxLimit)), "default": 100]],
        ],
        success: ["200": ApiDocument.ok("Events", ApiRepresentation.ref("ChangeEventPage"))],
        problems: [400, 401])
}
