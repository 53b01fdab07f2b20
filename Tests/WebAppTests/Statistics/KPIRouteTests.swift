import Domain
import Foundation
import HTTPServer
import Store
import Testing
import TestSupport
@testable import WebApp

/// The performance indicator pages over a small unit built through the real services: the figures shown, the
/// records behind them under need-to-know, benchmarks, the settings and bad queries.
@Suite("KPI pages")
struct KPIRouteTests {
    /// Today is 15 January 2027 (Q4 2026/27, January to March 2027) when the world is built; it ends on 20 January.
    struct World {
        let fixture: AppFixture
        var cases: [String: Int64] = [:]
        var acceptedReferral: Int64 = 0

        init(_ kind: DatabaseKind) throws {
            fixture = try AppFixture(kind)
            let world = fixture.world
            let stores = fixture.stores
            let today = CalendarDate(fixture.clock.now)
            #expect(today == CalendarDate("2027-01-15")!)
            let coordinator = try world.viewer(.coordinator)
            let chair = try world.viewer(.chair)
            let referrer = try world.viewer(.referrer)
            // Level 3 cases. A (probation): first review due 26 January, held today. B (police): due 5 January, not
            // held. C (police, Category 4 so restricted): due 7 January, not held.
            cases = try world.importCases([
                CaseRegisterRow(nominalRef: "KPI-A", familyName: "Alphaperson", givenNames: "Ann", dateOfBirth: CalendarDate("1980-01-01")!,
                                category: .two, level: .three, leadAgency: "probation", mappaStartDate: CalendarDate("2026-12-01")),
                CaseRegisterRow(nominalRef: "KPI-B", familyName: "Betaperson", givenNames: "Bob", dateOfBirth: CalendarDate("1981-01-01")!,
                                category: .two, level: .three, leadAgency: "police", mappaStartDate: CalendarDate("2026-11-10")),
                CaseRegisterRow(nominalRef: "KPI-C", familyName: "Secretperson", givenNames: "Cy", dateOfBirth: CalendarDate("1982-01-01")!,
                                category: .four, level: .three, leadAgency: "police", mappaStartDate: CalendarDate("2026-11-12")),
            ])
            let caseA = cases["KPI-A"]!
            // Today's Level 3 panel discusses A: police attend, probation (the lead) sends a report.
            let meetingID = try world.schedule(MeetingPlan(kind: .level3, title: "L3 panel", date: today, startTime: "10:00",
                                                           venue: "Room 1", chairGrade: .strategic)).id
            try world.addToAgenda(meetingID, caseID: caseA)
            let itemID = try #require(try world.items(meetingID).first?.id)
            try stores.meetings.recordAttendance(try world.meeting(meetingID), [
                AttendanceRecord(itemID: nil, agencyID: try world.agencyID("police"), person: "DS Police", status: .attended),
                AttendanceRecord(itemID: nil, agencyID: try world.agencyID("probation"), person: "PO Probation", status: .reportSent),
            ], acknowledgedItemIDs: [itemID], by: coordinator)
            try stores.meetings.markHeld(try world.meeting(meetingID), by: coordinator)
            // Minutes recording victims and disclosure, approved by the chair; not yet distributed (due 29 January).
            let draft = try stores.minutes.startDraft(try world.discussion(meetingID, itemID), by: coordinator)
            var content = MinutesContent()
            content.riskAssessment = "Former partner at risk"
            content.rosh = .high
            content.victimIssues = "VLO in contact"
            content.disclosureConsidered = true
            content.disclosureDecision = "No disclosure"
            content.disclosureRationale = "Victim already aware"
            content.supervision = "Weekly reporting"
            content.monitoringAndControl = "Curfew"
            content.interventionsAndTreatment = "Programme"
            content.victimSafetyPlanning = "Marker"
            content.decisions = [MinutesDecision(decision: "Remain at Level 3", rationale: "Senior input still needed")]
            content.levelDecision = .three
            content.leadAgency = "probation"
            content.nextReviewDate = CalendarDate("2027-03-01")
            try stores.minutes.save(try world.discussion(meetingID, itemID), content: content, expectedVersion: draft.version, by: coordinator)
            let saved = try world.discussion(meetingID, itemID)
            #expect(try stores.minutes.submit(saved, expectedVersion: saved.minutes?.version ?? 0, by: coordinator).isEmpty)
            try stores.minutes.approve(try world.discussion(meetingID, itemID, as: chair), by: chair)
            // Actions on A: one due 18 January (done late on the 20th), one due 19 January (done early on the 16th).
            let late = try stores.actions.create(NewAction(caseID: caseA, description: "Visit", owner: try world.contactOwner("PO", agency: "probation"), area: .supervision,
                                                           dueDate: today.adding(days: 3)), by: coordinator)
            let early = try stores.actions.create(NewAction(caseID: caseA, description: "Check", owner: try world.contactOwner("DS", agency: "police"), area: .monitoringAndControl,
                                                            dueDate: today.adding(days: 4)), by: coordinator)
            // Referrals: a custody one (release 30 September, so in time for a 6-month lead), returned once,
            // resubmitted and accepted on 20 January (5 days); a community one declined on the 16th (1 day).
            var custody = ReferralForm()
            custody.familyName = "Referredone"
            custody.givenNames = "Rae"
            custody.category = .two
            custody.custodyStatus = .custody
            custody.releaseDate = CalendarDate("2027-09-30")
            custody.leadAgency = "probation"
            let referrals = stores.referrals
            let first = try referrals.createReferral(custody, by: referrer)
            try referrals.submitReferral(id: first.id, by: referrer)
            try referrals.returnReferral(id: first.id, reasons: "Add the index offence", by: coordinator)
            try referrals.submitReferral(id: first.id, by: referrer)
            var community = ReferralForm()
            community.familyName = "Referredtwo"
            community.custodyStatus = .community
            community.leadAgency = "police"
            let second = try referrals.createReferral(community, by: referrer)
            try referrals.submitReferral(id: second.id, by: referrer)

            fixture.clock.advance(by: 86_400)  // 16 January
            var version = try stores.actions.action(id: early, for: coordinator).action.version
            try stores.actions.update(id: early, status: .done, note: "Checked", dueDate: nil, expectedVersion: version, by: coordinator)
            try stores.screening.recordScreening(referralID: second.id, outcome: .decline(reason: "Level 1 is enough"),
                                                 facts: ScreeningFacts(category: .two, rosh: .medium), rationale: "Managed by police alone",
                                                 by: coordinator)
            fixture.clock.advance(by: 4 * 86_400)  // 20 January
            version = try stores.actions.action(id: late, for: coordinator).action.version
            try stores.actions.update(id: late, status: .done, note: "Visited", dueDate: nil, expectedVersion: version, by: coordinator)
            cases["REF"] = try #require(try stores.screening.recordScreening(referralID: first.id, outcome: .accept(level: .two, existingNominalID: nil),
                                                                             facts: ScreeningFacts(category: .two, rosh: .high, addsValue: true),
                                                                             rationale: "Multi-agency work adds value", by: coordinator))
            acceptedReferral = first.id
        }
    }

    /// The table row (or summary row) that names `label`, so a figure is checked where it is shown.
    static func row(_ page: String, _ label: String) -> String {
        for chunk in page.components(separatedBy: "<tr").dropFirst() where chunk.contains(label) { return chunk.components(separatedBy: "</tr>")[0] }
        return ""
    }

    @Test("every indicator for the quarter: counts, figures, targets, no data where nothing happened, benchmarks", arguments: DatabaseKind.available)
    func overview(kind: DatabaseKind) throws {
        let world = try World(kind)
        for client in [world.fixture.client(signedInAs: .manager), world.fixture.client(signedInAs: .auditor)] {
            let page = client.get("/statistics/kpis")
            #expect(page.status == 200)
            let text = page.bodyText
            #expect(text.contains("Q4 2026/27: 1 January 2027 to 31 March 2027"), "the current quarter by default")
            let level3 = Self.row(text, "1. Level 3 cases reviewed within the interval")
            #expect(level3.contains("1 of 3") && level3.contains("33.3%") && level3.contains("At least 100%") && level3.contains("Not met"))
            #expect(level3.contains("No data in this period (Q3 2026/27)") && level3.contains("No data in this period (Q4 2025/26)"))
            #expect(Self.row(text, "2. Level 2 cases").contains("No data in this period"), "the new Level 2 case is first due in May")
            let attendance = Self.row(text, "3. Core agency attendance")
            #expect(attendance.contains("2 of 2") && attendance.contains("100%") && attendance.contains(">Met<"))
            #expect(Self.row(text, "4. Custody referrals").contains("1 of 1"))
            #expect(Self.row(text, "5. Victim issues").contains("1 of 1") && Self.row(text, "6. Disclosure").contains("1 of 1"))
            let minutes = Self.row(text, "7. Minutes distributed")
            #expect(minutes.contains("<td class=\"table__cell\">–</td><td class=\"table__cell\">No data in this period</td>"), "not due until 29 January: no count, no 0%")
            #expect(Self.row(text, "8. Actions completed").contains("1 of 2") && Self.row(text, "8. Actions completed").contains("50%"))
            let returned = Self.row(text, "9. Referrals returned")
            #expect(returned.contains("1 of 2") && returned.contains("50%") && returned.contains("At most 10%") && returned.contains("Not met"))
            let days = Self.row(text, "10. Days from referral")
            #expect(days.contains("3 days (median)") && days.contains("2 of 2") && days.contains(">Met<"))
            // By lead agency and by attending agency.
            let byLead = Self.row(text, "<td class=\"table__cell\">1. Level 3 cases")
            #expect(byLead.contains("0% (0 of 2)") && byLead.contains("100% (1 of 1)"))
            #expect(text.contains("<td class=\"table__cell\">Police</td><td class=\"table__cell\">1</td><td class=\"table__cell\">1</td><td class=\"table__cell\">100%</td>"))
            #expect(text.contains("Attendance by agency, Q4 2026/27"))
            // The trend charts: an image named and described, and the same figures in a table.
            #expect(text.contains("<svg class=\"chart__image\" role=\"img\" aria-labelledby=\"trend-level3-reviews-title trend-level3-reviews-desc\""))
            #expect(text.contains("<title id=\"trend-level3-reviews-title\">") && text.contains("Q4 2026/27 33.3% (1 of 3)"))
            #expect(text.contains("the last 6 periods: the figures"))
            #expect(!text.contains("Secretperson") && !text.contains("Alphaperson"), "no names on the overview")
        }
        // Only the cases police lead: B and C, neither reviewed.
        let police = world.fixture.client(signedInAs: .coordinator).get("/statistics/kpis?period=2026-27-Q4&lead=police").bodyText
        #expect(Self.row(police, "1. Level 3 cases").contains("0 of 2") && police.contains("Cases led by Police."))
        #expect(Self.row(police, "3. Core agency attendance").contains("No data in this period"))
        // The year so far, and the quarter before it.
        let year = world.fixture.client(signedInAs: .coordinator).get("/statistics/kpis?period=2026-27").bodyText
        #expect(Self.row(year, "1. Level 3 cases").contains("1 of 3") && Self.row(year, "1. Level 3 cases").contains("(2025/26)"))
        let q3 = world.fixture.client(signedInAs: .coordinator).get("/statistics/kpis?period=2026-27-Q3").bodyText
        #expect(Self.row(q3, "8. Actions completed").contains("<td class=\"table__cell\">No data in this period</td>"))
    }

    @Test("with areas: an area filter, a breakdown by area, drill-down and downloads narrowed to the area; a bad area is refused",
          arguments: DatabaseKind.available)
    func byArea(kind: DatabaseKind) throws {
        let world = try World(kind)
        let stores = world.fixture.stores
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let before = coordinator.get("/statistics/kpis?period=2026-27-Q4").bodyText
        #expect(!before.contains("By MAPPA area") && !before.contains("name=\"area\""), "no areas: nothing about them")
        // A is in North, B in South; C and the referral's case have no area.
        let user = try world.fixture.viewer(.coordinator)
        try stores.areas.add(code: "north", name: "North Testshire", population: "", by: .commandLine)
        try stores.areas.add(code: "south", name: "South Testshire", population: "", by: .commandLine)
        for (ref, area) in [("KPI-A", "north"), ("KPI-B", "south")] {
            let record = try world.fixture.world.record(world.cases[ref]!)
            var details = record.details
            details.area = area
            try stores.cases.updateCase(id: record.id, details: details, reason: "", expectedVersion: record.version, by: user)
        }
        let all = coordinator.get("/statistics/kpis?period=2026-27-Q4").bodyText
        #expect(all.contains("<h2>By MAPPA area</h2>") && all.contains("<option value=\"north\">North Testshire</option>"))
        let byArea = all.components(separatedBy: "<h2>By MAPPA area</h2>")[1]
        #expect(byArea.contains("<th scope=\"col\" class=\"table__header\">North Testshire</th><th scope=\"col\" class=\"table__header\">South Testshire</th><th scope=\"col\" class=\"table__header\">No area recorded</th>"))
        #expect(Self.row(byArea, "<td class=\"table__cell\">1. Level 3 cases").contains(
            "<td class=\"table__cell\">100% (1 of 1)</td><td class=\"table__cell\">0% (0 of 1)</td><td class=\"table__cell\">0% (0 of 1)</td>"))

        let north = coordinator.get("/statistics/kpis?period=2026-27-Q4&area=north").bodyText
        #expect(north.contains("Cases in North Testshire.") && north.contains("<option value=\"north\" selected>"))
        #expect(Self.row(north, "1. Level 3 cases").contains("1 of 1") && Self.row(north, "1. Level 3 cases").contains("100%"))
        #expect(Self.row(north, "8. Actions completed").contains("1 of 2"))
        #expect(Self.row(north, "9. Referrals returned").contains("No data in this period"), "the referrals' cases have no area")
        #expect(north.contains("href=\"/statistics/kpis/level3-reviews?period=2026-27-Q4&amp;area=north\""), "drill-down keeps the filter")
        let south = coordinator.get("/statistics/kpis?period=2026-27-Q4&area=south&lead=police").bodyText
        #expect(Self.row(south, "1. Level 3 cases").contains("0 of 1"))

        let drill = coordinator.get("/statistics/kpis/level3-reviews?period=2026-27-Q4&area=south").bodyText
        #expect(drill.contains("<dt class=\"summary-list__key\">MAPPA area</dt><dd class=\"summary-list__value\">South Testshire</dd>"))
        #expect(drill.contains(">KPI-B<") && !drill.contains(">KPI-A<") && drill.contains("1 record in Q4 2026/27"))
        let csv = coordinator.get("/statistics/kpis.csv?period=2026-27-Q4&area=north").bodyText
        #expect(csv.contains("level3-reviews,1,Level 3 cases reviewed within the interval,Q4 2026/27,2027-01-01,2027-03-31,1,1,100,"))
        #expect(coordinator.get("/statistics/kpis?area=nowhere").status == 400)
        #expect(coordinator.get("/statistics/kpis/attendance?area=nowhere").bodyText.contains("one of the MAPPA areas"))
        let audit = try stores.audit.recent(limit: 40, subjectType: "kpi").map(\.detail)
        #expect(audit.contains("csv, area north") && audit.contains { $0.hasPrefix("2026-27-Q4, area south: 1 records") })
    }

    @Test("the figures download as CSV (formula-safe) and XLSX with the lead agency sheet; the download is audited", arguments: DatabaseKind.available)
    func downloads(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        #expect(coordinator.get("/statistics/kpis").bodyText.contains("href=\"/statistics/kpis.csv?period=2026-27-Q4\""))
        let csv = coordinator.get("/statistics/kpis.csv?period=2026-27-Q4")
        #expect(csv.status == 200 && csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        #expect(csv.headers["Content-Disposition"]?.contains("mappa-indicators-2026-27-Q4.csv") == true)
        let lines = csv.bodyText.split(separator: "\n").map(String.init)
        #expect(lines.count == 14, "the marking, the title, two header rows and one line per indicator")
        #expect(lines.first == "\u{FEFF}OFFICIAL-SENSITIVE")
        #expect(lines.count > 3 && lines[1].hasPrefix("\"MAPPA performance indicators, All MAPPA areas, Q4 2026/27 (1 January 2027 to 31 March 2027), made "))
        #expect(lines.count > 3 && lines[2].hasPrefix("Indicator code,Number,Indicator,Period,From,To,Counted,Out of,Figure,Unit,Target"))
        #expect(lines.count > 3 && lines[3].hasPrefix("indicator,number,name,period,period_start,period_end,numerator,denominator,value"))
        #expect(lines.contains { $0.hasPrefix("level3-reviews,1,Level 3 cases reviewed within the interval,Q4 2026/27,2027-01-01,2027-03-31,1,3,33.3,percent,100,at_least,not met,") })
        #expect(lines.contains { $0.hasPrefix("screening-days,10,") && $0.contains(",2,2,3.0,days,") })
        let police = coordinator.get("/statistics/kpis.csv?period=2026-27-Q4&lead=police").bodyText
        #expect(police.contains("All MAPPA areas, cases led by Police, Q4 2026/27"), "the title says the download is narrowed to one lead agency")
        #expect(police.contains("level3-reviews,1,Level 3 cases reviewed within the interval,Q4 2026/27,2027-01-01,2027-03-31,0,2,0,"))
        let xlsx = coordinator.get("/statistics/kpis.xlsx?period=2026-27-Q4")
        #expect(xlsx.status == 200 && Array(xlsx.body.prefix(2)) == Array("PK".utf8))
        #expect(xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(coordinator.get("/statistics/kpis.csv?period=nonsense").status == 400)
        #expect(world.fixture.client(signedInAs: .agencyRepresentative).get("/statistics/kpis.xlsx").status == 403)
        #expect(try world.fixture.stores.audit.recent(limit: 50).contains { $0.subjectType == "kpi" && $0.action == .export && $0.detail == "xlsx" })

        // A renamed indicator that starts like a formula opens as text in a spreadsheet.
        let admin = world.fixture.client(signedInAs: .administrator)
        var fields: [(String, String)] = []
        for indicator in KPIIndicator.allCases {
            let settings = indicator.defaultSettings
            fields += [("\(indicator.rawValue)-name", indicator == .level3Reviews ? "=HYPERLINK(\"http://x\")" : settings.name),
                       ("\(indicator.rawValue)-target", String(settings.target)), ("\(indicator.rawValue)-direction", settings.direction.rawValue),
                       ("\(indicator.rawValue)-period", settings.period.rawValue), ("\(indicator.rawValue)-average", settings.average.rawValue),
                       ("\(indicator.rawValue)-definition", settings.definition)]
        }
        admin.get("/statistics/kpis/settings")
        #expect(admin.post("/statistics/kpis/settings", fields).status == 303)
        #expect(coordinator.get("/statistics/kpis.csv?period=2026-27-Q4").bodyText.contains("level3-reviews,1,\"'=HYPERLINK(\"\"http://x\"\")\","))
    }

    @Test("the records behind a figure: linked when the user may open the case, withheld when not; the view is audited", arguments: DatabaseKind.available)
    func drillDown(kind: DatabaseKind) throws {
        let world = try World(kind)
        let manager = world.fixture.client(signedInAs: .manager)
        let page = manager.get("/statistics/kpis/level3-reviews?period=2026-27-Q4")
        #expect(page.status == 200)
        let text = page.bodyText
        #expect(text.contains("<a href=\"/cases/\(world.cases["KPI-A"]!)\">KPI-A</a>") && text.contains("<a href=\"/cases/\(world.cases["KPI-B"]!)\">KPI-B</a>"))
        #expect(text.contains("Not shown: need-to-know") && !text.contains("KPI-C") && !text.contains("Secretperson")
                && !text.contains("/cases/\(world.cases["KPI-C"]!)\""), "the restricted case is counted but not identified")
        #expect(text.contains("1 case is counted but not shown"))
        #expect(Self.row(text, "KPI-A").contains("Reviewed on 15 January 2027; due by 26 January 2027") && Self.row(text, "KPI-A").contains(">Yes<"))
        #expect(Self.row(text, "KPI-B").contains("Not reviewed by 5 January 2027"))
        #expect(text.contains("<dt class=\"summary-list__key\">Reviewed in time</dt><dd class=\"summary-list__value\">1</dd>"))
        #expect(text.contains("<dt class=\"summary-list__key\">Level 3 reviews due</dt><dd class=\"summary-list__value\">3</dd>"))
        #expect(text.contains("role=\"img\" aria-labelledby=\"breakdown-title breakdown-desc\"") && text.contains("By lead agency, Q4 2026/27"))
        let audit = try #require(try world.fixture.stores.audit.recent(limit: 5).first { $0.subjectType == "kpi" })
        #expect(audit.action == .view && audit.subjectID == "level3-reviews" && audit.detail.contains("2026-27-Q4: 3 records, 2 cases shown"))
        // Attendance lists each agency expected; referral indicators show the referral's reference, linked to its case.
        let attendance = manager.get("/statistics/kpis/attendance?period=2026-27-Q4").bodyText
        #expect(attendance.contains("Level 3 panel on 15 January 2027: Sent a report") && attendance.contains("By agency expected"))
        let screening = manager.get("/statistics/kpis/screening-days?period=2026-27-Q4").bodyText
        #expect(screening.contains("<a href=\"/cases/\(world.cases["REF"]!)\">REF-\(String(format: "%05lld", world.acceptedReferral))</a>"))
        #expect(screening.contains("decided 20 January 2027: 5 days") && screening.contains("decided 16 January 2027: 1 day"))
        // Filtered by lead agency: only police-led records.
        let police = manager.get("/statistics/kpis/level3-reviews?period=2026-27-Q4&lead=police").bodyText
        #expect(!police.contains("KPI-A") && police.contains("KPI-B"))
    }

    @Test("bad queries are a clear 400; unknown indicators 404; partner agencies and referrers are refused")
    func badRequestsAndAccess() throws {
        let world = try World(.sqlite)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        for query in ["period=2026-Q5", "period=2026-27-Q9", "period=%00", "period=2026-28", "period=" + String(repeating: "9", count: 300)] {
            let response = coordinator.get("/statistics/kpis?\(query)")
            #expect(response.status == 400, "\(query)")
            #expect(response.bodyText.contains("The period must be a reporting year written like 2026-27"))
        }
        let future = coordinator.get("/statistics/kpis/attendance?period=2030-31")
        #expect(future.status == 400 && future.bodyText.contains("That period has not started yet"))
        let lead = coordinator.get("/statistics/kpis?lead=nobody")
        #expect(lead.status == 400 && lead.bodyText.contains("The lead agency must be one of the agencies"))
        #expect(coordinator.get("/statistics/kpis/no-such-indicator").status == 404)
        for role in [Role.agencyRepresentative, .referrer, .chair] {
            let client = world.fixture.client(signedInAs: role)
            #expect(client.get("/statistics/kpis").status == 403 && client.get("/statistics/kpis/level3-reviews").status == 403)
            #expect(!client.get("/").bodyText.contains("href=\"/statistics"), "no link for \(role)")
        }
        #expect(coordinator.get("/").bodyText.contains("href=\"/statistics\""))
    }

    @Test("the settings are validated with clear messages, saved for every page, and audited", arguments: DatabaseKind.available)
    func settings(kind: DatabaseKind) throws {
        let world = try World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        let form = coordinator.get("/statistics/kpis/settings")
        #expect(form.status == 200 && form.bodyText.contains("value=\"Level 3 cases reviewed within the interval\""))
        var fields: [(String, String)] = []
        for indicator in KPIIndicator.allCases {
            let defaults = indicator.defaultSettings
            fields += [("\(indicator.rawValue)-name", defaults.name), ("\(indicator.rawValue)-definition", defaults.definition),
                       ("\(indicator.rawValue)-target", KPIFormat.number(defaults.target)), ("\(indicator.rawValue)-direction", defaults.direction.rawValue),
                       ("\(indicator.rawValue)-period", defaults.period.rawValue), ("\(indicator.rawValue)-average", defaults.average.rawValue)]
        }
        func with(_ changes: [String: String]) -> [(String, String)] { fields.map { ($0.0, changes[$0.0] ?? $0.1) } }
        let bad = coordinator.post("/statistics/kpis/settings", with(["attendance-target": "lots", "level3-reviews-target": "120",
                                                                      "disclosure-name": " "]))
        #expect(bad.status == 422)
        for message in ["Enter the target for indicator 3 as a number, like 90", "The target for indicator 1 must be a percentage from 0 to 100",
                        "Enter a name for indicator 6"] {
            #expect(bad.bodyText.contains(message), "\(message)")
        }
        #expect(bad.bodyText.contains("value=\"lots\""), "what was typed is kept")
        #expect(try KPISettingsStore.load(world.fixture.test.database)[.attendance] == KPIIndicator.attendance.defaultSettings, "nothing saved")
        coordinator.get("/statistics/kpis/settings")
        let saved = coordinator.post("/statistics/kpis/settings", with(["attendance-target": "100", "attendance-period": "year",
                                                                        "actions-on-time-name": "Actions done on time", "screening-days-average": "mean",
                                                                        "actions-on-time-target": "50"]))
        #expect(saved.status == 303)
        let audit = try #require(try world.fixture.stores.audit.recent(limit: 5).first { $0.subjectID == "kpis" })
        #expect(audit.action == .update && audit.detail.contains("3: at least 100% per year"))
        let page = coordinator.get("/statistics/kpis?period=2026-27-Q4").bodyText
        let attendance = Self.row(page, "3. Core agency attendance")
        #expect(attendance.contains("(2025/26)") && attendance.contains("At least 100%") && attendance.contains(">Met<"), "reported yearly now")
        #expect(Self.row(page, "8. Actions done on time").contains("At least 50%") && Self.row(page, "8. Actions done on time").contains(">Met<"))
        #expect(Self.row(page, "10. Days from referral").contains("3 days (mean)"))
        // The manager may read the figures but not change the settings.
        let manager = world.fixture.client(signedInAs: .manager)
        #expect(manager.get("/statistics/kpis/settings").status == 403)
        #expect(!manager.get("/statistics/kpis").bodyText.contains("Change the indicators"))
    }
}
