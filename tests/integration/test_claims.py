"""Claiming the next case, leases and handing work back, on SQLite and PostgreSQL."""
from __future__ import annotations

import itertools
import os
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.models import (AdminUnit, Case, CaseEvent, Department, OfficerMembership, OfficerSkill,
                        User)
from app.queue.claims import (claim_candidate, claim_next, claim_params, expire_leases,
                              hand_back_on_leave, release, touch)
from app.queue.errors import IllegalTransition, NotAllowed
from tests.conftest import only_on

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hanoi
_n = itertools.count(1)


# -- this file's own builders ---------------------------------------------------------------------

@pytest.fixture
def commune(session):
    unit = AdminUnit(code="C1", level="commune", name_vi="Xã Một", name_en="Commune One")
    session.add(unit)
    session.flush()
    return unit


def department(session, commune):
    n = next(_n)
    d = Department(unit_id=commune.id, code=f"D{n}", name_vi=f"Phòng {n}", name_en=f"Dept {n}")
    session.add(d)
    session.flush()
    return d


def officer(session, dept, skills=("civil_status", "land"), desk="specialist", **seat) -> User:
    n = next(_n)
    u = User(full_name=f"Cán bộ {n}", email=f"o{n}@test.vn", password_hash="!", role="officer")
    session.add(u)
    session.flush()
    m = OfficerMembership(user_id=u.id, department_id=dept.id, desk=desk, **seat)
    m.skills = [OfficerSkill(skill=s) for s in skills]
    session.add(m)
    session.flush()
    return u


def case(session, dept, *, due_in=timedelta(days=3), priority=0, received_ago=timedelta(days=1),
         state=4, category="civil_status", assignee=None, **fields) -> Case:
    n = next(_n)
    c = Case(code=f"K{n}", case_type="dossier", category=category, title=f"Hồ sơ {n}",
             unit_id=dept.unit_id, department_id=dept.id, state=state, priority=priority,
             received_at=NOW - received_ago, due_at=NOW + due_in,
             assignee_id=assignee.id if assignee else None, **fields)
    session.add(c)
    session.flush()
    return c


def bulk_cases(session, dept, count, **overrides):
    """Many claimable cases at once (one executemany), all due at distinct times."""
    rows = [dict(code=f"B{next(_n)}-{i}", case_type="dossier", category="civil_status",
                 title="Hồ sơ", unit_id=dept.unit_id, department_id=dept.id, state=4,
                 priority=i % 3, sla_days=5, received_at=NOW - timedelta(days=2),
                 due_at=NOW + timedelta(minutes=i), requires_approval=False,
                 pending_approval=False, sla_band=0, version=1, created_at=NOW,
                 updated_at=NOW, **overrides) for i in range(count)]
    session.execute(insert(Case), rows)


def claim_events(session, case_id=None):
    stmt = select(CaseEvent).where(CaseEvent.action == "claim")
    if case_id is not None:
        stmt = stmt.where(CaseEvent.case_id == case_id)
    return session.scalars(stmt).all()


def fresh(session, model, ident):
    session.rollback()
    return session.get(model, ident)


# -- order and eligibility ------------------------------------------------------------------------

def test_claims_come_overdue_first_then_earliest_due_then_priority_then_oldest(session, commune):
    d = department(session, commune)
    me = officer(session, d)
    later = case(session, d, due_in=timedelta(days=5), priority=2)
    oldest_tie = case(session, d, due_in=timedelta(days=2), received_ago=timedelta(days=9))
    newer_tie = case(session, d, due_in=timedelta(days=2), received_ago=timedelta(days=1))
    urgent_tie = case(session, d, due_in=timedelta(days=2), priority=2)
    overdue = case(session, d, due_in=-timedelta(hours=1))
    very_overdue = case(session, d, due_in=-timedelta(days=3))
    case(session, d, state=5)  # waiting for the resident: not claimable
    case(session, d, state=9)
    case(session, d, assignee=officer(session, d))  # someone else's
    session.commit()

    order = []
    while (got := claim_next(session, me.id, d.id, now=NOW)) is not None:
        order.append(got.id)
    assert order == [very_overdue.id, overdue.id, urgent_tie.id, oldest_tie.id, newer_tie.id,
                     later.id]


def test_a_claim_assigns_with_a_lease_and_logs_one_event(session, commune):
    d = department(session, commune)
    me = officer(session, d)
    c = case(session, d, state=2)
    session.commit()
    got = claim_next(session, me.id, d.id, now=NOW, lease_minutes=30)
    assert got.id == c.id
    stored = fresh(session, Case, c.id)
    assert (stored.assignee_id, stored.claimed_at, stored.lease_until, stored.version) == (
        me.id, NOW, NOW + timedelta(minutes=30), 2)
    [event] = claim_events(session)
    assert (event.case_id, event.actor_id, event.from_state, event.to_state) == (c.id, me.id, 2, 2)
    assert claim_next(session, me.id, d.id, now=NOW) is None


def test_an_officer_only_claims_cases_of_their_skills(session, commune):
    d = department(session, commune)
    surveyor = officer(session, d, skills=["land"])
    case(session, d, due_in=-timedelta(days=1), category="civil_status")
    plot = case(session, d, due_in=timedelta(days=4), category="land")
    session.commit()
    assert claim_next(session, surveyor.id, d.id, now=NOW).id == plot.id
    assert claim_next(session, surveyor.id, d.id, now=NOW) is None


def test_a_skills_argument_narrows_but_never_widens_the_officers_own(session, commune):
    d = department(session, commune)
    both = officer(session, d, skills=["land", "civil_status"])
    case(session, d, due_in=-timedelta(days=1), category="civil_status")
    plot = case(session, d, category="land")
    case(session, d, category="petition")
    session.commit()
    assert claim_next(session, both.id, d.id, now=NOW, skills=["land", "petition"]).id == plot.id
    assert claim_next(session, both.id, d.id, now=NOW, skills=["petition"]) is None


def test_an_officer_of_another_department_cannot_claim_there(session, commune):
    ours, theirs = department(session, commune), department(session, commune)
    outsider = officer(session, theirs)
    c = case(session, ours)
    session.commit()
    with pytest.raises(NotAllowed) as error:
        claim_next(session, outsider.id, ours.id, now=NOW)
    assert error.value.details["reason"] == "no_seat"
    assert fresh(session, Case, c.id).assignee_id is None
    assert claim_events(session) == []


def test_an_officer_on_leave_cannot_claim(session, commune):
    d = department(session, commune)
    away = officer(session, d, leave_from=date(2026, 3, 1), leave_until=date(2026, 3, 3))
    case(session, d)
    session.commit()
    with pytest.raises(NotAllowed):
        claim_next(session, away.id, d.id, now=NOW)
    assert claim_next(session, away.id, d.id, now=NOW + timedelta(days=2)) is not None


# -- leases and handing back ----------------------------------------------------------------------

def test_an_untouched_lease_expires_and_the_case_returns_to_the_queue(session, commune):
    d = department(session, commune)
    me, colleague = officer(session, d), officer(session, d)
    c = case(session, d)
    waiting = case(session, d, state=5, assignee=me, lease_until=NOW - timedelta(minutes=1))
    with_leader = case(session, d, state=4, assignee=me, requires_approval=True,
                       pending_approval=True, lease_until=NOW - timedelta(minutes=1))
    session.commit()
    claim_next(session, me.id, d.id, now=NOW, lease_minutes=60)

    assert expire_leases(session, NOW + timedelta(minutes=59)) == 0
    assert expire_leases(session, NOW + timedelta(minutes=61)) == 1
    stored = fresh(session, Case, c.id)
    assert (stored.assignee_id, stored.lease_until, stored.claimed_at) == (None, None, None)
    event = session.scalars(select(CaseEvent).where(CaseEvent.action == "lease_expired")).one()
    assert (event.case_id, event.data) == (c.id, {"assignee_id": me.id})
    # A file waiting for the resident stays with its officer; only the stale lease goes.
    stored = fresh(session, Case, waiting.id)
    assert (stored.assignee_id, stored.lease_until) == (me.id, None)
    # So does one waiting for the leader's approval.
    stored = fresh(session, Case, with_leader.id)
    assert (stored.assignee_id, stored.lease_until) == (me.id, None)
    assert claim_next(session, colleague.id, d.id, now=NOW + timedelta(hours=2)).id == c.id


def test_touching_a_case_extends_its_lease_but_never_shortens_it(session, commune):
    d = department(session, commune)
    me = officer(session, d)
    c = case(session, d)
    session.commit()
    claim_next(session, me.id, d.id, now=NOW, lease_minutes=60)
    assert touch(session, c.id, NOW + timedelta(minutes=50), lease_minutes=60)
    assert expire_leases(session, NOW + timedelta(minutes=100)) == 0
    assert touch(session, c.id, NOW, lease_minutes=5)
    assert fresh(session, Case, c.id).lease_until == NOW + timedelta(minutes=110)
    routed = case(session, d, assignee=me)  # assigned by routing: no lease to extend
    session.commit()
    assert not touch(session, routed.id, NOW)
    assert fresh(session, Case, routed.id).lease_until is None


def test_going_on_leave_hands_claimable_cases_back_and_keeps_waiting_ones(session, commune):
    d = department(session, commune)
    me = officer(session, d)
    mine = [case(session, d, state=s, assignee=me) for s in (2, 4, 5, 6, 9)]
    session.commit()
    seat = session.scalars(select(OfficerMembership)
                           .where(OfficerMembership.user_id == me.id)).one()
    seat.leave_from, seat.leave_until = date(2026, 3, 2), date(2026, 3, 13)
    assert hand_back_on_leave(session, seat.id, NOW) == 2
    session.rollback()
    assignees = {c.state: session.get(Case, c.id).assignee_id for c in mine}
    assert assignees == {2: None, 4: None, 5: me.id, 6: me.id, 9: me.id}
    assert session.get(OfficerMembership, seat.id).leave_until == date(2026, 3, 13)
    events = session.scalars(select(CaseEvent).where(CaseEvent.action == "hand_back")).all()
    assert sorted(e.case_id for e in events) == [mine[0].id, mine[1].id]


def test_only_the_assignee_can_release_a_case_and_only_while_it_is_claimable(session, commune):
    d = department(session, commune)
    me, colleague = officer(session, d), officer(session, d)
    c = case(session, d)
    waiting = case(session, d, state=5, assignee=me)
    session.commit()
    claim_next(session, me.id, d.id, now=NOW)
    with pytest.raises(NotAllowed):
        release(session, c.id, colleague.id, NOW)
    with pytest.raises(IllegalTransition):
        release(session, waiting.id, me.id, NOW)
    release(session, c.id, me.id, NOW + timedelta(minutes=3))
    assert fresh(session, Case, c.id).assignee_id is None
    actions = session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == c.id)
                              .order_by(CaseEvent.id)).all()
    assert actions == ["claim", "release"]
    assert claim_next(session, colleague.id, d.id, now=NOW).id == c.id


# -- concurrency ----------------------------------------------------------------------------------

def _storm(engine, officer_ids, dept_id, pause: float = 0.0):
    """Every officer claims in its own thread and connection until the queue is empty, waiting
    `pause` seconds between claims."""
    claimed: dict[int, list[int]] = {o: [] for o in officer_ids}
    errors: list[BaseException] = []
    start = threading.Barrier(len(officer_ids))

    def work(officer_id):
        with Session(engine) as s:
            try:
                start.wait()
                while (got := claim_next(s, officer_id, dept_id, now=NOW)) is not None:
                    claimed[officer_id].append(got.id)
                    time.sleep(pause)
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                errors.append(error)

    threads = [threading.Thread(target=work, args=(o,)) for o in officer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return claimed


def _check_storm(session, dept_id, claimed, total):
    ids = [i for got in claimed.values() for i in got]
    session.rollback()
    assert len(ids) == len(set(ids)) == total  # nobody got a case twice, nothing was left
    per_case = Counter(e.case_id for e in claim_events(session))
    assert len(per_case) == total and max(per_case.values()) == 1
    owners = dict(session.execute(select(Case.id, Case.assignee_id)
                                  .where(Case.department_id == dept_id)).all())
    for officer_id, got in claimed.items():
        assert all(owners[i] == officer_id for i in got)
    assert sum(1 for c in claimed.values() if c) > 1  # it really was a race


def _storm_setup(session, commune, workers, count):
    d = department(session, commune)
    officers = [officer(session, d, skills=["civil_status"]).id for _ in range(workers)]
    bulk_cases(session, d, count)
    session.commit()
    return d.id, officers


@only_on('postgresql')
def test_eight_officers_claiming_at_once_on_postgresql_never_share_or_lose_a_case(
        database, session, commune):
    dept_id, officers = _storm_setup(session, commune, 8, 2000)
    claimed = _storm(session.get_bind(), officers, dept_id)
    _check_storm(session, dept_id, claimed, 2000)


@only_on('sqlite')
def test_four_officers_claiming_at_once_on_sqlite_never_share_or_lose_a_case(
        database, session, commune):
    dept_id, officers = _storm_setup(session, commune, 4, 300)
    # A person reads the case before pressing "next" again. Without a pause one thread takes
    # everything: SQLite's busy handler sleeps the waiting writers while the one that just
    # committed takes the lock straight back, and the test would not be a race at all.
    claimed = _storm(session.get_bind(), officers, dept_id, pause=0.002)
    _check_storm(session, dept_id, claimed, 300)


@only_on('sqlite')
def test_a_claim_stores_its_times_as_every_other_write_does_on_sqlite(session, commune):
    """SQLite compares times as text: a claim written '10:00:00' beside SQLAlchemy's
    '10:00:00.000000' would sort before a lease ending at the same second."""
    d = department(session, commune)
    me = officer(session, d)
    c = case(session, d)
    session.commit()
    claim_next(session, me.id, d.id, now=NOW, lease_minutes=30)
    claimed_at, lease_until = session.execute(text(
        "SELECT claimed_at, lease_until FROM cases WHERE id = :id"), {"id": c.id}).one()
    at = session.execute(text("SELECT at FROM case_events WHERE case_id = :id "
                              "AND action = 'claim'"), {"id": c.id}).scalar_one()
    assert (claimed_at, lease_until, at) == (
        "2026-03-02 02:00:00.000000", "2026-03-02 02:30:00.000000", "2026-03-02 02:00:00.000000")


# -- the plan -------------------------------------------------------------------------------------

def _fill_for_plan(session, commune):
    """A realistic spread: several departments, most cases finished or assigned."""
    depts = [department(session, commune) for _ in range(4)]
    someone = officer(session, depts[0])
    rows = []
    for i in range(4000):
        d = depts[i % 4]
        state = (4, 9, 10, 10, 9, 2, 5, 10, 1, 10)[i % 10]
        rows.append(dict(code=f"P{i}", case_type="dossier", category="civil_status", title="t",
                         unit_id=commune.id, department_id=d.id, state=state, priority=i % 3,
                         sla_days=5, received_at=NOW - timedelta(hours=i),
                         due_at=NOW + timedelta(hours=(i * 7919) % 500 - 100),
                         assignee_id=someone.id if i % 3 == 0 else None,
                         requires_approval=False, pending_approval=False, sla_band=0,
                         version=1, created_at=NOW, updated_at=NOW))
    session.execute(insert(Case), rows)
    officer(session, depts[1], skills=["civil_status", "land", "petition"])
    session.commit()
    return depts[1]


def _plans(session, d, explain):
    """The plan of the claim for each desk, with and without a narrowing skills list, for an
    officer whose skills match plenty of the queue and for one whose one skill matches none."""
    dialect = session.get_bind().dialect.name
    seat = session.scalar(select(OfficerMembership)
                          .where(OfficerMembership.department_id == d.id))
    for desk, narrowed, skills in (("specialist", False, None), ("specialist", True, None),
                                   ("intake", False, None), ("leader", False, None),
                                   ("specialist", False, ["construction"])):
        seat.desk = desk
        if skills is not None:
            seat.skills = [OfficerSkill(skill=s) for s in skills]
        session.flush()
        params = claim_params(department_id=d.id, officer_id=seat.user_id, now=NOW,
                              skills=["civil_status"] if narrowed else None)
        stmt = claim_candidate(dialect, narrowed=narrowed)
        rows = session.execute(_explained(stmt, explain), params).all()
        yield "\n".join(str(row[-1]) for row in rows)


def _explained(stmt, explain):
    explained = text(f"{explain} {stmt.text}")
    explained._bindparams = dict(stmt._bindparams)
    return explained


@only_on('postgresql')
def test_postgresql_claims_probe_the_claim_index_once_per_skill_without_walking_it(
        database, session, commune):
    d = _fill_for_plan(session, commune)
    session.execute(text("ANALYZE"))
    for plan in _plans(session, d, "EXPLAIN"):
        _check_postgresql_plan(plan)
    session.rollback()


def _check_postgresql_plan(plan):
    assert "Index Scan using ix_cases_claim_queue" in plan, plan
    # Each probe (the unlocked look at every queue's first entries, and the fallback that
    # locks each head) is an equality prefix (department, category, state) then the first
    # entries; the case taken is locked by its primary key.
    lines = plan.splitlines()
    conds = [line for above, line in zip(lines, lines[1:])
             if "ix_cases_claim_queue" in above and "Index Cond:" in line]
    assert len(conds) == 2, plan
    assert any("Index Scan using pk_cases" in above and "(id = " in line
               for above, line in zip(lines, lines[1:])), plan
    for cond in conds:
        assert "department_id =" in cond and "category" in cond and "(state = " in cond, plan
        # The candidate is locked through its primary key, never found by walking a queue
        # (over the entries of cases claimed since the last vacuum) for its id.
        assert "id = " not in cond.replace("department_id = ", ""), plan
    assert "Seq Scan on cases" not in plan and "Bitmap" not in plan, plan
    # The only sorts are of the probes' heads (a handful of rows per probe), never of the
    # queue.
    sorts = [i for i, line in enumerate(lines) if "Sort Key:" in line]
    assert sorts, plan
    for i in sorts:
        assert "due_at" in lines[i], plan
        assert any("CTE Scan on probe" in line for line in lines[i + 1:i + 4]), plan


@only_on('postgresql')
def test_postgresql_keeps_probing_the_claim_index_once_the_claim_is_a_prepared_statement(
        database, session, commune):
    """A claim is prepared once per connection, and after five runs PostgreSQL may plan it
    once for any parameters (a generic plan): that plan must probe the index too."""
    import re
    from app.queue.claims import claim_sql
    d = _fill_for_plan(session, commune)
    session.execute(text("ANALYZE"))
    seat = session.scalar(select(OfficerMembership)
                          .where(OfficerMembership.department_id == d.id))
    order = ["department_id", "officer_id", "today", "now", "lease_until"]
    sql = re.sub(r"(?<![:\w]):(\w+)", lambda m: f"${order.index(m.group(1)) + 1}",
                 claim_sql("postgresql", narrowed=False))
    session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    session.connection().exec_driver_sql(
        f"PREPARE generic_claim (int, int, date, timestamptz, timestamptz) AS {sql}")
    try:
        # Literal values: EXECUTE takes no bound parameters.
        plan = "\n".join(str(row[0]) for row in session.connection().exec_driver_sql(
            f"EXPLAIN EXECUTE generic_claim ({int(d.id)}, {int(seat.user_id)}, "
            f"'{NOW.date().isoformat()}', '{NOW.isoformat()}', '{NOW.isoformat()}')"))
    finally:
        session.connection().exec_driver_sql("DEALLOCATE generic_claim")
    assert "$1" in plan, plan  # it is the generic plan
    _check_postgresql_plan(plan)
    session.rollback()


@only_on('sqlite')
def test_sqlite_claims_probe_the_claim_index_once_per_skill_without_walking_it(
        database, session, commune):
    d = _fill_for_plan(session, commune)
    session.execute(text("ANALYZE"))
    for plan in _plans(session, d, "EXPLAIN QUERY PLAN"):
        assert ("SEARCH cases USING INDEX ix_cases_claim_queue "
                "(department_id=? AND category=? AND state=?)") in plan, plan
        assert "SCAN cases" not in plan, plan
    session.rollback()


@contextmanager
def messages_to_postgresql(engine, tmp_path):
    """The protocol messages the client sends PostgreSQL (libpq's trace) on every connection
    checked out of the pool meanwhile: 'Query' is a simple query (BEGIN, COMMIT), 'Execute' a
    statement, and each 'Sync' or 'Query' waits for the server's answer: one round trip."""
    from psycopg.pq import Trace
    path = tmp_path / f"wire-{next(_n)}.txt"
    sink = path.open("w")
    traced = []

    def trace(dbapi_connection, _record, _proxy):
        dbapi_connection.pgconn.trace(os.dup(sink.fileno()))
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        traced.append(dbapi_connection)

    sent: list[str] = []
    sa_event.listen(engine, "checkout", trace)
    try:
        yield sent
    finally:
        sa_event.remove(engine, "checkout", trace)
        for dbapi_connection in traced:
            dbapi_connection.pgconn.untrace()  # flushes the trace
        sink.close()
        sent.extend(line.split("\t")[2] for line in path.read_text().splitlines()
                    if line.startswith("F\t"))


def round_trips(sent):
    return sent.count("Sync") + sent.count("Query")


@only_on('postgresql')
def test_a_postgresql_claim_is_one_round_trip_that_also_writes_its_event(
        session, commune, tmp_path):
    dept = department(session, commune)
    first, second = case(session, dept), case(session, dept)
    me = officer(session, dept)
    me_id, dept_id, first_id, second_id = me.id, dept.id, first.id, second.id
    session.commit()
    engine = session.get_bind()
    assert claim_next(session, me_id, dept_id, now=NOW).id == first_id  # prepares it
    with messages_to_postgresql(engine, tmp_path) as sent:
        claimed = claim_next(session, me_id, dept_id, now=NOW)
    # One statement, no BEGIN or COMMIT: the claim is its own transaction.
    assert (sent.count("Execute"), "Query" in sent, round_trips(sent)) == (1, False, 1), sent
    assert claimed.id == second_id
    # Finding nothing is one round trip too: the same statement says the officer may claim.
    with messages_to_postgresql(engine, tmp_path) as sent:
        assert claim_next(session, me_id, dept_id, now=NOW) is None
    assert round_trips(sent) == 1, sent
    assert [len(claim_events(session, i)) for i in (first_id, second_id)] == [1, 1]


def test_each_desk_claims_its_own_stage_of_the_queue(session, commune):
    dept = department(session, commune)
    new = case(session, dept, state=1, due_in=timedelta(hours=1))
    received = case(session, dept, state=2, due_in=timedelta(hours=2))
    intake = officer(session, dept, desk="intake")
    specialist = officer(session, dept)
    session.commit()
    # The specialist skips the more urgent new submission: it must be received first.
    assert claim_next(session, specialist.id, dept.id, now=NOW).id == received.id
    assert claim_next(session, intake.id, dept.id, now=NOW).id == new.id
    assert claim_next(session, intake.id, dept.id, now=NOW) is None


@only_on('postgresql')
def test_a_claim_under_way_holds_only_the_case_it_takes(session, commune):
    """A claim locks one row: while one officer's claim is in flight, a colleague's claim takes
    the next most urgent case, not the one behind a head the first claim looked at and left."""
    from app.queue.claims import claim_candidate
    dept = department(session, commune)
    first = officer(session, dept, skills=["civil_status"], desk="leader")
    colleague = officer(session, dept, skills=["civil_status"], desk="leader")
    a1 = case(session, dept, state=1, due_in=timedelta(hours=1))
    b1 = case(session, dept, state=2, due_in=timedelta(hours=2))
    case(session, dept, state=1, due_in=timedelta(hours=3))
    ids = (first.id, colleague.id, dept.id, a1.id, b1.id)
    session.commit()
    first_id, colleague_id, dept_id, a1_id, b1_id = ids
    engine = session.get_bind()
    stmt = claim_candidate("postgresql", narrowed=False)
    with engine.connect() as in_flight:  # the first claim, stopped after it locked its case
        taken = in_flight.execute(stmt, claim_params(department_id=dept_id, officer_id=first_id,
                                                      now=NOW)).scalar_one()
        assert taken == a1_id
        assert claim_next(session, colleague_id, dept_id, now=NOW).id == b1_id
        in_flight.rollback()


@only_on('postgresql')
def test_a_claim_finds_a_free_case_when_more_claims_are_in_flight_than_it_looks_ahead(
        session, commune):
    from contextlib import ExitStack
    from app.queue.claims import CANDIDATES_PER_PROBE, claim_candidate
    dept = department(session, commune)
    officers = [officer(session, dept, skills=["civil_status"])
                for _ in range(CANDIDATES_PER_PROBE + 1)]
    cases = [case(session, dept, due_in=timedelta(hours=i + 1))
             for i in range(CANDIDATES_PER_PROBE + 2)]
    officer_ids, case_ids, dept_id = [o.id for o in officers], [c.id for c in cases], dept.id
    session.commit()
    engine = session.get_bind()
    stmt = claim_candidate("postgresql", narrowed=False)
    with ExitStack() as stack:  # every candidate the next claim would look at is being taken
        for officer_id in officer_ids[:-1]:
            in_flight = stack.enter_context(engine.connect())
            in_flight.execute(stmt, claim_params(department_id=dept_id, officer_id=officer_id,
                                                 now=NOW)).scalar_one()
        got = claim_next(session, officer_ids[-1], dept_id, now=NOW)
        assert got.id == case_ids[CANDIDATES_PER_PROBE]


# -- the session around a claim -------------------------------------------------------------------

def test_a_claim_in_a_session_holding_changes_sees_them_and_commits_them_with_it(
        session, commune):
    dept = department(session, commune)
    me = officer(session, dept, skills=["civil_status"])
    plot = case(session, dept, category="land")
    me_id, dept_id, plot_id = me.id, dept.id, plot.id
    session.commit()
    seat = session.scalars(select(OfficerMembership)
                           .where(OfficerMembership.user_id == me_id)).one()
    seat.skills.append(OfficerSkill(skill="land"))  # not flushed yet
    assert session.new
    assert claim_next(session, me_id, dept_id, now=NOW).id == plot_id
    session.rollback()  # nothing left to roll back: the claim committed the new skill too
    assert sorted(s.skill for s in session.get(OfficerMembership, seat.id).skills) == [
        "civil_status", "land"]
    assert fresh(session, Case, plot_id).assignee_id == me_id
    assert len(claim_events(session, plot_id)) == 1


def test_a_case_the_session_already_holds_shows_the_claim(session, commune):
    dept = department(session, commune)
    me = officer(session, dept)
    c = case(session, dept)
    session.commit()
    own = session()  # the scoped session's current session
    own.expire_on_commit = False  # so only the claim itself can refresh the loaded copy
    try:
        loaded = session.get(Case, c.id)
        assert loaded.assignee_id is None
        got = claim_next(session, me.id, dept.id, now=NOW, lease_minutes=30)
        assert (got.id, got.code, got.state) == (c.id, loaded.code, loaded.state)
        assert (loaded.assignee_id, loaded.lease_until, loaded.version) == (
            me.id, NOW + timedelta(minutes=30), 2)
    finally:
        own.expire_on_commit = True


def test_a_claim_inside_an_open_write_transaction_must_join_it_explicitly(session, commune):
    from app.db import write_transaction
    dept = department(session, commune)
    me = officer(session, dept)
    c = case(session, dept)
    session.commit()
    with pytest.raises(RuntimeError, match="join=True"):
        with write_transaction(session):
            claim_next(session, me.id, dept.id, now=NOW)
    assert fresh(session, Case, c.id).assignee_id is None


def test_a_claim_holds_no_connection_afterwards_whatever_it_finds(session, commune):
    """No connection (so no SQLite lock, no idle PostgreSQL transaction) is kept by a claim,
    including one that ends a read-only transaction the caller had open."""
    dept, other = department(session, commune), department(session, commune)
    me = officer(session, dept)
    case(session, dept)
    session.commit()
    pool = session.get_bind().pool
    session.get(User, me.id)  # a read-only transaction, as loading the current user opens
    assert pool.checkedout() == 1
    assert claim_next(session, me.id, dept.id, now=NOW) is not None
    assert pool.checkedout() == 0
    assert claim_next(session, me.id, dept.id, now=NOW) is None
    assert pool.checkedout() == 0
    with pytest.raises(NotAllowed):
        claim_next(session, me.id, other.id, now=NOW)
    assert pool.checkedout() == 0


def _prepared_on(engine):
    connection = engine.raw_connection()  # pool of one: the connection the claims used
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]
    finally:
        connection.close()


@only_on('postgresql')
def test_a_claim_is_prepared_once_per_connection_unless_preparing_is_switched_off(
        database, session, commune):
    """Behind a transaction-mode pgbouncer psycopg's preparing is switched off
    (prepare_threshold=None): the claim must not prepare a statement there on its own."""
    from sqlalchemy import create_engine
    dept = department(session, commune)
    me = officer(session, dept)
    for _ in range(4):
        case(session, dept)
    me_id, dept_id = me.id, dept.id
    session.commit()
    url = session.get_bind().url
    for connect_args, prepared in (({}, 1), ({"prepare_threshold": None}, 0)):
        engine = create_engine(url, pool_size=1, max_overflow=0, connect_args=connect_args)
        try:
            with Session(engine) as own:
                for _ in range(2):
                    assert claim_next(own, me_id, dept_id, now=NOW) is not None
            assert _prepared_on(engine) == prepared
        finally:
            engine.dispose()
