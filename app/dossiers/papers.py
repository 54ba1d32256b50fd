"""Files of dossiers: downloading them, the resident's own dossier page (with the supplement
the office asked for), their papers (kho giấy tờ), and the desk's scans on the workbench.

Views only parse and render; the rules are in app/dossiers/papers_service.py and
app/dossiers/files.py. Someone who may not read a file, or see a dossier, is told there is no
such thing (404), never that it exists.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.dossiers import files as dossier_files
from app.dossiers import papers_service as papers
from app.dossiers import services
from app.dossiers.desk import bp as desk_bp
from app.dossiers.files import Upload
from app.dossiers.forms import RATING_LABELS
from app.dossiers.kind import do_now_text, status_text
from app.dossiers.paper_forms import ScanForm, SupplementForm
from app.dossiers.routes import bp
from app.downloads import send_stored
from app.extensions import db
from app.input_guard import query_page
from app.links import safe_path
from app.locale import current_language
from app.models import Dossier, DossierFile, User
from app.queue.errors import NotAllowed, QueueError
from app.security import roles, signed_in
from app.storage import file_store
from app.uploads import ATTACHMENT_MAX_BYTES, UploadError

MAX_FILES = 10
STAFF = ("officer", "leader", "admin")

ERRORS = {
    "empty": _l("Choose at least one file, or write a message to the office."),
    "no_files": _l("Choose at least one file."),
    "too_many": _l("Send at most %(max)d files at a time."),
    "not_waiting": _l("The office is not waiting for a supplement to this dossier (any more): "
                      "nothing was sent."),
    "not_yours": _l("This paper is not in your papers (any more)."),
    "not_allowed": _l("You do not work this case at the desk, so you cannot add scans to it."),
    "queue": _l("The dossier changed while you were sending: nothing was sent. Check it and "
                "try again."),
}
UPLOAD_ERRORS = {
    "empty": _l("“%(name)s” is empty."),
    "too_large": _l("“%(name)s” is too large: at most %(size)d MB."),
    "bad_type": _l("“%(name)s” is not a PDF, JPG or PNG file."),
    "name_mismatch": _l("The name of “%(name)s” does not match its content (for example a "
                        "photo named .pdf). Rename it or choose the right file."),
}


def _me() -> User:
    return current_user._get_current_object()


def _uploads(form) -> list[Upload]:
    """The files the browser sent in `form.files` (a field left empty sends one nameless part).
    Read one byte past the limit: enough to know a file is too large."""
    chosen = [f for f in (form.files.data or [])
              if isinstance(f, FileStorage) and (f.filename or "").strip()]
    return [Upload(f.read(ATTACHMENT_MAX_BYTES + 1), f.filename) for f in chosen]


def _upload_message(error: UploadError, uploads: list[Upload]) -> str:
    index = getattr(error, "index", None)
    name = (dossier_files.clean_filename(uploads[index].filename, "file")
            if index is not None and index < len(uploads) else "")
    return str(UPLOAD_ERRORS.get(error.code, UPLOAD_ERRORS["bad_type"])
               % {"name": name, "size": ATTACHMENT_MAX_BYTES // (1024 * 1024)})


# -- download -------------------------------------------------------------------------------

@bp.get("/files/<int:file_id>")
@signed_in
def file(file_id: int):
    item = db.session.get(DossierFile, file_id)
    if item is None or not dossier_files.may_read(db.session, _me(), item):
        abort(404)
    return send_stored(item.storage_key, item.kind, filename=item.filename)


# -- the resident's own dossier ---------------------------------------------------------------

def _own_dossier(case_id: int):
    case = services.own_case(db.session, _me().id, case_id)
    dossier = db.session.get(Dossier, case_id) if case is not None else None
    if dossier is None:
        abort(404)
    return case, dossier


def _render_detail(case, dossier, form: SupplementForm | None = None, status: int = 200):
    waiting = case.state == 5
    if waiting and form is None:
        form = SupplementForm()
    return render_template(
        "dossiers/detail.html", case=case, dossier=dossier,
        timeline=papers.public_timeline(db.session, case.id),
        request_event=papers.supplement_request(db.session, case.id) if waiting else None,
        files=dossier_files.files_of_case(db.session, case.id), purposes=papers.PURPOSES,
        form=form if waiting else None, status_text=status_text, do_now_text=do_now_text,
        can_withdraw=services.can_withdraw(case), can_rate=services.can_rate(case, dossier),
        rating_labels=RATING_LABELS, max_files=MAX_FILES), status


@bp.get("/<int:case_id>")
@signed_in
def detail(case_id: int):
    case, dossier = _own_dossier(case_id)
    return _render_detail(case, dossier)


@bp.post("/<int:case_id>/supplement")
@signed_in
def supplement(case_id: int):
    case, dossier = _own_dossier(case_id)
    if case.state != 5:
        flash(str(ERRORS["not_waiting"]), "error")
        return _render_detail(case, dossier, status=409)
    form = SupplementForm()
    if not form.validate_on_submit():
        return _render_detail(case, dossier, form, 400)
    uploads = _uploads(form)
    if len(uploads) > MAX_FILES:
        form.files.errors = [str(ERRORS["too_many"]) % {"max": MAX_FILES}]
        return _render_detail(case, dossier, form, 400)
    with force_locale("vi"):  # the office reads the note; it is kept as written
        default_note = _("The applicant sent the supplement online (%(count)d file(s)).",
                         count=len(uploads))
    try:
        papers.send_supplement(db.session, file_store(), _me(), case.id, uploads,
                               form.message.data, default_note=default_note)
    except UploadError as error:
        form.files.errors = [_upload_message(error, uploads)]
        return _render_detail(case, dossier, form, 400)
    except papers.PaperError as error:
        db.session.rollback()
        if error.code == "empty":
            form.files.errors = [str(ERRORS["empty"])]
            return _render_detail(case, dossier, form, 400)
        if error.code == "not_found":
            abort(404)
        flash(str(ERRORS["not_waiting"]), "error")
        return _render_detail(*_own_dossier(case_id), form, 409)
    except QueueError:
        db.session.rollback()
        flash(str(ERRORS["queue"]), "error")
        return _render_detail(*_own_dossier(case_id), form, 409)
    flash(_("Your supplement to dossier %(code)s was sent. The office continues processing it.",
            code=case.code), "success")
    return redirect(url_for("dossiers.detail", case_id=case_id))


# -- my papers --------------------------------------------------------------------------------

@bp.get("/papers", endpoint="papers")
@signed_in
def papers_list():
    lang = current_language()
    page = papers.my_papers(db.session, _me().id, query_page())
    groups: list[tuple[str, list[DossierFile]]] = []
    for item in page.items:
        label = papers.group_label(item, lang)
        if groups and groups[-1][0] == label:
            groups[-1][1].append(item)
        else:
            groups.append((label, [item]))
    return render_template("dossiers/papers.html", page=page, groups=groups,
                           purposes=papers.PURPOSES)


@bp.post("/papers/<int:file_id>/remove")
@signed_in
def remove_paper(file_id: int):
    try:
        papers.remove_from_papers(db.session, file_store(), _me().id, file_id)
    except papers.PaperError:
        abort(404)
    flash(_("The paper was removed from your papers. Dossiers it was sent with keep it."),
          "success")
    return redirect(safe_path(request.form.get("next")) or url_for("dossiers.papers"))


# -- the desk's scans and the workbench's view of the files ------------------------------------

@desk_bp.post("/cases/<int:case_id>/scans")
@roles(*STAFF)
def add_scans(case_id: int):
    from app.workbench.services import case_for

    me = _me()
    try:
        case = case_for(db.session, me, case_id)
    except NotAllowed:
        abort(403)
    if case is None or db.session.get(Dossier, case_id) is None:
        abort(404)
    if not papers.may_scan(db.session, me, case):
        abort(403)
    back = url_for("workbench.case_detail", case_id=case_id) + "#dossier-files"
    form = ScanForm(prefix="scan")
    if not form.validate_on_submit():
        flash(str(ERRORS["no_files"]), "error")
        return redirect(back)
    uploads = _uploads(form)
    if len(uploads) > MAX_FILES:
        flash(str(ERRORS["too_many"]) % {"max": MAX_FILES}, "error")
        return redirect(back)
    try:
        rows = papers.add_scans(db.session, file_store(), me, case_id, uploads)
    except UploadError as error:
        flash(_upload_message(error, uploads), "error")
        return redirect(back)
    except papers.PaperError as error:
        db.session.rollback()
        flash(str(ERRORS["no_files" if error.code == "empty" else "not_allowed"]), "error")
        return redirect(back)
    flash(_("%(count)d scan(s) added to the dossier.", count=len(rows)), "success")
    return redirect(back)


@bp.app_template_global("dossier_files_for_staff")
def dossier_files_for_staff(case, dossier) -> dict:
    """What the workbench's files partial (dossiers/staff/_files.html) shows: the case's files
    with who added them, the submitted form with the procedure's labels, and the scan form for
    those who may add scans."""
    lang = current_language()
    items = dossier_files.files_of_case(db.session, case.id)
    ids = {i.uploaded_by_id for i in items if i.uploaded_by_id}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
                 .all()) if ids else {}
    me = _me()
    return {"files": items, "names": names, "purposes": papers.PURPOSES,
            "form_rows": papers.form_rows(dossier.procedure.form_schema, dossier.form_data, lang),
            "scan_form": ScanForm(prefix="scan") if papers.may_scan(db.session, me, case) else None}
