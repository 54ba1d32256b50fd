"""Comments, flags and moderation: the rules (no Flask request here; Babel words the authors'
messages in their own language).

* A comment goes on an initiative or a village need that the public can see and that is still
  open (an initiative published or later, not a draft, not hidden, not withdrawn by its
  author; a need not hidden).
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
* Each decision locks the target first, so two moderators deciding at once (restore and
  remove) make one decision; the other is told it was decided already.
* The author of the comment, initiative or need is told, in their language and in the same
  transaction, when reports hide it and when a moderator restores or removes it (with the
  moderator's reason).
* Moderators: staff of the target's commune (a seat in a department of that unit) or admins.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from app.community.initiatives_service import (DEFAULT_FLAG_THRESHOLD, LISTED, NOT_PUBLIC,
                                               settings_for)
from app.db import is_sqlite, write_transaction
from app.models import User
from app.models.community import (FLAG_REASONS, Comment, Flag, Initiative, ModerationEntry,
                                  VillageNeed)
from app.notifications.personal import tell
from app.pagination import Page, page_of_query
from app.units.staff import communes_staffed

COMMENT_TARGETS = ("initiative", "village_need")
FLAG_TARGETS = ("initiative", "comment", "village_need")
COMMENT_MAX = 2000
REASON_MAX = 500
QUEUE_PAGE_SIZE = 20
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
        return row.status not in NOT_PUBLIC
    if isinstance(row, Comment):
        return is_public(session, row.target_type, row.target_id)
    return True


def comment_refusal(session: Session, target_type: str, target_id: int) -> str | None:
    """Why the target takes no comment ("not_found": the public cannot see it; "closed": its
    author withdrew the initiative), or None when it takes them."""
    if target_type not in COMMENT_TARGETS or not is_public(session, target_type, target_id):
        return "not_found"
    row = target_row(session, target_type, target_id)
    if isinstance(row, Initiative) and row.status not in LISTED:
        return "closed"
    return None


def flag_threshold(session: Session, unit_id: int | None) -> int:
    if unit_id is None:
        return DEFAULT_FLAG_THRESHOLD
    return settings_for(session, unit_id).flag_threshold


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
        refusal = comment_refusal(session, target_type, target_id)
        if refusal is not None:
            raise ModerationError(refusal)
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
                                .options(selectinload(Comment.author))
                                .order_by(Comment.created_at.desc(), Comment.id.desc())
                                .limit(limit)))
    return rows[::-1], total


def comments_page(session: Session, target_type: str, target_id: int, page: int,
                  size: int = 20) -> Page:
    """Every comment of the target, newest last; hidden and removed ones are listed too (the
    page shows a placeholder instead of their text)."""
    stmt = (select(Comment).where(Comment.target_type == target_type,
                                  Comment.target_id == target_id)
            .options(selectinload(Comment.author))
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
        _tell_author(session, row, "auto_hide")
    return True


# -- telling the author ----------------------------------------------------------------------

# What the author of a comment, an initiative or a need reads when moderation acts on it.
_AUTHOR_SUBJECTS = {
    ("comment", "auto_hide"): _l("Your comment was hidden after reports"),
    ("comment", "restore"): _l("Your comment is visible again"),
    ("comment", "remove"): _l("Your comment was removed by a moderator"),
    ("initiative", "auto_hide"): _l("Your initiative “%(title)s” was hidden after reports"),
    ("initiative", "restore"): _l("Your initiative “%(title)s” is visible again"),
    ("initiative", "remove"): _l("Your initiative “%(title)s” was removed by a moderator"),
    ("village_need", "auto_hide"): _l("The village need “%(title)s” was hidden after reports"),
    ("village_need", "restore"): _l("The village need “%(title)s” is visible again"),
    ("village_need", "remove"): _l("The village need “%(title)s” was removed by a moderator"),
}


def _author_of(session: Session, row) -> User | None:
    author_id = row.posted_by_id if isinstance(row, VillageNeed) else row.author_id
    return session.get(User, author_id)


def _tell_author(session: Session, row, action: str, reason: str = "") -> None:
    """The author hears what moderation did to their comment, initiative or need, and why, in
    their language, in the transaction that did it."""
    target_type = {Comment: "comment", Initiative: "initiative",
                   VillageNeed: "village_need"}[type(row)]
    title = target_title(session, "comment" if isinstance(row, Comment) else target_type,
                         row.id)[:120]

    def compose() -> tuple[str, str]:
        subject = str(_AUTHOR_SUBJECTS[target_type, action]) % {"title": title}
        lines = [subject]
        if isinstance(row, Comment):
            lines.append(_("Your comment on “%(title)s”: %(text)s", title=title,
                           text=row.body[:300]))
        if action == "auto_hide":
            lines.append(_("Several residents reported it, so it is hidden until a moderator "
                           "of the commune looks at it."))
        else:
            lines.append(_("The moderator's reason: %(reason)s", reason=reason))
        return subject, "\n".join(lines)

    tell(session, _author_of(session, row), compose)


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


def is_removed(session: Session, target_type: str, target_id: int) -> bool:
    """Whether a moderator removed it: nothing happens to a target after its removal, so the
    log holding a 'remove' for it says so."""
    return session.scalar(select(exists().where(
        ModerationEntry.target_type == target_type, ModerationEntry.target_id == target_id,
        ModerationEntry.action == "remove"))) or False


def _locked_row(session: Session, target_type: str, target_id: int):
    """The target as stored now, locked for the decision: two moderators deciding at once
    (restore and remove, or the same twice) are serialised, and the second finds it decided."""
    model = _model(target_type)
    if model is None:
        return None
    stmt = (select(model).where(model.id == target_id)
            .execution_options(populate_existing=True))
    if not is_sqlite(session):
        stmt = stmt.with_for_update()  # SQLite already holds the write lock
    return session.scalars(stmt).one_or_none()


def _decide(session: Session, moderator: User, target_type: str, target_id: int,
            reason: str, action: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("reason_required")
    if len(reason) > REASON_MAX:
        raise ModerationError("too_long")
    with write_transaction(session):
        row = _locked_row(session, target_type, target_id)
        if row is None:
            raise ModerationError("not_found")
        if not may_moderate(session, moderator, target_type, target_id):
            raise ModerationError("not_allowed")
        if (not _row_hidden(row) or (isinstance(row, Comment) and row.status == "removed")
                or is_removed(session, target_type, target_id)):
            raise ModerationError("not_hidden")
        if action == "restore":
            if isinstance(row, Initiative):
                row.status = _previous_status(session, row.id)
            elif isinstance(row, VillageNeed):
                row.hidden = False
            else:
                row.status = "visible"
            row.flag_count = 0
        elif isinstance(row, Comment):
            row.status = "removed"
        # A removed initiative stays 'hidden' and a need hidden=True: the log's 'remove' keeps
        # them so (is_removed).
        session.add(ModerationEntry(target_type=target_type, target_id=target_id,
                                    action=action, moderator_id=moderator.id, reason=reason))
        session.flush()
        _tell_author(session, row, action, reason)


def _previous_status(session: Session, initiative_id: int) -> str:
    note = session.scalar(select(ModerationEntry.reason).where(
        ModerationEntry.target_type == "initiative", ModerationEntry.target_id == initiative_id,
        ModerationEntry.action == "auto_hide").order_by(ModerationEntry.id.desc()).limit(1))
    status = (note or "").removeprefix(PREVIOUS) if (note or "").startswith(PREVIOUS) else ""
    return status if status and status not in NOT_PUBLIC else "published"


def restore(session: Session, moderator: User, target_type: str, target_id: int,
            reason: str) -> None:
    """Visible again, as it was before it was hidden; its author is told why."""
    _decide(session, moderator, target_type, target_id, reason, "restore")


def remove(session: Session, moderator: User, target_type: str, target_id: int,
           reason: str) -> None:
    """Gone for good: a comment 'removed', an initiative or a need hidden for ever; its author
    is told why."""
    _decide(session, moderator, target_type, target_id, reason, "remove")


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


def _entries_in(stmt, units):
    """`stmt` over moderation_log, kept to the entries about targets in these communes (a
    comment belongs to its initiative's or need's commune)."""
    if units is None:
        return stmt
    comment_ids = (select(Comment.id)
                   .outerjoin(Initiative, and_(Comment.target_type == "initiative",
                                               Initiative.id == Comment.target_id))
                   .outerjoin(VillageNeed, and_(Comment.target_type == "village_need",
                                                VillageNeed.id == Comment.target_id))
                   .where(or_(Initiative.unit_id.in_(units), VillageNeed.unit_id.in_(units))))
    return stmt.where(or_(
        and_(ModerationEntry.target_type == "initiative", ModerationEntry.target_id.in_(
            select(Initiative.id).where(Initiative.unit_id.in_(units)))),
        and_(ModerationEntry.target_type == "village_need", ModerationEntry.target_id.in_(
            select(VillageNeed.id).where(VillageNeed.unit_id.in_(units)))),
        and_(ModerationEntry.target_type == "comment",
             ModerationEntry.target_id.in_(comment_ids))))


def queue_page(session: Session, moderator: User, page: int,
               size: int = QUEUE_PAGE_SIZE) -> Page:
    """The things of the moderator's communes waiting for a decision, oldest hidden first, as
    QueueItems: a thing waits while the last log entry about it is its 'auto_hide' (restoring
    and removing always log). A page costs the same few queries however long the queue."""
    later = aliased(ModerationEntry)
    stmt = (select(ModerationEntry).where(
        ModerationEntry.action == "auto_hide",
        ~exists().where(later.target_type == ModerationEntry.target_type,
                        later.target_id == ModerationEntry.target_id,
                        later.id > ModerationEntry.id))
        .order_by(ModerationEntry.at, ModerationEntry.id))
    stmt = _entries_in(stmt, _in_units(moderated_units(session, moderator)))
    result = page_of_query(session, stmt, page, size)
    return replace(result, items=_queue_items(session, list(result.items)))


def _queue_items(session: Session, entries: list[ModerationEntry]) -> list[QueueItem]:
    ids: dict[str, set[int]] = {"initiative": set(), "village_need": set(), "comment": set()}
    for entry in entries:
        ids[entry.target_type].add(entry.target_id)
    comments = {c.id: c for c in session.scalars(
        select(Comment).where(Comment.id.in_(ids["comment"])))} if ids["comment"] else {}
    for comment in comments.values():  # the comment's page, for its title and commune
        ids[comment.target_type].add(comment.target_id)
    rows = {
        "initiative": {r.id: r for r in session.scalars(
            select(Initiative).where(Initiative.id.in_(ids["initiative"])))},
        "village_need": {r.id: r for r in session.scalars(
            select(VillageNeed).where(VillageNeed.id.in_(ids["village_need"])))},
    }
    keys = [(e.target_type, e.target_id) for e in entries]
    restored = dict(((t, i), at) for t, i, at in session.execute(
        select(ModerationEntry.target_type, ModerationEntry.target_id,
               func.max(ModerationEntry.at))
        .where(ModerationEntry.action == "restore",
               tuple_(ModerationEntry.target_type, ModerationEntry.target_id).in_(keys))
        .group_by(ModerationEntry.target_type, ModerationEntry.target_id))) if keys else {}
    reasons: dict[tuple[str, int], Counter] = {key: Counter() for key in keys}
    if keys:
        for target_type, target_id, reason, created_at in session.execute(
                select(Flag.target_type, Flag.target_id, Flag.reason, Flag.created_at)
                .where(tuple_(Flag.target_type, Flag.target_id).in_(keys))):
            since = restored.get((target_type, target_id))
            # The reasons of the flags since the last restore (older ones were judged).
            if since is None or created_at > since:
                reasons[target_type, target_id][reason] += 1
    items = []
    for entry in entries:
        key = (entry.target_type, entry.target_id)
        if entry.target_type == "comment":
            comment = comments.get(entry.target_id)
            if comment is None:
                continue
            page_row = rows[comment.target_type].get(comment.target_id)
            items.append(QueueItem("comment", comment.id, page_row.title if page_row else "",
                                   comment.body[:300],
                                   page_row.unit_id if page_row else None, comment.flag_count,
                                   reasons[key], entry.at))
            continue
        row = rows[entry.target_type].get(entry.target_id)
        if row is None:
            continue
        items.append(QueueItem(entry.target_type, row.id, row.title, row.description[:300],
                               row.unit_id, row.flag_count, reasons[key], entry.at))
    return items


def queue(session: Session, moderator: User) -> list[QueueItem]:
    """The first page of the queue (tests and the workbench's count use it)."""
    return queue_page(session, moderator, 1).items


def log_page(session: Session, moderator: User, page: int, size: int = 25) -> Page:
    """The moderation log of the moderator's communes, newest first."""
    stmt = select(ModerationEntry).order_by(ModerationEntry.at.desc(), ModerationEntry.id.desc())
    return page_of_query(session, _entries_in(stmt, _in_units(moderated_units(session,
                                                                               moderator))),
                         page, size)


def moderator_names(session: Session, entries) -> dict[int, str]:
    ids = {e.moderator_id for e in entries if e.moderator_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
