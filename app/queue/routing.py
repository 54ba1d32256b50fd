"""Routing: which department answers a new case, and which officer in it gets the work.

No Flask here. Each decision is one SQL round trip (the rule, with the unit's ancestry walked
in a recursive CTE) plus one for the officer, so it is always current: an administrator's new
rule or an officer's leave counts from the next case, with no cache to invalidate across
gunicorn nodes.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, Integer, String, bindparam, select, text
from sqlalchemy.orm import Session

from app.db import begin_write
from app.models import Case, Department, OfficerMembership
from app.queue.calendar import WorkCalendar, local_day
from app.queue.eligibility import seat_sql
from app.queue.errors import NoRoute, WrongDepartment
from app.queue.events import record_event
from app.queue.states import OPEN_STATES

__all__ = ["RouteDecision", "route", "pick_officer", "assign_new_case", "create_case",
           "new_case_code"]

# How far up the unit tree a rule may sit (village -> commune -> province, with room to spare);
# also stops a corrupted, cyclic tree from recursing forever.
_MAX_UNIT_DEPTH = 8
# Rules with no unit rank after every unit rule.
_NO_UNIT_DEPTH = 1000

# Specificity is lexicographic: a procedure match beats a category match beats a nearer unit.
# The ORs are harmless here: routing_rules is small and filtered by case_type first.
_ROUTE_SQL = text(f"""
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM admin_units WHERE id = :unit_id
    UNION ALL
    SELECT u.id, u.parent_id, chain.depth + 1
    FROM admin_units u JOIN chain ON u.id = chain.parent_id
    WHERE chain.depth < {_MAX_UNIT_DEPTH}
)
SELECT r.id, r.department_id, r.mode
FROM routing_rules r
JOIN departments d ON d.id = r.department_id
LEFT JOIN chain ON chain.id = r.unit_id
WHERE r.case_type = :case_type
  AND r.active AND d.active
  AND (r.unit_id IS NULL OR chain.id IS NOT NULL)
  AND (r.procedure_id IS NULL OR r.procedure_id = :procedure_id)
  AND (r.category IS NULL OR r.category = :category)
ORDER BY CASE WHEN r.procedure_id IS NULL THEN 1 ELSE 0 END,
         CASE WHEN r.category IS NULL THEN 1 ELSE 0 END,
         COALESCE(chain.depth, {_NO_UNIT_DEPTH}),
         r.id
LIMIT 1
""").bindparams(
    bindparam("unit_id", type_=Integer()),
    bindparam("case_type", type_=String()),
    bindparam("procedure_id", type_=Integer()),
    bindparam("category", type_=String()),
)

# Dossier codes people read out over the phone: a type prefix, the local day, and a random
# part (no sequence to contend on; the unique constraint catches the rare clash).
_CODE_PREFIX = {"dossier": "HS", "petition": "PA", "field_report": "HT", "initiative": "SK",
                "village_need": "NC"}


@dataclass(frozen=True)
class RouteDecision:
    department_id: int
    mode: str  # "assign": routed to an officer; "pull": waits in the queue to be claimed
    rule_id: int | None  # None when the sender named the department (create_case)


def route(session: Session, *, case_type: str, category: str, unit_id: int,
          procedure_id: int | None = None) -> RouteDecision:
    """The department for a case: the most specific active rule wins, or NoRoute."""
    row = session.execute(_ROUTE_SQL, {"unit_id": unit_id, "case_type": case_type,
                                       "procedure_id": procedure_id,
                                       "category": category}).first()
    if row is None:
        raise NoRoute(f"no routing rule for {case_type}/{category} in unit {unit_id}",
                      case_type=case_type, category=category, unit_id=unit_id,
                      procedure_id=procedure_id)
    return RouteDecision(department_id=row.department_id, mode=row.mode, rule_id=row.id)


# Constants are written into the SQL on purpose (the state list, LIMIT 1): with them as bound
# parameters PostgreSQL re-plans every execution instead of reusing one generic plan, which
# doubled the cost of picking. count(*), not count(id): the count is answered from
# ix_cases_assignee_state alone (index-only scan on PostgreSQL, covering index on SQLite).
# Who is eligible is app/queue/eligibility.py's rule, with the duty flag. The open work counted
# includes the states where the case waits for the resident: the officer still owns the file.
_PICK_SQL = f"""
SELECT m.* FROM officer_memberships m
JOIN officer_skills s ON s.membership_id = m.id
JOIN users u ON u.id = m.user_id
WHERE m.department_id = :department_id AND m.desk = :desk
  AND {seat_sql(duty=True, skill=True)}
ORDER BY (SELECT count(*) FROM cases c
          WHERE c.assignee_id = m.user_id AND c.state IN ({", ".join((str(int(s)) for s in sorted(OPEN_STATES)))})),
         m.last_assigned_at IS NOT NULL, m.last_assigned_at, m.id
LIMIT 1
"""
_PICK = select(OfficerMembership).from_statement(text(_PICK_SQL).bindparams(
    bindparam("skill", type_=String()), bindparam("department_id", type_=Integer()),
    bindparam("desk", type_=String()), bindparam("today", type_=Date())))


def pick_officer(session: Session, department_id: int, *, skill: str, today: date,
                 desk: str = "specialist") -> OfficerMembership | None:
    """The eligible officer with the least open work; ties to whoever waited longest since
    their last case (never assigned counts as longest), then the oldest seat.

    Eligible: a seat at `desk` in the department, on duty, not on leave `today` (local date),
    holding `skill`, with an active account.
    """
    return session.scalars(_PICK, {"department_id": department_id, "skill": skill,
                                   "today": today, "desk": desk}).first()


def _ensure_id(session: Session, case: Case) -> None:
    if case.id is None:
        if case not in session:
            session.add(case)
        session.flush()


def _apply_route(session: Session, case: Case) -> RouteDecision:
    decision = route(session, case_type=case.case_type, category=case.category,
                     unit_id=case.unit_id, procedure_id=case.procedure_id)
    case.department_id = decision.department_id
    return decision


def _named_department(session: Session, case: Case, department_id: int) -> RouteDecision:
    department = session.get(Department, department_id)
    if department is None or not department.active or not department.accepts(case.case_type):
        raise WrongDepartment(f"department {department_id} does not take {case.case_type} cases",
                              department_id=department_id, case_type=case.case_type)
    case.department_id = department.id
    # No rule chose it: the officer is picked among the department's seats as "assign" would.
    return RouteDecision(department_id=department.id, mode="assign", rule_id=None)


def _assign(session: Session, case: Case, decision: RouteDecision, now: datetime) -> None:
    if decision.mode != "assign":
        return
    desk = "intake" if case.state == 1 else "specialist"
    membership = pick_officer(session, decision.department_id, skill=case.category,
                              today=local_day(now), desk=desk)
    data = {"rule_id": decision.rule_id, "department_id": decision.department_id}
    if membership is not None:
        case.assignee_id = membership.user_id
        case.claimed_at = now
        # A routed assignment is the officer's to keep: no lease, so it never bounces back.
        case.lease_until = None
        membership.last_assigned_at = now
        record_event(session, case, "assign", actor_id=None, from_state=case.state,
                     to_state=case.state, data={**data, "assignee_id": membership.user_id},
                     at=now)
        return
    leader_id = session.scalar(select(Department.leader_id)
                               .where(Department.id == decision.department_id))
    case.assignee_id = leader_id
    case.claimed_at = now if leader_id is not None else None
    case.lease_until = None
    record_event(session, case, "routing_warning", actor_id=None, from_state=case.state,
                 to_state=case.state,
                 note=f"no eligible {desk} officer with skill {case.category}",
                 data={**data, "reason": "no_eligible_officer", "desk": desk,
                       "skill": case.category, "assignee_id": leader_id},
                 at=now)


def assign_new_case(session: Session, case: Case, now: datetime) -> None:
    """Route a freshly created case: set its department and, in "assign" mode, its officer
    (or the department leader, with a routing_warning event, when nobody is eligible).

    Joins the caller's transaction; the caller commits. NoRoute leaves the case untouched.
    """
    begin_write(session)
    decision = _apply_route(session, case)
    _ensure_id(session, case)
    _assign(session, case, decision, now)


def new_case_code(case_type: str, received_at: datetime) -> str:
    prefix = _CODE_PREFIX.get(case_type, "CV")
    return f"{prefix}-{local_day(received_at):%y%m%d}-{secrets.token_hex(3).upper()}"


def create_case(session: Session, *, case_type: str, category: str, title: str, unit_id: int,
                sla_days: int, received_at: datetime, applicant_id: int | None = None,
                procedure_id: int | None = None, priority: int = 0,
                requires_approval: bool = False, code: str | None = None,
                calendar: WorkCalendar | None = None,
                department_id: int | None = None) -> Case:
    """A new case in state 1, with its deadline, routed, and its "submitted" event.

    Joins the caller's transaction (the service that owns the dossier details commits both
    together). Raises NoRoute when no rule matches.

    `department_id`: the sender already names the office that must answer (the petitions of a
    voters' meeting are each sent to an agency); the rule table is skipped, the officer inside
    that department is picked as for any case. WrongDepartment if it is closed or does not take
    this type of case.
    """
    begin_write(session)
    if calendar is None:
        from app.queue.calendar_db import calendar_from_db

        calendar = calendar_from_db(session)
    case = Case(code=code or new_case_code(case_type, received_at), case_type=case_type,
                category=category, title=title, unit_id=unit_id, procedure_id=procedure_id,
                applicant_id=applicant_id, state=1, priority=priority, sla_days=sla_days,
                received_at=received_at,
                due_at=calendar.add_working_days(received_at, sla_days),
                requires_approval=requires_approval)
    if department_id is None:
        decision = _apply_route(session, case)
    else:
        decision = _named_department(session, case, department_id)
    session.add(case)
    session.flush()
    record_event(session, case, "submitted", actor_id=applicant_id, from_state=None,
                 to_state=1, at=received_at)
    _assign(session, case, decision, received_at)
    return case
