"""A community initiative on phones, in Vietnamese: a resident proposes one with a photo; two
neighbours support it past the commune's threshold of 2, which makes it a case; an officer
answers "accepted" with a plan; a business partner pledges materials; the author sees the
answer and the pledge; staff mark it delivered from the initiative's page (htmx swaps the
pledges in place); a moderator opens the queue the demo's reports filled. axe-core checks the
pages on the way."""
from __future__ import annotations

import re

import pytest

from tests.e2e.test_dossier_journey import accessible, act, log_in

pytestmark = pytest.mark.e2e

AUTHOR, FIRST, SECOND = "0388000101", "0388000102", "0388000103"   # demo neighbours
PARTNER_CONTACT = "0912345678"   # the demo resident runs the demo building-supplies business
ADMIN = "quantri@conglang.demo"
# The smallest valid PNG: a 1×1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_an_initiative_from_proposal_to_pledge(new_context, live_server):
    admin = new_context().new_page()
    log_in(admin, "vi", ADMIN)
    admin.goto("/vi/community/settings")
    admin.locator("select#unit").select_option(label="Xã Đại Phúc")
    admin.locator("main form[method=get] button[type=submit]").click()
    admin.wait_for_url(re.compile(r"unit=\d+"))
    admin.locator("#support_threshold").fill("2")
    with admin.expect_navigation():
        admin.locator("main form[method=post] button[type=submit]").click()

    author = new_context().new_page()
    log_in(author, "vi", AUTHOR)
    author.goto("/vi/community/initiatives/new")
    accessible(author, "propose an initiative")
    author.locator("#title").fill("Lắp đèn năng lượng mặt trời ngõ xóm 2")
    author.locator("#description").fill("Ngõ xóm 2 tối, trẻ em đi học về không an toàn.")
    author.locator("#photo").set_input_files(
        {"name": "ngo-xom.png", "mimeType": "image/png", "buffer": PNG})
    author.locator("#need_kind_0").select_option("materials")
    author.locator("#need_description_0").fill("Đèn năng lượng mặt trời")
    author.locator("#need_quantity_0").fill("20")
    author.locator("#need_unit_0").fill("bộ")
    author.locator("button[name=action][value=publish]").click()
    author.wait_for_url(re.compile(r"/vi/community/initiatives/\d+$"))
    initiative_id = int(re.search(r"/initiatives/(\d+)$", author.url).group(1))
    accessible(author, "the initiative")

    for phone in (FIRST, SECOND):
        neighbour = new_context().new_page()
        log_in(neighbour, "vi", phone)
        neighbour.goto(f"/vi/community/initiatives/{initiative_id}")
        # htmx sends it and swaps the support box in place: wait for the answer, not a page.
        with neighbour.expect_response(lambda r: r.url.endswith("/support")
                                       and r.request.method == "POST") as answer:
            neighbour.locator("form[action$='/support'] button[type=submit]").click()
        assert answer.value.status == 200

    from app.extensions import db
    from app.models import Initiative

    with live_server.app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        case_id, supports = initiative.case_id, initiative.support_count
        db.session.remove()
    assert supports == 2 and case_id is not None, "the second support must make it a case"

    admin.goto(f"/vi/workbench/cases/{case_id}")
    act(admin, "Tiếp nhận")
    act(admin, "Bắt đầu xử lý")
    admin.goto(f"/vi/community/cases/{case_id}/answer")
    accessible(admin, "the official answer")
    admin.locator("input[type=radio][value=accept]").check()
    plan = "Xã hỗ trợ cột và lắp đặt trong tháng 12; bà con góp ngày công."
    admin.locator("#text").fill(plan)
    with admin.expect_navigation():
        admin.locator("form.panel button[type=submit]").click()

    partner = new_context().new_page()
    log_in(partner, "vi", PARTNER_CONTACT)
    partner.goto(f"/vi/community/initiatives/{initiative_id}/pledge")
    accessible(partner, "pledge help")
    partner.locator("#partner_id").select_option(label="Công ty TNHH Vật liệu xây dựng Đại Phúc")
    partner.locator("#quantity").fill("8")
    partner.locator("#note").fill("Giao trước ngày 15/12.")
    partner.locator("form.panel button[type=submit]").click()
    partner.wait_for_url(re.compile(rf"/vi/community/initiatives/{initiative_id}$"))

    # Staff of the commune mark the pledge delivered where they read it: htmx answers the
    # refreshed pledges, which replace the old ones without a new page.
    admin.goto(f"/vi/community/initiatives/{initiative_id}")
    with admin.expect_response(lambda r: r.url.endswith("/delivered")
                               and r.request.method == "POST") as delivered:
        admin.locator("#pledges form[action$='/delivered'] button[type=submit]").click()
    assert delivered.value.status == 200
    admin.locator("#pledges .flash-success").wait_for()
    assert "Đã trao" in admin.locator("#pledges").inner_text()
    assert admin.url.endswith(f"/vi/community/initiatives/{initiative_id}")

    author.goto(f"/vi/community/initiatives/{initiative_id}")
    text = author.locator("main").inner_text()
    assert plan in text
    assert "Công ty TNHH Vật liệu xây dựng Đại Phúc" in text and "Đã trao" in text
    accessible(author, "the initiative, answered and pledged")
    author.goto("/vi/community/initiatives?sort=closing")
    accessible(author, "the initiatives, closing soon")
    admin.goto("/vi/community/moderation")
    assert "Bán đất nền giá rẻ" in admin.locator("main").inner_text()
    accessible(admin, "the moderation queue")
    author.goto("/vi/community/")
    accessible(author, "the initiatives list")
