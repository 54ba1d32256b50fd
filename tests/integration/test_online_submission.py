"""Submitting a dossier online: start from the procedure's page, save a draft with its papers,
come back, submit; one dossier in state 1 with its files, the applicant's own receipt; nothing
created and nothing lost when something is missing or wrong."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Case, Dossier, DossierDraft, DossierFile, ProcedureDocument
from tests.factories import make_dossier_office, make_officer, make_resident

PASSWORD = "mat-khau-2026"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
SCHEMA = [
    {"name": "child_name", "type": "text", "label_vi": "Họ tên của trẻ",
     "label_en": "Child's full name", "required": True},
    {"name": "birth_date", "type": "date", "label_vi": "Ngày sinh của trẻ",
     "label_en": "Child's date of birth", "required": True},
    {"name": "weight", "type": "number", "label_vi": "Cân nặng (gam)",
     "label_en": "Weight (grams)", "required": False},
]


@pytest.fixture
def world(app, session, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    office = make_dossier_office(session)
    procedure = office["procedure"]
    procedure.form_schema = SCHEMA
    procedure.online_level = "full"
    declaration = ProcedureDocument(procedure_id=procedure.id, position=1, name_vi="Tờ khai",
                                    name_en="Declaration", upload_required=True,
                                    paper_type="birth_declaration")
    certificate = ProcedureDocument(procedure_id=procedure.id, position=2,
                                    name_vi="Giấy chứng sinh", name_en="Birth certificate",
                                    upload_required=False)
    session.add_all([declaration, certificate])
    mai = make_resident(session, password=PASSWORD, full_name="Trần Thị Mai",
                        commune=office["commune"])
    other = make_resident(session, password=PASSWORD)
    officer = make_officer(session, office["dept"], desk="intake", password=PASSWORD)
    session.commit()
    return {**office, "mai": mai, "other": other, "officer": officer,
            "declaration": declaration, "certificate": certificate,
            "store": tmp_path / "uploads"}


def _stored(world) -> int:
    return sum(1 for p in Path(world["store"]).rglob("*") if p.is_file())


def _count(session, model, *where) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _login(client, who, lang="vi"):
    assert client.login(who.phone or who.email, PASSWORD, lang=lang).status_code == 302


def _start(client, world, lang="vi") -> str:
    code = world["procedure"].code
    token = client.csrf_token(f"/{lang}/procedures/{code}")
    response = client.post(f"/{lang}/dossiers/start/{code}", data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def _post(client, url, values, files=None):
    data = {"csrf_token": client.csrf_token(url), **values}
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def _complete(world, **overrides):
    values = {"applicant_name": "Trần Thị Mai", "applicant_phone": "0912 345 678",
              "applicant_id_number": "", "unit_id": str(world["commune"].id),
              "f_child_name": "Nguyễn Văn An", "f_birth_date": "2026-11-02", "f_weight": "3200",
              "action": "submit"}
    values.update(overrides)
    return values


def test_the_procedure_page_offers_online_submission_to_residents_and_login_to_visitors(
        client, world):
    code = world["procedure"].code
    box = client.get(f"/vi/procedures/{code}").page.select_one("#submit-online")
    link = box.find("a", href=True)
    assert link["href"].startswith("/vi/account/login") and code in link["href"]
    _login(client, world["mai"])
    box = client.get(f"/vi/procedures/{code}").page.select_one("#submit-online")
    assert box.find("form")["action"] == f"/vi/dossiers/start/{code}"


def test_staff_do_not_submit_online(client, world):
    _login(client, world["officer"])
    code = world["procedure"].code
    page = client.get(f"/en/procedures/{code}").page
    assert page.select_one("#submit-online").find("form") is None
    token = client.csrf_token("/en/")
    assert client.post(f"/en/dossiers/start/{code}", data={"csrf_token": token}).status_code == 403


def test_anonymous_visitors_are_asked_to_log_in(client, world):
    response = client.post(f"/vi/dossiers/start/{world['procedure'].code}")
    # The CSRF check runs first for a POST without a token; a GET of the draft goes to login.
    assert response.status_code in (302, 400)
    response = client.get("/vi/dossiers/drafts/1")
    assert response.status_code == 302 and "/vi/account/login" in response.headers["Location"]


def test_save_come_back_and_submit_makes_one_dossier_with_its_files(client, session, world):
    _login(client, world["mai"])
    url = _start(client, world)
    page = client.get(url).page
    # The account fills in who applies and where.
    assert page.select_one("#applicant_name")["value"] == "Trần Thị Mai"
    assert page.select_one("#unit_id option[selected]")["value"] == str(world["commune"].id)
    assert page.select_one("form#dossier-form")["enctype"] == "multipart/form-data"
    declaration, certificate = world["declaration"], world["certificate"]
    labels = page.select("#papers label")
    assert "Tờ khai" in labels[0].get_text() and labels[0].select_one(".required")
    assert labels[1].select_one(".required") is None
    assert "PDF, JPG" in page.select_one("#papers .hint").get_text()

    # Save an unfinished draft with one paper: no required field asked yet.
    response = _post(client, url, {"applicant_name": "Trần Thị Mai", "unit_id": "0",
                                   "f_child_name": "Nguyễn Văn An", "action": "save"},
                     {f"doc_{declaration.id}": (PDF, "to-khai.pdf")})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    draft = session.scalars(select(DossierDraft)).one()
    assert draft.form_data == {"child_name": "Nguyễn Văn An"} and draft.unit_id is None
    files = session.scalars(select(DossierFile)).all()
    assert [(f.draft_id, f.owner_id, f.document_id, f.kind, f.paper_type) for f in files] == [
        (draft.id, world["mai"].id, declaration.id, "pdf", "birth_declaration")]
    assert _stored(world) == 1

    # Come back later (from My dossiers): everything is there.
    mine = client.get("/vi/dossiers/").page
    # (the English text until the lead merges the Vietnamese catalogue)
    assert any(t in mine.select_one(".flashes").get_text() for t in ("Đã lưu nháp", "Draft saved"))
    assert mine.select_one("#drafts a[href]")["href"] == url
    page = client.get(url).page
    assert page.select_one("#f_child_name")["value"] == "Nguyễn Văn An"
    assert "to-khai.pdf" in page.select_one(f"#paper-{declaration.id}").get_text()

    # Submit, adding a photo of the certificate.
    response = _post(client, url, _complete(world),
                     {f"doc_{certificate.id}": (JPEG, "giay-chung-sinh.jpg")})
    assert response.status_code == 302
    dossier = session.scalars(select(Dossier)).one()
    case = session.get(Case, dossier.case_id)
    assert response.headers["Location"] == f"/vi/dossiers/{case.id}/receipt"
    assert (case.state, case.procedure_id, case.unit_id, case.applicant_id) == (
        1, world["procedure"].id, world["commune"].id, world["mai"].id)
    assert case.department_id == world["dept"].id
    assert dossier.channel == "online" and dossier.idempotency_key == draft.idempotency_key
    assert dossier.applicant_phone == "0912345678" and dossier.submitted_by_id == world["mai"].id
    assert dossier.form_data == {"child_name": "Nguyễn Văn An", "birth_date": "2026-11-02",
                                 "weight": "3200"}
    files = session.scalars(select(DossierFile).order_by(DossierFile.id)).all()
    assert [(f.case_id, f.draft_id, f.document_id) for f in files] == [
        (case.id, None, declaration.id), (case.id, None, certificate.id)]
    assert _count(session, DossierDraft) == 0 and _stored(world) == 2

    receipt = client.get(f"/vi/dossiers/{case.id}/receipt")
    assert receipt.status_code == 200
    text = receipt.page.get_text()
    assert case.code in text
    assert any(t in text for t in ("Nộp thành công", "Submitted: your dossier code is"))
    assert receipt.page.select_one(".qr svg") is not None
    assert len(receipt.page.select("#papers-sent li")) == 2
    # Only the applicant sees their receipt.
    other = client.application.test_client()
    _login(other, world["other"])
    assert other.get(f"/vi/dossiers/{case.id}/receipt").status_code == 404
    officer = client.application.test_client()
    _login(officer, world["officer"])
    assert officer.get(f"/vi/dossiers/{case.id}/receipt").status_code == 404


def test_pressing_submit_twice_makes_one_dossier_and_shows_the_same_receipt(
        client, session, world):
    _login(client, world["mai"])
    url = _start(client, world)
    token = client.csrf_token(url)
    key = client.get(url).page.select_one("input[name=idempotency_key]")["value"]
    values = {"csrf_token": token, "idempotency_key": key, **_complete(world)}
    files = {f"doc_{world['declaration'].id}": (io.BytesIO(PDF), "to-khai.pdf")}
    first = client.post(url, data={**values, **files}, content_type="multipart/form-data")
    files = {f"doc_{world['declaration'].id}": (io.BytesIO(PDF), "to-khai.pdf")}
    again = client.post(url, data={**values, **files}, content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert _count(session, Dossier) == 1 and _count(session, Case) == 1
    assert _count(session, DossierFile) == 1 and _stored(world) == 1  # the second copy forgotten


def test_a_missing_field_or_paper_refuses_keeps_what_was_typed_and_creates_nothing(
        client, session, world):
    _login(client, world["mai"], lang="en")
    url = _start(client, world, lang="en")
    certificate = world["certificate"]
    assert _post(client, url, {"applicant_name": "Trần Thị Mai", "action": "save"},
                 {f"doc_{certificate.id}": (PDF, "chung-sinh.pdf")}).status_code == 302
    response = _post(client, url, _complete(world, f_child_name="", applicant_phone="",
                                            applicant_id_number="", f_weight="3100"))
    assert response.status_code == 400
    page = response.page
    assert "This field is required." in page.select_one("#f_child_name").find_parent(
        class_="field").get_text()
    assert "Upload this paper" in page.select_one(f"#paper-{world['declaration'].id}").get_text()
    assert page.select_one("#f_weight")["value"] == "3100"
    assert page.select_one("#f_birth_date")["value"] == "2026-11-02"
    assert _count(session, Dossier) == 0 and _count(session, Case) == 0
    assert _count(session, DossierDraft) == 1
    assert _count(session, DossierFile, DossierFile.draft_id.is_not(None)) == 1
    assert _stored(world) == 1

    # Everything there but a way to reach the applicant: the service's rule, on its field.
    response = _post(client, url, _complete(world, applicant_phone="", applicant_id_number=""),
                     {f"doc_{world['declaration'].id}": (PDF, "to-khai.pdf")})
    assert response.status_code == 400
    assert "track the dossier" in response.page.select_one("#applicant_phone").find_parent(
        class_="field").get_text()
    assert "choose them again" in response.page.select_one("#form-problems").get_text()
    assert _count(session, Dossier) == 0 and _count(session, DossierFile) == 1
    assert _stored(world) == 1  # this request's file was not kept


@pytest.mark.parametrize("content, filename, message", [
    (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "too large"),
    (JPEG, "anh.pdf", "does not match its content"),
    (b"MZ\x90\x00 not a paper", "virus.pdf", "PDF, JPG or PNG"),
])
def test_a_bad_file_is_named_on_its_paper_and_nothing_is_stored(
        client, session, world, content, filename, message):
    _login(client, world["mai"], lang="en")
    url = _start(client, world, lang="en")
    response = _post(client, url, {"applicant_name": "Trần Thị Mai", "action": "save",
                                   "f_child_name": "An"},
                     {f"doc_{world['declaration'].id}": (content, filename),
                      f"doc_{world['certificate'].id}": (PDF, "fine.pdf")})
    assert response.status_code == 400
    box = response.page.select_one(f"#paper-{world['declaration'].id}")
    assert message in box.select_one(".error-message").get_text()
    assert response.page.select_one("#f_child_name")["value"] == "An"
    assert _count(session, DossierFile) == 0 and _stored(world) == 0
    assert session.scalars(select(DossierDraft)).one().form_data == {}


def test_text_in_a_file_field_is_no_file(client, session, world):
    _login(client, world["mai"])
    url = _start(client, world)
    response = _post(client, url, {"applicant_name": "Mai", "action": "save",
                                   f"doc_{world['declaration'].id}": "not a file"})
    assert response.status_code == 302 and _count(session, DossierFile) == 0


def test_someone_elses_draft_is_not_there(client, session, world):
    _login(client, world["mai"])
    url = _start(client, world)
    other = client.application.test_client()
    _login(other, world["other"])
    assert other.get(url).status_code == 404
    token = other.csrf_token("/vi/")
    assert other.post(url, data={"csrf_token": token, **_complete(world)}).status_code == 404
    assert other.post(url + "/delete", data={"csrf_token": token}).status_code == 404
    assert other.get("/vi/dossiers/drafts/999999").status_code == 404
    assert _count(session, DossierDraft) == 1 and _count(session, Dossier) == 0


def test_starting_again_reopens_the_draft_and_an_inactive_procedure_cannot_start(
        client, session, world):
    _login(client, world["mai"])
    assert _start(client, world) == _start(client, world)
    assert _count(session, DossierDraft) == 1
    world["procedure"].active = False
    session.commit()
    token = client.csrf_token("/vi/")
    code = world["procedure"].code
    assert client.post(f"/vi/dossiers/start/{code}", data={"csrf_token": token}).status_code == 404
    draft = session.scalars(select(DossierDraft)).one()
    page = client.get(f"/vi/dossiers/drafts/{draft.id}").page
    assert page.select_one("#form-problems") is not None


def test_removing_a_file_and_deleting_the_draft_forget_the_stored_files(client, session, world):
    _login(client, world["mai"])
    url = _start(client, world)
    declaration = world["declaration"]
    _post(client, url, {"applicant_name": "Mai", "action": "save"},
          {f"doc_{declaration.id}": (PDF, "a.pdf")})
    _post(client, url, {"applicant_name": "Mai", "action": "save"},
          {f"doc_{declaration.id}": (PDF, "b.pdf")})
    assert _stored(world) == 2
    page = client.get(url).page
    first = session.scalars(select(DossierFile).order_by(DossierFile.id)).first()
    remove = page.select_one(f"form#remove-file-{first.id}")
    response = client.post(remove["action"], data={
        "csrf_token": remove.select_one("[name=csrf_token]")["value"], "file_id": str(first.id)})
    assert response.status_code == 302 and _stored(world) == 1
    assert _count(session, DossierFile) == 1

    delete_url = url + "/delete"
    assert "1" in client.get(delete_url).page.get_text()
    response = client.post(delete_url, data={"csrf_token": client.csrf_token(delete_url)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/vi/dossiers/")
    assert _count(session, DossierDraft) == 0 and _count(session, DossierFile) == 0
    assert _stored(world) == 0


def test_a_request_larger_than_the_portal_takes_shows_the_draft_again(client, session, world):
    _login(client, world["mai"], lang="en")
    url = _start(client, world, lang="en")
    data = {"csrf_token": client.csrf_token(url), "applicant_name": "Mai", "action": "save",
            f"doc_{world['declaration'].id}": (io.BytesIO(PDF + b"0" * 4000), "a.pdf")}
    client.application.config["MAX_CONTENT_LENGTH"] = 2000
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Nothing was saved" in response.page.select_one("#form-problems").get_text()
    assert response.page.select_one("#applicant_name")["value"] == "Trần Thị Mai"
    assert _count(session, DossierFile) == 0 and _stored(world) == 0


def test_two_simultaneous_submits_of_one_draft_make_one_dossier(app, session, world):
    """Two taps arriving together: the second waits for the first (the draft's row lock on
    PostgreSQL, the write lock on SQLite), then answers with the first one's dossier."""
    import threading

    from sqlalchemy.orm import Session

    from app.dossiers import online
    from app.dossiers.files import Upload
    from app.extensions import db
    from app.storage import LocalFileStore

    draft = online.start_draft(session, world["mai"], world["procedure"])
    ids = {"draft": draft.id, "user": world["mai"].id, "unit": world["commune"].id,
           "declaration": world["declaration"].id}
    session.commit()
    values = online.DraftValues(applicant_name="Trần Thị Mai", applicant_phone="0912345678",
                                unit_id=ids["unit"], form_data={"child_name": "An"})
    store = LocalFileStore(world["store"])
    results, errors = [], []
    start = threading.Barrier(2)

    def one() -> None:
        with app.app_context(), Session(db.engine) as own:
            try:
                start.wait(timeout=10)
                dossier = online.submit_draft(
                    own, store, ids["user"], ids["draft"], values,
                    [Upload(PDF, "to-khai.pdf", ids["declaration"])])
                results.append(dossier.case_id)
            except online.DossierError as error:
                # The draft was gone by the time this one got the lock: the view then finds
                # the dossier by the draft's key (tested above through the pages).
                results.append(error.code)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    case_ids = [r for r in results if isinstance(r, int)]
    assert len(set(case_ids)) == 1 and set(results) - set(case_ids) <= {"draft_gone"}
    assert _count(session, Dossier) == 1 and _count(session, DossierDraft) == 0
    assert _count(session, DossierFile) == 1 and _stored(world) == 1


def test_hostile_input_in_the_procedures_questions_is_refused_even_when_saving(
        client, session, world):
    _login(client, world["mai"], lang="en")
    url = _start(client, world, lang="en")
    before = session.scalars(select(DossierDraft)).one().updated_at
    for values in ({"f_child_name": "An\u202eevil"}, {"f_weight": "99999999999999999999"},
                   {"f_birth_date": "2026-02-30"}, {"applicant_phone": "12345"},
                   {"applicant_id_number": "12ab"}, {"unit_id": "99999999"}):
        response = _post(client, url, {"applicant_name": "Mai", "action": "save", **values})
        assert response.status_code == 400, values
        assert response.page.select(".error-message"), values
    session.rollback()
    assert session.scalars(select(DossierDraft)).one().updated_at == before
