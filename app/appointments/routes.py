"""The resident's pages: book a slot at their commune's desk (procedure, then day, then time),
the confirmation with its code and QR code, "my appointments", cancelling. Every page works
without JavaScript; the rules live in booking.py."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.appointments import bp, booking, notices
from app.appointments.booking import BookingError, BookingRequest, Settings
from app.appointments.forms import BookingForm, ConfirmForm
from app.appointments.messages import STATUS_LABELS, error_text
from app.ratelimits import account_key
from app.dossiers.receipts import qr_svg
from app.errors import refuse
from app.extensions import db, limiter
from app.input_guard import query_day, query_page
from app.inputs import parse_choice_id, parse_iso_day
from app.locale import current_language
from app.models import Appointment, Procedure, utcnow
from app.security import roles, signed_in
from app.units.staff import is_commune_staff


def _settings() -> Settings:
    return Settings.from_config(current_app.config)


def _me():
    return current_user._get_current_object()


def _booking_limit() -> str:
    return current_app.config["RATELIMIT_BOOKING"]


@bp.get("/")
@signed_in
def mine():
    """A resident's bookings; staff, who book nothing, are taken to their desk's day list."""
    me, now, settings = _me(), utcnow(), _settings()
    if me.is_staff:
        return redirect(url_for("appointments.desk_home"))
    return render_template(
        "appointments/mine.html", upcoming=booking.upcoming_of(db.session, me, now),
        past=booking.past_of(db.session, me, now, query_page()),
        may_cancel=lambda a: booking.cancel_refusal(a, settings, now) is None,
        when=notices.when, status_labels=STATUS_LABELS,
        desk=booking.resident_desk(db.session, me))


def _procedure_id(raw) -> int | None:
    try:
        return parse_choice_id(raw) or None
    except ValueError:
        return None


@bp.route("/book", methods=["GET", "POST"])
@limiter.limit(_booking_limit, key_func=account_key, methods=["POST"])
@roles("resident")
def book():
    """GET ?procedure=<code>&day=<yyyy-mm-dd> walks the steps; POST books the chosen time."""
    me, settings, lang = _me(), _settings(), current_language()
    desk = booking.resident_desk(db.session, me)
    form = BookingForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        procedure_id = _procedure_id(form.procedure_id.data)
        day = parse_iso_day(form.day.data)
        procedure = db.session.get(Procedure, procedure_id) if procedure_id else None
        if form.validate_on_submit():
            try:
                appointment = booking.book(db.session, me, BookingRequest(
                    procedure_id, day, form.slot.data), settings)
            except BookingError as error:
                message = error_text(error.code, settings)
                if error.code == "no_commune":
                    pass  # the page says so in place of the form
                elif error.field == "slot" and error.code != "bad_day":
                    form.slot.errors = list(form.slot.errors) + [message]
                else:
                    problems.append(message)
            else:
                flash(_("Your appointment is booked. A message with its code is on its way."),
                      "success")
                return redirect(url_for("appointments.detail", appointment_id=appointment.id))
        elif form.csrf_token.errors:
            problems.append(_("This form is incomplete. Reload the page and try again."))
        status = 400
        if procedure is None or not booking.procedure_by_code(db.session, procedure.code):
            procedure = None
            if not problems and not form.slot.errors:
                problems.append(error_text("bad_procedure"))
    else:
        procedure = booking.procedure_by_code(db.session, request.args.get("procedure"))
        day = query_day("day")
    days = booking.booking_days(db.session, me, settings) if procedure and desk else []
    chosen = next((d for d in days if d.day == day), None) if day else None
    if procedure is not None:
        form.procedure_id.data = str(procedure.id)
    if chosen is not None:
        form.day.data = chosen.day.isoformat()
    if (chosen is None or chosen.mine) and form.slot.errors:
        # No time of that day is offered (past, too far, already booked): say so above.
        problems.extend(form.slot.errors)
        form.slot.errors = []
    return render_template(
        "appointments/book.html", form=form, desk=desk, procedure=procedure, days=days,
        chosen=chosen, problems=problems, lang=lang, settings=settings,
        procedures=booking.bookable_procedures(db.session, lang) if desk else []), status


def _visible_or_404(appointment_id: int) -> Appointment:
    appointment = booking.visible_appointment(db.session, _me(), appointment_id)
    if appointment is None:
        refuse(404, error_text("not_found"))
    return appointment


@bp.get("/<int:appointment_id>")
@signed_in
def detail(appointment_id: int):
    """The confirmation: for its resident, and for staff of its commune (who scan its QR code
    at the desk and mark the arrival here)."""
    appointment = _visible_or_404(appointment_id)
    me, now, settings, lang = _me(), utcnow(), _settings(), current_language()
    owner = appointment.user_id == me.id
    staff = not owner and is_commune_staff(db.session, me, appointment.unit_id)
    link = notices.booking_url(appointment, lang)
    return render_template(
        "appointments/detail.html", appointment=appointment, owner=owner, staff=staff,
        qr=qr_svg(link), link=link, when=notices.when(appointment),
        place=notices.place(appointment, lang), status_labels=STATUS_LABELS,
        may_cancel=owner and booking.cancel_refusal(appointment, settings, now) is None,
        cancel_deadline=booking.cancel_deadline(appointment, settings),
        may_arrive=staff and booking.arrival_refusal(appointment, now) is None,
        may_no_show=staff and booking.no_show_refusal(appointment, now) is None,
        confirm=ConfirmForm(), lang=lang)


@bp.route("/<int:appointment_id>/cancel", methods=["GET", "POST"])
@roles("resident")
def cancel(appointment_id: int):
    appointment = db.session.get(Appointment, appointment_id)
    me, settings = _me(), _settings()
    if appointment is None or appointment.user_id != me.id:
        refuse(404, error_text("not_found"))
    form = ConfirmForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            refuse(400, _("This form is incomplete. Reload the page and try again."))
        try:
            booking.cancel(db.session, me, appointment.id, settings)
        except BookingError as error:
            db.session.refresh(appointment)
            status = 400
            refusal = error.code
        else:
            flash(_("Appointment %(code)s is cancelled.", code=appointment.code), "success")
            return redirect(url_for("appointments.mine"))
    else:
        refusal = booking.cancel_refusal(appointment, settings, utcnow())
    return render_template(
        "appointments/cancel.html", appointment=appointment, form=form,
        refusal=error_text(refusal, settings) if refusal else None,
        when=notices.when(appointment), place=notices.place(appointment, current_language()),
        cancel_deadline=booking.cancel_deadline(appointment, settings)), status
