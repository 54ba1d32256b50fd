"""The desk's weekly pattern and closures, set by staff of the commune (app/units/staff.py, the
one rule: a seat in a department of the commune, or an administrator).

Changing the pattern never touches bookings already made: a removed opening's bookings stay on
the day list. A closure is different: the desk will not receive then, so the bookings it covers
are cancelled in the same transaction and each resident is told (notices.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.appointments import notices
from app.appointments.slots import Closure, Opening, clock, local_minutes
from app.db import write_transaction
from app.models import (AdminUnit, Appointment, DeskClosure, DeskOpening, DeskSlot, User,
                        utcnow)
from app.queue.calendar import local_day
from app.refusals import Refusal
from app.units.staff import communes_staffed, is_commune_staff

WEEKDAYS = (0, 1, 2, 3, 4)
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 5, 240
MIN_CAPACITY, MAX_CAPACITY = 1, 100
# How far ahead a closure may be entered (a year: next Tết's extra days off, a planned move).
CLOSURE_HORIZON_DAYS = 366
REASON_MAX = 200


class ScheduleError(Refusal):
    """A rule said no; `code` picks the message (app/appointments/messages.py), `field` the
    form field it belongs to, `details` fill it in."""


# -- who and where --------------------------------------------------------------------------

def desk_communes(session: Session, user: User | None) -> list[AdminUnit]:
    """The communes whose desk this account runs (every commune for an administrator)."""
    ids = communes_staffed(session, user)
    stmt = select(AdminUnit).where(AdminUnit.level == "commune")
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(AdminUnit.id.in_(ids))
    return list(session.scalars(stmt.order_by(AdminUnit.code)))


def pick_commune(session: Session, user: User, asked: int | None) -> AdminUnit | None:
    """The commune a staff page is about: the one asked for if the account runs its desk, else
    the account's own commune, else the first it runs; None when it runs none."""
    communes = desk_communes(session, user)
    by_id = {c.id: c for c in communes}
    if asked is not None:
        return by_id.get(asked)
    if user.commune_id in by_id:
        return by_id[user.commune_id]
    return communes[0] if communes else None


def _require_staff(session: Session, user: User, unit_id: int) -> AdminUnit:
    unit = session.get(AdminUnit, unit_id)
    if unit is None or unit.level != "commune":
        raise ScheduleError("bad_commune")
    if not is_commune_staff(session, user, unit.id):
        raise ScheduleError("not_your_commune")
    return unit


# -- reading --------------------------------------------------------------------------------

def openings_of(session: Session, unit_id: int) -> list[DeskOpening]:
    return list(session.scalars(select(DeskOpening).where(DeskOpening.unit_id == unit_id)
                                .order_by(DeskOpening.weekday, DeskOpening.start_minute)))


def openings(session: Session, unit_id: int) -> list[Opening]:
    return [Opening(s.weekday, s.start_minute, s.end_minute, s.slot_minutes, s.capacity)
            for s in openings_of(session, unit_id)]


def closures(session: Session, unit_id: int, first: date, last: date) -> list[Closure]:
    rows = session.scalars(select(DeskClosure).where(
        DeskClosure.unit_id == unit_id, DeskClosure.day >= first, DeskClosure.day <= last))
    return [Closure(r.day, r.start_minute, r.end_minute) for r in rows]


def upcoming_closures(session: Session, unit_id: int, today: date) -> list[DeskClosure]:
    return list(session.scalars(select(DeskClosure).where(
        DeskClosure.unit_id == unit_id, DeskClosure.day >= today)
        .order_by(DeskClosure.day, DeskClosure.start_minute, DeskClosure.id)))


# -- the weekly pattern ---------------------------------------------------------------------

@dataclass
class OpeningInput:
    """What the form sends; None where the person typed nothing readable."""

    weekdays: list[int] = field(default_factory=list)
    start: int | None = None
    end: int | None = None
    length: int | None = None
    capacity: int | None = None


def _check_opening(data: OpeningInput) -> None:
    if not data.weekdays:
        raise ScheduleError("weekdays_required", "weekdays")
    if any(d not in WEEKDAYS for d in data.weekdays):
        raise ScheduleError("bad_weekday", "weekdays")
    if data.start is None:
        raise ScheduleError("bad_time", "start")
    if data.end is None:
        raise ScheduleError("bad_time", "end")
    if data.end <= data.start:
        raise ScheduleError("end_before_start", "end")
    if data.length is None or not MIN_SLOT_MINUTES <= data.length <= MAX_SLOT_MINUTES:
        raise ScheduleError("bad_length", "length", min=MIN_SLOT_MINUTES, max=MAX_SLOT_MINUTES)
    if data.end - data.start < data.length:
        raise ScheduleError("shorter_than_slot", "end")
    if data.capacity is None or data.capacity < MIN_CAPACITY:
        raise ScheduleError("capacity_too_small", "capacity")
    if data.capacity > MAX_CAPACITY:
        raise ScheduleError("capacity_too_large", "capacity", max=MAX_CAPACITY)


def add_openings(session: Session, user: User, unit_id: int, data: OpeningInput, *,
                 now: datetime | None = None) -> list[DeskOpening]:
    """One opening on each chosen weekday, or none at all (an overlap on one day refuses all)."""
    now = now or utcnow()
    _check_opening(data)
    with write_transaction(session):
        _require_staff(session, user, unit_id)
        existing = openings_of(session, unit_id)
        rows = []
        for weekday in sorted(set(data.weekdays)):
            for other in existing:
                if (other.weekday == weekday and other.start_minute < data.end
                        and data.start < other.end_minute):
                    raise ScheduleError("overlaps", "start", weekday=weekday, hours=(
                        f"{clock(other.start_minute)}–{clock(other.end_minute)}"))
            rows.append(DeskOpening(unit_id=unit_id, weekday=weekday, start_minute=data.start,
                                    end_minute=data.end, slot_minutes=data.length,
                                    capacity=data.capacity, created_by_id=user.id,
                                    created_at=now))
        session.add_all(rows)
        session.flush()
    return rows


def remove_opening(session: Session, user: User, opening_id: int) -> DeskOpening:
    """Take an opening out of the pattern. Bookings already made in it are kept."""
    with write_transaction(session):
        row = session.get(DeskOpening, opening_id)
        if row is None:
            raise ScheduleError("not_found")
        _require_staff(session, user, row.unit_id)
        session.delete(row)
    return row


# -- closures -------------------------------------------------------------------------------

@dataclass
class ClosureInput:
    day: date | None
    start: int | None = None
    end: int | None = None
    reason: str = ""
    # The form says a time was typed but could not be read: refuse rather than close all day.
    unreadable: str | None = None


def _check_closure(data: ClosureInput, today: date) -> None:
    if data.day is None:
        raise ScheduleError("day_required", "day")
    if data.day < today:
        raise ScheduleError("closure_past", "day")
    if data.day > today + timedelta(days=CLOSURE_HORIZON_DAYS):
        raise ScheduleError("closure_too_far", "day", days=CLOSURE_HORIZON_DAYS)
    if data.unreadable:
        raise ScheduleError("bad_time", data.unreadable)
    if (data.start is None) != (data.end is None):
        raise ScheduleError("both_times", "end" if data.end is None else "start")
    if data.start is not None and data.end <= data.start:
        raise ScheduleError("end_before_start", "end")
    reason = " ".join((data.reason or "").split())
    if not reason:
        raise ScheduleError("reason_required", "reason")
    if len(reason) > REASON_MAX:
        raise ScheduleError("reason_too_long", "reason", max=REASON_MAX)


def add_closure(session: Session, user: User, unit_id: int, data: ClosureInput, *,
                now: datetime | None = None) -> tuple[DeskClosure, int]:
    """Close the desk for a day or part of one. Bookings it covers that have not started yet
    are cancelled and their residents told, in the same transaction. Returns (closure,
    bookings cancelled)."""
    now = now or utcnow()
    _check_closure(data, local_day(now))
    reason = " ".join(data.reason.split())
    with write_transaction(session):
        _require_staff(session, user, unit_id)
        row = DeskClosure(unit_id=unit_id, day=data.day, start_minute=data.start,
                          end_minute=data.end, reason=reason, created_by_id=user.id,
                          created_at=now)
        session.add(row)
        session.flush()
        cancelled = _cancel_covered(session, user, row, now)
    return row, cancelled


def _cancel_covered(session: Session, user: User, closure: DeskClosure, now: datetime) -> int:
    covered = Closure(closure.day, closure.start_minute, closure.end_minute)
    candidates = session.scalars(select(Appointment).where(
        Appointment.unit_id == closure.unit_id, Appointment.day == closure.day,
        Appointment.status == "booked", Appointment.starts_at > now)
        .order_by(Appointment.starts_at))
    count = 0
    for booking in candidates:
        if not covered.covers(local_minutes(booking.starts_at), local_minutes(booking.ends_at)):
            continue
        changed = session.execute(update(Appointment).where(
            Appointment.id == booking.id, Appointment.status == "booked").values(
            status="cancelled", cancelled_at=now, cancelled_by_id=user.id,
            cancel_reason=closure.reason))
        if changed.rowcount != 1:
            continue
        session.execute(update(DeskSlot).where(DeskSlot.id == booking.slot_id,
                                               DeskSlot.booked > 0)
                        .values(booked=DeskSlot.booked - 1))
        session.refresh(booking)
        notices.cancelled_by_desk(session, booking)
        count += 1
    return count


def remove_closure(session: Session, user: User, closure_id: int) -> DeskClosure:
    """Open the desk again then. Bookings the closure cancelled stay cancelled (their residents
    were told and may have booked elsewhere)."""
    with write_transaction(session):
        row = session.get(DeskClosure, closure_id)
        if row is None:
            raise ScheduleError("not_found")
        _require_staff(session, user, row.unit_id)
        session.execute(delete(DeskClosure).where(DeskClosure.id == row.id))
    return row
