"""Applying actions to cases: the one function (`perform`) through which a case ever changes.

The rules live in app/queue/states.py (pure); this module supplies what they need from the
database (who the actor is to this case, the calendar) and writes the outcome: the case row and
exactly one append-only event, in one transaction. Any error rolls everything back, so a refused
action leaves neither a half-changed case nor an event behind. No Flask here: the workbench, the
API, the worker and the tests all call the same code.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import is_sqlite, write_transaction
from app.models import Case, Department, OfficerMembership, User, utcnow
from app.queue.calendar import OutOfCalendar, WorkCalendar
from app.queue.calendar_db import calendar_from_db
from app.queue.errors import StaleCase, WrongDepartment
from app.queue import kinds, tally
from app.queue.events import record_event
from app.queue.states import (
    ADMIN, APOLOGY_MAX_WORKING_DAYS, APPLICANT, FINISHED, INTAKE, LEADER, OFFICER, Action,
    ApologyDateTooEarly, ApologyDateTooLate, CaseNotFound, CaseView, InvalidInput, State, as_action, allowed_actions, check, is_overdue, require_note,
)

__all__ = ["capacities_of", "view_of", "available_actions", "perform", "load_for_update",
           "calendar_from_db", "apology_window"]


def capacities_of(session: Session, case: Case, actor: User | None) -> frozenset[str]:
    """What `actor` is to this case (see the role constants in states.py)."""
    if actor is None or not actor.active:
        return frozenset()
    capacities: set[str] = set()
    if case.applicant_id is not None and case.applicant_id == actor.id:
        capacities.add(APPLICANT)
    # A desk seat or an assignment left behind on an account that is no longer staff (a
    # demoted or retired officer) must not keep its powers.
    if not actor.is_staff:
        return frozenset(capacities)
    if actor.is_admin:
        capacities.add(ADMIN)
    if case.assignee_id is not None and case.assignee_id == actor.id:
        capacities.add(OFFICER)
    desks = set(session.scalars(select(OfficerMembership.desk).where(
        OfficerMembership.user_id == actor.id,
        OfficerMembership.department_id == case.department_id)))
    leader_id = session.scalar(select(Department.leader_id)
                               .where(Department.id == case.department_id))
    if leader_id == actor.id or "leader" in desks:
        capacities.add(LEADER)
    if "intake" in desks:
        capacities.add(INTAKE)
    return frozenset(capacities)


def view_of(case: Case, now: datetime) -> CaseView:
    return CaseView(
        state=case.state,
        requires_approval=case.requires_approval,
        pending_approval=case.pending_approval,
        overdue=is_overdue(case.state, case.due_at, now, case.paused_at),
        apology_requested=case.apology_due_at is not None and case.apology_approved_at is None,
        apology_used=case.apology_approved_at is not None,
        kind_actions=kinds.actions_for(case.case_type),
    )


def available_actions(session: Session, case: Case, actor: User | None,
                      now: datetime | None = None) -> list[Action]:
    """What the workbench may offer this actor on this case now (no lock, no write)."""
    now = _aware(now or utcnow(), "now")
    return allowed_actions(view_of(case, now), capacities_of(session, case, actor))


def perform(session: Session, case_id: int, action: Action | str, actor: User, *,
            expected_version: int | None = None, note: str | None = None,
            to_department_id: int | None = None, new_due_at: datetime | None = None,
            apology_max_days: int = APOLOGY_MAX_WORKING_DAYS,
            now: datetime | None = None) -> Case:
    """Apply `action` by `actor` to the case, commit, and return the case. Inside a caller's
    write_transaction it takes part in that one instead, so a kind can write its own rows (a
    fee, an attachment) and the state change together, or neither.

    Raises (after rolling back, so nothing changed and no event was written):
    CaseNotFound, StaleCase (expected_version is not the case's version any more), NotAllowed,
    IllegalTransition, NoteRequired / InvalidInput (missing or bad input), WrongDepartment.
    """
    actor_id = actor.id  # before the write transaction, which may end the one that loaded it
    now = _aware(now or utcnow(), "now")
    act = as_action(action)
    with write_transaction(session, join=True):
        case = load_for_update(session, case_id)
        if expected_version is not None and case.version != expected_version:
            raise StaleCase(f"case {case.code} changed (version {case.version}, "
                            f"form had {expected_version})", case_id=case.id,
                            version=case.version, expected=expected_version)
        # Re-read in this transaction: role, active flag and desks must be current, not
        # whatever the caller loaded at the start of the request.
        actor = session.get(User, actor_id, populate_existing=True)
        capacities = capacities_of(session, case, actor)
        target = check(view_of(case, now), act, capacities)
        clean_note = require_note(act, capacities, note)

        from_state = case.state
        due_before = case.due_at
        before = tally.standing_of(case)
        change = _Change(session, case, capacities, now, to_department_id, new_due_at,
                         apology_max_days)
        data = _APPLY[act](change)
        data.update(_clock(session, case, from_state, target, now))
        if case.due_at != due_before:
            # A new appointment date starts the escalations afresh (see app/queue/sla.py).
            case.sla_band = 0
        case.state = target
        case.version += 1
        case.updated_at = now
        record_event(session, case, act.value, actor_id=actor_id, from_state=from_state,
                     to_state=target, note=clean_note, data=data or None, at=now)
        # The statistics this change moves, in the same transaction (app/queue/tally.py).
        tally.record_change(session, before, case, from_state=from_state, to_state=target,
                            at=now, calendar=lambda: change.calendar)
        # The messages this change owes ride the same transaction (see app/queue/kinds.py).
        kinds.notify(session, kinds.Transition(case=case, action=act.value,
                                               from_state=from_state, to_state=target,
                                               actor_id=actor_id, note=clean_note, at=now))
    return case


# -- loading -------------------------------------------------------------------------------

def load_for_update(session: Session, case_id: int) -> Case:
    """The case as stored now, locked for this transaction; CaseNotFound if there is none."""
    # populate_existing: the caller's copy may predate the lock; decide on what is stored now.
    stmt = select(Case).where(Case.id == case_id).execution_options(populate_existing=True)
    if not is_sqlite(session):
        # SQLite already holds the database write lock (BEGIN IMMEDIATE); PostgreSQL needs the
        # row lock so two officers acting at once are serialised and the version check holds.
        stmt = stmt.with_for_update()
    case = session.scalars(stmt).one_or_none()
    if case is None:
        raise CaseNotFound(f"no case {case_id}", case_id=case_id)
    return case


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime", field=name)
    return value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- what each action does beyond the state change ---------------------------------------------

class _Change:
    """The inputs of one action, so every handler has the same signature."""

    def __init__(self, session, case, capacities, now, to_department_id, new_due_at,
                 apology_max_days=APOLOGY_MAX_WORKING_DAYS):
        self.session = session
        self.apology_max_days = apology_max_days
        self.case = case
        self.capacities = capacities
        self.now = now
        self.to_department_id = to_department_id
        self.new_due_at = new_due_at
        self._calendar: WorkCalendar | None = None

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = calendar_from_db(self.session)
        return self._calendar


def _receive(c: _Change) -> dict:
    # The appointment date on the receipt: counted from when the resident submitted (online
    # submission time is the legal receipt time), not from when intake got round to it.
    case = c.case
    old = case.due_at
    case.due_at = c.calendar.add_working_days(case.received_at, case.sla_days)
    return {"old_due_at": _iso(old), "new_due_at": _iso(case.due_at), "sla_days": case.sla_days}


def _submit_for_approval(c: _Change) -> dict:
    c.case.pending_approval = True
    return {}


def _settle_approval(c: _Change) -> dict:
    c.case.pending_approval = False
    return {}


def _complete(c: _Change) -> dict:
    # From "fees requested" completion also records the payment, which has no event of its own.
    return {"fees_paid": True} if c.case.state == State.FEES_REQUESTED else {}


def _withdraw(c: _Change) -> dict:
    c.case.pending_approval = False
    return {} if APPLICANT in c.capacities else {"on_behalf_of_applicant": True}


def _transfer(c: _Change) -> dict:
    case = c.case
    if not c.to_department_id:  # a form's empty choice arrives as 0
        raise InvalidInput("transfer needs a target department", field="to_department_id")
    target = c.session.get(Department, c.to_department_id)
    if target is None or not target.active or not target.accepts(case.case_type):
        raise WrongDepartment(f"department {c.to_department_id} does not take "
                              f"{case.case_type} cases", department_id=c.to_department_id,
                              case_type=case.case_type)
    if target.id == case.department_id:
        raise WrongDepartment("the case is already in that department",
                              department_id=target.id, case_type=case.case_type)
    data = {"from_department_id": case.department_id, "to_department_id": target.id,
            "previous_assignee_id": case.assignee_id}
    # Unassigned and unleased, so the new department's queue can claim it at once.
    case.department_id = target.id
    case.assignee_id = None
    case.claimed_at = None
    case.lease_until = None
    return data


def _request_apology(c: _Change) -> dict:
    new_due = c.new_due_at
    if new_due is None:
        raise InvalidInput("an apology needs a new appointment date", field="new_due_at")
    _aware(new_due, "new_due_at")
    if new_due <= c.now:
        raise InvalidInput("the new appointment date must be in the future", field="new_due_at")
    earliest, latest = apology_window(c.case.due_at or c.now, c.calendar, c.apology_max_days)
    if new_due <= earliest:
        raise ApologyDateTooEarly("the new date must be after the current appointment",
                                  field="new_due_at", current=earliest)
    if new_due > latest:
        raise ApologyDateTooLate("the new date is too far away", field="new_due_at",
                                 latest=latest, days=c.apology_max_days)
    c.case.apology_due_at = new_due
    return {"due_at": _iso(c.case.due_at), "apology_due_at": _iso(new_due)}


def apology_window(current_due: datetime, calendar: WorkCalendar,
                   max_days: int) -> tuple[datetime, datetime]:
    """(after, latest): a new appointment must fall after `after` (the current one) and no
    later than `latest`, office close `max_days` working days after it."""
    try:
        return current_due, calendar.add_working_days(current_due, max_days)
    except OutOfCalendar:
        return current_due, current_due  # nothing later can be counted: no new date fits


def _approve_apology(c: _Change) -> dict:
    case = c.case
    old = case.due_at
    case.due_at = case.apology_due_at
    case.apology_approved_at = c.now
    return {"old_due_at": _iso(old), "new_due_at": _iso(case.due_at)}


def _reject_apology(c: _Change) -> dict:
    # Cleared, so the officer may propose a better date; only an approved apology is final.
    data = {"apology_due_at": _iso(c.case.apology_due_at)}
    c.case.apology_due_at = None
    return data


def _nothing(c: _Change) -> dict:
    return {}


_APPLY = {action: _nothing for action in Action}
_APPLY.update({
    Action.RECEIVE: _receive,
    Action.SUBMIT_FOR_APPROVAL: _submit_for_approval,
    Action.APPROVE: _settle_approval,
    Action.REJECT_APPROVAL: _settle_approval,
    Action.COMPLETE: _complete,
    Action.WITHDRAW: _withdraw,
    Action.TRANSFER: _transfer,
    Action.REQUEST_APOLOGY: _request_apology,
    Action.APPROVE_APOLOGY: _approve_apology,
    Action.REJECT_APOLOGY: _reject_apology,
})


def _clock(session: Session, case: Case, from_state: int, target: int, now: datetime) -> dict:
    """Deadline and finish bookkeeping that follows from the states alone, whatever the action."""
    data: dict = {}
    if from_state == State.SUPPLEMENT_REQUESTED and target != from_state:
        # The days spent waiting for the resident do not count against the office. Applied on
        # withdrawal as well, so a case withdrawn while waiting is not reported as late.
        if case.paused_at is not None:
            calendar = calendar_from_db(session)
            old = case.due_at
            case.due_at = calendar.extend_for_pause(old, case.paused_at, now)
            data.update(paused_at=_iso(case.paused_at),
                        paused_working_days=calendar.working_days_between(case.paused_at, now),
                        old_due_at=_iso(old), new_due_at=_iso(case.due_at))
        case.paused_at = None
    if target == State.SUPPLEMENT_REQUESTED and from_state != target:
        case.paused_at = now
    # "Returned" keeps the finish time of "done": the office finished when the result was ready.
    if target in FINISHED and target != State.RETURNED and from_state != target:
        case.finished_at = now
    if target in FINISHED:
        case.lease_until = None
    return data
