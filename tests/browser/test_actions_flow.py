"""Actions in real browsers: the coordinator finds the owner by typing (the list narrows as they type, and says how
many match), adds an action with a past date and gets the form back with what they typed, corrects it, and the
housing officer finds it in My actions; the coordinator sees it on the unit's open actions. All people are synthetic."""
from __future__ import annotations

import datetime

from selenium.webdriver.common.by import By

from support import USERS, date_fields


def visible_owner_options(browser) -> list[str]:
    return [option.text for option in browser.driver.find_elements(By.CSS_SELECTOR, "select#owner option")
            if option.get_attribute("value") and option.is_enabled() and not option.get_property("hidden")]


def test_owner_found_by_typing_and_action_reaches_the_housing_officer(make_browser, world):
    coordinator = make_browser()
    coordinator.sign_in(USERS["coordinator"])
    coordinator.go(f"/cases/{world.case_id}/actions/new")
    assert coordinator.h1() == "Add an action"
    everyone = visible_owner_options(coordinator)
    assert len(everyone) > 3, everyone

    coordinator.fill("q", "riley testhous")
    narrowed = visible_owner_options(coordinator)
    assert narrowed == [f"{USERS['housing'].name} (Agency representative)"], narrowed
    assert coordinator.driver.find_element(By.ID, "owner-status").text == "1 person matches"
    coordinator.screenshot("actions-01-owner-found-by-typing")

    coordinator.fill_all([("description", "Arrange a joint home visit"), ("owner", world.housing_owner), ("area", "supervision"),
                          *date_fields("due_date", "2020-01-01")])
    coordinator.click_button("Add the action")
    assert "The due date cannot be in the past" in coordinator.error_summary()
    assert coordinator.field("description")[0].get_attribute("value") == "Arrange a joint home visit"
    assert coordinator.selected("owner") == world.housing_owner and coordinator.selected("area") == "supervision"
    coordinator.screenshot("actions-02-past-date-keeps-the-form")

    coordinator.fill_date("due_date", (datetime.date.today() + datetime.timedelta(days=7)).isoformat())
    coordinator.click_button("Add the action")
    assert "Action saved" in coordinator.notification()

    housing = make_browser()
    housing.sign_in(USERS["housing"])
    housing.click_nav("My actions")
    assert "Arrange a joint home visit" in housing.main_text()

    coordinator.go("/actions/open?agency=housing&area=supervision")
    assert "Arrange a joint home visit" in coordinator.main_text()
    coordinator.screenshot("actions-03-open-actions-across-the-unit")
