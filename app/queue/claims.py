"""Claiming work from a department queue, leases, and handing work back. No Flask here.

The claim SQL lives in this module only, next to the comment that ties it to the partial index
`ix_cases_claim_queue` (migrations/versions/0002_case_queue.py, app/models/cases.py). Three
rules keep the index usable, and tests/integration/test_claims.py checks the plan:

* the predicate is written out literally as CLAIMABLE_PREDICATE: SQLite only uses a partial
  index when the query repeats the index's WHERE terms, and not when they are bound parameters;
* the ORDER BY is exactly the index's column order, so the first index entry is the answer and
  there is no sort, however long the queue;
* the skill filter is an extra `category IN (the officer's skills)` test applied to each entry
  while walking the index, never an OR around the predicate. Officers usually hold most of
  their department's categories, so the first few entries match; bench/queue_bench.py also
  measures an officer holding one category of several.

The officer's seat, leave and skills are checked inside the same statement, so the common claim
is one round trip plus its event; only an empty result asks why (NotAllowed or nothing left).

Every public function here that changes the queue owns its transaction: it opens a write
transaction (BEGIN IMMEDIATE on SQLite), writes one event per case it changes and commits.
Writes that carry no event are the lease bookkeeping only (touch, clearing a lapsed lease on a
case that waits for the resident).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from sqlalchemy import Date, Integer, String, bindparam, select, text
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from app.db import begin_write, is_sqlite
from app.models import Case, OfficerMembership, OfficerSkill, User
from app.models.base import UTCDateTime
from app.models.cases import CLAIMABLE_PREDICATE, CLAIMABLE_STATES
from app.queue.calendar import LOCAL_TZ
from app.queue.errors import IllegalTransition, NotAllowed, StaleCase
from app.queue.events import record_event
from app.queue.actions import load_for_update
from app.queue.states import CaseNotFound

__all__ = ["CLAIM_ORDER", "claim_next", "release", "expire_leases", "hand_back_on_leave",
           "touch", "claim_candidate_sql", "claim_candidate", "claim_params"]

# Must match the key order of ix_cases_claim_queue. due_at ascending already puts overdue cases
# first, so "overdue, then earliest due" needs no CASE expression that the index could not serve.
CLAIM_ORDER = "due_at, priority DESC, received_at, id"
DEFAULT_LEASE_MINUTES = 120
BATCH_SIZE = 500

# The officer's skills in the department, as long as they hold a seat there, are not on leave
# today and their account is open. Folded into the claim so that a claim is one statement;
# only when it finds nothing do we ask why (_seat_skills).
_OFFICER_SKILLS = (
    "SELECT s.skill FROM officer_skills s "
    "JOIN officer_memberships m ON m.id = s.membership_id "
    "JOIN users u ON u.id = m.user_id "
    "WHERE m.user_id = :officer_id AND m.department_id = :department_id AND u.active "
    "AND NOT (m.leave_from IS NOT NULL AND m.leave_from <= :today "
    "AND COALESCE(m.leave_until, m.leave_from) >= :today)"
)


# Which stage of the queue each desk works: the one-stop desk takes new submissions (state 1)
# to receive or refuse them; specialists take received and in-progress cases (2, 4); a
# leader's seat may take either. Written into the SQL as literals (one statement per desk), so
# the planner estimates them from its statistics and keeps walking the claim index. Within the
# index's predicate (state IN (1, 2, 4)) "state <> 1" means 2 or 4; written as IN (2, 4)
# PostgreSQL underestimates the rows and swaps the ordered index walk for a bitmap scan and a
# sort, whose cost grows with the queue (measured: claim p95 2.8 ms against 1.8 ms at 100k).
STAGE_BY_DESK = {"intake": " AND state = 1", "specialist": " AND state <> 1", "leader": ""}
# Plain SQL: this lookup sits on the claim's hot path, where the ORM's overhead shows.
_DESK_OF = text("SELECT desk FROM officer_memberships "
                "WHERE user_id = :officer_id AND department_id = :department_id")


def claim_candidate_sql(*, narrowed: bool, lock: bool, desk: str = "specialist") -> str:
    """The SELECT that finds the head of one department's queue that this officer may take
    (also EXPLAINed by the tests). `narrowed` adds the caller's own skills list."""
    narrow = " AND category IN :skills" if narrowed else ""
    locking = " FOR UPDATE OF cases SKIP LOCKED" if lock else ""
    return (f"SELECT id FROM cases WHERE department_id = :department_id AND "
            f"{CLAIMABLE_PREDICATE} AND category IN ({_OFFICER_SKILLS}) "
            f"{STAGE_BY_DESK[desk]}{narrow} "
            f"ORDER BY {CLAIM_ORDER} LIMIT 1{locking}")


def claim_params(*, department_id: int, officer_id: int, now: datetime,
                 lease_minutes: int = DEFAULT_LEASE_MINUTES,
                 skills: Iterable[str] | None = None) -> dict:
    params = {"department_id": department_id, "officer_id": officer_id, "now": now,
              "lease_until": now + timedelta(minutes=lease_minutes), "today": _local_day(now)}
    if skills is not None:
        params["skills"] = sorted(set(skills))
    return params


def _bind(sql: str, narrowed: bool):
    params = [bindparam("department_id", type_=Integer()),
              bindparam("officer_id", type_=Integer()),
              bindparam("today", type_=Date())]
    if ":now" in sql:
        params += [bindparam("now", type_=UTCDateTime()),
                   bindparam("lease_until", type_=UTCDateTime())]
    if narrowed:
        params.append(bindparam("skills", type_=String(), expanding=True))
    return text(sql).bindparams(*params)


def claim_candidate(dialect: str, *, narrowed: bool, desk: str = "specialist"):
    """claim_candidate_sql as a bound statement, for EXPLAIN."""
    return _bind(claim_candidate_sql(narrowed=narrowed, lock=dialect == "postgresql", desk=desk),
                 narrowed)


def _claim_statement(dialect: str, narrowed: bool, desk: str):
    if dialect == "postgresql":
        # MATERIALIZED fences the candidate: it is computed (and its row locked) exactly once,
        # and SKIP LOCKED makes a second claimer move on to the next case instead of queueing
        # behind the first. The assignee test on the UPDATE is a second fence, free of charge.
        sql = (f"WITH c AS MATERIALIZED ({claim_candidate_sql(narrowed=narrowed, lock=True, desk=desk)}) "
               "UPDATE cases SET assignee_id = :officer_id, claimed_at = :now, "
               "lease_until = :lease_until, version = cases.version + 1, updated_at = :now "
               "FROM c WHERE cases.id = c.id AND cases.assignee_id IS NULL "
               "RETURNING cases.id, cases.state")
    else:
        # Runs inside BEGIN IMMEDIATE, so nobody else writes between finding the case and taking
        # it; the uncorrelated scalar subquery runs once.
        sql = ("UPDATE cases SET assignee_id = :officer_id, claimed_at = :now, "
               "lease_until = :lease_until, version = version + 1, updated_at = :now "
               f"WHERE id = ({claim_candidate_sql(narrowed=narrowed, lock=False, desk=desk)}) "
               "AND assignee_id IS NULL RETURNING id, state")
    return _bind(sql, narrowed)


_STATEMENTS: dict[tuple[str, bool], object] = {}


def _claim_stmt(session: Session, narrowed: bool, desk: str):
    dialect = session.get_bind().dialect.name
    key = (dialect, narrowed, desk)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = _claim_statement(dialect, narrowed, desk)
    return _STATEMENTS[key]


def _local_day(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def _seat_skills(session: Session, officer_id: int, department_id: int,
                 now: datetime) -> frozenset[str]:
    """The officer's skills in this department, or NotAllowed when they have no seat there
    (or are on leave, or their account is closed)."""
    rows = session.execute(
        select(OfficerMembership.id, OfficerMembership.leave_from,
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
    if not first.active:
        raise NotAllowed("account is closed", officer_id=officer_id, reason="inactive")
    if first.leave_from is not None:
        today = _local_day(now)
        if first.leave_from <= today <= (first.leave_until or first.leave_from):
            raise NotAllowed("officer is on leave", officer_id=officer_id, reason="on_leave")
    return frozenset(row.skill for row in rows if row.skill is not None)


def _forget(session: Session, case_ids: Iterable[int]) -> None:
    """Expire loaded copies of cases changed behind the ORM's back by a bulk UPDATE."""
    for case_id in case_ids:
        obj = session.identity_map.get(identity_key(Case, case_id))
        if obj is not None:
            session.expire(obj)


def _case_proxy(session: Session, case_id: int) -> Case:
    """The claimed case as an ORM object, loaded on first attribute access.

    After the commit every loaded object is expired anyway (expire_on_commit), so loading all
    columns inside the claim would only be thrown away; this keeps the claim to the SQL it
    needs, and the caller that reads the case pays one SELECT, as it would have.
    """
    existing = session.identity_map.get(identity_key(Case, case_id))
    if existing is not None:
        session.expire(existing)
        return existing
    case = Case(id=case_id)
    make_transient_to_detached(case)
    session.add(case)
    return case


def claim_next(session: Session, officer_id: int, department_id: int, *, now: datetime,
               lease_minutes: int = DEFAULT_LEASE_MINUTES,
               skills: Iterable[str] | None = None) -> Case | None:
    """Take the most urgent unassigned case of the department that the officer may handle.

    Skills: the officer's own skills in the department; `skills` can only narrow them (a "next
    birth registration" button), never widen. Returns None when nothing is left to claim.
    Raises NotAllowed when the officer has no seat in the department or is on leave.
    """
    try:
        begin_write(session)
        params = claim_params(department_id=department_id, officer_id=officer_id, now=now,
                              lease_minutes=lease_minutes, skills=skills)
        desk = session.execute(_DESK_OF, {"officer_id": officer_id,
                                          "department_id": department_id}).scalar()
        row = None
        if desk is not None and (skills is None or params["skills"]):
            row = session.execute(_claim_stmt(session, narrowed=skills is not None, desk=desk),
                                  params).first()
        if row is None:
            _seat_skills(session, officer_id, department_id, now)  # NotAllowed, or truly empty
            session.commit()
            return None
        _forget(session, [row.id])
        record_event(session, row.id, "claim", actor_id=officer_id, from_state=row.state,
                     to_state=row.state, at=now)
        session.commit()
        return _case_proxy(session, row.id)
    except BaseException:
        session.rollback()
        raise


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


def release(session: Session, case_id: int, officer_id: int, now: datetime, *,
            expected_version: int | None = None) -> None:
    """The officer puts a claimed case back in the queue (unassigned, first in line again if it
    is the most urgent). Only its assignee may, and only while the case is claimable; a form
    loaded before someone else's change (expected_version) is refused with StaleCase."""
    try:
        begin_write(session)
        case = _lock_case(session, case_id)
        if case is not None and expected_version is not None and case.version != expected_version:
            raise StaleCase("case changed", case_id=case.id, version=case.version)
        if case is None or case.assignee_id != officer_id:
            raise NotAllowed("only the case's assignee can release it", case_id=case_id,
                             officer_id=officer_id, reason="not_assignee")
        if case.state not in CLAIMABLE_STATES:
            # Waiting on the resident (or finished): nobody could claim it, so releasing it
            # would orphan it.
            raise IllegalTransition(f"cannot release a case in state {case.state}",
                                    case_id=case_id, state=case.state, reason="not_claimable")
        _unassign(case, now)
        record_event(session, case, "release", actor_id=officer_id, from_state=case.state,
                     to_state=case.state, at=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise


_cases = Case.__table__


def _bulk_unassign(session: Session, rows, now: datetime, action: str,
                   actor_id: int | None = None) -> int:
    """Return the given (id, state, assignee_id) cases to the queue, one event each."""
    if not rows:
        return 0
    ids = [row.id for row in rows]
    session.execute(
        _cases.update().where(_cases.c.id.in_(ids))
        .values(assignee_id=None, claimed_at=None, lease_until=None,
                version=_cases.c.version + 1, updated_at=now))
    _forget(session, ids)
    for row in rows:
        record_event(session, row.id, action, actor_id=actor_id, from_state=row.state,
                     to_state=row.state, data={"assignee_id": row.assignee_id}, at=now)
    return len(rows)


def expire_leases(session: Session, now: datetime, *, batch: int = BATCH_SIZE) -> int:
    """Claimed cases nobody touched within the lease go back to the queue; returns how many.

    A lapsed lease on a case waiting for the resident (5, 6), for a leader's approval, or
    finished is simply cleared: the officer still owns that file.
    """
    total = 0
    while True:
        try:
            begin_write(session)
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
            back = [r for r in rows if r.state in CLAIMABLE_STATES and r.assignee_id is not None
                    and not r.pending_approval]
            returned = {r.id for r in back}
            keep = [r.id for r in rows if r.id not in returned]
            total += _bulk_unassign(session, back, now, "lease_expired")
            if keep:
                session.execute(_cases.update().where(_cases.c.id.in_(keep))
                                .values(lease_until=None))
                _forget(session, keep)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        if len(rows) < batch:
            return total


def hand_back_on_leave(session: Session, membership_id: int, now: datetime) -> int:
    """An officer going on leave hands their claimable cases in that department back to the
    queue (one event each); returns how many. Cases waiting on the resident stay with them.

    Commits, together with whatever the caller already changed (e.g. the leave dates).
    """
    try:
        begin_write(session)
        membership = session.get(OfficerMembership, membership_id)
        if membership is None:
            raise NotAllowed("no such officer seat", membership_id=membership_id,
                             reason="no_seat")
        session.flush()
        stmt = (select(_cases.c.id, _cases.c.state, _cases.c.assignee_id)
                .where(_cases.c.assignee_id == membership.user_id,
                       _cases.c.department_id == membership.department_id,
                       _cases.c.state.in_(CLAIMABLE_STATES))
                .order_by(_cases.c.id))
        if not is_sqlite(session):
            stmt = stmt.with_for_update()
        rows = session.execute(stmt).all()
        count = _bulk_unassign(session, rows, now, "hand_back", actor_id=membership.user_id)
        session.commit()
        return count
    except BaseException:
        session.rollback()
        raise


def touch(session: Session, case_id: int, now: datetime,
          lease_minutes: int = DEFAULT_LEASE_MINUTES) -> bool:
    """Extend the lease of a claimed case because someone is working it; never shortens it.

    Returns False when the case has no lease (a routed assignment, or already back in the
    queue). Not a versioned change: extending a lease must not make an officer's open form
    stale. Commits (with whatever the caller has pending), like the rest of this module.
    """
    until = now + timedelta(minutes=lease_minutes)
    try:
        begin_write(session)
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
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return leased is not None
