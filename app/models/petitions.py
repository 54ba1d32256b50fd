"""Petitions and questions (phản ánh, kiến nghị; Góp ý – Hỏi đáp), the topics they are filed
under, their attachments, and voters' meetings (tiếp xúc cử tri) whose petitions are answered
together on one public answer sheet.

A petition has its own id and, once it reaches the office, a `cases` row (case_type
'petition') linked by `case_id`; the queue works it like any other case (README, "How a kind of
case plugs in"). It has its own id because it can exist before its case: a text with abusive
words is held for a moderator and only becomes a case when released. `code` is its tracking
code from the start and becomes the case's code, so the asker never sees two numbers.

Whether an answer is public is never stored: it is public when the case reached "done" (9) or
"returned" (10), which only a leader's approval can do (cases.requires_approval), and the asker
chose to make the question public. An unapproved draft therefore cannot leak by a forgotten flag.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.cases import Case
from app.models.departments import Department
from app.models.procedures import Procedure
from app.models.units import AdminUnit
from app.models.users import User

PETITION_KINDS = ("question", "petition")
# How it reached the portal: typed by the asker, raised at a voters' meeting, or brought to a
# leader's citizen reception.
PETITION_SOURCES = ("online", "voter", "reception")
# held: waiting for a moderator (abusive words), no case yet; filed: a case exists;
# rejected: a moderator refused it, with a reason the asker is told.
PETITION_STATUSES = ("held", "filed", "rejected")
RATING_RANGE = (1, 5)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PetitionTopic(Base):
    """What a petition is about, kept by administrators: bilingual, with the working days the
    office has to answer and the queue category (routing key and officer skill) it goes to."""

    __tablename__ = "petition_topics"
    __table_args__ = (
        CheckConstraint("sla_days BETWEEN 1 AND 90", name="sla_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50), default="petition")
    sla_days: Mapped[int] = mapped_column(default=10)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_vi


class VoterMeeting(Base):
    """A meeting of deputies with voters; each petition raised there is a Petition (source
    'voter') and a case; the answers are published together once every one is settled."""

    __tablename__ = "voter_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(300))
    deputies: Mapped[str] = mapped_column(Text)          # one name (and office) a line
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[AdminUnit] = relationship()


class Petition(Base):
    __tablename__ = "petitions"
    __table_args__ = (
        CheckConstraint(_in("kind", PETITION_KINDS), name="kind"),
        CheckConstraint(_in("source", PETITION_SOURCES), name="source"),
        CheckConstraint(_in("status", PETITION_STATUSES), name="status"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("(status = 'filed' AND case_id IS NOT NULL) "
                        "OR (status <> 'filed' AND case_id IS NULL)", name="case_when_filed"),
        Index("ix_petitions_topic_public", "topic_id", "public"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    source: Mapped[str] = mapped_column(String(10), default="online")
    kind: Mapped[str] = mapped_column(String(10), default="question")
    status: Mapped[str] = mapped_column(String(10), default="filed")
    topic_id: Mapped[int] = mapped_column(ForeignKey("petition_topics.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))        # the commune
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("voter_meetings.id"), index=True)
    # Where a voter petition goes: the agency the meeting named (its case is routed there).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The asker: never shown on a public page nor in the API (app/petitions/privacy.py).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    asker_name: Mapped[str | None] = mapped_column(String(120))
    asker_phone: Mapped[str | None] = mapped_column(String(15))
    asker_email: Mapped[str | None] = mapped_column(String(254))
    asker_locale: Mapped[str] = mapped_column(String(5), default="vi")
    public: Mapped[bool] = mapped_column(default=False)     # the asker's choice
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None]
    moderation_note: Mapped[str | None] = mapped_column(String(500))
    answer: Mapped[str | None] = mapped_column(Text)        # drafted; public once approved
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer_drafted_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    search_text: Mapped[str] = mapped_column(Text, default="")   # folded and redacted
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case | None] = relationship()
    topic: Mapped[PetitionTopic] = relationship()
    unit: Mapped[AdminUnit] = relationship()
    meeting: Mapped[VoterMeeting | None] = relationship()
    department: Mapped[Department | None] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class PetitionFile(Base):
    """An attachment of a petition: bytes in the file store under a random key, read only by
    the asker and the officers who may see its case (app/petitions/access.py)."""

    __tablename__ = "petition_files"
    __table_args__ = (CheckConstraint("size > 0", name="size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"),
                                             index=True)
    storage_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))         # as the content check found it
    filename: Mapped[str] = mapped_column(String(200))    # cleaned, for display only
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
