"""What each refusal says, in the page's language (one message per kind of bad value), and the
names of a booking's states."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ERRORS = {
    # booking
    "no_commune": _l("Your account has no commune, so there is no desk to book. Ask the "
                     "commune to add it to your account."),
    "bad_procedure": _l("Choose a procedure from the list: that one is not received at the "
                        "commune's desk."),
    "bad_day": _l("Choose a day from the list."),
    "past": _l("That time has already passed. Choose a later time."),
    "too_soon": _l("That time starts too soon: book at least %(minutes)d minutes ahead."),
    "too_far": _l("That day is too far ahead: the desk can be booked up to %(days)d days "
                  "ahead."),
    "holiday": _l("The desk is closed that day (a weekend, a public holiday or a day off). "
                  "Choose a working day."),
    "closed": _l("The desk does not take appointments at that time. Choose another time."),
    "no_such_slot": _l("That is not one of the desk's times. Choose a time from the list."),
    "full": _l("That time is fully booked. Choose another time."),
    "twice_same_day": _l("You already have an appointment that day. One appointment a day: "
                         "cancel the other first, or choose another day."),
    "slot_required": _l("Choose a time."),
    # cancelling
    "not_found": _l("There is no such appointment."),
    "not_cancellable": _l("This appointment can no longer be cancelled: it is no longer "
                          "booked."),
    "too_late": _l("It is too late to cancel: appointments can be cancelled until "
                   "%(minutes)d minutes before they start. Please call the desk."),
    # the desk
    "forbidden": _l("Only staff of the commune can do this."),
    "cancelled": _l("This appointment was cancelled."),
    "already_arrived": _l("The arrival is already recorded."),
    "already_no_show": _l("The no-show is already recorded."),
    "not_today": _l("An arrival is recorded on the day of the appointment."),
    "not_started": _l("A no-show is recorded once the appointment's time has begun."),
    # the pattern and closures
    "bad_commune": _l("Choose a commune from the list."),
    "not_your_commune": _l("You are not staff of that commune, so you cannot change its desk."),
    "weekdays_required": _l("Choose at least one weekday."),
    "bad_weekday": _l("Choose weekdays from the list (Monday to Friday)."),
    "bad_time": _l("Enter a time of day like 08:00 or 13:30."),
    "end_before_start": _l("The end must be after the start."),
    "bad_length": _l("Enter a slot length from %(min)d to %(max)d minutes."),
    "shorter_than_slot": _l("The opening is shorter than one slot: make it longer or the slots "
                            "shorter."),
    "capacity_too_small": _l("Enter how many people the desk receives per slot: at least 1."),
    "capacity_too_large": _l("At most %(max)d people per slot."),
    "overlaps": _l("It overlaps the opening %(hours)s on %(weekday)s. Remove that one first, "
                   "or choose other hours."),
    "day_required": _l("Enter the day the desk is closed."),
    "closure_past": _l("The day cannot be in the past."),
    "closure_too_far": _l("Choose a day within %(days)d days from today."),
    "both_times": _l("Give both the start and the end, or neither to close the whole day."),
    "reason_required": _l("Say why the desk is closed."),
    "reason_too_long": _l("At most %(max)d characters."),
}

STATUS_LABELS = {
    "booked": _l("Booked"),
    "cancelled": _l("Cancelled"),
    "arrived": _l("Arrived"),
    "no_show": _l("Did not come"),
}

WEEKDAY_LABELS = {
    0: _l("Monday"), 1: _l("Tuesday"), 2: _l("Wednesday"), 3: _l("Thursday"), 4: _l("Friday"),
}


def error_text(code: str, settings=None, **params) -> str:
    """The message for `code`, its blanks filled (the configured minutes and days from
    `settings`, a booking.Settings); an unknown code reads as 'not found'."""
    message = str(ERRORS.get(code, ERRORS["not_found"]))
    if settings is not None:
        params.setdefault("days", settings.horizon_days)
        params.setdefault("minutes", settings.cancel_minutes if code == "too_late"
                          else settings.lead_minutes)
    if "weekday" in params and isinstance(params["weekday"], int):
        params["weekday"] = str(WEEKDAY_LABELS[params["weekday"]])
    try:
        return message % params if params else message
    except (KeyError, TypeError):
        return message
