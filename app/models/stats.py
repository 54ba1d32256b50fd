"""Statistics kept as they happen, and the smart-commune scorecard's staff-entered figures.

`case_tallies` holds per-day counts of what the case event log says, written by the same
transaction as each event (app/queue/tally.py), so a year of a province reads a few thousand
rows however long the history is. Each change is added three times over (the day, its month,
and an all-time row) and at two levels (per department, procedure and category; and per
department alone), both also per the group the case's kind tells (a question apart from a
petition), so every page reads the coarsest rows that answer it. Flow counters
(received, done, ...) are counted on the day they happened; the `*_n` columns are changes of
a level ("open", "late", "due that day"), so the level at the end of a day is the sum of the
changes up to it: the all-time row minus the months and days after it.
`flask --app wsgi stats rebuild` recomputes every row from `case_events`.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.units import AdminUnit
from app.models.users import User

# Counted on the day they happened.
FLOW_COLUMNS = ("received", "received_online", "received_offline", "refused", "withdrawn",
                "stopped", "done_early", "done_on_time", "done_late", "done_days",
                "rated_1", "rated_2", "rated_3", "rated_4", "rated_5")
# Changes of a level; the level at the end of a day is their sum up to that day.
LEVEL_COLUMNS = ("open_n", "late_n", "due_n")
COUNTER_COLUMNS = FLOW_COLUMNS + LEVEL_COLUMNS
KEY_COLUMNS = ("level", "grain", "day", "case_type", "department_id", "procedure_id", "category",
               "case_group")

# level: 0 per department, procedure and category; 1 per department alone (the others '' / 0)
DETAIL, BY_DEPARTMENT = 0, 1
# grain: the row's day is a day, the first day of a month, or ALL_TIME
DAY, MONTH, TOTAL = 0, 1, 2
ALL_TIME = date(2000, 1, 1)


class CaseTally(Base):
    __tablename__ = "case_tallies"
    __table_args__ = (
        CheckConstraint("level IN (0, 1)", name="level"),
        CheckConstraint("grain IN (0, 1, 2)", name="grain"),
        # A department's pages and the province's per-commune figures read by department.
        Index("ix_case_tallies_department", "department_id", "level", "grain", "day"),
        Index("ix_case_tallies_procedure", "procedure_id", "level", "grain", "day"),
    )

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    grain: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Plain integers, not foreign keys: a tally outlives nothing, and 0 means "none/all".
    department_id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    # A finer group the case's kind tells the statistics (a petition's "question" or
    # "petition", app/queue/tally.py); '' for kinds that have none, as every dossier.
    case_group: Mapped[str] = mapped_column(String(20), primary_key=True, default="")

    received: Mapped[int] = mapped_column(default=0)
    received_online: Mapped[int] = mapped_column(default=0)
    received_offline: Mapped[int] = mapped_column(default=0)  # at the desk or by post
    refused: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    stopped: Mapped[int] = mapped_column(default=0)
    done_early: Mapped[int] = mapped_column(default=0)
    done_on_time: Mapped[int] = mapped_column(default=0)
    done_late: Mapped[int] = mapped_column(default=0)
    done_days: Mapped[int] = mapped_column(default=0)  # working days, the clock's pauses excluded
    rated_1: Mapped[int] = mapped_column(default=0)
    rated_2: Mapped[int] = mapped_column(default=0)
    rated_3: Mapped[int] = mapped_column(default=0)
    rated_4: Mapped[int] = mapped_column(default=0)
    rated_5: Mapped[int] = mapped_column(default=0)
    open_n: Mapped[int] = mapped_column(default=0)
    late_n: Mapped[int] = mapped_column(default=0)
    due_n: Mapped[int] = mapped_column(default=0)


class ScorecardValue(Base):
    """A figure staff entered for a commune's scorecard: one indicator, one year, where it
    comes from and the date it describes. Never edited: a correction is a newer entry, so the
    history of what was published stays readable."""

    __tablename__ = "scorecard_values"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        Index("ix_scorecard_values_lookup", "unit_id", "indicator", "year", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    # Hundredths, exactly: SQLite has no decimal type, and 97.35 % must stay 97.35 %.
    hundredths: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[AdminUnit] = relationship()
    entered_by: Mapped[User | None] = relationship()

    @property
    def value(self) -> Decimal:
        return Decimal(self.hundredths) / 100
