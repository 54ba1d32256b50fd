"""The one-stop desk's dossier pages in the workbench: register a paper dossier brought in
person, and print its receipt (Mẫu 01). Views only parse and render; rules are in services.py."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.dossiers import services
from app.dossiers.forms import ERRORS, WalkInForm
from app.dossiers.receipts import qr_svg, tracking_url
from app.extensions import db
from app.locale import current_language
from app.models import Dossier
from app.procedures.services import get_by_code
from app.queue.errors import NotAllowed
from app.security import roles
from app.units.services import commune_choices
from app.workbench import services as workbench

bp = Blueprint("desk", __name__, url_prefix="/<lang:lang_code>/workbench/desk")
STAFF = ("officer", "leader", "admin")


def _blame(form, error: services.DossierError) -> None:
    message = ERRORS.get(error.code, ERRORS["unknown_procedure"])
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = list(field.errors) + [message]
    else:
        flash(str(message), "error")


def _departments():
    return workbench.departments_of(db.session, current_user._get_current_object())


@bp.route("/walk-in", methods=["GET", "POST"])
@roles(*STAFF)
def walk_in():
    """Step one picks the procedure (?procedure=<code>); step two is the form for it."""
    lang = current_language()
    code = (request.args.get("procedure") or "").strip()
    procedure = get_by_code(db.session, code) if code else None
    if procedure is None:
        return render_template("dossiers/walk_in_pick.html", code=code, unknown=bool(code),
                               procedures=services.active_procedures(db.session, lang),
                               departments=_departments())
    form = WalkInForm()
    form.unit_id.choices = [(0, _("Choose…"))] + commune_choices(db.session, lang)
    form.documents.choices = [(d.id, d.name(lang)) for d in procedure.documents]
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
        if current_user.commune_id:
            form.unit_id.data = current_user.commune_id
    if form.validate_on_submit():
        me = current_user._get_current_object()
        try:
            if not services.desk_can_receive(db.session, me.id, procedure.id, form.unit_id.data):
                raise services.DossierError("not_your_desk", "unit_id")
            received = [d for d in procedure.documents if d.id in set(form.documents.data or [])]
            dossier = services.register_walk_in(db.session, services.Submission(
                procedure_id=procedure.id, unit_id=form.unit_id.data, channel="walk_in",
                applicant_name=form.applicant_name.data, applicant_phone=form.applicant_phone.data,
                applicant_id_number=form.applicant_id_number.data,
                form_data={"documents_received": [d.name_vi for d in received]},
                idempotency_key=form.idempotency_key.data or None, submitted_by_id=me.id), me)
        except services.DossierError as error:
            db.session.rollback()
            _blame(form, error)
        else:
            flash(_("Dossier %(code)s registered. Print the receipt for the applicant.",
                    code=dossier.case.code), "success")
            return redirect(url_for("desk.receipt", case_id=dossier.case_id))
    return render_template("dossiers/walk_in.html", form=form, procedure=procedure,
                           departments=_departments())


@bp.get("/cases/<int:case_id>/receipt")
@roles(*STAFF)
def receipt(case_id: int):
    """Mẫu 01: the receipt and appointment slip, with a QR code to the tracking page."""
    try:
        case = workbench.case_for(db.session, current_user._get_current_object(), case_id)
    except NotAllowed:
        abort(403)
    dossier = db.session.get(Dossier, case_id) if case is not None else None
    if dossier is None:
        abort(404)
    return render_template("dossiers/receipt.html", case=case, dossier=dossier,
                           qr=qr_svg(tracking_url(case.code)), tracking=tracking_url(case.code))
