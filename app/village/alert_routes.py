"""Emergency alerts on the `village` blueprint: an alert's public page, issuing and withdrawing
(staff of the places), and the banner every page shows to those whose home an alert reaches
(server-rendered by base.html, so it works without JavaScript). Rules: app/village/alerts.py.
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.errors import refuse
from app.extensions import db
from app.locale import current_language
from app.models import Alert, utcnow
from app.queue.calendar import LOCAL_TZ
from app.security import public, roles
from app.village import alerts as svc
from app.village import bp
from app.village.announcement_routes import (STAFF, blame, place_choices, publishing_places,
                                             viewer)
from app.village.notice_forms import ERRORS, AlertForm, ConfirmForm
from app.village.notice_labels import category_name, hazard_name, labels, severity_name

log = logging.getLogger("conglang.village")
_BANNER = "village_alert_banner"


# -- the banner on every page -----------------------------------------------------------------

def _banner() -> list[Alert]:
    """The alerts reaching the signed-in person's home now, asked once per request."""
    found = g.get(_BANNER)
    if found is None:
        units = svc.home_units(current_user)
        found = []
        if units:
            try:
                found = svc.banner_alerts(db.session, units, utcnow())
            except SQLAlchemyError:
                # An error page rendered after a database failure must still render.
                log.warning("alert banner skipped: the database did not answer", exc_info=True)
        setattr(g, _BANNER, found)
    return found


@bp.before_app_request
def _forget_banner():
    # An application context can outlive a request (tests, the CLI): never show one person's
    # banner to the next.
    g.pop(_BANNER, None)


@bp.app_context_processor
def _banner_context():
    return {"emergency_alerts": _banner, "alert_hazard_name": hazard_name,
            "alert_severity_name": severity_name,
            "announcement_category_name": category_name}


# -- reading ----------------------------------------------------------------------------------

@bp.get("/alerts/<int:alert_id>")
@public
def alert(alert_id: int):
    item = svc.visible(db.session, alert_id)
    if item is None:
        refuse(404)
    return render_template("village/alert.html", item=item, places=svc.places_of(item),
                           manager=svc.may_manage(db.session, viewer(), item), now=utcnow(),
                           **labels())


# -- issuing and withdrawing ------------------------------------------------------------------

def _expiry(value: datetime | None) -> datetime | None:
    """The form's local date and time as an aware moment."""
    return value.replace(tzinfo=LOCAL_TZ) if value is not None else None


@bp.route("/alerts/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_alert():
    places = publishing_places()
    form = AlertForm()
    form.areas.choices = place_choices(places, current_language())
    if form.validate_on_submit():
        data = svc.AlertInput(
            hazard=form.hazard.data or "", severity=form.severity.data or "",
            title_vi=form.title_vi.data or "", title_en=form.title_en.data or "",
            body_vi=form.body_vi.data or "", body_en=form.body_en.data or "",
            expires_at=_expiry(form.expires_at.data), area_keys=list(form.areas.data or []))
        try:
            item = svc.issue(db.session, viewer(), data)
        except svc.AlertError as error:
            blame(form, error)
        else:
            flash(_("The alert is issued. It shows on every page for the residents of the "
                    "places you chose."), "success")
            return redirect(url_for("village.alert", alert_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("village/alert_form.html", form=form), status


@bp.route("/alerts/<int:alert_id>/withdraw", methods=["GET", "POST"])
@roles(*STAFF)
def withdraw_alert(alert_id: int):
    item = svc.visible(db.session, alert_id)
    if item is None:
        refuse(404)
    if not svc.may_manage(db.session, viewer(), item):
        refuse(403, ERRORS["forbidden"])
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            refuse(400)
        try:
            svc.withdraw(db.session, viewer(), item.id)
        except svc.AlertError as error:
            flash(str(ERRORS.get(error.code, ERRORS["forbidden"])), "error")
            return redirect(url_for("village.alert", alert_id=item.id))
        flash(_("The alert was withdrawn. The banner is gone from every page."), "success")
        return redirect(url_for("village.manage"))
    if not item.active(utcnow()):
        flash(str(ERRORS["already_ended"]), "error")
        return redirect(url_for("village.alert", alert_id=item.id))
    return render_template("village/confirm_withdraw.html", form=form,
                           title=_("Withdraw the alert"), name=item.title(current_language()),
                           explain=_("The banner disappears at once for everyone. Withdraw an "
                                     "alert when the danger is over or it was a mistake."),
                           back=url_for("village.alert", alert_id=item.id))
