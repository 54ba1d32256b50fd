"""The control sheet (Mẫu 05) from the event log: who handed the file to whom, when, and whether
that was before, on or after the appointment in force at that moment. Pure: no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app.dossiers.control_sheet import (APPLICANT, DESK, EARLY, LATE, LEADER, ON_TIME, QUEUE,
                                        USER, Party, hand_overs, timing_of)

VN = timezone(timedelta(hours=7))
DEPT, OTHER = 10, 20
INTAKE, OFFICER, BOSS, RESIDENT = 1, 2, 3, 4


@dataclass
class Event:
    id: int
    action: str
    at: datetime
    actor_id: int | None = None
    data: dict | None = None
    note: str | None = None
    from_state: int | None = None
    to_state: int | None = None


@dataclass
class Case:
    due_at: datetime
    department_id: int = DEPT
    applicant_id: int | None = RESIDENT


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=VN)


FIRST_DUE = at(5, 17)     # the appointment the receive sets
LATER_DUE = at(12, 17)    # after an approved apology


def _events() -> list[Event]:
    return [
        Event(1, "submitted", at(2, 8), RESIDENT),
        Event(2, "receive", at(2, 9), INTAKE,
              data={"old_due_at": at(4, 17).isoformat(), "new_due_at": FIRST_DUE.isoformat()}),
        Event(3, "claim", at(3), OFFICER),
        Event(4, "start", at(3, 10), OFFICER),
        Event(5, "submit_for_approval", at(5, 9), OFFICER),
        Event(6, "escalated", at(5, 18), None, data={"band": 2}),
        Event(7, "approve_apology", at(6), BOSS,
              data={"old_due_at": FIRST_DUE.isoformat(), "new_due_at": LATER_DUE.isoformat()}),
        Event(8, "approve", at(7), BOSS, to_state=9),
        Event(9, "return_result", at(20), INTAKE, to_state=10),
    ]


def test_each_hand_over_names_giver_and_taker_in_order():
    rows = hand_overs(Case(due_at=LATER_DUE), _events())
    assert [(r.number, r.action, r.giver, r.taker) for r in rows] == [
        (1, "receive", Party(APPLICANT), Party(USER, INTAKE)),
        (2, "claim", Party(QUEUE, DEPT), Party(USER, OFFICER)),
        (3, "start", Party(DESK, DEPT), Party(USER, OFFICER)),
        (4, "submit_for_approval", Party(USER, OFFICER), Party(LEADER, DEPT)),
        (5, "approve", Party(USER, BOSS), Party(DESK, DEPT)),
        (6, "return_result", Party(USER, INTAKE), Party(APPLICANT)),
    ]


def test_hand_overs_are_judged_against_the_appointment_in_force_at_that_moment():
    rows = {r.action: r for r in hand_overs(Case(due_at=LATER_DUE), _events())}
    # Before the appointment day, on it, and (had the apology not moved the date) after it.
    assert rows["receive"].due_at == FIRST_DUE and rows["receive"].timing == EARLY
    assert rows["submit_for_approval"].timing == ON_TIME
    assert rows["approve"].due_at == LATER_DUE and rows["approve"].timing == EARLY
    # Handing the result over waits for the resident: no verdict on the office.
    assert rows["return_result"].timing is None


def test_a_hand_over_after_the_appointed_moment_is_late():
    events = _events()[:5] + [Event(8, "complete", at(6), OFFICER, to_state=9)]
    rows = hand_overs(Case(due_at=FIRST_DUE), events)
    complete = rows[-1]
    assert complete.taker == Party(DESK, DEPT)
    assert complete.due_at == FIRST_DUE and complete.timing == LATE


def test_the_appointment_before_the_first_change_is_the_old_date_of_that_change():
    events = [Event(1, "claim", at(1), OFFICER),
              Event(2, "receive", at(2), INTAKE,
                    data={"old_due_at": at(1, 8).isoformat(), "new_due_at": FIRST_DUE.isoformat()})]
    claim, receive = hand_overs(Case(due_at=FIRST_DUE), events)
    assert claim.due_at == at(1, 8) and claim.timing == LATE
    assert receive.timing == EARLY


def test_a_transfer_moves_the_file_between_departments_and_clears_the_holder():
    events = [
        Event(1, "receive", at(2), INTAKE),
        Event(2, "assign", at(2, 10), None, data={"assignee_id": OFFICER}),
        Event(3, "transfer", at(3), OFFICER, note="Sai thẩm quyền",
              data={"from_department_id": DEPT, "to_department_id": OTHER}),
        Event(4, "reassign", at(3, 11), BOSS, data={"from_assignee_id": None, "to_assignee_id": 9}),
        Event(5, "release", at(3, 12), 9, data=None),
    ]
    rows = hand_overs(Case(due_at=FIRST_DUE, department_id=OTHER), events)
    assert [r.department_id for r in rows] == [DEPT, DEPT, DEPT, OTHER, OTHER]
    assert rows[1].taker == Party(USER, OFFICER)
    assert (rows[2].giver, rows[2].taker, rows[2].note) == (
        Party(QUEUE, DEPT), Party(QUEUE, OTHER), "Sai thẩm quyền")
    assert rows[3].giver == Party(QUEUE, OTHER) and rows[3].taker == Party(USER, 9)
    assert rows[4].giver == Party(USER, 9) and rows[4].taker == Party(QUEUE, OTHER)


def test_a_supplement_goes_to_the_applicant_and_comes_back_to_the_holder():
    events = [
        Event(1, "claim", at(2), OFFICER),
        Event(2, "request_supplement", at(3), OFFICER, note="Bản sao giấy khai sinh"),
        # The resident answered online: the file goes back to the officer holding the case,
        # judged against the appointment moved on by the days the clock stood still.
        Event(3, "supplement_provided", at(9), RESIDENT,
              data={"old_due_at": FIRST_DUE.isoformat(), "new_due_at": LATER_DUE.isoformat()}),
        Event(4, "complete", at(10), OFFICER, to_state=9),
    ]
    rows = hand_overs(Case(due_at=LATER_DUE), events)
    asked, answered, done = rows[1:]
    assert asked.taker == Party(APPLICANT) and asked.timing == EARLY
    assert answered.giver == Party(APPLICANT) and answered.taker == Party(USER, OFFICER)
    assert answered.timing is None
    assert done.due_at == LATER_DUE and done.timing == EARLY


def test_events_that_hand_nothing_over_make_no_row_and_missing_data_breaks_nothing():
    events = [Event(1, "submitted", at(1), RESIDENT), Event(2, "escalated", at(2)),
              Event(3, "request_apology", at(3), OFFICER, data={"due_at": None}),
              Event(4, "assign", at(4), None, data={"assignee_id": "not an id"}),
              Event(5, "receive", at(5), INTAKE, data={"new_due_at": "garbage"})]
    rows = hand_overs(Case(due_at=FIRST_DUE), events)
    assert [r.action for r in rows] == ["receive"]
    assert rows[0].due_at == FIRST_DUE


def test_timing_uses_the_local_day():
    due = at(5, 17)
    # 00:30 on the 5th in Vietnam is the due day, though still the 4th in UTC.
    assert timing_of(datetime(2026, 11, 4, 17, 30, tzinfo=timezone.utc), due) == ON_TIME
    assert timing_of(datetime(2026, 11, 4, 16, 30, tzinfo=timezone.utc), due) == EARLY
    assert timing_of(due + timedelta(minutes=1), due) == LATE
    assert timing_of(due, None) is None
