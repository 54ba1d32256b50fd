"""Queue messages in the outbox (same transaction as the change) and deliver them later."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Callable, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxMessage, User, utcnow

log = logging.getLogger("conglang.outbox")
MAX_ATTEMPTS = 5


class Sender(Protocol):
    def __call__(self, message: OutboxMessage) -> None: ...


def queue_message(session: Session, *, recipient: str, subject: str, body: str,
                  channel: str = "email", user_id: int | None = None) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject[:200], body=body,
                            channel=channel, user_id=user_id)
    session.add(message)
    return message


SECRET_PLACEHOLDER = "{secret}"  # TEMPORARY until the outbox keeps secrets apart


def queue_for_user(session: Session, user: User, subject: str, body: str,
                   secret: str | None = None) -> OutboxMessage:
    """Email when the account has one, otherwise a text message to the phone."""
    if secret is not None:
        body = body.replace(SECRET_PLACEHOLDER, secret)
    if user.email:
        return queue_message(session, recipient=user.email, subject=subject, body=body,
                             channel="email", user_id=user.id)
    return queue_message(session, recipient=user.phone or "", subject=subject, body=body,
                         channel="sms", user_id=user.id)


def log_sender(message: OutboxMessage) -> None:
    """Development and SMS without a gateway: the message goes to the log."""
    log.info("[%s to %s] %s\n%s", message.channel, message.recipient, message.subject, message.body)


def smtp_sender(config: dict) -> Sender:
    def send(message: OutboxMessage) -> None:
        if message.channel != "email":
            log_sender(message)
            return
        mail = EmailMessage()
        mail["From"] = config["MAIL_SENDER"]
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(mail)

    return send


def sender_for(config: dict) -> Sender:
    return smtp_sender(config) if config.get("MAIL_SERVER") else log_sender


def deliver_pending(session: Session, send: Callable[[OutboxMessage], None],
                    batch: int = 100) -> tuple[int, int]:
    """Send what is waiting; returns (sent, failed). A failure is retried on the next run."""
    pending = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(batch)
    ).all()
    sent = failed = 0
    for message in pending:
        message.attempts += 1
        try:
            send(message)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
            message.last_error = str(exc)[:500]
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
    session.commit()
    return sent, failed


def rendered_body(message: OutboxMessage) -> str:  # TEMPORARY until the outbox keeps secrets apart
    return message.body
