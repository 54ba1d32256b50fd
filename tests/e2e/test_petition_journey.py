"""A question answered in public, on phones, in Vietnamese: a resident asks about a late birth
registration and chooses to publish it; the justice office's desk receives it, its leader
hands it to an officer, the officer writes the answer and sends it for approval, the leader
approves it; the resident reads the answer and rates it, and anyone reads it on the public
page, without the resident's name or phone. Then (issue 11), on the same 390×844 phone: someone
without an account asks with a phone number for the reply and finds the question again on
another phone by its code and that number (the number never printed back); a visitor reads a
voters' meeting answer sheet and the citizen reception hours (in English too); and a resident
follows "Đăng nhập để đăng ký" to register for the coming reception. axe-core checks the pages
on the way, and that none scrolls sideways."""
from __future__ import annotations

import re

import pytest

from app.demo.seed import DEMO_PASSWORD
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


# -- Issue 11: without an account, the public pages, and a reception, on a 390×844 phone ------

ANONYMOUS_TITLE = "Cống thoát nước ở xóm Đồng Bầu bị tắc"
ANONYMOUS_BODY = ("Cống thoát nước cạnh nhà văn hóa xóm Đồng Bầu bị tắc từ tuần trước, nước "
                  "mưa tràn ra đường. Đề nghị xã cho người nạo vét.")
ANONYMOUS_PHONE = "0977 246 810"        # as typed; the portal keeps it as 0977246810
CODE = re.compile(r"PA-\d{6}-[0-9A-F]{6}")
MEETING = "Tiếp xúc cử tri trước kỳ họp thứ 10, HĐND xã khóa XXI"   # demo, sheet published
NEIGHBOUR = "0388000102"                # Vũ Văn Bình, Xã Đại Phúc (demo), not registered yet


def from_the_petitions_page(page, link: str, path: str) -> None:
    """Open the section's page and follow one of its links, as a visitor finds their way."""
    page.goto("/vi/petitions/")
    page.get_by_role("link", name=link).click()
    page.wait_for_url(re.compile(path))
    assert page.locator("html").get_attribute("lang") == "vi"


def shows_no_phone(page, phone: str) -> None:
    """Neither the number as typed nor its digits appear anywhere on the page or its address."""
    digits = re.sub(r"\D", "", phone)
    html = page.content()
    squeezed = re.sub(r"[\s.\-]", "", page.locator("body").inner_text())
    assert phone not in html and digits not in squeezed, f"{page.url} shows the phone"
    assert digits not in re.sub(r"\D", "", page.url), page.url


def test_an_anonymous_question_sent_with_a_phone_and_found_again_by_its_code(new_context):
    asker = new_context().new_page()
    from_the_petitions_page(asker, "Đặt câu hỏi hoặc gửi phản ánh, kiến nghị",
                            r"/vi/petitions/ask$")
    # Without an account the form says the phone is how the answer is found again.
    assert "Bắt buộc nếu không có tài khoản." in asker.locator("main").inner_text()
    assert asker.get_by_label("Họ và tên của bạn").input_value() == ""
    accessible(asker, "the question form, signed out")
    asker.get_by_label("Câu hỏi (Góp ý – Hỏi đáp)").check()
    asker.get_by_label("Lĩnh vực", exact=True).select_option(label="Môi trường, vệ sinh")
    asker.get_by_label("Xã, phường liên quan").select_option(label="Xã Đại Phúc")
    asker.get_by_label("Tiêu đề", exact=True).fill(ANONYMOUS_TITLE)
    asker.get_by_label("Câu hỏi hoặc nội dung phản ánh, kiến nghị").fill(ANONYMOUS_BODY)
    asker.get_by_label("Công khai câu hỏi và câu trả lời", exact=False).check()
    asker.get_by_label("Họ và tên của bạn").fill("Trịnh Thị Lan")

    # Forgetting the number is explained, in Vietnamese, beside the field and at the top.
    with asker.expect_navigation():
        asker.get_by_role("button", name="Gửi", exact=True).click()
    summary = asker.locator(".error-summary")
    assert "Nhập số điện thoại di động" in summary.inner_text()
    assert summary.locator("a[href='#asker_phone']").count() == 1
    assert asker.get_by_label("Tiêu đề", exact=True).input_value() == ANONYMOUS_TITLE
    accessible(asker, "the question form with the missing phone")

    asker.get_by_label("Số điện thoại di động").fill(ANONYMOUS_PHONE)
    with asker.expect_navigation():
        asker.get_by_role("button", name="Gửi", exact=True).click()
    assert re.search(r"/vi/petitions/yours/\d+$", asker.url), asker.url
    petition_id = int(asker.url.rsplit("/", 1)[1])
    flash = asker.locator(".flash").inner_text()
    assert "Đã gửi: mã của bạn là" in flash
    code = CODE.search(flash).group(0)
    main = asker.locator("main").inner_text()
    assert code in asker.locator("h1").inner_text()
    assert ANONYMOUS_TITLE in main and ANONYMOUS_BODY in main
    # Private: the page never prints the number, is not kept by a shared phone's browser,
    # and is not public until answered (the asker chose to publish it then).
    shows_no_phone(asker, ANONYMOUS_PHONE)
    assert "Trịnh Thị Lan" not in main
    assert "Khi có câu trả lời (bạn đã chọn công khai)" in main
    response = asker.request.get(f"/vi/petitions/yours/{petition_id}")
    assert response.headers["cache-control"] == "no-store"
    accessible(asker, "the confirmation with its code")

    # Another phone: the page is nobody else's, and the question is not public yet.
    other = new_context().new_page()
    assert other.request.get(f"/vi/petitions/yours/{petition_id}").status == 404
    assert other.request.get(f"/vi/petitions/{petition_id}").status == 404

    # The asker comes back later on that other phone: the code and the number find it.
    from_the_petitions_page(other, "Tìm câu hỏi của tôi bằng mã", r"/vi/petitions/find$")
    assert other.locator("h1").inner_text() == "Tìm câu hỏi hoặc kiến nghị của tôi"
    accessible(other, "the lookup form")
    other.get_by_label("Mã câu hỏi hoặc kiến nghị").fill(code)
    other.get_by_label("Số điện thoại bạn đã cung cấp").fill("0977000000")  # a wrong number
    with other.expect_navigation():
        other.get_by_role("button", name="Tìm", exact=True).click()
    assert "Không tìm thấy" in other.locator("main .error-summary").inner_text()
    assert ANONYMOUS_TITLE not in other.locator("main").inner_text()
    accessible(other, "the lookup, nothing found")
    other.get_by_label("Mã câu hỏi hoặc kiến nghị").fill(code.lower())  # as people type it
    other.get_by_label("Số điện thoại bạn đã cung cấp").fill("+84 977 246 810")
    with other.expect_navigation():
        other.get_by_role("button", name="Tìm", exact=True).click()
    assert other.url.endswith(f"/vi/petitions/yours/{petition_id}"), other.url
    main = other.locator("main").inner_text()
    assert code in main and ANONYMOUS_TITLE in main
    shows_no_phone(other, ANONYMOUS_PHONE)
    accessible(other, "the question found by its code")


def test_a_voters_meeting_answer_sheet_read_by_anyone_in_vietnamese(new_context):
    visitor = new_context().new_page()
    from_the_petitions_page(visitor, "Trả lời kiến nghị cử tri", r"/vi/petitions/voter-meetings$")
    card = visitor.locator("main li.panel").filter(has_text=MEETING)
    assert "3 kiến nghị" in card.inner_text()
    assert "văn bản trả lời công bố ngày" in card.inner_text()
    accessible(visitor, "the voters' meetings")
    card.get_by_role("link", name=MEETING).click()
    visitor.wait_for_url(re.compile(r"/vi/petitions/voter-meetings/\d+$"))
    main = visitor.locator("main").inner_text()
    assert visitor.locator("h1").inner_text() == MEETING
    assert "Ông Nguyễn Văn Bình, đại biểu HĐND xã" in main
    assert "Công bố ngày" in main
    assert "2 trên 3 kiến nghị (67%)" in main       # one of the three answered late
    assert "Bộ phận Một cửa tiếp nhận hồ sơ sáng thứ Bảy" in main
    assert visitor.locator("main .badge", has_text="trễ hạn").count() == 1
    assert visitor.locator("main .badge", has_text="đúng hạn").count() == 2
    # Only staff of the commune record or publish; a visitor sees neither form nor case links.
    assert visitor.locator("main form").count() == 0
    assert visitor.locator("main a[href*='/workbench/']").count() == 0
    accessible(visitor, "the voters' meeting answer sheet")


def test_the_citizen_reception_schedule_in_vietnamese_and_in_english(new_context):
    visitor = new_context().new_page()
    from_the_petitions_page(visitor, "Lịch tiếp công dân", r"/vi/reception/$")
    coming = visitor.locator("main li.panel")
    assert coming.count() == 1                       # the demo's coming session
    text = coming.first.inner_text()
    assert "Ông Lê Hoàng Nam, Phó Chủ tịch UBND xã" in text
    assert "Đất đai, chính sách xã hội, thủ tục hành chính" in text
    places = re.search(r"Còn (\d+) chỗ", text)      # of 20; the demo resident took one
    assert places and 0 < int(places.group(1)) < 20, text
    accessible(visitor, "the reception schedule")
    visitor.get_by_role("link", name="Đã diễn ra").click()
    visitor.wait_for_url(re.compile(r"when=past"))
    assert "Đất đai, xây dựng" in visitor.locator("main li.panel").first.inner_text()
    accessible(visitor, "the past receptions")

    english = new_context(locale="en-GB").new_page()
    english.goto("/en/reception/")
    assert english.locator("html").get_attribute("lang") == "en"
    assert english.locator("h1").inner_text() == "Citizen reception hours"
    text = english.locator("main li.panel").first.inner_text()
    assert "Land, social policy, administrative procedures" in text
    assert f"{places.group(1)} places left" in text
    accessible(english, "the reception schedule (en)")
    english.locator("main li.panel h2 a").first.click()
    english.wait_for_url(re.compile(r"/en/reception/sessions/\d+$"))
    assert english.get_by_role("link", name="Log in to register").count() == 1
    accessible(english, "a reception session (en), signed out")


def test_a_resident_registers_to_attend_the_coming_reception(new_context):
    resident = new_context().new_page()
    resident.goto("/vi/reception/")
    resident.locator("main li.panel h2 a").first.click()
    resident.wait_for_url(re.compile(r"/vi/reception/sessions/\d+$"))
    session_url = resident.url
    assert "Tiếp công dân ngày" in resident.locator("h1").inner_text()
    taken = int(re.search(r"Đã đăng ký (\d+) trên 20 chỗ",
                          resident.locator("main").inner_text()).group(1))
    assert taken >= 1                                 # the demo resident, at least
    accessible(resident, "a reception session, signed out")
    resident.get_by_role("link", name="Đăng nhập để đăng ký").click()
    resident.wait_for_url(re.compile(r"/vi/account/login"))
    resident.locator("#identifier").fill(NEIGHBOUR)
    resident.locator("#password").fill(DEMO_PASSWORD)
    with resident.expect_navigation():
        resident.locator("form.panel button[type=submit]").click()
    assert resident.url == session_url, resident.url  # back where the link was followed
    accessible(resident, "the registration form")
    topic = "Hỏi về hỗ trợ làm lại mái nhà sau bão cho hộ gia đình tôi"
    resident.get_by_label("Bạn muốn trình bày nội dung gì?").fill(topic)
    with resident.expect_navigation():
        resident.get_by_role("button", name="Đăng ký", exact=True).click()
    assert resident.url == session_url, resident.url
    assert ("Bạn đã đăng ký. Vui lòng mang theo căn cước vào ngày tiếp."
            in resident.locator(".flash").inner_text())
    main = resident.locator("main").inner_text()
    assert f"Bạn đã đăng ký. Nội dung muốn trình bày: {topic}" in main
    assert f"Đã đăng ký {taken + 1} trên 20 chỗ" in main
    assert resident.locator("form[action$='/register']").count() == 0  # once per person
    accessible(resident, "the session, registered")
    resident.goto("/vi/reception/")
    assert f"Còn {20 - taken - 1} chỗ" in resident.locator("main li.panel").first.inner_text()
