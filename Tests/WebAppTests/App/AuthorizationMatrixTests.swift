import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Every route against every kind of user, from one table. A route added to the app without a row here fails
/// `everyRouteHasARule`, so access rules cannot be forgotten.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    enum Subject: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case anonymous, coordinator, chair, manager, agencyRepresentative, referrer, administrator, auditor
        /// An agency representative whose agency is not involved in the case.
        case uninvolvedRepresentative
        /// A coordinator named on the case's exclusion list.
        case excludedCoordinator
        var testDescription: String { rawValue }
    }

    enum Outcome: String, Equatable {
        /// Gets past every gate (the answer may still be a form error or a redirect elsewhere).
        case allowed
        /// 403 with the refusal page.
        case refused
        /// 404: the record is not shown, nor confirmed to exist (someone else's referral).
        case hidden
        /// Sent to sign in.
        case signIn
    }

    /// Who gets past each route's gate; everyone else signed in is refused, unless listed as `hidden`.
    struct Rule {
        var allowed: Set<Subject>
        var hidden: Set<Subject> = []
        var isPublic = false
        /// Not there for anyone with a session or none (404): only a configured scraper reaches it (`/metrics`).
        var isHiddenFromEveryone = false
        func outcome(_ subject: Subject) -> Outcome {
            if isPublic { return .allowed }
            if isHiddenFromEveryone { return .hidden }
            if subject == .anonymous { return .signIn }
            if allowed.contains(subject) { return .allowed }
            return hidden.contains(subject) ? .hidden : .refused
        }
    }

    static let signedIn = Set(Subject.allCases).subtracting([.anonymous])
    static let unitStaff: Set<Subject> = [.coordinator, .excludedCoordinator]
    static let public_ = Rule(allowed: [], isPublic: true)
    static let admin = Rule(allowed: [.administrator])
    static let caseEditors = Rule(allowed: [.coordinator])
    static let meetingViewers: Set<Subject> = [.coordinator, .excludedCoordinator, .chair, .manager, .agencyRepresentative,
                                                .uninvolvedRepresentative]
    static let actionTrackers: Set<Subject> = [.coordinator, .chair, .manager, .agencyRepresentative, .uninvolvedRepresentative, .excludedCoordinator]
    static let meetingManagers = Rule(allowed: [.coordinator, .excludedCoordinator, .chair])
    static let statisticsViewers = Rule(allowed: [.coordinator, .excludedCoordinator, .manager, .auditor])
    static let statisticsConfigurers = Rule(allowed: [.coordinator, .excludedCoordinator, .administrator])
    static let directoryEditors = Rule(allowed: [.coordinator, .excludedCoordinator, .administrator])
    static let referralOwners = Rule(allowed: [.coordinator, .excludedCoordinator, .referrer],
                                     hidden: signedIn.subtracting([.coordinator, .excludedCoordinator, .referrer]))

    static let rules: [String: Rule] = [
        "GET /healthz": public_, "GET /readyz": public_, "GET /metrics": Rule(allowed: [], isHiddenFromEveryone: true), "GET /assets/app.css": public_, "GET /assets/app.js": public_,
        "GET /login": public_, "POST /login": public_,
        "GET /": Rule(allowed: signedIn), "GET /account": Rule(allowed: signedIn),
        "GET /account/password": Rule(allowed: signedIn), "POST /account/password": Rule(allowed: signedIn),
        "POST /logout": Rule(allowed: signedIn),
        "GET /admin/users": admin, "GET /admin/users/new": admin, "POST /admin/users/new": admin,
        "GET /admin/users/:id": admin, "GET /admin/users/:id/edit": admin, "POST /admin/users/:id/edit": admin,
        "POST /admin/users/:id/reset-password": admin, "POST /admin/users/:id/disable": admin,
        "POST /admin/users/:id/enable": admin,
        "GET /admin/mail": admin, "POST /admin/mail/settings": admin, "POST /admin/mail/test": admin,
        "POST /admin/mail/:id/retry": admin,
        "GET /admin/timescales": admin, "POST /admin/timescales": admin,
        "GET /audit": Rule(allowed: [.auditor]), "GET /audit/verify": Rule(allowed: [.auditor]),
        "GET /nominals": Rule(allowed: [.coordinator, .chair, .manager, .excludedCoordinator]),
        "GET /nominals/:id": Rule(allowed: [.coordinator, .chair, .manager]),
        "GET /nominals/:id/edit": caseEditors, "POST /nominals/:id/edit": caseEditors,
        "GET /cases/:id": Rule(allowed: [.coordinator, .chair, .manager, .agencyRepresentative]),
        "GET /cases/:id/edit": caseEditors, "POST /cases/:id/edit": caseEditors,
        "GET /cases/:id/access": caseEditors, "POST /cases/:id/access": caseEditors,
        // The caseload: unit staff and partner agencies' staff pass the gate (the Store lists only what each may see).
        "GET /cases": Rule(allowed: meetingViewers), "GET /cases.csv": Rule(allowed: meetingViewers),
        "GET /cases/new": Rule(allowed: unitStaff), "POST /cases/new": Rule(allowed: unitStaff),
        // Only a coordinator an administrator has granted "manage restricted cases" (nobody here) lists them.
        "GET /cases/restricted": Rule(allowed: []),
        "GET /cases/import": Rule(allowed: unitStaff), "POST /cases/import": Rule(allowed: unitStaff),
        "GET /cases/export.csv": Rule(allowed: unitStaff),
        // Jobs belong to whoever started them: unit staff pass the gate and find no such job.
        "GET /cases/import/:job": Rule(allowed: [], hidden: unitStaff),
        "GET /referrals": Rule(allowed: unitStaff.union([.referrer])),
        "GET /referrals/new": Rule(allowed: unitStaff.union([.referrer])),
        "POST /referrals/new": Rule(allowed: unitStaff.union([.referrer])),
        "GET /referrals/:id": referralOwners, "GET /referrals/:id/edit": referralOwners,
        "POST /referrals/:id/submit": referralOwners,
        "GET /referrals/:id/sections/:section": referralOwners, "POST /referrals/:id/sections/:section": referralOwners,
        "GET /referrals/:id/check": referralOwners,
        "POST /referrals/:id/return": Rule(allowed: unitStaff),
        "GET /screening": Rule(allowed: unitStaff),
        "POST /cases/:id/contacts": caseEditors,
        "GET /meetings": Rule(allowed: meetingViewers), "GET /meetings/new": meetingManagers, "POST /meetings/new": meetingManagers,
        // The uninvolved agency is not told the meeting exists.
        "GET /meetings/:id": Rule(allowed: meetingViewers.subtracting([.uninvolvedRepresentative]), hidden: [.uninvolvedRepresentative]),
        "GET /meetings/:id/edit": meetingManagers, "POST /meetings/:id/edit": meetingManagers,
        "POST /meetings/:id/cancel": meetingManagers, "POST /meetings/:id/papers": meetingManagers,
        "POST /meetings/:id/held": meetingManagers, "POST /meetings/:id/agenda": meetingManagers,
        "GET /meetings/:id/invitees": meetingManagers, "POST /meetings/:id/invitees": meetingManagers,
        "GET /meetings/:id/attendance": meetingManagers, "POST /meetings/:id/attendance": meetingManagers,
        "POST /meetings/:id/send": meetingManagers,
        "GET /meetings/:id/cancel": meetingManagers,
        // The agenda as a PDF: whoever may see the meeting; the uninvolved agency is not told it exists.
        "GET /meetings/:id/agenda.pdf": Rule(allowed: meetingViewers.subtracting([.uninvolvedRepresentative]), hidden: [.uninvolvedRepresentative]),
        // A time slot: the excluded coordinator is not told the item of a case they may not see exists.
        "POST /meetings/:id/items/:item/time": Rule(allowed: [.coordinator, .chair], hidden: [.excludedCoordinator]),
        // An action is seen by its owner and by those who may see its case; others are not told it exists.
        "GET /actions": Rule(allowed: actionTrackers),
        "GET /actions/:id": Rule(allowed: [.coordinator, .chair, .manager, .agencyRepresentative],
                                 hidden: [.uninvolvedRepresentative, .excludedCoordinator]),
        // Only its owner (nobody here) and the coordinator change it.
        "POST /actions/:id": Rule(allowed: [.coordinator], hidden: [.uninvolvedRepresentative, .excludedCoordinator]),
        "POST /cases/:id/actions": caseEditors,
        // The unit's open actions: unit staff (need-to-know filters the list); adding an action to a case: the coordinator.
        "GET /actions/open": Rule(allowed: [.coordinator, .excludedCoordinator, .chair, .manager]),
        "GET /cases/:id/actions/new": caseEditors,
        // Minutes: unit staff with the case in their need-to-know read them; coordinators and chairs write them;
        // only chairs approve. The excluded coordinator is refused by the case's exclusion list.
        // Housing, involved in the case, passes to the minutes page (which shows no draft) but finds no approved PDF; DWP
        // is not told of the meeting.
        "GET /meetings/:id/items/:item/minutes": Rule(allowed: [.coordinator, .chair, .manager, .agencyRepresentative],
                                                      hidden: [.uninvolvedRepresentative]),
        "GET /meetings/:id/items/:item/minutes.pdf": Rule(allowed: [.coordinator, .chair, .manager],
                                                          hidden: [.agencyRepresentative, .uninvolvedRepresentative]),
        "POST /meetings/:id/items/:item/minutes/record-distribution": Rule(allowed: [.coordinator, .chair]),
        "GET /minutes": Rule(allowed: meetingViewers),
        // Partner agencies reply to their invitations: housing is invited; for everyone else there is no invitation.
        "GET /meetings/invited": Rule(allowed: meetingViewers),
        "GET /meetings/:id/reply": Rule(allowed: [.agencyRepresentative], hidden: meetingViewers.subtracting([.agencyRepresentative])),
        "POST /meetings/:id/reply": Rule(allowed: [.agencyRepresentative], hidden: meetingViewers.subtracting([.agencyRepresentative])),
        "POST /meetings/:id/items/:item/minutes": Rule(allowed: [.coordinator, .chair]),
        "POST /meetings/:id/items/:item/minutes/start": Rule(allowed: [.coordinator, .chair]),
        "POST /meetings/:id/items/:item/minutes/distribute": Rule(allowed: [.coordinator, .chair]),
        "POST /meetings/:id/items/:item/minutes/amend": Rule(allowed: [.coordinator, .chair]),
        "POST /meetings/:id/items/:item/minutes/approve": Rule(allowed: [.chair]),
        "GET /meetings/:id/items/:item/minutes/approve": Rule(allowed: [.chair]),
        // Who viewed a case: the coordinators who keep it; the excluded coordinator is refused by the case's exclusion.
        "GET /cases/:id/audit": caseEditors,
        "POST /meetings/:id/items/:item/minutes/send-back": Rule(allowed: [.chair]),
        "GET /agencies": Rule(allowed: signedIn), "GET /agencies/:code": Rule(allowed: signedIn),
        "POST /agencies": directoryEditors, "POST /agencies/:code": directoryEditors,
        "GET /account/api-tokens": Rule(allowed: signedIn), "POST /account/api-tokens": Rule(allowed: signedIn),
        // The coordinator's token: only its owner may revoke it; for everyone else it does not exist.
        "POST /account/api-tokens/:id/revoke": Rule(allowed: [.coordinator], hidden: signedIn.subtracting([.coordinator])),
        // The JSON API: the same subjects, presenting their own bearer tokens instead of a session.
        "GET /api/openapi.json": public_,
        "GET /api/v1/nominals": Rule(allowed: [.coordinator, .chair, .manager, .excludedCoordinator]),
        "GET /api/v1/nominals/:id": Rule(allowed: [.coordinator, .chair, .manager]),
        "GET /api/v1/cases/:id": Rule(allowed: [.coordinator, .chair, .manager, .agencyRepresentative]),
        "GET /api/v1/referrals": Rule(allowed: unitStaff.union([.referrer])),
        "POST /api/v1/referrals": Rule(allowed: unitStaff.union([.referrer])),
        "GET /api/v1/referrals/:id": referralOwners, "PUT /api/v1/referrals/:id": referralOwners,
        "POST /api/v1/referrals/:id/submit": referralOwners,
        // The referral has not been screened yet: unit staff pass the gate and find no decision.
        "GET /api/v1/referrals/:id/screening-decision": Rule(allowed: [], hidden: unitStaff),
        "GET /api/v1/screening-decisions": Rule(allowed: unitStaff),
        // Change events: any account may follow the feed; each sees only the events need-to-know lets it see.
        "GET /api/v1/events": Rule(allowed: signedIn),
        "GET /referrals/:id/screening": Rule(allowed: unitStaff), "POST /referrals/:id/screening": Rule(allowed: unitStaff),
        // Statistics: counts, never names; unit staff, managers and auditors. Partner agencies and referrers are refused.
        "GET /statistics": statisticsViewers, "GET /statistics/annual": statisticsViewers,
        "GET /statistics/annual.csv": statisticsViewers, "GET /statistics/annual.json": statisticsViewers,
        "GET /statistics/annual.xlsx": statisticsViewers,
        "POST /statistics/population": Rule(allowed: unitStaff),
        "GET /statistics/events/import": Rule(allowed: unitStaff), "POST /statistics/events/import": Rule(allowed: unitStaff),
        "GET /statistics/events/import/:job": Rule(allowed: [], hidden: unitStaff),
        "POST /cases/:id/events": caseEditors,
        // Performance indicators: the figures for unit staff, managers and auditors; the settings for the coordinator and administrator.
        "GET /statistics/kpis": Rule(allowed: [.coordinator, .excludedCoordinator, .manager, .auditor]),
        "GET /statistics/kpis/:id": Rule(allowed: [.coordinator, .excludedCoordinator, .manager, .auditor]),
        "GET /statistics/kpis.csv": statisticsViewers, "GET /statistics/kpis.xlsx": statisticsViewers,
        "GET /statistics/kpis/settings": Rule(allowed: [.coordinator, .excludedCoordinator, .administrator]),
        "POST /statistics/kpis/settings": Rule(allowed: [.coordinator, .excludedCoordinator, .administrator]),
        // MAPPA areas: kept by whoever configures the statistics; compared by everyone who reads them.
        "GET /statistics/areas": statisticsConfigurers, "POST /statistics/areas": statisticsConfigurers,
        "GET /statistics/areas/:code": statisticsConfigurers, "POST /statistics/areas/:code": statisticsConfigurers,
        "GET /statistics/annual/areas": statisticsViewers, "GET /statistics/annual/areas.csv": statisticsViewers,
    ]

    @Test("every route the app serves has an access rule in this table")
    func everyRouteHasARule() throws {
        let fixture = try AppFixture(.sqlite)
        for route in fixture.app.routeTable {
            #expect(Self.rules[route] != nil, "no access rule for \(route): add it to AuthorizationMatrixTests.rules")
        }
        for route in Self.rules.keys {
            #expect(fixture.app.routeTable.contains(route), "rule for a route the app does not serve: \(route)")
        }
    }

    /// The world the requests run in: one case (probation lead, housing involved, one coordinator excluded) and
    /// one submitted referral by the referrer.
    struct World {
        let fixture: AppFixture
        let ids: [String: String]

        init() throws {
            fixture = try AppFixture(.sqlite)
            let world = fixture.world
            let stores = fixture.stores
            let uninvolved = try world.addUser("user.uninvolved", role: .agencyRepresentative, agency: "dwp")
            try world.addUser("user.excluded", role: .coordinator, agency: "mappa_unit")
            let coordinator = try world.coordinator()
            let referrer = try world.viewer(.referrer)
            let caseID = try world.importCases([CaseRegisterRow(
                nominalRef: "M-1", familyName: "Matrixson", givenNames: "Pat", dateOfBirth: CalendarDate("1980-01-01")!,
                category: .two, level: .two, leadAgency: "probation", mappaStartDate: CalendarDate("2026-01-01"))])["M-1"]!
            let nominalID = try #require(try world.nominalID("M-1"))
            try world.involve(caseID, agency: "housing")
            try world.name("user.excluded", on: caseID, as: .exclude)
            var form = ReferralForm()
            form.familyName = "Referredperson"
            let referral = try stores.referrals.createReferral(form, by: referrer)
            _ = try stores.referrals.submitReferral(id: referral.id, by: referrer)
            let meetingID = try world.schedule(MeetingPlan(kind: .level2, title: "Matrix panel", date: CalendarDate(fixture.clock.now).adding(days: 7),
                                                           startTime: "10:00", venue: "Room 1")).id
            try world.addToAgenda(meetingID, caseID: caseID, reason: "test")
            try stores.meetings.confirmInvitees(try world.meeting(meetingID), [(try world.agencyID("housing"), "Housing Lead", "housing@example.invalid")],
                                                by: coordinator.actor)
            // A token of the coordinator's, which nobody else may revoke.
            let coordinatorToken = try stores.apiTokens.create(userID: coordinator.user.id, name: "matrix", by: .commandLine).record.id
            // A failed message, so an administrator's Retry gets past the gate to a message that can be retried.
            let outbox = stores.outbox
            try outbox.saveSettings(MailSettings(smtp: SMTPSettings(host: "smtp.example.invalid", fromAddress: "mappa@example.invalid"),
                                                 maxAttempts: 1), by: .commandLine)
            let mailID = try outbox.enqueue(mail: OutgoingMail(from: Mailbox(name: "", address: "mappa@example.invalid"),
                                                               to: [Mailbox(name: "", address: "a@example.invalid")], subject: "s", text: "t"),
                                            purpose: "test")
            try outbox.markFailed(try #require(try outbox.claimDue().first), error: "smtp_connect: test")
            let itemID = try #require(try world.items(meetingID).first?.id)
            _ = try stores.minutes.startDraft(try world.discussion(meetingID, itemID), by: coordinator)
            let actionID = try stores.actions.create(NewAction(caseID: caseID, description: "Matrix action",
                                                               owner: try world.contactOwner("Someone", agency: "police"), area: .supervision, dueDate: CalendarDate(fixture.clock.now).adding(days: 5)),
                                                     by: coordinator)
            try stores.areas.add(code: "matrix_area", name: "Matrix Area", population: "", by: .commandLine)
            // Each parameter is filled by the path segment before it: /cases/:id, /items/:item, /import/:job …
            ids = ["actions": String(actionID), "mail": String(mailID), "api-tokens": String(coordinatorToken), "meetings": String(meetingID), "items": String(itemID),
                   "agencies": "housing", "users": String(uninvolved.user.id), "nominals": String(nominalID), "cases": String(caseID),
                   "referrals": String(referral.id), "import": "0f0e0d0c-no-such-job", "kpis": KPIIndicator.attendance.rawValue,
                   "areas": "matrix_area", "sections": "offender"]
        }

        /// The route's pattern with its parameter filled in with a record that exists.
        func path(_ pattern: String) -> String {
            let segments = pattern.split(separator: "/").map(String.init)
            var filled: [String] = []
            for (index, segment) in segments.enumerated() {
                if segment.hasPrefix(":") {
                    let key = index > 0 ? segments[index - 1] : ""
                    precondition(ids[key] != nil, "no record for the parameter after /\(key)/ in \(pattern)")
                    filled.append(ids[key]!)
                } else {
                    filled.append(segment)
                }
            }
            return "/" + filled.joined(separator: "/")
        }

        /// A client that presents the subject's own API token (none for anonymous).
        func apiClient(_ subject: Subject) throws -> TestClient {
            let client = fixture.client()
            guard subject != .anonymous else { return client }
            let username: String
            switch subject {
            case .excludedCoordinator: username = "user.excluded"
            case .uninvolvedRepresentative: username = "user.uninvolved"
            case .agencyRepresentative: username = "user.agency_representative"
            default: username = "user.\(subject.rawValue)"
            }
            let user = try fixture.world.viewer(username).user
            client.bearer = try fixture.stores.apiTokens.create(userID: user.id, name: "matrix", by: .commandLine).token
            return client
        }

        func client(_ subject: Subject) -> TestClient {
            switch subject {
            case .anonymous: return fixture.client()
            case .uninvolvedRepresentative, .excludedCoordinator:
                let client = fixture.client()
                client.signIn(subject == .excludedCoordinator ? "user.excluded" : "user.uninvolved", AppFixture.password)
                return client
            default:
                return fixture.client(signedInAs: Role(rawValue: subject == .agencyRepresentative ? "agency_representative" : subject.rawValue)!)
            }
        }
    }

    static func observed(_ response: Response) -> Outcome {
        let location = response.headers["Location"] ?? ""
        switch response.status {
        case 403: return .refused
        case 404: return .hidden
        case 303 where location.hasPrefix("/login") && !location.contains("signed-out"): return .signIn
        case 401: return .signIn
        default: return .allowed
        }
    }

    @Test("each kind of user gets exactly the access the table gives, on every route", arguments: Subject.allCases)
    func matrix(subject: Subject) throws {
        let world = try World()
        let client = world.client(subject)
        let api = try world.apiClient(subject)
        // Signing out ends the session, so it goes last.
        let routes = world.fixture.app.routeTable.sorted { a, b in (a == "POST /logout" ? 1 : 0, a) < (b == "POST /logout" ? 1 : 0, b) }
        for route in routes {
            guard let rule = Self.rules[route] else { continue }
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            let path = world.path(parts[1])
            let response: Response
            if path.hasPrefix("/api/") {
                response = parts[0] == "GET" ? api.get(path) : api.send(Request(method: parts[0], path: path, headers: api.headers(), body: Array("{}".utf8)))
            } else {
                client.get("/")  // a fresh CSRF token for the form posts
                response = parts[0] == "GET" ? client.get(path) : client.post(path, [])
            }
            #expect(response.status < 500, "\(subject) \(route) failed with \(response.status)")
            if parts[0] == "POST" && !path.hasPrefix("/api/") && response.status == 422 {
                #expect(response.bodyText.contains("<form") && response.bodyText.contains("error-summary"),
                        "\(subject) \(route): a form the app cannot accept comes back as a form with what is wrong, not an error page")
            }
            if rule.isPublic {
                if parts[0] == "GET" { #expect(response.status == 200, "\(subject) \(route) is public") }
                continue
            }
            let expected = rule.outcome(subject)
            #expect(Self.observed(response) == expected, "\(subject) \(parts[0]) \(path): expected \(expected), got \(response.status)")
            if expected == .refused {
                #expect(response.bodyText.contains("This refusal has been recorded"), "\(subject) \(route): the refusal says it was recorded")
            }
        }
    }
}
