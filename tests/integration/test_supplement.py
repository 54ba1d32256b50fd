"""The supplement loop: the officer asks for more with a note, the resident reads it on their
dossier page and sends files and/or a message, and the case goes back to processing with the
clock running again; bad files, empty sends and failures leave nothing behind."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.dossiers import papers_service
from app.dossiers.files import Upload
from app.models import Case, CaseEvent, DossierFile
from app.queue.actions import perform
from app.queue.errors import IllegalTransition
from app.storage import file_store
from tests.integration.test_dossier_papers import (PDF, PNG, dossier_world, fresh, login,
                                                   stored_files)

NOTE = "Thiếu bản sao Giấy chứng sinh có chứng thực."


@pytest.fixture
def world(session):
    return dossier_world(session)


@pytest.fixture
def waiting(app, world, session):
    """The officer asked for more, through the workbench."""
    officer = login(fresh(app), world["officer"])
    case_id = world["case_id"]
    page = officer.get(f"/vi/workbench/cases/{case_id}").page
    version = page.select_one("input[name='request_supplement-version']")["value"]
    response = officer.post(f"/vi/workbench/cases/{case_id}/actions/request_supplement", data={
        "csrf_token": page.select_one("input[name=csrf_token]")["value"],
        "request_supplement-version": version, "request_supplement-note": NOTE})
    assert response.status_code == 302
    session.rollback()
    case = session.get(Case, case_id)
    assert case.state == 5 and case.paused_at is not None
    return world


def _send(client, case_id, *, files=(), message="", lang="vi"):
    token = client.csrf_token(f"/{lang}/dossiers/{case_id}")
    return client.post(f"/{lang}/dossiers/{case_id}/supplement",
                       data={"csrf_token": token, "message": message,
                             "files": [(io.BytesIO(data), name) for data, name in files]},
                       content_type="multipart/form-data")


def _rows(session) -> int:
    return session.scalar(select(func.count()).select_from(DossierFile))


def test_the_resident_reads_the_request_and_sends_the_supplement(app, waiting, session):
    case_id = waiting["case_id"]
    mai = login(fresh(app), waiting["mai"])
    page = mai.get(f"/vi/dossiers/{case_id}").page
    assert NOTE in page.select_one("[role=note]").get_text()
    assert page.select_one(f"form[action='/vi/dossiers/{case_id}/supplement']"
                           "[enctype='multipart/form-data'] input[type=file][multiple]")
    response = _send(mai, case_id, files=[(PDF, "giấy chứng sinh.pdf"), (PNG, "trang 2.png")],
                     message="Em gửi bản sao ạ.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/vi/dossiers/{case_id}")
    session.rollback()
    case = session.get(Case, case_id)
    assert case.state == 4 and case.paused_at is None  # back to processing, clock running
    event = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case_id)
                           .order_by(CaseEvent.id.desc()).limit(1))
    assert (event.action, event.actor_id, event.note) == (
        "supplement_provided", waiting["mai"].id, "Em gửi bản sao ạ.")
    sent = session.scalars(select(DossierFile).where(DossierFile.purpose == "supplement")).all()
    assert {(f.filename, f.case_id, f.owner_id) for f in sent} == {
        ("giấy chứng sinh.pdf", case_id, waiting["mai"].id),
        ("trang 2.png", case_id, waiting["mai"].id)}
    assert len(stored_files(app)) == 3
    # The officer sees them on the workbench; the resident's page shows them and no form.
    officer = login(fresh(app), waiting["officer"])
    assert "giấy chứng sinh.pdf" in officer.get(f"/vi/workbench/cases/{case_id}").page.get_text()
    after = mai.get(f"/vi/dossiers/{case_id}").page
    assert "trang 2.png" in after.get_text() and not after.select_one("input[type=file]")


def test_a_message_alone_is_enough(app, waiting, session):
    mai = login(fresh(app), waiting["mai"])
    assert _send(mai, waiting["case_id"], message="Bản chính em mang đến xã.").status_code == 302
    session.rollback()
    assert session.get(Case, waiting["case_id"]).state == 4
    assert _rows(session) == 1


def test_a_file_alone_gets_a_default_note_for_the_office(app, waiting, session):
    mai = login(fresh(app), waiting["mai"], lang="en")
    assert _send(mai, waiting["case_id"], files=[(PDF, "a.pdf")], lang="en").status_code == 302
    session.rollback()
    note = session.scalar(select(CaseEvent.note).where(
        CaseEvent.action == "supplement_provided"))
    assert note and "1" in note


def test_nothing_to_send_is_refused_in_the_pages_language(app, waiting, session):
    mai = login(fresh(app), waiting["mai"], lang="en")
    response = _send(mai, waiting["case_id"], lang="en")
    assert response.status_code == 400
    assert "Choose at least one file, or write a message" in response.page.get_text()
    session.rollback()
    assert session.get(Case, waiting["case_id"]).state == 5


@pytest.mark.parametrize("data,name,words", [
    (PNG, "photo.pdf", "does not match its content"),
    (b"MZ\x90\x00 not a paper", "virus.pdf", "is not a PDF, JPG or PNG"),
    (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "too large"),
])
def test_a_bad_file_is_refused_and_nothing_is_kept(app, waiting, session, data, name, words):
    mai = login(fresh(app), waiting["mai"], lang="en")
    response = _send(mai, waiting["case_id"], files=[(PDF, "good.pdf"), (data, name)],
                     message="Kept when refused", lang="en")
    assert response.status_code == 400
    text = response.page.get_text()
    assert words in text and name in text
    assert response.page.select_one("textarea[name=message]").get_text().strip() == \
        "Kept when refused"
    session.rollback()
    assert session.get(Case, waiting["case_id"]).state == 5
    assert _rows(session) == 1 and len(stored_files(app)) == 1


def test_a_failing_state_change_leaves_no_file_behind(app, waiting, session, monkeypatch):
    def refuse(*args, **kwargs):
        raise IllegalTransition("refused for the test", action="supplement_provided")

    monkeypatch.setattr(papers_service, "perform", refuse)
    mai = login(fresh(app), waiting["mai"])
    response = _send(mai, waiting["case_id"], files=[(PDF, "a.pdf"), (PNG, "b.png")])
    assert response.status_code == 409
    session.rollback()
    assert _rows(session) == 1 and len(stored_files(app)) == 1
    assert session.get(Case, waiting["case_id"]).state == 5


def test_any_error_in_the_transaction_discards_the_stored_files(app, waiting, session,
                                                                monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(papers_service, "perform", crash)
    with pytest.raises(RuntimeError):
        papers_service.send_supplement(session, file_store(), waiting["mai"], waiting["case_id"],
                                       [Upload(PDF, "a.pdf")], None, default_note="x")
    session.rollback()
    assert _rows(session) == 1 and len(stored_files(app)) == 1


def test_no_supplement_unless_the_office_asked_for_one(app, world, session):
    mai = login(fresh(app), world["mai"], lang="en")
    page = mai.get(f"/en/dossiers/{world['case_id']}").page
    assert not page.select_one("input[type=file]")
    token = mai.csrf_token(f"/en/dossiers/{world['case_id']}")
    response = mai.post(f"/en/dossiers/{world['case_id']}/supplement",
                        data={"csrf_token": token, "message": "Hello"},
                        content_type="multipart/form-data")
    assert response.status_code == 409
    assert "not waiting for a supplement" in response.page.get_text()
    session.rollback()
    assert session.get(Case, world["case_id"]).state == 4


def test_only_the_applicant_sends_a_supplement(app, waiting, session):
    other = login(fresh(app), waiting["other"])
    token = other.csrf_token("/vi/dossiers/")
    response = other.post(f"/vi/dossiers/{waiting['case_id']}/supplement",
                          data={"csrf_token": token, "message": "Không phải của tôi"},
                          content_type="multipart/form-data")
    assert response.status_code == 404
    session.rollback()
    assert session.get(Case, waiting["case_id"]).state == 5


def test_the_tracking_page_points_a_waiting_applicant_to_their_dossier(client, waiting):
    token = client.csrf_token("/vi/dossiers/track")
    page = client.post("/vi/dossiers/track", data={
        "csrf_token": token, "code": waiting["code"], "contact": waiting["mai"].phone}).page
    assert page.select_one(f"a[href='/vi/dossiers/{waiting['case_id']}']")


def test_the_officer_may_still_record_a_supplement_brought_in_person(waiting, session):
    case = perform(session, waiting["case_id"], "supplement_provided", waiting["officer"],
                   note="Đã nhận bản chính tại xã.")
    assert case.state == 4
