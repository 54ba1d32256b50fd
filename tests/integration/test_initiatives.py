"""Community initiatives: propose, edit (with versions), withdraw, support once, the threshold
turning an initiative into a case exactly once (also under concurrent supports), the official
answer reaching author and supporters in their languages, progress, list and search, access."""
from __future__ import annotations

import io
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.community import initiatives_service as svc
from app.models import (Case, CommunitySettings, Initiative, InitiativeSupport,
                        InitiativeVersion, OutboxMessage, RoutingRule)
from app.queue.actions import perform
from tests.conftest import only_on
from tests.factories import make_department, make_officer, make_unit, make_user

PASSWORD = "initiative-pass-1"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def place(session):
    commune = make_unit(session, level="commune", name_vi="Xã Đại Phúc")
    village = make_unit(session, level="village", parent=commune, name_vi="Thôn Đông")
    other = make_unit(session, level="commune")
    dept = make_department(session, commune, case_types="initiative")
    officer = make_officer(session, dept, desk="intake", password=PASSWORD,
                           skills=svc.CATEGORIES)
    other_dept = make_department(session, other, case_types="initiative")
    stranger = make_officer(session, other_dept, desk="specialist", password=PASSWORD)
    session.add(RoutingRule(case_type="initiative", unit_id=commune.id, department_id=dept.id,
                            mode="assign", active=True))
    author = make_user(session, password=PASSWORD, commune=commune, email="author@t.test")
    people = [make_user(session, password=PASSWORD, email=f"p{i}@t.test") for i in range(4)]
    people[0].locale = "en"
    session.add(CommunitySettings(unit_id=commune.id, support_threshold=2,
                                  allow_self_support=False, flag_threshold=3))
    session.commit()
    return {"commune": commune, "village": village, "dept": dept, "officer": officer,
            "stranger": stranger, "author": author, "people": people}


def _input(place, **changes):
    data = dict(title="Lắp đèn đường thôn Đông", description="Đường tối, trẻ em đi học về muộn.",
                unit_id=place["commune"].id, village_id=place["village"].id, category="safety",
                estimated_cost="45.000.000",
                needs=[svc.NeedInput("money", "Mua đèn", "45.000.000", ""),
                       svc.NeedInput("labour", "Lắp đặt", "10", "ngày công")])
    data.update(changes)
    return svc.InitiativeInput(**data)


def _published(session, place, **changes):
    return svc.propose(session, place["author"], _input(place, **changes), publish=True, now=NOW)


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _login(client, user, lang="vi"):
    response = client.login(user.email or user.phone, PASSWORD, lang=lang)
    assert response.status_code == 302


# -- propose ---------------------------------------------------------------------------------

def test_propose_through_the_page_with_a_photo_and_needs(client, session, place):
    _login(client, place["author"])
    url = "/vi/community/initiatives/new"
    response = client.submit(url, {
        "title": "Sửa cầu tre", "description": "Cầu hỏng.", "unit_id": place["commune"].id,
        "village_id": place["village"].id, "category": "roads", "estimated_cost": "12.000.000",
        "need_kind_0": "materials", "need_description_0": "Xi măng", "need_quantity_0": "20",
        "need_unit_0": "bao", "action": "publish",
        "photo": (io.BytesIO(PNG), "cau.png")}, content_type="multipart/form-data")
    assert response.status_code == 302, [e.get_text() for e in response.page.select(".error-message, .error-summary, .flash")]
    item = session.scalar(select(Initiative))
    assert item.status == "published" and item.estimated_cost == 12_000_000
    assert item.photo_kind == "jpeg" and item.search_text.startswith("sua cau tre")
    assert [(n.kind, n.quantity, n.unit_label) for n in item.needs] == [("materials", 20, "bao")]
    page = client.get(f"/vi/community/initiatives/{item.id}")
    assert page.status_code == 200
    served = client.get(f"/vi/community/initiatives/{item.id}/photo")
    assert served.mimetype == "image/jpeg" and served.data.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("cost, words", [
    ("-5", "negative"), ("abc", "whole number"), ("9.999.999.999.999", "too large")])
def test_bad_amounts_are_refused_and_the_form_keeps_what_was_typed(client, session, place,
                                                                   cost, words):
    _login(client, place["author"], lang="en")
    response = client.submit("/en/community/initiatives/new", {
        "title": "Giữ lại", "description": "Mô tả", "unit_id": place["commune"].id,
        "category": "roads", "estimated_cost": cost, "action": "publish"})
    assert response.status_code == 400
    assert words in response.page.get_text()
    assert response.page.find("input", attrs={"name": "title"})["value"] == "Giữ lại"
    assert _count(session, Initiative) == 0


def test_bad_photos_are_refused(session, place):
    with pytest.raises(svc.InitiativeError) as fake:
        svc.propose(session, place["author"], _input(place),
                    svc.Photo(b"\xff\xd8 this is not a jpeg at all", "x.jpg"))
    assert fake.value.code == "photo_bad_type"
    with pytest.raises(svc.InitiativeError) as broken:  # a JPEG's first bytes, then nothing
        svc.propose(session, place["author"], _input(place),
                    svc.Photo(b"\xff\xd8\xff\xe0" + b"not a picture" * 50, "x.jpg"))
    assert broken.value.code == "photo_unreadable"
    with pytest.raises(svc.InitiativeError) as large:
        svc.propose(session, place["author"], _input(place),
                    svc.Photo(PNG + b"\0" * svc.PHOTO_MAX_BYTES, "x.png"))
    assert large.value.code == "photo_too_large"
    with pytest.raises(svc.InitiativeError) as village:
        svc.propose(session, place["author"],
                    _input(place, village_id=make_unit(session, level="village").id))
    assert village.value.code == "village_not_in_commune"
    with pytest.raises(svc.InitiativeError) as needs:
        svc.propose(session, place["author"], _input(
            place, needs=[svc.NeedInput("money", "x", "-1")]))
    assert needs.value.code == "quantity_negative"
    assert _count(session, Initiative) == 0


def test_a_draft_is_seen_by_its_author_only(client, session, place):
    draft = svc.propose(session, place["author"], _input(place), publish=False)
    url = f"/vi/community/initiatives/{draft.id}"
    assert client.get(url).status_code == 404
    _login(client, place["people"][1])
    assert client.get(url).status_code == 404
    assert draft.title not in client.get("/vi/community/initiatives").page.get_text()
    client.post("/vi/account/logout", data={"csrf_token": client.csrf_token("/vi/")})
    other = client.application.test_client()
    _login(other, place["author"])
    listing = other.get("/vi/community/initiatives")
    assert draft.title in listing.page.get_text()  # in "my initiatives"
    assert other.get(url).status_code == 200
    response = other.submit(f"/vi/community/initiatives/{draft.id}/publish", form_url=url)
    assert response.status_code == 302
    session.refresh(draft)
    assert draft.status == "published" and draft.published_at is not None


def test_hidden_initiatives_are_404_for_non_staff(client, session, place):
    item = _published(session, place)
    item.status = "hidden"
    session.commit()
    url = f"/vi/community/initiatives/{item.id}"
    assert client.get(url).status_code == 404
    _login(client, place["author"])
    assert client.get(url).status_code == 404
    staff = client.application.test_client()
    _login(staff, place["officer"])
    assert staff.get(url).status_code == 200


# -- edit and withdraw -----------------------------------------------------------------------

def test_each_edit_keeps_the_old_text_as_a_version_everyone_sees(client, session, place):
    item = _published(session, place)
    svc.edit(session, item.id, place["author"], _input(place, title="Lắp 20 đèn đường"))
    svc.edit(session, item.id, place["author"], _input(place, title="Lắp 25 đèn đường"))
    session.refresh(item)
    assert item.version == 3 and item.title == "Lắp 25 đèn đường"
    assert [v.title for v in svc.versions(session, item.id)] == [
        "Lắp đèn đường thôn Đông", "Lắp 20 đèn đường"]
    page = client.get(f"/en/community/initiatives/{item.id}").page.get_text()
    assert "Edited 2 times" in page and "Lắp 20 đèn đường" in page


def test_a_version_keeps_the_category_village_and_needs_the_edit_replaced(client, session,
                                                                           place):
    item = _published(session, place)
    svc.edit(session, item.id, place["author"], _input(
        place, category="roads", village_id=None,
        needs=[svc.NeedInput("materials", "Cột đèn", "12", "cột")]))
    session.refresh(item)
    assert (item.category, item.village_id) == ("roads", None)
    (old,) = svc.versions(session, item.id)
    assert (old.category, old.village_id) == ("safety", place["village"].id)
    assert old.needs == [
        {"kind": "money", "description": "Mua đèn", "quantity": 45_000_000, "unit_label": None},
        {"kind": "labour", "description": "Lắp đặt", "quantity": 10, "unit_label": "ngày công"}]
    versions = client.get(f"/vi/community/initiatives/{item.id}").page.select_one(
        "#versions-title").find_parent("section").get_text()
    assert "Thôn Đông" in versions and "Mua đèn" in versions and "45.000.000" in versions
    assert "Cột đèn" not in versions  # the needs as they are now are shown above, not here


def test_a_version_keeps_the_photo_the_edit_replaced(app, client, session, place):
    from tests.reports_world import jpeg

    first, second = (svc.Photo(jpeg(size=(40, 30), colour=colour), f"anh{n}.jpg")
                     for n, colour in ((1, (200, 40, 40)), (2, (40, 40, 200))))
    item = svc.propose(session, place["author"], _input(place), first, publish=True, now=NOW)
    first_bytes = client.get(f"/vi/community/initiatives/{item.id}/photo").data
    svc.edit(session, item.id, place["author"], _input(place, title="Ảnh mới"), second)
    svc.edit(session, item.id, place["author"], _input(place, title="Chỉ sửa chữ"))
    session.refresh(item)
    one, two = svc.versions(session, item.id)
    assert one.photo_key and one.photo_key != item.photo_key == two.photo_key
    # The page shows the old photo with the version it belonged to, and not the current one
    # again under the version that did not change it.
    section = client.get(f"/en/community/initiatives/{item.id}").page.select_one(
        "#versions-title").find_parent("section")
    images = [img["src"] for img in section.select("img")]
    assert images == [f"/en/community/initiatives/{item.id}/photo?version=1"]
    assert section.select_one("img")["alt"] == "Photo of version 1"
    assert section.select_one("img")["loading"] == "lazy"
    assert client.get(images[0]).data == first_bytes
    current = client.get(f"/en/community/initiatives/{item.id}/photo").data
    assert current != first_bytes
    assert client.get(f"/en/community/initiatives/{item.id}/photo?version=2").data == current
    assert client.get(f"/en/community/initiatives/{item.id}/photo?version=9").status_code == 404


def test_someone_else_cannot_edit(client, session, place):
    item = _published(session, place)
    _login(client, place["people"][1])
    assert client.get(f"/vi/community/initiatives/{item.id}/edit").status_code == 403
    with pytest.raises(svc.InitiativeError):
        svc.edit(session, item.id, place["people"][1], _input(place, title="Của tôi"))


def test_withdraw_needs_confirmation(client, session, place):
    item = _published(session, place)
    _login(client, place["author"])
    url = f"/vi/community/initiatives/{item.id}/withdraw"
    assert client.submit(url, {}).status_code == 400
    session.refresh(item)
    assert item.status == "published"
    assert client.submit(url, {"confirm": "y"}).status_code == 302
    session.refresh(item)
    assert item.status == "withdrawn"
    listed = client.get("/vi/community/initiatives?q=den").page.find(id="results").get_text()
    assert item.title not in listed


# -- support and the threshold ---------------------------------------------------------------

def test_support_once_not_own_not_draft(client, session, place):
    item = _published(session, place)
    first = place["people"][1]
    svc.support(session, item.id, first)
    with pytest.raises(svc.InitiativeError) as twice:
        svc.support(session, item.id, first)
    assert twice.value.code == "twice"
    with pytest.raises(svc.InitiativeError) as own:
        svc.support(session, item.id, place["author"])
    assert own.value.code == "own"
    draft = svc.propose(session, place["author"], _input(place))
    with pytest.raises(svc.InitiativeError) as closed:
        svc.support(session, draft.id, first)
    assert closed.value.code == "not_found"
    session.refresh(item)
    assert item.support_count == 1 and _count(session, InitiativeSupport) == 1
    # Through the page: a second support is a clear message, nothing changes.
    _login(client, first, lang="en")
    response = client.submit(f"/en/community/initiatives/{item.id}/support",
                             form_url=f"/en/community/initiatives/{item.id}",
                             follow_redirects=True)
    assert "You already support this initiative" in response.page.get_text()
    session.refresh(item)
    assert item.support_count == 1


def test_self_support_when_the_commune_allows_it(session, place):
    session.get(CommunitySettings, place["commune"].id).allow_self_support = True
    session.commit()
    item = _published(session, place)
    assert svc.support(session, item.id, place["author"]).initiative.support_count == 1


def test_reaching_the_threshold_makes_exactly_one_case(session, place):
    item = _published(session, place)
    assert not svc.support(session, item.id, place["people"][1], now=NOW).became_case
    result = svc.support(session, item.id, place["people"][2], now=NOW)
    assert result.became_case
    session.refresh(item)
    case = session.get(Case, item.case_id)
    assert item.status == "under_evaluation"
    assert case.case_type == "initiative" and case.code == f"SK-{item.id}"
    assert case.unit_id == place["commune"].id and case.applicant_id == place["author"].id
    assert case.due_at > NOW and case.department_id == place["dept"].id
    # More supporters still count, but no second case.
    assert not svc.support(session, item.id, place["people"][3], now=NOW).became_case
    assert _count(session, Case) == 1


def test_concurrent_supports_make_one_case(app, session, place):
    from app.extensions import db

    session.get(CommunitySettings, place["commune"].id).support_threshold = 3
    supporters = [make_user(session, password=PASSWORD) for _ in range(6)]
    item = _published(session, place)
    item_id = item.id
    ids = [u.id for u in supporters]
    session.commit()
    engine = db.engine
    start = threading.Barrier(len(ids))
    won, errors = [], []

    def one(user_id: int) -> None:
        with app.app_context(), Session(engine) as own:
            try:
                user = own.get(svc.User, user_id)
                start.wait(timeout=10)
                won.append(svc.support(own, item_id, user, now=NOW).became_case)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert won.count(True) == 1
    session.expire_all()
    item = session.get(Initiative, item_id)
    assert item.support_count == 6 and item.case_id is not None
    assert _count(session, Case) == 1


# -- the answer ------------------------------------------------------------------------------

def _to_case(session, place):
    item = _published(session, place)
    svc.support(session, item.id, place["people"][0], now=NOW)
    svc.support(session, item.id, place["people"][1], now=NOW)
    session.refresh(item)
    return item


def test_past_its_threshold_without_a_rule_the_worker_makes_its_case_later(
        app, session, place):
    rule = session.scalars(select(RoutingRule).where(RoutingRule.case_type == "initiative")).one()
    rule.active = False
    session.commit()
    item = _to_case(session, place)  # two supports: the threshold, but nowhere to route
    assert item.status == "published" and item.case_id is None
    assert svc.open_waiting_cases(session, NOW) == 0  # still no rule: nothing made, no error
    rule = session.scalars(select(RoutingRule).where(RoutingRule.case_type == "initiative")).one()
    rule.active = True
    session.commit()
    item_id, dept_id = item.id, place["dept"].id  # the worker ends the session it shares
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "initiative_cases=1" in result.stdout, result.output
    item = session.get(Initiative, item_id)
    assert item.status == "under_evaluation" and item.case_id is not None
    assert session.get(Case, item.case_id).department_id == dept_id
    assert svc.open_waiting_cases(session, NOW) == 0  # once only
    assert _count(session, Case) == 1


def test_the_officer_answers_in_the_workbench_and_everyone_hears_in_their_language(
        client, session, place):
    item = _to_case(session, place)
    case = session.get(Case, item.case_id)
    officer = place["officer"]
    assert case.assignee_id == officer.id
    _login(client, officer)
    url = f"/vi/community/cases/{case.id}/answer"
    # Not yet being processed: back to the case with the reason.
    assert client.get(url).status_code == 302
    perform(session, case.id, "receive", officer)
    perform(session, case.id, "start", officer)
    session.refresh(item)
    session.refresh(case)
    version = case.version
    response = client.submit(url, {"decision": "accept", "text": "", "version": version})
    assert response.status_code == 400
    response = client.submit(url, {"decision": "accept", "text": "Lắp 20 đèn trong quý I.",
                                   "version": version})
    assert response.status_code == 302
    session.expire_all()
    item = session.get(Initiative, item.id)
    assert item.status == "accepted" and item.answer == "Lắp 20 đèn trong quý I."
    assert item.answered_by_id == officer.id and session.get(Case, case.id).state == 9
    messages = {m.user_id: m for m in session.scalars(select(OutboxMessage))}
    english, vietnamese = place["people"][0], place["people"][1]
    assert set(messages) >= {place["author"].id, english.id, vietnamese.id}
    assert messages[english.id].subject.startswith("Official answer")
    # Each in their own language (the Vietnamese text arrives with the merged catalogue).
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        in_vietnamese = gettext("Official answer to initiative “%(title)s”", title=item.title)
    assert messages[vietnamese.id].subject == in_vietnamese
    assert messages[place["author"].id].subject == in_vietnamese
    # After the answer: no edit, no withdraw.
    with pytest.raises(svc.InitiativeError) as late:
        svc.edit(session, item.id, place["author"], _input(place, title="Muộn"))
    assert late.value.code == "answered"
    assert _count(session, InitiativeVersion) == 0
    author = client.application.test_client()
    _login(author, place["author"])
    assert author.get(f"/vi/community/initiatives/{item.id}/edit").status_code == 302


def test_reject_with_a_reason_and_officers_elsewhere_are_refused(client, session, place):
    item = _to_case(session, place)
    perform(session, item.case_id, "receive", place["officer"])
    perform(session, item.case_id, "start", place["officer"])
    _login(client, place["stranger"])
    assert client.get(f"/vi/community/cases/{item.case_id}/answer").status_code == 403
    svc.answer(session, item.case_id, place["officer"], accepted=False, text="Không đủ kinh phí.")
    session.refresh(item)
    assert item.status == "rejected" and item.answered_at is not None
    with pytest.raises(svc.InitiativeError):
        svc.answer(session, item.case_id, place["officer"], accepted=True, text="Đổi ý")


def test_the_workbench_shows_the_initiative(client, session, place):
    item = _to_case(session, place)
    _login(client, place["officer"])
    page = client.get(f"/vi/workbench/cases/{item.case_id}")
    assert page.status_code == 200
    assert item.title in page.page.get_text()


def test_progress_by_staff_of_the_commune_tells_the_followers(client, session, place):
    item = _to_case(session, place)
    perform(session, item.case_id, "receive", place["officer"])
    perform(session, item.case_id, "start", place["officer"])
    svc.answer(session, item.case_id, place["officer"], accepted=True, text="Kế hoạch.")
    before = _count(session, OutboxMessage)
    with pytest.raises(svc.InitiativeError):
        svc.post_update(session, item.id, place["stranger"], "Không phải xã tôi")
    _login(client, place["officer"])
    url = f"/vi/community/initiatives/{item.id}/progress"
    assert client.submit(url, {"body": "Đã mua 10 đèn."}).status_code == 302
    session.refresh(item)
    assert item.status == "in_progress"
    assert _count(session, OutboxMessage) == before + 3
    assert client.submit(url, {"body": "Xong.", "done": "y"}).status_code == 302
    session.refresh(item)
    assert item.status == "done"
    assert "Đã mua 10 đèn." in client.get(f"/vi/community/initiatives/{item.id}").page.get_text()


# -- list and search -------------------------------------------------------------------------

def test_list_search_ignores_accents_sorts_and_pages(client, session, place):
    for n in range(12):
        _published(session, place, title=f"Sáng kiến số {n}", description="Trồng cây xanh")
    lamp = _published(session, place, title="Đèn đường thôn Đông")
    svc.support(session, lamp.id, place["people"][1])
    found = client.get("/vi/community/initiatives?q=den+duong").page.get_text()
    assert "Đèn đường thôn Đông" in found and "Sáng kiến số 3" not in found
    top = client.get("/vi/community/initiatives?sort=supported").page
    assert top.find("h2").get_text(strip=True) in ("Đèn đường thôn Đông",) or \
        "Đèn đường thôn Đông" in top.find("ul", class_="cards").find("li").get_text()
    first = client.get("/vi/community/initiatives").page
    assert first.find("a", rel="next") is not None
    second = client.get("/vi/community/initiatives?page=2").page.get_text()
    assert "Sáng kiến số 0" in second
    empty = client.get("/en/community/initiatives?q=zzzz").page.get_text()
    assert "No initiative matches" in empty
    by_village = client.get(f"/vi/community/initiatives?commune={place['commune'].id}"
                            f"&village={place['village'].id}")
    assert by_village.status_code == 200


# -- settings --------------------------------------------------------------------------------

def test_admin_sets_the_threshold_and_bad_values_are_refused(client, session, place):
    admin = make_user(session, role="admin", password=PASSWORD)
    session.commit()
    _login(client, admin, lang="en")
    url = f"/en/community/settings?unit={place['commune'].id}"
    bad = client.submit(url, {"support_threshold": "0", "flag_threshold": "3"})
    assert bad.status_code == 400 and "between 1 and 100000" in bad.page.get_text()
    ok = client.submit(url, {"support_threshold": "7", "flag_threshold": "4",
                             "allow_self_support": "y"})
    assert ok.status_code == 302
    row = session.get(CommunitySettings, place["commune"].id)
    session.refresh(row)
    assert (row.support_threshold, row.allow_self_support, row.flag_threshold) == (7, True, 4)
    resident = client.application.test_client()
    _login(resident, place["author"])
    assert resident.get(url).status_code == 403


def test_the_demo_has_initiatives_in_every_stage(demo):
    statuses = sorted(demo.scalars(select(Initiative.status)))
    assert statuses == ["draft", "in_progress", "published", "under_evaluation"]
    waiting = demo.scalar(select(Initiative).where(Initiative.status == "under_evaluation"))
    assert demo.get(Case, waiting.case_id).case_type == "initiative"
    assert demo.scalar(select(Initiative).where(Initiative.status == "in_progress")).answer


def test_the_workbench_links_complete_to_the_answer_page(client, session, place):
    item = _to_case(session, place)
    perform(session, item.case_id, "receive", place["officer"])
    perform(session, item.case_id, "start", place["officer"])
    _login(client, place["officer"])
    page = client.get(f"/vi/workbench/cases/{item.case_id}").page
    links = {a["href"] for a in page.find_all("a", href=True)}
    assert f"/vi/community/cases/{item.case_id}/answer" in links


def test_withdrawing_after_the_threshold_withdraws_the_case(session, place):
    item = _to_case(session, place)
    svc.withdraw(session, item.id, place["author"])
    session.refresh(item)
    assert item.status == "withdrawn" and session.get(Case, item.case_id).state == 7


def test_support_with_htmx_answers_the_partial(client, session, place):
    item = _published(session, place)
    _login(client, place["people"][1])
    url = f"/vi/community/initiatives/{item.id}"
    response = client.submit(f"{url}/support", form_url=url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.page.find(id="support-box") is not None
    assert "HX-Request" in response.headers.get("Vary", "")
    # A refusal comes back as 200 (htmx swaps only 2xx answers) with its message, in the
    # page's language; nothing changes.
    again = client.submit(f"{url}/support", form_url=url, headers={"HX-Request": "true"})
    assert again.status_code == 200
    assert "Bạn đã ủng hộ sáng kiến này" in again.page.get_text()
    session.refresh(item)
    assert item.support_count == 1


# -- the review of issue 9 -------------------------------------------------------------------

def _vi(text: str, **values) -> str:
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        return gettext(text, **values)


def _community_files(app) -> set[str]:
    from pathlib import Path

    folder = Path(app.config["UPLOAD_DIR"]) / "community"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _answered(session, place, accepted=True):
    item = _to_case(session, place)
    perform(session, item.case_id, "receive", place["officer"])
    perform(session, item.case_id, "start", place["officer"])
    svc.answer(session, item.case_id, place["officer"], accepted=accepted, text="Kế hoạch.")
    session.refresh(item)
    return item


def test_closing_soon_lists_those_owed_an_answer_due_first(client, session, place):
    from datetime import timedelta

    waiting = _published(session, place, title="Chưa đủ ủng hộ")
    early = _to_case(session, place)
    late = _to_case(session, place)
    session.get(Case, early.case_id).due_at = NOW + timedelta(days=3)
    session.get(Case, late.case_id).due_at = NOW + timedelta(days=9)
    answered = _answered(session, place)
    session.commit()
    assert [i.id for i in svc.search_page(session, sort="closing").items] == [
        early.id, late.id, answered.id, waiting.id]
    page = client.get("/vi/community/initiatives?sort=closing").page
    assert page.select_one("select#sort option[selected]")["value"] == "closing"
    assert _vi("Closing soon: answer due first") in page.select_one("select#sort").get_text()


def test_editing_after_the_answer_changes_nothing_and_says_so_in_vietnamese(
        app, client, session, place):
    item = _answered(session, place)
    _login(client, place["author"])
    url = f"/vi/community/initiatives/{item.id}/edit"
    files = _community_files(app)
    token = client.csrf_token(f"/vi/community/initiatives/{item.id}")
    response = client.post(url, data={
        "csrf_token": token, "title": "Muộn", "description": "Sửa sau khi đã trả lời",
        "unit_id": place["commune"].id, "category": "roads", "action": "save",
        "photo": (io.BytesIO(PNG), "muon.png")}, content_type="multipart/form-data",
        follow_redirects=True)
    message = _vi("The commune has already answered this initiative: it can no longer be "
                  "changed or withdrawn.")
    assert message in response.page.get_text()
    session.refresh(item)
    assert item.title == "Lắp đèn đường thôn Đông" and item.version == 1
    assert _count(session, InitiativeVersion) == 0
    # Not even the photo stays behind: the service refuses before it stores a file.
    with pytest.raises(svc.InitiativeError):
        svc.edit(session, item.id, place["author"], _input(place, title="Muộn"),
                 svc.Photo(PNG, "muon.png"))
    assert _community_files(app) == files


def test_progress_by_a_stranger_with_a_photo_leaves_no_file(app, session, place):
    item = _answered(session, place)
    files = _community_files(app)
    with pytest.raises(svc.InitiativeError) as refused:
        svc.post_update(session, item.id, place["stranger"], "Không phải xã tôi",
                        svc.Photo(PNG, "anh.png"))
    assert refused.value.code == "not_staff"
    assert _community_files(app) == files
    svc.post_update(session, item.id, place["officer"], "Đã làm", svc.Photo(PNG, "anh.png"))
    assert len(_community_files(app) - files) == 1


def test_photos_are_published_without_where_they_were_taken(app, session, place):
    """A phone photo's EXIF holds the taker's position (often their home) and the phone's
    serial; the initiative's photo and a progress photo are stored as pixels only."""
    from pathlib import Path

    from tests.reports_world import jpeg

    photo = svc.Photo(jpeg(gps=(21.5862, 105.8141), comment=b"Serial 998877"), "IMG_1.jpg")
    item = svc.propose(session, place["author"], _input(place), photo, publish=True, now=NOW)
    files = _community_files(app)
    item = _answered(session, place)
    svc.post_update(session, item.id, place["officer"], "Đã lắp xong 10 bóng", photo)
    folder = Path(app.config["UPLOAD_DIR"]) / "community"
    stored = [(folder / name).read_bytes() for name in sorted(_community_files(app))]
    assert len(stored) == 2 and len(files) == 1
    for data in stored:
        assert data.startswith(b"\xff\xd8\xff")
        assert b"Exif" not in data and b"Serial" not in data and b"PhoneMaker" not in data


@pytest.mark.parametrize("photo, message", [
    ((b"\xff\xd8 this is not a jpeg at all", "anh.jpg"),
     "The photo must be a JPEG or PNG image; this file is not one."),
    ((PNG + b"\0" * svc.PHOTO_MAX_BYTES, "lon.png"), "The photo is too large: at most 5 MB."),
])
def test_a_fake_or_oversized_photo_is_refused_in_vietnamese(app, client, session, place,
                                                            photo, message):
    _login(client, place["author"])
    files = _community_files(app)
    data, name = photo
    response = client.submit("/vi/community/initiatives/new", {
        "title": "Giữ lại", "description": "Mô tả", "unit_id": place["commune"].id,
        "category": "roads", "action": "publish", "photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert _vi(message) in response.page.get_text()
    assert response.page.find("input", attrs={"name": "title"})["value"] == "Giữ lại"
    assert _count(session, Initiative) == 0 and _community_files(app) == files


def test_the_author_is_not_offered_a_support_they_cannot_give(client, session, place):
    item = _published(session, place)
    _login(client, place["author"])
    url = f"/vi/community/initiatives/{item.id}"
    page = client.get(url).page
    assert page.select_one(f"form[action$='/{item.id}/support']") is None
    response = client.submit(f"{url}/support", form_url=url, follow_redirects=True)
    assert _vi("You cannot support your own initiative in this commune.") in \
        response.page.get_text()
    session.refresh(item)
    assert item.support_count == 0


def test_a_hidden_initiative_waits_for_the_moderator_before_its_answer(client, session,
                                                                       place):
    from app.community import moderation_service as moderation

    item = _to_case(session, place)
    perform(session, item.case_id, "receive", place["officer"])
    perform(session, item.case_id, "start", place["officer"])
    session.get(CommunitySettings, place["commune"].id).flag_threshold = 1
    session.commit()
    moderation.flag(session, place["people"][3], "initiative", item.id, "spam")
    session.refresh(item)
    assert item.status == "hidden"
    with pytest.raises(svc.InitiativeError) as waiting:
        svc.answer(session, item.case_id, place["officer"], accepted=True, text="Kế hoạch")
    assert waiting.value.code == "hidden_for_answer"
    _login(client, place["officer"])
    url = f"/vi/community/cases/{item.case_id}/answer"
    page = client.get(url).page
    assert page.find("textarea") is None  # no form for an answer that can only fail
    workbench = client.get(f"/vi/workbench/cases/{item.case_id}").page.get_text()
    assert _vi("Hidden by moderation") in workbench
    # Removed by a moderator: the officer's page stops the case, nothing is published.
    moderation.remove(session, place["officer"], "initiative", item.id, "Quảng cáo")
    case = session.get(Case, item.case_id)
    session.refresh(case)
    response = client.submit(url, {"decision": "reject", "text": "Đã bị gỡ bỏ.",
                                   "version": case.version})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Case, item.case_id).state == 8
    item = session.get(Initiative, item.id)
    assert item.status == "hidden" and item.answer is None


def test_progress_reaches_author_and_supporters_each_in_their_language(session, place):
    from app.models import OutboxMessage

    item = _answered(session, place)
    english, vietnamese = place["people"][0], place["people"][1]
    before = {m.id for m in session.scalars(select(OutboxMessage))}
    svc.post_update(session, item.id, place["officer"], "Đã mua 10 đèn.")
    new = {m.user_id: m for m in session.scalars(select(OutboxMessage))
           if m.id not in before}
    assert set(new) == {place["author"].id, english.id, vietnamese.id}
    assert new[english.id].subject == f"Progress on initiative “{item.title}”"
    assert new[vietnamese.id].subject == _vi("Progress on initiative “%(title)s”",
                                              title=item.title)
    assert all("Đã mua 10 đèn." in m.body for m in new.values())


def test_the_list_costs_the_same_queries_for_few_or_many_initiatives(app, client, session,
                                                                     place):
    from sqlalchemy import event

    from app.extensions import db

    def queries():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/vi/community/initiatives").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    _published(session, place, title="Một")
    few = queries()
    other_village = make_unit(session, level="village", parent=place["commune"])
    for n in range(8):
        _published(session, place, title=f"Sáng kiến {n}",
                   village_id=other_village.id if n % 2 else place["village"].id)
    assert queries() == few


@only_on("postgresql")
def test_an_edit_waiting_on_the_answer_is_refused_once_the_answer_is_in(app, session, place):
    """The answer holds the initiative's row while it is written; the author's edit that
    arrives meanwhile must wait and then find it answered, not write its text after the
    answer (it read the row before the answer otherwise, and overwrote it after)."""
    import time

    from sqlalchemy import text

    from app.extensions import db

    item = _to_case(session, place)
    item_id, engine = item.id, db.engine
    outcome = []

    def author_edits():
        with app.app_context(), Session(engine) as own:
            author = own.get(svc.User, place["author"].id)
            own.rollback()
            try:
                svc.edit(own, item_id, author, _input(place, title="Sửa lúc đang trả lời"))
                outcome.append("edited")
            except svc.InitiativeError as error:
                outcome.append(error.code)

    with Session(engine) as answering:
        answering.execute(text("SELECT id FROM initiatives WHERE id = :id FOR UPDATE"),
                          {"id": item_id})
        editor = threading.Thread(target=author_edits)
        editor.start()
        time.sleep(1.0)  # the edit has read, or is waiting for the row
        answering.execute(text("UPDATE initiatives SET status = 'accepted', answer = 'Kế hoạch',"
                               " answered_at = now() WHERE id = :id"), {"id": item_id})
        answering.commit()
    editor.join(timeout=30)
    assert outcome == ["answered"]
    session.expire_all()
    answered = session.get(Initiative, item_id)
    assert answered.title == "Lắp đèn đường thôn Đông" and answered.version == 1
    assert _count(session, InitiativeVersion) == 0
