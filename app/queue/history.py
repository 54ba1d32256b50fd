"""Reading a case's past from its append-only event log: the appointment and the department
before anything moved them, and the circular's verdict on a moment against an appointment.

Pure (no session, no Flask): the control sheet (Mẫu 05, app/dossiers/control_sheet.py) and the
statistics' recount (app/stats/rebuild.py) read events with the same rules, so a late dossier
is late on both. Events are CaseEvent rows or anything with action, at, data.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from app.queue.calendar import local_day

__all__ = ["EARLY", "ON_TIME", "LATE", "timing_of", "moment", "event_data", "as_int",
           "first_due", "first_department"]

EARLY, ON_TIME, LATE = "early", "on_time", "late"


def timing_of(at: datetime, due_at: datetime | None) -> str | None:
    """Circular 01/2018's three verdicts: before the appointment day, on it (by the appointed
    hour), or after the appointed moment."""
    if due_at is None:
        return None
    if at > due_at:
        return LATE
    return ON_TIME if local_day(at) == local_day(due_at) else EARLY


def moment(value: Any) -> datetime | None:
    """A moment kept in event data (an ISO string), or None when absent or unreadable."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def event_data(event) -> dict:
    return event.data if isinstance(event.data, dict) else {}


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def first_due(due_now: datetime | None, events: Iterable) -> datetime | None:
    """The appointment before any event changed it: the "old" side of the first change, or,
    when nothing ever changed it, the case's own (`due_now`). Events oldest first."""
    for event in events:
        data = event_data(event)
        if "new_due_at" in data:
            return moment(data.get("old_due_at")) or due_now
    return due_now


def first_department(department_now: int, events: Iterable) -> int:
    """The department a case was routed to before any transfer moved it."""
    for event in events:
        if event.action == "transfer":
            moved_from = as_int(event_data(event).get("from_department_id"))
            if moved_from is not None:
                return moved_from
    return department_now
