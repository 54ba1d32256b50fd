"""Claiming work from a department queue, leases, and handing work back. No Flask here.

A claim is one statement plus its commit. The statement finds the officer's seat (desk, skills,
and the eligibility rule of app/queue/eligibility.py), probes the claim index once per
(skill, stage) the officer may take, keeps the most urgent head, assigns it with a lease and,
on PostgreSQL, writes the "claim" event in a data-modifying CTE (on SQLite, in-process, the
event is the next statement of the same BEGIN IMMEDIATE transaction).

Why probes: the partial index `ix_cases_claim_queue` (migrations 0005, app/models/cases.py) is
led by (department_id, category, state) and then sorted in claim order, so each probe is an
equality prefix plus "first entry": one index descent, whatever the length of the queue. The
claim costs (skills x stages) descents, bounded by what the officer holds, and a claim that
finds nothing costs the same: it never walks past cases it may not take. tests/integration/
test_claims.py checks the plan on both engines. Three rules keep the index usable:

* the index's predicate is written out literally (CLAIMABLE_PREDICATE): SQLite only uses a
  partial index when the query repeats the index's WHERE terms, and not as bound parameters;
* each probe's ORDER BY is exactly the index's order after the equality columns (CLAIM_ORDER);
* no OR around the predicate.

The claim goes to the database driver (psycopg, sqlite3) itself, on a pooled connection of its
own, with the SQL text above and parameters converted by the same SQLAlchemy types that bind
them elsewhere (_DriverClaim): SQLAlchemy's statement execution and the session's transaction
bookkeeping cost several times the database's own work on this hot path. On PostgreSQL the
statement is prepared once per connection and, after five runs, PostgreSQL keeps a generic
plan: a test EXPLAINs that plan too. The ORM still sees the claim: the session's read-only
transaction is ended first, a session holding changes has them flushed and committed with the
claim (which then joins its transaction), and a copy of the case the session had loaded is
expired. What comes back is a `Claim` (id, state, code, as the statement returned them), not
an ORM row: building one cost more than the database's work, as a job queue's fetch returns
the job's columns, not an object graph.

Every public function here that changes the queue commits (claim_next as its own transaction,
or in `write_transaction`) and writes one event per case it changes. Writes that carry no event
are the lease bookkeeping only (touch, clearing a lapsed lease on a case that waits for the
resident).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from sqlalchemy import Date, Integer, String, bindparam, select, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.util import identity_key

from app.db import has_pending_work, in_write_transaction, is_sqlite, write_transaction
from app.models import Case, OfficerMembership, OfficerSkill, User
from app.models.base import UTCDateTime
from app.models.cases import CLAIMABLE_PREDICATE, CLAIMABLE_STATES
from app.queue.calendar import local_day
from app.queue.eligibility import SeatFacts, refusal, seat_sql
from app.queue.errors import IllegalTransition, NotAllowed, StaleCase
from app.queue.events import record_event, record_events
from app.queue.actions import load_for_update
from app.queue.states import CaseNotFound

__all__ = ["Claim", "CLAIM_ORDER", "STAGES_BY_DESK", "claim_next", "release", "can_release",
           "expire_leases", "hand_back_on_leave", "touch", "claim_candidate_sql",
           "claim_candidate", "claim_params", "claim_sql"]

# Must match the key order of ix_cases_claim_queue after its (department_id, category, state)
# prefix. due_at ascending already puts overdue cases first, so "overdue, then earliest due"
# needs no CASE expression that the index could not serve.
CLAIM_ORDER = "due_at, priority DESC, received_at, id"
DEFAULT_LEASE_MINUTES = 120
BATCH_SIZE = 500

# Which stage of the queue each desk works: the one-stop desk takes new submissions (state 1)
# to receive or refuse them; specialists take received and in-progress cases (2, 4); a
# leader's seat may take either. One probe per (skill, state).
STAGES_BY_DESK: dict[str, tuple[int, ...]] = {
    "intake": (1,), "specialist": (2, 4), "leader": CLAIMABLE_STATES}
_STAGE_VALUES = ", ".join(f"('{desk}', {state})" for desk, states in STAGES_BY_DESK.items()
                          for state in states)


def _probe_cte(narrowed: bool) -> str:
    """(skill, state) pairs this officer may take now in this department; empty when the
    officer has no seat there, is on leave (local date) or their account is closed."""
    narrow = " AND s.skill IN :skills" if narrowed else ""
    return (f"stage(desk, state) AS (VALUES {_STAGE_VALUES}), "
            "probe AS (SELECT s.skill AS skill, stage.state AS state "
            "FROM officer_memberships m JOIN users u ON u.id = m.user_id "
            "JOIN officer_skills s ON s.membership_id = m.id "
            "JOIN stage ON stage.desk = m.desk "
            "WHERE m.user_id = :officer_id AND m.department_id = :department_id "
            f"AND {seat_sql(duty=False, skill=False)}{narrow})")


# One ordered probe: the head of the queue for one category in one state.
_PROBE = ("SELECT {cols} FROM cases WHERE department_id = :department_id "
          "AND category = probe.skill AND state = probe.state AND "
          f"{CLAIMABLE_PREDICATE} ORDER BY {CLAIM_ORDER} LIMIT 1")


# How many of each probe's first entries are candidates: a claim locks the first of them, in
# claim order, that no concurrent claim holds. More claims in flight on one queue than this
# only send a claim to the fallback below.
CANDIDATES_PER_PROBE = 4


def _pg_candidate(narrowed: bool) -> tuple[str, str]:
    """PostgreSQL's candidate as (WITH list, SELECT returning the case id).

    The first CANDIDATES_PER_PROBE entries of every probe are read without a lock and merged in
    claim order; walking that list, the claim locks the first case no concurrent claim holds
    (FOR UPDATE SKIP LOCKED, re-testing that it is still waiting in that stage), and stops: a
    claim locks one row, the one it takes, as a job queue's fetch does. Only when every
    candidate is held (more claims in flight than candidates) does the second branch run: it
    locks each probe's first free row and keeps the most urgent. The Append stops at the first
    row the LIMIT needs, so the fallback costs nothing otherwise."""
    head = _PROBE.format(cols="id, category, state, due_at, priority, received_at").replace(
        "LIMIT 1", f"LIMIT {CANDIDATES_PER_PROBE}")
    candidates = (f"candidate AS (SELECT h.* FROM probe CROSS JOIN LATERAL ({head}) h "
                  f"ORDER BY h.{CLAIM_ORDER.replace(', ', ', h.')})")
    # The candidate is fetched by its primary key and rechecked on the row locked (its latest
    # version). Its department and category are masked from the planner (`+ 0`, `|| ''`): as
    # index conditions they made PostgreSQL walk ix_cases_claim_queue from the queue's start,
    # over every entry of a case claimed since the last vacuum, to find this one id
    # (bench/queue_bench.py, a storm of 24,000 claims at 100,000 cases: 2,186 -> 4,062/s).
    take = ("SELECT id FROM cases WHERE id = candidate.id "
            "AND department_id + 0 = :department_id AND category || '' = candidate.category "
            f"AND state = candidate.state AND {CLAIMABLE_PREDICATE} "
            "FOR UPDATE OF cases SKIP LOCKED")
    fallback = (_PROBE.format(cols="id, due_at, priority, received_at")
                + " FOR UPDATE OF cases SKIP LOCKED")
    select = (f"SELECT pick.id FROM ((SELECT t.id FROM candidate CROSS JOIN LATERAL ({take}) t) "
              f"UNION ALL (SELECT h.id FROM probe CROSS JOIN LATERAL ({fallback}) h "
              "ORDER BY h.due_at, h.priority DESC, h.received_at, h.id LIMIT 1)) pick LIMIT 1")
    return f"{_probe_cte(narrowed)}, {candidates}", select


def claim_candidate_sql(*, narrowed: bool, lock: bool) -> str:
    """The query that finds the case this officer would claim (also EXPLAINed by the tests):
    every probe's head, the most urgent first."""
    if lock:  # PostgreSQL: LATERAL probes, one row locked (see _pg_candidate)
        ctes, select = _pg_candidate(narrowed)
        return f"WITH {ctes} {select}"
    # SQLite has no LATERAL: a correlated scalar subquery per probe, then the heads' order.
    return (f"WITH {_probe_cte(narrowed)} "
            "SELECT c.id FROM (SELECT (" + _PROBE.format(cols="id") + ") AS head FROM probe) h "
            "JOIN cases c ON c.id = h.head "
            "ORDER BY c.due_at, c.priority DESC, c.received_at, c.id LIMIT 1")


def claim_params(*, department_id: int, officer_id: int, now: datetime,
                 lease_minutes: int = DEFAULT_LEASE_MINUTES,
                 skills: Iterable[str] | None = None) -> dict:
    params = {"department_id": department_id, "officer_id": officer_id, "now": now,
              "lease_until": now + timedelta(minutes=lease_minutes), "today": local_day(now)}
    if skills is not None:
        params["skills"] = sorted(set(skills))
    return params


# The claim's parameters and their types: bound by SQLAlchemy for EXPLAIN (claim_candidate),
# converted by the same types' processors for the claim itself (_DriverClaim).
_PARAM_TYPES = {"department_id": Integer(), "officer_id": Integer(), "today": Date(),
                "now": UTCDateTime(), "lease_until": UTCDateTime(), "skills": String()}


def _bind(sql: str):
    return text(sql).bindparams(*(
        bindparam(name, type_=type_, expanding=name == "skills")
        for name, type_ in _PARAM_TYPES.items() if f":{name}" in sql))


def claim_candidate(dialect: str, *, narrowed: bool):
    """claim_candidate_sql as a bound statement, for EXPLAIN."""
    return _bind(claim_candidate_sql(narrowed=narrowed, lock=dialect == "postgresql"))


_SET = ("assignee_id = :officer_id, claimed_at = :now, lease_until = :lease_until, "
        "version = cases.version + 1, updated_at = :now")
# The claim event, written by the PostgreSQL statement itself and by SQLite's second statement.
_EVENT_INTO = "INSERT INTO case_events (case_id, at, actor_id, action, from_state, to_state)"


def claim_sql(dialect: str, *, narrowed: bool) -> str:
    """The claim statement (placeholders :name, as in claim_candidate_sql).

    PostgreSQL: one statement that claims and logs, and always returns one row (id, state,
    code, probes). SQLite: an UPDATE returning (id, state, code), or no row."""
    if dialect == "postgresql":
        # MATERIALIZED fences the candidate: computed (and its row locked) exactly once, and
        # SKIP LOCKED makes a second claimer move on to the next case instead of queueing
        # behind the first. The assignee test on the UPDATE is a second fence, free of charge.
        # The event is written by the same statement, so a claim is one round trip.
        ctes, select = _pg_candidate(narrowed)
        return (f"WITH {ctes}, "
                f"c AS MATERIALIZED ({select}), "
                f"claimed AS (UPDATE cases SET {_SET} FROM c "
                "WHERE cases.id = c.id AND cases.assignee_id IS NULL "
                "RETURNING cases.id, cases.state, cases.code), "
                f"logged AS ({_EVENT_INTO} "
                "SELECT id, :now, :officer_id, 'claim', state, state FROM claimed) "
                # Always one row: the claimed case, or NULLs and how many probes the officer
                # had, so a claim that finds nothing needs no second round trip to tell
                # "nothing left" (probes > 0) from "may not claim here" (none).
                "SELECT claimed.id, claimed.state, claimed.code, "
                "(SELECT count(*) FROM probe) AS probes "
                "FROM (SELECT 1) AS one LEFT JOIN claimed ON true")
    # Runs inside BEGIN IMMEDIATE, so nobody else writes between finding the case and taking
    # it; the uncorrelated scalar subquery runs once.
    return (f"UPDATE cases SET {_SET} "
            f"WHERE id = ({claim_candidate_sql(narrowed=narrowed, lock=False)}) "
            "AND assignee_id IS NULL RETURNING id, state, code")


_PLACEHOLDER = re.compile(r"(?<![:\w]):(\w+)")


@dataclass(frozen=True)
class _DriverClaim:
    """The claim as the database driver takes it (see the module docstring for why): the SQL
    in the driver's parameter style, and the conversions SQLAlchemy's types would apply, so
    the values stored are the ones any other query would store."""

    claim: str
    event: str | None      # SQLite: the claim event is a second statement
    probes: str | None     # SQLite: how many probes the officer had, when nothing was claimed
    convert: tuple[tuple[str, Callable], ...]
    skill_convert: Callable | None
    execute_options: dict

    def values(self, params: dict) -> dict:
        values = dict(params)
        for name, convert in self.convert:
            if name in values:
                values[name] = convert(values[name])
        skills = values.pop("skills", None)
        if skills is not None:
            convert = self.skill_convert or (lambda skill: skill)
            values.update((f"skills_{i}", convert(skill)) for i, skill in enumerate(skills))
        return values


_DRIVER_CLAIMS: dict[tuple, _DriverClaim] = {}


def _processor(type_, dialect: Dialect):
    # The dialect's own implementation of the type, as SQLAlchemy binds it: the generic
    # DateTime's processor would hand SQLite a datetime for sqlite3's default adapter, which
    # writes '... 10:00:00' where every other query writes '... 10:00:00.000000', and text
    # comparison of the two disagrees at the second.
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _driver_claim(dialect: Dialect, narrowed: bool, skill_count: int) -> _DriverClaim:
    key = (dialect.name, dialect.driver, narrowed, skill_count)
    found = _DRIVER_CLAIMS.get(key)
    if found is not None:
        return found
    # psycopg or sqlite3: app/db.configure_engine refuses any other driver at start-up.
    style = r"%(\1)s" if dialect.driver == "psycopg" else r":\1"

    def render(sql: str) -> str:
        if narrowed:  # an expanding IN, rendered for this many skills
            sql = sql.replace(" IN :skills", " IN (" + ", ".join(
                f":skills_{i}" for i in range(skill_count)) + ")")
        return _PLACEHOLDER.sub(style, sql)

    sqlite = dialect.name == "sqlite"
    convert = tuple((name, processor) for name, type_ in _PARAM_TYPES.items()
                    if name != "skills" and (processor := _processor(type_, dialect)))
    found = _DRIVER_CLAIMS[key] = _DriverClaim(
        claim=render(claim_sql(dialect.name, narrowed=narrowed)),
        event=render(f"{_EVENT_INTO} VALUES (:id, :now, :officer_id, 'claim', :state, :state)")
        if sqlite else None,
        probes=render(f"WITH {_probe_cte(narrowed)} SELECT count(*) FROM probe")
        if sqlite else None,
        convert=convert, skill_convert=_processor(_PARAM_TYPES["skills"], dialect),
        # psycopg: a server-side prepared statement from the first claim on a connection
        # (unless the connection has preparing off, prepare_threshold=None, as behind a
        # transaction-mode pgbouncer); after five runs PostgreSQL keeps one generic plan
        # (tests/integration/test_claims.py checks that plan still probes the claim index).
        execute_options={"prepare": True} if dialect.driver == "psycopg" else {})
    return found


def _fetch_one(dbapi_connection, drv: _DriverClaim, values: dict) -> tuple:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(drv.claim, values, **drv.execute_options)
        return cursor.fetchone()
    finally:
        cursor.close()


_NOTHING = (None, None, None)


def _run_claim(dbapi_connection, drv: _DriverClaim, values: dict, *,
               own_transaction: bool) -> tuple[tuple | None, int]:
    """((case id, state, code) of the claim, probes) on a DBAPI connection; (None, probes)
    when nothing was claimed. With own_transaction the claim is its own transaction
    (PostgreSQL: one autocommitted statement; SQLite: BEGIN IMMEDIATE ... COMMIT); without, it
    runs in the transaction already open on the connection, which its owner commits."""
    if drv.event is None:  # PostgreSQL: one statement does everything
        if own_transaction:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            try:
                row = _fetch_one(dbapi_connection, drv, values)
            finally:
                dbapi_connection.autocommit = autocommit
        else:
            row = _fetch_one(dbapi_connection, drv, values)
        return (row[:3] if row[0] is not None else None), row[3]
    cursor = dbapi_connection.cursor()
    if own_transaction:
        cursor.execute("BEGIN IMMEDIATE")
    try:
        row = cursor.execute(drv.claim, values).fetchone()
        if row is not None:
            values.update(id=row[0], state=row[1])
            cursor.execute(drv.event, values)
            result = (row, 1)
        else:
            result = (None, cursor.execute(drv.probes, values).fetchone()[0])
        if own_transaction:
            cursor.execute("COMMIT")
    except BaseException:
        if own_transaction and dbapi_connection.in_transaction:
            dbapi_connection.rollback()
        raise
    finally:
        cursor.close()
    return result


def _claim_on(fairy, dialect: Dialect, drv: _DriverClaim, values: dict, *,
              own_transaction: bool) -> tuple[tuple | None, int]:
    """_run_claim on a pooled connection, with a driver error raised as SQLAlchemy's (as
    every other query raises it) and a connection found broken dropped from the pool."""
    dbapi = dialect.loaded_dbapi
    try:
        return _run_claim(fairy.driver_connection, drv, values,
                          own_transaction=own_transaction)
    except dbapi.Error as error:
        broken = dialect.is_disconnect(error, fairy.dbapi_connection, None)
        if broken:
            fairy.invalidate(error)
        raise DBAPIError.instance(drv.claim, values, error, dbapi.Error,
                                  connection_invalidated=broken, dialect=dialect) from error


def _seat_skills(session: Session, officer_id: int, department_id: int,
                 now: datetime) -> frozenset[str]:
    """The officer's skills in this department, or NotAllowed when they have no seat there
    (or are on leave, or their account is closed): the same rule as the claim's SQL."""
    rows = session.execute(
        select(OfficerMembership.id, OfficerMembership.on_duty, OfficerMembership.leave_from,
               OfficerMembership.leave_until, User.active, OfficerSkill.skill)
        .join(User, User.id == OfficerMembership.user_id)
        .outerjoin(OfficerSkill, OfficerSkill.membership_id == OfficerMembership.id)
        .where(OfficerMembership.user_id == officer_id,
               OfficerMembership.department_id == department_id)
    ).all()
    if not rows:
        raise NotAllowed("not an officer of this department", officer_id=officer_id,
                         department_id=department_id, reason="no_seat")
    first = rows[0]
    skills = frozenset(row.skill for row in rows if row.skill is not None)
    reason = refusal(SeatFacts(active=first.active, on_duty=first.on_duty,
                               leave_from=first.leave_from, leave_until=first.leave_until,
                               skills=skills), local_day(now), duty=False)
    if reason is not None:
        raise NotAllowed(f"officer may not claim: {reason}", officer_id=officer_id,
                         reason=reason)
    return skills


def _forget(session: Session, case_ids: Iterable[int]) -> None:
    """Expire loaded copies of cases changed behind the ORM's back by a bulk UPDATE."""
    if not session.identity_map:
        return
    for case_id in case_ids:
        obj = session.identity_map.get(identity_key(Case, case_id))
        if obj is not None:
            session.expire(obj)


@dataclass(frozen=True)
class Claim:
    """What a claim took: the case's id, its code and its state, as the claim statement
    returned them. Not the ORM row: a claim is a queue's hot path, and building (then, at the
    next commit, expiring) an ORM object cost more than the database's own work; a caller
    that needs the whole case loads it (`session.get(Case, claim.id)`)."""

    id: int
    state: int
    code: str


def _may_claim_alone(session: Session, bind) -> bool:
    """Whether the claim can be its own transaction, on a pooled connection of its own: the
    session holds no changes (a read-only transaction it has open, e.g. from loading the
    current user, is ended first, as begin_write does) and no write_transaction is open on
    it. Otherwise the claim joins the session's transaction, which is committed after it."""
    if not isinstance(bind, Engine) or in_write_transaction(session):
        return False
    if has_pending_work(session):
        return False
    if session.in_transaction():
        session.commit()
    return True


def claim_next(session: Session, officer_id: int, department_id: int, *, now: datetime,
               lease_minutes: int = DEFAULT_LEASE_MINUTES,
               skills: Iterable[str] | None = None) -> Claim | None:
    """Take the most urgent unassigned case of the department that the officer may handle.

    Skills: the officer's own skills in the department; `skills` can only narrow them (a "next
    birth registration" button), never widen. Returns the Claim, or None when nothing is left
    to claim. Raises NotAllowed when the officer has no seat in the department, is on leave or
    closed. A copy of the case the session already holds is expired, so it shows the claim.

    The claim commits: on its own it is a transaction of its own (PostgreSQL: one statement,
    one round trip, as a job queue's fetch; SQLite: BEGIN IMMEDIATE, the claim, its event,
    COMMIT); in a session holding changes it joins them and commits them together.
    """
    params = claim_params(department_id=department_id, officer_id=officer_id, now=now,
                          lease_minutes=lease_minutes, skills=skills)
    if isinstance(session, scoped_session):
        session = session()  # Flask-SQLAlchemy's proxy lacks in_transaction()
    narrowed = skills is not None
    may_find = not narrowed or bool(params["skills"])
    bind = session.get_bind(Case)
    dialect = bind.dialect
    claim = _driver_claim(dialect, narrowed, len(params.get("skills", ())))
    values = claim.values(params)
    row, probes = None, 0
    if _may_claim_alone(session, bind):
        if may_find:
            connection = bind.raw_connection()
            try:
                row, probes = _claim_on(connection, dialect, claim, values,
                                        own_transaction=True)
            finally:
                connection.close()
        if row is None and not probes:
            try:
                _seat_skills(session, officer_id, department_id, now)  # NotAllowed, or empty
            finally:
                session.rollback()  # it only read: the session is left as the claim left it
    else:
        with write_transaction(session):
            session.flush()  # the caller's changes first, as a query would autoflush them
            if may_find:
                row, probes = _claim_on(session.connection().connection, dialect, claim,
                                        values, own_transaction=False)
            if row is None and not probes:
                _seat_skills(session, officer_id, department_id, now)
    if row is None:
        return None
    _forget(session, (row[0],))
    return Claim(id=row[0], state=row[1], code=row[2])


def _lock_case(session: Session, case_id: int) -> Case | None:
    try:
        return load_for_update(session, case_id)
    except CaseNotFound:
        return None


def _unassign(case: Case, now: datetime) -> None:
    case.assignee_id = None
    case.claimed_at = None
    case.lease_until = None
    case.version += 1
    case.updated_at = now


def can_release(case: Case, officer_id: int) -> bool:
    """Whether `release` would succeed: the officer holds the case and it is claimable (a case
    waiting for the resident, 5 or 6, cannot go back to a queue nobody could claim it from)."""
    return case.assignee_id == officer_id and case.state in CLAIMABLE_STATES


def release(session: Session, case_id: int, officer_id: int, now: datetime, *,
            expected_version: int | None = None) -> None:
    """The officer puts a claimed case back in the queue (unassigned, first in line again if it
    is the most urgent). Only its assignee may, and only while the case is claimable; a form
    loaded before someone else's change (expected_version) is refused with StaleCase."""
    with write_transaction(session):
        case = _lock_case(session, case_id)
        if case is not None and expected_version is not None and case.version != expected_version:
            raise StaleCase("case changed", case_id=case.id, version=case.version)
        if case is None or case.assignee_id != officer_id:
            raise NotAllowed("only the case's assignee can release it", case_id=case_id,
                             officer_id=officer_id, reason="not_assignee")
        if not can_release(case, officer_id):
            raise IllegalTransition(f"cannot release a case in state {case.state}",
                                    case_id=case_id, state=case.state, reason="not_claimable")
        _unassign(case, now)
        record_event(session, case, "release", actor_id=officer_id, from_state=case.state,
                     to_state=case.state, at=now)


_cases = Case.__table__


def _log_unassigned(session: Session, rows, assignees: dict[int, int | None], now: datetime,
                    action: str, actor_id: int | None = None) -> int:
    """One event per case that a guarded UPDATE actually returned to the queue."""
    if rows:
        _forget(session, [row.id for row in rows])
        record_events(session, [
            {"case_id": row.id, "action": action, "actor_id": actor_id, "from_state": row.state,
             "to_state": row.state, "data": {"assignee_id": assignees.get(row.id)}, "at": now}
            for row in sorted(rows, key=lambda r: r.id)])
    return len(rows)


def _unassign_where(*conditions, now: datetime):
    """Unassign the cases matching `conditions`, returning (id, state) of each one changed.

    The conditions are re-tested by the UPDATE itself, so two workers (or a worker and an
    officer) racing for the same case change it once and log it once.
    """
    return (_cases.update().where(*conditions)
            .values(assignee_id=None, claimed_at=None, lease_until=None,
                    version=_cases.c.version + 1, updated_at=now)
            .returning(_cases.c.id, _cases.c.state))


def expire_leases(session: Session, now: datetime, *, batch: int = BATCH_SIZE) -> int:
    """Claimed cases nobody touched within the lease go back to the queue; returns how many.

    A lapsed lease on a case waiting for the resident (5, 6), for a leader's approval, or
    finished is simply cleared: the officer still owns that file. Safe with several workers at
    once: each UPDATE re-tests the lapsed lease, so a case comes back (and is logged) once.
    """
    total = 0
    while True:
        with write_transaction(session):
            stmt = (select(_cases.c.id, _cases.c.state, _cases.c.assignee_id,
                           _cases.c.pending_approval)
                    .where(_cases.c.lease_until < now)
                    .order_by(_cases.c.lease_until).limit(batch))
            if not is_sqlite(session):
                # A case being claimed or worked right now is left for the next pass.
                stmt = stmt.with_for_update(skip_locked=True)
            rows = session.execute(stmt).all()
            # A case submitted for approval waits on the leader, not on its officer: it stays
            # theirs, so the leader's answer comes back to whoever prepared it.
            back = {r.id: r.assignee_id for r in rows if r.state in CLAIMABLE_STATES
                    and r.assignee_id is not None and not r.pending_approval}
            keep = [r.id for r in rows if r.id not in back]
            if back:
                returned = session.execute(_unassign_where(
                    _cases.c.id.in_(list(back)), _cases.c.lease_until < now,
                    _cases.c.assignee_id.is_not(None), now=now)).all()
                total += _log_unassigned(session, returned, back, now, "lease_expired")
            if keep:
                session.execute(_cases.update()
                                .where(_cases.c.id.in_(keep), _cases.c.lease_until < now)
                                .values(lease_until=None))
                _forget(session, keep)
        if len(rows) < batch:
            return total


def hand_back_on_leave(session: Session, membership_id: int, now: datetime) -> int:
    """An officer going on leave hands their claimable cases in that department back to the
    queue (one event each); returns how many. Cases waiting on the resident stay with them.

    Joins the caller's write_transaction when there is one (the admin's leave change commits
    the dates and the handed-back cases together); alone, it commits its own.
    """
    with write_transaction(session, join=True):
        membership = session.get(OfficerMembership, membership_id)
        if membership is None:
            raise NotAllowed("no such officer seat", membership_id=membership_id,
                             reason="no_seat")
        session.flush()  # the caller's pending leave dates go first, in this transaction
        rows = session.execute(_unassign_where(
            _cases.c.assignee_id == membership.user_id,
            _cases.c.department_id == membership.department_id,
            _cases.c.state.in_(CLAIMABLE_STATES), now=now)).all()
        return _log_unassigned(session, rows, {r.id: membership.user_id for r in rows}, now,
                               "hand_back", actor_id=membership.user_id)


def touch(session: Session, case_id: int, now: datetime,
          lease_minutes: int = DEFAULT_LEASE_MINUTES) -> bool:
    """Extend the lease of a claimed case because someone is working it; never shortens it.

    Returns False when the case has no lease (a routed assignment, or already back in the
    queue). Not a versioned change: extending a lease must not make an officer's open form
    stale.
    """
    until = now + timedelta(minutes=lease_minutes)
    with write_transaction(session):
        leased = session.execute(
            select(_cases.c.lease_until).where(_cases.c.id == case_id,
                                               _cases.c.assignee_id.is_not(None),
                                               _cases.c.lease_until.is_not(None))
        ).scalar_one_or_none()
        if leased is not None and leased < until:
            # The guard on the old value keeps a concurrent longer extension from being undone.
            session.execute(_cases.update()
                            .where(_cases.c.id == case_id, _cases.c.lease_until < until)
                            .values(lease_until=until))
            _forget(session, [case_id])
    return leased is not None
