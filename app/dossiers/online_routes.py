"""Submitting a dossier online, on the residents' `dossiers` blueprint: start a draft from a
procedure's page, fill it in and attach papers (saved as often as wanted), submit it, read the
receipt. Views only parse and render; rules are in online.py and services.py.

Every active procedure may be submitted online: "full" (toàn trình) and "partial" (một phần)
alike, the only two online levels; partial means the resident submits here and brings the
originals or collects the result at the desk, which the form says.

Only resident accounts submit online: an officer files a paper dossier at the desk
(desk.walk_in) and has no business being the applicant of a case their own office handles.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.dossiers import online
from app.dossiers.files import files_of_case
from app.dossiers.online_forms import (ERRORS, FILES_NOT_KEPT, DOCUMENT_REQUIRED, REUSE_ERRORS,
                                       UPLOAD_ERRORS, ConfirmForm, RemoveFileForm,
                                       document_field, initial_data, online_form_class, relax,
                                       reuse_field, reused_of, schema_fields, uploads_of,
                                       values_of)
from app.dossiers.papers_service import reusable_papers
from app.dossiers.receipts import qr_svg, tracking_url
from app.dossiers.routes import bp
from app.dossiers.services import DossierError
from app.extensions import db
from app.locale import current_language
from app.procedures.services import get_by_code
from app.security import roles, signed_in
from app.storage import file_store
from app.units.services import commune_choices
from app.uploads import UploadError

RESIDENT = "resident"


@bp.post("/start/<code>")
@roles(RESIDENT)
def start(code: str):
    procedure = get_by_code(db.session, code) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft = online.start_draft(db.session, current_user._get_current_object(), procedure)
    return redirect(url_for("dossiers.edit_draft", draft_id=draft.id))


def _blame(form, code: str, field_name: str | None) -> None:
    # The procedure is a hidden field: its refusal goes above the form.
    form.add_error(None if field_name == "procedure_id" else field_name,
                   ERRORS.get(code, ERRORS["unknown_procedure"]))


def _refuse_reuse(form, document_id: int, code: str) -> None:
    field = document_field(form, document_id)
    field.errors = list(field.errors) + [REUSE_ERRORS.get(code, REUSE_ERRORS["bad_choice"])]


def _render(form, draft, status: int = 200, chose_files: bool = False):
    procedure = draft.procedure
    files = online.draft_files(db.session, draft.id)
    by_document: dict[int | None, list] = {}
    for item in files:
        by_document.setdefault(item.document_id, []).append(item)
    # The resident's papers of the kind a document asks for, offered while it has no file.
    me = current_user.id
    offers = {d.id: reusable_papers(db.session, me, d) for d in procedure.documents
              if d.paper_type and d.id not in by_document}
    return render_template(
        "dossiers/online_form.html", form=form, draft=draft, procedure=procedure,
        questions=schema_fields(form, procedure),
        documents=[(d, document_field(form, d.id), reuse_field(form, d.id),
                    offers.get(d.id) or []) for d in procedure.documents],
        files_by_document=by_document, loose_files=by_document.get(None, []),
        files_not_kept=str(FILES_NOT_KEPT) if chose_files and status >= 400 else None), status


def _form_for(draft, formdata: bool = True):
    procedure = draft.procedure
    lang = current_language()
    form_class = online_form_class(procedure, lang)
    form = form_class() if formdata else form_class(formdata=None,
                                                    data=initial_data(draft, procedure))
    form.unit_id.choices = [(0, _("Choose…"))] + commune_choices(db.session, lang)
    form.idempotency_key.data = draft.idempotency_key
    return form


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@roles(RESIDENT)
def edit_draft(draft_id: int):
    me = current_user._get_current_object()
    draft = online.own_draft(db.session, me.id, draft_id)
    if draft is None:
        # The second press of "submit": the draft became a dossier a moment ago.
        done = request.method == "POST" and online.submitted_with(
            db.session, me.id, request.form.get("idempotency_key"))
        if done:
            return _submitted(done, again=True)
        abort(404)
    if request.method == "GET":
        form = _form_for(draft, formdata=False)
        if not draft.procedure.active:
            form.form_errors.append(str(ERRORS["unknown_procedure"]))
        return _render(form, draft)

    form = _form_for(draft)
    procedure = draft.procedure
    key = draft.idempotency_key
    submitting = request.form.get("action") == "submit"
    if not submitting:
        relax(form)
    ok = form.validate()
    uploads = uploads_of(form, procedure)
    for document_id, code in online.upload_problems(uploads).items():
        field = document_field(form, document_id)
        field.errors = list(field.errors) + [UPLOAD_ERRORS[code]]
        ok = False
    reused = reused_of(form, procedure)
    for document_id, code in online.reuse_problems(db.session, me.id, procedure,
                                                   reused).items():
        _refuse_reuse(form, document_id, code)
        ok = False
    if submitting:
        for document_id in online.missing_documents(procedure, online.draft_files(
                db.session, draft.id), uploads, reused):
            field = document_field(form, document_id)
            field.errors = list(field.errors) + [DOCUMENT_REQUIRED]
            ok = False
    if not ok:
        return _render(form, draft, 400, chose_files=bool(uploads))

    values = values_of(form, procedure)
    store = file_store()
    try:
        if not submitting:
            online.save_draft(db.session, store, me.id, draft.id, values, uploads,
                              reused=reused)
            flash(_("Draft saved. You can come back to it from My dossiers."), "success")
            return redirect(url_for("dossiers.edit_draft", draft_id=draft.id))
        dossier = online.submit_draft(db.session, store, me.id, draft.id, values, uploads,
                                      reused=reused)
    except online.ReuseRefused as refused:  # checked above; a paper removed meanwhile
        db.session.rollback()
        for document_id, code in refused.problems.items():
            _refuse_reuse(form, document_id, code)
    except online.DraftIncomplete as incomplete:
        db.session.rollback()
        for document_id in incomplete.document_ids:
            document_field(form, document_id).errors.append(DOCUMENT_REQUIRED)
    except DossierError as error:
        db.session.rollback()
        done = error.code == "draft_gone" and online.submitted_with(db.session, me.id, key)
        if done:
            return _submitted(done, again=True)
        if error.code == "draft_gone":
            abort(404)
        _blame(form, error.code, error.field)
    except UploadError as error:  # checked above; a file changed under us is still refused
        db.session.rollback()
        form.form_errors.append(str(UPLOAD_ERRORS.get(error.code, UPLOAD_ERRORS["bad_type"])))
    else:
        return _submitted(dossier)
    draft = online.own_draft(db.session, me.id, draft_id) or abort(404)
    return _render(form, draft, 400, chose_files=bool(uploads))


def _submitted(dossier, again: bool = False):
    if again:
        flash(_("This draft was already submitted as dossier %(code)s.", code=dossier.case.code),
              "success")
    else:
        flash(_("Submitted: your dossier code is %(code)s. The one-stop desk will check it; "
                "the date for the result is set when it is received.", code=dossier.case.code),
              "success")
    return redirect(url_for("dossiers.receipt", case_id=dossier.case_id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """More than MAX_CONTENT_LENGTH in one request: the body was never read, so nothing was
    saved; show the draft as it was stored, with the reason, instead of a bare error page."""
    draft_id = (request.view_args or {}).get("draft_id")
    if (request.endpoint == "dossiers.edit_draft" and draft_id is not None
            and current_user.is_authenticated):
        draft = online.own_draft(db.session, current_user.id, draft_id)
        if draft is not None:
            form = _form_for(draft, formdata=False)
            form.form_errors.append(_(
                "The files sent together were larger than the portal accepts in one go "
                "(%(size)d MB). Nothing was saved: attach a few files, press “Save draft”, "
                "then attach the rest.", size=_max_mb()))
            return _render(form, draft, 413)
    from app.errors import render_error

    return render_error(413)


def _max_mb() -> int:
    from flask import current_app

    return int((current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024))


@bp.post("/drafts/<int:draft_id>/remove-file")
@roles(RESIDENT)
def remove_draft_file(draft_id: int):
    me = current_user._get_current_object()
    if online.own_draft(db.session, me.id, draft_id) is None:
        abort(404)
    form = RemoveFileForm()
    if not form.validate_on_submit():
        abort(400)
    if not online.remove_draft_file(db.session, file_store(), me.id, draft_id, form.file_id.data):
        abort(404)
    flash(_("The file was removed from the draft."), "success")
    return redirect(url_for("dossiers.edit_draft", draft_id=draft_id))


@bp.route("/drafts/<int:draft_id>/delete", methods=["GET", "POST"])
@roles(RESIDENT)
def delete_draft(draft_id: int):
    me = current_user._get_current_object()
    draft = online.own_draft(db.session, me.id, draft_id)
    if draft is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        online.delete_draft(db.session, file_store(), me.id, draft_id)
        flash(_("The draft was deleted."), "success")
        return redirect(url_for("dossiers.mine"))
    return render_template("dossiers/delete_draft.html", draft=draft, form=form,
                           files=online.draft_files(db.session, draft.id))


@bp.get("/<int:case_id>/receipt")
@signed_in
def receipt(case_id: int):
    """The applicant's own receipt (Mẫu 01) with the QR code; anyone else: no such page."""
    dossier = online.own_dossier(db.session, current_user.id, case_id)
    if dossier is None:
        abort(404)
    case = dossier.case
    return render_template("dossiers/receipt.html", case=case, dossier=dossier,
                           qr=qr_svg(tracking_url(case.code)), tracking=tracking_url(case.code),
                           for_applicant=True, files=files_of_case(db.session, case.id))
