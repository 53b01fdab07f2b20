"""Helpers for the browser tests: the people who use the app, a running `mappa serve` on loopback, a plain HTTP
client that keeps cookies (for raw HTML and quick set-up), and a thin wrapper around a Selenium Chrome driver.

Everything here is synthetic: invented names, invented identifiers, passwords made up for the test run.
"""
from __future__ import annotations

import base64
import http.cookiejar
import hashlib
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class TestUser:
    key: str
    username: str
    name: str
    role: str
    agency: str

    @property
    def temporary_password(self) -> str:
        """What `mappa user add` is given; the user must change it at first sign-in. Never the user's own words
        (the app refuses a password holding the username or name), so a digest of the key stands for it."""
        return f"temporary {self.tag} 7391 kestrel"

    @property
    def password(self) -> str:
        """The password the user chooses at first sign-in, used for the rest of the run."""
        return f"orchard lantern {self.tag} 58 quill"

    @property
    def tag(self) -> str:
        """Different for each user, and not a word of theirs."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:6]


USERS = {user.key: user for user in [
    TestUser("coordinator", "test.coordinator", "Casey Testcoordinator", "coordinator", "mappa_unit"),
    TestUser("referrer", "test.referrer", "Taylor Testreferrer", "referrer", "probation"),
    TestUser("other_referrer", "test.referrer.police", "Jamie Otherreferrer", "referrer", "police"),
    TestUser("chair", "test.chair", "Jordan Testchair", "chair", "police"),
    TestUser("manager", "test.manager", "Morgan Testmanager", "manager", "mappa_unit"),
    TestUser("housing", "test.housing", "Riley Testhousing", "agency_representative", "housing"),
    TestUser("admin", "test.admin", "Sam Testadmin", "administrator", "mappa_unit"),
    TestUser("auditor", "test.auditor", "Avery Testauditor", "auditor", "police"),
]}


def date_fields(name: str, value: str) -> list[tuple[str, str]]:
    """A date as the GOV.UK date input sends it: the `-day`, `-month` and `-year` fields. `value` is a whole date
    (2027-03-27 or 27/03/2027) split into its parts as a person types them; anything else goes in the day field."""
    parts = ["", "", ""]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = value.split("-")
        parts = [str(int(day)), str(int(month)), year]
    elif value.count("/") == 2:
        parts = value.split("/")
    elif value:
        parts = [value, "", ""]
    return [(f"{name}-{part}", typed) for part, typed in zip(("day", "month", "year"), parts)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mappa_binary() -> Path:
    candidates = [os.environ.get("MAPPA_BIN"), ROOT / ".build" / "release" / "mappa", ROOT / ".build" / "debug" / "mappa"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise RuntimeError("no mappa binary: build it (swift build) or set MAPPA_BIN to its path")


class Server:
    """`mappa serve` on a free loopback port over a fresh SQLite database with the test users."""

    def __init__(self, binary: Path, work: Path):
        self.binary = binary
        self.work = work
        self.database = work / "mappa.sqlite"
        self.log_path = work / "server.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def run(self, *arguments: str, stdin: str | None = None) -> str:
        result = subprocess.run([str(self.binary), *arguments, "--database", str(self.database)], input=stdin,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"mappa {' '.join(arguments)} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        out = self.run("migrate")
        assert "applied migration" in out, out
        for user in USERS.values():
            out = self.run("user", "add", "--username", user.username, "--name", user.name, "--role", user.role,
                           "--agency", user.agency, "--email", f"{user.username}@example.invalid",
                           stdin=user.temporary_password + "\n")
            assert f"added {user.username}" in out, out

    def start(self) -> None:
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database", str(self.database)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mappa serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(self.base_url + "/readyz", timeout=2) as response:
                    if response.status == 200 and response.read() == b"ready":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"mappa serve was not ready within 30 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Page:
    status: int
    url: str
    html: str

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    def csrf(self) -> str:
        tokens = CSRF.findall(self.html)
        assert tokens, f"no CSRF token on {self.url}"
        return tokens[-1]  # the page's own form comes after the sign-out form in the header


class HttpClient:
    """A cookie-keeping HTTP client for loopback: fetches the raw HTML the server sends (not the browser's DOM)
    and makes quick set-up requests. Follows redirects like a browser, never through a proxy."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(self.cookies))
        self.last: Page | None = None

    def _send(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                page = Page(response.status, response.geturl(), response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            page = Page(error.code, error.geturl(), error.read().decode("utf-8"))
        self.last = page
        return page

    def get(self, path: str) -> Page:
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: list[tuple[str, str]], csrf: str | None = None) -> Page:
        """Posts a form with the CSRF token of the last page seen (or the one given)."""
        token = csrf or (self.last.csrf() if self.last else "")
        body = urllib.parse.urlencode([("csrf_token", token), *fields]).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=body, method="POST",
                                                 headers={"Content-Type": "application/x-www-form-urlencoded"}))

    def sign_in(self, user: TestUser, password: str | None = None) -> Page:
        self.get("/login")
        page = self.post("/login", [("username", user.username), ("password", password or user.password)])
        assert page.status == 200, f"sign-in as {user.username} failed: {page.status} {page.url}"
        return page

    def first_sign_in(self, user: TestUser) -> None:
        """Signs in with the temporary password and chooses the real one, as the app insists."""
        page = self.sign_in(user, user.temporary_password)
        assert page.path == "/account/password", f"{user.username} was not asked to change the temporary password"
        page = self.post("/account/password", [("current_password", user.temporary_password),
                                               ("new_password", user.password), ("confirm_password", user.password)])
        assert page.status == 200 and page.path == "/account", f"password change for {user.username} failed: {page.status}"
        self.sign_out()

    def sign_out(self) -> None:
        page = self.post("/logout", [])
        assert page.path == "/login", f"sign-out failed: {page.status} {page.url}"


def chrome() -> webdriver.Chrome:
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1024",
                     "--no-proxy-server", "--disable-extensions", "--lang=en-GB"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


# The form's sections as the task list names them, and which fields each holds.
REFERRAL_SECTIONS = {
    "Referral details": ["level_requested", "mappa_area"],
    "1. Category of offender": ["category"],
    "2. Offender information": ["family_name", "given_names", "aliases", "date_of_birth", "gender", "ethnicity",
                                "current_address", "no_fixed_abode", "nfa_area", "pnc_id", "visor_reference", "crn",
                                "custody_status", "release_date", "proposed_release_address"],
    "3. Conviction or caution": ["index_offences", "index_is_caution", "sentence", "offence_details", "previous_offences",
                                 "additional_information"],
    "4. Relevant dates": ["sentence_date", "licence_end_date", "notification_end_date"],
    "5. Detained in hospital": ["hospital_details"],
    "6. Reason for referral": ["reason_for_referral"],
    "7. Risk, victims and plan": ["rosh_overall", "rosh_children", "rosh_public", "rosh_known_adult", "rosh_staff",
                                  "risk_assessment_tools", "victim_information", "diversity_needs",
                                  "current_risk_management_plan", "multi_agency_value", "why_level2_is_not_enough",
                                  "agencies_involved", "lead_agency"],
    "8. Authorisation": ["manager_authorised_by", "manager_authorised_on"],
}


def in_section(fields: list[tuple[str, str]], section: str) -> list[tuple[str, str]]:
    """The fields (a date's day, month and year parts too) that belong to one section."""
    return [(name, value) for name, value in fields if re.sub(r"-(day|month|year)$", "", name) in REFERRAL_SECTIONS[section]]


def task_statuses(browser) -> dict[str, str]:
    """The task list as the referrer reads it: each section and its status."""
    return {item.find_element(By.CSS_SELECTOR, ".task-list__link").text: item.find_element(By.CSS_SELECTOR, ".task-list__status").text
            for item in browser.driver.find_elements(By.CSS_SELECTOR, "main .task-list__item")}


def complete_section(browser, section: str, fields: list[tuple[str, str]], completed: str = "yes") -> None:
    """Opens a section from the task list, answers it, says whether it is complete and saves it back to the list."""
    task_list = browser.path
    browser.click_link(section)
    assert browser.h1() == section
    browser.fill_all(in_section(fields, section))
    browser.fill("completed", completed)
    browser.click_button("Save and continue")
    assert browser.path == task_list, browser.path
    assert "Section saved." in browser.notification()


def answer_referral(browser, fields: list[tuple[str, str]]) -> None:
    """On a referral's task list: answers every section `fields` has answers for, each marked complete, then opens
    Check your answers."""
    for section in REFERRAL_SECTIONS:
        if in_section(fields, section):
            complete_section(browser, section, fields)
    browser.click_link("Check your answers")



class Browser:
    """A person at a real browser: goes to pages, reads what is on screen, fills in forms and presses buttons."""

    def __init__(self, driver: webdriver.Chrome, base_url: str):
        self.driver = driver
        self.base_url = base_url
        self.user: TestUser | None = None

    # Navigating and reading
    def go(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.driver.current_url).path

    def h1(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def main_text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "main").text

    def title(self) -> str:
        return self.driver.title

    def notification(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "main .notification").text

    def error_summary(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "main .error-summary").text

    def status_tag(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "main h1 + p .tag").text

    def _click_and_wait(self, element) -> None:
        """Clicks something that loads a new page, and waits until the new page has replaced the old one."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def old_page_gone(_driver) -> bool:
            # Chromium sometimes reports a replaced page's node as "does not belong to the document" (a
            # WebDriverException) instead of a stale element: both mean the old page is gone.
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True

        WebDriverWait(self.driver, 30).until(old_page_gone)
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def click_link(self, text: str) -> None:
        self._click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "main").find_element(By.LINK_TEXT, text))

    def click_nav(self, text: str) -> None:
        self._click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "nav[aria-label='Main']").find_element(By.LINK_TEXT, text))

    def click_button(self, text: str) -> None:
        buttons = [button for button in self.driver.find_elements(By.CSS_SELECTOR, "main button")
                   if button.text.strip() == text]
        assert len(buttons) == 1, f"expected one button '{text}' on {self.path}, found {len(buttons)}"
        self._click_and_wait(buttons[0])

    def table_rows(self) -> list[list[str]]:
        return [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")]
                for row in self.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")]

    def field(self, name: str):
        elements = self.driver.find_elements(By.CSS_SELECTOR, f"main [name='{name}']")
        if not elements:
            raise NoSuchElementException(f"no field named {name} on {self.path}")
        return elements

    def label_for(self, name: str) -> str:
        element = self.field(name)[0]
        return self.driver.find_element(By.CSS_SELECTOR, f"label[for='{element.get_attribute('id')}']").text

    # Filling in forms
    def fill(self, name: str, value: str) -> None:
        """Types into a text input or textarea, selects an option, or ticks the checkbox with that value."""
        elements = self.field(name)
        first = elements[0]
        tag = first.tag_name.lower()
        kind = (first.get_attribute("type") or "").lower()
        if tag == "select":
            Select(first).select_by_value(value)
        elif kind == "radio":
            for element in elements:
                if element.get_attribute("value") == value and not element.is_selected():
                    element.click()
        elif kind == "checkbox":
            for element in elements:
                if element.get_attribute("value") == value and not element.is_selected():
                    element.click()
        else:
            first.clear()
            if value:
                first.send_keys(value)

    def fill_date(self, name: str, value: str) -> None:
        """Types a whole date (2027-03-27 or 27/03/2027) into a date input's day, month and year fields."""
        self.fill_all(date_fields(name, value))

    def fill_all(self, fields: list[tuple[str, str]]) -> None:
        for name, value in fields:
            self.fill(name, value)

    def set_checkbox(self, name: str, checked: bool) -> None:
        element = self.field(name)[0]
        if element.is_selected() != checked:
            element.click()

    def selected(self, name: str) -> str:
        return Select(self.field(name)[0]).first_selected_option.get_attribute("value")

    # Signing in and out
    def sign_in(self, user: TestUser) -> None:
        self.go("/login")
        assert self.h1() == "Sign in"
        self.fill("username", user.username)
        self.fill("password", user.password)
        self.click_button("Sign in")
        assert self.h1() == f"Welcome, {user.name}", f"sign-in as {user.username} did not reach the home page: {self.h1()}"
        self.user = user

    def sign_out(self) -> None:
        if not self.driver.find_elements(By.CSS_SELECTOR, ".header__signout-button"):
            self.go("/account")  # error pages for unknown addresses have no header to sign out from
        self._click_and_wait(self.driver.find_element(By.CSS_SELECTOR, ".header__signout-button"))
        assert self.h1() == "Sign in"
        assert "You have signed out." in self.main_text()
        self.user = None

    def become(self, user: TestUser | None) -> None:
        """Makes this browser signed in as `user` (or signed out). Forgets the previous person's cookies rather
        than signing out, so a test that failed half-way cannot leave the next one signed in as someone else."""
        if self.user == user and user is not None:
            return
        self.user = None
        if not self.driver.current_url.startswith(self.base_url):
            self.go("/healthz")  # cookies can only be cleared for the site the browser is on
        self.driver.delete_all_cookies()
        if user is not None:
            self.sign_in(user)

    def screenshot(self, name: str) -> Path:
        """A PNG of the whole page (not only the window) in test-artifacts/screenshots/."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        })
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
