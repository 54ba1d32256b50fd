"""The messages a booking sends, each queued in the outbox by the transaction that makes the
change (so none announces a change that rolled back), worded in the resident's own language,
with the link to the booking built from PUBLIC_URL (app/links.py), also from the worker."""
from __future__ import annotations

from typing import Callable

from flask_babel import force_locale, gettext as _
from sqlalchemy.orm import Session

from app.appointments.slots import clock, local_minutes
from app.links import public_url
from app.models import Appointment
from app.notifications.outbox import queue_for_user
from app.templating import format_weekday_day


def when(appointment: Appointment) -> str:
    """'08:30–09:00, Thứ Ba, 08/12/2026' in the language in force."""
    return "{}–{}, {}".format(clock(local_minutes(appointment.starts_at)),
                              clock(local_minutes(appointment.ends_at)),
                              format_weekday_day(appointment.day))


def place(appointment: Appointment, lang: str) -> str:
    return _("One-stop desk, %(commune)s", commune=appointment.unit.name(lang))


def booking_url(appointment: Appointment, lang: str) -> str:
    return public_url("appointments.detail", lang_code=lang, appointment_id=appointment.id)


def _send(session: Session, appointment: Appointment, subject: Callable[[], str],
          opening: Callable[[], str], *, closing: Callable[[], str] | None = None) -> None:
    person = appointment.user
    if person is None or not person.active:
        return
    lang = "en" if person.locale == "en" else "vi"
    with force_locale(lang):
        lines = [opening(), "",
                 _("Booking code: %(code)s", code=appointment.code),
                 _("When: %(when)s", when=when(appointment)),
                 _("Where: %(place)s", place=place(appointment, lang)),
                 _("Procedure: %(name)s", name=appointment.procedure.name(lang))]
        if closing is not None:
            lines += ["", closing()]
        lines += ["", booking_url(appointment, lang)]
        queue_for_user(session, person, subject(), "\n".join(lines))


def confirmation(session: Session, appointment: Appointment) -> None:
    _send(session, appointment,
          lambda: _("Appointment %(code)s booked", code=appointment.code),
          lambda: _("Your appointment at the one-stop desk is booked."),
          closing=lambda: _("Bring the papers the procedure needs and show this code at the "
                            "desk. If you cannot come, cancel the booking so someone else can "
                            "have the seat."))


def reminder(session: Session, appointment: Appointment) -> None:
    _send(session, appointment,
          lambda: _("Reminder: appointment %(code)s tomorrow", code=appointment.code),
          lambda: _("A reminder of your appointment at the one-stop desk tomorrow."),
          closing=lambda: _("If you cannot come, cancel the booking so someone else can have "
                            "the seat."))


def cancelled_by_resident(session: Session, appointment: Appointment) -> None:
    _send(session, appointment,
          lambda: _("Appointment %(code)s cancelled", code=appointment.code),
          lambda: _("Your appointment was cancelled, as you asked."))


def cancelled_by_desk(session: Session, appointment: Appointment) -> None:
    _send(session, appointment,
          lambda: _("Appointment %(code)s cancelled by the desk", code=appointment.code),
          lambda: _("The one-stop desk will be closed at the time of your appointment, so it "
                    "was cancelled: %(reason)s", reason=appointment.cancel_reason or ""),
          closing=lambda: _("Please book another time. We are sorry for the trouble."))
