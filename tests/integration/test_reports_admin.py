"""Administrators keep the report categories (bilingual names, questions, the department per
unit) and the Open311 API keys; each bad value gets its own message and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import ApiKey, Case, ReportAttribute, ReportCategory, ReportRoute
from tests.reports_world import HERE, PASSWORD, build


@pytest.fixture
def world(session):
    return build(session)


@pytest.fixture
def admin(client, session, world):
    from tests.factories import make_user

    user = make_user(session, role="admin", password=PASSWORD)
    session.commit()
    assert client.login(user.email, PASSWORD).status_code == 302
    return client


def count(session, model):
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def _category_form(**overrides):
    data = {"code": "den-duong-hong", "name_vi": "Đèn đường hỏng", "name_en": "Broken street light",
            "description_vi": "", "description_en": "", "group_vi": "", "group_en": "",
            "keywords": "đèn", "sla_days": "5", "position": "2", "active": "y"}
    data.update(overrides)
    return data


def test_an_administrator_creates_a_category_and_residents_can_choose_it(admin, app, session,
                                                                         world):
    response = admin.submit("/vi/admin/report-categories/new", _category_form())
    assert response.status_code == 302
    session.rollback()
    category = session.scalar(select(ReportCategory).where(
        ReportCategory.code == "den-duong-hong"))
    assert category.name_en == "Broken street light" and category.sla_days == 5
    listing = admin.get("/vi/admin/report-categories").page.get_text()
    assert "Đèn đường hỏng" in listing
    choices = admin.get("/vi/reports/new").page.select("input[name=category]")
    assert "den-duong-hong" in {c["value"] for c in choices}


@pytest.mark.parametrize("overrides,field,words", [
    ({"code": "Đèn Đường"}, "code", "chữ thường"),
    ({"code": "cong-ranh-tac"}, "code", "Đã có loại phản ánh khác dùng mã này"),
    ({"name_vi": " "}, "name_vi", "Nhập tên bằng tiếng Việt"),
    ({"name_en": ""}, "name_en", "Nhập tên bằng tiếng Anh"),
    ({"sla_days": "0"}, "sla_days", "từ 1 đến 60"),
    ({"sla_days": "ba"}, "sla_days", "từ 1 đến 60"),
    ({"position": "-1"}, "position", "từ 0 đến 1000"),
])
def test_each_bad_value_has_its_own_message_and_nothing_is_saved(admin, session, world,
                                                                   overrides, field, words):
    before = count(session, ReportCategory)
    response = admin.submit("/vi/admin/report-categories/new", _category_form(**overrides))
    assert response.status_code == 400
    error = response.page.select_one(f"#{field}-error")
    assert error is not None and words in error.get_text()
    assert response.page.select_one("#name_vi")["value"] == _category_form(**overrides)["name_vi"]
    assert count(session, ReportCategory) == before


def test_a_category_code_never_changes(admin, session, world):
    url = f"/vi/admin/report-categories/{world.drain.id}/edit"
    response = admin.submit(url, _category_form(code="cong-ranh", name_vi="Cống tắc"))
    assert response.status_code == 400
    assert "Không đổi được mã" in response.page.select_one("#code-error").get_text()
    assert admin.submit(url, _category_form(code="cong-ranh-tac", name_vi="Cống, rãnh tắc")) \
        .status_code == 302
    session.rollback()
    assert session.get(ReportCategory, world.drain.id).name_vi == "Cống, rãnh tắc"


def test_a_deactivated_category_is_no_longer_offered_but_keeps_its_reports(admin, session, world):
    token = admin.csrf_token("/vi/admin/report-categories")
    admin.post(f"/vi/admin/report-categories/{world.tree.id}/active", data={"csrf_token": token})
    codes = {c["value"] for c in admin.get("/vi/reports/new").page.select("input[name=category]")}
    assert codes == {"cong-ranh-tac"}
    session.rollback()
    assert not session.get(ReportCategory, world.tree.id).active


def test_questions_are_added_with_their_choices_and_checked(admin, session, world):
    url = f"/vi/admin/report-categories/{world.drain.id}/attributes/new"
    bad = admin.submit(url, {"code": "muc_nuoc", "datatype": "singlevaluelist",
                             "description_vi": "Nước ngập đến đâu?",
                             "description_en": "How deep is the water?", "position": "1",
                             "choices": "mat-duong | Mặt đường"})
    assert bad.status_code == 400
    assert "Dòng 1" in bad.page.select_one("#choices-error").get_text()
    assert count(session, ReportAttribute) == 1  # the tree's question only
    good = admin.submit(url, {"code": "muc_nuoc", "datatype": "singlevaluelist",
                              "description_vi": "Nước ngập đến đâu?",
                              "description_en": "How deep is the water?", "position": "1",
                              "choices": "mat-duong | Mặt đường | Over the road\n"
                                         "vao-nha | Vào nhà | Into houses"})
    assert good.status_code == 302
    session.rollback()
    attribute = session.scalar(select(ReportAttribute).where(ReportAttribute.code == "muc_nuoc"))
    assert [c["key"] for c in attribute.choices] == ["mat-duong", "vao-nha"]
    assert admin.get("/open311/v2/services/cong-ranh-tac.json").get_json()["attributes"][0][
        "code"] == "muc_nuoc"
    token = admin.csrf_token(f"/vi/admin/report-categories/{world.drain.id}/edit")
    admin.post(f"/vi/admin/report-attributes/{attribute.id}/delete", data={"csrf_token": token})
    assert count(session, ReportAttribute) == 1


def test_a_category_goes_to_its_own_department_in_a_commune(admin, session, world):
    from tests.factories import make_department

    other = make_department(session, world.commune, case_types="field_report",
                            name_vi="Văn hóa – Xã hội", name_en="Culture & Social")
    refuses = make_department(session, world.commune, case_types="dossier")
    session.commit()
    url = f"/vi/admin/report-categories/{world.tree.id}/routes"
    form = f"/vi/admin/report-categories/{world.tree.id}/edit"
    bad = admin.submit(url, {"route-unit_id": world.commune.id,
                             "route-department_id": refuses.id, "route-mode": "pull"},
                       form_url=form)
    assert bad.status_code == 400
    assert "không tiếp nhận phản ánh hiện trường" in bad.page.select_one(
        "#route-department_id-error").get_text()
    assert count(session, ReportRoute) == 0
    ok = admin.submit(url, {"route-unit_id": world.commune.id, "route-department_id": other.id,
                            "route-mode": "pull"}, form_url=form)
    assert ok.status_code == 302
    from app.reports import services

    tree = services.create_report(session, world.resident, services.ReportInput(
        category_code="cay-do", description="Cây đổ", commune_id=world.commune.id,
        lat=HERE[0], lng=HERE[1], attributes={"blocking": ["co"]}))
    drain = services.create_report(session, world.resident, services.ReportInput(
        category_code="cong-ranh-tac", description="Cống tắc", commune_id=world.commune.id,
        lat=HERE[0], lng=HERE[1]))
    assert session.get(Case, tree.case_id).department_id == other.id
    assert session.get(Case, drain.case_id).department_id == world.dept.id  # the routing rule


def test_an_administrator_makes_an_api_key_sees_it_once_and_revokes_it(admin, session, world):
    response = admin.submit("/vi/admin/api-keys", {"name": "Ứng dụng Zalo của xã"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    key = response.page.select_one("code.prewrap").get_text(strip=True)
    assert key.startswith("cl_")
    again = admin.get("/vi/admin/api-keys").get_data(as_text=True)
    assert key not in again and key[:10] in again
    empty = admin.submit("/vi/admin/api-keys", {"name": "  "})
    assert empty.status_code == 400
    assert count(session, ApiKey) == 1
    key_id = session.scalar(select(ApiKey.id))
    token = admin.csrf_token("/vi/admin/api-keys")
    assert admin.post(f"/vi/admin/api-keys/{key_id}/revoke",
                      data={"csrf_token": token}).status_code == 302
    denied = admin.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "cong-ranh-tac", "jurisdiction_id": world.commune.code,
        "address_string": "x", "description": "y"})
    assert denied.status_code == 403
