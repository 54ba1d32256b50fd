"""Who is staff "of a commune": the one rule the participation side asks (initiatives,
partners and pledges, moderation, the village needs board), as the queue asks
app/queue/eligibility.py who may take a case.

Staff of a commune: an active staff account with a seat in a department of that commune, or
an administrator (every commune). A resident, an inactive or an anonymous account is staff
nowhere. No Flask here.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Department, OfficerMembership, User

__all__ = ["communes_staffed", "is_commune_staff"]


def communes_staffed(session: Session, user: User | None) -> set[int] | None:
    """The ids of the communes where this account is staff; None means every commune."""
    if (user is None or not getattr(user, "is_authenticated", True)
            or not getattr(user, "active", False) or not user.is_staff):
        return set()
    if user.is_admin:
        return None
    return set(session.scalars(
        select(Department.unit_id)
        .join(OfficerMembership, OfficerMembership.department_id == Department.id)
        .where(OfficerMembership.user_id == user.id)))


def is_commune_staff(session: Session, user: User | None, commune_id: int | None) -> bool:
    """Whether this account is staff of that commune (something tied to no commune: only an
    administrator)."""
    communes = communes_staffed(session, user)
    return communes is None or (commune_id is not None and commune_id in communes)
