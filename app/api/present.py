"""Rows as the API answers them: the catalogue's and the tracking page's facts, in one language.

The wording is the pages' own (app/procedures/labels.py, app/dossiers/kind.py), so an app built
on the API and the portal never disagree. Call these under `force_locale(lang)`.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import to_user_timezone

from app.api.schemas import (DocumentOut, DossierStatus, Fee, FieldOut, ProcedureDetail,
                             ProcedureRef, ProcedureSummary, StateOut, TimelineEntryOut)
from app.dossiers.kind import do_now_text, status_text
from app.dossiers.services import Tracked
from app.links import public_url
from app.models import Procedure, ProcedureField
from app.models.procedures import FEE_CHANNELS
from app.procedures.labels import CHANNEL_LABELS, ONLINE_LABELS, fee_text, processing_time
from app.queue.states import State, state_label

# States in which an appointment date no longer means anything (as on the tracking page).
NO_APPOINTMENT = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED})


def field_out(field: ProcedureField, lang: str) -> FieldOut:
    return FieldOut(code=field.code, name=field.name(lang))


class Wording:
    """The catalogue's labels in the current language, each translated once per answer: a
    page of 100 procedures would otherwise look up some 600 translations (Babel's lookup
    costs about as much as the search itself)."""

    def __init__(self):
        self.channels = {c: str(CHANNEL_LABELS[c]) for c in FEE_CHANNELS}
        self.online = {k: str(v) for k, v in ONLINE_LABELS.items()}
        self._fees: dict[int | None, str] = {}
        self._days: dict[int, str] = {}

    def fee(self, amount: int | None) -> str:
        if amount not in self._fees:
            self._fees[amount] = fee_text(amount)
        return self._fees[amount]

    def days(self, days: int) -> str:
        if days not in self._days:
            self._days[days] = processing_time(days)
        return self._days[days]


def _summary_values(procedure: Procedure, lang: str, wording: Wording) -> dict:
    return dict(
        code=procedure.code, name=procedure.name(lang), field=field_out(procedure.field, lang),
        level=procedure.level, processing_days=procedure.processing_days,
        processing_time=wording.days(procedure.processing_days),
        online_level=procedure.online_level,
        online_level_label=wording.online[procedure.online_level],
        fees=[Fee(channel=c, label=wording.channels[c], amount=procedure.fee(c),
                  text=wording.fee(procedure.fee(c))) for c in FEE_CHANNELS],
        url=public_url("procedures.detail", lang_code=lang, code=procedure.code))


def procedure_summaries(procedures: list[Procedure], lang: str) -> list[ProcedureSummary]:
    wording = Wording()
    return [ProcedureSummary(**_summary_values(p, lang, wording)) for p in procedures]


def procedure_detail(procedure: Procedure, lang: str) -> ProcedureDetail:
    documents = [DocumentOut(
        name=d.name(lang), original_or_copy=d.original_or_copy, copies=d.copies,
        upload_required=d.upload_required,
        template_url=public_url("procedures.document_template", lang_code=lang,
                                code=procedure.code, document_id=d.id)
        if d.template_key else None) for d in procedure.documents]
    return ProcedureDetail(
        **_summary_values(procedure, lang, Wording()), lang=lang,
        agency=procedure.text("agency", lang), applicants=procedure.text("applicants", lang),
        steps=procedure.text("steps", lang), legal_basis=procedure.text("legal_basis", lang),
        fee_note=procedure.text("fee_note", lang), requires_approval=procedure.requires_approval,
        documents=documents)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _state(state: int, lang: str) -> StateOut:
    return StateOut(code=int(state), label=state_label(state, lang))


def dossier_status(found: Tracked, lang: str) -> DossierStatus:
    case, dossier = found.case, found.dossier
    appointment = None
    if case.state not in NO_APPOINTMENT and case.due_at is not None:
        appointment = to_user_timezone(_utc(case.due_at)).date()
    return DossierStatus(
        lang=lang, code=case.code,
        procedure=ProcedureRef(code=dossier.procedure.code, name=dossier.procedure.name(lang)),
        state=_state(case.state, lang), status=status_text(case.state),
        do_now=do_now_text(case.state), received_at=_utc(case.received_at),
        appointment_date=appointment,
        timeline=[TimelineEntryOut(state=_state(e.state, lang), at=_utc(e.at), note=e.note)
                  for e in found.timeline])
