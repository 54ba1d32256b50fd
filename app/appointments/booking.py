"""Booking a slot at the commune's one-stop desk, cancelling it, the desk marking arrivals and
no-shows, and the lists each side reads. One transaction per change (app/db.py).

No overbooking. A booking takes its seat with one statement on the slot's counter row:

    INSERT INTO desk_slots (unit_id, starts_at, booked) VALUES (:unit, :starts_at, 1)
    ON CONFLICT (unit_id, starts_at) DO UPDATE SET booked = desk_slots.booked + 1
        WHERE desk_slots.booked < :capacity
    RETURNING id

No row back: the slot is full. On PostgreSQL a second booking of the same slot waits for the
row lock (or for the first insert to commit), then judges the WHERE against the row as
committed, so of 16 simultaneous bookings for the last seat exactly one gets a row
(tests/integration/test_appointments_concurrency.py). Chosen over the alternatives because:
* a row lock (SELECT … FOR UPDATE, then COUNT(*) of the slot's bookings) is as correct but
  needs the row to exist first, two more round trips and a count that grows;
* a unique constraint on (slot, seat number) makes each loser fail and retry with the next
  number, one error per seat it lost;
* SERIALIZABLE turns every contended booking into a retry loop.
The seat, the booking row, the one-booking-per-day index and the confirmation message share
one transaction: any refusal after the seat is taken gives it back by rolling back. On SQLite
the write transaction is BEGIN IMMEDIATE, which serialises bookings outright.

The capacity is the pattern's at booking time (slots.py), not stored on the counter, so staff
may change it freely: lowering it below the seats taken refuses new bookings and keeps the old.
A no-show frees nothing: the counter counts booked, arrived and no-show alike; only a
cancellation gives a seat back.
"""
from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.appointments import notices, schedule
from app.appointments.slots import (DayOffer, Slot, SlotRefused, Window, clock, day_offers,
                                    find_slot, local_minutes, slots_on)
from app.db import is_sqlite, write_transaction
from app.models import AdminUnit, Appointment, DeskSlot, Procedure, User, utcnow
from app.pagination import Page, page_of_query
from app.queue.calendar import LOCAL_TZ, local_day
from app.queue.calendar_db import calendar_from_db
from app.refusals import Refusal
from app.text import vietnamese_sort_key
from app.units.staff import is_commune_staff

# The reminder goes out from this local time on the day before the appointment.
REMINDER_TIME = time(16, 0)
CODE_PREFIX = "LH"  # lịch hẹn
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at the desk
CODE_LENGTH = 6
PAGE_SIZE = 10


class BookingError(Refusal):
    """A rule said no; `code` picks the message (messages.py), `field` the form field."""


@dataclass(frozen=True)
class Settings:
    """The configurable rules (app/config.py: APPOINTMENT_*)."""

    cancel_minutes: int = 120   # a resident may cancel until this long before the start
    lead_minutes: int = 60      # the same-day cut-off: book at least this long before
    horizon_days: int = 21      # how far ahead the desk can be booked

    @classmethod
    def from_config(cls, config: Mapping) -> "Settings":
        d = cls()
        return cls(cancel_minutes=int(config.get("APPOINTMENT_CANCEL_MINUTES", d.cancel_minutes)),
                   lead_minutes=int(config.get("APPOINTMENT_LEAD_MINUTES", d.lead_minutes)),
                   horizon_days=int(config.get("APPOINTMENT_HORIZON_DAYS", d.horizon_days)))

    def window(self, now: datetime) -> Window:
        return Window(now, self.lead_minutes, self.horizon_days)


# -- what a resident may book -----------------------------------------------------------------

def bookable_procedures(session: Session, lang: str) -> list[Procedure]:
    """Active procedures handled at the commune: what the commune's one-stop desk receives."""
    rows = session.scalars(select(Procedure).where(Procedure.active, Procedure.level == "commune"))
    return sorted(rows, key=lambda p: vietnamese_sort_key(p.name(lang)))


def procedure_by_code(session: Session, code: str | None) -> Procedure | None:
    if not code or len(code) > 30:
        return None
    procedure = session.scalar(select(Procedure).where(Procedure.code == code))
    return procedure if _bookable(procedure) else None


def _bookable(procedure: Procedure | None) -> bool:
    return procedure is not None and procedure.active and procedure.level == "commune"


def resident_desk(session: Session, user: User) -> AdminUnit | None:
    """The commune whose desk this resident books: their own."""
    unit = session.get(AdminUnit, user.commune_id) if user.commune_id else None
    return unit if unit is not None and unit.level == "commune" else None


@dataclass(frozen=True)
class SlotView:
    slot: Slot
    free: int


@dataclass(frozen=True)
class DayView:
    """A day on the booking page. `state`: open, full, none (nothing left to book), holiday,
    closed (by the desk); `mine`: the resident already holds a booking that day."""

    day: date
    state: str
    slots: tuple[SlotView, ...] = ()
    mine: bool = False

    @property
    def free(self) -> int:
        return sum(s.free for s in self.slots)


def _counters(session: Session, unit_id: int, start: datetime, end: datetime) -> dict:
    return dict(session.execute(select(DeskSlot.starts_at, DeskSlot.booked).where(
        DeskSlot.unit_id == unit_id, DeskSlot.starts_at >= start,
        DeskSlot.starts_at < end)).all())


def booking_days(session: Session, user: User, settings: Settings, *,
                 now: datetime | None = None) -> list[DayView]:
    """The days of the booking window at the resident's desk, with the free seats of each slot
    that may still be booked."""
    now = now or utcnow()
    unit = resident_desk(session, user)
    if unit is None:
        return []
    window = settings.window(now)
    offers: list[DayOffer] = day_offers(
        window, schedule.openings(session, unit.id),
        schedule.closures(session, unit.id, window.today, window.last_day),
        calendar_from_db(session))
    end = datetime.combine(window.last_day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    booked = _counters(session, unit.id, now, end.astimezone(timezone.utc))
    mine = set(session.scalars(select(Appointment.day).where(
        Appointment.user_id == user.id, Appointment.status != "cancelled",
        Appointment.day >= window.today)))
    days = []
    for offer in offers:
        views = tuple(SlotView(s, max(0, s.capacity - booked.get(s.starts_at, 0)))
                      for s in offer.slots)
        state = offer.state
        if state == "open" and not any(v.free for v in views):
            state = "full"
        days.append(DayView(offer.day, state, views, offer.day in mine))
    return days


# -- booking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BookingRequest:
    procedure_id: int | None
    day: date | None
    slot: str | None  # '08:30'


def _take_seat(session: Session, unit_id: int, slot: Slot) -> int | None:
    """One seat of the slot, or None when it is full (see the module docstring)."""
    table = DeskSlot.__table__
    insert = sqlite_insert if is_sqlite(session) else pg_insert
    statement = (insert(table).values(unit_id=unit_id, starts_at=slot.starts_at, booked=1)
                 .on_conflict_do_update(index_elements=[table.c.unit_id, table.c.starts_at],
                                        set_={"booked": table.c.booked + 1},
                                        where=table.c.booked < slot.capacity)
                 .returning(table.c.id))
    return session.execute(statement).scalar_one_or_none()


def _give_seat_back(session: Session, slot_id: int) -> None:
    session.execute(update(DeskSlot).where(DeskSlot.id == slot_id, DeskSlot.booked > 0)
                    .values(booked=DeskSlot.booked - 1))


def _new_code(session: Session) -> str:
    while True:
        code = CODE_PREFIX + "-" + "".join(secrets.choice(CODE_ALPHABET)
                                           for _ in range(CODE_LENGTH))
        if session.scalar(select(Appointment.id).where(Appointment.code == code)) is None:
            return code


def reminder_moment(day: date) -> datetime:
    return datetime.combine(day - timedelta(days=1), REMINDER_TIME,
                            tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def _live_booking_on(session: Session, user_id: int, day: date) -> Appointment | None:
    return session.scalar(select(Appointment).where(
        Appointment.user_id == user_id, Appointment.day == day,
        Appointment.status != "cancelled"))


def book(session: Session, user: User, request: BookingRequest, settings: Settings, *,
         now: datetime | None = None) -> Appointment:
    """Book the slot for the resident, or raise BookingError and change nothing."""
    now = now or utcnow()
    try:
        with write_transaction(session):
            unit = resident_desk(session, user)
            if unit is None or user.role != "resident" or not user.active:
                raise BookingError("no_commune")
            procedure = session.get(Procedure, request.procedure_id or 0)
            if not _bookable(procedure):
                raise BookingError("bad_procedure", "procedure_id")
            if request.day is None:
                raise BookingError("bad_day", "slot")
            try:
                slot = find_slot(request.day, request.slot, schedule.openings(session, unit.id),
                                 schedule.closures(session, unit.id, request.day, request.day),
                                 calendar_from_db(session), settings.window(now))
            except SlotRefused as refused:
                raise BookingError(refused.code, "slot") from None
            if _live_booking_on(session, user.id, slot.day) is not None:
                raise BookingError("twice_same_day", "slot")
            slot_id = _take_seat(session, unit.id, slot)
            if slot_id is None:
                raise BookingError("full", "slot")
            remind_at = reminder_moment(slot.day)
            appointment = Appointment(
                code=_new_code(session), user_id=user.id, unit_id=unit.id, slot_id=slot_id,
                procedure_id=procedure.id, day=slot.day, starts_at=slot.starts_at,
                ends_at=slot.ends_at, status="booked", created_at=now,
                remind_at=remind_at if now < remind_at else None)
            session.add(appointment)
            session.flush()
            notices.confirmation(session, appointment)
    except IntegrityError:
        # Two bookings by one person for the same day raced: the partial unique index let the
        # first in; this one's seat went back with its rollback.
        if request.day is not None and _live_booking_on(session, user.id, request.day):
            raise BookingError("twice_same_day", "slot") from None
        raise
    return appointment


# -- cancelling -------------------------------------------------------------------------------

def cancel_deadline(appointment: Appointment, settings: Settings) -> datetime:
    return appointment.starts_at - timedelta(minutes=settings.cancel_minutes)


def cancel_refusal(appointment: Appointment, settings: Settings, now: datetime) -> str | None:
    """Why the resident may not cancel now (None: they may)."""
    if appointment.status != "booked":
        return "not_cancellable"
    if now > cancel_deadline(appointment, settings):
        return "too_late"
    return None


def cancel(session: Session, user: User, appointment_id: int, settings: Settings, *,
           now: datetime | None = None) -> Appointment:
    """The resident cancels their own booking; the seat is free again."""
    now = now or utcnow()
    with write_transaction(session):
        appointment = session.get(Appointment, appointment_id)
        if appointment is None or appointment.user_id != user.id:
            raise BookingError("not_found")
        refusal = cancel_refusal(appointment, settings, now)
        if refusal:
            raise BookingError(refusal)
        changed = session.execute(update(Appointment).where(
            Appointment.id == appointment.id, Appointment.status == "booked").values(
            status="cancelled", cancelled_at=now, cancelled_by_id=user.id))
        if changed.rowcount != 1:
            raise BookingError("not_cancellable")
        _give_seat_back(session, appointment.slot_id)
        session.refresh(appointment)
        notices.cancelled_by_resident(session, appointment)
    return appointment


# -- the desk ---------------------------------------------------------------------------------

def arrival_refusal(appointment: Appointment, now: datetime) -> str | None:
    if appointment.status == "cancelled":
        return "cancelled"
    if appointment.status == "arrived":
        return "already_arrived"
    if local_day(now) != appointment.day:
        return "not_today"
    return None


def no_show_refusal(appointment: Appointment, now: datetime) -> str | None:
    if appointment.status == "cancelled":
        return "cancelled"
    if appointment.status == "arrived":
        return "already_arrived"
    if appointment.status == "no_show":
        return "already_no_show"
    if now < appointment.starts_at:
        return "not_started"
    return None


def _staff_appointment(session: Session, staff: User, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise BookingError("not_found")
    if not is_commune_staff(session, staff, appointment.unit_id):
        raise BookingError("forbidden")
    return appointment


def mark_arrived(session: Session, staff: User, appointment_id: int, *,
                 now: datetime | None = None) -> Appointment:
    """The resident came, on the day (also after being marked a no-show by mistake)."""
    now = now or utcnow()
    with write_transaction(session):
        appointment = _staff_appointment(session, staff, appointment_id)
        refusal = arrival_refusal(appointment, now)
        if refusal:
            raise BookingError(refusal)
        session.execute(update(Appointment).where(
            Appointment.id == appointment.id,
            Appointment.status.in_(("booked", "no_show"))).values(
            status="arrived", arrived_at=now, no_show_at=None, marked_by_id=staff.id))
        session.refresh(appointment)
    return appointment


def mark_no_show(session: Session, staff: User, appointment_id: int, *,
                 now: datetime | None = None) -> Appointment:
    """Recorded once the slot has started; the seat stays taken (nothing is freed after the
    fact)."""
    now = now or utcnow()
    with write_transaction(session):
        appointment = _staff_appointment(session, staff, appointment_id)
        refusal = no_show_refusal(appointment, now)
        if refusal:
            raise BookingError(refusal)
        session.execute(update(Appointment).where(
            Appointment.id == appointment.id, Appointment.status == "booked").values(
            status="no_show", no_show_at=now, marked_by_id=staff.id))
        session.refresh(appointment)
    return appointment


@dataclass(frozen=True)
class DeskRow:
    """One time of the day list: the pattern's slot (capacity), and the bookings made for it."""

    label: str
    capacity: int | None   # None: not (or no longer) a slot of the pattern
    bookings: tuple[Appointment, ...]

    @property
    def live(self) -> int:
        return sum(1 for b in self.bookings if b.status != "cancelled")


def day_list(session: Session, unit_id: int, day: date) -> list[DeskRow]:
    """The desk's day: every slot of the pattern that day and every booking, by time."""
    bookings = session.scalars(select(Appointment).where(
        Appointment.unit_id == unit_id, Appointment.day == day)
        .options(joinedload(Appointment.user), joinedload(Appointment.procedure))
        .order_by(Appointment.starts_at, Appointment.created_at, Appointment.id)).all()
    slots = {s.start: s for s in slots_on(day, schedule.openings(session, unit_id),
                                          schedule.closures(session, unit_id, day, day),
                                          calendar_from_db(session))}
    by_start: dict[int, list[Appointment]] = {}
    ends: dict[int, int] = {}
    for booking in bookings:
        start = local_minutes(booking.starts_at)
        by_start.setdefault(start, []).append(booking)
        ends.setdefault(start, local_minutes(booking.ends_at))
    rows = []
    for start in sorted(set(slots) | set(by_start)):
        slot = slots.get(start)
        end = slot.end if slot is not None else ends[start]
        rows.append(DeskRow(f"{clock(start)}–{clock(end)}",
                            slot.capacity if slot is not None else None,
                            tuple(by_start.get(start, ()))))
    return rows


def day_counts(rows: list[DeskRow]) -> Counter:
    return Counter(b.status for row in rows for b in row.bookings)


# -- reading one, and a resident's own --------------------------------------------------------

def visible_appointment(session: Session, user: User | None,
                        appointment_id: int) -> Appointment | None:
    """The booking, for its resident or staff of its commune; None for anyone else."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    if appointment.user_id == user.id or is_commune_staff(session, user, appointment.unit_id):
        return appointment
    return None


def upcoming_of(session: Session, user: User, now: datetime) -> list[Appointment]:
    return list(session.scalars(select(Appointment).where(
        Appointment.user_id == user.id, Appointment.status == "booked",
        Appointment.ends_at > now).options(joinedload(Appointment.procedure),
                                           joinedload(Appointment.unit))
        .order_by(Appointment.starts_at)))


def past_of(session: Session, user: User, now: datetime, page: int) -> Page:
    """Everything else: cancelled, attended, missed, or over."""
    stmt = (select(Appointment).where(
        Appointment.user_id == user.id,
        (Appointment.status != "booked") | (Appointment.ends_at <= now))
        .options(joinedload(Appointment.procedure), joinedload(Appointment.unit))
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc()))
    return page_of_query(session, stmt, page, PAGE_SIZE)
