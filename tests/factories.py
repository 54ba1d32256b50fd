"""Test data factories: the smallest valid rows, with anything a test cares about as a keyword.

Every factory adds to the session and flushes (so ids exist) but never commits: the test
decides when its set-up is done. Codes, phones and e-mails come from one counter, so factories
can be called any number of times in one database without clashing.

    dept = make_department(session, case_types="dossier,petition")
    officer = make_officer(session, dept, desk="specialist", skills=["civil_status"])
    case = make_case(session, dept, state=4, assignee=officer)
    session.commit()
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy.orm import Session

from app.models import (AdminUnit, Case, Department, OfficerMembership, OfficerSkill, Role,
                        User)

_seq = itertools.count(1)

# A fixed, plausible moment (a Monday morning in Hanoi, 01:00 UTC) so date arithmetic in tests
# is reproducible; pass received_at/due_at to choose another.
DEFAULT_RECEIVED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
# Not a valid Argon2 hash on purpose: factory users cannot log in unless given a password.
UNUSABLE_PASSWORD = "!factory"


def _next() -> int:
    return next(_seq)


def make_unit(session: Session, *, level: str = "commune", parent: AdminUnit | None = None,
              name_vi: str | None = None, name_en: str | None = None) -> AdminUnit:
    n = _next()
    unit = AdminUnit(code=f"T{n:05d}", level=level, parent=parent,
                     name_vi=name_vi or f"Xã Thử {n}", name_en=name_en or f"Test Commune {n}")
    session.add(unit)
    session.flush()
    return unit


def make_user(session: Session, *, role: str | Role = Role.RESIDENT, full_name: str | None = None,
              phone: str | None = None, email: str | None = None, password: str | None = None,
              active: bool = True, commune: AdminUnit | None = None) -> User:
    """Any account. Residents get a phone, staff an e-mail, unless told otherwise."""
    n = _next()
    role = Role(role).value
    if phone is None and email is None:
        if role == Role.RESIDENT.value:
            phone = f"09{n:08d}"
        else:
            email = f"user{n}@factory.test"
    if password is None:
        password_hash = UNUSABLE_PASSWORD
    else:
        from app.passwords import hash_password

        password_hash = hash_password(password)
    user = User(full_name=full_name or f"Người Thử {n}", phone=phone, email=email, role=role,
                password_hash=password_hash, active=active,
                commune_id=commune.id if commune is not None else None)
    session.add(user)
    session.flush()
    return user


def make_resident(session: Session, **kwargs) -> User:
    return make_user(session, role=Role.RESIDENT, **kwargs)


def make_department(session: Session, unit: AdminUnit | None = None, *,
                    case_types: str | Iterable[str] = "dossier", leader: User | None = None,
                    active: bool = True, code: str | None = None, name_vi: str | None = None,
                    name_en: str | None = None) -> Department:
    """A department (in a fresh commune unless `unit` is given). `leader` only sets leader_id;
    use make_officer(..., desk="leader") for a leader who also holds a desk seat."""
    if unit is None:
        unit = make_unit(session)
    if not isinstance(case_types, str):
        case_types = ",".join(case_types)
    n = _next()
    dept = Department(unit_id=unit.id, code=code or f"D{n:05d}", case_types=case_types,
                      name_vi=name_vi or f"Phòng thử {n}", name_en=name_en or f"Test dept {n}",
                      leader_id=leader.id if leader is not None else None, active=active)
    session.add(dept)
    session.flush()
    return dept


def make_officer(session: Session, department: Department, *, desk: str = "specialist",
                 skills: Iterable[str] = (), role: str | Role | None = None,
                 on_duty: bool = True, leave_from=None, leave_until=None,
                 last_assigned_at: datetime | None = None, lead: bool = False,
                 **user_kwargs) -> User:
    """A staff account with a seat at `desk` in `department`, holding `skills`.

    Role defaults to "leader" for the leader desk and "officer" otherwise. `lead=True` also
    makes them the department's leader (departments.leader_id).
    """
    if role is None:
        role = Role.LEADER if desk == "leader" else Role.OFFICER
    user = make_user(session, role=role, **user_kwargs)
    membership = OfficerMembership(user_id=user.id, department_id=department.id, desk=desk,
                                   on_duty=on_duty, leave_from=leave_from,
                                   leave_until=leave_until, last_assigned_at=last_assigned_at)
    membership.skills = [OfficerSkill(skill=s) for s in skills]
    session.add(membership)
    if lead:
        department.leader_id = user.id
    session.flush()
    return user


def make_case(session: Session, department: Department, *, state: int = 1,
              assignee: User | None = None, applicant: User | None = None,
              case_type: str = "dossier", category: str = "civil_status",
              received_at: datetime | None = None, due_at: datetime | None = None,
              sla_days: int = 5, unit: AdminUnit | None = None, code: str | None = None,
              title: str | None = None, **fields) -> Case:
    """A case in `department`, in `state`, with no history (no events) behind it.

    due_at defaults to received_at + sla_days calendar days (good enough for tests that do not
    test the calendar). Any other Case column can be passed as a keyword (priority,
    requires_approval, pending_approval, paused_at, finished_at, lease_until, ...).
    """
    n = _next()
    received_at = received_at or DEFAULT_RECEIVED_AT
    if due_at is None:
        due_at = received_at + timedelta(days=sla_days)
    case = Case(code=code or f"T-{n:06d}", case_type=case_type, category=category,
                title=title or f"Hồ sơ thử {n}",
                unit_id=(unit.id if unit is not None else department.unit_id),
                department_id=department.id,
                assignee_id=assignee.id if assignee is not None else None,
                applicant_id=applicant.id if applicant is not None else None,
                state=state, sla_days=sla_days, received_at=received_at, due_at=due_at,
                **fields)
    session.add(case)
    session.flush()
    return case


def make_procedure_field(session: Session, *, code: str | None = None,
                         name_vi: str | None = None, name_en: str | None = None):
    from app.models import ProcedureField

    n = _next()
    field = ProcedureField(code=code or f"linh-vuc-{n}", name_vi=name_vi or f"Lĩnh vực thử {n}",
                           name_en=name_en or f"Test field {n}")
    session.add(field)
    session.flush()
    return field


def make_procedure(session: Session, field=None, *, code: str | None = None,
                   name_vi: str | None = None, name_en: str | None = None, **values):
    """A commune procedure, free at the desk, same day, its search text kept in step the way
    the catalogue's services keep it. Any other Procedure column can be passed by keyword."""
    from app.models import Procedure
    from app.procedures.services import search_text

    n = _next()
    field = field or make_procedure_field(session)
    defaults = dict(level="commune", agency_vi="Ủy ban nhân dân cấp xã",
                    agency_en="Commune People's Committee", processing_days=0,
                    online_level="partial", fee_in_person=0, form_schema=[])
    procedure = Procedure(code=code or f"9.{n:06d}", name_vi=name_vi or f"Thủ tục thử {n}",
                          name_en=name_en or f"Test procedure {n}", field=field,
                          **{**defaults, **values})
    procedure.search_text = search_text(procedure, field)
    session.add(procedure)
    session.flush()
    return procedure


def make_dossier_office(session: Session, *, procedure_code: str | None = None,
                        processing_days: int = 3, name_vi: str = "Đăng ký khai sinh",
                        name_en: str = "Birth registration") -> dict:
    """A commune whose department receives civil-status dossiers (a "pull" routing rule) and
    one procedure of a field whose dossiers carry that category: what a dossier needs to be
    submitted. Returns the rows by name: province, commune, dept, field, procedure."""
    from app.models import RoutingRule

    province = make_unit(session, level="province")
    commune = make_unit(session, level="commune", parent=province)
    dept = make_department(session, commune, case_types="dossier")
    session.add(RoutingRule(case_type="dossier", category="civil_status", unit_id=commune.id,
                            department_id=dept.id, mode="pull", active=True))
    field = make_procedure_field(session)
    field.category = "civil_status"
    procedure = make_procedure(session, field, code=procedure_code, name_vi=name_vi,
                               name_en=name_en, processing_days=processing_days)
    session.flush()
    return {"province": province, "commune": commune, "dept": dept, "field": field,
            "procedure": procedure}
