"""axe-core on the pages every resident meets first, in both languages, at phone size.

A "serious" or "critical" violation fails the test with each rule and the elements it found;
"moderate" and "minor" ones are printed (see them with `pytest -rA` or `-s`) but do not fail.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
PAGES = {"home": "/{lang}/", "login": "/{lang}/account/login",
         "register": "/{lang}/account/register"}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node['target']}  {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def check(axe: Axe, page, what: str) -> None:
    results = axe.run(page)
    violations = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    others = [v for v in violations if v.get("impact") not in BLOCKING]
    print(f"\naxe on {what} ({page.url}): {len(blocking)} serious/critical, "
          f"{len(others)} moderate/minor")
    if others:
        print(describe(others))
    if blocking:
        print(describe(blocking))
    assert not blocking, f"axe found serious or critical problems on {what}:\n{describe(blocking)}"


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_problems(new_context, axe, name, lang):
    page = new_context(locale="vi-VN" if lang == "vi" else "en-GB").new_page()
    page.goto(PAGES[name].format(lang=lang))
    assert page.locator("html").get_attribute("lang") == lang
    check(axe, page, f"the {name} page in {lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_registration_errors_have_no_serious_accessibility_problems(new_context, axe, lang):
    page = new_context(locale="vi-VN" if lang == "vi" else "en-GB").new_page()
    page.goto(f"/{lang}/account/register")
    page.locator("#full_name").fill("Lê Thị Mai")
    page.locator("#phone").fill("0123")          # not a mobile number
    page.locator("#password").fill("ngan")       # too short, and not repeated
    page.locator("main form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert page.locator("[aria-invalid=true]").count() >= 2
    check(axe, page, f"the registration page with errors in {lang}")
