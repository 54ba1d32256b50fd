"""The administration area as an administrator uses it: setting up a new commune through the
forms, the refusals that keep the set-up consistent, and who may not come in at all."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.admin.services import local_today
from app.auth.services import create_staff
from app.demo.seed import DEMO_PASSWORD
from app.models import (AdminUnit, CalendarDay, Case, Department, OfficerMembership, OutboxMessage,
                        ProcedureDocument, RoutingRule, User, utcnow)
from app.queue.calendar import public_holidays
from tests.factories import make_procedure

ADMIN = "quantri@conglang.demo"
OFFICER = "tiepnhan@conglang.demo"
RESIDENT = "0912345678"
PROVINCE = "19"
DEMO_COMMUNE = "05600"


def _login(client, who, lang="vi"):
    assert client.login(who, DEMO_PASSWORD, lang=lang).status_code == 302


@pytest.fixture
def admin(client, demo_people):
    _login(client, ADMIN)
    return client


def _unit(session, code) -> AdminUnit:
    return session.scalar(select(AdminUnit).where(AdminUnit.code == code))


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _errors(page) -> str:
    """Everything the page says is wrong: the summary and the messages by the fields."""
    summary = page.select_one(".error-summary")
    assert summary is not None, "no error summary on the page"
    return summary.get_text(" ", strip=True)


def _field_error(page, field_id) -> str:
    message = page.select_one(f"#{field_id}-error")
    assert message is not None, f"no error message next to #{field_id}"
    assert page.select_one(f".error-summary a[href='#{field_id}']") is not None
    return message.get_text(" ", strip=True)


def _next_weekday(start: date, weekday: int, *, skip_public=True) -> date:
    day = start + timedelta(days=1)
    while day.weekday() != weekday or (skip_public and day in public_holidays(day.year)):
        day += timedelta(days=1)
    return day


@pytest.fixture
def things(session, demo_people):
    """One of everything an admin page can show: a department, a rule, a seat, a calendar day."""
    dept = session.scalar(select(Department).where(Department.code == f"{DEMO_COMMUNE}-MC"))
    rule = RoutingRule(case_type="dossier", department_id=dept.id, unit_id=dept.unit_id)
    seat = session.scalar(select(OfficerMembership).where(OfficerMembership.department_id == dept.id))
    message = OutboxMessage(channel="sms", recipient="0912345678", subject="S", body="B",
                            status="undeliverable")
    procedure = make_procedure(session)
    document = ProcedureDocument(procedure_id=procedure.id, position=1, name_vi="Tờ khai",
                                 name_en="Form")
    session.add_all([rule, message, document])
    from app.models import ApiKey, ReportAttribute, ReportCategory, ReportRoute

    category = ReportCategory(code="thu", name_vi="Thử", name_en="Test")
    category.attributes = [ReportAttribute(code="so", datatype="number", position=1,
                                           description_vi="Số?", description_en="Number?")]
    session.add(category)
    session.flush()
    report_route = ReportRoute(category_id=category.id, unit_id=dept.unit_id,
                               department_id=dept.id)
    key = ApiKey(name="Ứng dụng", key_hash="1" * 64, prefix="cl_thu")
    session.add_all([report_route, key])
    session.commit()
    return {"unit": dept.unit_id, "dept": dept.id, "rule": rule.id, "seat": seat.id,
            "officer": seat.user_id, "day": session.scalar(select(CalendarDay.id)),
            "message": message.id, "field": procedure.field_id, "procedure": procedure.id,
            "document": document.id, "category": category.id,
            "attribute": category.attributes[0].id, "route": report_route.id, "key": key.id}


def _admin_urls(app, things, lang="vi", methods=("GET",)):
    """Every admin URL of the given methods, with real ids filled in."""
    ids = {"unit_id": things["unit"], "department_id": things["dept"], "rule_id": things["rule"],
           "membership_id": things["seat"], "user_id": things["officer"], "day_id": things["day"],
           "message_id": things["message"], "field_id": things["field"],
           "procedure_id": things["procedure"], "document_id": things["document"],
           "direction": "up", "category_id": things["category"],
           "attribute_id": things["attribute"], "route_id": things["route"],
           "key_id": things["key"]}
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin.") and set(methods) & set(rule.methods):
                if methods == ("POST",) and "GET" in rule.methods:
                    continue
                args = {a: ids[a] for a in rule.arguments if a != "lang_code"}
                urls.append(url_for(rule.endpoint, lang_code=lang, **args))
    assert urls
    return sorted(urls)


# -- who may come in -----------------------------------------------------------------------

@pytest.mark.parametrize("who", [RESIDENT, OFFICER])
def test_residents_and_officers_are_refused_every_admin_page(client, app, things, who):
    _login(client, who)
    for url in _admin_urls(app, things):
        assert client.get(url).status_code == 403, url
    token = client.csrf_token("/vi/")
    for url in _admin_urls(app, things, methods=("POST",)):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    assert _count(client.application.extensions["sqlalchemy"].session, CalendarDay) == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, app, things):
    for url in _admin_urls(app, things):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/vi/account/login?next=" in response.headers["Location"]


def test_the_staff_menu_links_administrators_to_the_admin_area(admin):
    page = admin.get("/en/").page
    assert page.select_one("nav.main-nav a[href='/en/admin/']") is not None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_admin_page_renders_in_both_languages(admin, app, things, lang):
    for url in _admin_urls(app, things, lang=lang):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert response.page.html["lang"] == lang
        assert response.page.h1.get_text(strip=True)
        hrefs = [a["href"] for a in response.page.select("main a[href^='/']")]
        assert all(h.startswith(f"/{lang}/") for h in hrefs), url


def test_the_index_counts_what_there_is(admin):
    page = admin.get("/en/admin/").page
    text = page.get_text(" ", strip=True)
    assert "Communes and wards: 6" in text and "Villages and hamlets: 19" in text
    assert "Officer and leader accounts: 3" in text
    for section in ("units", "departments", "officers", "routing-rules", "calendar"):
        assert page.select_one(f"main .sections a[href='/en/admin/{section}']") is not None


def test_the_unit_tree_shows_both_names_and_codes(admin):
    page = admin.get("/vi/admin/units").page
    commune = page.select_one("#unit-2")  # the first commune, under the province (id 1)
    assert commune is not None
    text = page.get_text(" ", strip=True)
    assert "Xã Đại Phúc" in text and "Dai Phuc Commune" in text and "05600" in text
    assert "Thôn Tân Lập" in text and "Tan Lap Village" in text and "05600-02" in text


# -- the whole set-up, end to end ----------------------------------------------------------

def test_an_administrator_sets_up_a_new_commune_end_to_end(admin, session):
    province = _unit(session, PROVINCE)

    # 1. the commune, from the "add a commune" link under the province
    form = admin.get(f"/en/admin/units/new?parent={province.id}").page
    assert form.select_one("#parent_id option[selected]")["value"] == str(province.id)
    assert form.select_one("#level option[selected]")["value"] == "commune"
    response = admin.submit("/en/admin/units/new", {
        "level": "commune", "parent_id": province.id, "code": "06100",
        "name_vi": "Xã Tân Cương", "name_en": "Tan Cuong Commune"})
    assert response.status_code == 302
    commune = _unit(session, "06100")
    assert (commune.level, commune.parent_id, commune.name_en) == ("commune", province.id,
                                                                    "Tan Cuong Commune")

    # 2. a village under it
    response = admin.submit("/en/admin/units/new", {
        "level": "village", "parent_id": commune.id, "code": "06100-01",
        "name_vi": "Xóm Hồng Thái", "name_en": "Hong Thai Hamlet"})
    assert response.status_code == 302
    village = _unit(session, "06100-01")
    assert village.parent_id == commune.id and village.level == "village"
    tree = admin.get(response.headers["Location"]).page
    assert "Hong Thai Hamlet" in tree.select_one(f"#unit-{commune.id}").get_text()

    # 3. a department of the commune, with a leader account made beforehand
    leader = create_staff(session, full_name="Đỗ Văn Hải", password="lanh-dao-2026",
                          role="leader", email="hai@tancuong.vn", commune_id=commune.id)
    response = admin.submit("/en/admin/departments/new", {
        "unit_id": commune.id, "code": "06100-MC", "name_vi": "Bộ phận Một cửa",
        "name_en": "One-stop desk", "case_types": ["dossier", "field_report"],
        "leader_id": leader.id, "active": "y"})
    assert response.status_code == 302
    dept = session.scalar(select(Department).where(Department.code == "06100-MC"))
    assert dept.unit_id == commune.id and dept.leader_id == leader.id and dept.active
    assert dept.accepts("dossier") and dept.accepts("field_report") and not dept.accepts("petition")

    # 4. an officer account
    response = admin.submit("/en/admin/officers/new", {
        "full_name": "Vũ Thị Thu", "email": "Thu@TanCuong.vn", "phone": "0987 111 222",
        "role": "officer", "unit_id": commune.id, "password": "chuyen-vien-1"})
    assert response.status_code == 302
    officer = session.scalar(select(User).where(User.email == "thu@tancuong.vn"))
    assert (officer.role, officer.phone, officer.commune_id) == ("officer", "0987111222", commune.id)
    assert response.headers["Location"].endswith(f"/en/admin/officers/{officer.id}")

    # 5. a seat in the department, with skills
    response = admin.submit(f"/en/admin/officers/{officer.id}/seats/new", {
        "department_id": dept.id, "desk": "specialist", "skills": ["civil_status", "land"],
        "on_duty": "y", "leave_from": "", "leave_until": ""})
    assert response.status_code == 302
    seat = session.scalar(select(OfficerMembership).where(OfficerMembership.user_id == officer.id))
    assert seat.department_id == dept.id and seat.desk == "specialist" and seat.on_duty
    assert seat.skill_set == {"civil_status", "land"}
    page = admin.get(f"/en/admin/officers/{officer.id}").page
    assert "One-stop desk" in page.get_text() and "Land" in page.get_text()

    # 6. a routing rule for the commune's dossiers
    response = admin.submit("/en/admin/routing-rules/new", {
        "case_type": "dossier", "procedure_id": "", "category": "civil_status",
        "unit_id": commune.id, "department_id": dept.id, "mode": "pull", "active": "y"})
    assert response.status_code == 302
    rule = session.scalar(select(RoutingRule).where(RoutingRule.unit_id == commune.id))
    assert (rule.case_type, rule.category, rule.department_id, rule.mode, rule.active,
            rule.procedure_id) == ("dossier", "civil_status", dept.id, "pull", True, None)

    # 7. a make-up working day on a Saturday
    saturday = _next_weekday(date.today() + timedelta(days=30), 5)
    response = admin.submit("/en/admin/calendar", {
        "day": saturday.isoformat(), "kind": "makeup", "name_vi": "Làm bù",
        "name_en": "Make-up day"})
    assert response.status_code == 302
    entry = session.scalar(select(CalendarDay).where(CalendarDay.day == saturday))
    assert entry.kind == "makeup" and entry.name_en == "Make-up day"
    page = admin.get("/en/admin/calendar").page
    assert saturday.strftime("%d/%m/%Y") in page.get_text()

    # and the overview counts it all
    text = admin.get("/en/admin/").page.get_text(" ", strip=True)
    assert "Communes and wards: 7" in text and "Villages and hamlets: 20" in text


def test_names_can_be_corrected_and_the_form_shows_the_current_ones(admin, session):
    village = _unit(session, "05600-02")
    page = admin.get(f"/en/admin/units/{village.id}/edit").page
    assert page.select_one("#name_vi")["value"] == "Thôn Tân Lập"
    response = admin.submit(f"/en/admin/units/{village.id}/edit",
                            {"name_vi": "Thôn Tân Lập Mới", "name_en": "New Tan Lap Village"})
    assert response.status_code == 302
    session.expire_all()
    assert (village.name_vi, village.name_en, village.code) == ("Thôn Tân Lập Mới",
                                                                "New Tan Lap Village", "05600-02")


def test_a_department_edit_shows_its_ticks_and_saves_changes(admin, session, things):
    page = admin.get(f"/en/admin/departments/{things['dept']}/edit").page
    ticked = {box["value"] for box in page.select("input[name=case_types][checked]")}
    assert ticked == {"dossier", "petition", "field_report", "initiative", "village_need"}
    dept = session.get(Department, things["dept"])
    response = admin.submit(f"/en/admin/departments/{dept.id}/edit", {
        "unit_id": dept.unit_id, "code": dept.code, "name_vi": "Một cửa", "name_en": "One stop",
        "case_types": ["dossier", "petition"], "leader_id": "0", "active": "y"})
    assert response.status_code == 302
    session.expire_all()
    assert dept.case_types == "dossier,petition" and dept.leader_id is None
    assert dept.name_en == "One stop"


# -- refusals: a clear message, the input kept, nothing saved ------------------------------

def test_a_duplicate_unit_code_is_refused(admin, session):
    province = _unit(session, PROVINCE)
    before = _count(session, AdminUnit)
    response = admin.submit("/en/admin/units/new", {
        "level": "commune", "parent_id": province.id, "code": "05600",
        "name_vi": "Xã Trùng Mã", "name_en": "Clash Commune"})
    assert response.status_code == 200
    assert "Another unit already has this code" in _field_error(response.page, "code")
    assert response.page.select_one("#name_vi")["value"] == "Xã Trùng Mã"
    assert response.page.select_one("#code")["aria-invalid"] == "true"
    assert _count(session, AdminUnit) == before


def test_a_village_cannot_be_placed_under_a_village(admin, session):
    village = _unit(session, "05600-01")
    before = _count(session, AdminUnit)
    response = admin.submit("/en/admin/units/new", {
        "level": "village", "parent_id": village.id, "code": "05600-99",
        "name_vi": "Xóm Con", "name_en": "Child Hamlet"})
    assert response.status_code == 200
    assert "directly under a commune" in _field_error(response.page, "parent_id")
    assert response.page.select_one("#code")["value"] == "05600-99"
    assert _count(session, AdminUnit) == before


def test_a_commune_must_sit_under_a_province(admin, session):
    commune = _unit(session, DEMO_COMMUNE)
    response = admin.submit("/en/admin/units/new", {
        "level": "commune", "parent_id": commune.id, "code": "09999",
        "name_vi": "Xã Lạc", "name_en": "Stray Commune"})
    assert "directly under a province" in _field_error(response.page, "parent_id")
    assert _unit(session, "09999") is None


def test_unit_names_are_required(admin, session):
    province = _unit(session, PROVINCE)
    response = admin.submit("/en/admin/units/new", {
        "level": "commune", "parent_id": province.id, "code": "09998",
        "name_vi": "  ", "name_en": ""})
    assert "Enter the Vietnamese name" in _field_error(response.page, "name_vi")
    assert "Enter the English name" in _field_error(response.page, "name_en")
    assert _unit(session, "09998") is None


def test_a_duplicate_department_code_is_refused(admin, session):
    commune = _unit(session, "05700")
    before = _count(session, Department)
    response = admin.submit("/en/admin/departments/new", {
        "unit_id": commune.id, "code": f"{DEMO_COMMUNE}-MC", "name_vi": "Một cửa",
        "name_en": "One-stop", "case_types": ["dossier"], "leader_id": "0", "active": "y"})
    assert "Another department already has this code" in _field_error(response.page, "code")
    assert _count(session, Department) == before


def test_a_department_needs_a_kind_of_case_and_a_staff_leader(admin, session):
    commune = _unit(session, "05700")
    resident = session.scalar(select(User).where(User.phone == RESIDENT))
    response = admin.submit("/en/admin/departments/new", {
        "unit_id": commune.id, "code": "05700-TP", "name_vi": "Tư pháp", "name_en": "Justice",
        "leader_id": resident.id, "active": "y"})
    assert "Tick at least one kind of case" in _field_error(response.page, "case_types")
    response = admin.submit("/en/admin/departments/new", {
        "unit_id": commune.id, "code": "05700-TP", "name_vi": "Tư pháp", "name_en": "Justice",
        "case_types": ["dossier"], "leader_id": resident.id, "active": "y"})
    assert "Choose the leader among" in _field_error(response.page, "leader_id")
    assert session.scalar(select(Department).where(Department.code == "05700-TP")) is None


def test_a_department_keeps_the_case_types_its_rules_need(admin, session, things):
    dept = session.get(Department, things["dept"])
    response = admin.submit(f"/en/admin/departments/{dept.id}/edit", {
        "unit_id": dept.unit_id, "code": dept.code, "name_vi": dept.name_vi,
        "name_en": dept.name_en, "case_types": ["petition"], "leader_id": "0", "active": "y"})
    assert "Change those rules first" in _field_error(response.page, "case_types")
    response = admin.submit(f"/en/admin/departments/{dept.id}/edit", {
        "unit_id": dept.unit_id, "code": dept.code, "name_vi": dept.name_vi,
        "name_en": dept.name_en, "case_types": ["dossier"], "leader_id": "0"})
    assert "before switching it off" in _errors(response.page)
    response = admin.submit(f"/en/admin/departments/{dept.id}/edit", {
        "unit_id": _unit(session, "05700").id, "code": dept.code, "name_vi": dept.name_vi,
        "name_en": dept.name_en, "case_types": ["dossier"], "leader_id": "0", "active": "y"})
    assert "before moving the department" in _field_error(response.page, "unit_id")
    session.expire_all()
    assert dept.active and "petition" in dept.case_types and dept.leader_id is not None
    assert dept.unit.code == DEMO_COMMUNE


def test_an_officer_account_needs_a_valid_unused_contact(admin, session):
    commune = _unit(session, DEMO_COMMUNE)
    before = _count(session, User)
    data = {"full_name": "Mai Văn Tùng", "email": "", "phone": "12345", "role": "officer",
            "unit_id": commune.id, "password": "du-tam-ky-tu"}
    response = admin.submit("/en/admin/officers/new", data)
    assert "Vietnamese mobile number" in _field_error(response.page, "phone")
    assert response.page.select_one("#phone")["value"] == "12345"
    response = admin.submit("/en/admin/officers/new", dict(data, phone="", email=OFFICER))
    assert "already uses this email" in _field_error(response.page, "email")
    response = admin.submit("/en/admin/officers/new", dict(data, phone="", email="tung@x.vn",
                                                           password="short"))
    assert "at least 8 characters" in _field_error(response.page, "password")
    response = admin.submit("/en/admin/officers/new", dict(data, phone="", email="tung@x.vn",
                                                           role="admin"))
    assert "Choose officer or leader" in _field_error(response.page, "role")
    assert _count(session, User) == before


def test_a_rule_must_point_to_a_department_that_takes_its_case_type(admin, session):
    commune = _unit(session, "05700")
    dept = Department(unit_id=commune.id, code="05700-DC", name_vi="Địa chính",
                      name_en="Land office", case_types="dossier")
    session.add(dept)
    session.commit()
    response = admin.submit("/en/admin/routing-rules/new", {
        "case_type": "field_report", "procedure_id": "", "category": "", "unit_id": commune.id,
        "department_id": dept.id, "mode": "assign", "active": "y"})
    assert response.status_code == 200
    assert "does not handle that kind of case" in _field_error(response.page, "department_id")
    assert response.page.select_one("#case_type option[selected]")["value"] == "field_report"
    assert _count(session, RoutingRule) == 0


def test_a_rule_for_a_commune_cannot_go_to_another_communes_department(admin, session):
    other = _unit(session, "05700")
    dept = session.scalar(select(Department).where(Department.code == f"{DEMO_COMMUNE}-MC"))
    response = admin.submit("/en/admin/routing-rules/new", {
        "case_type": "dossier", "procedure_id": "", "category": "", "unit_id": other.id,
        "department_id": dept.id, "mode": "assign", "active": "y"})
    assert "belongs to another unit" in _field_error(response.page, "department_id")
    assert _count(session, RoutingRule) == 0


def test_two_active_rules_cannot_cover_the_same_cases(admin, session, things):
    dept = session.get(Department, things["dept"])
    response = admin.submit("/en/admin/routing-rules/new", {
        "case_type": "dossier", "procedure_id": "", "category": "", "unit_id": dept.unit_id,
        "department_id": dept.id, "mode": "assign", "active": "y"})
    assert "already covers" in _field_error(response.page, "case_type")
    assert _count(session, RoutingRule) == 1


def test_a_rule_can_be_deactivated_and_filtered(admin, session, things):
    page = admin.get("/en/admin/routing-rules?status=active").page
    assert len(page.select("main tbody tr")) == 1
    button_form = page.select_one(f"form[action='/en/admin/routing-rules/{things['rule']}/active']")
    response = admin.post(button_form["action"], data={
        "csrf_token": button_form.select_one("input[name=csrf_token]")["value"],
        "next": button_form.select_one("input[name=next]")["value"]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/admin/routing-rules?status=active")
    assert session.get(RoutingRule, things["rule"]).active is False
    assert not admin.get("/en/admin/routing-rules?status=active").page.select("main tbody tr")
    assert len(admin.get("/en/admin/routing-rules?status=inactive").page.select("main tbody tr")) == 1


def test_leave_cannot_end_before_it_starts(admin, session, things):
    seat = session.get(OfficerMembership, things["seat"])
    skills = sorted(seat.skill_set)
    response = admin.submit(f"/en/admin/seats/{seat.id}/edit", {
        "desk": seat.desk, "skills": skills, "on_duty": "y",
        "leave_from": "2026-10-12", "leave_until": "2026-10-09"})
    assert response.status_code == 200
    assert "on or after the first day" in _field_error(response.page, "leave_until")
    assert response.page.select_one("#leave_from")["value"] == "2026-10-12"
    session.expire_all()
    assert seat.leave_from is None and seat.leave_until is None and seat.skill_set == set(skills)


def test_leave_dates_accept_the_vietnamese_way_of_writing_them(admin, session, things):
    seat = session.get(OfficerMembership, things["seat"])
    response = admin.submit(f"/en/admin/seats/{seat.id}/edit", {
        "desk": "intake", "skills": ["residence"], "on_duty": "y",
        "leave_from": "12/10/2030", "leave_until": "16/10/2030"})
    assert response.status_code == 302
    session.expire_all()
    assert (seat.leave_from, seat.leave_until) == (date(2030, 10, 12), date(2030, 10, 16))
    assert seat.skill_set == {"residence"} and seat.desk == "intake"
    page = admin.get(f"/en/admin/officers/{seat.user_id}").page
    assert "12/10/2030 – 16/10/2030" in page.get_text()


def _open_case(session, seat, code="HS-ADMIN-1"):
    now = utcnow()
    case = Case(code=code, case_type="dossier", category="civil_status", title="Khai sinh",
                unit_id=seat.department.unit_id, department_id=seat.department_id,
                assignee_id=seat.user_id, state=4, received_at=now - timedelta(days=1),
                due_at=now + timedelta(days=3), claimed_at=now)
    session.add(case)
    session.commit()
    return case


def test_leave_starting_today_hands_the_officers_open_cases_back(admin, session, things):
    seat = session.get(OfficerMembership, things["seat"])
    case = _open_case(session, seat)
    today = local_today()
    response = admin.submit(f"/en/admin/seats/{seat.id}/edit", {
        "desk": seat.desk, "skills": sorted(seat.skill_set), "on_duty": "y",
        "leave_from": (today - timedelta(days=1)).isoformat(),
        "leave_until": (today + timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    flash = admin.get(response.headers["Location"]).page.select_one(".flash").get_text()
    assert "on leave now: 1 open case went back to the queue" in flash
    session.expire_all()
    assert case.assignee_id is None
    assert seat.leave_from == today - timedelta(days=1)


def test_a_seat_with_open_cases_cannot_be_removed_but_one_without_can(admin, session, things):
    seat = session.get(OfficerMembership, things["seat"])
    case = _open_case(session, seat)
    url = f"/en/admin/seats/{seat.id}/delete"
    response = admin.post(url, data={"csrf_token": admin.csrf_token("/en/admin/")})
    page = admin.get(response.headers["Location"]).page
    assert "still holds open cases" in page.select_one(".flash-error").get_text()
    assert session.get(OfficerMembership, seat.id) is not None
    case.state = 9
    session.commit()
    admin.post(url, data={"csrf_token": admin.csrf_token("/en/admin/")})
    session.expire_all()
    assert session.get(OfficerMembership, things["seat"]) is None


def test_an_officer_cannot_sit_twice_in_one_department(admin, session, things):
    before = _count(session, OfficerMembership)
    response = admin.submit(f"/en/admin/officers/{things['officer']}/seats/new", {
        "department_id": things["dept"], "desk": "specialist", "on_duty": "y"})
    assert "already has a seat" in _field_error(response.page, "department_id")
    assert _count(session, OfficerMembership) == before


def test_duty_can_be_switched_with_one_button(admin, session, things):
    seat = session.get(OfficerMembership, things["seat"])
    assert seat.on_duty
    response = admin.post(f"/en/admin/seats/{seat.id}/duty",
                          data={"csrf_token": admin.csrf_token("/en/admin/")})
    assert response.status_code == 302
    session.expire_all()
    assert seat.on_duty is False


def test_a_date_already_in_the_calendar_is_refused(admin, session):
    existing = session.scalar(select(CalendarDay))
    response = admin.submit("/en/admin/calendar", {
        "day": existing.day.isoformat(), "kind": "makeup", "name_vi": "Lặp", "name_en": "Again"})
    assert response.status_code == 200
    assert "already in the calendar" in _field_error(response.page, "day")
    assert response.page.select_one("#name_en")["value"] == "Again"
    assert _count(session, CalendarDay) == 1


def test_a_public_holiday_is_not_entered_twice(admin, session):
    national_day = date(2026, 9, 2)  # a Wednesday the holidays package already knows
    assert national_day in public_holidays(2026)
    response = admin.submit("/en/admin/calendar", {
        "day": "02/09/2026", "kind": "holiday", "name_vi": "Quốc khánh",
        "name_en": "National Day"})
    assert response.status_code == 200
    assert "already a public holiday" in _field_error(response.page, "day")
    assert _count(session, CalendarDay) == 1


def test_the_calendar_page_lists_the_public_holidays_it_knows(admin):
    year = local_today().year
    page = admin.get("/en/admin/calendar").page
    section = page.select_one("section[aria-labelledby=public-holidays]")
    listed = {t["datetime"] for t in section.select("time")}
    expected = {d.isoformat() for y in (year, year + 1) for d in public_holidays(y)}
    assert listed == expected
    assert f"01/01/{year + 1}" in section.get_text()


def test_a_holiday_on_a_weekend_and_a_make_up_day_on_a_working_day_are_refused(admin, session):
    saturday = _next_weekday(date.today(), 5)
    tuesday = _next_weekday(date.today(), 1)
    response = admin.submit("/en/admin/calendar", {
        "day": saturday.isoformat(), "kind": "holiday", "name_vi": "Nghỉ", "name_en": "Off"})
    assert "already a day off" in _field_error(response.page, "day")
    response = admin.submit("/en/admin/calendar", {
        "day": tuesday.isoformat(), "kind": "makeup", "name_vi": "Làm", "name_en": "Work"})
    assert "already a working day" in _field_error(response.page, "day")
    response = admin.submit("/en/admin/calendar", {
        "day": "31/02/2027", "kind": "holiday", "name_vi": "Sai", "name_en": "Wrong"})
    assert "Enter a real date" in _field_error(response.page, "day")
    assert _count(session, CalendarDay) == 1


def test_an_extra_day_off_can_be_added_and_deleted(admin, session):
    tuesday = _next_weekday(date.today() + timedelta(days=60), 1)
    response = admin.submit("/vi/admin/calendar", {
        "day": tuesday.strftime("%d/%m/%Y"), "kind": "holiday", "name_vi": "Nghỉ thêm",
        "name_en": "Extra day off"})
    assert response.status_code == 302
    entry = session.scalar(select(CalendarDay).where(CalendarDay.day == tuesday))
    page = admin.get("/vi/admin/calendar").page
    delete = page.select_one(f"form[action='/vi/admin/calendar/{entry.id}/delete']")
    assert delete is not None and "Nghỉ thêm" in page.get_text()
    response = admin.post(delete["action"], data={
        "csrf_token": delete.select_one("input[name=csrf_token]")["value"]})
    assert response.status_code == 302
    assert session.scalar(select(CalendarDay).where(CalendarDay.day == tuesday)) is None


def test_forms_without_their_csrf_token_are_refused_and_save_nothing(admin, session, things):
    province = _unit(session, PROVINCE)
    units_before = _count(session, AdminUnit)
    response = admin.post("/en/admin/units/new", data={
        "level": "commune", "parent_id": province.id, "code": "07000",
        "name_vi": "Xã Không Token", "name_en": "No Token Commune"})
    assert response.status_code == 400
    assert "form expired" in response.page.get_text()
    response = admin.post("/en/admin/calendar", data={
        "day": "2031-03-01", "kind": "makeup", "name_vi": "X", "name_en": "X"})
    assert response.status_code == 400
    assert admin.post(f"/en/admin/calendar/{things['day']}/delete").status_code == 400
    assert admin.post(f"/en/admin/routing-rules/{things['rule']}/active").status_code == 400
    assert _count(session, AdminUnit) == units_before
    assert _count(session, CalendarDay) == 1
    assert session.get(RoutingRule, things["rule"]).active


# -- long lists ----------------------------------------------------------------------------

def test_long_lists_are_split_into_pages_with_plain_links(admin, session):
    province = _unit(session, PROVINCE)
    for i in range(50):
        session.add(AdminUnit(code=f"08{i:03d}", level="commune", parent_id=province.id,
                              name_vi=f"Xã Số {i}", name_en=f"Commune {i}"))
    session.commit()
    first = admin.get("/en/admin/units").page
    assert len(first.select("main .panel h3")) == 50
    link = first.select_one("nav.pagination a[rel=next]")
    assert link["href"] == "/en/admin/units?page=2"
    second = admin.get(link["href"]).page
    assert len(second.select("main .panel h3")) == 6  # 56 communes in all
    assert second.select_one("nav.pagination a[rel=prev]") is not None
    assert second.select_one("nav.pagination a[rel=next]") is None

    for i in range(55):
        create_staff(session, full_name=f"Cán Bộ {i:02d}", password="mat-khau-123",
                     role="officer", email=f"canbo{i}@x.vn", commune_id=province.id)
    page = admin.get("/en/admin/officers?q=can+bo").page
    assert len(page.select("main tbody tr")) == 50
    assert page.select_one("nav.pagination a[rel=next]")["href"] == "/en/admin/officers?page=2&q=can+bo"
    assert len(admin.get("/en/admin/officers?q=can+bo&page=2").page.select("main tbody tr")) == 5
