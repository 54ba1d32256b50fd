"""A dossier (hồ sơ) is a case of type "dossier" plus this row, keyed by the case: what routing
and the queue do not need (who applied, through which channel, what they filled in).

`dossier_sequences` hands out the daily number in the dossier code that Circular 01/2018/TT-VPCP
prescribes, `<agency code>-<yymmdd>-<4-digit sequence>`: one row per agency and day, incremented
by a single upsert, so two submissions at the same moment never share a number.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.cases import Case
from app.models.procedures import Procedure

CHANNELS = ("online", "walk_in", "post")


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'walk_in', 'post')", name="channel"),
        CheckConstraint("applicant_phone IS NOT NULL OR applicant_id_number IS NOT NULL",
                        name="applicant_contact"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    applicant_name: Mapped[str] = mapped_column(String(120))
    applicant_phone: Mapped[str | None] = mapped_column(String(15), index=True)
    applicant_id_number: Mapped[str | None] = mapped_column(String(12), index=True)
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    # One per submission form: a double tap or a browser retry finds the dossier it made.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # One rating per dossier once the result is handed over (5 = rất hài lòng ... 1 = rất
    # không hài lòng), as Decision 766 counts satisfaction.
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(String(1000))
    rated_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    procedure: Mapped[Procedure] = relationship()


class DossierSequence(Base):
    __tablename__ = "dossier_sequences"

    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
