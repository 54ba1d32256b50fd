"""What a dossier costs and how its result reaches the applicant.

`dossier_fees`: one row per fee request (state 6, "yêu cầu nghĩa vụ tài chính"): the amount
asked, the procedure's table amount for the dossier's channel at that moment (kept, because
the catalogue may change later), why the officer asked for a different amount, and, once
paid, how: the payment provider, the receipt number, the amount and the day.

`dossier_results`: one row per dossier once the office says how the result is collected (at
the desk, by post, or as an electronic file to download) and, later, how it was handed over.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.cases import Case
from app.models.users import User

RESULT_METHODS = ("desk", "post", "electronic")


class DossierFee(Base):
    __tablename__ = "dossier_fees"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("table_amount IS NULL OR table_amount >= 0", name="table_amount"),
        # An amount other than the published one must say why (the resident will ask).
        CheckConstraint("reason IS NOT NULL OR (table_amount IS NOT NULL AND amount = table_amount)",
                        name="reason"),
        CheckConstraint("amount_paid IS NULL OR amount_paid > 0", name="amount_paid"),
        # A payment is all of it or none of it.
        CheckConstraint("(paid_on IS NULL) = (receipt_number IS NULL) AND "
                        "(paid_on IS NULL) = (amount_paid IS NULL) AND "
                        "(paid_on IS NULL) = (provider IS NULL)", name="payment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int]
    table_amount: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    provider: Mapped[str | None] = mapped_column(String(20))
    receipt_number: Mapped[str | None] = mapped_column(String(40))
    amount_paid: Mapped[int | None]
    paid_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def paid(self) -> bool:
        return self.paid_on is not None


class DossierResult(Base):
    __tablename__ = "dossier_results"
    __table_args__ = (
        CheckConstraint("method IN ('desk', 'post', 'electronic')", name="method"),
        CheckConstraint("handed_over_method IS NULL OR "
                        "handed_over_method IN ('desk', 'post', 'electronic')",
                        name="handed_over_method"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    method: Mapped[str] = mapped_column(String(12))
    # The electronic result (a PDF), by its key in the file store; never served but through
    # the applicant's own download route.
    file_key: Mapped[str | None] = mapped_column(String(80))
    file_name: Mapped[str | None] = mapped_column(String(200))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    handed_over_method: Mapped[str | None] = mapped_column(String(12))
    handed_over_note: Mapped[str | None] = mapped_column(String(500))
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handed_over_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
