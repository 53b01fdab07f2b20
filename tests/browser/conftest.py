"""Fixtures for the browser tests: a fresh database with one user per role, `mappa serve` on a free loopback
port, the synthetic records the pages show, and headless Chromium drivers. Nothing leaves 127.0.0.1."""
from __future__ import annotations

import pytest

from pages import build_world
from support import USERS, Browser, HttpClient, Server, chrome, mappa_binary


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    server = Server(mappa_binary(), tmp_path_factory.mktemp("mappa"))
    server.prepare()
    server.start()
    try:
        for user in USERS.values():
            HttpClient(server.base_url).first_sign_in(user)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def world(server):
    return build_world(server.base_url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def screenshot_if_failed(request, browsers: list[Browser]) -> None:
    """When a test fails, a screenshot of where each of its browsers had got to, to see what the person saw."""
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for number, browser in enumerate(browsers, start=1):
            try:
                browser.screenshot(f"FAILED-{request.node.name}-{number}")
            except Exception:  # the browser itself may be what failed; the test's own error says more
                pass


@pytest.fixture
def make_browser(request, server):
    """Opens as many browsers as a test needs (one per person), each with its own cookies; all closed after."""
    browsers: list[Browser] = []

    def make() -> Browser:
        browsers.append(Browser(chrome(), server.base_url))
        return browsers[-1]

    yield make
    screenshot_if_failed(request, browsers)
    for browser in browsers:
        browser.driver.quit()


@pytest.fixture(scope="module")
def shared_browser(server):
    """One browser for a whole module, switching between people by forgetting cookies and signing in again."""
    driver = chrome()
    yield Browser(driver, server.base_url)
    driver.quit()
