"""No overbooking, whatever arrives at once: 16 residents pressing "book" for the last seat of a
slot at the same moment get exactly one booking between them (PostgreSQL: the guarded upsert on
the slot's counter under real row locks; SQLite: BEGIN IMMEDIATE), and one person racing two
bookings for the same day gets one. Each thread is a request of its own: its own session and
connection, released together by a barrier."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.appointments import booking
from app.appointments.booking import BookingError, BookingRequest
from app.models import Appointment, DeskSlot, OutboxMessage, User
from tests.appointments_support import SETTINGS, book_now, desk, local  # noqa: F401 (desk)
from tests.conftest import only_on
from tests.factories import make_resident

DAY = date(2026, 12, 9)            # a Wednesday
BOOKED_AT = local(DAY - timedelta(days=2), 9)


def _race(app, procedure_id: int, attempts):
    """Run each (user id, slot) booking in its own thread and session, all released at once;
    returns (codes booked, refusal codes, unexpected errors)."""
    from app.db import configure_engine
    from app.extensions import db

    # Sixteen requests at once need sixteen connections (the app's pool stops at 15).
    engine = configure_engine(create_engine(db.engine.url, pool_size=len(attempts) + 2))
    start = threading.Barrier(len(attempts))
    booked, refused, errors = [], [], []

    def one(user_id: int, key: str) -> None:
        with app.app_context(), Session(engine) as own:
            try:
                user = own.get(User, user_id)
                start.wait(timeout=20)
                made = booking.book(own, user, BookingRequest(procedure_id, DAY, key), SETTINGS,
                                    now=BOOKED_AT)
                booked.append(made.code)
            except BookingError as error:
                refused.append(error.code)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=one, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    return booked, refused, errors


def _live_in_slot(session, key_minutes: int) -> tuple[int, int]:
    session.rollback()
    starts = local(DAY, key_minutes // 60, key_minutes % 60)
    counter = session.scalar(select(DeskSlot.booked).where(DeskSlot.starts_at == starts))
    live = session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.starts_at == starts, Appointment.status != "cancelled"))
    return counter, live


def _residents(session, desk, n: int) -> list[int]:
    people = [make_resident(session, commune=desk["commune"]) for _ in range(n)]
    session.commit()
    return [p.id for p in people]


@only_on("postgresql")
def test_sixteen_simultaneous_bookings_for_the_last_seat_make_exactly_one_on_postgresql(
        app, session, desk):
    _the_last_seat(app, session, desk)


@only_on("sqlite")
def test_sixteen_simultaneous_bookings_for_the_last_seat_make_exactly_one_on_sqlite(
        app, session, desk):
    _the_last_seat(app, session, desk)


def _the_last_seat(app, session, desk):
    # The slot holds 2: one seat is already taken, one is left for sixteen people.
    book_now(session, desk["neighbour"], desk, DAY, "08:00", now=BOOKED_AT)
    racers = _residents(session, desk, 16)
    booked, refused, errors = _race(app, desk["procedure"].id,
                                    [(uid, "08:00") for uid in racers])
    assert not errors, errors
    assert len(booked) == 1, (booked, refused)
    assert refused == ["full"] * 15
    assert _live_in_slot(session, 8 * 60) == (2, 2)
    # One confirmation each for the two bookings, none for the refused.
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_simultaneous_bookings_of_a_fresh_slot_fill_it_and_no_more(app, session, desk):
    """The counter row does not exist yet: the first insert and the waiting upserts agree."""
    racers = _residents(session, desk, 8)
    booked, refused, errors = _race(app, desk["procedure"].id,
                                    [(uid, "09:30") for uid in racers])
    assert not errors, errors
    assert len(booked) == 2 and sorted(refused) == ["full"] * 6
    assert _live_in_slot(session, 9 * 60 + 30) == (2, 2)


def test_one_person_racing_two_bookings_for_one_day_gets_one(app, session, desk):
    me = desk["resident"].id
    booked, refused, errors = _race(app, desk["procedure"].id,
                                    [(me, "08:00"), (me, "10:00"), (me, "10:30")])
    assert not errors, errors
    assert len(booked) == 1 and refused == ["twice_same_day"] * 2
    session.rollback()
    live = session.scalars(select(Appointment).where(Appointment.user_id == me)).all()
    assert len(live) == 1
    # The seats the refused ones took for a moment went back with their rollback.
    counters = dict(session.execute(select(DeskSlot.starts_at, DeskSlot.booked)).all())
    assert sum(counters.values()) == 1
