"""Dossiers as residents see them. Views only parse and render; rules are in services.py."""
from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_login import current_user

from app.dossiers import services
from app.dossiers.forms import TrackForm
from app.dossiers.kind import do_now_text, status_text
from app.extensions import db, limiter
from app.input_guard import query_page
from app.security import public, signed_in

bp = Blueprint("dossiers", __name__, url_prefix="/<lang:lang_code>/dossiers")


def _lookup_limit() -> str:
    return current_app.config["RATELIMIT_LOOKUP"]


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
@public
def track():
    form = TrackForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]  # the QR code on a receipt fills it in
    found = None
    not_found = False
    if form.validate_on_submit():
        found = services.track(db.session, form.code.data, form.contact.data)
        not_found = found is None
    response = make_response(render_template(
        "dossiers/track.html", form=form, found=found, not_found=not_found,
        status_text=status_text, do_now_text=do_now_text))
    if found is not None:
        response.headers["Cache-Control"] = "no-store"  # personal data on a shared phone
    return response


@bp.get("/")
@signed_in
def mine():
    page = services.mine(db.session, current_user.id, query_page())
    response = make_response(render_template("dossiers/mine.html", page=page,
                                              status_text=status_text, do_now_text=do_now_text))
    return response
