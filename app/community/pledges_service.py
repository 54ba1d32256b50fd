"""Pledges of "Ba Nhà" partners to accepted initiatives, and their delivery. No Flask here; the
views are app/community/partners_routes.py, the messages app/community/partners_notices.py.

Rules:
* only the contact person of a VERIFIED partner pledges, and only to an initiative that is
  accepted or in progress (an answer was given and the work is not finished);
* a pledge names one of the initiative's needs (and takes its kind), or "other help" of a kind;
* the quantity is VND for money, the need's unit for materials, person-days for labour and
  expertise; a whole number from 1 to 10^12 (expertise may give none: the note says what);
  a pledge to a need with a quantity takes at most what is still missing of it (pledged and
  delivered pledges count): more than that is offered as "other help";
* staff of the initiative's commune mark a pledge delivered or cancelled, once: the guarded
  UPDATE makes a double press (or two officers at once) change it once. Who and when is kept
  in delivered_by_id / delivered_at, or cancelled_by_id / cancelled_at (migration 0017);
* the partner's contact person withdraws its own pledge while it is not delivered (the same
  guarded UPDATE, so a withdrawal racing a delivery ends one way only); the initiative's
  author is told of a new pledge and of a withdrawn one, in their language.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager

from app.community.initiatives_service import NOT_PUBLIC, UNDER_WAY
from app.community.partners_service import (COUNTED, NotAllowed, PartnerError,
                                            is_commune_staff)
from app.db import write_transaction
from app.inputs import WholeNumberError, parse_whole
from app.models import Initiative, InitiativeNeed, Partner, Pledge, User, utcnow
from app.models.community import NEED_KINDS

log = logging.getLogger("conglang.pledges")

QUANTITY_MIN = 1
QUANTITY_MAX = 1_000_000_000_000
NOTE_MAX = 500
OPEN_FOR_PLEDGES = UNDER_WAY


# How app/inputs.py words a refused number, as this form's messages name it.
_QUANTITY_ERRORS = {"not_a_number": "quantity_not_number", "negative": "quantity_not_positive",
                    "too_small": "quantity_not_positive", "too_large": "quantity_too_large"}


def parse_quantity(raw: str | None, *, required: bool = True) -> int | None:
    """The quantity as a whole number in range, or PartnerError with why not."""
    try:
        value = parse_whole(raw, minimum=QUANTITY_MIN, maximum=QUANTITY_MAX)
    except WholeNumberError as error:
        raise PartnerError(_QUANTITY_ERRORS[error.code], "quantity") from None
    if value is None and required:
        raise PartnerError("quantity_required", "quantity")
    return value


def accepts_pledges(initiative: Initiative) -> bool:
    return initiative.status in OPEN_FOR_PLEDGES


def initiative_for_pledge(session: Session, initiative_id: int) -> Initiative | None:
    """The initiative a pledge page may show (None: not public, as good as absent)."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or initiative.status in NOT_PUBLIC:
        return None
    return initiative


@dataclass
class PledgeRequest:
    partner_id: int
    need_id: int | None          # None: "other help" of `kind`
    kind: str | None
    quantity: str | None         # as typed
    note: str = ""


def pledge(session: Session, user: User, initiative_id: int, request: PledgeRequest, *,
           now: datetime | None = None, on_pledged=None) -> Pledge:
    """Record a pledge; `on_pledged(session, pledge)` runs in the same transaction (the author's
    notice goes into the outbox with the pledge, or neither does)."""
    note = (request.note or "").strip()
    if len(note) > NOTE_MAX:
        raise PartnerError("note_too_long", "note")
    with write_transaction(session):
        initiative = session.scalar(select(Initiative).where(Initiative.id == initiative_id)
                                    .with_for_update())
        if initiative is None or initiative.status in NOT_PUBLIC:
            raise PartnerError("no_initiative")
        if not accepts_pledges(initiative):
            raise PartnerError(f"not_open_{initiative.status}")
        partner = session.get(Partner, request.partner_id) if request.partner_id else None
        if partner is None or partner.contact_user_id != user.id:
            raise PartnerError("not_your_partner", "partner_id")
        if partner.verified_at is None:
            raise PartnerError("partner_not_verified", "partner_id")
        need = None
        if request.need_id:
            need = session.get(InitiativeNeed, request.need_id)
            if need is None or need.initiative_id != initiative.id:
                raise PartnerError("unknown_need", "need_id")
            kind = need.kind
        else:
            kind = request.kind
            if kind not in NEED_KINDS:
                raise PartnerError("kind_required", "kind")
        quantity = parse_quantity(request.quantity, required=kind != "expertise")
        if kind == "expertise" and quantity is None and not note:
            raise PartnerError("expertise_needs_note", "note")
        if need is not None and need.quantity and quantity is not None:
            # The initiative's row is locked above, so two pledges at once cannot both take
            # the last of a need.
            promised = session.scalar(
                select(func.coalesce(func.sum(Pledge.quantity), 0))
                .where(Pledge.need_id == need.id, Pledge.status.in_(COUNTED)))
            if quantity > need.quantity - promised:
                raise PartnerError("more_than_needed", "quantity")
        row = Pledge(partner_id=partner.id, initiative_id=initiative.id,
                     need_id=need.id if need else None, kind=kind, quantity=quantity,
                     note=note, status="pledged", created_at=now or utcnow())
        session.add(row)
        session.flush()
        if on_pledged is not None:
            on_pledged(session, row)
    return row


def settle(session: Session, user: User, pledge_id: int, outcome: str, *,
           now: datetime | None = None) -> Pledge:
    """Mark a pledge delivered or cancelled (staff of the initiative's commune only)."""
    if outcome not in ("delivered", "cancelled"):
        raise ValueError(outcome)
    now = now or utcnow()
    with write_transaction(session):
        row = session.get(Pledge, pledge_id)
        if row is None:
            raise PartnerError("no_pledge")
        initiative = session.get(Initiative, row.initiative_id)
        if not is_commune_staff(session, user, initiative.unit_id):
            raise NotAllowed("not_staff_of_initiative")
        values = (dict(delivered_at=now, delivered_by_id=user.id) if outcome == "delivered"
                  else dict(cancelled_at=now, cancelled_by_id=user.id))
        changed = session.execute(update(Pledge).where(
            Pledge.id == pledge_id, Pledge.status == "pledged").values(
            status=outcome, **values)).rowcount
        if not changed:
            raise PartnerError("already_settled")
        session.refresh(row)
    log.info("pledge %s %s by user %s", pledge_id, outcome, user.id)
    return row


def withdraw(session: Session, user: User, pledge_id: int, *, now: datetime | None = None,
             on_withdrawn=None) -> Pledge:
    """The partner takes its pledge back before delivery (its contact person only);
    `on_withdrawn(session, pledge)` runs in the same transaction (the author's notice)."""
    now = now or utcnow()
    with write_transaction(session):
        row = session.get(Pledge, pledge_id)
        if row is None:
            raise PartnerError("no_pledge")
        partner = session.get(Partner, row.partner_id)
        if partner.contact_user_id != user.id:
            raise NotAllowed("not_your_pledge")
        changed = session.execute(update(Pledge).where(
            Pledge.id == pledge_id, Pledge.status == "pledged").values(
            status="withdrawn", cancelled_at=now, cancelled_by_id=user.id)).rowcount
        if not changed:
            raise PartnerError("not_withdrawable")
        session.refresh(row)
        if on_withdrawn is not None:
            on_withdrawn(session, row)
    log.info("pledge %s withdrawn by its partner's contact %s", pledge_id, user.id)
    return row


def withdrawable(pledge: Pledge, user) -> bool:
    """Whether this person may take the pledge back now (its partner's contact, before it
    is delivered or ended)."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and pledge.status == "pledged" and pledge.partner.contact_user_id == user.id)


# -- the initiative page's pledges (community/_pledges.html) ---------------------------------

@dataclass
class NeedProgress:
    need: InitiativeNeed | None      # None: "other help" of `kind`
    kind: str
    pledged: int = 0                  # pledged or delivered (COUNTED)
    delivered: int = 0
    pledges: list[Pledge] = field(default_factory=list)

    @property
    def target(self) -> int | None:
        return self.need.quantity if self.need is not None else None

    @property
    def pledged_percent(self) -> int | None:
        return _percent(self.pledged, self.target)

    @property
    def delivered_percent(self) -> int | None:
        return _percent(self.delivered, self.target)


def _percent(part: int, whole: int | None) -> int | None:
    if not whole:
        return None
    return min(100, part * 100 // whole)


@dataclass
class Board:
    initiative: Initiative
    needs: list[NeedProgress]
    open_for_pledges: bool

    @property
    def has_pledges(self) -> bool:
        return any(n.pledges for n in self.needs)


def board(session: Session, initiative: Initiative) -> Board:
    """Each need with what was pledged and delivered so far (summed by the database in one
    grouped query, not row by row), and the pledges themselves; "other help" pledges grouped
    by kind after the needs."""
    totals = session.execute(
        select(Pledge.need_id, Pledge.kind, Pledge.status, func.sum(Pledge.quantity))
        .where(Pledge.initiative_id == initiative.id, Pledge.status.in_(COUNTED))
        .group_by(Pledge.need_id, Pledge.kind, Pledge.status)).all()
    progress: dict[object, NeedProgress] = {
        need.id: NeedProgress(need, need.kind) for need in initiative.needs}
    for need_id, kind, status, amount in totals:
        key = need_id if need_id in progress else ("other", kind)
        entry = progress.setdefault(key, NeedProgress(None, kind))
        entry.pledged += int(amount or 0)
        if status == "delivered":
            entry.delivered += int(amount or 0)
    pledges = session.scalars(
        select(Pledge).join(Partner).options(contains_eager(Pledge.partner))
        .where(Pledge.initiative_id == initiative.id)
        .order_by(Pledge.created_at, Pledge.id)).all()
    for row in pledges:
        key = row.need_id if row.need_id in progress else ("other", row.kind)
        progress.setdefault(key, NeedProgress(None, row.kind)).pledges.append(row)
    ordered = [progress[n.id] for n in initiative.needs]
    ordered += [v for k, v in progress.items() if isinstance(k, tuple)]
    return Board(initiative, ordered, accepts_pledges(initiative))
