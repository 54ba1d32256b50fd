"""Officers' pages of field reports: the official answer (the workbench's page for "complete",
"stop" and "refuse" on a report) and merging a duplicate into its original. Who may see the
case is the workbench's rule; what they may do now is the state machine's."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models.users import STAFF_ROLES
from app.queue.errors import NotAllowed, QueueError, StaleCase
from app.reports import bp, services
from app.reports.errors import ReportError
from app.reports.forms import AnswerForm, MergeForm
from app.reports.labels import OUTCOME_LABELS, message
from app.security import roles

STAFF = tuple(sorted(STAFF_ROLES))


def _me():
    return current_user._get_current_object()


def _case_and_report(case_id: int):
    from app.workbench import services as workbench

    try:
        case = workbench.case_for(db.session, _me(), case_id)
    except NotAllowed:
        abort(403)
    report = services.for_case(db.session, case_id) if case is not None else None
    if report is None:
        abort(404)
    return case, report


def _queue_trouble(error: QueueError, case_id: int):
    db.session.rollback()
    flash(_("The case changed meanwhile; nothing was saved. Check it and try again.")
          if isinstance(error, StaleCase) else
          _("This action is no longer possible on the case."), "error")
    return redirect(url_for("workbench.case_detail", case_id=case_id))


@bp.route("/cases/<int:case_id>/answer", methods=["GET", "POST"])
@roles(*STAFF)
def answer(case_id: int):
    case, report = _case_and_report(case_id)
    outcomes = services.outcomes_now(db.session, case, report, _me())
    if not outcomes:
        flash(message(ReportError("answered" if report.answered_at else "outcome_not_now")),
              "error")
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    form = AnswerForm()
    form.outcome.choices = [(o, OUTCOME_LABELS[o]) for o in outcomes]
    if request.method == "GET":
        form.version.data = case.version
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.fix_photo.data
            photo = None
            if upload is not None and getattr(upload, "filename", "") and hasattr(upload, "read"):
                photo = services.Photo(upload.read(8 * 1024 * 1024 + 1), upload.filename)
            try:
                services.answer(db.session, case.id, _me(), outcome=form.outcome.data or "",
                                text=form.text.data or "", fix_photo=photo,
                                expected_version=form.version.data)
            except ReportError as error:
                db.session.rollback()
                field = {"answer": form.text, "outcome": form.outcome,
                         "fix_photo": form.fix_photo}.get(error.field or "")
                if field is not None:
                    field.errors = list(field.errors) + [message(error)]
                else:
                    flash(message(error), "error")
            except QueueError as error:
                return _queue_trouble(error, case.id)
            else:
                flash(_("The answer is published; the reporter and supporters are told."),
                      "success")
                return redirect(url_for("workbench.case_detail", case_id=case.id))
        status = 400
    return render_template("reports/answer.html", form=form, case=case, report=report), status


@bp.route("/cases/<int:case_id>/merge", methods=["GET", "POST"])
@roles(*STAFF)
def merge(case_id: int):
    case, report = _case_and_report(case_id)
    if not services.may_merge(db.session, case, report, _me()):
        flash(message(ReportError("merge_not_now")), "error")
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    radius = current_app.config["REPORT_DUPLICATE_RADIUS_M"]
    candidates = services.merge_candidates(db.session, report, radius)
    form = MergeForm()
    form.candidate.choices = [(c.case.code, c.case.code) for c in candidates]
    if request.method == "GET":
        form.version.data = case.version
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            code = (form.other_code.data or "").strip() or (form.candidate.data or "")
            try:
                services.merge(db.session, case.id, code, _me(),
                               expected_version=form.version.data)
            except ReportError as error:
                db.session.rollback()
                form.other_code.errors = list(form.other_code.errors) + [message(error)]
            except QueueError as error:
                return _queue_trouble(error, case.id)
            else:
                flash(_("Merged: the reporter and supporters now follow report %(code)s.",
                        code=code.upper()), "success")
                return redirect(url_for("workbench.case_detail", case_id=case.id))
        status = 400
    return render_template("reports/merge.html", form=form, case=case, report=report,
                           candidates=candidates), status
