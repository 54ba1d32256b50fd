"""The one place that writes to the append-only case_events log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, utcnow
from app.queue import tally

_EVENTS = CaseEvent.__table__


def record_event(session: Session, case: Case | int, action: str, *, actor_id: int | None,
                 from_state: int | None = None, to_state: int | None = None,
                 note: str | None = None, data: dict | None = None,
                 at: datetime | None = None) -> None:
    """Add an event in the caller's transaction. Events for actions that changed no state
    (claim, transfer, escalation) carry from_state == to_state == the case's state."""
    if not isinstance(case, int) and case.id is None:
        session.flush()  # a case created in this transaction gets its id
    case_id = case if isinstance(case, int) else case.id
    # A Core INSERT, not an ORM object: events are never read back in the transaction that
    # writes them, and skipping the unit of work is a large share of a claim's cost.
    at = at or utcnow()
    session.execute(_EVENTS.insert(), {
        "case_id": case_id, "action": action, "actor_id": actor_id, "from_state": from_state,
        "to_state": to_state, "note": note, "data": data, "at": at})
    if from_state is None and not isinstance(case, int):
        # A case entering the queue (app/queue/routing.create_case): counted as received.
        tally.case_created(session, case, at)


def record_events(session: Session, events: list[dict]) -> None:
    """Many events in one executemany (lease expiry, hand-back): each dict has case_id,
    action, actor_id, from_state, to_state, data and at; note is optional."""
    if events:
        session.execute(_EVENTS.insert(), [{"note": None, **e} for e in events])
