"""The dossier (hồ sơ thủ tục hành chính) as a kind of case: what the applicant reads about each
state, what they must do now, and the message each change sends them.

Registered with the queue core by the application factory (see app/queue/kinds.py). The same
wording will serve the tracking page, so the message and the page never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask_babel import force_locale, get_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models import User
from app.queue.kinds import Notice, Transition
from app.queue.states import Action, State


@dataclass(frozen=True)
class StateWording:
    status: object       # lazy string: where the dossier is
    do_now: object       # lazy string: what the applicant must do now


WORDING: dict[int, StateWording] = {
    State.SUBMITTED: StateWording(
        _l("Sent online; waiting for the one-stop desk to check it."),
        _l("Nothing for now. We will tell you when the desk receives it or needs more.")),
    State.RECEIVED: StateWording(
        _l("Received at the one-stop desk."),
        _l("Nothing for now. Keep your appointment date; we will tell you if anything changes.")),
    State.REFUSED: StateWording(
        _l("Not accepted at the one-stop desk."),
        _l("Read the reason below. You may submit a new dossier once it is put right.")),
    State.PROCESSING: StateWording(
        _l("Being processed by the officer in charge."),
        _l("Nothing for now. We will tell you when the result is ready or if more is needed.")),
    State.SUPPLEMENT_REQUESTED: StateWording(
        _l("Waiting for you: the office needs more papers or corrections."),
        _l("Provide what is listed below. The time limit is paused until you do.")),
    State.FEES_REQUESTED: StateWording(
        _l("Waiting for you: the fee must be paid."),
        _l("Pay the fee at the commune's one-stop desk; processing continues once it is paid.")),
    State.WITHDRAWN: StateWording(
        _l("Withdrawn."),
        _l("Nothing. You may submit a new dossier at any time.")),
    State.STOPPED: StateWording(
        _l("Processing has been stopped."),
        _l("Read the reason below. Ask at the one-stop desk if anything is unclear.")),
    State.DONE: StateWording(
        _l("The result is ready."),
        _l("Collect the result at the one-stop desk, with your receipt and identity card.")),
    State.RETURNED: StateWording(
        _l("The result has been handed over."),
        _l("Nothing. Thank you for using the portal.")),
}


def status_text(state: int) -> str:
    return str(WORDING[State(state)].status)


def do_now_text(state: int) -> str:
    return str(WORDING[State(state)].do_now)


class DossierKind:
    name = "dossier"
    action_pages: dict[str, str] = {
        "request_fees": "desk.request_fee",     # the amount, and why if not the published one
        "fees_paid": "desk.record_payment",     # the receipt
        "return_result": "desk.hand_over",      # how it was handed over
    }

    def staff_context(self, session: Session, case) -> dict:
        from app.models import Dossier

        return {"dossier": session.get(Dossier, case.id)}

    def channels(self, session: Session, case_ids: list[int]) -> dict[int, str]:
        """How each dossier came in (online, walk_in, post), for the statistics' online share
        (app/queue/tally.py asks when the dossiers' transaction commits, and the recount)."""
        from sqlalchemy import select

        from app.models import Dossier

        found: dict[int, str] = {}
        for start in range(0, len(case_ids), 500):
            chunk = case_ids[start:start + 500]
            found.update(session.execute(select(Dossier.case_id, Dossier.channel)
                                         .where(Dossier.case_id.in_(chunk))).all())
        return found

    def notices(self, session: Session, transition: Transition) -> Iterable[Notice]:
        case = transition.case
        moved = transition.from_state != transition.to_state
        if not moved and transition.action != Action.APPROVE_APOLOGY.value:
            return []  # claims, transfers, drafts of an apology: nothing the applicant must know
        if case.applicant_id is None:
            return self._to_phone(session, case, transition)
        applicant = session.get(User, case.applicant_id)
        if applicant is None or not applicant.active:
            return []
        with force_locale(applicant.locale):
            return [Notice(applicant, self._subject(case), self._body(case, transition, session))]

    def _to_phone(self, session: Session, case, transition: Transition) -> list[Notice]:
        """A walk-in applicant without an account hears by SMS, in Vietnamese, at the phone
        number the desk wrote down; one who gave only an ID number is told at the desk."""
        from app.models import Dossier

        dossier = session.get(Dossier, case.id)
        if dossier is None or not dossier.applicant_phone:
            return []
        with force_locale("vi"):
            return [Notice(None, self._subject(case), self._body(case, transition),
                           phone=dossier.applicant_phone)]

    @staticmethod
    def _subject(case) -> str:
        return _("Dossier %(code)s: %(status)s", code=case.code, status=status_text(case.state))

    @staticmethod
    def _body(case, transition: Transition, session: Session | None = None) -> str:
        from app.templating import format_day

        lines = [_("Dossier %(code)s (%(title)s).", code=case.code, title=case.title),
                 status_text(case.state)]
        if transition.action == Action.APPROVE_APOLOGY.value:
            lines.append(_("We are sorry: your dossier is late. Your new appointment date is "
                           "%(day)s.", day=format_day(case.due_at)))
        elif case.state == State.RECEIVED and case.due_at is not None:
            lines.append(_("Appointment date for the result: %(day)s.",
                           day=format_day(case.due_at)))
        elif case.state == State.FEES_REQUESTED and session is not None:
            from app.dossiers.fees import fee_message_lines  # the amount and how to pay it

            lines.extend(fee_message_lines(session, case, str(get_locale() or "vi")))
        if transition.note:
            lines.append(_("Note from the office: %(note)s", note=transition.note))
        lines.append(_("What you must do now: %(what)s", what=do_now_text(case.state)))
        return "\n".join(lines)


DOSSIER = DossierKind()
