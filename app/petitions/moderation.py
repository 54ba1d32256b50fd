"""Petitions held for a moderator: a text with abusive words (app/abusive.py) waits, without a
case, until staff of its commune read it and either release it (its case is made then, and its
deadline counts from then) or reject it with a reason the asker is told. Of two moderators
deciding at once, the first one's decision stands (the petition row is locked on PostgreSQL,
SQLite's write lock serialises them; the update is guarded on "still held" as well).

The only Flask-adjacent import is Babel, for the asker's message in their language.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import is_sqlite, write_transaction
from app.models import Petition, User, utcnow
from app.pagination import Page, page_of_query
from app.petitions.services import NOTE_MAX, PetitionError, lookup_line, open_case, tell_asker
from app.units.staff import communes_staffed, is_commune_staff


def may_moderate(session: Session, user: User | None, petition: Petition) -> bool:
    """Staff of the petition's commune (the one rule: app/units/staff.py)."""
    return is_commune_staff(session, user, petition.unit_id)


def held_page(session: Session, user: User, page: int, size: int = 20) -> Page:
    """Held petitions of the communes where this account is staff, oldest first."""
    stmt = select(Petition).where(Petition.status == "held")
    communes = communes_staffed(session, user)
    if communes is not None:
        stmt = stmt.where(Petition.unit_id.in_(communes or {-1}))
    return page_of_query(session, stmt.order_by(Petition.created_at, Petition.id), page, size)


def _held_for_moderator(session: Session, moderator: User, petition_id: int) -> Petition:
    stmt = (select(Petition).where(Petition.id == petition_id)
            .execution_options(populate_existing=True))
    if not is_sqlite(session):
        # Two moderators deciding at once: the second waits here, then finds it decided
        # (instead of both making a case with the petition's code).
        stmt = stmt.with_for_update()
    petition = session.scalars(stmt).one_or_none()
    if petition is None:
        raise PetitionError("not_found")
    if not may_moderate(session, moderator, petition):
        raise PetitionError("not_moderator")
    if petition.status != "held":
        raise PetitionError("not_held")
    return petition


def _settle_held(session: Session, petition: Petition, moderator: User, status: str,
                 note: str | None, now: datetime, case_id: int | None = None) -> None:
    # Guarded: of two moderators deciding at once only the first one's decision is written.
    done = session.execute(
        update(Petition).where(Petition.id == petition.id, Petition.status == "held")
        .values(status=status, case_id=case_id, moderated_by_id=moderator.id,
                moderated_at=now, moderation_note=note, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise PetitionError("not_held")
    session.refresh(petition)


def release(session: Session, moderator: User, petition_id: int, note: str | None = None, *,
            now: datetime | None = None) -> Petition:
    """Nothing abusive after all (or nothing that stops an answer): the petition goes to its
    office now, and its deadline counts from now."""
    now = now or utcnow()
    note = _note(note, required=False)
    with write_transaction(session):
        petition = _held_for_moderator(session, moderator, petition_id)
        case = open_case(session, petition, now)
        _settle_held(session, petition, moderator, "filed", note, now, case.id)

        def words():
            return (_("Your message %(code)s was sent to the office", code=petition.code),
                    [_("A moderator read “%(title)s” and sent it to the office in charge.",
                       title=petition.title)] + ([lookup_line(petition)]
                                                 if petition.user_id is None else []))
        tell_asker(session, petition, words)
    return petition


def reject(session: Session, moderator: User, petition_id: int, note: str | None, *,
           now: datetime | None = None) -> Petition:
    """Refused for its words, with the reason the asker is told. It is never published."""
    now = now or utcnow()
    note = _note(note, required=True)
    with write_transaction(session):
        petition = _held_for_moderator(session, moderator, petition_id)
        _settle_held(session, petition, moderator, "rejected", note, now)

        def words():
            return (_("Your message %(code)s was not accepted", code=petition.code),
                    [_("A moderator did not accept “%(title)s”. The reason: %(reason)s",
                       title=petition.title, reason=note),
                     _("You may send it again in other words.")])
        tell_asker(session, petition, words)
    return petition


def _note(raw: str | None, *, required: bool) -> str | None:
    note = (raw or "").strip() or None
    if note is None and required:
        raise PetitionError("note_required", "note")
    if note is not None and len(note) > NOTE_MAX:
        raise PetitionError("note_too_long", "note")
    return note
