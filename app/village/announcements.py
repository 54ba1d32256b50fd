"""Rules of village announcements: who may publish, edit and withdraw them where, what a valid
announcement is, its attachment, and how residents find them.

Who may publish where is the needs board's rule, imported, not copied (app/village/services.py:
`places_for`, `may_post_for`): staff of a commune for the commune and any of its villages, a
village head for their own village only. Editing and withdrawing follow the same rule on the
announcement's place, so whoever may publish there may correct it.

Reading: the default list holds published announcements whose `valid_until` has not passed;
expired ones drop out of it but their pages stay (and the "past" filter lists them). A
signed-in person's own commune and village come first: their village and the whole commune's
notices, then the other villages of their commune, then everywhere else, newest first within
each. Withdrawn announcements are seen only by those who may manage them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, false, or_, select
from sqlalchemy.orm import Session, selectinload

from app import photos
from app.db import write_transaction
from app.models import AdminUnit, Announcement, User, utcnow
from app.models.announcements import ANNOUNCEMENT_CATEGORIES
from app.pagination import Page, page_of_query
from app.queue.calendar import local_day
from app.refusals import Refusal
from app.text import escape_like, fold
from app.units.staff import communes_staffed
from app.uploads import (ATTACHMENT_KINDS, ATTACHMENT_MAX_BYTES, KINDS, FileKind, UploadError,
                         check_document)
from app.village.services import Place, head_of, may_post_for, resolve_place

PAGE_SIZE = 10
PERIODS = ("current", "past", "all")
MANAGE_STATUSES = ("published", "withdrawn", "all")
TITLE_MAX = 200
BODY_MAX = 10_000
FILE_KIND = "announcements"  # the file store's directory
PHOTO_KINDS = frozenset(photos.ACCEPTED)


class AnnouncementError(Refusal):
    """A rule said no; `code` picks the message (app/village/notice_forms.py ERRORS)."""


@dataclass
class AnnouncementInput:
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str
    place_key: str
    category: str
    valid_from: date | None
    valid_until: date | None


@dataclass
class Attachment:
    data: bytes
    filename: str


# -- who may do what ------------------------------------------------------------------------

def place_of(announcement: Announcement) -> Place:
    return Place(announcement.unit, announcement.village)


def may_manage(session: Session, user: User | None, announcement: Announcement) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return may_post_for(session, user, place_of(announcement))


def _managed_filter(session: Session, user: User):
    """SQL: the announcements this account may manage (None: every one)."""
    communes = communes_staffed(session, user)
    if communes is None:
        return None
    clauses = [Announcement.unit_id.in_(communes)] if communes else []
    village = head_of(session, user)
    if village is not None:
        clauses.append(Announcement.village_id == village.id)
    return or_(*clauses) if clauses else false()


# -- checking what was typed ----------------------------------------------------------------

def _text(value: str, code: str, limit: int, field_name: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise AnnouncementError(code, field_name)
    if len(cleaned) > limit:
        raise AnnouncementError("too_long", field_name)
    return cleaned


@dataclass
class _Clean:
    place: Place
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str
    category: str
    valid_from: date
    valid_until: date | None


def _check(session: Session, user: User, data: AnnouncementInput, today: date, *,
           old_until: date | None | bool = False) -> _Clean:
    """Every rule, first failure raised. `old_until` is the saved end date when editing: an
    unchanged end date that has since passed does not stop a correction."""
    title_vi = _text(data.title_vi, "title_vi_required", TITLE_MAX, "title_vi")
    body_vi = _text(data.body_vi, "body_vi_required", BODY_MAX, "body_vi")
    title_en, body_en = (data.title_en or "").strip(), (data.body_en or "").strip()
    if title_en and not body_en:
        raise AnnouncementError("body_en_missing", "body_en")
    if body_en and not title_en:
        raise AnnouncementError("title_en_missing", "title_en")
    if len(title_en) > TITLE_MAX:
        raise AnnouncementError("too_long", "title_en")
    if len(body_en) > BODY_MAX:
        raise AnnouncementError("too_long", "body_en")
    place = resolve_place(session, data.place_key)
    if place is None:
        raise AnnouncementError("bad_place", "place")
    if not may_post_for(session, user, place):
        raise AnnouncementError(
            "not_your_village" if head_of(session, user) else "not_your_commune", "place")
    if data.category not in ANNOUNCEMENT_CATEGORIES:
        raise AnnouncementError("bad_category", "category")
    if data.valid_from is None:
        raise AnnouncementError("valid_from_required", "valid_from")
    if data.valid_until is not None:
        if data.valid_until < data.valid_from:
            raise AnnouncementError("until_before_from", "valid_until")
        if data.valid_until < today and data.valid_until != old_until:
            raise AnnouncementError("until_past", "valid_until")
    return _Clean(place, title_vi, title_en, body_vi, body_en, data.category, data.valid_from,
                  data.valid_until)


def check_attachment(attachment: Attachment | None) -> tuple[FileKind, bytes] | None:
    """The attachment's kind, judged by its bytes (a PDF or a photo, at most 5 MB), and the
    bytes to store: a photo re-encoded without its metadata (app/photos.py), a PDF as sent."""
    if attachment is None or (not attachment.data and not attachment.filename):
        return None
    try:
        kind = check_document(attachment.data, attachment.filename, allowed=ATTACHMENT_KINDS,
                              max_bytes=ATTACHMENT_MAX_BYTES)
        if kind.code not in PHOTO_KINDS:
            return kind, attachment.data
        cleaned = photos.clean(attachment.data, attachment.filename,
                               max_bytes=ATTACHMENT_MAX_BYTES)
    except UploadError as error:
        raise AnnouncementError(f"attachment_{error.code}", "attachment") from None
    return KINDS["jpeg"], cleaned.data


def _download_name(filename: str, kind: FileKind) -> str:
    """The uploader's file name, reduced to what is safe in a download header, with the
    extension of what is stored (a PNG photo is stored as a JPEG)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')[:150].strip()
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() not in kind.extensions:
        name = f"{stem}.{kind.extensions[0]}"
    return name or f"dinh-kem.{kind.extensions[0]}"


def _search_text(clean: _Clean) -> str:
    parts = [clean.title_vi, clean.title_en, clean.body_vi, clean.body_en,
             clean.place.commune.name_vi]
    if clean.place.village is not None:
        parts.append(clean.place.village.name_vi)
    return fold(" ".join(parts))


def _apply(announcement: Announcement, clean: _Clean) -> None:
    announcement.unit_id = clean.place.commune.id
    announcement.village_id = clean.place.village.id if clean.place.village else None
    announcement.title_vi, announcement.title_en = clean.title_vi, clean.title_en
    announcement.body_vi, announcement.body_en = clean.body_vi, clean.body_en
    announcement.category = clean.category
    announcement.valid_from, announcement.valid_until = clean.valid_from, clean.valid_until
    announcement.search_text = _search_text(clean)


# -- writing --------------------------------------------------------------------------------

def publish(session: Session, user: User, data: AnnouncementInput,
            attachment: Attachment | None = None, *, now: datetime | None = None) -> Announcement:
    """Publish, and queue it to the subscribers who follow it, in one transaction. The file is
    stored only once every rule has passed, and removed again if the transaction fails."""
    from app.storage import file_store
    from app.village.subscriptions import queue_announcement

    now = now or utcnow()
    checked = check_attachment(attachment)  # its content, before anything is written
    store, key = file_store(), None
    try:
        with write_transaction(session):
            clean = _check(session, user, data, local_day(now))
            announcement = Announcement(posted_by_id=user.id, status="published",
                                        created_at=now, updated_at=now)
            _apply(announcement, clean)
            if checked is not None:
                kind, data = checked
                key = store.save(data, FILE_KIND)
                announcement.attachment_key, announcement.attachment_kind = key, kind.code
                announcement.attachment_name = _download_name(attachment.filename, kind)
            session.add(announcement)
            session.flush()
            queue_announcement(session, announcement, clean.place)
    except BaseException:
        if key is not None:
            store.delete(key)
        raise
    return announcement


def edit(session: Session, user: User, announcement_id: int, data: AnnouncementInput,
         attachment: Attachment | None = None, *, remove_attachment: bool = False,
         now: datetime | None = None) -> Announcement:
    """Correct an announcement (its subscribers are not messaged again)."""
    from app.storage import file_store

    now = now or utcnow()
    checked = check_attachment(attachment)
    store, key, old_key = file_store(), None, None
    try:
        with write_transaction(session):
            announcement = session.get(Announcement, announcement_id, populate_existing=True)
            if announcement is None:
                raise AnnouncementError("not_found")
            if not may_manage(session, user, announcement):
                raise AnnouncementError("forbidden")
            if announcement.status != "published":
                raise AnnouncementError("withdrawn")
            clean = _check(session, user, data, local_day(now),
                           old_until=announcement.valid_until)
            _apply(announcement, clean)
            if checked is not None or remove_attachment:
                old_key = announcement.attachment_key
                announcement.attachment_key = announcement.attachment_kind = None
                announcement.attachment_name = None
            if checked is not None:
                kind, data = checked
                key = store.save(data, FILE_KIND)
                announcement.attachment_key, announcement.attachment_kind = key, kind.code
                announcement.attachment_name = _download_name(attachment.filename, kind)
            announcement.updated_at = now
    except BaseException:
        if key is not None:
            store.delete(key)
        raise
    if old_key:
        store.delete(old_key)  # only once the row no longer points at it
    return announcement


def withdraw(session: Session, user: User, announcement_id: int, *,
             now: datetime | None = None) -> Announcement:
    now = now or utcnow()
    with write_transaction(session):
        announcement = session.get(Announcement, announcement_id, populate_existing=True)
        if announcement is None:
            raise AnnouncementError("not_found")
        if not may_manage(session, user, announcement):
            raise AnnouncementError("forbidden")
        if announcement.status == "withdrawn":
            raise AnnouncementError("withdrawn")
        announcement.status = "withdrawn"
        announcement.withdrawn_at, announcement.withdrawn_by_id = now, user.id
    return announcement


# -- reading --------------------------------------------------------------------------------

@dataclass
class ListFilters:
    q: str = ""
    commune_id: int | None = None
    village_id: int | None = None
    category: str = ""
    period: str = "current"

    def args(self) -> dict:
        """The filters as query-string arguments for the pager's links."""
        return {k: v for k, v in {"q": self.q, "commune": self.commune_id,
                                  "village": self.village_id, "category": self.category,
                                  "period": self.period if self.period != "current" else ""
                                  }.items() if v}


def _period(stmt, period: str, today: date):
    current = or_(Announcement.valid_until.is_(None), Announcement.valid_until >= today)
    if period == "current":
        return stmt.where(current)
    if period == "past":
        return stmt.where(Announcement.valid_until < today)
    return stmt


def _mine_first(viewer: User | None):
    """ORDER BY terms: the viewer's own village and commune-wide notices, then the rest of
    their commune, then everywhere else; newest first within each."""
    newest = (Announcement.created_at.desc(), Announcement.id.desc())
    commune_id = getattr(viewer, "commune_id", None) if viewer is not None else None
    if not commune_id:
        return newest
    village_id = getattr(viewer, "village_id", None)
    own = Announcement.village_id.is_(None)
    if village_id:
        own = or_(own, Announcement.village_id == village_id)
    rank = case((Announcement.unit_id != commune_id, 2), (own, 0), else_=1)
    return (rank,) + newest


def _with_places(stmt):
    return stmt.options(selectinload(Announcement.unit), selectinload(Announcement.village))


def list_page(session: Session, filters: ListFilters, page: int, viewer: User | None, *,
              today: date | None = None, size: int = PAGE_SIZE) -> Page:
    today = today or local_day(utcnow())
    stmt = _with_places(select(Announcement).where(Announcement.status == "published"))
    stmt = _period(stmt, filters.period if filters.period in PERIODS else "current", today)
    if filters.category in ANNOUNCEMENT_CATEGORIES:
        stmt = stmt.where(Announcement.category == filters.category)
    if filters.village_id:
        # What applies to a village: its own notices and those for its whole commune.
        village = session.get(AdminUnit, filters.village_id)
        parent = village.parent_id if village is not None else None
        stmt = stmt.where(or_(Announcement.village_id == filters.village_id,
                              (Announcement.village_id.is_(None))
                              & (Announcement.unit_id == (parent or -1))))
    elif filters.commune_id:
        stmt = stmt.where(Announcement.unit_id == filters.commune_id)
    for word in fold(filters.q).split()[:8]:
        stmt = stmt.where(Announcement.search_text.like(f"%{escape_like(word)}%", escape="\\"))
    return page_of_query(session, stmt.order_by(*_mine_first(viewer)), page, size)


def latest_for_board(session: Session, viewer: User | None, *, commune_id: int | None = None,
                     village_id: int | None = None, limit: int = 3,
                     today: date | None = None) -> Page:
    """The first few current announcements for the board, in the list's order."""
    filters = ListFilters(commune_id=commune_id, village_id=village_id)
    return list_page(session, filters, 1, viewer, today=today, size=limit)


def visible(session: Session, announcement_id: int, viewer: User | None) -> Announcement | None:
    """The announcement, unless it was withdrawn and the viewer may not manage it."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        return None
    if announcement.status == "withdrawn" and not may_manage(session, viewer, announcement):
        return None
    return announcement


def manage_page(session: Session, user: User, status: str, page: int, *,
                size: int = PAGE_SIZE) -> Page:
    """Announcements this account may manage, newest first, expired and withdrawn too."""
    stmt = _with_places(select(Announcement))
    managed = _managed_filter(session, user)
    if managed is not None:
        stmt = stmt.where(managed)
    if status in ("published", "withdrawn"):
        stmt = stmt.where(Announcement.status == status)
    stmt = stmt.order_by(Announcement.created_at.desc(), Announcement.id.desc())
    return page_of_query(session, stmt, page, size)

