"""Routing: which department answers a new case, and which officer in it gets the work.

No Flask here. A new case's decision (decide()) is one SQL round trip: the rule, with the
unit's ancestry walked in a recursive CTE, and in "assign" mode the officer, in one statement.
Nothing is cached, so it is always current: an administrator's new rule or an officer's leave
counts from the next case, with no cache to invalidate across gunicorn nodes. route() and
pick_officer() are the same two definitions asked one at a time.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, Integer, String, bindparam, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.db import begin_write
from app.models import Case, Department, OfficerMembership
from app.queue.calendar import WorkCalendar, local_day
from app.queue.eligibility import seat_sql
from app.queue.errors import NoRoute, WrongDepartment
from app.queue.events import record_event
from app.queue.states import OPEN_STATES

__all__ = ["Decision", "RouteDecision", "decide", "route", "pick_officer", "named_department", "assign_new_case", "create_case",
           "new_case_code"]

# How far up the unit tree a rule may sit (village -> commune -> province, with room to spare);
# also stops a corrupted, cyclic tree from recursing forever.
_MAX_UNIT_DEPTH = 8
# Rules with no unit rank after every unit rule.
_NO_UNIT_DEPTH = 1000

# Specificity is lexicographic: a procedure match beats a category match beats a nearer unit.
# The ORs are harmless here: routing_rules is small and filtered by case_type first.
_CHAIN = f"""chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM admin_units WHERE id = :unit_id
    UNION ALL
    SELECT u.id, u.parent_id, chain.depth + 1
    FROM admin_units u JOIN chain ON u.id = chain.parent_id
    WHERE chain.depth < {_MAX_UNIT_DEPTH}
)"""
_RULE = f"""SELECT r.id, r.department_id, r.mode
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
LIMIT 1"""
_ROUTE_PARAMS = (bindparam("unit_id", type_=Integer()), bindparam("case_type", type_=String()),
                 bindparam("procedure_id", type_=Integer()), bindparam("category", type_=String()))
_ROUTE_SQL = text(f"WITH RECURSIVE {_CHAIN}\n{_RULE}").bindparams(*_ROUTE_PARAMS)

# Dossier codes people read out over the phone: a type prefix, the local day, and a random
# part (no sequence to contend on; the unique constraint catches the rare clash).
_CODE_PREFIX = {"dossier": "HS", "petition": "PA", "field_report": "HT", "initiative": "SK",
                "village_need": "NC"}


@dataclass(frozen=True)
class RouteDecision:
    department_id: int
    mode: str  # "assign": routed to an officer; "pull": waits in the queue to be claimed
    # The routing rule that decided; None when the kind decided (a field report's table of
    # its own, an agency the sender named: named_department()).
    rule_id: int | None


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
_OPEN = ", ".join(str(int(s)) for s in sorted(OPEN_STATES))


def _pick_sql(columns: str, department: str) -> str:
    return f"""SELECT {columns} FROM officer_memberships m
JOIN officer_skills s ON s.membership_id = m.id
JOIN users u ON u.id = m.user_id
WHERE m.department_id = {department} AND m.desk = :desk
  AND {seat_sql(duty=True, skill=True)}
ORDER BY (SELECT count(*) FROM cases c WHERE c.assignee_id = m.user_id AND c.state IN ({_OPEN})),
         m.last_assigned_at IS NOT NULL, m.last_assigned_at, m.id
LIMIT 1"""


_PICK_PARAMS = (bindparam("skill", type_=String()), bindparam("desk", type_=String()),
                bindparam("today", type_=Date()))
_PICK = select(OfficerMembership).from_statement(text(
    _pick_sql("m.*", ":department_id")).bindparams(bindparam("department_id", type_=Integer()),
                                                   *_PICK_PARAMS))
# The whole decision in one round trip: the rule, then (in "assign" mode) its department's
# officer, by the same two definitions as route() and pick_officer().
# (A correlated subquery rather than LATERAL, which SQLite lacks; it runs once, for one rule.)
_DECIDE = text(f"""WITH RECURSIVE {_CHAIN},
rule AS ({_RULE})
SELECT rule.id AS rule_id, rule.department_id, rule.mode, pick.id AS membership_id,
       pick.user_id
FROM rule LEFT JOIN officer_memberships pick ON rule.mode = 'assign' AND pick.id = (
{_pick_sql("m.id", "rule.department_id")})""").bindparams(*_ROUTE_PARAMS, *_PICK_PARAMS)


@dataclass(frozen=True)
class Decision:
    """Where a new case goes: the rule's department and mode and, in "assign" mode, the
    officer picked (None when nobody is eligible)."""

    rule_id: int
    department_id: int
    mode: str
    membership_id: int | None
    user_id: int | None

    @property
    def route(self) -> RouteDecision:
        return RouteDecision(department_id=self.department_id, mode=self.mode,
                             rule_id=self.rule_id)


def decide(session: Session, *, case_type: str, category: str, unit_id: int,
           procedure_id: int | None, desk: str, today: date) -> Decision:
    """route() and, in "assign" mode, pick_officer() for the case's category and the desk,
    in one round trip; NoRoute when no rule matches."""
    row = session.execute(_DECIDE, {"unit_id": unit_id, "case_type": case_type,
                                    "procedure_id": procedure_id, "category": category,
                                    "skill": category, "desk": desk, "today": today}).first()
    if row is None:
        raise NoRoute(f"no routing rule for {case_type}/{category} in unit {unit_id}",
                      case_type=case_type, category=category, unit_id=unit_id,
                      procedure_id=procedure_id)
    return Decision(rule_id=row.rule_id, department_id=row.department_id, mode=row.mode,
                    membership_id=row.membership_id, user_id=row.user_id)


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


def _desk_for(case: Case) -> str:
    return "intake" if case.state == 1 else "specialist"


def _decide_for(session: Session, case: Case, now: datetime) -> Decision:
    decision = decide(session, case_type=case.case_type, category=case.category,
                      unit_id=case.unit_id, procedure_id=case.procedure_id,
                      desk=_desk_for(case), today=local_day(now))
    case.department_id = decision.department_id
    return decision


def named_department(session: Session, case_type: str, department_id: int) -> RouteDecision:
    """The department the sender named (the agency a voters' petition is sent to), as a
    decision for create_case; WrongDepartment if it is closed or does not take this type."""
    department = session.get(Department, department_id)
    if department is None or not department.active or not department.accepts(case_type):
        raise WrongDepartment(f"department {department_id} does not take {case_type} cases",
                              department_id=department_id, case_type=case_type)
    # No rule chose it: the officer is picked among the department's seats as "assign" would.
    return RouteDecision(department_id=department.id, mode="assign", rule_id=None)


def _decided_by_kind(session: Session, case: Case, decision: RouteDecision,
                     now: datetime) -> Decision:
    """A department the kind chose by a table of its own, with the officer picked in it by
    the same rule as for a routing rule's department."""
    case.department_id = decision.department_id
    seat = None
    if decision.mode == "assign":
        seat = pick_officer(session, decision.department_id, skill=case.category,
                            today=local_day(now), desk=_desk_for(case))
    return Decision(rule_id=decision.rule_id, department_id=decision.department_id,
                    mode=decision.mode, membership_id=seat.id if seat else None,
                    user_id=seat.user_id if seat else None)


def _mark_assigned(session: Session, membership_id: int, now: datetime) -> None:
    """The picked seat's last_assigned_at (routing's tie-break) becomes now."""
    loaded = session.identity_map.get(identity_key(OfficerMembership, membership_id))
    if loaded is not None:
        loaded.last_assigned_at = now
        return
    session.execute(update(OfficerMembership).where(OfficerMembership.id == membership_id)
                    .values(last_assigned_at=now))


def _assign(session: Session, case: Case, decision: Decision, now: datetime) -> None:
    if decision.mode != "assign":
        return
    desk = _desk_for(case)
    data = {"rule_id": decision.rule_id, "department_id": decision.department_id}
    if decision.membership_id is not None:
        case.assignee_id = decision.user_id
        case.claimed_at = now
        # A routed assignment is the officer's to keep: no lease, so it never bounces back.
        case.lease_until = None
        _mark_assigned(session, decision.membership_id, now)
        record_event(session, case, "assign", actor_id=None, from_state=case.state,
                     to_state=case.state, data={**data, "assignee_id": decision.user_id},
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
    decision = _decide_for(session, case, now)
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
                decision: RouteDecision | None = None) -> Case:
    """A new case in state 1, with its deadline, routed, and its "submitted" event.

    Joins the caller's transaction (the service that owns the dossier details commits both
    together). Raises NoRoute when no rule matches. A kind that chose the department by a
    finer table of its own (a field report's category per unit), or was told by the sender
    (named_department: the agency a voters' petition goes to), passes that `decision`; the
    officer is then picked in that department exactly as for a rule.
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
    if decision is None:
        decided = _decide_for(session, case, received_at)
    else:
        decided = _decided_by_kind(session, case, decision, received_at)
    session.add(case)
    session.flush()
    record_event(session, case, "submitted", actor_id=applicant_id, from_state=None,
                 to_state=1, at=received_at)
    _assign(session, case, decided, received_at)
    return case
