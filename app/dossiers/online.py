"""Online submission: a resident fills in a dossier as a draft (dossier_drafts), attaches the
papers the procedure asks for (dossier_files with draft_id), comes back as often as they like,
and submits it. Submitting is one write transaction: the dossier and its case (services.submit,
joined), the draft's files moved to the case, the draft deleted. Nothing half-done survives a
failure: the draft and its files stay as they were, and files stored for the failed request
are forgotten again (files.discard).

A paper the resident sent before (their papers, app/dossiers/papers_service.py) can answer a
document instead of an upload: `reused` maps the document to the paper's file row, and the
draft gets a new row naming the same stored file, in the same transaction as the rest.

The draft carries the submission's idempotency key from the moment it is made, so pressing
"submit" twice, or a retry after a lost answer, finds the dossier the first press made.

No Flask here: the views hand in the file store and the parsed values.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.dossiers.files import Stored, Upload, check_upload, discard, file_row, \
    release_unreferenced, store_uploads
from app.dossiers.papers_service import reuse
from app.dossiers.services import DossierError, Submission, find_by_key, submit
from app.models import AdminUnit, Case, Dossier, DossierDraft, DossierFile, Procedure, User, utcnow
from app.storage import FileStore
from app.uploads import UploadError

KEY_BYTES = 24  # token_urlsafe(24): 32 characters, well inside idempotency_key's 64


class DraftIncomplete(Exception):
    """Papers the procedure requires are neither on the draft nor in this request."""

    def __init__(self, document_ids: list[int]):
        super().__init__(",".join(map(str, document_ids)))
        self.document_ids = document_ids


class ReuseRefused(Exception):
    """A paper chosen for reuse that may not answer its document: `problems` maps the document
    id to "not_yours" (not among the user's papers) or "wrong_kind" (another kind of paper)."""

    def __init__(self, problems: dict[int, str]):
        super().__init__(",".join(f"{d}:{c}" for d, c in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class DraftValues:
    """What the form held, already checked for hostile input and format (not for presence)."""

    applicant_name: str = ""
    applicant_phone: str | None = None
    applicant_id_number: str | None = None
    unit_id: int | None = None
    form_data: dict = field(default_factory=dict)   # schema field name -> string / ISO date


# -- reading --------------------------------------------------------------------------------

def own_draft(session: Session, user_id: int, draft_id: int) -> DossierDraft | None:
    """The user's own draft, or None (someone else's looks exactly like none)."""
    draft = session.get(DossierDraft, draft_id)
    if draft is None or draft.user_id != user_id:
        return None
    return draft


def drafts_of(session: Session, user_id: int) -> list[DossierDraft]:
    return list(session.scalars(select(DossierDraft).where(DossierDraft.user_id == user_id)
                                .order_by(DossierDraft.updated_at.desc(), DossierDraft.id.desc())))


def draft_files(session: Session, draft_id: int) -> list[DossierFile]:
    return list(session.scalars(select(DossierFile).where(DossierFile.draft_id == draft_id)
                                .order_by(DossierFile.created_at, DossierFile.id)))


def submitted_with(session: Session, user_id: int, key: str | None) -> Dossier | None:
    """The dossier this user's draft became, found by the draft's key after the draft is gone
    (the second press of a double submit)."""
    if not key or len(key) > 64:
        return None
    dossier = find_by_key(session, key)
    if dossier is None or dossier.case.applicant_id != user_id:
        return None
    return dossier


def own_dossier(session: Session, user_id: int, case_id: int) -> Dossier | None:
    case = session.get(Case, case_id)
    if case is None or case.case_type != "dossier" or case.applicant_id != user_id:
        return None
    return session.get(Dossier, case_id)


# -- checking -------------------------------------------------------------------------------

def upload_problems(uploads: list[Upload]) -> dict[int | None, str]:
    """Every refused upload's reason (empty, too_large, bad_type, name_mismatch), by the
    document it was meant for: all of them at once, so one answer names every bad file."""
    problems: dict[int | None, str] = {}
    for upload in uploads:
        try:
            check_upload(upload)
        except UploadError as error:
            problems.setdefault(upload.document_id, error.code)
    return problems


def missing_documents(procedure: Procedure, on_draft: list[DossierFile],
                      uploads: list[Upload], reused: Iterable[int] = ()) -> list[int]:
    """Ids of the documents that must be uploaded and have no file yet: neither on the draft,
    nor uploaded now, nor answered now by a reused paper (`reused`: document ids)."""
    have = ({f.document_id for f in on_draft} | {u.document_id for u in uploads}
            | set(reused))
    return [d.id for d in procedure.documents if d.upload_required and d.id not in have]


def reuse_problems(session: Session, user_id: int, procedure: Procedure,
                   reused: dict[int, int]) -> dict[int, str]:
    """Why each chosen paper (document id -> file id) may not answer its document, if it may
    not: "not_yours" unless the file is in the user's papers (theirs, and sent with a dossier
    or kept on its own, not merely on another draft), "wrong_kind" unless it is the kind of
    paper the document asks for. The same rules as papers_service.reusable_papers, by row, so
    an older copy of a listed paper is still accepted."""
    documents = {d.id: d for d in procedure.documents}
    problems: dict[int, str] = {}
    for document_id, file_id in reused.items():
        document = documents.get(document_id)
        source = session.get(DossierFile, file_id)
        if (source is None or source.owner_id is None or source.owner_id != user_id
                or (source.case_id is None and source.draft_id is not None)):
            problems[document_id] = "not_yours"
        elif document is None or not document.paper_type \
                or source.paper_type != document.paper_type:
            problems[document_id] = "wrong_kind"
    return problems


def _attach_reused(session: Session, user_id: int, draft: DossierDraft,
                   reused: dict[int, int]) -> None:
    """Inside the caller's write transaction: the chosen papers onto the draft. A paper already
    on the draft for that document (a second press of Save) is not added twice."""
    if not reused:
        return
    # FOR UPDATE on PostgreSQL: "remove from my papers" in another tab waits for this commit,
    # then finds the new row naming the stored file and keeps the file (or ran first, and
    # the paper is no longer the user's). SQLite's BEGIN IMMEDIATE serialises the two already.
    for file_id in sorted(reused.values()):
        session.get(DossierFile, file_id, with_for_update=True)
    problems = reuse_problems(session, user_id, draft.procedure, reused)
    if problems:
        raise ReuseRefused(problems)
    on_draft = {(f.document_id, f.storage_key) for f in draft_files(session, draft.id)}
    for document_id, file_id in sorted(reused.items()):
        source = session.get(DossierFile, file_id)
        if (document_id, source.storage_key) in on_draft:
            continue
        reuse(session, user_id, file_id, draft_id=draft.id, document_id=document_id)
        on_draft.add((document_id, source.storage_key))


def _paper_types(procedure: Procedure) -> dict[int, str | None]:
    return {d.id: d.paper_type for d in procedure.documents}


def _valid_unit(session: Session, unit_id: int | None) -> int | None:
    if not unit_id:
        return None
    unit = session.get(AdminUnit, unit_id)
    return unit.id if unit is not None and unit.level == "commune" else None


# -- writing --------------------------------------------------------------------------------

def start_draft(session: Session, user: User, procedure: Procedure, *,
                now: datetime | None = None) -> DossierDraft:
    """The user's draft of this procedure: the one already begun, or a new one with the
    account's name, phone and commune filled in."""
    now = now or utcnow()
    with write_transaction(session):
        draft = session.scalar(select(DossierDraft).where(
            DossierDraft.user_id == user.id, DossierDraft.procedure_id == procedure.id)
            .order_by(DossierDraft.updated_at.desc(), DossierDraft.id.desc()).limit(1))
        if draft is None:
            draft = DossierDraft(user_id=user.id, procedure_id=procedure.id,
                                 unit_id=_valid_unit(session, user.commune_id),
                                 applicant_name=(user.full_name or "")[:120],
                                 applicant_phone=user.phone, form_data={},
                                 idempotency_key=secrets.token_urlsafe(KEY_BYTES),
                                 created_at=now, updated_at=now)
            session.add(draft)
            session.flush()
    return draft


def _locked_draft(session: Session, user_id: int, draft_id: int) -> DossierDraft | None:
    # FOR UPDATE on PostgreSQL: a second "submit" of the same draft waits here until the first
    # has committed (and deleted the draft), then finds the dossier by its key. SQLite's
    # BEGIN IMMEDIATE serialises the two already.
    return session.scalar(select(DossierDraft).where(
        DossierDraft.id == draft_id, DossierDraft.user_id == user_id).with_for_update())


def _store(store: FileStore, uploads: list[Upload]) -> list[Stored]:
    return store_uploads(store, uploads) if uploads else []


def save_draft(session: Session, store: FileStore, user_id: int, draft_id: int,
               values: DraftValues, uploads: list[Upload], *,
               reused: dict[int, int] | None = None,
               now: datetime | None = None) -> DossierDraft:
    """Keep what was typed (complete or not), the new files and the reused papers on the
    draft. UploadError: nothing stored, nothing changed; ReuseRefused: nothing changed;
    DossierError("draft_gone") when it is no longer there."""
    now = now or utcnow()
    stored = _store(store, uploads)
    try:
        with write_transaction(session):
            draft = _locked_draft(session, user_id, draft_id)
            if draft is None:
                raise DossierError("draft_gone")
            draft.applicant_name = values.applicant_name[:120]
            draft.applicant_phone = values.applicant_phone
            draft.applicant_id_number = values.applicant_id_number
            draft.unit_id = _valid_unit(session, values.unit_id)
            draft.form_data = dict(values.form_data)
            draft.updated_at = now
            _attach_reused(session, user_id, draft, reused or {})
            types = _paper_types(draft.procedure)
            for item in stored:
                session.add(file_row(item, purpose="submission", uploaded_by_id=user_id,
                                     owner_id=user_id, draft_id=draft.id,
                                     paper_type=types.get(item.document_id)))
    except BaseException:
        discard(store, stored)
        raise
    return draft


def submit_draft(session: Session, store: FileStore, user_id: int, draft_id: int,
                 values: DraftValues, uploads: list[Upload], *,
                 reused: dict[int, int] | None = None,
                 now: datetime | None = None) -> Dossier:
    """The draft becomes a dossier in state 1 (channel online), its files (the reused papers
    among them) the dossier's.

    Raises DraftIncomplete (a required paper missing), DossierError (the submission's rules),
    ReuseRefused (a chosen paper that may not be reused) or UploadError (a bad file); then the
    draft and its files are as they were and this request's files are not kept. A draft
    already submitted answers with its dossier."""
    now = now or utcnow()
    stored = _store(store, uploads)
    kept = False
    try:
        with write_transaction(session):
            draft = _locked_draft(session, user_id, draft_id)
            if draft is None:
                raise DossierError("draft_gone")
            procedure = draft.procedure
            _attach_reused(session, user_id, draft, reused or {})
            # Checked again under the lock: another tab may have removed a file meanwhile.
            missing = missing_documents(procedure, draft_files(session, draft.id), uploads)
            if missing:
                raise DraftIncomplete(missing)
            dossier = submit(session, Submission(
                procedure_id=procedure.id, unit_id=values.unit_id or 0,
                applicant_name=values.applicant_name, applicant_phone=values.applicant_phone,
                applicant_id_number=values.applicant_id_number, channel="online",
                form_data=dict(values.form_data), idempotency_key=draft.idempotency_key,
                applicant_user_id=user_id, submitted_by_id=user_id), now=now)
            session.execute(update(DossierFile).where(DossierFile.draft_id == draft.id)
                            .values(case_id=dossier.case_id, draft_id=None)
                            .execution_options(synchronize_session=False))
            types = _paper_types(procedure)
            for item in stored:
                session.add(file_row(item, purpose="submission", uploaded_by_id=user_id,
                                     owner_id=user_id, case_id=dossier.case_id,
                                     paper_type=types.get(item.document_id)))
            session.delete(draft)
            kept = True
    except BaseException:
        discard(store, stored)
        raise
    if not kept:
        discard(store, stored)
    return dossier


def remove_draft_file(session: Session, store: FileStore, user_id: int, draft_id: int,
                      file_id: int) -> bool:
    """Take one file off the user's draft; False when there is no such file there."""
    with write_transaction(session):
        item = session.scalar(select(DossierFile).join(
            DossierDraft, DossierDraft.id == DossierFile.draft_id).where(
            DossierFile.id == file_id, DossierFile.draft_id == draft_id,
            DossierDraft.user_id == user_id))
        if item is None:
            return False
        key = item.storage_key
        session.delete(item)
    release_unreferenced(session, store, [key])
    return True


def delete_draft(session: Session, store: FileStore, user_id: int, draft_id: int) -> bool:
    """Throw the draft away with its files; False when the user has no such draft."""
    with write_transaction(session):
        draft = _locked_draft(session, user_id, draft_id)
        if draft is None:
            return False
        keys = list(session.scalars(select(DossierFile.storage_key)
                                    .where(DossierFile.draft_id == draft.id)))
        session.execute(delete(DossierFile).where(DossierFile.draft_id == draft.id)
                        .execution_options(synchronize_session=False))
        session.delete(draft)
    # After the commit: a file another row still names (a reused paper) stays.
    release_unreferenced(session, store, keys)
    return True
