"""An emergency alert and a village announcement on phones (390×844), in Vietnamese: an officer
issues a landslide alert for Thôn Tân Lập from the staff pages; a resident of Tân Lap sees its
banner at the top of the home page, the demo resident of Thôn Đồng Bầu sees only his own
village's flood alert, and a neighbour of the commune with no village sees no banner at all;
the banner is there with JavaScript off too; the demo resident reads an announcement of his
village from the board. axe-core checks every page on the way."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.test_dossier_journey import accessible, log_in

pytestmark = pytest.mark.e2e

OFFICER = "chuyenvien@conglang.demo"
RESIDENT = "0912345678"        # Hoàng Văn An, Thôn Đồng Bầu, Xã Đại Phúc (demo)
NEIGHBOUR = "0388000101"       # Đỗ Thị Hoa, Xã Đại Phúc, no village (demo)
PASSWORD = "Mat-khau-2026!"
LANDSLIDE = "Nguy cơ sạt lở taluy dương đường vào thôn Tân Lập"
FLOOD = "Cảnh báo lũ trên sông Công qua thôn Đồng Bầu"        # the demo's alert
MEETING = "Họp thôn bàn kế hoạch làm đường bê tông"            # the demo's, Thôn Đồng Bầu


def banner(page) -> list[str]:
    return page.locator(".alert-banner .alert-line a").all_inner_texts()


def test_an_alert_reaches_the_affected_and_a_resident_reads_their_village_notice(
        new_context, unique_phone, fill_registration):
    officer = new_context().new_page()
    log_in(officer, "vi", OFFICER)
    officer.locator("nav.main-nav").get_by_role("link", name="Thông báo và cảnh báo").click()
    accessible(officer, "the staff page of announcements and alerts")
    officer.get_by_role("link", name="Phát cảnh báo khẩn cấp").click()
    accessible(officer, "the alert form")
    officer.locator("#hazard").select_option("landslide")
    officer.locator("#severity").select_option("emergency")
    officer.get_by_label("Thôn Tân Lập · Xã Đại Phúc").check()
    officer.locator("#title_vi").fill(LANDSLIDE)
    officer.locator("#body_vi").fill("Mưa lớn kéo dài, taluy có vết nứt. Không đi qua đoạn "
                                     "dốc Km2; các hộ dưới chân taluy sơ tán tới nhà văn hóa.")
    ends = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(hours=12)
    officer.locator("#expires_at").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    with officer.expect_navigation():
        officer.get_by_role("button", name="Phát cảnh báo").click()
    expect(officer).to_have_url(re.compile(r"/vi/village/alerts/\d+$"))
    expect(officer.locator("h1")).to_have_text(LANDSLIDE)
    accessible(officer, "the alert's page")

    affected = new_context().new_page()
    affected.goto("/vi/account/register")
    fill_registration(affected, full_name="Lương Thị Hằng", phone=unique_phone(),
                      commune="Xã Đại Phúc", village="Thôn Tân Lập", password=PASSWORD)
    with affected.expect_navigation():
        affected.locator("main form button[type=submit]").click()
    affected.goto("/vi/")
    assert banner(affected) == [LANDSLIDE]
    line = affected.locator(".alert-banner .alert-line").first
    expect(line).to_contain_text("Khẩn cấp")
    expect(line).to_contain_text("Sạt lở đất")
    accessible(affected, "the home page with an emergency banner")
    affected.locator(".alert-banner a").first.click()
    expect(affected.locator("h1")).to_have_text(LANDSLIDE)

    resident = new_context().new_page()
    log_in(resident, "vi", RESIDENT)
    resident.goto("/vi/")
    assert banner(resident) == [FLOOD]  # his own village's alert only

    neighbour = new_context().new_page()
    log_in(neighbour, "vi", NEIGHBOUR)
    neighbour.goto("/vi/")
    expect(neighbour.locator(".alert-banner")).to_have_count(0)
    accessible(neighbour, "the home page without a banner")

    no_script = new_context(java_script_enabled=False).new_page()
    log_in(no_script, "vi", RESIDENT)
    no_script.goto("/vi/procedures/")
    assert banner(no_script) == [FLOOD]

    resident.goto("/vi/village/")
    accessible(resident, "the village board")
    board_alerts = resident.locator("section[aria-labelledby=board-alerts]")
    expect(board_alerts).to_contain_text(LANDSLIDE)
    expect(board_alerts).to_contain_text(FLOOD)
    announcements = resident.locator("section[aria-labelledby=board-announcements]")
    titles = announcements.locator("li.notice h3 a").all_inner_texts()
    assert MEETING in titles, titles
    announcements.get_by_role("link", name=MEETING).click()
    expect(resident.locator("h1")).to_have_text(MEETING)
    expect(resident.locator(".description")).to_contain_text("nhà văn hóa thôn")
    expect(resident.locator("dl.facts")).to_contain_text("Thôn Đồng Bầu")
    accessible(resident, "an announcement of his village")
    resident.goto("/vi/village/announcements?q=tiem+chung")
    expect(resident.locator("li.notice h2 a")).to_have_text(
        ["Ngày tiêm chủng mở rộng cho trẻ dưới 5 tuổi"])
    accessible(resident, "the announcements found without accents")
    resident.goto("/vi/village/subscription")
    expect(resident.locator("input[name=scope][value=village]")).to_be_checked()
    accessible(resident, "the subscription page")
