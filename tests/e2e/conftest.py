"""End-to-end fixtures: the real portal in a real browser, the way a resident meets it.

- `live_server`: a fresh SQLite database built by the Alembic migrations and loaded with the demo
  data, served by werkzeug on 127.0.0.1 and a free port in a background thread (one per pytest
  process, so each xdist worker has its own).
- `browser`: the system's Chromium (/usr/bin/chromium) driven by Playwright; nothing is ever
  downloaded. A browser that cannot start is an error, never a skip: CI must notice.
- `context` / `page`: a fresh phone-sized context per test (390×844, touch, Vietnamese);
  `new_context(...)` makes more (JavaScript off, another width, another language).
  E2E_CHROMIUM=/path overrides the browser binary (e.g. to check the failure path).

These tests do not use the parametrised `database`/`app` fixtures of tests/conftest.py: the
browser talks HTTP to its own server, so they run once, on SQLite.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).resolve().parent


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "") not in ("", "0")


# --- markers and the "fail, not skip" rule -------------------------------------------------

def pytest_collection_modifyitems(config, items):
    # Every test under tests/e2e is an e2e test, even if its module forgets `pytestmark`.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With REQUIRE_BROWSER=1 (CI), a skipped browser test is a failed one."""
    report = yield
    if (_browser_required() and report.skipped and not hasattr(report, "wasxfail")
            and item.get_closest_marker("e2e") is not None):
        report.outcome = "failed"
        report.longrepr = (f"REQUIRE_BROWSER=1 but this e2e test was skipped: {report.longrepr}")
    return report


# --- the live server -------------------------------------------------------------------------

class LiveServer:
    def __init__(self, url: str, app):
        self.url = url
        self.app = app

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.demo.seed import seed_demo
    from app.extensions import db

    path = tmp_path_factory.mktemp("e2e") / "portal.db"
    app = create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    })
    with app.app_context():
        upgrade()
        seed_demo(db.session)
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    try:
        browser = playwright_driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001 - re-raised with the remedy attached
        raise RuntimeError(
            f"Chromium did not start from {CHROMIUM}: {error}\n"
            "Install the system browser (Debian: `apt-get install chromium`). The e2e tests "
            "never download one and never skip.") from error
    yield browser
    browser.close()


@pytest.fixture(scope="session", autouse=True)
def _require_browser(request):
    """REQUIRE_BROWSER=1 (set by .ci/run): Chromium must start before the first e2e test runs;
    if it cannot, every e2e test fails with the reason (a session fixture's error repeats)."""
    if _browser_required():
        try:
            request.getfixturevalue("browser")
        except Exception as error:  # noqa: BLE001
            pytest.fail(f"REQUIRE_BROWSER=1 and the browser cannot launch: {error}", pytrace=False)


@pytest.fixture
def new_context(browser, live_server):
    """Make a phone browser context: 390×844, touch, Vietnamese unless told otherwise."""
    made = []

    def make(**overrides):
        options = {"viewport": dict(PHONE), "is_mobile": True, "has_touch": True,
                   "locale": "vi-VN", "base_url": live_server.url}
        options.update(overrides)
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(10_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


# --- what several tests do the same way -----------------------------------------------------

@pytest.fixture
def unique_phone():
    """A valid Vietnamese mobile number no other account (nor the demo resident) uses."""
    import secrets

    used = set()

    def make() -> str:
        while True:
            number = f"09{secrets.randbelow(10**8):08d}"
            if number != "0912345678" and number not in used:
                used.add(number)
                return number

    return make


@pytest.fixture
def fill_registration():
    """Fill the registration form the way a person does, choosing from the visible lists.

    Fields are found by their ids, which the labels point at (`label[for=...]`), so the same
    helper works in both languages. The commune and village are chosen by their visible names.
    """

    def fill(page, *, full_name: str, phone: str, commune: str, village: str | None,
             password: str, confirm: str | None = None) -> None:
        page.locator("#full_name").fill(full_name)
        page.locator("#phone").fill(phone)
        page.locator("#commune_id").select_option(label=commune)
        if village is not None:
            page.locator("#village_id").select_option(label=village)
        page.locator("#password").fill(password)
        page.locator("#confirm").fill(password if confirm is None else confirm)

    return fill
