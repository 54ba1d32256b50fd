"""Tracking a dossier by its code and the applicant's phone or ID number, as a resident would
on a borrowed phone: the state in plain words, the appointment date, what to do now, the
history; and the same answer for "no such code" and "wrong phone"."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.dossiers.services import Submission, submit
from app.models import Case
from app.queue.actions import perform
from tests.conftest import _app_for
from tests.checked_client import CheckedClient
from tests.factories import make_dossier_office, make_officer

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


def _office(session):
    office = make_dossier_office(session)
    commune, procedure = office["commune"], office["procedure"]
    intake = make_officer(session, office["dept"], desk="intake", skills=["civil_status"])
    officer = make_officer(session, office["dept"], skills=["civil_status"])
    session.commit()
    dossier = submit(session, Submission(
        procedure_id=procedure.id, unit_id=commune.id, applicant_name="Trần Thị Mai",
        applicant_phone="0987654321", applicant_id_number="012345678901"), now=NOW)
    case = session.get(Case, dossier.case_id)
    return {"case": case, "intake": intake, "officer": officer}


@pytest.fixture
def tracked(session):
    office = _office(session)
    case = office["case"]
    case.assignee_id = office["intake"].id
    session.commit()
    perform(session, case.id, "receive", office["intake"], now=NOW)
    case = session.get(Case, case.id)
    case.assignee_id = office["officer"].id
    session.commit()
    perform(session, case.id, "start", office["officer"], now=NOW)
    perform(session, case.id, "request_supplement", office["officer"],
            note="Bản sao giấy chứng sinh", now=NOW)
    return session.get(Case, case.id)


def _track(client, lang, code, contact):
    return client.submit(f"/{lang}/dossiers/track", {"code": code, "contact": contact})


@pytest.mark.parametrize("contact", ["0987 654 321", "+84987654321", "012345678901"])
def test_the_applicant_sees_where_the_dossier_is_and_what_to_do(client, tracked, contact):
    response = _track(client, "vi", tracked.code.lower(), contact)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.page
    facts = page.select_one("dl.facts").get_text(" ", strip=True)
    assert "Đang chờ bạn: cơ quan cần bổ sung" in facts
    assert "Bổ sung những gì được nêu dưới đây" in facts
    assert "Đăng ký khai sinh" in page.get_text()
    history = [li.get_text(" ", strip=True) for li in page.select("ol.timeline li")]
    assert len(history) == 4
    assert "Đã nộp trực tuyến" in history[0] and "Bản sao giấy chứng sinh" in history[-1]


def test_the_same_page_in_english(client, tracked):
    page = _track(client, "en", tracked.code, "0987654321").page
    assert "Waiting for you: the office needs more papers" in page.get_text()
    assert page.find("html")["lang"] == "en"


@pytest.mark.parametrize("code_ok,contact", [(False, "0987654321"), (True, "0912000000"),
                                             (True, "999999999"), (True, "")])
def test_a_wrong_code_and_a_wrong_phone_get_the_same_answer(client, tracked, code_ok, contact):
    code = tracked.code if code_ok else tracked.code[:-1] + "9"
    response = _track(client, "en", code, contact)
    assert response.status_code == 200
    text = response.page.get_text()
    assert "Dossier " + tracked.code not in text and "Waiting for you" not in text
    if contact:
        assert "No dossier matches this code and phone or ID number" in text


def test_internal_notes_stay_inside_the_office(client, session, tracked):
    officer = session.get(Case, tracked.id).assignee
    perform(session, tracked.id, "supplement_provided", officer, now=NOW,
            note="Nội bộ: đã gọi điện cho chị Mai")
    text = _track(client, "vi", tracked.code, "0987654321").page.get_text()
    assert "Nội bộ" not in text


def test_looking_up_is_rate_limited(database):
    app = _app_for(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   RATELIMIT_LOOKUP="3 per minute")
    app.test_client_class = CheckedClient
    with app.app_context():
        client = app.test_client()
        statuses = [_track(client, "vi", "X-000000-0001", "0987654321").status_code
                    for _ in range(4)]
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429


def test_the_page_reads_the_dossier_in_two_statements(client, tracked):
    """A public, rate-limited page: the dossier with its fee and result in one statement, its
    history in another, and nothing queried from the template."""
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def note(conn, cursor, statement, *args):
        if any(table in statement for table in ("dossiers", "dossier_fees", "dossier_results",
                                                "case_events")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        page = _track(client, "vi", tracked.code, "0987654321").page
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert "Bản sao giấy chứng sinh" in page.get_text()
    assert len(seen) == 2, seen
