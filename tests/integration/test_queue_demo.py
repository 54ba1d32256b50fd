"""The demo's queue data: what someone trying the portal finds in the workbench."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.models import Case, CaseEvent, Department, OfficerMembership, User, utcnow
from app.queue import kinds
from app.queue.calendar import LOCAL_TZ
from app.queue.calendar_db import calendar_from_db
from app.queue.claims import claim_next
from app.queue.routing import route
from app.queue.sla import warning_threshold
from app.queue.states import Action

ALL_ACTIONS = frozenset(a.value for a in Action)

OPEN = (1, 2, 4, 5, 6)


def _user(session, email) -> User:
    return session.scalar(select(User).where(User.email == email))


def test_every_state_type_and_due_band_is_there(demo):
    session = demo
    cases = session.scalars(select(Case)).all()
    assert 250 <= len(cases) <= 350
    assert {c.state for c in cases} == set(range(1, 11))
    assert {c.case_type for c in cases} == {"dossier", "petition", "field_report", "initiative",
                                           "village_need"}
    now = utcnow()
    limit = warning_threshold(now, 1, calendar_from_db(session))
    bands = {("overdue" if c.due_at < now else "almost" if c.due_at <= limit else "fine")
             for c in cases if c.state in OPEN}
    assert bands == {"overdue", "almost", "fine"}


def test_each_case_history_replays_to_its_state(demo):
    session = demo
    history = defaultdict(list)
    for event in session.scalars(select(CaseEvent).order_by(CaseEvent.id)):
        history[event.case_id].append(event)
    now = utcnow()
    for case in session.scalars(select(Case)):
        events = history[case.id]
        assert events[0].action == "submitted" and events[0].from_state is None
        state, last_at = None, None
        for event in events:
            assert event.from_state == state, (case.code, [e.action for e in events])
            assert last_at is None or event.at >= last_at
            state, last_at = event.to_state, event.at
        assert state == case.state, case.code
        # Only steps the case's kind has: no petition waits for fees, no report for papers.
        allowed = kinds.actions_for(case.case_type)
        assert allowed is None or {e.action for e in events if e.action in ALL_ACTIONS} <= allowed, (
            case.code, [e.action for e in events])
        assert _holder_after(events) == case.assignee_id, (case.code, [e.action for e in events])
        assert last_at <= now
        assert (case.finished_at is not None) == (case.state in (3, 7, 8, 9, 10))
        assert (case.paused_at is not None) == (case.state == 5)


# Events that give the case to someone, and where the event says to whom.
_TAKES = {"assign": lambda e: (e.data or {}).get("assignee_id"),
          "routing_warning": lambda e: (e.data or {}).get("assignee_id"),
          "claim": lambda e: e.actor_id,
          "reassign": lambda e: (e.data or {})["to_assignee_id"]}
_GIVES_BACK = ("release", "lease_expired", "hand_back")


def _holder_after(events) -> int | None:
    """Replays who holds the case, failing on a history that could not have happened: a claim
    of a case someone holds, a release by someone who does not hold it."""
    holder = None
    for e in events:
        where = (e.case_id, e.id, e.action)
        if e.action == "claim":
            assert holder is None, ("claimed while held", where)
        if e.action in _TAKES:
            holder = _TAKES[e.action](e)
        elif e.action in _GIVES_BACK:
            assert holder is not None, ("given back while nobody held it", where)
            assert (e.data or {}).get("assignee_id") == holder, ("wrong holder", where)
            if e.action == "release":
                assert e.actor_id == holder, ("released by someone else", where)
            holder = None
        elif e.action == "transfer":
            holder = None
    return holder


def test_cases_sit_where_the_routing_rules_send_them(demo):
    session = demo
    from app.models import FieldReport
    from app.reports.routing import decide  # a report's category may choose its department

    for case in session.scalars(select(Case)):
        if case.case_type == "field_report":
            decision = decide(session, session.get(FieldReport, case.id).category_id, case.unit)
        else:
            decision = route(session, case_type=case.case_type, category=case.category,
                             unit_id=case.unit_id, procedure_id=case.procedure_id)
        assert decision.department_id == case.department_id, case.code


def test_the_demo_accounts_have_real_work(demo):
    session = demo
    specialist = _user(session, "chuyenvien@conglang.demo")
    intake = _user(session, "tiepnhan@conglang.demo")
    leader = _user(session, "lanhdao@conglang.demo")
    one_stop = session.scalar(select(Department).where(Department.leader_id == leader.id))

    mine = session.scalars(select(Case).where(Case.assignee_id == specialist.id,
                                              Case.state.in_(OPEN))).all()
    assert len(mine) >= 10 and {4, 5, 6} <= {c.state for c in mine}
    assert session.scalars(select(Case).where(Case.assignee_id == intake.id,
                                              Case.state == 1)).first() is not None
    awaiting = session.scalars(select(Case).where(Case.department_id == one_stop.id,
                                                  Case.pending_approval.is_(True))).all()
    assert awaiting and all(c.state == 4 for c in awaiting)

    # The specialist's "claim next" gives a received dossier, ready to start.
    claimed = session.get(Case, claim_next(session, specialist.id, one_stop.id, now=utcnow()).id)
    assert claimed.state == 2 and claimed.category in ("civil_status", "residence",
                                                       "certification")


def test_each_new_department_has_a_leader_staff_and_one_officer_on_leave(demo):
    session = demo
    today = utcnow().astimezone(LOCAL_TZ).date()
    departments = session.scalars(select(Department).where(~Department.code.endswith("-MC"))).all()
    assert len(departments) == 3
    on_leave = []
    for department in departments:
        seats = session.scalars(select(OfficerMembership).where(
            OfficerMembership.department_id == department.id)).all()
        officers = [s for s in seats if s.desk != "leader"]
        assert department.leader_id is not None and 2 <= len(officers) <= 4
        assert any(s.desk == "intake" for s in officers)
        assert all(s.skills for s in officers)
        on_leave += [s for s in officers if s.on_leave(today)]
        for seat in seats:
            assert session.get(User, seat.user_id).email.endswith("@conglang.demo")
    assert len(on_leave) == 1
    assert isinstance(on_leave[0].leave_until, date)


# The kind's own row beside each case (see README, "How a kind of case plugs in"): a case
# without it is what the workbench, tracking and printouts cannot show.
def _kind_rows():
    from app.models import Dossier, Initiative, VillageNeed

    return {"dossier": Dossier.case_id, "initiative": Initiative.case_id,
            "village_need": VillageNeed.case_id}


def test_every_demo_case_of_a_kind_has_its_kind_row(demo):
    session = demo
    for case_type, key in _kind_rows().items():
        ids = set(session.scalars(select(Case.id).where(Case.case_type == case_type)))
        rows = set(session.scalars(select(key).where(key.is_not(None))))
        assert ids and ids == rows, f"{case_type}: {len(ids - rows)} cases without their row"


def test_demo_dossiers_carry_their_procedure(demo):
    from app.models import Dossier

    session = demo
    for dossier, case in session.execute(select(Dossier, Case).join(Case, Case.id == Dossier.case_id)):
        assert case.procedure_id == dossier.procedure_id
        assert dossier.procedure.field.category == case.category
        assert dossier.applicant_phone or dossier.applicant_id_number
        assert (dossier.channel == "online") == (case.applicant_id is not None)
