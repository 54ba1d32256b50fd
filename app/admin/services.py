"""Administration rules: the unit tree, departments, officers and their seats, routing rules and
the calendar days an administrator adds.

Every function that writes is one `write_transaction` (app/db.py): it commits everything it did
when it returns, or rolls back and raises AdminError(code, field), which the web layer turns
into a message next to the field.
No Flask here, so the rules can be tested and scripted without a request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Callable, Iterable, Sequence, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from app.db import write_transaction
from app.pagination import Page, page_of_list as _page_of_list, page_of_query as _page_of_query
from app.queue.categories import CATEGORIES
from app.queue.claims import hand_back_on_leave
from app.models import (CASE_TYPES, AdminUnit, CalendarDay, Case, Department, OfficerMembership,
                        OfficerSkill, Procedure, Role, RoutingRule, User, utcnow)
from app.models.departments import DESKS
from app.models.units import PARENT_LEVEL, UnitLevel
from app.queue.calendar import local_day, public_holidays
from app.queue.states import OPEN_STATES
from app.refusals import Refusal
from app.text import fold, normalize_phone, vietnamese_sort_key

PAGE_SIZE = 50
# The accounts this area manages: staff other than administrators (app.models.users.STAFF_ROLES
# also counts admins, who are managed with `flask create-admin`).
MANAGED_ROLES = (Role.OFFICER.value, Role.LEADER.value)
CALENDAR_KINDS = ("holiday", "makeup")
RULE_MODES = ("assign", "pull")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")



class AdminError(Refusal):
    """A rule refused the request; `field` names the form field to blame, `code` the reason."""


F = TypeVar("F", bound=Callable)
T = TypeVar("T")


def transaction(fn: F) -> F:
    """Run the rule in one write_transaction: opened for writing before the first read
    (SQLite's BEGIN IMMEDIATE), committed when it returns, rolled back if it raises, so a
    refusal leaves nothing behind."""
    @wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        with write_transaction(session):
            return fn(session, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _flush(session: Session, code: str, field: str | None) -> None:
    """Write now, so a unique constraint that lost a race becomes the same error a check would
    give (the transaction then rolls back)."""
    try:
        session.flush()
    except IntegrityError:
        raise AdminError(code, field) from None


def local_today(now: datetime | None = None) -> date:
    return local_day(now or utcnow())


def categories() -> frozenset[str]:
    """Case category keys, which are also officers' skills (names: app/labels.py)."""
    return frozenset(CATEGORIES)


# -- pages ---------------------------------------------------------------------------------

def page_of_query(session: Session, stmt: Select, page: int | None, size: int = PAGE_SIZE) -> Page:
    return _page_of_query(session, stmt, page, size)


def page_of_list(items: Sequence[T], page: int | None, size: int = PAGE_SIZE) -> Page[T]:
    return _page_of_list(items, page, size)


# -- shared checks -------------------------------------------------------------------------

def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _names(name_vi: str | None, name_en: str | None) -> tuple[str, str]:
    vi, en = _clean(name_vi), _clean(name_en)
    if not vi:
        raise AdminError("name_vi_required", "name_vi")
    if not en:
        raise AdminError("name_en_required", "name_en")
    return vi, en


def _code(value: str | None, max_length: int) -> str:
    code = (value or "").strip()
    if not code:
        raise AdminError("code_required", "code")
    if len(code) > max_length or not _CODE.match(code):
        raise AdminError("bad_code", "code")
    return code


def _unit(session: Session, unit_id: int | None, levels: Iterable[str], code: str,
          field: str) -> AdminUnit:
    unit = session.get(AdminUnit, unit_id) if unit_id else None
    if unit is None or unit.level not in set(levels):
        raise AdminError(code, field)
    return unit


# -- overview ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    provinces: int
    communes: int
    villages: int
    departments: int
    active_departments: int
    officers: int
    rules: int
    active_rules: int
    upcoming_days: int


def overview(session: Session, today: date | None = None) -> Overview:
    today = today or local_today()
    by_level = dict(session.execute(
        select(AdminUnit.level, func.count(AdminUnit.id)).group_by(AdminUnit.level)).all())
    count = lambda stmt: session.scalar(stmt) or 0  # noqa: E731
    return Overview(
        provinces=by_level.get("province", 0), communes=by_level.get("commune", 0),
        villages=by_level.get("village", 0),
        departments=count(select(func.count(Department.id))),
        active_departments=count(select(func.count(Department.id)).where(Department.active)),
        officers=count(select(func.count(User.id)).where(User.role.in_(MANAGED_ROLES))),
        rules=count(select(func.count(RoutingRule.id))),
        active_rules=count(select(func.count(RoutingRule.id)).where(RoutingRule.active)),
        upcoming_days=count(select(func.count(CalendarDay.id)).where(CalendarDay.day >= today)),
    )


# -- administrative units ------------------------------------------------------------------

@dataclass(frozen=True)
class UnitTree:
    provinces: list[AdminUnit]
    communes: Page[AdminUnit]                  # the communes on this page, in code order
    villages: dict[int, list[AdminUnit]]       # commune id -> its villages

    def communes_of(self, province: AdminUnit) -> list[AdminUnit]:
        return [c for c in self.communes.items if c.parent_id == province.id]


def unit_tree(session: Session, page: int | None) -> UnitTree:
    """Provinces, then a page of communes (in official code order) with all their villages."""
    provinces = session.scalars(select(AdminUnit).where(AdminUnit.level == "province")
                                .order_by(AdminUnit.code)).all()
    parent = aliased(AdminUnit)
    communes = page_of_query(
        session,
        select(AdminUnit).join(parent, parent.id == AdminUnit.parent_id)
        .where(AdminUnit.level == "commune").order_by(parent.code, AdminUnit.code),
        page)
    villages: dict[int, list[AdminUnit]] = {c.id: [] for c in communes.items}
    if villages:
        for village in session.scalars(select(AdminUnit).where(
                AdminUnit.level == "village", AdminUnit.parent_id.in_(list(villages)))
                .order_by(AdminUnit.code)):
            villages[village.parent_id].append(village)
    return UnitTree(list(provinces), communes, villages)


def parent_units(session: Session) -> list[AdminUnit]:
    """Units that can have children (provinces and communes), province first, in code order."""
    units = session.scalars(select(AdminUnit).where(AdminUnit.level.in_(("province", "commune")))
                            .order_by(AdminUnit.code)).all()
    return sorted(units, key=lambda u: (u.level != "province", u.code))


@transaction
def add_unit(session: Session, *, level: str, parent_id: int | None, code: str | None,
             name_vi: str | None, name_en: str | None) -> AdminUnit:
    """A commune under a province, or a village under a commune."""
    if level not in (UnitLevel.COMMUNE.value, UnitLevel.VILLAGE.value):
        raise AdminError("bad_level", "level")
    parent = session.get(AdminUnit, parent_id) if parent_id else None
    if parent is None:
        raise AdminError("parent_required", "parent_id")
    if parent.level != PARENT_LEVEL[UnitLevel(level)].value:
        raise AdminError("commune_parent" if level == "commune" else "village_parent", "parent_id")
    code = _code(code, 20)
    vi, en = _names(name_vi, name_en)
    if session.scalar(select(AdminUnit.id).where(AdminUnit.code == code)):
        raise AdminError("duplicate_unit_code", "code")
    unit = AdminUnit(code=code, level=level, name_vi=vi, name_en=en, parent_id=parent.id)
    session.add(unit)
    _flush(session, "duplicate_unit_code", "code")
    return unit


@transaction
def rename_unit(session: Session, unit_id: int, *, name_vi: str | None,
                name_en: str | None) -> AdminUnit:
    unit = session.get(AdminUnit, unit_id)
    if unit is None:
        raise AdminError("unknown_unit")
    unit.name_vi, unit.name_en = _names(name_vi, name_en)
    return unit


# -- departments ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DepartmentData:
    unit_id: int | None
    code: str | None
    name_vi: str | None
    name_en: str | None
    case_types: Sequence[str]
    leader_id: int | None = None
    active: bool = True


def department_units(session: Session) -> list[AdminUnit]:
    """A department belongs to the province or to a commune."""
    return parent_units(session)


def leader_candidates(session: Session) -> list[User]:
    users = session.scalars(select(User).where(User.role.in_(MANAGED_ROLES), User.active)).all()
    return sorted(users, key=lambda u: vietnamese_sort_key(u.full_name))


def departments_page(session: Session, unit_id: int | None, page: int | None) -> Page[Department]:
    stmt = (select(Department).join(Department.unit)
            .options(selectinload(Department.unit), selectinload(Department.leader))
            .order_by(AdminUnit.code, Department.code))
    if unit_id:
        stmt = stmt.where(Department.unit_id == unit_id)
    return page_of_query(session, stmt, page)


def all_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).join(Department.unit)
                                .options(selectinload(Department.unit))
                                .order_by(AdminUnit.code, Department.code)))


def member_counts(session: Session, department_ids: Iterable[int]) -> dict[int, int]:
    ids = list(department_ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(OfficerMembership.department_id, func.count(OfficerMembership.id))
        .where(OfficerMembership.department_id.in_(ids))
        .group_by(OfficerMembership.department_id)).all())


def _rules_to(session: Session, department_id: int) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).where(
        RoutingRule.department_id == department_id, RoutingRule.active)))


@transaction
def save_department(session: Session, data: DepartmentData,
                    department_id: int | None = None) -> Department:
    department = None
    if department_id is not None:
        department = session.get(Department, department_id)
        if department is None:
            raise AdminError("unknown_department")
    unit = _unit(session, data.unit_id, ("province", "commune"), "department_unit", "unit_id")
    code = _code(data.code, 30)
    vi, en = _names(data.name_vi, data.name_en)
    types = [t for t in CASE_TYPES if t in set(data.case_types)]
    if not types or set(data.case_types) - set(CASE_TYPES):
        raise AdminError("case_types_required", "case_types")
    leader_id = data.leader_id or None
    if leader_id is not None:
        leader = session.get(User, leader_id)
        if leader is None or leader.role not in MANAGED_ROLES or not leader.active:
            raise AdminError("bad_leader", "leader_id")
    duplicate = select(Department.id).where(Department.code == code)
    if department is not None:
        duplicate = duplicate.where(Department.id != department.id)
    if session.scalar(duplicate):
        raise AdminError("duplicate_department_code", "code")
    if department is not None:
        # Routing must keep working: a rule may not be left pointing at a department that
        # no longer takes its cases, or that is switched off.
        rules = _rules_to(session, department.id)
        if rules and not data.active:
            raise AdminError("department_in_use", "active")
        if any(rule.case_type not in types for rule in rules):
            raise AdminError("case_types_in_use", "case_types")
        if any(rule.unit is not None and unit.id not in {u.id for u in rule.unit.ancestors()}
               for rule in rules):
            raise AdminError("rules_stay_with_unit", "unit_id")
    else:
        department = Department()
        session.add(department)
    department.unit_id = unit.id
    department.code = code
    department.name_vi, department.name_en = vi, en
    department.case_types = ",".join(types)
    department.leader_id = leader_id
    department.active = bool(data.active)
    _flush(session, "duplicate_department_code", "code")
    return department


# -- officers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfficerData:
    full_name: str | None
    email: str | None
    phone: str | None
    role: str
    password: str
    unit_id: int | None


def officers_page(session: Session, query: str | None, page: int | None) -> Page[User]:
    """Officers and leaders, sorted the Vietnamese way; `query` matches name, email or phone
    without accents ('nguyen' finds 'Nguyễn')."""
    users = session.scalars(select(User).where(User.role.in_(MANAGED_ROLES))
                            .options(selectinload(User.commune))).all()
    needle = fold(query or "")
    if needle:
        users = [u for u in users
                 if needle in fold(" ".join(filter(None, (u.full_name, u.email, u.phone))))]
    users = sorted(users, key=lambda u: vietnamese_sort_key(u.full_name))
    return page_of_list(users, page)


def memberships_of(session: Session, user_ids: Iterable[int]) -> dict[int, list[OfficerMembership]]:
    ids = list(user_ids)
    grouped: dict[int, list[OfficerMembership]] = {i: [] for i in ids}
    if ids:
        for m in session.scalars(select(OfficerMembership)
                                 .where(OfficerMembership.user_id.in_(ids))
                                 .options(selectinload(OfficerMembership.department)
                                          .selectinload(Department.unit),
                                          selectinload(OfficerMembership.skills))
                                 .order_by(OfficerMembership.id)):
            grouped[m.user_id].append(m)
    return grouped


def get_officer(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.role in MANAGED_ROLES else None


@transaction
def create_officer(session: Session, data: OfficerData) -> User:
    """An officer or leader account, through the same rules as every staff account."""
    from app.auth.services import AccountError, create_staff

    full_name = _clean(data.full_name)
    if not full_name:
        raise AdminError("full_name_required", "full_name")
    if data.role not in MANAGED_ROLES:
        raise AdminError("bad_role", "role")
    if data.phone and not normalize_phone(data.phone):
        raise AdminError("bad_phone", "phone")
    unit = _unit(session, data.unit_id, ("province", "commune"), "home_unit", "unit_id")
    try:
        return create_staff(session, full_name=full_name, password=data.password, role=data.role,
                            email=data.email or None, phone=data.phone or None,
                            commune_id=unit.id)
    except AccountError as error:
        raise AdminError(error.code, error.field) from None
    except IntegrityError:
        # Two administrators created the same account at once; the database decided.
        raise AdminError("email_taken" if data.email else "phone_taken",
                         "email" if data.email else "phone") from None


@dataclass(frozen=True)
class MembershipData:
    desk: str
    skills: Sequence[str] = ()
    on_duty: bool = True
    leave_from: date | None = None
    leave_until: date | None = None
    department_id: int | None = None  # only when adding; a seat does not move departments


@dataclass(frozen=True)
class LeaveOutcome:
    """What saving a seat did about leave: whether it starts now, and how many open cases went
    back to the queue (None when the queue cannot hand them back yet)."""

    on_leave_now: bool = False
    handed_back: int = 0


def _check_seat(data: MembershipData) -> list[str]:
    if data.desk not in DESKS:
        raise AdminError("bad_desk", "desk")
    known = categories()
    if any(skill not in known for skill in data.skills):
        raise AdminError("bad_skill", "skills")
    if data.leave_until is not None and data.leave_from is None:
        raise AdminError("leave_until_alone", "leave_from")
    if data.leave_from and data.leave_until and data.leave_until < data.leave_from:
        raise AdminError("leave_order", "leave_until")
    return [code for code in known if code in set(data.skills)]


def _fill_seat(membership: OfficerMembership, data: MembershipData, skills: list[str]) -> None:
    membership.desk = data.desk
    membership.on_duty = bool(data.on_duty)
    membership.leave_from = data.leave_from
    membership.leave_until = data.leave_until
    current = {s.skill: s for s in membership.skills}
    membership.skills = [current.get(code) or OfficerSkill(skill=code) for code in skills]


@transaction
def add_membership(session: Session, user_id: int, data: MembershipData) -> OfficerMembership:
    user = get_officer(session, user_id)
    if user is None:
        raise AdminError("unknown_officer")
    department = session.get(Department, data.department_id) if data.department_id else None
    if department is None:
        raise AdminError("department_required", "department_id")
    if not department.active:
        raise AdminError("department_inactive", "department_id")
    skills = _check_seat(data)
    if session.scalar(select(OfficerMembership.id).where(
            OfficerMembership.user_id == user.id,
            OfficerMembership.department_id == department.id)):
        raise AdminError("already_member", "department_id")
    membership = OfficerMembership(user_id=user.id, department_id=department.id)
    _fill_seat(membership, data, skills)
    session.add(membership)
    _flush(session, "already_member", "department_id")
    return membership


@transaction
def update_membership(session: Session, membership_id: int, data: MembershipData,
                      now: datetime | None = None) -> LeaveOutcome:
    """Desk, skills, duty and leave. Leave that has already started hands back open cases in
    the same transaction, so nobody's work waits behind someone who is away."""
    now = now or utcnow()
    membership = session.get(OfficerMembership, membership_id)
    if membership is None:
        raise AdminError("unknown_membership")
    skills = _check_seat(data)
    _fill_seat(membership, data, skills)
    outcome = LeaveOutcome()
    if membership.on_leave(local_today(now)):
        # The queue joins this transaction: the leave dates and the cases handed back are
        # committed together, by this function's transaction, or not at all.
        outcome = LeaveOutcome(True, hand_back_on_leave(session, membership.id, now))
    return outcome


@transaction
def toggle_duty(session: Session, membership_id: int) -> OfficerMembership:
    membership = session.get(OfficerMembership, membership_id)
    if membership is None:
        raise AdminError("unknown_membership")
    membership.on_duty = not membership.on_duty
    return membership


def open_cases_held(session: Session, membership: OfficerMembership) -> int:
    """Cases the officer still owes work on in that department: removing the seat would
    strand them."""
    return session.scalar(select(func.count(Case.id)).where(
        Case.assignee_id == membership.user_id, Case.department_id == membership.department_id,
        Case.state.in_([int(s) for s in OPEN_STATES]))) or 0


@transaction
def remove_membership(session: Session, membership_id: int) -> OfficerMembership:
    membership = session.get(OfficerMembership, membership_id)
    if membership is None:
        raise AdminError("unknown_membership")
    if open_cases_held(session, membership):
        raise AdminError("holds_cases")
    session.delete(membership)
    return membership


# -- routing rules -------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleData:
    case_type: str
    department_id: int | None
    procedure_id: int | None = None
    category: str | None = None
    unit_id: int | None = None
    mode: str = "assign"
    active: bool = True


@dataclass(frozen=True)
class RuleFilters:
    case_type: str | None = None
    unit_id: int | None = None
    department_id: int | None = None
    status: str | None = None  # "active" | "inactive" | None for both

    def as_args(self) -> dict[str, str | int]:
        args = {"case_type": self.case_type, "unit": self.unit_id,
                "department": self.department_id, "status": self.status}
        return {k: v for k, v in args.items() if v}


def rules_page(session: Session, filters: RuleFilters, page: int | None) -> Page[RoutingRule]:
    stmt = (select(RoutingRule).join(RoutingRule.department)
            .options(selectinload(RoutingRule.department).selectinload(Department.unit),
                     selectinload(RoutingRule.unit))
            .order_by(RoutingRule.case_type, Department.code, RoutingRule.id))
    if filters.case_type:
        stmt = stmt.where(RoutingRule.case_type == filters.case_type)
    if filters.unit_id:
        stmt = stmt.where(RoutingRule.unit_id == filters.unit_id)
    if filters.department_id:
        stmt = stmt.where(RoutingRule.department_id == filters.department_id)
    if filters.status == "active":
        stmt = stmt.where(RoutingRule.active)
    elif filters.status == "inactive":
        stmt = stmt.where(RoutingRule.active.is_(False))
    return page_of_query(session, stmt, page)


def _check_rule(session: Session, data: RuleData, rule_id: int | None) -> Department:
    if data.case_type not in CASE_TYPES:
        raise AdminError("bad_case_type", "case_type")
    if data.procedure_id is not None and (
            data.procedure_id < 1 or session.get(Procedure, data.procedure_id) is None):
        raise AdminError("bad_procedure", "procedure_id")
    if data.category and data.category not in categories():
        raise AdminError("bad_category", "category")
    unit = None
    if data.unit_id:
        unit = session.get(AdminUnit, data.unit_id)
        if unit is None:
            raise AdminError("bad_rule_unit", "unit_id")
    department = session.get(Department, data.department_id) if data.department_id else None
    if department is None:
        raise AdminError("department_required", "department_id")
    if data.active and not department.active:
        raise AdminError("department_inactive", "department_id")
    if not department.accepts(data.case_type):
        raise AdminError("department_refuses", "department_id")
    if unit is not None and department.unit_id not in {u.id for u in unit.ancestors()}:
        raise AdminError("department_elsewhere", "department_id")
    if data.mode not in RULE_MODES:
        raise AdminError("bad_mode", "mode")
    if data.active:
        same = select(RoutingRule.id).where(
            RoutingRule.active, RoutingRule.case_type == data.case_type,
            _is(RoutingRule.procedure_id, data.procedure_id),
            _is(RoutingRule.category, data.category or None),
            _is(RoutingRule.unit_id, data.unit_id or None))
        if rule_id is not None:
            same = same.where(RoutingRule.id != rule_id)
        if session.scalar(same):
            raise AdminError("duplicate_rule", "case_type")
    return department


def _is(column, value):
    return column.is_(None) if value is None else column == value


@transaction
def save_rule(session: Session, data: RuleData, rule_id: int | None = None) -> RoutingRule:
    rule = None
    if rule_id is not None:
        rule = session.get(RoutingRule, rule_id)
        if rule is None:
            raise AdminError("unknown_rule")
    department = _check_rule(session, data, rule_id)
    if rule is None:
        rule = RoutingRule()
        session.add(rule)
    rule.case_type = data.case_type
    rule.procedure_id = data.procedure_id
    rule.category = data.category or None
    rule.unit_id = data.unit_id or None
    rule.department_id = department.id
    rule.mode = data.mode
    rule.active = bool(data.active)
    return rule


@transaction
def set_rule_active(session: Session, rule_id: int, active: bool) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise AdminError("unknown_rule")
    if active:
        # Switching a rule back on must still make sense today.
        _check_rule(session, RuleData(
            case_type=rule.case_type, department_id=rule.department_id,
            procedure_id=rule.procedure_id, category=rule.category, unit_id=rule.unit_id,
            mode=rule.mode, active=True), rule.id)
    rule.active = active
    return rule


# -- calendar ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CalendarLists:
    upcoming: list[CalendarDay]
    past: Page[CalendarDay]


def calendar_lists(session: Session, today: date, page: int | None) -> CalendarLists:
    upcoming = session.scalars(select(CalendarDay).where(CalendarDay.day >= today)
                               .order_by(CalendarDay.day)).all()
    past = page_of_query(session, select(CalendarDay).where(CalendarDay.day < today)
                         .order_by(CalendarDay.day.desc()), page)
    return CalendarLists(list(upcoming), past)


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str


@dataclass(frozen=True)
class HolidayYear:
    year: int
    days: list[PublicHoliday] = field(default_factory=list)


def known_public_holidays(years: Iterable[int], lang: str) -> list[HolidayYear]:
    """The public holidays the calendar already knows, named in the page's language when the
    `holidays` package has the name (it does for vi and en)."""
    result = []
    for year in years:
        names: dict[date, str] = {}
        try:
            import holidays

            names = dict(holidays.country_holidays(
                "VN", years=year, language="en_US" if lang == "en" else "vi"))
        except Exception:  # noqa: BLE001 - names are a courtesy; the dates are what matter
            names = {}
        result.append(HolidayYear(year, [PublicHoliday(d, names.get(d, ""))
                                         for d in sorted(public_holidays(year))]))
    return result


@transaction
def add_calendar_day(session: Session, *, day: date | None, kind: str, name_vi: str | None,
                     name_en: str | None) -> CalendarDay:
    if day is None:
        raise AdminError("day_required", "day")
    if kind not in CALENDAR_KINDS:
        raise AdminError("bad_kind", "kind")
    vi, en = _names(name_vi, name_en)
    if session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)):
        raise AdminError("duplicate_day", "day")
    public = day in public_holidays(day.year)
    if kind == "holiday":
        if public:
            raise AdminError("already_public_holiday", "day")
        if day.weekday() >= 5:
            raise AdminError("holiday_on_weekend", "day")
    elif not public and day.weekday() < 5:
        raise AdminError("makeup_on_working_day", "day")
    entry = CalendarDay(day=day, kind=kind, name_vi=vi, name_en=en)
    session.add(entry)
    _flush(session, "duplicate_day", "day")
    return entry


@transaction
def delete_calendar_day(session: Session, day_id: int) -> CalendarDay:
    entry = session.get(CalendarDay, day_id)
    if entry is None:
        raise AdminError("unknown_day")
    session.delete(entry)
    return entry
