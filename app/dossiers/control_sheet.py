"""The control sheet (Mẫu 05, Circular 01/2018/TT-VPCP, "Phiếu kiểm soát quá trình giải quyết
hồ sơ"), read from the case's append-only event log: every hand-over of the file, from whom to
whom, when, and whether it happened before, on or after the appointment date in force at that
moment.

`hand_overs` is pure (a case and its events in, rows out) so the rules can be tested without a
database; `control_sheet` loads what it needs and the names the rows point at. No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, Department, Dossier, User
# The verdicts and the reading of past appointments are shared with the statistics' recount.
from app.queue.history import (EARLY, LATE, ON_TIME, as_int as _int, event_data as _data,  # noqa: F401
                               first_department, first_due, moment as _moment, timing_of)

# Who holds the file on either side of a hand-over. `ref` is a user id for "user" and a
# department id for "queue" (the department's unclaimed queue), "desk" (its one-stop desk) and
# "leader" (its leader); the applicant needs none.
USER, APPLICANT, QUEUE, DESK, LEADER = "user", "applicant", "queue", "desk", "leader"

# Moments the applicant sets the pace of (bringing papers, paying, withdrawing, coming to
# collect the result): judging the office against the appointment date there would blame it
# for the resident's timing, so those rows carry no verdict.
APPLICANT_PACED = frozenset({"supplement_provided", "fees_paid", "withdraw", "return_result"})


@dataclass(frozen=True)
class Party:
    kind: str
    ref: int | None = None


@dataclass(frozen=True)
class HandOver:
    number: int
    action: str
    at: datetime
    giver: Party
    taker: Party
    department_id: int            # the department holding the case when it happened
    due_at: datetime | None       # the appointment in force at that moment
    timing: str | None            # EARLY, ON_TIME, LATE, or None (see APPLICANT_PACED)
    note: str | None


def _sides(event, department: int, assignee: int | None,
           applicant: int | None) -> tuple[Party, Party] | None:
    """(giver, taker) of one event, or None when the event hands nothing over."""
    action, actor, data = event.action, event.actor_id, _data(event)
    acting = Party(USER, actor) if actor is not None else Party(QUEUE, department)
    holder = Party(USER, assignee) if assignee is not None else Party(QUEUE, department)
    if action == "receive":
        return Party(APPLICANT), acting
    if action in ("claim", "start"):
        # Claiming takes the file from the queue; starting takes it from the desk that received
        # it (the desk officer may start it too, then giver and taker are the same desk's).
        return (Party(QUEUE, department) if action == "claim" else Party(DESK, department),
                acting)
    if action in ("assign", "routing_warning"):
        target = _int(data.get("assignee_id"))
        if target is None:
            return None
        return Party(QUEUE, department), Party(USER, target)
    if action == "reassign":
        before, after = _int(data.get("from_assignee_id")), _int(data.get("to_assignee_id"))
        return (Party(USER, before) if before is not None else Party(QUEUE, department),
                Party(USER, after) if after is not None else Party(QUEUE, department))
    if action in ("release", "lease_expired", "hand_back"):
        before = _int(data.get("assignee_id")) or actor or assignee
        return (Party(USER, before) if before is not None else Party(QUEUE, department),
                Party(QUEUE, department))
    if action == "transfer":
        target = _int(data.get("to_department_id"))
        return Party(QUEUE, department), Party(QUEUE, target if target is not None else department)
    if action == "submit_for_approval":
        return acting, Party(LEADER, department)
    if action == "reject_approval":
        return acting, holder
    if action in ("approve", "complete"):
        # The result goes back to the one-stop desk, which hands it to the applicant.
        return acting, Party(DESK, department)
    if action in ("return_result", "refuse", "request_supplement", "request_fees", "stop"):
        return acting, Party(APPLICANT)
    if action in ("supplement_provided", "fees_paid"):
        # Answered online by the resident: the file goes to whoever holds the case.
        taker = acting if actor is not None and actor != applicant else holder
        return Party(APPLICANT), taker
    if action == "withdraw":
        return holder, Party(APPLICANT)
    return None  # submitted, escalated, apology steps: nothing changes hands


def hand_overs(case, events: Iterable) -> list[HandOver]:
    """The rows of the control sheet, oldest first.

    `case` needs due_at, department_id and applicant_id; each event action, at, actor_id,
    data and note (CaseEvent rows, or anything shaped like them). The appointment in force is
    rebuilt from the events that moved it (receive, a supplement's return, an approved
    apology): each carries old_due_at/new_due_at. An event's own change counts as part of its
    moment: the receive is judged against the appointment it sets, a supplement's return
    against the date extended by the days the clock stood still.
    """
    ordered = sorted(events, key=lambda e: (e.at, getattr(e, "id", 0) or 0))
    due = first_due(case.due_at, ordered)
    department = first_department(case.department_id, ordered)
    assignee: int | None = None
    applicant = getattr(case, "applicant_id", None)
    rows: list[HandOver] = []
    for event in ordered:
        data = _data(event)
        if "new_due_at" in data:
            due = _moment(data.get("new_due_at")) or due
        sides = _sides(event, department, assignee, applicant)
        if sides is not None:
            rows.append(HandOver(
                number=len(rows) + 1, action=event.action, at=event.at, giver=sides[0],
                taker=sides[1], department_id=department, due_at=due,
                timing=None if event.action in APPLICANT_PACED else timing_of(event.at, due),
                note=event.note))
        # What the event leaves behind for the next one.
        if event.action == "transfer":
            department = _int(data.get("to_department_id")) or department
            assignee = None
        elif event.action == "claim":
            assignee = event.actor_id
        elif event.action in ("assign", "routing_warning"):
            assignee = _int(data.get("assignee_id"))
        elif event.action == "reassign":
            assignee = _int(data.get("to_assignee_id"))
        elif event.action in ("release", "lease_expired", "hand_back"):
            assignee = None
    return rows


@dataclass
class ControlSheet:
    case: Case
    dossier: Dossier
    rows: list[HandOver]
    users: dict[int, User]
    departments: dict[int, Department]

    @property
    def coordinating(self) -> list[Department]:
        """Departments other than the current one that held the case (the circular's "cơ quan
        phối hợp")."""
        seen = {r.department_id for r in self.rows} | {
            r.taker.ref for r in self.rows if r.taker.kind == QUEUE and r.taker.ref is not None}
        seen.discard(self.case.department_id)
        return [self.departments[d] for d in sorted(seen) if d in self.departments]


def control_sheet(session: Session, case: Case, dossier: Dossier) -> ControlSheet:
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                             .order_by(CaseEvent.at, CaseEvent.id)).all()
    rows = hand_overs(case, events)
    user_ids = {p.ref for r in rows for p in (r.giver, r.taker) if p.kind == USER and p.ref}
    department_ids = ({p.ref for r in rows for p in (r.giver, r.taker)
                       if p.kind in (QUEUE, DESK, LEADER) and p.ref}
                      | {r.department_id for r in rows} | {case.department_id})
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    departments = {d.id: d for d in session.scalars(
        select(Department).where(Department.id.in_(department_ids)))}
    return ControlSheet(case, dossier, rows, users, departments)
