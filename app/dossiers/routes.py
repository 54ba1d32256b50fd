"""Dossiers as residents see them. Views only parse and render; rules are in services.py."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, make_response, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.dossiers import fees, services
from app.dossiers.online import drafts_of
from app.dossiers.forms import ERRORS, RATING_LABELS, RatingForm, TrackForm, WithdrawForm
from app.models import Dossier
from app.dossiers.kind import do_now_text, status_text
from app.extensions import db, limiter
from app.input_guard import query_page
from app.locale import current_language
from app.queue.actions import perform
from app.queue.errors import QueueError, StaleCase
from app.security import public, signed_in
from app.tracking import lookup_limit

bp = Blueprint("dossiers", __name__, url_prefix="/<lang:lang_code>/dossiers")


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(lookup_limit, methods=["POST"])
@public
def track():
    form = TrackForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]  # the QR code on a receipt fills it in
    found = progress = None
    not_found = False
    if form.validate_on_submit():
        found = services.track(db.session, form.code.data, form.contact.data)
        not_found = found is None
        if found is not None:
            progress = fees.tracked_progress(db.session, found, current_language())
    response = make_response(render_template(
        "dossiers/track.html", form=form, found=found, progress=progress, not_found=not_found,
        status_text=status_text, do_now_text=do_now_text))
    if found is not None:
        response.headers["Cache-Control"] = "no-store"  # personal data on a shared phone
    return response


@bp.get("/")
@signed_in
def mine():
    page = services.mine(db.session, current_user.id, query_page())
    response = make_response(render_template("dossiers/mine.html", page=page,
                                              status_text=status_text, do_now_text=do_now_text,
                                              can_withdraw=services.can_withdraw,
                                              dossiers=services.dossiers_of(db.session, page.items),
                                              can_rate=services.can_rate,
                                              rating_labels=RATING_LABELS,
                                              drafts=drafts_of(db.session, current_user.id)))
    return response


@bp.route("/<int:case_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(case_id: int):
    me = current_user._get_current_object()
    case = services.own_case(db.session, me.id, case_id)
    if case is None:
        abort(404)
    if not services.can_withdraw(case):
        flash(_("This dossier can no longer be withdrawn: the result is ready or it is closed."),
              "error")
        return redirect(url_for("dossiers.mine"))
    form = WithdrawForm()
    if request.method == "GET":
        form.version.data = case.version
    if form.validate_on_submit():
        try:
            perform(db.session, case.id, "withdraw", me, expected_version=form.version.data,
                    note=form.reason.data or None)
        except StaleCase:
            flash(_("The dossier changed while you were reading. Check it and confirm again."),
                  "error")
            return redirect(url_for("dossiers.withdraw", case_id=case.id))
        except QueueError:
            flash(_("This dossier can no longer be withdrawn: the result is ready or it is "
                    "closed."), "error")
            return redirect(url_for("dossiers.mine"))
        flash(_("Dossier %(code)s has been withdrawn.", code=case.code), "success")
        return redirect(url_for("dossiers.mine"))
    return render_template("dossiers/withdraw.html", case=case, form=form,
                           status_text=status_text)


@bp.route("/<int:case_id>/rate", methods=["GET", "POST"])
@signed_in
def rate(case_id: int):
    me = current_user._get_current_object()
    case = services.own_case(db.session, me.id, case_id)
    dossier = db.session.get(Dossier, case_id) if case is not None else None
    if dossier is None:
        abort(404)
    if not services.can_rate(case, dossier):
        flash(str(ERRORS["not_rateable"]), "error")
        return redirect(url_for("dossiers.mine"))
    form = RatingForm()
    if form.validate_on_submit():
        try:
            services.rate(db.session, me.id, case_id, form.level.data, form.comment.data)
        except services.DossierError as error:
            flash(str(ERRORS.get(error.code, ERRORS["not_rateable"])), "error")
            return redirect(url_for("dossiers.mine"))
        flash(_("Thank you: your rating of dossier %(code)s is recorded.", code=case.code),
              "success")
        return redirect(url_for("dossiers.mine"))
    return render_template("dossiers/rate.html", case=case, form=form)


# Online submission (drafts, submit, the applicant's receipt) adds its views to this blueprint.
from app.dossiers import online_routes  # noqa: E402,F401
