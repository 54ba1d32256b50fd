"""Dossier files: who may download them (and how they come), the resident's dossier page, their
papers (kho giấy tờ) with remove and reuse, and the desk's scans on the workbench."""
from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.dossiers import papers_service as papers
from app.dossiers.files import Upload, file_row, store_uploads
from app.dossiers.services import Submission, submit
from app.models import Case, DossierDraft, DossierFile, ProcedureDocument
from app.storage import file_store
from tests.access_matrix import PersonClient
from tests.factories import (make_department, make_dossier_office, make_officer, make_resident,
                             make_user)

PASSWORD = "mat-khau-2026"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
PDF = "%PDF-1.4 giấy tờ thử".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def dossier_world(session, *, state: int = 4) -> dict:
    """A commune desk with a procedure (a CCCD document), a resident's dossier held by a
    specialist, an intake officer, an officer of another department, an admin, another
    resident; the resident sent a PDF of their identity card with it."""
    office = make_dossier_office(session)
    procedure, dept = office["procedure"], office["dept"]
    procedure.form_schema = [
        {"name": "child_name", "type": "text", "label_vi": "Họ tên trẻ",
         "label_en": "Child's full name", "required": True},
        {"name": "child_sex", "type": "choice", "label_vi": "Giới tính", "label_en": "Sex",
         "required": True, "choices": [{"value": "nu", "label_vi": "Nữ", "label_en": "Female"}]}]
    document = ProcedureDocument(procedure_id=procedure.id, position=1, name_vi="Căn cước",
                                 name_en="Identity card", paper_type="cccd")
    session.add(document)
    mai = make_resident(session, password=PASSWORD)
    other = make_resident(session, password=PASSWORD)
    officer = make_officer(session, dept, desk="specialist", password=PASSWORD)
    intake = make_officer(session, dept, desk="intake", password=PASSWORD)
    stranger = make_officer(session, make_department(session), desk="intake", password=PASSWORD)
    admin = make_user(session, role="admin", password=PASSWORD)
    session.commit()
    dossier = submit(session, Submission(
        procedure_id=procedure.id, unit_id=office["commune"].id, applicant_name="Lê Thị Mai",
        applicant_phone=mai.phone, applicant_user_id=mai.id,
        form_data={"child_name": "Lê Bảo An", "child_sex": "nu"}), now=NOW)
    case = session.get(Case, dossier.case_id)
    case.state, case.assignee_id = state, officer.id
    stored = store_uploads(file_store(), [Upload(PDF, "Căn cước công dân.pdf", document.id)])[0]
    paper = file_row(stored, purpose="submission", uploaded_by_id=mai.id, owner_id=mai.id,
                     case_id=case.id, paper_type="cccd")
    session.add(paper)
    session.commit()
    return {"office": office, "procedure": procedure, "document": document, "dept": dept,
            "mai": mai, "other": other, "officer": officer, "intake": intake,
            "stranger": stranger, "admin": admin, "case_id": case.id, "code": case.code,
            "file_id": paper.id}


@pytest.fixture
def world(session):
    return dossier_world(session)


def fresh(app):
    """A browser of its own whose requests each run in their own application context."""
    app.test_client_class = PersonClient
    return app.test_client()


@pytest.fixture
def client(app):
    return fresh(app)


def login(client, user, lang="vi"):
    assert client.login(user.phone or user.email, PASSWORD, lang=lang).status_code == 302
    return client


# -- download ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["mai", "officer", "intake", "admin"])
def test_the_applicant_and_the_cases_staff_download_a_file(app, world, who):
    client = login(fresh(app), world[who])
    response = client.get(f"/vi/dossiers/files/{world['file_id']}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # RFC 5987: the Vietnamese name, percent-encoded UTF-8, beside an ASCII fallback.
    assert "filename*=UTF-8''C%C4%83n%20c%C6%B0%E1%BB%9Bc%20c%C3%B4ng%20d%C3%A2n.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("who", ["other", "stranger"])
def test_anyone_else_is_told_there_is_no_such_file(app, world, who):
    client = login(fresh(app), world[who])
    assert client.get(f"/vi/dossiers/files/{world['file_id']}").status_code == 404
    assert client.get("/vi/dossiers/files/999999").status_code == 404


def test_a_visitor_is_asked_to_log_in(client, world):
    response = client.get(f"/vi/dossiers/files/{world['file_id']}")
    assert response.status_code == 302 and "/vi/account/login" in response.headers["Location"]


def test_a_file_missing_from_the_store_is_not_found(app, client, world, session):
    for path in stored_files(app):
        path.unlink()
    login(client, world["mai"])
    assert client.get(f"/vi/dossiers/files/{world['file_id']}").status_code == 404


# -- the resident's dossier page ---------------------------------------------------------------

def test_the_applicant_sees_their_dossier_with_its_files_and_timeline(client, world):
    login(client, world["mai"])
    listing = client.get("/vi/dossiers/").page
    assert listing.select_one(f"a[href='/vi/dossiers/{world['case_id']}']")
    page = client.get(f"/vi/dossiers/{world['case_id']}").page
    text = page.get_text()
    assert world["code"] in text and "Đăng ký khai sinh" in text
    assert "Đang được cán bộ xử lý" in text or page.select_one("dl.facts strong")
    assert page.select_one(f"a[href='/vi/dossiers/files/{world['file_id']}']")
    assert page.select_one(f"a[href='/vi/dossiers/{world['case_id']}/withdraw']")
    assert page.select("ol.timeline li")
    assert not page.select_one("form[enctype='multipart/form-data']")  # not asked for more


@pytest.mark.parametrize("who", ["other", "officer", "admin"])
def test_nobody_else_sees_the_residents_dossier_page(app, world, who):
    client = login(fresh(app), world[who])
    assert client.get(f"/vi/dossiers/{world['case_id']}").status_code == 404


# -- my papers ---------------------------------------------------------------------------------

def test_my_papers_lists_the_residents_files_by_paper_type(client, world, session):
    login(client, world["mai"], lang="en")
    page = client.get("/en/dossiers/papers").page
    assert page.select_one("section h2").get_text() == "Citizen identity card (CCCD)"
    assert page.select_one(f"a[href='/en/dossiers/files/{world['file_id']}']")
    other = login(fresh(client.application), world["other"])
    assert "Căn cước công dân.pdf" not in other.get("/vi/dossiers/papers").page.get_text()


def test_removing_a_paper_sent_with_a_dossier_keeps_it_with_the_dossier(app, client, world,
                                                                        session):
    login(client, world["mai"])
    token = client.csrf_token("/vi/dossiers/papers")
    response = client.post(f"/vi/dossiers/papers/{world['file_id']}/remove",
                           data={"csrf_token": token})
    assert response.status_code == 302
    session.rollback()  # a new read: the request wrote in its own session
    item = session.get(DossierFile, world["file_id"])
    assert item.owner_id is None and item.case_id == world["case_id"]
    assert len(stored_files(app)) == 1
    assert "Căn cước công dân.pdf" not in client.get("/vi/dossiers/papers").page.get_text()
    # Still the applicant's dossier's file: they and the office may read it.
    assert client.get(f"/vi/dossiers/files/{world['file_id']}").status_code == 200


def test_removing_a_paper_attached_to_nothing_deletes_it_and_its_stored_file(app, client,
                                                                             world, session):
    loose = file_row(store_uploads(file_store(), [Upload(PNG, "ảnh.png")])[0],
                     purpose="submission", uploaded_by_id=world["mai"].id,
                     owner_id=world["mai"].id)
    session.add(loose)
    session.commit()
    loose_id = loose.id
    assert len(stored_files(app)) == 2
    login(client, world["mai"])
    token = client.csrf_token("/vi/dossiers/papers")
    assert client.post(f"/vi/dossiers/papers/{loose_id}/remove",
                       data={"csrf_token": token}).status_code == 302
    session.rollback()  # a new read: the request wrote in its own session
    assert session.get(DossierFile, loose_id) is None
    assert len(stored_files(app)) == 1


def test_nobody_removes_someone_elses_paper(client, world, session):
    login(client, world["other"])
    token = client.csrf_token("/vi/dossiers/papers")
    assert client.post(f"/vi/dossiers/papers/{world['file_id']}/remove",
                       data={"csrf_token": token}).status_code == 404
    session.rollback()  # a new read: the request wrote in its own session
    assert session.get(DossierFile, world["file_id"]).owner_id == world["mai"].id


# -- reuse (the online form calls these) -------------------------------------------------------

def _draft(session, user, procedure):
    draft = DossierDraft(user_id=user.id, procedure_id=procedure.id,
                         idempotency_key=os.urandom(8).hex())
    session.add(draft)
    session.commit()
    return draft


def test_reusable_papers_are_the_users_of_the_same_type_newest_first(world, session):
    mai, document = world["mai"], world["document"]
    newer = file_row(store_uploads(file_store(), [Upload(PNG, "mới.png")])[0],
                     purpose="submission", uploaded_by_id=mai.id, owner_id=mai.id,
                     paper_type="cccd")
    other_type = file_row(store_uploads(file_store(), [Upload(PNG, "khác.png")])[0],
                          purpose="submission", uploaded_by_id=mai.id, owner_id=mai.id,
                          paper_type="birth_certificate")
    session.add_all([newer, other_type])
    session.commit()
    found = papers.reusable_papers(session, mai.id, document)
    assert [f.id for f in found] == [newer.id, world["file_id"]]
    assert papers.reusable_papers(session, world["other"].id, document) == []
    document.paper_type = None
    assert papers.reusable_papers(session, mai.id, document) == []


def test_reusing_a_paper_on_a_draft_makes_a_new_row_naming_the_same_file(app, world, session):
    mai = world["mai"]
    draft = _draft(session, mai, world["procedure"])
    row = papers.reuse(session, mai.id, world["file_id"], draft_id=draft.id,
                       document_id=world["document"].id)
    original = session.get(DossierFile, world["file_id"])
    assert row.id != original.id and row.storage_key == original.storage_key
    assert (row.draft_id, row.case_id, row.owner_id, row.paper_type) == (draft.id, None, mai.id,
                                                                        "cccd")
    # The draft's copy is not listed twice in the papers, and the stored file is shared.
    assert papers.my_papers(session, mai.id, 1).total == 1
    assert len(stored_files(app)) == 1
    # Removing the paper from the papers leaves the draft's copy and its file alone.
    papers.remove_from_papers(session, file_store(), mai.id, world["file_id"])
    assert session.get(DossierFile, row.id) is not None and len(stored_files(app)) == 1


def test_reuse_refuses_someone_elses_file_draft_or_document(world, session):
    mai, other = world["mai"], world["other"]
    own_draft = _draft(session, other, world["procedure"])
    with pytest.raises(papers.PaperError) as error:
        papers.reuse(session, other.id, world["file_id"], draft_id=own_draft.id,
                     document_id=world["document"].id)
    assert error.value.code == "not_yours"
    with pytest.raises(papers.PaperError) as error:
        papers.reuse(session, mai.id, world["file_id"], draft_id=own_draft.id,
                     document_id=world["document"].id)
    assert error.value.code == "bad_target"
    stray = ProcedureDocument(procedure_id=make_dossier_office(session)["procedure"].id,
                              position=1, name_vi="Khác", name_en="Other")
    session.add(stray)
    session.commit()
    with pytest.raises(papers.PaperError) as error:
        papers.reuse(session, mai.id, world["file_id"], case_id=world["case_id"],
                     document_id=stray.id)
    assert error.value.code == "bad_document"
    with pytest.raises(papers.PaperError):
        papers.reuse(session, mai.id, world["file_id"], document_id=world["document"].id)
    assert session.scalar(select(func.count()).select_from(DossierFile)) == 1


# -- the workbench: files, form values, desk scans ---------------------------------------------

def test_the_workbench_lists_the_files_and_the_form_with_the_procedures_labels(client, world):
    login(client, world["officer"], lang="en")
    page = client.get(f"/en/workbench/cases/{world['case_id']}").page
    text = page.get_text()
    assert page.select_one(f"a[href='/en/dossiers/files/{world['file_id']}']")
    assert "Sent with the dossier" in text and world["mai"].full_name in text
    assert "Child's full name" in text and "Lê Bảo An" in text and "Female" in text
    # A specialist who does not hold the case at the desk... holds it here: the assignee scans.
    assert page.select_one(f"form[action='/en/workbench/desk/cases/{world['case_id']}/scans']")


def _scan(client, case_id, files, lang="vi"):
    token = client.csrf_token(f"/{lang}/workbench/cases/{case_id}")
    return client.post(f"/{lang}/workbench/desk/cases/{case_id}/scans",
                       data={"csrf_token": token, "scan-files": files},
                       content_type="multipart/form-data")


def test_the_intake_desk_attaches_scans(app, client, world, session):
    login(client, world["intake"])
    response = _scan(client, world["case_id"], [(io.BytesIO(PDF), "giấy khai sinh.pdf"),
                                                (io.BytesIO(PNG), "trang 2.png")])
    assert response.status_code == 302
    session.rollback()  # a new read: the request wrote in its own session
    scans = session.scalars(select(DossierFile).where(DossierFile.purpose == "scan")).all()
    assert {(s.filename, s.case_id, s.owner_id, s.uploaded_by_id) for s in scans} == {
        ("giấy khai sinh.pdf", world["case_id"], None, world["intake"].id),
        ("trang 2.png", world["case_id"], None, world["intake"].id)}
    assert len(stored_files(app)) == 3


def test_a_bad_scan_stores_nothing(app, client, world, session):
    login(client, world["intake"], lang="en")
    response = _scan(client, world["case_id"], [(io.BytesIO(PDF), "ok.pdf"),
                                                (io.BytesIO(PNG), "photo.pdf")], lang="en")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).page
    assert "does not match its content" in page.get_text()
    assert len(stored_files(app)) == 1
    assert session.scalar(select(func.count()).select_from(DossierFile)) == 1


def test_scans_need_a_desk_or_the_case(app, world, session):
    # A specialist of the department who does not hold the case may read, not add.
    bystander = make_officer(session, world["dept"], desk="specialist", password=PASSWORD)
    session.commit()
    client = login(fresh(app), bystander)
    assert not client.get(f"/vi/workbench/cases/{world['case_id']}").page.select_one(
        "form[enctype='multipart/form-data']")
    assert _scan(client, world["case_id"], [(io.BytesIO(PDF), "a.pdf")]).status_code == 403
    client = login(fresh(app), world["stranger"])
    token = client.csrf_token("/vi/workbench/")
    assert client.post(f"/vi/workbench/desk/cases/{world['case_id']}/scans",
                       data={"csrf_token": token, "scan-files": [(io.BytesIO(PDF), "a.pdf")]},
                       content_type="multipart/form-data").status_code == 403
    assert len(stored_files(app)) == 1


def test_the_demo_procedures_name_the_papers_a_resident_can_reuse():
    from app.demo.procedures import PROCEDURES

    types = {doc[5] for spec in PROCEDURES for doc in spec["documents"] if doc[5]}
    assert {"cccd", "birth_certificate", "death_certificate", "residence_proof"} <= types
    assert types <= set(papers.PAPER_TYPES)
    assert all(papers.PAPER_TYPE.match(t) for t in types)


def test_an_administrator_sets_a_documents_paper_type(app, world, session):
    admin = login(fresh(app), world["admin"], lang="en")
    url = f"/en/admin/procedure-documents/{world['document'].id}/edit"
    base = {"name_vi": "Căn cước", "name_en": "Identity card", "original_or_copy": "copy",
            "copies": "1"}
    refused = admin.submit(url, {**base, "paper_type": "Căn cước!"})
    assert refused.status_code == 200
    assert "lower-case letters and underscores" in refused.page.get_text()
    assert refused.page.select_one("#paper_type")["value"] == "Căn cước!"
    assert admin.submit(url, {**base, "paper_type": "residence_proof"}).status_code == 302
    session.rollback()
    assert session.get(ProcedureDocument, world["document"].id).paper_type == "residence_proof"
    assert admin.submit(url, {**base, "paper_type": ""}).status_code == 302
    session.rollback()
    assert session.get(ProcedureDocument, world["document"].id).paper_type is None


def test_reusing_a_paper_on_the_residents_dossier(world, session):
    mai = world["mai"]
    row = papers.reuse(session, mai.id, world["file_id"], case_id=world["case_id"],
                       document_id=world["document"].id)
    assert (row.case_id, row.draft_id, row.purpose) == (world["case_id"], None, "submission")
    with pytest.raises(papers.PaperError) as error:
        papers.reuse(session, world["other"].id, world["file_id"], case_id=world["case_id"])
    assert error.value.code == "not_yours"


def test_form_values_are_shown_with_the_schemas_labels(app):
    schema = [{"name": "born", "type": "date", "label_vi": "Ngày sinh", "label_en": "Born"},
              {"name": "sex", "type": "choice", "label_vi": "Giới tính", "label_en": "Sex",
               "choices": [{"value": "nam", "label_vi": "Nam", "label_en": "Male"}]}]
    data = {"sex": "nam", "born": "2026-09-02", "documents_received": ["Tờ khai", "CCCD"],
            "old_field": "giữ lại"}
    with app.test_request_context("/en/"):
        rows = [(r.label, r.value) for r in papers.form_rows(schema, data, "vi")]
        assert papers.form_rows(schema, {"sex": "nam"}, "en")[0].value == "Male"
        assert papers.form_rows(None, None, "vi") == []
    assert rows == [("Ngày sinh", "02/09/2026"), ("Giới tính", "Nam"),
                    ("Papers received at the desk", "Tờ khai, CCCD"), ("old_field", "giữ lại")]
