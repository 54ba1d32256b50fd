"""Residents' attachments: checked by content, kept in the file store, recorded in
`dossier_files` (see app/models/dossier_files.py), read only by those the case concerns.

Nothing half-saved: a file is checked first, then written to the store, then its row is added
in the caller's write transaction. When that transaction fails the caller calls `discard()`
with what `store_uploads()` returned, so no stored file outlives a rolled-back row. The use:

    stored = store_uploads(store, uploads)          # UploadError: nothing was stored
    try:
        with write_transaction(session):
            for s in stored: session.add(file_row(s, ...))
            ...
    except BaseException:
        discard(store, stored)
        raise

No Flask here; the views hand in the store (app.storage.file_store()).
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.inputs import bad_character
from app.models import Case, DossierFile, User
from app.storage import FileStore
from app.uploads import ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES, UploadError, check_document

STORE_KIND = "dossiers"
FILENAME_MAX = 200


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it."""

    data: bytes
    filename: str | None
    document_id: int | None = None   # the required document it answers, if any


@dataclass(frozen=True)
class Stored:
    key: str
    kind: str
    filename: str
    size: int
    sha256: str
    document_id: int | None


def clean_filename(name: str | None, kind: str) -> str:
    """The uploaded name, for display only: no path, no control characters, bounded."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base).strip()
    if not base or bad_character(base):
        base = f"file.{kind}"
    if len(base) > FILENAME_MAX:
        stem, _, ext = base.rpartition(".")
        base = stem[:FILENAME_MAX - len(ext) - 1] + "." + ext if stem else base[:FILENAME_MAX]
    return base


def check_upload(upload: Upload, *, max_bytes: int = ATTACHMENT_MAX_BYTES) -> str:
    """The kind of file this is (pdf, jpeg, png), or UploadError."""
    return check_document(upload.data, upload.filename, allowed=ATTACHMENT_KINDS,
                          max_bytes=max_bytes).code


def store_uploads(store: FileStore, uploads: list[Upload], *,
                  max_bytes: int = ATTACHMENT_MAX_BYTES,
                  store_kind: str = STORE_KIND) -> list[Stored]:
    """Check every upload, then store them all (under `store_kind`: another kind of case's
    attachments keep their own directory). An UploadError (with `.index` the position of the
    refused one) leaves nothing stored."""
    kinds = []
    for index, upload in enumerate(uploads):
        try:
            kinds.append(check_upload(upload, max_bytes=max_bytes))
        except UploadError as error:
            error.index = index
            raise
    stored: list[Stored] = []
    try:
        for upload, kind in zip(uploads, kinds):
            key = store.save(upload.data, store_kind)
            stored.append(Stored(key, kind, clean_filename(upload.filename, kind),
                                 len(upload.data), hashlib.sha256(upload.data).hexdigest(),
                                 upload.document_id))
    except BaseException:
        discard(store, stored)
        raise
    return stored


def discard(store: FileStore, stored: list[Stored]) -> None:
    """Forget files whose rows never made it to the database."""
    for item in stored:
        store.delete(item.key)


def file_row(stored: Stored, *, purpose: str, uploaded_by_id: int | None,
             owner_id: int | None = None, case_id: int | None = None,
             draft_id: int | None = None, paper_type: str | None = None) -> DossierFile:
    return DossierFile(storage_key=stored.key, kind=stored.kind, filename=stored.filename,
                       size=stored.size, sha256=stored.sha256, document_id=stored.document_id,
                       purpose=purpose, uploaded_by_id=uploaded_by_id, owner_id=owner_id,
                       case_id=case_id, draft_id=draft_id, paper_type=paper_type)


def release_unreferenced(session: Session, store: FileStore, keys: list[str]) -> None:
    """After rows were deleted (and committed): forget the stored files no row names any more.
    A reused paper shares its key with the rows of other dossiers, so only the last one goes."""
    for key in set(keys):
        if not session.scalar(select(func.count()).select_from(DossierFile)
                              .where(DossierFile.storage_key == key)):
            store.delete(key)


def files_of_case(session: Session, case_id: int) -> list[DossierFile]:
    return list(session.scalars(select(DossierFile).where(DossierFile.case_id == case_id)
                                .order_by(DossierFile.created_at, DossierFile.id)))


def may_read(session: Session, user: User | None, item: DossierFile) -> bool:
    """The file's owner, or whoever may read its dossier's papers (reads_papers_of). Everyone
    else is told there is no such file."""
    if not _active(user):
        return False
    if item.owner_id is not None and item.owner_id == user.id:
        return True
    return item.case_id is not None and reads_papers_of(session, user, item.case_id)


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.active


def reads_papers_of(session: Session, user: User | None, case_id: int) -> bool:
    """Who may read a dossier's papers (its files, its electronic result): the applicant, and
    staff who may see the case (its department, its assignee, an administrator)."""
    if not _active(user):
        return False
    case = session.get(Case, case_id)
    if case is None:
        return False
    if case.applicant_id == user.id:
        return True
    if not user.is_staff:
        return False
    from app.queue.errors import NotAllowed
    from app.workbench.services import case_for

    try:
        return case_for(session, user, case.id) is not None
    except NotAllowed:
        return False
