"""The administrator's view of the notification outbox: what could not be delivered, and a retry
for what a retry can fix. No Flask here.

Secrets never reach this page: the `secret` column is not even loaded, and bodies are not
shown. A message that carried a link (a reset link) is never offered for retry: its link was
erased when it was parked, and the resident must ask for a new one.
"""
from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, defer

from app.admin.services import AdminError, Page, page_of_query, transaction
from app.models import OutboxMessage, utcnow
from app.models.notifications import OUTBOX_ATTENTION_PREDICATE, OUTBOX_ATTENTION_STATUSES
from app.notifications.outbox import SECRET_PLACEHOLDER

# "attention" (failed or undeliverable) is what the page opens on; "all" is everything.
OUTBOX_FILTERS = ("attention", "pending", "sent", "failed", "undeliverable", "all")


def _where(status_filter: str):
    if status_filter == "attention":
        return [text(OUTBOX_ATTENTION_PREDICATE)]
    if status_filter in ("pending", "sent", "failed", "undeliverable"):
        return [OutboxMessage.status == status_filter]
    return []


def outbox_page(session: Session, status_filter: str, page: int | None) -> Page[OutboxMessage]:
    """Messages matching the filter, newest first."""
    stmt = (select(OutboxMessage).options(defer(OutboxMessage.secret))
            .where(*_where(status_filter)).order_by(OutboxMessage.id.desc()))
    return page_of_query(session, stmt, page)


def attention_count(session: Session) -> int:
    return session.scalar(select(func.count(OutboxMessage.id))
                          .where(text(OUTBOX_ATTENTION_PREDICATE))) or 0


def can_retry(message: OutboxMessage, deliverable: bool) -> bool:
    """A parked message can go out again only if its channel now works and it carried no link
    (which was erased)."""
    return (message.status in OUTBOX_ATTENTION_STATUSES and deliverable
            and SECRET_PLACEHOLDER not in message.body)


@transaction
def retry_message(session: Session, message_id: int, *, deliverable: bool) -> OutboxMessage:
    """Put a parked message back in the queue with fresh attempts; the worker sends it next."""
    message = session.get(OutboxMessage, message_id, options=[defer(OutboxMessage.secret)])
    if message is None or not can_retry(message, deliverable):
        raise AdminError("cannot_retry")
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = None
    session.commit()
    return message
