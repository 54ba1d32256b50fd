"""A paper dossier at the one-stop desk: the officer registers it for the person in front of
them and prints the receipt (Mẫu 01) with its code, appointment date and a QR code to the
tracking page; the same queue as online dossiers, the channel recorded."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.models import Case, Dossier, ProcedureDocument
from tests.factories import make_dossier_office, make_officer, make_resident

PASSWORD = "officer-pass-1"


@pytest.fixture
def desk(session):
    office = make_dossier_office(session, procedure_code="1.001193")
    commune, dept, procedure = office["commune"], office["dept"], office["procedure"]
    intake = make_officer(session, dept, desk="intake", skills=["civil_status"], password=PASSWORD)
    specialist = make_officer(session, dept, skills=["civil_status"], password=PASSWORD)
    papers = [ProcedureDocument(procedure_id=procedure.id, position=i, name_vi=vi, name_en=en,
                                original_or_copy="original", copies=1, upload_required=False)
              for i, (vi, en) in enumerate([("Tờ khai đăng ký khai sinh", "Declaration"),
                                            ("Giấy chứng sinh", "Birth certificate")], start=1)]
    session.add_all(papers)
    session.commit()
    return {"commune": commune, "intake": intake, "specialist": specialist,
            "procedure": procedure, "papers": papers}


def _login(client, user, lang="vi"):
    assert client.login(user.email, PASSWORD, lang=lang).status_code == 302


def _form(client, lang="vi"):
    page = client.get(f"/{lang}/workbench/desk/walk-in?procedure=1.001193").page
    return page, page.select_one("input[name=idempotency_key]")["value"]


def _register(client, desk, key, lang="vi", **overrides):
    data = {"unit_id": desk["commune"].id, "applicant_name": "Lò Văn Páo",
            "applicant_phone": "", "applicant_id_number": "012345678901",
            "documents": [desk["papers"][0].id, desk["papers"][1].id], "idempotency_key": key}
    data.update(overrides)
    return client.submit(f"/{lang}/workbench/desk/walk-in?procedure=1.001193", data)


def test_the_desk_registers_a_paper_dossier_and_prints_its_receipt(client, desk, session):
    _login(client, desk["intake"])
    pick = client.get("/vi/workbench/desk/walk-in").page
    assert pick.select_one("select#procedure option[value='1.001193']")
    page, key = _form(client)
    assert [c.get_text(strip=True) for c in page.select("ul.checkboxes label")] == [
        "Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    response = _register(client, desk, key)
    assert response.status_code == 302 and "/receipt" in response.headers["Location"]
    dossier = session.scalar(select(Dossier))
    case = session.get(Case, dossier.case_id)
    assert dossier.channel == "walk_in" and dossier.submitted_by_id == desk["intake"].id
    assert case.state == 2 and re.fullmatch(rf"{desk['commune'].code}-\d{{6}}-0001", case.code)
    assert dossier.form_data["documents_received"] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    receipt = client.get(response.headers["Location"]).page
    text = receipt.get_text(" ", strip=True)
    assert case.code in text and "Lò Văn Páo" in text and "Giấy chứng sinh" in text
    assert "Ngày hẹn trả kết quả" in text
    assert receipt.select_one(".qr svg path")
    assert f"/vi/dossiers/track?code={case.code}" in text


def test_pressing_register_twice_makes_one_dossier(client, desk, session):
    _login(client, desk["intake"])
    _, key = _form(client)
    first = _register(client, desk, key)
    second = _register(client, desk, key)
    assert first.headers["Location"] == second.headers["Location"]
    assert session.scalar(select(func.count(Dossier.case_id))) == 1


def test_a_desk_that_does_not_receive_the_procedure_is_told_so(client, desk, session):
    _login(client, desk["specialist"], lang="en")
    _, key = _form(client, lang="en")
    response = _register(client, desk, key, lang="en")
    assert response.status_code == 200
    assert "do not sit at the one-stop desk" in response.page.select_one("#unit_id-error").get_text()
    assert response.page.select_one("#applicant_name")["value"] == "Lò Văn Páo"
    assert session.scalar(select(func.count(Case.id))) == 0


def test_missing_contact_keeps_what_was_typed_and_saves_nothing(client, desk, session):
    _login(client, desk["intake"])
    _, key = _form(client)
    response = _register(client, desk, key, applicant_id_number="")
    assert response.status_code == 200
    assert "số căn cước" in response.page.select_one("#applicant_phone-error").get_text()
    assert session.scalar(select(func.count(Case.id))) == 0


def test_the_tracking_page_opened_from_the_qr_code_has_the_code_filled_in(client, desk):
    page = client.get("/vi/dossiers/track?code=T00001-261123-0001").page
    assert page.select_one("#code")["value"] == "T00001-261123-0001"


def test_residents_cannot_use_the_desk(client, desk, session):
    resident = make_resident(session, password=PASSWORD)
    session.commit()
    assert client.login(resident.phone, PASSWORD).status_code == 302
    assert client.get("/vi/workbench/desk/walk-in").status_code == 403


def test_a_walk_in_applicant_without_an_account_hears_by_sms_in_vietnamese(client, desk, session):
    from app.models import OutboxMessage

    _login(client, desk["intake"], lang="en")
    _, key = _form(client, lang="en")
    assert _register(client, desk, key, lang="en", applicant_phone="0912 345 678").status_code == 302
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
    assert [m.recipient for m in sms] == ["0912345678"]
    assert "Được tiếp nhận" in sms[0].subject or "tiếp nhận" in sms[0].body  # Vietnamese, not the desk's English
    assert sms[0].user_id is None


def test_an_applicant_who_left_only_an_id_number_gets_no_message(client, desk, session):
    from app.models import OutboxMessage

    _login(client, desk["intake"])
    _, key = _form(client)
    assert _register(client, desk, key).status_code == 302
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
