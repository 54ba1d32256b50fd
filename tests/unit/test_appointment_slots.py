"""The desk's slots against the working-day calendar: the weekly pattern, holidays (Tết and the
days an administrator adds), make-up Saturdays, closures, and the booking window's cut-offs."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.appointments.slots import (Closure, Opening, SlotRefused, Window, clock, day_offers,
                                    find_slot, local_minutes, parse_clock, slots_on)
from app.queue.calendar import LOCAL_TZ, WorkCalendar

# Monday to Friday 08:00–11:00 in 30-minute slots of 3, and 13:30–16:30 of 2.
PATTERN = [Opening(d, 8 * 60, 11 * 60, 30, 3) for d in range(5)] + [
    Opening(d, 13 * 60 + 30, 16 * 60 + 30, 30, 2) for d in range(5)]
PLAIN = WorkCalendar()


def local(y, m, d, h=0, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=LOCAL_TZ)


def window_at(moment: datetime, lead=60, horizon=21) -> Window:
    return Window(moment.astimezone(timezone.utc), lead, horizon)


def keys(slots) -> list[str]:
    return [s.key for s in slots]


def test_a_working_day_has_the_pattern_s_slots_in_time_order():
    slots = slots_on(date(2026, 12, 8), PATTERN, [], PLAIN)  # a Tuesday
    assert keys(slots) == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30",
                           "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
    assert [s.capacity for s in slots[:1] + slots[-1:]] == [3, 2]
    assert slots[0].label == "08:00–08:30"


def test_a_slot_that_would_run_past_the_end_of_its_opening_is_not_offered():
    slots = slots_on(date(2026, 12, 8), [Opening(1, 8 * 60, 9 * 60 + 50, 30, 1)], [], PLAIN)
    assert keys(slots) == ["08:00", "08:30", "09:00"]


def test_slots_are_in_vietnam_time_and_stored_as_utc():
    slot = slots_on(date(2026, 12, 8), PATTERN, [], PLAIN)[0]
    assert slot.starts_at == datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=30)
    assert local_minutes(slot.starts_at) == 8 * 60


@pytest.mark.parametrize("day", [date(2026, 12, 5), date(2026, 12, 6)])
def test_no_slot_on_a_weekend(day):
    assert slots_on(day, PATTERN, [], PLAIN) == []


@pytest.mark.parametrize("day", [
    date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 2, 20),   # Tết Bính Ngọ
    date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10),   # Tết Đinh Mùi, weekdays
    date(2026, 4, 27),   # Giỗ Tổ Hùng Vương, observed
    date(2026, 9, 1), date(2026, 9, 2),   # National Day
    date(2026, 8, 31),   # the day off swapped with Saturday 22/08
])
def test_no_slot_on_a_public_holiday(day):
    assert day.weekday() < 5
    assert slots_on(day, PATTERN, [], PLAIN) == []


def test_no_slot_on_a_day_off_the_administrator_added():
    day = date(2026, 12, 24)
    calendar = WorkCalendar(extra_holidays={day})
    assert slots_on(day, PATTERN, [], PLAIN) != []
    assert slots_on(day, PATTERN, [], calendar) == []


def test_a_make_up_saturday_opens_with_monday_s_hours():
    saturday = date(2026, 8, 22)
    calendar = WorkCalendar(makeup_days={saturday})
    assert slots_on(saturday, PATTERN, [], PLAIN) == []
    monday_only = [Opening(0, 7 * 60 + 30, 9 * 60, 30, 4), Opening(2, 8 * 60, 9 * 60, 30, 1)]
    slots = slots_on(saturday, monday_only, [], calendar)
    assert keys(slots) == ["07:30", "08:00", "08:30"] and {s.capacity for s in slots} == {4}


def test_a_make_up_day_on_a_holiday_weekday_follows_its_own_weekday():
    day = date(2026, 9, 1)  # a Tuesday holiday turned into a working day
    calendar = WorkCalendar(makeup_days={day})
    pattern = [Opening(0, 8 * 60, 9 * 60, 30, 1), Opening(1, 14 * 60, 15 * 60, 30, 1)]
    assert keys(slots_on(day, pattern, [], calendar)) == ["14:00", "14:30"]


def test_a_weekday_without_opening_has_no_slot():
    assert slots_on(date(2026, 12, 11), [Opening(0, 480, 540, 30, 1)], [], PLAIN) == []


def test_a_whole_day_closure_removes_every_slot_and_a_part_closure_the_overlapping_ones():
    day = date(2026, 12, 8)
    assert slots_on(day, PATTERN, [Closure(day)], PLAIN) == []
    slots = slots_on(day, PATTERN, [Closure(day, 9 * 60 + 15, 14 * 60)], PLAIN)
    assert keys(slots) == ["08:00", "08:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
    assert len(slots_on(day, PATTERN, [Closure(day + timedelta(days=1))], PLAIN)) == 12


# -- the booking window ---------------------------------------------------------------------

def test_the_same_day_cut_off_hides_slots_that_start_within_the_lead_time():
    day = date(2026, 12, 8)
    window = window_at(local(2026, 12, 8, 9, 10), lead=60)
    offer = next(o for o in day_offers(window, PATTERN, [], PLAIN) if o.day == day)
    # 09:00 has started, 09:30 and 10:00 start within the hour: 10:30 is the first.
    assert keys(offer.slots)[0] == "10:30"
    with pytest.raises(SlotRefused) as refused:
        find_slot(day, "10:00", PATTERN, [], PLAIN, window)
    assert refused.value.code == "too_soon"
    with pytest.raises(SlotRefused) as refused:
        find_slot(day, "09:00", PATTERN, [], PLAIN, window)
    assert refused.value.code == "past"
    assert find_slot(day, "10:30", PATTERN, [], PLAIN, window).key == "10:30"


def test_after_the_last_slot_today_has_nothing_left_but_tomorrow_is_open():
    window = window_at(local(2026, 12, 8, 16, 5))
    offers = {o.day: o for o in day_offers(window, PATTERN, [], PLAIN)}
    assert offers[date(2026, 12, 8)].state == "none"
    assert offers[date(2026, 12, 9)].state == "open"
    assert len(offers[date(2026, 12, 9)].slots) == 12


def test_the_day_list_marks_holidays_and_closures_and_skips_weekends():
    window = window_at(local(2026, 8, 26, 7, 0), horizon=9)  # Wed 26/08 to Fri 04/09
    offers = {o.day: o.state for o in day_offers(
        window, PATTERN, [Closure(date(2026, 8, 28))], PLAIN)}
    assert offers == {
        date(2026, 8, 26): "open", date(2026, 8, 27): "open", date(2026, 8, 28): "closed",
        date(2026, 8, 31): "holiday", date(2026, 9, 1): "holiday", date(2026, 9, 2): "holiday",
        date(2026, 9, 3): "open", date(2026, 9, 4): "open"}


def test_tet_shows_as_closed_days_in_the_list():
    window = window_at(local(2027, 2, 1, 7, 0), horizon=12)
    states = {o.day: o.state for o in day_offers(window, PATTERN, [], PLAIN)}
    for day in (date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9),
                date(2027, 2, 10)):
        assert states[day] == "holiday"
    assert states[date(2027, 2, 11)] == "open"
    assert date(2027, 2, 6) not in states  # a Saturday: not listed at all


@pytest.mark.parametrize("day, key, code", [
    (date(2026, 12, 7), "10:00", "past"),          # yesterday
    (date(2026, 12, 31), "08:00", "too_far"),      # beyond 21 days
    (date(2026, 12, 12), "08:00", "holiday"),      # a Saturday
    (date(2026, 12, 24), "08:00", "holiday"),      # a day off the administrator added
    (date(2026, 12, 9), "08:15", "no_such_slot"),  # not a slot start: a tampered value
    (date(2026, 12, 9), "12:00", "no_such_slot"),  # between the openings
    (date(2026, 12, 9), "８:00", "no_such_slot"),  # full-width digits
    (date(2026, 12, 9), None, "no_such_slot"),
    (date(2026, 12, 10), "08:00", "closed"),       # the desk closed that morning
])
def test_a_slot_that_cannot_be_booked_says_why(day, key, code):
    window = window_at(local(2026, 12, 8, 10, 0))
    calendar = WorkCalendar(extra_holidays={date(2026, 12, 24)})
    closures = [Closure(date(2026, 12, 10), 7 * 60, 12 * 60)]
    with pytest.raises(SlotRefused) as refused:
        find_slot(day, key, PATTERN, closures, calendar, window)
    assert refused.value.code == code


def test_the_last_day_of_the_window_can_be_booked():
    window = window_at(local(2026, 12, 8, 10, 0), horizon=21)
    assert find_slot(date(2026, 12, 29), "16:00", PATTERN, [], PLAIN, window).capacity == 2


@pytest.mark.parametrize("text, minutes", [
    ("08:00", 480), ("8:00", 480), ("8h30", 510), ("23:59", 1439), ("00:00", 0),
    ("24:00", None), ("8:60", None), ("", None), (None, None), ("08:00:00", None),
    ("٠٨:٠٠", None), ("8", None), (" 09:15 ", 555),
])
def test_times_of_day_are_read_strictly(text, minutes):
    assert parse_clock(text) == minutes
    if minutes is not None:
        assert parse_clock(clock(minutes)) == minutes
