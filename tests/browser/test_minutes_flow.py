"""Minutes and actions in real browsers: the coordinator writes the minutes of a case discussion, the quality
check stops an incomplete version, the chair is told the minutes wait for the meeting to be held, the coordinator
marks it held, the chair approves, the case takes the level decision, and the housing officer who owns the agreed
action sees it in their list and closes it. All people are synthetic."""
from __future__ import annotations

import datetime
import re

from support import USERS, HttpClient, date_fields


def panel_today(base_url: str, case_id: int) -> tuple[int, str]:
    """A Level 2 panel today with the world's case on its agenda and its minutes begun (the world's own panel is
    tomorrow, and minutes can be approved only once the meeting has been held)."""
    setup = HttpClient(base_url)
    setup.sign_in(USERS["coordinator"])
    setup.get("/meetings/new")
    page = setup.post("/meetings/new", [
        ("kind", "level_2"), ("title", "Level 2 panel – minutes"), *date_fields("date", datetime.date.today().isoformat()),
        ("start_time", "10:00"), ("duration", "120"), ("venue", "Room 4, Testville police station"), ("chair_grade", "manager"),
    ])
    meeting = re.fullmatch(r"/meetings/(\d+)", page.path)
    assert meeting, f"the panel was not scheduled: {page.status} {page.url}"
    page = setup.post(page.path + "/agenda", [("action", "add"), ("case", str(case_id))])
    item = re.search(r'href="/meetings/\d+/items/(\d+)/minutes"', page.html)
    assert item, f"the case was not added to the agenda: {page.status} {page.url}"
    path = f"/meetings/{meeting.group(1)}/items/{item.group(1)}/minutes"
    setup.get(path)
    page = setup.post(path + "/start", [])
    assert "Save draft" in page.html, f"the minutes were not started: {page.status} {page.url}"
    return int(meeting.group(1)), path


def test_minutes_written_approved_and_action_closed(make_browser, world, server):
    meeting_id, path = panel_today(server.base_url, world.case_id)
    coordinator = make_browser()
    coordinator.sign_in(USERS["coordinator"])
    coordinator.go(path)
    assert coordinator.h1() == "Minutes: Quinn PLACEHOLDER (NOM-000001)" or coordinator.h1().startswith("Minutes: Quinn PLACEHOLDER")

    # Sending it to the chair with the risk assessment and plan empty is stopped by the quality check.
    coordinator.fill("risk_assessment", "")
    coordinator.click_button("Save and send to the chair")
    assert "Quality check" in coordinator.main_text()
    assert "Record the risk assessment" in coordinator.main_text()

    today = datetime.date.today()
    coordinator.fill_all([
        ("info_police", "No new intelligence"), ("risk_assessment", "Neighbours at risk of arson when he is intoxicated"),
        ("rosh", "high"), ("victim_issues", "Neighbours informed through the police"), ("diversity", "None identified"),
        ("disclosure_considered", "yes"), ("disclosure_decision", "No disclosure"), ("disclosure_rationale", "Neighbours already aware"),
        ("supervision", "Weekly reporting"), ("monitoring_and_control", "Curfew 21:00-07:00"),
        ("interventions_and_treatment", "Alcohol treatment"), ("victim_safety_planning", "Police marker on neighbours' addresses"),
        ("decision_1", "Remain at Level 2"), ("rationale_1", "Housing and police still need to co-ordinate"),
        ("level_decision", "2"), ("lead_agency", "probation"),
        *date_fields("next_review_date", (today + datetime.timedelta(weeks=12)).isoformat()),
        ("action_1", "Confirm the tenancy conditions"), ("action_owner_ref_1", world.housing_owner),
        ("action_area_1", "victim_safety"),
        *date_fields("action_due_1", (today + datetime.timedelta(days=14)).isoformat()),
    ])
    coordinator.click_button("Save and send to the chair")
    assert "Minutes sent to the chair" in coordinator.notification()
    coordinator.screenshot("minutes-01-sent-to-chair")

    # The panel has not been marked held: the chair is told why there is nothing to approve yet.
    chair = make_browser()
    chair.sign_in(USERS["chair"])
    chair.go(path)
    assert "The meeting has not been marked as held yet" in chair.main_text()
    assert "Approve the minutes" not in chair.main_text()
    coordinator.go(f"/meetings/{meeting_id}")
    coordinator.click_button("Mark as held")
    chair.go(path)
    chair.click_button("Approve the minutes")
    assert "What approval changes on the case" in chair.main_text(), "the chair sees what changes before approving"
    chair.click_button("Confirm approval")
    assert "Minutes approved" in chair.notification()
    chair.screenshot("minutes-02-approved")

    # The housing officer owns the agreed action: it is in their list, and they close it.
    housing = make_browser()
    housing.sign_in(USERS["housing"])
    housing.click_nav("My actions")
    assert "Confirm the tenancy conditions" in housing.main_text()
    housing.click_link("Confirm the tenancy conditions")
    housing.fill_all([("status", "done"), ("completion_note", "Conditions confirmed with the landlord")])
    housing.click_button("Save")
    assert "Action saved" in housing.notification()
    assert "Conditions confirmed with the landlord" in housing.main_text()
    housing.screenshot("minutes-03-action-closed-by-partner")


def test_minutes_rows_added_and_removed_without_losing_what_was_typed(make_browser, world, server):
    """The add and remove buttons post the form (no JavaScript needed): two decisions added, the middle one
    removed, and every other thing typed is still there; nothing is saved until Save draft."""
    from selenium.webdriver.common.by import By

    _, path = panel_today(server.base_url, world.case_id)
    coordinator = make_browser()
    coordinator.sign_in(USERS["coordinator"])
    coordinator.go(path)

    def press(name: str) -> None:
        coordinator._click_and_wait(coordinator.driver.find_element(By.CSS_SELECTOR, f"main button[name='{name}']"))
        assert "There is a problem" not in coordinator.main_text(), f"{name}: no errors for a mere add or remove"

    def value(name: str) -> str:
        return coordinator.field(name)[0].get_attribute("value")

    coordinator.fill_all([("risk_assessment", "Neighbours at risk when he drinks"),
                          ("decision_1", "Remain at Level 2"), ("rationale_1", "Agencies co-ordinating well")])
    press("add_decision")
    assert coordinator.driver.current_url.endswith("#decision-2"), coordinator.driver.current_url
    coordinator.fill_all([("decision_2", "Refer to the housing panel"), ("rationale_2", "Tenancy ends next month")])
    press("add_decision")
    coordinator.fill_all([("decision_3", "Review in twelve weeks"), ("rationale_3", "Standard interval")])
    coordinator.fill("action_1", "Confirm the tenancy conditions")
    press("add_action")
    coordinator.fill("action_2", "Check the curfew records")
    coordinator.screenshot("minutes-rows-01-three-decisions")

    press("remove_decision_2")
    assert value("decision_1") == "Remain at Level 2"
    assert value("rationale_1") == "Agencies co-ordinating well"
    assert value("decision_2") == "Review in twelve weeks", "the third decision moved up"
    assert value("rationale_2") == "Standard interval"
    assert not coordinator.driver.find_elements(By.NAME, "decision_3")
    assert value("risk_assessment") == "Neighbours at risk when he drinks"
    assert [value("action_1"), value("action_2")] == ["Confirm the tenancy conditions", "Check the curfew records"]
    assert "Refer to the housing panel" not in coordinator.driver.page_source

    coordinator.click_button("Save draft")
    assert "saved" in coordinator.notification().lower()
    assert value("decision_2") == "Review in twelve weeks"
    assert value("action_2") == "Check the curfew records"
    coordinator.screenshot("minutes-rows-02-saved")
