"""The petition (phản ánh, kiến nghị, câu hỏi) as a kind of case: what the asker reads about
each state, the messages each change sends them, and the officer's page for the answer.

The answer is written on `petitions.answer`, the kind's page for "submit for approval", so the
text and the case going to the leader are one transaction; the leader approves it with the
queue's generic "approve", and that transition is what tells the asker the answer is there.
Voters' petitions have no asker of their own (their answers go out on the meeting's answer
sheet); a reception's petition reaches the citizen like an online one.

Registered with the queue core by the application factory (see app/queue/kinds.py).
"""
from __future__ import annotations

from typing import Iterable

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.queue.kinds import Notice, Transition
from app.queue.states import Action, State, kind_actions

# What the asker reads about each state (the private page and the messages say the same).
STATUS = {
    State.SUBMITTED: _l("Sent; waiting for the office to receive it."),
    State.RECEIVED: _l("Received by the office in charge; the answer is being prepared."),
    State.REFUSED: _l("Not accepted by the office."),
    State.PROCESSING: _l("Being answered by the officer in charge."),
    State.SUPPLEMENT_REQUESTED: _l("Waiting for you: the office needs more information."),
    State.FEES_REQUESTED: _l("Being answered by the officer in charge."),
    State.WITHDRAWN: _l("Withdrawn."),
    State.STOPPED: _l("The office stopped handling it."),
    State.DONE: _l("Answered."),
    State.RETURNED: _l("Answered."),
}
HELD = _l("Held for a moderator of the commune to read before it goes to the office.")
REJECTED = _l("Not accepted by the moderator.")
# Notes the asker is meant to read: why it was refused or stopped, what the office needs.
PUBLIC_NOTE_ACTIONS = frozenset({"refuse", "request_supplement", "stop", "withdraw"})


def status_text(petition) -> str:
    if petition.status == "held":
        return str(HELD)
    if petition.status == "rejected" or petition.case is None:
        return str(REJECTED)
    return str(STATUS[State(petition.case.state)])


class PetitionKind:
    name = "petition"
    action_pages: dict[str, str] = {"submit_for_approval": "petitions.answer"}
    # No papers to add, fees or result to collect: an approved answer is the end.
    actions = kind_actions()

    def staff_context(self, session: Session, case) -> dict:
        from app.models import ReceptionRecord
        from app.petitions.services import files_of, for_case

        petition = for_case(session, case.id)
        if petition is None:
            return {}
        record = session.scalar(select(ReceptionRecord)
                                .where(ReceptionRecord.petition_id == petition.id))
        return {"petition": petition, "files": files_of(session, petition.id),
                "reception_record": record}

    def stat_groups(self, session: Session, case_ids: list[int]) -> dict[int, str]:
        """Question or petition, for each case: the public statistics count the two apart
        (app/queue/tally.py asks when the transaction that counted them commits, and the
        recount asks again). One lookup by the unique petitions.case_id per 500 cases."""
        from app.models import Petition

        found: dict[int, str] = {}
        for start in range(0, len(case_ids), 500):
            chunk = case_ids[start:start + 500]
            found.update(session.execute(select(Petition.case_id, Petition.kind)
                                         .where(Petition.case_id.in_(chunk))).all())
        return found

    def notices(self, session: Session, transition: Transition) -> Iterable[Notice]:
        from app.petitions.services import asker_notice, for_case, lookup_line

        moved = transition.from_state != transition.to_state
        if transition.action == Action.RETURN_RESULT.value:
            return []  # the answer was already sent when it was approved
        if not moved and transition.action != Action.APPROVE_APOLOGY.value:
            return []  # claims, transfers, the answer on its way to the leader: the office's own
        petition = for_case(session, transition.case.id)
        if petition is None or petition.source == "voter":
            return []
        case = transition.case

        def words():
            from app.templating import format_day

            kind = _("Question") if petition.kind == "question" else _("Petition")
            subject = _("%(kind)s %(code)s: %(status)s", kind=kind, code=case.code,
                        status=str(STATUS[State(case.state)]))
            lines = [_("“%(title)s” (code %(code)s).", title=petition.title, code=case.code),
                     str(STATUS[State(case.state)])]
            if transition.action == Action.APPROVE_APOLOGY.value:
                lines.append(_("We are sorry: the answer is late. It is now due by %(day)s.",
                               day=format_day(case.due_at)))
            elif case.state == State.RECEIVED:
                lines.append(_("The answer is due by %(day)s.", day=format_day(case.due_at)))
            if transition.note and transition.action in PUBLIC_NOTE_ACTIONS:
                lines.append(_("Note from the office: %(note)s", note=transition.note))
            if case.state == State.DONE and petition.answer:
                lines.append(_("The answer:"))
                lines.append(petition.answer)
                lines.append(_("Please tell us how satisfied you are with the answer."))
            if petition.user_id is None:
                lines.append(lookup_line(petition))
            return subject, lines

        notice = asker_notice(session, petition, words)
        return [notice] if notice is not None else []


PETITION = PetitionKind()
