"""Citizen reception (lịch tiếp công dân): the hours a leader receives citizens, who registered
to come and with what, and the record of each reception (which may open a petition case).

`registered` counts the registrations on the session row, moved by the same guarded UPDATE
that checks the capacity, so two people taking the last seat at once cannot both get it (the
CHECK below is the database's own word on it).
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import AdminUnit
from app.models.users import User

CAPACITY_MAX = 500


class ReceptionSession(Base):
    __tablename__ = "reception_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="hours"),
        CheckConstraint(f"capacity IS NULL OR capacity BETWEEN 1 AND {CAPACITY_MAX}",
                        name="capacity"),
        CheckConstraint("registered >= 0 AND (capacity IS NULL OR registered <= capacity)",
                        name="registered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[time]                                   # local time
    ends_at: Mapped[time]
    place: Mapped[str] = mapped_column(String(300))
    receiver: Mapped[str] = mapped_column(String(200))        # who receives: name and office
    topics_vi: Mapped[str] = mapped_column(String(500))
    topics_en: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    registered: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[AdminUnit] = relationship()

    def topics(self, locale: str) -> str:
        return self.topics_en if locale == "en" and self.topics_en else self.topics_vi


class ReceptionRegistration(Base):
    """A resident's wish to be received, with what they want to raise: once per session."""

    __tablename__ = "reception_registrations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("reception_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topic: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ReceptionRecord(Base):
    """What a citizen raised at a reception and what the leader answered or directed; a
    matter that needs an office's answer becomes a petition (and its case)."""

    __tablename__ = "reception_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("reception_sessions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("reception_registrations.id", ondelete="SET NULL"), unique=True)
    citizen_name: Mapped[str] = mapped_column(String(120))
    citizen_phone: Mapped[str | None] = mapped_column(String(15))
    citizen_id_number: Mapped[str | None] = mapped_column(String(12))
    content: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
