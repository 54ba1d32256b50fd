"""Accounts: residents and civil servants share one table, told apart by role."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import AdminUnit


class Role(str, enum.Enum):
    RESIDENT = "resident"
    OFFICER = "officer"
    LEADER = "leader"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.OFFICER.value, Role.LEADER.value, Role.ADMIN.value})


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('resident', 'officer', 'leader', 'admin')", name="role"),
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="contact"),
        CheckConstraint("locale IN ('vi', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (0xxxxxxxxx, lower-case email) so uniqueness means what people expect.
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default=Role.RESIDENT.value, index=True)
    locale: Mapped[str] = mapped_column(String(2), default="vi")
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login id kept in session and remember cookies (see get_id): raising it ends
    # every session and "keep me logged in" cookie issued before, on every device.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    commune: Mapped[AdminUnit | None] = relationship(foreign_keys=[commune_id])
    village: Mapped[AdminUnit | None] = relationship(foreign_keys=[village_id])

    # The Flask-Login user protocol, written out so models stay importable without Flask.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions for deactivated accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def end_all_sessions(self) -> None:
        """Every session and remember cookie issued so far stops working (logout, password
        change, password reset): on a shared family phone, logging out must mean it."""
        self.session_generation += 1

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def login_name(self) -> str:
        return self.phone or self.email or ""

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class PasswordResetToken(Base):
    """One-time reset token; only its hash is stored, so a leaked table resets nobody."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
