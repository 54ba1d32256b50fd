"""The desk's printable forms of Circular 01/2018/TT-VPCP beyond the receipt: the supplement
request (Mẫu 02), the refusal (Mẫu 03), the control sheet (Mẫu 05) and the log book (Mẫu 06)
with its CSV export. Each case's form follows the case's access rule; the log book holds only
the officer's own departments' dossiers."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from app.dossiers.services import Submission, submit
from app.models import Case, CaseEvent, Dossier, utcnow
from app.queue.actions import perform
from tests.access_matrix import PersonClient
from tests.factories import make_case, make_dossier_office, make_officer, make_resident

PASSWORD = "printout-pass-1"
NOW = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)  # a Tuesday, 09:00 in Vietnam
RANGE = "date_from=2026-11-01&date_to=2026-11-30"


def _submit(session, office, name="Trần Thị Mai", when=NOW):
    dossier = submit(session, Submission(
        procedure_id=office["procedure"].id, unit_id=office["commune"].id, applicant_name=name,
        applicant_phone="0987654321"), now=when)
    return session.get(Case, dossier.case_id)


def _hold(session, case, user):
    """Put the case in `user`'s hands, as a claim would."""
    case = session.get(Case, case.id)
    case.assignee_id = user.id
    session.commit()


@pytest.fixture
def desk(session):
    office = make_dossier_office(session, name_en="Birth registration")
    dept = office["dept"]
    people = {
        "intake": make_officer(session, dept, desk="intake", skills=["civil_status"],
                               password=PASSWORD, full_name="Cán Bộ Một Cửa"),
        "officer": make_officer(session, dept, skills=["civil_status"], password=PASSWORD,
                                full_name="Chuyên Viên Hộ Tịch"),
        "leader": make_officer(session, dept, desk="leader", lead=True, password=PASSWORD),
    }
    elsewhere = make_dossier_office(session)
    people["stranger"] = make_officer(session, elsewhere["dept"], desk="intake",
                                      skills=["civil_status"], password=PASSWORD)
    people["resident"] = make_resident(session, password=PASSWORD)
    session.commit()

    # One dossier through its whole life: received, asked twice for papers, done, returned.
    case = _submit(session, office)
    _hold(session, case, people["intake"])
    perform(session, case.id, "receive", people["intake"], now=NOW + timedelta(minutes=5))
    _hold(session, case, people["officer"])
    officer = people["officer"]
    steps = [("start", None), ("request_supplement", "Bản sao giấy chứng sinh"),
             ("supplement_provided", None), ("request_supplement", "Tờ khai có chữ ký"),
             ("supplement_provided", None), ("complete", None)]
    for hours, (action, note) in enumerate(steps, start=1):
        perform(session, case.id, action, officer, note=note, now=NOW + timedelta(hours=hours))
    perform(session, case.id, "return_result", people["intake"], now=NOW + timedelta(days=2))

    # One refused at the desk, and one received by the other commune's desk.
    refused = _submit(session, office, name="Người Bị Từ Chối")
    _hold(session, refused, people["intake"])
    perform(session, refused.id, "refuse", people["intake"], note="Sai thẩm quyền của xã",
            now=NOW + timedelta(minutes=30))
    theirs = _submit(session, elsewhere, name="Người Xã Khác")
    _hold(session, theirs, people["stranger"])
    perform(session, theirs.id, "receive", people["stranger"], now=NOW)
    return {**people, "office": office, "elsewhere": elsewhere, "case": session.get(Case, case.id),
            "refused": session.get(Case, refused.id), "theirs": session.get(Case, theirs.id)}


def _login(client, user):
    assert client.login(user.email or user.phone, PASSWORD, lang="en").status_code == 302


def _url(case, form, lang="en"):
    return f"/{lang}/workbench/desk/cases/{case.id}/{form}"


def _text(response):
    return response.page.get_text(" ", strip=True)


# -- Mẫu 02, 03, 05 ------------------------------------------------------------------------------

def test_the_supplement_request_prints_the_latest_request(client, desk):
    _login(client, desk["officer"])
    response = client.get(_url(desk["case"], "supplement-request"))
    assert response.status_code == 200
    text = _text(response)
    assert "Tờ khai có chữ ký" in text and "Bản sao giấy chứng sinh" not in text
    for expected in (desk["case"].code, "Trần Thị Mai", "Birth registration", "0987654321",
                     "Chuyên Viên Hộ Tịch", "Form 02, Circular 01/2018/TT-VPCP"):
        assert expected in text
    assert "13:00 03/11/2026" in text  # when it was asked (the second request), in Vietnam


def test_the_forms_read_in_vietnamese(client, desk):
    _login(client, desk["intake"])
    heading = client.get(_url(desk["refused"], "refusal", lang="vi")).page.select_one("h1")
    assert heading.get_text(strip=True) == "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    sheet = client.get(_url(desk["case"], "control-sheet", lang="vi")).page
    assert "Trước hạn" in sheet.select_one("table.form-table").get_text(" ", strip=True)


def test_the_refusal_notice_gives_the_reason_and_the_officer(client, desk):
    _login(client, desk["intake"])
    text = _text(client.get(_url(desk["refused"], "refusal")))
    for expected in ("Sai thẩm quyền của xã", "Người Bị Từ Chối", desk["refused"].code,
                     "Cán Bộ Một Cửa", "Form 03, Circular 01/2018/TT-VPCP"):
        assert expected in text


def test_a_form_for_a_step_that_never_happened_is_not_found(client, desk):
    _login(client, desk["intake"])
    assert client.get(_url(desk["case"], "refusal")).status_code == 404
    assert client.get(_url(desk["refused"], "supplement-request")).status_code == 404
    assert client.get("/en/workbench/desk/cases/999999/control-sheet").status_code == 404


def test_the_control_sheet_lists_each_hand_over_with_its_verdict(client, desk):
    _login(client, desk["leader"])
    response = client.get(_url(desk["case"], "control-sheet"))
    assert response.status_code == 200
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in response.page.select("table.form-table tbody tr")]
    steps = [row[1] for row in rows]
    assert steps[0] == "Receive" and steps[-1] == "Return the result"
    assert steps.count("Request a supplement") == 2
    receive = rows[0]
    assert "Trần Thị Mai" in receive[2] and receive[3] == "Cán Bộ Một Cửa"
    complete = next(row for row in rows if row[1] == "Complete")
    assert complete[2] == "Chuyên Viên Hộ Tịch" and "One-stop desk" in complete[3]
    assert complete[5].startswith("Early")
    assert "Bản sao giấy chứng sinh" in " ".join(row[6] for row in rows)


def test_the_case_page_links_to_the_forms_that_apply(client, desk):
    _login(client, desk["intake"])
    page = client.get(f"/en/workbench/cases/{desk['case'].id}").page
    links = {a["href"] for a in page.select("a")}
    assert _url(desk["case"], "supplement-request") in links
    assert _url(desk["case"], "control-sheet") in links
    assert _url(desk["case"], "refusal") not in links
    refused_page = client.get(f"/en/workbench/cases/{desk['refused'].id}").page
    refused = {a["href"] for a in refused_page.select("a")}
    assert _url(desk["refused"], "refusal") in refused
    assert _url(desk["refused"], "supplement-request") not in refused


@pytest.mark.parametrize("form", ["supplement-request", "control-sheet"])
@pytest.mark.parametrize("who", ["intake", "officer", "leader"])
def test_the_departments_people_may_print(client, desk, form, who):
    _login(client, desk[who])
    assert client.get(_url(desk["case"], form)).status_code == 200


@pytest.mark.parametrize("form", ["supplement-request", "control-sheet", "refusal"])
def test_others_may_not(app, desk, form):
    app.test_client_class = PersonClient  # a browser of its own per person
    case = desk["refused"] if form == "refusal" else desk["case"]
    anonymous = app.test_client()
    response = anonymous.get(_url(case, form))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    for who in ("stranger", "resident"):
        client = app.test_client()
        _login(client, desk[who])
        assert client.get(_url(case, form)).status_code in (403, 404), who


# -- Mẫu 06: the log book --------------------------------------------------------------------------

def _book(client, query=RANGE, lang="en"):
    return client.get(f"/{lang}/workbench/desk/log-book?{query}")


def _book_rows(response):
    return [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in response.page.select("table.log-book tbody tr")]


def test_the_log_book_lists_what_this_desk_received(client, desk):
    _login(client, desk["intake"])
    response = _book(client)
    assert response.status_code == 200
    rows = _book_rows(response)
    assert len(rows) == 1  # not the refused one (never received), not the other commune's
    row = rows[0]
    assert row[0] == "1" and row[1] == desk["case"].code and row[2] == "Birth registration"
    assert row[4] == "Trần Thị Mai" and "0987654321" in row[5]
    assert row[7] == "09:00 03/11/2026"            # received (submitted online at NOW)
    assert row[9] == "03/11/2026"                  # passed on: the officer started it
    assert row[10] == "03/11/2026"                 # the result came back
    assert row[11] == "05/11/2026"                 # handed to the applicant
    assert "Returned" in row[12]


def test_each_desk_sees_only_its_own_departments_dossiers(client, desk):
    _login(client, desk["stranger"])
    codes = [row[1] for row in _book_rows(_book(client))]
    assert codes == [desk["theirs"].code]


def test_a_dossier_is_in_the_book_of_the_desk_that_received_it(client, app, desk, session):
    later = NOW + timedelta(days=1)
    # Received here, then passed to the other commune: still in this desk's book.
    away = _submit(session, desk["office"], name="Người Chuyển Đi", when=later)
    _hold(session, away, desk["intake"])
    perform(session, away.id, "receive", desk["intake"], now=later)
    perform(session, away.id, "transfer", desk["leader"], note="Thuộc thẩm quyền xã khác",
            to_department_id=desk["elsewhere"]["dept"].id, now=later + timedelta(hours=1))
    # Sent to the other commune first, passed here before anyone received it: in this book only.
    here = _submit(session, desk["elsewhere"], name="Người Chuyển Đến", when=later)
    _hold(session, here, desk["stranger"])
    perform(session, here.id, "transfer", desk["stranger"], note="Nhầm xã",
            to_department_id=desk["office"]["dept"].id, now=later + timedelta(hours=2))
    perform(session, here.id, "receive", desk["intake"], now=later + timedelta(hours=3))
    _login(client, desk["intake"])
    rows = {row[1]: row for row in _book_rows(_book(client))}
    assert set(rows) == {desk["case"].code, away.code, here.code}
    assert rows[away.code][9] == "04/11/2026 (" + desk["elsewhere"]["dept"].name_en + ")"
    assert rows[away.code][6] == desk["elsewhere"]["dept"].name_en  # who resolves it now
    app.test_client_class = PersonClient
    theirs = app.test_client()
    _login(theirs, desk["stranger"])
    assert [row[1] for row in _book_rows(_book(theirs))] == [desk["theirs"].code]


def test_the_log_book_defaults_to_this_month(client, desk, session):
    now = utcnow()
    case = make_case(session, desk["office"]["dept"], state=2, received_at=now,
                     due_at=now + timedelta(days=3))
    session.add_all([
        Dossier(case_id=case.id, procedure_id=desk["office"]["procedure"].id, channel="walk_in",
                applicant_name="Người Tháng Này", applicant_phone="0912000111"),
        CaseEvent(case_id=case.id, action="receive", actor_id=desk["intake"].id, from_state=1,
                  to_state=2, at=now)])
    session.commit()
    _login(client, desk["intake"])
    response = _book(client, query="")
    assert response.status_code == 200
    assert case.code in [row[1] for row in _book_rows(response)]
    first = response.page.select_one("#date_from")["value"]
    assert first.endswith("-01") and response.page.select_one("#date_to")["value"] > first


@pytest.mark.parametrize("query, message", [
    ("date_from=2026-11-30&date_to=2026-11-01", "The end date must be on or after the start date."),
    ("date_from=2025-01-01&date_to=2026-11-30", "Choose at most 366 days at a time."),
    ("date_from=2026-02-30&date_to=2026-11-30", "Enter a real date, like 02/09/2026."),
])
def test_a_range_that_cannot_be_a_page_of_the_book_is_explained(client, desk, query, message):
    _login(client, desk["intake"])
    response = _book(client, query)
    assert response.status_code == 400
    assert message in response.page.select_one(".error-summary").get_text(" ", strip=True)
    assert not response.page.select("table.log-book")
    typed = dict(pair.split("=") for pair in query.split("&"))
    assert response.page.select_one("#date_from")["value"] == typed["date_from"]  # kept
    csv_response = client.get(f"/en/workbench/desk/log-book.csv?{query}")
    assert csv_response.status_code == 400
    assert message in csv_response.page.get_text(" ", strip=True)


def test_the_book_can_be_narrowed_to_one_of_the_officers_departments_only(client, desk):
    _login(client, desk["intake"])
    mine, theirs = desk["office"]["dept"].id, desk["elsewhere"]["dept"].id
    assert len(_book_rows(_book(client, f"{RANGE}&department_id={mine}"))) == 1
    assert len(_book_rows(_book(client, f"{RANGE}&department_id="))) == 1  # empty: all of mine
    for other in (theirs, "abc", "-1"):
        response = _book(client, f"{RANGE}&department_id={other}")
        assert response.status_code == 400
        assert "Choose one of your own departments." in _text(response)
        assert not response.page.select("table.log-book")


def _many(session, desk, count, start):
    office = desk["office"]
    for i in range(count):
        when = start + timedelta(hours=i)
        case = make_case(session, office["dept"], state=2, received_at=when,
                         due_at=when + timedelta(days=3))
        session.add_all([
            Dossier(case_id=case.id, procedure_id=office["procedure"].id, channel="walk_in",
                    applicant_name=f"Người Nộp {i + 1:02d}", applicant_phone="0912000111"),
            CaseEvent(case_id=case.id, action="receive", actor_id=desk["intake"].id,
                      from_state=1, to_state=2, at=when)])
    session.commit()


def test_the_log_book_is_paginated_and_numbers_run_on(client, desk, session):
    _many(session, desk, 29, datetime(2026, 11, 10, 1, 0, tzinfo=timezone.utc))
    _login(client, desk["intake"])
    first = _book(client)
    rows = _book_rows(first)
    assert len(rows) == 25 and rows[0][0] == "1" and rows[-1][0] == "25"
    next_link = first.page.select_one("nav.pagination a[rel=next]")["href"]
    assert "date_from=2026-11-01" in next_link and "date_to=2026-11-30" in next_link
    rows = _book_rows(client.get(next_link))
    assert [row[0] for row in rows] == ["26", "27", "28", "29", "30"]
    assert rows[-1][4] == "Người Nộp 29"


def _csv(client, query=RANGE, lang="en"):
    response = client.get(f"/{lang}/workbench/desk/log-book.csv?{query}")
    assert response.status_code == 200, response.status_code
    body = response.get_data()
    return response, body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_has_the_whole_range_with_a_bom_and_a_header(client, desk, session):
    _many(session, desk, 29, datetime(2026, 11, 10, 1, 0, tzinfo=timezone.utc))
    _login(client, desk["intake"])
    response, body, rows = _csv(client)
    assert body.startswith("\ufeff".encode("utf-8"))
    assert response.mimetype == "text/csv" and "charset=utf-8" in response.headers["Content-Type"]
    assert 'filename="so-theo-doi-ho-so-2026-11-01-2026-11-30.csv"' in response.headers[
        "Content-Disposition"]
    header, lines = rows[0], rows[1:]
    assert header[:5] == ["No.", "Dossier code", "Procedure", "Number of dossiers",
                          "Applicant (person or organisation)"]
    assert len(lines) == 30 and [line[0] for line in lines] == [str(n) for n in range(1, 31)]
    assert lines[0][1] == desk["case"].code and lines[0][4] == "Trần Thị Mai"
    assert desk["theirs"].code not in body.decode("utf-8")
    # The page's language: the Vietnamese export has the circular's own headings.
    _, vi_body, vi_rows = _csv(client, lang="vi")
    assert vi_body.startswith("\ufeff".encode("utf-8")) and len(vi_rows) == 31
    assert vi_rows[0][:5] == ["STT", "Mã hồ sơ", "Thủ tục", "Số lượng hồ sơ (bộ)",
                              "Tên cá nhân, tổ chức"]


def test_the_csv_cannot_carry_a_formula_into_a_spreadsheet(client, desk, session):
    office = desk["office"]
    hostile = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-3", "@SUM(A1)"]
    for i, name in enumerate(hostile):
        when = datetime(2026, 11, 20, 1, i, tzinfo=timezone.utc)
        case = make_case(session, office["dept"], state=2, received_at=when)
        session.add_all([
            Dossier(case_id=case.id, procedure_id=office["procedure"].id, channel="walk_in",
                    applicant_name=name, applicant_phone="0912000111"),
            CaseEvent(case_id=case.id, action="receive", from_state=1, to_state=2, at=when)])
    session.commit()
    _login(client, desk["intake"])
    _, _, rows = _csv(client)
    names = [row[4] for row in rows[2:]]
    assert names == ["'" + name for name in hostile]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
