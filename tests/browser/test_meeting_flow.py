"""The meeting secretariat in real browsers: the coordinator schedules a Level 2 panel for today, takes the cases
the agenda builder proposes, records attendance (police send apologies), marks the meeting held and sees the
missing core agency flagged, then starts the minutes; the housing representative, whose agency is involved in
the case, sees the meeting and that case and nothing else. All people are synthetic."""
from __future__ import annotations

import datetime

from selenium.webdriver.common.by import By

from support import USERS, date_fields


def test_meeting_from_scheduling_to_compliance(make_browser, world):
    coordinator = make_browser()
    coordinator.sign_in(USERS["coordinator"])
    coordinator.click_nav("Meetings")
    assert coordinator.h1() == "Meetings"
    coordinator.click_link("Schedule a meeting")
    coordinator.fill_all([
        ("kind", "level_2"), ("title", "Level 2 panel – browser walk"), *date_fields("date", datetime.date.today().isoformat()),
        ("start_time", "09:30"), ("duration", "90"), ("venue", "Room 5, Testville police station"), ("chair_grade", "manager"),
    ])
    coordinator.click_button("Schedule")
    assert coordinator.h1() == "Level 2 panel – browser walk"
    assert "Meeting scheduled" in coordinator.notification()
    coordinator.screenshot("meeting-01-scheduled")

    # The agenda builder proposes the new Level 2 case; the coordinator takes every proposal.
    assert "Quinn PLACEHOLDER" in coordinator.main_text()
    coordinator.click_button("Add all proposed cases")
    agenda = [row for row in coordinator.table_rows() if any("Quinn PLACEHOLDER" in cell for cell in row)]
    assert agenda and agenda[0][0] == "1", f"the case is not first on the agenda: {coordinator.table_rows()}"

    # Attendance: police send apologies, probation attend, the confidentiality statement is read.
    coordinator.click_link("Record attendance")
    assert coordinator.h1() == "Record attendance"
    police = coordinator.driver.find_element(By.XPATH, "//label[normalize-space()='Police: whole meeting']").get_attribute("for")
    probation = coordinator.driver.find_element(By.XPATH, "//label[normalize-space()='Probation Service: whole meeting']").get_attribute("for")
    coordinator.fill(police, "apologies")
    coordinator.fill(probation, "attended")
    coordinator.set_checkbox("confidentiality_all", True)
    coordinator.click_button("Save attendance")
    assert "Attendance saved" in coordinator.notification()

    # Held: the missing core agency is flagged on the meeting.
    coordinator.click_button("Mark as held")
    assert "Police was not represented" in coordinator.main_text()
    assert "Probation Service was not represented" not in coordinator.main_text()
    coordinator.screenshot("meeting-02-held-with-compliance-finding")

    # The minutes start pre-filled and wait for the risk assessment and the plan.
    coordinator._click_and_wait(coordinator.driver.find_element(By.CSS_SELECTOR, "main a[href$='/minutes']"))
    assert coordinator.h1().startswith("Minutes: Quinn PLACEHOLDER")
    coordinator.click_button("Start the minutes")
    assert coordinator.field("risk_assessment"), "the minutes form is shown"
    assert coordinator.selected("lead_agency") == "probation", "pre-filled from the case"
    coordinator.screenshot("meeting-03-minutes-draft")

    # The housing representative sees this meeting, with the case their agency is involved in.
    housing = make_browser()
    housing.sign_in(USERS["housing"])
    housing.click_nav("Meetings")
    assert "Level 2 panel – browser walk" in housing.main_text()
    housing.click_link("Level 2 panel – browser walk")
    assert "Quinn PLACEHOLDER" in housing.main_text()
    assert "Compliance" not in housing.main_text() and "Record attendance" not in housing.main_text()
    housing.screenshot("meeting-04-partner-agency-view")
