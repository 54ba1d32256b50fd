"""Comments on initiatives and village needs: the list page, posting one, and the partial the
detail pages include (community/_comments.html, which calls the `comments_for` global).

Views only parse and render; the rules are in app/community/moderation_service.py.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.community import bp
from app.community import moderation_service as service
from app.community.moderation_forms import CommentForm, FLAG_REASON_LABELS, FlagForm
from app.errors import refuse
from app.extensions import db, limiter
from app.input_guard import query_id, query_page
from app.inputs import parse_id
from app.links import safe_path
from app.security import public, signed_in
from app.templating import is_htmx
from app.ratelimits import account_key

LATEST = 5

ERRORS = {
    "empty": _l("Write your comment."),
    "too_long": _l("A comment is at most %(max)d characters."),
    "not_found": _l("This cannot be commented on: it does not exist, is not published or "
                    "was hidden by moderation."),
    "closed": _l("Comments are closed: the author withdrew this initiative. Nothing was "
                 "published."),
}


def target_url(target_type: str, target_id: int) -> str:
    """The public page of an initiative, a need or a comment (its page, at the comment)."""
    if target_type == "comment":
        comment = db.session.get(service.Comment, target_id)
        if comment is None:
            return url_for("main.home")
        return target_url(comment.target_type, comment.target_id) + f"#comment-{comment.id}"
    if target_type == "initiative":
        return url_for("community.initiative", initiative_id=target_id)
    return url_for("village.need", need_id=target_id)


def _comments_for(target_type, target_id, limit: int = LATEST):
    """For the partial: (the latest visible comments, how many visible in all)."""
    if target_type not in service.COMMENT_TARGETS or not isinstance(target_id, int):
        return [], 0
    return service.latest_comments(db.session, target_type, target_id, limit)


def _new_comment_form(target_type, target_id):
    form = CommentForm(formdata=None)
    form.target_type.data = target_type
    form.target_id.data = str(target_id)
    return form


def _new_flag_form(target_type, target_id):
    form = FlagForm(formdata=None)
    form.target_type.data = target_type
    form.target_id.data = str(target_id)
    return form


bp.add_app_template_global(_comments_for, "comments_for")
bp.add_app_template_global(_new_comment_form, "new_comment_form")
bp.add_app_template_global(_new_flag_form, "new_flag_form")
bp.add_app_template_global(lambda t, i: service.is_public(db.session, t, i)
                           if isinstance(i, int) else False, "community_is_public")
bp.add_app_template_global(FLAG_REASON_LABELS, "flag_reason_labels")
bp.add_app_template_global(lambda t, i: service.comment_refusal(db.session, t, i)
                           if isinstance(i, int) else "not_found", "comments_refusal")


def _target_from(target_type: str | None, raw_id) -> tuple[str, int]:
    if target_type not in service.COMMENT_TARGETS:
        refuse(404)
    try:
        target_id = parse_id(raw_id)
    except ValueError:
        refuse(404)
    return target_type, target_id


@bp.get("/comments")
@public
def comments():
    target_type = request.args.get("target_type")
    target_id = query_id("target_id")
    if target_type not in service.COMMENT_TARGETS or target_id is None:
        refuse(404)
    if not service.is_public(db.session, target_type, target_id):
        refuse(404)
    page = service.comments_page(db.session, target_type, target_id, query_page())
    return render_template(
        "community/moderation_comments.html", page=page, target_type=target_type,
        target_id=target_id, title=service.target_title(db.session, target_type, target_id),
        back_url=target_url(target_type, target_id),
        comment_form=_new_comment_form(target_type, target_id))


def posted_target(form, allowed) -> tuple[str, int]:
    """The (type, id) a comment or report form names; a tampered or stale form is refused
    here, once, for both."""
    target_type = form.target_type.data if form.target_type.data in allowed else None
    try:
        target_id = parse_id(form.target_id.data)
    except ValueError:
        target_id = None
    if target_type is None or target_id is None:
        refuse(400, _("This form is incomplete. Reload the page and try again."))
    return target_type, target_id


def _closed(target_type: str, target_id: int):
    """A comment on a withdrawn initiative: refused with the reason, nothing published (409;
    200 to htmx, which swaps only 2xx answers)."""
    message = str(ERRORS["closed"])
    if is_htmx():
        return render_template("community/_comments.html", target_type=target_type,
                               target_id=target_id, comment_notice=message,
                               notice_category="error")
    flash(message, "error")
    page = service.comments_page(db.session, target_type, target_id, 1)
    return render_template(
        "community/moderation_comments.html", page=page, target_type=target_type,
        target_id=target_id, title=service.target_title(db.session, target_type, target_id),
        back_url=target_url(target_type, target_id),
        comment_form=_new_comment_form(target_type, target_id)), 409


def _comment_limit() -> str:
    return current_app.config["RATELIMIT_COMMENT"]


@bp.post("/comments")
@limiter.limit(_comment_limit, key_func=account_key)
@signed_in
def add_comment():
    form = CommentForm()
    target_type, target_id = posted_target(form, service.COMMENT_TARGETS)
    error = None
    if form.validate():
        try:
            service.add_comment(db.session, current_user._get_current_object(), target_type,
                                target_id, form.body.data)
        except service.ModerationError as exc:
            if exc.code == "not_found":
                refuse(404, str(ERRORS["not_found"]))
            if exc.code == "closed":
                return _closed(target_type, target_id)
            error = str(ERRORS[exc.code]) % {"max": service.COMMENT_MAX}
        else:
            if is_htmx():
                return render_template("community/_comments.html", target_type=target_type,
                                       target_id=target_id,
                                       comment_notice=_("Your comment was published."))
            flash(_("Your comment was published."), "success")
            return redirect(safe_path(form.next.data) or target_url(target_type, target_id))
    if error:
        form.body.errors = list(form.body.errors) + [error]
    if form.csrf_token.errors:  # an expired page: say so next to the text that was kept
        form.body.errors = list(form.body.errors) + [
            _("This form is incomplete. Reload the page and try again.")]
    refusal = service.comment_refusal(db.session, target_type, target_id)
    if refusal == "not_found":
        refuse(404, str(ERRORS["not_found"]))
    if refusal == "closed":
        return _closed(target_type, target_id)
    # Re-render with what was typed and the message, 400.
    if is_htmx():
        # htmx swaps only 2xx answers: the refused form comes back as 200, message and all.
        return render_template("community/_comments.html", target_type=target_type,
                               target_id=target_id, comment_form=form)
    page = service.comments_page(db.session, target_type, target_id, 10 ** 5)
    return render_template(
        "community/moderation_comments.html", page=page, target_type=target_type,
        target_id=target_id, title=service.target_title(db.session, target_type, target_id),
        back_url=target_url(target_type, target_id), comment_form=form), 400
