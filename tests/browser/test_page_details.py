"""Small things a reader notices on the pages: an expandable section ("details") keeps the GOV.UK space before the
heading that follows it, and the screening recommendation reads as a GOV.UK panel with a heading and normal-weight
body text rather than a block of small bold type. All people are synthetic."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from support import USERS

# Each expandable section on the page, and the space between its bottom edge and the next heading after it.
DETAILS_GAPS = """
const all = Array.from(document.querySelectorAll('main *'));
return Array.from(document.querySelectorAll('main details')).map(details => {
    const after = all.slice(all.indexOf(details) + 1).filter(e => !details.contains(e));
    const heading = after.find(e => /^H[1-6]$/.test(e.tagName) && e.offsetParent !== null);
    if (!heading) { return null; }
    return [details.querySelector('summary').textContent.trim(), heading.textContent.trim(),
            heading.getBoundingClientRect().top - details.getBoundingClientRect().bottom];
}).filter(gap => gap !== null);
"""


def test_expandable_sections_keep_their_space_before_the_next_heading(shared_browser, world):
    shared_browser.become(USERS["coordinator"])
    checked = 0
    for path in [f"/cases/{world.case_id}", "/statistics"]:
        shared_browser.go(path)
        for summary, heading, gap in shared_browser.driver.execute_script(DETAILS_GAPS):
            checked += 1
            assert gap >= 30, f"on {path}, “{summary}” is {gap:.0f} px above the heading “{heading}”: at least 30 px expected"
        # Opened, it still keeps its distance.
        for details in shared_browser.driver.find_elements(By.CSS_SELECTOR, "main details:not([open])"):
            shared_browser.driver.execute_script("arguments[0].open = true", details)
        for summary, heading, gap in shared_browser.driver.execute_script(DETAILS_GAPS):
            assert gap >= 30, f"on {path}, opened “{summary}” is {gap:.0f} px above the heading “{heading}”"
    assert checked >= 1, "no expandable section followed by a heading was found to check"


def test_the_screening_recommendation_reads_as_a_panel(shared_browser, world):
    shared_browser.become(USERS["coordinator"])
    shared_browser.go(f"/referrals/{world.referral_id}/screening")
    panel = shared_browser.driver.find_element(By.CSS_SELECTOR, "main .recommendation")
    styles = shared_browser.driver.execute_script("""
        const panel = arguments[0];
        const style = e => { const s = getComputedStyle(e); return [e.tagName.toLowerCase(), e.textContent.trim().slice(0, 60), parseInt(s.fontWeight, 10), parseFloat(s.fontSize)]; };
        return {title: style(panel.querySelector('h2')),
                body: Array.from(panel.querySelectorAll('li, p')).filter(e => e.textContent.trim()).map(style),
                subheadings: Array.from(panel.querySelectorAll('h3')).map(style)};
    """, panel)
    title, body = styles["title"], styles["body"]
    assert body, "the recommendation has no body text"
    for tag, text, weight, size in body:
        assert weight <= 400, f"the recommendation's text “{text}” is bold ({weight})"
        assert size >= 19, f"the recommendation's text “{text}” is small ({size} px)"
    assert title[2] >= 700 and title[3] >= 24, f"the recommendation's heading does not stand out: {title}"
    for tag, text, weight, size in styles["subheadings"]:
        assert weight >= 700 and size >= 19, f"the subheading “{text}” is not a heading: {weight} {size}"
