"""Working-day calendar: deadlines on real 2026 dates.

Holiday facts below are what ``holidays`` 0.109 returns for Vietnam 2026 (the
official schedule): Tết Mon 16 – Fri 20 Feb, Hùng Kings observed Mon 27 Apr,
30/4, 1/5, the 2/9 bridge (Mon 31 Aug swapped for Sat 22 Aug, Tue 1 Sep,
Wed 2 Sep) and Vietnam Cultural Day Tue 24 Nov.
"""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.queue.calendar import (
    LOCAL_TZ,
    OFFICE_CLOSE,
    WorkCalendar,
    due_for,
    public_holidays,
)

CAL = WorkCalendar()
UTC = timezone.utc


def local(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def close_of(d: date) -> datetime:
    return datetime.combine(d, OFFICE_CLOSE, tzinfo=LOCAL_TZ)


# -- the holiday data the rest relies on -------------------------------------


def test_tet_2026_weekdays_are_not_working_days():
    tet = [date(2026, 2, d) for d in range(16, 21)]
    assert set(tet) <= public_holidays(2026)
    assert not any(CAL.is_working_day(d) for d in tet)
    # The Friday before and the Monday after are ordinary working days.
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year
        date(2026, 4, 27),  # Hùng Kings (26/4 is a Sunday) observed
        date(2026, 4, 30),  # Reunification Day
        date(2026, 5, 1),  # Labour Day
        date(2026, 8, 31),  # day off swapped from Sat 22/8
        date(2026, 9, 1),  # 2/9 bridge day
        date(2026, 9, 2),  # National Day
        date(2026, 11, 24),  # Vietnam Cultural Day
    ],
)
def test_2026_public_holidays_are_not_working_days(day):
    assert day in public_holidays(2026)
    assert not CAL.is_working_day(day)


def test_weekends_are_not_working_days_but_ordinary_weekdays_are():
    assert not CAL.is_working_day(date(2026, 1, 10))  # Saturday
    assert not CAL.is_working_day(date(2026, 1, 11))  # Sunday
    assert all(CAL.is_working_day(date(2026, 1, d)) for d in range(12, 17))


def test_next_working_day_is_strictly_after_and_skips_the_bridge():
    assert CAL.next_working_day(date(2026, 1, 12)) == date(2026, 1, 13)
    # Fri 28 Aug -> Sat, Sun, Mon 31/8, Tue 1/9, Wed 2/9 all off.
    assert CAL.next_working_day(date(2026, 8, 28)) == date(2026, 9, 3)


# -- add_working_days -------------------------------------------------------


def test_due_skips_the_weekend():
    # Thu 8 Jan + 2 working days: Fri 9, (Sat, Sun), Mon 12.
    due = CAL.add_working_days(local(2026, 1, 8, 10), 2)
    assert due == close_of(date(2026, 1, 12))


def test_due_skips_tet_2026():
    # Fri 13 Feb + 3 working days: Tết fills 16–20 Feb, so Mon 23, Tue 24, Wed 25.
    due = CAL.add_working_days(local(2026, 2, 13, 10), 3)
    assert due.astimezone(LOCAL_TZ).date() == date(2026, 2, 25)
    assert due == datetime(2026, 2, 25, 10, 0, tzinfo=UTC)


def test_due_is_returned_in_utc_at_office_close():
    due = CAL.add_working_days(local(2026, 3, 3, 8), 5)
    assert due.tzinfo is UTC
    assert due.astimezone(LOCAL_TZ).time() == time(17, 0)
    assert due == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_same_day_procedure_received_before_cutoff_is_due_today_at_close():
    due = CAL.add_working_days(local(2026, 1, 13, 14, 59), 0)
    assert due == close_of(date(2026, 1, 13))


@pytest.mark.parametrize("hh, mm", [(15, 0), (16, 30), (18, 0)])
def test_same_day_procedure_received_at_or_after_cutoff_is_due_next_working_day(hh, mm):
    due = CAL.add_working_days(local(2026, 1, 13, hh, mm), 0)
    assert due == close_of(date(2026, 1, 14))


def test_same_day_after_cutoff_on_friday_is_due_monday():
    assert CAL.add_working_days(local(2026, 1, 16, 15, 30), 0) == close_of(date(2026, 1, 19))


def test_cutoff_does_not_move_start_of_multi_day_procedures():
    # The cutoff exists because a same-day case cannot be finished before closing;
    # a 1-day case received late still counts from the day of receipt.
    assert CAL.start_day(local(2026, 1, 13, 16), 1) == date(2026, 1, 13)
    assert CAL.add_working_days(local(2026, 1, 13, 16), 1) == close_of(date(2026, 1, 14))


def test_cutoff_uses_local_time_whatever_zone_the_input_is_in():
    # 08:30 UTC is 15:30 in Hà Nội: past the cutoff.
    due = CAL.add_working_days(datetime(2026, 1, 13, 8, 30, tzinfo=UTC), 0)
    assert due == close_of(date(2026, 1, 14))
    # 07:59 UTC is 14:59 local: still before it.
    due = CAL.add_working_days(datetime(2026, 1, 13, 7, 59, tzinfo=UTC), 0)
    assert due == close_of(date(2026, 1, 13))


def test_received_on_saturday_counts_from_monday():
    sat = local(2026, 1, 10, 9)
    assert CAL.start_day(sat, 1) == date(2026, 1, 12)
    assert CAL.add_working_days(sat, 0) == close_of(date(2026, 1, 12))
    assert CAL.add_working_days(sat, 1) == close_of(date(2026, 1, 13))


def test_received_late_friday_utc_evening_is_saturday_locally():
    # Fri 9 Jan 18:00 UTC is Sat 10 Jan 01:00 local.
    assert CAL.start_day(datetime(2026, 1, 9, 18, 0, tzinfo=UTC), 2) == date(2026, 1, 12)


def test_extra_holiday_is_skipped():
    cal = WorkCalendar(extra_holidays=frozenset({date(2026, 1, 14)}))
    assert not cal.is_working_day(date(2026, 1, 14))
    assert cal.add_working_days(local(2026, 1, 13, 9), 1) == close_of(date(2026, 1, 15))
    # The default calendar is unaffected.
    assert CAL.add_working_days(local(2026, 1, 13, 9), 1) == close_of(date(2026, 1, 14))


def test_makeup_saturday_is_counted():
    # Sat 22 Aug 2026 is the real make-up day for the 31/8 day off.
    cal = WorkCalendar(makeup_days=frozenset({date(2026, 8, 22)}))
    assert cal.is_working_day(date(2026, 8, 22))
    assert cal.add_working_days(local(2026, 8, 21, 9), 1) == close_of(date(2026, 8, 22))
    assert CAL.add_working_days(local(2026, 8, 21, 9), 1) == close_of(date(2026, 8, 24))
    # A dossier received on the make-up Saturday starts that day.
    assert cal.start_day(local(2026, 8, 22, 9), 2) == date(2026, 8, 22)


def test_makeup_day_overrides_public_and_extra_holidays():
    cal = WorkCalendar(
        extra_holidays=frozenset({date(2026, 4, 30)}),
        makeup_days=frozenset({date(2026, 4, 30), date(2026, 5, 1)}),
    )
    assert cal.is_working_day(date(2026, 4, 30))
    assert cal.is_working_day(date(2026, 5, 1))


def test_calendar_accepts_plain_sets_and_stays_hashable():
    cal = WorkCalendar(extra_holidays={date(2026, 1, 14)}, makeup_days=[date(2026, 1, 10)])
    assert isinstance(cal.extra_holidays, frozenset)
    assert isinstance(cal.makeup_days, frozenset)
    same = WorkCalendar(
        extra_holidays=frozenset({date(2026, 1, 14)}), makeup_days=frozenset({date(2026, 1, 10)})
    )
    assert cal == same and hash(cal) == hash(same)


def test_due_for_uses_the_public_holiday_calendar_by_default():
    assert due_for(local(2026, 2, 13, 10), 3) == close_of(date(2026, 2, 25))
    cal = WorkCalendar(extra_holidays=frozenset({date(2026, 2, 23)}))
    assert due_for(local(2026, 2, 13, 10), 3, cal) == close_of(date(2026, 2, 26))


# -- working_days_between and pauses -----------------------------------------


def test_working_days_between_across_a_weekend_counts_only_monday():
    # Fri 9 Jan -> Mon 12 Jan: Sat and Sun do not count, Monday does.
    assert CAL.working_days_between(local(2026, 1, 9, 10), local(2026, 1, 12, 9)) == 1
    # Fri -> Sat: nothing.
    assert CAL.working_days_between(local(2026, 1, 9, 10), local(2026, 1, 10, 9)) == 0


def test_working_days_between_is_day_granular_and_zero_when_not_after():
    assert CAL.working_days_between(local(2026, 1, 12, 8), local(2026, 1, 12, 16)) == 0
    assert CAL.working_days_between(local(2026, 1, 12, 16), local(2026, 1, 13, 8)) == 1
    assert CAL.working_days_between(local(2026, 1, 13, 8), local(2026, 1, 12, 8)) == 0
    assert CAL.working_days_between(local(2026, 2, 13, 10), local(2026, 2, 23, 9)) == 1  # over Tết


def test_extend_for_pause_adds_the_working_days_waited():
    due = close_of(date(2026, 1, 21))  # Wednesday
    # Waited Mon 12 -> Wed 14 Jan: Tue 13 and Wed 14 count.
    new_due = CAL.extend_for_pause(due, local(2026, 1, 12, 10), local(2026, 1, 14, 11))
    assert new_due == close_of(date(2026, 1, 23))
    assert new_due.tzinfo is UTC


def test_extend_for_pause_crosses_weekends_and_holidays():
    # Due Fri 13 Feb, one day paused: the next working day is after Tết.
    due = close_of(date(2026, 2, 13))
    new_due = CAL.extend_for_pause(due, local(2026, 2, 9, 10), local(2026, 2, 10, 10))
    assert new_due == close_of(date(2026, 2, 23))


def test_extend_for_pause_leaves_due_unchanged_when_no_working_day_passed():
    due = close_of(date(2026, 1, 21))
    # Paused and resumed the same day, or over a weekend only.
    assert CAL.extend_for_pause(due, local(2026, 1, 12, 9), local(2026, 1, 12, 16)) == due
    assert CAL.extend_for_pause(due, local(2026, 1, 9, 18), local(2026, 1, 11, 9)) == due


# -- input validation --------------------------------------------------------

NAIVE = datetime(2026, 1, 13, 9, 0)
AWARE = local(2026, 1, 13, 9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_working_days(NAIVE, 1),
        lambda: CAL.start_day(NAIVE, 1),
        lambda: CAL.working_days_between(NAIVE, AWARE),
        lambda: CAL.working_days_between(AWARE, NAIVE),
        lambda: CAL.extend_for_pause(NAIVE, AWARE, AWARE),
        lambda: CAL.extend_for_pause(AWARE, NAIVE, AWARE),
        lambda: due_for(NAIVE, 1),
    ],
    ids=[
        "add", "start_day", "between_start", "between_end", "extend_due", "extend_paused",
        "due_for",
    ],
)
def test_naive_datetime_raises(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_days_raises():
    with pytest.raises(ValueError, match="days"):
        CAL.add_working_days(AWARE, -1)
    with pytest.raises(ValueError, match="days"):
        CAL.start_day(AWARE, -1)


# -- properties --------------------------------------------------------------

ZONES = st.sampled_from(
    [UTC, LOCAL_TZ, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))]
)
# Window overlaps the custom days below and Tết 2026, so both paths get exercised.
RECEIVED = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=ZONES
)
CUSTOM_DAYS = st.frozensets(st.dates(date(2025, 12, 1), date(2027, 3, 31)), max_size=8)
CALENDARS = st.builds(WorkCalendar, extra_holidays=CUSTOM_DAYS, makeup_days=CUSTOM_DAYS)
DAYS = st.integers(min_value=0, max_value=60)
# No example database: keeps test runs from writing into the repository.
PROPS = settings(max_examples=100, deadline=None, database=None)


@PROPS
@given(cal=CALENDARS, received=RECEIVED, days=DAYS)
def test_property_due_is_a_working_day_at_office_close_after_receipt(cal, received, days):
    due = cal.add_working_days(received, days)
    assert due.utcoffset() == timedelta(0)
    due_local = due.astimezone(LOCAL_TZ)
    assert cal.is_working_day(due_local.date())
    assert due_local.time() == OFFICE_CLOSE
    assert due > received


@PROPS
@given(cal=CALENDARS, received=RECEIVED, days=st.integers(min_value=0, max_value=59))
def test_property_due_is_monotonic_in_days(cal, received, days):
    # Not strict at 0 -> 1: a same-day case received after the cutoff is due
    # the next working day, exactly like a one-day case.
    assert cal.add_working_days(received, days) <= cal.add_working_days(received, days + 1)
    if days >= 1:
        assert cal.add_working_days(received, days) < cal.add_working_days(received, days + 1)


@PROPS
@given(cal=CALENDARS, a=RECEIVED, b=RECEIVED, days=DAYS)
def test_property_due_is_monotonic_in_received_at(cal, a, b, days):
    early, late = sorted((a, b))
    assert cal.add_working_days(early, days) <= cal.add_working_days(late, days)


@PROPS
@given(cal=CALENDARS, received=RECEIVED, days=DAYS)
def test_property_due_is_days_working_days_after_receipt(cal, received, days):
    # Ties add_working_days to working_days_between: the start day itself is
    # counted only when it is not the day of receipt.
    shifted = cal.start_day(received, days) != received.astimezone(LOCAL_TZ).date()
    due = cal.add_working_days(received, days)
    assert cal.working_days_between(received, due) == days + shifted
