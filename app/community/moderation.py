"""The moderators' queue (hidden things of their communes, with the flags), their decisions
(restore or remove, always with a reason) and the moderation log. Staff of the commune and
administrators; the service decides per target (another commune's staff: 403)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.community import bp
from app.community import moderation_service as service
from app.community.comments import target_url
from app.community.moderation_forms import (ACTION_LABELS, FLAG_REASON_LABELS, TARGET_LABELS,
                                            DecisionForm)
from app.errors import refuse
from app.extensions import db
from app.input_guard import query_page
from app.inputs import parse_id
from app.models.users import STAFF_ROLES
from app.security import roles

# Every staff account; which commune each may act in, the services decide.
STAFF = tuple(sorted(STAFF_ROLES))

ERRORS = {
    "reason_required": _l("Give the reason for your decision."),
    "too_long": _l("The reason is at most %(max)d characters."),
    "not_hidden": _l("This is not waiting for a moderator (any more): nothing was changed."),
}


def _queue_page(forms=None, status=200):
    me = current_user._get_current_object()
    page = service.queue_page(db.session, me, query_page())
    return render_template("community/moderation.html", page=page, forms=forms or {},
                           reason_labels=FLAG_REASON_LABELS, target_labels=TARGET_LABELS,
                           target_url=target_url), status


@bp.get("/moderation")
@roles(*STAFF)
def moderation():
    return _queue_page()


def _decide(action: str):
    form = DecisionForm()
    target_type = form.target_type.data if form.target_type.data in service.FLAG_TARGETS \
        else None
    try:
        target_id = parse_id(form.target_id.data)
    except ValueError:
        target_id = None
    if target_type is None or target_id is None:
        refuse(400, _("This form is incomplete. Reload the page and try again."))
    me = current_user._get_current_object()
    if service.target_row(db.session, target_type, target_id) is None:
        refuse(404)
    if not service.may_moderate(db.session, me, target_type, target_id):
        refuse(403)
    if form.validate():
        try:
            getattr(service, action)(db.session, me, target_type, target_id, form.reason.data)
        except service.ModerationError as exc:
            if exc.code == "not_allowed":
                refuse(403)
            if exc.code == "not_found":
                refuse(404)
            if exc.code == "not_hidden":
                flash(str(ERRORS["not_hidden"]), "error")
                return redirect(url_for("community.moderation"))
            form.reason.errors = list(form.reason.errors) + [
                str(ERRORS[exc.code]) % {"max": service.REASON_MAX}]
        else:
            flash(_("Restored: it is visible again.") if action == "restore"
                  else _("Removed. The decision is in the moderation log."), "success")
            return redirect(url_for("community.moderation"))
    # The reason is missing or wrong: the queue again, with the message next to this item.
    form.action = action
    return _queue_page({(target_type, target_id): form}, 400)


@bp.post("/moderation/restore")
@roles(*STAFF)
def moderation_restore():
    return _decide("restore")


@bp.post("/moderation/remove")
@roles(*STAFF)
def moderation_remove():
    return _decide("remove")


@bp.get("/moderation/log")
@roles(*STAFF)
def moderation_log():
    page = service.log_page(db.session, current_user._get_current_object(), query_page())
    return render_template("community/moderation_log.html", page=page,
                           names=service.moderator_names(db.session, page.items),
                           action_labels=ACTION_LABELS, target_labels=TARGET_LABELS,
                           target_url=target_url)
