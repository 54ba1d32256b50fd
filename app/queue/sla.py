"""The SLA sweep: warn the department leader about cases that are almost due, then overdue.

No Flask here; `flask worker` (app/queue_cli.py) runs it every minute or so. Overdue stays
derived (due_at against now); `sla_band` only records which escalation was already sent, so
each band is escalated exactly once however often the sweep runs or however many workers run
it: the UPDATE that raises the band is guarded by the old band, and only the rows it actually
changed get an event and a notification.

Two workers at once: on PostgreSQL each batch's candidates are locked with SKIP LOCKED, so a
second worker takes other cases; on SQLite BEGIN IMMEDIATE runs the batches one after the other.
tests/integration/test_workers.py runs two sweeps together on both engines.

The digest's words come from the caller (`compose`, app/queue_cli.py's compose_digest), which
has the translated catalogues; this package stays free of Flask.

Candidates come from the partial index `ix_cases_sla_watch` (open, clock running, not yet
escalated to the last band), which stays small whatever the size of the table: a case leaves
it once it is overdue-escalated or finished.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db import begin_write, is_sqlite
from app.models import Case, Department, User
# Written out literally in the query so SQLite can match it to the partial index's WHERE.
from app.models.cases import SLA_WATCH_PREDICATE
from app.notifications.outbox import queue_for_user
from app.queue.calendar import LOCAL_TZ, WorkCalendar
from app.queue.claims import _forget, expire_leases
from app.queue.states import CLOCK_RUNNING_STATES  # re-exported: the one definition
from app.queue.events import record_event

__all__ = ["SweepReport", "sweep", "warning_threshold", "Digest", "DigestLine", "ComposeDigest",
           "SLA_WATCH_PREDICATE", "CLOCK_RUNNING_STATES", "ALMOST_DUE", "OVERDUE"]

ALMOST_DUE = 1
OVERDUE = 2
BATCH_SIZE = 500
DIGEST_LINES = 20

_cases = Case.__table__


@dataclass
class SweepReport:
    leases_expired: int = 0
    almost_due: int = 0
    overdue: int = 0
    notifications: int = 0

    def summary(self) -> str:
        return (f"leases_expired={self.leases_expired} almost_due={self.almost_due} "
                f"overdue={self.overdue} notifications={self.notifications}")


def warning_threshold(now: datetime, warning_days: int, calendar: WorkCalendar) -> datetime:
    """Office close on the `warning_days`-th working day after today (today, when it is a
    working day, counts as day 0). A case due by then is almost due."""
    if warning_days < 0:
        raise ValueError("warning_days must be >= 0")
    day: date = now.astimezone(LOCAL_TZ).date()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    for _ in range(warning_days):
        day = calendar.next_working_day(day)
    return datetime.combine(day, calendar.office_close, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


@dataclass(frozen=True)
class DigestLine:
    code: str
    title: str
    due_at: datetime


@dataclass(frozen=True)
class Digest:
    """What one leader is told about one department in one batch; the caller words it."""
    locale: str          # the leader's language, "vi" or "en"
    band: int            # ALMOST_DUE or OVERDUE
    department: str      # the department's name in that language
    total: int           # cases in the digest; `lines` holds the first DIGEST_LINES of them
    lines: tuple[DigestLine, ...]


# Words a digest into (subject, body). The wording belongs to the translated catalogues, which
# this package cannot reach (no Flask here): the worker passes app/queue_cli.py's compose_digest.
ComposeDigest = Callable[[Digest], tuple[str, str]]


def _notify_leaders(session: Session, rows, band: int, compose: ComposeDigest) -> int:
    """One digest per department leader for this batch, in the leader's language."""
    by_department: dict[int, list] = defaultdict(list)
    for row in rows:
        by_department[row.department_id].append(row)
    departments = session.execute(
        select(Department.id, Department.name_vi, Department.name_en, Department.leader_id)
        .where(Department.id.in_(list(by_department)))
    ).all()
    sent = 0
    for dept in departments:
        if dept.leader_id is None:
            continue
        leader = session.get(User, dept.leader_id)
        if leader is None or not leader.active or not (leader.email or leader.phone):
            continue
        locale = "en" if leader.locale == "en" else "vi"
        cases = sorted(by_department[dept.id], key=lambda r: (r.due_at, r.id))
        digest = Digest(locale=locale, band=band,
                        department=dept.name_en if locale == "en" else dept.name_vi,
                        total=len(cases),
                        lines=tuple(DigestLine(r.code, r.title, r.due_at)
                                    for r in cases[:DIGEST_LINES]))
        subject, body = compose(digest)
        queue_for_user(session, leader, subject, body)
        sent += 1
    return sent


def _escalate(session: Session, now: datetime, band: int, threshold: datetime,
              batch: int, compose: ComposeDigest) -> tuple[int, int]:
    """Raise every matching case to `band` in batches; returns (cases, notifications)."""
    if band == OVERDUE:
        where = [text(SLA_WATCH_PREDICATE), _cases.c.due_at < now]
    else:
        where = [text(SLA_WATCH_PREDICATE), _cases.c.sla_band == 0,
                 _cases.c.due_at >= now, _cases.c.due_at <= threshold]
    escalated = notified = 0
    while True:
        try:
            begin_write(session)
            stmt = select(_cases.c.id).where(*where).order_by(_cases.c.due_at).limit(batch)
            if not is_sqlite(session):
                stmt = stmt.with_for_update(skip_locked=True)
            ids = session.scalars(stmt).all()
            rows = []
            if ids:
                rows = session.execute(
                    _cases.update()
                    .where(_cases.c.id.in_(ids), _cases.c.sla_band < band)
                    .values(sla_band=band)
                    .returning(_cases.c.id, _cases.c.code, _cases.c.title, _cases.c.state,
                               _cases.c.department_id, _cases.c.due_at)
                ).all()
                _forget(session, ids)
                for row in rows:
                    record_event(session, row.id, "escalated", actor_id=None,
                                 from_state=row.state, to_state=row.state,
                                 data={"band": band}, at=now)
                notified += _notify_leaders(session, rows, band, compose)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        escalated += len(rows)
        if len(ids) < batch:
            return escalated, notified


def sweep(session: Session, now: datetime, *, warning_days: int, calendar: WorkCalendar,
          compose: ComposeDigest, batch: int = BATCH_SIZE) -> SweepReport:
    """One pass: expire lapsed leases, escalate overdue cases, then almost-due ones.

    Overdue first, so a case that went straight past its deadline between two passes gets one
    escalation (overdue), not two.
    """
    report = SweepReport()
    report.leases_expired = expire_leases(session, now)
    report.overdue, notified = _escalate(session, now, OVERDUE, now, batch, compose)
    report.notifications += notified
    threshold = warning_threshold(now, warning_days, calendar)
    report.almost_due, notified = _escalate(session, now, ALMOST_DUE, threshold, batch, compose)
    report.notifications += notified
    return report
