"""The SLA sweep, `flask worker --once` and `flask calendar due`, as a leader or admin sees them."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import (AdminUnit, CalendarDay, Case, CaseEvent, Department, OutboxMessage, User,
                        utcnow)
from app.queue.calendar import LOCAL_TZ, WorkCalendar
from app.queue.sla import sweep, warning_threshold
from app.queue_cli import compose_digest

CAL = WorkCalendar()
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)  # Monday morning
_n = itertools.count(1)


def local_close(y, m, d):
    return datetime(y, m, d, 17, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def commune(session):
    unit = AdminUnit(code="C1", level="commune", name_vi="Xã Một", name_en="Commune One")
    session.add(unit)
    session.flush()
    return unit


def department(session, commune, *, leader_locale="vi", leader=True):
    n = next(_n)
    boss = None
    if leader:
        boss = User(full_name=f"Lãnh đạo {n}", email=f"boss{n}@test.vn", password_hash="!",
                    role="leader", locale=leader_locale)
        session.add(boss)
        session.flush()
    d = Department(unit_id=commune.id, code=f"D{n}", name_vi=f"Phòng Tư pháp {n}",
                   name_en=f"Justice {n}", leader_id=boss.id if boss else None)
    session.add(d)
    session.flush()
    return d


def case(session, dept, due_at, *, state=4, sla_band=0, title=None):
    n = next(_n)
    c = Case(code=f"S{n}", case_type="dossier", category="civil_status",
             title=title or f"Đăng ký khai sinh {n}", unit_id=dept.unit_id, department_id=dept.id,
             state=state, sla_band=sla_band, received_at=due_at - timedelta(days=5), due_at=due_at)
    session.add(c)
    session.flush()
    return c


def escalations(session):
    session.rollback()
    rows = session.execute(select(CaseEvent.case_id, CaseEvent.data)
                           .where(CaseEvent.action == "escalated").order_by(CaseEvent.id)).all()
    return [(case_id, data["band"]) for case_id, data in rows]


def bands(session, *cases):
    session.rollback()
    return [session.get(Case, c.id).sla_band for c in cases]


def run(session, now, warning_days=1):
    return sweep(session, now, warning_days=warning_days, calendar=CAL, compose=compose_digest)


def test_almost_due_threshold_counts_working_days_from_today():
    assert warning_threshold(NOW, 1, CAL) == local_close(2026, 3, 3)
    assert warning_threshold(NOW, 0, CAL) == local_close(2026, 3, 2)
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=LOCAL_TZ)
    assert warning_threshold(friday, 1, CAL) == local_close(2026, 3, 9)
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=LOCAL_TZ)
    assert warning_threshold(saturday, 0, CAL) == local_close(2026, 3, 9)


def test_each_case_is_escalated_once_per_band(session, commune):
    d = department(session, commune)
    almost = case(session, d, local_close(2026, 3, 3))
    fine = case(session, d, local_close(2026, 3, 4))
    late = case(session, d, local_close(2026, 2, 27))
    warned_then_late = case(session, d, local_close(2026, 2, 27), sla_band=1)
    session.commit()

    report = run(session, NOW)
    assert (report.overdue, report.almost_due) == (2, 1)
    assert bands(session, almost, fine, late, warned_then_late) == [1, 0, 2, 2]
    # A case that went straight past its deadline gets the overdue escalation only.
    assert sorted(escalations(session)) == sorted([(late.id, 2), (warned_then_late.id, 2),
                                                   (almost.id, 1)])

    again = run(session, NOW + timedelta(minutes=1))
    assert (again.overdue, again.almost_due, again.notifications) == (0, 0, 0)
    assert len(escalations(session)) == 3

    tuesday_evening = datetime(2026, 3, 3, 18, 0, tzinfo=LOCAL_TZ)
    later = run(session, tuesday_evening)
    assert (later.overdue, later.almost_due) == (1, 1)
    assert bands(session, almost, fine) == [2, 1]


def test_the_department_leader_is_notified_in_their_language(session, commune):
    vi_dept = department(session, commune)
    en_dept = department(session, commune, leader_locale="en")
    late = case(session, vi_dept, local_close(2026, 2, 27), title="Đăng ký kết hôn")
    case(session, vi_dept, local_close(2026, 2, 26))
    case(session, en_dept, local_close(2026, 3, 3))
    session.commit()

    report = run(session, NOW)
    assert report.notifications == 2
    messages = {m.user_id: m for m in session.scalars(select(OutboxMessage))}
    to_vi = messages[vi_dept.leader_id]
    assert to_vi.recipient == vi_dept.leader.email and to_vi.sent_at is None
    assert "2 hồ sơ đã quá hạn" in to_vi.subject and "Phòng Tư pháp" in to_vi.subject
    assert f"{late.code}: Đăng ký kết hôn (hạn 27/02/2026 17:00)" in to_vi.body
    to_en = messages[en_dept.leader_id]
    assert "1 case almost due – Justice" in to_en.subject


def test_paused_and_finished_cases_are_not_escalated(session, commune):
    d = department(session, commune)
    for state in (5, 3, 7, 8, 9, 10):
        case(session, d, local_close(2026, 2, 20), state=state)
    fees = case(session, d, local_close(2026, 2, 20), state=6)
    session.commit()
    report = run(session, NOW)
    assert (report.overdue, report.almost_due) == (1, 0)
    assert escalations(session) == [(fees.id, 2)]


def test_a_department_without_a_leader_still_records_the_escalation(session, commune):
    d = department(session, commune, leader=False)
    c = case(session, d, local_close(2026, 2, 27))
    session.commit()
    report = run(session, NOW)
    assert (report.overdue, report.notifications) == (1, 0)
    assert escalations(session) == [(c.id, 2)]
    assert session.scalar(select(OutboxMessage.id)) is None


def test_the_sweep_works_through_more_cases_than_one_batch(session, commune):
    d = department(session, commune)
    for i in range(7):
        case(session, d, local_close(2026, 2, 20) + timedelta(minutes=i))
    session.commit()
    report = sweep(session, NOW, warning_days=1, calendar=CAL, compose=compose_digest, batch=3)
    assert report.overdue == 7 and report.notifications == 3  # one digest per batch
    assert len(escalations(session)) == 7


def test_worker_once_expires_leases_escalates_and_delivers(app, session, commune):
    d = department(session, commune)
    now = utcnow()
    late = case(session, d, now - timedelta(days=1))
    claimed = case(session, d, now + timedelta(days=30))
    claimed.assignee_id = d.leader_id
    claimed.lease_until = now - timedelta(minutes=1)
    session.commit()
    late_id, claimed_id = late.id, claimed.id  # the worker ends the session it shares

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("worker: leases_expired=1 almost_due=0 overdue=1 "
                                     "notifications=1 reminders=0 village_digests=0 "
                                     "initiative_cases=0 sent=1 "
                                     "retrying=0 failed=0 undeliverable=0 secrets_erased=0")
    assert session.get(Case, late_id).sla_band == 2
    assert session.get(Case, claimed_id).assignee_id is None
    message = session.scalars(select(OutboxMessage)).one()
    assert message.sent_at is not None and message.attempts == 1


@pytest.mark.parametrize("received, days, expected", [
    # Wednesday before the 30/4 and 1/5 holidays and a weekend.
    ("2026-04-29 10:00", 2, "05/05/2026 17:00 (Thứ Ba / Tuesday)"),
    # A same-day procedure after 15:00 is due the next working day.
    ("2026-03-02 15:30", 0, "03/03/2026 17:00 (Thứ Ba / Tuesday)"),
])
def test_calendar_due_prints_the_appointment_in_local_time(app, received, days, expected):
    result = app.test_cli_runner().invoke(args=["calendar", "due", received, str(days)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_calendar_due_counts_the_administrators_make_up_saturday(app, session):
    session.add(CalendarDay(day=date(2026, 8, 22), kind="makeup"))
    session.add(CalendarDay(day=date(2026, 8, 24), kind="holiday"))
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["calendar", "due", "2026-08-21 09:00", "1"])
    assert result.output.strip() == "22/08/2026 17:00 (Thứ Bảy / Saturday)"
    result = runner.invoke(args=["calendar", "due", "2026-08-22 09:00", "1"])
    assert result.output.strip() == "25/08/2026 17:00 (Thứ Ba / Tuesday)"


def test_calendar_due_rejects_a_malformed_date(app):
    result = app.test_cli_runner().invoke(args=["calendar", "due", "24/04/2026", "2"])
    assert result.exit_code != 0 and "YYYY-MM-DD HH:MM" in result.output
