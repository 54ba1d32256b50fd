"""Who may read a petition's private page (its status, its answer before anyone else reads it,
its files) and rate its answer: the asker, and nobody else outside the office.

An asker with an account is recognised by it. An anonymous asker proves it with the code and
the phone number (services.find_own, rate-limited); the proof is kept in their signed session
cookie for the petitions they found (or filed) in this browser, so they can read the page and
its files and rate without typing both again. Officers read petitions in the workbench; an
attachment is also theirs when they may see its case (the workbench's rule), or, while it is
held, when they moderate its commune.
"""
from __future__ import annotations

from flask import session as cookie
from sqlalchemy.orm import Session

from app.models import Petition, User
from app.petitions.moderation import may_moderate
from app.queue.errors import NotAllowed

SESSION_KEY = "petitions_found"
MAX_REMEMBERED = 20


def remember(petition_id: int) -> None:
    """This browser proved it asked `petition_id` (the last few are kept)."""
    found = [i for i in cookie.get(SESSION_KEY, []) if isinstance(i, int) and i != petition_id]
    cookie[SESSION_KEY] = (found + [petition_id])[-MAX_REMEMBERED:]


def remembered(petition_id: int) -> bool:
    return petition_id in cookie.get(SESSION_KEY, [])


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def is_asker(user: User | None, petition: Petition) -> bool:
    if petition.source == "voter":
        return False  # raised by voters through their deputies: nobody's private page
    if _signed_in(user) and petition.user_id is not None and petition.user_id == user.id:
        return True
    return remembered(petition.id)


def may_read_file(session: Session, user: User | None, petition: Petition) -> bool:
    if is_asker(user, petition):
        return True
    if not _signed_in(user) or not user.is_staff:
        return False
    if petition.case_id is None:
        return petition.status == "held" and may_moderate(session, user, petition)
    from app.workbench.services import case_for

    try:
        return case_for(session, user, petition.case_id) is not None
    except NotAllowed:
        return False
