"""Playwright on Debian's chromium (never a downloaded browser) against pytest-django's live server.

Tests here skip with a reason when /usr/bin/chromium is missing, and fail instead when CI is set.
Every page's console errors (script errors, CSP refusals) fail the test.
"""

import os
from pathlib import Path

import pytest

# The sync Playwright API runs an event loop in the test thread; the ORM calls the tests make there
# (factories, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # The live server runs in another thread: the data must be committed.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI is set but /usr/bin/chromium is missing: run scripts/ensure-chromium.sh")
        pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed: run scripts/ensure-chromium.sh")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        c.alias: c._test_serialized_contents for c in connections.all() if hasattr(c, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # Playwright's sync API runs the rest of the session in a greenlet with a context of its own,
        # where Django's connections are new objects. Without the rows the test database's set-up
        # serialized, every later serialized_rollback test would silently run as a plain one.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    return []


def _collect(errors, message):
    if message.type == "error":
        errors.append(f"{message.text} at {message.location.get('url')}")


@pytest.fixture
def new_page(browser, console_errors):
    """Open a page at a viewport size; console errors and uncaught exceptions are collected."""
    contexts = []

    def open_page(viewport=DESKTOP, **kwargs):
        context = browser.new_context(viewport=viewport, **kwargs)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda msg: _collect(console_errors, msg))
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert console_errors == [], f"browser console errors: {console_errors}"


def sign_in(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign in").click()


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture
def shots(tmp_path):
    """Where a test saves its screenshots for a person to read: SCREENSHOT_DIR, else a temp folder."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
