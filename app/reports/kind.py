"""The field report as a kind of case ('field_report').

* Ending a report (complete, stop, refuse) is done on `reports.answer`, the kind's own page:
  it writes the public answer, the outcome and an optional photo of the fix with the state
  change, so a report never ends without the answer the public and the reporter read.
* Messages ride the transition (queued by perform()'s transaction, in each recipient's
  language): the reporter hears when the commune receives the report and starts on it; the
  reporter and everyone who supports it hear the answer; when a report is merged into another,
  its reporter and supporters are told which report they now follow. A report made through an
  Open311 client without an account is told by SMS, if the client gave a phone number.

Registered with the queue core by the application factory (see app/queue/kinds.py).
"""
from __future__ import annotations

from typing import Iterable

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy.orm import Session

from app.queue.kinds import Notice, Transition
from app.queue.states import Action, kind_actions


def report_link(case_id: int, lang: str) -> str | None:
    from app.links import public_url

    if "reports.detail" not in current_app.view_functions:
        return None
    return public_url("reports.detail", lang_code=lang, report_id=case_id)


class FieldReportKind:
    name = "field_report"
    action_pages: dict[str, str] = {"complete": "reports.answer", "stop": "reports.answer",
                                    "refuse": "reports.answer"}
    # No papers to add or fees to pay; the answer hands the fix over at once (return_result).
    actions = kind_actions(Action.RETURN_RESULT)

    def staff_context(self, session: Session, case) -> dict:
        from app.reports import services
        from app.reports.labels import LOCATION_SOURCE_LABELS, PUBLIC_STATES

        report = services.for_case(session, case.id)
        if report is None:
            return {}
        from app.reports.nearby import open_nearby

        radius = current_app.config["REPORT_DUPLICATE_RADIUS_M"]
        nearby = []
        if report.lat is not None:
            nearby = open_nearby(session, category_id=report.category_id, lat=report.lat,
                                 lng=report.lng, radius_m=radius, exclude_case_id=case.id)
        original = (services.for_case(session, report.merged_into_id)
                    if report.merged_into_id else None)
        from flask_login import current_user

        from app.reports.categories import answer_text

        viewer = current_user._get_current_object() if current_user.is_authenticated else None
        return {"report": report, "nearby": nearby, "radius": radius, "original": original,
                "may_merge": viewer is not None and services.may_merge(session, case, report,
                                                                        viewer),
                "answer_text_of": answer_text,
                "public_state": services.public_state(report, case),
                "state_labels": PUBLIC_STATES, "source_labels": LOCATION_SOURCE_LABELS,
                "supporters": services.supporters(session, case.id)}

    def notices(self, session: Session, transition: Transition) -> Iterable[Notice]:
        from app.reports import services

        case = transition.case
        if transition.from_state == transition.to_state or transition.action == "return_result":
            return []  # claims and transfers; the answer already told them of the result
        report = services.for_case(session, case.id)
        if report is None:
            return []
        if report.merged_into_id is not None:
            if transition.action not in ("stop", "refuse"):
                return []  # a merge from "received" starts, then stops: one message
            original = session.get(type(case), report.merged_into_id)
            return self._to(session, report, everyone=True,
                            write=lambda: self._merged(case, original))
        if transition.action in ("complete", "stop", "refuse") and report.answer:
            return self._to(session, report, everyone=True,
                            write=lambda: self._answered(case, report))
        if transition.action in ("receive", "start", "withdraw"):
            return self._to(session, report, everyone=False,
                            write=lambda: self._moved(case, report, transition))
        return []

    def _to(self, session: Session, report, *, everyone: bool, write) -> list[Notice]:
        """The message, written anew in each recipient's language."""
        from app.models import User
        from app.reports import services

        if everyone:
            people = services.followers(session, report)
        else:
            reporter = session.get(User, report.reporter_id) if report.reporter_id else None
            people = [reporter] if reporter is not None and reporter.active else []
        notices = []
        for person in people:
            with force_locale(person.locale or "vi"):
                subject, body = write()
                notices.append(Notice(person, subject, body))
        if report.reporter_id is None and report.contact_phone:
            with force_locale("vi"):
                subject, body = write()
                notices.append(Notice(None, subject, body, phone=report.contact_phone))
        return notices

    @staticmethod
    def _lang() -> str:
        from flask_babel import get_locale

        return str(get_locale() or "vi")

    def _link_line(self, case_id: int) -> list[str]:
        link = report_link(case_id, self._lang())
        return [_("See it here: %(link)s", link=link)] if link else []

    def _answered(self, case, report) -> tuple[str, str]:
        from app.reports.labels import PUBLIC_STATES

        state = str(PUBLIC_STATES[report.outcome])
        subject = _("Report %(code)s: %(state)s", code=case.code, state=state)
        lines = [_("Report %(code)s (%(title)s).", code=case.code, title=case.title),
                 _("The commune's answer: %(answer)s", answer=report.answer),
                 *self._link_line(case.id)]
        return subject, "\n".join(lines)

    def _merged(self, case, original) -> tuple[str, str]:
        subject = _("Report %(code)s is a duplicate of %(original)s", code=case.code,
                    original=original.code)
        lines = [_("Report %(code)s describes the same problem as report %(original)s, so the "
                   "commune has merged them. You now follow report %(original)s and will hear "
                   "of its answer.", code=case.code, original=original.code),
                 *self._link_line(original.id)]
        return subject, "\n".join(lines)

    def _moved(self, case, report, transition: Transition) -> tuple[str, str]:
        from app.reports import services
        from app.reports.labels import PUBLIC_STATES, PUBLIC_STATE_TEXT

        key = services.public_state(report, case)
        subject = _("Report %(code)s: %(state)s", code=case.code, state=str(PUBLIC_STATES[key]))
        lines = [_("Report %(code)s (%(title)s).", code=case.code, title=case.title),
                 str(PUBLIC_STATE_TEXT[key])]
        if transition.note:
            lines.append(_("Note from the office: %(note)s", note=transition.note))
        lines += self._link_line(case.id)
        return subject, "\n".join(lines)


FIELD_REPORT = FieldReportKind()
