"""The main pages of the app, for each role, as the accessibility and HTML-validity tests visit them, and the
synthetic records ("the world") those pages show.

A page is a GET of `path` as `user`, optionally followed by filling in the form on it and pressing a button
(to reach a page that shows errors). The browser does that by typing and clicking; the raw-HTML fetcher posts
the same fields, with the pressed button's name and value, to the form's action.
"""
from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field

from support import USERS, HttpClient, date_fields

# A MAPPA A referral as a hurried referrer leaves it: several sections filled, others not. Synthetic person.
INCOMPLETE_REFERRAL = [
    ("level_requested", "3"), ("category", "2"), ("family_name", "Fictitious"), ("given_names", "Dana"),
    *date_fields("date_of_birth", "03/09/1985"), ("gender", "Female"), ("ethnicity", "Mixed White and Asian"),
    ("current_address", "9 Invented Street, Testville"), ("pnc_id", "85/000001X"), ("custody_status", "community"),
    ("index_offences", "Arson with intent to endanger life"), ("sentence", "4 years"),
    ("offence_details", "- Set fire to a neighbour's door"), ("reason_for_referral", "Renewed threats to neighbours"),
    ("rosh_overall", "high"), ("multi_agency_value", "Housing and police need to share information"),
    ("lead_agency", "probation"),
]

# A complete referral that the coordinator screens into a case. Synthetic person.
COMPLETE_REFERRAL = [
    ("level_requested", "2"), ("category", "2"), ("family_name", "Placeholder"), ("given_names", "Quinn"),
    ("aliases", "Q"), *date_fields("date_of_birth", "21/06/1979"), ("gender", "Male"), ("ethnicity", "White Irish"),
    ("current_address", "Flat 2, 40 Sample Lane, Testville"), ("pnc_id", "79/000002Y"), ("custody_status", "community"),
    ("index_offences", "Grievous bodily harm"), ("sentence", "6 years"), ("offence_details", "- Assault on a stranger"),
    ("reason_for_referral", "Escalating threats"), ("rosh_overall", "high"), ("victim_information", "None identified"),
    ("diversity_needs", "None known"), ("current_risk_management_plan", "Weekly reporting"),
    ("multi_agency_value", "Housing and police must co-ordinate"), ("lead_agency", "probation"),
    ("agencies_involved", "housing"), *date_fields("licence_end_date", "2031-05-01"),
    ("manager_authorised_by", "SPO Example"), *date_fields("manager_authorised_on", "01/03/2026"),
]


@dataclass
class World:
    referral_id: int  # submitted by the referrer, with quality findings
    case_id: int      # accepted by the coordinator
    nominal_id: int
    nominal_query: str
    referrer_user_id: int
    meeting_id: int  # a Level 2 panel tomorrow with the case on its agenda
    item_id: int     # the case's discussion at that meeting, with draft minutes
    action_id: int   # an action on the case owned by the housing officer
    area_code: str   # a MAPPA area, so the area pages and the area choices on the statistics pages show
    screened_referral_id: int  # the complete referral, accepted at screening
    screening_meeting_id: int  # a screening panel today
    returned_referral_id: int  # an incomplete referral the coordinator returned with the quality check's reasons
    housing_owner: str  # the housing officer as the directory offers them as an action's owner ("user:ID")

    def format(self, template: str) -> str:
        return template.format(**self.__dict__)


def build_world(base_url: str) -> World:
    referrer = HttpClient(base_url)
    referrer.sign_in(USERS["referrer"])
    referrer.get("/referrals/new")
    page = referrer.post("/referrals/new", INCOMPLETE_REFERRAL + [("action", "submit")])
    match = re.fullmatch(r"/referrals/(\d+)", page.path)
    assert match and "Quality check" in page.html, f"the incomplete referral was not submitted: {page.status} {page.url}"
    referral_id = int(match.group(1))

    page = referrer.post("/referrals/new", [(name, "Returnable" if name == "family_name" else value)
                                            for name, value in INCOMPLETE_REFERRAL] + [("action", "submit")])
    returned = re.fullmatch(r"/referrals/(\d+)", page.path)
    assert returned, f"the referral to return was not submitted: {page.status} {page.url}"

    coordinator = HttpClient(base_url)
    coordinator.sign_in(USERS["coordinator"])
    page = coordinator.get(page.path)
    box = re.search(r'<textarea[^>]*name="reasons"[^>]*>([^<]*)</textarea>', page.html)
    assert box and box.group(1).strip(), "the return box is not pre-filled from the quality check"
    page = coordinator.post(page.path + "/return", [("reasons", html.unescape(box.group(1)))])
    assert "return-reasons" in page.html, f"the referral was not returned: {page.status} {page.url}"
    coordinator.get("/referrals/new")
    page = coordinator.post("/referrals/new", COMPLETE_REFERRAL + [("action", "submit")])
    assert re.fullmatch(r"/referrals/\d+", page.path), f"the complete referral was not submitted: {page.status}"
    screened_referral_id = int(page.path.rsplit("/", 1)[1])
    coordinator.get(page.path + "/screening")
    page = coordinator.post(page.path + "/screening", [
        ("rosh", "high"), ("adds_value", "yes"), ("decision", "accept"), ("level", "2"), ("existing_nominal", ""),
        ("rationale", "Meets 7.4(a): high RoSH and agencies must co-ordinate."), ("action", "decide"),
    ])
    match = re.fullmatch(r"/cases/(\d+)", page.path)
    assert match, f"screening did not create a case: {page.status} {page.url}"
    case_id = int(match.group(1))
    nominal = re.search(r'href="/nominals/(\d+)"', page.html)
    assert nominal, "the case page does not link its nominal"

    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    coordinator.get("/meetings/new")
    page = coordinator.post("/meetings/new", [
        ("kind", "level_2"), ("title", "Level 2 panel – Testville"), *date_fields("date", tomorrow), ("start_time", "10:00"),
        ("duration", "120"), ("venue", "Room 3, Testville police station"), ("chair_grade", "manager"),
    ])
    meeting = re.fullmatch(r"/meetings/(\d+)", page.path)
    assert meeting, f"the meeting was not scheduled: {page.status} {page.url}"
    page = coordinator.post(page.path + "/agenda", [("action", "add_all")])
    assert "Quinn PLACEHOLDER" in page.html, "the new case was not proposed for the agenda"
    item = re.search(r'href="/meetings/\d+/items/(\d+)/minutes"', page.html)
    assert item, "the agenda does not link the minutes"
    page = coordinator.post(f"/meetings/{meeting.group(1)}/items/{item.group(1)}/minutes/start", [])
    assert "Save draft" in page.html, f"the minutes were not started: {page.status} {page.url}"
    coordinator.get(f"/meetings/{meeting.group(1)}/invitees")
    page = coordinator.post(f"/meetings/{meeting.group(1)}/invitees", [
        ("action", "add"), ("agency", "housing"), ("name", USERS["housing"].name),
        ("email", f"{USERS['housing'].username}@example.invalid")])
    assert USERS["housing"].name in page.html, f"housing was not invited: {page.status} {page.url}"

    coordinator.get("/meetings/new")
    page = coordinator.post("/meetings/new", [
        ("kind", "screening"), ("title", "Screening panel – Testville"), *date_fields("date", datetime.date.today().isoformat()),
        ("start_time", "09:00"), ("duration", "60"), ("venue", "Room 1, Testville police station"),
    ])
    screening_meeting = re.fullmatch(r"/meetings/(\d+)", page.path)
    assert screening_meeting, f"the screening panel was not scheduled: {page.status} {page.url}"

    # The owner is chosen from the directory: the search step finds the housing officer by name.
    page = coordinator.get(f"/cases/{case_id}/actions/new?q=" + USERS["housing"].name.replace(" ", "+"))
    owner = re.search(r'<option value="(user:\d+)">' + re.escape(USERS["housing"].name), page.html)
    assert owner, f"the directory does not offer the housing officer: {page.status} {page.url}"
    due = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
    page = coordinator.post(f"/cases/{case_id}/actions", [
        ("description", "Check the tenancy file"), ("owner", owner.group(1)), ("area", "victim_safety"), *date_fields("due_date", due)])
    action = re.search(r'href="/actions/(\d+)"', page.html)
    assert action, f"the action was not added: {page.status} {page.url}"

    coordinator.get("/statistics/areas")
    page = coordinator.post("/statistics/areas", [("code", "testville"), ("name", "Testville"), ("population", "")])
    assert "Area added" in page.html, f"the area was not added: {page.status} {page.url}"

    admin = HttpClient(base_url)
    admin.sign_in(USERS["admin"])
    users = admin.get("/admin/users")
    referrer_link = re.search(r'href="/admin/users/(\d+)">' + re.escape(USERS["referrer"].name) + "<", users.html)
    assert referrer_link, "the users list does not show the referrer"
    return World(referral_id=referral_id, case_id=case_id, nominal_id=int(nominal.group(1)),
                 nominal_query="placeholder", referrer_user_id=int(referrer_link.group(1)),
                 meeting_id=int(meeting.group(1)), item_id=int(item.group(1)), action_id=int(action.group(1)),
                 area_code="testville", screened_referral_id=screened_referral_id,
                 screening_meeting_id=int(screening_meeting.group(1)), returned_referral_id=int(returned.group(1)),
                 housing_owner=owner.group(1))


@dataclass
class Submit:
    """Filling in the form on a page and pressing one button."""
    action: str                          # where the form posts (a template like `path`)
    button: str                          # the button's text, as a person sees it
    button_field: tuple[str, str] | None  # the button's name and value, when it has one
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PageSpec:
    name: str
    user: str | None     # a key of USERS, or None for signed out
    path: str            # may name World fields: "/referrals/{referral_id}"
    heading: str         # what the h1 says (or starts with)
    status: int = 200
    submit: Submit | None = None
    shows_errors: bool = False


PAGES: list[PageSpec] = [
    # Signed out
    PageSpec("login", None, "/login", "Sign in"),
    PageSpec("login-with-errors", None, "/login", "Sign in", status=422, shows_errors=True,
             submit=Submit("/login", "Sign in", None, [("username", ""), ("password", "")])),
    PageSpec("not-found-signed-out", None, "/no-such-page", "Page not found", status=404),
    # Referrer
    PageSpec("home-referrer", "referrer", "/", "Welcome, Taylor Testreferrer"),
    PageSpec("referrals-list", "referrer", "/referrals", "Referrals"),
    PageSpec("referral-new", "referrer", "/referrals/new", "Start a MAPPA referral"),
    PageSpec("referral-section", "referrer", "/referrals/{returned_referral_id}/sections/risk", "7. Risk, victims and plan"),
    PageSpec("referral-section-with-errors", "referrer", "/referrals/{returned_referral_id}/sections/offender",
             "2. Offender information", status=422, shows_errors=True,
             submit=Submit("/referrals/{returned_referral_id}/sections/offender", "Save and continue", None,
                           [("family_name", "Errorcase"), *date_fields("date_of_birth", "31/02/1990")])),
    PageSpec("referral-check-answers", "referrer", "/referrals/{returned_referral_id}/check",
             "Check your answers before resubmitting the referral"),
    PageSpec("referral-with-findings", "referrer", "/referrals/{referral_id}", "Dana Fictitious"),
    PageSpec("referral-returned", "referrer", "/referrals/{returned_referral_id}", "Dana Returnable"),
    PageSpec("referral-returned-edit", "referrer", "/referrals/{returned_referral_id}/edit", "Correct and resubmit referral"),
    PageSpec("forbidden", "referrer", "/screening", "You do not have access to this page", status=403),
    PageSpec("account", "referrer", "/account", "Your account"),
    PageSpec("account-password", "referrer", "/account/password", "Change your password"),
    PageSpec("account-password-with-errors", "referrer", "/account/password", "Change your password", status=422,
             shows_errors=True,
             submit=Submit("/account/password", "Change password", None,
                           [("current_password", ""), ("new_password", "short"), ("confirm_password", "other")])),
    # Coordinator
    PageSpec("home-coordinator", "coordinator", "/", "Welcome, Casey Testcoordinator"),
    PageSpec("screening-queue", "coordinator", "/screening", "Screening queue"),
    PageSpec("referral-coordinator", "coordinator", "/referrals/{referral_id}", "Dana Fictitious"),
    PageSpec("screening", "coordinator", "/referrals/{referral_id}/screening", "Screen Dana Fictitious"),
    PageSpec("screening-with-errors", "coordinator", "/referrals/{referral_id}/screening", "Screen Dana Fictitious",
             status=422, shows_errors=True,
             submit=Submit("/referrals/{referral_id}/screening", "Record the decision", ("action", "decide"),
                           [("decision", ""), ("rosh", "high"), ("adds_value", "yes")])),
    PageSpec("case", "coordinator", "/cases/{case_id}", "Quinn PLACEHOLDER"),
    PageSpec("caseload", "coordinator", "/cases", "Cases"),
    PageSpec("caseload-filtered", "coordinator", "/cases?status=all&sort=name&level=2", "Cases"),
    PageSpec("caseload-with-errors", "coordinator", "/cases?level=9&page=0", "Cases", status=422, shows_errors=True),
    PageSpec("case-new", "coordinator", "/cases/new", "Record a new case"),
    PageSpec("case-new-with-errors", "coordinator", "/cases/new", "Record a new case", status=422, shows_errors=True,
             submit=Submit("/cases/new", "Save the case", None,
                           [("family_name", ""), *date_fields("date_of_birth", "31/02/1990"), *date_fields("start_date", "")])),
    PageSpec("case-new-duplicates", "coordinator", "/cases/new", "Record a new case", status=422, shows_errors=True,
             submit=Submit("/cases/new", "Save the case", None,
                           [("family_name", "Placeholder"), ("given_names", "Quinn"), *date_fields("date_of_birth", "1979-06-21"),
                            ("pnc_id", "79/000002Y"), ("current_address", "1 Sample Lane"), ("category", "1"), ("level", "1"),
                            ("lead_agency", "police"), ("custody_status", "community"), *date_fields("start_date", "2026-01-05")])),
    PageSpec("nominal-search", "coordinator", "/nominals", "Find a nominal"),
    PageSpec("nominal-search-results", "coordinator", "/nominals?q={nominal_query}", "Find a nominal"),
    PageSpec("nominal", "coordinator", "/nominals/{nominal_id}", "Quinn PLACEHOLDER"),
    PageSpec("not-found", "coordinator", "/no-such-page", "Page not found", status=404),
    PageSpec("case-edit", "coordinator", "/cases/{case_id}/edit", "Change the MAPPA case"),
    PageSpec("case-edit-with-errors", "coordinator", "/cases/{case_id}/edit", "Change the MAPPA case", status=422,
             shows_errors=True,
             submit=Submit("/cases/{case_id}/edit", "Save changes", None,
                           [("level", "3"), *date_fields("exit_date", "not a date"), ("change_reason", "")])),
    PageSpec("case-access", "coordinator", "/cases/{case_id}/access", "Who can see this case"),
    PageSpec("case-audit", "coordinator", "/cases/{case_id}/audit", "Who has viewed or changed this case"),
    PageSpec("nominal-edit", "coordinator", "/nominals/{nominal_id}/edit", "Change the nominal record"),
    PageSpec("nominal-edit-other-name-added", "coordinator", "/nominals/{nominal_id}/edit", "Change the nominal record",
             submit=Submit("/nominals/{nominal_id}/edit", "Add another other name", ("add_alias", "1"), [("alias_1", "Q")])),
    PageSpec("register-import", "coordinator", "/cases/import", "Import the case register"),
    PageSpec("meetings", "coordinator", "/meetings", "Meetings"),
    PageSpec("my-actions-coordinator", "coordinator", "/actions", "My actions"),
    PageSpec("actions-open", "coordinator", "/actions/open", "Open actions across the unit"),
    PageSpec("actions-open-filtered", "coordinator", "/actions/open?agency=housing&area=victim_safety&overdue=yes",
             "Open actions across the unit"),
    PageSpec("actions-open-with-errors", "coordinator", "/actions/open?owner=nobody", "Open actions across the unit", status=422,
             shows_errors=True),
    PageSpec("action-new", "coordinator", "/cases/{case_id}/actions/new", "Add an action"),
    PageSpec("action-new-search", "coordinator", "/cases/{case_id}/actions/new?q=housing", "Add an action"),
    PageSpec("action-new-with-errors", "coordinator", "/cases/{case_id}/actions/new", "Add an action", status=422, shows_errors=True,
             submit=Submit("/cases/{case_id}/actions", "Add the action", None,
                           [("description", "Check the licence conditions"), *date_fields("due_date", "2020-01-01")])),
    PageSpec("timescales", "admin", "/admin/timescales", "Timescales"),
    PageSpec("meeting-new", "coordinator", "/meetings/new", "Schedule a meeting"),
    PageSpec("meeting-new-with-errors", "coordinator", "/meetings/new", "Schedule a meeting", status=422, shows_errors=True,
             submit=Submit("/meetings/new", "Schedule", None, [("title", ""), *date_fields("date", "2020-01-01"), ("start_time", "25:00")])),
    PageSpec("meeting", "coordinator", "/meetings/{meeting_id}", "Level 2 panel – Testville"),
    PageSpec("meeting-edit", "coordinator", "/meetings/{meeting_id}/edit", "Change the meeting"),
    PageSpec("meeting-cancel", "coordinator", "/meetings/{meeting_id}/cancel", "Cancel Level 2 panel – Testville?"),
    PageSpec("meeting-cancel-with-errors", "coordinator", "/meetings/{meeting_id}/cancel", "Cancel Level 2 panel – Testville?",
             status=422, shows_errors=True,
             submit=Submit("/meetings/{meeting_id}/cancel", "Yes, cancel the meeting", None, [("reason", "")])),
    PageSpec("meeting-screening", "coordinator", "/meetings/{screening_meeting_id}", "Screening panel – Testville"),
    PageSpec("screening-decided", "coordinator", "/referrals/{screened_referral_id}/screening", "Quinn Placeholder"),
    PageSpec("minutes", "coordinator", "/meetings/{meeting_id}/items/{item_id}/minutes", "Minutes: Quinn PLACEHOLDER"),
    PageSpec("minutes-with-findings", "coordinator", "/meetings/{meeting_id}/items/{item_id}/minutes", "Minutes: Quinn PLACEHOLDER",
             status=422, submit=Submit("/meetings/{meeting_id}/items/{item_id}/minutes", "Save and send to the chair",
                                       ("action", "submit"), [("risk_assessment", "")])),
    PageSpec("minutes-row-added", "coordinator", "/meetings/{meeting_id}/items/{item_id}/minutes", "Minutes: Quinn PLACEHOLDER",
             submit=Submit("/meetings/{meeting_id}/items/{item_id}/minutes", "Add another decision", ("add_decision", "1"),
                           [("decision_1", "Remain at Level 2")])),
    PageSpec("minutes-chair", "chair", "/meetings/{meeting_id}/items/{item_id}/minutes", "Minutes: Quinn PLACEHOLDER"),
    PageSpec("meeting-invitees", "coordinator", "/meetings/{meeting_id}/invitees", "Invitations"),
    PageSpec("meeting-attendance", "coordinator", "/meetings/{meeting_id}/attendance", "Record attendance"),
    PageSpec("statistics", "coordinator", "/statistics", "Statistics"),
    PageSpec("annual-report", "coordinator", "/statistics/annual", "MAPPA annual report"),
    PageSpec("annual-report-with-errors", "coordinator", "/statistics/annual", "MAPPA annual report", status=422,
             shows_errors=True,
             submit=Submit("/statistics/population", "Save population", None, [("area_population", "lots")])),
    PageSpec("events-import", "coordinator", "/statistics/events/import", "Import events"),
    PageSpec("kpis", "coordinator", "/statistics/kpis", "Performance indicators"),
    PageSpec("kpi-drill-down", "coordinator", "/statistics/kpis/level2-reviews", "Level 2"),
    PageSpec("kpi-settings", "admin", "/statistics/kpis/settings", "Performance indicator settings"),
    PageSpec("kpi-settings-with-errors", "admin", "/statistics/kpis/settings", "Performance indicator settings", status=422,
             shows_errors=True, submit=Submit("/statistics/kpis/settings", "Save indicators", None,
                                              [("level2-reviews-target", "150")])),
    PageSpec("areas", "coordinator", "/statistics/areas", "MAPPA areas"),
    PageSpec("areas-with-errors", "coordinator", "/statistics/areas", "MAPPA areas", status=422, shows_errors=True,
             submit=Submit("/statistics/areas", "Add area", None, [("code", "Bad Code"), ("name", ""), ("population", "lots")])),
    PageSpec("area-edit", "admin", "/statistics/areas/{area_code}", "Change Testville"),
    PageSpec("area-edit-with-errors", "admin", "/statistics/areas/{area_code}", "Change Testville", status=422, shows_errors=True,
             submit=Submit("/statistics/areas/{area_code}", "Save area", None, [("name", ""), ("population", "0")])),
    PageSpec("annual-report-area", "coordinator", "/statistics/annual?area={area_code}", "MAPPA annual report"),
    PageSpec("areas-compared", "manager", "/statistics/annual/areas", "MAPPA areas compared"),
    PageSpec("kpis-area", "coordinator", "/statistics/kpis?area={area_code}", "Performance indicators"),
    PageSpec("events-import-with-errors", "coordinator", "/statistics/events/import", "Import events", status=422,
             shows_errors=True, submit=Submit("/statistics/events/import", "Upload", None, [])),
    PageSpec("agencies", "coordinator", "/agencies", "Agencies and contacts"),
    PageSpec("agency", "coordinator", "/agencies/housing", "Local housing authority"),
    PageSpec("agency-with-errors", "coordinator", "/agencies/housing", "Local housing authority", status=422, shows_errors=True,
             submit=Submit("/agencies/housing", "Save contact", None, [("name", ""), ("email", "not-an-address")])),
    # Other roles' home pages
    PageSpec("home-chair", "chair", "/", "Welcome, Jordan Testchair"),
    PageSpec("home-manager", "manager", "/", "Welcome, Morgan Testmanager"),
    PageSpec("annual-report-manager", "manager", "/statistics/annual", "MAPPA annual report"),
    PageSpec("home-agency-representative", "housing", "/", "Welcome, Riley Testhousing"),
    PageSpec("case-agency-representative", "housing", "/cases/{case_id}", "Quinn PLACEHOLDER"),
    PageSpec("caseload-agency-representative", "housing", "/cases", "Cases"),
    PageSpec("meetings-agency-representative", "housing", "/meetings", "Meetings"),
    PageSpec("my-actions-agency-representative", "housing", "/actions", "My actions"),
    PageSpec("action-agency-representative", "housing", "/actions/{action_id}", "Check the tenancy file"),
    PageSpec("action-with-errors", "housing", "/actions/{action_id}", "Check the tenancy file", status=422, shows_errors=True,
             submit=Submit("/actions/{action_id}", "Save", None, [("status", "done"), ("completion_note", "")])),
    PageSpec("meeting-agency-representative", "housing", "/meetings/{meeting_id}", "Level 2 panel – Testville"),
    PageSpec("meetings-invited", "housing", "/meetings/invited", "Meetings you are invited to"),
    PageSpec("invitation-reply", "housing", "/meetings/{meeting_id}/reply", "Reply: Level 2 panel – Testville"),
    PageSpec("invitation-reply-with-errors", "housing", "/meetings/{meeting_id}/reply", "Reply: Level 2 panel – Testville",
             status=422, shows_errors=True,
             submit=Submit("/meetings/{meeting_id}/reply", "Send the reply", None,
                           [("response", "apologies_with_report"), ("report_text", "")])),
    PageSpec("minutes-you-may-read", "housing", "/minutes", "Minutes you may read"),
    PageSpec("minutes-agency-representative", "housing", "/meetings/{meeting_id}/items/{item_id}/minutes", "Minutes: Quinn PLACEHOLDER"),
    # Administrator
    PageSpec("home-admin", "admin", "/", "Welcome, Sam Testadmin"),
    PageSpec("admin-users", "admin", "/admin/users", "Users"),
    PageSpec("admin-user-new", "admin", "/admin/users/new", "Add a user"),
    PageSpec("admin-user-new-with-errors", "admin", "/admin/users/new", "Add a user", status=422, shows_errors=True,
             submit=Submit("/admin/users/new", "Add user", None,
                           [("display_name", ""), ("username", "X"), ("email", "not-an-address"), ("password", "short")])),
    PageSpec("admin-user", "admin", "/admin/users/{referrer_user_id}", "Taylor Testreferrer"),
    PageSpec("admin-user-edit", "admin", "/admin/users/{referrer_user_id}/edit", "Change user details"),
    # Auditor
    PageSpec("home-auditor", "auditor", "/", "Welcome, Avery Testauditor"),
    PageSpec("audit", "auditor", "/audit", "Audit trail"),
    PageSpec("audit-filtered", "auditor", "/audit?user=test.coordinator&action=view&subject_type=case", "Audit trail"),
    PageSpec("audit-filters-with-errors", "auditor", "/audit?action=nonsense&from-day=yesterday&from-month=11&from-year=2026", "Audit trail", status=422, shows_errors=True),
    PageSpec("audit-verify", "auditor", "/audit/verify", "Audit trail"),
]


def open_in_browser(browser, spec: PageSpec, world: World) -> None:
    """Shows the page in the browser as its user would reach it: signed in as them, by address, then (for a page
    with errors) by filling in the form and pressing the button."""
    browser.become(USERS[spec.user] if spec.user else None)
    browser.go(world.format(spec.path))
    if spec.submit:
        browser.fill_all(spec.submit.fields)
        browser.click_button(spec.submit.button)
    heading = browser.h1()
    assert heading.startswith(spec.heading), f"{spec.name}: expected the heading '{spec.heading}', saw '{heading}'"
    if spec.shows_errors:
        assert "There is a problem" in browser.error_summary(), f"{spec.name}: no error summary"
        assert browser.title().startswith("Error: "), f"{spec.name}: the title does not start with 'Error: '"


def fetch_raw(clients: dict, base_url: str, spec: PageSpec, world: World) -> str:
    """The HTML exactly as the server sends it for this page (the browser's page_source is its DOM, re-serialised)."""
    key = spec.user or "(signed out)"
    if key not in clients:
        client = HttpClient(base_url)
        if spec.user:
            client.sign_in(USERS[spec.user])
        clients[key] = client
    client = clients[key]
    page = client.get(world.format(spec.path))
    if spec.submit:
        extra = [spec.submit.button_field] if spec.submit.button_field else []
        # Hidden fields the form carries (the record version for optimistic locking), as a browser would send them.
        version = re.search(r'name="version" value="(\d+)"', page.html)
        if version and not any(name == "version" for name, _ in spec.submit.fields):
            extra.append(("version", version.group(1)))
        page = client.post(world.format(spec.submit.action), spec.submit.fields + extra)
    assert page.status == spec.status, f"{spec.name}: expected HTTP {spec.status}, got {page.status} at {page.url}"
    assert re.search(r"<h1[^>]*>\s*" + re.escape(spec.heading), page.html), f"{spec.name}: heading '{spec.heading}' not found"
    return page.html
