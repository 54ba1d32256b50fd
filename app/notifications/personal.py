"""Messages to people about something they follow, each in their own language, queued in the
outbox inside the caller's transaction (so no message announces a change that rolled back).

The one rule for who hears such news: an active account that can be reached (an e-mail
address or a phone number). The words are composed inside the recipient's locale, so lazy
labels and `gettext` read in their language. Used by the participation side (initiatives and
their partners, moderation, the village needs board); a case's own messages go through its
kind's `notices()` instead (app/queue/kinds.py).
"""
from __future__ import annotations

from typing import Callable, Iterable

from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.models import User
from app.notifications.outbox import queue_for_user

__all__ = ["reachable", "tell", "tell_each"]


def reachable(user: User | None) -> bool:
    return user is not None and bool(user.active) and bool(user.email or user.phone)


def tell(session: Session, user: User | None,
         compose: Callable[[], tuple[str, str]]) -> bool:
    """Queue (subject, body) from `compose()`, called in `user`'s language; False when the
    account cannot be reached (nothing is queued)."""
    if not reachable(user):
        return False
    with force_locale(user.locale or "vi"):
        subject, body = compose()
        queue_for_user(session, user, str(subject), str(body))
    return True


def tell_each(session: Session, people: Iterable[User | None],
              compose: Callable[[], tuple[str, str]]) -> int:
    """`tell` every person once (an account listed twice hears once); how many were told."""
    seen: set[int] = set()
    told = 0
    for person in people:
        if person is None or person.id in seen:
            continue
        seen.add(person.id)
        told += tell(session, person, compose)
    return told
