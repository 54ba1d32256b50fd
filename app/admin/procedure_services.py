"""Administration of the procedure catalogue: fields of law, procedures, their documents
(with blank forms to download) and form schemas.

Same contract as app/admin/services.py: each writing function is one transaction that commits
all it did or raises AdminError(code, field) having changed nothing. A template file is stored
before the commit and removed again if the commit fails; a replaced file is removed only once
the new one is committed, so a document never points at a file that is gone.
No Flask here.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field as dataclass_field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.queue.categories import CATEGORIES
from app.admin.services import AdminError, Page, _code, _flush, _names, transaction
from app.models import Procedure, ProcedureDocument, ProcedureField
from app.models.procedures import ONLINE_LEVELS, ORIGINAL_OR_COPY, PROCEDURE_LEVELS
from app.procedures import services as catalogue
from app.procedures.schema import SchemaError, SchemaProblem, validate_schema
from app.storage import FileStore
from app.uploads import UploadError, check_document

MAX_PROCESSING_DAYS = 365
MAX_FEE = 100_000_000  # no commune fee comes near a hundred million đồng
MAX_COPIES = 20
TEMPLATE_KIND = "templates"  # the file store's directory for blank forms


def _commit(session: Session, code: str, field: str | None) -> None:
    """Write and commit now (inside the service's write transaction), so a unique key lost to
    a race is the form's message and a replaced blank form is deleted only once the row that
    pointed at it is gone for good."""
    _flush(session, code, field)
    session.commit()


class SchemaInvalid(AdminError):
    """The form schema was refused; `problems` says what is wrong, field by field."""

    def __init__(self, problems: list[SchemaProblem]):
        super().__init__("bad_schema", "form_schema")
        self.problems = problems


def _text(value: str | None) -> str:
    """Multi-line text: trailing spaces and blank lines at the ends trimmed, lines kept."""
    return "\n".join(line.rstrip() for line in (value or "").strip().splitlines())


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


# -- fields of law -------------------------------------------------------------------------

def all_fields(session: Session, lang: str) -> list[ProcedureField]:
    return catalogue.fields(session, lang)


def field_counts(session: Session) -> dict[int, int]:
    return dict(session.execute(select(Procedure.field_id, func.count(Procedure.id))
                                .group_by(Procedure.field_id)).all())


@transaction
def save_field(session: Session, *, code: str | None, name_vi: str | None, name_en: str | None,
               category: str | None = None, field_id: int | None = None) -> ProcedureField:
    item = None
    if field_id is not None:
        item = session.get(ProcedureField, field_id)
        if item is None:
            raise AdminError("unknown")
    code = _code(code, 40)
    vi, en = _names(name_vi, name_en)
    if category not in CATEGORIES:
        raise AdminError("field_category", "category")
    duplicate = select(ProcedureField.id).where(ProcedureField.code == code)
    if item is not None:
        duplicate = duplicate.where(ProcedureField.id != item.id)
    if session.scalar(duplicate):
        raise AdminError("duplicate_field_code", "code")
    if item is None:
        item = ProcedureField()
        session.add(item)
    item.code, item.name_vi, item.name_en, item.category = code, vi, en, category
    if item.id is not None:
        # Not flushed first: a code taken meanwhile must fail in _commit, as a message.
        with session.no_autoflush:
            catalogue.refresh_field_search_text(session, item)
    _commit(session, "duplicate_field_code", "code")
    return item


# -- procedures ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProcedureData:
    code: str | None
    name_vi: str | None
    name_en: str | None
    field_id: int | None
    level: str = "commune"
    agency_vi: str | None = ""
    agency_en: str | None = ""
    applicants_vi: str | None = ""
    applicants_en: str | None = ""
    steps_vi: str | None = ""
    steps_en: str | None = ""
    legal_basis_vi: str | None = ""
    legal_basis_en: str | None = ""
    processing_days: int | None = 0
    online_level: str = "partial"
    requires_approval: bool = False
    fee_in_person: int | None = None
    fee_online: int | None = None
    fee_post: int | None = None
    fee_note_vi: str | None = ""
    fee_note_en: str | None = ""
    form_schema: Any = dataclass_field(default_factory=list)  # a list, or JSON text
    active: bool = True


def parse_schema(raw: Any) -> list[dict]:
    """A schema given as JSON text (the administration's textarea) or as a list."""
    if isinstance(raw, str):
        if not raw.strip():
            return []
        try:
            raw = json.loads(raw)
        except ValueError as error:
            detail = str(error).split(":")[0][:80]
            raise SchemaInvalid([SchemaProblem("bad_json", {"detail": detail})]) from None
    try:
        return validate_schema(raw)
    except SchemaError as error:
        raise SchemaInvalid(error.problems) from None


def procedures_page(session: Session, query: str, field_id: int | None, lang: str,
                    page: int | None) -> Page[Procedure]:
    """Every procedure, active or not, found the way residents find them."""
    return catalogue.search(session, catalogue.Search(query=query, field_id=field_id,
                                                      include_inactive=True),
                            lang, page, size=50)


def _check_procedure(session: Session, data: ProcedureData) -> tuple[dict, ProcedureField]:
    """The cleaned column values and the procedure's field, or AdminError."""
    code = _code(data.code, 30)
    vi, en = _names(data.name_vi, data.name_en)
    if len(vi) > 300:
        raise AdminError("name_too_long", "name_vi")
    if len(en) > 300:
        raise AdminError("name_too_long", "name_en")
    field = session.get(ProcedureField, data.field_id) if data.field_id else None
    if field is None:
        raise AdminError("field_required", "field_id")
    if data.level not in PROCEDURE_LEVELS:
        raise AdminError("bad_procedure_level", "level")
    agency_vi, agency_en = _one_line(data.agency_vi), _one_line(data.agency_en)
    if not agency_vi:
        raise AdminError("agency_vi_required", "agency_vi")
    if not agency_en:
        raise AdminError("agency_en_required", "agency_en")
    if len(agency_vi) > 300 or len(agency_en) > 300:
        raise AdminError("name_too_long", "agency_vi" if len(agency_vi) > 300 else "agency_en")
    if data.processing_days is None or not 0 <= data.processing_days <= MAX_PROCESSING_DAYS:
        raise AdminError("bad_processing_days", "processing_days")
    if data.online_level not in ONLINE_LEVELS:
        raise AdminError("bad_online_level", "online_level")
    fees = {}
    for channel in ("fee_in_person", "fee_online", "fee_post"):
        amount = getattr(data, channel)
        if amount is not None and not 0 <= amount <= MAX_FEE:
            raise AdminError("bad_fee", channel)
        fees[channel] = amount
    if all(amount is None for amount in fees.values()):
        raise AdminError("no_channel", "fee_in_person")
    schema = parse_schema(data.form_schema)
    return dict(code=code, name_vi=vi, name_en=en, field_id=field.id, level=data.level,
                agency_vi=agency_vi, agency_en=agency_en,
                applicants_vi=_text(data.applicants_vi), applicants_en=_text(data.applicants_en),
                steps_vi=_text(data.steps_vi), steps_en=_text(data.steps_en),
                legal_basis_vi=_text(data.legal_basis_vi),
                legal_basis_en=_text(data.legal_basis_en),
                processing_days=data.processing_days, online_level=data.online_level,
                requires_approval=bool(data.requires_approval),
                fee_note_vi=_text(data.fee_note_vi), fee_note_en=_text(data.fee_note_en),
                form_schema=schema, active=bool(data.active), **fees), field


@transaction
def save_procedure(session: Session, data: ProcedureData,
                   procedure_id: int | None = None) -> Procedure:
    procedure = None
    if procedure_id is not None:
        procedure = session.get(Procedure, procedure_id)
        if procedure is None:
            raise AdminError("unknown")
    values, field = _check_procedure(session, data)
    duplicate = select(Procedure.id).where(Procedure.code == values["code"])
    if procedure is not None:
        duplicate = duplicate.where(Procedure.id != procedure.id)
    if session.scalar(duplicate):
        raise AdminError("duplicate_procedure_code", "code")
    if procedure is None:
        procedure = Procedure()
        session.add(procedure)
    for key, value in values.items():
        setattr(procedure, key, value)
    procedure.search_text = catalogue.search_text(procedure, field)
    _commit(session, "duplicate_procedure_code", "code")
    return procedure


@transaction
def set_procedure_active(session: Session, procedure_id: int, active: bool) -> Procedure:
    procedure = session.get(Procedure, procedure_id)
    if procedure is None:
        raise AdminError("unknown")
    procedure.active = active
    session.commit()
    return procedure


def schema_text(schema: list | None) -> str:
    """The schema as the administration's textarea shows it: readable, Vietnamese unescaped."""
    return json.dumps(schema or [], ensure_ascii=False, indent=2) if schema else ""


# -- documents -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentData:
    name_vi: str | None
    name_en: str | None
    original_or_copy: str = "original"
    copies: int | None = 1
    upload_required: bool = False
    template: tuple[bytes, str] | None = None  # (content, the name it was uploaded under)
    remove_template: bool = False
    paper_type: str | None = None  # the kind of paper across procedures, e.g. "cccd"


PAPER_TYPE = re.compile(r"^[a-z_]{1,40}$")


def _paper_type(data: DocumentData) -> str | None:
    """A resident's paper of this type from an earlier dossier may be reused for this document
    (app/dossiers/papers_service.py); empty means none."""
    code = (data.paper_type or "").strip() or None
    if code is not None and not PAPER_TYPE.match(code):
        raise AdminError("bad_paper_type", "paper_type")
    return code


def _check_document(data: DocumentData) -> tuple[str, str]:
    vi, en = _names(data.name_vi, data.name_en)
    if len(vi) > 500 or len(en) > 500:
        raise AdminError("name_too_long", "name_vi" if len(vi) > 500 else "name_en")
    if data.original_or_copy not in ORIGINAL_OR_COPY:
        raise AdminError("bad_original_or_copy", "original_or_copy")
    if data.copies is None or not 1 <= data.copies <= MAX_COPIES:
        raise AdminError("bad_copies", "copies")
    _paper_type(data)
    return vi, en


def _store_template(store: FileStore, data: DocumentData) -> tuple[str, str] | None:
    if data.template is None:
        return None
    content, filename = data.template
    try:
        kind = check_document(content, filename)
    except UploadError as error:
        raise AdminError("template_" + error.code, "template") from None
    return store.save(content, TEMPLATE_KIND), kind.code


def _apply_template(session: Session, store: FileStore, document: ProcedureDocument,
                    data: DocumentData, stored: tuple[str, str] | None) -> None:
    """Commit the document with its new template (if any), then forget the file it replaced."""
    old = document.template_key
    if stored is not None:
        document.template_key, document.template_kind = stored
    elif data.remove_template:
        document.template_key = document.template_kind = None
    try:
        _commit(session, "unknown", None)
    except AdminError:
        if stored is not None:
            store.delete(stored[0])
        raise
    if old and old != document.template_key:
        store.delete(old)


@transaction
def add_document(session: Session, store: FileStore, procedure_id: int,
                 data: DocumentData) -> ProcedureDocument:
    procedure = session.get(Procedure, procedure_id)
    if procedure is None:
        raise AdminError("unknown")
    vi, en = _check_document(data)
    stored = _store_template(store, data)
    last = session.scalar(select(func.max(ProcedureDocument.position))
                          .where(ProcedureDocument.procedure_id == procedure.id)) or 0
    document = ProcedureDocument(procedure_id=procedure.id, position=last + 1, name_vi=vi,
                                 name_en=en, original_or_copy=data.original_or_copy,
                                 copies=data.copies, upload_required=bool(data.upload_required),
                                 paper_type=_paper_type(data))
    session.add(document)
    _apply_template(session, store, document, data, stored)
    return document


@transaction
def update_document(session: Session, store: FileStore, document_id: int,
                    data: DocumentData) -> ProcedureDocument:
    document = session.get(ProcedureDocument, document_id)
    if document is None:
        raise AdminError("unknown")
    vi, en = _check_document(data)
    stored = _store_template(store, data)
    document.name_vi, document.name_en = vi, en
    document.original_or_copy = data.original_or_copy
    document.copies = data.copies
    document.upload_required = bool(data.upload_required)
    document.paper_type = _paper_type(data)
    _apply_template(session, store, document, data, stored)
    return document


@transaction
def remove_document(session: Session, store: FileStore, document_id: int) -> ProcedureDocument:
    document = session.get(ProcedureDocument, document_id)
    if document is None:
        raise AdminError("unknown")
    key = document.template_key
    session.delete(document)
    session.commit()
    if key:
        store.delete(key)
    return document


@transaction
def move_document(session: Session, document_id: int, direction: str) -> ProcedureDocument:
    """Swap a document with its neighbour above ("up") or below ("down"); positions are
    renumbered 1..n on the way, so gaps left by removals close."""
    document = session.get(ProcedureDocument, document_id)
    if document is None or direction not in ("up", "down"):
        raise AdminError("unknown")
    siblings = list(session.scalars(
        select(ProcedureDocument).where(ProcedureDocument.procedure_id == document.procedure_id)
        .order_by(ProcedureDocument.position, ProcedureDocument.id)))
    index = siblings.index(document)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        item.position = position
    session.commit()
    return document


def procedure_choices(session: Session, lang: str) -> list[tuple[int, str]]:
    """Every procedure as "name (code)", sorted the Vietnamese way, for choosing one (routing
    rules). Inactive ones stay choosable: a rule may be prepared before a procedure opens."""
    name = Procedure.name_en if lang == "en" else Procedure.name_vi
    rows = session.execute(select(Procedure.id, Procedure.code, name)).all()
    return [(pid, f"{label} ({code})")
            for pid, code, label in sorted(rows, key=lambda r: catalogue.sort_key(r[2]))]


def procedure_codes(session: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(session.execute(select(Procedure.id, Procedure.code)
                                .where(Procedure.id.in_(wanted))).all())
