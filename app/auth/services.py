"""Account rules: registration, authentication, password change and reset.

Each function is one transaction: it either commits everything it did or raises and leaves
nothing behind.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import AdminUnit, PasswordResetToken, Role, User, utcnow
from app.db import write_transaction
from app.notifications.outbox import SECRET_PLACEHOLDER, queue_for_user
from app.passwords import hash_password, needs_rehash, verify_password
from app.refusals import Refusal
from app.text import normalize_phone

MIN_PASSWORD_LENGTH = 8


class AccountError(Refusal):
    """A rule refused the request; `field` names the form field to blame, `code` the reason."""


@dataclass(frozen=True)
class Registration:
    full_name: str
    phone: str | None
    email: str | None
    password: str
    commune_id: int
    village_id: int | None
    locale: str = "vi"


def normalize_email(raw: str | None) -> str | None:
    raw = (raw or "").strip()
    return raw.lower() or None


def find_by_login(session: Session, identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    phone = normalize_phone(identifier)
    if phone:
        return session.scalar(select(User).where(User.phone == phone))
    email = normalize_email(identifier)
    if email and "@" in email:
        return session.scalar(select(User).where(User.email == email))
    return None


def _check_home(session: Session, commune_id: int, village_id: int | None) -> None:
    commune = session.get(AdminUnit, commune_id)
    if commune is None or commune.level != "commune":
        raise AccountError("unknown_commune", "commune_id")
    if village_id is not None:
        village = session.get(AdminUnit, village_id)
        if village is None or village.level != "village" or village.parent_id != commune_id:
            raise AccountError("village_not_in_commune", "village_id")


def register_resident(session: Session, reg: Registration) -> User:
    phone = normalize_phone(reg.phone) if reg.phone else None
    if reg.phone and not phone:
        raise AccountError("bad_phone", "phone")
    email = normalize_email(reg.email)
    if not phone and not email:
        raise AccountError("no_contact", "phone")
    if len(reg.password) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password", "password")
    password_hash = hash_password(reg.password)  # slow on purpose: before taking the write lock
    try:
        with write_transaction(session):
            _check_home(session, reg.commune_id, reg.village_id)
            if phone and session.scalar(select(User.id).where(User.phone == phone)):
                raise AccountError("phone_taken", "phone")
            if email and session.scalar(select(User.id).where(User.email == email)):
                raise AccountError("email_taken", "email")
            user = User(full_name=reg.full_name.strip(), phone=phone, email=email,
                        password_hash=password_hash, role=Role.RESIDENT.value,
                        commune_id=reg.commune_id, village_id=reg.village_id,
                        locale=reg.locale if reg.locale in ("vi", "en") else "vi")
            session.add(user)
    except IntegrityError:
        # Two registrations raced for the same phone or email: the database decided.
        raise AccountError("phone_taken" if phone else "email_taken", "phone" if phone else "email")
    return user


def authenticate(session: Session, identifier: str, password: str) -> User | None:
    user = find_by_login(session, identifier)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
    user_id = user.id
    with write_transaction(session):
        user = session.get(User, user_id)
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = utcnow()
    return user


def log_out_everywhere(session: Session, user: User) -> None:
    """End this session and every other one of the account (see User.end_all_sessions)."""
    user_id = user.id
    with write_transaction(session):
        session.get(User, user_id).end_all_sessions()


def change_password(session: Session, user: User, current: str, new: str) -> User:
    """Change the password and end every earlier session; the caller logs the person in again
    on the device they used, with the new session generation."""
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password", "current_password")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password", "new_password")
    new_hash = hash_password(new)
    user_id = user.id
    with write_transaction(session):
        user = session.get(User, user_id)
        user.password_hash = new_hash
        user.end_all_sessions()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(session: Session, identifier: str, *, minutes: int,
                           link_for, subject: str, body_template: str) -> bool:
    """Queue a reset link for the account, if there is one. The caller says the same thing
    either way, so the form does not reveal who has an account. Returns whether one was sent.

    The link goes into the outbox as the message's secret, not into its body: the outbox
    erases it once the message is delivered (or cannot be), so the table never keeps a
    working reset link."""
    with write_transaction(session):
        user = find_by_login(session, identifier)
        if user is None or not user.active:
            return False
        token = secrets.token_urlsafe(32)
        session.add(PasswordResetToken(user_id=user.id, token_hash=_token_hash(token),
                                       expires_at=utcnow() + timedelta(minutes=minutes)))
        queue_for_user(session, user, subject,
                       body_template.format(link=SECRET_PLACEHOLDER, minutes=minutes),
                       secret=link_for(token))
    return True


def reset_password(session: Session, token: str, new: str) -> User:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password", "password")
    new_hash = hash_password(new)
    with write_transaction(session):
        record = session.scalar(select(PasswordResetToken)
                                .where(PasswordResetToken.token_hash == _token_hash(token or "")))
        if record is None or record.used_at is not None:
            raise AccountError("invalid_token")
        if record.expires_at <= utcnow():
            raise AccountError("expired_token")
        record.used_at = utcnow()
        record.user.password_hash = new_hash
        # Whoever had the account's sessions (the reason for a reset, often) loses them.
        record.user.end_all_sessions()
        # Any other outstanding link for this account dies with this one.
        for other in session.scalars(select(PasswordResetToken).where(
                PasswordResetToken.user_id == record.user_id, PasswordResetToken.used_at.is_(None))):
            other.used_at = record.used_at
        user = record.user
    return user


def create_staff(session: Session, *, full_name: str, password: str, role: str,
                 email: str | None = None, phone: str | None = None,
                 commune_id: int | None = None) -> User:
    if role not in {r.value for r in Role}:
        raise AccountError("bad_role", "role")
    phone_n = normalize_phone(phone) if phone else None
    if phone and not phone_n:
        raise AccountError("bad_phone", "phone")
    email_n = normalize_email(email)
    if not phone_n and not email_n:
        raise AccountError("no_contact", "email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("short_password", "password")
    if email_n and session.scalar(select(User.id).where(User.email == email_n)):
        raise AccountError("email_taken", "email")
    if phone_n and session.scalar(select(User.id).where(User.phone == phone_n)):
        raise AccountError("phone_taken", "phone")
    user = User(full_name=full_name, email=email_n, phone=phone_n, role=role,
                password_hash=hash_password(password), commune_id=commune_id)
    # join: the administration creates officers inside its own transaction (with their seat).
    with write_transaction(session, join=True):
        session.add(user)
    return user
