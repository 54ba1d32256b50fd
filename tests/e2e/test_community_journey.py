"""A community initiative on phones, in Vietnamese: the administrator sets the commune's
threshold to 2 (only an administrator may); a resident proposes one with a photo; two
neighbours support it past the threshold, which makes it a case for the department the demo
commune routes initiatives to (Văn hóa – Xã hội); its intake officer receives it and its leader
starts it and answers "accepted" with a plan; a business partner pledges materials; the
department's officer marks it delivered from the initiative's page (htmx swaps the pledges in
place); the author sees the answer and the pledge; the officer opens the moderation queue the
demo's reports filled. axe-core checks the pages on the way."""
from __future__ import annotations

import re

import pytest

from tests.e2e.test_dossier_journey import accessible, act, log_in

pytestmark = pytest.mark.e2e

AUTHOR, FIRST, SECOND = "0388000101", "0388000102", "0388000103"   # demo neighbours
PARTNER_CONTACT = "0912345678"   # the demo resident runs the demo building-supplies business
ADMIN = "quantri@conglang.demo"      # only for the commune's settings (an administrator's page)
# Văn hóa – Xã hội of Xã Đại Phúc, where the demo routes initiatives (app/demo/queue_seed.py):
# the intake officer (role officer, intake desk, skill "initiative") receives a new case, and
# only intake may; starting and answering need the case's assignee or the department's leader,
# and an initiative's case waits unassigned in the queue (a "pull" rule), so its leader does.
OFFICER = "hanh.mt@conglang.demo"   # Mai Thị Hạnh
LEADER = "ngoc.tt@conglang.demo"    # Trịnh Thị Ngọc, role leader
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

    officer = new_context().new_page()
    log_in(officer, "vi", OFFICER)
    officer.goto(f"/vi/workbench/cases/{case_id}")
    accessible(officer, "the initiative's case")
    act(officer, "Tiếp nhận")

    leader = new_context().new_page()
    log_in(leader, "vi", LEADER)
    leader.goto(f"/vi/workbench/cases/{case_id}")
    act(leader, "Bắt đầu xử lý")
    leader.goto(f"/vi/community/cases/{case_id}/answer")
    accessible(leader, "the official answer")
    leader.locator("input[type=radio][value=accept]").check()
    plan = "Xã hỗ trợ cột và lắp đặt trong tháng 12; bà con góp ngày công."
    leader.locator("#text").fill(plan)
    with leader.expect_navigation():
        leader.locator("form.panel button[type=submit]").click()
    assert f"/vi/workbench/cases/{case_id}" in leader.url

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
    officer.goto(f"/vi/community/initiatives/{initiative_id}")
    with officer.expect_response(lambda r: r.url.endswith("/delivered")
                                 and r.request.method == "POST") as delivered:
        officer.locator("#pledges form[action$='/delivered'] button[type=submit]").click()
    assert delivered.value.status == 200
    officer.locator("#pledges .flash-success").wait_for()
    assert "Đã trao" in officer.locator("#pledges").inner_text()
    assert officer.url.endswith(f"/vi/community/initiatives/{initiative_id}")

    author.goto(f"/vi/community/initiatives/{initiative_id}")
    text = author.locator("main").inner_text()
    assert plan in text
    assert "Công ty TNHH Vật liệu xây dựng Đại Phúc" in text and "Đã trao" in text
    accessible(author, "the initiative, answered and pledged")
    author.goto("/vi/community/initiatives?sort=closing")
    accessible(author, "the initiatives, closing soon")
    officer.goto("/vi/community/moderation")
    assert "Bán đất nền giá rẻ" in officer.locator("main").inner_text()
    accessible(officer, "the moderation queue")
    author.goto("/vi/community/")
    accessible(author, "the initiatives list")

    from app.models import CaseEvent, Pledge, User

    with live_server.app.app_context():  # who did each step: the department's staff, not admin
        email = {u.id: u.email for u in db.session.query(User).filter(User.email.isnot(None))}
        initiative = db.session.get(Initiative, initiative_id)
        actors = {e.action: email.get(e.actor_id) for e in db.session.query(CaseEvent)
                  .filter(CaseEvent.case_id == case_id)}
        pledge = db.session.query(Pledge).filter(Pledge.initiative_id == initiative_id).one()
        answered_by, delivered_by = email[initiative.answered_by_id], email[pledge.delivered_by_id]
        db.session.remove()
    assert (actors["receive"], actors["start"], actors["complete"]) == (OFFICER, LEADER, LEADER)
    assert (answered_by, delivered_by) == (LEADER, OFFICER)
