"""The recount: every tally row recomputed from `case_events`, the source of every figure.

`flask --app wsgi stats rebuild` runs it (after a restore, an import, or a change of the
working-day calendar that should also apply to processing times already counted); the tests
run it on random histories and compare with the running totals. Each case's events are
replayed by the same rule the running totals use (app/queue/tally.replay), a batch of cases at
a time, and the rows are written in a few large statements.

While it runs, statistics stand still: on PostgreSQL the table is locked against writes, so
an officer's action waits for the recount to commit and then adds its change on top (its event
was not yet committed when the recount read the log, so it is counted exactly once); on
SQLite the recount holds the write lock.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from app.db import is_sqlite, write_transaction
from app.models import Case, CaseEvent, CaseTally
from app.queue import kinds
from app.queue.calendar import WorkCalendar
from app.queue.calendar_db import calendar_from_db
from app.queue.tally import Ledger, expand, replay, write_rows

CASE_BATCH = 2000
# Ledger entries held before they are added to the table (memory stays bounded at any size).
FLUSH_AT = 40_000


@dataclass
class RebuildReport:
    cases: int = 0
    events: int = 0
    rows: int = 0

    def summary(self) -> str:
        return f"cases={self.cases} events={self.events} rows={self.rows}"


def tallies_missing(session: Session) -> bool:
    """Cases exist but nothing was ever counted (a database upgraded from before statistics)."""
    has_cases = session.scalar(select(Case.id).limit(1)) is not None
    return has_cases and session.scalar(select(CaseTally.day).limit(1)) is None


def _asked(session: Session, cases, method: str) -> dict[int, str]:
    """What the cases' kinds tell through `channels` or `stat_groups`, as the running totals
    asked it (app/queue/tally.py): one query per kind that has the method."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        by_type[case.case_type].append(case.id)
    found: dict[int, str] = {}
    for case_type, ids in by_type.items():
        ask = getattr(kinds.kind_for(case_type), method, None)
        if ask is not None:
            found.update(ask(session, ids))
    return found


def ledger_of_cases(session: Session, cases, calendar: WorkCalendar) -> tuple[Ledger, int]:
    """What these cases count for, read from their events; and how many events that was."""
    ledger = Ledger()
    if not cases:
        return ledger, 0
    ids = [c.id for c in cases]
    events: dict[int, list] = defaultdict(list)
    count = 0
    for row in session.execute(
            select(CaseEvent.case_id, CaseEvent.id, CaseEvent.at, CaseEvent.action,
                   CaseEvent.from_state, CaseEvent.to_state, CaseEvent.data)
            .where(CaseEvent.case_id.between(min(ids), max(ids)))
            .order_by(CaseEvent.case_id, CaseEvent.id)):
        events[row.case_id].append(row)
        count += 1
    channels = _asked(session, cases, "channels")
    groups = _asked(session, cases, "stat_groups")
    for case in cases:
        replay(case, events.get(case.id, ()), calendar, ledger, channels.get(case.id),
               groups.get(case.id) or "")
    return ledger, count


def recount(session: Session, calendar: WorkCalendar | None = None) -> dict[tuple, dict]:
    """Every row the tallies should hold, in memory (for tests and small databases)."""
    calendar = calendar or calendar_from_db(session)
    cases = session.execute(_case_columns().order_by(Case.id)).all()
    ledger, _events = ledger_of_cases(session, cases, calendar)
    return expand(ledger.pruned())


def _case_columns():
    return select(Case.id, Case.case_type, Case.category, Case.procedure_id, Case.department_id,
                  Case.due_at, Case.received_at)


def rebuild(session: Session, calendar: WorkCalendar | None = None, *,
            batch: int = CASE_BATCH) -> RebuildReport:
    """Replace every tally row by the recount, in one transaction."""
    report = RebuildReport()
    with write_transaction(session):
        if not is_sqlite(session):
            session.execute(text("LOCK TABLE case_tallies IN EXCLUSIVE MODE"))
        session.execute(delete(CaseTally))
        calendar = calendar or calendar_from_db(session)
        ledger, last_id = Ledger(), 0
        while True:
            cases = session.execute(_case_columns().where(Case.id > last_id)
                                    .order_by(Case.id).limit(batch)).all()
            if not cases:
                break
            part, events = ledger_of_cases(session, cases, calendar)
            ledger.merge(part)
            report.cases += len(cases)
            report.events += events
            last_id = cases[-1].id
            if len(ledger.rows) >= FLUSH_AT:
                write_rows(session, expand(ledger.pruned()))
                ledger = Ledger()
        write_rows(session, expand(ledger.pruned()))
        report.rows = session.scalar(select(func.count()).select_from(CaseTally)) or 0
    return report
