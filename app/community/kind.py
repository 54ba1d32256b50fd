"""The community initiative as a kind of case: once its supports reach the commune's threshold
the commune owes it an official answer, which the officer gives on `community.answer` (the
workbench links there for "complete", so the answer and the case's completion are written
together). The answer goes to the author and every supporter, each in their own language.

Registered with the queue core by the application factory (see app/queue/kinds.py).
"""
from __future__ import annotations

from typing import Iterable

from flask_babel import force_locale, gettext as _
from sqlalchemy.orm import Session

from app.queue.kinds import Notice, Transition
from app.queue.states import kind_actions


class InitiativeKind:
    name = "initiative"
    # Stopping would leave the initiative without its answer: "stop" leads to the answer page
    # too, where the officer rejects it with the reason.
    action_pages: dict[str, str] = {"complete": "community.answer", "stop": "community.answer"}
    # The official answer is the end of the case: nothing to add, pay or collect.
    actions = kind_actions()

    def staff_context(self, session: Session, case) -> dict:
        from app.community.initiatives_service import for_case

        from app.community.initiatives_forms import NEED_LABELS, STATUS_LABELS

        return {"initiative": for_case(session, case.id), "need_labels": NEED_LABELS,
                "status_labels": STATUS_LABELS}

    def notices(self, session: Session, transition: Transition) -> Iterable[Notice]:
        from app.community.initiatives_service import followers, for_case

        if transition.action != "complete" or transition.from_state == transition.to_state:
            return []  # receiving, starting, transfers: the commune's own business
        initiative = for_case(session, transition.case.id)
        if initiative is None or initiative.answer is None:
            return []
        notices = []
        for person in followers(session, initiative):
            with force_locale(person.locale or "vi"):
                notices.append(Notice(person, self._subject(initiative),
                                      self._body(initiative)))
        return notices

    @staticmethod
    def _subject(initiative) -> str:
        return _("Official answer to initiative “%(title)s”", title=initiative.title)

    @staticmethod
    def _body(initiative) -> str:
        verdict = (_("The commune accepted the initiative. The plan:")
                   if initiative.status in ("accepted", "in_progress", "done")
                   else _("The commune did not accept the initiative. The reason:"))
        return "\n".join([_("Initiative “%(title)s”.", title=initiative.title), verdict,
                          initiative.answer or ""])


INITIATIVE = InitiativeKind()
