"""What a commune and its villages tell residents: announcements (thông báo), emergency alerts
(cảnh báo khẩn cấp) and who subscribed to hear of them.

* An **announcement** belongs to a commune (`unit_id`) and, optionally, one of its villages
  (`village_id`), like a village need. Its title and text are bilingual: Vietnamese required,
  English optional (shown, marked as Vietnamese, when there is none). `valid_from`/`valid_until`
  are the days it applies to; once `valid_until` has passed it leaves the default list but its
  page stays. Withdrawn announcements are kept (status) for the record.
* An **alert** is issued for one or more communes and villages (`alert_areas`, one row per
  unit). Every page asks "which alerts reach this person now?" for the banner, so that
  question is one indexed query: `alert_areas` rows keyed by (unit_id, ends_at), where
  `ends_at` is the alert's expiry, or the moment it was withdrawn (both end it the same way).
  The viewer's unit ids (home commune and village) come from the session's user row, already
  loaded, so the banner costs exactly that one statement. A commune alert reaches the commune's
  residents, whose `commune_id` it is, whichever village they live in; a village alert reaches
  that village's residents.
* A **subscription** is one per person: the unit they follow (their village, which includes
  notices for the whole commune, or their whole commune, which includes every village), whether
  they want alerts, announcements each as published, in a daily digest, or not at all, and
  which categories. `digest_sent_until` is how far the daily digest has covered; the worker
  moves it with a guarded UPDATE so two workers never send one digest twice.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import AdminUnit
from app.models.users import User

ANNOUNCEMENT_CATEGORIES = ("meeting", "vaccination", "power_cut", "water", "agriculture",
                           "health", "education", "security", "other")
ANNOUNCEMENT_STATUSES = ("published", "withdrawn")
HAZARDS = ("flood", "storm", "landslide", "outage", "public_health")
# In rising order: the banner and the board show the most severe first.
SEVERITIES = ("advisory", "warning", "emergency")
ANNOUNCEMENT_MODES = ("each", "digest", "none")
# Written out literally in the digest's query so SQLite matches the partial index.
DIGEST_PREDICATE = "announcements = 'digest'"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Bilingual:
    """Title and text in the reader's language, falling back to Vietnamese (the portal's first
    language) when no English was written; `*_lang` says which language is shown, for the
    page's `lang` attribute. (The columns are the mapped classes' own.)"""

    def _english(self, lang: str) -> bool:
        return lang == "en" and bool(self.title_en and self.body_en)

    def title(self, lang: str) -> str:
        return self.title_en if self._english(lang) else self.title_vi

    def body(self, lang: str) -> str:
        return self.body_en if self._english(lang) else self.body_vi

    def shown_lang(self, lang: str) -> str:
        return "en" if self._english(lang) else "vi"


class Announcement(Bilingual, Base):
    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint(_in("category", ANNOUNCEMENT_CATEGORIES), name="category"),
        CheckConstraint(_in("status", ANNOUNCEMENT_STATUSES), name="status"),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_range"),
        Index("ix_announcements_unit", "unit_id", "created_at"),
        Index("ix_announcements_village", "village_id"),
        # The daily digest reads what was published in a window.
        Index("ix_announcements_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))           # the commune
    village_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    category: Mapped[str] = mapped_column(String(20))
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_vi: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    # A file kept through app/storage.py under a random key; the name is only for downloads.
    attachment_key: Mapped[str | None] = mapped_column(String(64))
    attachment_kind: Mapped[str | None] = mapped_column(String(10))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="published")
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[AdminUnit] = relationship(foreign_keys=[unit_id])
    village: Mapped[AdminUnit | None] = relationship(foreign_keys=[village_id])
    posted_by: Mapped[User] = relationship(foreign_keys=[posted_by_id])

    def expired(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today


class Alert(Bilingual, Base):
    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_in("hazard", HAZARDS), name="hazard"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        CheckConstraint("expires_at > issued_at", name="expiry"),
        # The public board: alerts not withdrawn, by expiry.
        Index("ix_alerts_current", "expires_at",
              sqlite_where=text("withdrawn_at IS NULL"),
              postgresql_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_vi: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    areas: Mapped[list["AlertArea"]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="AlertArea.unit_id")

    def ends_at(self) -> datetime:
        if self.withdrawn_at is not None and self.withdrawn_at < self.expires_at:
            return self.withdrawn_at
        return self.expires_at

    def active(self, now: datetime) -> bool:
        return self.ends_at() > now

    @property
    def severity_rank(self) -> int:
        return SEVERITIES.index(self.severity)


class AlertArea(Base):
    """One commune or village an alert is for, with the moment it stops reaching it."""

    __tablename__ = "alert_areas"
    __table_args__ = (
        # The banner's query: unit_id IN (home commune, home village) AND ends_at > now. The
        # alert id rides in the index so the join to `alerts` is by primary key.
        Index("ix_alert_areas_banner", "unit_id", "ends_at", "alert_id"),
    )

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), primary_key=True)
    ends_at: Mapped[datetime]

    alert: Mapped[Alert] = relationship(back_populates="areas")
    unit: Mapped[AdminUnit] = relationship()


class VillageSubscription(Base):
    __tablename__ = "village_subscriptions"
    __table_args__ = (
        CheckConstraint(_in("announcements", ANNOUNCEMENT_MODES), name="announcements"),
        Index("ix_village_subscriptions_unit", "unit_id"),
        Index("ix_village_subscriptions_digest", "digest_sent_until",
              sqlite_where=text(DIGEST_PREDICATE), postgresql_where=text(DIGEST_PREDICATE)),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    # Their village (its notices and the whole commune's) or their commune (everything in it).
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    alerts: Mapped[bool] = mapped_column(default=True)
    announcements: Mapped[str] = mapped_column(String(10), default="each")
    # Comma-separated announcement categories; empty: every category.
    categories: Mapped[str] = mapped_column(String(300), default="")
    digest_sent_until: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    unit: Mapped[AdminUnit] = relationship()

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    def wants(self, category: str) -> bool:
        chosen = self.category_list
        return not chosen or category in chosen
