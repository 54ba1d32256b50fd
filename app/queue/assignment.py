"""A leader handing a case to a named officer of the department (the workbench's "reassign").

Claiming and routing choose an officer by rule; this is the human override, so it checks the
same things a rule would (the officer sits in the department and holds the skill) and records
who moved the case from whom.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db import begin_write
from app.models import Case, OfficerMembership, OfficerSkill, User, utcnow
from app.queue.actions import capacities_of, load_for_update
from app.queue.errors import IllegalTransition, NotAllowed, StaleCase
from app.queue.events import record_event
from app.queue.states import ADMIN, LEADER, OPEN_STATES


def eligible_officers(session: Session, case: Case, today) -> list[OfficerMembership]:
    """Officers of the case's department who hold its category and are available today."""
    memberships = session.scalars(
        select(OfficerMembership)
        .join(OfficerSkill, OfficerSkill.membership_id == OfficerMembership.id)
        .where(OfficerMembership.department_id == case.department_id,
               OfficerSkill.skill == case.category)
        .options(joinedload(OfficerMembership.user))  # the reassign list shows their names
        .order_by(OfficerMembership.id)).all()
    return [m for m in memberships if m.available(today)]


def reassign(session: Session, case_id: int, to_user_id: int, actor: User, *,
             expected_version: int | None = None, note: str | None = None,
             now: datetime | None = None) -> Case:
    now = now or utcnow()
    actor_id = actor.id
    try:
        begin_write(session)
        case = load_for_update(session, case_id)
        if expected_version is not None and case.version != expected_version:
            raise StaleCase("case changed", case_id=case.id, version=case.version)
        actor = session.get(User, actor_id, populate_existing=True)
        if not ({LEADER, ADMIN} & capacities_of(session, case, actor)):
            raise NotAllowed("only the department's leader may reassign")
        if case.state not in OPEN_STATES:
            raise IllegalTransition("a finished case cannot be reassigned", state=case.state,
                                    action="reassign", reason="finished")
        allowed = {m.user_id for m in eligible_officers(session, case, now.date())}
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
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return case
