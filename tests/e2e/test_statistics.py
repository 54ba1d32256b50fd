"""The public statistics on a phone (390×844): the figures, each with how it is counted, charts
drawn as SVG and readable at that width with the table beside them, a CSV that downloads; the
operations dashboard for the demo leader and the smart-commune scorecard, with an entry refused
and then saved. axe-core finds no serious or critical problem on any of them. A screenshot of
the statistics page on the phone is kept in test-results/ for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_dossier_journey import accessible, log_in

pytestmark = pytest.mark.e2e

LEADER = "lanhdao@conglang.demo"
ADMIN = "quantri@conglang.demo"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def test_the_statistics_page_reads_well_on_a_phone(page, live_server):
    page.goto("/vi/")
    page.get_by_role("link", name="Thống kê").click()
    page.wait_for_url("**/vi/statistics/")
    assert page.locator("h1").inner_text() == "Thống kê công khai"
    main = page.locator(".stat-card-main")
    assert main.locator(".stat-label").inner_text() == "Tỷ lệ đúng hạn"
    assert "%" in main.locator(".stat-value").inner_text()
    assert main.locator("p.how").is_visible()
    # The bar chart: an image with a name, its words big enough to read on the phone.
    chart = page.locator("svg.chart").first
    chart.scroll_into_view_if_needed()
    assert chart.get_attribute("role") == "img"
    box = chart.bounding_box()
    assert box["width"] <= 390
    label = chart.locator("text.chart-label").first.bounding_box()
    assert label["height"] >= 11, f"chart labels are {label['height']} px high"
    assert page.locator("#table-breakdown-caption").is_visible()
    accessible(page, "the statistics on a phone")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "statistics-phone-390x844.png"), full_page=True)

    csv_href = page.locator("a", has_text="Tải bảng này (CSV)").first.get_attribute("href")
    answer = page.request.get(csv_href)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.text().startswith("\ufeff")

    # One commune, then a department: the figures follow the links down.
    page.locator("#table-breakdown-caption").locator("xpath=..").locator(
        "a", has_text="Xã Đại Phúc").click()
    page.wait_for_url("**unit=05600**")
    assert "Xã Đại Phúc" in page.locator(".lede").inner_text()
    accessible(page, "a commune's statistics")


def test_the_statistics_in_english_and_a_bad_period(page, live_server):
    page.goto("/en/statistics/?period=month&year=2026&month=13")
    assert page.locator(".error-summary").is_visible()
    assert "Choose a month" in page.locator("#month-error").inner_text()
    accessible(page, "the statistics with an error")
    page.goto("/en/statistics/?period=quarter")
    assert page.locator("html").get_attribute("lang") == "en"
    accessible(page, "the statistics in English")


def test_the_leader_runs_the_commune_from_the_dashboard(new_context, live_server):
    page = new_context().new_page()
    log_in(page, "vi", LEADER)
    page.get_by_role("link", name="Điều hành").click()
    page.wait_for_url("**/statistics/operations")
    live = page.locator("#ops-live")
    assert live.get_attribute("hx-trigger") == "every 60s"
    accessible(page, "the operations dashboard")
    first = page.locator("#ops-live a.number-link").first
    first.click()
    page.wait_for_url("**/statistics/operations/cases**")
    assert page.locator("table tbody tr").count() >= 1
    accessible(page, "the cases behind a figure")


def test_the_scorecard_compares_communes_and_takes_a_figure_with_its_source(new_context,
                                                                            live_server):
    page = new_context().new_page()
    page.goto("/vi/statistics/scorecard")
    assert page.locator("svg.chart").first.is_visible()
    accessible(page, "the scorecard comparison")
    page.locator("thead a", has_text="Xã Đại Phúc").click()
    page.wait_for_url("**/scorecard/commune**")
    accessible(page, "one commune's scorecard")

    log_in(page, "vi", ADMIN)
    page.goto("/vi/statistics/scorecard/values/new?commune=05600")
    page.locator("#indicator").select_option("public_dialogues")
    page.locator("#value").fill("3")
    page.locator("#as_of").fill(page.evaluate("new Date().toISOString().slice(0, 10)"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "Ghi rõ nguồn số liệu" in page.locator("#source-error").inner_text()
    assert page.locator("#value").input_value() == "3"
    accessible(page, "the scorecard entry with an error")
    page.locator("#source").fill("Biên bản đối thoại với Nhân dân")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/scorecard/commune" in page.url
    assert "Biên bản đối thoại với Nhân dân" in page.locator("main").inner_text()


def test_the_figures_fit_a_360px_phone(new_context, live_server):
    """The narrowest phone the province's residents use: no page of figures scrolls sideways,
    and the charts' words stay big enough to read."""
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    log_in(page, "vi", LEADER)
    for path in ("/vi/statistics/", "/en/statistics/?period=year",
                 "/vi/statistics/?unit=05600", "/vi/statistics/scorecard",
                 "/vi/statistics/scorecard/commune?commune=05600",
                 "/vi/statistics/operations"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at 360px: it scrolls sideways"
        charts = page.locator("svg.chart")
        for index in range(charts.count()):
            label = charts.nth(index).locator("text").first.bounding_box()
            assert label is None or label["height"] >= 10, f"{path}: chart words too small"
