"""Routing: which department gets a new case, and which of its officers.

These need the rule and membership tables, so they use the migrated `session`; they touch
nothing else of the app (a procedure comes from the shared factory: a rule names a real one).
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.models import (AdminUnit, Case, CaseEvent, Department, OfficerMembership, OfficerSkill,
                        RoutingRule, User)
from app.queue.calendar import LOCAL_TZ, WorkCalendar
from app.queue.errors import NoRoute
from app.queue.routing import assign_new_case, create_case, pick_officer, route
from tests.factories import make_procedure

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hanoi
TODAY = date(2026, 3, 2)
_n = itertools.count(1)


# -- small builders (this file's own; no shared factories) ------------------------------------

@pytest.fixture
def tree(session):
    """province > commune A > village A1, and a sibling commune B."""
    province = AdminUnit(code="P", level="province", name_vi="Tỉnh", name_en="Province")
    commune = AdminUnit(code="CA", level="commune", name_vi="Xã A", name_en="A", parent=province)
    village = AdminUnit(code="CA-1", level="village", name_vi="Thôn 1", name_en="V1",
                        parent=commune)
    other = AdminUnit(code="CB", level="commune", name_vi="Xã B", name_en="B", parent=province)
    session.add_all([province, commune, village, other])
    session.flush()
    return {"province": province, "commune": commune, "village": village, "other": other}


def dept(session, unit, name="Phòng", leader=None):
    n = next(_n)
    d = Department(unit_id=unit.id, code=f"D{n}", name_vi=f"{name} {n}", name_en=f"Dept {n}",
                   case_types="dossier,petition,field_report,initiative,village_need",
                   leader_id=leader.id if leader else None)
    session.add(d)
    session.flush()
    return d


def user(session, name=None, role="officer"):
    n = next(_n)
    u = User(full_name=name or f"Cán bộ {n}", email=f"u{n}@test.vn", password_hash="!",
             role=role)
    session.add(u)
    session.flush()
    return u


def seat(session, department, *, skills=("civil_status",), desk="specialist", on_duty=True,
         leave_from=None, leave_until=None, last_assigned_at=None, name=None):
    u = user(session, name)
    m = OfficerMembership(user_id=u.id, department_id=department.id, desk=desk, on_duty=on_duty,
                          leave_from=leave_from, leave_until=leave_until,
                          last_assigned_at=last_assigned_at)
    m.skills = [OfficerSkill(skill=s) for s in skills]
    session.add(m)
    session.flush()
    return m


def rule(session, department, *, case_type="dossier", unit=None, category=None,
         procedure_id=None, mode="assign", active=True):
    r = RoutingRule(case_type=case_type, unit_id=unit.id if unit else None, category=category,
                    procedure_id=procedure_id, department_id=department.id, mode=mode,
                    active=active)
    session.add(r)
    session.flush()
    return r


def case_for(session, department, assignee, state, unit):
    n = next(_n)
    c = Case(code=f"C{n}", case_type="dossier", category="civil_status", title="t",
             unit_id=unit.id, department_id=department.id, assignee_id=assignee.user_id,
             state=state, received_at=NOW, due_at=NOW + timedelta(days=3))
    session.add(c)
    session.flush()
    return c


def decide(session, unit, **kw):
    kw.setdefault("case_type", "dossier")
    kw.setdefault("category", "civil_status")
    return route(session, unit_id=unit.id, **kw)


# -- which department -----------------------------------------------------------------------

def test_procedure_rule_beats_category_rule_beats_plain_type_rule(session, tree):
    village = tree["village"]
    by_type, by_category, by_procedure = (dept(session, tree["commune"]) for _ in range(3))
    rule(session, by_type, unit=village)
    rule(session, by_category, category="civil_status")  # no unit: still more specific
    routed, other = (make_procedure(session).id for _ in range(2))
    expected = rule(session, by_procedure, procedure_id=routed, unit=tree["province"])

    decision = decide(session, village, procedure_id=routed)
    assert (decision.department_id, decision.rule_id) == (by_procedure.id, expected.id)
    assert decide(session, village, procedure_id=other).department_id == by_category.id
    assert decide(session, village, category="land").department_id == by_type.id


def test_nearest_unit_wins_village_then_commune_then_province_then_anywhere(session, tree):
    anywhere, province, commune, village = (dept(session, tree["commune"]) for _ in range(4))
    rule(session, anywhere)
    rule(session, province, unit=tree["province"])
    rule(session, commune, unit=tree["commune"])
    rule(session, village, unit=tree["village"])
    assert decide(session, tree["village"]).department_id == village.id
    # A case filed at commune level never sees the village's rule.
    assert decide(session, tree["commune"]).department_id == commune.id
    assert decide(session, tree["other"]).department_id == province.id


def test_a_village_case_falls_back_to_its_communes_rule_not_a_neighbours(session, tree):
    ours, neighbours = dept(session, tree["commune"]), dept(session, tree["other"])
    rule(session, neighbours, unit=tree["other"])
    rule(session, ours, unit=tree["commune"])
    assert decide(session, tree["village"]).department_id == ours.id
    with pytest.raises(NoRoute):
        decide(session, tree["province"])


def test_inactive_rules_and_rules_for_other_case_types_are_ignored(session, tree):
    live, retired = dept(session, tree["commune"]), dept(session, tree["commune"])
    rule(session, retired, unit=tree["village"], active=False)
    rule(session, retired, unit=tree["village"], case_type="petition")
    rule(session, live, unit=tree["province"], mode="pull")
    decision = decide(session, tree["village"])
    assert (decision.department_id, decision.mode) == (live.id, "pull")


def test_no_matching_rule_raises_no_route(session, tree):
    rule(session, dept(session, tree["commune"]), category="land")
    with pytest.raises(NoRoute) as error:
        decide(session, tree["village"], category="civil_status")
    assert error.value.code == "no_route"


# -- which officer ----------------------------------------------------------------------------

def pick(session, department, **kw):
    kw.setdefault("skill", "civil_status")
    kw.setdefault("today", TODAY)
    return pick_officer(session, department.id, **kw)


def test_only_an_officer_holding_the_skill_is_picked(session, tree):
    d = dept(session, tree["commune"])
    seat(session, d, skills=["land"])
    holder = seat(session, d, skills=["land", "civil_status"])
    assert pick(session, d).id == holder.id
    assert pick(session, d, skill="petition") is None


def test_off_duty_officers_and_other_desks_are_skipped(session, tree):
    d = dept(session, tree["commune"])
    seat(session, d, on_duty=False)
    intake = seat(session, d, desk="intake")
    specialist = seat(session, d)
    assert pick(session, d).id == specialist.id
    assert pick(session, d, desk="intake").id == intake.id


def test_an_officer_on_leave_gets_work_only_outside_the_leave_dates(session, tree):
    d = dept(session, tree["commune"])
    away = seat(session, d, leave_from=date(2026, 3, 2), leave_until=date(2026, 3, 6))
    assert pick(session, d, today=date(2026, 3, 1)).id == away.id
    for day in (date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6)):
        assert pick(session, d, today=day) is None
    assert pick(session, d, today=date(2026, 3, 7)).id == away.id
    # A leave with no end date is that one day.
    one_day = seat(session, dept(session, tree["commune"]), leave_from=date(2026, 3, 3))
    assert pick(session, one_day.department, today=date(2026, 3, 3)) is None
    assert pick(session, one_day.department, today=date(2026, 3, 4)).id == one_day.id


def test_the_officer_with_least_open_work_gets_the_case(session, tree):
    d = dept(session, tree["commune"])
    busy, light = seat(session, d), seat(session, d)
    for state in (4, 5):
        case_for(session, d, busy, state, tree["commune"])
    case_for(session, d, light, 6, tree["commune"])
    for state in (9, 10, 3, 7):  # finished work does not count
        case_for(session, d, light, state, tree["commune"])
    assert pick(session, d).id == light.id


def test_ties_go_to_whoever_waited_longest_and_never_assigned_comes_first(session, tree):
    d = dept(session, tree["commune"])
    recent = seat(session, d, last_assigned_at=NOW - timedelta(hours=1))
    earlier = seat(session, d, last_assigned_at=NOW - timedelta(days=2))
    assert pick(session, d).id == earlier.id
    never = seat(session, d)
    assert pick(session, d).id == never.id
    assert recent.id < earlier.id < never.id  # so the order above is not the id tie-break


# -- assigning a new case -----------------------------------------------------------------------

def new_case(session, unit, category="civil_status", state=1):
    return Case(code=f"N{next(_n)}", case_type="dossier", category=category, title="t",
                unit_id=unit.id, state=state, received_at=NOW, due_at=NOW + timedelta(days=3))


def test_a_routed_case_goes_to_the_picked_intake_officer_who_is_then_least_idle(session, tree):
    d = dept(session, tree["commune"])
    rule(session, d, unit=tree["commune"])
    first, second = seat(session, d, desk="intake"), seat(session, d, desk="intake")
    a, b = new_case(session, tree["village"]), new_case(session, tree["village"])
    assign_new_case(session, a, NOW)
    assign_new_case(session, b, NOW + timedelta(minutes=5))
    assert (a.department_id, a.assignee_id, a.claimed_at) == (d.id, first.user_id, NOW)
    assert a.lease_until is None  # a routed assignment is the officer's to keep
    assert b.assignee_id == second.user_id
    assert first.last_assigned_at == NOW
    actions = session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == a.id)).all()
    assert actions == ["assign"]


def test_with_nobody_eligible_the_leader_gets_the_case_and_a_warning_is_logged(session, tree):
    leader = user(session, role="leader")
    d = dept(session, tree["commune"], leader=leader)
    rule(session, d)
    seat(session, d, desk="intake", skills=["land"])
    c = new_case(session, tree["village"])
    assign_new_case(session, c, NOW)
    assert c.assignee_id == leader.id
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id)).one()
    assert event.action == "routing_warning" and event.data["reason"] == "no_eligible_officer"
    assert event.from_state == event.to_state == 1


def test_a_pull_department_leaves_the_case_waiting_in_its_queue(session, tree):
    d = dept(session, tree["commune"])
    rule(session, d, mode="pull")
    seat(session, d, desk="intake")
    c = new_case(session, tree["village"])
    assign_new_case(session, c, NOW)
    assert (c.department_id, c.assignee_id, c.claimed_at) == (d.id, None, None)


def test_create_case_sets_the_appointment_in_working_days_and_logs_the_submission(session, tree):
    d = dept(session, tree["commune"])
    rule(session, d, mode="pull")
    received = datetime(2026, 4, 24, 10, 0, tzinfo=LOCAL_TZ)  # Friday before 27/4 (Hùng Kings)
    calendar = WorkCalendar(extra_holidays={date(2026, 4, 28)})
    c = create_case(session, case_type="dossier", category="civil_status", title="Khai sinh",
                    unit_id=tree["village"].id, sla_days=2, received_at=received,
                    calendar=calendar)
    session.commit()
    # Mon 27/4 is a public holiday and Tue 28/4 the administrator's day off, so day 1 is
    # Wed 29/4; Thu 30/4 and Fri 1/5 are holidays, so day 2 is Mon 4/5.
    assert c.due_at.astimezone(LOCAL_TZ) == datetime(2026, 5, 4, 17, 0, tzinfo=LOCAL_TZ)
    assert c.code.startswith("HS-260424-") and c.state == 1 and c.department_id == d.id
    event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id)).one()
    assert (event.action, event.from_state, event.to_state) == ("submitted", None, 1)


def test_create_case_uses_the_administrators_calendar_by_default(session, tree):
    from app.models import CalendarDay

    d = dept(session, tree["commune"])
    rule(session, d, mode="pull")
    session.add(CalendarDay(day=date(2026, 3, 3), kind="holiday"))
    session.flush()
    c = create_case(session, case_type="dossier", category="civil_status", title="t",
                    unit_id=tree["commune"].id, sla_days=1, received_at=NOW, code="FIXED-1")
    assert c.code == "FIXED-1"
    assert c.due_at.astimezone(LOCAL_TZ).date() == date(2026, 3, 4)


def test_create_case_without_a_route_raises_and_adds_nothing(session, tree):
    with pytest.raises(NoRoute):
        create_case(session, case_type="petition", category="petition", title="t",
                    unit_id=tree["village"].id, sla_days=5, received_at=NOW)
    session.rollback()
    assert session.scalar(select(Case.id)) is None
