"""API keys of Open311 clients: made by an administrator (on a page or with `flask --app wsgi
api-key create NAME`), shown once, kept only as a SHA-256 hash, revoked at any time.

A key is 32 random bytes, so a plain SHA-256 suffices: there is no password to guess, and the
look-up by hash is one indexed equality. No Flask here.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.inputs import bad_character, clean_text
from app.models import ApiKey, utcnow
from app.reports.errors import ReportError

PREFIX = "cl_"
NAME_MAX = 100


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str, created_by_id: int | None = None) -> tuple[ApiKey, str]:
    """A new key for the client `name`: the row, and the key itself (shown once, never kept)."""
    clean = " ".join(clean_text(name or "").split())
    if not clean or bad_character(clean):
        raise ReportError("key_name_required", "name")
    if len(clean) > NAME_MAX:
        raise ReportError("too_long", "name", max=NAME_MAX)
    key = PREFIX + secrets.token_urlsafe(32)
    with write_transaction(session):
        row = ApiKey(name=clean, key_hash=_hash(key), prefix=key[:10],
                     created_by_id=created_by_id)
        session.add(row)
    return row, key


def revoke(session: Session, key_id: int, now: datetime | None = None) -> ApiKey:
    with write_transaction(session):
        row = session.get(ApiKey, key_id)
        if row is None:
            raise ReportError("unknown_key")
        if row.revoked_at is None:
            row.revoked_at = now or utcnow()
    return row


def all_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None),
                                                        ApiKey.created_at.desc())))


def verify(session: Session, key: str | None) -> ApiKey | None:
    """The active key row for `key`, or None (missing, unknown or revoked)."""
    if not key or len(key) > 200 or not key.isascii():
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(key.strip())))
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch(session: Session, row: ApiKey, now: datetime | None = None) -> None:
    """Remember when the key was last used (joins the caller's transaction)."""
    session.execute(update(ApiKey).where(ApiKey.id == row.id)
                    .values(last_used_at=now or utcnow())
                    .execution_options(synchronize_session=False))
