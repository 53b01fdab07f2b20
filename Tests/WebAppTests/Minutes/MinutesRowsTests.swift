import Domain
import Foundation
import HTTPServer
import Testing
import TestSupport
@testable import WebApp

/// Decisions and actions added and removed on the minutes form itself, without JavaScript: the buttons post the
/// form, and the same form comes back with one row more or fewer and everything typed still there.
@Suite("Minutes rows")
struct MinutesRowsTests {
    static func input(_ page: String, _ name: String) -> String? {
        TestClient.firstMatch("<input[^>]* name=\"\(name)\" type=\"text\" value=\"([^\"]*)\"", in: page)
    }
    static func textarea(_ page: String, _ name: String) -> String? {
        TestClient.firstMatch("<textarea[^>]* name=\"\(name)\"[^>]*>([^<]*)</textarea>", in: page)
    }
    static func selected(_ page: String, _ name: String) -> String? {
        guard let start = page.range(of: "name=\"\(name)\""), let end = page.range(of: "</select>", range: start.upperBound..<page.endIndex) else { return nil }
        return TestClient.firstMatch("<option value=\"([^\"]*)\" selected>", in: String(page[start.upperBound..<end.lowerBound]))
    }
    static func hidden(_ page: String, _ name: String) -> String? {
        TestClient.firstMatch("<input type=\"hidden\" name=\"\(name)\" value=\"([^\"]*)\"", in: page)
    }

    @Test("rows: add, then remove the middle one; the others keep their place and every field, and a field's suffix moves with it")
    func rowArithmetic() {
        let rows = RepeatingRows(name: "action", noun: "action", fields: ["action_", "action_due_", "action_area_"])
        var values = ["action_1": "One", "action_2": "Two", "action_due_2-day": "5", "action_3": "Three", "action_area_3": "supervision",
                      "action": "save", "action_rows": "3"]
        #expect(rows.count(values) == 3)
        #expect(rows.apply(.add, to: &values) == 4)
        #expect(rows.count(values) == 4, "a blank new row stays on the form")
        #expect(rows.apply(.remove(2), to: &values) == 2)
        #expect(values == ["action_1": "One", "action_2": "Three", "action_area_2": "supervision", "action": "save", "action_rows": "3"])
        #expect(rows.count(["action_7": "Typed"]) == 7, "never fewer rows than the last one filled in")
        #expect(rows.count(["action_rows": "999"]) == 20, "no more than the route reads")
        #expect(rows.edit(in: FormData(fields: [("action", "save"), ("remove_action_3", "1")])) == .remove(3))
        #expect(rows.edit(in: FormData(fields: [("add_action", "1")])) == .add)
        #expect(rows.edit(in: FormData(fields: [("action", "save"), ("action_rows", "2")])) == nil)
        var one = ["action_1": "Only"]
        #expect(rows.apply(.remove(1), to: &one) == nil)
        #expect(one == ["action_rows": "1"], "removing the last row leaves one blank row")
    }

    @Test("add two decisions and two actions, remove the middle ones: nothing typed is lost, nothing is saved until Save",
          arguments: DatabaseKind.available)
    func addAndRemove(kind: DatabaseKind) throws {
        let world = try MinutesFlowTests.World(kind)
        let coordinator = world.fixture.client(signedInAs: .coordinator)
        coordinator.get(world.path)
        #expect(coordinator.post(world.path + "/start", []).status == 303)
        var page = coordinator.get(world.path).bodyText
        let version = try MinutesFlowTests.version(coordinator.get(world.path))
        #expect(page.contains("name=\"add_decision\""), "an add button, no longer two rows until saved")
        #expect(page.contains("formaction=\"\(world.path)#decision-2\""), "the page opens at the new row")
        #expect(Self.input(page, "decision_2") == nil, "a new draft starts with one decision row")

        var typed: [(String, String)] = [("version", version), ("risk_assessment", "Partner at risk when drinking"),
                                         ("decision_rows", "1"), ("decision_1", "Stay at Level 2"), ("rationale_1", "Risk is managed"),
                                         ("action_rows", "1"), ("action_1", "Home visit"), ("action_area_1", "supervision")]
        func press(_ button: String) throws -> String {
            let response = coordinator.post(world.path, typed + [(button, "1")])
            #expect(response.status == 200, "\(button): the form again, not an error")
            let text = response.bodyText
            #expect(!text.contains("error-summary__title\">There is a problem"), "\(button): no errors for a mere add or remove")
            typed = typed.filter { !$0.0.hasSuffix("_rows") } + [("decision_rows", try #require(Self.hidden(text, "decision_rows"))),
                                                                  ("action_rows", try #require(Self.hidden(text, "action_rows")))]
            return text
        }
        page = try press("add_decision")
        #expect(Self.input(page, "decision_1") == "Stay at Level 2")
        #expect(Self.input(page, "decision_2") == "")
        #expect(Self.textarea(page, "risk_assessment") == "Partner at risk when drinking")
        #expect(page.contains("id=\"decision-2\""))
        typed += [("decision_2", "Refer to housing panel"), ("rationale_2", "Tenancy ends soon")]
        page = try press("add_decision")
        #expect(Self.input(page, "decision_2") == "Refer to housing panel")
        #expect(Self.input(page, "decision_3") == "")
        typed += [("decision_3", "Review in eight weeks"), ("rationale_3", "Standard interval")]

        page = try press("add_action")
        typed += [("action_2", "Speak to the landlord"), ("action_area_2", "monitoring_and_control")]
        page = try press("add_action")
        typed += [("action_3", "Book the alcohol course"), ("action_area_3", "interventions_and_treatment"), ("action_due_3", "2027-01-15")]
        #expect(Self.input(page, "action_3") == "")

        page = try press("remove_decision_2")
        #expect(Self.input(page, "decision_1") == "Stay at Level 2")
        #expect(Self.textarea(page, "rationale_1") == "Risk is managed")
        #expect(Self.input(page, "decision_2") == "Review in eight weeks", "the third decision moved up")
        #expect(Self.textarea(page, "rationale_2") == "Standard interval")
        #expect(Self.input(page, "decision_3") == nil)
        #expect(Self.input(page, "action_3") == "Book the alcohol course", "the actions are untouched")
        #expect(Self.hidden(page, "version") == version, "still the version the form was opened at")
        typed = typed.filter { !$0.0.hasPrefix("decision_") && !$0.0.hasPrefix("rationale_") }
            + [("decision_1", "Stay at Level 2"), ("rationale_1", "Risk is managed"), ("decision_2", "Review in eight weeks"),
               ("rationale_2", "Standard interval"), ("decision_rows", "2")]

        page = try press("remove_action_2")
        #expect(Self.input(page, "action_1") == "Home visit")
        #expect(Self.selected(page, "action_area_1") == "supervision")
        #expect(Self.input(page, "action_2") == "Book the alcohol course")
        #expect(Self.selected(page, "action_area_2") == "interventions_and_treatment")
        #expect(["day", "month", "year"].map { TestClient.dateInputValue(page, "action_due_2", $0) } == ["15", "1", "2027"])
        #expect(Self.input(page, "action_3") == nil)
        #expect(!page.contains("Speak to the landlord"))
        #expect(Self.input(page, "decision_2") == "Review in eight weeks")
        #expect(Self.textarea(page, "risk_assessment") == "Partner at risk when drinking")
        #expect(try world.fixture.world.discussion(world.meetingID, world.itemID).minutes?.content.decisions.isEmpty == true,
                "adding and removing rows saves nothing")

        // Save what the form now shows: the rows as they stand, in order.
        let form = page
        let fields = ["decision_1", "decision_2", "action_1", "action_2", "action_due_2"].compactMap { name in Self.input(form, name).map { (name, $0) } }
            + ["rationale_1", "rationale_2", "risk_assessment"].compactMap { name in Self.textarea(form, name).map { (name, $0) } }
            + ["action_area_1", "action_area_2"].compactMap { name in Self.selected(form, name).map { (name, $0) } }
        #expect(coordinator.post(world.path, fields + [("version", version), ("action", "save")]).status == 303)
        let saved = try #require(try world.fixture.world.discussion(world.meetingID, world.itemID).minutes?.content)
        #expect(saved.decisions.map(\.decision) == ["Stay at Level 2", "Review in eight weeks"])
        #expect(saved.actions.map(\.description) == ["Home visit", "Book the alcohol course"])
        #expect(saved.actions.map(\.area) == [.supervision, .interventionsAndTreatment])

        // Saved: every saved row shows, with room to add more.
        page = coordinator.get(world.path).bodyText
        #expect(Self.input(page, "decision_2") == "Review in eight weeks")
        #expect(Self.input(page, "decision_3") == nil)
        #expect(page.contains("name=\"remove_decision_2\""))
        #expect(page.contains("name=\"add_action\""))
        // Enter in a field saves, never removes a row: the first submit button in the form is the save.
        let formStart = try #require(page.range(of: "action=\"\(world.path)\""))
        let firstButton = try #require(TestClient.firstMatch("(<button[^>]*>)", in: String(page[formStart.upperBound...])))
        #expect(firstButton.contains("name=\"action\" value=\"save\""))
    }
}
