"""The operations dashboard's read model: live load of the queue in the departments a leader
runs (every department for an administrator), read from the open cases themselves, and the
throughput of the last days from the tallies. No Flask here.

Everything live is counted over open cases of the scope's departments (the partial indexes on
open work keep that proportional to the work waiting, not to history); every figure comes with
the filter of the case list behind it (`CaseFilter`), so a number is always a link.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case as when, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import AdminUnit, Case, Department, User
from app.models.stats import BY_DEPARTMENT, DAY, CaseTally
from app.pagination import Page, page_number
from app.queue.calendar import LOCAL_TZ
from app.queue.states import CLOCK_RUNNING_STATES, OPEN_STATES, State

OPEN = tuple(sorted(int(s) for s in OPEN_STATES))
RUNNING = tuple(sorted(int(s) for s in CLOCK_RUNNING_STATES))
# How the dashboard groups states (the list page filters by the same names).
STATE_GROUPS: dict[str, tuple[int, ...]] = {
    "new": (State.SUBMITTED, State.RECEIVED),
    "in_progress": (State.PROCESSING, State.FEES_REQUESTED),
    "waiting_resident": (State.SUPPLEMENT_REQUESTED,),
    "answered": (State.DONE, State.RETURNED),
    "closed": (State.REFUSED, State.WITHDRAWN, State.STOPPED),
}
PARTICIPATION_TYPES = ("field_report", "initiative")
LIST_SIZE = 10
THROUGHPUT_DAYS = 14
PER_PAGE = 25


@dataclass(frozen=True)
class CaseFilter:
    """The cases behind a figure; every field optional. Also the list page's query string."""

    department: int | None = None
    officer: int | None = None
    band: str | None = None             # overdue | almost
    group: str | None = None            # a key of STATE_GROUPS; None: every open state
    case_type: str | None = None
    category: str | None = None
    unit: int | None = None             # the case's unit (a village for field reports)
    finished_on: date | None = None
    received_on: date | None = None
    waiting: str | None = None          # approval: a leader's approval or apology letter
    order: str = "due"                  # due | oldest

    def args(self) -> dict[str, str]:
        values = {k: v for k, v in self.__dict__.items() if v not in (None, "", "due")}
        return {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in values.items()}

    def with_(self, **changes) -> CaseFilter:
        return replace(self, **changes)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)


def conditions(flt: CaseFilter, department_ids: list[int], now: datetime,
               almost_limit: datetime) -> list:
    where = [Case.department_id.in_(department_ids or [-1])]
    if flt.department:
        where.append(Case.department_id == flt.department)
    if flt.group in STATE_GROUPS:
        where.append(Case.state.in_([int(s) for s in STATE_GROUPS[flt.group]]))
    elif flt.finished_on is None and flt.received_on is None:
        where.append(Case.state.in_(OPEN))
    if flt.officer:
        where.append(Case.assignee_id == flt.officer)
    if flt.band == "overdue":
        where.append(or_(and_(Case.state.in_(RUNNING), Case.due_at < now),
                         and_(Case.state == State.SUPPLEMENT_REQUESTED,
                              Case.due_at < Case.paused_at)))
    elif flt.band == "almost":
        where += [Case.state.in_(RUNNING), Case.due_at >= now, Case.due_at <= almost_limit]
    if flt.case_type:
        where.append(Case.case_type == flt.case_type)
    if flt.category:
        where.append(Case.category == flt.category)
    if flt.unit:
        where.append(Case.unit_id == flt.unit)
    if flt.finished_on is not None:
        start, end = _day_bounds(flt.finished_on)
        where += [Case.finished_at >= start, Case.finished_at < end]
    if flt.received_on is not None:
        start, end = _day_bounds(flt.received_on)
        where += [Case.received_at >= start, Case.received_at < end]
    if flt.waiting == "approval":
        where.append(or_(Case.pending_approval.is_(True),
                         and_(Case.apology_due_at.is_not(None),
                              Case.apology_approved_at.is_(None))))
    return where


def case_page(session: Session, flt: CaseFilter, department_ids: list[int], page: int, *,
              now: datetime, almost_limit: datetime) -> Page:
    where = conditions(flt, department_ids, now, almost_limit)
    total = session.scalar(select(func.count(Case.id)).where(*where)) or 0
    number, pages = page_number(page, total, PER_PAGE)
    order = ([Case.received_at, Case.id] if flt.order == "oldest"
             else [Case.due_at, Case.priority.desc(), Case.id])
    items = session.scalars(select(Case).where(*where)
                            .options(joinedload(Case.assignee), joinedload(Case.unit),
                                     joinedload(Case.department))
                            .order_by(*order).offset((number - 1) * PER_PAGE)
                            .limit(PER_PAGE)).all()
    return Page(list(items), number, pages, total)


# -- the dashboard --------------------------------------------------------------------------

@dataclass
class Load:
    """Open work of one department or one officer, and the filter behind each number."""

    subject: object                 # a Department or a User
    filter: CaseFilter
    open: int = 0
    unassigned: int = 0
    overdue: int = 0
    almost: int = 0
    waiting_resident: int = 0
    approvals: int = 0


@dataclass
class DayFlow:
    day: date
    received: int
    finished: int


@dataclass
class Breakdown:
    """Field reports and initiatives counted by (row, state group)."""

    rows: list[tuple[object, CaseFilter, dict[str, int]]] = field(default_factory=list)


@dataclass
class Dashboard:
    departments: list[Department]
    loads: list[Load]
    officers: list[Load]
    overdue: list[Case]
    almost: list[Case]
    oldest: list[Case]
    approvals: list[Case]
    approvals_total: int
    throughput: list[DayFlow]
    by_category: Breakdown
    by_village: Breakdown
    now: datetime


def _load_columns(now: datetime, almost_limit: datetime):
    running = Case.state.in_(RUNNING)
    late = or_(and_(running, Case.due_at < now),
               and_(Case.state == State.SUPPLEMENT_REQUESTED, Case.due_at < Case.paused_at))
    return [
        func.count(Case.id).label("open"),
        func.sum(when((Case.assignee_id.is_(None), 1), else_=0)).label("unassigned"),
        func.sum(when((late, 1), else_=0)).label("overdue"),
        func.sum(when((and_(running, Case.due_at >= now, Case.due_at <= almost_limit), 1),
                      else_=0)).label("almost"),
        func.sum(when((Case.state == State.SUPPLEMENT_REQUESTED, 1), else_=0))
        .label("waiting_resident"),
        func.sum(when((or_(Case.pending_approval.is_(True),
                           and_(Case.apology_due_at.is_not(None),
                                Case.apology_approved_at.is_(None))), 1), else_=0))
        .label("approvals"),
    ]


def _fill(load: Load, row) -> Load:
    if row is not None:
        for name in ("open", "unassigned", "overdue", "almost", "waiting_resident", "approvals"):
            setattr(load, name, int(getattr(row, name) or 0))
    return load


def _open_cases(session: Session, where, order, limit: int) -> list[Case]:
    return list(session.scalars(select(Case).where(*where)
                                .options(joinedload(Case.assignee), joinedload(Case.department))
                                .order_by(*order).limit(limit)))


def _group_of(state: int) -> str:
    return next(name for name, states in STATE_GROUPS.items() if state in states)


def dashboard(session: Session, departments: list[Department], *, now: datetime,
              almost_limit: datetime, today: date) -> Dashboard:
    ids = [d.id for d in departments]
    base = CaseFilter()
    open_here = [Case.department_id.in_(ids or [-1]), Case.state.in_(OPEN)]
    columns = _load_columns(now, almost_limit)

    by_department = {r.department_id: r for r in session.execute(
        select(Case.department_id, *columns).where(*open_here).group_by(Case.department_id))}
    loads = [_fill(Load(d, base.with_(department=d.id)), by_department.get(d.id))
             for d in departments]

    by_officer = session.execute(select(Case.assignee_id, *columns)
                                 .where(*open_here, Case.assignee_id.is_not(None))
                                 .group_by(Case.assignee_id)).all()
    people = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_([r.assignee_id for r in by_officer] or [-1])))}
    officers = sorted((_fill(Load(people[r.assignee_id], base.with_(officer=r.assignee_id)), r)
                       for r in by_officer if r.assignee_id in people),
                      key=lambda load: (-load.overdue, -load.open, load.subject.full_name))

    overdue_where = conditions(base.with_(band="overdue"), ids, now, almost_limit)
    almost_where = conditions(base.with_(band="almost"), ids, now, almost_limit)
    approval_where = conditions(base.with_(waiting="approval"), ids, now, almost_limit)
    approvals_total = session.scalar(select(func.count(Case.id)).where(*approval_where)) or 0

    first = today - timedelta(days=THROUGHPUT_DAYS - 1)
    flows = {row.day: row for row in session.execute(
        select(CaseTally.day, func.sum(CaseTally.received).label("received"),
               func.sum(CaseTally.done_early + CaseTally.done_on_time + CaseTally.done_late
                        + CaseTally.refused + CaseTally.withdrawn + CaseTally.stopped)
               .label("finished"))
        .where(CaseTally.level == BY_DEPARTMENT, CaseTally.grain == DAY,
               CaseTally.day.between(first, today),
               CaseTally.department_id.in_(ids or [-1]))
        .group_by(CaseTally.day))}
    throughput = [DayFlow(first + timedelta(days=i),
                          int(flows[first + timedelta(days=i)].received or 0)
                          if first + timedelta(days=i) in flows else 0,
                          int(flows[first + timedelta(days=i)].finished or 0)
                          if first + timedelta(days=i) in flows else 0)
                  for i in range(THROUGHPUT_DAYS)]

    return Dashboard(
        departments=departments, loads=loads, officers=officers,
        overdue=_open_cases(session, overdue_where, [Case.due_at, Case.id], LIST_SIZE),
        almost=_open_cases(session, almost_where, [Case.due_at, Case.id], LIST_SIZE),
        oldest=_open_cases(session, open_here, [Case.received_at, Case.id], LIST_SIZE),
        approvals=_open_cases(session, approval_where, [Case.due_at, Case.id], LIST_SIZE),
        approvals_total=approvals_total, throughput=throughput,
        by_category=_participation(session, ids, "category"),
        by_village=_participation(session, ids, "unit"), now=now)


def _participation(session: Session, ids: list[int], by: str) -> Breakdown:
    """Field reports and initiatives of the scope, by category or by village, and state."""
    key = Case.category if by == "category" else Case.unit_id
    rows = session.execute(
        select(Case.case_type, key.label("key"), Case.state, func.count(Case.id).label("n"))
        .where(Case.department_id.in_(ids or [-1]), Case.case_type.in_(PARTICIPATION_TYPES))
        .group_by(Case.case_type, key, Case.state)).all()
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[(row.case_type, row.key)][_group_of(row.state)] += row.n
    units = {}
    if by == "unit":
        units = {u.id: u for u in session.scalars(select(AdminUnit).where(
            AdminUnit.id.in_([k for _t, k in counts] or [-1])))}
    breakdown = Breakdown()
    for (case_type, value), groups in sorted(counts.items(), key=lambda kv: (kv[0][0],
                                                                            str(kv[0][1]))):
        if by == "unit":
            subject = (case_type, units.get(value))
            flt = CaseFilter(case_type=case_type, unit=value)
        else:
            subject = (case_type, value)
            flt = CaseFilter(case_type=case_type, category=value)
        breakdown.rows.append((subject, flt, dict(groups)))
    return breakdown


def scope_departments(session: Session, user: User, commune: AdminUnit | None) -> list[Department]:
    """The departments whose operations this leader sees: the ones they sit in or lead (an
    administrator: every active department, or the chosen commune's)."""
    if user.is_admin:
        stmt = select(Department).where(Department.active.is_(True))
        if commune is not None:
            stmt = stmt.where(Department.unit_id == commune.id)
    else:
        from app.models import OfficerMembership

        stmt = select(Department).where(Department.active.is_(True), or_(
            Department.leader_id == user.id,
            Department.id.in_(select(OfficerMembership.department_id)
                              .where(OfficerMembership.user_id == user.id))))
    return list(session.scalars(stmt.order_by(Department.name_vi)))
