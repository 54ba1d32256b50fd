"""The one write-transaction helper (app.db.write_transaction): commit, rollback, explicit
nesting; and the queue functions that may run inside a caller's transaction."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin import services as admin
from app.db import write_transaction
from app.models import Case, CaseEvent, OfficerMembership, User
from app.queue.claims import expire_leases, hand_back_on_leave
from tests.conftest import only_on
from tests.factories import make_case, make_department, make_officer, make_user

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def test_a_write_transaction_commits_what_it_did(session):
    with write_transaction(session):
        user_id = make_user(session, full_name="Đã lưu").id
    session.close()
    assert session.scalar(select(User.full_name).where(User.id == user_id)) == "Đã lưu"


def test_an_error_inside_rolls_everything_back(session):
    with pytest.raises(ZeroDivisionError):
        with write_transaction(session):
            make_user(session, full_name="Không lưu")
            1 / 0
    assert session.scalar(select(func.count(User.id)).where(User.full_name == "Không lưu")) == 0


def test_nesting_must_be_asked_for(session):
    with write_transaction(session):
        with pytest.raises(RuntimeError, match="join=True"):
            with write_transaction(session):
                pass


def test_a_joined_block_commits_only_with_the_outer_one(session):
    with pytest.raises(ZeroDivisionError):
        with write_transaction(session):
            with write_transaction(session, join=True):
                make_user(session, full_name="Trong")
            # The joined block ended without committing: the outer error undoes it.
            1 / 0
    assert session.scalar(select(func.count(User.id)).where(User.full_name == "Trong")) == 0


def test_handing_back_cases_does_not_commit_the_callers_transaction(session):
    dept = make_department(session)
    officer = make_officer(session, dept, skills=["civil_status"])
    held = make_case(session, dept, state=4, assignee=officer)
    seat_id = session.scalar(select(OfficerMembership.id)
                             .where(OfficerMembership.user_id == officer.id))
    session.commit()
    with pytest.raises(ZeroDivisionError):
        with write_transaction(session):
            assert hand_back_on_leave(session, seat_id, NOW) == 1
            1 / 0  # the caller fails after the queue did its part
    assert session.get(Case, held.id, populate_existing=True).assignee_id == officer.id
    assert session.scalar(select(func.count(CaseEvent.id))
                          .where(CaseEvent.case_id == held.id)) == 0


def test_leave_set_by_an_administrator_hands_back_work_in_the_same_transaction(session):
    dept = make_department(session)
    officer = make_officer(session, dept, skills=["civil_status"])
    held = make_case(session, dept, state=4, assignee=officer)
    seat_id = session.scalar(select(OfficerMembership.id)
                             .where(OfficerMembership.user_id == officer.id))
    held_id = held.id
    session.commit()
    today = admin.local_today()
    data = admin.MembershipData(desk="specialist", skills=["civil_status"], on_duty=True,
                                leave_from=today, leave_until=today + timedelta(days=2))
    outcome = admin.update_membership(session, seat_id, data)
    assert outcome.on_leave_now and outcome.handed_back == 1
    session.close()
    assert session.get(Case, held_id).assignee_id is None
    assert session.get(OfficerMembership, seat_id).leave_from == today


@only_on("postgresql")
def test_two_workers_expiring_leases_at_once_return_each_case_once(app, session):
    dept = make_department(session)
    officer = make_officer(session, dept, skills=["civil_status"])
    ids = [make_case(session, dept, state=4, assignee=officer,
                     lease_until=NOW - timedelta(minutes=5)).id for _ in range(300)]
    session.commit()
    engine = session.get_bind()
    results, barrier = [], threading.Barrier(2)

    def worker():
        with Session(engine) as own:
            barrier.wait()
            results.append(expire_leases(own, NOW, batch=7))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == len(ids)
    events = session.scalars(select(CaseEvent.case_id).where(CaseEvent.action == "lease_expired"))
    assert sorted(events) == sorted(ids)
