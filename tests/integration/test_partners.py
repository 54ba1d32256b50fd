""""Ba Nhà" partners and pledges: registration, verification by staff of the partner's commune
only, the public list and pages, pledges only from verified partners to accepted initiatives,
bad quantities, delivery marked by staff of the initiative's commune, and the initiative page's
pledges partial."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from app.community import partners_service, pledges_service
from app.community.partners_service import PartnerError
from app.models import Initiative, InitiativeNeed, OutboxMessage, Partner, Pledge
from tests.access_matrix import PersonClient
from tests.conftest import only_on
from tests.factories import make_department, make_officer, make_unit, make_user

PASSWORD = "doi-tac-2026"
VERIFIED_AT = datetime(2026, 11, 1, tzinfo=timezone.utc)


@pytest.fixture
def people(session):
    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province)
    other_commune = make_unit(session, level="commune", parent=province)
    officer = make_officer(session, make_department(session, commune), password=PASSWORD)
    stranger = make_officer(session, make_department(session, other_commune), password=PASSWORD)
    admin = make_user(session, role="admin", password=PASSWORD)
    author = make_user(session, password=PASSWORD, commune=commune)
    author.locale = "en"
    contact = make_user(session, password=PASSWORD, commune=commune)
    session.commit()
    return {"commune": commune, "other_commune": other_commune, "officer": officer,
            "stranger": stranger, "admin": admin, "author": author, "contact": contact}


def browser(app, user=None, lang="vi"):
    app.test_client_class = PersonClient
    client = app.test_client()
    if user is not None:
        response = client.login(user.phone or user.email, PASSWORD, lang=lang)
        assert response.status_code == 302
    return client


def make_partner(session, people, *, verified=True, unit=None, name="Công ty Xi măng Thử",
                 kind="business"):
    partner = Partner(name=name, kind=kind, contact_user_id=people["contact"].id,
                      unit_id=(unit or people["commune"]).id, contact_phone="0912345678",
                      verified_at=VERIFIED_AT if verified else None)
    session.add(partner)
    session.commit()
    return partner


def make_initiative(session, people, status="accepted"):
    initiative = Initiative(author_id=people["author"].id, unit_id=people["commune"].id,
                            category="infrastructure", title="Bê tông hoá đường thôn",
                            description="Đổ bê tông 300 m đường.", status=status)
    initiative.needs = [
        InitiativeNeed(kind="money", description="Tiền công", quantity=10_000_000),
        InitiativeNeed(kind="materials", description="Xi măng", quantity=200,
                       unit_label="bao xi măng")]
    session.add(initiative)
    session.commit()
    return initiative


def pledges_count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Pledge))


# -- registration ----------------------------------------------------------------------------

def test_a_signed_in_person_registers_an_organisation_waiting_for_verification(app, session,
                                                                              people):
    client = browser(app, people["contact"], lang="en")
    page = client.get("/en/community/partners/register").page
    assert {label.get_text(strip=True) for label in page.select("fieldset .choice label")} == {
        "The State (agency or mass organisation)", "Business", "School or research institute"}
    response = client.submit("/en/community/partners/register", {
        "name": "  Trường THCS   Thử ", "kind": "school", "description": "Trường của xã",
        "unit_id": str(people["commune"].id), "contact_phone": "024 3825 1234"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/en/community/partners/mine")
    session.rollback()
    partner = session.scalars(select(Partner)).one()
    assert (partner.name, partner.kind, partner.contact_user_id, partner.unit_id,
            partner.contact_phone, partner.verified_at) == (
        "Trường THCS Thử", "school", people["contact"].id, people["commune"].id,
        "02438251234", None)
    mine = client.get("/en/community/partners/mine").page
    assert "Trường THCS Thử" in mine.get_text() and "Waiting for verification" in mine.get_text()
    # Unverified partners are not public.
    assert "Trường THCS Thử" not in browser(app).get("/vi/community/partners/").page.get_text()
    assert browser(app).get(f"/vi/community/partners/{partner.id}").status_code == 404
    assert client.get(f"/en/community/partners/{partner.id}").status_code == 200  # its contact


def test_bad_registration_keeps_what_was_typed_and_saves_nothing(app, session, people):
    client = browser(app, people["contact"], lang="en")
    response = client.submit("/en/community/partners/register", {
        "name": "Hợp tác xã Thử", "kind": "business", "unit_id": "0",
        "contact_phone": "12345"})
    assert response.status_code == 400
    assert "Enter a Vietnamese phone number" in response.page.select_one(".error-summary").text
    assert response.page.select_one("#name")["value"] == "Hợp tác xã Thử"
    response = client.submit("/en/community/partners/register", {
        "name": "Hợp tác xã Thử", "kind": "bank", "contact_phone": "0912345678"})
    assert response.status_code == 400
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Partner)) == 0


def test_one_person_registers_several_organisations_but_not_the_same_twice(session, people):
    data = partners_service.Registration(name="Công ty A", kind="business",
                                         contact_phone="0912345678")
    partners_service.register(session, people["contact"], data)
    partners_service.register(session, people["contact"], partners_service.Registration(
        name="Đoàn Thanh niên xã", kind="state", contact_phone="0912345678"))
    with pytest.raises(PartnerError) as error:
        partners_service.register(session, people["contact"], data)
    assert error.value.code == "already_registered"
    assert len(partners_service.partners_of(session, people["contact"].id)) == 2


# -- verification ----------------------------------------------------------------------------

def test_only_staff_of_the_partners_commune_verify_it(app, session, people):
    partner = make_partner(session, people, verified=False)
    url = f"/en/community/partners/{partner.id}/verify"
    stranger = browser(app, people["stranger"], lang="en")
    assert partner.name not in stranger.get("/en/community/partners/pending").page.get_text()
    assert stranger.submit(url, form_url="/en/community/partners/pending").status_code == 403
    resident = browser(app, people["author"], lang="en")
    assert resident.submit(url, form_url="/en/community/partners/").status_code == 403
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    assert session.get(Partner, partner.id).verified_at is None

    officer = browser(app, people["officer"], lang="en")
    assert officer.get("/en/community/partners/").page.find(
        "a", href="/en/community/partners/pending")
    assert partner.name in officer.get("/en/community/partners/pending").page.get_text()
    response = officer.submit(url, {"next": "/en/community/partners/pending"},
                              form_url="/en/community/partners/pending")
    assert response.status_code == 302
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    verified = session.get(Partner, partner.id)
    assert verified.verified_at is not None and verified.verified_by_id == people["officer"].id
    notice = session.scalars(select(OutboxMessage)).one()
    assert notice.user_id == people["contact"].id and partner.name in notice.subject
    # Now public.
    assert partner.name in browser(app).get("/vi/community/partners/").page.get_text()


def test_a_partner_of_no_commune_is_verified_by_administrators_only(app, session, people):
    partner = Partner(name="Viện Nghiên cứu Thử", kind="school", unit_id=None,
                      contact_user_id=people["contact"].id, contact_phone="0912345678")
    session.add(partner)
    session.commit()
    with pytest.raises(partners_service.NotAllowed):
        partners_service.verify(session, people["officer"], partner.id)
    partners_service.verify(session, people["admin"], partner.id)
    assert session.get(Partner, partner.id).verified_by_id == people["admin"].id


def test_refusing_needs_a_reason_deletes_the_registration_and_tells_its_contact(app, session,
                                                                                people):
    partner_id = make_partner(session, people, verified=False).id
    officer = browser(app, people["officer"], lang="en")
    url = f"/en/community/partners/{partner_id}/refuse"
    response = officer.submit(url, {"reason": "  "}, form_url="/en/community/partners/pending")
    assert response.status_code == 302
    session.rollback()
    assert session.get(Partner, partner_id) is not None
    stranger = browser(app, people["stranger"], lang="en")
    assert stranger.submit(url, {"reason": "Không rõ"},
                           form_url="/en/community/partners/pending").status_code == 403
    response = officer.submit(url, {"reason": "Không tìm thấy giấy phép kinh doanh"},
                              form_url="/en/community/partners/pending")
    assert response.status_code == 302
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    assert session.get(Partner, partner_id) is None
    notice = session.scalars(select(OutboxMessage)).one()
    assert notice.user_id == people["contact"].id
    assert "Không tìm thấy giấy phép kinh doanh" in notice.body


# -- the public list -------------------------------------------------------------------------

def test_the_public_list_shows_verified_partners_by_kind(app, session, people):
    make_partner(session, people, name="Công ty Thép Thử", kind="business")
    make_partner(session, people, name="Trường Đại học Thử", kind="school")
    make_partner(session, people, name="Công ty Chưa Duyệt", kind="business", verified=False)
    client = browser(app)
    shown = [h.get_text(strip=True) for h in client.get("/en/community/partners/").page.select(
        ".cards h2")]
    assert shown == ["Công ty Thép Thử", "Trường Đại học Thử"]
    shown = [h.get_text(strip=True) for h in client.get(
        "/en/community/partners/?kind=school").page.select(".cards h2")]
    assert shown == ["Trường Đại học Thử"]
    assert client.get("/en/community/partners/?kind=%00x&page=-3").status_code in (200, 400)


# -- pledges ---------------------------------------------------------------------------------

def test_a_verified_partner_pledges_and_the_author_hears_in_their_language(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    client = browser(app, people["contact"], lang="en")
    url = f"/en/community/initiatives/{initiative.id}/pledge"
    page = client.get(url).page
    assert page.select_one("select#partner_id option").get_text() == partner.name
    response = client.submit(url, {"partner_id": str(partner.id),
                                   "need_id": str(initiative.needs[1].id),
                                   "quantity": "50", "note": "Giao trong tháng 12"})
    assert response.status_code == 302
    session.rollback()
    pledge = session.scalars(select(Pledge)).one()
    assert (pledge.kind, pledge.quantity, pledge.need_id, pledge.status, pledge.note) == (
        "materials", 50, initiative.needs[1].id, "pledged", "Giao trong tháng 12")
    notice = session.scalars(select(OutboxMessage)).one()
    assert notice.user_id == people["author"].id
    assert notice.subject.startswith("New pledge for your initiative")
    assert "50 bao xi măng" in notice.body and partner.name in notice.body


def test_other_help_takes_a_kind_and_money_reads_as_people_write_it(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    client = browser(app, people["contact"], lang="en")
    url = f"/en/community/initiatives/{initiative.id}/pledge"
    response = client.submit(url, {"partner_id": str(partner.id), "need_id": "0",
                                   "quantity": "3"})
    assert response.status_code == 400
    assert "Choose what kind of help" in response.page.select_one(".error-summary").text
    assert client.submit(url, {"partner_id": str(partner.id), "need_id": "0", "kind": "labour",
                               "quantity": "3"}).status_code == 302
    assert client.submit(url, {"partner_id": str(partner.id),
                               "need_id": str(initiative.needs[0].id),
                               "quantity": "1.500.000 đ"}).status_code == 302
    session.rollback()
    rows = session.execute(select(Pledge.kind, Pledge.need_id, Pledge.quantity)
                           .order_by(Pledge.id)).all()
    assert rows == [("labour", None, 3), ("money", initiative.needs[0].id, 1_500_000)]


def test_an_unverified_partner_cannot_pledge(app, session, people):
    partner = make_partner(session, people, verified=False)
    initiative = make_initiative(session, people)
    client = browser(app, people["contact"], lang="en")
    url = f"/en/community/initiatives/{initiative.id}/pledge"
    page = client.get(url).page
    assert "Only a verified partner organisation can pledge" in page.get_text()
    assert page.select_one("form#quantity, input#quantity") is None
    token = client.csrf_token("/en/community/partners/")
    response = client.post(url, data={"csrf_token": token, "partner_id": str(partner.id),
                                      "need_id": str(initiative.needs[0].id),
                                      "quantity": "1000"})
    assert response.status_code == 409
    with pytest.raises(PartnerError) as error:
        pledges_service.pledge(session, people["contact"], initiative.id,
                               pledges_service.PledgeRequest(partner.id, None, "money", "1000"))
    assert error.value.code == "partner_not_verified"
    assert pledges_count(session) == 0


@pytest.mark.parametrize("status, message", [
    ("rejected", "was not accepted by the commune"),
    ("done", "is finished"),
    ("withdrawn", "was withdrawn"),
    ("published", "has not been accepted by the commune yet"),
])
def test_no_pledge_on_an_initiative_not_accepted_or_finished(app, session, people, status,
                                                             message):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people, status=status)
    client = browser(app, people["contact"], lang="en")
    url = f"/en/community/initiatives/{initiative.id}/pledge"
    assert message in client.get(url).page.get_text()
    token = client.csrf_token("/en/community/partners/")
    response = client.post(url, data={"csrf_token": token, "partner_id": str(partner.id),
                                      "need_id": str(initiative.needs[0].id),
                                      "quantity": "1000"})
    assert response.status_code == 409 and message in response.page.get_text()
    assert pledges_count(session) == 0


@pytest.mark.parametrize("status", ["hidden", "draft"])
def test_a_hidden_or_draft_initiative_has_no_pledge_page(app, session, people, status):
    make_partner(session, people)
    initiative = make_initiative(session, people, status=status)
    client = browser(app, people["contact"], lang="en")
    assert client.get(f"/en/community/initiatives/{initiative.id}/pledge").status_code == 404


@pytest.mark.parametrize("quantity, message", [
    ("-5", "more than zero"), ("0", "more than zero"), ("abc", "whole number"),
    ("1e12", "whole number"), ("1.5", "whole number"), ("10000000000000", "at most"),
    ("1000000000001", "at most"), ("", "Enter how much"), ("١٢", "whole number"),
])
def test_bad_quantities_get_a_clear_message_and_nothing_is_saved(app, session, people,
                                                                 quantity, message):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    client = browser(app, people["contact"], lang="en")
    url = f"/en/community/initiatives/{initiative.id}/pledge"
    response = client.submit(url, {"partner_id": str(partner.id),
                                   "need_id": str(initiative.needs[0].id),
                                   "quantity": quantity, "note": "Ghi chú giữ lại"})
    assert response.status_code == 400
    assert message in response.page.select_one(".error-summary").text
    assert response.page.select_one("#note").get_text().strip() == "Ghi chú giữ lại"
    assert pledges_count(session) == 0


def test_a_pledge_takes_at_most_what_the_need_still_lacks(app, session, people):
    """200 bags needed, 150 promised: 51 more is refused with its reason, 50 is taken, and then
    the need is covered. Help beyond the need is offered as "other help"."""
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    bags = initiative.needs[1]
    client = browser(app, people["contact"], lang="en")
    url = f"/en/community/initiatives/{initiative.id}/pledge"

    def offer(quantity, need_id=str(bags.id), **extra):
        return client.submit(url, {"partner_id": str(partner.id), "need_id": need_id,
                                   "quantity": quantity, **extra})

    assert offer("150").status_code == 302
    refused = offer("51")
    assert refused.status_code == 400
    assert "more than this need still lacks" in refused.page.select_one(".error-summary").text
    assert pledges_count(session) == 1
    assert offer("50").status_code == 302
    assert offer("1").status_code == 400
    assert offer("500", need_id="0", kind="materials").status_code == 302
    assert pledges_count(session) == 3


def test_quantities_in_range_parse():
    assert pledges_service.parse_quantity("1") == 1
    assert pledges_service.parse_quantity("1 000 000 000 000") == 10 ** 12
    assert pledges_service.parse_quantity("2,500,000 VND") == 2_500_000
    assert pledges_service.parse_quantity("", required=False) is None


def test_one_cannot_pledge_for_someone_elses_partner(session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    with pytest.raises(PartnerError) as error:
        pledges_service.pledge(session, people["author"], initiative.id,
                               pledges_service.PledgeRequest(partner.id, None, "money", "1000"))
    assert error.value.code == "not_your_partner"


# -- delivery --------------------------------------------------------------------------------

def test_only_staff_of_the_initiatives_commune_mark_a_pledge_delivered(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    pledge = Pledge(partner_id=partner.id, initiative_id=initiative.id,
                    need_id=initiative.needs[0].id, kind="money", quantity=4_000_000)
    session.add(pledge)
    session.commit()
    url = f"/en/community/pledges/{pledge.id}/delivered"
    for user in (people["contact"], people["author"]):
        client = browser(app, user, lang="en")
        assert client.submit(url, form_url="/en/community/partners/").status_code == 403
    stranger = browser(app, people["stranger"], lang="en")
    assert stranger.submit(url, form_url="/en/community/partners/").status_code == 403
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    assert session.get(Pledge, pledge.id).status == "pledged"

    officer = browser(app, people["officer"], lang="en")
    assert officer.submit(url, form_url="/en/community/partners/").status_code == 302
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    done = session.get(Pledge, pledge.id)
    assert done.status == "delivered" and done.delivered_by_id == people["officer"].id
    assert done.delivered_at is not None
    # A second press changes nothing and says so.
    response = officer.submit(url, form_url="/en/community/partners/")
    assert response.status_code == 302
    again = officer.get(response.headers["Location"]).page.get_text()
    assert "already marked delivered or cancelled" in again
    with pytest.raises(PartnerError):
        pledges_service.settle(session, people["officer"], pledge.id, "cancelled")


def test_staff_cancel_a_pledge(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    pledge = Pledge(partner_id=partner.id, initiative_id=initiative.id, kind="labour",
                    quantity=5)
    session.add(pledge)
    session.commit()
    officer = browser(app, people["officer"], lang="en")
    assert officer.submit(f"/en/community/pledges/{pledge.id}/cancel",
                          form_url="/en/community/partners/").status_code == 302
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    cancelled = session.get(Pledge, pledge.id)
    assert cancelled.status == "cancelled"
    # Who cancelled it and when have their own columns: the delivery's stay empty.
    assert cancelled.cancelled_by_id == people["officer"].id and cancelled.cancelled_at
    assert cancelled.delivered_at is None and cancelled.delivered_by_id is None


# -- the partner's page and the initiative page's partial -------------------------------------

def _pledged(session, partner, initiative):
    money, cement = initiative.needs
    session.add_all([
        Pledge(partner_id=partner.id, initiative_id=initiative.id, need_id=money.id,
               kind="money", quantity=3_000_000, status="delivered", delivered_at=VERIFIED_AT),
        Pledge(partner_id=partner.id, initiative_id=initiative.id, need_id=money.id,
               kind="money", quantity=2_000_000),
        Pledge(partner_id=partner.id, initiative_id=initiative.id, need_id=money.id,
               kind="money", quantity=9_000_000, status="cancelled", cancelled_at=VERIFIED_AT),
        Pledge(partner_id=partner.id, initiative_id=initiative.id, need_id=cement.id,
               kind="materials", quantity=120, status="delivered", delivered_at=VERIFIED_AT),
        Pledge(partner_id=partner.id, initiative_id=initiative.id, kind="labour", quantity=6),
    ])
    session.commit()


def test_the_partner_page_shows_its_pledges_and_totals(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    _pledged(session, partner, initiative)
    hidden = make_initiative(session, people, status="hidden")
    session.add(Pledge(partner_id=partner.id, initiative_id=hidden.id, kind="money",
                       quantity=777_000))
    session.commit()
    page = browser(app).get(f"/en/community/partners/{partner.id}").page
    rows = {tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in page.select("table.totals tbody tr")}
    assert rows == {
        "Labour (person-days)": ["6 person-days", "0 person-days"],
        "Materials (bao xi măng)": ["120 bao xi măng", "120 bao xi măng"],
        "Money (đồng)": ["5.000.000 ₫", "3.000.000 ₫"],
    }
    assert initiative.title in page.get_text()
    assert "777.000" not in page.get_text()  # pledges to a hidden initiative are not shown


def _render_partial(app, initiative, user=None):
    with app.test_request_context("/en/community/"):
        if user is not None:
            login_user(user)
        html = render_template_string('{% include "community/_pledges.html" %}',
                                      initiative=initiative)
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_the_pledges_partial_shows_progress_per_need(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    _pledged(session, partner, initiative)
    page = _render_partial(app, initiative)
    needs = page.select(".pledge-need")
    assert len(needs) == 3  # money, cement, and "other help" (labour)
    money = needs[0]
    assert [p["value"] for p in money.select("progress")] == ["50", "30"]
    text = money.get_text(" ", strip=True)
    assert "Needed: 10.000.000 ₫" in text and "Pledged so far: 5.000.000 ₫ (50%)" in text
    assert "Delivered so far: 3.000.000 ₫ (30%)" in text
    assert len(money.select("li")) == 3 and money.select_one("li a")["href"].endswith(
        f"/community/partners/{partner.id}")
    assert "Pledged so far: 120 bao xi măng (60%)" in needs[1].get_text(" ", strip=True)
    assert "6 person-days" in needs[2].get_text(" ", strip=True)
    # Visitors: no buttons, no pledge link.
    assert not page.select("form") and not page.find("a", string="Pledge help")
    # The contact of a verified partner gets the link; staff of the commune get the buttons.
    assert _render_partial(app, initiative, people["contact"]).find("a", string="Pledge help")
    staff = _render_partial(app, initiative, people["officer"])
    assert len(staff.select("form[action*='/delivered']")) == 2  # the two still pledged
    assert not _render_partial(app, initiative, people["stranger"]).select("form")


def test_the_partial_is_quiet_before_the_initiative_is_accepted(app, session, people):
    initiative = make_initiative(session, people, status="published")
    assert _render_partial(app, initiative, people["contact"]).get_text(strip=True) == ""
    initiative.status = "done"  # finished: what was pledged stays, the link goes
    session.add(Pledge(partner_id=make_partner(session, people).id,
                       initiative_id=initiative.id, kind="money", quantity=5))
    session.commit()
    page = _render_partial(app, initiative, people["contact"])
    assert page.select(".pledge-need") and not page.find("a", string="Pledge help")


def test_pledged_totals_come_from_one_grouped_query(app, session, people):
    from sqlalchemy import event

    from app.extensions import db

    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    _pledged(session, partner, initiative)
    session.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    initiative = session.get(Initiative, initiative.id)
    _ = initiative.needs
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        board = pledges_service.board(session, initiative)
        _ = [p.partner.name for n in board.needs for p in n.pledges]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_the_demo_has_partners_to_show(client, demo):
    page = client.get("/vi/community/partners/").page
    assert [h.get_text(strip=True) for h in page.select(".cards h2")] == [
        "Công ty TNHH Vật liệu xây dựng Đại Phúc", "Trường THCS Đại Phúc"]


@only_on("postgresql")
def test_two_officers_settling_one_pledge_at_once_change_it_once(app, session, people):
    """Delivered by one and cancelled by another in the same instant: one wins, the other is
    told it was already settled (the guarded UPDATE), never both."""
    import threading

    from sqlalchemy.orm import Session

    from app.models import User

    second = make_officer(session, make_department(session, people["commune"]),
                          password=PASSWORD)
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    pledge = Pledge(partner_id=partner.id, initiative_id=initiative.id, kind="money",
                    quantity=1_000_000)
    session.add(pledge)
    session.commit()
    pledge_id, engine = pledge.id, session.get_bind()
    outcomes, barrier = [], threading.Barrier(2)

    def officer(user_id, outcome):
        with Session(engine) as own:
            user = own.get(User, user_id)
            barrier.wait()
            try:
                pledges_service.settle(own, user, pledge_id, outcome)
                outcomes.append(outcome)
            except PartnerError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=officer, args=(people["officer"].id, "delivered")),
               threading.Thread(target=officer, args=(second.id, "cancelled"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "already_settled"]
    assert len(winners) == 1 and outcomes.count("already_settled") == 1
    session.rollback()
    settled = session.get(Pledge, pledge_id)
    assert settled.status == winners[0]
    if winners[0] == "delivered":
        assert settled.delivered_by_id is not None and settled.cancelled_at is None
    else:
        assert settled.cancelled_by_id is not None and settled.delivered_at is None


# -- the review of issue 9: withdrawing a pledge, htmx, Vietnamese messages ------------------

def _vi(text: str) -> str:
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        return gettext(text)


def test_a_partner_withdraws_its_own_pledge_and_the_author_hears_in_their_language(
        app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    pledge = Pledge(partner_id=partner.id, initiative_id=initiative.id,
                    need_id=initiative.needs[0].id, kind="money", quantity=4_000_000)
    session.add(pledge)
    session.commit()
    url = f"/vi/community/pledges/{pledge.id}/withdraw"
    page_url = f"/vi/community/initiatives/{initiative.id}"
    # Only the partner's contact person is offered the button, and only they may use it.
    contact = browser(app, people["contact"])
    assert contact.get(page_url).page.select(f"form[action='{url}']")
    for user in (people["author"], people["officer"], people["admin"]):
        other = browser(app, user)
        assert not other.get(page_url).page.select(f"form[action='{url}']")
        assert other.submit(url, form_url=page_url).status_code == 403
    session.rollback()
    assert session.get(Pledge, pledge.id).status == "pledged"
    before = session.scalar(select(func.count()).select_from(OutboxMessage))
    response = contact.submit(url, {"next": page_url}, form_url=page_url)
    assert response.status_code == 302
    text = contact.get(response.headers["Location"]).page.get_text()
    assert _vi("Your pledge is withdrawn; the initiative's author is told.") in text
    assert _vi("Withdrawn by the partner") in text
    session.rollback()
    row = session.get(Pledge, pledge.id)
    assert row.status == "withdrawn" and row.cancelled_by_id == people["contact"].id
    assert row.cancelled_at is not None and row.delivered_at is None
    # The author (English) is told, once, in English.
    told = session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == people["author"].id)).all()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == before + 1
    assert told[-1].subject.startswith("A pledge to your initiative")
    # It no longer counts towards the need.
    board = pledges_service.board(session, session.get(Initiative, initiative.id))
    assert board.needs[0].pledged == 0
    # Withdrawing again, or staff delivering it now: a clear message, nothing changes.
    again = contact.submit(url, {"next": page_url}, form_url=page_url, follow_redirects=True)
    assert _vi("This pledge can no longer be withdrawn: it was already delivered, cancelled "
               "or withdrawn. Nothing was changed.") in again.page.get_text()
    with pytest.raises(PartnerError):
        pledges_service.settle(session, people["officer"], pledge.id, "delivered")
    session.rollback()
    assert session.get(Pledge, pledge.id).status == "withdrawn"


def test_a_delivered_pledge_cannot_be_withdrawn(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    pledge = Pledge(partner_id=partner.id, initiative_id=initiative.id, kind="labour",
                    quantity=3)
    session.add(pledge)
    session.commit()
    pledges_service.settle(session, people["officer"], pledge.id, "delivered")
    with pytest.raises(PartnerError) as error:
        pledges_service.withdraw(session, people["contact"], pledge.id)
    assert error.value.code == "not_withdrawable"
    session.rollback()
    assert session.get(Pledge, pledge.id).status == "delivered"
    page = browser(app, people["contact"]).get(f"/vi/community/initiatives/{initiative.id}")
    assert not page.page.select("form[action$='/withdraw']")


def test_pledge_buttons_under_htmx_answer_the_refreshed_pledges(app, session, people):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    first, second = (Pledge(partner_id=partner.id, initiative_id=initiative.id,
                            need_id=initiative.needs[0].id, kind="money", quantity=q)
                     for q in (1_000_000, 2_000_000))
    session.add_all([first, second])
    session.commit()
    page_url = f"/vi/community/initiatives/{initiative.id}"
    officer = browser(app, people["officer"])
    page = officer.get(page_url).page
    form = page.select_one(f"form[action$='/pledges/{first.id}/delivered']")
    assert form["hx-post"] == form["action"] and form["hx-target"] == "#pledges"
    hx = {"HX-Request": "true"}
    response = officer.submit(f"/vi/community/pledges/{first.id}/delivered",
                              {"next": page_url}, form_url=page_url, headers=hx)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    section = response.page.find("section", id="pledges")
    assert section is not None and _vi("The pledge is marked delivered.") in section.get_text()
    # The buttons of the refreshed part bring a plain post back to the initiative's page.
    assert {i["value"] for i in section.select("input[name=next]")} == {page_url}
    # A second press: 200 with the message (htmx swaps only 2xx answers), nothing changes.
    again = officer.submit(f"/vi/community/pledges/{first.id}/cancel",
                           {"next": page_url}, form_url=page_url, headers=hx)
    assert again.status_code == 200
    assert _vi("This pledge was already marked delivered or cancelled, or its partner "
               "withdrew it.") in again.page.get_text()
    session.rollback()
    assert session.get(Pledge, first.id).status == "delivered"
    # The partner withdraws the other one under htmx.
    contact = browser(app, people["contact"])
    response = contact.submit(f"/vi/community/pledges/{second.id}/withdraw",
                              {"next": page_url}, form_url=page_url, headers=hx)
    assert response.status_code == 200 and response.page.find("section", id="pledges")
    session.rollback()
    assert session.get(Pledge, second.id).status == "withdrawn"


def test_verifying_and_refusing_under_htmx_answer_the_partners_card(app, session, people):
    waiting = make_partner(session, people, verified=False)
    other = make_partner(session, people, verified=False, name="Trường Thử Hai")
    other_id = other.id
    officer = browser(app, people["officer"])
    pending = "/vi/community/partners/pending"
    card = officer.get(pending).page.find("li", id=f"partner-{waiting.id}")
    verify = card.select_one("form[action$='/verify']")
    assert verify["hx-target"] == f"#partner-{waiting.id}"
    hx = {"HX-Request": "true"}
    response = officer.submit(verify["action"], {"next": pending}, form_url=pending,
                              headers=hx)
    assert response.status_code == 200
    answered = response.page.find("li", id=f"partner-{waiting.id}")
    assert _vi("%(name)s is verified.") % {"name": waiting.name} in answered.get_text()
    assert not answered.select("form")
    # A refusal without a reason: the card again, with the error at the reason, 200.
    url = f"/vi/community/partners/{other.id}/refuse"
    response = officer.submit(url, {"reason": " ", "next": pending}, form_url=pending,
                              headers=hx)
    assert response.status_code == 200
    card = response.page.find("li", id=f"partner-{other.id}")
    assert card.select_one("textarea")["aria-invalid"] == "true"
    assert _vi("Say why the registration is refused: the organisation is told.") in \
        card.get_text()
    session.rollback()
    assert session.get(Partner, other_id) is not None
    response = officer.submit(url, {"reason": "Không rõ địa chỉ", "next": pending},
                              form_url=pending, headers=hx)
    assert response.status_code == 200 and not response.page.select("form")
    session.rollback()
    session.expunge_all()
    assert session.get(Partner, other_id) is None


@pytest.mark.parametrize("quantity, message", [
    ("-5", "The quantity must be more than zero."),
    ("1000000000001", "The quantity can be at most 1,000,000,000,000."),
    ("1,5", "Enter the quantity as a whole number, like 1500000 or 1.500.000."),
])
def test_bad_pledge_amounts_are_refused_in_vietnamese(app, session, people, quantity, message):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    client = browser(app, people["contact"])
    url = f"/vi/community/initiatives/{initiative.id}/pledge"
    response = client.submit(url, {"partner_id": str(partner.id),
                                   "need_id": str(initiative.needs[0].id),
                                   "quantity": quantity})
    assert response.status_code == 400
    assert _vi(message) in response.page.select_one(".error-summary").text
    assert _vi(message) != message  # the Vietnamese wording, not the English source
    assert pledges_count(session) == 0


@pytest.mark.parametrize("status, message", [
    ("rejected", "This initiative was not accepted by the commune, so it takes no pledges."),
    ("done", "This initiative is finished, so it takes no more pledges."),
])
def test_a_pledge_on_a_rejected_or_finished_initiative_is_refused_in_vietnamese(
        app, session, people, status, message):
    partner = make_partner(session, people)
    initiative = make_initiative(session, people, status=status)
    client = browser(app, people["contact"])
    url = f"/vi/community/initiatives/{initiative.id}/pledge"
    token = client.csrf_token("/vi/community/partners/")
    response = client.post(url, data={"csrf_token": token, "partner_id": str(partner.id),
                                      "need_id": str(initiative.needs[0].id),
                                      "quantity": "1000"})
    assert response.status_code == 409 and _vi(message) in response.page.get_text()
    assert pledges_count(session) == 0


@only_on("postgresql")
def test_a_withdrawal_racing_a_delivery_ends_one_way(app, session, people):
    """The partner withdraws while an officer marks it delivered, in the same instant: the
    guarded UPDATE lets one win; the other is told, and the columns of only one outcome are
    filled."""
    import threading

    from sqlalchemy.orm import Session

    from app.models import User

    partner = make_partner(session, people)
    initiative = make_initiative(session, people)
    pledge = Pledge(partner_id=partner.id, initiative_id=initiative.id, kind="money",
                    quantity=1_000_000)
    session.add(pledge)
    session.commit()
    pledge_id, engine = pledge.id, session.get_bind()
    outcomes, barrier = [], threading.Barrier(2)

    def act(user_id, what):
        with Session(engine) as own:
            user = own.get(User, user_id)
            barrier.wait()
            try:
                if what == "withdrawn":
                    pledges_service.withdraw(own, user, pledge_id)
                else:
                    pledges_service.settle(own, user, pledge_id, what)
                outcomes.append(what)
            except PartnerError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=act, args=(people["contact"].id, "withdrawn")),
               threading.Thread(target=act, args=(people["officer"].id, "delivered"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o in ("withdrawn", "delivered")]
    assert len(winners) == 1, outcomes
    session.rollback()
    row = session.get(Pledge, pledge_id)
    assert row.status == winners[0]
    assert (row.delivered_at is None) == (winners[0] == "withdrawn")
    assert (row.cancelled_at is None) == (winners[0] == "delivered")
