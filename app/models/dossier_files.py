"""Files a resident (or the desk) attaches to a dossier, and drafts of dossiers not sent yet.

A `DossierFile` row is one paper: its bytes live in the file store (app/storage.py) under a
random key; the row says whose it is, what it answers and where it is attached. A file starts
on a draft (draft_id), moves to the dossier when it is submitted (case_id), and stays listed in
its owner's papers (kho giấy tờ, owner_id) so a later dossier asking for the same kind of paper
can reuse it: reusing makes a new row pointing at the same stored key, so the store keeps a
file while any row still names it.

`paper_type` names the kind of paper across procedures ("cccd", "birth_certificate", ...): the
same identity card answers the ID slot of every procedure. Procedure documents carry the same
code (procedure_documents.paper_type); a document without one is matched by nothing.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.procedures import Procedure, ProcedureDocument

FILE_PURPOSES = ("submission", "supplement", "scan")


class DossierDraft(Base):
    """A dossier being filled in online: everything typed so far, kept until it is sent."""

    __tablename__ = "dossier_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))
    applicant_name: Mapped[str] = mapped_column(String(120), default="")
    applicant_phone: Mapped[str | None] = mapped_column(String(15))
    applicant_id_number: Mapped[str | None] = mapped_column(String(12))
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The key the submission will carry, so sending the same draft twice makes one dossier.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    procedure: Mapped[Procedure] = relationship()


class DossierFile(Base):
    __tablename__ = "dossier_files"
    __table_args__ = (
        CheckConstraint("purpose IN ('submission', 'supplement', 'scan')", name="purpose"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint("case_id IS NOT NULL OR draft_id IS NOT NULL OR owner_id IS NOT NULL",
                        name="attached"),
        Index("ix_dossier_files_owner_paper", "owner_id", "paper_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                                index=True)
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossier_drafts.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_documents.id", ondelete="SET NULL"))
    paper_type: Mapped[str | None] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(12), default="submission")
    storage_key: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(10))        # as the content check found it
    filename: Mapped[str] = mapped_column(String(200))   # cleaned, for display only
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[ProcedureDocument | None] = relationship()
