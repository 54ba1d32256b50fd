"""Questions and petitions as residents meet them: the published answers (search, topic,
agency), one published answer, asking (signed in or not), finding one's own again by code and
phone, its private page with the answer and the rating, one's list, attachments.

Views parse and render; the rules are in services.py, public.py and access.py.
"""
from __future__ import annotations

import secrets

from flask import (abort, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app.dossiers.files import Upload, clean_filename
from app.downloads import send_stored
from app.extensions import db, limiter
from app.input_guard import query_id, query_page
from app.locale import current_language
from app.models import Petition, PetitionFile
from app.petitions import access, bp, public, services
from app.petitions.forms import AskForm, LookupForm, RateForm
from app.petitions.kind import status_text
from app.petitions.labels import (ERRORS, FILES_NOT_KEPT, KIND_NAMES, SOURCE_NAMES,
                                  UPLOAD_ERRORS)
from app.petitions.privacy import public_text
from app.petitions.topics import topics
from app.procedures.services import get_by_code
from app.dossiers.forms import RATING_LABELS
from app.dossiers.services import active_procedures
from app.ratelimits import account_key
from app.security import public as public_route, signed_in
from app.storage import file_store
from app.tracking import LOOKUP_SCOPE, lookup_limit
from app.units.services import commune_choices
from app.uploads import ATTACHMENT_MAX_BYTES, UploadError


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.context_processor
def petition_words():
    return {"kind_names": KIND_NAMES, "source_names": SOURCE_NAMES,
            "public_text": public_text, "status_text": status_text,
            "is_answered": services.is_answered, "on_time": public.on_time,
            "rating_labels": RATING_LABELS}


# -- the published answers -------------------------------------------------------------------

@bp.get("/")
@public_route
def index():
    q = (request.args.get("q") or "").strip()[:200]
    query = public.Search(q=q, topic_id=query_id("topic"), department_id=query_id("agency"))
    page = public.search(db.session, query, query_page())
    args = {k: v for k, v in {"q": q, "topic": query.topic_id,
                              "agency": query.department_id}.items() if v}
    return render_template("petitions/index.html", page=page, query=query, args=args,
                           topics=public.topics_published(db.session),
                           agencies=public.agencies_published(db.session),
                           lang=current_language())


@bp.get("/<int:petition_id>")
@public_route
def detail(petition_id: int):
    petition = public.published(db.session, petition_id)
    if petition is None:
        abort(404)
    return render_template("petitions/detail.html", petition=petition, lang=current_language())


# -- asking ------------------------------------------------------------------------------------

def _ask_limit() -> str:
    return current_app.config["RATELIMIT_PETITION"]


def _ask_form(formdata: bool = True) -> AskForm:
    lang = current_language()
    form = AskForm() if formdata else AskForm(formdata=None)
    form.topic_id.choices = [(0, _("Choose…"))] + [(t.id, t.name(lang))
                                                   for t in topics(db.session)]
    form.unit_id.choices = [(0, _("Choose…"))] + commune_choices(db.session, lang)
    form.procedure_id.choices = [(0, _("None"))] + [
        (p.id, p.name(lang)) for p in active_procedures(db.session, lang)]
    return form


def _uploads(form: AskForm) -> list[Upload]:
    """The files the browser sent (an empty file field sends one nameless part); one byte past
    the limit is enough to know a file is too large."""
    chosen = [f for f in (form.files.data or [])
              if isinstance(f, FileStorage) and (f.filename or "").strip()]
    return [Upload(f.read(ATTACHMENT_MAX_BYTES + 1), f.filename) for f in chosen]


def _upload_message(error: UploadError, uploads: list[Upload]) -> str:
    index = getattr(error, "index", None)
    name = (clean_filename(uploads[index].filename, "file")
            if index is not None and index < len(uploads) else "")
    return str(UPLOAD_ERRORS.get(error.code, UPLOAD_ERRORS["bad_type"])
               % {"name": name, "size": ATTACHMENT_MAX_BYTES // (1024 * 1024)})


def _render_ask(form: AskForm, status: int = 200, chose_files: bool = False):
    return render_template("petitions/ask.html", form=form, me=_me(),
                           max_files=services.MAX_FILES,
                           files_not_kept=str(FILES_NOT_KEPT) if chose_files else None), status


@bp.route("/ask", methods=["GET", "POST"])
@limiter.limit(_ask_limit, methods=["POST"], key_func=account_key)
@public_route
def ask():
    me = _me()
    if request.method == "GET":
        form = _ask_form(formdata=False)
        form.idempotency_key.data = secrets.token_urlsafe(24)
        if me is not None:
            form.asker_name.data = me.full_name
            form.asker_phone.data = me.phone or ""
            form.asker_email.data = me.email or ""
        procedure = get_by_code(db.session, (request.args.get("procedure") or "")[:30])
        if procedure is not None:
            form.procedure_id.data = procedure.id
        return _render_ask(form)
    form = _ask_form()
    uploads = _uploads(form)
    if len(uploads) > services.MAX_FILES:
        form.files.errors = list(form.files.errors) + [str(ERRORS["too_many_files"])]
    if not form.validate() or form.files.errors:
        return _render_ask(form, 400, chose_files=bool(uploads))
    filing = services.Filing(
        kind=form.kind.data, topic_id=form.topic_id.data, unit_id=form.unit_id.data,
        procedure_id=form.procedure_id.data or None, title=form.title.data,
        body=form.body.data, asker_name=form.asker_name.data,
        asker_phone=form.asker_phone.data, asker_email=form.asker_email.data,
        public=bool(form.public.data), user_id=me.id if me is not None else None,
        locale=current_language(), idempotency_key=form.idempotency_key.data or None)
    try:
        petition = services.file_petition(db.session, file_store(), filing, uploads)
    except services.PetitionError as error:
        db.session.rollback()
        form.add_error(error.field, ERRORS.get(error.code, ERRORS["not_found"]))
        return _render_ask(form, 400, chose_files=bool(uploads))
    except UploadError as error:
        db.session.rollback()
        form.files.errors = list(form.files.errors) + [_upload_message(error, uploads)]
        return _render_ask(form, 400, chose_files=bool(uploads))
    access.remember(petition.id)
    if petition.status == "held":
        flash(_("Your message was received with the code %(code)s. It contains words the "
                "portal does not pass on unread, so a moderator of the commune will read it "
                "before it goes to the office. You will be told what they decide.",
                code=petition.code), "warning")
    else:
        flash(_("Sent: your code is %(code)s. Keep it with your phone number to find the "
                "answer.", code=petition.code), "success")
    return redirect(url_for("petitions.own", petition_id=petition.id))


# -- finding one's own ---------------------------------------------------------------------------

@bp.route("/find", methods=["GET", "POST"])
@limiter.shared_limit(lookup_limit, scope=LOOKUP_SCOPE, methods=["POST"])
@public_route
def lookup():
    form = LookupForm()
    not_found = False
    if form.validate_on_submit():
        petition = services.find_own(db.session, form.code.data, form.phone.data)
        if petition is not None:
            access.remember(petition.id)
            return redirect(url_for("petitions.own", petition_id=petition.id))
        not_found = True
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("petitions/lookup.html", form=form, not_found=not_found), status


def _own_or_404(petition_id: int) -> Petition:
    petition = db.session.get(Petition, petition_id)
    if petition is None or not access.is_asker(_me(), petition):
        abort(404)  # someone else's looks exactly like none
    return petition


def _render_own(petition: Petition, form: RateForm | None = None, status: int = 200):
    response = make_response(render_template(
        "petitions/own.html", petition=petition, files=services.files_of(db.session, petition.id),
        answered=services.is_answered(petition), can_rate=services.can_rate(petition),
        form=form or RateForm(), published=public.is_published(petition),
        lang=current_language()), status)
    response.headers["Cache-Control"] = "no-store"  # personal data on a shared phone
    return response


@bp.get("/yours/<int:petition_id>")
@public_route
def own(petition_id: int):
    return _render_own(_own_or_404(petition_id))


@bp.post("/yours/<int:petition_id>/rate")
@public_route
def rate(petition_id: int):
    petition = _own_or_404(petition_id)
    form = RateForm()
    if not form.validate_on_submit():
        return _render_own(petition, form, 400)
    try:
        services.rate(db.session, petition.id, form.level.data, form.comment.data)
    except services.PetitionError as error:
        db.session.rollback()
        form.form_errors.append(str(ERRORS.get(error.code, ERRORS["not_rateable"])))
        db.session.refresh(petition)
        return _render_own(petition, form, 409 if error.code == "not_rateable" else 400)
    flash(_("Thank you: your rating is recorded."), "success")
    return redirect(url_for("petitions.own", petition_id=petition.id))


@bp.get("/mine")
@signed_in
def mine():
    page = services.mine(db.session, current_user.id, query_page())
    return render_template("petitions/mine.html", page=page, lang=current_language())


@bp.get("/files/<int:attachment_id>")
@public_route
def attachment(attachment_id: int):
    item = db.session.get(PetitionFile, attachment_id)
    petition = db.session.get(Petition, item.petition_id) if item is not None else None
    if petition is None or not access.may_read_file(db.session, _me(), petition):
        abort(404)
    return send_stored(item.storage_key, item.kind, filename=item.filename)
