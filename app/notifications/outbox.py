"""Queue messages in the outbox (same transaction as the change) and deliver them later. No
Flask here: the worker (app/queue_cli.py) passes the channels and settings in.

Delivery is safe with any number of workers on any number of nodes:

* **Claim one message at a time, with a lease.** One statement picks the most overdue due
  message and pushes its `next_attempt_at` forward by the lease, counting the attempt
  (PostgreSQL: a MATERIALIZED candidate `FOR UPDATE SKIP LOCKED`, so two workers never wait
  for or take the same row; SQLite: the same UPDATE inside BEGIN IMMEDIATE). The claim commits
  before anything is sent, and the outcome commits right after, per message: a failure later in
  the batch never re-sends what already went out. A worker that dies mid-send leaves the
  message due again when its lease runs out. The lease must outlast a send (SMTP gives up after
  20 s; the default lease is 5 minutes).
* **The outcome is fenced by the attempt number**: a worker that overran its lease cannot
  overwrite the outcome of the attempt that re-claimed the message.
* **Backoff**: a failed attempt is due again after OUTBOX_BACKOFF_SECONDS, doubling each time,
  capped at OUTBOX_BACKOFF_MAX_SECONDS; after OUTBOX_MAX_ATTEMPTS it is parked as `failed` for
  the administrator (app/admin/outbox_services.py).
* **No channel, no lie**: a message for a channel that cannot reach anyone (an SMS with no
  gateway) becomes `undeliverable` with the reason, never `sent`.
* **Secrets**: a reset link travels in `secret`, apart from the body, which holds
  SECRET_PLACEHOLDER; it is put into the text only while sending and erased as soon as the
  message is sent, parked or undeliverable, and by the worker once older than
  OUTBOX_SECRET_MAX_AGE_MINUTES (a message whose link expired before it could go out is parked
  rather than sent with a dead link).

* **Priority before age**: among due messages the claim takes the most urgent first
  (PRIORITY_URGENT emergency alerts, then PRIORITY_NORMAL messages about a person's own
  business, then PRIORITY_BULK village announcements and digests), then the most overdue. One
  announcement to a commune queues hundreds of messages; a flood alert or a password reset
  queued after them must not wait behind them.

The claim relies on the partial index `ix_outbox_due` (priority, next_attempt_at, id) WHERE
status = 'pending' (migrations/versions/0013_announcements.py); the predicate is written
literally so SQLite uses it, and tests/integration/test_outbox.py checks the plan on both
engines.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.db import is_sqlite, write_transaction
from app.models import OutboxMessage, User, utcnow
from app.models.notifications import (OUTBOX_DUE_PREDICATE, PRIORITY_BULK, PRIORITY_NORMAL,
                                      PRIORITY_URGENT)
from app.notifications.channels import Channel, Outgoing

log = logging.getLogger("conglang.outbox")

# Where the secret goes in a body queued with `secret=`.
SECRET_PLACEHOLDER = "[[secret]]"
# `last_error` of a message whose secret was erased (too old) before it could be sent.
SECRET_EXPIRED = "secret_expired"

_outbox = OutboxMessage.__table__


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 5
    lease_seconds: int = 300
    backoff_seconds: int = 60
    backoff_max_seconds: int = 3600
    # Longer than any link we send lives (a reset link: PASSWORD_RESET_MINUTES, 30 by default).
    secret_max_age_minutes: int = 60
    # Messages one worker pass sends at most, so the SLA sweep is never starved.
    batch: int = 200

    @classmethod
    def from_config(cls, config: Mapping) -> "DeliverySettings":
        d = cls()
        return cls(
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS", d.max_attempts)),
            lease_seconds=int(config.get("OUTBOX_LEASE_SECONDS", d.lease_seconds)),
            backoff_seconds=int(config.get("OUTBOX_BACKOFF_SECONDS", d.backoff_seconds)),
            backoff_max_seconds=int(config.get("OUTBOX_BACKOFF_MAX_SECONDS",
                                               d.backoff_max_seconds)),
            secret_max_age_minutes=int(config.get("OUTBOX_SECRET_MAX_AGE_MINUTES",
                                                  d.secret_max_age_minutes)),
            batch=int(config.get("OUTBOX_BATCH", d.batch)),
        )

    def backoff(self, attempt: int) -> timedelta:
        """Wait before the attempt after `attempt` (1-based): base, 2x base, 4x base, ... capped."""
        seconds = self.backoff_seconds * 2 ** min(max(attempt - 1, 0), 30)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0       # failed this time, due again after the backoff
    failed: int = 0         # parked after the last attempt, or its link expired first
    undeliverable: int = 0  # no channel can reach the recipient
    secrets_erased: int = 0

    def summary(self) -> str:
        return (f"sent={self.sent} retrying={self.retrying} failed={self.failed} "
                f"undeliverable={self.undeliverable} secrets_erased={self.secrets_erased}")


# -- queueing (inside the caller's transaction) ----------------------------------------------

def queue_message(session: Session, *, recipient: str, subject: str, body: str,
                  channel: str = "email", user_id: int | None = None,
                  secret: str | None = None, priority: int = PRIORITY_NORMAL,
                  unsubscribe_url: str | None = None) -> OutboxMessage:
    """Add a message to the caller's transaction. With `secret`, `body` must hold
    SECRET_PLACEHOLDER where the secret (a link with a live token) goes."""
    if secret is not None and SECRET_PLACEHOLDER not in body:
        raise ValueError("a message with a secret needs SECRET_PLACEHOLDER in its body")
    if priority not in (PRIORITY_URGENT, PRIORITY_NORMAL, PRIORITY_BULK):
        raise ValueError("unknown priority")
    message = OutboxMessage(recipient=recipient, subject=subject[:200], body=body,
                            channel=channel, user_id=user_id, secret=secret, priority=priority,
                            unsubscribe_url=unsubscribe_url)
    session.add(message)
    return message


def channel_for(user: User) -> str:
    """E-mail when the account has one, otherwise a text message to the phone."""
    return "email" if user.email else "sms"


def queue_for_user(session: Session, user: User, subject: str, body: str, *,
                   secret: str | None = None, priority: int = PRIORITY_NORMAL,
                   unsubscribe_url: str | None = None) -> OutboxMessage:
    channel = channel_for(user)
    recipient = user.email if channel == "email" else (user.phone or "")
    return queue_message(session, recipient=recipient, subject=subject, body=body,
                         channel=channel, user_id=user.id, secret=secret, priority=priority,
                         unsubscribe_url=unsubscribe_url)


# -- delivery (the worker) ------------------------------------------------------------------

@dataclass(frozen=True)
class _Claimed:
    message: Outgoing
    body: str
    secret: str | None


def _claim_statement(now: datetime, lease_until: datetime, *, sqlite: bool):
    candidate = (select(_outbox.c.id)
                 .where(text(OUTBOX_DUE_PREDICATE), _outbox.c.next_attempt_at <= now)
                 .order_by(_outbox.c.priority, _outbox.c.next_attempt_at, _outbox.c.id)
                 .limit(1))
    claim = update(_outbox).values(next_attempt_at=lease_until, attempts=_outbox.c.attempts + 1)
    if sqlite:
        # Inside BEGIN IMMEDIATE nobody else writes; the subquery runs once.
        claim = claim.where(_outbox.c.id == candidate.scalar_subquery())
    else:
        # MATERIALIZED so the planner cannot re-run the LIMIT 1 subquery per row; SKIP LOCKED
        # so a second worker takes the next message instead of waiting for this one.
        picked = (candidate.with_for_update(skip_locked=True)
                  .cte("picked").prefix_with("MATERIALIZED"))
        claim = claim.where(_outbox.c.id == picked.c.id)
    return claim.returning(_outbox.c.id, _outbox.c.channel, _outbox.c.recipient,
                           _outbox.c.subject, _outbox.c.body, _outbox.c.secret,
                           _outbox.c.attempts, _outbox.c.unsubscribe_url)


def claim_next(session: Session, now: datetime, settings: DeliverySettings) -> _Claimed | None:
    """Claim the most overdue due message for one attempt, committed; None when none is due."""
    lease_until = now + timedelta(seconds=settings.lease_seconds)
    with write_transaction(session):
        row = session.execute(_claim_statement(now, lease_until,
                                               sqlite=is_sqlite(session))).first()
    if row is None:
        return None
    return _Claimed(Outgoing(row.id, row.channel, row.recipient, row.subject, row.attempts,
                             row.unsubscribe_url),
                    row.body, row.secret)


def _finish(session: Session, claimed: _Claimed, **values) -> bool:
    """Record the attempt's outcome unless another worker has claimed the message since."""
    message = claimed.message
    with write_transaction(session):
        result = session.execute(
            update(_outbox)
            .where(_outbox.c.id == message.id, _outbox.c.attempts == message.attempt,
                   _outbox.c.status == "pending")
            .values(**values))
    if result.rowcount == 0:
        log.warning("outbox: message %s was claimed again while attempt %s was sending; "
                    "raise OUTBOX_LEASE_SECONDS above the slowest send", message.id,
                    message.attempt)
        return False
    return True


def _scrub(error: BaseException, secret: str | None) -> str:
    """An error text for the database and the log, without the secret a gateway may echo."""
    words = str(error) or type(error).__name__
    if secret:
        words = words.replace(secret, SECRET_PLACEHOLDER)
    return words[:500]


def deliver_one(session: Session, claimed: _Claimed, channels: Mapping[str, Channel],
                settings: DeliverySettings, report: DeliveryReport,
                clock: Callable[[], datetime] = utcnow) -> None:
    message = claimed.message
    channel = channels.get(message.channel)
    who = masked_recipient(message.recipient)
    if channel is None or not channel.available:
        reason = channel.unavailable_reason if channel is not None else f"no_channel:{message.channel}"
        if _finish(session, claimed, status="undeliverable", secret=None, last_error=reason):
            report.undeliverable += 1
            log.warning("outbox: message %s to %s is undeliverable (%s)", message.id, who, reason)
        return
    if SECRET_PLACEHOLDER in claimed.body and claimed.secret is None:
        if _finish(session, claimed, status="failed", last_error=SECRET_EXPIRED):
            report.failed += 1
            log.warning("outbox: message %s to %s parked: its link expired before it could be "
                        "sent", message.id, who)
        return
    body = claimed.body
    if claimed.secret is not None:
        body = body.replace(SECRET_PLACEHOLDER, claimed.secret)
    try:
        channel.send(message, body)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
        error = _scrub(exc, claimed.secret)
        if message.attempt >= settings.max_attempts:
            if _finish(session, claimed, status="failed", secret=None, last_error=error):
                report.failed += 1
                log.error("outbox: message %s to %s by %s parked after %s attempts: %s",
                          message.id, who, message.channel, message.attempt, error)
        else:
            due = clock() + settings.backoff(message.attempt)
            if _finish(session, claimed, next_attempt_at=due, last_error=error):
                report.retrying += 1
                log.warning("outbox: message %s to %s by %s failed (attempt %s of %s), retrying "
                            "at %s: %s", message.id, who, message.channel, message.attempt,
                            settings.max_attempts, due.isoformat(timespec="seconds"), error)
        return
    if _finish(session, claimed, status="sent", sent_at=clock(), secret=None, last_error=None):
        report.sent += 1
        log.info("outbox: message %s sent by %s to %s (attempt %s)", message.id,
                 message.channel, who, message.attempt)


def erase_old_secrets(session: Session, now: datetime, settings: DeliverySettings) -> int:
    """Forget secrets older than their useful life, delivered or not; returns how many."""
    cutoff = now - timedelta(minutes=settings.secret_max_age_minutes)
    with write_transaction(session):
        result = session.execute(
            update(_outbox)
            .where(_outbox.c.secret.is_not(None), _outbox.c.created_at < cutoff)
            .values(secret=None))
    return result.rowcount


def deliver_due(session: Session, channels: Mapping[str, Channel],
                settings: DeliverySettings = DeliverySettings(),
                clock: Callable[[], datetime] = utcnow) -> DeliveryReport:
    """One delivery pass: erase stale secrets, then send due messages one by one, each claimed
    and finished in its own transactions, up to `settings.batch` of them."""
    report = DeliveryReport()
    report.secrets_erased = erase_old_secrets(session, clock(), settings)
    for _ in range(settings.batch):
        claimed = claim_next(session, clock(), settings)
        if claimed is None:
            break
        deliver_one(session, claimed, channels, settings, report, clock)
    return report


# -- showing messages -----------------------------------------------------------------------

def masked_recipient(recipient: str) -> str:
    """Enough to recognise a recipient, not to contact them: 09****5678, b***@example.vn."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(recipient) <= 6:
        return "*" * len(recipient)
    return recipient[:2] + "*" * (len(recipient) - 6) + recipient[-4:]
