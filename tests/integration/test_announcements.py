"""Village announcements: staff of a commune publish for it and its villages, a village head only
for their village; bilingual title and text, an optional attachment judged by its content;
residents see their own commune and village first, search without accents, filter, page
through, and find expired ones under "past"; bad input is refused with its own message and
nothing changes."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Announcement, OutboxMessage, utcnow
from tests.integration.village_notices_world import (PDF, PNG, announcement_form, browser, day,
                                                     errors, key, publish, world)  # noqa: F401

NEW = "/vi/village/announcements/new"


def _count(session, model=Announcement) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def _stored_files(app) -> list:
    from pathlib import Path

    root = Path(app.config["UPLOAD_DIR"]) / "announcements"
    return sorted(root.iterdir()) if root.exists() else []


def _titles(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.select("li.notice h2 a, li.notice h3 a")]


# -- publishing -------------------------------------------------------------------------------

def test_staff_publish_a_bilingual_announcement_with_a_pdf_anyone_can_download(app, session,
                                                                                world):
    staff = browser(app, world["staff"])
    response = staff.submit(NEW, announcement_form(
        world["thon_a"], title_en="Vaccination day", body_en="Bring the vaccination book.",
        attachment=(io.BytesIO(PDF), "lịch tiêm.pdf")), content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    item = session.scalars(select(Announcement)).one()
    assert (item.unit_id, item.village_id) == (world["commune"].id, world["thon_a"].id)
    assert item.attachment_kind == "pdf" and item.attachment_name == "lịch tiêm.pdf"
    assert len(_stored_files(app)) == 1

    visitor = browser(app)
    page = visitor.get(f"/vi/village/announcements/{item.id}").page
    assert page.h1.get_text(strip=True) == "Ngày tiêm chủng"
    assert "Thôn Đông" in page.select_one("dl.facts").get_text()
    english = visitor.get(f"/en/village/announcements/{item.id}").page
    assert english.h1.get_text(strip=True) == "Vaccination day" and english.h1["lang"] == "en"
    download = visitor.get(f"/vi/village/announcements/{item.id}/attachment")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_an_announcement_without_english_shows_its_vietnamese_marked_as_such(app, session, world):
    item = publish(session, world["staff"], world["commune"], title_vi="Họp dân",
                   body_vi="Họp lúc 19 giờ.")
    page = browser(app).get(f"/en/village/announcements/{item.id}").page
    assert page.h1.get_text(strip=True) == "Họp dân" and page.h1["lang"] == "vi"
    assert "in Vietnamese only" in page.get_text()


def test_a_photo_attachment_is_shown_in_the_page(app, session, world):
    staff = browser(app, world["staff"])
    response = staff.submit(NEW, announcement_form(
        world["commune"], attachment=(io.BytesIO(PNG), "so-do.png")),
        content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    item = session.scalars(select(Announcement)).one()
    page = browser(app).get(f"/vi/village/announcements/{item.id}").page
    image = page.select_one("img.notice-image")
    assert image["src"].endswith(f"/announcements/{item.id}/attachment") and image["alt"]


def test_a_photo_attachment_is_published_without_where_it_was_taken(app, session, world):
    from tests.reports_world import jpeg

    staff = browser(app, world["staff"])
    photo = jpeg(gps=(21.5862, 105.8141), comment=b"Serial 998877")
    response = staff.submit(NEW, announcement_form(
        world["commune"], attachment=(io.BytesIO(photo), "IMG_0042.JPG")),
        content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    item = session.scalars(select(Announcement)).one()
    served = browser(app).get(f"/vi/village/announcements/{item.id}/attachment")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data.startswith(b"\xff\xd8\xff") and served.data != photo
    assert b"Exif" not in served.data and b"Serial" not in served.data


def test_an_attachment_that_only_begins_like_a_photo_is_refused(app, session, world):
    staff = browser(app, world["staff"])
    response = staff.submit(NEW, announcement_form(
        world["commune"], attachment=(io.BytesIO(b"\xff\xd8\xff\xe0" + b"junk" * 99), "a.jpg")),
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert any("Không đọc được ảnh" in e for e in errors(response)), errors(response)
    assert _count(session) == 0 and _stored_files(app) == []


def test_staff_of_another_commune_are_refused_and_nothing_is_saved(app, session, world):
    outsider = browser(app, world["outsider"])
    form = outsider.get(NEW).page
    offered = [o["value"] for o in form.select("#place option")]
    assert key(world["far"]) in offered and key(world["commune"]) not in offered
    response = outsider.submit(NEW, announcement_form(
        world["commune"], attachment=(io.BytesIO(PDF), "a.pdf")),
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert any("không phải cán bộ của xã này" in e for e in errors(response))
    assert response.page.select_one("#title_vi")["value"] == "Ngày tiêm chủng"  # kept
    assert _count(session) == 0 and _count(session, OutboxMessage) == 0
    assert _stored_files(app) == []


def test_a_village_head_publishes_only_for_their_own_village(app, session, world):
    head = browser(app, world["head"])
    offered = [o["value"] for o in head.get(NEW).page.select("#place option")]
    assert offered == [key(world["thon_a"])]
    for place in (world["thon_b"], world["commune"]):
        response = head.submit(NEW, announcement_form(place))
        assert response.status_code == 400
        assert any("chỉ được đăng cho thôn của mình" in e for e in errors(response))
    assert _count(session) == 0
    assert head.submit(NEW, announcement_form(world["thon_a"])).status_code == 302
    assert _count(session) == 1


def test_a_village_head_manages_their_villages_announcements_not_the_communes(app, session,
                                                                             world):
    own = publish(session, world["staff"], world["thon_a"])
    communes = publish(session, world["staff"], world["commune"])
    head = browser(app, world["head"])
    assert head.get(f"/vi/village/announcements/{own.id}/edit").status_code == 200
    assert head.get(f"/vi/village/announcements/{communes.id}/edit").status_code == 403
    assert head.get(f"/vi/village/announcements/{communes.id}/withdraw").status_code == 403
    token = head.csrf_token(f"/vi/village/announcements/{own.id}/withdraw")
    assert head.post(f"/vi/village/announcements/{communes.id}/withdraw",
                     data={"csrf_token": token}).status_code == 403
    session.rollback()
    assert session.get(Announcement, communes.id).status == "published"


def test_residents_cannot_publish(app, world):
    assert browser(app, world["resident_a"]).get(NEW).status_code == 403
    assert browser(app).get(NEW).status_code == 302


# -- editing and withdrawing ------------------------------------------------------------------

def test_staff_correct_an_announcement_and_replace_then_remove_its_file(app, session, world):
    staff = browser(app, world["staff"])
    staff.submit(NEW, announcement_form(world["thon_a"], attachment=(io.BytesIO(PDF), "a.pdf")),
                 content_type="multipart/form-data")
    item = session.scalars(select(Announcement)).one()
    first = _stored_files(app)
    edit = f"/vi/village/announcements/{item.id}/edit"
    page = staff.get(edit).page
    assert page.select_one("#title_vi")["value"] == "Ngày tiêm chủng"
    response = staff.submit(edit, announcement_form(
        world["thon_b"], title_vi="Ngày tiêm chủng (đổi địa điểm)",
        attachment=(io.BytesIO(PNG), "ban-do.png")), content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    session.refresh(item)
    assert item.title_vi.endswith("(đổi địa điểm)") and item.village_id == world["thon_b"].id
    assert item.attachment_kind == "jpeg" and item.attachment_name == "ban-do.jpg"
    assert _stored_files(app) != first and len(_stored_files(app)) == 1  # the old one is gone
    response = staff.submit(edit, announcement_form(world["thon_b"], remove_attachment="y"),
                            content_type="multipart/form-data")
    assert response.status_code == 302
    session.refresh(item)
    assert item.attachment_key is None and _stored_files(app) == []
    assert _count(session, OutboxMessage) == 0  # a correction messages nobody again


def test_a_withdrawn_announcement_leaves_the_public_but_not_its_managers(app, session, world):
    staff = browser(app, world["staff"])
    staff.submit(NEW, announcement_form(world["thon_a"], attachment=(io.BytesIO(PDF), "a.pdf")),
                 content_type="multipart/form-data")
    item = session.scalars(select(Announcement)).one()
    url = f"/vi/village/announcements/{item.id}"
    confirm = staff.get(f"{url}/withdraw")
    assert confirm.status_code == 200
    session.rollback()
    assert session.get(Announcement, item.id).status == "published"  # a GET changes nothing
    response = staff.submit(f"{url}/withdraw", {})
    assert response.status_code == 302
    session.rollback()
    assert session.get(Announcement, item.id).status == "withdrawn"

    visitor = browser(app, world["resident_a"])
    gone = visitor.get(url)
    assert gone.status_code == 404 and "đã được thu hồi" in gone.page.get_text()
    assert visitor.get(f"{url}/attachment").status_code == 404
    assert _titles(visitor.get("/vi/village/announcements").page) == []
    managed = staff.get(url)
    assert managed.status_code == 200 and "Đã thu hồi ngày" in managed.page.get_text()
    assert staff.get(f"{url}/edit").status_code == 302  # no editing a withdrawn notice


# -- reading ----------------------------------------------------------------------------------

def test_residents_see_their_own_village_and_commune_first(app, session, world):
    now = utcnow()
    publish(session, world["staff"], world["thon_a"], title_vi="Tin thôn Đông",
            now=now - timedelta(hours=4))
    publish(session, world["staff"], world["commune"], title_vi="Tin cả xã",
            now=now - timedelta(hours=3))
    publish(session, world["staff"], world["thon_b"], title_vi="Tin thôn Tây",
            now=now - timedelta(hours=2))
    publish(session, world["outsider"], world["far"], title_vi="Tin xã khác",
            now=now - timedelta(hours=1))
    mine = _titles(browser(app, world["resident_a"]).get("/vi/village/announcements").page)
    assert mine == ["Tin cả xã", "Tin thôn Đông", "Tin thôn Tây", "Tin xã khác"]
    theirs = _titles(browser(app, world["resident_b"]).get("/vi/village/announcements").page)
    assert theirs == ["Tin thôn Tây", "Tin cả xã", "Tin thôn Đông", "Tin xã khác"]
    anyone = _titles(browser(app).get("/vi/village/announcements").page)
    assert anyone == ["Tin xã khác", "Tin thôn Tây", "Tin cả xã", "Tin thôn Đông"]


def test_search_ignores_diacritics_and_filters_narrow_the_list(app, session, world):
    publish(session, world["staff"], world["commune"], title_vi="Lịch tiêm chủng mở rộng",
            category="vaccination")
    publish(session, world["staff"], world["thon_a"], title_vi="Cắt điện thôn Đông",
            category="power_cut", title_en="Power cut", body_en="No power 7:00–16:00.")
    publish(session, world["staff"], world["thon_b"], title_vi="Họp thôn Tây")
    client = browser(app)
    assert _titles(client.get("/vi/village/announcements?q=tiem+chung").page) == [
        "Lịch tiêm chủng mở rộng"]
    assert _titles(client.get("/vi/village/announcements?q=CAT+DIEN").page) == [
        "Cắt điện thôn Đông"]
    assert _titles(client.get("/vi/village/announcements?q=power").page) == [
        "Cắt điện thôn Đông"]
    assert _titles(client.get("/vi/village/announcements?category=power_cut").page) == [
        "Cắt điện thôn Đông"]
    # A village's own notices and those for its whole commune.
    village = _titles(client.get(f"/vi/village/announcements?village={world['thon_b'].id}").page)
    assert sorted(village) == ["Họp thôn Tây", "Lịch tiêm chủng mở rộng"]
    assert _titles(client.get(f"/vi/village/announcements?commune={world['far'].id}").page) == []
    nothing = client.get("/vi/village/announcements?q=khong+co+gi")
    assert "Không có thông báo nào phù hợp" in nothing.page.get_text()


def test_the_list_is_paginated(app, session, world):
    now = utcnow()
    for i in range(12):
        publish(session, world["staff"], world["commune"], title_vi=f"Thông báo số {i:02d}",
                now=now - timedelta(minutes=20 - i))
    client = browser(app)
    first = client.get("/vi/village/announcements").page
    assert len(_titles(first)) == 10 and "Tìm thấy 12 thông báo." in first.get_text()
    second = client.get(first.select_one("a[rel=next]")["href"]).page
    assert _titles(second) == ["Thông báo số 01", "Thông báo số 00"]


def test_expired_announcements_leave_the_list_but_stay_reachable(app, session, world):
    old = publish(session, world["staff"], world["commune"], title_vi="Họp tháng trước",
                  now=utcnow() - timedelta(days=30),
                  valid_from=(utcnow() - timedelta(days=30)).date(),
                  valid_until=(utcnow() - timedelta(days=29)).date())
    publish(session, world["staff"], world["commune"], title_vi="Họp tuần này")
    client = browser(app)
    assert _titles(client.get("/vi/village/announcements").page) == ["Họp tuần này"]
    assert _titles(client.get("/vi/village/announcements?period=past").page) == [
        "Họp tháng trước"]
    page = client.get(f"/vi/village/announcements/{old.id}")
    assert page.status_code == 200 and "áp dụng đến ngày" in page.page.get_text()


def test_the_board_shows_alerts_then_announcements_then_needs(app, session, world):
    from tests.integration.village_notices_world import issue

    publish(session, world["staff"], world["thon_a"], title_vi="Họp thôn")
    issue(session, world["staff"], world["thon_b"], title_vi="Lũ thôn Tây")
    page = browser(app).get("/vi/village/").page
    headings = [h.get("id") for h in page.select("main h2[id]")]
    assert headings == ["board-alerts", "board-announcements", "needs"]
    assert "Lũ thôn Tây" in page.select_one("section[aria-labelledby=board-alerts]").get_text()
    assert "Họp thôn" in page.select_one(
        "section[aria-labelledby=board-announcements]").get_text()


# -- bad input --------------------------------------------------------------------------------

BAD = [
    ({"valid_from": day(5), "valid_until": day(2)}, "cannot be before the first day"),
    ({"valid_from": day(-5), "valid_until": day(-1)}, "has already passed"),
    ({"title_vi": "   "}, "Write the title in Vietnamese"),
    ({"body_vi": ""}, "Write the text in Vietnamese"),
    ({"title_en": "Meeting"}, "add the English text too"),
    ({"body_en": "Come at 7."}, "add its English title too"),
    ({"valid_from": "31/02/2026"}, "Enter a real date"),
    ({"category": "party"}, "Not a valid choice"),
    # Files as (bytes, name): each run of the test opens its own stream.
    ({"attachment": (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf")},
     "too large: at most 5 MB"),
    ({"attachment": (b"just text, not a PDF", "fake.pdf")},
     "Attach a PDF, JPEG or PNG"),
    ({"attachment": (PDF, "photo.png")}, "does not match its content"),
]


@pytest.mark.parametrize("change, message", BAD, ids=[m for _c, m in BAD])
def test_bad_input_is_refused_with_its_own_message_and_nothing_changes(app, session, world,
                                                                       change, message):
    if "attachment" in change:
        data, name = change["attachment"]
        change = dict(change, attachment=(io.BytesIO(data), name))
    staff = browser(app, world["staff"])
    response = staff.submit("/en/village/announcements/new",
                            announcement_form(world["thon_a"], **change),
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert any(message in e for e in errors(response)), errors(response)
    assert response.page.select_one("#body_vi").get_text().strip() == change.get(
        "body_vi", "Mang theo sổ tiêm chủng.")
    assert _count(session) == 0 and _count(session, OutboxMessage) == 0
    assert _stored_files(app) == []


def test_refusals_are_worded_in_the_pages_language(app, session, world):
    staff = browser(app, world["staff"], lang="vi")
    response = staff.submit("/vi/village/announcements/new", announcement_form(
        world["thon_a"], valid_from=day(5), valid_until=day(2)))
    assert any("Ngày cuối không thể trước ngày đầu" in e for e in errors(response))
    response = staff.submit("/en/village/announcements/new", announcement_form(
        world["thon_a"], valid_from=day(5), valid_until=day(2)))
    assert any("cannot be before the first day" in e for e in errors(response))


def test_an_edit_keeps_an_end_day_that_has_passed_since(app, session, world):
    item = publish(session, world["staff"], world["commune"], now=utcnow() - timedelta(days=10),
                   valid_from=(utcnow() - timedelta(days=10)).date(),
                   valid_until=(utcnow() - timedelta(days=5)).date())
    staff = browser(app, world["staff"])
    response = staff.submit(f"/vi/village/announcements/{item.id}/edit", announcement_form(
        world["commune"], title_vi="Sửa chính tả", valid_from=item.valid_from.isoformat(),
        valid_until=item.valid_until.isoformat()))
    assert response.status_code == 302, errors(response)
