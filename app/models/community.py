"""The participation side: community initiatives (sáng kiến cộng đồng) with their supports,
versions, needs and progress; "Ba Nhà" partners and their pledges; comments, flags and the
moderation log; and the village needs board.

An initiative or a village need lives here; the moment it is owed an official's action (an
initiative reaching its commune's support threshold, a need asking the commune for help) it
also gets a `cases` row (case_type 'initiative' / 'village_need'), linked by `case_id`, and the
queue works it like any other case (see README, "How a kind of case plugs in").

Counters (`support_count`, `flag_count`) are kept on the row by the same transaction that adds
the support or flag, so lists sort by them without counting; the unique keys on the support
and flag tables make "once per person" a database rule, not a hope.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import AdminUnit
from app.models.users import User

INITIATIVE_STATUSES = ("draft", "published", "under_evaluation", "accepted", "rejected",
                       "in_progress", "done", "withdrawn", "hidden")
NEED_KINDS = ("money", "materials", "labour", "expertise")
PARTNER_KINDS = ("state", "business", "school")
# A pledge is delivered (marked by staff), cancelled (by staff) or withdrawn (by its partner,
# before delivery); each outcome keeps its own who and when (migration 0017).
PLEDGE_STATUSES = ("pledged", "delivered", "cancelled", "withdrawn")
TARGET_TYPES = ("initiative", "comment", "village_need")
FLAG_REASONS = ("spam", "abusive", "off_topic", "personal_data")
COMMENT_STATUSES = ("visible", "hidden", "removed")
VILLAGE_NEED_STATUSES = ("open", "met", "closed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CommunitySettings(Base):
    """Per commune, set by an administrator."""

    __tablename__ = "community_settings"
    __table_args__ = (
        CheckConstraint("support_threshold BETWEEN 1 AND 100000", name="support_threshold"),
        CheckConstraint("flag_threshold BETWEEN 1 AND 1000", name="flag_threshold"),
    )

    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id", ondelete="CASCADE"),
                                         primary_key=True)
    support_threshold: Mapped[int] = mapped_column(default=50)
    allow_self_support: Mapped[bool] = mapped_column(default=False)
    flag_threshold: Mapped[int] = mapped_column(default=3)


class Initiative(Base):
    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint(_in("status", INITIATIVE_STATUSES), name="status"),
        CheckConstraint("estimated_cost IS NULL OR estimated_cost BETWEEN 0 AND 1000000000000",
                        name="estimated_cost"),
        CheckConstraint("support_count >= 0", name="support_count"),
        Index("ix_initiatives_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))          # the commune
    village_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    category: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(100))
    photo_kind: Mapped[str | None] = mapped_column(String(10))
    estimated_cost: Mapped[int | None] = mapped_column(BigInteger)               # VND
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    support_count: Mapped[int] = mapped_column(default=0)
    flag_count: Mapped[int] = mapped_column(default=0)
    # The case owed an official answer, once the supports reached the threshold (at most one).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    answer: Mapped[str | None] = mapped_column(Text)        # the plan, or the reason
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded, for accent-blind search
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    unit: Mapped[AdminUnit] = relationship(foreign_keys=[unit_id])
    village: Mapped[AdminUnit | None] = relationship(foreign_keys=[village_id])
    needs: Mapped[list["InitiativeNeed"]] = relationship(
        back_populates="initiative", order_by="InitiativeNeed.id", cascade="all, delete-orphan")


class InitiativeNeed(Base):
    """What the initiative needs: money (VND), materials (a quantity of a unit), labour
    (person-days) or expertise; pledges count towards it."""

    __tablename__ = "initiative_needs"
    __table_args__ = (
        CheckConstraint(_in("kind", NEED_KINDS), name="kind"),
        CheckConstraint("quantity IS NULL OR quantity BETWEEN 1 AND 1000000000000",
                        name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    unit_label: Mapped[str | None] = mapped_column(String(30))   # bao xi măng, m³, ...

    initiative: Mapped[Initiative] = relationship(back_populates="needs")


class InitiativeVersion(Base):
    """Every edit the author made before the first official answer, visible to all."""

    __tablename__ = "initiative_versions"
    __table_args__ = (UniqueConstraint("initiative_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    estimated_cost: Mapped[int | None] = mapped_column(BigInteger)
    # NULL in versions written before these were kept (migration 0018): "not recorded".
    category: Mapped[str | None] = mapped_column(String(30))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    # [{"kind", "description", "quantity", "unit_label"}, ...] as the needs stood then
    needs: Mapped[list | None] = mapped_column(JSON)
    # The photo shown then (migration 0022; NULL before it, or when there was none).
    photo_key: Mapped[str | None] = mapped_column(String(100))
    photo_kind: Mapped[str | None] = mapped_column(String(10))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)

    village: Mapped[AdminUnit | None] = relationship(foreign_keys=[village_id])


class InitiativeSupport(Base):
    __tablename__ = "initiative_supports"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InitiativeUpdate(Base):
    """A dated progress update on an accepted initiative, with an optional photo."""

    __tablename__ = "initiative_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(100))
    photo_kind: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Partner(Base):
    """A "Ba Nhà" partner: the state (an agency, a mass organisation), a business, or a school
    or research institute. Pledges only once verified by staff."""

    __tablename__ = "partners"
    __table_args__ = (CheckConstraint(_in("kind", PARTNER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))  # where it works
    contact_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(15))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[User] = relationship(foreign_keys=[contact_user_id])


class Pledge(Base):
    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint(_in("kind", NEED_KINDS), name="kind"),
        CheckConstraint(_in("status", PLEDGE_STATUSES), name="status"),
        CheckConstraint("quantity IS NULL OR quantity BETWEEN 1 AND 1000000000000",
                        name="quantity"),
        # Delivered exactly when it says so, ended (cancelled or withdrawn) exactly when it
        # says so: the two outcomes never share columns.
        CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)",
                        name="delivered_when"),
        CheckConstraint("(status IN ('cancelled', 'withdrawn')) = (cancelled_at IS NOT NULL)",
                        name="cancelled_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("initiative_needs.id"))
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int | None] = mapped_column(BigInteger)  # VND, units or person-days
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="pledged")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    partner: Mapped[Partner] = relationship()


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("target_type IN ('initiative', 'village_need')", name="target_type"),
        CheckConstraint(_in("status", COMMENT_STATUSES), name="status"),
        Index("ix_comments_target", "target_type", "target_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="visible")
    flag_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class Flag(Base):
    """A resident's report of a comment, an initiative or a need; one per person and target."""

    __tablename__ = "flags"
    __table_args__ = (
        CheckConstraint(_in("target_type", TARGET_TYPES), name="target_type"),
        CheckConstraint(_in("reason", FLAG_REASONS), name="reason"),
        UniqueConstraint("target_type", "target_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModerationEntry(Base):
    """What happened to a flagged thing and why: hidden by flags, restored, removed."""

    __tablename__ = "moderation_log"
    __table_args__ = (
        CheckConstraint(_in("target_type", TARGET_TYPES), name="target_type"),
        CheckConstraint("action IN ('auto_hide', 'restore', 'remove')", name="action"),
        Index("ix_moderation_log_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(10))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class VillageHead(Base):
    """A trưởng thôn: a staff account limited to one village for the needs board."""

    __tablename__ = "village_heads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id", ondelete="CASCADE"),
                                            index=True)


class VillageNeed(Base):
    __tablename__ = "village_needs"
    __table_args__ = (
        CheckConstraint(_in("status", VILLAGE_NEED_STATUSES), name="status"),
        CheckConstraint("support_count >= 0", name="support_count"),
        Index("ix_village_needs_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))          # the commune
    village_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(50), default="other")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    needed_by: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default="open")
    support_count: Mapped[int] = mapped_column(default=0)
    volunteer_count: Mapped[int] = mapped_column(default=0)
    flag_count: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[bool] = mapped_column(default=False)
    # Set when the need asks the commune for help: the case the queue works.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[AdminUnit] = relationship(foreign_keys=[unit_id])
    village: Mapped[AdminUnit | None] = relationship(foreign_keys=[village_id])
    items: Mapped[list["VillageNeedItem"]] = relationship(
        back_populates="need", order_by="VillageNeedItem.id", cascade="all, delete-orphan")


class VillageNeedItem(Base):
    """One thing the need asks for, with the quantity wanted and received so far."""

    __tablename__ = "village_need_items"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 1000000000000", name="quantity"),
        CheckConstraint("received >= 0", name="received"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("village_needs.id", ondelete="CASCADE"),
                                         index=True)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_label: Mapped[str] = mapped_column(String(30), default="")
    received: Mapped[int] = mapped_column(BigInteger, default=0)

    need: Mapped[VillageNeed] = relationship(back_populates="items")


class NeedSupport(Base):
    __tablename__ = "village_need_supports"

    need_id: Mapped[int] = mapped_column(ForeignKey("village_needs.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Volunteer(Base):
    __tablename__ = "village_need_volunteers"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("village_needs.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    availability: Mapped[str] = mapped_column(String(200))   # "Sáng thứ Bảy", "2 ngày công"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class NeedUpdate(Base):
    __tablename__ = "village_need_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("village_needs.id", ondelete="CASCADE"),
                                         index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
