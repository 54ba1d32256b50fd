"""The one place that writes to the append-only case_events log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Case, CaseEvent, utcnow


def record_event(session: Session, case: Case | int, action: str, *, actor_id: int | None,
                 from_state: int | None = None, to_state: int | None = None,
                 note: str | None = None, data: dict | None = None,
                 at: datetime | None = None) -> CaseEvent:
    """Add an event in the caller's transaction. Events for actions that changed no state
    (claim, transfer, escalation) carry from_state == to_state == the case's state."""
    case_id = case if isinstance(case, int) else case.id
    event = CaseEvent(case_id=case_id, action=action, actor_id=actor_id, from_state=from_state,
                      to_state=to_state, note=note, data=data, at=at or utcnow())
    session.add(event)
    return event
