"""Following one's village on the `village` blueprint: the subscription page (signed in), and
unsubscribing in one step from any message, without logging in.

An unsubscribe link carries a signed token naming the account (app/village/subscriptions.py).
Opening it (GET) changes nothing: it shows what the person follows and one button, whose POST
(with the form's CSRF token) stops every village message; a tampered or expired token is
refused. Mail programs that offer their own "unsubscribe" button (RFC 8058) POST
`List-Unsubscribe=One-Click` to a second address named in the message's List-Unsubscribe
header; that one is exempt from CSRF (the mail program has no form to take a token from, and
no cookie is involved: the signed token itself is the authority) and accepts nothing else.
Both POSTs are rate-limited per address.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.errors import refuse
from app.extensions import csrf, db, limiter
from app.locale import current_language
from app.models import User
from app.notifications.channels import can_deliver
from app.notifications.outbox import channel_for, masked_recipient
from app.security import public, signed_in
from app.village import bp
from app.village import subscriptions as svc
from app.village.announcement_routes import blame, viewer
from app.village.notice_forms import ERRORS, ConfirmForm, SubscriptionForm
from app.village.notice_labels import ANNOUNCEMENT_CATEGORY_LABELS, MODE_LABELS


def _unsubscribe_limit() -> str:
    return current_app.config["RATELIMIT_UNSUBSCRIBE"]


def _scope_choices(user: User, lang: str) -> list[tuple[str, str]]:
    choices = []
    if user.village is not None:
        choices.append(("village", _("My village, %(village)s, and notices for the whole "
                                     "commune", village=user.village.name(lang))))
    if user.commune is not None:
        choices.append(("commune", _("Everything in my commune, %(commune)s, every village "
                                     "included", commune=user.commune.name(lang))))
    return choices


@bp.route("/subscription", methods=["GET", "POST"])
@signed_in
def subscription():
    user = viewer()
    current = svc.subscription_of(db.session, user)
    if request.method == "GET":
        if current is not None:
            form = SubscriptionForm(
                scope="commune" if current.unit_id == user.commune_id else "village",
                alerts=current.alerts, announcements=current.announcements,
                categories=current.category_list)
        else:
            form = SubscriptionForm(scope="village" if user.village_id else "commune")
    else:
        form = SubscriptionForm()
    form.scope.choices = _scope_choices(user, current_language())
    if form.validate_on_submit():
        try:
            svc.save(db.session, user, svc.SubscriptionInput(
                scope=form.scope.data or "", alerts=bool(form.alerts.data),
                announcements=form.announcements.data or "",
                categories=list(form.categories.data or [])))
        except svc.SubscriptionError as error:
            blame(form, error)
        else:
            flash(_("Saved. New notices will reach you by %(channel)s.",
                    channel=_("e-mail") if user.email else _("text message")), "success")
            return redirect(url_for("village.subscription"))
    status = 400 if request.method == "POST" else 200
    deliverable = can_deliver(current_app.config, channel_for(user))
    return render_template("village/subscription.html", form=form, current=current,
                           has_home=user.commune_id is not None, deliverable=deliverable,
                           contact=masked_recipient(user.email or user.phone or "")), status


@bp.post("/subscription/stop")
@signed_in
def stop_subscription():
    if not ConfirmForm().validate_on_submit():
        refuse(400)
    if svc.unsubscribe(db.session, viewer().id):
        flash(_("You will no longer receive village messages."), "success")
    return redirect(url_for("village.subscription"))


def _account_of(token: str) -> User:
    user_id = svc.read_unsubscribe_token(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        refuse(404, ERRORS["bad_link"])
    return user


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit(_unsubscribe_limit, methods=["POST"])
@public
def unsubscribe(token: str):
    user = _account_of(token)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            refuse(400)
        svc.unsubscribe(db.session, user.id)
        flash(_("Done: you will no longer receive village messages."), "success")
        return redirect(url_for("village.unsubscribe", token=token))
    current = svc.subscription_of(db.session, user)
    return render_template("village/unsubscribe.html", form=form, current=current,
                           contact=masked_recipient(user.email or user.phone or ""),
                           mode_labels=MODE_LABELS,
                           category_labels=ANNOUNCEMENT_CATEGORY_LABELS)


@bp.post("/unsubscribe/<token>/one-click")
@limiter.limit(_unsubscribe_limit)
@public
@csrf.exempt
def unsubscribe_one_click(token: str):
    """RFC 8058: the mail program's own unsubscribe button (see the module docstring)."""
    if request.form.get("List-Unsubscribe") != "One-Click":
        refuse(400)
    user = _account_of(token)
    svc.unsubscribe(db.session, user.id)
    return _("You will no longer receive village messages."), 200, {
        "Content-Type": "text/plain; charset=utf-8"}
