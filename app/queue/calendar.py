"""Working-day calendar for case deadlines.

Processing times in the procedure catalogue are counted in working days: Monday
to Friday, minus Vietnamese public holidays (from the ``holidays`` package, which
knows Tết and the government's swapped days off), minus days off an
administrator adds, plus make-up working days an administrator adds.

Kept free of Flask and SQLAlchemy so the worker, the models and the tests can
all use it without an application context.

Every datetime going in must be timezone-aware (any zone); every datetime coming
out is aware UTC. Day arithmetic happens on the local (Asia/Ho_Chi_Minh) date,
because "the same day" means the commune office's day, not the server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LAST_DAY",
    "LOCAL_TZ",
    "OFFICE_CLOSE",
    "OutOfCalendar",
    "SAME_DAY_CUTOFF",
    "WorkCalendar",
    "due_for",
    "local_day",
    "local_close",
    "public_holidays",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SAME_DAY_CUTOFF = time(15, 0)  # local
OFFICE_CLOSE = time(17, 0)  # local; a due moment is the end of office hours of the due day

_ONE_DAY = timedelta(days=1)
# Far beyond any real deadline, far enough from date.max that adding days never overflows.
# Arithmetic that would pass it raises OutOfCalendar (a ValueError) instead of OverflowError.
LAST_DAY = date(2199, 12, 31)


class OutOfCalendar(ValueError):
    """A date beyond what the calendar counts (see LAST_DAY)."""


def local_day(moment: datetime) -> date:
    """The commune office's date at `moment` (an aware datetime): leave, codes and "today"."""
    return moment.astimezone(LOCAL_TZ).date()


def local_close(day: date) -> datetime:
    """End of office hours on a local date: what a date picked by an officer means."""
    return datetime.combine(day, OFFICE_CLOSE, tzinfo=LOCAL_TZ)


@lru_cache(maxsize=None)
def public_holidays(year: int) -> frozenset[date]:
    """Vietnamese public holidays (including observed and swapped days off) in ``year``.

    Building a ``holidays`` object costs far more than a set lookup and the
    answer never changes within a process, so each year is computed once.
    """
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def _require_aware(value: datetime, name: str) -> None:
    # A ``date`` would slip past the tzinfo check below and be treated as midnight
    # of some unknown zone; reject it outright.
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


def _require_non_negative(days: int) -> None:
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")


def _local(value: datetime) -> datetime:
    try:
        local = value.astimezone(LOCAL_TZ)
    except OverflowError:
        raise OutOfCalendar(f"{value!r} is outside the calendar") from None
    if local.date() > LAST_DAY:
        raise OutOfCalendar(f"{value!r} is outside the calendar")
    return local


def _date_set(values, name: str) -> frozenset[date]:
    result = frozenset(values)
    for d in result:
        # datetime is a subclass of date but never compares equal to one, so a
        # datetime in the set would silently never match.
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"{name} must contain dates, got {d!r}")
    return result


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day rules, optionally adjusted by administrator-entered days.

    ``makeup_days`` wins over everything: the government sometimes moves a
    weekday off onto a Saturday (e.g. 22/08/2026 worked in exchange for
    31/08/2026), and the ``holidays`` package only records the day off, so the
    working Saturday must be entered here.
    """

    extra_holidays: frozenset[date] = frozenset()  # administrator-entered days off
    # Administrator-entered working days (usually a Saturday); they override
    # weekends AND holidays.
    makeup_days: frozenset[date] = frozenset()
    same_day_cutoff: time = SAME_DAY_CUTOFF
    office_close: time = OFFICE_CLOSE

    def __post_init__(self) -> None:
        # Callers (e.g. a DB query) naturally hand over lists or sets; freezing
        # them keeps the calendar hashable and safe to share between threads.
        object.__setattr__(self, "extra_holidays", _date_set(self.extra_holidays, "extra_holidays"))
        object.__setattr__(self, "makeup_days", _date_set(self.makeup_days, "makeup_days"))
        for name in ("same_day_cutoff", "office_close"):
            if getattr(self, name).tzinfo is not None:
                # These are local wall-clock times; an aware time cannot be
                # compared with the naive local time of a receipt.
                raise ValueError(f"{name} must be a naive local time")

    # -- days ---------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            # Which day a datetime falls on depends on its zone; make the caller
            # decide instead of guessing.
            raise TypeError(
                "is_working_day takes a date; convert the datetime to local time first"
            )
        if d in self.makeup_days:
            return True
        if d.weekday() >= 5:
            return False
        if d in self.extra_holidays:
            return False
        return d not in public_holidays(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        if d > LAST_DAY:
            raise OutOfCalendar(f"no working day after {d:%d/%m/%Y} in the calendar")
        return d

    def _advance(self, d: date, days: int) -> date:
        for _ in range(days):
            d = self.next_working_day(d)
        return d

    def _close_of(self, d: date) -> datetime:
        return datetime.combine(d, self.office_close, tzinfo=LOCAL_TZ).astimezone(timezone.utc)

    # -- deadlines ----------------------------------------------------------

    def start_day(self, received_at: datetime, days: int) -> date:
        """The local working day from which ``days`` are counted.

        A dossier received on a day off starts on the next working day. A
        same-day procedure (``days == 0``) received at or after the cutoff
        cannot be finished before closing, so it also moves to the next
        working day; longer procedures are not affected by the cutoff.
        """
        _require_aware(received_at, "received_at")
        _require_non_negative(days)
        local = _local(received_at)
        d = local.date()
        if not self.is_working_day(d):
            return self.next_working_day(d)
        if days == 0 and local.time() >= self.same_day_cutoff:
            return self.next_working_day(d)
        return d

    def add_working_days(self, received_at: datetime, days: int) -> datetime:
        """Due moment (aware UTC): office close on the ``days``-th working day after start_day."""
        start = self.start_day(received_at, days)
        return self._close_of(self._advance(start, days))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Number of working days ``d`` with ``local(start).date() < d <= local(end).date()``.

        Day granularity on purpose: a pause that starts and ends on the same
        local day costs nothing, and a pause from Monday afternoon to Tuesday
        morning counts as one day. Returns 0 when ``end <= start``.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end <= start:
            return 0
        d = _local(start).date()
        last = _local(end).date()
        count = 0
        while d < last:
            d += _ONE_DAY
            if self.is_working_day(d):
                count += 1
        return count

    def extend_for_pause(
        self, due_at: datetime, paused_at: datetime, resumed_at: datetime
    ) -> datetime:
        """Push ``due_at`` forward by the working days the case waited for the resident.

        The new due moment is office close on the working day that many working
        days after ``due_at``'s local date. With nothing to add, ``due_at`` is
        returned as the same instant (in UTC).
        """
        _require_aware(due_at, "due_at")
        paused = self.working_days_between(paused_at, resumed_at)
        if paused == 0:
            return due_at.astimezone(timezone.utc)
        try:
            return self._close_of(self._advance(_local(due_at).date(), paused))
        except OutOfCalendar:
            # Fail safe: a deadline already beyond the calendar stays where it is, so the case
            # can always leave "waiting for the resident" (it once stuck there with a 500).
            return due_at.astimezone(timezone.utc)


_DEFAULT_CALENDAR = WorkCalendar()


def due_for(received_at: datetime, days: int, calendar: WorkCalendar | None = None) -> datetime:
    """Due moment for a dossier, using the plain public-holiday calendar unless one is given."""
    cal = calendar if calendar is not None else _DEFAULT_CALENDAR
    return cal.add_working_days(received_at, days)
