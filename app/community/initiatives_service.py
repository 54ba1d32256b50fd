"""The rules of community initiatives (sáng kiến cộng đồng): propose, edit before the official
answer (keeping every old text as a version), withdraw, support once each, reach the commune's
threshold and become a case (exactly once), answer, post progress.

No Flask here: the views parse and render, the tests call these directly. Every write runs in
one write_transaction, and a refusal raises InitiativeError before anything is written (or
rolls the whole transaction back), so a refused request changes nothing.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale, gettext as _
from sqlalchemy import case as sql_case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.db import is_sqlite, write_transaction
from app.inputs import WholeNumberError, parse_whole as read_whole
from app.models import (AdminUnit, Case, CommunitySettings, Initiative, InitiativeNeed,
                        InitiativeSupport, InitiativeUpdate, InitiativeVersion, User, utcnow)
from app.models.community import NEED_KINDS
from app.pagination import Page, page_of_query
from app.refusals import Refusal
from app.text import escape_like, fold
from app.units.staff import is_commune_staff

log = logging.getLogger(__name__)

CATEGORIES = ("roads", "water", "environment", "education", "culture", "safety", "other")
MAX_NEEDS = 5
MAX_COST = 1_000_000_000_000
DEFAULT_THRESHOLD = 50
DEFAULT_FLAG_THRESHOLD = 3
# An initiative owed an answer: the commune has 15 working days, like a petition's first reply.
ANSWER_SLA_DAYS = 15
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PAGE_SIZE = 10

# Never shown to the public: the author's draft, and what moderation hides (staff of the
# commune still see a hidden one). Every other page of the participation side asks this.
NOT_PUBLIC = ("draft", "hidden")
# What the public list shows and what takes comments: published and every later state. A
# withdrawn initiative keeps its page, for those who followed a link, but leaves the list and
# takes no more comments.
LISTED = ("published", "under_evaluation", "accepted", "rejected", "in_progress", "done")
# Open to supports: once owed an answer, more supporters still hear it.
SUPPORTABLE = ("published", "under_evaluation")
ANSWERED = ("accepted", "rejected", "in_progress", "done")
# Accepted and not finished: staff post progress, partners pledge.
UNDER_WAY = ("accepted", "in_progress")
# "closing": those owed an answer first, the answer due soonest; then the newest.
SORTS = ("newest", "supported", "closing", "answered")


class InitiativeError(Refusal):
    pass


@dataclass
class NeedInput:
    kind: str
    description: str = ""
    quantity: str = ""
    unit_label: str = ""


@dataclass
class InitiativeInput:
    title: str
    description: str
    unit_id: int | None
    village_id: int | None = None
    category: str = "other"
    estimated_cost: str = ""
    needs: list[NeedInput] = field(default_factory=list)


@dataclass
class Photo:
    data: bytes
    filename: str


# -- who may do what -------------------------------------------------------------------------

def settings_for(session: Session, unit_id: int) -> CommunitySettings:
    """The commune's settings, or the defaults (not stored) when an admin set none."""
    row = session.get(CommunitySettings, unit_id)
    if row is None:
        row = CommunitySettings(unit_id=unit_id, support_threshold=DEFAULT_THRESHOLD,
                                allow_self_support=False, flag_threshold=DEFAULT_FLAG_THRESHOLD)
    return row


# Staff of the initiative's commune: the one rule in app/units/staff.py.
is_staff_of = is_commune_staff


def can_see(session: Session, user: User | None, initiative: Initiative) -> bool:
    """Drafts only by their author; hidden ones only by staff of the commune."""
    uid = getattr(user, "id", None) if user is not None and user.is_authenticated else None
    if initiative.status == "draft":
        return uid is not None and uid == initiative.author_id
    if initiative.status == "hidden":
        return uid is not None and is_staff_of(session, user, initiative.unit_id)
    return True


def is_answered(initiative: Initiative) -> bool:
    return initiative.answered_at is not None or initiative.status in ANSWERED


def was_removed(session: Session, initiative: Initiative) -> bool:
    """Hidden for good by a moderator (not merely hidden by reports, waiting for one)."""
    from app.community.moderation_service import is_removed

    return initiative.status == "hidden" and is_removed(session, "initiative", initiative.id)


def is_under_way(initiative: Initiative) -> bool:
    return initiative.status in UNDER_WAY


def may_edit(user: User | None, initiative: Initiative) -> bool:
    return (user is not None and getattr(user, "id", None) == initiative.author_id
            and initiative.status in ("draft", "published", "under_evaluation")
            and not is_answered(initiative))


def may_withdraw(user: User | None, initiative: Initiative) -> bool:
    return may_edit(user, initiative)


# -- reading ---------------------------------------------------------------------------------

def communes(session: Session) -> list[AdminUnit]:
    return list(session.scalars(select(AdminUnit).where(AdminUnit.level == "commune")
                                .order_by(AdminUnit.name_vi)))


def villages_of(session: Session, commune_id: int | None) -> list[AdminUnit]:
    if commune_id is None:
        return []
    return list(session.scalars(select(AdminUnit).where(AdminUnit.parent_id == commune_id,
                                                        AdminUnit.level == "village")
                                .order_by(AdminUnit.name_vi)))


def villages_by_commune(session: Session) -> dict[int, list[AdminUnit]]:
    """Every village, by the id of its commune (one query for the whole form)."""
    grouped: dict[int, list[AdminUnit]] = {}
    for village in session.scalars(select(AdminUnit).where(AdminUnit.level == "village")
                                   .order_by(AdminUnit.name_vi)):
        grouped.setdefault(village.parent_id, []).append(village)
    return grouped


def search_page(session: Session, *, commune_id: int | None = None,
                village_id: int | None = None, sort: str = "newest", q: str = "",
                page: int = 1, size: int = PAGE_SIZE) -> Page:
    stmt = (select(Initiative).where(Initiative.status.in_(LISTED))
            .options(selectinload(Initiative.unit), selectinload(Initiative.village)))
    if commune_id is not None:
        stmt = stmt.where(Initiative.unit_id == commune_id)
    if village_id is not None:
        stmt = stmt.where(Initiative.village_id == village_id)
    words = fold(q or "")[:100].split()
    for word in words[:8]:
        stmt = stmt.where(Initiative.search_text.like(f"%{escape_like(word)}%", escape="\\"))
    if sort == "supported":
        stmt = stmt.order_by(Initiative.support_count.desc(), Initiative.id.desc())
    elif sort == "closing":
        # The only deadline an initiative has is the commune's answer (its case's due date).
        due = sql_case((Initiative.status == "under_evaluation", Case.due_at), else_=None)
        stmt = (stmt.outerjoin(Case, Case.id == Initiative.case_id)
                .order_by(due.is_(None), due, Initiative.published_at.desc(),
                          Initiative.id.desc()))
    elif sort == "answered":
        stmt = stmt.order_by(Initiative.answered_at.is_(None), Initiative.answered_at.desc(),
                             Initiative.id.desc())
    else:
        stmt = stmt.order_by(Initiative.published_at.desc(), Initiative.id.desc())
    return page_of_query(session, stmt, page, size)


def mine(session: Session, user: User) -> list[Initiative]:
    """The author's own initiatives, drafts first."""
    return list(session.scalars(select(Initiative).where(Initiative.author_id == user.id)
                                .order_by((Initiative.status != "draft"),
                                          Initiative.updated_at.desc())))


def versions(session: Session, initiative_id: int) -> list[InitiativeVersion]:
    return list(session.scalars(select(InitiativeVersion)
                                .where(InitiativeVersion.initiative_id == initiative_id)
                                .order_by(InitiativeVersion.version)))


def updates(session: Session, initiative_id: int) -> list[InitiativeUpdate]:
    return list(session.scalars(select(InitiativeUpdate)
                                .where(InitiativeUpdate.initiative_id == initiative_id)
                                .order_by(InitiativeUpdate.created_at, InitiativeUpdate.id)))


def has_supported(session: Session, user: User | None, initiative_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return session.get(InitiativeSupport, (initiative_id, user.id)) is not None


def supporters(session: Session, initiative_id: int) -> list[User]:
    return list(session.scalars(select(User).join(
        InitiativeSupport, InitiativeSupport.user_id == User.id)
        .where(InitiativeSupport.initiative_id == initiative_id)))


def for_case(session: Session, case_id: int) -> Initiative | None:
    return session.scalar(select(Initiative).where(Initiative.case_id == case_id))


# -- parsing ---------------------------------------------------------------------------------

def parse_whole(raw: str | None, field: str, *, minimum: int, maximum: int,
                prefix: str = "cost") -> int | None:
    """A cost or quantity as people type it (app/inputs.py parse_whole); None if blank."""
    try:
        return read_whole(raw, minimum=minimum, maximum=maximum)
    except WholeNumberError as error:
        raise InitiativeError(f"{prefix}_{error.code}", field) from None


def _text(raw: str | None, field: str, limit: int, *, required: bool = True,
          multiline: bool = False) -> str:
    text = (raw or "").strip() if multiline else " ".join((raw or "").split())
    if required and not text:
        raise InitiativeError(f"{field}_required", field)
    if len(text) > limit:
        raise InitiativeError("too_long", field, max=limit)
    return text


@dataclass
class _Clean:
    title: str
    description: str
    unit_id: int
    village_id: int | None
    category: str
    estimated_cost: int | None
    needs: list[tuple[str, str, int | None, str | None]]


def _clean(session: Session, data: InitiativeInput) -> _Clean:
    title = _text(data.title, "title", 200)
    description = _text(data.description, "description", 5000, multiline=True)
    unit = session.get(AdminUnit, data.unit_id) if data.unit_id else None
    if unit is None or unit.level != "commune":
        raise InitiativeError("unit_required", "unit_id")
    village_id = data.village_id or None
    if village_id is not None:
        village = session.get(AdminUnit, village_id)
        if village is None or village.parent_id != unit.id:
            raise InitiativeError("village_not_in_commune", "village_id")
    if data.category not in CATEGORIES:
        raise InitiativeError("category_required", "category")
    cost = parse_whole(data.estimated_cost, "estimated_cost", minimum=0, maximum=MAX_COST)
    needs = []
    rows = [n for n in data.needs if n.kind or (n.description or "").strip()
            or (n.quantity or "").strip()]
    if len(rows) > MAX_NEEDS:
        raise InitiativeError("too_many_needs", "needs", max=MAX_NEEDS)
    for index, need in enumerate(rows):
        name = f"needs-{index}"
        if need.kind not in NEED_KINDS:
            raise InitiativeError("need_kind_required", name)
        description = _text(need.description, name, 300)
        quantity = parse_whole(need.quantity, name, minimum=1, maximum=MAX_COST,
                               prefix="quantity")
        unit_label = _text(need.unit_label, name, 30, required=False) or None
        needs.append((need.kind, description, quantity, unit_label))
    return _Clean(title, description, unit.id, village_id, data.category, cost, needs)


def _check_photo(photo: Photo | None) -> tuple[bytes, str] | None:
    """The photo re-encoded without metadata, and its kind, once its content is decoded;
    None when none was sent."""
    if photo is None or not photo.data and not photo.filename:
        return None
    from app import photos
    from app.uploads import UploadError

    try:
        cleaned = photos.clean(photo.data, photo.filename, max_bytes=PHOTO_MAX_BYTES)
    except UploadError as error:
        raise InitiativeError(f"photo_{error.code}", "photo") from None
    return cleaned.data, "jpeg"  # pixels only: its EXIF (the taker's position) is gone


@contextmanager
def _photo_store():
    """Saves a checked photo during a write and deletes it again if the write fails, so a
    refused request (edited after the answer, progress by a stranger) leaves no file behind.
    Enter it before write_transaction: it sees the error after the rollback."""
    from app.storage import file_store

    store, saved = file_store(), []

    def save(checked: tuple[bytes, str] | None) -> tuple[str, str] | None:
        if checked is None:
            return None
        data, kind = checked
        saved.append(store.save(data, "community"))
        return saved[-1], kind

    try:
        yield save
    except BaseException:
        for key in saved:
            store.delete(key)
        raise


def _search_text(title: str, description: str) -> str:
    return fold(f"{title} {description}")


# -- writing ---------------------------------------------------------------------------------

def propose(session: Session, author: User, data: InitiativeInput, photo: Photo | None = None,
            *, publish: bool = False, now: datetime | None = None) -> Initiative:
    now = now or utcnow()
    clean = _clean(session, data)
    checked = _check_photo(photo)  # before anything is written
    with _photo_store() as save_photo, write_transaction(session):
        initiative = Initiative(
            author_id=author.id, unit_id=clean.unit_id, village_id=clean.village_id,
            category=clean.category, title=clean.title, description=clean.description,
            estimated_cost=clean.estimated_cost, status="published" if publish else "draft",
            search_text=_search_text(clean.title, clean.description), created_at=now,
            updated_at=now, published_at=now if publish else None)
        stored = save_photo(checked)
        if stored:
            initiative.photo_key, initiative.photo_kind = stored
        initiative.needs = [InitiativeNeed(kind=k, description=d, quantity=q, unit_label=u)
                            for k, d, q, u in clean.needs]
        session.add(initiative)
    return initiative


def _locked(session: Session, *where) -> Initiative | None:
    """The initiative as stored now, locked for this write transaction. Every write that
    decides on an initiative's state takes it (edit, withdraw, support, answer, progress), so
    each decides on what the others left, never on an older read: no edit lands after the
    official answer, nothing is withdrawn past a case made meanwhile, progress does not undo
    a moderator's hiding. SQLite already holds the database's write lock."""
    stmt = select(Initiative).where(*where).execution_options(populate_existing=True)
    if not is_sqlite(session):
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def _load_own(session: Session, initiative_id: int, author: User) -> Initiative:
    initiative = _locked(session, Initiative.id == initiative_id)
    if initiative is None or initiative.author_id != author.id:
        raise InitiativeError("not_found")
    return initiative


def edit(session: Session, initiative_id: int, author: User, data: InitiativeInput,
         photo: Photo | None = None, *, publish: bool = False,
         now: datetime | None = None) -> Initiative:
    """A new text by the author, before any official answer; the old one is kept."""
    now = now or utcnow()
    clean = _clean(session, data)
    checked = _check_photo(photo)
    with _photo_store() as save_photo, write_transaction(session):
        initiative = _load_own(session, initiative_id, author)
        if not may_edit(author, initiative):
            raise InitiativeError("answered")
        if clean.unit_id != initiative.unit_id and initiative.status != "draft":
            # Its supports and its case belong to that commune.
            raise InitiativeError("unit_fixed", "unit_id")
        if initiative.status != "draft":
            # Drafts are the author's scratch pad; once others could read it, keep every text.
            session.add(InitiativeVersion(
                initiative_id=initiative.id, version=initiative.version,
                title=initiative.title, description=initiative.description,
                estimated_cost=initiative.estimated_cost, category=initiative.category,
                village_id=initiative.village_id,
                needs=[{"kind": n.kind, "description": n.description, "quantity": n.quantity,
                        "unit_label": n.unit_label} for n in initiative.needs],
                photo_key=initiative.photo_key, photo_kind=initiative.photo_kind,
                edited_by_id=author.id, edited_at=now))
            initiative.version += 1
        initiative.title = clean.title
        initiative.description = clean.description
        initiative.unit_id = clean.unit_id
        initiative.village_id = clean.village_id
        initiative.category = clean.category
        initiative.estimated_cost = clean.estimated_cost
        initiative.search_text = _search_text(clean.title, clean.description)
        initiative.updated_at = now
        stored = save_photo(checked)
        if stored:
            initiative.photo_key, initiative.photo_kind = stored
        initiative.needs = [InitiativeNeed(kind=k, description=d, quantity=q, unit_label=u)
                            for k, d, q, u in clean.needs]
        if publish and initiative.status == "draft":
            initiative.status = "published"
            initiative.published_at = now
    return initiative


def withdraw(session: Session, initiative_id: int, author: User,
             now: datetime | None = None) -> Initiative:
    now = now or utcnow()
    with write_transaction(session):
        initiative = _load_own(session, initiative_id, author)
        if not may_withdraw(author, initiative):
            raise InitiativeError("answered")
        if initiative.case_id is not None:
            # The case owed an answer is no longer owed: withdrawn for the applicant.
            from app.queue.actions import perform

            with force_locale("vi"):  # the officers' log reads in Vietnamese
                note = _("Withdrawn by its author.")
            perform(session, initiative.case_id, "withdraw", author, note=note, now=now)
        initiative.status = "withdrawn"
        initiative.updated_at = now
    return initiative


@dataclass
class SupportResult:
    initiative: Initiative
    became_case: bool


def support(session: Session, initiative_id: int, user: User,
            now: datetime | None = None) -> SupportResult:
    """One support by `user`; at the commune's threshold the initiative becomes a case, once.

    The support row, the counter and (for the one support that crosses the threshold) the case
    are one transaction. The guarded UPDATE is what makes "once" hold with concurrent supports
    on PostgreSQL: the row is locked by the counter update, so only the first transaction to see
    the count at the threshold finds `case_id IS NULL AND status = 'published'`."""
    now = now or utcnow()
    user_id = user.id
    try:
        with write_transaction(session):
            # Locked before the support's foreign key takes its share lock on the row: the
            # winner later sets case_id (a key column), which would otherwise deadlock against
            # the waiting supports.
            initiative = _locked(session, Initiative.id == initiative_id)
            if initiative is None or initiative.status in ("draft", "hidden"):
                raise InitiativeError("not_found")
            if initiative.status not in SUPPORTABLE:
                raise InitiativeError("not_open")
            settings = settings_for(session, initiative.unit_id)
            if initiative.author_id == user_id and not settings.allow_self_support:
                raise InitiativeError("own")
            if session.get(InitiativeSupport, (initiative_id, user_id)) is not None:
                raise InitiativeError("twice")
            session.add(InitiativeSupport(initiative_id=initiative_id, user_id=user_id,
                                          created_at=now))
            session.flush()  # the primary key refuses a second support from a racing request
            counted = session.execute(
                update(Initiative).where(Initiative.id == initiative_id,
                                         Initiative.status.in_(SUPPORTABLE))
                .values(support_count=Initiative.support_count + 1)
                .execution_options(synchronize_session=False)).rowcount
            if counted != 1:
                raise InitiativeError("not_open")
            became_case = _maybe_case(session, initiative_id, settings.support_threshold, now)
    except IntegrityError:
        session.rollback()
        raise InitiativeError("twice") from None
    initiative = session.get(Initiative, initiative_id, populate_existing=True)
    return SupportResult(initiative, became_case)


def _maybe_case(session: Session, initiative_id: int, threshold: int, now: datetime) -> bool:
    from app.queue.errors import NoRoute
    from app.queue.routing import create_case, route

    initiative = session.get(Initiative, initiative_id, populate_existing=True)
    if initiative.support_count < threshold or initiative.case_id is not None:
        return False
    try:  # without a routing rule the commune cannot receive it yet: stays published, and
        # the worker's pass (open_waiting_cases) makes the case once a rule exists
        route(session, case_type="initiative", category=initiative.category,
              unit_id=initiative.unit_id, procedure_id=None)
    except NoRoute:
        log.warning("initiative %s reached its threshold but unit %s routes no initiatives",
                    initiative_id, initiative.unit_id)
        return False
    won = session.execute(
        update(Initiative).where(Initiative.id == initiative_id, Initiative.case_id.is_(None),
                                 Initiative.status == "published",
                                 Initiative.support_count >= threshold)
        .values(status="under_evaluation", updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        return False
    case = create_case(session, case_type="initiative", category=initiative.category,
                       title=initiative.title[:300], unit_id=initiative.unit_id,
                       sla_days=ANSWER_SLA_DAYS, received_at=now,
                       applicant_id=initiative.author_id, code=f"SK-{initiative.id}")
    session.execute(update(Initiative).where(Initiative.id == initiative_id)
                    .values(case_id=case.id).execution_options(synchronize_session=False))
    return True


WAITING_BATCH = 100


def open_waiting_cases(session: Session, now: datetime | None = None) -> int:
    """Cases for initiatives that reached their commune's threshold while the commune routed
    no initiatives (no rule yet, or its department closed): without this pass they would wait
    for one more support that may never come. The worker runs it; returns how many it made.
    Each goes through the same guarded step as a support, in its own write transaction."""
    now = now or utcnow()
    threshold = func.coalesce(CommunitySettings.support_threshold, DEFAULT_THRESHOLD)
    waiting = session.execute(
        select(Initiative.id, threshold)
        .outerjoin(CommunitySettings, CommunitySettings.unit_id == Initiative.unit_id)
        .where(Initiative.status == "published", Initiative.case_id.is_(None),
               Initiative.support_count >= threshold)
        .order_by(Initiative.id).limit(WAITING_BATCH)).all()
    session.commit()  # end the read; each write below takes its own lock
    made = 0
    for initiative_id, needed in waiting:
        with write_transaction(session):
            if _locked(session, Initiative.id == initiative_id) is not None:
                made += _maybe_case(session, initiative_id, needed, now)
    return made


def answer(session: Session, case_id: int, officer: User, *, accepted: bool, text: str,
           expected_version: int | None = None, now: datetime | None = None) -> Initiative:
    """The commune's official answer: the plan, or the reason; written with the case's
    completion in one transaction, which also queues the message to author and supporters."""
    from app.queue.actions import perform

    now = now or utcnow()
    body = _text(text, "answer", 5000, multiline=True)
    with write_transaction(session):
        initiative = _locked(session, Initiative.case_id == case_id)
        if initiative is None:
            raise InitiativeError("not_found")
        if initiative.status == "hidden":
            if not was_removed(session, initiative):
                # Residents' reports hid it: a moderator restores (or removes) it first.
                raise InitiativeError("hidden_for_answer")
            # A moderator removed it: nothing is left to answer, and its author was told why.
            # The case stops with the officer's note, so it leaves the queue.
            perform(session, case_id, "stop", officer, expected_version=expected_version,
                    note=body[:1000], now=now)
            return initiative
        if is_answered(initiative) or initiative.status != "under_evaluation":
            raise InitiativeError("answered")
        initiative.status = "accepted" if accepted else "rejected"
        initiative.answer = body
        initiative.answered_at = now
        initiative.answered_by_id = officer.id
        initiative.updated_at = now
        session.flush()
        perform(session, case_id, "complete", officer, expected_version=expected_version,
                note=body[:1000], now=now)
    return initiative


def post_update(session: Session, initiative_id: int, officer: User, body: str,
                photo: Photo | None = None, *, done: bool = False,
                now: datetime | None = None) -> InitiativeUpdate:
    """A dated progress note by staff of the commune; the first moves it to "in progress",
    `done` closes it. Author and supporters hear of it in the same transaction."""
    now = now or utcnow()
    text = _text(body, "body", 3000, multiline=True)
    checked = _check_photo(photo)
    with _photo_store() as save_photo, write_transaction(session):
        initiative = _locked(session, Initiative.id == initiative_id)
        if initiative is None:
            raise InitiativeError("not_found")
        if not is_staff_of(session, officer, initiative.unit_id):
            raise InitiativeError("not_staff")
        if not is_under_way(initiative):
            raise InitiativeError("not_accepted")
        row = InitiativeUpdate(initiative_id=initiative.id, author_id=officer.id, body=text,
                               created_at=now)
        stored = save_photo(checked)
        if stored:
            row.photo_key, row.photo_kind = stored
        session.add(row)
        initiative.status = "done" if done else "in_progress"
        initiative.updated_at = now
        session.flush()
        _tell_followers(session, initiative, text, done=done)
    return row


def _tell_followers(session: Session, initiative: Initiative, text: str, *, done: bool) -> None:
    from app.notifications.personal import tell_each

    def compose() -> tuple[str, str]:
        subject = (_("Initiative “%(title)s” is done", title=initiative.title) if done else
                   _("Progress on initiative “%(title)s”", title=initiative.title))
        return subject, "\n".join([subject, text])

    tell_each(session, followers(session, initiative), compose)


def followers(session: Session, initiative: Initiative) -> list[User]:
    """The author and every supporter, each once, active accounts only."""
    people: dict[int, User] = {}
    author = session.get(User, initiative.author_id)
    for person in [author, *supporters(session, initiative.id)]:
        if person is not None and person.active:
            people.setdefault(person.id, person)
    return list(people.values())


def save_settings(session: Session, unit_id: int, *, support_threshold: int,
                  allow_self_support: bool, flag_threshold: int) -> CommunitySettings:
    if not 1 <= support_threshold <= 100000:
        raise InitiativeError("threshold_range", "support_threshold")
    if not 1 <= flag_threshold <= 1000:
        raise InitiativeError("flag_threshold_range", "flag_threshold")
    with write_transaction(session):
        unit = session.get(AdminUnit, unit_id)
        if unit is None or unit.level != "commune":
            raise InitiativeError("unit_required", "unit_id")
        row = session.get(CommunitySettings, unit_id)
        if row is None:
            row = CommunitySettings(unit_id=unit_id)
            session.add(row)
        row.support_threshold = support_threshold
        row.allow_self_support = allow_self_support
        row.flag_threshold = flag_threshold
    return row

