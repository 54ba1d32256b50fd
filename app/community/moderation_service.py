"""Comments, flags and moderation: the rules, without Flask.

* A comment goes on an initiative or a village need that the public can see (an initiative
  published or later, not a draft and not hidden; a need not hidden).
* A flag counts once per person and target: the unique key on `flags` is the rule, the check
  before the insert only gives the clear message.
* The flag, the counter and (at the commune's threshold) the hiding are one write transaction.
  The counter is a guarded UPDATE (`flag_count = flag_count + 1`), and the hiding is a second
  UPDATE guarded on "not hidden yet", so two last flags arriving together hide the thing once
  and log one `auto_hide` (the row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
* An initiative hidden by flags remembers the status it had in its `auto_hide` log entry
  ("previous:published"); restoring puts that status back.
* Restore: the thing is visible again and its counter starts from 0. The flags are KEPT: those
  people already said their piece and the moderator judged it; they cannot hide it again by
  flagging once more (once per person and target still holds), other people can.
* Remove: a comment becomes 'removed' (the text is never shown again); an initiative or a need
  stays hidden for good (the `remove` entry in the log says so and keeps it out of the queue).
* Moderators: staff of the target's commune (a seat in a department of that unit) or admins.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.models import (CommunitySettings, User)
from app.models.community import (FLAG_REASONS, Comment, Flag, Initiative, ModerationEntry,
                                  VillageNeed)
from app.pagination import Page, page_of_query
from app.units.staff import communes_staffed

COMMENT_TARGETS = ("initiative", "village_need")
FLAG_TARGETS = ("initiative", "comment", "village_need")
COMMENT_MAX = 2000
REASON_MAX = 500
DEFAULT_FLAG_THRESHOLD = 3
# An initiative the public sees: not a draft, not hidden by moderation.
NOT_PUBLIC_INITIATIVE = ("draft", "hidden")
PREVIOUS = "previous:"


class ModerationError(Exception):
    """A refused request; `code` names the reason for the message the person reads."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# -- targets -------------------------------------------------------------------------------

def _model(target_type: str):
    return {"initiative": Initiative, "comment": Comment, "village_need": VillageNeed}.get(
        target_type)


def target_row(session: Session, target_type: str, target_id: int):
    model = _model(target_type)
    if model is None or not isinstance(target_id, int):
        return None
    return session.get(model, target_id)


def commune_of(session: Session, target_type: str, target_id: int) -> int | None:
    """The commune whose staff moderate the target (a comment: its initiative's or need's)."""
    row = target_row(session, target_type, target_id)
    if row is None:
        return None
    if isinstance(row, Comment):
        return commune_of(session, row.target_type, row.target_id)
    return row.unit_id


def _row_hidden(row) -> bool:
    if isinstance(row, Initiative):
        return row.status == "hidden"
    if isinstance(row, VillageNeed):
        return bool(row.hidden)
    return row.status != "visible"


def is_hidden(session: Session, target_type: str, target_id: int) -> bool:
    """Whether moderation keeps the target from the public (hidden by flags, or removed).
    A target that does not exist counts as hidden."""
    row = target_row(session, target_type, target_id)
    return row is None or _row_hidden(row)


def is_public(session: Session, target_type: str, target_id: int) -> bool:
    """Whether the public may see (and so comment on, or flag) the target."""
    row = target_row(session, target_type, target_id)
    if row is None or _row_hidden(row):
        return False
    if isinstance(row, Initiative):
        return row.status not in NOT_PUBLIC_INITIATIVE
    if isinstance(row, Comment):
        return is_public(session, row.target_type, row.target_id)
    return True


def flag_threshold(session: Session, unit_id: int | None) -> int:
    settings = session.get(CommunitySettings, unit_id) if unit_id is not None else None
    return settings.flag_threshold if settings is not None else DEFAULT_FLAG_THRESHOLD


def target_title(session: Session, target_type: str, target_id: int) -> str:
    row = target_row(session, target_type, target_id)
    if row is None:
        return ""
    if isinstance(row, Comment):
        return target_title(session, row.target_type, row.target_id)
    return row.title


# -- comments ------------------------------------------------------------------------------

def add_comment(session: Session, user: User, target_type: str, target_id: int,
                body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise ModerationError("empty")
    if len(body) > COMMENT_MAX:
        raise ModerationError("too_long")
    if target_type not in COMMENT_TARGETS:
        raise ModerationError("not_found")
    with write_transaction(session):
        if not is_public(session, target_type, target_id):
            raise ModerationError("not_found")
        comment = Comment(target_type=target_type, target_id=target_id, author_id=user.id,
                          body=body)
        session.add(comment)
    return comment


def latest_comments(session: Session, target_type: str, target_id: int,
                    limit: int = 5) -> tuple[list[Comment], int]:
    """The last `limit` visible comments, oldest first, and how many there are in all."""
    visible = (Comment.target_type == target_type, Comment.target_id == target_id,
               Comment.status == "visible")
    total = session.scalar(select(func.count()).select_from(Comment).where(*visible)) or 0
    rows = list(session.scalars(select(Comment).where(*visible)
                                .order_by(Comment.created_at.desc(), Comment.id.desc())
                                .limit(limit)))
    return rows[::-1], total


def comments_page(session: Session, target_type: str, target_id: int, page: int,
                  size: int = 20) -> Page:
    """Every comment of the target, newest last; hidden and removed ones are listed too (the
    page shows a placeholder instead of their text)."""
    stmt = (select(Comment).where(Comment.target_type == target_type,
                                  Comment.target_id == target_id)
            .order_by(Comment.created_at, Comment.id))
    return page_of_query(session, stmt, page, size)


# -- flags ---------------------------------------------------------------------------------

@dataclass
class FlagResult:
    hidden: bool  # this flag was the one that hid the target


def flag(session: Session, user: User, target_type: str, target_id: int,
         reason: str) -> FlagResult:
    if target_type not in FLAG_TARGETS:
        raise ModerationError("not_found")
    if reason not in FLAG_REASONS:
        raise ModerationError("bad_reason")
    model = _model(target_type)
    try:
        with write_transaction(session):
            if not is_public(session, target_type, target_id):
                raise ModerationError("not_found")
            if session.scalar(select(Flag.id).where(
                    Flag.target_type == target_type, Flag.target_id == target_id,
                    Flag.user_id == user.id)) is not None:
                raise ModerationError("already_flagged")
            session.add(Flag(target_type=target_type, target_id=target_id, user_id=user.id,
                             reason=reason))
            session.flush()
            count = session.execute(
                update(model).where(model.id == target_id)
                .values(flag_count=model.flag_count + 1).returning(model.flag_count)
            ).scalar_one()
            hidden = False
            if count >= flag_threshold(session, commune_of(session, target_type, target_id)):
                hidden = _auto_hide(session, target_type, target_id)
    except IntegrityError:
        # The same person's second flag arrived at the same moment: the unique key refused it.
        raise ModerationError("already_flagged") from None
    return FlagResult(hidden=hidden)


def _auto_hide(session: Session, target_type: str, target_id: int) -> bool:
    """Hide the target unless it already is (guarded: only one transaction wins)."""
    model = _model(target_type)
    previous = ""
    if target_type == "initiative":
        previous = session.scalar(select(Initiative.status).where(Initiative.id == target_id))
        stmt = (update(Initiative).where(Initiative.id == target_id,
                                         Initiative.status != "hidden")
                .values(status="hidden"))
    elif target_type == "village_need":
        stmt = (update(VillageNeed).where(VillageNeed.id == target_id,
                                          VillageNeed.hidden.is_(False))
                .values(hidden=True))
    else:
        stmt = (update(Comment).where(Comment.id == target_id, Comment.status == "visible")
                .values(status="hidden"))
    if session.execute(stmt.execution_options(synchronize_session=False)).rowcount != 1:
        return False
    session.add(ModerationEntry(target_type=target_type, target_id=target_id,
                                action="auto_hide",
                                reason=f"{PREVIOUS}{previous}" if previous else ""))
    session.flush()
    row = session.get(model, target_id)
    if row is not None:
        session.refresh(row)
    return True


# -- moderators ----------------------------------------------------------------------------

def moderated_units(session: Session, user: User) -> set[int] | None:
    """The communes whose hidden things this user moderates (staff of the commune, the one
    rule in app/units/staff.py); None means every one (an administrator)."""
    return communes_staffed(session, user)


def may_moderate(session: Session, user: User, target_type: str, target_id: int) -> bool:
    units = moderated_units(session, user)
    if units is None:
        return True
    return commune_of(session, target_type, target_id) in units


def _removed(session: Session, target_type: str, target_id: int) -> bool:
    last = session.scalar(select(ModerationEntry.action).where(
        ModerationEntry.target_type == target_type, ModerationEntry.target_id == target_id)
        .order_by(ModerationEntry.id.desc()).limit(1))
    return last == "remove"


def _check_action(session: Session, moderator: User, target_type: str, target_id: int,
                  reason: str) -> str:
    reason = (reason or "").strip()
    row = target_row(session, target_type, target_id)
    if row is None:
        raise ModerationError("not_found")
    if not may_moderate(session, moderator, target_type, target_id):
        raise ModerationError("not_allowed")
    if not reason:
        raise ModerationError("reason_required")
    if len(reason) > REASON_MAX:
        raise ModerationError("too_long")
    if (not _row_hidden(row) or (isinstance(row, Comment) and row.status == "removed")
            or _removed(session, target_type, target_id)):
        raise ModerationError("not_hidden")
    return reason


def _previous_status(session: Session, initiative_id: int) -> str:
    note = session.scalar(select(ModerationEntry.reason).where(
        ModerationEntry.target_type == "initiative", ModerationEntry.target_id == initiative_id,
        ModerationEntry.action == "auto_hide").order_by(ModerationEntry.id.desc()).limit(1))
    status = (note or "").removeprefix(PREVIOUS) if (note or "").startswith(PREVIOUS) else ""
    return status if status and status not in NOT_PUBLIC_INITIATIVE else "published"


def restore(session: Session, moderator: User, target_type: str, target_id: int,
            reason: str) -> None:
    with write_transaction(session):
        reason = _check_action(session, moderator, target_type, target_id, reason)
        row = target_row(session, target_type, target_id)
        if isinstance(row, Initiative):
            row.status = _previous_status(session, row.id)
        elif isinstance(row, VillageNeed):
            row.hidden = False
        else:
            row.status = "visible"
        row.flag_count = 0
        session.add(ModerationEntry(target_type=target_type, target_id=target_id,
                                    action="restore", moderator_id=moderator.id, reason=reason))


def remove(session: Session, moderator: User, target_type: str, target_id: int,
           reason: str) -> None:
    with write_transaction(session):
        reason = _check_action(session, moderator, target_type, target_id, reason)
        row = target_row(session, target_type, target_id)
        if isinstance(row, Comment):
            row.status = "removed"
        # An initiative stays 'hidden' and a need hidden=True: the log's 'remove' keeps them so.
        session.add(ModerationEntry(target_type=target_type, target_id=target_id,
                                    action="remove", moderator_id=moderator.id, reason=reason))


# -- the queue and the log -------------------------------------------------------------------

@dataclass
class QueueItem:
    target_type: str
    target_id: int
    title: str
    excerpt: str
    unit_id: int | None
    flag_count: int
    reasons: Counter = field(default_factory=Counter)
    hidden_at: datetime | None = None


def _in_units(units: set[int] | None):
    """Filters on each kind of target for "in these communes" (None: everywhere)."""
    if units is None:
        return None
    return tuple(units) or (-1,)


def queue(session: Session, moderator: User) -> list[QueueItem]:
    """The hidden (not removed) things of the moderator's communes, with their flags."""
    units = _in_units(moderated_units(session, moderator))
    items: list[QueueItem] = []
    ini = select(Initiative).where(Initiative.status == "hidden")
    need = select(VillageNeed).where(VillageNeed.hidden.is_(True))
    com = (select(Comment, Initiative.unit_id, VillageNeed.unit_id)
           .outerjoin(Initiative, and_(Comment.target_type == "initiative",
                                       Initiative.id == Comment.target_id))
           .outerjoin(VillageNeed, and_(Comment.target_type == "village_need",
                                        VillageNeed.id == Comment.target_id))
           .where(Comment.status == "hidden"))
    if units is not None:
        ini = ini.where(Initiative.unit_id.in_(units))
        need = need.where(VillageNeed.unit_id.in_(units))
        com = com.where(or_(Initiative.unit_id.in_(units), VillageNeed.unit_id.in_(units)))
    for row in session.scalars(ini.limit(500)):
        items.append(QueueItem("initiative", row.id, row.title, row.description[:300],
                               row.unit_id, row.flag_count))
    for row in session.scalars(need.limit(500)):
        items.append(QueueItem("village_need", row.id, row.title, row.description[:300],
                               row.unit_id, row.flag_count))
    for row, ini_unit, need_unit in session.execute(com.limit(500)):
        items.append(QueueItem("comment", row.id,
                               target_title(session, row.target_type, row.target_id),
                               row.body[:300], ini_unit or need_unit, row.flag_count))
    kept = []
    for item in items:
        if item.target_type != "comment" and _removed(session, item.target_type, item.target_id):
            continue
        # The reasons of the flags since the last restore (older ones were judged already).
        restored_at = session.scalar(select(func.max(ModerationEntry.at)).where(
            ModerationEntry.target_type == item.target_type,
            ModerationEntry.target_id == item.target_id, ModerationEntry.action == "restore"))
        flags = select(Flag.reason).where(Flag.target_type == item.target_type,
                                          Flag.target_id == item.target_id)
        if restored_at is not None:
            flags = flags.where(Flag.created_at > restored_at)
        item.reasons = Counter(session.scalars(flags))
        item.hidden_at = session.scalar(select(func.max(ModerationEntry.at)).where(
            ModerationEntry.target_type == item.target_type,
            ModerationEntry.target_id == item.target_id, ModerationEntry.action == "auto_hide"))
        kept.append(item)
    return sorted(kept, key=lambda i: (i.hidden_at is None, i.hidden_at), reverse=False)


def log_page(session: Session, moderator: User, page: int, size: int = 25) -> Page:
    """The moderation log of the moderator's communes, newest first."""
    units = _in_units(moderated_units(session, moderator))
    stmt = select(ModerationEntry).order_by(ModerationEntry.at.desc(), ModerationEntry.id.desc())
    if units is not None:
        comment_ids = (select(Comment.id)
                       .outerjoin(Initiative, and_(Comment.target_type == "initiative",
                                                   Initiative.id == Comment.target_id))
                       .outerjoin(VillageNeed, and_(Comment.target_type == "village_need",
                                                    VillageNeed.id == Comment.target_id))
                       .where(or_(Initiative.unit_id.in_(units),
                                  VillageNeed.unit_id.in_(units))))
        stmt = stmt.where(or_(
            and_(ModerationEntry.target_type == "initiative", ModerationEntry.target_id.in_(
                select(Initiative.id).where(Initiative.unit_id.in_(units)))),
            and_(ModerationEntry.target_type == "village_need", ModerationEntry.target_id.in_(
                select(VillageNeed.id).where(VillageNeed.unit_id.in_(units)))),
            and_(ModerationEntry.target_type == "comment",
                 ModerationEntry.target_id.in_(comment_ids))))
    return page_of_query(session, stmt, page, size)


def moderator_names(session: Session, entries) -> dict[int, str]:
    ids = {e.moderator_id for e in entries if e.moderator_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
