"""The officer workbench: my cases, the department queue, claim next, a case with its timeline
and actions, and the leader's overview. Views parse and render; rules live in app/queue and
app/workbench/services.py. Everything works without JavaScript; htmx refreshes the queue."""
from __future__ import annotations

from datetime import datetime

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import refuse
from app.extensions import db
from app.input_guard import query_page
from app.locale import current_language
from app.models import utcnow
from app.models.users import STAFF_ROLES
from app.queue import claims, kinds
from app.queue.actions import available_actions, perform
from app.queue.assignment import eligible_officers, reassign
from app.queue.calendar import local_close, local_day
from app.queue.calendar_db import calendar_from_db
from app.labels import category_choices
from app.queue.errors import NotAllowed, QueueError, StaleCase
from app.queue.sla import warning_threshold
from app.queue.states import OPEN_STATES, Action, needs_note
from app.security import roles
from app.templating import format_day, is_htmx
from app.workbench import services
from app.workbench.forms import (QUEUE_ERRORS, ActionForm, ApologyForm, ClaimForm, QueueFilterForm,
                                 ReassignForm, ReleaseForm, TransferForm)
from app.workbench.labels import (ACTION_NAMES, CASE_TYPE_NAMES, DUE_BANDS, PRIORITY_NAMES,
                                  category_name, event_name, state_name)

bp = Blueprint("workbench", __name__, url_prefix="/<lang:lang_code>/workbench")
STAFF = tuple(sorted(STAFF_ROLES))


@bp.context_processor
def labels():
    return {"state_name": state_name, "event_name": event_name, "category_name": category_name,
            "CASE_TYPE_NAMES": CASE_TYPE_NAMES, "DUE_BANDS": DUE_BANDS,
            "PRIORITY_NAMES": PRIORITY_NAMES, "ACTION_NAMES": ACTION_NAMES}


def _me():
    return current_user._get_current_object()


def _queue_error(error: QueueError) -> str:
    message = QUEUE_ERRORS.get(error.code, QUEUE_ERRORS["invalid_input"])
    if error.code == "apology_too_late":
        return str(message) % {"days": error.details["days"],
                               "latest": format_day(error.details["latest"])}
    if error.code == "apology_too_early":
        return str(message) % {"current": format_day(error.details["current"])}
    return str(message)


def _clock():
    now = utcnow()
    calendar = calendar_from_db(db.session)
    # The same band the SLA sweep escalates on, so the badge and the leader's e-mail agree.
    return now, warning_threshold(now, current_app.config["SLA_WARNING_DAYS"], calendar)


@bp.get("/")
@roles(*STAFF)
def my_cases():
    now, limit = _clock()
    departments = services.departments_of(db.session, _me())
    return render_template("workbench/my_cases.html", cases=services.my_cases(db.session, _me()),
                           departments=departments, claim_form=ClaimForm(), now=now,
                           seats=services.seated_in(db.session, _me()),
                           band_of=lambda c: services.due_band(c, now, limit))


@bp.get("/queue")
@roles(*STAFF)
def queue_home():
    departments = services.departments_of(db.session, _me())
    if not departments:
        flash(_("You do not belong to any department yet. Ask an administrator to add you."), "warning")
        return redirect(url_for("workbench.my_cases"))
    return redirect(url_for("workbench.queue", department_id=departments[0].id))


def _filter_form(department_id: int) -> QueueFilterForm:
    lang = current_language()
    form = QueueFilterForm(request.args)
    form.state.choices = [(0, _("All open states"))] + [(s, state_name(s)) for s in sorted(OPEN_STATES)]
    form.band.choices = [("", _("Any"))] + [(k, str(v)) for k, v in DUE_BANDS.items()]
    form.category.choices = [("", _("All categories"))] + category_choices()
    form.unit_id.choices = [(0, _("All"))] + [
        (u.id, u.name(lang)) for u in services.units_in_queue(db.session, department_id)]
    form.assignment.choices = [("all", _("Everyone")), ("unassigned", _("Waiting to be claimed")),
                               ("mine", _("Mine"))]
    return form


@bp.get("/departments/<int:department_id>/queue")
@roles(*STAFF)
def queue(department_id: int):
    try:
        department = services.require_department(db.session, _me(), department_id)
    except NotAllowed:
        abort(403)
    form = _filter_form(department_id)
    form.validate()  # a filter that does not make sense is shown with its message and ignored

    def valid(field):
        return None if field.errors else field.data

    filters = services.QueueFilters(
        state=valid(form.state) or None, band=valid(form.band) or None,
        category=valid(form.category) or None, unit_id=valid(form.unit_id) or None,
        assignment=valid(form.assignment) or "all", q=(valid(form.q) or "").strip())
    now, limit = _clock()
    page = services.queue_page(db.session, department_id, filters,
                               query_page(), now=now,
                               almost_limit=limit, user=_me())
    args = {k: v for k, v in request.args.items() if k != "page" and v not in ("", "0")}
    context = dict(department=department, page=page, form=form, filter_args=args,
                   departments=services.departments_of(db.session, _me()), claim_form=ClaimForm(),
                   can_claim=department_id in services.seated_in(db.session, _me()),
                   band_of=lambda c: services.due_band(c, now, limit),
                   is_leader=services.leads(db.session, _me(), department_id))
    template = "workbench/partials/queue_table.html" if is_htmx() else "workbench/queue.html"
    response = make_response(render_template(template, **context))
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


@bp.post("/departments/<int:department_id>/claim-next")
@roles(*STAFF)
def claim_next(department_id: int):
    form = ClaimForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        case = claims.claim_next(db.session, _me().id, department_id, now=utcnow(),
                                 lease_minutes=current_app.config["CLAIM_LEASE_MINUTES"])
    except QueueError as error:
        db.session.rollback()
        if isinstance(error, NotAllowed):
            abort(403)
        flash(_queue_error(error), "error")
        return redirect(url_for("workbench.queue", department_id=department_id))
    if case is None:
        flash(str(QUEUE_ERRORS["nothing_to_claim"]), "warning")
        return redirect(url_for("workbench.queue", department_id=department_id))
    flash(_("Case %(code)s is now yours.", code=case.code), "success")
    return redirect(url_for("workbench.case_detail", case_id=case.id))


def _load_case(case_id: int):
    try:
        case = services.case_for(db.session, _me(), case_id)
    except NotAllowed:
        abort(403)
    if case is None:
        abort(404)
    return case


def _action_forms(case, actions):
    """One small form per action allowed now, each with its own prefix so ids stay unique."""
    forms = {}
    for action in actions:
        if kinds.action_page(case.case_type, action.value):
            continue  # the kind's own page does it (see app/queue/kinds.py)
        if action is Action.TRANSFER:
            form = TransferForm(prefix=action.value)
            form.to_department_id.choices = [(0, _("Choose…"))] + [
                (d.id, d.name(current_language())) for d in services.other_departments(db.session, case)]
        elif action is Action.REQUEST_APOLOGY:
            form = ApologyForm(prefix=action.value)
        else:
            form = ActionForm(prefix=action.value)
        form.version.data = case.version
        forms[action] = form
    return forms


def _render_case(case, status=200, failed: tuple[Action, ActionForm] | None = None):
    now, limit = _clock()
    me = _me()
    actions = available_actions(db.session, case, me, now)
    forms = _action_forms(case, actions)
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    reassign_form = None
    if services.leads(db.session, me, case.department_id) and case.state in OPEN_STATES:
        reassign_form = ReassignForm(prefix="reassign")
        reassign_form.version.data = case.version
        reassign_form.officer_id.choices = [(0, _("Choose…"))] + [
            (m.user_id, m.user.full_name) for m in eligible_officers(db.session, case, now)
            if m.user_id != case.assignee_id]
    release_form = None
    if claims.can_release(case, me.id):  # never offer what would fail (e.g. in states 5, 6)
        release_form = ReleaseForm(prefix="release")
        release_form.version.data = case.version
    return render_template(
        "workbench/case.html", case=case, events=services.timeline(db.session, case),
        receipt=services.has_receipt(db.session, case),
        forms=forms, note_required={a: needs_note(a, frozenset()) for a in forms},
        reassign_form=reassign_form, release_form=release_form,
        action_pages=[(a, url_for(kinds.action_page(case.case_type, a.value), case_id=case.id))
                      for a in actions if kinds.action_page(case.case_type, a.value)],
        kind=kinds.staff_context(db.session, case),
        band=services.due_band(case, now, limit)), status


@bp.get("/cases/<int:case_id>")
@roles(*STAFF)
def case_detail(case_id: int):
    return _render_case(_load_case(case_id))


def _due_from_date(day) -> datetime:
    """A date picked by the officer means the end of office hours that day, in Vietnam."""
    return local_close(day)


@bp.post("/cases/<int:case_id>/actions/<action>")
@roles(*STAFF)
def act(case_id: int, action: str):
    case = _load_case(case_id)
    try:
        chosen = Action(action)
    except ValueError:
        abort(404)
    if kinds.action_page(case.case_type, chosen.value):
        abort(404)  # carried out on the kind's own page, with what it needs beside the note
    if chosen not in available_actions(db.session, case, _me(), utcnow()):
        # Someone else moved the case on, or the page was old: say so instead of a bare 400.
        flash(str(QUEUE_ERRORS["no_longer_offered"]), "error")
        return _render_case(case, 409)
    form_class = {Action.TRANSFER: TransferForm, Action.REQUEST_APOLOGY: ApologyForm}.get(chosen, ActionForm)
    form = form_class(prefix=chosen.value)
    if chosen is Action.TRANSFER:
        form.to_department_id.choices = [(0, "")] + [
            (d.id, d.name(current_language())) for d in services.other_departments(db.session, case)]
    if not form.validate_on_submit():
        if form.version.errors:
            flash(str(form.version.errors[0]), "error")
        return _render_case(case, 400, failed=(chosen, form))
    try:
        perform(db.session, case.id, chosen, _me(), expected_version=form.version.data,
                note=form.note.data,
                to_department_id=getattr(form, "to_department_id", None) and form.to_department_id.data,
                new_due_at=_due_from_date(form.new_due_date.data) if chosen is Action.REQUEST_APOLOGY else None,
                apology_max_days=current_app.config["APOLOGY_MAX_WORKING_DAYS"])
    except QueueError as error:
        if chosen is Action.REQUEST_APOLOGY and error.details.get("field") == "new_due_at":
            form.new_due_date.errors = [_queue_error(error)]
        else:
            flash(_queue_error(error), "error")
        db.session.expire_all()
        return _render_case(services.case_for(db.session, _me(), case_id), 409, failed=(chosen, form))
    claims.touch(db.session, case.id, utcnow(), current_app.config["CLAIM_LEASE_MINUTES"])
    flash(_("Done: %(action)s.", action=ACTION_NAMES[chosen]), "success")
    if chosen is Action.TRANSFER:
        return redirect(url_for("workbench.my_cases"))
    return redirect(url_for("workbench.case_detail", case_id=case.id))


@bp.post("/cases/<int:case_id>/release")
@roles(*STAFF)
def release(case_id: int):
    case = _load_case(case_id)
    form = ReleaseForm(prefix="release")
    if not form.validate_on_submit():
        refuse(400, form.version.errors[0] if form.version.errors else None)
    try:
        claims.release(db.session, case.id, _me().id, utcnow(), expected_version=form.version.data)
    except QueueError as error:
        db.session.rollback()
        flash(_queue_error(error), "error")
        if isinstance(error, StaleCase):
            return _render_case(services.case_for(db.session, _me(), case_id), 409)
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    flash(_("Case %(code)s is back in the queue.", code=case.code), "success")
    return redirect(url_for("workbench.my_cases"))


@bp.post("/cases/<int:case_id>/reassign")
@roles(*STAFF)
def reassign_case(case_id: int):
    case = _load_case(case_id)
    form = ReassignForm(prefix="reassign")
    form.officer_id.choices = [(m.user_id, m.user.full_name)
                               for m in eligible_officers(db.session, case, utcnow())]
    if not form.validate_on_submit():
        if form.version.errors:
            refuse(400, form.version.errors[0])
        flash(_("Choose an officer who can take this case."), "error")
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    try:
        reassign(db.session, case.id, form.officer_id.data, _me(),
                 expected_version=form.version.data, note=form.note.data)
    except QueueError as error:
        flash(_queue_error(error), "error")
        if isinstance(error, StaleCase):
            db.session.expire_all()
            return _render_case(services.case_for(db.session, _me(), case_id), 409)
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    flash(_("Case %(code)s has been reassigned.", code=case.code), "success")
    return redirect(url_for("workbench.case_detail", case_id=case.id))


@bp.get("/departments/<int:department_id>/leader")
@roles(*STAFF)
def leader(department_id: int):
    me = _me()
    try:
        department = services.require_department(db.session, me, department_id)
    except NotAllowed:
        abort(403)
    if not services.leads(db.session, me, department_id):
        abort(403)
    now, _limit = _clock()
    return render_template(
        "workbench/leader.html", department=department,
        load=services.department_load(db.session, department_id, now),
        overdue=services.overdue_cases(db.session, department_id, now),
        waiting=services.awaiting_leader(db.session, department_id), now=now,
        today=local_day(now))


@bp.get("/cases/<int:case_id>/apology-letter")
@roles(*STAFF)
def apology_letter(case_id: int):
    """The printable apology letter with the new appointment date, once a leader approved it."""
    case = _load_case(case_id)
    letter = services.apology_letter(db.session, case)
    if letter is None:
        abort(404)
    return render_template("workbench/apology_letter.html", case=case, letter=letter)
