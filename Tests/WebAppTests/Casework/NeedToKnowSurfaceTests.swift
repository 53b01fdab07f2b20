import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Every page, export and API answer the app serves, in one table: either it can name a case, and then each person
/// who must not see a case is shown it nowhere on it (in the world of `NeedToKnowWorld`), or it names none, and the
/// table says why. A route added without a row fails `everyRouteHasARow`, as the authorization matrix does.
@Suite("Need-to-know surface table")
struct NeedToKnowSurfaceTests {
    typealias Person = NeedToKnowWorld.Person

    /// One request to make as every person.
    struct Probe: Sendable {
        let path: String
        var api = false
        /// What someone must find on it: proof the probe reaches a list that names cases, so an empty page cannot pass.
        var shows: [(Person, String)] = []
    }

    enum Surface: Sendable {
        /// Requests that reach the surface with each case in the world; what must show where.
        case namesCases(@Sendable (NeedToKnowWorld) -> [Probe])
        /// Names no case; why.
        case namesNoCase(String)
    }

    /// One probe per case.
    static func each(_ world: NeedToKnowWorld, api: Bool = false, _ path: (NeedToKnowWorld.MarkedCase) -> String,
                     shows: [(Person, String)] = []) -> [Probe] {
        world.cases.map { marked in
            Probe(path: path(marked), api: api, shows: marked.ref == world.visible.ref ? shows : [])
        }
    }

    static let surfaces: [String: Surface] = [
        "GET /healthz": .namesNoCase("a liveness answer"), "GET /readyz": .namesNoCase("a readiness answer"),
        "GET /metrics": .namesNoCase("counts by route pattern, never a path, id, name or address; for the configured scraper only"),
        "GET /assets/app.css": .namesNoCase("a static file"), "GET /assets/app.js": .namesNoCase("a static file"),
        "GET /login": .namesNoCase("the sign-in form"),
        "GET /account": .namesNoCase("the user's own account"), "GET /account/password": .namesNoCase("a form"),
        "GET /account/api-tokens": .namesNoCase("the user's own tokens"),
        "GET /admin/users": .namesNoCase("staff accounts"), "GET /admin/users/new": .namesNoCase("a form"),
        "GET /admin/users/:id": .namesNoCase("a staff account"), "GET /admin/users/:id/edit": .namesNoCase("a staff account"),
        "GET /admin/mail": .namesNoCase("the outbox by purpose, count and status: never a subject, recipient or body"),
        "GET /admin/timescales": .namesNoCase("settings"),
        "GET /audit/verify": .namesNoCase("whether the chain verifies"),
        "GET /agencies": .namesNoCase("the agency directory"),
        "GET /api/openapi.json": .namesNoCase("the API's description"),
        "GET /cases/import": .namesNoCase("the upload form"),
        "GET /cases/import/:job": .namesNoCase("the uploader's own job: counts and the lines of their own file"),
        "GET /meetings/new": .namesNoCase("a form"), "GET /referrals/new": .namesNoCase("the start of a referral: its sections, no answers"),
        "GET /statistics": .namesNoCase("counts"), "GET /statistics/annual": .namesNoCase("the annual report's counts"),
        "GET /statistics/annual.csv": .namesNoCase("counts"), "GET /statistics/annual.json": .namesNoCase("counts"),
        "GET /statistics/annual.xlsx": .namesNoCase("counts"), "GET /statistics/annual/areas": .namesNoCase("counts per area"),
        "GET /statistics/annual/areas.csv": .namesNoCase("counts per area"),
        "GET /statistics/areas": .namesNoCase("the list of areas"), "GET /statistics/areas/:code": .namesNoCase("an area"),
        "GET /statistics/events/import": .namesNoCase("the upload form"),
        "GET /statistics/events/import/:job": .namesNoCase("the uploader's own job: counts and the lines of their own file"),
        "GET /statistics/kpis": .namesNoCase("figures"), "GET /statistics/kpis.csv": .namesNoCase("figures"),
        "GET /statistics/kpis.xlsx": .namesNoCase("figures"), "GET /statistics/kpis/settings": .namesNoCase("targets"),

        "GET /": .namesCases { world in
            [Probe(path: "/", shows: [(.coordinator, world.visible.ref), (.keeper, world.restricted.ref), (.coordinator, "Visit Visibleperson")])]
        },
        "GET /nominals": .namesCases { world in
            // By date of birth, which all four share (a name searched for is echoed back in the search box).
            [Probe(path: "/nominals?q=1979-03-04", shows: [(.coordinator, world.visible.ref)] + world.cases.map { (.keeper, $0.ref) })]
        },
        "GET /nominals/:id": .namesCases { each($0, { "/nominals/\($0.nominalID)" }, shows: [(.coordinator, "Visibleperson")]) },
        "GET /nominals/:id/edit": .namesCases { each($0, { "/nominals/\($0.nominalID)/edit" }, shows: [(.coordinator, "Visibleperson")]) },
        "GET /cases/:id": .namesCases { each($0, { "/cases/\($0.caseID)" }, shows: [(.coordinator, "Visibleperson"), (.housing, "Visibleperson")]) },
        // Neither names the person; they are probed for what the refusal of a hidden case might let slip.
        "GET /cases/:id/edit": .namesCases { each($0, { "/cases/\($0.caseID)/edit" }, shows: [(.coordinator, "name=\"next_review_date-day\"")]) },
        "GET /cases/:id/access": .namesCases { each($0, { "/cases/\($0.caseID)/access" }, shows: [(.coordinator, "Who can see this case")]) },
        "GET /cases": .namesCases { world in
            [Probe(path: "/cases?status=all", shows: [(.coordinator, world.visible.ref), (.keeper, world.restricted.ref), (.housing, world.visible.ref)]),
             Probe(path: "/cases?sort=name&lead_agency=probation")]
        },
        "GET /cases.csv": .namesCases { world in
            [Probe(path: "/cases.csv?status=all", shows: [(.coordinator, world.visible.ref), (.keeper, world.restricted.ref), (.housing, world.visible.ref)])]
        },
        "GET /cases/new": .namesNoCase("an empty form"),
        "GET /cases/restricted": .namesCases { world in [Probe(path: "/cases/restricted", shows: [(.keeper, world.restricted.ref)])] },
        "GET /cases/export.csv": .namesCases { world in
            [Probe(path: "/cases/export.csv", shows: [(.coordinator, world.visible.ref), (.keeper, world.restricted.ref)])]
        },
        "GET /referrals": .namesCases { _ in [Probe(path: "/referrals", shows: [(.coordinator, "Screenedone"), (.keeper, "Screenedtwo")])] },
        "GET /referrals/:id": .namesCases { world in
            world.screenedReferrals.map { Probe(path: "/referrals/\($0)") }
                + [Probe(path: "/referrals/\(world.lookalikeReferrals[0])", shows: [(.coordinator, "Excludedperson")]),
                   Probe(path: "/referrals/\(world.lookalikeReferrals[1])", shows: [(.keeper, "Terrorperson")])]
        },
        "GET /referrals/:id/edit": .namesCases { world in
            (world.screenedReferrals + world.lookalikeReferrals).map { Probe(path: "/referrals/\($0)/edit") }
        },
        "GET /referrals/:id/sections/:section": .namesCases { world in
            (world.screenedReferrals + world.lookalikeReferrals).map { Probe(path: "/referrals/\($0)/sections/offender") }
        },
        "GET /referrals/:id/check": .namesCases { world in
            (world.screenedReferrals + world.lookalikeReferrals).map { Probe(path: "/referrals/\($0)/check") }
        },
        "GET /referrals/:id/screening": .namesCases { world in
            world.screenedReferrals.map { Probe(path: "/referrals/\($0)/screening") }
                + [Probe(path: "/referrals/\(world.lookalikeReferrals[0])/screening", shows: [(.coordinator, "Excludedperson")]),
                   Probe(path: "/referrals/\(world.lookalikeReferrals[1])/screening", shows: [(.keeper, "Terrorperson")])]
        },
        "GET /screening": .namesCases { _ in [Probe(path: "/screening", shows: [(.coordinator, "Newcomerthree")])] },
        "GET /meetings": .namesCases { _ in [Probe(path: "/meetings", shows: [(.coordinator, "Surface panel")])] },
        "GET /meetings/:id": .namesCases { world in
            [Probe(path: "/meetings/\(world.panelID)", shows: [(.coordinator, world.visible.ref), (.keeper, world.restricted.ref)]),
             Probe(path: "/meetings/\(world.emptyPanelID)", shows: [(.coordinator, "Visibleperson"), (.keeper, "Terrorperson")]),
             Probe(path: "/meetings/\(world.screeningPanelID)", shows: [(.coordinator, "Referrals for screening")])]
        },
        // The viewer's own agenda (the cases they may see, with names); invitees' emailed copies are cut down per invitee.
        "GET /meetings/:id/agenda.pdf": .namesCases { world in
            [Probe(path: "/meetings/\(world.panelID)/agenda.pdf", shows: [(.coordinator, world.visible.ref), (.coordinator, "Visibleperson"),
                                                                         (.housing, world.visible.ref), (.keeper, world.restricted.ref)])]
        },
        "GET /meetings/:id/cancel": .namesCases { world in
            [Probe(path: "/meetings/\(world.panelID)/cancel", shows: [(.coordinator, "Cancel Surface panel?")])]
        },
        "GET /meetings/:id/edit": .namesCases { world in [Probe(path: "/meetings/\(world.panelID)/edit", shows: [(.coordinator, "Surface panel")])] },
        "GET /meetings/:id/invitees": .namesCases { world in
            [Probe(path: "/meetings/\(world.panelID)/invitees", shows: [(.coordinator, "Housing Lead")])]
        },
        "GET /meetings/:id/attendance": .namesCases { world in
            [Probe(path: "/meetings/\(world.panelID)/attendance", shows: [(.coordinator, world.visible.ref), (.keeper, world.restricted.ref)])]
        },
        // Draft minutes on the first panel, approved minutes (which partner agencies read) on the second.
        "GET /meetings/:id/items/:item/minutes": .namesCases { world in
            each(world, { "/meetings/\(world.panelID)/items/\(world.items[$0.ref]!)/minutes" }, shows: [(.coordinator, "Visibleperson")])
                + each(world, { "/meetings/\(world.approvedPanelID)/items/\(world.approvedItems[$0.ref]!)/minutes" },
                       shows: [(.coordinator, "Visibleperson"), (.housing, "Visibleperson")])
        },
        "GET /cases/:id/audit": .namesCases { world in
            each(world, { "/cases/\($0.caseID)/audit" }, shows: [(.coordinator, "who viewed this case")])
        },
        "GET /meetings/:id/items/:item/minutes/approve": .namesCases { world in
            each(world, { "/meetings/\(world.panelID)/items/\(world.items[$0.ref]!)/minutes/approve" })
        },
        "GET /meetings/:id/items/:item/minutes.pdf": .namesCases { world in
            each(world, { "/meetings/\(world.panelID)/items/\(world.items[$0.ref]!)/minutes.pdf" }, shows: [(.coordinator, "Visibleperson")])
                + each(world, { "/meetings/\(world.approvedPanelID)/items/\(world.approvedItems[$0.ref]!)/minutes.pdf" },
                       shows: [(.coordinator, "Visibleperson"), (.housing, "Visibleperson")])
        },
        "GET /minutes": .namesCases { world in
            [Probe(path: "/minutes", shows: [(.coordinator, world.visible.ref), (.housing, world.visible.ref), (.housing, world.excluded.ref),
                                             (.keeper, world.restricted.ref)])]
        },
        "GET /meetings/invited": .namesCases { world in
            [Probe(path: "/meetings/invited", shows: [(.housing, world.visible.ref), (.dwp, "Surface panel")])]
        },
        "GET /meetings/:id/reply": .namesCases { world in
            [Probe(path: "/meetings/\(world.panelID)/reply", shows: [(.housing, "Visibleperson"), (.dwp, "Surface panel")]),
             Probe(path: "/meetings/\(world.emptyPanelID)/reply")]
        },
        "GET /actions": .namesCases { _ in
            [Probe(path: "/actions", shows: [(.housing, "Visit Visibleperson"), (.keeper, "Visit Terrorperson")])]
        },
        "GET /actions/open": .namesCases { _ in
            [Probe(path: "/actions/open", shows: [(.coordinator, "Visit Visibleperson"), (.keeper, "Visit Terrorperson")]),
             Probe(path: "/actions/open?overdue=yes&area=supervision", shows: [(.coordinator, "Visit Visibleperson")])]
        },
        "GET /cases/:id/actions/new": .namesCases { each($0, { "/cases/\($0.caseID)/actions/new" }, shows: [(.coordinator, "Visibleperson")]) },
        "GET /actions/:id": .namesCases { world in
            each(world, { "/actions/\(world.actions[$0.ref]!)" }, shows: [(.coordinator, "Visibleperson"), (.housing, "Visibleperson")])
        },
        "GET /agencies/:code": .namesCases { _ in ["housing", "probation", "dwp"].map { Probe(path: "/agencies/\($0)") } },
        "GET /audit": .namesCases { _ in [Probe(path: "/audit"), Probe(path: "/audit?subject_type=case")] },
        "GET /statistics/kpis/:id": .namesCases { _ in KPIIndicator.allCases.map { Probe(path: "/statistics/kpis/\($0.rawValue)") } },

        "GET /api/v1/nominals": .namesCases { world in
            [Probe(path: "/api/v1/nominals?q=1979-03-04", api: true, shows: [(.coordinator, world.visible.ref)] + world.cases.map { (.keeper, $0.ref) })]
        },
        "GET /api/v1/nominals/:id": .namesCases {
            each($0, api: true, { "/api/v1/nominals/\($0.nominalID)" }, shows: [(.coordinator, "Visibleperson")])
        },
        "GET /api/v1/cases/:id": .namesCases {
            each($0, api: true, { "/api/v1/cases/\($0.caseID)" }, shows: [(.coordinator, "NTKV1"), (.housing, "NTKV1")])
        },
        "GET /api/v1/referrals": .namesCases { _ in
            [Probe(path: "/api/v1/referrals", api: true, shows: [(.coordinator, "Screenedone"), (.keeper, "Screenedtwo")])]
        },
        "GET /api/v1/referrals/:id": .namesCases { world in
            (world.screenedReferrals + world.lookalikeReferrals).map { Probe(path: "/api/v1/referrals/\($0)", api: true) }
        },
        "GET /api/v1/referrals/:id/screening-decision": .namesCases { world in
            world.screenedReferrals.map { Probe(path: "/api/v1/referrals/\($0)/screening-decision", api: true) }
        },
        "GET /api/v1/events": .namesCases { world in
            [Probe(path: "/api/v1/events?limit=500", api: true,
                   shows: [(.coordinator, "\"caseId\":\"\(world.visible.caseID)\""), (.keeper, "\"caseId\":\"\(world.restricted.caseID)\"")])]
        },
        "GET /api/v1/screening-decisions": .namesCases { world in
            [Probe(path: "/api/v1/screening-decisions?since=2000-01-01", api: true,
                   shows: [(.coordinator, "\"referralId\":\(world.screenedReferrals[0])"), (.keeper, "\"referralId\":\(world.screenedReferrals[1])")])]
        },
    ]

    @Test("every page the app serves has a row in the surface table")
    func everyRouteHasARow() throws {
        let fixture = try AppFixture(.sqlite)
        let pages = fixture.app.routeTable.filter { $0.hasPrefix("GET ") }
        for route in pages {
            #expect(Self.surfaces[route] != nil, "no surface row for \(route): add it to NeedToKnowSurfaceTests.surfaces")
        }
        for route in Self.surfaces.keys {
            #expect(pages.contains(route), "surface row for a page the app does not serve: \(route)")
        }
    }

    /// The text of a response: a PDF's text, else the body.
    static func text(_ response: Response) throws -> String {
        if response.headers["Content-Type"]?.hasPrefix("application/pdf") == true, response.status == 200 {
            return try MinutesFlowTests.pdfText(response.body)
        }
        return response.bodyText
    }

    /// Every answer that shows a case to someone writes an audit entry: derived from the table, so a page added with
    /// a row here is held to it too.
    @Test("every page, export and API answer that shows a case writes an audit entry")
    func everyShowingIsAudited() throws {
        let world = try NeedToKnowWorld(.sqlite)
        var browsers: [Person: TestClient] = [:]
        var tokens: [Person: TestClient] = [:]
        for person in Person.allCases {
            browsers[person] = world.client(person)
            tokens[person] = try world.apiClient(person)
        }
        let audit = world.fixture.stores.audit
        for (route, surface) in Self.surfaces.sorted(by: { $0.key < $1.key }) {
            guard case .namesCases(let probes) = surface else { continue }
            for probe in probes(world) {
                for (person, expected) in probe.shows {
                    let before = try audit.count()
                    let response = (probe.api ? tokens : browsers)[person]!.get(probe.path)
                    guard try Self.text(response).lowercased().contains(expected.lowercased()) else { continue }
                    #expect(try audit.count() > before, "\(route): \(probe.path) showed \(expected) to \(person.rawValue) without an audit entry")
                }
            }
        }
    }

    @Test("no page, export or API answer names a case to someone who may not see it", arguments: DatabaseKind.available)
    func nothingNamesAHiddenCase(kind: DatabaseKind) throws {
        let world = try NeedToKnowWorld(kind)
        var browsers: [Person: TestClient] = [:]
        var tokens: [Person: TestClient] = [:]
        for person in Person.allCases {
            browsers[person] = world.client(person)
            tokens[person] = try world.apiClient(person)
        }
        for (route, surface) in Self.surfaces.sorted(by: { $0.key < $1.key }) {
            guard case .namesCases(let probes) = surface else { continue }
            for probe in probes(world) {
                for person in Person.allCases {
                    let response = (probe.api ? tokens : browsers)[person]!.get(probe.path)
                    // Names are often shown in capitals: compared without case.
                    let text = try Self.text(response).lowercased()
                    // A link to the page asked for is not a leak: the person typed it.
                    func isOwnLink(_ marker: String) -> Bool {
                        marker.hasPrefix("/") && probe.path.contains(marker.trimmingCharacters(in: CharacterSet(charactersIn: "\"/#")))
                    }
                    for hidden in world.hidden(from: person) {
                        for marker in hidden.markers(to: person) where !isOwnLink(marker) {
                            #expect(!text.contains(marker.lowercased()), "\(route): \(probe.path) names \(hidden.ref) (\(marker)) to \(person.rawValue)")
                        }
                    }
                    for (shownTo, expected) in probe.shows where shownTo == person {
                        #expect(text.contains(expected.lowercased()), "\(route): \(probe.path) should show \(expected) to \(person.rawValue) (status \(response.status))")
                    }
                }
            }
        }
    }
}
