"""Field reports (phản ánh hiện trường): a resident's report of a local problem, with photos and
a location, worked as a case of type 'field_report' (the `cases` row holds what the queue
needs; `field_reports` the rest, keyed by the case). Report categories are the administrators'
list, bilingual, each with optional extra fields (Open311 attributes) and, per unit, the
department that takes its reports. Open311 clients post with an API key of which only a hash is
kept.

Support counts live on the report row, kept by the transaction that adds the support; the
primary key of `field_report_supports` makes "once per person" a database rule.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, CheckConstraint, Float, ForeignKey, Index, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Bilingual, utcnow
from app.models.cases import Case
from app.models.departments import Department
from app.models.units import AdminUnit
from app.models.users import User

# Open311's datatypes a category's extra field may have (datetime is not offered: a date typed
# on a phone is better asked in the description).
ATTRIBUTE_TYPES = ("string", "number", "text", "singlevaluelist", "multivaluelist")
# How a report ended, as the answer page records it; a duplicate is told by merged_into_id.
OUTCOMES = ("fixed", "closed", "not_responsible")
CHANNELS = ("web", "open311")
# Where the report's coordinates came from.
LOCATION_SOURCES = ("device", "photo", "typed", "api")
ROUTE_MODES = ("assign", "pull")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReportCategory(Bilingual, Base):
    """What residents pick ("Cống rãnh tắc", "Đèn đường hỏng"): an Open311 service."""

    __tablename__ = "report_categories"
    __table_args__ = (
        CheckConstraint("sla_days BETWEEN 1 AND 60", name="sla_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Open311 service_code: stable, lower-case letters, digits and dashes.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_vi: Mapped[str] = mapped_column(String(500), default="")
    description_en: Mapped[str] = mapped_column(String(500), default="")
    group_vi: Mapped[str] = mapped_column(String(80), default="")
    group_en: Mapped[str] = mapped_column(String(80), default="")
    keywords: Mapped[str] = mapped_column(String(300), default="")
    # Working days the commune gives itself to answer (the case's deadline).
    sla_days: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    attributes: Mapped[list[ReportAttribute]] = relationship(
        back_populates="category", cascade="all, delete-orphan",
        order_by="ReportAttribute.position, ReportAttribute.id")
    routes: Mapped[list[ReportRoute]] = relationship(
        back_populates="category", cascade="all, delete-orphan", order_by="ReportRoute.id")

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_vi

    def group(self, lang: str) -> str:
        return self.group_en if lang == "en" else self.group_vi


class ReportAttribute(Base):
    """One extra field of a category (an Open311 attribute), asked on the page and the API."""

    __tablename__ = "report_attributes"
    __table_args__ = (
        UniqueConstraint("category_id", "code", name="uq_report_attributes_category_code"),
        CheckConstraint(_in("datatype", ATTRIBUTE_TYPES), name="datatype"),
        CheckConstraint("position BETWEEN 1 AND 1000", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("report_categories.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    datatype: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=1)
    description_vi: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(String(300))
    # For the list types: [{"key": ..., "name_vi": ..., "name_en": ...}, ...]
    choices: Mapped[list | None] = mapped_column(JSON)

    category: Mapped[ReportCategory] = relationship(back_populates="attributes")

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_vi

    def choice_name(self, key: str, lang: str) -> str:
        for choice in self.choices or []:
            if choice["key"] == key:
                return choice["name_en"] if lang == "en" else choice["name_vi"]
        return key


class ReportRoute(Base):
    """Reports of this category in this unit (a commune, or the whole province) go to this
    department. The most specific unit wins; without one, the routing rules for field reports
    decide (app/reports/routing.py)."""

    __tablename__ = "report_routes"
    __table_args__ = (
        UniqueConstraint("category_id", "unit_id", name="uq_report_routes_category_unit"),
        CheckConstraint(_in("mode", ROUTE_MODES), name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("report_categories.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(10), default="pull")

    category: Mapped[ReportCategory] = relationship(back_populates="routes")
    unit: Mapped[AdminUnit] = relationship()
    department: Mapped[Department] = relationship()


class ApiKey(Base):
    """An Open311 client allowed to post reports. The key is shown once; only its SHA-256 is
    kept (a 256-bit random key needs no slow hash: there is nothing to guess)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, so an administrator can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class FieldReport(Base):
    __tablename__ = "field_reports"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint(f"location_source IS NULL OR {_in('location_source', LOCATION_SOURCES)}",
                        name="location_source"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("(lat IS NULL) = (lng IS NULL)", name="lat_lng"),
        # The duplicate look-up: same category, a bounding box in latitude first (the range
        # the index can seek), longitude read from the same entries; see app/reports/nearby.py.
        Index("ix_field_reports_nearby", "category_id", "lat", "lng",
              sqlite_where=text("lat IS NOT NULL"), postgresql_where=text("lat IS NOT NULL")),
        # The public list: a commune's reports, newest first.
        Index("ix_field_reports_commune_created", "commune_id", "created_at"),
        # Open311's default window (the last 90 days) and the list of everyone's reports.
        Index("ix_field_reports_created", "created_at"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("report_categories.id"))
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Hidden from the public; officers always see who reported.
    anonymous: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(String(10), default="web")
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Who reported through an Open311 client (no account here); never shown to the public.
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(15))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(String(10))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")
    support_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("field_reports.case_id"),
                                                       index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fix_photo_key: Mapped[str | None] = mapped_column(String(80))
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(String(1000))
    rated_at: Mapped[datetime | None]
    # One per form shown: a double tap or a browser retry finds the report it made.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    category: Mapped[ReportCategory] = relationship()
    commune: Mapped[AdminUnit] = relationship(foreign_keys=[commune_id])
    village: Mapped[AdminUnit | None] = relationship(foreign_keys=[village_id])
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    api_key: Mapped[ApiKey | None] = relationship()
    photos: Mapped[list[FieldReportPhoto]] = relationship(
        cascade="all, delete-orphan", order_by="FieldReportPhoto.position")


class FieldReportPhoto(Base):
    """A photo as stored: re-encoded as JPEG without any metadata (app/photos.py)."""

    __tablename__ = "field_report_photos"
    __table_args__ = (
        UniqueConstraint("case_id", "position", name="uq_field_report_photos_case_position"),
        CheckConstraint("position BETWEEN 1 AND 3", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("field_reports.case_id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]


class FieldReportSupport(Base):
    """Someone else has the same problem: they hear of the answer too."""

    __tablename__ = "field_report_supports"

    case_id: Mapped[int] = mapped_column(ForeignKey("field_reports.case_id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
