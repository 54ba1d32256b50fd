"""The procedure catalogue: fields of law (lĩnh vực), procedures and the documents each needs.

A procedure's fees are per channel (in person, online, by post) in whole VND; NULL means the
channel is not offered, 0 means free. `search_text` is the folded (accent-free, lower-case) text
search compares against, kept in step by app/procedures/services.py whenever a procedure or a
field's names change, so a search is a cheap LIKE per word instead of folding every row.
`sort_key_vi` / `sort_key_en` are the names' Vietnamese sort keys as text
(app.text.vietnamese_sort_text; ties broken by the name), set on every insert and update
below, so a catalogue page is ordered and cut in SQL instead of loading and sorting every
matching procedure.
"""
from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Bilingual
from app.text import vietnamese_sort_text

PROCEDURE_LEVELS = ("commune", "district", "province")
ONLINE_LEVELS = ("partial", "full")
ORIGINAL_OR_COPY = ("original", "copy", "either")
FEE_CHANNELS = ("in_person", "online", "post")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class ProcedureField(Bilingual, Base):
    """A field of law (lĩnh vực), e.g. Hộ tịch, Chứng thực, Cư trú."""

    __tablename__ = "procedure_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # The queue category (app/queue/categories.py) its dossiers carry: the skill an officer
    # needs to take them. None until an administrator says.
    category: Mapped[str | None] = mapped_column(String(50))


class Procedure(Bilingual, Base):
    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint(_in("level", PROCEDURE_LEVELS), name="level"),
        CheckConstraint(_in("online_level", ONLINE_LEVELS), name="online_level"),
        CheckConstraint("processing_days >= 0", name="processing_days"),
        CheckConstraint("fee_in_person IS NULL OR fee_in_person >= 0", name="fee_in_person"),
        CheckConstraint("fee_online IS NULL OR fee_online >= 0", name="fee_online"),
        CheckConstraint("fee_post IS NULL OR fee_post >= 0", name="fee_post"),
        Index("ix_procedures_field_active", "field_id", "active"),
        # A catalogue page walks these in order and stops after its rows (SQLite; PostgreSQL
        # sorts the matches, COLLATE "C", which for a catalogue's size costs little).
        Index("ix_procedures_sort_key_vi", "sort_key_vi", "name_vi"),
        Index("ix_procedures_sort_key_en", "sort_key_en", "name_en"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # national code, e.g. 1.001193
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    field_id: Mapped[int] = mapped_column(ForeignKey("procedure_fields.id"))
    level: Mapped[str] = mapped_column(String(10), default="commune")
    agency_vi: Mapped[str] = mapped_column(String(300))
    agency_en: Mapped[str] = mapped_column(String(300))
    applicants_vi: Mapped[str] = mapped_column(Text, default="")
    applicants_en: Mapped[str] = mapped_column(Text, default="")
    steps_vi: Mapped[str] = mapped_column(Text, default="")
    steps_en: Mapped[str] = mapped_column(Text, default="")
    legal_basis_vi: Mapped[str] = mapped_column(Text, default="")
    legal_basis_en: Mapped[str] = mapped_column(Text, default="")
    processing_days: Mapped[int] = mapped_column(default=0)  # working days; 0 = same day
    online_level: Mapped[str] = mapped_column(String(10), default="partial")
    requires_approval: Mapped[bool] = mapped_column(default=False)
    fee_in_person: Mapped[int | None]
    fee_online: Mapped[int | None]
    fee_post: Mapped[int | None]
    # When one figure cannot say it all: "per page; from the third page 1.000 ₫", "per copy".
    fee_note_vi: Mapped[str] = mapped_column(Text, default="")
    fee_note_en: Mapped[str] = mapped_column(Text, default="")
    form_schema: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key_vi: Mapped[str] = mapped_column(Text, default="")
    sort_key_en: Mapped[str] = mapped_column(Text, default="")

    field: Mapped[ProcedureField] = relationship()
    documents: Mapped[list[ProcedureDocument]] = relationship(
        back_populates="procedure", order_by="ProcedureDocument.position",
        cascade="all, delete-orphan")

    def fee(self, channel: str) -> int | None:
        return getattr(self, f"fee_{channel}")

    def __repr__(self) -> str:
        return f"<Procedure {self.code} {self.name_vi}>"


@event.listens_for(Procedure, "before_insert")
@event.listens_for(Procedure, "before_update")
def _sort_keys(_mapper, _connection, procedure: Procedure) -> None:
    # Here rather than in each service that renames, so no writer can leave a stale key.
    procedure.sort_key_vi = vietnamese_sort_text(procedure.name_vi or "")
    procedure.sort_key_en = vietnamese_sort_text(procedure.name_en or "")


class ProcedureDocument(Bilingual, Base):
    """A paper the applicant brings or uploads, in the order the procedure lists them."""

    __tablename__ = "procedure_documents"
    __table_args__ = (
        CheckConstraint(_in("original_or_copy", ORIGINAL_OR_COPY), name="original_or_copy"),
        CheckConstraint("copies >= 1", name="copies"),
        Index("ix_procedure_documents_procedure_position", "procedure_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    original_or_copy: Mapped[str] = mapped_column(String(10), default="original")
    copies: Mapped[int] = mapped_column(default=1)
    upload_required: Mapped[bool] = mapped_column(default=False)
    # The kind of paper across procedures ("cccd", "birth_certificate"): a resident's paper of
    # this type from an earlier dossier may be reused here (see app/models/dossier_files.py).
    paper_type: Mapped[str | None] = mapped_column(String(40))
    # The blank form to download: a key in the file store (app/storage.py), its kind as the
    # content check found it (pdf, docx, odt, doc), never the name it was uploaded under.
    template_key: Mapped[str | None] = mapped_column(String(100))
    template_kind: Mapped[str | None] = mapped_column(String(10))

    procedure: Mapped[Procedure] = relationship(back_populates="documents")
