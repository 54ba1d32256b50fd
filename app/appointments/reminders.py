"""The worker's reminder pass (app/queue_cli.py): each booking is reminded once, the afternoon
before its day (booking.REMINDER_TIME), however many workers run the pass at once.

Candidates come from the partial index `ix_appointments_reminder_due` (live bookings not yet
reminded), read in remind_at order within the last two days (a reminder a worker outage kept
back longer is of no use: the appointment has passed). Each batch is one write transaction:
on PostgreSQL the candidates are locked with SKIP LOCKED, so a second worker takes other
bookings instead of waiting; on SQLite BEGIN IMMEDIATE runs the batches one after the other.
The UPDATE that records the reminder is guarded (reminded_at IS NULL) and the message is queued
only when it changed the row, in the same transaction.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.appointments import notices
from app.db import is_sqlite, write_transaction
from app.models import Appointment
from app.models.appointments import REMINDER_DUE_PREDICATE

BATCH_SIZE = 200
STALE_AFTER = timedelta(days=2)


def send_reminders(session: Session, now: datetime, *, batch: int = BATCH_SIZE) -> int:
    """Queue the reminders due at `now`; returns how many this pass queued."""
    sent = 0
    while True:
        with write_transaction(session):
            candidates = (select(Appointment.id)
                          .where(text(REMINDER_DUE_PREDICATE),
                                 Appointment.remind_at <= now,
                                 Appointment.remind_at > now - STALE_AFTER,
                                 Appointment.starts_at > now)
                          .order_by(Appointment.remind_at, Appointment.id).limit(batch))
            if not is_sqlite(session):
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list(session.scalars(candidates))
            for appointment_id in ids:
                marked = session.execute(update(Appointment).where(
                    Appointment.id == appointment_id, Appointment.reminded_at.is_(None),
                    Appointment.status == "booked").values(reminded_at=now))
                if marked.rowcount == 1:
                    notices.reminder(session, session.get(Appointment, appointment_id))
                    sent += 1
        if len(ids) < batch:
            return sent
