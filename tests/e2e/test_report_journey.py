"""A field report on phones, in Vietnamese: a resident reports a blocked drain with a photo,
placing it with "Dùng vị trí của tôi"; the works department's intake officer receives it and
its leader answers it as fixed; the resident sees the answer and rates it. axe-core checks the
pages on the way, none of which may scroll sideways at 390 px."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_dossier_journey import accessible, act, log_in

pytestmark = pytest.mark.e2e

RESIDENT = "0912345678"
INTAKE = "mai.ht@conglang.demo"    # Địa chính – Xây dựng, intake desk, skill field_report
LEADER = "duc.pv@conglang.demo"    # its leader
# A spot of the demo commune no demo drain report is near.
SPOT = {"latitude": 21.6205, "longitude": 105.8497}


def _photo() -> bytes:
    """A phone photo: EXIF with the camera and the place it was taken."""
    image = Image.new("RGB", (1600, 1200), (70, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 37.0, 13.8), "E", (105.0, 50.0, 58.9)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_blocked_drain_from_report_to_rated_answer(new_context, live_server):
    resident = new_context(geolocation=SPOT, permissions=["geolocation"]).new_page()
    log_in(resident, "vi", RESIDENT)
    resident.goto("/vi/")
    resident.get_by_role("link", name="Phản ánh hiện trường").first.click()
    resident.wait_for_url(re.compile(r"/vi/reports/new$"))
    accessible(resident, "report a problem, step 1")
    resident.get_by_label("Cống rãnh tắc, ngập nước").check()
    assert resident.locator("#commune_id").input_value() != ""  # the account's commune
    resident.get_by_role("button", name="Dùng vị trí của tôi").click()
    # expect() polls from Playwright's side: a string predicate for wait_for_function
    # would be eval'd inside the page, which our CSP (script-src 'self') refuses.
    expect(resident.locator("#lat")).to_have_value(re.compile(r"^21\.6205"))
    assert resident.locator("#location_source").input_value() == "device"
    with resident.expect_navigation():
        resident.get_by_role("button", name="Tiếp tục").click()
    assert "Bước 2/2" in resident.locator("main").inner_text()
    assert resident.locator("#nearby-title").count() == 0  # nothing like it within 100 m
    accessible(resident, "report a problem, step 2")
    resident.locator("#description").fill(
        "Cống thoát nước cạnh cổng trường bị tắc, nước ngập nửa mặt đường sau mưa.")
    resident.locator("#photos").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
    with resident.expect_navigation():
        resident.get_by_role("button", name="Gửi phản ánh").click()
    assert re.search(r"/vi/reports/\d+$", resident.url)
    report_id = int(resident.url.rsplit("/", 1)[1])
    assert "Được tiếp nhận" in resident.locator("#state-title").inner_text()
    assert resident.locator(".report-photos img").count() == 1
    accessible(resident, "the report as sent")

    from app.extensions import db
    from app.models import Case

    with live_server.app.app_context():
        code = db.session.get(Case, report_id).code
        db.session.remove()

    intake = new_context().new_page()
    log_in(intake, "vi", INTAKE)
    intake.goto(f"/vi/workbench/cases/{report_id}")
    assert "Cống rãnh tắc" in intake.locator("#report-title").locator("..").inner_text()
    act(intake, "Tiếp nhận")

    leader = new_context().new_page()
    log_in(leader, "vi", LEADER)
    leader.goto(f"/vi/workbench/cases/{report_id}")
    act(leader, "Bắt đầu xử lý")
    leader.get_by_role("link", name="Hoàn thành").click()
    leader.wait_for_url(re.compile(rf"/vi/reports/cases/{report_id}/answer$"))
    accessible(leader, "the official answer")
    leader.get_by_label("Đã khắc phục: vấn đề đã được xử lý").check()
    answer = "Tổ duy tu đã nạo vét và thông cống ngày hôm nay. Cảm ơn bà con đã phản ánh."
    leader.locator("#text").fill(answer)
    with leader.expect_navigation():
        leader.get_by_role("button", name="Công bố câu trả lời").click()
    assert f"/vi/workbench/cases/{report_id}" in leader.url

    resident.goto(f"/vi/reports/{report_id}")
    main = resident.locator("main").inner_text()
    assert "Đã khắc phục" in resident.locator("#state-title").inner_text()
    assert answer in main and code in main
    accessible(resident, "the answered report")
    resident.get_by_role("link", name="Đánh giá câu trả lời").click()
    resident.wait_for_url(re.compile(rf"/vi/reports/{report_id}/rate$"))
    accessible(resident, "rate the answer")
    resident.get_by_label("Rất hài lòng").check()
    resident.locator("#comment").fill("Xử lý nhanh.")
    with resident.expect_navigation():
        resident.get_by_role("button", name="Gửi đánh giá").click()
    assert "Người phản ánh đánh giá câu trả lời này: Rất hài lòng" in resident.locator(
        "main").inner_text()
    assert resident.get_by_role("link", name="Đánh giá câu trả lời").count() == 0

    resident.goto("/vi/reports/?q=cong+truong")
    assert code in resident.locator("main").inner_text()
    accessible(resident, "the list of reports")


def test_reporting_works_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "vi", RESIDENT)
    page.goto("/vi/reports/new")
    assert page.get_by_role("button", name="Dùng vị trí của tôi").count() == 0
    page.get_by_label("Đèn đường hỏng").check()
    page.locator("#village_id").select_option(label="Thôn Khuôn Ngục (Xã Đại Phúc)")
    page.locator("#address").fill("Cột đèn trước cổng chợ")
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp tục").click()
    page.locator("#description").fill("Đèn không sáng ba đêm nay.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phản ánh").click()
    assert re.search(r"/vi/reports/\d+$", page.url)
    assert "Thôn Khuôn Ngục" in page.locator("main").inner_text()
