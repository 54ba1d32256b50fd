"""The reminder the day before: the worker queues it from 16:00 the afternoon before, once, in the
resident's language, with the booking's link built from PUBLIC_URL outside any request; never
for a booking made after that moment, cancelled, or already begun; and two workers at once
still send each reminder once."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.appointments import booking
from app.appointments.reminders import send_reminders
from app.models import Appointment, OutboxMessage
from tests.appointments_support import SETTINGS, book_now, desk, local  # noqa: F401 (desk)

DAY = date(2026, 12, 9)   # a Wednesday
EVE = DAY - timedelta(days=1)
MONDAY_MORNING = local(DAY - timedelta(days=2), 9)


def reminders(session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.subject.like("%" + "Nhắc lịch" + "%")
        | OutboxMessage.subject.like("Reminder%")).order_by(OutboxMessage.id)))


def test_the_reminder_goes_out_the_afternoon_before_and_only_once(session, desk):
    made = book_now(session, desk["resident"], desk, DAY, "08:30", now=MONDAY_MORNING)
    assert made.remind_at == local(EVE, 16)
    assert send_reminders(session, local(EVE, 15, 59)) == 0
    assert send_reminders(session, local(EVE, 16, 0)) == 1
    assert send_reminders(session, local(EVE, 16, 1)) == 0
    assert send_reminders(session, local(DAY, 7, 0)) == 0
    [message] = reminders(session)
    assert message.recipient == desk["resident"].phone
    assert made.code in message.subject and "ngày mai" in message.subject
    assert "08:30–09:00, Thứ Tư, 09/12/2026" in message.body
    assert f"http://localhost/vi/appointments/{made.id}" in message.body
    session.refresh(made)
    assert made.reminded_at == local(EVE, 16, 0)


def test_an_english_speaker_is_reminded_in_english(session, desk):
    made = book_now(session, desk["english"], desk, DAY, "10:00", now=MONDAY_MORNING)
    send_reminders(session, local(EVE, 17))
    [message] = reminders(session)
    assert message.subject == f"Reminder: appointment {made.code} tomorrow"
    assert "10:00–10:30, Wednesday, 09/12/2026" in message.body
    assert f"/en/appointments/{made.id}" in message.body


def test_no_reminder_for_a_booking_made_after_the_reminder_time_cancelled_or_begun(
        session, desk):
    late = book_now(session, desk["resident"], desk, DAY, "08:00", now=local(EVE, 17))
    assert late.remind_at is None
    dropped = book_now(session, desk["neighbour"], desk, DAY, "08:00", now=MONDAY_MORNING)
    booking.cancel(session, desk["neighbour"], dropped.id, SETTINGS, now=MONDAY_MORNING)
    begun = book_now(session, desk["third"], desk, DAY, "08:30", now=MONDAY_MORNING)
    # The worker was down from the eve until after the appointment began.
    assert send_reminders(session, local(DAY, 8, 31)) == 0
    assert reminders(session) == []
    session.refresh(begun)
    assert begun.reminded_at is None


def test_two_workers_at_once_send_each_reminder_once(app, session, desk):
    from app.db import configure_engine
    from app.extensions import db
    from tests.factories import make_resident

    people = [make_resident(session, commune=desk["commune"]) for _ in range(10)]
    session.commit()
    for n, person in enumerate(people):
        book_now(session, person, desk, DAY, ["08:00", "08:30", "09:00", "09:30", "10:00"][n // 2],
                 now=MONDAY_MORNING)
    engine = configure_engine(create_engine(db.engine.url, pool_size=4))
    start = threading.Barrier(2)
    counts, errors = [], []

    def worker():
        with app.app_context(), Session(engine) as own:
            try:
                start.wait(timeout=20)
                counts.append(send_reminders(own, local(EVE, 16, 30), batch=3))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert not errors, errors
    assert sum(counts) == 10
    sent = reminders(session)
    assert len(sent) == 10 and len({m.user_id for m in sent}) == 10
    assert session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.reminded_at.is_(None))) == 0


def test_the_worker_pass_queues_reminders_and_delivers_them(app, session, desk):
    from app.queue_cli import run_pass

    made = book_now(session, desk["resident"], desk, DAY, "09:00", now=MONDAY_MORNING)
    code = made.code
    line = run_pass(app, now=local(EVE, 16, 5))
    assert " reminders=1 " in line
    [message] = reminders(session)
    assert code in message.subject and message.status != "pending"
