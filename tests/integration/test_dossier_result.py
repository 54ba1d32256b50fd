"""A dossier's result (states 9 and 10): once done, the desk says how it is collected (at the
desk, by post, or as a PDF the applicant downloads), then records the hand-over, which closes
the dossier; and a late dossier's tracking page gives the apology's new date."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Case, CaseEvent, DossierResult, OutboxMessage
from app.queue.actions import perform
from app.templating import format_day
from tests.integration.test_dossier_fees import PHONE, build_office, login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def done(session, app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    office = build_office(session)
    perform(session, office["case"].id, "complete", office["officer"])
    office["case"] = session.get(Case, office["case"].id)
    office["store"] = tmp_path / "uploads"
    return office


def result_url(case, lang="vi"):
    return f"/{lang}/workbench/desk/cases/{case.id}/result"


def hand_over_url(case, lang="vi"):
    return f"/{lang}/workbench/desk/cases/{case.id}/hand-over"


def set_result(client, case, lang="en", method="electronic", file=None):
    data = {"method": method}
    if file is not None:
        data["result_file"] = (io.BytesIO(file[0]), file[1])
    return client.submit(result_url(case, lang), data, content_type="multipart/form-data")


def stored_files(done):
    return [p for p in done["store"].rglob("*") if p.is_file()]


def test_the_desk_uploads_the_result_and_the_applicant_and_the_case_s_staff_download_it(
        client, done, session):
    case = done["case"]
    login(client, done["intake"], lang="en")
    page = client.get(f"/en/workbench/cases/{case.id}").page
    assert page.select_one(f"a[href='{result_url(case, 'en')}']")
    assert page.select_one(f"a[href='{hand_over_url(case, 'en')}']")
    assert client.get(result_url(case, "en")).status_code == 200
    response = set_result(client, case, file=(PDF, "Quyết định.pdf"))
    assert response.status_code == 302
    row = session.get(DossierResult, case.id)
    assert row.method == "electronic" and row.file_key and len(stored_files(done)) == 1
    assert state_of(session, case) == 9  # setting the method changes nothing else
    url = f"/vi/dossiers/{case.id}/result"
    # The desk sees what it uploaded, from the case page and from the result's own page.
    page = client.get(f"/en/workbench/cases/{case.id}").page
    assert page.select_one(f"a[href='{url.replace('/vi/', '/en/')}']")
    assert client.get(result_url(case, "en")).page.select_one(
        f"a[href='{url.replace('/vi/', '/en/')}']")
    assert client.get(url).data == PDF
    for who, status in (("officer", 200), ("other", 404), ("stranger", 404)):
        # the case's own officer reads it; staff of another department and other residents
        # are told there is none
        client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
        login(client, done[who])
        assert client.get(url).status_code == status, who
    client.post("/en/account/logout", data={"csrf_token": client.csrf_token("/en/")})
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    login(client, done["resident"])
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    tracked = client.submit("/en/dossiers/track", {"code": case.code, "contact": PHONE}).page
    assert tracked.select_one(f"dl.facts a[href='{url.replace('/vi/', '/en/')}']")
    assert "As an electronic file" in tracked.get_text()


def state_of(session, case):
    session.expire_all()
    return session.get(Case, case.id).state


@pytest.mark.parametrize("file,message", [
    ((b"MZ\x90\x00 not a pdf at all", "ketqua.pdf"), "must be a PDF"),
    ((b"PK\x03\x04 zip", "ketqua.pdf"), "must be a PDF"),
    ((b"", "ketqua.pdf"), "The file is empty"),
    ((PDF, "ketqua.docx"), "does not end in .pdf"),
    (None, "Upload the electronic result"),
])
def test_the_electronic_result_must_be_a_pdf_by_its_content(client, done, session, file, message):
    login(client, done["intake"], lang="en")
    response = set_result(client, done["case"], file=file)
    assert response.status_code == 400
    assert message in response.page.select_one("#result_file-error").get_text()
    assert session.scalar(select(func.count()).select_from(DossierResult)) == 0
    assert stored_files(done) == []


def test_collect_by_post_and_hand_over_at_the_desk(client, done, session):
    case, resident = done["case"], done["resident"]
    login(client, done["intake"], lang="en")
    assert set_result(client, case, method="post").status_code == 302
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == resident.id)
                           .order_by(OutboxMessage.id.desc())).first()
    assert case.code in told.subject and "bưu chính" in told.body  # the resident reads Vietnamese
    tracked = client.submit("/en/dossiers/track", {"code": case.code, "contact": PHONE}).page
    facts = tracked.select_one("dl.facts").get_text(" ", strip=True)
    assert "What you must do now Nothing: the result will be sent to you by post." in facts
    assert "By post" in facts and "Collect the result at the one-stop desk" not in facts
    before = session.scalar(select(func.count(OutboxMessage.id))
                            .where(OutboxMessage.user_id == resident.id))
    form = client.get(hand_over_url(case, "en")).page
    assert form.select_one("#method option[selected]")["value"] == "post"
    response = client.submit(hand_over_url(case, "en"), {
        "version": str(case.version), "method": "desk", "note": "Chị Mai nhận trực tiếp"})
    assert response.status_code == 302
    assert state_of(session, case) == 10
    row = session.get(DossierResult, case.id)
    assert (row.handed_over_method, row.handed_over_note) == ("desk", "Chị Mai nhận trực tiếp")
    assert row.handed_over_by_id == done["intake"].id
    assert session.scalar(select(func.count(OutboxMessage.id))
                          .where(OutboxMessage.user_id == resident.id)) == before + 1
    page = client.get(f"/en/workbench/cases/{case.id}").page.get_text(" ", strip=True)
    assert "Handed over on" in page
    # Handed over: neither page is offered any more.
    assert client.get(hand_over_url(case, "en")).status_code == 302
    assert client.get(result_url(case, "en")).status_code == 302


def test_the_generic_return_action_is_refused(client, done):
    login(client, done["officer"])
    case = done["case"]
    response = client.post(f"/vi/workbench/cases/{case.id}/actions/return_result", data={
        "csrf_token": client.csrf_token("/vi/"), "return_result-version": case.version})
    assert response.status_code == 404


def test_an_electronic_hand_over_needs_the_file(client, done, session):
    login(client, done["officer"], lang="en")
    response = client.submit(hand_over_url(done["case"], "en"), {
        "version": str(done["case"].version), "method": "electronic", "note": ""})
    assert response.status_code == 400
    assert "Upload the electronic result" in response.page.get_text()
    assert state_of(session, done["case"]) == 9
    assert session.get(DossierResult, done["case"].id) is None


def test_a_stale_hand_over_saves_nothing(client, done, session):
    login(client, done["officer"], lang="en")
    response = client.submit(hand_over_url(done["case"], "en"), {
        "version": str(done["case"].version - 1), "method": "desk"})
    assert response.status_code == 302
    assert state_of(session, done["case"]) == 9
    assert session.get(DossierResult, done["case"].id) is None


@pytest.mark.parametrize("who,status", [("other", 403), ("resident", 403)])
def test_others_cannot_set_or_hand_over_the_result(client, done, session, who, status):
    login(client, done[who])
    assert client.get(result_url(done["case"])).status_code == status
    assert client.get(hand_over_url(done["case"])).status_code == status
    response = client.post(hand_over_url(done["case"]), data={
        "csrf_token": client.csrf_token("/vi/"), "version": done["case"].version,
        "method": "desk"})
    assert response.status_code == status and state_of(session, done["case"]) == 9


def test_no_result_page_before_the_dossier_is_done(client, session):
    office = build_office(session)
    login(client, office["officer"], lang="en")
    response = client.get(result_url(office["case"], "en"), follow_redirects=True)
    assert "once the dossier is done" in response.page.get_text()


def test_a_late_dossier_shows_the_new_date_and_the_apology(client, session):
    office = build_office(session)
    case = office["case"]
    old_due = case.due_at
    new_due = old_due + timedelta(days=5)
    case.due_at, case.apology_due_at, case.apology_approved_at = new_due, new_due, old_due
    session.add_all([
        CaseEvent(case_id=case.id, actor_id=office["officer"].id, action="request_apology",
                  from_state=4, to_state=4, note="Chờ xác minh của công an xã", at=old_due),
        CaseEvent(case_id=case.id, actor_id=office["officer"].id, action="approve_apology",
                  from_state=4, to_state=4, data={"old_due_at": old_due.isoformat()},
                  at=old_due)])
    session.commit()
    tracked = client.submit("/en/dossiers/track", {"code": case.code, "contact": PHONE}).page
    facts = tracked.select_one("dl.facts").get_text(" ", strip=True)
    assert "your dossier is late" in facts and format_day(new_due) in facts
    assert "Chờ xác minh của công an xã" in facts


def test_a_dossier_without_an_account_cannot_get_an_electronic_result(client, done, session):
    case = done["case"]
    case.applicant_id = None  # a paper dossier brought to the desk
    session.commit()
    login(client, done["intake"], lang="en")
    response = set_result(client, case, file=(PDF, "ketqua.pdf"))
    assert response.status_code == 400
    assert "no account on the portal" in response.page.select_one("#method-error").get_text()
    assert session.get(DossierResult, case.id) is None and stored_files(done) == []
    assert set_result(client, case, method="desk").status_code == 302
