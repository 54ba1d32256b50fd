"""The administrator's page for a commune's community settings: how many supports make an
initiative owed an official answer, whether authors may support their own, and how many flags
hide an item until a moderator looks at it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.community import bp
from app.community import initiatives_service as svc
from app.community.initiatives_forms import ERRORS, SettingsForm, UnitChoiceForm
from app.extensions import db
from app.input_guard import query_id
from app.security import roles


@bp.route("/settings", methods=["GET", "POST"])
@roles("admin")
def settings():
    communes = svc.communes(db.session)
    ids = {c.id for c in communes}
    unit_id = query_id("unit")
    if unit_id not in ids:
        unit_id = communes[0].id if communes else None
    chooser = UnitChoiceForm(formdata=None)
    chooser.unit.choices = [(str(c.id), c.name_vi) for c in communes]
    chooser.unit.data = str(unit_id) if unit_id else ""
    form = SettingsForm()
    current = svc.settings_for(db.session, unit_id) if unit_id else None
    if request.method == "GET" and current is not None:
        form.support_threshold.data = current.support_threshold
        form.allow_self_support.data = current.allow_self_support
        form.flag_threshold.data = current.flag_threshold
    status = 200
    if request.method == "POST" and unit_id is not None:
        if form.validate_on_submit():
            try:
                svc.save_settings(db.session, unit_id,
                                  support_threshold=form.support_threshold.data,
                                  allow_self_support=bool(form.allow_self_support.data),
                                  flag_threshold=form.flag_threshold.data)
            except svc.InitiativeError as error:
                db.session.rollback()
                field = getattr(form, error.field or "", None)
                if field is not None:
                    field.errors = list(field.errors) + [str(ERRORS[error.code])]
            else:
                flash(_("Community settings saved."), "success")
                return redirect(url_for("community.settings", unit=unit_id))
        status = 400
    return render_template("community/settings.html", form=form, chooser=chooser,
                           unit_id=unit_id, communes=communes), status
