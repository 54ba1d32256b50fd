"""Flagging an initiative, a comment or a village need for a moderator (once per person).
The same URL answers a plain form post (redirect back) and htmx (the refreshed control)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.community import bp
from app.community import moderation_service as service
from app.community.comments import posted_target, target_url
from app.ratelimits import account_key
from app.community.moderation_forms import FlagForm
from app.errors import refuse
from app.extensions import db, limiter
from app.links import safe_path
from app.security import signed_in
from app.templating import is_htmx

MESSAGES = {
    "already_flagged": _l("You have already reported this. A report counts once per person; "
                          "nothing was changed."),
    "not_found": _l("This cannot be reported: it does not exist or is already hidden."),
    "bad_reason": _l("Choose a reason."),
    "flagged": _l("Thank you. Your report was sent to the moderators."),
    "hidden": _l("Thank you. After several reports this is now hidden until a moderator "
                 "looks at it."),
}


def _flag_limit() -> str:
    return current_app.config["RATELIMIT_FLAG"]


@bp.post("/flags")
@limiter.limit(_flag_limit, key_func=account_key)
@signed_in
def flag():
    form = FlagForm()
    target_type, target_id = posted_target(form, service.FLAG_TARGETS)
    category = "success"
    if not form.validate():
        code, category = "bad_reason", "error"
    else:
        try:
            result = service.flag(db.session, current_user._get_current_object(), target_type,
                                  target_id, form.reason.data)
            code = "hidden" if result.hidden else "flagged"
        except service.ModerationError as exc:
            if exc.code == "not_found":
                refuse(404, str(MESSAGES["not_found"]))
            code, category = exc.code, "error"
    message = str(MESSAGES[code])
    if is_htmx():
        # htmx swaps only 2xx answers: a refusal comes back as 200 with its message.
        return render_template("community/_flag.html", target_type=target_type,
                               target_id=target_id, flag_message=message)
    flash(message, category)
    back = safe_path(form.next.data)
    if code == "hidden" and target_type != "comment":
        # The page of a hidden initiative or need is gone for the public: go to its list.
        back = url_for({"initiative": "community.initiatives",
                        "village_need": "village.board"}[target_type])
    return redirect(back or target_url(target_type, target_id))
