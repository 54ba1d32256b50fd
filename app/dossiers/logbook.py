"""The desk's log book (Mẫu 06, Circular 01/2018/TT-VPCP, "Sổ theo dõi hồ sơ"): the dossiers a
department's one-stop desk received in a date range, one line each, with the dates the circular
asks for read from the event log. The page shows it a page at a time; the CSV export walks the
whole range in batches. No Flask here.

"Received by the department" means received while the case sat in it: a dossier the desk
received and later transferred elsewhere stays in this desk's book (and is in no other's), a
dossier transferred here before anyone received it is in this book only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator, Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.models import AdminUnit, Case, CaseEvent, Department, Dossier
from app.pagination import Page, page_number
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.states import State

PER_PAGE = 25
MAX_DAYS = 366            # a year, leap day included: what one book covers at most
CSV_BATCH = 500


def this_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def range_problem(start: date, end: date) -> str | None:
    """None, or why the range cannot be a page of the book ("reversed", "too_long")."""
    if end < start:
        return "reversed"
    if (end - start).days + 1 > MAX_DAYS:
        return "too_long"
    return None


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] as local (Vietnam) days, as a half-open range of aware datetimes."""
    return (datetime.combine(start, time(0), tzinfo=LOCAL_TZ),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=LOCAL_TZ))


def _receiving_department():
    """The department the case sat in when it was received: where the first transfer after
    the receive took it from, or (never moved since) where it is now."""
    received = (select(func.min(CaseEvent.id))
                .where(CaseEvent.case_id == Case.id, CaseEvent.action == "receive")
                .correlate(Case).scalar_subquery())
    moved_from = (select(CaseEvent.data["from_department_id"].as_integer())
                  .where(CaseEvent.case_id == Case.id, CaseEvent.action == "transfer",
                         CaseEvent.id > received)
                  .order_by(CaseEvent.id).limit(1).correlate(Case).scalar_subquery())
    return received, func.coalesce(moved_from, Case.department_id)


def book_query(department_ids: Sequence[int], start: date, end: date) -> Select:
    received, receiving = _receiving_department()
    since, until = utc_bounds(start, end)
    return (select(Case).join(Dossier, Dossier.case_id == Case.id)
            .where(Case.case_type == "dossier", Case.received_at >= since,
                   Case.received_at < until, received.is_not(None),
                   receiving.in_(list(department_ids) or [-1]))
            .order_by(Case.received_at, Case.id))


@dataclass(frozen=True)
class Line:
    """One line of the book, in the circular's column order."""

    number: int
    case: Case
    dossier: Dossier
    address: AdminUnit
    lead_department: Department            # "cơ quan chủ trì giải quyết": who holds it now
    received_at: datetime
    due_at: datetime | None
    forwarded_at: datetime | None          # handed from the desk to whoever resolves it
    forwarded_to: Department | None        # set when that was another department
    result_at: datetime | None             # the result came back to the desk
    returned_at: datetime | None           # handed to the applicant
    late: bool

    @property
    def state(self) -> int:
        return self.case.state


def line_for(number: int, case: Case, dossier: Dossier, events: Iterable,
             departments: dict[int, Department], now: datetime) -> Line:
    """Pure: one line from the case, its dossier and its events (oldest first)."""
    events = list(events)
    receive = next((e for e in events if e.action == "receive"), None)
    after = [e for e in events if receive is None or (e.at, e.id) > (receive.at, receive.id)]
    forward = next((e for e in after if e.action in ("transfer", "start")), None)
    forwarded_to = None
    if forward is not None and forward.action == "transfer":
        target = (forward.data or {}).get("to_department_id")
        forwarded_to = departments.get(target) if isinstance(target, int) else None
    result = next((e for e in after if e.action in ("complete", "approve")
                   and e.to_state == State.DONE), None)
    returned = next((e for e in after if e.action == "return_result"), None)
    finished = result.at if result is not None else None
    if case.state in (State.DONE, State.RETURNED):
        late = finished is not None and case.due_at is not None and finished > case.due_at
    else:
        late = (case.state not in (State.REFUSED, State.WITHDRAWN, State.STOPPED,
                                   State.SUPPLEMENT_REQUESTED)
                and case.due_at is not None and now > case.due_at)
    return Line(number=number, case=case, dossier=dossier, address=case.unit,
                lead_department=case.department, received_at=case.received_at,
                due_at=case.due_at, forwarded_at=forward.at if forward is not None else None,
                forwarded_to=forwarded_to, result_at=finished,
                returned_at=returned.at if returned is not None else None, late=late)


def _lines(session: Session, cases: Sequence[Case], first_number: int,
           now: datetime) -> list[Line]:
    if not cases:
        return []
    ids = [c.id for c in cases]
    dossiers = {d.case_id: d for d in session.scalars(
        select(Dossier).where(Dossier.case_id.in_(ids)).options(joinedload(Dossier.procedure)))}
    events: dict[int, list] = {i: [] for i in ids}
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(ids))
                                 .order_by(CaseEvent.at, CaseEvent.id)):
        events[event.case_id].append(event)
    targets = {(e.data or {}).get("to_department_id") for es in events.values() for e in es
               if e.action == "transfer"}
    targets = {t for t in targets if isinstance(t, int)}
    departments = {d.id: d for d in session.scalars(
        select(Department).where(Department.id.in_(targets)))} if targets else {}
    return [line_for(first_number + i, case, dossiers[case.id], events[case.id], departments, now)
            for i, case in enumerate(cases)]


def _with_rows(stmt: Select) -> Select:
    return stmt.options(joinedload(Case.unit), joinedload(Case.department))


def book_page(session: Session, department_ids: Sequence[int], start: date, end: date,
              page: int | None, now: datetime, size: int = PER_PAGE) -> Page[Line]:
    stmt = book_query(department_ids, start, end)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    number, pages = page_number(page, total, size)
    cases = session.scalars(_with_rows(stmt).limit(size).offset((number - 1) * size)).all()
    return Page(_lines(session, cases, (number - 1) * size + 1, now), number, pages, total)


def book_lines(session: Session, department_ids: Sequence[int], start: date, end: date,
               now: datetime, batch: int = CSV_BATCH) -> Iterator[Line]:
    """Every line of the range, read a batch at a time (the export of a year stays small in
    memory). Keyset on (received_at, id), the book's own order."""
    stmt = book_query(department_ids, start, end)
    number, last = 1, None
    while True:
        page = stmt
        if last is not None:
            page = page.where((Case.received_at > last[0])
                              | ((Case.received_at == last[0]) & (Case.id > last[1])))
        cases = session.scalars(_with_rows(page).limit(batch)).all()
        if not cases:
            return
        yield from _lines(session, cases, number, now)
        number += len(cases)
        last = (cases[-1].received_at, cases[-1].id)
        if len(cases) < batch:
            return


def today(now: datetime) -> date:
    return local_day(now)
