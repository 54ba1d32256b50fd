"""Rules of the village needs board: who may post and manage a need, supporting and
volunteering once, progress, quantities received, closing, and asking the commune for help.

Views only parse and render (routes.py); everything that decides or writes is here. The only
Flask-adjacent import is Babel's `gettext`: each volunteer hears of a change in their own
language (app/notifications/personal.py), in the transaction that made it.

Who may post or manage a need:
* staff of the commune: an OfficerMembership in a Department whose unit is that commune, or an
  administrator: any village of the commune, or the whole commune;
* a village head (trưởng thôn, a `village_heads` row): only needs of their own village. A head
  signs in with a staff account (role 'officer' or 'leader'; the heads page only offers those),
  because the posting pages are staff pages; being head adds the village, nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.db import is_sqlite, write_transaction
from app.models import (AdminUnit, NeedSupport, NeedUpdate, User, VillageHead, VillageNeed,
                        VillageNeedItem, Volunteer, utcnow)
from app.pagination import Page, page_of_query
from app.queue.calendar import local_day
from app.refusals import Refusal
from app.text import escape_like, fold
from app.units.staff import communes_staffed, is_commune_staff

# The small fixed list of what a need is about (labels: app/village/labels.py).
CATEGORIES = ("roads", "water", "school", "disaster_relief", "health", "environment", "other")
SORTS = ("newest", "supported", "closing")
STATUSES = ("open", "met", "closed")
MAX_ITEMS = 6
MAX_QUANTITY = 10 ** 12
# Asking the commune for help: a 'village_need' case, due in this many working days.
HELP_SLA_DAYS = 10
HELP_CATEGORY = "village_need"   # a queue category (app/queue/categories.py) and a skill
PAGE_SIZE = 10


class NeedError(Refusal):
    """A rule said no; `code` picks the message the view shows (routes.py ERRORS)."""


# -- who may do what ------------------------------------------------------------------------

def head_of(session: Session, user: User | None) -> AdminUnit | None:
    """The village this staff account heads, if any."""
    if user is None or not user.is_staff:
        return None
    row = session.get(VillageHead, user.id)
    return session.get(AdminUnit, row.village_id) if row is not None else None


def staff_communes(session: Session, user: User) -> list[AdminUnit]:
    """The communes where this account is staff (every commune for an administrator)."""
    ids = communes_staffed(session, user)
    stmt = select(AdminUnit).where(AdminUnit.level == "commune")
    if ids is not None:
        stmt = stmt.where(AdminUnit.id.in_(ids or {-1}))
    return sorted(session.scalars(stmt), key=lambda u: u.code)


@dataclass(frozen=True)
class Place:
    """Where a need is: a commune, and one of its villages or the whole commune."""

    commune: AdminUnit
    village: AdminUnit | None

    @property
    def key(self) -> str:
        return f"village:{self.village.id}" if self.village else f"commune:{self.commune.id}"


def places_for(session: Session, user: User) -> list[Place]:
    """Every place this account may post a need for, communes first then their villages."""
    places: list[Place] = []
    for commune in staff_communes(session, user):
        places.append(Place(commune, None))
        villages = session.scalars(select(AdminUnit).where(
            AdminUnit.parent_id == commune.id, AdminUnit.level == "village")
            .order_by(AdminUnit.code))
        places.extend(Place(commune, v) for v in villages)
    seen = {p.key for p in places}
    village = head_of(session, user)
    if village is not None and village.parent is not None:
        place = Place(village.parent, village)
        if place.key not in seen:
            places.append(place)
    return places


def resolve_place(session: Session, key: str | None) -> Place | None:
    kind, _sep, raw = (key or "").partition(":")
    if not raw.isdigit() or len(raw) > 9:
        return None
    unit = session.get(AdminUnit, int(raw))
    if unit is None:
        return None
    if kind == "commune" and unit.level == "commune":
        return Place(unit, None)
    if kind == "village" and unit.level == "village" and unit.parent is not None:
        return Place(unit.parent, unit)
    return None


def may_post_for(session: Session, user: User, place: Place) -> bool:
    if is_commune_staff(session, user, place.commune.id):
        return True
    village = head_of(session, user)
    # A village head: their own village only, never the whole commune nor a neighbour.
    return village is not None and place.village is not None and place.village.id == village.id


def may_manage(session: Session, user: User | None, need: VillageNeed) -> bool:
    """Staff of the need's commune, or the head of the need's village."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_commune_staff(session, user, need.unit_id):
        return True
    village = head_of(session, user)
    return village is not None and need.village_id == village.id


# -- reading --------------------------------------------------------------------------------

@dataclass
class BoardFilters:
    commune_id: int | None = None
    village_id: int | None = None
    status: str = "open"
    sort: str = "newest"
    q: str = ""


def board_page(session: Session, filters: BoardFilters, page: int, viewer: User | None,
               size: int = PAGE_SIZE) -> Page:
    stmt = select(VillageNeed).options(selectinload(VillageNeed.items),
                                       selectinload(VillageNeed.village),
                                       selectinload(VillageNeed.unit))
    if filters.status in STATUSES:
        stmt = stmt.where(VillageNeed.status == filters.status)
    if filters.commune_id:
        stmt = stmt.where(VillageNeed.unit_id == filters.commune_id)
    if filters.village_id:
        stmt = stmt.where(VillageNeed.village_id == filters.village_id)
    words = fold(filters.q).split()[:8]
    for word in words:
        stmt = stmt.where(VillageNeed.search_text.like(f"%{escape_like(word)}%", escape="\\"))
    # Hidden needs (flagged past the threshold) are shown only to staff of their commune.
    visible = VillageNeed.hidden.is_(False)
    if viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_staff:
        if viewer.is_admin:
            visible = None
        else:
            mine = [c.id for c in staff_communes(session, viewer)]
            if mine:
                visible = visible | VillageNeed.unit_id.in_(mine)
    if visible is not None:
        stmt = stmt.where(visible)
    if filters.sort == "supported":
        stmt = stmt.order_by(VillageNeed.support_count.desc(), VillageNeed.id.desc())
    elif filters.sort == "closing":
        stmt = stmt.order_by(VillageNeed.needed_by.is_(None), VillageNeed.needed_by.asc(),
                             VillageNeed.id.desc())
    else:
        stmt = stmt.order_by(VillageNeed.created_at.desc(), VillageNeed.id.desc())
    return page_of_query(session, stmt, page, size)


def visible_need(session: Session, need_id: int, viewer: User | None) -> VillageNeed | None:
    """The need, unless it is hidden and the viewer is not staff of its commune."""
    need = session.get(VillageNeed, need_id)
    if need is None:
        return None
    if need.hidden and not (viewer is not None and getattr(viewer, "is_authenticated", False)
                            and is_commune_staff(session, viewer, need.unit_id)):
        return None
    return need


def updates_of(session: Session, need: VillageNeed) -> list[NeedUpdate]:
    return list(session.scalars(select(NeedUpdate).where(NeedUpdate.need_id == need.id)
                                .order_by(NeedUpdate.created_at.desc(), NeedUpdate.id.desc())))


def volunteers_of(session: Session, need: VillageNeed) -> list[Volunteer]:
    return list(session.scalars(select(Volunteer).where(Volunteer.need_id == need.id)
                                .options(selectinload(Volunteer.user)).order_by(Volunteer.id)))


def has_supported(session: Session, need: VillageNeed, user: User | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return session.get(NeedSupport, (need.id, user.id)) is not None


def own_signup(session: Session, need: VillageNeed, user: User | None) -> Volunteer | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(select(Volunteer).where(Volunteer.need_id == need.id,
                                                  Volunteer.user_id == user.id))


# -- posting and editing --------------------------------------------------------------------

@dataclass
class NeedInput:
    title: str
    description: str
    place_key: str
    category: str
    needed_by: date | None
    items: list[tuple[str, int, str]] = field(default_factory=list)  # description, qty, unit


def _check(session: Session, user: User, data: NeedInput, today: date) -> Place:
    place = resolve_place(session, data.place_key)
    if place is None:
        raise NeedError("bad_place", "place")
    if not may_post_for(session, user, place):
        raise NeedError("not_your_village" if head_of(session, user) else "not_your_commune",
                        "place")
    if data.category not in CATEGORIES:
        raise NeedError("bad_category", "category")
    if data.needed_by is not None and data.needed_by < today:
        raise NeedError("needed_by_past", "needed_by")
    if len(data.items) > MAX_ITEMS:
        raise NeedError("too_many_items")
    for _desc, quantity, _unit in data.items:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise NeedError("bad_quantity")
    return place


def _search_text(need: VillageNeed, place: Place) -> str:
    parts = [need.title, need.description, place.commune.name_vi]
    if place.village is not None:
        parts.append(place.village.name_vi)
    parts.extend(item.description for item in need.items)
    return fold(" ".join(parts))


def _current(session: Session, need: VillageNeed) -> None:
    """Reload the need the page showed as it is stored now, locked for this write: staff who
    change it at the same moment are serialised, each deciding on what the other left (the
    status set twice, an edit over a closing)."""
    session.refresh(need, with_for_update=not is_sqlite(session))


def post_need(session: Session, user: User, data: NeedInput, *,
              now: datetime | None = None) -> VillageNeed:
    now = now or utcnow()
    with write_transaction(session):
        place = _check(session, user, data, local_day(now))
        need = VillageNeed(unit_id=place.commune.id,
                           village_id=place.village.id if place.village else None,
                           posted_by_id=user.id, category=data.category, title=data.title,
                           description=data.description, needed_by=data.needed_by,
                           created_at=now, updated_at=now)
        need.items = [VillageNeedItem(description=d, quantity=q, unit_label=u)
                      for d, q, u in data.items]
        need.search_text = _search_text(need, place)
        session.add(need)
        session.flush()
    return need


def edit_need(session: Session, user: User, need: VillageNeed, data: NeedInput, *,
              now: datetime | None = None) -> VillageNeed:
    """Change what the need says. Items keep their received quantities by position; an item
    that already received something cannot be dropped or set below what it received."""
    now = now or utcnow()
    with write_transaction(session):
        _current(session, need)
        if not may_manage(session, user, need):
            raise NeedError("forbidden")
        place = _check(session, user, data, local_day(now) if data.needed_by != need.needed_by
                       else date.min)
        old = list(need.items)
        for index, item in enumerate(old):
            if index >= len(data.items):
                if item.received:
                    raise NeedError("item_has_receipts")
                need.items.remove(item)
        for index, (desc, quantity, unit) in enumerate(data.items):
            if index < len(old):
                item = old[index]
                item.description, item.quantity, item.unit_label = desc, quantity, unit
            else:
                need.items.append(VillageNeedItem(description=desc, quantity=quantity,
                                                  unit_label=unit))
        need.unit_id = place.commune.id
        need.village_id = place.village.id if place.village else None
        need.title, need.description = data.title, data.description
        need.category, need.needed_by = data.category, data.needed_by
        need.updated_at = now
        need.search_text = _search_text(need, place)
        _notify_volunteers(session, need, lambda: _("The need was edited: read it again."))
    return need


# -- residents ------------------------------------------------------------------------------

def _still_open():
    """The guard of a support or a sign-up: the need as stored now, not as the page saw it
    (staff may have closed it, or reports hidden it, a moment ago)."""
    return (VillageNeed.status == "open", VillageNeed.hidden.is_(False))


def support(session: Session, user: User, need: VillageNeed) -> None:
    """Once per person: the primary key says so; the counter moves in the same transaction,
    and only while the need is still open."""
    if need.status != "open" or need.hidden:
        raise NeedError("not_open")
    try:
        with write_transaction(session):
            if session.get(NeedSupport, (need.id, user.id)) is not None:
                raise NeedError("already_supported")
            session.add(NeedSupport(need_id=need.id, user_id=user.id))
            session.flush()
            counted = session.execute(
                update(VillageNeed).where(VillageNeed.id == need.id, *_still_open())
                .values(support_count=VillageNeed.support_count + 1)).rowcount
            if counted != 1:
                raise NeedError("not_open")
    except IntegrityError:
        raise NeedError("already_supported") from None  # a double click raced the first
    session.refresh(need)


def volunteer(session: Session, user: User, need: VillageNeed, availability: str) -> Volunteer:
    if need.status != "open" or need.hidden:
        raise NeedError("not_open")
    try:
        with write_transaction(session):
            if own_signup(session, need, user) is not None:
                raise NeedError("already_volunteered")
            row = Volunteer(need_id=need.id, user_id=user.id, availability=availability)
            session.add(row)
            session.flush()
            counted = session.execute(
                update(VillageNeed).where(VillageNeed.id == need.id, *_still_open())
                .values(volunteer_count=VillageNeed.volunteer_count + 1)).rowcount
            if counted != 1:
                raise NeedError("not_open")
    except IntegrityError:
        raise NeedError("already_volunteered") from None
    session.refresh(need)
    return row


def withdraw(session: Session, user: User, need: VillageNeed) -> None:
    with write_transaction(session):
        row = own_signup(session, need, user)
        if row is None:
            raise NeedError("not_volunteered")
        session.delete(row)
        session.execute(update(VillageNeed).where(VillageNeed.id == need.id,
                                                  VillageNeed.volunteer_count > 0)
                        .values(volunteer_count=VillageNeed.volunteer_count - 1))
    session.refresh(need)


# -- progress -------------------------------------------------------------------------------

def _notify_volunteers(session: Session, need: VillageNeed, words) -> None:
    """Queue a message to every volunteer of the need, in their language, in the caller's
    transaction (so no message announces a change that rolled back). `words` is called inside
    each volunteer's locale and returns the body's last line."""
    from app.notifications.personal import tell_each

    tell_each(session, [row.user for row in volunteers_of(session, need)], lambda: (
        _("Village need: %(title)s", title=need.title),
        "\n".join([_("News about the need you volunteered for: %(title)s.", title=need.title),
                   str(words())])))


def post_update(session: Session, user: User, need: VillageNeed, body: str, *,
                now: datetime | None = None) -> NeedUpdate:
    now = now or utcnow()
    with write_transaction(session):
        _current(session, need)
        if not may_manage(session, user, need):
            raise NeedError("forbidden")
        row = NeedUpdate(need_id=need.id, author_id=user.id, body=body, created_at=now)
        session.add(row)
        need.updated_at = now
        _notify_volunteers(session, need, lambda: _("Progress: %(body)s", body=body))
    return row


def record_received(session: Session, user: User, need: VillageNeed, item_id: int,
                    received: int, *, now: datetime | None = None) -> VillageNeedItem:
    now = now or utcnow()
    if not 0 <= received <= MAX_QUANTITY:
        raise NeedError("bad_quantity", "received")
    with write_transaction(session):
        _current(session, need)
        if not may_manage(session, user, need):
            raise NeedError("forbidden")
        item = session.get(VillageNeedItem, item_id)
        if item is None or item.need_id != need.id:
            raise NeedError("bad_item", "item")
        item.received = received
        need.updated_at = now
        _notify_volunteers(session, need, lambda: _(
            "Received so far for %(item)s: %(received)s of %(quantity)s %(unit)s.",
            item=item.description, received=grouped(received), quantity=grouped(item.quantity),
            unit=item.unit_label))
    return item


def set_status(session: Session, user: User, need: VillageNeed, status: str, note: str, *,
               now: datetime | None = None) -> None:
    """Mark the need met or closed (or open it again), with a note kept as a dated update."""
    now = now or utcnow()
    if status not in STATUSES:
        raise NeedError("bad_status", "status")
    with write_transaction(session):
        _current(session, need)
        if not may_manage(session, user, need):
            raise NeedError("forbidden")
        if need.status == status:
            raise NeedError("same_status", "status")
        need.status = status
        need.updated_at = now
        session.add(NeedUpdate(need_id=need.id, author_id=user.id, body=note, created_at=now))
        from app.village.labels import status_name

        _notify_volunteers(session, need, lambda: _("Now: %(status)s. %(note)s",
                                                    status=status_name(status), note=note))


def ask_for_help(session: Session, user: User, need: VillageNeed, *,
                 now: datetime | None = None):
    """Make the need a 'village_need' case in the commune's queue, once: the guarded UPDATE
    (case_id IS NULL) lets only the first of two racing requests link its case, and the
    other's transaction is rolled back with its case."""
    from app.queue.errors import NoRoute
    from app.queue.routing import create_case

    now = now or utcnow()
    try:
        with write_transaction(session):
            _current(session, need)
            if not may_manage(session, user, need):
                raise NeedError("forbidden")
            if need.case_id is not None:
                raise NeedError("already_asked")
            if need.status != "open":
                raise NeedError("not_open")
            case = create_case(session, case_type="village_need", category=HELP_CATEGORY,
                               title=need.title[:300], unit_id=need.unit_id,
                               sla_days=HELP_SLA_DAYS, received_at=now,
                               applicant_id=need.posted_by_id)
            linked = session.execute(update(VillageNeed)
                                     .where(VillageNeed.id == need.id,
                                            VillageNeed.case_id.is_(None))
                                     .values(case_id=case.id, updated_at=now))
            if linked.rowcount != 1:
                raise NeedError("already_asked")
            _notify_volunteers(session, need, lambda: _(
                "The commune has been asked for help (case %(code)s).", code=case.code))
    except NoRoute:
        raise NeedError("no_route") from None
    session.refresh(need)
    return case


# -- village heads --------------------------------------------------------------------------

def heads(session: Session) -> list[tuple[VillageHead, User, AdminUnit]]:
    rows = session.execute(select(VillageHead, User, AdminUnit)
                           .join(User, User.id == VillageHead.user_id)
                           .join(AdminUnit, AdminUnit.id == VillageHead.village_id)
                           .order_by(AdminUnit.code))
    return [tuple(r) for r in rows]


def head_candidates(session: Session) -> list[User]:
    """Staff accounts that may be made a village head: active officers and leaders."""
    return list(session.scalars(select(User).where(User.role.in_(("officer", "leader")),
                                                   User.active.is_(True))
                                .order_by(User.full_name, User.id)))


def villages(session: Session) -> list[AdminUnit]:
    return list(session.scalars(select(AdminUnit).where(AdminUnit.level == "village")
                                .order_by(AdminUnit.code)))


def assign_head(session: Session, user_id: int, village_id: int) -> VillageHead:
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None or user.role not in ("officer", "leader") or not user.active:
            raise NeedError("not_an_officer", "user_id")
        village = session.get(AdminUnit, village_id)
        if village is None or village.level != "village":
            raise NeedError("bad_place", "village_id")
        row = session.get(VillageHead, user_id)
        if row is None:
            row = VillageHead(user_id=user_id, village_id=village_id)
            session.add(row)
        else:
            row.village_id = village_id  # one village per head: moving them replaces it
    return row


def remove_head(session: Session, user_id: int) -> bool:
    with write_transaction(session):
        row = session.get(VillageHead, user_id)
        if row is None:
            return False
        session.delete(row)
    return True


def grouped(number: int) -> str:
    """1500 -> '1.500': quantities read the Vietnamese way in both languages, like money."""
    return f"{number:,}".replace(",", ".")


def days_left(need: VillageNeed, today: date) -> int | None:
    return (need.needed_by - today).days if need.needed_by else None

