"""The desk's pages for a dossier's fee and result, on the desk blueprint (app/dossiers/desk.py):
ask for the fee, record its payment, say how the result is collected (with the PDF), hand it
over. The workbench links here instead of its generic note form (DossierKind.action_pages).
Views only parse and render; the rules are in app/dossiers/fees.py."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.dossiers import fees, payments
from app.dossiers.desk import STAFF, _departments, bp
from app.dossiers.fee_forms import (ERRORS, RESULT_METHOD_LABELS, HandOverForm, PaymentForm,
                                    RequestFeeForm, ResultForm)
from app.extensions import db
from app.models import Dossier, utcnow
from app.queue import claims
from app.queue.errors import IllegalTransition, NotAllowed, QueueError, StaleCase
from app.queue.states import Action
from app.security import roles
from app.storage import file_store
from app.templating import format_day, format_vnd
from app.workbench import services as workbench
from app.workbench.forms import QUEUE_ERRORS


def _not_now(action: Action) -> str:
    """Why this page cannot be used on the case in its present state."""
    if action is Action.REQUEST_FEES:
        return _("A fee can only be asked for while the dossier is being processed.")
    if action is Action.FEES_PAID:
        return _("A payment can only be recorded while a fee is waiting to be paid.")
    return _("The result can only be set and handed over once the dossier is done and before "
             "it is handed over.")


def _page(template: str, **context):
    return render_template(template, departments=_departments(), **context)


def _me():
    return current_user._get_current_object()


def _gate(case_id: int, action: Action):
    """(case, dossier, None) if the signed-in officer may take `action` on it now; 403 if it is not
    their business, 404 if there is no such dossier, and back to the case page with the reason
    when the case is in another state (the redirect is then the third value)."""
    try:
        case = workbench.case_for(db.session, _me(), case_id)
    except NotAllowed:
        abort(403)
    dossier = db.session.get(Dossier, case_id) if case is not None else None
    if dossier is None:
        abort(404)
    try:
        fees.may(db.session, case, _me(), action)
    except NotAllowed:
        abort(403)
    except IllegalTransition as error:
        message = (_("The dossier is with the leader for approval: this waits until they decide.")
                   if error.details.get("reason") == "pending_approval" else _not_now(action))
        flash(message, "error")
        return case, dossier, redirect(url_for("workbench.case_detail", case_id=case.id))
    return case, dossier, None


def _blame(form, error: fees.FeeError) -> None:
    message = ERRORS.get(error.code)
    if message is None:
        message = ERRORS["not_a_dossier"]
    details = {key: format_vnd(value) if key in ("paid", "asked") or
               (key == "max" and error.code == "amount_too_large") else value
               for key, value in error.details.items()}
    if "day" in details:
        details["day"] = format_day(details["day"])
    text = str(message) % details if details else str(message)
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = list(field.errors) + [text]
    else:
        flash(text, "error")


def _queue_failed(error: QueueError, case_id: int):
    """perform() refused (someone moved the case on, or the page was old): nothing saved."""
    db.session.rollback()
    if isinstance(error, NotAllowed):
        abort(403)
    if isinstance(error, StaleCase):
        flash(str(QUEUE_ERRORS[StaleCase.code]), "error")
    else:
        flash(str(QUEUE_ERRORS["no_longer_offered"]), "error")
    return redirect(url_for("workbench.case_detail", case_id=case_id))


def _done(case_id: int, message: str):
    claims.touch(db.session, case_id, utcnow(), current_app.config["CLAIM_LEASE_MINUTES"])
    flash(message, "success")
    return redirect(url_for("workbench.case_detail", case_id=case_id))


@bp.route("/cases/<int:case_id>/fee", methods=["GET", "POST"])
@roles(*STAFF)
def request_fee(case_id: int):
    """Ask the applicant for the fee: the procedure's published amount for the dossier's
    channel, or another amount with the reason."""
    case, dossier, away = _gate(case_id, Action.REQUEST_FEES)
    if away is not None:
        return away
    table = fees.table_amount(dossier)
    form = RequestFeeForm()
    if request.method == "GET":
        form.version.data = case.version
        if table:
            form.amount.data = str(table)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                fee = fees.request_fee(db.session, case.id, _me(), form.amount.data,
                                       form.reason.data, expected_version=form.version.data)
            except fees.FeeError as error:
                db.session.rollback()
                _blame(form, error)
            except QueueError as error:
                return _queue_failed(error, case.id)
            else:
                return _done(case.id, _("Fee of %(amount)s asked for; the applicant has been told.",
                                        amount=format_vnd(fee.amount)))
        status = 400
    return _page("dossiers/staff/request_fee.html", case=case, dossier=dossier,
                 form=form, table=table), status


@bp.route("/cases/<int:case_id>/payment", methods=["GET", "POST"])
@roles(*STAFF)
def record_payment(case_id: int):
    """Record the payment of the fee asked for, with its receipt; processing continues."""
    case, dossier, away = _gate(case_id, Action.FEES_PAID)
    if away is not None:
        return away
    fee = fees.open_fee(db.session, case.id)
    form = PaymentForm()
    form.provider.choices = [(p.code, str(p.label)) for p in payments.desk_providers()]
    if request.method == "GET":
        form.version.data = case.version
        form.provider.data = payments.DESK.code
        if fee is not None:
            form.amount_paid.data = str(fee.amount)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                fees.record_payment(db.session, case.id, _me(), provider=form.provider.data,
                                    receipt_number=form.receipt_number.data,
                                    amount_paid=form.amount_paid.data, paid_on=form.paid_on.data,
                                    expected_version=form.version.data)
            except fees.FeeError as error:
                db.session.rollback()
                _blame(form, error)
            except QueueError as error:
                return _queue_failed(error, case.id)
            else:
                return _done(case.id, _("Payment recorded; the dossier is back in processing."))
        status = 400
    return _page("dossiers/staff/record_payment.html", case=case, dossier=dossier,
                 form=form, fee=fee), status


def _upload(form: ResultForm):
    upload = form.result_file.data
    if upload is None or not getattr(upload, "filename", "") or not hasattr(upload, "read"):
        return None
    # One byte past the limit is enough to know it is too large, never the whole body.
    return upload.read(fees.RESULT_MAX_BYTES + 1), upload.filename


@bp.route("/cases/<int:case_id>/result", methods=["GET", "POST"])
@roles(*STAFF)
def result(case_id: int):
    """Once the dossier is done: how the applicant collects the result, and the PDF when it is
    electronic."""
    case, dossier, away = _gate(case_id, Action.RETURN_RESULT)
    if away is not None:
        return away
    current = fees.result_of(db.session, case.id)
    form = ResultForm()
    if request.method == "GET" and current is not None:
        form.method.data = current.method
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                fees.set_result(db.session, file_store(), case.id, _me(), form.method.data,
                                _upload(form))
            except fees.FeeError as error:
                db.session.rollback()
                _blame(form, error)
            except QueueError as error:
                return _queue_failed(error, case.id)
            else:
                flash(_("Saved: how the applicant collects the result."), "success")
                return redirect(url_for("workbench.case_detail", case_id=case.id))
        status = 400
    return _page("dossiers/staff/result.html", case=case, dossier=dossier, form=form,
                 current=current, methods=RESULT_METHOD_LABELS), status


@bp.route("/cases/<int:case_id>/hand-over", methods=["GET", "POST"])
@roles(*STAFF)
def hand_over(case_id: int):
    """Record how the result was handed over; the dossier is then returned (state 10)."""
    case, dossier, away = _gate(case_id, Action.RETURN_RESULT)
    if away is not None:
        return away
    current = fees.result_of(db.session, case.id)
    form = HandOverForm()
    if request.method == "GET":
        form.version.data = case.version
        form.method.data = current.method if current is not None else "desk"
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                fees.hand_over(db.session, case.id, _me(), form.method.data, form.note.data,
                               expected_version=form.version.data)
            except fees.FeeError as error:
                db.session.rollback()
                _blame(form, error)
            except QueueError as error:
                return _queue_failed(error, case.id)
            else:
                flash(_("Result handed over; the dossier is closed."), "success")
                return redirect(url_for("workbench.case_detail", case_id=case.id))
        status = 400
    return _page("dossiers/staff/hand_over.html", case=case, dossier=dossier,
                 form=form, current=current), status
