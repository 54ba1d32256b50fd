"""Rules of emergency alerts: issuing one for chosen communes and villages, withdrawing it, and
the two ways people see it: the banner on every page of those whose home is affected, and the
public board for everyone.

Who may issue for a place is the needs board's rule (app/village/services.py `may_post_for`):
every chosen place must be one the issuer may publish for; withdrawing needs the same for every
place of the alert. A commune chosen together with some of its villages covers them already:
only the commune is kept.

**The banner's budget: one indexed query per page, none for anonymous visitors.**
`banner_alerts` runs a single SELECT on `alert_areas` joined to `alerts` by primary key, with
`unit_id IN (home commune, home village) AND ends_at > now`, which `ix_alert_areas_banner`
(unit_id, ends_at, alert_id) answers by a range scan. The unit ids come from the session's user
row (already loaded to check the session), so nothing else is read; an anonymous visitor or an
account without a home gets no query at all and sees alerts on the board instead. Withdrawal
moves the areas' `ends_at` to the moment of withdrawal, so an expired and a withdrawn alert drop
out of the banner by the same condition. tests/integration/test_alerts.py counts the statements
and checks the plan on both engines.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from app.db import write_transaction
from app.models import AdminUnit, Alert, AlertArea, User, utcnow
from app.models.announcements import HAZARDS, SEVERITIES
from app.refusals import Refusal
from app.units.staff import communes_staffed
from app.village.services import Place, head_of, may_post_for, resolve_place

# An alert's places with their communes, for the board and the staff page (never the banner).
_WITH_PLACES = (selectinload(Alert.areas).selectinload(AlertArea.unit)
                .selectinload(AdminUnit.parent))
# An emergency lasts hours or days; something longer is an announcement.
MAX_DURATION = timedelta(days=30)
TITLE_MAX = 200
BODY_MAX = 5_000
RECENT = timedelta(days=30)


class AlertError(Refusal):
    pass


@dataclass
class AlertInput:
    hazard: str
    severity: str
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str
    expires_at: datetime | None        # aware
    area_keys: list[str]


# -- who may do what ------------------------------------------------------------------------

def places_of(alert: Alert) -> list[Place]:
    places = []
    for area in alert.areas:
        unit = area.unit
        places.append(Place(unit.parent, unit) if unit.level == "village" else Place(unit, None))
    return places


def may_manage(session: Session, user: User | None, alert: Alert) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return all(may_post_for(session, user, place) for place in places_of(alert))


def _areas(session: Session, user: User, keys: list[str]) -> list[Place]:
    if not keys:
        raise AlertError("no_area", "areas")
    places: dict[str, Place] = {}
    for key in keys:
        place = resolve_place(session, key)
        if place is None:
            raise AlertError("bad_place", "areas")
        if not may_post_for(session, user, place):
            raise AlertError("not_your_village" if head_of(session, user)
                             else "not_your_commune", "areas")
        places[place.key] = place
    whole = {p.commune.id for p in places.values() if p.village is None}
    return [p for p in places.values() if p.village is None or p.commune.id not in whole]


def _text(value: str, code: str, limit: int, field_name: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise AlertError(code, field_name)
    if len(cleaned) > limit:
        raise AlertError("too_long", field_name)
    return cleaned


# -- writing --------------------------------------------------------------------------------

def issue(session: Session, user: User, data: AlertInput, *,
          now: datetime | None = None) -> Alert:
    """Issue the alert and queue it, urgent, to the subscribers it reaches: one transaction."""
    from app.village.subscriptions import queue_alert

    now = now or utcnow()
    if data.hazard not in HAZARDS:
        raise AlertError("bad_hazard", "hazard")
    if data.severity not in SEVERITIES:
        raise AlertError("bad_severity", "severity")
    title_vi = _text(data.title_vi, "title_vi_required", TITLE_MAX, "title_vi")
    body_vi = _text(data.body_vi, "body_vi_required", BODY_MAX, "body_vi")
    title_en, body_en = (data.title_en or "").strip(), (data.body_en or "").strip()
    if title_en and not body_en:
        raise AlertError("body_en_missing", "body_en")
    if body_en and not title_en:
        raise AlertError("title_en_missing", "title_en")
    if len(title_en) > TITLE_MAX or len(body_en) > BODY_MAX:
        raise AlertError("too_long", "title_en" if len(title_en) > TITLE_MAX else "body_en")
    if data.expires_at is None:
        raise AlertError("expiry_required", "expires_at")
    if data.expires_at <= now:
        raise AlertError("expiry_past", "expires_at")
    if data.expires_at > now + MAX_DURATION:
        raise AlertError("expiry_too_far", "expires_at")
    with write_transaction(session):
        places = _areas(session, user, data.area_keys)
        alert = Alert(hazard=data.hazard, severity=data.severity, title_vi=title_vi,
                      title_en=title_en, body_vi=body_vi, body_en=body_en,
                      issued_by_id=user.id, issued_at=now, expires_at=data.expires_at)
        alert.areas = [AlertArea(unit_id=(p.village or p.commune).id, ends_at=data.expires_at)
                       for p in places]
        session.add(alert)
        session.flush()
        queue_alert(session, alert, places)
    return alert


def withdraw(session: Session, user: User, alert_id: int, *,
             now: datetime | None = None) -> Alert:
    """End the alert now: its banner and board entry go on the next page anyone opens."""
    now = now or utcnow()
    with write_transaction(session):
        alert = session.get(Alert, alert_id, populate_existing=True)
        if alert is None:
            raise AlertError("not_found")
        if not may_manage(session, user, alert):
            raise AlertError("forbidden")
        if not alert.active(now):
            raise AlertError("already_ended")
        alert.withdrawn_at, alert.withdrawn_by_id = now, user.id
        session.execute(update(AlertArea).where(AlertArea.alert_id == alert.id,
                                                AlertArea.ends_at > now)
                        .values(ends_at=now).execution_options(synchronize_session=False))
    session.expire(alert, ["areas"])
    return alert


# -- reading --------------------------------------------------------------------------------

def home_units(user) -> tuple[int, ...]:
    """The units whose alerts reach this person: their home commune and village (from the
    account, already loaded with the session). None for anonymous visitors."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    return tuple(u for u in (user.commune_id, user.village_id) if u)


def _most_severe_first(alerts):
    return sorted(alerts, key=lambda a: (-a.severity_rank, a.expires_at, a.id))


def banner_alerts(session: Session, unit_ids: tuple[int, ...], now: datetime) -> list[Alert]:
    """The alerts reaching these units now, most severe first: one statement (module doc)."""
    if not unit_ids:
        return []
    rows = session.scalars(
        select(Alert).join(AlertArea, AlertArea.alert_id == Alert.id)
        .where(AlertArea.unit_id.in_(unit_ids), AlertArea.ends_at > now)).all()
    return _most_severe_first({a.id: a for a in rows}.values())


def current_alerts(session: Session, now: datetime) -> list[Alert]:
    """Every alert in force, with its places, for the public board."""
    rows = session.scalars(
        select(Alert).where(Alert.withdrawn_at.is_(None), Alert.expires_at > now)
        .options(_WITH_PLACES)).all()
    return _most_severe_first(rows)


def managed_alerts(session: Session, user: User, now: datetime) -> tuple[list[Alert], list[Alert]]:
    """(in force, ended in the last 30 days) among the alerts touching this account's places."""
    stmt = (select(Alert).where(Alert.expires_at > now - RECENT)
            .options(_WITH_PLACES)
            .order_by(Alert.issued_at.desc(), Alert.id.desc()))
    communes = communes_staffed(session, user)
    if communes is not None:
        units = set(communes)
        if communes:
            units.update(session.scalars(select(AdminUnit.id).where(
                AdminUnit.parent_id.in_(communes))))
        village = head_of(session, user)
        if village is not None:
            units.add(village.id)
        stmt = stmt.where(Alert.id.in_(select(AlertArea.alert_id)
                                       .where(AlertArea.unit_id.in_(units or {-1}))))
    rows = session.scalars(stmt).all()
    return ([a for a in rows if a.active(now)], [a for a in rows if not a.active(now)])


def visible(session: Session, alert_id: int) -> Alert | None:
    """Alerts are public, in force or ended (a message's link must keep working)."""
    return session.get(Alert, alert_id)

