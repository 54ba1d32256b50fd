"""Appointments at a commune's one-stop desk (lịch hẹn tại bộ phận một cửa).

* `desk_openings`: the desk's weekly pattern, one row per weekday and opening (08:00–11:00 in
  30-minute slots of 3 seats). Times are minutes after local midnight (Asia/Ho_Chi_Minh): a
  wall-clock time, never an instant, so a pattern means the same thing in every season.
* `desk_closures`: exceptions, a whole day or part of one when the desk does not receive.
* `desk_slots`: one row per slot that has ever been booked, holding its seat counter. The slot
  itself is computed from the pattern and the working-day calendar (app/appointments/slots.py);
  the row exists so that a booking can take a seat with one guarded upsert (see
  app/appointments/booking.py), which is what keeps 16 simultaneous bookings for the last seat
  to exactly one.
* `appointments`: a resident's booking, with its code and what happened (arrived, no-show,
  cancelled). A person holds at most one live booking per day: the partial unique index says so
  even when two requests race.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.procedures import Procedure
from app.models.units import AdminUnit
from app.models.users import User

APPOINTMENT_STATUSES = ("booked", "cancelled", "arrived", "no_show")
# Written literally in queries too, so SQLite matches them to the partial indexes.
LIVE_PREDICATE = "status <> 'cancelled'"
REMINDER_DUE_PREDICATE = ("status = 'booked' AND reminded_at IS NULL "
                          "AND remind_at IS NOT NULL")
MINUTES_PER_DAY = 24 * 60


class DeskOpening(Base):
    """One opening of the desk in the weekly pattern (Monday is 0): 08:00–11:00 in 30-minute slots of 3 seats."""

    __tablename__ = "desk_openings"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 4", name="weekday"),
        CheckConstraint(f"start_minute >= 0 AND end_minute <= {MINUTES_PER_DAY}", name="day"),
        CheckConstraint("end_minute - start_minute >= slot_minutes", name="length"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes"),
        CheckConstraint("capacity BETWEEN 1 AND 100", name="capacity"),
        Index("ix_desk_openings_unit_weekday", "unit_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    slot_minutes: Mapped[int]
    capacity: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeskClosure(Base):
    """A day, or part of one (both minutes set), when the desk takes no appointments."""

    __tablename__ = "desk_closures"
    __table_args__ = (
        CheckConstraint("(start_minute IS NULL AND end_minute IS NULL) OR "
                        f"(start_minute >= 0 AND end_minute <= {MINUTES_PER_DAY} "
                        "AND end_minute > start_minute)", name="hours"),
        Index("ix_desk_closures_unit_day", "unit_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id", ondelete="CASCADE"))
    day: Mapped[date]
    start_minute: Mapped[int | None]
    end_minute: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def whole_day(self) -> bool:
        return self.start_minute is None


class DeskSlot(Base):
    """The seat counter of one slot of one desk: live bookings (booked, arrived, no-show)."""

    __tablename__ = "desk_slots"
    __table_args__ = (
        UniqueConstraint("unit_id", "starts_at"),
        CheckConstraint("booked >= 0", name="booked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    booked: Mapped[int] = mapped_column(default=0)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'arrived', 'no_show')",
                        name="status"),
        CheckConstraint("ends_at > starts_at", name="times"),
        # One live booking per person and day, whatever races (app/appointments/booking.py).
        Index("uq_appointments_person_day", "user_id", "day", unique=True,
              sqlite_where=text(LIVE_PREDICATE), postgresql_where=text(LIVE_PREDICATE)),
        # The desk's day list.
        Index("ix_appointments_unit_day", "unit_id", "day", "starts_at"),
        # The reminder pass walks this; sent, cancelled and finished bookings are not in it.
        Index("ix_appointments_reminder_due", "remind_at",
              sqlite_where=text(REMINDER_DUE_PREDICATE),
              postgresql_where=text(REMINDER_DUE_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("desk_slots.id"), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    day: Mapped[date]  # the local date of starts_at
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The reminder is due from here (the afternoon before); None: booked too late to need one.
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    arrived_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    unit: Mapped[AdminUnit] = relationship()
    procedure: Mapped[Procedure] = relationship()

    @property
    def live(self) -> bool:
        return self.status != "cancelled"
