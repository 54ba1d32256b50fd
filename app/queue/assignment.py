"""A leader handing a case to a named officer of the department (the workbench's "reassign").

Claiming and routing choose an officer by rule; this is the human override, so it checks the
same rule routing does (app/queue/eligibility.py: a seat in the department, an active account,
on duty, not on leave on the local date, holding the case's category) and records who moved
the case from whom.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Date, Integer, String, bindparam, select, text
from sqlalchemy.orm import Session, joinedload

from app.db import write_transaction
from app.models import Case, OfficerMembership, User, utcnow
from app.queue.actions import capacities_of, load_for_update
from app.queue.calendar import local_day
from app.queue.eligibility import seat_sql
from app.queue.errors import IllegalTransition, NotAllowed, StaleCase
from app.queue.events import record_event
from app.queue.states import ADMIN, LEADER, OPEN_STATES

__all__ = ["eligible_officers", "reassign"]

_ELIGIBLE_SQL = text(
    "SELECT m.id FROM officer_memberships m JOIN users u ON u.id = m.user_id "
    "JOIN officer_skills s ON s.membership_id = m.id "
    f"WHERE m.department_id = :department_id AND {seat_sql(duty=True, skill=True)}"
).bindparams(bindparam("department_id", type_=Integer()), bindparam("skill", type_=String()),
             bindparam("today", type_=Date()))


def eligible_officers(session: Session, case: Case, now: datetime) -> list[OfficerMembership]:
    """Officers a leader may hand this case to at `now` (judged on the local date)."""
    ids = select(OfficerMembership.id).from_statement(_ELIGIBLE_SQL)
    return list(session.scalars(
        select(OfficerMembership)
        .where(OfficerMembership.id.in_(
            session.scalars(ids, {"department_id": case.department_id, "skill": case.category,
                                  "today": local_day(now)}).all()))
        .options(joinedload(OfficerMembership.user))  # the reassign list shows their names
        .order_by(OfficerMembership.id)).all())


def reassign(session: Session, case_id: int, to_user_id: int, actor: User, *,
             expected_version: int | None = None, note: str | None = None,
             now: datetime | None = None) -> Case:
    now = now or utcnow()
    actor_id = actor.id
    with write_transaction(session):
        case = load_for_update(session, case_id)
        if expected_version is not None and case.version != expected_version:
            raise StaleCase("case changed", case_id=case.id, version=case.version)
        actor = session.get(User, actor_id, populate_existing=True)
        if not ({LEADER, ADMIN} & capacities_of(session, case, actor)):
            raise NotAllowed("only the department's leader may reassign")
        if case.state not in OPEN_STATES:
            raise IllegalTransition("a finished case cannot be reassigned", state=case.state,
                                    action="reassign", reason="finished")
        allowed = {m.user_id for m in eligible_officers(session, case, now)}
        if to_user_id not in allowed:
            raise NotAllowed("that officer cannot take this case", reason="not_eligible")
        previous = case.assignee_id
        case.assignee_id = to_user_id
        case.claimed_at = now
        case.lease_until = None  # a leader's assignment is deliberate, not a lease to expire
        case.version += 1
        case.updated_at = now
        record_event(session, case, "reassign", actor_id=actor_id, from_state=case.state,
                     to_state=case.state, note=(note or "").strip() or None,
                     data={"from_assignee_id": previous, "to_assignee_id": to_user_id}, at=now)
    return case
