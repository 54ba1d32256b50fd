"""Administrators keep the procedure catalogue: procedures with their fees and form schema,
their documents and blank forms, and the fields of law. Nobody else may."""
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from app.demo.seed import DEMO_PASSWORD
from app.models import Procedure, ProcedureDocument, ProcedureField
from tests.factories import make_procedure, make_procedure_field

ADMIN = "quantri@conglang.demo"
OFFICER = "tiepnhan@conglang.demo"
RESIDENT = "0912345678"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    # Fixed entry times: two calls a second apart must give the same bytes.
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("[Content_Types].xml", "<Types/>"),
                           ("word/document.xml", "<w:document/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def admin(app, client, demo_people, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    assert client.login(ADMIN, DEMO_PASSWORD, lang="en").status_code == 302
    return client


@pytest.fixture
def civil(session):
    field = make_procedure_field(session, code="ho-tich", name_vi="Hộ tịch",
                                 name_en="Civil status")
    session.commit()
    return field


def _form(civil, **changes) -> dict:
    data = {
        "code": "1.001193", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration",
        "field_id": civil.id, "level": "commune", "agency_vi": "Ủy ban nhân dân cấp xã",
        "agency_en": "Commune People's Committee", "processing_days": "0",
        "online_level": "full", "requires_approval": "y", "fee_in_person": "0",
        "fee_online": "0", "fee_post": "", "applicants_vi": "Cha, mẹ", "applicants_en": "Parents",
        "steps_vi": "1. Nộp hồ sơ\n2. Nhận kết quả", "steps_en": "1. Submit\n2. Collect",
        "legal_basis_vi": "Luật Hộ tịch 2014", "legal_basis_en": "Law on Civil Status 2014",
        "fee_note_vi": "", "fee_note_en": "", "active": "y",
        "form_schema": json.dumps([{"name": "child_name", "type": "text",
                                    "label_vi": "Họ tên trẻ", "label_en": "Child's name",
                                    "required": True}]),
    }
    data.update(changes)
    return data


def _error(page, field_id) -> str:
    message = page.select_one(f"#{field_id}-error")
    assert message is not None, f"no error message next to #{field_id}"
    assert page.select_one(f".error-summary a[href='#{field_id}']") is not None
    return message.get_text(" ", strip=True)


def test_an_administrator_adds_a_procedure_that_residents_then_find(admin, session, civil):
    response = admin.submit("/en/admin/procedures/new", _form(civil, fee_online="50.000 ₫"))
    assert response.status_code == 302
    procedure = session.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    assert (procedure.fee_in_person, procedure.fee_online, procedure.fee_post) == (0, 50000, None)
    assert procedure.form_schema[0]["name"] == "child_name" and procedure.requires_approval
    assert procedure.search_text == "1.001193 dang ky khai sinh birth registration ho tich civil status"
    found = admin.get("/vi/procedures/?q=khai+sinh+dang+ky").page
    assert found.select_one("#results a strong").get_text() == "Đăng ký khai sinh"
    detail = admin.get("/en/procedures/1.001193").page.get_text()
    assert "50.000 ₫" in detail


def test_a_refused_procedure_keeps_what_was_typed_and_says_what_is_wrong(admin, session, civil):
    response = admin.submit("/en/admin/procedures/new", _form(
        civil, name_en="", processing_days="-1", fee_in_person="fifty"))
    assert response.status_code == 200
    page = response.page
    assert "Enter the English name." in _error(page, "name_en")
    assert "whole number of working days" in _error(page, "processing_days")
    assert "Enter the fee in đồng" in _error(page, "fee_in_person")
    assert page.select_one("#name_vi")["value"] == "Đăng ký khai sinh"
    assert page.select_one("#fee_in_person")["value"] == "fifty"
    assert "Nộp hồ sơ" in page.select_one("#steps_vi").get_text()
    assert session.scalar(select(func.count(Procedure.id))) == 0


def test_a_broken_form_schema_is_refused_field_by_field(admin, session, civil):
    schema = [{"name": "Child", "type": "colour", "label_vi": "Tên", "label_en": ""}]
    page = admin.submit("/en/admin/procedures/new",
                        _form(civil, form_schema=json.dumps(schema))).page
    message = _error(page, "form_schema")
    assert "Field 1: the name must be lower-case" in message
    assert "Field 1: the type must be one of" in message
    assert "Field 1: enter the English label" in message
    assert json.loads(page.select_one("#form_schema").get_text()) == schema
    page = admin.submit("/en/admin/procedures/new", _form(civil, form_schema="[{")).page
    assert "not valid JSON" in _error(page, "form_schema")
    assert session.scalar(select(func.count(Procedure.id))) == 0


def test_a_procedure_must_be_offered_through_some_channel_and_have_its_own_code(admin, session,
                                                                              civil):
    page = admin.submit("/en/admin/procedures/new",
                        _form(civil, fee_in_person="", fee_online="", fee_post="")).page
    assert "Offer at least one channel" in _error(page, "fee_in_person")
    make_procedure(session, civil, code="1.001193")
    session.commit()
    page = admin.submit("/en/admin/procedures/new", _form(civil)).page
    assert "Another procedure already has this code" in _error(page, "code")


def test_editing_a_procedure_shows_its_schema_and_saves_changes(admin, session, civil):
    procedure = make_procedure(session, civil, code="1.000656", name_vi="Đăng ký khai tử",
                               name_en="Death registration",
                               form_schema=[{"name": "deceased", "type": "text",
                                             "label_vi": "Người chết", "label_en": "Deceased",
                                             "required": True}])
    session.commit()
    url = f"/en/admin/procedures/{procedure.id}/edit"
    page = admin.get(url).page
    assert page.select_one("#code")["value"] == "1.000656"
    assert json.loads(page.select_one("#form_schema").get_text())[0]["name"] == "deceased"
    response = admin.submit(url, _form(civil, code="1.000656", name_vi="Đăng ký khai tử",
                                       name_en="Death registration", processing_days="3",
                                       fee_in_person="8000", form_schema=""))
    assert response.status_code == 302
    session.expire_all()
    procedure = session.get(Procedure, procedure.id)
    assert (procedure.processing_days, procedure.fee_in_person, procedure.form_schema) == (3, 8000, [])


def test_deactivating_a_procedure_hides_it_from_residents(admin, session, civil):
    procedure = make_procedure(session, civil, code="1.004873")
    session.commit()
    admin.submit(f"/en/admin/procedures/{procedure.id}/active", {}, form_url="/en/admin/procedures")
    assert admin.get("/en/procedures/1.004873").status_code == 404
    listed = admin.get("/en/admin/procedures").page
    assert "Inactive" in listed.select_one(f"#procedure-{procedure.id}").get_text()
    admin.submit(f"/en/admin/procedures/{procedure.id}/active", {}, form_url="/en/admin/procedures")
    assert admin.get("/en/procedures/1.004873").status_code == 200


def _document(**changes) -> dict:
    data = {"name_vi": "Tờ khai đăng ký khai sinh", "name_en": "Birth registration form",
            "original_or_copy": "original", "copies": "1", "upload_required": "y"}
    data.update(changes)
    return data


def test_documents_are_added_with_a_blank_form_and_residents_download_it(admin, session, civil):
    procedure = make_procedure(session, civil, code="1.001193")
    session.commit()
    url = f"/en/admin/procedures/{procedure.id}/documents/new"
    response = admin.submit(url, _document(template=(io.BytesIO(_docx()), "To khai.docx")))
    assert response.status_code == 302
    document = session.scalar(select(ProcedureDocument))
    assert document.template_kind == "docx" and document.position == 1
    # No file chosen: the browser sends an empty part without a name, which is no template.
    admin.submit(f"/en/admin/procedure-documents/{document.id}/edit",
                 _document(template=(io.BytesIO(b""), "")))
    session.expire_all()
    assert session.get(ProcedureDocument, document.id).template_kind == "docx"
    download = admin.get(f"/vi/procedures/1.001193/documents/{document.id}/template")
    assert download.data == _docx()
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=to-khai-dang-ky-khai-sinh.docx")
    admin.submit(url, _document(name_vi="Giấy chứng sinh", name_en="Birth certificate",
                                original_or_copy="copy", copies="2", upload_required=""))
    items = admin.get("/en/procedures/1.001193").page.select("#documents li")
    assert "1 original" in items[0].get_text() and "2 copies" in items[1].get_text()


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00 a program", "mau.pdf", "content is none of those"),
    (_docx(), "mau.pdf", "does not match its content"),
    (b"", "mau.pdf", "The template file is empty."),
])
def test_a_blank_form_that_is_not_what_its_name_says_is_refused(admin, session, civil, content,
                                                                name, message, tmp_path):
    procedure = make_procedure(session, civil)
    session.commit()
    response = admin.submit(f"/en/admin/procedures/{procedure.id}/documents/new",
                            _document(template=(io.BytesIO(content), name)))
    assert response.status_code == 200
    assert message in _error(response.page, "template")
    assert response.page.select_one("#name_vi")["value"] == "Tờ khai đăng ký khai sinh"
    assert session.scalar(select(func.count(ProcedureDocument.id))) == 0
    stored = tmp_path / "uploads" / "templates"
    assert not stored.exists() or not any(stored.iterdir())


def test_replacing_and_removing_a_blank_form_leaves_no_file_behind(admin, session, civil,
                                                                   tmp_path):
    procedure = make_procedure(session, civil)
    session.commit()
    admin.submit(f"/en/admin/procedures/{procedure.id}/documents/new",
                 _document(template=(io.BytesIO(PDF), "a.pdf")))
    document = session.scalar(select(ProcedureDocument))
    edit = f"/en/admin/procedure-documents/{document.id}/edit"
    admin.submit(edit, _document(template=(io.BytesIO(_docx()), "b.docx")))
    stored = tmp_path / "uploads" / "templates"
    assert len(list(stored.iterdir())) == 1
    admin.submit(edit, _document(remove_template="y"))
    assert list(stored.iterdir()) == []
    session.expire_all()
    assert session.get(ProcedureDocument, document.id).template_key is None


def test_documents_are_reordered_and_removed(admin, session, civil):
    procedure = make_procedure(session, civil)
    procedure.documents = [ProcedureDocument(position=i, name_vi=f"Giấy {i}", name_en=f"Paper {i}")
                           for i in (1, 2, 3)]
    session.commit()
    listing = f"/en/admin/procedures/{procedure.id}/documents"
    third = procedure.documents[2].id
    admin.submit(f"/en/admin/procedure-documents/{third}/move-up", {}, form_url=listing)
    page = admin.get(listing).page
    assert [li.strong.get_text() for li in page.select("ol li")] == [
        "1. Paper 1", "2. Paper 3", "3. Paper 2"]
    admin.submit(f"/en/admin/procedure-documents/{third}/delete", {}, form_url=listing)
    names = [li.strong.get_text() for li in admin.get(listing).page.select("ol li")]
    assert names == ["1. Paper 1", "2. Paper 2"]


def test_renaming_a_field_lets_residents_find_its_procedures_by_the_new_name(admin, session,
                                                                             civil):
    make_procedure(session, civil, name_vi="Đăng ký giám hộ", name_en="Guardianship")
    session.commit()
    response = admin.submit(f"/en/admin/procedure-fields/{civil.id}/edit",
                            {"code": "ho-tich", "name_vi": "Hộ tịch – Tư pháp",
                             "name_en": "Civil status and justice", "category": "civil_status"})
    assert response.status_code == 302
    found = admin.get("/vi/procedures/?q=tu+phap").page
    assert found.select_one("#results a strong").get_text() == "Đăng ký giám hộ"
    page = admin.submit("/en/admin/procedure-fields/new",
                        {"code": "ho-tich", "name_vi": "Khác", "name_en": "Other",
                         "category": "civil_status"}).page
    assert "Another field already has this code." in _error(page, "code")
    assert session.scalar(select(func.count(ProcedureField.id))) == 1


@pytest.mark.parametrize("who", [OFFICER, RESIDENT])
def test_only_administrators_manage_the_catalogue(client, session, demo_people, civil, who):
    procedure = make_procedure(session, civil)
    session.commit()
    assert client.login(who, DEMO_PASSWORD).status_code == 302
    for url in ("/vi/admin/procedures", "/vi/admin/procedures/new",
                f"/vi/admin/procedures/{procedure.id}/edit",
                f"/vi/admin/procedures/{procedure.id}/documents", "/vi/admin/procedure-fields"):
        assert client.get(url).status_code == 403, url
    token = client.csrf_token("/vi/")
    assert client.post(f"/vi/admin/procedures/{procedure.id}/active",
                       data={"csrf_token": token}).status_code == 403
    assert session.get(Procedure, procedure.id).active


def test_visitors_are_sent_to_log_in(client, civil):
    response = client.get("/en/admin/procedures")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]


def test_a_routing_rule_chooses_its_procedure_from_the_catalogue(admin, session, civil):
    from app.models import Department, RoutingRule

    procedure = make_procedure(session, civil, code="1.001193", name_vi="Đăng ký khai sinh",
                               name_en="Birth registration")
    session.commit()
    department = session.scalar(select(Department))
    options = admin.get("/en/admin/routing-rules/new").page.select("#procedure_id option")
    assert [(o["value"], o.get_text()) for o in options] == [
        ("0", "Any procedure"), (str(procedure.id), "Birth registration (1.001193)")]
    rule = {"case_type": "dossier", "category": "", "unit_id": "0",
            "department_id": department.id, "mode": "pull", "active": "y"}
    page = admin.submit("/en/admin/routing-rules/new",
                        dict(rule, procedure_id=str(procedure.id + 100))).page
    assert "Choose a procedure from the catalogue" in _error(page, "procedure_id")
    response = admin.submit("/en/admin/routing-rules/new", dict(rule, procedure_id=procedure.id))
    assert response.status_code == 302
    saved = session.scalar(select(RoutingRule).where(RoutingRule.procedure_id.is_not(None)))
    assert saved.procedure_id == procedure.id
    row = admin.get("/en/admin/routing-rules?case_type=dossier").page
    assert "1.001193" in row.get_text()
    edit = admin.get(f"/en/admin/routing-rules/{saved.id}/edit").page
    assert edit.select_one("#procedure_id option[selected]")["value"] == str(procedure.id)


def test_a_field_must_say_which_officers_handle_its_dossiers(admin, session):
    page = admin.submit("/en/admin/procedure-fields/new",
                        {"code": "dat-dai", "name_vi": "Đất đai", "name_en": "Land"}).page
    assert "Choose the queue category" in _error(page, "category")
    assert session.scalar(select(func.count(ProcedureField.id))) == 0
    response = admin.submit("/en/admin/procedure-fields/new",
                            {"code": "dat-dai", "name_vi": "Đất đai", "name_en": "Land",
                             "category": "land"})
    assert response.status_code == 302
    assert session.scalar(select(ProcedureField.category)) == "land"
