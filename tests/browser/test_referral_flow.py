"""The referral journey end to end in real browsers, as the people involved live it: a probation referrer submits
an incomplete MAPPA A and sees what is missing, section by section; the coordinator returns it with a reason; the
referrer completes and resubmits it; the coordinator screens it, sees the recommended level and why, records the
decision and lands on the new case. A referrer from another agency never sees it. All people are synthetic."""
from __future__ import annotations

import re

from selenium.webdriver.common.by import By

from support import REFERRAL_SECTIONS as SECTIONS, USERS, complete_section, date_fields, in_section, task_statuses

NAME = "Robin Sampleton"

# Sections 1-6 filled in; in section 7 only the RoSH, what multi-agency work would add and the lead agency;
# nothing in section 8.
FIRST_DRAFT = [
    ("level_requested", "3"), ("mappa_area", "Testshire"), ("category", "2"), ("family_name", "Sampleton"),
    ("given_names", "Robin"), ("aliases", "Rob"), *date_fields("date_of_birth", "14/02/1990"), ("gender", "Male"),
    ("ethnicity", "White British"), ("current_address", "1 Example Road, Northtown"), ("pnc_id", "90/999999Z"),
    ("custody_status", "community"), ("index_offences", "Wounding with intent"), ("sentence", "5 years"),
    ("offence_details", "- Knife attack on a stranger"), ("reason_for_referral", "Threats to a new partner"),
    ("rosh_overall", "high"), ("multi_agency_value", "Housing and police must co-ordinate"),
    ("lead_agency", "probation"), ("agencies_involved", "housing"),
]

COMPLETION = [
    *date_fields("licence_end_date", "2031-02-14"), ("victim_information", "New partner; victim liaison officer informed"),
    ("diversity_needs", "None known"), ("current_risk_management_plan", "Weekly reporting and curfew"),
    ("why_level2_is_not_enough", "Emergency accommodation needs senior housing sign-off."),
    ("manager_authorised_by", "SPO Sample"), *date_fields("manager_authorised_on", "01/03/2026"),
]

RETURN_REASON = "Please add the victims, diversity needs, the current plan, why Level 2 is not enough, and your manager's authorisation."


def findings_by_section(browser) -> dict[str, list[str]]:
    """The quality check panel as the referrer reads it: each section heading and the items listed under it."""
    panel = browser.driver.find_element(By.ID, "quality-findings")
    found = {}
    for heading in panel.find_elements(By.TAG_NAME, "h3"):
        items = heading.find_element(By.XPATH, "following-sibling::ul[1]").find_elements(By.TAG_NAME, "li")
        found[heading.text] = [item.text for item in items]
    return found


def row_for(browser, text: str) -> list[str]:
    rows = [row for row in browser.table_rows() if any(text in cell for cell in row)]
    assert len(rows) == 1, f"expected one row for {text} on {browser.path}, found {browser.table_rows()}"
    return rows[0]


def test_referral_from_submission_to_case(make_browser):
    referrer, coordinator, other_referrer = make_browser(), make_browser(), make_browser()

    # The referrer starts a referral, works through some sections of its task list and submits it.
    referrer.sign_in(USERS["referrer"])
    referrer.click_nav("Referrals")
    assert referrer.h1() == "Referrals"
    referrer.click_link("Start a referral")
    assert referrer.path == "/referrals/new"
    assert referrer.h1() == "Start a MAPPA referral"
    referrer.click_button("Start the referral")
    assert re.fullmatch(r"/referrals/\d+/edit", referrer.path), referrer.path
    assert set(task_statuses(referrer).values()) == {"Not started"}
    assert list(task_statuses(referrer)) == list(SECTIONS)
    complete_section(referrer, "Referral details", FIRST_DRAFT)
    complete_section(referrer, "1. Category of offender", FIRST_DRAFT)
    # A section saved without saying whether it is complete comes back with the error and what was typed.
    referrer.click_link("2. Offender information")
    referrer.fill_all(in_section(FIRST_DRAFT, "2. Offender information"))
    referrer.click_button("Save and continue")
    assert "Select whether you have completed this section" in referrer.error_summary()
    assert referrer.field("family_name")[0].get_attribute("value") == "Sampleton"
    assert referrer.field("date_of_birth-year")[0].get_attribute("value") == "1990"
    referrer.screenshot("flow-00-referral-section-error")
    referrer.fill("completed", "yes")
    referrer.click_button("Save and continue")
    assert referrer.path.endswith("/edit")
    complete_section(referrer, "3. Conviction or caution", FIRST_DRAFT)
    complete_section(referrer, "6. Reason for referral", FIRST_DRAFT)
    complete_section(referrer, "7. Risk, victims and plan", FIRST_DRAFT, completed="no")
    statuses = task_statuses(referrer)
    assert statuses == {
        "Referral details": "Completed", "1. Category of offender": "Completed", "2. Offender information": "Completed",
        "3. Conviction or caution": "Completed", "4. Relevant dates": "Not started", "5. Detained in hospital": "Not started",
        "6. Reason for referral": "Completed", "7. Risk, victims and plan": "In progress", "8. Authorisation": "Not started",
    }, statuses
    referrer.screenshot("flow-00-referral-task-list")
    referrer.click_link("Check your answers")
    assert referrer.h1() == "Check your answers before submitting the referral"
    assert "Wounding with intent" in referrer.main_text()
    referrer.click_button("Submit referral")

    assert re.fullmatch(r"/referrals/\d+", referrer.path), referrer.path
    referral_path = referrer.path
    assert referrer.h1() == NAME
    assert "Referral submitted to the MAPPA coordinator" in referrer.notification()
    assert referrer.status_tag() == "Submitted"
    panel = referrer.driver.find_element(By.ID, "quality-findings").text
    assert "5 items to add or correct, 1 to check." in panel
    findings = findings_by_section(referrer)
    assert list(findings) == ["4. Relevant dates", "7. Risk, victims and plan", "8. Authorisation"], findings
    assert findings["4. Relevant dates"] == [
        "Check: Category 2: enter when the licence or hospital order ends so exit can be planned"]
    assert findings["7. Risk, victims and plan"] == [
        "Missing: A Level 3 referral must say which parts of the risk management plan cannot be delivered at Level 2",
        "Missing: Describe known and potential victims and any victim contact arrangements, or say there are none",
        "Missing: Describe any diversity or equality needs, or say there are none",
        "Missing: Summarise the current risk management plan",
    ]
    assert findings["8. Authorisation"] == [
        "Missing: A manager in the referring agency must authorise the referral: give their name and the date"]
    reference = re.search(r"REF-\d+", referrer.driver.find_element(By.CSS_SELECTOR, "main .caption").text).group(0)
    referrer.screenshot("flow-01-referrer-sees-quality-findings")

    # A referrer from another agency cannot find it, nor open it by its address.
    other_referrer.sign_in(USERS["other_referrer"])
    other_referrer.click_nav("Referrals")
    assert reference not in other_referrer.main_text() and "Sampleton" not in other_referrer.main_text()
    other_referrer.go(referral_path)
    assert other_referrer.h1() == "Page not found"
    assert "Sampleton" not in other_referrer.main_text()
    other_referrer.screenshot("flow-02-other-agency-referrer-cannot-see-it")

    # The coordinator finds it in the screening queue, marked incomplete, and returns it with a reason.
    coordinator.sign_in(USERS["coordinator"])
    coordinator.click_nav("Screening")
    assert coordinator.h1() == "Screening queue"
    row = row_for(coordinator, reference)
    assert NAME in row and "Incomplete" in row, row
    coordinator.click_link(reference)
    assert coordinator.path == referral_path
    assert coordinator.h1() == NAME
    reasons = coordinator.field("reasons")[0]
    assert "A Level 3 referral must say" in reasons.get_attribute("value"), "the return reasons are not pre-filled"
    assert coordinator.label_for("reasons") == "What the referrer needs to add or correct"
    coordinator.fill("reasons", RETURN_REASON)
    coordinator.click_button("Return referral")
    assert "Referral returned to the referrer with your reasons." in coordinator.notification()
    assert coordinator.status_tag() == "Returned to referrer"
    coordinator.screenshot("flow-03-coordinator-returned-it")

    # The referrer sees it returned, with the reason, completes it and resubmits.
    referrer.click_nav("Referrals")
    assert "Returned to referrer" in row_for(referrer, reference)
    referrer.click_link(reference)
    assert referrer.status_tag() == "Returned to referrer"
    assert RETURN_REASON in referrer.main_text()
    referrer.screenshot("flow-04-referrer-sees-it-returned")
    referrer.click_link("Change the referral")
    assert referrer.h1() == f"Correct and resubmit referral {reference}"
    assert RETURN_REASON in referrer.main_text(), "the return reasons are at the top of the task list"
    statuses = task_statuses(referrer)
    assert statuses["7. Risk, victims and plan"] == "Has problems" and statuses["8. Authorisation"] == "Has problems", statuses
    assert statuses["2. Offender information"] == "Completed", statuses
    referrer.screenshot("flow-04b-returned-task-list")
    referrer.click_link("2. Offender information")
    assert referrer.field("family_name")[0].get_attribute("value") == "Sampleton", "what was entered before is kept"
    referrer.click_link("Back to the sections")
    complete_section(referrer, "4. Relevant dates", COMPLETION)
    complete_section(referrer, "7. Risk, victims and plan", FIRST_DRAFT + COMPLETION)
    complete_section(referrer, "8. Authorisation", COMPLETION)
    assert "Has problems" not in task_statuses(referrer).values(), task_statuses(referrer)
    referrer.click_link("Check your answers")
    assert referrer.h1() == "Check your answers before resubmitting the referral"
    referrer.click_button("Resubmit referral")
    assert referrer.path == referral_path
    assert "Referral submitted to the MAPPA coordinator" in referrer.notification()
    assert referrer.status_tag() == "Resubmitted"
    assert "Nothing is missing or inconsistent." in referrer.main_text()
    referrer.screenshot("flow-05-referrer-resubmitted")

    # The coordinator screens it: the recommendation and the criteria behind it, then the decision.
    coordinator.click_nav("Screening")
    assert "Ready to screen" in row_for(coordinator, reference)
    coordinator.click_link(reference)
    coordinator.click_link("Screen this referral")
    assert coordinator.path == referral_path + "/screening"
    assert coordinator.h1() == f"Screen {NAME}"
    recommendation = coordinator.driver.find_element(By.ID, "recommendation-title").text
    assert recommendation == "Recommended: Level 2", recommendation
    coordinator.set_checkbox("senior", True)
    coordinator.click_button("Update the recommendation")
    recommendation = coordinator.driver.find_element(By.ID, "recommendation-title").text
    assert recommendation == "Recommended: Level 3", recommendation
    box = coordinator.driver.find_element(By.CSS_SELECTOR, ".recommendation[aria-labelledby='recommendation-title']").text
    assert "Meets the Level 2 criteria and needs what only Level 3 gives" in box
    met, not_met = box.split("Criteria met\n")[1].split("Criteria not met\n")
    assert "Assessed as high or very high risk of serious harm (7.4(a))" in met
    assert "Needs senior representation from the Responsible Authority and duty-to-co-operate agencies (7.5)" in met
    assert "May need significant resources committed at short notice (7.5)" in not_met
    assert coordinator.selected("decision") == "accept"
    coordinator.screenshot("flow-06-coordinator-screening-recommendation")
    # The level keeps what the form held before the recommendation was updated, so the panel sets it itself.
    coordinator.fill("level", "3")
    coordinator.fill("rationale", "Senior housing decisions are needed; accepted at Level 3.")
    coordinator.click_button("Record the decision")

    # The coordinator lands on the new case.
    assert re.fullmatch(r"/cases/\d+", coordinator.path), coordinator.path
    case_path = coordinator.path
    assert "Screening decision recorded." in coordinator.notification()
    assert coordinator.h1() == "Robin SAMPLETON"
    case_text = coordinator.main_text()
    assert "Level 3: active multi-agency management with senior representation" in case_text
    assert "Category 2: violent or other sexual offender" in case_text
    assert "Probation Service" in case_text
    assert "Active" in case_text
    coordinator.screenshot("flow-07-coordinator-case-page")

    # The referrer sees the outcome on the referral, but not the case itself (need-to-know).
    referrer.go(referral_path)
    assert referrer.status_tag() == "Accepted"
    referrer.go(case_path)
    assert referrer.h1() == "You do not have access to this page"
    assert "need-to-know" in referrer.main_text()
