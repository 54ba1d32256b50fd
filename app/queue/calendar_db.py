"""The working-day calendar as the administrator has adjusted it (the calendar_days table).

Kept apart from app/queue/calendar.py so that module stays free of SQLAlchemy.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CalendarDay
from app.queue.calendar import WorkCalendar


def calendar_from_db(session: Session) -> WorkCalendar:
    """Public holidays plus the days off and make-up days entered in the admin screens.

    Read in the caller's transaction, so a deadline is computed with the same calendar the
    rest of the change sees. The table holds a handful of rows per year; no cache to go stale.
    """
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        extra_holidays=[day for day, kind in rows if kind == "holiday"],
        makeup_days=[day for day, kind in rows if kind == "makeup"],
    )
