"""A resident's papers (kho giấy tờ), the supplement they send when the office asks for more,
and the desk's scans: the rules behind app/dossiers/papers.py.

Every write follows app/dossiers/files.py's "nothing half-saved" pattern: files are checked and
stored first (an UploadError leaves nothing), then their rows and the state change are one
write transaction, and when that fails the stored files are discarded.

Who may read a file is app/dossiers/files.py `may_read`. Who may add a desk scan is stricter
(`may_scan`): the staff who may see the case AND who work it at the desk, i.e. an intake or
leader seat in the case's department, the case's assignee, or an administrator. An officer
who merely sits in the department (a specialist without the case) may read, not add.

No Flask here but its lazy translations (labels of paper types and form values).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.dossiers import files as dossier_files
from app.dossiers.files import Upload, discard, file_row, store_uploads
from app.dossiers.services import PUBLIC_NOTE_ACTIONS, TimelineEntry, own_case
from app.models import (Case, CaseEvent, Dossier, DossierDraft, DossierFile, OfficerMembership,
                        ProcedureDocument, User)
from app.pagination import Page, page_of_query
from app.queue.actions import perform
from app.queue.states import Action, State
from app.storage import FileStore

PAPER_TYPE = re.compile(r"^[a-z_]{1,40}$")

# The kinds of paper the demo procedures ask for (app/demo/procedures.py); an administrator
# may type another code, shown as it is.
PAPER_TYPES = {
    "cccd": _l("Citizen identity card (CCCD)"),
    "birth_notice": _l("Hospital birth notice (giấy chứng sinh)"),
    "birth_certificate": _l("Birth certificate (giấy khai sinh)"),
    "death_certificate": _l("Death notice or death extract"),
    "marriage_certificate": _l("Marriage certificate"),
    "marital_status": _l("Confirmation of marital status"),
    "divorce_proof": _l("Proof of divorce or of a spouse's death"),
    "relationship_proof": _l("Proof of a family relationship"),
    "residence_proof": _l("Proof of a lawful home"),
    "authorisation": _l("Authorisation letter"),
    "disability_certificate": _l("Disability certificate"),
    "land_certificate": _l("Land use right or house ownership certificate"),
}

PURPOSES = {
    "submission": _l("Sent with the dossier"),
    "supplement": _l("Supplement"),
    "scan": _l("Desk scan"),
}


class PaperError(Exception):
    """A rule refused; `code` names why (see ERRORS in app/dossiers/papers.py)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def paper_type_label(code: str | None) -> str | None:
    if not code:
        return None
    label = PAPER_TYPES.get(code)
    return str(label) if label is not None else code


# -- the resident's papers ---------------------------------------------------------------------

def _listed(user_id: int):
    """The user's rows that belong in their papers: everything they own but what is only on a
    draft (that is work in progress, shown on the draft itself)."""
    return and_(DossierFile.owner_id == user_id,
                or_(DossierFile.case_id.is_not(None), DossierFile.draft_id.is_(None)))


def _newest_per_key(user_id: int):
    """A reused paper has several rows sharing one stored file: list it once (its newest)."""
    return (select(func.max(DossierFile.id)).where(_listed(user_id))
            .group_by(DossierFile.storage_key))


def my_papers(session: Session, user_id: int, page: int | None, size: int = 20) -> Page:
    """The resident's papers, grouped by paper type (typeless ones last), newest first."""
    typeless_last = func.coalesce(DossierFile.paper_type, "~")
    stmt = (select(DossierFile).where(DossierFile.id.in_(_newest_per_key(user_id)))
            .order_by(typeless_last, DossierFile.document_id, DossierFile.purpose,
                      DossierFile.created_at.desc(),
                      DossierFile.id.desc()))
    return page_of_query(session, stmt, page, size)


def group_label(item: DossierFile, lang: str) -> str:
    """The heading a paper is listed under: its paper type, else the document it answered."""
    label = paper_type_label(item.paper_type)
    if label:
        return label
    if item.document is not None:
        return item.document.name(lang)
    return str(PURPOSES.get(item.purpose, _l("Other papers")))


def reusable_papers(session: Session, user_id: int,
                    document: ProcedureDocument) -> list[DossierFile]:
    """The user's papers of the kind this document asks for (same paper_type), newest first,
    each stored file once. A document without a paper type matches nothing."""
    if document is None or not document.paper_type:
        return []
    return list(session.scalars(
        select(DossierFile).where(DossierFile.id.in_(_newest_per_key(user_id)),
                                  DossierFile.paper_type == document.paper_type)
        .order_by(DossierFile.created_at.desc(), DossierFile.id.desc())))


def reuse(session: Session, user_id: int, file_id: int, *, draft_id: int | None = None,
          case_id: int | None = None, document_id: int | None = None) -> DossierFile:
    """Attach one of the user's papers to their draft (or their dossier) as the answer to
    `document_id`: a NEW row naming the same stored file, so removing either leaves the other.

    PaperError "not_yours" for a file that is not the user's (or no such file), "bad_target"
    unless exactly one of draft_id/case_id names the user's own draft/dossier, "bad_document"
    for a document of another procedure. Commits alone; joins a caller's write transaction."""
    if (draft_id is None) == (case_id is None):
        raise PaperError("bad_target")
    with write_transaction(session, join=True):
        source = session.get(DossierFile, file_id)
        if source is None or source.owner_id is None or source.owner_id != user_id:
            raise PaperError("not_yours")
        if draft_id is not None:
            draft = session.get(DossierDraft, draft_id)
            if draft is None or draft.user_id != user_id:
                raise PaperError("bad_target")
            procedure_id = draft.procedure_id
        else:
            if own_case(session, user_id, case_id) is None:
                raise PaperError("bad_target")
            dossier = session.get(Dossier, case_id)
            if dossier is None:
                raise PaperError("bad_target")
            procedure_id = dossier.procedure_id
        document = session.get(ProcedureDocument, document_id) if document_id else None
        if document_id is not None and (document is None or document.procedure_id != procedure_id):
            raise PaperError("bad_document")
        row = DossierFile(storage_key=source.storage_key, kind=source.kind,
                          filename=source.filename, size=source.size, sha256=source.sha256,
                          purpose="submission", owner_id=user_id, uploaded_by_id=user_id,
                          draft_id=draft_id, case_id=case_id, document_id=document_id,
                          paper_type=(document.paper_type if document is not None
                                      and document.paper_type else source.paper_type))
        session.add(row)
        session.flush()
    return row


def remove_from_papers(session: Session, store: FileStore, user_id: int, file_id: int) -> None:
    """Take a paper out of the user's papers. Copies still attached to a dossier stay with it
    (the office needs them) and only stop being the user's; copies attached to nothing are
    deleted, and the stored file with them once no row names it. Copies on a draft are left to
    the draft. PaperError "not_yours" for a file not in the user's papers."""
    with write_transaction(session):
        item = session.get(DossierFile, file_id)
        if item is None or item.owner_id != user_id or (item.case_id is None
                                                        and item.draft_id is not None):
            raise PaperError("not_yours")
        key = item.storage_key
        rows = session.scalars(select(DossierFile).where(
            DossierFile.storage_key == key, _listed(user_id))).all()
        for row in rows:
            if row.case_id is not None:
                row.owner_id = None
            else:
                session.delete(row)
    dossier_files.release_unreferenced(session, store, [key])


# -- the resident's dossier page ---------------------------------------------------------------

def public_timeline(session: Session, case_id: int) -> list[TimelineEntry]:
    """What the tracking page shows (app/dossiers/services.py `track`): each change of state,
    with the notes the resident is meant to read."""
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                             .order_by(CaseEvent.at, CaseEvent.id)).all()
    return [TimelineEntry(e.at, e.to_state,
                          e.note if e.action in PUBLIC_NOTE_ACTIONS else None)
            for e in events
            if e.to_state is not None and (e.from_state != e.to_state or e.from_state is None)]


def supplement_request(session: Session, case_id: int) -> CaseEvent | None:
    """The office's latest request for more papers: its note lists what is missing."""
    return session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.action == Action.REQUEST_SUPPLEMENT.value)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1))


def send_supplement(session: Session, store: FileStore, user: User, case_id: int,
                    uploads: list[Upload], message: str | None, *, default_note: str,
                    now: datetime | None = None) -> Case:
    """The applicant answers a supplement request: the files (purpose "supplement", in their
    papers) and the state change back to processing, in one transaction, or nothing at all.

    PaperError "not_found" (not their dossier), "not_waiting" (not in state 5), "empty"
    (neither a file nor a message); UploadError for a refused file (nothing stored); any
    QueueError from perform (nothing kept)."""
    case = own_case(session, user.id, case_id)
    if case is None or session.get(Dossier, case_id) is None:
        raise PaperError("not_found")
    if case.state != State.SUPPLEMENT_REQUESTED:
        raise PaperError("not_waiting")
    message = (message or "").strip() or None
    if not uploads and message is None:
        raise PaperError("empty")
    stored = store_uploads(store, uploads)
    try:
        with write_transaction(session):
            for item in stored:
                session.add(file_row(item, purpose="supplement", uploaded_by_id=user.id,
                                     owner_id=user.id, case_id=case_id))
            case = perform(session, case_id, Action.SUPPLEMENT_PROVIDED, user,
                           note=message or default_note, now=now)
    except BaseException:
        discard(store, stored)
        raise
    return case


# -- the desk's scans --------------------------------------------------------------------------

def may_scan(session: Session, user: User | None, case: Case | None) -> bool:
    """Staff who may see the case (files.may_read's staff rule: workbench `case_for`) AND work
    it at the desk: an intake or leader seat in its department, its assignee, or an admin."""
    if user is None or not user.is_authenticated or not user.active or not user.is_staff:
        return False
    if case is None or case.case_type != "dossier":
        return False
    from app.queue.errors import NotAllowed
    from app.workbench.services import case_for

    try:
        if case_for(session, user, case.id) is None:
            return False
    except NotAllowed:
        return False
    if user.is_admin or case.assignee_id == user.id:
        return True
    desk = session.scalars(select(OfficerMembership.desk).where(
        OfficerMembership.user_id == user.id,
        OfficerMembership.department_id == case.department_id)).all()
    return bool({"intake", "leader"} & set(desk))


def add_scans(session: Session, store: FileStore, user: User, case_id: int,
              uploads: list[Upload]) -> list[DossierFile]:
    """The desk's scans of paper documents, attached to the case (not to anyone's papers).
    PaperError "not_allowed" / "empty"; UploadError for a refused file (nothing stored)."""
    case = session.get(Case, case_id)
    if not may_scan(session, user, case) or session.get(Dossier, case_id) is None:
        raise PaperError("not_allowed")
    if not uploads:
        raise PaperError("empty")
    stored = store_uploads(store, uploads)
    try:
        with write_transaction(session):
            rows = [file_row(item, purpose="scan", uploaded_by_id=user.id, case_id=case_id)
                    for item in stored]
            session.add_all(rows)
    except BaseException:
        discard(store, stored)
        raise
    return rows


# -- the submitted form, as the office reads it -----------------------------------------------

KNOWN_KEYS = {"documents_received": _l("Papers received at the desk")}


@dataclass(frozen=True)
class FormRow:
    label: str
    value: str


def _show(value, field: dict | None, lang: str) -> str:
    from app.templating import format_day

    if isinstance(value, list):
        return ", ".join(_show(v, field, lang) for v in value)
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if field is not None and field.get("type") == "choice":
        for choice in field.get("choices") or []:
            if choice.get("value") == value:
                return choice.get("label_en" if lang == "en" else "label_vi") or str(value)
    if field is not None and field.get("type") == "date" and isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    return "" if value is None else str(value)


def form_rows(schema: list | None, form_data: dict | None, lang: str) -> list[FormRow]:
    """The submitted values, in the schema's order with its labels; keys the schema does not
    know (an older version of it, or the desk's own) follow under their own names."""
    data = dict(form_data or {})
    rows = []
    for field in schema or []:
        if not isinstance(field, dict) or field.get("name") not in data:
            continue
        value = data.pop(field["name"])
        label = field.get("label_en" if lang == "en" else "label_vi") or field["name"]
        rows.append(FormRow(label, _show(value, field, lang)))
    for key in sorted(data):
        rows.append(FormRow(str(KNOWN_KEYS.get(key, key)), _show(data[key], None, lang)))
    return rows
