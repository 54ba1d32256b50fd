"""The office's answer to a petition: the officer writes it and sends it to a leader in one
transaction (the kind's page for "submit for approval"); the leader approves it with the
queue's own approval step, and only then is it read by anyone outside the office.

Petition cases are created with `requires_approval`, so the state machine refuses "complete"
on them: the one way to "done" (9) is a leader's "approve". A leader who sends the answer back
(with a reason) returns the case to the officer, who edits it and sends it again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db import write_transaction
from app.models import Petition, User, utcnow
from app.petitions.services import PetitionError, for_case, search_text_of
from app.queue.actions import capacities_of, perform, view_of
from app.queue.states import Action, check

ANSWER_MAX = 10_000


def clean_answer(text: str | None) -> str:
    answer = (text or "").strip()
    if not answer:
        raise PetitionError("answer_required", "answer")
    if len(answer) > ANSWER_MAX:
        raise PetitionError("answer_too_long", "answer")
    return answer


def may_draft(session: Session, case, officer: User, now: datetime | None = None) -> None:
    """NotAllowed (not their case) or IllegalTransition (not being processed, already with a
    leader, or closed) when the officer may not send an answer for approval now."""
    check(view_of(case, now or utcnow()), Action.SUBMIT_FOR_APPROVAL,
          capacities_of(session, case, officer))


def draft_answer(session: Session, case_id: int, officer: User, text: str | None, *,
                 expected_version: int | None = None, now: datetime | None = None) -> Petition:
    """Write the answer and send it to the leader, together or not at all. PetitionError for
    the text; the queue's errors (StaleCase, NotAllowed, IllegalTransition) for the case."""
    now = now or utcnow()
    answer = clean_answer(text)
    with write_transaction(session):
        petition = for_case(session, case_id)
        if petition is None:
            raise PetitionError("not_found")
        petition.answer = answer
        petition.answered_by_id = officer.id
        petition.answer_drafted_at = now
        petition.updated_at = now
        petition.search_text = search_text_of(petition)
        session.flush()
        perform(session, case_id, Action.SUBMIT_FOR_APPROVAL, officer,
                expected_version=expected_version, now=now)
    return petition
