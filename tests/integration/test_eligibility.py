"""Who may take a case today: claiming, routing, a leader's reassignment and the seat's own
answer all follow one rule (app/queue/eligibility.py), checked here on one table of officers."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.models import Case, OfficerMembership, RoutingRule
from app.queue.assignment import eligible_officers, reassign
from app.queue.claims import claim_next, release
from app.queue.errors import NotAllowed
from app.queue.routing import decide, pick_officer
from app.queue.calendar import local_day
from tests.factories import make_case, make_department, make_officer, make_user

# 01:30 on Monday 2 March in Hanoi, while it is still Sunday 1 March in UTC: a rule that reads
# the UTC date gets every leave that starts or ends at local midnight wrong.
NOW = datetime(2026, 3, 1, 18, 30, tzinfo=timezone.utc)
TODAY = date(2026, 3, 2)
YESTERDAY = date(2026, 3, 1)

# name: (seat and account, may claim, may be routed to or handed the case)
OFFICERS = {
    "ready": (dict(), True, True),
    "account closed": (dict(active=False), False, False),
    "on leave from today (local)": (dict(leave_from=TODAY, leave_until=date(2026, 3, 6)),
                                    False, False),
    "one-day leave today (local)": (dict(leave_from=TODAY), False, False),
    "back from leave today (local)": (dict(leave_from=date(2026, 2, 23), leave_until=YESTERDAY),
                                      True, True),
    "off duty": (dict(on_duty=False), True, False),
    "without the skill": (dict(skills=("land",)), False, False),
}


@pytest.fixture
def table(session):
    """Each officer alone in their own department, with one unassigned case to take."""
    admin = make_user(session, role="admin")
    rows = {}
    for name, (seat, _claims, _routes) in OFFICERS.items():
        dept = make_department(session)
        seat = dict(seat)
        skills = seat.pop("skills", ("civil_status",))
        officer = make_officer(session, dept, skills=skills, **seat)
        case = make_case(session, dept, state=4, category="civil_status")
        session.add(RoutingRule(case_type="dossier", unit_id=dept.unit_id,
                                department_id=dept.id, mode="assign"))
        rows[name] = (officer.id, dept.id, case.id)
    session.commit()
    return admin, rows


@pytest.mark.parametrize("name", list(OFFICERS))
def test_claim_routing_reassignment_and_the_seat_agree_on_who_may_take_a_case(
        session, table, name):
    admin, rows = table
    officer_id, dept_id, case_id = rows[name]
    _seat, may_claim, may_be_given = OFFICERS[name]

    try:
        claimed = claim_next(session, officer_id, dept_id, now=NOW)
    except NotAllowed:
        claimed = None
    assert (claimed is not None) is may_claim, "claim"
    if claimed is not None:  # put it back for the others
        release(session, case_id, officer_id, NOW)

    picked = pick_officer(session, dept_id, skill="civil_status", today=local_day(NOW))
    assert (picked is not None) is may_be_given, "routing"
    unit_id = session.get(Case, case_id).unit_id
    decision = decide(session, case_type="dossier", category="civil_status", unit_id=unit_id,
                      procedure_id=None, desk="specialist", today=local_day(NOW))
    assert decision.department_id == dept_id
    assert (decision.user_id == officer_id) is may_be_given, "routing, in one decision"

    case = session.get(Case, case_id)
    listed = {m.user_id for m in eligible_officers(session, case, NOW)}
    assert (officer_id in listed) is may_be_given, "reassign list"
    try:
        reassign(session, case_id, officer_id, admin, now=NOW)
        handed = True
    except NotAllowed:
        handed = False
    assert handed is may_be_given, "reassign"

    seat = session.query(OfficerMembership).filter_by(user_id=officer_id).one()
    assert (seat.refusal(NOW, skill="civil_status", duty=False) is None) is may_claim, "seat"
    assert (seat.refusal(NOW, skill="civil_status") is None) is may_be_given, "seat, on duty"


def test_a_leave_is_read_on_the_local_date_not_the_utc_one(session, table):
    _admin, rows = table
    officer_id, _dept, _case = rows["on leave from today (local)"]
    seat = session.query(OfficerMembership).filter_by(user_id=officer_id).one()
    assert NOW.date() == YESTERDAY  # in UTC the leave has not started
    assert seat.refusal(NOW) == "on_leave"
