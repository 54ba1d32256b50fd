"""Residents following their village: who hears of a new announcement or alert, the messages
queued for them, the daily digest, and unsubscribing in one step.

Who a notice reaches, one rule seen from both ends:
* a subscription to a **village** follows that village's notices and those for its whole
  commune (a commune's vaccination day concerns every village);
* a subscription to a **commune** follows everything in it: its own notices and every
  village's.
`audience_units` turns a notice's places into the subscription units it reaches (the fan-out
asks the index on `village_subscriptions.unit_id`); `reaches` answers the same question for one
subscription and one notice (the digest); tests/unit/test_village_audience.py checks that they
agree.

Messages ride the transaction that publishes (announcements, PRIORITY_BULK) or issues (alerts,
PRIORITY_URGENT) the notice, so none announces something that rolled back, and the outbox
delivers alerts before the bulk of an earlier announcement. Each ends with a signed unsubscribe
link (no login needed); e-mails also carry RFC 8058 List-Unsubscribe headers pointing at the
one-click address.

The daily digest (`send_digests`, run by every `flask worker` pass) is safe with several
workers: candidates are locked with SKIP LOCKED on PostgreSQL (BEGIN IMMEDIATE serialises them
on SQLite), and `digest_sent_until` moves by a guarded UPDATE, so only the worker whose UPDATE
changed the row queues that person's digest.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Iterable

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db import begin_write, is_sqlite, write_transaction
from app.inputs import parse_id
from app.models import AdminUnit, Alert, Announcement, User, VillageSubscription, utcnow
from app.models.announcements import (ANNOUNCEMENT_CATEGORIES, ANNOUNCEMENT_MODES,
                                      DIGEST_PREDICATE)
from app.notifications.outbox import PRIORITY_BULK, PRIORITY_URGENT, channel_for, queue_for_user
from app.queue.calendar import LOCAL_TZ
from app.refusals import Refusal
from app.village.services import Place

SCOPES = ("village", "commune")
# An unsubscribe link keeps working this long (messages are read late, and forwarded).
TOKEN_MAX_AGE = timedelta(days=400)
_TOKEN_SALT = "village-unsubscribe"
DIGEST_BATCH = 200

_subs = VillageSubscription.__table__


class SubscriptionError(Refusal):
    pass


# -- who a notice reaches --------------------------------------------------------------------

def audience_units(session: Session, places: Iterable[Place]) -> set[int]:
    """The subscription units a notice for these places reaches."""
    units: set[int] = set()
    whole_communes = []
    for place in places:
        units.add(place.commune.id)
        if place.village is not None:
            units.add(place.village.id)
        else:
            whole_communes.append(place.commune.id)
    if whole_communes:
        units.update(session.scalars(select(AdminUnit.id).where(
            AdminUnit.parent_id.in_(whole_communes), AdminUnit.level == "village")))
    return units


def reaches(unit: AdminUnit, commune_id: int, village_id: int | None) -> bool:
    """Whether a subscription to `unit` follows a notice of (commune, village or None)."""
    if unit.level == "commune":
        return unit.id == commune_id
    return unit.id == village_id or (village_id is None and unit.parent_id == commune_id)


def _subscribers(session: Session, units: set[int], *, alerts: bool):
    stmt = (select(VillageSubscription, User)
            .join(User, User.id == VillageSubscription.user_id)
            .where(VillageSubscription.unit_id.in_(units or {-1}), User.active.is_(True))
            .order_by(VillageSubscription.user_id))
    if alerts:
        stmt = stmt.where(VillageSubscription.alerts.is_(True))
    else:
        stmt = stmt.where(VillageSubscription.announcements == "each")
    return session.execute(stmt).all()


def _place_name(place: Place, lang: str) -> str:
    if place.village is not None:
        return f"{place.village.name(lang)}, {place.commune.name(lang)}"
    return place.commune.name(lang)


def queue_announcement(session: Session, announcement: Announcement, place: Place) -> int:
    """Queue the new announcement to those who follow it each time; inside the caller's
    transaction. Returns how many messages were queued."""
    from app.village.notice_messages import announcement_message, unsubscribe_links

    queued = 0
    for subscription, user in _subscribers(session, audience_units(session, [place]),
                                           alerts=False):
        if not subscription.wants(announcement.category):
            continue
        page, one_click = unsubscribe_links(user)
        subject, body = announcement_message(user, announcement, _place_name(place, user.locale),
                                             sms=channel_for(user) == "sms",
                                             unsubscribe_page=page)
        queue_for_user(session, user, subject, body, priority=PRIORITY_BULK,
                       unsubscribe_url=one_click)
        queued += 1
    return queued


def queue_alert(session: Session, alert: Alert, places: list[Place]) -> int:
    """Queue the alert, urgent, to every subscriber it reaches who wants alerts."""
    from app.village.notice_messages import alert_message, unsubscribe_links

    queued = 0
    for _subscription, user in _subscribers(session, audience_units(session, places),
                                            alerts=True):
        page, one_click = unsubscribe_links(user)
        names = "; ".join(_place_name(p, user.locale) for p in places)
        subject, body = alert_message(user, alert, names, sms=channel_for(user) == "sms",
                                      unsubscribe_page=page)
        queue_for_user(session, user, subject, body, priority=PRIORITY_URGENT,
                       unsubscribe_url=one_click)
        queued += 1
    return queued


# -- a person's subscription -----------------------------------------------------------------

def subscription_of(session: Session, user: User) -> VillageSubscription | None:
    return session.get(VillageSubscription, user.id)


@dataclass
class SubscriptionInput:
    scope: str                 # "village" or "commune"
    alerts: bool
    announcements: str         # each | digest | none
    categories: list[str]


def save(session: Session, user: User, data: SubscriptionInput, *,
         now: datetime | None = None) -> VillageSubscription:
    """Follow the person's own village or commune (their home, from their account)."""
    now = now or utcnow()
    if data.scope not in SCOPES:
        raise SubscriptionError("bad_scope", "scope")
    if data.scope == "village" and user.village_id is None:
        raise SubscriptionError("no_village", "scope")
    if user.commune_id is None:
        raise SubscriptionError("no_home")
    if data.announcements not in ANNOUNCEMENT_MODES:
        raise SubscriptionError("bad_mode", "announcements")
    if any(c not in ANNOUNCEMENT_CATEGORIES for c in data.categories):
        raise SubscriptionError("bad_category", "categories")
    if not data.alerts and data.announcements == "none":
        raise SubscriptionError("nothing_chosen", "alerts")
    unit_id = user.village_id if data.scope == "village" else user.commune_id
    categories = ",".join(c for c in ANNOUNCEMENT_CATEGORIES if c in data.categories)
    with write_transaction(session):
        row = session.get(VillageSubscription, user.id)
        if row is None:
            row = VillageSubscription(user_id=user.id, created_at=now, digest_sent_until=now)
            session.add(row)
        elif row.announcements != "digest" and data.announcements == "digest":
            row.digest_sent_until = now  # the first digest covers from now, not a backlog
        row.unit_id, row.alerts = unit_id, data.alerts
        row.announcements, row.categories = data.announcements, categories
        row.updated_at = now
    return row


def unsubscribe(session: Session, user_id: int) -> bool:
    """Stop every village message to this person; False when there was nothing to stop."""
    with write_transaction(session):
        row = session.get(VillageSubscription, user_id)
        if row is None:
            return False
        session.delete(row)
    return True


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_TOKEN_SALT)


def unsubscribe_token(user_id: int) -> str:
    return _serializer().dumps(user_id)


def read_unsubscribe_token(token: str) -> int | None:
    """The account an unsubscribe link was made for, or None when it was altered or is too
    old."""
    if not token or len(token) > 200:
        return None
    try:
        value = _serializer().loads(token, max_age=int(TOKEN_MAX_AGE.total_seconds()))
        return parse_id(value)
    except (BadSignature, ValueError, TypeError):
        return None


# -- the daily digest ------------------------------------------------------------------------

def digest_slot(now: datetime, hour: int) -> datetime:
    """The last daily digest time (`hour`:00 in Vietnam) at or before `now`, in UTC."""
    local = now.astimezone(LOCAL_TZ)
    slot = datetime.combine(local.date(), time(hour), tzinfo=LOCAL_TZ)
    if slot > local:
        slot -= timedelta(days=1)
    return slot.astimezone(now.tzinfo or LOCAL_TZ)


def _digest_batch(session: Session, slot: datetime, batch: int) -> tuple[int, int]:
    """One batch of digests, committed; returns (candidates seen, digests queued)."""
    from app.village.notice_messages import digest_message, unsubscribe_links

    try:
        begin_write(session)
        stmt = (select(_subs.c.user_id, _subs.c.unit_id, _subs.c.categories,
                       _subs.c.digest_sent_until)
                .where(text(DIGEST_PREDICATE), _subs.c.digest_sent_until < slot)
                .order_by(_subs.c.digest_sent_until).limit(batch))
        if not is_sqlite(session):
            stmt = stmt.with_for_update(skip_locked=True)
        rows = session.execute(stmt).all()
        candidates, queued = len(rows), 0
        if rows:
            # Only rows this worker moved get a digest: another worker may have moved the rest.
            moved = set(session.scalars(
                _subs.update()
                .where(_subs.c.user_id.in_([r.user_id for r in rows]),
                       _subs.c.digest_sent_until < slot)
                .values(digest_sent_until=slot)
                .returning(_subs.c.user_id)))
            rows = [r for r in rows if r.user_id in moved]
        if rows:
            since = min(r.digest_sent_until for r in rows)
            published = session.scalars(
                select(Announcement)
                .where(Announcement.status == "published", Announcement.created_at > since,
                       Announcement.created_at <= slot)
                .order_by(Announcement.created_at, Announcement.id)).all()
            if published:
                units = {u.id: u for u in session.scalars(select(AdminUnit).where(
                    AdminUnit.id.in_({r.unit_id for r in rows})))}
                people = {u.id: u for u in session.scalars(select(User).where(
                    User.id.in_([r.user_id for r in rows]), User.active.is_(True)))}
                for row in rows:
                    user, unit = people.get(row.user_id), units.get(row.unit_id)
                    if user is None or unit is None:
                        continue
                    chosen = [c for c in row.categories.split(",") if c]
                    mine = [a for a in published
                            if a.created_at > row.digest_sent_until
                            and reaches(unit, a.unit_id, a.village_id)
                            and (not chosen or a.category in chosen)]
                    if not mine:
                        continue
                    places = {a.id: (f"{a.village.name(user.locale)}, " if a.village else "")
                              + a.unit.name(user.locale) for a in mine}
                    page, one_click = unsubscribe_links(user)
                    subject, body = digest_message(user, mine, places,
                                                   sms=channel_for(user) == "sms",
                                                   unsubscribe_page=page)
                    queue_for_user(session, user, subject, body, priority=PRIORITY_BULK,
                                   unsubscribe_url=one_click)
                    queued += 1
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return candidates, queued


def send_digests(session: Session, now: datetime, *, hour: int,
                 batch: int = DIGEST_BATCH) -> int:
    """Queue each digest subscriber's digest of the announcements published since their last
    one, once a day at `hour` local time; returns how many digests were queued."""
    slot = digest_slot(now, hour)
    total = 0
    while True:
        candidates, queued = _digest_batch(session, slot, batch)
        total += queued
        if candidates < batch:
            return total
