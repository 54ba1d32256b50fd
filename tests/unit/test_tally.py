"""What a case counts for in the statistics' levels, from a given day on (app/queue/tally.py):
the rule the running totals and the recount share."""
from datetime import date, datetime, timedelta

from app.models.stats import ALL_TIME, BY_DEPARTMENT, DAY, DETAIL, MONTH, TOTAL
from app.queue.calendar import LOCAL_TZ, WorkCalendar
from app.queue.history import EARLY, LATE, ON_TIME
from app.queue.tally import (Dims, Ledger, Standing, done_timing, expand, outlook, pause_days,
                             processing_days)

DIMS = Dims("dossier", "civil_status", 7, 3)
DUE = datetime(2026, 4, 23, 17, 0, tzinfo=LOCAL_TZ)   # Thursday, office close
A = date(2026, 4, 20)


def levels(standing, day=A):
    return sorted((when, column, n) for _d, when, column, n in outlook(standing, day))


def test_an_open_case_is_late_from_its_appointment_day_and_due_on_that_day_only():
    assert levels(Standing(DIMS, 4, DUE)) == [
        (A, "open_n", 1), (date(2026, 4, 23), "due_n", 1), (date(2026, 4, 23), "late_n", 1),
        (date(2026, 4, 24), "due_n", -1)]


def test_a_case_already_past_its_date_is_late_from_the_day_of_the_change():
    assert levels(Standing(DIMS, 4, DUE), date(2026, 4, 27)) == [
        (date(2026, 4, 27), "late_n", 1), (date(2026, 4, 27), "open_n", 1)]


def test_a_paused_case_is_late_only_if_it_paused_after_its_date():
    in_time = Standing(DIMS, 5, DUE, paused_at=DUE - timedelta(days=1))
    too_late = Standing(DIMS, 5, DUE, paused_at=DUE + timedelta(hours=1))
    assert levels(in_time) == [(A, "open_n", 1)]
    assert levels(too_late) == [(A, "late_n", 1), (A, "open_n", 1)]


def test_an_approved_apology_keeps_the_case_late_until_it_finishes():
    later = DUE + timedelta(days=10)
    assert levels(Standing(DIMS, 4, later, apology=True)) == [(A, "late_n", 1), (A, "open_n", 1)]


def test_a_finished_case_counts_in_no_level():
    for state in (3, 7, 8, 9, 10):
        assert outlook(Standing(DIMS, state, DUE), A) == []


def test_done_is_early_on_the_day_or_late_and_an_apology_makes_it_late():
    assert done_timing(DUE - timedelta(days=1), DUE, False) == EARLY
    assert done_timing(DUE - timedelta(hours=2), DUE, False) == ON_TIME
    assert done_timing(DUE + timedelta(minutes=1), DUE, False) == LATE
    assert done_timing(DUE - timedelta(days=3), DUE, True) == LATE


def test_processing_days_leave_out_days_off_and_the_days_waiting():
    calendar = WorkCalendar()
    received = datetime(2026, 4, 22, 9, 0, tzinfo=LOCAL_TZ)
    done = datetime(2026, 5, 5, 10, 0, tzinfo=LOCAL_TZ)
    # 23, 24, 28, 29/04, 04, 05/05: 27/04, 30/04 and 01/05 are public holidays.
    assert processing_days(calendar, received, done, 0) == 6
    assert processing_days(calendar, received, done, 3) == 3
    assert processing_days(calendar, received, received, 5) == 0


def test_a_pause_is_read_from_what_perform_recorded_or_counted_from_when_it_began():
    calendar = WorkCalendar()
    resumed = datetime(2026, 4, 29, 9, 0, tzinfo=LOCAL_TZ)
    assert pause_days({"paused_working_days": 2}, resumed, None, calendar) == 2
    began = datetime(2026, 4, 23, 10, 0, tzinfo=LOCAL_TZ)
    assert pause_days({"paused_at": began.isoformat()}, resumed, None, calendar) == 3
    assert pause_days({}, resumed, began, calendar) == 3
    assert pause_days({}, resumed, None, calendar) == 0


def test_a_change_is_added_to_its_day_month_and_all_time_at_both_levels():
    ledger = Ledger()
    ledger.add(DIMS, date(2026, 4, 20), "received")
    ledger.add(DIMS, date(2026, 4, 20), "open_n", 1)
    ledger.add(DIMS, date(2026, 4, 20), "open_n", -1)   # cancelled out: not written
    rows = expand(ledger.pruned())
    assert set(rows) == {
        (DETAIL, DAY, date(2026, 4, 20), "dossier", 7, 3, "civil_status", ""),
        (DETAIL, MONTH, date(2026, 4, 1), "dossier", 7, 3, "civil_status", ""),
        (DETAIL, TOTAL, ALL_TIME, "dossier", 7, 3, "civil_status", ""),
        (BY_DEPARTMENT, DAY, date(2026, 4, 20), "dossier", 7, 0, "", ""),
        (BY_DEPARTMENT, MONTH, date(2026, 4, 1), "dossier", 7, 0, "", ""),
        (BY_DEPARTMENT, TOTAL, ALL_TIME, "dossier", 7, 0, "", ""),
    }
    assert all(counters == {"received": 1} for counters in rows.values())


def test_a_question_and_a_petition_are_kept_in_their_own_rows_at_both_levels():
    question = Dims("petition", "petition", 7, 0, "question")
    petition = Dims("petition", "petition", 7, 0, "petition")
    ledger = Ledger()
    ledger.add(question, A, "done_on_time")
    ledger.add(petition, A, "done_late")
    ledger.add(petition, A, "done_late")
    rows = expand(ledger.pruned())
    for level, category in ((DETAIL, "petition"), (BY_DEPARTMENT, "")):
        for grain, when in ((DAY, A), (MONTH, date(2026, 4, 1)), (TOTAL, ALL_TIME)):
            key = (level, grain, when, "petition", 7, 0, category)
            assert rows[key + ("question",)] == {"done_on_time": 1}
            assert rows[key + ("petition",)] == {"done_late": 2}
    assert len(rows) == 12


def test_a_date_beyond_the_calendar_counts_as_open_never_late():
    far = datetime(9999, 12, 31, 10, 0, tzinfo=LOCAL_TZ)
    assert levels(Standing(DIMS, 4, far)) == [(A, "open_n", 1)]
