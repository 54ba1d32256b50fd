"""A dossier's fee (state 6) and its result (states 9 and 10): the rules, without Flask views.

* Asking for a fee writes the fee row and moves the case to "fees requested" in one write
  transaction (perform() joins it): if the state change is refused, no fee row is left behind.
* Recording the payment does the same with "fees paid"; the amount paid must be the amount
  asked, or the officer is told so and nothing is saved.
* The result: once the dossier is done (state 9) the office says how it is collected (at the
  desk, by post, or as a PDF to download) and, when it is handed over, records how and moves
  the case to "returned" (state 10), again in one transaction.

Who may do what is the state machine's answer (app/queue/states.py): a fee is asked and its
payment recorded by those who may `request_fees` / `fees_paid`; the result is set and handed
over by those who may `return_result` (which includes the one-stop desk).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db import write_transaction
from app.dossiers import files, payments
from app.inputs import bad_character
from app.models import Case, CaseEvent, Dossier, DossierFee, DossierResult, User, utcnow
from app.models.dossier_fees import RESULT_METHODS
from app.queue.actions import capacities_of, perform, view_of
from app.queue.calendar import local_day
from app.queue.states import Action, State, check
from app.refusals import Refusal
from app.storage import FileStore
from app.uploads import UploadError, check_document

if TYPE_CHECKING:
    from app.dossiers.services import Tracked

# A commune's fees are thousands to a few million đồng; anything beyond this is a typing
# slip (an extra zero or three), and it keeps clear of the database's integer range.
MAX_AMOUNT = 1_000_000_000
RESULT_MAX_BYTES = 10 * 1024 * 1024
# The procedure's fee columns are per way of submitting; a dossier brought to the desk pays
# the in-person fee.
_FEE_CHANNEL = {"online": "online", "walk_in": "in_person", "post": "post"}
_DIGIT_GROUPS = re.compile(r"^\d{1,3}([ .,]\d{3})+$")


class FeeError(Refusal):
    """A rule refused the input; `code` names the reason (see fee_forms.ERRORS), `field` the
    form field it belongs to, `details` what the message needs."""


# -- amounts --------------------------------------------------------------------------------

def parse_amount(raw: object, field: str = "amount") -> int:
    """Whole đồng as people type them: 50000, 50.000, 50,000 or 50 000 (a trailing ₫ or
    "đ" allowed). Zero, negative or not a number: FeeError."""
    text = str(raw or "").strip()
    for suffix in ("₫", "đồng", "đ", "VND", "vnd"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    if not text:
        raise FeeError("amount_required", field)
    if text.startswith("-") and text[1:].strip() and _digits(text[1:].strip()) is not None:
        raise FeeError("amount_not_positive", field)
    value = _digits(text)
    if value is None:
        raise FeeError("amount_not_a_number", field)
    if value <= 0:
        raise FeeError("amount_not_positive", field)
    if value > MAX_AMOUNT:
        raise FeeError("amount_too_large", field, max=MAX_AMOUNT)
    return value


def _digits(text: str) -> int | None:
    if not text.isascii():
        return None
    if text.isdigit():
        return int(text) if len(text) <= 12 else MAX_AMOUNT + 1
    if _DIGIT_GROUPS.match(text):
        return int(re.sub(r"[ .,]", "", text)) if len(text) <= 16 else MAX_AMOUNT + 1
    return None


def table_amount(dossier: Dossier) -> int | None:
    """The procedure's published fee for the way this dossier was submitted (None: none)."""
    return dossier.procedure.fee(_FEE_CHANNEL.get(dossier.channel, "in_person"))


def _clean_text(raw: str | None, field: str, limit: int, *, multiline: bool = False) -> str | None:
    text = " ".join((raw or "").split()) if not multiline else (raw or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise FeeError("too_long", field, max=limit)
    if bad_character(text, multiline=multiline):
        raise FeeError("bad_character", field)
    return text


# -- who may -------------------------------------------------------------------------------

def may(session: Session, case: Case, actor: User, action: Action | str,
        now: datetime | None = None) -> int:
    """The state `action` would lead to if `actor` took it now; NotAllowed (not their
    business) or IllegalTransition (not in this state), as perform() would say."""
    return check(view_of(case, now or utcnow()), action, capacities_of(session, case, actor))


# -- the fee ---------------------------------------------------------------------------------

# Fees in the order they were asked: the last is "the latest fee" wherever one is shown.
FEE_ORDER = (DossierFee.requested_at, DossierFee.id)


def owes(fee, state: int) -> bool:
    """Whether the page shows how to pay: the latest fee is unpaid and the dossier waits for it."""
    return fee is not None and not fee.paid and state == State.FEES_REQUESTED


def fees_of(session: Session, case_id: int) -> list[DossierFee]:
    """Every fee asked for this dossier, oldest first."""
    return list(session.scalars(select(DossierFee).where(DossierFee.case_id == case_id)
                                .order_by(*FEE_ORDER)))


def open_fee(session: Session, case_id: int) -> DossierFee | None:
    """The fee waiting to be paid (the latest request, if unpaid)."""
    return session.scalar(select(DossierFee).where(DossierFee.case_id == case_id,
                                                   DossierFee.paid_on.is_(None))
                          .order_by(DossierFee.id.desc()).limit(1))


def fee_note(amount: int, reason: str | None) -> str:
    """The event's note, which the resident reads on the tracking page."""
    from app.templating import format_vnd

    # In Vietnamese whoever asks: it is the office's record, and the queue's notes are not
    # translated when they are shown (and a worker or the API has no page language).
    with force_locale("vi"):
        note = _("Fee to pay: %(amount)s.", amount=format_vnd(amount))
    return f"{note} {reason}" if reason else note


def request_fee(session: Session, case_id: int, actor: User, amount: object,
                reason: str | None, *, expected_version: int | None = None,
                now: datetime | None = None) -> DossierFee:
    """Ask the applicant for `amount`; the fee row and the move to state 6 are one
    transaction. Raises FeeError for bad input, or perform()'s errors; nothing is saved."""
    now = now or utcnow()
    value = parse_amount(amount)
    reason = _clean_text(reason, "reason", 500, multiline=True)
    actor_id = actor.id
    with write_transaction(session):
        dossier = session.get(Dossier, case_id)
        if dossier is None:
            raise FeeError("not_a_dossier")
        table = table_amount(dossier)
        if value != table and reason is None:
            raise FeeError("reason_required", "reason")
        fee = DossierFee(case_id=case_id, amount=value, table_amount=table, reason=reason,
                         requested_by_id=actor_id, requested_at=now)
        session.add(fee)
        session.flush()
        perform(session, case_id, Action.REQUEST_FEES, actor, expected_version=expected_version,
                note=fee_note(value, reason), now=now)
    return fee


def record_payment(session: Session, case_id: int, actor: User, *, provider: str,
                   receipt_number: str | None, amount_paid: object, paid_on: date | None,
                   expected_version: int | None = None, now: datetime | None = None) -> DossierFee:
    """Record that the open fee was paid and move the case back to processing, in one
    transaction. FeeError when the input is wrong (the amount is not the amount asked, the
    day is in the future or before the request); nothing is saved."""
    now = now or utcnow()
    chosen = payments.provider(provider)
    if chosen is None or not chosen.desk_records:
        raise FeeError("bad_provider", "provider")
    receipt = _clean_text(receipt_number, "receipt_number", 40)
    if receipt is None:
        raise FeeError("receipt_required", "receipt_number")
    value = parse_amount(amount_paid, "amount_paid")
    if paid_on is None:
        raise FeeError("paid_on_required", "paid_on")
    if paid_on > local_day(now):
        raise FeeError("paid_on_future", "paid_on")
    actor_id = actor.id
    with write_transaction(session):
        fee = open_fee(session, case_id)
        if fee is None:
            raise FeeError("no_open_fee")
        if value != fee.amount:
            raise FeeError("amount_mismatch", "amount_paid", paid=value, asked=fee.amount)
        if paid_on < local_day(fee.requested_at):
            raise FeeError("paid_before_request", "paid_on", day=local_day(fee.requested_at))
        fee.provider = chosen.code
        fee.receipt_number = receipt
        fee.amount_paid = value
        fee.paid_on = paid_on
        fee.recorded_by_id = actor_id
        fee.recorded_at = now
        session.flush()
        perform(session, case_id, Action.FEES_PAID, actor, expected_version=expected_version,
                note=_paid_note(receipt), now=now)
    return fee


def _paid_note(receipt: str) -> str:
    with force_locale("vi"):
        return _("Paid: receipt %(receipt)s.", receipt=receipt)


# -- the result ------------------------------------------------------------------------------

def result_of(session: Session, case_id: int) -> DossierResult | None:
    return session.get(DossierResult, case_id)


def set_result(session: Session, store: FileStore, case_id: int, actor: User, method: str,
               upload: tuple[bytes, str] | None = None, *,
               now: datetime | None = None) -> DossierResult:
    """Say how the result of a done dossier (state 9) is collected, with the electronic
    result if there is one (a PDF, judged by its content). The file is stored first and
    forgotten again if the row cannot be written, so nothing is left half-saved."""
    now = now or utcnow()
    if method not in RESULT_METHODS:
        raise FeeError("bad_method", "method")
    content = filename = None
    if upload is not None:
        content, filename = upload
        try:
            check_document(content, filename, allowed={"pdf"}, max_bytes=RESULT_MAX_BYTES)
        except UploadError as error:
            raise FeeError("file_" + error.code, "result_file") from None
    actor_id = actor.id
    key = None
    old_key = None
    try:
        with write_transaction(session):
            case = session.get(Case, case_id, populate_existing=True)
            if case is None or session.get(Dossier, case_id) is None:
                raise FeeError("not_a_dossier")
            may(session, case, session.get(User, actor_id), Action.RETURN_RESULT, now)
            if method == "electronic" and case.applicant_id is None:
                # Only the applicant's own account may download it (a paper dossier has none).
                raise FeeError("no_account", "method")
            row = session.get(DossierResult, case_id)
            if method == "electronic" and content is None and (row is None or not row.file_key):
                raise FeeError("file_required", "result_file")
            changed = row is None or row.method != method or content is not None
            if row is None:
                row = DossierResult(case_id=case_id, method=method, set_by_id=actor_id)
                session.add(row)
            if content is not None:
                key = store.save(content, "results")
                old_key = row.file_key
                row.file_key = key
                row.file_name = _download_name(filename, case.code)
            row.method = method
            row.set_by_id = actor_id
            row.set_at = now
            if changed:
                _tell_applicant(session, case, method)
    except BaseException:
        if key is not None:
            store.delete(key)
        raise
    if old_key:
        store.delete(old_key)
    return row


def _tell_applicant(session: Session, case: Case, method: str) -> None:
    """The state-9 message said "the result is ready"; this one says how to receive it. In
    the same transaction as the row, so it is never sent for a change that rolled back."""
    from app.notifications.outbox import queue_for_user

    applicant = session.get(User, case.applicant_id) if case.applicant_id else None
    if applicant is None or not applicant.active or not (applicant.email or applicant.phone):
        return
    with force_locale(applicant.locale):
        queue_for_user(session, applicant,
                       _("Dossier %(code)s: how to receive the result", code=case.code),
                       "\n".join([_("Dossier %(code)s (%(title)s).", code=case.code,
                                     title=case.title), result_do_now(method)]))


def result_do_now(method: str | None) -> str:
    """What the applicant does to receive a result collected this way (in the current
    language); empty when the office has not said."""
    if method == "electronic":
        return _("Download the result from the portal: sign in with the account that "
                 "submitted the dossier, then open its tracking page.")
    if method == "post":
        return _("Nothing: the result will be sent to you by post.")
    if method == "desk":
        return _("Collect the result at the one-stop desk, with your receipt and identity card.")
    return ""


def _download_name(filename: str | None, code: str) -> str:
    # The resident gets the file under the dossier's code, never under a name a browser or
    # a header could misread.
    return f"ket-qua-{re.sub(r'[^A-Za-z0-9-]', '', code)[:60]}.pdf"


def hand_over(session: Session, case_id: int, actor: User, method: str, note: str | None, *,
              expected_version: int | None = None, now: datetime | None = None) -> DossierResult:
    """Record how the result was handed over and move the case to "returned" (state 10), in
    one transaction."""
    now = now or utcnow()
    if method not in RESULT_METHODS:
        raise FeeError("bad_method", "method")
    note = _clean_text(note, "note", 500, multiline=True)
    actor_id = actor.id
    with write_transaction(session):
        row = session.get(DossierResult, case_id)
        if method == "electronic" and (row is None or not row.file_key):
            raise FeeError("file_required", "method")
        if row is None:
            if session.get(Dossier, case_id) is None:
                raise FeeError("not_a_dossier")
            row = DossierResult(case_id=case_id, method=method, set_by_id=actor_id, set_at=now)
            session.add(row)
        row.handed_over_method = method
        row.handed_over_note = note
        row.handed_over_by_id = actor_id
        row.handed_over_at = now
        session.flush()
        perform(session, case_id, Action.RETURN_RESULT, actor, expected_version=expected_version,
                note=note, now=now)
    return row


def readable_result(session: Session, user: User, case_id: int) -> DossierResult | None:
    """The electronic result of a done dossier, for whoever may read its papers (the applicant,
    staff who see the case: files.reads_papers_of); None for anyone else (which looks exactly
    like none)."""
    case = session.get(Case, case_id)
    if (case is None or case.case_type != "dossier"
            or case.state not in (State.DONE, State.RETURNED)
            or not files.reads_papers_of(session, user, case_id)):
        return None
    row = session.get(DossierResult, case_id)
    return row if row is not None and row.file_key else None


# -- what the resident and the workbench see -------------------------------------------------

@dataclass(frozen=True)
class Apology:
    new_due_at: datetime
    old_due_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class Progress:
    fees: list[DossierFee]             # every fee asked, oldest first
    fee: DossierFee | None             # the latest fee asked
    how_to_pay: list[tuple[str, str]]  # (provider label, instructions) while it is unpaid
    result: DossierResult | None
    apology: Apology | None


def apology_of(session: Session, case: Case) -> Apology | None:
    """The approved apology's new date and its reason (the officer's, which the printed
    letter, Mẫu 04, gives the resident too)."""
    if case.apology_approved_at is None:
        return None
    events = session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id,
        CaseEvent.action.in_(("request_apology", "approve_apology"))).order_by(CaseEvent.id)).all()
    approved = next((e for e in reversed(events) if e.action == "approve_apology"), None)
    requested = next((e for e in reversed(events) if e.action == "request_apology"
                      and (approved is None or e.id < approved.id)), None)
    old = (approved.data or {}).get("old_due_at") if approved is not None else None
    return Apology(new_due_at=case.due_at, old_due_at=datetime.fromisoformat(old) if old else None,
                   reason=requested.note if requested is not None else None)


def progress(session: Session, case: Case, lang: str) -> Progress:
    fees = fees_of(session, case.id)
    fee = fees[-1] if fees else None
    how = []
    if owes(fee, case.state):
        how = [(str(p.label), p.instructions(fee, lang)) for p in payments.providers()]
    return Progress(fees=fees, fee=fee, how_to_pay=how, result=result_of(session, case.id),
                    apology=apology_of(session, case))


@dataclass(frozen=True)
class LatestFee:
    """The fields of a dossier's latest fee request the tracking page shows."""
    id: int
    amount: int
    reason: str | None
    amount_paid: int | None
    paid_on: date | None

    @property
    def paid(self) -> bool:
        return self.paid_on is not None  # as DossierFee.paid


@dataclass(frozen=True)
class ResultChoice:
    method: str
    file_key: str | None


@dataclass(frozen=True)
class TrackedProgress:
    """`Progress` for the tracking page, from what the look-up already loaded."""
    fee: LatestFee | None
    how_to_pay: list[tuple[str, str]]
    result: ResultChoice | None
    apology: Apology | None
    do_now: str                        # result_do_now's words when the result is ready, or ""


def tracked_progress(session: Session, found: Tracked, lang: str) -> TrackedProgress:
    """What `progress` says, and result_do_now once the result is ready, for a dossier found
    by services.track: a query only for how to pay an unpaid fee and for an approved apology."""
    case, fee, result = found.case, found.fee, found.result
    how = []
    if owes(fee, case.state):
        # A provider's instructions take the fee itself (and its case), as on every other page.
        row = session.scalar(select(DossierFee).where(DossierFee.id == fee.id)
                             .options(joinedload(DossierFee.case)))
        how = [(str(p.label), p.instructions(row, lang)) for p in payments.providers()]
    do_now = (result_do_now(result.method)
              if result is not None and case.state == State.DONE else "")
    return TrackedProgress(fee=fee, how_to_pay=how, result=result,
                           apology=apology_of(session, case), do_now=do_now)


def fee_message_lines(session: Session, case: Case, lang: str) -> list[str]:
    """What the state-6 message adds: the amount and how to pay it, in `lang`."""
    from app.templating import format_vnd

    fee = open_fee(session, case.id)
    if fee is None:
        return []
    lines = [_("Amount to pay: %(amount)s.", amount=format_vnd(fee.amount))]
    lines += [p.instructions(fee, lang) for p in payments.providers()]
    return lines
