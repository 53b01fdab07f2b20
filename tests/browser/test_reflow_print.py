"""Reflow and print, as WCAG 2.2 SC 1.4.10 and a reader of a printed case file would check them.

Every main page (PAGES) is shown in a 320×640 window (a phone, or 1280 px zoomed to 400%) and a 1366×900 one, and
must not scroll sideways: `document.documentElement.scrollWidth <= window.innerWidth`. A contact-log entry on the
case with a long unbroken string proves that long words wrap rather than stretch the page.

The case page, the agenda, the minutes and the annual report are printed to PDF by Chromium and read back with
pdftotext: the protective marking is on every printed page, and the navigation, the account bar and the buttons
are not printed at all.
"""
from __future__ import annotations

import base64
import datetime
import re
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from pages import PAGES, open_in_browser
from support import USERS, HttpClient

SIZES = [(320, 640), (1366, 900)]

# A word as long as a pasted reference or an address with no spaces: once stretched a case page to 5,733 px.
LONG_WORD = "Unbroken" + "x" * 600 + "End"

# Elements wider than the window, to say what made a page scroll sideways.
OVERFLOWING = """
const width = window.innerWidth;
const found = [];
for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
        let inside = element.parentElement;
        let clipped = false;
        while (inside && inside !== document.body) {
            const style = getComputedStyle(inside);
            if (style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden') { clipped = true; break; }
            inside = inside.parentElement;
        }
        if (!clipped) found.push(element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).split(' ').join('.') : '') + ' right=' + Math.round(box.right));
    }
}
return found.slice(0, 8);
"""


# Headings, table captions and legends in page order, to find one that says again what the one before it said
# ("Actions" over a table captioned "Actions").
HEADINGS = """
return Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main caption, main legend, main .table__caption'))
    .filter(element => element.offsetParent !== null)
    .map(element => element.textContent.trim().replace(/\\s+/g, ' ').toLowerCase());
"""


@pytest.fixture(scope="module")
def long_word_on_case(server, world):
    """The case's contact log holds an entry whose summary and person are one long unbroken string."""
    coordinator = HttpClient(server.base_url)
    coordinator.sign_in(USERS["coordinator"])
    page = coordinator.get(f"/cases/{world.case_id}")
    if LONG_WORD not in page.html:
        today = datetime.date.today()
        # The date as the form asks for it: one box, or day, month and year boxes (GOV.UK date input).
        parts = dict(re.findall(r'name="(occurred_on[^"]*(day|month|year))"', page.html))
        date = ([(name, str({"day": today.day, "month": today.month, "year": today.year}[part]))
                 for name, part in parts.items()] if parts else [("occurred_on", today.isoformat())])
        page = coordinator.post(f"/cases/{world.case_id}/contacts", date + [
            ("direction", "out"), ("agency", "housing"), ("person", LONG_WORD[:200]), ("method", "Secure email"),
            ("summary", LONG_WORD)])
        assert page.status == 200 and LONG_WORD in page.html, f"the long entry was not logged: {page.status} {page.url}"
    return LONG_WORD


def set_window(browser, width: int, height: int) -> None:
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_page_reflows_without_sideways_scrolling(shared_browser, world, long_word_on_case, spec):
    set_window(shared_browser, *SIZES[0])
    open_in_browser(shared_browser, spec, world)
    try:
        for width, height in SIZES:
            set_window(shared_browser, width, height)
            driver = shared_browser.driver
            inner = driver.execute_script("return window.innerWidth")
            assert inner == width, f"the window is {inner} px wide, not {width}"
            scroll = driver.execute_script("return document.documentElement.scrollWidth")
            if scroll > inner:
                shared_browser.screenshot(f"reflow-{spec.name}-{width}")
            assert scroll <= inner, (f"{spec.name} ({spec.path}) scrolls sideways at {width}×{height}: "
                                     f"{scroll} px wide; too wide: {driver.execute_script(OVERFLOWING)}")
    finally:
        set_window(shared_browser, *SIZES[0])
        shared_browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    headings = shared_browser.driver.execute_script(HEADINGS)
    doubled = [first for first, second in zip(headings, headings[1:]) if first == second]
    assert not doubled, f"{spec.name}: a heading or caption repeats the one before it: {doubled} in {headings}"


def test_the_long_word_wraps_on_the_case_page_at_320_px(shared_browser, world, long_word_on_case):
    shared_browser.become(USERS["coordinator"])
    set_window(shared_browser, 320, 640)
    try:
        shared_browser.go(f"/cases/{world.case_id}")
        cells = [cell for cell in shared_browser.driver.find_elements(By.CSS_SELECTOR, "main td, main dd, main p")
                 if LONG_WORD[:40] in cell.text]
        assert cells, "the case page does not show the long contact-log entry"
        # Wrapped onto many lines (taller than a few lines of text), and the page no wider than the window: a table
        # too wide for a phone scrolls inside its own region.
        box = shared_browser.driver.execute_script(
            "const b = arguments[0].getBoundingClientRect(); return [b.width, b.height];", cells[0])
        assert box[0] < 320 and box[1] > 100, f"the long word was not wrapped: {box[0]} px wide, {box[1]} px high"
        scroll = shared_browser.driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= 320, f"the case page is {scroll} px wide at 320 px"
    finally:
        shared_browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def printed_pages(browser, path: str, tmp_path: Path, name: str) -> tuple[list[str], list[str]]:
    """The page printed to A4 PDF by Chromium, as the text of each printed page, and the navigation's labels."""
    browser.go(path)
    navigation = [link.text for link in browser.driver.find_elements(By.CSS_SELECTOR, "nav[aria-label='Main'] a")]
    main = browser.main_text()
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    options.background = True
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(base64.b64decode(browser.driver.print_page(options)))
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "print"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / pdf.name).write_bytes(pdf.read_bytes())  # to look at when a check fails
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    # Navigation labels that the page's own content does not also say ("Cases" may be a link in the content).
    only_in_navigation = [label for label in navigation if label and label not in main]
    return pages, only_in_navigation


PRINTED = [
    ("case", "coordinator", "/cases/{case_id}", 2),
    ("minutes", "coordinator", "/meetings/{meeting_id}/items/{item_id}/minutes", 2),
    ("minutes-agency-representative", "housing", "/meetings/{meeting_id}/items/{item_id}/minutes", 1),
    ("agenda", "coordinator", "/meetings/{meeting_id}", 1),
    ("annual-report", "coordinator", "/statistics/annual", 1),
]


@pytest.mark.parametrize("name,user,path,least_pages", PRINTED, ids=[row[0] for row in PRINTED])
def test_printed_page_carries_the_marking_on_every_page_and_no_navigation(shared_browser, world, long_word_on_case,
                                                                         tmp_path, name, user, path, least_pages):
    shared_browser.become(USERS[user])
    pages, navigation = printed_pages(shared_browser, world.format(path), tmp_path, name)
    assert len(pages) >= least_pages, f"{name} printed on {len(pages)} page(s), expected at least {least_pages}"
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, f"printed page {number} of {len(pages)} of {name} has no protective marking:\n{text[:400]}"
    everything = "\n".join(pages)
    assert "Sign out" not in everything, f"{name}: the account bar was printed"
    assert "Skip to main content" not in everything, f"{name}: the skip link was printed"
    printed_navigation = [label for label in navigation if label in everything]
    assert not printed_navigation, f"{name}: the navigation was printed: {printed_navigation}"
    buttons = [button.text.strip() for button in shared_browser.driver.find_elements(By.CSS_SELECTOR, "main button, main .button")
               if button.text.strip()]
    printed_buttons = [label for label in buttons if label in everything]
    assert not printed_buttons, f"{name}: buttons were printed: {printed_buttons}"


# Words in printed table cells that were split across lines, and tables wider than the page. A word is what lies
# between spaces and hyphens (a line may end after a hyphen). In free text (`.free-text`, `.preserve-lines`) a token
# wider than its column may break; anywhere else no word may: its column is as wide as its longest word.
SPLIT_WORDS = """
const problems = [];
for (const cell of document.querySelectorAll('main td, main th')) {
    const style = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const free = !!node.parentElement.closest('.free-text, .preserve-lines');
        for (const match of node.textContent.matchAll(/[^\\s\u2010-\u2014-]+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
            const lines = new Set(rects.map(r => Math.round(r.top)));
            const width = rects.reduce((sum, r) => sum + r.width, 0);
            if (lines.size > 1 && (!free || width <= room)) {
                problems.push(match[0].slice(0, 40) + ' (' + Math.round(width) + ' px in ' + Math.round(room) + ')');
            }
        }
    }
}
for (const table of document.querySelectorAll('main table')) {
    const right = table.getBoundingClientRect().right;
    if (right > window.innerWidth + 0.5) { problems.push('a table runs off the page: ' + Math.round(right) + ' px'); }
}
return problems.slice(0, 10);
"""


def test_printed_tables_wrap_at_spaces_and_break_only_overlong_words(shared_browser, world, long_word_on_case):
    """Printed, a narrow column wraps its words between them ("Secure email" never becomes "Secu / re email");
    only a token longer than its column (the long unbroken word in the contact log) is broken, so no table runs off
    the page."""
    shared_browser.become(USERS["coordinator"])
    driver = shared_browser.driver
    # A4 less the page margins, at 96 px to the inch: about 680 px of printable width.
    set_window(shared_browser, 680, 960)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        for path in [f"/cases/{world.case_id}", "/cases", f"/meetings/{world.meeting_id}", "/actions",
                     f"/meetings/{world.meeting_id}/items/{world.item_id}/minutes", "/statistics"]:
            shared_browser.go(path)
            assert driver.execute_script("return matchMedia('print').matches")
            problems = driver.execute_script(SPLIT_WORDS)
            assert not problems, f"printed {path}: {problems}"
        shared_browser.go(f"/cases/{world.case_id}")
        assert LONG_WORD[:40] in shared_browser.main_text(), "the long word is not on the printed case page"
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
