"""How a kind of case (a dossier, a petition, a field report, ...) plugs into the core without
the core importing it.

The kind's package describes itself with a `CaseKind` and the application factory registers it
at start-up (app/__init__.py). The core then asks the kind, for every transition `perform()`
writes, which messages go to whom; they are queued in the outbox by the same transaction as
the event, so no message announces a change that rolled back. The kind writes the words (in
the recipient's language); the core decides when. No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, Protocol

from sqlalchemy.orm import Session

from app.models import Case, User

__all__ = ["Transition", "Notice", "CaseKind", "register", "kind_for", "notify", "deliver",
           "registered", "action_page", "staff_context"]


@dataclass(frozen=True)
class Transition:
    """One change `perform()` just wrote (the case already shows its new state)."""

    case: Case
    action: str
    from_state: int
    to_state: int
    actor_id: int | None
    note: str | None
    at: datetime


@dataclass(frozen=True)
class Notice:
    recipient: User | None
    subject: str
    body: str
    # A person without an account (a walk-in applicant who left a phone number) is reached by
    # SMS at this number instead.
    phone: str | None = None


class CaseKind(Protocol):
    name: str  # the cases.case_type it describes
    # Actions the kind handles on a page of its own, because they carry more than a note (a
    # fee's amount, the list of missing papers): action value -> endpoint taking `case_id`.
    # The workbench links there instead of offering its generic form, and refuses the generic
    # route for them, so the kind's rows and the state change are always written together.
    action_pages: Mapping[str, str]
    # The actions this kind has at all (states.kind_actions(...)); None, or no attribute: every
    # action of the state table, as a dossier has.
    actions: frozenset[str] | None

    def notices(self, session: Session, transition: Transition) -> Iterable[Notice]:
        """The messages this transition owes, already in each recipient's language."""

    def staff_context(self, session: Session, case: Case) -> dict:
        """What the workbench's partial `workbench/kinds/<name>.html` needs for this case."""

    # Optional, for the statistics (app/queue/tally.py; asked at commit and by the recount,
    # each a query for a list of case ids, answers that never change over a case's life):
    # channels(session, case_ids) -> {case_id: "online" | "walk_in" | "post"}, how it came in;
    # stat_groups(session, case_ids) -> {case_id: group}, a finer group its figures are kept
    # under (at most 20 characters; a petition's "question" or "petition").


_KINDS: dict[str, CaseKind] = {}


def register(kind: CaseKind) -> None:
    """Register (or replace: an app factory may run more than once) the kind for its type."""
    _KINDS[kind.name] = kind


def kind_for(case_type: str) -> CaseKind | None:
    return _KINDS.get(case_type)


def action_page(case_type: str, action: str) -> str | None:
    """The endpoint of the kind's own page for this action, if it has one."""
    kind = _KINDS.get(case_type)
    return getattr(kind, "action_pages", {}).get(action) if kind is not None else None


def actions_for(case_type: str) -> frozenset[str] | None:
    """The actions cases of this type can take at all (None: every one)."""
    return getattr(_KINDS.get(case_type), "actions", None)


def staff_context(session: Session, case: Case) -> dict:
    kind = _KINDS.get(case.case_type)
    return kind.staff_context(session, case) if kind is not None else {}


def registered() -> tuple[str, ...]:
    return tuple(sorted(_KINDS))


def notify(session: Session, transition: Transition) -> int:
    """Queue the transition's messages in the caller's transaction; returns how many."""
    kind = kind_for(transition.case.case_type)
    if kind is None:
        return 0
    return sum(deliver(session, notice) for notice in kind.notices(session, transition))


def deliver(session: Session, notice: Notice) -> bool:
    """Queue one notice in the caller's transaction: to the account (e-mail or SMS, as it
    prefers) or by SMS to the phone of a person without one. False when it has no address.
    A kind's own messages outside a transition (a receipt, a moderator's decision) use it too."""
    from app.notifications.outbox import queue_for_user, queue_message

    if notice.recipient is not None and (notice.recipient.email or notice.recipient.phone):
        queue_for_user(session, notice.recipient, notice.subject, notice.body)
    elif notice.recipient is None and notice.phone:
        queue_message(session, recipient=notice.phone, subject=notice.subject,
                      body=notice.body, channel="sms")
    else:
        return False
    return True
