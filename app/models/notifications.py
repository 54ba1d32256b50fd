"""Notification outbox: written in the same transaction as the change it announces, delivered
later by `flask worker` (app/notifications/outbox.py), so a mail server outage never loses or
blocks a user's action."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

# pending: waiting or being sent; sent; failed: parked after the last attempt (or its link
# expired first); undeliverable: no channel can reach the recipient (no SMS gateway).
OUTBOX_STATUSES = ("pending", "sent", "failed", "undeliverable")
# Queries repeat these literally so SQLite matches them to the partial indexes.
OUTBOX_DUE_PREDICATE = "status = 'pending'"
# Delivery order before due time: an emergency alert goes before a password reset, which goes
# before the hundreds of messages one village announcement queues (app/notifications/outbox.py).
PRIORITY_URGENT = 0
PRIORITY_NORMAL = 1
PRIORITY_BULK = 2
# Parked messages, which only an administrator can do something about.
OUTBOX_ATTENTION_STATUSES = ("failed", "undeliverable")
OUTBOX_ATTENTION_PREDICATE = "status IN ('failed', 'undeliverable')"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'undeliverable')",
                        name="status"),
        # The claim walks this in order (priority first); sent and parked messages are not in it.
        Index("ix_outbox_due", "priority", "next_attempt_at", "id",
              sqlite_where=text(OUTBOX_DUE_PREDICATE),
              postgresql_where=text(OUTBOX_DUE_PREDICATE)),
        # The worker erases secrets older than their useful life.
        Index("ix_outbox_secret_age", "created_at",
              sqlite_where=text("secret IS NOT NULL"), postgresql_where=text("secret IS NOT NULL")),
        # What the administrator must look at, newest first. Partial, like the claim's index:
        # a plain (status, id) index tempts SQLite away from ix_outbox_due for the claim.
        Index("ix_outbox_attention", "id",
              sqlite_where=text(OUTBOX_ATTENTION_PREDICATE),
              postgresql_where=text(OUTBOX_ATTENTION_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email | sms
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    # May hold SECRET_PLACEHOLDER where `secret` goes, substituted only when sending.
    body: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(15), default="pending", server_default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the message is due: now, after a backoff, or when a claim's lease runs out.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[int] = mapped_column(default=PRIORITY_NORMAL, server_default="1")
    # A link that stops messages of this kind in one step (RFC 8058 List-Unsubscribe for
    # e-mail; the body carries it too, for SMS).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
