"""The desk's pages (staff of the commune): the day's bookings by slot, printable, with the
resident's name and phone; marking arrivals and no-shows; the weekly pattern and closures.
Rules live in booking.py and schedule.py."""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from app.appointments import bp, booking, schedule
from app.appointments.booking import BookingError
from app.appointments.forms import ClosureForm, ConfirmForm, OpeningForm
from app.appointments.messages import STATUS_LABELS, WEEKDAY_LABELS, error_text
from app.appointments.schedule import ClosureInput, OpeningInput, ScheduleError
from app.appointments.slots import clock, parse_clock
from app.errors import refuse
from app.extensions import db
from app.input_guard import query_day, query_id
from app.links import redirect_back
from app.models import AdminUnit, Appointment, utcnow
from app.queue.calendar import local_day
from app.queue.calendar_db import calendar_from_db
from app.security import roles
from app.units.staff import is_commune_staff

STAFF = ("officer", "leader", "admin")


def _me():
    return current_user._get_current_object()


def _desk_or_refuse(unit_id: int) -> AdminUnit:
    unit = db.session.get(AdminUnit, unit_id)
    if unit is None or unit.level != "commune":
        refuse(404)
    if not is_commune_staff(db.session, _me(), unit.id):
        refuse(403, error_text("not_your_commune"))
    return unit


@bp.get("/desk/")
@roles(*STAFF)
def desk_home():
    """The desk of the account's commune, or of the one chosen (?commune=<id>)."""
    unit = schedule.pick_commune(db.session, _me(), query_id("commune"))
    if unit is None:
        refuse(403, _("You are not staff of that commune, so there is no desk to show."))
    return redirect(url_for("appointments.day_list", unit_id=unit.id))


def _previous_working_day(day: date, calendar) -> date:
    for back in range(1, 15):
        candidate = day - timedelta(days=back)
        if calendar.is_working_day(candidate):
            return candidate
    return day - timedelta(days=1)


@bp.get("/desk/<int:unit_id>/")
@roles(*STAFF)
def day_list(unit_id: int):
    """One day at the desk (?day=yyyy-mm-dd, today by default), by slot."""
    unit = _desk_or_refuse(unit_id)
    now = utcnow()
    today = local_day(now)
    day = query_day("day") or today
    rows = booking.day_list(db.session, unit.id, day)
    calendar = calendar_from_db(db.session)
    return render_template(
        "appointments/day_list.html", unit=unit, day=day, today=today, rows=rows,
        counts=booking.day_counts(rows), working=calendar.is_working_day(day),
        previous_day=_previous_working_day(day, calendar),
        next_day=calendar.next_working_day(day),
        communes=schedule.desk_communes(db.session, _me()), status_labels=STATUS_LABELS,
        may_arrive=lambda a: booking.arrival_refusal(a, now) is None,
        may_no_show=lambda a: booking.no_show_refusal(a, now) is None,
        confirm=ConfirmForm())


def _mark(appointment_id: int, action, done: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        refuse(400, _("This form is incomplete. Reload the page and try again."))
    try:
        appointment = action(db.session, _me(), appointment_id)
    except BookingError as error:
        if error.code == "not_found":
            refuse(404, error_text("not_found"))
        if error.code == "forbidden":
            refuse(403, error_text("forbidden"))
        flash(error_text(error.code), "error")
        appointment = db.session.get(Appointment, appointment_id)
    else:
        flash(done % {"code": appointment.code, "name": appointment.user.full_name}, "success")
    return redirect_back(form.next.data, url_for("appointments.day_list",
                                                  unit_id=appointment.unit_id,
                                                  day=appointment.day.isoformat()))


@bp.post("/desk/bookings/<int:appointment_id>/arrived")
@roles(*STAFF)
def mark_arrived(appointment_id: int):
    return _mark(appointment_id, booking.mark_arrived,
                 _("%(name)s has arrived (%(code)s)."))


@bp.post("/desk/bookings/<int:appointment_id>/no-show")
@roles(*STAFF)
def mark_no_show(appointment_id: int):
    return _mark(appointment_id, booking.mark_no_show,
                 _("Recorded: %(name)s did not come (%(code)s)."))


# -- the weekly pattern and closures -------------------------------------------------------

def _schedule_page(unit: AdminUnit, opening=None, closure=None, status=200):
    today = local_day(utcnow())
    openings = schedule.openings_of(db.session, unit.id)
    by_weekday = {day: [o for o in openings if o.weekday == day] for day in WEEKDAY_LABELS}
    return render_template(
        "appointments/schedule.html", unit=unit, by_weekday=by_weekday,
        weekday_labels=WEEKDAY_LABELS, closures=schedule.upcoming_closures(db.session, unit.id,
                                                                           today),
        opening_form=opening or OpeningForm(), closure_form=closure or ClosureForm(),
        communes=schedule.desk_communes(db.session, _me()), clock=clock,
        confirm=ConfirmForm()), status


# The services name the start and end of hours "start" and "end"; each form has its own names.
_FIELDS = {OpeningForm: {"start": "opens", "end": "closes"},
           ClosureForm: {"start": "closed_from", "end": "closed_until"}}


def _blame(form, error: ScheduleError) -> None:
    message = error_text(error.code, **error.details)
    name = _FIELDS.get(type(form), {}).get(error.field or "", error.field or "")
    if name not in form._fields:
        refuse(403 if error.code == "not_your_commune" else 400, message)
    form.add_error(name, message)


@bp.get("/desk/<int:unit_id>/schedule")
@roles(*STAFF)
def schedule_page(unit_id: int):
    return _schedule_page(_desk_or_refuse(unit_id))


def _clock_field(field) -> tuple[int | None, bool]:
    """(minutes, typed-but-unreadable) for an optional time field."""
    text = (field.data or "").strip()
    minutes = parse_clock(text)
    return minutes, bool(text) and minutes is None


@bp.post("/desk/<int:unit_id>/schedule/openings")
@roles(*STAFF)
def add_opening(unit_id: int):
    unit = _desk_or_refuse(unit_id)
    form = OpeningForm()
    if form.validate_on_submit():
        try:
            rows = schedule.add_openings(db.session, _me(), unit.id, OpeningInput(
                weekdays=list(form.weekdays.data or []), start=parse_clock(form.opens.data),
                end=parse_clock(form.closes.data), length=form.length.data,
                capacity=form.capacity.data))
        except ScheduleError as error:
            _blame(form, error)
        else:
            flash(ngettext("The opening was added to %(num)d weekday.",
                           "The opening was added to %(num)d weekdays.", len(rows)), "success")
            return redirect(url_for("appointments.schedule_page", unit_id=unit.id))
    return _schedule_page(unit, opening=form, status=400)


@bp.post("/desk/openings/<int:opening_id>/remove")
@roles(*STAFF)
def remove_opening(opening_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        refuse(400, _("This form is incomplete. Reload the page and try again."))
    try:
        row = schedule.remove_opening(db.session, _me(), opening_id)
    except ScheduleError as error:
        if error.code != "not_found":
            refuse(403, error_text(error.code))
        # A second press of the button (or a stale page): what was asked is done.
        flash(_("That opening was already removed."), "success")
        return redirect_back(form.next.data, url_for("appointments.desk_home"))
    flash(_("The opening was removed. Bookings already made in it are kept."), "success")
    return redirect_back(form.next.data, url_for("appointments.schedule_page",
                                                  unit_id=row.unit_id))


@bp.post("/desk/<int:unit_id>/schedule/closures")
@roles(*STAFF)
def add_closure(unit_id: int):
    unit = _desk_or_refuse(unit_id)
    form = ClosureForm()
    if form.validate_on_submit():
        start, bad_start = _clock_field(form.closed_from)
        end, bad_end = _clock_field(form.closed_until)
        unreadable = "start" if bad_start else "end" if bad_end else None
        try:
            _row, cancelled = schedule.add_closure(db.session, _me(), unit.id, ClosureInput(
                day=form.day.data, start=start, end=end, reason=form.reason.data or "",
                unreadable=unreadable))
        except ScheduleError as error:
            _blame(form, error)
        else:
            flash(ngettext("The closure is saved. %(num)d booking it covered was cancelled and "
                           "its resident told.",
                           "The closure is saved. %(num)d bookings it covered were cancelled and "
                           "their residents told.", cancelled) if cancelled
                  else _("The closure is saved. It covered no booking."), "success")
            return redirect(url_for("appointments.schedule_page", unit_id=unit.id))
    return _schedule_page(unit, closure=form, status=400)


@bp.post("/desk/closures/<int:closure_id>/remove")
@roles(*STAFF)
def remove_closure(closure_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        refuse(400, _("This form is incomplete. Reload the page and try again."))
    try:
        row = schedule.remove_closure(db.session, _me(), closure_id)
    except ScheduleError as error:
        if error.code != "not_found":
            refuse(403, error_text(error.code))
        flash(_("That closure was already removed."), "success")
        return redirect_back(form.next.data, url_for("appointments.desk_home"))
    flash(_("The closure was removed: the desk takes appointments then again."), "success")
    return redirect_back(form.next.data, url_for("appointments.schedule_page",
                                                  unit_id=row.unit_id))
