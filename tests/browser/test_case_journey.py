"""One case from referral to reviewed minutes across five people, each finding their next step on their home page
without typing an address: the referrer submits an incomplete referral; the coordinator finds it to check and returns
it; the referrer finds it returned with the reasons and completes it; the coordinator finds it ready, screens it,
schedules a panel and invites housing; the housing representative finds the meeting to reply to and replies; the
coordinator marks the panel held and writes the minutes; the chair finds the minutes waiting, sees what approval
changes on the case and approves; the housing representative finds their action and the minutes to read; the coordinator finds the minutes to distribute and records how they went. The case then shows the
panel's decisions and the one review date. All people are synthetic."""
from __future__ import annotations

import datetime
import re

from selenium.webdriver.common.by import By

from support import USERS, answer_referral, date_fields

NAME = "Jules Journeyman"

FIRST_DRAFT = [
    ("level_requested", "2"), ("mappa_area", "Testshire"), ("category", "2"), ("family_name", "Journeyman"),
    ("given_names", "Jules"), *date_fields("date_of_birth", "03/07/1988"), ("gender", "Male"),
    ("ethnicity", "White British"), ("current_address", "4 Journey Lane, Northtown"), ("pnc_id", "88/123456J"),
    ("custody_status", "community"), ("index_offences", "Assault occasioning actual bodily harm"), ("sentence", "3 years"),
    ("offence_details", "Assault on a former partner"), ("reason_for_referral", "Threats to the former partner"),
    ("rosh_overall", "high"), ("multi_agency_value", "Housing and police must co-ordinate"),
    ("lead_agency", "probation"), ("agencies_involved", "housing"),
]

COMPLETION = [
    *date_fields("licence_end_date", "2030-07-03"), ("victim_information", "Former partner; victim liaison officer informed"),
    ("diversity_needs", "None known"), ("current_risk_management_plan", "Weekly reporting and an exclusion zone"),
    ("manager_authorised_by", "SPO Sample"), *date_fields("manager_authorised_on", "01/03/2026"),
]


def open_from_home(browser, section: str, text: str) -> None:
    """Goes home by the navigation and follows the link in one queue section whose text contains `text`."""
    browser.click_nav("Home")
    queue = browser.driver.find_element(By.CSS_SELECTOR, f"main section[aria-labelledby='{section}']")
    links = [link for link in queue.find_elements(By.TAG_NAME, "a") if text in link.text]
    assert links, f"nothing with '{text}' in the home queue '{section}': {queue.text}"
    browser._click_and_wait(links[0])


def queue_text(browser, section: str) -> str:
    browser.click_nav("Home")
    found = browser.driver.find_elements(By.CSS_SELECTOR, f"main section[aria-labelledby='{section}']")
    return found[0].text if found else ""


def test_one_case_from_referral_to_reviewed_minutes(make_browser, world):
    referrer, coordinator, chair, housing = make_browser(), make_browser(), make_browser(), make_browser()
    today = datetime.date.today()

    # 1. The referrer submits a referral with sections missing.
    referrer.sign_in(USERS["referrer"])
    referrer.click_nav("Referrals")
    referrer.click_link("Start a referral")
    referrer.click_button("Start the referral")
    answer_referral(referrer, FIRST_DRAFT)
    referrer.click_button("Submit referral")
    reference = re.search(r"REF-\d+", referrer.driver.find_element(By.CSS_SELECTOR, "main .caption").text).group(0)
    assert reference in queue_text(referrer, "referrals-waiting")
    referrer.screenshot("journey-01-referrer-home-waiting")

    # 2. The coordinator finds it among the referrals to check and returns it with the pre-filled reasons.
    coordinator.sign_in(USERS["coordinator"])
    assert reference in queue_text(coordinator, "referrals-to-check")
    coordinator.screenshot("journey-02-coordinator-home")
    open_from_home(coordinator, "referrals-to-check", reference)
    assert coordinator.h1() == NAME
    assert coordinator.field("reasons")[0].get_attribute("value").strip(), "the return box is pre-filled from the quality check"
    coordinator.click_button("Return referral")
    assert "Returned to referrer" in coordinator.status_tag()

    # 3. The referrer finds it returned, with the reasons, completes it and resubmits.
    returned = queue_text(referrer, "referrals-returned")
    assert reference in returned and "Returned by" in returned and "manager" in returned.lower(), returned
    open_from_home(referrer, "referrals-returned", reference)
    referrer.click_link("Change the referral")
    answer_referral(referrer, COMPLETION)
    referrer.click_button("Resubmit referral")
    assert referrer.status_tag() == "Resubmitted"

    # 4. The coordinator finds it ready for screening and accepts it at Level 2.
    assert reference in queue_text(coordinator, "referrals-ready")
    open_from_home(coordinator, "referrals-ready", reference)
    coordinator.click_link("Screen this referral")
    coordinator.fill("level", "2")
    coordinator.fill("rationale", "High risk of serious harm; housing and police must co-ordinate.")
    coordinator.click_button("Record the decision")
    assert re.fullmatch(r"/cases/\d+", coordinator.path), coordinator.path
    case_path = coordinator.path
    case_text = coordinator.main_text()
    assert "Level 2" in case_text
    nominal_ref = re.search(r"NOM-\d+", case_text).group(0)

    # 5. A panel today: the agenda proposes the new case; housing is invited; the home page says what it lacks.
    coordinator.click_nav("Meetings")
    coordinator.click_link("Schedule a meeting")
    coordinator.fill_all([
        ("kind", "level_2"), ("title", "Level 2 panel – journey"), *date_fields("date", today.isoformat()), ("start_time", "09:00"),
        ("duration", "120"), ("venue", "Room 7, Testville police station"), ("chair_grade", "manager"),
    ])
    coordinator.click_button("Schedule")
    meeting_path = coordinator.path
    lacking = queue_text(coordinator, "meetings-coming-up")
    assert "Level 2 panel – journey" in lacking and "no agenda" in lacking, lacking
    open_from_home(coordinator, "meetings-coming-up", "Level 2 panel – journey")
    assert coordinator.path == meeting_path
    assert NAME.split()[0] in coordinator.main_text() and "New case" in coordinator.main_text()
    coordinator._click_and_wait(coordinator.driver.find_element(
        By.XPATH, f"//main//tr[contains(., '{NAME.split()[1].upper()}')]//button"))
    coordinator.go(meeting_path + "/invitees")
    coordinator.fill_all([("agency", "housing"), ("name", USERS["housing"].name),
                          ("email", f"{USERS['housing'].username}@example.invalid")])
    coordinator.click_button("Add invitee")
    # Before the panel, the housing representative finds the meeting to reply to, and replies.
    housing.sign_in(USERS["housing"])
    open_from_home(housing, "meetings-invited", "Level 2 panel – journey")
    housing.fill_all([("response", "apologies_with_report"), ("report_text", "Tenancy conditions unchanged; no concerns.")])
    housing.click_button("Send the reply")
    assert "Apologies, with a report" in queue_text(housing, "meetings-invited")
    coordinator.go(meeting_path)
    # The panel has taken place: marked held, its minutes can be approved once they reach the chair.
    coordinator.click_button("Mark as held")
    minutes_link = coordinator.driver.find_element(
        By.XPATH, f"//main//tr[contains(., '{NAME.split()[1].upper()}')]//a[contains(@href, '/minutes')]")
    minutes_path = re.sub(r"^https?://[^/]+", "", minutes_link.get_attribute("href"))
    coordinator._click_and_wait(minutes_link)
    coordinator.click_button("Start the minutes")
    review_on = today + datetime.timedelta(weeks=10)
    coordinator.fill_all([
        ("info_police", "No new intelligence"), ("risk_assessment", "Former partner at risk of violence after contact"),
        ("rosh", "medium"), ("victim_issues", "Victim liaison in contact with the former partner"), ("diversity", "None identified"),
        ("disclosure_considered", "yes"), ("disclosure_decision", "No disclosure"), ("disclosure_rationale", "The partner knows the history"),
        ("supervision", "Weekly reporting"), ("monitoring_and_control", "Exclusion zone"),
        ("interventions_and_treatment", "Building Better Relationships"), ("victim_safety_planning", "Marker on the partner's address"),
        ("decision_1", "Remain at Level 2"), ("rationale_1", "Housing and police still need to co-ordinate"),
        ("level_decision", "2"), ("lead_agency", "probation"), *date_fields("next_review_date", review_on.isoformat()),
        ("action_1", "Confirm the journey tenancy"), ("action_owner_ref_1", world.housing_owner), ("action_area_1", "supervision"),
        *date_fields("action_due_1", (today + datetime.timedelta(days=14)).isoformat()),
    ])
    coordinator.click_button("Save and send to the chair")
    assert "Minutes sent to the chair" in coordinator.notification()

    # 6. The chair finds the minutes waiting, sees what approval changes on the case, and approves.
    chair.sign_in(USERS["chair"])
    assert nominal_ref in queue_text(chair, "minutes-to-approve")
    chair.screenshot("journey-03-chair-home")
    open_from_home(chair, "minutes-to-approve", nominal_ref)
    assert chair.path == minutes_path
    chair.click_button("Approve the minutes")
    changes = chair.main_text()
    assert "What approval changes on the case" in changes and "Medium" in changes, changes
    chair.screenshot("journey-04-chair-confirms")
    chair.click_button("Confirm approval")
    assert "Minutes approved" in chair.notification()
    assert nominal_ref not in queue_text(chair, "minutes-to-approve")

    # 7. The housing representative finds their action and the minutes to read.
    assert "Confirm the journey tenancy" in queue_text(housing, "your-actions")
    housing.screenshot("journey-05-housing-home")
    open_from_home(housing, "minutes-to-read", nominal_ref)
    assert housing.path == minutes_path
    assert "Former partner at risk of violence after contact" in housing.main_text()

    # 8. The coordinator sees the reply, finds the minutes to distribute and records how they went.
    coordinator.go(meeting_path + "/invitees")
    assert "Apologies, with a report" in coordinator.main_text()
    assert nominal_ref in queue_text(coordinator, "minutes-to-distribute")
    open_from_home(coordinator, "minutes-to-distribute", nominal_ref)
    coordinator.fill("method", "Secure email from the police system")
    coordinator.click_button("Record the distribution")
    assert nominal_ref not in queue_text(coordinator, "minutes-to-distribute")
    coordinator.screenshot("journey-06-coordinator-home-after")

    # The case carries the panel's decisions, and one review date.
    coordinator.go(case_path)
    case_text = coordinator.main_text()
    assert "Overall RoSH\nMedium" in case_text, "the RoSH decided at the panel"
    review_text = review_on.strftime("%-d %B %Y")
    assert review_text in case_text, f"the review date set by the panel, {review_text}"
    assert "Confirm the journey tenancy" in case_text, "the action agreed at the panel is tracked on the case"
    assert "approved by the chair" in case_text, "the change is in the case history with the minutes as its reason"
    coordinator.screenshot("journey-07-case-after-the-panel")
