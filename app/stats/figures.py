"""Public figures the way Decision 766/QĐ-TTg counts them, read from the running tallies
(app/models/stats.py, app/queue/tally.py). No Flask here.

For a scope (the province, a commune, a department, a procedure) and a period of local days:

* received (online / at the desk), carried over (still open at the end of the day before the
  period), to process = carried over + received;
* done early / on the appointment day / late, withdrawn, refused at intake, stopped: counted
  on the day they happened within the period;
* in process at the end of the period (or now, for a period not over yet): not yet due,
  almost due (only for now: a warning about the coming days, not a record), overdue;
* late rate = (overdue in process + done late) / to process, and on-time rate = 100 % minus
  it, as the provincial one-stop systems report them; online share; average processing
  time in working days (the days waiting for the resident left out); satisfaction.

The identity carried over + received = done + withdrawn + refused + stopped + in process
holds for every scope and period, and the tests check it.

How the reading stays cheap: flows of whole months come from month rows and the rest from day
rows; a level at the end of a day is the all-time row minus the month and day rows after it.
Each query is a range of one index (level, grain, day[, department | procedure]), so a year
of the province reads about (departments × months) rows, not its history.
"""
from __future__ import annotations

import calendar as _months
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, and_, case, func, literal, select, text
from sqlalchemy.orm import Session

from app.models import AdminUnit, Department, Procedure
from app.models.stats import (ALL_TIME, BY_DEPARTMENT, COUNTER_COLUMNS, DAY, DETAIL, MONTH,
                              TOTAL, CaseTally)
from app.queue.calendar import OFFICE_CLOSE, LOCAL_TZ, WorkCalendar, local_day
from app.queue.sla import warning_threshold
from app.procedures.services import sort_key as vietnamese_sort_key  # remembered per process

__all__ = ["Period", "PeriodProblem", "Scope", "ScopeProblem", "Figures", "Report",
           "month_period", "quarter_period", "year_period", "custom_period", "resolve_scope",
           "report", "MAX_CUSTOM_DAYS", "EARLIEST_YEAR", "KINDS_ANSWERED"]

EARLIEST_YEAR = 2000
MAX_CUSTOM_DAYS = 3 * 366
# Kinds of case reported as "answered on time" beside the dossiers, one row each, as
# (case_type, group): a question and a petition are both case_type 'petition', told apart by
# the group the petition kind tells the tallies ('' for a petition case that has no petitions
# row, made outside the petitions services: counted, under the kind's general name).
KINDS_ANSWERED = (("petition", "question"), ("petition", "petition"), ("petition", ""),
                  ("field_report", ""), ("initiative", ""), ("village_need", ""))
_ONE_DAY = timedelta(days=1)


# -- periods ---------------------------------------------------------------------------------

class PeriodProblem(ValueError):
    """Why a period cannot be reported: reversed, too_long, too_early, future, bad_month, ..."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Period:
    kind: str          # month | quarter | year | custom
    start: date
    end: date          # inclusive
    year: int | None = None
    number: int | None = None  # the month or the quarter

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _check_year(year: int, today: date) -> None:
    if year < EARLIEST_YEAR:
        raise PeriodProblem("too_early")
    if year > today.year:
        raise PeriodProblem("future")


def month_period(year: int, month: int, today: date) -> Period:
    _check_year(year, today)
    if not 1 <= month <= 12:
        raise PeriodProblem("bad_month")
    start = date(year, month, 1)
    if start > today:
        raise PeriodProblem("future")
    return Period("month", start, date(year, month, _months.monthrange(year, month)[1]),
                  year, month)


def quarter_period(year: int, quarter: int, today: date) -> Period:
    _check_year(year, today)
    if not 1 <= quarter <= 4:
        raise PeriodProblem("bad_quarter")
    first = 3 * (quarter - 1) + 1
    start = date(year, first, 1)
    if start > today:
        raise PeriodProblem("future")
    last = first + 2
    return Period("quarter", start, date(year, last, _months.monthrange(year, last)[1]),
                  year, quarter)


def year_period(year: int, today: date) -> Period:
    _check_year(year, today)
    return Period("year", date(year, 1, 1), date(year, 12, 31), year)


def custom_period(start: date, end: date, today: date) -> Period:
    if end < start:
        raise PeriodProblem("reversed")
    if start.year < EARLIEST_YEAR:
        raise PeriodProblem("too_early")
    if start > today:
        raise PeriodProblem("future")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodProblem("too_long")
    return Period("custom", start, end)


# -- scopes ----------------------------------------------------------------------------------

class ScopeProblem(ValueError):
    """unknown_unit, not_a_commune, unknown_department, department_elsewhere, unknown_procedure"""

    def __init__(self, code: str, field: str):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass
class Scope:
    """Whose figures: every department of the province or of a commune, or one department;
    optionally one procedure. `breakdown` names the next level down, shown as a table."""

    province: AdminUnit | None = None
    commune: AdminUnit | None = None
    department: Department | None = None
    procedure: Procedure | None = None
    departments: dict[int, Department] = field(default_factory=dict)  # the scope's own
    units: dict[int, AdminUnit] = field(default_factory=dict)          # their units

    @property
    def breakdown(self) -> str | None:
        """commune | department | procedure | None (one department and one procedure)."""
        if self.department is not None:
            return None if self.procedure is not None else "procedure"
        if self.commune is not None:
            return "department"
        return "commune"


def resolve_scope(session: Session, *, unit_code: str | None = None,
                  department_code: str | None = None,
                  procedure_code: str | None = None) -> Scope:
    """The scope named by public codes (all optional: nothing is the whole province).
    Raises ScopeProblem naming the field whose code is unknown or does not fit."""
    scope = Scope()
    unit = None
    if unit_code:
        unit = session.scalar(select(AdminUnit).where(AdminUnit.code == unit_code))
        if unit is None:
            raise ScopeProblem("unknown_unit", "unit")
        if unit.level == "village":
            raise ScopeProblem("not_a_commune", "unit")
    if department_code:
        scope.department = session.scalar(select(Department)
                                          .where(Department.code == department_code))
        if scope.department is None:
            raise ScopeProblem("unknown_department", "department")
        if unit is not None and scope.department.unit_id != unit.id:
            raise ScopeProblem("department_elsewhere", "department")
        unit = unit or scope.department.unit
    if procedure_code:
        scope.procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        if scope.procedure is None:
            raise ScopeProblem("unknown_procedure", "procedure")
    if unit is not None and unit.level == "commune":
        scope.commune = unit
        scope.province = unit.parent
    elif unit is not None:
        scope.province = unit
    else:
        scope.province = session.scalar(select(AdminUnit).where(AdminUnit.level == "province")
                                        .order_by(AdminUnit.id).limit(1))
    if scope.department is not None:
        departments = [scope.department]
    elif scope.commune is not None:
        departments = list(session.scalars(select(Department)
                                           .where(Department.unit_id == scope.commune.id)))
    else:
        # Every commune of the province is listed, those not yet on the portal too.
        province_id = scope.province.id if scope.province is not None else -1
        units = list(session.scalars(select(AdminUnit).where(
            (AdminUnit.id == province_id) | (AdminUnit.parent_id == province_id))))
        scope.units = {u.id: u for u in units}
        departments = list(session.scalars(select(Department)
                                           .where(Department.unit_id.in_(list(scope.units)
                                                                         or [-1]))))
    scope.departments = {d.id: d for d in departments}
    missing = {d.unit_id for d in departments} - set(scope.units)
    if missing:
        scope.units.update((u.id, u) for u in session.scalars(
            select(AdminUnit).where(AdminUnit.id.in_(missing))))
    return scope


# -- the figures -----------------------------------------------------------------------------

def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """One scope's figures for one period (every count an int; shares None when undefined)."""

    received: int = 0
    received_online: int = 0
    received_offline: int = 0
    carried_over: int = 0
    done_early: int = 0
    done_on_time: int = 0
    done_late: int = 0
    done_days: int = 0
    withdrawn: int = 0
    refused: int = 0
    stopped: int = 0
    in_process: int = 0
    overdue: int = 0
    almost_due: int | None = None  # only "now": see the module docstring
    ratings: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # levels 1..5

    @property
    def to_process(self) -> int:
        return self.carried_over + self.received

    @property
    def done(self) -> int:
        return self.done_early + self.done_on_time + self.done_late

    @property
    def answered_on_time(self) -> int:
        return self.done_early + self.done_on_time

    @property
    def not_yet_due(self) -> int:
        return self.in_process - self.overdue - (self.almost_due or 0)

    @property
    def late(self) -> int:
        return self.overdue + self.done_late

    @property
    def late_rate(self) -> Decimal | None:
        return _percent(self.late, self.to_process)

    @property
    def on_time_rate(self) -> Decimal | None:
        late = self.late_rate
        return None if late is None else Decimal(100) - late

    @property
    def online_share(self) -> Decimal | None:
        return _percent(self.received_online, self.received_online + self.received_offline)

    @property
    def average_days(self) -> Decimal | None:
        if not self.done:
            return None
        return (Decimal(self.done_days) / self.done).quantize(Decimal("0.1"),
                                                              rounding=ROUND_HALF_UP)

    @property
    def rated(self) -> int:
        return sum(self.ratings)

    @property
    def satisfied_share(self) -> Decimal | None:
        """Satisfied or very satisfied (levels 4 and 5) among those who rated."""
        return _percent(self.ratings[3] + self.ratings[4], self.rated)

    @property
    def answered_on_time_share(self) -> Decimal | None:
        return _percent(self.answered_on_time, self.done)

    @property
    def empty(self) -> bool:
        return not (self.to_process or self.done or self.withdrawn or self.refused
                    or self.stopped or self.rated)


class _Series:
    """The rows of one group: the all-time row, month rows and day rows, by column."""

    def __init__(self) -> None:
        self.total: dict[str, int] = defaultdict(int)
        self.months: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, grain: int, day: date, values: dict[str, int]) -> None:
        target = (self.total if grain == TOTAL else self.months[day] if grain == MONTH
                  else self.days[day])
        for column, amount in values.items():
            if amount:
                target[column] += amount

    def merge(self, other: _Series) -> None:
        for column, amount in other.total.items():
            self.total[column] += amount
        for mine, theirs in ((self.months, other.months), (self.days, other.days)):
            for day, values in theirs.items():
                for column, amount in values.items():
                    mine[day][column] += amount

    def flows(self, start: date, end: date) -> dict[str, int]:
        """Sum over [start, end]: whole months from month rows, the edges from day rows."""
        result: dict[str, int] = defaultdict(int)
        month = start.replace(day=1)
        while month <= end:
            last = _last_of(month)
            if start <= month and last <= end:
                for column, amount in self.months.get(month, {}).items():
                    result[column] += amount
            else:
                for day, values in self.days.items():
                    if max(start, month) <= day <= min(end, last):
                        for column, amount in values.items():
                            result[column] += amount
            month = last + _ONE_DAY
        return result

    def level(self, column: str, day: date) -> int:
        """The level at the end of `day`: all time minus what came after it."""
        value = self.total.get(column, 0)
        month = day.replace(day=1)
        for when, values in self.months.items():
            if when > month:
                value -= values.get(column, 0)
        for when, values in self.days.items():
            if month <= when and when > day and when <= _last_of(month):
                value -= values.get(column, 0)
        return value

    def ahead(self, column: str, after: date, until: date) -> int:
        """What the day rows of (after, until] add to a column."""
        return sum(values.get(column, 0) for when, values in self.days.items()
                   if after < when <= until)


def _last_of(month: date) -> date:
    return month.replace(day=_months.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class Clock:
    """Where "now" is, for a period not over yet: today's date, whether the office has closed
    (a case due today is late only after it), and the last day of the warning band."""

    today: date
    closed: bool
    warn_until: date

    @classmethod
    def at(cls, now: datetime, warning_days: int, calendar: WorkCalendar) -> Clock:
        local = now.astimezone(LOCAL_TZ)
        return cls(local.date(), local.time() >= OFFICE_CLOSE,
                   local_day(warning_threshold(now, warning_days, calendar)))


def _figures(series: _Series, period: Period, clock: Clock) -> Figures:
    end = min(period.end, clock.today)
    flows = series.flows(period.start, end)
    open_now = series.level("open_n", end)
    late_now = series.level("late_n", end)
    almost = None
    if end == clock.today:
        due_today = series.level("due_n", end)
        scheduled = series.ahead("late_n", end, clock.warn_until)
        if not clock.closed:
            late_now -= due_today   # due at office close today: not late yet
            almost = due_today + scheduled
        else:
            almost = scheduled
    return Figures(
        received=flows.get("received", 0), received_online=flows.get("received_online", 0),
        received_offline=flows.get("received_offline", 0),
        carried_over=series.level("open_n", period.start - _ONE_DAY),
        done_early=flows.get("done_early", 0), done_on_time=flows.get("done_on_time", 0),
        done_late=flows.get("done_late", 0), done_days=flows.get("done_days", 0),
        withdrawn=flows.get("withdrawn", 0), refused=flows.get("refused", 0),
        stopped=flows.get("stopped", 0), in_process=open_now, overdue=late_now,
        almost_due=almost,
        ratings=tuple(flows.get(f"rated_{n}", 0) for n in range(1, 6)))


# -- reading the rows ------------------------------------------------------------------------

@dataclass
class Report:
    scope: Scope
    period: Period
    clock: Clock
    total: Figures                                   # dossiers
    groups: list[tuple[object, Figures]]             # (unit, department or procedure, figures)
    months: list[tuple[date, Figures]]               # the trend, dossiers
    kinds: list[tuple[tuple[str, str], Figures]]     # (case_type, group), answered on time

    @property
    def until(self) -> date:
        return min(self.period.end, self.clock.today)

    @property
    def running(self) -> bool:
        """The period is not over: in-process figures are as of now."""
        return self.period.end >= self.clock.today


def _months_in(period: Period, today: date) -> list[tuple[date, date]]:
    end = min(period.end, today)
    months, month = [], period.start.replace(day=1)
    while month <= end:
        months.append((max(period.start, month), min(_last_of(month), end)))
        month = _last_of(month) + _ONE_DAY
    return months


def _day_ranges(period: Period, clock: Clock) -> list[tuple[date, date]]:
    """The day rows a report needs: the months the period's edges cut in two (the first month
    also answers "carried over" at the eve of a period starting mid-month), and the warning
    band ahead of today."""
    end = min(period.end, clock.today)
    months = set()
    if period.start.day != 1:
        months.add(period.start.replace(day=1))
    if end != _last_of(end):
        months.add(end.replace(day=1))
    ranges = [(m, _last_of(m)) for m in months]
    if end == clock.today and clock.warn_until > end:
        ranges.append((end + _ONE_DAY, clock.warn_until))
    merged: list[tuple[date, date]] = []  # each day read once: the rows are added up
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + _ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _bucket(column, edges: list[date]):
    """Each date mapped to the first edge on or after it. Every range the figures read is of
    the form (edge, edge], so summing rows by bucket instead of by date changes no figure, and
    a month of day rows comes back as two or three rows."""
    edges = sorted(set(edges))
    return case(*[(column <= edge, literal(edge, Date)) for edge in edges[:-1]],
                else_=literal(edges[-1], Date))


def _read(session: Session, scope: Scope, period: Period, clock: Clock, *, by_group: bool):
    """Rows summed per ((case_type, case_group), group, grain, bucket): the all-time rows, the
    month rows from the period's eve on, and the day rows of the months the period's edges cut
    (see _day_ranges), each one index range. The group is the breakdown's key (a commune, a
    department, a procedure), computed in SQL; with by_group the months are bucketed too
    (those inside the period as one, those after it as one), since a group's figures need no
    month by month; the trend reads the scope's months without groups."""
    level = DETAIL if (scope.procedure is not None or scope.breakdown == "procedure") \
        else BY_DEPARTMENT
    t = CaseTally
    breakdown = scope.breakdown if by_group else None
    if breakdown == "commune":
        group = Department.unit_id
    elif breakdown == "department":
        group = t.department_id
    elif breakdown == "procedure":
        group = t.procedure_id
    else:
        group = literal(0)
    end = min(period.end, clock.today)
    eve = period.start - _ONE_DAY
    ranges = _day_ranges(period, clock)
    day_edges = [eve, end, clock.warn_until]
    for first, last in ranges:  # and every month's end: flows and levels stop there
        month = first
        while month <= last:
            day_edges.append(min(_last_of(month), last))
            month = _last_of(month) + _ONE_DAY
    month_edges = [eve.replace(day=1), _last_month_start(period.start, end),
                   end.replace(day=1), _next_month(end), date(9999, 12, 1)]
    selects = [(TOTAL, and_(t.grain == TOTAL, t.day == ALL_TIME), t.day),
               (MONTH, and_(t.grain == MONTH, t.day >= eve.replace(day=1)),
                _bucket(t.day, month_edges) if by_group else t.day)]
    selects += [(DAY, and_(t.grain == DAY, t.day.between(a, b)), _bucket(t.day, day_edges))
                for a, b in ranges]
    where = [t.level == level, t.department_id.in_(list(scope.departments) or [-1])]
    if scope.procedure is not None:
        where.append(t.procedure_id == scope.procedure.id)
    if by_group:
        where.append(t.case_type == "dossier")  # the breakdown is of dossiers only
    sums = [func.sum(getattr(t, c)) for c in COUNTER_COLUMNS]
    for grain, condition, day in selects:
        keys = [t.case_type, t.case_group, group, day]
        # By position: a bucket's edges are bound parameters, which PostgreSQL would not
        # match between the select list and a repeated GROUP BY expression.
        stmt = select(*keys, *sums).where(*where, condition).group_by(
            text("1"), text("2"), text("3"), text("4"))
        if breakdown == "commune":
            stmt = stmt.join(Department, Department.id == t.department_id)
        for case_type, case_group, key, when, *values in session.execute(stmt):
            yield (case_type, case_group), key, grain, when, values


def _next_month(day: date) -> date:
    return _last_of(day) + _ONE_DAY


def _last_month_start(start: date, end: date) -> date:
    """The bucket of the whole months inside [start, end]: the last of them (so it is after
    the eve's month and not after the end's); the end's own month when there is none."""
    last = end.replace(day=1)
    if end != _last_of(end):
        last = (last - _ONE_DAY).replace(day=1)
    return max(last, start.replace(day=1))


def report(session: Session, scope: Scope, period: Period, *, now: datetime,
           warning_days: int, calendar: WorkCalendar) -> Report:
    clock = Clock.at(now, warning_days, calendar)
    groups: dict[object, _Series] = defaultdict(_Series)
    total: _Series = _Series()
    kinds: dict[tuple[str, str], _Series] = defaultdict(_Series)
    if scope.breakdown is not None:
        for kind, group, grain, day, values in _read(session, scope, period, clock,
                                                     by_group=True):
            if kind[0] == "dossier":
                groups[group].add(grain, day, dict(zip(COUNTER_COLUMNS, values)))
    for kind, _group, grain, day, values in _read(session, scope, period, clock,
                                                  by_group=False):
        if kind[0] == "dossier":
            total.add(grain, day, dict(zip(COUNTER_COLUMNS, values)))
        elif kind in KINDS_ANSWERED:
            kinds[kind].add(grain, day, dict(zip(COUNTER_COLUMNS, values)))
    months = []
    for start, end in _months_in(period, clock.today):
        months.append((start, _figures(total, Period("custom", start, end), clock)))
    return Report(scope=scope, period=period, clock=clock,
                  total=_figures(total, period, clock),
                  groups=_ordered_groups(scope, [(k, _figures(v, period, clock))
                                                 for k, v in groups.items()], session),
                  months=months,
                  kinds=[(k, _figures(kinds[k], period, clock)) for k in KINDS_ANSWERED
                         if k in kinds])


def _ordered_groups(scope: Scope, groups, session: Session) -> list[tuple[object, Figures]]:
    """Each group with the row it names (a unit, a department, a procedure), every unit or
    department of the scope listed even without a case, in name order."""
    figures = {key: value for key, value in groups}
    breakdown = scope.breakdown
    if breakdown == "commune":
        named = {uid: unit for uid, unit in scope.units.items() if unit.level == "commune"}
        for key in figures:
            if key in scope.units:
                named[key] = scope.units[key]
    elif breakdown == "department":
        named = dict(scope.departments)
    elif breakdown == "procedure":
        ids = [k for k in figures if k]
        named = {p.id: p for p in session.scalars(select(Procedure)
                                                  .where(Procedure.id.in_(ids or [-1])))}
    else:
        return []
    rows = [(item, figures.get(key, Figures())) for key, item in named.items()]
    return sorted(rows, key=lambda pair: vietnamese_sort_key(pair[0].name_vi))
