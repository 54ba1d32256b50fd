"""A question answered in public, on phones, in Vietnamese: a resident asks about a late birth
registration and chooses to publish it; the justice office's desk receives it, its leader
hands it to an officer, the officer writes the answer and sends it for approval, the leader
approves it; the resident reads the answer and rates it, and anyone reads it on the public
page, without the resident's name or phone. axe-core checks the pages on the way."""
from __future__ import annotations

import re

import pytest

from tests.e2e.test_dossier_journey import accessible, act, log_in

pytestmark = pytest.mark.e2e

RESIDENT = "0912345678"                 # Hoàng Văn An, Xã Đại Phúc (demo)
DESK = "huy.bq@conglang.demo"           # intake, Tư pháp – Hộ tịch
OFFICER = "tuan.vm@conglang.demo"       # Vũ Minh Tuấn, specialist there
LEADER = "huong.dt@conglang.demo"       # Đỗ Thị Hương, its leader
TITLE = "Đăng ký khai sinh cho con sau 70 ngày"
ANSWER = ("Không bị xử phạt. Anh mang giấy chứng sinh và căn cước đến Bộ phận Một cửa, "
          "hoặc nộp trực tuyến thủ tục Đăng ký khai sinh.")


def test_a_question_asked_answered_approved_and_rated_in_vietnamese(new_context, live_server):
    resident = new_context().new_page()
    log_in(resident, "vi", RESIDENT)
    resident.goto("/vi/petitions/")
    accessible(resident, "questions and answers")
    resident.locator("main a[href='/vi/petitions/ask']").first.click()
    resident.wait_for_url(re.compile(r"/vi/petitions/ask$"))
    accessible(resident, "the question form")
    resident.locator("input[name=kind][value=question]").check()
    resident.locator("#topic_id").select_option(label="Hộ tịch, cư trú")
    resident.locator("#unit_id").select_option(label="Xã Đại Phúc")
    resident.locator("#title").fill(TITLE)
    resident.locator("#body").fill("Con tôi sinh được 70 ngày. Tôi là Hoàng Văn An, số "
                                   "0912345678. Đăng ký bây giờ có bị phạt không?")
    resident.locator("#public").check()
    assert resident.locator("#asker_name").input_value() == "Hoàng Văn An"
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    assert re.search(r"/vi/petitions/yours/\d+$", resident.url), resident.url
    petition_id = int(resident.url.rsplit("/", 1)[1])
    flash = resident.locator(".flash").inner_text()
    code = re.search(r"PA-\d{6}-[0-9A-F]{6}", flash).group(0)
    assert "Đã gửi" in flash
    accessible(resident, "the asker's page")

    from app.extensions import db
    from app.models import Petition

    with live_server.app.app_context():
        case_id = db.session.get(Petition, petition_id).case_id
        db.session.remove()

    desk = new_context().new_page()
    log_in(desk, "vi", DESK)
    desk.goto(f"/vi/workbench/cases/{case_id}")
    assert code in desk.locator("h1").inner_text()
    act(desk, "Tiếp nhận")

    leader = new_context().new_page()
    log_in(leader, "vi", LEADER)
    leader.goto(f"/vi/workbench/cases/{case_id}")
    reassign = leader.locator("form[action$='/reassign']")
    reassign.locator("xpath=ancestor::details/summary").click()
    reassign.locator("select").select_option(label="Vũ Minh Tuấn")
    with leader.expect_navigation():
        reassign.locator("button[type=submit]").click()

    officer = new_context().new_page()
    log_in(officer, "vi", OFFICER)
    officer.goto(f"/vi/workbench/cases/{case_id}")
    act(officer, "Bắt đầu xử lý")
    accessible(officer, "the petition's case page")
    officer.locator(f"a[href='/vi/petitions/cases/{case_id}/answer']").click()
    officer.wait_for_url(re.compile(rf"/vi/petitions/cases/{case_id}/answer$"))
    accessible(officer, "the answer page")
    officer.locator("#answer").fill(ANSWER)
    with officer.expect_navigation():
        officer.locator("main form button[type=submit]").click()
    assert "đang chờ lãnh đạo duyệt" in officer.locator("main").inner_text()

    # Not approved yet: the resident does not read it, the public does not see it.
    resident.goto(f"/vi/petitions/yours/{petition_id}")
    assert ANSWER not in resident.locator("main").inner_text()
    assert leader.request.get(f"/vi/petitions/{petition_id}").status == 404

    leader.goto(f"/vi/workbench/cases/{case_id}")
    assert ANSWER in leader.locator("main").inner_text()
    act(leader, "Phê duyệt")
    assert "Đã xử lý xong" in leader.locator("dl.facts dd").first.inner_text()

    resident.goto("/vi/petitions/mine")
    accessible(resident, "my questions")
    resident.locator(f"a[href='/vi/petitions/yours/{petition_id}']").click()
    resident.wait_for_url(re.compile(rf"/vi/petitions/yours/{petition_id}$"))
    assert ANSWER in resident.locator("main").inner_text()
    accessible(resident, "the answer and the rating form")
    resident.locator("input[name=level][value='5']").check()
    with resident.expect_navigation():
        resident.locator("form[action$='/rate'] button[type=submit]").click()
    assert "Đánh giá của bạn: Rất hài lòng" in resident.locator("main").inner_text()

    # Anyone reads it; nobody reads who asked.
    visitor = new_context().new_page()
    visitor.goto("/vi/petitions/?q=dang ky khai sinh 70 ngay")
    visitor.locator(f"a[href='/vi/petitions/{petition_id}']").click()
    visitor.wait_for_url(re.compile(rf"/vi/petitions/{petition_id}$"))
    text = visitor.locator("main").inner_text()
    assert ANSWER in text and "đúng hạn" in text
    assert "Hoàng Văn An" not in text and "0912345678" not in text
    assert visitor.locator("html").get_attribute("lang") == "vi"
    accessible(visitor, "the published answer")
