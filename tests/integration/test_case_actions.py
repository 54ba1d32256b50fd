"""Case actions against a real, migrated database (SQLite, and PostgreSQL when configured).

Times are fixed 2026 dates so deadlines can be checked against the calendar by hand:
Monday 2 March 2026 has no holiday in the following weeks; office close 17:00 Hanoi is
10:00 UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, rule,
                                 run_state_machine_as_test)
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import CalendarDay, Case, CaseEvent, Role
from app.queue.actions import available_actions, calendar_from_db, capacities_of, perform
from app.queue.errors import IllegalTransition, NotAllowed, QueueError, StaleCase, WrongDepartment
from app.queue.events import record_event
from app.queue.states import (FINISHED, TERMINAL, Action, CaseNotFound, InvalidInput,
                              NoteRequired, State)
from tests.factories import make_case, make_department, make_officer, make_resident, make_user

UTC = timezone.utc


def utc(day: int, hour: int = 2, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


SUBMITTED_AT = utc(2, 1)          # Mon 2 Mar, 08:00 in Hanoi
CLOSE_MON_9_MAR = utc(9, 10)      # 5 working days later, 17:00 in Hanoi
CLOSE_WED_11_MAR = utc(11, 10)


@dataclass
class World:
    dept: object          # takes dossiers; the case starts here
    other: object         # also takes dossiers: a valid transfer target
    petitions: object     # takes petitions only
    closed: object        # takes dossiers but is no longer active
    intake: object
    officer: object
    leader: object
    applicant: object
    outsider: object      # an officer of `other`, a stranger to cases in `dept`
    other_leader: object
    admin: object


@pytest.fixture
def world(session) -> World:
    dept = make_department(session, case_types="dossier,petition")
    other = make_department(session, case_types="dossier")
    w = World(
        dept=dept, other=other,
        petitions=make_department(session, case_types="petition"),
        closed=make_department(session, case_types="dossier", active=False),
        intake=make_officer(session, dept, desk="intake"),
        officer=make_officer(session, dept, desk="specialist", skills=["civil_status"]),
        leader=make_officer(session, dept, desk="leader", lead=True),
        applicant=make_resident(session),
        outsider=make_officer(session, other, desk="specialist"),
        other_leader=make_officer(session, other, desk="leader", lead=True),
        admin=make_user(session, role=Role.ADMIN),
    )
    session.commit()
    return w


def new_case(session, w: World, **kwargs) -> Case:
    kwargs.setdefault("applicant", w.applicant)
    kwargs.setdefault("received_at", SUBMITTED_AT)
    case = make_case(session, w.dept, **kwargs)
    session.commit()
    return case


def stored(session, case_id: int) -> dict:
    """The case row as the database holds it (no identity map in the way)."""
    session.rollback()  # a fresh snapshot on PostgreSQL as well
    return dict(session.execute(select(Case.__table__).where(Case.id == case_id)).mappings().one())


def events(session, case_id: int) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.id)))


def event_count(session, case_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CaseEvent)
                          .where(CaseEvent.case_id == case_id))


def assert_refused_without_trace(session, case_id: int, error, call):
    before, count = stored(session, case_id), event_count(session, case_id)
    with pytest.raises(error):
        call()
    assert stored(session, case_id) == before
    assert event_count(session, case_id) == count


# -- happy paths -----------------------------------------------------------------------------

def test_a_dossier_goes_from_submission_to_returned_result_with_the_pause_added(session, world):
    w = world
    case = new_case(session, w, assignee=w.officer, sla_days=5, due_at=utc(20),
                    lease_until=utc(12))
    cid = case.id

    perform(session, cid, Action.RECEIVE, w.intake, expected_version=1, now=utc(2))
    assert case.state == 2
    assert case.received_at == SUBMITTED_AT  # the receipt counts from submission
    assert case.due_at == CLOSE_MON_9_MAR

    perform(session, cid, "start", w.officer, expected_version=2, now=utc(2, 3))
    # Tue 3 Mar 10:00 Hanoi to Thu 5 Mar: Wednesday and Thursday waited for the resident.
    perform(session, cid, Action.REQUEST_SUPPLEMENT, w.officer, note="Thiếu bản sao CCCD",
            now=utc(3, 3))
    assert (case.state, case.paused_at) == (5, utc(3, 3))
    perform(session, cid, Action.SUPPLEMENT_PROVIDED, w.applicant, now=utc(5, 3))
    assert case.state == 4 and case.paused_at is None
    assert case.due_at == CLOSE_WED_11_MAR

    perform(session, cid, Action.COMPLETE, w.officer, now=utc(10, 3))
    assert (case.state, case.finished_at, case.lease_until) == (9, utc(10, 3), None)
    perform(session, cid, Action.RETURN_RESULT, w.intake, now=utc(11, 3))
    assert case.state == 10
    assert case.finished_at == utc(10, 3)  # the office finished when the result was ready
    assert case.version == 7

    log = events(session, cid)
    assert [(e.action, e.from_state, e.to_state) for e in log] == [
        ("receive", 1, 2), ("start", 2, 4), ("request_supplement", 4, 5),
        ("supplement_provided", 5, 4), ("complete", 4, 9), ("return_result", 9, 10)]
    assert [e.actor_id for e in log] == [w.intake.id, w.officer.id, w.officer.id,
                                         w.applicant.id, w.officer.id, w.intake.id]
    assert log[0].data == {"old_due_at": utc(20).isoformat(),
                           "new_due_at": CLOSE_MON_9_MAR.isoformat(), "sla_days": 5}
    assert log[2].note == "Thiếu bản sao CCCD"
    assert log[3].data["old_due_at"] == CLOSE_MON_9_MAR.isoformat()
    assert log[3].data["new_due_at"] == CLOSE_WED_11_MAR.isoformat()
    assert log[3].data["paused_working_days"] == 2
    assert log[3].at == utc(5, 3)


def test_an_administrators_extra_holiday_moves_the_appointment_date(session, world):
    session.add(CalendarDay(day=date(2026, 3, 4), kind="holiday", name_vi="Nghỉ", name_en="Off"))
    session.commit()
    assert date(2026, 3, 4) in calendar_from_db(session).extra_holidays
    case = new_case(session, world, sla_days=5)
    perform(session, case.id, "receive", world.intake, now=utc(2))
    assert case.due_at == utc(10, 10)  # Wednesday 4 March no longer counts


def test_an_officer_records_a_supplement_brought_to_the_desk(session, world):
    case = new_case(session, world, state=5, assignee=world.officer, paused_at=utc(3, 3),
                    due_at=CLOSE_MON_9_MAR)
    perform(session, case.id, "supplement_provided", world.officer, now=utc(3, 8))
    assert case.state == 4
    assert case.due_at == CLOSE_MON_9_MAR  # same local day: the clock lost nothing


def test_fees_paid_returns_to_processing_or_straight_to_done(session, world):
    w = world
    case = new_case(session, w, state=4, assignee=w.officer)
    perform(session, case.id, "request_fees", w.officer, now=utc(3))
    perform(session, case.id, "fees_paid", w.officer, now=utc(4))
    assert case.state == 4
    perform(session, case.id, "request_fees", w.officer, now=utc(5))
    perform(session, case.id, "complete", w.officer, now=utc(6))
    assert case.state == 9 and case.finished_at == utc(6)
    assert events(session, case.id)[-1].data == {"fees_paid": True}


def test_a_leader_approves_work_that_needs_approval(session, world):
    w = world
    case = new_case(session, w, state=4, assignee=w.officer, requires_approval=True,
                    lease_until=utc(20))
    cid = case.id
    assert_refused_without_trace(session, cid, IllegalTransition,
                                 lambda: perform(session, cid, "complete", w.officer, now=utc(3)))

    perform(session, cid, "submit_for_approval", w.officer, now=utc(3))
    assert (case.state, case.pending_approval) == (4, True)
    assert available_actions(session, case, w.officer, now=utc(3)) == [Action.WITHDRAW]
    assert_refused_without_trace(
        session, cid, IllegalTransition,
        lambda: perform(session, cid, "request_fees", w.officer, now=utc(3)))
    assert_refused_without_trace(session, cid, NotAllowed,
                                 lambda: perform(session, cid, "approve", w.officer, now=utc(3)))
    assert_refused_without_trace(
        session, cid, NoteRequired,
        lambda: perform(session, cid, "reject_approval", w.leader, now=utc(4)))

    perform(session, cid, "reject_approval", w.leader, note="Sai họ tên cha", now=utc(4))
    assert (case.state, case.pending_approval) == (4, False)
    perform(session, cid, "submit_for_approval", w.officer, now=utc(5))
    perform(session, cid, "approve", w.leader, now=utc(5, 4))
    assert (case.state, case.pending_approval) == (9, False)
    assert case.finished_at == utc(5, 4) and case.lease_until is None
    assert [e.action for e in events(session, cid)] == [
        "submit_for_approval", "reject_approval", "submit_for_approval", "approve"]


def test_a_late_case_gets_one_apology_approved_by_a_leader(session, world):
    w = world
    case = new_case(session, w, state=4, assignee=w.officer, due_at=CLOSE_MON_9_MAR)
    cid = case.id
    assert_refused_without_trace(  # not late yet
        session, cid, IllegalTransition,
        lambda: perform(session, cid, "request_apology", w.officer, new_due_at=utc(20),
                        now=utc(9, 9)))
    late = utc(10, 3)
    assert_refused_without_trace(
        session, cid, InvalidInput,
        lambda: perform(session, cid, "request_apology", w.officer, new_due_at=late, now=late))
    assert_refused_without_trace(
        session, cid, InvalidInput,
        lambda: perform(session, cid, "request_apology", w.officer, now=late))

    case.sla_band = 2  # the sweep already escalated it as overdue
    session.commit()
    perform(session, cid, "request_apology", w.officer, new_due_at=utc(13, 10), now=late)
    assert case.apology_due_at == utc(13, 10)
    assert case.sla_band == 2
    assert case.due_at == CLOSE_MON_9_MAR  # nothing moves until a leader signs
    assert_refused_without_trace(
        session, cid, NotAllowed,
        lambda: perform(session, cid, "approve_apology", w.officer, now=late))
    assert_refused_without_trace(  # a leader of another department is nobody here
        session, cid, NotAllowed,
        lambda: perform(session, cid, "approve_apology", w.other_leader, now=late))

    perform(session, cid, "approve_apology", w.leader, now=utc(10, 4))
    assert case.due_at == utc(13, 10)
    assert case.sla_band == 0  # the new date gets its own warnings if it slips too
    assert case.apology_approved_at == utc(10, 4)
    assert events(session, cid)[-1].data == {"old_due_at": CLOSE_MON_9_MAR.isoformat(),
                                             "new_due_at": utc(13, 10).isoformat()}

    # Late again: the apology was the one chance.
    assert_refused_without_trace(
        session, cid, IllegalTransition,
        lambda: perform(session, cid, "request_apology", w.officer, new_due_at=utc(25),
                        now=utc(16)))


def test_a_rejected_apology_can_be_proposed_again(session, world):
    w = world
    case = new_case(session, w, state=4, assignee=w.officer, due_at=CLOSE_MON_9_MAR)
    perform(session, case.id, "request_apology", w.officer, new_due_at=utc(30), now=utc(10))
    perform(session, case.id, "reject_apology", w.leader, note="Hẹn quá xa", now=utc(10, 3))
    assert case.apology_due_at is None and case.apology_approved_at is None
    perform(session, case.id, "request_apology", w.officer, new_due_at=utc(12), now=utc(10, 4))
    assert case.apology_due_at == utc(12)


def test_the_resident_withdraws_while_waiting_and_the_pause_is_settled(session, world):
    w = world
    case = new_case(session, w, state=5, assignee=w.officer, paused_at=utc(3, 3),
                    due_at=CLOSE_MON_9_MAR, lease_until=utc(20))
    perform(session, case.id, "withdraw", w.applicant, now=utc(5, 3))
    assert (case.state, case.paused_at, case.finished_at, case.lease_until) == \
        (7, None, utc(5, 3), None)
    assert case.due_at == CLOSE_WED_11_MAR  # withdrawn, but not reported as late
    assert events(session, case.id)[-1].note is None


def test_staff_record_a_withdrawal_only_with_a_note(session, world):
    case = new_case(session, world, state=2)
    assert_refused_without_trace(
        session, case.id, NoteRequired,
        lambda: perform(session, case.id, "withdraw", world.intake, now=utc(3)))
    perform(session, case.id, "withdraw", world.intake, note="Đơn xin rút ngày 3/3", now=utc(3))
    assert case.state == 7
    assert events(session, case.id)[-1].data == {"on_behalf_of_applicant": True}


def test_a_transfer_makes_the_case_claimable_in_the_new_department(session, world):
    w = world
    case = new_case(session, w, state=4, assignee=w.officer, claimed_at=utc(2),
                    lease_until=utc(4))
    perform(session, case.id, "transfer", w.officer, note="Thuộc thẩm quyền phòng khác",
            to_department_id=w.other.id, now=utc(3))
    assert (case.department_id, case.assignee_id, case.claimed_at, case.lease_until) == \
        (w.other.id, None, None, None)
    assert case.state == 4
    event = events(session, case.id)[-1]
    assert (event.from_state, event.to_state) == (4, 4)
    assert event.data == {"from_department_id": w.dept.id, "to_department_id": w.other.id,
                          "previous_assignee_id": w.officer.id}
    # The old department has let go; the new one has it.
    assert capacities_of(session, case, w.officer) == frozenset()
    assert_refused_without_trace(
        session, case.id, NotAllowed,
        lambda: perform(session, case.id, "stop", w.officer, note="x", now=utc(4)))
    perform(session, case.id, "stop", w.other_leader, note="Không đủ điều kiện", now=utc(4))
    assert case.state == 8


def test_admin_may_act_anywhere(session, world):
    case = new_case(session, world)
    assert capacities_of(session, case, world.admin) == {"admin"}
    perform(session, case.id, "receive", world.admin, now=utc(2))
    assert case.state == 2


# -- refused actions leave no trace ------------------------------------------------------------

def test_an_illegal_transition_changes_nothing_and_writes_no_event(session, world):
    case = new_case(session, world, assignee=world.officer)
    assert_refused_without_trace(
        session, case.id, IllegalTransition,
        lambda: perform(session, case.id, "complete", world.officer, now=utc(3)))
    assert_refused_without_trace(
        session, case.id, IllegalTransition,
        lambda: perform(session, case.id, "teleport", world.officer, now=utc(3)))


def test_an_officer_of_another_department_is_not_allowed(session, world):
    case = new_case(session, world)
    other_intake = make_officer(session, world.other, desk="intake")
    session.commit()
    for stranger in (world.outsider, other_intake, world.other_leader):
        assert_refused_without_trace(
            session, case.id, NotAllowed,
            lambda: perform(session, case.id, "receive", stranger, now=utc(3)))
    assert available_actions(session, case, world.outsider, now=utc(3)) == []


def test_a_deactivated_officer_can_no_longer_act(session, world):
    case = new_case(session, world, state=2, assignee=world.officer)
    world.officer.active = False
    session.commit()
    assert_refused_without_trace(
        session, case.id, NotAllowed,
        lambda: perform(session, case.id, "start", world.officer, now=utc(3)))


def test_a_form_loaded_before_someone_else_acted_is_stale(session, world):
    case = new_case(session, world, assignee=world.officer)
    perform(session, case.id, "receive", world.intake, expected_version=1, now=utc(2))
    assert_refused_without_trace(
        session, case.id, StaleCase,
        lambda: perform(session, case.id, "refuse", world.intake, note="Trùng hồ sơ",
                        expected_version=1, now=utc(2, 3)))


def test_reasons_are_required(session, world):
    case = new_case(session, world)
    assert_refused_without_trace(
        session, case.id, NoteRequired,
        lambda: perform(session, case.id, "refuse", world.intake, note="  ", now=utc(2)))
    perform(session, case.id, "refuse", world.intake, note="Không thuộc thẩm quyền", now=utc(2))
    assert (case.state, case.finished_at) == (3, utc(2))


@pytest.mark.parametrize("target", ["petitions", "closed", "dept", "missing"])
def test_a_transfer_to_a_department_that_cannot_take_the_case_is_refused(session, world, target):
    case = new_case(session, world, state=2, assignee=world.officer)
    dept_id = 999_999 if target == "missing" else getattr(world, target).id
    assert_refused_without_trace(
        session, case.id, WrongDepartment,
        lambda: perform(session, case.id, "transfer", world.officer, note="Chuyển",
                        to_department_id=dept_id, now=utc(3)))


@pytest.mark.parametrize("empty", [None, 0])
def test_a_transfer_without_a_target_is_invalid(session, world, empty):
    case = new_case(session, world, state=2, assignee=world.officer)
    assert_refused_without_trace(
        session, case.id, InvalidInput,
        lambda: perform(session, case.id, "transfer", world.officer, note="Chuyển",
                        to_department_id=empty, now=utc(3)))


def test_a_missing_case_is_reported(session, world):
    with pytest.raises(CaseNotFound):
        perform(session, 424242, "receive", world.intake, now=utc(2))


def test_a_terminal_case_never_moves(session, world):
    for state in sorted(TERMINAL):
        case = new_case(session, world, state=state, assignee=world.officer,
                        finished_at=utc(2))
        for actor in (world.admin, world.leader, world.officer, world.applicant):
            assert available_actions(session, case, actor, now=utc(3)) == []
        assert_refused_without_trace(
            session, case.id, IllegalTransition,
            lambda: perform(session, case.id, "withdraw", world.applicant, now=utc(3)))


# -- the audit log is append-only in the database itself ------------------------------------

def test_case_events_reject_update_and_delete_on_every_backend(session, world):
    case = new_case(session, world)
    perform(session, case.id, "receive", world.intake, now=utc(2))
    for statement in ("UPDATE case_events SET note = 'sửa lén'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert [e.note for e in events(session, case.id)] == [None]


# -- random walks ----------------------------------------------------------------------------

ACTORS = ("officer", "leader", "intake", "applicant", "outsider", "other_leader", "admin")
DUE_MOVERS = {"receive", "supplement_provided", "approve_apology"}
ENDINGS = {Action.WITHDRAW, Action.REFUSE, Action.STOP}


def test_random_actions_by_random_people_keep_case_and_log_consistent(session, world):
    w = world

    class CaseWalk(RuleBasedStateMachine):
        @initialize(requires_approval=st.booleans(), assigned=st.booleans(),
                    sla_days=st.integers(0, 10))
        def open_case(self, requires_approval, assigned, sla_days):
            self.now = SUBMITTED_AT + timedelta(hours=1)
            case = new_case(session, w, requires_approval=requires_approval, sla_days=sla_days,
                            assignee=w.officer if assigned else None,
                            lease_until=self.now + timedelta(hours=4) if assigned else None)
            self.case_id = case.id
            self.row = stored(session, self.case_id)
            self.seen_events = 0

        def _perform(self, action, who, note, days, valid_target):
            before = stored(session, self.case_id)
            if valid_target:  # whichever dossier department the case is not in yet
                target = w.other.id if before["department_id"] == w.dept.id else w.dept.id
            else:
                target = w.petitions.id
            count = event_count(session, self.case_id)
            try:
                perform(session, self.case_id, action, getattr(w, who),
                        expected_version=before["version"], note=note,
                        to_department_id=target, new_due_at=self.now + timedelta(days=days),
                        now=self.now)
            except QueueError:
                assert stored(session, self.case_id) == before
                assert event_count(session, self.case_id) == count
                return
            after = stored(session, self.case_id)
            assert after["version"] == before["version"] + 1
            assert event_count(session, self.case_id) == count + 1
            assert before["state"] not in TERMINAL

        @rule(action=st.sampled_from(list(Action)), who=st.sampled_from(ACTORS),
              note=st.sampled_from([None, "", "Lý do"]), days=st.integers(-2, 10),
              valid_target=st.booleans())
        def anything(self, action, who, note, days, valid_target):
            self._perform(action, who, note, days, valid_target)

        @rule(pick=st.integers(0, 50), by=st.integers(0, 6), ending=st.integers(0, 9),
              days=st.integers(-2, 10))
        def something_offered(self, pick, by, ending, days):
            # Steps the workbench would offer someone, so walks get deep instead of bouncing
            # off state 1. Actions that end a case are offered to nearly everyone and would end
            # most walks within a few steps, so they are held back most of the time.
            case = session.get(Case, self.case_id, populate_existing=True)
            offers: dict[Action, list[str]] = {}
            for who in ACTORS:
                for action in available_actions(session, case, getattr(w, who), now=self.now):
                    if ending == 9 or action not in ENDINGS:
                        offers.setdefault(action, []).append(who)
            if offers:
                action = sorted(offers, key=list(Action).index)[pick % len(offers)]
                who = offers[action][by % len(offers[action])]
                self._perform(action, who, "Lý do", days, valid_target=True)

        @rule(hours=st.integers(1, 24 * 6))
        def time_passes(self, hours):
            self.now += timedelta(hours=hours)

        @rule(who=st.sampled_from(("officer", "outsider", "admin")))
        def claim(self, who):
            # Stands in for app/queue/claims.py: an officer takes an unassigned open case.
            case = session.get(Case, self.case_id, populate_existing=True)
            if case.assignee_id is None and case.state in (1, 2, 4):
                case.assignee_id = getattr(w, who).id
                case.lease_until = self.now + timedelta(hours=4)
                case.version += 1
                record_event(session, case, "claim", actor_id=case.assignee_id,
                             from_state=case.state, to_state=case.state, at=self.now)
                session.commit()

        @invariant()
        def log_replays_to_the_case(self):
            if not hasattr(self, "case_id"):
                return
            row = stored(session, self.case_id)
            log = events(session, self.case_id)
            state = 1
            for event in log:
                assert event.from_state == state
                state = event.to_state
            assert state == row["state"]
            assert row["version"] == 1 + len(log)

            new = log[self.seen_events:]
            assert len(new) <= 1
            if self.row["state"] in TERMINAL:
                assert row["state"] == self.row["state"] and not new
            if row["due_at"] != self.row["due_at"]:
                (event,) = new
                assert event.action in DUE_MOVERS or (
                    event.action == "withdraw" and event.from_state == State.SUPPLEMENT_REQUESTED)
            self.row, self.seen_events = row, len(log)

        @invariant()
        def bookkeeping_follows_the_state(self):
            if not hasattr(self, "case_id"):
                return
            row = self.row
            assert (row["paused_at"] is not None) == (row["state"] == 5)
            assert (row["finished_at"] is not None) == (row["state"] in FINISHED)
            if row["state"] in FINISHED:
                assert row["lease_until"] is None
            if row["pending_approval"]:
                assert row["state"] == 4 and row["requires_approval"]
            approvals = [e for e in events(session, self.case_id) if e.action == "approve_apology"]
            assert len(approvals) <= 1

    run_state_machine_as_test(CaseWalk, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
