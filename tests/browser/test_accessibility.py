"""WCAG 2.2 AA checks with axe-core in a real browser, on every main page each role reaches, including the
pages that show form errors. Zero violations is the bar."""
from __future__ import annotations

import pytest
from selenium_axe_python import Axe

from pages import PAGES, open_in_browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Options go to axe.run as a real JavaScript object through Selenium's argument passing (not as Python text).
RUN_AXE = """
const options = arguments[0];
const done = arguments[arguments.length - 1];
axe.run(document, options).then(
    results => done({violations: results.violations, passes: results.passes.length}),
    error => done({error: String(error)}));
"""


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_page_has_no_wcag_22_aa_violations(shared_browser, world, spec):
    open_in_browser(shared_browser, spec, world)
    Axe(shared_browser.driver).inject()
    result = shared_browser.driver.execute_async_script(RUN_AXE, {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    })
    assert "error" not in result, f"axe failed to run on {spec.name}: {result.get('error')}"
    assert result["passes"] > 0, "axe checked nothing: the page or the options are wrong"
    shared_browser.screenshot(f"a11y-{spec.name}")
    violations = result["violations"]
    assert not violations, f"{len(violations)} WCAG 2.2 AA violation(s) on {spec.name} ({spec.path}):\n" + axe_report(violations)
