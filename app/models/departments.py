"""Departments of a unit, and the officers who work in them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Bilingual
from app.models.units import AdminUnit
from app.models.users import User
from app.queue import eligibility

DESKS = ("intake", "specialist", "leader")


class Department(Bilingual, Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Comma-separated case types this department handles; a transfer elsewhere is refused.
    case_types: Mapped[str] = mapped_column(String(200), default="dossier")
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[AdminUnit] = relationship()
    leader: Mapped[User | None] = relationship()
    memberships: Mapped[list[OfficerMembership]] = relationship(
        back_populates="department", cascade="all, delete-orphan")

    def accepts(self, case_type: str) -> bool:
        return case_type in {t.strip() for t in self.case_types.split(",") if t.strip()}


class OfficerMembership(Base):
    """An officer's seat in a department: which desk, which skills, and whether on duty."""

    __tablename__ = "officer_memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "department_id", name="uq_officer_memberships_user_dept"),
        CheckConstraint("desk IN ('intake', 'specialist', 'leader')", name="desk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    desk: Mapped[str] = mapped_column(String(12), default="specialist")
    on_duty: Mapped[bool] = mapped_column(default=True)
    leave_from: Mapped[date | None]
    leave_until: Mapped[date | None]
    # Ties in routing go to whoever has waited longest since their last case.
    last_assigned_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    department: Mapped[Department] = relationship(back_populates="memberships")
    skills: Mapped[list[OfficerSkill]] = relationship(
        cascade="all, delete-orphan", order_by="OfficerSkill.skill")

    @property
    def skill_set(self) -> frozenset[str]:
        return frozenset(s.skill for s in self.skills)

    def on_leave(self, day: date) -> bool:
        """On leave on `day`, a *local* date (see app/queue/eligibility.py)."""
        return eligibility.on_leave(self.leave_from, self.leave_until, day)

    def refusal(self, now: datetime, *, skill: str | None = None,
                duty: bool = True) -> str | None:
        """Why this seat may not take work at `now` (None: it may), by the one rule in
        app/queue/eligibility.py; judged on the local date. Loads the user and skills."""
        facts = eligibility.SeatFacts(active=self.user.active, on_duty=self.on_duty,
                                      leave_from=self.leave_from, leave_until=self.leave_until,
                                      skills=self.skill_set)
        return eligibility.refusal(facts, eligibility.local_day(now), duty=duty, skill=skill)


class OfficerSkill(Base):
    """A procedure field or case category the officer may handle."""

    __tablename__ = "officer_skills"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("officer_memberships.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(50), primary_key=True)
