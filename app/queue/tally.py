"""Statistics counted as they happen: every counted change of a case adds to `case_tallies` in
the transaction that writes its event. No Flask here.

What a case counts for (Decision 766/QĐ-TTg's figures, see app/stats/figures.py):

* flows, on the local day they happened: received (and through which channel), refused,
  withdrawn, stopped, done early / on the appointment day / late (with the working days it
  took, the days waiting for the resident left out), and each of the 5 satisfaction levels;
* levels, as changes: `open_n` (+1 the day it arrives, -1 the day it leaves the open states),
  `late_n` (+1 from the day its appointment passes while the clock runs, or at once if it was
  already late when it paused or got an apology letter), `due_n` (+1 on its appointment day
  only, so "due today and not yet late" can be told apart before office close). The level at
  the end of a day is the sum of the changes up to it; a change that lies in the future (an
  appointment ahead) is written ahead, and taken back if the case finishes, pauses or moves
  first. So "late as at 31/12" needs no scan of history: app/stats/figures.py subtracts the
  rows after that day from the all-time row.

One pure rule decides what a case in a given standing counts for from a given day on
(`outlook`); a change adds the new outlook and takes back the old one. The same rule replays
a case's events for the recount (`replay`, `flask --app wsgi stats rebuild`), which a test
checks against the running totals on random histories.

Where the changes come from: `perform()` (app/queue/actions.py) for every state change,
`record_event` (app/queue/events.py) when a case is created, `record_rating` when an applicant
rates the service. Claims, releases, lease expiry and escalations change nothing counted and
never reach this module. The rows are written once per transaction, just before it commits,
in one statement; a transaction with nothing counted writes nothing.

What only the kind's own row knows is asked at that moment too, for the cases the transaction
counted, in one query per kind: how a case came in (`channels(session, case_ids)`, a dossier's
channel) and the finer group its figures are kept under (`stat_groups(session, case_ids)`, a
question apart from a petition, though both are case_type 'petition'). The kind's row may not
exist yet when the case is created (it is keyed by the new case's id), and neither answer
changes over a case's life, so the question waits for the commit, and the recount asks the
same methods.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session, scoped_session

from app.models import Case, CaseEvent
from app.models.stats import (ALL_TIME, BY_DEPARTMENT, COUNTER_COLUMNS, DAY, DETAIL, KEY_COLUMNS,
                              MONTH, TOTAL)
from app.queue import kinds
from app.queue.calendar import LAST_DAY, WorkCalendar, local_day
from app.queue.history import (EARLY, LATE, ON_TIME, event_data, first_department, first_due,
                               moment, timing_of)
from app.queue.states import OPEN_STATES, State

__all__ = ["Dims", "Standing", "Ledger", "dims_of", "standing_of", "outlook", "done_timing",
           "processing_days", "pause_days", "record_change", "case_created", "record_rating",
           "replay", "RATING_LEVELS", "RATED_ACTION", "write_rows", "expand"]

RATING_LEVELS = (1, 2, 3, 4, 5)
RATED_ACTION = "rated"
_DONE_COLUMN = {EARLY: "done_early", ON_TIME: "done_on_time", LATE: "done_late"}
_FINISH_COLUMN = {State.REFUSED: "refused", State.WITHDRAWN: "withdrawn",
                  State.STOPPED: "stopped"}
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Dims:
    """Whose figures a case counts in: its kind, category, department and procedure (0: none),
    and the group its kind tells (`stat_groups`; '' for kinds without groups)."""

    case_type: str
    category: str
    department_id: int
    procedure_id: int
    group: str = ""


@dataclass(frozen=True)
class Standing:
    """What the counting needs to know about a case at one moment."""

    dims: Dims
    state: int
    due_at: datetime
    paused_at: datetime | None = None
    apology: bool = False  # an apology letter was approved: late for good


def dims_of(case) -> Dims:
    return Dims(case.case_type, case.category, case.department_id, case.procedure_id or 0)


def standing_of(case) -> Standing:
    return Standing(dims_of(case), int(case.state), case.due_at, case.paused_at,
                    case.apology_approved_at is not None)


class Ledger:
    """Counter changes by (dims, day); zero entries are dropped before anything is written."""

    def __init__(self) -> None:
        self.rows: dict[tuple[Dims, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, dims: Dims, day: date, column: str, amount: int = 1) -> None:
        self.rows[(dims, day)][column] += amount

    def add_outlook(self, standing: Standing | None, day: date, sign: int) -> None:
        for dims, when, column, amount in outlook(standing, day):
            self.add(dims, when, column, sign * amount)

    def merge(self, other: Ledger) -> None:
        for key, counters in other.rows.items():
            mine = self.rows[key]
            for column, amount in counters.items():
                mine[column] += amount

    def pruned(self) -> dict[tuple[Dims, date], dict[str, int]]:
        result = {}
        for key, counters in self.rows.items():
            kept = {c: n for c, n in counters.items() if n}
            if kept:
                result[key] = kept
        return result

    def __bool__(self) -> bool:
        return bool(self.pruned())


def outlook(standing: Standing | None, day: date) -> list[tuple[Dims, date, str, int]]:
    """How a case in `standing` counts in the levels from `day` on, if nothing else happens:
    its value on `day` and the steps after it, as (dims, day, column, amount).

    Late follows app/queue/states.is_overdue at the end of each day (the appointment has
    passed while the clock ran; a paused case's clock stopped when it paused), except that an
    approved apology letter keeps the case late until it finishes: the letter moves the
    appointment, it does not make a late dossier an on-time one.
    """
    if standing is None or standing.state not in OPEN_STATES:
        return []
    dims = standing.dims
    counts = [(dims, day, "open_n", 1)]
    if standing.apology:
        counts.append((dims, day, "late_n", 1))
        return counts
    if standing.state == State.SUPPLEMENT_REQUESTED:
        paused = standing.paused_at
        if paused is not None and standing.due_at < paused:
            counts.append((dims, day, "late_n", 1))
        return counts
    due_day = _due_day(standing.due_at)
    if due_day is None:
        return counts  # a date beyond the calendar (bad data of old): never late in any figure
    counts.append((dims, max(due_day, day), "late_n", 1))
    if due_day >= day:
        counts.append((dims, due_day, "due_n", 1))
        counts.append((dims, due_day + _ONE_DAY, "due_n", -1))
    return counts


def _due_day(due_at: datetime) -> date | None:
    try:
        due_day = local_day(due_at)
    except OverflowError:
        return None
    return due_day if due_day <= LAST_DAY else None


def done_timing(finished_at: datetime, due_at: datetime, apology: bool) -> str:
    """Early, on the appointment day or late; a case that needed an apology letter is late."""
    if apology:
        return LATE
    try:
        return timing_of(finished_at, due_at)
    except OverflowError:  # an appointment at the very end of time: long before it
        return EARLY


def processing_days(calendar: WorkCalendar, received_at: datetime, finished_at: datetime,
                    paused_days: int) -> int:
    """Working days from receipt to the result, the days waiting for the resident left out."""
    return max(0, calendar.working_days_between(received_at, finished_at) - paused_days)


def pause_days(data: dict, resumed_at: datetime, paused_at: datetime | None,
               calendar: WorkCalendar) -> int:
    """Working days one pause lasted: as perform() recorded it when the clock restarted, or
    counted from when the case paused (older or imported histories)."""
    recorded = data.get("paused_working_days")
    if isinstance(recorded, int) and not isinstance(recorded, bool) and recorded >= 0:
        return recorded
    started = moment(data.get("paused_at")) or paused_at
    return calendar.working_days_between(started, resumed_at) if started is not None else 0


def _count_change(ledger: Ledger, before: Standing | None, after: Standing, from_state: int,
                  to_state: int, at: datetime, *, received_at: datetime,
                  paused: Callable[[], int], calendar: Callable[[], WorkCalendar]) -> None:
    """What one change adds: the outlook swap, and the flow it ends in (refused, done, ...)."""
    day = local_day(at)
    if after != before:
        ledger.add_outlook(after, day, +1)
        ledger.add_outlook(before, day, -1)
    if from_state == to_state or from_state not in OPEN_STATES:
        return  # "returned" after "done" is counted at "done"
    if to_state == State.DONE:
        timing = done_timing(at, after.due_at, after.apology)
        ledger.add(after.dims, day, _DONE_COLUMN[timing])
        ledger.add(after.dims, day, "done_days",
                   processing_days(calendar(), received_at, at, paused()))
    elif to_state in _FINISH_COLUMN:
        ledger.add(after.dims, day, _FINISH_COLUMN[to_state])


# -- the hooks -------------------------------------------------------------------------------

_PENDING = "conglang_tally"


@dataclass
class _Pending:
    ledger: Ledger = field(default_factory=Ledger)
    # Cases created in this transaction, whose channel their kind's row will tell at commit.
    created: list[tuple[int, str, Dims, date]] = field(default_factory=list)
    # Changes of cases whose kind has groups, per case (its type, its changes without the
    # group): the kind tells each case's group at commit (_resolve_groups).
    grouped: dict[int, tuple[str, Ledger]] = field(default_factory=dict)

    def ledger_for(self, case_id: int, case_type: str) -> Ledger:
        if getattr(kinds.kind_for(case_type), "stat_groups", None) is None:
            return self.ledger
        entry = self.grouped.get(case_id)
        if entry is None:
            entry = self.grouped[case_id] = (case_type, Ledger())
        return entry[1]


def _real(session: Session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def _pending(session: Session) -> _Pending:
    info = _real(session).info
    pending = info.get(_PENDING)
    if pending is None:
        pending = info[_PENDING] = _Pending()
    return pending


def record_change(session: Session, before: Standing, case: Case, *, from_state: int,
                  to_state: int, at: datetime, calendar: Callable[[], WorkCalendar]) -> None:
    """Called by perform() after it changed the case: counts the change, if it counts.

    `calendar` is asked only when a case is done (its working days), and the case's pauses are
    read only then, so a transition that changes nothing counted costs no statement at all."""
    after = standing_of(case)
    ledger = Ledger()
    _count_change(ledger, before, after, from_state, to_state, at, received_at=case.received_at,
                  paused=lambda: _paused_so_far(session, case.id, calendar()),
                  calendar=calendar)
    if ledger:
        _pending(session).ledger_for(case.id, case.case_type).merge(ledger)


def _paused_so_far(session: Session, case_id: int, calendar: WorkCalendar) -> int:
    rows = session.execute(
        select(CaseEvent.at, CaseEvent.data)
        .where(CaseEvent.case_id == case_id, CaseEvent.from_state == State.SUPPLEMENT_REQUESTED,
               CaseEvent.to_state != State.SUPPLEMENT_REQUESTED)).all()
    return sum(pause_days(data if isinstance(data, dict) else {}, at, None, calendar)
               for at, data in rows)


def case_created(session: Session, case: Case, at: datetime) -> None:
    """Called when a case's "submitted" event is written (app/queue/events.py)."""
    standing = Standing(dims_of(case), int(State.SUBMITTED), case.due_at)
    day = local_day(at)
    pending = _pending(session)
    ledger = pending.ledger_for(case.id, case.case_type)
    ledger.add(standing.dims, day, "received")
    ledger.add_outlook(standing, day, +1)
    pending.created.append((case.id, case.case_type, standing.dims, day))


def record_rating(session: Session, case: Case, level: int, *, actor_id: int | None,
                  at: datetime) -> None:
    """The applicant rated the service (5 very satisfied ... 1 very dissatisfied): an event
    of its own, counted on the day it was given. Every kind that asks for a rating calls this
    in the transaction that stores it."""
    from app.queue.events import record_event  # events imports this module

    if level not in RATING_LEVELS:
        raise ValueError(f"a rating is 1 to 5, not {level!r}")
    record_event(session, case, RATED_ACTION, actor_id=actor_id, from_state=case.state,
                 to_state=case.state, data={"rating": level}, at=at)
    _pending(session).ledger_for(case.id, case.case_type).add(dims_of(case), local_day(at),
                                                              f"rated_{level}")


def _resolve_channels(session: Session, pending: _Pending) -> None:
    """Online or not: the kind's own row knows (a dossier's channel); kinds that do not say
    are counted as received only."""
    by_type: dict[str, list[tuple[int, Dims, date]]] = defaultdict(list)
    for case_id, case_type, dims, day in pending.created:
        by_type[case_type].append((case_id, dims, day))
    for case_type, created in by_type.items():
        channels = getattr(kinds.kind_for(case_type), "channels", None)
        if channels is None:
            continue
        known = channels(session, [case_id for case_id, _dims, _day in created])
        for case_id, dims, day in created:
            channel = known.get(case_id)
            if channel is not None:
                pending.ledger_for(case_id, case_type).add(
                    dims, day, "received_online" if channel == "online" else "received_offline")


def _resolve_groups(session: Session, pending: _Pending) -> None:
    """Each counted change of a kind with groups, under the group the kind tells for its case
    ('' if its row says none): one query per kind, and none when the changes cancelled out
    (a transition that moves no figure asks nothing)."""
    by_type: dict[str, dict[int, dict]] = defaultdict(dict)
    for case_id, (case_type, ledger) in pending.grouped.items():
        changes = ledger.pruned()
        if changes:
            by_type[case_type][case_id] = changes
    for case_type, cases in by_type.items():
        known = kinds.kind_for(case_type).stat_groups(session, list(cases))
        for case_id, changes in cases.items():
            group = known.get(case_id) or ""
            for (dims, day), counters in changes.items():
                dims = replace(dims, group=group)
                for column, amount in counters.items():
                    pending.ledger.add(dims, day, column, amount)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    _resolve_channels(session, pending)
    _resolve_groups(session, pending)
    write_rows(session, expand(pending.ledger.pruned()))


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back: nothing of it happened


# -- writing ---------------------------------------------------------------------------------

def _month(day: date) -> date:
    return day.replace(day=1)


def expand(changes: dict[tuple[Dims, date], dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """Each change as the rows it adds to: its day, its month and all time, per department,
    procedure and category, and per department alone; both under the case's group."""
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (dims, day), counters in changes.items():
        for grain, when in ((DAY, day), (MONTH, _month(day)), (TOTAL, ALL_TIME)):
            for key in ((DETAIL, grain, when, dims.case_type, dims.department_id,
                         dims.procedure_id, dims.category, dims.group),
                        (BY_DEPARTMENT, grain, when, dims.case_type, dims.department_id, 0, "",
                         dims.group)):
                row = rows[key]
                for column, amount in counters.items():
                    row[column] += amount
    kept = {k: {c: n for c, n in v.items() if n} for k, v in rows.items()}
    return {k: v for k, v in kept.items() if v}


_UPSERT = (
    f"INSERT INTO case_tallies ({', '.join(KEY_COLUMNS + COUNTER_COLUMNS)}) VALUES {{rows}} "
    f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET "
    + ", ".join(f"{c} = case_tallies.{c} + excluded.{c}" for c in COUNTER_COLUMNS))
_MARKS = {"pysqlite": "?", "psycopg": "%s"}
_DAY = KEY_COLUMNS.index("day")
_WIDTH = len(KEY_COLUMNS) + len(COUNTER_COLUMNS)


def write_rows(session: Session, rows: dict[tuple, dict[str, int]], *, batch: int = 500) -> None:
    """Add the rows to the tallies: one multi-row upsert per `batch` rows (a transition's
    dozen rows are one statement, one round trip), in key order, so two transactions that
    touch the same rows lock them in the same order (no deadlock on PostgreSQL).

    Straight to the driver (positional parameters, dates as SQLite stores them): building
    SQLAlchemy parameters cost more than the database's work, for the hook's dozen rows as
    for the recount's hundreds of thousands."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    mark = _MARKS[dialect.driver]  # app/db.configure_engine admits only these two
    row_marks = "(" + ", ".join([mark] * _WIDTH) + ")"
    as_text = dialect.name == "sqlite"
    keys = sorted(rows)
    for start in range(0, len(keys), batch):
        chunk = keys[start:start + batch]
        params: list = []
        for key in chunk:
            values = list(key)
            if as_text:
                values[_DAY] = values[_DAY].isoformat()
            counters = rows[key]
            values.extend(counters.get(c, 0) for c in COUNTER_COLUMNS)
            params.extend(values)
        sql = _UPSERT.format(rows=", ".join([row_marks] * len(chunk)))
        connection.exec_driver_sql(sql, tuple(params))


# -- the recount -----------------------------------------------------------------------------

def replay(case, events: Iterable, calendar: WorkCalendar, ledger: Ledger,
           channel: str | None = None, group: str = "") -> None:
    """Add everything one case counts for, read from its events (oldest first), exactly as
    the hooks counted it when they happened. `case` needs case_type, category, procedure_id,
    department_id, due_at and received_at as they are now; the events tell the rest. The
    channel and the group are what the kind's `channels` and `stat_groups` tell."""
    events = list(events)
    dims = Dims(case.case_type, case.category, first_department(case.department_id, events),
                case.procedure_id or 0, group)
    due = first_due(case.due_at, events)
    standing: Standing | None = None
    paused_total = 0
    for ev in events:
        data = event_data(ev)
        if ev.from_state is None:  # "submitted": the case entered the queue
            standing = Standing(dims, int(State.SUBMITTED), due)
            day = local_day(ev.at)
            ledger.add(dims, day, "received")
            if channel is not None:
                ledger.add(dims, day, "received_online" if channel == "online"
                           else "received_offline")
            ledger.add_outlook(standing, day, +1)
            continue
        if standing is None:
            continue  # no history of its arrival: nothing to count against
        if ev.action == RATED_ACTION:
            level = data.get("rating")
            if level in RATING_LEVELS:
                ledger.add(standing.dims, local_day(ev.at), f"rated_{level}")
            continue
        before = standing
        new_dims = standing.dims
        if ev.action == "transfer" and isinstance(data.get("to_department_id"), int):
            new_dims = replace(new_dims, department_id=data["to_department_id"])
        new_due = moment(data.get("new_due_at")) if "new_due_at" in data else None
        paused_at = before.paused_at
        to_state = ev.to_state if ev.to_state is not None else before.state
        if before.state == State.SUPPLEMENT_REQUESTED and to_state != before.state:
            paused_total += pause_days(data, ev.at, paused_at, calendar)
            paused_at = None
        elif to_state == State.SUPPLEMENT_REQUESTED and before.state != to_state:
            paused_at = ev.at
        standing = Standing(new_dims, int(to_state), new_due or before.due_at, paused_at,
                            before.apology or ev.action == "approve_apology")
        _count_change(ledger, before, standing, before.state, int(to_state), ev.at,
                      received_at=case.received_at, paused=lambda: paused_total,
                      calendar=lambda: calendar)
