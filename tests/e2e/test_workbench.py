"""The officer workbench in a phone browser: claim the next case and work it, in both
languages, with and without JavaScript; the leader's overview; axe on every workbench page."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.test_accessibility import BLOCKING, describe

pytestmark = pytest.mark.e2e

SPECIALIST = "chuyenvien@conglang.demo"
LEADER = "lanhdao@conglang.demo"


def log_in(page, lang: str, who: str) -> None:
    page.goto(f"/{lang}/account/login")
    page.locator("#identifier").fill(who)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form.panel button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/workbench/"))


def assert_accessible(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    assert not blocking, f"axe on {what}:\n{describe(blocking)}"


@pytest.mark.parametrize("lang, claim_label, start_label", [
    ("vi", "Nhận hồ sơ tiếp theo", "Bắt đầu xử lý"),
    ("en", "Claim next case", "Start processing"),
])
def test_an_officer_claims_the_next_case_and_starts_work_on_a_phone(new_context, lang, claim_label,
                                                                     start_label):
    page = new_context(locale="vi-VN" if lang == "vi" else "en-GB").new_page()
    log_in(page, lang, SPECIALIST)
    assert_accessible(page, "my cases")
    page.get_by_role("button", name=re.compile(claim_label)).first.click()
    page.wait_for_url(re.compile(rf"/{lang}/workbench/cases/\d+"))
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, "case detail")
    page.locator("details", has_text=start_label).locator("summary").click()
    page.locator("details", has_text=start_label).get_by_role("button", name=start_label).click()
    page.wait_for_url(re.compile(rf"/{lang}/workbench/cases/\d+$"))
    assert page.locator(".timeline li").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_queue_works_and_filters_without_javascript(new_context):
    page = new_context(java_script_enabled=False, locale="en-GB").new_page()
    log_in(page, "en", SPECIALIST)
    page.get_by_role("link", name=re.compile("^Queue")).first.click()
    assert page.locator("#queue-table tbody tr").count() > 0
    page.locator("details.filters summary").click()
    page.locator("#band").select_option("overdue")
    page.get_by_role("button", name="Apply filters").click()
    assert "band=overdue" in page.url
    due_cells = page.locator("#queue-table tbody tr td:nth-child(3)").all_inner_texts()
    assert due_cells and all("Overdue" in text for text in due_cells)
    # axe needs JavaScript (page.evaluate never returns with it off): same page, scripts on.
    filtered = page.url
    page = new_context(locale="en-GB").new_page()
    log_in(page, "en", SPECIALIST)
    page.goto(filtered)
    assert_accessible(page, "filtered queue")


def test_the_leader_overview_is_accessible(new_context):
    page = new_context().new_page()
    log_in(page, "vi", LEADER)
    page.get_by_role("link", name=re.compile("^Hàng chờ")).first.click()
    page.get_by_role("link", name=re.compile("Tổng quan")).click()
    assert page.locator("h1").inner_text().startswith("Tổng quan")
    assert_accessible(page, "leader overview")
