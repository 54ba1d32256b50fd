"""Read models for the officer workbench: who may see which department, the queue with its
filters and pages, a case's timeline, and the leader's overview. Writes go through app/queue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case as sql_case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import AdminUnit, Case, CaseEvent, Department, OfficerMembership, User
from app.queue.errors import NotAllowed
from app.pagination import Page, page_number
from app.queue.states import CLOCK_RUNNING_STATES, OPEN_STATES, State
from app.text import escape_like

PER_PAGE = 25
OPEN = tuple(sorted(int(s) for s in OPEN_STATES))
CLOCK_RUNNING = tuple(sorted(int(s) for s in CLOCK_RUNNING_STATES))


def departments_of(session: Session, user: User) -> list[Department]:
    """The departments whose work this user may see: their seats, or every one for admins."""
    if user.is_admin:
        stmt = select(Department).where(Department.active.is_(True))
    else:
        stmt = (select(Department).join(OfficerMembership)
                .where(OfficerMembership.user_id == user.id, Department.active.is_(True)))
    return list(session.scalars(stmt.order_by(Department.name_vi)).unique())


def has_receipt(session: Session, case: Case) -> bool:
    """A dossier received at the desk (or later) has a printable receipt (Mẫu 01)."""
    from app.models import Dossier

    return (case.case_type == "dossier" and case.state not in (1, 3)
            and session.get(Dossier, case.id) is not None)


def seated_in(session: Session, user: User) -> set[int]:
    """Departments where the user holds a desk seat: the only queues they can claim from (an
    administrator sees every queue but claims from none without a seat)."""
    return set(session.scalars(select(OfficerMembership.department_id)
                               .where(OfficerMembership.user_id == user.id)))


def leads(session: Session, user: User, department_id: int) -> bool:
    if user.is_admin:
        return True
    department = session.get(Department, department_id)
    if department is not None and department.leader_id == user.id:
        return True
    return session.scalar(select(OfficerMembership.id).where(
        OfficerMembership.user_id == user.id, OfficerMembership.department_id == department_id,
        OfficerMembership.desk == "leader")) is not None


def membership_in(session: Session, user: User, department_id: int) -> OfficerMembership | None:
    return session.scalar(select(OfficerMembership).where(
        OfficerMembership.user_id == user.id, OfficerMembership.department_id == department_id))


def require_department(session: Session, user: User, department_id: int) -> Department:
    allowed = {d.id: d for d in departments_of(session, user)}
    if department_id not in allowed:
        raise NotAllowed("not an officer of this department")
    return allowed[department_id]


def case_for(session: Session, user: User, case_id: int) -> Case | None:
    """The case if this officer may see it (their department, their assignment, or admin)."""
    case = session.get(Case, case_id)
    if case is None:
        return None
    if user.is_admin or case.assignee_id == user.id:
        return case
    if membership_in(session, user, case.department_id) or leads(session, user, case.department_id):
        return case
    raise NotAllowed("not an officer of this case's department")


@dataclass
class QueueFilters:
    state: int | None = None
    band: str | None = None          # overdue | almost | on_time
    category: str | None = None
    unit_id: int | None = None
    assignment: str = "all"          # all | unassigned | mine
    q: str = ""


def _band_clause(band: str, now: datetime, limit: datetime):
    running = Case.state.in_(CLOCK_RUNNING)
    if band == "overdue":
        return and_(running, Case.due_at < now)
    if band == "almost":
        return and_(running, Case.due_at >= now, Case.due_at <= limit)
    if band == "on_time":
        return and_(Case.state.in_(OPEN), ~and_(running, Case.due_at <= limit))
    return None


def queue_page(session: Session, department_id: int, filters: QueueFilters, page: int, *,
               now: datetime, almost_limit: datetime, user: User) -> Page:
    """Open cases of one department, in claim order (due first), filtered and paginated."""
    conditions = [Case.department_id == department_id, Case.state.in_(OPEN)]
    if filters.state in OPEN:
        conditions = [Case.department_id == department_id, Case.state == filters.state]
    if filters.band in ("overdue", "almost", "on_time"):
        conditions.append(_band_clause(filters.band, now, almost_limit))
    if filters.category:
        conditions.append(Case.category == filters.category)
    if filters.unit_id:
        conditions.append(Case.unit_id == filters.unit_id)
    if filters.assignment == "unassigned":
        conditions.append(Case.assignee_id.is_(None))
    elif filters.assignment == "mine":
        conditions.append(Case.assignee_id == user.id)
    if filters.q:
        conditions.append(Case.code.ilike(f"%{escape_like(filters.q.strip())}%", escape="\\"))
    total = session.scalar(select(func.count(Case.id)).where(*conditions)) or 0
    page, pages = page_number(page, total, PER_PAGE)
    items = session.scalars(
        select(Case).where(*conditions)
        .options(joinedload(Case.assignee), joinedload(Case.unit))
        .order_by(Case.due_at, Case.priority.desc(), Case.received_at, Case.id)
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return Page(list(items), page, pages, total)


def my_cases(session: Session, user: User) -> list[Case]:
    return list(session.scalars(
        select(Case).where(Case.assignee_id == user.id, Case.state.in_(OPEN + (State.DONE,)))
        .options(joinedload(Case.department), joinedload(Case.unit))
        .order_by(Case.due_at, Case.priority.desc(), Case.id)).all())


def timeline(session: Session, case: Case) -> list[CaseEvent]:
    return list(session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id)
        .options(joinedload(CaseEvent.actor)).order_by(CaseEvent.at, CaseEvent.id)).all())


def due_band(case: Case, now: datetime, almost_limit: datetime) -> str | None:
    if case.state not in CLOCK_RUNNING:
        return None
    if case.due_at < now:
        return "overdue"
    if case.due_at <= almost_limit:
        return "almost"
    return "on_time"


@dataclass
class OfficerLoad:
    membership: OfficerMembership
    open_cases: int
    overdue: int


def department_load(session: Session, department_id: int, now: datetime) -> list[OfficerLoad]:
    """Open and overdue cases per officer of the department, in one grouped query."""
    memberships = session.scalars(
        select(OfficerMembership).where(OfficerMembership.department_id == department_id)
        .options(joinedload(OfficerMembership.user), selectinload(OfficerMembership.skills))
        .order_by(OfficerMembership.desk, OfficerMembership.id)).all()
    counts = {row.assignee_id: row for row in session.execute(
        select(Case.assignee_id, func.count(Case.id).label("open_cases"),
               func.sum(sql_case((and_(Case.state.in_(CLOCK_RUNNING), Case.due_at < now), 1),
                                 else_=0)).label("overdue"))
        .where(Case.department_id == department_id, Case.state.in_(OPEN),
               Case.assignee_id.is_not(None))
        .group_by(Case.assignee_id))}
    return [OfficerLoad(m, counts[m.user_id].open_cases if m.user_id in counts else 0,
                        int(counts[m.user_id].overdue or 0) if m.user_id in counts else 0)
            for m in memberships]


def overdue_cases(session: Session, department_id: int, now: datetime, limit: int = 50) -> list[Case]:
    return list(session.scalars(
        select(Case).where(Case.department_id == department_id, Case.state.in_(CLOCK_RUNNING),
                           Case.due_at < now)
        .options(joinedload(Case.assignee)).order_by(Case.due_at, Case.id).limit(limit)).all())


def awaiting_leader(session: Session, department_id: int) -> list[Case]:
    """Approvals and apology letters waiting for the department's leader."""
    return list(session.scalars(
        select(Case).where(Case.department_id == department_id, Case.state.in_(OPEN),
                           (Case.pending_approval.is_(True))
                           | (Case.apology_due_at.is_not(None) & Case.apology_approved_at.is_(None)))
        .options(joinedload(Case.assignee)).order_by(Case.due_at, Case.id)).all())


def units_in_queue(session: Session, department_id: int) -> list[AdminUnit]:
    return list(session.scalars(
        select(AdminUnit).where(AdminUnit.id.in_(
            select(Case.unit_id).where(Case.department_id == department_id).distinct()))
        .order_by(AdminUnit.name_vi)).all())


def other_departments(session: Session, case: Case) -> list[Department]:
    """Where a transfer may go: active departments that take this case type."""
    return [d for d in session.scalars(
        select(Department).where(Department.active.is_(True), Department.id != case.department_id)
        .order_by(Department.name_vi)).all() if d.accepts(case.case_type)]


@dataclass
class ApologyLetter:
    """What the Phiếu xin lỗi và hẹn lại ngày trả kết quả says, read from the event log."""

    old_due_at: datetime
    new_due_at: datetime
    reason: str | None
    requested_by: User | None
    approved_by: User | None
    approved_at: datetime


def apology_letter(session: Session, case: Case) -> ApologyLetter | None:
    if case.apology_approved_at is None:
        return None
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id,
                                CaseEvent.action.in_(("request_apology", "approve_apology")))
        .options(joinedload(CaseEvent.actor)).order_by(CaseEvent.id)).all()
    approved = next((e for e in reversed(events) if e.action == "approve_apology"), None)
    requested = next((e for e in reversed(events) if e.action == "request_apology"
                      and approved is not None and e.id < approved.id), None)
    if approved is None:
        return None
    data = approved.data or {}
    return ApologyLetter(
        old_due_at=datetime.fromisoformat(data["old_due_at"]) if data.get("old_due_at") else case.due_at,
        new_due_at=case.due_at, reason=requested.note if requested else None,
        requested_by=requested.actor if requested else None, approved_by=approved.actor,
        approved_at=case.apology_approved_at)
