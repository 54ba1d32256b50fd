"""The desk's other printable forms of Circular 01/2018/TT-VPCP, on the desk blueprint beside the
receipt (Mẫu 01): the supplement request (Mẫu 02), the refusal (Mẫu 03), the control sheet
(Mẫu 05) and the log book (Mẫu 06) with its CSV export. Each case's form follows the case's
own access rule (the receipt's); the log book shows only the officer's own departments.
Views parse and render; the rules are in control_sheet.py and logbook.py."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from app.csv_export import write_csv
from app.dossiers import logbook
from app.dossiers.control_sheet import EARLY, LATE, ON_TIME, control_sheet as build_sheet
from app.dossiers.desk import STAFF, bp
from app.errors import refuse
from app.extensions import db
from app.forms import BaseForm, DayField
from app.input_guard import query_page
from app.locale import current_language
from app.models import CaseEvent, Dossier, utcnow
from app.queue.errors import NotAllowed
from app.security import roles
from app.templating import format_day, format_moment
from app.workbench import services as workbench
from app.workbench.labels import event_name, state_name

# The circular's own three words (trước hạn, đúng hạn, quá hạn).
TIMING_NAMES = {EARLY: _l("Early"), ON_TIME: _l("On the due day"), LATE: _l("Late")}

NOT_YOUR_DEPARTMENT = _l("Choose one of your own departments.")

RANGE_ERRORS = {
    "reversed": _l("The end date must be on or after the start date."),
    "too_long": _l("Choose at most %(days)d days at a time."),
}


class LogBookForm(BaseForm):
    """GET filters: no CSRF token, so a range of the book is a plain, shareable link."""

    class Meta:
        csrf = False

    date_from = DayField(_l("From date"), validators=[Optional()])
    date_to = DayField(_l("To date"), validators=[Optional()])
    # Kept as text and checked here, so an empty choice means "all" and anything else that is
    # not one of the officer's departments gets one plain message.
    department_id = SelectField(_l("Department"), default="0", validate_choice=False)

    def validate_department_id(self, field):
        if not field.data:
            field.data = "0"
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(str(NOT_YOUR_DEPARTMENT))

    @property
    def department(self) -> int:
        return int(self.department_id.data or 0)

    def fill_range(self, today: date) -> tuple[date, date] | None:
        """The range asked for, an empty end filled from the other end's month (both empty:
        this month); None with a message on the field when it cannot be a page of the book."""
        start, end = self.date_from.data, self.date_to.data
        if start is None:
            start = logbook.this_month(end or today)[0]
        if end is None:
            end = logbook.this_month(start)[1]
        problem = logbook.range_problem(start, end)
        if problem is not None:
            message = RANGE_ERRORS[problem]
            self.date_to.errors = list(self.date_to.errors) + [
                str(message) % {"days": logbook.MAX_DAYS} if problem == "too_long"
                else str(message)]
            return None
        self.date_from.data, self.date_to.data = start, end
        return start, end


def _me():
    return current_user._get_current_object()


def _dossier_case(case_id: int):
    """The case and its dossier, under the receipt's rule: the case's department, its
    assignee, or an administrator (403 for other staff, 404 if it is not a dossier)."""
    try:
        case = workbench.case_for(db.session, _me(), case_id)
    except NotAllowed:
        abort(403)
    dossier = db.session.get(Dossier, case_id) if case is not None else None
    if case is None or dossier is None or case.case_type != "dossier":
        abort(404)
    return case, dossier


def _latest(case_id: int, action: str) -> CaseEvent:
    event = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == action)
        .options(joinedload(CaseEvent.actor))
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1)).first()
    if event is None:
        abort(404)  # no such step happened: there is nothing to print
    return event


@bp.get("/cases/<int:case_id>/supplement-request")
@roles(*STAFF)
def supplement_slip(case_id: int):
    """Mẫu 02: what the applicant must add or correct, from the latest request."""
    case, dossier = _dossier_case(case_id)
    return render_template("dossiers/forms/supplement_slip.html", case=case, dossier=dossier,
                           event=_latest(case.id, "request_supplement"))


@bp.get("/cases/<int:case_id>/refusal")
@roles(*STAFF)
def refusal_slip(case_id: int):
    """Mẫu 03: why the desk did not accept the dossier."""
    case, dossier = _dossier_case(case_id)
    return render_template("dossiers/forms/refusal_slip.html", case=case, dossier=dossier,
                           event=_latest(case.id, "refuse"))


@bp.get("/cases/<int:case_id>/control-sheet")
@roles(*STAFF)
def control_sheet(case_id: int):
    """Mẫu 05: every hand-over of the file, with its verdict against the appointment."""
    case, dossier = _dossier_case(case_id)
    return render_template("dossiers/forms/control_sheet.html", case=case, dossier=dossier,
                           sheet=build_sheet(db.session, case, dossier),
                           event_name=event_name, TIMING_NAMES=TIMING_NAMES)


def _book_request():
    """(form, departments, range or None, department ids) for the log book and its export."""
    departments = workbench.departments_of(db.session, _me())
    form = LogBookForm(formdata=request.args)
    form.department_id.choices = [("0", _("All my departments"))] + [
        (str(d.id), d.name(current_language())) for d in departments]
    valid = form.validate()
    chosen = form.fill_range(logbook.today(utcnow())) if valid else None
    if chosen is not None and form.department:
        ids = [form.department]
    else:
        ids = [d.id for d in departments]
    return form, departments, chosen, ids


def _range_args(form: LogBookForm) -> dict[str, str]:
    args = {"date_from": form.date_from.data.isoformat(), "date_to": form.date_to.data.isoformat()}
    if form.department:
        args["department_id"] = str(form.department)
    return args


@bp.get("/log-book")
@roles(*STAFF)
def log_book():
    """Mẫu 06: the dossiers the officer's desks received in a range, a page at a time."""
    form, departments, chosen, ids = _book_request()
    if chosen is None:
        return render_template("dossiers/forms/log_book.html", form=form, page=None,
                               departments=departments, args={},
                               max_days=logbook.MAX_DAYS), 400
    page = logbook.book_page(db.session, ids, *chosen, query_page(), utcnow())
    return render_template("dossiers/forms/log_book.html", form=form, page=page,
                           departments=departments, args=_range_args(form),
                           max_days=logbook.MAX_DAYS, state_name=state_name)


def _csv_header() -> list[str]:
    return [_("No."), _("Dossier code"), _("Procedure"), _("Number of dossiers"),
            _("Applicant (person or organisation)"), _("Address"), _("Phone"),
            _("Lead agency"), _("Dossier received"), _("Appointment for the result"),
            _("Passed on to be resolved"), _("Result received from the resolving agency"),
            _("Result returned to the applicant"), _("Signature of the recipient"), _("Notes")]


def _csv_row(line: logbook.Line, lang: str) -> list[object]:
    forwarded = format_day(line.forwarded_at)
    if line.forwarded_to is not None:
        forwarded = f"{forwarded} ({line.forwarded_to.name(lang)})"
    notes = [state_name(line.state)] + ([_("Late")] if line.late else [])
    return [line.number, line.case.code, line.dossier.procedure.name(lang), 1,
            line.dossier.applicant_name, line.address.name(lang),
            line.dossier.applicant_phone or "", line.lead_department.name(lang),
            format_moment(line.received_at), format_moment(line.due_at), forwarded,
            format_day(line.result_at), format_day(line.returned_at), "", "; ".join(notes)]


@bp.get("/log-book.csv")
@roles(*STAFF)
def log_book_csv():
    """The same range as a spreadsheet: every line, not one page."""
    form, _departments, chosen, ids = _book_request()
    if chosen is None:
        errors = [str(e) for f in form for e in f.errors]
        refuse(400, errors[0] if errors else None)
    lang = current_language()
    lines = logbook.book_lines(db.session, ids, *chosen, utcnow())
    body = write_csv(_csv_header(), (_csv_row(line, lang) for line in lines))
    start, end = chosen
    filename = f"so-theo-doi-ho-so-{start.isoformat()}-{end.isoformat()}.csv"
    # Applicants' names and phones: never kept by a shared cache or the browser's.
    return Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})
