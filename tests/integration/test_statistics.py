"""Public statistics counted the way Decision 766/QĐ-TTg counts them, checked against a small
history counted by hand (tests/integration/stats_history.py tells the story): cases paused
for papers, public holidays, a late case with an apology letter, withdrawn and refused ones, a
petition; the page, its CSV, empty periods and bad requests."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import CaseTally
from app.queue.calendar import LOCAL_TZ
from app.queue.calendar_db import calendar_from_db
from app.stats import figures as stats
from tests.integration import stats_history

AFTER = datetime(2026, 6, 1, 3, 0, tzinfo=timezone.utc)  # both months are over


@pytest.fixture
def history(app, session):
    return stats_history.build(session)


def _report(session, period, now=AFTER, **scope):
    return stats.report(session, stats.resolve_scope(session, **scope), period, now=now,
                        warning_days=1, calendar=calendar_from_db(session))


def _april(today=date(2026, 6, 1)):
    return stats.month_period(2026, 4, today)


def test_april_counts_what_happened_in_april(history, session):
    f = _report(session, _april()).total
    assert (f.carried_over, f.received, f.received_online, f.received_offline) == (1, 8, 6, 2)
    assert (f.done_early, f.done_on_time, f.done_late) == (2, 1, 1)
    assert (f.withdrawn, f.refused, f.stopped) == (1, 1, 0)
    # C3 is not yet due (its clock restarted with a later date); C5 is late; C9 paused late.
    assert (f.in_process, f.overdue, f.not_yet_due, f.almost_due) == (3, 2, 1, None)
    assert f.to_process == 9 == f.done + f.withdrawn + f.refused + f.stopped + f.in_process
    assert f.late_rate == Decimal("33.3") and f.on_time_rate == Decimal("66.7")
    assert f.online_share == Decimal("75.0")
    # Working days: C8 2, C1 1, C2 3, C4 7 (the holidays and weekends left out).
    assert f.done_days == 13 and f.average_days == Decimal("3.3")
    assert f.ratings == (0, 1, 0, 0, 1) and f.satisfied_share == Decimal("50.0")


def test_may_carries_april_over_and_counts_the_pause_and_the_holidays(history, session):
    f = _report(session, stats.month_period(2026, 5, date(2026, 6, 1))).total
    assert (f.carried_over, f.received) == (3, 0)
    # C3: due moved by the 3 working days it waited, past the holidays of 30/04 and 01/05.
    assert (f.done_early, f.done_on_time, f.done_late) == (0, 1, 1)
    assert (f.in_process, f.overdue) == (1, 1)
    # C3 took 6 working days of which 3 waiting for the applicant; C5 took 9 (21-24/04,
    # 28-29/04, 04-06/05: 27/04, 30/04 and 01/05 are holidays).
    assert f.done_days == 3 + 9
    assert f.on_time_rate == Decimal("33.3")


def test_questions_and_petitions_are_counted_apart_and_apart_from_the_dossiers(history,
                                                                             session):
    report = _report(session, _april())
    kinds = dict(report.kinds)
    petition, question = kinds[("petition", "petition")], kinds[("petition", "question")]
    assert (petition.received, petition.done, petition.answered_on_time) == (1, 1, 1)
    assert petition.answered_on_time_share == Decimal("100.0")
    assert (question.received, question.done, question.answered_on_time) == (1, 1, 0)
    assert question.done_late == 1 and question.answered_on_time_share == Decimal("0.0")
    assert [kind for kind, _f in report.kinds] == [("petition", "question"),
                                                   ("petition", "petition")]
    assert report.total.received == 8  # dossiers only


def test_an_askers_rating_counts_under_its_kind_not_the_dossiers(history, session, client):
    """A question's rating is tallied with the question (a "rated" event, the same transaction),
    beside the dossiers' satisfaction, never in it; the running rows still equal a recount."""
    from app.models import CaseEvent, Petition
    from app.petitions import services as petitions
    from app.stats.rebuild import recount
    from tests.integration.test_statistics_recount import stored

    q1 = history["cases"]["Q1"]
    petition_id = session.scalar(select(Petition.id).where(Petition.case_id == q1.id))
    dossiers_before = _report(session, _april()).total.ratings
    petitions.rate(session, petition_id, 2, "Trả lời chậm.",
                   now=datetime(2026, 4, 20, 9, 0, tzinfo=LOCAL_TZ))
    report = _report(session, _april())
    question = dict(report.kinds)[("petition", "question")]
    assert question.ratings == (0, 1, 0, 0, 0) and question.satisfied_share == Decimal("0.0")
    assert dict(report.kinds)[("petition", "petition")].rated == 0
    assert report.total.ratings == dossiers_before
    assert session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == q1.id, CaseEvent.action == "rated")) == 1
    assert stored(session) == recount(session)
    rows = _page_table(client.get("/vi/statistics/?period=month&year=2026&month=4").page, "kinds")
    assert rows[1][-2:] == ["1", "0,0"]


def test_the_page_shows_questions_and_petitions_as_two_rows(history, client):
    query = "period=month&year=2026&month=4"
    rows = _page_table(client.get(f"/vi/statistics/?{query}").page, "kinds")
    assert rows[1:] == [["Câu hỏi", "0", "1", "1", "0", "0", "0", "0,0", "0", "—"],
                        ["Phản ánh, kiến nghị", "0", "1", "1", "1", "0", "0", "100,0", "0", "—"]]
    english = _page_table(client.get(f"/en/statistics/?{query}").page, "kinds")
    assert [row[0] for row in english[1:]] == ["Questions", "Feedback and petitions"]
    body = client.get(f"/en/statistics/export.csv?table=kinds&{query}").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff")))) == english


def test_a_quarter_a_year_and_own_dates_agree_with_the_months(history, session):
    today = date(2026, 6, 1)
    quarter = _report(session, stats.quarter_period(2026, 2, today)).total
    assert (quarter.carried_over, quarter.received, quarter.done) == (1, 8, 6)
    assert (quarter.in_process, quarter.overdue) == (1, 1)
    year = _report(session, stats.year_period(2026, today)).total
    assert (year.received, year.done, year.withdrawn, year.refused) == (9, 6, 1, 1)
    own = _report(session, stats.custom_period(date(2026, 4, 20), date(2026, 5, 5), today)).total
    # Open on the eve (19/04): C4 and C9. Received since: C5, C3. Done: C4 (late), C3.
    assert (own.carried_over, own.received, own.done_late, own.done_on_time) == (2, 2, 1, 1)
    assert (own.in_process, own.overdue) == (2, 2)
    months = _report(session, stats.custom_period(date(2026, 3, 1), date(2026, 5, 31),
                                                  today)).months
    assert [(m.month, f.received, f.done) for m, f in months] == [(3, 1, 0), (4, 8, 4), (5, 0, 2)]


def test_figures_as_they_stood_while_the_period_ran(history, session):
    """On Thu 23/04 at 10:00 C5 is due at 17:00 the same day: almost due, not late; after the
    office closes it is late. C9 paused after its date: late all day."""
    morning = datetime(2026, 4, 23, 10, 0, tzinfo=LOCAL_TZ)
    evening = datetime(2026, 4, 23, 18, 0, tzinfo=LOCAL_TZ)
    period = stats.month_period(2026, 4, date(2026, 4, 23))
    early = _report(session, period, now=morning).total
    late = _report(session, period, now=evening).total
    # Open on 23/04: C9 (paused after its date), C5 (due today), C3 (paused in time).
    assert early.in_process == late.in_process == 3
    assert (early.overdue, late.overdue) == (1, 2)
    assert early.almost_due == 1 and late.almost_due == 0
    assert early.not_yet_due == late.not_yet_due == 1


def test_the_statistics_page_shows_the_figures_and_how_each_is_counted(history, client):
    page = client.get("/vi/statistics/?period=month&year=2026&month=4").page
    cards = {c.select_one(".stat-label").get_text(strip=True):
             c.select_one(".stat-value").get_text(" ", strip=True)
             for c in page.select(".stat-card")}
    assert cards["Tỷ lệ đúng hạn"] == "66,7 %"
    assert cards["Hồ sơ phải giải quyết"] == "9"
    assert all(c.select_one("p.how") for c in page.select(".stat-card"))
    assert page.select_one("svg.chart title") is not None
    english = client.get("/en/statistics/?period=month&year=2026&month=4").page
    assert english.find("html")["lang"] == "en"
    assert "66.7 %" in english.select_one(".stat-card-main .stat-value").get_text(" ", strip=True)


def _page_table(page, name):
    table = page.select_one(f"#table-{name}-caption").find_parent("table")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
            for row in table.select("tr")]


@pytest.mark.parametrize("name", ["breakdown", "months", "satisfaction", "kinds", "summary"])
def test_each_csv_says_what_its_table_on_the_page_says(history, client, name):
    query = "period=custom&date_from=2026-03-01&date_to=2026-05-31"
    page = client.get(f"/vi/statistics/?{query}").page
    response = client.get(f"/vi/statistics/export.csv?table={name}&{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == _page_table(page, name)
    assert "public" in response.headers["Cache-Control"]


def test_a_department_and_a_procedure_have_their_own_figures(history, client):
    office = history["office"]
    unit, dept = office["commune"].code, office["dept"].code
    page = client.get(f"/vi/statistics/?unit={unit}&period=month&year=2026&month=4").page
    assert office["dept"].name_vi in [r[0] for r in _page_table(page, "breakdown")]
    page = client.get(f"/vi/statistics/?unit={unit}&department={dept}&period=month"
                      f"&year=2026&month=4").page
    rows = _page_table(page, "breakdown")
    assert rows[1][0] == office["procedure"].name_vi and rows[1][1] == "9"
    by_procedure = client.get(f"/en/statistics/?procedure={stats_history.PROCEDURE_CODE}"
                              "&period=month&year=2026&month=4").page
    assert by_procedure.select_one(".stat-card-main .stat-value").get_text(" ", strip=True) \
        == "66.7 %"


def test_a_period_with_nothing_in_it_is_an_empty_state_not_an_error(history, client):
    response = client.get("/vi/statistics/?period=month&year=2025&month=1")
    assert response.status_code == 200
    assert response.page.select_one(".empty-state") is not None
    assert not response.page.select(".stat-card")
    csv_body = client.get("/vi/statistics/export.csv?table=summary&period=month&year=2025"
                          "&month=1").get_data(as_text=True)
    assert "—" in csv_body  # rates are undefined, never a division by zero


def test_an_empty_database_has_an_empty_statistics_page(client):
    response = client.get("/en/statistics/")
    assert response.status_code == 200
    assert response.page.select_one(".empty-state") is not None


@pytest.mark.parametrize("query, field, words", [
    ("unit=NOPE", "unit", "No commune or ward has this code"),
    ("procedure=9.999999", "procedure", "No procedure has this code"),
    ("department=NOPE", "department", "No department has this code"),
    ("period=custom&date_from=2026-05-01&date_to=2026-04-01", "date_to",
     "The end date must be on or after the start date"),
    ("period=custom&date_from=2020-01-01&date_to=2026-04-01", "date_to", "at most"),
    ("period=custom&date_from=2026-05-01", "date_to", "Enter both dates"),
    ("period=year&year=1999", "year", "Figures start in 2000"),
    ("period=year&year=2999", "year", "has not started yet"),
    ("period=year&year=20x6", "year", "Choose a year"),
    ("period=month&year=2026&month=13", "month", "Choose a month"),
    ("period=quarter&year=2026&quarter=5", "quarter", "Choose a quarter"),
    ("period=decade", "period", "Choose a year, a quarter"),
    ("period=custom&date_from=2026-02-30&date_to=2026-03-01", "date_from", "real date"),
])
def test_a_request_that_cannot_be_answered_says_why(history, client, session, query, field,
                                                     words):
    rows = session.scalar(select(func.count()).select_from(CaseTally))
    response = client.get(f"/en/statistics/?{query}")
    assert response.status_code == 400
    message = response.page.select_one(f"#{field}-error").get_text(" ", strip=True)
    assert words in message
    assert response.page.select_one(".error-summary") is not None
    assert client.get(f"/en/statistics/export.csv?table=summary&{query}").status_code == 400
    assert session.scalar(select(func.count()).select_from(CaseTally)) == rows


def test_a_department_of_another_commune_is_refused(history, client, session):
    from tests.factories import make_department, make_unit

    other = make_department(session, make_unit(session, level="commune"))
    session.commit()
    response = client.get(f"/en/statistics/?unit={history['office']['commune'].code}"
                          f"&department={other.code}")
    assert response.status_code == 400
    assert "belongs to another commune" in response.page.select_one("#department-error").text


def test_an_unknown_table_is_not_found(history, client):
    assert client.get("/vi/statistics/export.csv?table=secrets").status_code == 404


def test_the_home_page_links_to_the_statistics(client):
    page = client.get("/vi/").page
    assert page.select_one("a[href='/vi/statistics/']") is not None


def test_statistics_pages_need_no_login_and_are_kept_briefly(history, client):
    response = client.get("/vi/statistics/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=120"


def test_the_csv_guards_cells_against_formulas(history, client, session):
    from app.models import Procedure

    procedure = session.scalar(select(Procedure))
    procedure.name_vi = "=HYPERLINK(\"http://x\")"
    session.commit()
    unit, dept = history["office"]["commune"].code, history["office"]["dept"].code
    body = client.get(f"/vi/statistics/export.csv?table=breakdown&unit={unit}"
                      f"&department={dept}").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_a_transition_that_counts_nothing_writes_no_statistics(history, session):
    """Receiving, starting, asking for and taking fees change no figure: perform() adds no
    statement for them. Completing does: one statement, in perform's own transaction."""
    from sqlalchemy import event

    from app.extensions import db
    from app.queue.actions import perform
    from tests.integration.stats_history import at

    seen: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    case = stats_history.build_one(session, history, at(5, 11))
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for action, who, hour in (("receive", "intake", 10), ("start", "leader", 11),
                                  ("request_fees", "leader", 12), ("fees_paid", "leader", 13)):
            perform(session, case.id, action, history[who], now=at(5, 11, hour))
        quiet = [s for s in seen if "case_tallies" in s]
        seen.clear()
        perform(session, case.id, "complete", history["leader"], now=at(5, 11, 14))
        counted = [s for s in seen if "case_tallies" in s]
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert quiet == []
    assert len(counted) == 1 and counted[0].startswith("INSERT INTO case_tallies")


def test_a_petition_asks_its_group_only_when_a_transition_counts(history, session,
                                                                 monkeypatch):
    """Receiving and starting a question count nothing: no statement, and its kind is not
    asked for the group. Its answer's approval counts: the kind is asked once, for this case,
    and the change is written in one statement."""
    from sqlalchemy import event

    from app.extensions import db
    from app.models import PetitionTopic
    from app.petitions import services as petitions
    from app.petitions.answers import draft_answer
    from app.queue import kinds
    from app.queue.actions import perform
    from tests.integration.stats_history import at

    petition_kind = kinds.kind_for("petition")
    asked: list[list[int]] = []
    real = petition_kind.stat_groups

    def counting(session_, case_ids):
        asked.append(list(case_ids))
        return real(session_, case_ids)

    monkeypatch.setattr(petition_kind, "stat_groups", counting)
    topic = session.scalar(select(PetitionTopic).where(PetitionTopic.code == "HD-HO-TICH"))
    case = petitions.file_petition(session, None, petitions.Filing(
        kind="question", topic_id=topic.id, unit_id=history["office"]["commune"].id,
        title="Hỏi về giấy chứng nhận", body="Xin hỏi thủ tục.", asker_name="Hoàng Văn An",
        asker_phone="0912345678", user_id=history["resident"].id), now=at(5, 11)).case
    assert asked == [[case.id]]  # received: counted, under its group
    seen: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    asked.clear()
    leader = history["leader"]
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        perform(session, case.id, "receive", history["intake"], now=at(5, 11, 10))
        perform(session, case.id, "start", leader, now=at(5, 11, 11))
        draft_answer(session, case.id, leader, "Trả lời.", now=at(5, 11, 12))
        quiet = [s for s in seen if "case_tallies" in s]
        quiet_asks = list(asked)
        seen.clear()
        perform(session, case.id, "approve", leader, now=at(5, 11, 14))
        counted = [s for s in seen if "case_tallies" in s]
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert quiet == [] and quiet_asks == []
    assert asked == [[case.id]]
    assert len(counted) == 1 and counted[0].startswith("INSERT INTO case_tallies")
    on_time = CaseTally.done_early + CaseTally.done_on_time
    rows = session.execute(select(CaseTally.case_group, func.sum(on_time))
                           .where(CaseTally.level == 1, CaseTally.grain == 2,
                                  CaseTally.case_type == "petition")
                           .group_by(CaseTally.case_group)).all()
    assert dict(rows) == {"question": 1, "petition": 1}
