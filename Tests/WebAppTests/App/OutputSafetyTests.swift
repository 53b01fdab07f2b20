import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// Stored script payloads in every free-text field come back inert on every page that shows them.
@Suite("Output safety")
struct OutputSafetyTests {
    static let payloads = ["<script>alert('x')</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)//'"]

    /// True when the page carries any payload as live markup (unescaped).
    static func live(_ body: String) -> [String] {
        ["<script>alert", "<img src=x", "onerror=alert(1)>"].filter { body.contains($0) }
    }

    @Test("a table is written whole and escaped: caption, headers and cells, ASCII or not, short or long")
    func tableMarkup() {
        let long = String(repeating: "Ashdown-Ó'Brien ", count: 40)
        let table = Components.table(caption: "2 results <for> \"Zoë\"", headers: ["Name", "Date & place"],
                                     rows: [["\(long)", "<b>bold</b>"], ["Zoë 🙂", "\("a<b")"]])
        let escapedLong = String(repeating: "Ashdown-Ó&#39;Brien ", count: 40)
        #expect(table.rendered == """
            <div class="table-region" role="region" tabindex="0" aria-label="2 results &lt;for&gt; &quot;Zoë&quot;">
            <table class="table">
              <caption class="table__caption">2 results &lt;for&gt; &quot;Zoë&quot;</caption>
              <thead><tr class="table__row"><th scope="col" class="table__header">Name</th><th scope="col" class="table__header">Date &amp; place</th></tr></thead>
              <tbody><tr class="table__row"><td class="table__cell">\(escapedLong)</td><td class="table__cell"><b>bold</b></td></tr><tr class="table__row"><td class="table__cell">Zoë 🙂</td><td class="table__cell">a&lt;b</td></tr></tbody>
            </table>
            </div>
            """)
    }

    @Test("an empty table says so under its caption, with no headers over nothing; a table with rows scrolls in its own region")
    func emptyTable() {
        let empty = Components.table(caption: "Actions <agreed>", headers: ["Action", "Owner"], rows: [])
        #expect(empty.rendered == """
            <div class="table-empty">
              <p class="table__caption">Actions &lt;agreed&gt;</p>
              <p class="table-empty__text">None yet.</p>
            </div>
            """)
        let specific = Components.table(caption: "Actions agreed", headers: ["Action"], rows: [], empty: "No actions were agreed.")
        #expect(specific.rendered.contains("<p class=\"table-empty__text\">No actions were agreed.</p>"))
        #expect(!specific.rendered.contains("<table") && !specific.rendered.contains("<th"))
        let full = Components.table(caption: "Actions agreed", headers: ["Action"], rows: [["\("Visit")"]], empty: "No actions were agreed.")
        #expect(full.rendered.hasPrefix("<div class=\"table-region\" role=\"region\" tabindex=\"0\" aria-label=\"Actions agreed\">"))
        #expect(!full.rendered.contains("No actions were agreed."))
        let byHand = Components.scrollingRegion(label: "Figures", "<table class=\"table\"></table>")
        #expect(byHand.rendered == "<div class=\"table-region\" role=\"region\" tabindex=\"0\" aria-label=\"Figures\">\n<table class=\"table\"></table></div>")
    }

    @Test("the byte writer keeps every piece, in order, escaped, as it outgrows its first memory")
    func writerGrows() {
        var out = HTMLWriter(capacity: 1)
        var expected = ""
        for index in 0..<3_000 {
            let text = index % 3 == 0 ? "" : "Zoë <\(index)> & 'Ó\"Brien' 🙂"
            out.markup("<li>")
            out.text(text)
            out.append(HTML(stringLiteral: "</li>"))
            expected += "<li>" + HTML.escape(text) + "</li>"
        }
        out.cell(link: "N-1 & \"2\"", href: "/nominals?q=a&b")
        expected += "<td class=\"table__cell\"><a href=\"/nominals?q=a&amp;b\">N-1 &amp; &quot;2&quot;</a></td>"
        #expect(out.html.rendered == expected)
        #expect(out.bytes == Array(expected.utf8))
    }

    @Test("referral free text, names and reasons are escaped on the referral, screening, queue and case pages", arguments: payloads)
    func referralPayloads(payload: String) throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        var fields: [(String, String)] = []
        for field in ReferralField.all {
            switch field.kind {
            case .text, .textarea, .lines: fields.append((field.name, "Sample " + payload))
            default: break
            }
        }
        // A form that passes the checks screening needs, with every text field carrying the payload.
        fields += [("level_requested", "2"), ("category", "2"), ("date_of_birth", "1990-01-01"), ("custody_status", "community"),
                   ("rosh_overall", "high"), ("lead_agency", "probation"), ("action", "submit")]
        fields = fields.filter { $0.0 != "date_of_birth" || $0.1 == "1990-01-01" }
        coordinator.get("/referrals/new")
        let created = coordinator.post("/referrals/new", fields)
        #expect(created.status == 303, "the referral with payloads was accepted as text")
        let path = String(try #require(created.headers["Location"]).split(separator: "?")[0])
        var pages = [coordinator.get(path), coordinator.get(path + "/edit"), coordinator.get("/screening"),
                     coordinator.get("/referrals"), coordinator.get(path + "/screening")]
        #expect(pages[0].bodyText.contains("Sample"), "the text is shown")
        let returned = coordinator.post(path + "/return", [("reasons", "Fix " + payload)])
        #expect(returned.status == 303)
        pages.append(coordinator.get(path))
        let decided = coordinator.post(path + "/screening", [("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"),
                                                             ("level", "2"), ("rationale", "Reason " + payload), ("action", "decide")])
        if decided.status == 303, let casePath = decided.headers["Location"]?.split(separator: "?").first {
            pages.append(coordinator.get(String(casePath)))
        }
        pages.append(coordinator.get("/nominals?q=sample"))
        for page in pages {
            #expect(page.status < 500)
            #expect(Self.live(page.bodyText).isEmpty, "live markup from a stored payload: \(Self.live(page.bodyText))")
        }
    }

    @Test("nominal and case edits with payloads are escaped, and the audit page shows them inert", arguments: payloads)
    func recordPayloads(payload: String) throws {
        let fixture = try AppFixture(.sqlite)
        let coordinator = fixture.client(signedInAs: .coordinator)
        _ = try fixture.world.importCases([CaseRegisterRow(
            nominalRef: "X-1", familyName: "Safeperson", givenNames: "Al", dateOfBirth: CalendarDate("1980-01-01")!,
            category: .two, level: .two, leadAgency: "probation", mappaStartDate: CalendarDate("2026-01-01"))])
        let nominal = try #require(try fixture.searchNominals("X-1").first)
        let caseID = try #require(try fixture.cases(nominalID: nominal.id).first?.id)
        let form = coordinator.get("/nominals/\(nominal.id)/edit")
        let version = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: form.bodyText))
        let saved = coordinator.post("/nominals/\(nominal.id)/edit", [
            ("family_name", "Safeperson"), ("given_names", "Al " + payload), ("alias_1", payload), ("date_of_birth", "1980-01-01"),
            ("gender", payload), ("ethnicity", payload), ("visor_ref", payload), ("current_address", payload),
            ("proposed_release_address", payload), ("custody_status", "community"), ("version", version)])
        #expect(saved.status == 303)
        let caseForm = coordinator.get("/cases/\(caseID)/edit")
        let caseVersion = try #require(TestClient.firstMatch(#"name="version" value="(\d+)""#, in: caseForm.bodyText))
        let exited = coordinator.post("/cases/\(caseID)/edit", [
            ("category", "2"), ("level", "2"), ("lead_agency", "probation"), ("start_date", "2026-01-01"), ("status", "exited"),
            ("exit_date", "2026-12-01"), ("exit_reason", payload), ("change_reason", payload), ("version", caseVersion)])
        #expect(exited.status == 303 || exited.status == 422)
        let pages = [coordinator.get("/nominals/\(nominal.id)"), coordinator.get("/nominals/\(nominal.id)/edit"),
                     coordinator.get("/cases/\(caseID)"), coordinator.get("/nominals?q=safeperson"),
                     coordinator.post("/cases/\(caseID)/access", [("username", payload), ("kind", "allow")]),
                     fixture.client(signedInAs: .auditor).get("/audit")]
        for page in pages {
            #expect(page.status < 500)
            #expect(Self.live(page.bodyText).isEmpty, "live markup from a stored payload: \(Self.live(page.bodyText))")
        }
        #expect(pages[0].bodyText.contains(HTML.escape(payload)), "the payload is shown as text")
    }
}
