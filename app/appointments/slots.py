"""Which slots a commune's one-stop desk offers, and whether one may still be booked.

A slot comes from three things, and from nothing else:

* the desk's weekly pattern (`Opening`: 08:00–11:00 on Mondays in 30-minute slots of 3 seats);
* the working-day calendar of app/queue/calendar.py, the portal's one definition of a working
  day: no slot on a weekend, a public holiday (Tết included) or a day off an administrator
  added; a make-up working day an administrator added opens. The pattern is set for Monday to
  Friday; a make-up day on a weekend follows Monday's pattern (the calendar records that the
  day is worked, not which weekday it stands in for, and Monday is the desk's full week-day);
* the desk's closures (`Closure`: a whole day, or part of one).

Whether a slot may still be booked depends on the moment (`Window`): not once it has started,
not less than `lead_minutes` before it starts (the same-day cut-off: the desk prints its day
list and the resident must be able to get there), not beyond `horizon_days`.

Times of day are minutes after local midnight in Asia/Ho_Chi_Minh; instants are aware UTC.
No Flask and no SQLAlchemy here, so the rules are tested as plain functions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from app.queue.calendar import LOCAL_TZ, WorkCalendar, local_day

__all__ = ["Closure", "DayOffer", "MAKEUP_PATTERN_WEEKDAY", "Opening", "Slot", "SlotRefused",
           "Window", "clock", "day_offers", "find_slot", "local_minutes", "parse_clock",
           "pattern_weekday", "slots_on"]

# The weekday whose pattern a make-up working day on a weekend follows (see the docstring).
MAKEUP_PATTERN_WEEKDAY = 0
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:hH.]([0-5][0-9])")


def clock(minutes: int) -> str:
    """570 -> '09:30'."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(text: str | None) -> int | None:
    """'09:30', '9:30', '9h30' -> 570; anything else None. ASCII digits only."""
    value = (text or "").strip()
    match = _CLOCK.fullmatch(value) if value.isascii() else None
    if match is None:
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


def local_minutes(moment: datetime) -> int:
    """The local time of day of an aware instant, in minutes after midnight."""
    local = moment.astimezone(LOCAL_TZ)
    return local.hour * 60 + local.minute


def _instant(day: date, minutes: int) -> datetime:
    local = datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ) + timedelta(minutes=minutes)
    # Vietnam keeps no daylight saving time: adding minutes to local midnight is exact.
    return local.astimezone(timezone.utc)


@dataclass(frozen=True)
class Opening:
    """One opening of the weekly pattern: slots of `length` minutes from `start` while a whole
    slot still fits before `end`, `capacity` seats each."""

    weekday: int
    start: int
    end: int
    length: int
    capacity: int

    def starts(self) -> range:
        return range(self.start, self.end - self.length + 1, self.length)


@dataclass(frozen=True)
class Closure:
    """The desk takes no appointments on `day`: all day, or from `start` to `end`."""

    day: date
    start: int | None = None
    end: int | None = None

    @property
    def whole_day(self) -> bool:
        return self.start is None

    def covers(self, start: int, end: int) -> bool:
        """Whether a slot from `start` to `end` overlaps the closure."""
        return self.whole_day or (start < self.end and self.start < end)


@dataclass(frozen=True)
class Slot:
    day: date
    start: int
    end: int
    capacity: int

    @property
    def key(self) -> str:
        return clock(self.start)

    @property
    def label(self) -> str:
        return f"{clock(self.start)}–{clock(self.end)}"

    @property
    def starts_at(self) -> datetime:
        return _instant(self.day, self.start)

    @property
    def ends_at(self) -> datetime:
        return _instant(self.day, self.end)


def pattern_weekday(day: date, calendar: WorkCalendar) -> int | None:
    """The weekday whose pattern `day` follows, or None when the desk is shut by the calendar."""
    if not calendar.is_working_day(day):
        return None
    weekday = day.weekday()
    return weekday if weekday < 5 else MAKEUP_PATTERN_WEEKDAY


def _pattern_slots(day: date, weekday: int, openings: Iterable[Opening]) -> list[Slot]:
    slots = {}
    for opening in openings:
        if opening.weekday != weekday:
            continue
        for start in opening.starts():
            slots.setdefault(start, Slot(day, start, start + opening.length, opening.capacity))
    return [slots[start] for start in sorted(slots)]


def slots_on(day: date, openings: Iterable[Opening], closures: Iterable[Closure],
             calendar: WorkCalendar) -> list[Slot]:
    """The slots of `day`, in time order: none on a day the calendar or a closure shuts."""
    weekday = pattern_weekday(day, calendar)
    if weekday is None:
        return []
    shut = [c for c in closures if c.day == day]
    return [s for s in _pattern_slots(day, weekday, openings)
            if not any(c.covers(s.start, s.end) for c in shut)]


@dataclass(frozen=True)
class Window:
    """What may be booked at `now`: from `lead_minutes` ahead to the end of the local day
    `horizon_days` after today."""

    now: datetime
    lead_minutes: int
    horizon_days: int

    @property
    def today(self) -> date:
        return local_day(self.now)

    @property
    def last_day(self) -> date:
        return self.today + timedelta(days=self.horizon_days)

    @property
    def earliest(self) -> datetime:
        return self.now + timedelta(minutes=self.lead_minutes)

    def refusal(self, slot: Slot) -> str | None:
        if slot.starts_at <= self.now or slot.day < self.today:
            return "past"
        if slot.day > self.last_day:
            return "too_far"
        if slot.starts_at < self.earliest:
            return "too_soon"
        return None

    def days(self) -> list[date]:
        return [self.today + timedelta(days=n) for n in range(self.horizon_days + 1)]


class SlotRefused(ValueError):
    """`code` says why the slot cannot be booked: past, too_far, holiday, closed,
    no_such_slot, too_soon."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def find_slot(day: date, key: str | None, openings: Iterable[Opening],
              closures: Iterable[Closure], calendar: WorkCalendar, window: Window) -> Slot:
    """The slot at `key` ('08:30') on `day` if it may be booked now; SlotRefused otherwise."""
    openings, closures = list(openings), list(closures)
    if day < window.today:
        raise SlotRefused("past")
    if day > window.last_day:
        raise SlotRefused("too_far")
    weekday = pattern_weekday(day, calendar)
    if weekday is None:
        raise SlotRefused("holiday")
    start = parse_clock(key)
    slot = next((s for s in _pattern_slots(day, weekday, openings) if s.start == start), None)
    if slot is None:
        raise SlotRefused("no_such_slot")
    if any(c.day == day and c.covers(slot.start, slot.end) for c in closures):
        raise SlotRefused("closed")
    refusal = window.refusal(slot)
    if refusal:
        raise SlotRefused(refusal)
    return slot


@dataclass(frozen=True)
class DayOffer:
    """A day as the booking page lists it. `state`: open (has slots that may be booked),
    holiday (a weekday the calendar shuts), closed (the desk closed it), none (no slot left
    to book: all started, too soon, or no opening that weekday)."""

    day: date
    state: str
    slots: tuple[Slot, ...] = ()


def day_offers(window: Window, openings: Iterable[Opening], closures: Iterable[Closure],
               calendar: WorkCalendar) -> list[DayOffer]:
    """Every day of the window except ordinary weekends, with the slots that may be booked."""
    openings, closures = list(openings), list(closures)
    offers = []
    for day in window.days():
        weekday = pattern_weekday(day, calendar)
        if weekday is None:
            if day.weekday() < 5:
                offers.append(DayOffer(day, "holiday"))
            continue
        if any(c.day == day and c.whole_day for c in closures):
            offers.append(DayOffer(day, "closed"))
            continue
        slots = tuple(s for s in slots_on(day, openings, closures, calendar)
                      if window.refusal(s) is None)
        offers.append(DayOffer(day, "open" if slots else "none", slots))
    return offers
