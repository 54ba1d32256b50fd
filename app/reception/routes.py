"""Citizen reception's pages: the schedule (coming and past sessions), a session with its
registration form, and for staff of the commune publishing sessions and keeping the record.
Views parse and render; the rules are in services.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.errors import refuse
from app.extensions import db
from app.input_guard import query_page
from app.locale import current_language
from app.models import ReceptionSession, utcnow
from app.models.users import STAFF_ROLES
from app.petitions.topics import topics
from app.reception import bp, services
from app.reception.forms import RecordForm, RegisterForm, SessionForm
from app.security import public, roles
from app.units.services import units_of_level
from app.units.staff import communes_staffed

STAFF = tuple(sorted(STAFF_ROLES))

ERRORS = {
    "place_required": _l("Enter where citizens are received."),
    "receiver_required": _l("Enter who receives the citizens."),
    "topics_vi_required": _l("Enter the topics of the reception."),
    "too_long": _l("This is too long."),
    "day_required": _l("Enter the day of the reception."),
    "starts_required": _l("Enter when it starts."),
    "ends_required": _l("Enter when it ends."),
    "bad_hours": _l("The reception must end after it starts."),
    "bad_capacity": _l("Enter a number of places from 1 to 500, or leave it empty."),
    "bad_unit": _l("Choose a commune or ward from the list."),
    "not_publisher": _l("Only a leader of the commune may publish its reception hours."),
    "day_past": _l("The reception must be in the future."),
    "not_working_day": _l("The office is closed that day (a weekend or a holiday): choose a "
                          "working day."),
    "topic_required": _l("Say in a few words what you want to raise."),
    "not_found": _l("There is no such reception session."),
    "closed": _l("Registration for this session has closed: it has already started or taken "
                 "place. Nothing was changed."),
    "already_registered": _l("You are already registered for this session. A person "
                             "registers once; nothing was changed."),
    "full": _l("This session is full. Choose another session."),
    "citizen_name_required": _l("Enter the citizen's full name."),
    "bad_phone": _l("Enter a Vietnamese mobile number, like 0912 345 678."),
    "bad_id_number": _l("An ID number has 12 digits (CCCD) or 9 digits (old CMND)."),
    "content_required": _l("Write what the citizen raised."),
    "response_required": _l("Write what the leader answered or directed."),
    "subject_required": _l("Give the petition a subject."),
    "not_staff": _l("Only staff of the commune may keep this record."),
    "not_yet": _l("The record is written on or after the day of the reception."),
    "bad_registration": _l("Choose a registered citizen from the list, or none."),
    "already_recorded": _l("This citizen's reception is already recorded."),
    "petition_no_route": _l("No office of this commune takes this topic yet: choose another "
                            "topic."),
    "petition_bad_topic": _l("Choose a topic from the list."),
}


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _blame(form, error: services.ReceptionError) -> None:
    form.add_error(error.field, ERRORS.get(error.code, ERRORS["not_staff"]))


@bp.get("/")
@public
def schedule():
    past = request.args.get("when") == "past"
    me = _me()
    page = services.sessions_page(db.session, past=past, page=query_page())
    can_publish = bool(me and me.role in services.PUBLISHERS
                       and communes_staffed(db.session, me) != set())
    return render_template("reception/schedule.html", page=page, past=past,
                           can_publish=can_publish, lang=current_language(), now=utcnow(),
                           is_open=services.is_open)


def _session_or_404(session_id: int) -> ReceptionSession:
    found = db.session.get(ReceptionSession, session_id)
    if found is None:
        abort(404)
    return found


def _render_session(reception: ReceptionSession, form: RegisterForm | None = None,
                    status: int = 200):
    me = _me()
    return render_template(
        "reception/session.html", reception=reception, form=form or RegisterForm(),
        registration=services.registration_of(db.session, reception, me),
        open=services.is_open(reception, utcnow()), lang=current_language(),
        manager=services.may_manage(db.session, me, reception),
        is_resident=bool(me and me.role == "resident")), status


@bp.get("/sessions/<int:session_id>")
@public
def session_page(session_id: int):
    return _render_session(_session_or_404(session_id))


@bp.post("/sessions/<int:session_id>/register")
@roles("resident")
def register(session_id: int):
    reception = _session_or_404(session_id)
    form = RegisterForm()
    if not form.validate_on_submit():
        return _render_session(reception, form, 400)
    try:
        services.register(db.session, _me(), reception.id, form.topic.data)
    except services.ReceptionError as error:
        db.session.rollback()
        _blame(form, error)
        db.session.refresh(reception)
        return _render_session(reception, form, 409 if error.code in (
            "closed", "already_registered", "full") else 400)
    flash(_("You are registered. Bring your identity card on the day."), "success")
    return redirect(url_for("reception.session_page", session_id=reception.id))


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_session():
    me = _me()
    lang = current_language()
    communes = [u for u in units_of_level(db.session, "commune")
                if services.may_publish(db.session, me, u.id)]
    if not communes:
        refuse(403, ERRORS["not_publisher"])
    form = SessionForm()
    form.unit_id.choices = [(0, _("Choose…"))] + [(u.id, u.name(lang)) for u in communes]
    if form.validate_on_submit():
        try:
            created = services.publish_session(db.session, me, services.SessionInput(
                unit_id=form.unit_id.data, day=form.day.data, starts_at=form.starts_at.data,
                ends_at=form.ends_at.data, place=form.place.data, receiver=form.receiver.data,
                topics_vi=form.topics_vi.data, topics_en=form.topics_en.data or "",
                capacity=form.capacity.data))
        except services.ReceptionError as error:
            db.session.rollback()
            _blame(form, error)
        else:
            flash(_("The reception session is published."), "success")
            return redirect(url_for("reception.session_page", session_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template("reception/session_form.html", form=form), status


def _record_form(reception: ReceptionSession, formdata: bool = True) -> RecordForm:
    lang = current_language()
    form = RecordForm() if formdata else RecordForm(formdata=None)
    form.registration_id.choices = [(0, _("Not registered (came in person)"))] + [
        (r.id, f"{r.user.full_name}: {r.topic[:60]}")
        for r in services.registrations_of(db.session, reception)]
    form.topic_id.choices = [(0, _("Choose…"))] + [(t.id, t.name(lang))
                                                   for t in topics(db.session)]
    return form


def _render_manage(reception: ReceptionSession, form: RecordForm | None = None,
                   status: int = 200):
    return render_template(
        "reception/manage.html", reception=reception,
        registrations=services.registrations_of(db.session, reception),
        records=services.records_of(db.session, reception),
        form=form or _record_form(reception, formdata=False), lang=current_language()), status


def _managed(session_id: int) -> ReceptionSession:
    reception = _session_or_404(session_id)
    if not services.may_manage(db.session, _me(), reception):
        refuse(403, ERRORS["not_staff"])
    return reception


@bp.get("/sessions/<int:session_id>/record")
@roles(*STAFF)
def manage(session_id: int):
    return _render_manage(_managed(session_id))


@bp.post("/sessions/<int:session_id>/record")
@roles(*STAFF)
def add_record(session_id: int):
    reception = _managed(session_id)
    form = _record_form(reception)
    if form.validate_on_submit():
        try:
            record = services.add_record(db.session, _me(), reception, services.RecordInput(
                citizen_name=form.citizen_name.data, content=form.content.data,
                response=form.response.data, registration_id=form.registration_id.data or None,
                citizen_phone=form.citizen_phone.data,
                citizen_id_number=form.citizen_id_number.data,
                make_petition=bool(form.make_petition.data),
                topic_id=form.topic_id.data or None, subject=form.subject.data))
        except services.ReceptionError as error:
            db.session.rollback()
            _blame(form, error)
        else:
            if record.petition_id:
                flash(_("Recorded; the petition is now a case in the office's queue."),
                      "success")
            else:
                flash(_("Recorded."), "success")
            return redirect(url_for("reception.manage", session_id=reception.id))
    return _render_manage(reception, form, 400)
