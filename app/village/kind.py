"""A village need asking the commune for help, as a kind of case ('village_need').

The person who posted the need and its volunteers hear of each change of the case's state, in
their own language, through the outbox (queued by the same transaction as the change)."""
from __future__ import annotations

from typing import Iterable

from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User, VillageNeed, Volunteer
from app.queue.kinds import Notice, Transition
from app.queue.states import kind_actions


class VillageNeedKind:
    name = "village_need"
    action_pages: dict[str, str] = {}
    # The commune helps or declines: nothing for the village to add, pay or collect.
    actions = kind_actions()

    def staff_context(self, session: Session, case) -> dict:
        return {"need": session.scalar(select(VillageNeed).where(VillageNeed.case_id == case.id))}

    def notices(self, session: Session, transition: Transition) -> Iterable[Notice]:
        if transition.from_state == transition.to_state:
            return []  # claims, transfers: nothing the village must know
        case = transition.case
        need = session.scalar(select(VillageNeed).where(VillageNeed.case_id == case.id))
        if need is None:
            return []
        people: dict[int, User] = {}
        poster = session.get(User, need.posted_by_id)
        if poster is not None:
            people[poster.id] = poster
        for user in session.scalars(select(User).join(Volunteer, Volunteer.user_id == User.id)
                                    .where(Volunteer.need_id == need.id)):
            people[user.id] = user
        from app.workbench.labels import state_name

        notices = []
        for person in people.values():
            if not person.active:
                continue
            with force_locale(person.locale):
                subject = _("Village need %(title)s: %(status)s", title=need.title,
                            status=state_name(case.state))
                lines = [_("The commune's handling of the need \"%(title)s\" (case %(code)s) "
                           "is now: %(status)s.", title=need.title, code=case.code,
                           status=state_name(case.state))]
                if transition.note:
                    lines.append(_("Note from the office: %(note)s", note=transition.note))
                notices.append(Notice(person, subject, "\n".join(lines)))
        return notices


VILLAGE_NEED = VillageNeedKind()
