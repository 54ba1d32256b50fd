""""Ba Nhà" partners (the state, businesses, schools and research institutes): registration by
a signed-in person, verification by staff of the commune the partner works in, the public list
and each partner's page. No Flask here; the views are app/community/partners_routes.py.

A refused registration is deleted rather than kept with a note: an unverified partner is never
public and cannot have pledged, so nothing refers to it; the contact person is told why (the
notice is the record), and may register again once the problem is put right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from app.community.initiatives_service import NOT_PUBLIC
from app.db import write_transaction
from app.models import (AdminUnit, Initiative, InitiativeNeed, Partner, Pledge, User, utcnow)
from app.models.community import PARTNER_KINDS
from app.pagination import Page, page_of_query
from app.refusals import Refusal
from app.text import normalize_phone
from app.units.staff import communes_staffed, is_commune_staff

PER_PAGE = 20
NAME_MAX = 200
DESCRIPTION_MAX = 2000
# What counts towards what a partner pledged: promised or delivered, not cancelled by staff
# nor withdrawn by the partner.
COUNTED = ("pledged", "delivered")
# A landline since the 2017 renumbering: 0 + a two-digit area code starting with 2 + 8 digits.
_LANDLINE = re.compile(r"^02\d{9}$")


class PartnerError(Refusal):
    """A rule said no; `code` is looked up in app/community/partners_forms.py ERRORS."""


class NotAllowed(PartnerError):
    """The person may not do this here (the view answers 403)."""

    def __init__(self, code: str = "not_staff_here"):
        super().__init__(code)


# -- who may do what -------------------------------------------------------------------------

# "Staff of the commune" is one rule for the whole participation side: app/units/staff.py.


def normalize_contact_phone(raw: str) -> str | None:
    """A mobile number, or an organisation's landline (024 3825 1234), in national form."""
    mobile = normalize_phone(raw)
    if mobile:
        return mobile
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits if _LANDLINE.match(digits) else None


# -- registration ----------------------------------------------------------------------------

@dataclass
class Registration:
    name: str
    kind: str
    description: str = ""
    unit_id: int | None = None
    contact_phone: str = ""


def register(session: Session, user: User, data: Registration) -> Partner:
    name = " ".join((data.name or "").split())
    if not name:
        raise PartnerError("name_required", "name")
    if len(name) > NAME_MAX:
        raise PartnerError("name_too_long", "name")
    if data.kind not in PARTNER_KINDS:
        raise PartnerError("bad_kind", "kind")
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise PartnerError("description_too_long", "description")
    phone = normalize_contact_phone(data.contact_phone)
    if not phone:
        raise PartnerError("bad_phone", "contact_phone")
    with write_transaction(session):
        if data.unit_id:
            unit = session.get(AdminUnit, data.unit_id)
            if unit is None or unit.level != "commune":
                raise PartnerError("unknown_commune", "unit_id")
        twin = session.scalar(select(Partner.id).where(
            Partner.contact_user_id == user.id, func.lower(Partner.name) == name.lower()))
        if twin is not None:
            raise PartnerError("already_registered", "name")
        partner = Partner(name=name, kind=data.kind, description=description,
                          unit_id=data.unit_id or None, contact_user_id=user.id,
                          contact_phone=phone)
        session.add(partner)
        session.flush()
    return partner


def partners_of(session: Session, user_id: int) -> list[Partner]:
    return list(session.scalars(select(Partner).where(Partner.contact_user_id == user_id)
                                .order_by(Partner.created_at.desc(), Partner.id.desc())))


def verified_partners_of(session: Session, user_id: int) -> list[Partner]:
    return list(session.scalars(select(Partner).where(
        Partner.contact_user_id == user_id, Partner.verified_at.is_not(None))
        .order_by(Partner.name)))


# -- verification ----------------------------------------------------------------------------

def pending_for(session: Session, user: User, page: int) -> Page:
    """Registrations waiting for this member of staff: those in the communes where they hold a
    seat; an administrator sees all, including those that named no commune."""
    stmt = (select(Partner).options(joinedload(Partner.contact))
            .where(Partner.verified_at.is_(None)).order_by(Partner.created_at, Partner.id))
    if not user.is_admin:
        stmt = stmt.where(Partner.unit_id.in_(communes_staffed(session, user) or {-1}))
    return page_of_query(session, stmt, page, PER_PAGE)


def _partner_to_judge(session: Session, user: User, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise PartnerError("no_partner")
    if not is_commune_staff(session, user, partner.unit_id):
        raise NotAllowed()
    return partner


def verify(session: Session, user: User, partner_id: int, *,
           now: datetime | None = None, on_verified=None) -> Partner:
    """Mark the partner verified. Guarded, so two officers pressing at once verify it once."""
    with write_transaction(session):
        partner = _partner_to_judge(session, user, partner_id)
        done = session.execute(update(Partner).where(
            Partner.id == partner_id, Partner.verified_at.is_(None)).values(
            verified_at=now or utcnow(), verified_by_id=user.id)).rowcount
        if not done:
            raise PartnerError("already_verified")
        session.refresh(partner)
        if on_verified is not None:
            on_verified(session, partner)
    return partner


def refuse(session: Session, user: User, partner_id: int, reason: str, *,
           on_refused=None) -> str:
    """Delete a pending registration (see the module docstring), telling its contact why.
    Returns the partner's name."""
    reason = (reason or "").strip()
    if not reason:
        raise PartnerError("reason_required", "reason")
    if len(reason) > 500:
        raise PartnerError("reason_too_long", "reason")
    with write_transaction(session):
        partner = _partner_to_judge(session, user, partner_id)
        if partner.verified_at is not None:
            raise PartnerError("already_verified")
        name = partner.name
        if on_refused is not None:
            on_refused(session, partner, reason)
        session.execute(delete(Partner).where(Partner.id == partner_id,
                                              Partner.verified_at.is_(None)))
    return name


# -- the public side -------------------------------------------------------------------------

def public_list(session: Session, kind: str | None, page: int) -> Page:
    stmt = select(Partner).where(Partner.verified_at.is_not(None))
    if kind in PARTNER_KINDS:
        stmt = stmt.where(Partner.kind == kind)
    return page_of_query(session, stmt.order_by(Partner.name, Partner.id), page, PER_PAGE)


def visible_partner(session: Session, user, partner_id: int) -> Partner | None:
    """A verified partner for everyone; a pending one only for its contact and its verifiers."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        return None
    if partner.verified_at is not None:
        return partner
    if user is not None and getattr(user, "is_authenticated", False) and (
            partner.contact_user_id == user.id
            or is_commune_staff(session, user, partner.unit_id)):
        return partner
    return None


@dataclass
class InitiativePledges:
    initiative: Initiative
    pledges: list[tuple[Pledge, InitiativeNeed | None]] = field(default_factory=list)


@dataclass
class Total:
    kind: str
    unit_label: str | None
    pledged: int
    delivered: int


def partner_page(session: Session, partner_id: int) -> tuple[list[InitiativePledges], list[Total]]:
    """The partner's pledges grouped by initiative (public initiatives only), and what it
    pledged and delivered per kind of help (materials per unit: bags and m³ do not add up),
    summed by the database in one grouped query."""
    rows = session.execute(
        select(Pledge, InitiativeNeed, Initiative)
        .join(Initiative, Initiative.id == Pledge.initiative_id)
        .outerjoin(InitiativeNeed, InitiativeNeed.id == Pledge.need_id)
        .where(Pledge.partner_id == partner_id, Initiative.status.not_in(NOT_PUBLIC))
        .order_by(Initiative.id.desc(), Pledge.created_at, Pledge.id)).all()
    grouped: dict[int, InitiativePledges] = {}
    for pledge, need, initiative in rows:
        grouped.setdefault(initiative.id, InitiativePledges(initiative)).pledges.append(
            (pledge, need))
    label = func.coalesce(InitiativeNeed.unit_label, "")
    sums = session.execute(
        select(Pledge.kind, label,
               func.sum(Pledge.quantity).filter(Pledge.status.in_(COUNTED)),
               func.sum(Pledge.quantity).filter(Pledge.status == "delivered"))
        .join(Initiative, Initiative.id == Pledge.initiative_id)
        .outerjoin(InitiativeNeed, InitiativeNeed.id == Pledge.need_id)
        .where(Pledge.partner_id == partner_id, Initiative.status.not_in(NOT_PUBLIC),
               Pledge.quantity.is_not(None))
        .group_by(Pledge.kind, label).order_by(Pledge.kind, label)).all()
    totals = [Total(kind, unit or None, int(pledged or 0), int(delivered or 0))
              for kind, unit, pledged, delivered in sums if pledged or delivered]
    return list(grouped.values()), totals


__all__ = ["PartnerError", "NotAllowed", "Registration", "register", "verify", "refuse",
           "pending_for", "public_list", "visible_partner", "partner_page", "partners_of",
           "verified_partners_of", "is_commune_staff"]
