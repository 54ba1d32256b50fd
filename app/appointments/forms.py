"""Forms of the desk appointments. The schedule page shows two forms at once, so their
fields have names of their own (ids must not repeat). Ids and times are read leniently here and judged by the
services, so each kind of bad value gets its own message (messages.py) rather than WTForms'
"Not a valid choice"."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.appointments.messages import ERRORS, WEEKDAY_LABELS
from app.forms import BaseForm, DayField


class BookingForm(BaseForm):
    procedure_id = HiddenField()
    day = HiddenField()
    # Rendered by hand (app/templates/appointments/book.html): each time with its free seats.
    slot = RadioField(_l("Time"), validate_choice=False,
                      validators=[DataRequired(message=ERRORS["slot_required"])])


class ConfirmForm(BaseForm):
    """A button that changes something: the CSRF token, and where to go back to."""

    next = HiddenField()


class OpeningForm(BaseForm):
    weekdays = SelectMultipleField(_l("Weekdays"), coerce=int, validate_choice=False,
                                   choices=list(WEEKDAY_LABELS.items()))
    opens = StringField(_l("From"), validators=[Length(max=8)])
    closes = StringField(_l("Until"), validators=[Length(max=8)])
    length = IntegerField(_l("Minutes per slot"), validators=[Optional()])
    capacity = IntegerField(_l("People received per slot"), validators=[Optional()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.weekdays.errors:  # a value that is not a number at all
            self.weekdays.errors = [str(ERRORS["bad_weekday"])]
        return ok


class ClosureForm(BaseForm):
    day = DayField(_l("Day (dd/mm/yyyy)"), validators=[Optional()])
    closed_from = StringField(_l("From (empty: the whole day)"), validators=[Length(max=8)])
    closed_until = StringField(_l("To (empty: the whole day)"), validators=[Length(max=8)])
    reason = StringField(_l("Reason"), validators=[Length(max=200)])

