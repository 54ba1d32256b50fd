"""The village needs board: commune staff and village heads post needs (a head only for their
own village), residents support once and volunteer once, staff post progress that volunteers
hear about, and a need may ask the commune for help, which makes exactly one case."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import (Case, NeedSupport, NeedUpdate, OutboxMessage, RoutingRule, VillageHead,
                        VillageNeed, VillageNeedItem, Volunteer)
from app.queue.actions import perform
from app.village import services
from tests.access_matrix import PersonClient
from tests.factories import make_department, make_officer, make_unit, make_user

PASSWORD = "village-pass-1"
FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def world(session):
    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province, name_vi="Xã Tân Hòa")
    other_commune = make_unit(session, level="commune", parent=province)
    thon_a = make_unit(session, level="village", parent=commune, name_vi="Thôn Đông")
    thon_b = make_unit(session, level="village", parent=commune, name_vi="Thôn Tây")
    dept = make_department(session, commune, case_types="dossier,village_need")
    other_dept = make_department(session, other_commune)
    staff = make_officer(session, dept, skills=["village_need"], password=PASSWORD)
    outsider = make_officer(session, other_dept, password=PASSWORD)
    head = make_user(session, role="officer", password=PASSWORD)  # no seat: only a head
    session.add(VillageHead(user_id=head.id, village_id=thon_a.id))
    admin = make_user(session, role="admin", password=PASSWORD)
    resident = make_user(session, role="resident", password=PASSWORD, commune=commune)
    english = make_user(session, role="resident", password=PASSWORD, email="lan@example.vn")
    english.locale = "en"
    session.commit()
    return dict(commune=commune, other_commune=other_commune, thon_a=thon_a, thon_b=thon_b,
                dept=dept, staff=staff, outsider=outsider, head=head, admin=admin,
                resident=resident, english=english)


class _Fresh(PersonClient):
    """A person's browser; after each request the test's own session starts a new transaction,
    so what it reads next includes what the request wrote (SQLite reads from a snapshot)."""

    def open(self, *args, **kwargs):
        from app.extensions import db

        response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


def _client(app, user=None):
    app.test_client_class = _Fresh
    client = app.test_client()
    if user is not None:
        ident = user.email or user.phone
        assert client.login(ident, PASSWORD).status_code == 302
    return client


def _need(session, world, *, title="Sửa đường bê tông", village="thon_a", status="open",
          needed_by=None, support_count=0, hidden=False, items=(("Xi măng", 100, "bao"),),
          created_offset=0):
    from app.models import utcnow

    village_unit = world[village] if village else None
    need = VillageNeed(unit_id=world["commune"].id,
                       village_id=village_unit.id if village_unit else None,
                       posted_by_id=world["staff"].id, title=title, description="Mô tả",
                       category="roads", needed_by=needed_by, status=status,
                       support_count=support_count, hidden=hidden,
                       created_at=utcnow() + timedelta(minutes=created_offset))
    need.items = [VillageNeedItem(description=d, quantity=q, unit_label=u) for d, q, u in items]
    need.search_text = services.fold(title + " " + need.description)
    session.add(need)
    session.commit()
    return need


def _post_data(where, **overrides):
    data = {"title": "Nước sạch cho thôn", "description": "Giếng khoan bị hỏng",
            "place": where, "category": "water", "needed_by": FUTURE,
            "item1_description": "Ống nhựa", "item1_quantity": "200", "item1_unit": "m"}
    data.update(overrides)
    return data


# -- the board --------------------------------------------------------------------------------

def test_the_board_lists_filters_searches_and_pages(app, session, world):
    _need(session, world, title="Sửa đường bê tông", support_count=5,
          needed_by=date.today() + timedelta(days=40))
    _need(session, world, title="Đồ dùng học tập", village="thon_b", support_count=9,
          needed_by=date.today() + timedelta(days=3), created_offset=1)
    _need(session, world, title="Cứu trợ sau lũ", status="met", created_offset=2)
    client = _client(app)
    page = client.get("/en/village/").page
    titles = [a.get_text(strip=True) for a in page.select("li.need h2 a")]
    assert titles == ["Đồ dùng học tập", "Sửa đường bê tông"]  # newest first, open only
    page = client.get("/en/village/?sort=supported").page
    assert [a.get_text(strip=True) for a in page.select("li.need h2 a")][0] == "Đồ dùng học tập"
    page = client.get("/en/village/?sort=closing").page
    assert [a.get_text(strip=True) for a in page.select("li.need h2 a")][0] == "Đồ dùng học tập"
    page = client.get(f"/en/village/?village={world['thon_a'].id}").page
    assert [a.get_text(strip=True) for a in page.select("li.need h2 a")] == ["Sửa đường bê tông"]
    page = client.get("/en/village/?status=met").page
    assert [a.get_text(strip=True) for a in page.select("li.need h2 a")] == ["Cứu trợ sau lũ"]
    page = client.get(f"/en/village/?commune={world['other_commune'].id}").page
    assert not page.select("li.need") and "No need matches" in page.get_text()
    # Search ignores diacritics and case.
    page = client.get("/en/village/?q=DUONG be tong").page
    assert [a.get_text(strip=True) for a in page.select("li.need h2 a")] == ["Sửa đường bê tông"]
    page = client.get("/en/village/?q=%25").page  # a LIKE wildcard is a character, not "all"
    assert not page.select("li.need")
    for i in range(12):
        _need(session, world, title=f"Nhu cầu {i}", created_offset=10 + i)
    first = client.get("/en/village/").page
    assert len(first.select("li.need")) == 10 and first.select_one("a[rel=next]")
    second = client.get("/en/village/?page=2").page
    assert len(second.select("li.need")) == 4


def test_an_empty_board_says_so(app, world):
    page = _client(app).get("/en/village/").page
    assert "No open needs right now" in page.get_text()


def test_hidden_needs_are_listed_only_to_staff_of_the_commune(app, session, world):
    need = _need(session, world, title="Bị ẩn", hidden=True)
    assert not _client(app).get("/en/village/").page.select("li.need")
    assert _client(app, world["resident"]).get(f"/en/village/needs/{need.id}").status_code == 404
    assert not _client(app, world["outsider"]).get("/en/village/").page.select("li.need")
    page = _client(app, world["staff"]).get("/en/village/").page
    assert [a.get_text(strip=True) for a in page.select("li.need h2 a")] == ["Bị ẩn"]
    assert "Hidden after flags" in page.get_text()
    assert _client(app, world["staff"]).get(f"/en/village/needs/{need.id}").status_code == 200


# -- posting ----------------------------------------------------------------------------------

def test_commune_staff_post_a_need_for_a_village_or_the_whole_commune(app, session, world):
    client = _client(app, world["staff"])
    response = client.submit("/en/village/needs/new",
                             _post_data(f"village:{world['thon_b'].id}"))
    assert response.status_code == 302
    need = session.scalar(select(VillageNeed))
    assert need.village_id == world["thon_b"].id and need.unit_id == world["commune"].id
    assert [(i.description, i.quantity, i.unit_label) for i in need.items] == [
        ("Ống nhựa", 200, "m")]
    assert "nuoc sach" in need.search_text
    page = client.get(f"/en/village/needs/{need.id}").page
    assert "Nước sạch cho thôn" in page.get_text() and page.select_one("progress")
    response = client.submit("/en/village/needs/new",
                             _post_data(f"commune:{world['commune'].id}", title="Cả xã"))
    assert response.status_code == 302
    whole = session.scalar(select(VillageNeed).where(VillageNeed.title == "Cả xã"))
    assert whole.village_id is None


def test_a_village_head_posts_only_for_their_own_village(app, session, world):
    client = _client(app, world["head"])
    form = client.get("/en/village/needs/new").page
    assert [o["value"] for o in form.select("select#place option")] == [
        f"village:{world['thon_a'].id}"]
    response = client.submit("/en/village/needs/new", _post_data(f"village:{world['thon_b'].id}"))
    assert response.status_code == 400
    assert "only for your own village" in response.page.get_text()
    assert response.page.select_one("input#title")["value"] == "Nước sạch cho thôn"  # kept
    response = client.submit("/en/village/needs/new",
                             _post_data(f"commune:{world['commune'].id}"))
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(VillageNeed)) == 0
    response = client.submit("/en/village/needs/new", _post_data(f"village:{world['thon_a'].id}"))
    assert response.status_code == 302
    need = session.scalar(select(VillageNeed))
    assert need.village_id == world["thon_a"].id
    # They manage their own village's needs, not a neighbour's.
    other = _need(session, world, village="thon_b")
    assert client.get(f"/en/village/needs/{need.id}/edit").status_code == 200
    assert client.get(f"/en/village/needs/{other.id}/edit").status_code == 403


def test_a_resident_and_an_officer_of_another_commune_cannot_post(app, session, world):
    assert _client(app, world["resident"]).get("/en/village/needs/new").status_code == 403
    client = _client(app, world["outsider"])
    form_page = client.get("/en/village/needs/new").page
    assert f"commune:{world['commune'].id}" not in str(form_page)
    response = client.submit("/en/village/needs/new", _post_data(f"village:{world['thon_a'].id}"))
    assert response.status_code == 400 and "not staff of that commune" in response.page.get_text()
    need = _need(session, world)
    assert client.get(f"/en/village/needs/{need.id}/edit").status_code == 403
    assert session.scalar(select(func.count()).select_from(VillageNeed)) == 1


@pytest.mark.parametrize("overrides, message", [
    ({"needed_by": (date.today() - timedelta(days=1)).isoformat()}, "cannot be in the past"),
    ({"item1_quantity": "0"}, "The quantity must be at least 1."),
    ({"item1_quantity": "-5"}, "The quantity cannot be negative."),
    ({"item1_quantity": "1000000000001"}, "The quantity is too large"),
    ({"item1_quantity": "nhiều"}, "Enter a whole number, for example 120"),
    # A decimal is not read as a bigger whole number: 1,5 bags are not 15 bags.
    ({"item1_quantity": "1,5"}, "Enter a whole number, for example 120"),
    ({"item1_quantity": "1.500,000"}, "Enter a whole number, for example 120"),
    ({"item1_quantity": ""}, "Enter how many are needed"),
    ({"item2_quantity": "5"}, "Say what is needed"),
    ({"category": "weapons"}, "Not a valid choice"),
    ({"place": "village:999999"}, "Choose a village or commune"),
])
def test_bad_input_is_refused_and_nothing_is_saved(app, session, world, overrides, message):
    client = _client(app, world["staff"])
    response = client.submit("/en/village/needs/new",
                             _post_data(f"village:{world['thon_a'].id}", **overrides))
    assert response.status_code == 400
    assert message in response.page.get_text()
    assert session.scalar(select(func.count()).select_from(VillageNeed)) == 0


def test_a_quantity_of_a_trillion_is_accepted(app, session, world):
    client = _client(app, world["staff"])
    response = client.submit("/en/village/needs/new", _post_data(
        f"village:{world['thon_a'].id}", item1_quantity="1.000.000.000.000"))
    assert response.status_code == 302
    assert session.scalar(select(VillageNeedItem.quantity)) == 10 ** 12


def test_staff_edit_a_need(app, session, world):
    need = _need(session, world)
    client = _client(app, world["staff"])
    form = client.get(f"/en/village/needs/{need.id}/edit").page
    assert form.select_one("input#item1_quantity")["value"] == "100"
    response = client.submit(f"/en/village/needs/{need.id}/edit", _post_data(
        f"village:{world['thon_a'].id}", title="Đường mới"))
    assert response.status_code == 302
    session.refresh(need)
    assert need.title == "Đường mới" and need.items[0].description == "Ống nhựa"


# -- residents --------------------------------------------------------------------------------

def test_a_resident_supports_once(app, session, world):
    need = _need(session, world)
    client = _client(app, world["resident"])
    url = f"/en/village/needs/{need.id}"
    assert client.submit(f"{url}/support", form_url=url).status_code == 302
    response = client.submit(f"{url}/support", form_url=f"/en/village/")
    assert response.status_code == 302
    page = client.get(url).page
    assert "already supported" in page.get_text() or "You support this need" in page.get_text()
    session.refresh(need)
    assert need.support_count == 1
    assert session.scalar(select(func.count()).select_from(NeedSupport)) == 1
    # The service says why, for the htmx answer and the flash alike.
    with pytest.raises(services.NeedError) as error:
        services.support(session, world["resident"], need)
    assert error.value.code == "already_supported"


def test_support_by_htmx_answers_the_fragment(app, session, world):
    need = _need(session, world)
    client = _client(app, world["resident"])
    url = f"/en/village/needs/{need.id}"
    token = client.csrf_token(url)
    response = client.post(f"{url}/support", data={"csrf_token": token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "1 supports" in response.get_data(as_text=True)
    again = client.post(f"{url}/support", data={"csrf_token": token},
                        headers={"HX-Request": "true"})
    assert "already supported" in again.get_data(as_text=True)


def test_a_resident_volunteers_once_and_may_withdraw(app, session, world):
    need = _need(session, world)
    client = _client(app, world["resident"])
    url = f"/en/village/needs/{need.id}"
    assert client.submit(f"{url}/volunteer", {"availability": "Sáng thứ Bảy"},
                         form_url=url).status_code == 302
    response = client.submit(f"{url}/volunteer", {"availability": "Chiều Chủ nhật"},
                             form_url=url)
    assert response.status_code == 400 and "already signed up" in response.page.get_text()
    session.refresh(need)
    assert need.volunteer_count == 1
    page = client.get(url).page
    assert "You signed up to help: Sáng thứ Bảy" in page.get_text()
    # Residents see a count, not names; staff see the names.
    other = _client(app, world["english"]).get(url).page.get_text()
    assert world["resident"].full_name not in other and "1 volunteers" in other
    assert world["resident"].full_name in _client(app, world["staff"]).get(url).page.get_text()
    assert client.submit(f"{url}/withdraw", form_url=url).status_code == 302
    session.refresh(need)
    assert need.volunteer_count == 0
    assert session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_an_empty_availability_is_refused(app, session, world):
    need = _need(session, world)
    client = _client(app, world["resident"])
    url = f"/en/village/needs/{need.id}"
    response = client.submit(f"{url}/volunteer", {"availability": ""}, form_url=url)
    assert response.status_code == 400
    assert "Say when you can help, for example Saturday mornings." in response.page.get_text()
    token = client.csrf_token(url)
    fragment = client.post(f"{url}/volunteer", data={"csrf_token": token, "availability": ""},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Say when you can help" in fragment.get_data(
        as_text=True)
    done = client.post(f"{url}/volunteer", data={"csrf_token": token, "availability": "Tối"},
                       headers={"HX-Request": "true"})
    assert "You signed up to help: Tối" in done.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Volunteer)) == 1
    assert client.submit(f"{url}/withdraw", form_url=url).status_code == 302
    assert session.scalar(select(func.count()).select_from(Volunteer)) == 0


# -- progress and notifications ---------------------------------------------------------------

def _messages(session, user):
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                                .order_by(OutboxMessage.id)))


def test_progress_quantities_and_status_reach_each_volunteer_in_their_language(app, session,
                                                                                world):
    need = _need(session, world)
    services.volunteer(session, world["resident"], need, "Sáng thứ Bảy")
    services.volunteer(session, world["english"], need, "Sunday")
    client = _client(app, world["head"])  # the head of the need's village
    url = f"/en/village/needs/{need.id}"
    assert client.submit(f"{url}/updates", {"body": "Đã đổ xong 50 m"},
                         form_url=url).status_code == 302
    item = need.items[0]
    assert client.submit(f"{url}/received", {"item": item.id, "received": "40"},
                         form_url=url).status_code == 302
    response = client.submit(f"{url}/received", {"item": item.id, "received": "-1"},
                             form_url=url)
    assert response.status_code == 400
    assert client.submit(f"{url}/status", {"status": "met", "note": "Xong"},
                         form_url=url).status_code == 302
    session.refresh(need)
    session.refresh(item)
    assert need.status == "met" and item.received == 40
    assert session.scalar(select(func.count()).select_from(NeedUpdate)) == 2
    vi = _messages(session, world["resident"])
    en = _messages(session, world["english"])
    assert len(vi) == len(en) == 3
    assert en[0].channel == "email" and "Đã đổ xong 50 m" in en[0].body
    assert "Progress" in en[0].body and "40 of 100" in en[1].body and "Met" in en[2].body
    assert vi[0].channel == "sms"
    page = client.get(url).page
    assert page.select_one("progress")["value"] == "40"
    assert "Đã đổ xong 50 m" in page.get_text()


def test_a_resident_cannot_post_progress(app, session, world):
    need = _need(session, world)
    client = _client(app, world["resident"])
    url = f"/en/village/needs/{need.id}"
    assert client.submit(f"{url}/updates", {"body": "x"}, form_url=url).status_code == 403
    assert session.scalar(select(func.count()).select_from(NeedUpdate)) == 0


# -- asking the commune for help ----------------------------------------------------------------

@pytest.fixture
def routed(session, world):
    session.add(RoutingRule(case_type="village_need", category="village_need",
                            unit_id=world["commune"].id, department_id=world["dept"].id,
                            mode="assign", active=True))
    world["intake"] = make_officer(session, world["dept"], desk="intake",
                                   skills=["village_need"], password=PASSWORD)
    session.commit()
    return world


def test_asking_for_help_makes_exactly_one_case(app, session, routed):
    world = routed
    need = _need(session, world)
    services.volunteer(session, world["english"], need, "Sunday")
    services.volunteer(session, world["resident"], need, "Chủ nhật")
    client = _client(app, world["staff"])
    url = f"/en/village/needs/{need.id}"
    assert client.submit(f"{url}/ask-for-help", form_url=url).status_code == 302
    response = client.submit(f"{url}/ask-for-help", form_url=url)
    assert response.status_code == 302
    assert "already been asked" in client.get(url).page.get_text()
    cases = session.scalars(select(Case).where(Case.case_type == "village_need")).all()
    assert len(cases) == 1
    session.refresh(need)
    case = cases[0]
    assert need.case_id == case.id and case.title == need.title
    assert case.unit_id == world["commune"].id and case.code.startswith("NC")
    assert case.assignee_id == world["intake"].id
    # The kind: the poster and the volunteers hear of the case's changes, in their language.
    before = len(_messages(session, world["english"]))
    perform(session, case.id, "receive", world["intake"])
    poster = _messages(session, world["staff"])
    english = _messages(session, world["english"])
    assert len(english) == before + 1 and "Received" in english[-1].subject
    assert poster and need.title in poster[-1].body
    vietnamese = _messages(session, world["resident"])[-1]
    assert "Received" not in vietnamese.subject and need.title in vietnamese.subject
    # The workbench shows the need and links back to it.
    page = client.get(f"/en/workbench/cases/{case.id}")
    assert page.status_code == 200
    assert f"/en/village/needs/{need.id}" in page.get_data(as_text=True)


def test_asking_for_help_without_a_routing_rule_says_so(app, session, world):
    need = _need(session, world)
    client = _client(app, world["staff"])
    url = f"/en/village/needs/{need.id}"
    client.submit(f"{url}/ask-for-help", form_url=url)
    assert "no department taking village needs" in client.get(url).page.get_text()
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    session.refresh(need)
    assert need.case_id is None


def test_the_kind_is_registered(app):
    from app.queue import kinds

    assert "village_need" in kinds.registered()


# -- village heads ------------------------------------------------------------------------------

def test_the_administrator_assigns_and_removes_village_heads(app, session, world):
    client = _client(app, world["admin"])
    page = client.get("/en/village/heads").page
    options = [o["value"] for o in page.select("select#village_id option")]
    assert str(world["thon_b"].id) in options and str(world["commune"].id) not in options
    people = [o["value"] for o in page.select("select#user_id option")]
    assert str(world["resident"].id) not in people
    response = client.submit("/en/village/heads", {"user_id": world["staff"].id,
                                                   "village_id": world["thon_b"].id})
    assert response.status_code == 302
    assert session.get(VillageHead, world["staff"].id).village_id == world["thon_b"].id
    response = client.submit("/en/village/heads", {"user_id": world["resident"].id,
                                                   "village_id": world["thon_b"].id})
    assert response.status_code == 400
    assert session.get(VillageHead, world["resident"].id) is None
    assert client.submit(f"/en/village/heads/{world['staff'].id}/remove",
                         form_url="/en/village/heads").status_code == 302
    session.expire_all()
    assert session.get(VillageHead, world["staff"].id) is None
    assert _client(app, world["staff"]).get("/en/village/heads").status_code == 403


# -- at the same moment -------------------------------------------------------------------------

def _at_once(app, count, work):
    """Run `work(session, n)` in `count` threads that start together, each with its own
    application context and session, as concurrent requests would; returns (results, errors)."""
    import threading

    from sqlalchemy.orm import Session

    from app.extensions import db

    engine = db.engine
    start = threading.Barrier(count)
    results, errors = [], []

    def one(n):
        with app.app_context(), Session(engine) as own:
            try:
                start.wait(timeout=10)
                results.append(work(own, n))
            except services.NeedError as error:
                results.append(error.code)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_four_requests_asking_for_help_at_once_make_one_case(app, session, routed):
    world = routed
    need_id, staff_id = _need(session, world).id, world["staff"].id

    def ask(own, _n):
        from app.models import User

        return services.ask_for_help(own, own.get(User, staff_id),
                                     own.get(VillageNeed, need_id)).id

    results, errors = _at_once(app, 4, ask)
    assert not errors, errors
    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1 and results.count("already_asked") == 3
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert session.get(VillageNeed, need_id).case_id == made[0]


def test_supports_at_once_count_each_person_once(app, session, world):
    residents = [make_user(session, role="resident") for _ in range(4)]
    session.commit()
    need_id = _need(session, world).id
    ids = [r.id for r in residents] + [residents[0].id] * 3  # one person clicking four times

    def back(own, n):
        from app.models import User

        services.support(own, own.get(User, ids[n]), own.get(VillageNeed, need_id))
        return "ok"

    results, errors = _at_once(app, len(ids), back)
    assert not errors, errors
    assert results.count("ok") == 4 and results.count("already_supported") == 3
    session.rollback()
    assert session.get(VillageNeed, need_id).support_count == 4
    assert session.scalar(select(func.count()).select_from(NeedSupport)) == 4


def test_a_visitor_is_invited_to_log_in_to_take_part(app, session, world):
    need = _need(session, world)
    page = _client(app).get(f"/en/village/needs/{need.id}").page
    link = page.find("a", string="Log in to support this need or volunteer")
    assert link and "/account/login" in link["href"]
    assert not page.select(f"form[action$='/needs/{need.id}/support']")


# -- the review of issue 9 -------------------------------------------------------------------

def _vi(text: str, **values) -> str:
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        return gettext(text, **values)


def test_a_need_closed_meanwhile_takes_no_support_and_no_sign_up(app, session, world):
    """The resident's page still shows the need open; staff closed it a moment ago in another
    session. The support and the sign-up are guarded on the need as stored now."""
    from sqlalchemy.orm import Session as OrmSession

    from app.extensions import db

    need = _need(session, world)
    with OrmSession(db.engine) as staff_session:
        staff_session.get(VillageNeed, need.id).status = "closed"
        staff_session.commit()
    assert need.status == "open"  # the resident's copy, as the page saw it
    with pytest.raises(services.NeedError) as support:
        services.support(session, world["resident"], need)
    assert support.value.code == "not_open"
    stale = session.get(VillageNeed, need.id)
    session.expire_all()
    with pytest.raises(services.NeedError):
        services.volunteer(session, world["resident"], stale, "Sáng thứ Bảy")
    session.rollback()
    need = session.get(VillageNeed, need.id)
    assert (need.support_count, need.volunteer_count) == (0, 0)
    assert session.scalar(select(func.count()).select_from(NeedSupport)) == 0
    assert session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_a_village_head_posting_for_another_village_is_told_in_vietnamese(app, session, world):
    client = _client(app, world["head"])
    data = _post_data(f"village:{world['thon_b'].id}")
    data["needed_by"] = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")
    response = client.submit("/vi/village/needs/new", data)
    assert response.status_code == 400
    message = _vi("As a village head you may post needs only for your own village. Nothing "
                  "was saved.")
    assert message in response.page.get_text()
    assert response.page.select_one("input#title")["value"] == "Nước sạch cho thôn"  # kept
    assert session.scalar(select(func.count()).select_from(VillageNeed)) == 0


def test_received_quantities_reach_volunteers_written_the_vietnamese_way(app, session, world):
    need = _need(session, world, items=(("Xi măng", 1500, "bao"),))
    services.volunteer(session, world["english"], need, "Sunday")
    services.record_received(session, world["staff"], need, need.items[0].id, 1200)
    body = _messages(session, world["english"])[-1].body
    assert "1.200 of 1.500 bao" in body


def test_htmx_answers_carry_their_message_and_leave_none_for_the_next_page(app, session,
                                                                            world):
    need = _need(session, world)
    client = _client(app, world["resident"])
    url = f"/vi/village/needs/{need.id}"
    hx = {"HX-Request": "true"}
    response = client.submit(f"{url}/support", form_url=url, headers=hx)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    thanks = _vi("Thank you: your support is counted.")
    assert thanks in response.page.get_text()
    joined = client.submit(f"{url}/volunteer", {"availability": "Sáng thứ Bảy"},
                           form_url=url, headers=hx)
    assert _vi("Thank you for volunteering. The village will contact you.") in \
        joined.page.get_text()
    # The messages were shown where the buttons were: the next page does not repeat them.
    page = client.get(url).page.get_text()
    assert thanks not in page
    assert _vi("Thank you for volunteering. The village will contact you.") not in page
