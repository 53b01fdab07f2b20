"""Keyboard only, as someone who cannot use a mouse: Tab, Shift+Tab, Enter, Space, the arrow keys and typing (through
Selenium's ActionChains; nothing is clicked). A referrer starts a referral from the navigation and completes it through
its task list, meeting an error on the way; a coordinator writes the minutes of a case discussion, adding a decision
and an action row. At every step the focused element must show a visible focus indicator, and focus must land where a
person expects: on the error summary when a page comes back with problems, on the field an error links to, in the main
content after the skip link, and on the new row after "add another". All people are synthetic."""
from __future__ import annotations

import datetime

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from pages import COMPLETE_REFERRAL
from support import REFERRAL_SECTIONS, USERS, date_fields, in_section
from test_minutes_flow import panel_today

# What the focused element is and whether its focus can be seen (an outline of 2px or more, or a focus box shadow,
# as the GOV.UK focus state draws it).
FOCUSED = """
var el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) { return null; }
var style = getComputedStyle(el);
var visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || (style.boxShadow && style.boxShadow !== "none");
var box = el.getBoundingClientRect();
return {tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "", id: el.id || "", type: (el.getAttribute("type") || "").toLowerCase(),
        value: el.value === undefined ? "" : String(el.value), text: (el.innerText || el.textContent || "").trim().slice(0, 100),
        cls: el.className || "", visible: visible, inMain: !!el.closest("main"), size: box.width * box.height};
"""


class Keyboard:
    """One person's keyboard on one browser."""

    def __init__(self, browser):
        self.browser = browser
        self.driver = browser.driver

    def press(self, *keys: str) -> None:
        ActionChains(self.driver).send_keys(*keys).perform()

    def shift_tab(self) -> None:
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()

    def focused(self) -> dict | None:
        return self.driver.execute_script(FOCUSED)

    def assert_visible(self, focus: dict | None) -> None:
        assert focus is not None, f"nothing has the focus on {self.driver.current_url}" + str(self.driver.execute_script(
            "var r = document.getElementById(location.hash.slice(1)); return [!!document.querySelector('.error-summary'), r && r.className, document.scripts.length, r && r.outerHTML.slice(0, 300)]"))
        assert focus["visible"], f"the focus on {focus} is not visible on {self.browser.path}"
        assert focus["size"] > 0, f"the focus is on something not shown: {focus}"

    def tab_to(self, wanted, what: str, limit: int = 400) -> dict:
        """Presses Tab until the focused element is the wanted one, checking every stop shows its focus."""
        for _ in range(limit):
            self.press(Keys.TAB)
            focus = self.focused()
            if focus is None:
                continue  # past the last element, before the first: the browser's own controls
            self.assert_visible(focus)
            if wanted(focus):
                return focus
        raise AssertionError(f"Tab never reached {what} on {self.browser.path}")

    def tab_to_field(self, name: str, value: str | None = None) -> dict:
        return self.tab_to(lambda f: f["name"] == name and (value is None or f["value"] == value), f"the field {name}")

    def tab_to_button(self, text: str) -> dict:
        return self.tab_to(lambda f: f["tag"] == "button" and f["text"] == text, f"the button {text}")

    def tab_to_link(self, text: str) -> dict:
        return self.tab_to(lambda f: f["tag"] == "a" and f["text"] == text, f"the link {text}")

    def activate(self, key: str = Keys.ENTER) -> None:
        """Presses Enter (or Space) on a link or button that loads a new page, and waits for it."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.press(key)

        def gone(_driver) -> bool:
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True

        WebDriverWait(self.driver, 30).until(gone)
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def settled_focus(self) -> dict | None:
        """The focus once the page's script has placed it (it runs as the page finishes loading)."""
        try:
            WebDriverWait(self.driver, 3).until(lambda d: d.execute_script(FOCUSED) is not None)
        except Exception:
            pass
        return self.focused()

    def answer(self, name: str, value: str) -> None:
        """Moves to a field and answers it the way a keyboard does: typing, arrow keys in a select, Space on a box."""
        kind = self.driver.execute_script(
            "var e = document.querySelector('main [name=\"' + arguments[0] + '\"]'); return e.tagName.toLowerCase() + ':' + (e.type || '');", name)
        if kind.endswith(":checkbox") or kind.endswith(":radio"):
            focus = self.tab_to(lambda f: f["name"] == name, f"the {name} choices")
            if kind.endswith(":checkbox"):
                while focus["value"] != value:
                    focus = self.tab_to(lambda f: f["name"] == name, f"the {name} choice {value}")
                self.press(Keys.SPACE)
            else:
                # Arrow keys move between the options of a radio group and choose the one they land on.
                self.press(Keys.SPACE)
                for _ in range(10):
                    if self.focused()["value"] == value:
                        break
                    self.press(Keys.ARROW_DOWN)
            assert self.driver.execute_script(
                "return document.querySelector('main [name=\"' + arguments[0] + '\"][value=\"' + arguments[1] + '\"]').checked", name, value)
            return
        self.tab_to_field(name)
        if kind.startswith("select"):
            values = self.driver.execute_script("return Array.from(document.activeElement.options).map(function (o) { return o.value; })")
            steps = values.index(value) - self.driver.execute_script("return document.activeElement.selectedIndex")
            self.press(*([Keys.ARROW_DOWN] * steps if steps > 0 else [Keys.ARROW_UP] * -steps))
        else:
            # Whatever the field held is selected (Ctrl+A) and typed over.
            ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
            self.press(value)
        assert self.focused()["value"] == value, f"{name} holds {self.focused()['value']!r}, not {value!r}"

    def answer_all(self, fields: list[tuple[str, str]]) -> None:
        """Answers fields in the order they come on the page, as Tab reaches them."""
        order = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('main [name]')).map(function (e) { return e.name + '=' + (e.type === 'checkbox' ? e.value : ''); })")

        def position(field: tuple[str, str]) -> int:
            name, value = field
            for key in (f"{name}={value}", f"{name}="):
                if key in order:
                    return order.index(key)
            raise AssertionError(f"no field {name} on {self.browser.path}")

        for name, value in sorted(fields, key=position):
            self.answer(name, value)
            self.shift_tab()  # back one stop, so the next search starts from this field
            self.press(Keys.TAB)


def test_keyboard_only_referral_through_its_task_list(make_browser):
    browser = make_browser()
    browser.sign_in(USERS["referrer"])
    keys = Keyboard(browser)
    browser.go("/")

    # The first Tab reaches the skip link, which shows itself and takes the reader past the navigation.
    keys.press(Keys.TAB)
    first = keys.focused()
    keys.assert_visible(first)
    assert first["text"] == "Skip to main content", first
    keys.press(Keys.ENTER)
    keys.press(Keys.TAB)
    assert keys.focused()["inMain"], f"after the skip link, Tab goes to {keys.focused()}"

    # Shift+Tab goes back up into the navigation, where the referrer opens Referrals.
    keys.shift_tab()
    keys.assert_visible(keys.focused())
    browser.go("/")
    keys.tab_to_link("Referrals")
    keys.activate()
    assert browser.h1() == "Referrals"
    keys.tab_to_link("Start a referral")
    keys.activate()
    assert browser.h1() == "Start a MAPPA referral"
    keys.tab_to_button("Start the referral")
    keys.activate(Keys.SPACE)
    assert browser.path.endswith("/edit"), browser.path
    task_list = browser.path

    answers = [(name, "Keyboard" if name == "family_name" else value) for name, value in COMPLETE_REFERRAL]
    for number, section in enumerate(REFERRAL_SECTIONS):
        keys.tab_to_link(section)
        keys.activate()
        assert browser.h1() == section
        keys.answer_all(in_section(answers, section))
        if number == 2:
            # Saved without saying whether the section is complete: the error summary takes the focus, its link takes
            # the focus to the question, and what was typed is still there.
            keys.tab_to_button("Save and continue")
            keys.activate()
            focus = keys.settled_focus()
            keys.assert_visible(focus)
            assert "error-summary" in focus["cls"], f"the error summary does not have the focus: {focus}"
            keys.tab_to_link("Select whether you have completed this section")
            keys.press(Keys.ENTER)
            focus = keys.focused()
            assert focus["name"] == "completed" and focus["value"] == "yes", f"the error link took the focus to {focus}"
            assert browser.field("family_name")[0].get_attribute("value") == "Keyboard"
            keys.press(Keys.SPACE)
        else:
            keys.answer("completed", "yes")
        keys.tab_to_button("Save and continue")
        keys.activate()
        assert browser.path == task_list, browser.path
    statuses = [item.text for item in browser.driver.find_elements(By.CSS_SELECTOR, "main .task-list__status")]
    assert statuses == ["Completed"] * len(REFERRAL_SECTIONS), statuses

    keys.tab_to_link("Check your answers")
    keys.activate()
    assert browser.h1() == "Check your answers before submitting the referral"
    keys.tab_to_button("Submit referral")
    keys.activate()
    assert "Referral submitted to the MAPPA coordinator" in browser.notification()
    assert browser.h1() == "Quinn Keyboard"
    assert "Nothing is missing or inconsistent." in browser.main_text()
    browser.screenshot("keyboard-01-referral-submitted")


def test_keyboard_only_minutes_with_added_rows(make_browser, world, server):
    _, path = panel_today(server.base_url, world.case_id)
    browser = make_browser()
    browser.sign_in(USERS["coordinator"])
    keys = Keyboard(browser)
    browser.go(path)
    assert browser.h1().startswith("Minutes: Quinn PLACEHOLDER")
    today = datetime.date.today()

    keys.answer_all([
        ("info_police", "No new intelligence"), ("risk_assessment", "Neighbours at risk of arson when he is intoxicated"),
        ("rosh", "high"), ("victim_issues", "Neighbours informed through the police"), ("diversity", "None identified"),
        ("disclosure_considered", "yes"), ("disclosure_decision", "No disclosure"), ("disclosure_rationale", "Neighbours already aware"),
        ("supervision", "Weekly reporting"), ("monitoring_and_control", "Curfew 21:00-07:00"),
        ("interventions_and_treatment", "Alcohol treatment"), ("victim_safety_planning", "Police marker on neighbours' addresses"),
        ("decision_1", "Remain at Level 2"), ("rationale_1", "Housing and police still need to co-ordinate"),
    ])
    # Another decision: the page comes back at the new row with its first field focused, everything typed kept.
    keys.tab_to(lambda f: f["name"] == "add_decision", "the add decision button")
    keys.activate()
    focus = keys.settled_focus()
    keys.assert_visible(focus)
    assert focus["name"] == "decision_2", f"after adding a decision the focus is on {focus}"
    assert browser.field("risk_assessment")[0].get_attribute("value") == "Neighbours at risk of arson when he is intoxicated"
    keys.press("Refer to the housing panel")
    keys.press(Keys.TAB)
    assert keys.focused()["name"] == "rationale_2"
    keys.press("Tenancy ends next month")

    keys.answer_all([
        ("level_decision", "2"), ("lead_agency", "probation"),
        *date_fields("next_review_date", (today + datetime.timedelta(weeks=12)).isoformat()),
        ("action_1", "Confirm the tenancy conditions"), ("action_owner_ref_1", world.housing_owner),
        ("action_area_1", "victim_safety"),
        *date_fields("action_due_1", (today + datetime.timedelta(days=14)).isoformat()),
    ])
    keys.tab_to(lambda f: f["name"] == "add_action", "the add action button")
    keys.activate()
    focus = keys.settled_focus()
    assert focus["name"] == "action_2", f"after adding an action the focus is on {focus}"
    keys.press("Check the curfew records")
    keys.answer_all([("action_owner_ref_2", world.housing_owner), ("action_area_2", "supervision"),
                     *date_fields("action_due_2", (today + datetime.timedelta(days=7)).isoformat())])

    keys.tab_to_button("Save and send to the chair")
    keys.activate()
    assert "Minutes sent to the chair" in browser.notification(), browser.main_text()[:500]
    text = browser.main_text()
    assert "Refer to the housing panel" in text and "Check the curfew records" in text
    browser.screenshot("keyboard-02-minutes-sent")
