"""One `cases` table holds what routing needs for every kind of work; each type's own details
live in its own table keyed by the case. `case_events` is the append-only audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.queue.states import CLOCK_RUNNING_STATES
from app.models.departments import Department
from app.models.units import AdminUnit
from app.models.users import User

CASE_TYPES = ("dossier", "petition", "field_report", "initiative", "village_need")
# States a case can wait in, unassigned, for someone to claim it (see app/queue/claims.py).
CLAIMABLE_STATES = (1, 2, 4)
CLAIMABLE_PREDICATE = "assignee_id IS NULL AND state IN (1, 2, 4)"
# Open cases whose deadline clock runs (5 waits for the resident) and that have not yet been
# escalated as overdue (see app/queue/sla.py).
SLA_WATCH_PREDICATE = (f"state IN ({', '.join(str(int(s)) for s in sorted(CLOCK_RUNNING_STATES))})"
                       " AND sla_band < 2")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("state BETWEEN 1 AND 10", name="state"),
        CheckConstraint(
            "case_type IN ('dossier', 'petition', 'field_report', 'initiative', 'village_need')",
            name="case_type"),
        # The claim queue: unassigned open cases of one department, per category and state, in
        # claim order (migration 0005). A claim probes it once per (skill, stage) the officer
        # may take: an equality prefix, then the first entry is the head, so the cost is
        # bounded by the officer's skills, not the queue's length (app/queue/claims.py).
        # Ordering by due_at ascending already puts overdue cases first: no CASE/OR needed.
        Index("ix_cases_claim_queue", "department_id", "category", "state", "due_at",
              text("priority DESC"), "received_at", "id",
              sqlite_where=text(CLAIMABLE_PREDICATE), postgresql_where=text(CLAIMABLE_PREDICATE)),
        Index("ix_cases_assignee_state", "assignee_id", "state"),
        Index("ix_cases_department_state_due", "department_id", "state", "due_at"),
        # The SLA sweep's work list (see app/queue/sla.py, which repeats this predicate
        # literally): open cases whose clock runs and that still owe an escalation. A case
        # leaves it once escalated as overdue or finished, so it stays small at any table size.
        Index("ix_cases_sla_watch", "due_at",
              sqlite_where=text(SLA_WATCH_PREDICATE), postgresql_where=text(SLA_WATCH_PREDICATE)),
        Index("ix_cases_lease", "lease_until",
              sqlite_where=text("lease_until IS NOT NULL"),
              postgresql_where=text("lease_until IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    case_type: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(50))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    title: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[int] = mapped_column(default=1)
    priority: Mapped[int] = mapped_column(default=0)  # 0 normal, 1 high, 2 urgent
    sla_days: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]  # entered state 5: the clock stops
    claimed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    requires_approval: Mapped[bool] = mapped_column(default=False)
    pending_approval: Mapped[bool] = mapped_column(default=False)
    apology_due_at: Mapped[datetime | None]      # new appointment asked for, awaiting a leader
    apology_approved_at: Mapped[datetime | None]  # once approved, never again
    sla_band: Mapped[int] = mapped_column(default=0)  # escalations sent: 0 none, 1 almost due, 2 overdue
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[AdminUnit] = relationship()
    department: Mapped[Department] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", passive_deletes="all")

    def __repr__(self) -> str:
        return f"<Case {self.code} state={self.state}>"


class CaseEvent(Base):
    """Who did what to a case, when: never updated, never deleted (triggers enforce it too)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[int | None]
    to_state: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _events_are_append_only(mapper, connection, target):
    raise RuntimeError("case_events is append-only")


class RoutingRule(Base):
    """(case type, procedure or category, unit) -> department; the most specific rule wins."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        CheckConstraint("mode IN ('assign', 'pull')", name="mode"),
        Index("ix_routing_rules_lookup", "case_type", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(20))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    category: Mapped[str | None] = mapped_column(String(50))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(10), default="assign")
    active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department] = relationship()
    unit: Mapped[AdminUnit | None] = relationship()
