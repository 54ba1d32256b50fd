"""A resident's whole dossier journey on a phone, with the office working it in other browsers:
find "Đăng ký khai sinh" typed without accents, submit it online with its papers, get the
receipt with its QR code; the desk receives it and asks for a supplement; the resident sends
it; the officer asks for a (late-registration) fee and the desk records the payment; the leader
approves; the desk hands the result over; the resident rates the service. In Vietnamese in
full, its first half in English, and a paper dossier registered at the desk. axe-core checks
every page a resident or the desk prints or fills in on the way."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.test_accessibility import BLOCKING, describe

pytestmark = pytest.mark.e2e

RESIDENT = "0912345678"          # Hoàng Văn An, Xã Đại Phúc (demo)
INTAKE = "tiepnhan@conglang.demo"
LEADER = "lanhdao@conglang.demo"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def vietnam_today() -> str:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def log_in(page, lang: str, who: str) -> None:
    page.goto(f"/{lang}/account/login")
    page.locator("#identifier").fill(who)
    page.locator("#password").fill(DEMO_PASSWORD)
    with page.expect_navigation():  # a plain form post: wait for the page it leads to
        page.locator("form.panel button[type=submit]").click()
    assert "/account/login" not in page.url, f"{who} could not log in"


def accessible(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    assert not blocking, f"axe on {what}:\n{describe(blocking)}"
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + e.textContent.slice(0, 80))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{what} scrolls sideways: {wide}"


def act(page, label: str, note: str | None = None) -> None:
    """Open the workbench's form for one action, write the note if any, and send it."""
    panel = page.locator("details").filter(
        has=page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    panel.locator("summary").click()
    if note is not None:
        panel.locator("textarea").fill(note)
    with page.expect_navigation():
        panel.get_by_role("button", name=label).click()


def state_on_case_page(page) -> str:
    return page.locator("dl.facts dd").first.inner_text()


def find_and_submit(page, lang: str, typed: str, child: str) -> tuple[int, str]:
    """From the catalogue to the receipt: returns (case id, dossier code)."""
    page.goto(f"/{lang}/procedures/")
    accessible(page, f"catalogue ({lang})")
    page.locator("#q").fill(typed)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"q="))
    name = "Đăng ký khai sinh" if lang == "vi" else "Birth registration"
    found = page.locator(".procedure-list a strong").all_inner_texts()
    assert name in found, found
    page.locator(".procedure-list a[href$='/procedures/1.001193']").click()
    page.wait_for_url(re.compile(rf"/{lang}/procedures/1\.001193"))
    page.locator("form[action*='/dossiers/start/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/dossiers/drafts/\d+"))
    accessible(page, f"online form ({lang})")
    page.locator("#f_child_name").fill(child)
    page.locator("#f_child_birth_date").fill("2026-09-01")
    page.locator("#f_child_sex").select_option("nu")
    page.locator("#f_birth_place").fill("Trạm y tế xã Đại Phúc")
    page.locator("#f_applicant_id_number").fill("001203004005")
    page.locator("#f_applicant_phone").fill(RESIDENT)
    uploads = page.locator("#papers input[type=file]")
    uploads.nth(0).set_input_files(pdf("to-khai-khai-sinh.pdf"))
    uploads.nth(1).set_input_files(pdf("giay-chung-sinh.pdf"))
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/dossiers/\d+/receipt"))
    assert page.locator(".qr svg").count() == 1
    code = re.search(r"[A-Z0-9]+-\d{6}-\d{4}", page.locator("main").inner_text()).group(0)
    accessible(page, f"receipt ({lang})")
    case_id = int(re.search(r"/dossiers/(\d+)/receipt", page.url).group(1))
    return case_id, code


def test_a_birth_registration_from_search_to_rating_in_vietnamese(new_context):
    resident = new_context().new_page()
    log_in(resident, "vi", RESIDENT)
    case_id, code = find_and_submit(resident, "vi", "dang ky khai sinh", "Hoàng Thị Mai")

    desk = new_context().new_page()
    log_in(desk, "vi", INTAKE)
    desk.goto(f"/vi/workbench/cases/{case_id}")
    assert code in desk.locator("h1").inner_text()
    act(desk, "Tiếp nhận")
    assert "Được tiếp nhận" in state_on_case_page(desk)
    act(desk, "Bắt đầu xử lý")
    missing = "Thiếu bản sao giấy chứng nhận kết hôn của cha mẹ"
    act(desk, "Yêu cầu bổ sung hồ sơ", note=missing)
    assert "Yêu cầu bổ sung" in state_on_case_page(desk)

    # The resident reads what is missing and sends it.
    resident.goto(f"/vi/dossiers/{case_id}")
    assert missing in resident.locator("main").inner_text()
    accessible(resident, "dossier page, supplement asked")
    resident.locator("form[action$='/supplement'] input[type=file]").set_input_files(
        pdf("giay-chung-nhan-ket-hon.pdf"))
    with resident.expect_navigation():  # a plain form post: wait for the page it leads to
        resident.locator("form[action$='/supplement'] button[type=submit]").click()
    assert "Đang được cán bộ phụ trách xử lý" in resident.locator("main").inner_text()

    # A late registration pays the fee the province sets: the officer asks, the desk records it.
    desk.goto(f"/vi/workbench/cases/{case_id}")
    assert "giay-chung-nhan-ket-hon.pdf" in desk.locator("main").inner_text()
    desk.get_by_role("link", name="Yêu cầu thực hiện nghĩa vụ tài chính").click()
    desk.locator("#amount").fill("8.000")
    desk.locator("#reason").fill("Đăng ký khai sinh quá hạn 60 ngày")
    accessible(desk, "fee request")
    desk.locator("form.panel button[type=submit]").click()
    desk.wait_for_url(re.compile(rf"/vi/workbench/cases/{case_id}$"))

    tracking = new_context().new_page()  # anyone with the code and the phone, signed in or not
    tracking.goto("/vi/dossiers/track")
    tracking.locator("#code").fill(code)
    tracking.locator("#contact").fill(RESIDENT)
    with tracking.expect_navigation():  # a plain form post: wait for the page it leads to
        tracking.locator("form.panel button[type=submit]").click()
    text = tracking.locator("main").inner_text()
    assert code in text and "8.000 ₫" in text
    accessible(tracking, "tracking, fee asked")

    desk.get_by_role("link", name="Đã thực hiện nghĩa vụ tài chính").click()
    desk.locator("#receipt_number").fill("BL-000123")
    desk.locator("#amount_paid").fill("8000")
    desk.locator("#paid_on").fill(vietnam_today())  # the office's calendar day, not UTC's
    desk.locator("form.panel button[type=submit]").click()
    desk.wait_for_url(re.compile(rf"/vi/workbench/cases/{case_id}$"))
    assert "Đang xử lý" in state_on_case_page(desk)
    act(desk, "Trình lãnh đạo phê duyệt")

    leader = new_context().new_page()
    log_in(leader, "vi", LEADER)
    leader.goto(f"/vi/workbench/cases/{case_id}")
    act(leader, "Phê duyệt")
    assert "Đã xử lý xong" in state_on_case_page(leader)

    desk.goto(f"/vi/workbench/cases/{case_id}")
    desk.locator("a[href$='/result']").first.click()
    desk.locator("#method").select_option("desk")
    desk.locator("form.panel button[type=submit]").click()
    desk.wait_for_url(re.compile(rf"/vi/workbench/cases/{case_id}$"))
    desk.get_by_role("link", name="Trả kết quả").click()
    desk.locator("form.panel button[type=submit]").click()
    desk.wait_for_url(re.compile(rf"/vi/workbench/cases/{case_id}$"))
    assert "Đã trả kết quả" in state_on_case_page(desk)

    # The printed record of it: the supplement request (Mẫu 02), the control sheet (Mẫu 05)
    # with every hand-over, and the desk's log book (Mẫu 06) listing the dossier.
    desk.locator("a[href$='/supplement-request']").click()
    assert missing in desk.locator("main").inner_text()
    accessible(desk, "supplement request (Mẫu 02)")
    desk.goto(f"/vi/workbench/cases/{case_id}")
    desk.locator("a[href$='/control-sheet']").click()
    assert code in desk.locator("main").inner_text()
    accessible(desk, "control sheet (Mẫu 05)")
    today = vietnam_today()
    desk.goto(f"/vi/workbench/desk/log-book?date_from={today}&date_to={today}")
    # The book is chronological: on a busy day (the demo fills today too) the dossier just
    # received is on a later page, which the desk reaches with "Trang sau".
    while code not in desk.locator("main").inner_text():
        desk.get_by_role("link", name="Trang sau").click()
        desk.wait_for_load_state()
    assert code in desk.locator("main").inner_text()
    accessible(desk, "log book (Mẫu 06)")

    resident.goto(f"/vi/dossiers/{case_id}")
    resident.locator(f"a[href$='/dossiers/{case_id}/rate']").click()
    accessible(resident, "rating")
    resident.get_by_label("Rất hài lòng").check()
    resident.locator("#comment").fill("Cán bộ hướng dẫn tận tình.")
    with resident.expect_navigation():  # a plain form post: wait for the page it leads to
        resident.locator("form.panel button[type=submit]").click()
    resident.goto(f"/vi/dossiers/{case_id}")
    assert "Rất hài lòng" in resident.locator("main").inner_text()


def test_the_first_half_in_english(new_context):
    resident = new_context(locale="en-GB").new_page()
    log_in(resident, "en", RESIDENT)
    case_id, code = find_and_submit(resident, "en", "khai sinh dang ky", "Hoang Minh Duc")

    desk = new_context(locale="en-GB").new_page()
    log_in(desk, "en", INTAKE)
    desk.goto(f"/en/workbench/cases/{case_id}")
    act(desk, "Receive")
    act(desk, "Start processing")
    act(desk, "Request a supplement", note="The parents' marriage certificate (copy) is missing")
    resident.goto(f"/en/dossiers/{case_id}")
    main = resident.locator("main").inner_text()
    assert "marriage certificate" in main and code in main
    accessible(resident, "dossier page (en)")


def test_a_paper_dossier_registered_at_the_desk(new_context):
    desk = new_context().new_page()
    log_in(desk, "vi", INTAKE)
    desk.goto("/vi/workbench/desk/walk-in")
    accessible(desk, "walk-in: pick the procedure")
    desk.locator("select#procedure").select_option("1.001193")
    desk.locator("form button[type=submit]").last.click()
    desk.wait_for_url(re.compile(r"procedure=1\.001193"))
    desk.locator("#applicant_name").fill("Lò Văn Páo")
    desk.locator("#applicant_phone").fill("0987 654 321")
    for box in desk.locator("ul.checkboxes input[type=checkbox]").all():
        box.check()
    accessible(desk, "walk-in form")
    desk.locator("main form button[type=submit]").last.click()
    desk.wait_for_url(re.compile(r"/receipt"))
    assert desk.locator(".qr svg").count() == 1
    assert "Lò Văn Páo" in desk.locator("main").inner_text()
    accessible(desk, "walk-in receipt")
