"""The one base form every form of the portal derives from.

Hostile or broken input is refused here, once, for every field of every form, so a new form
cannot forget it (tests/integration/test_architecture.py checks that every form derives from
BaseForm). The rules themselves live in app/inputs.py.

* text fields: zero-width characters removed, NFC; control characters and bidirectional
  overrides refused with a field message; a length limit when the form set none;
* integer selects (`coerce=int`): ASCII digits within the database's integer range;
* integer fields: within the database's integer range;
* date fields: between 1900 and 2100;
* WTForms' own messages ("Not a valid choice.") come from the portal's catalogue, so they
  are in the page's language (WTForms ships no Vietnamese).
"""
from __future__ import annotations

from flask_babel import get_translations, lazy_gettext as _l, lazy_ngettext as _n
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeField, HiddenField, IntegerField, PasswordField,
                     SelectFieldBase, StringField, TextAreaField, TimeField)
from wtforms.validators import Length, StopValidation

from app import inputs

# When a form gives a text field no Length of its own: beyond this it is not a name, a phone
# number or a note but an attack on the database or the page.
SINGLE_LINE_MAX = 1_000
MULTI_LINE_MAX = 20_000

MESSAGES = {
    "bad_character": _l("This contains a character that cannot be used here (a control or "
                        "text-direction character). Remove it and try again."),
    "too_long": _l("This is too long: at most %(max)d characters."),
    "out_of_range": _l("Enter a whole number between %(min)d and %(max)d."),
    "implausible_date": _l("Enter a date between %(start)s and %(end)s."),
    "bad_version": _l("This form is incomplete. Reload the page and try again."),
}


# WTForms' built-in messages, listed so that `flask translate extract` puts them in the
# portal's catalogue (_CatalogueTranslations looks them up there). Never read at run time.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _n("'%(value)s' is not a valid choice for this field.",
       "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Field must be equal to %(other_name)s."),
    _n("Field must be at least %(min)d character long.",
       "Field must be at least %(min)d characters long.", 1),
    _n("Field cannot be longer than %(max)d character.",
       "Field cannot be longer than %(max)d characters.", 1),
    _n("Field must be exactly %(max)d character long.",
       "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
)


class _CatalogueTranslations:
    """WTForms asks for its messages here; they are translated by the portal's catalogue.

    The raw gettext is used, not flask_babel.gettext/ngettext, because WTForms applies the
    %(min)d/%(max)d arguments itself after translating."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


def _characters(multiline: bool):
    def check(form, field):
        data = field.data
        if isinstance(data, str) and inputs.bad_character(data, multiline=multiline):
            raise StopValidation(str(MESSAGES["bad_character"]))
    return check


def _clean(data):
    return inputs.clean_text(data) if isinstance(data, str) else data


def _int_range(form, field):
    if field.data is not None and not inputs.DB_INT_MIN <= field.data <= inputs.DB_INT_MAX:
        raise StopValidation(MESSAGES["out_of_range"] % {"min": inputs.DB_INT_MIN,
                                                         "max": inputs.DB_INT_MAX})


def _date_range(form, field):
    if field.data is not None and not inputs.plausible_date(
            field.data.date() if hasattr(field.data, "date") else field.data):
        from app.templating import format_day

        raise StopValidation(MESSAGES["implausible_date"] % {
            "start": format_day(inputs.EARLIEST_DATE), "end": format_day(inputs.LATEST_DATE)})


def _coerce_choice(value):
    return inputs.parse_choice_id(value)


def harden(field) -> None:
    """Give a bound field the portal's input rules (see the module docstring)."""
    if isinstance(field, VersionField):
        return  # parsed strictly by the field itself
    if isinstance(field, StringField):
        multiline = isinstance(field, TextAreaField)
        if not isinstance(field, PasswordField):
            field.filters = (_clean,) + tuple(field.filters)
        added = [_characters(multiline)]
        if not any(isinstance(v, Length) for v in field.validators):
            limit = MULTI_LINE_MAX if multiline else SINGLE_LINE_MAX
            added.append(Length(max=limit, message=str(MESSAGES["too_long"] % {"max": limit})))
        field.validators = added + list(field.validators)
    elif isinstance(field, SelectFieldBase) and getattr(field, "coerce", None) is int:
        field.coerce = _coerce_choice
    elif isinstance(field, IntegerField):
        field.validators = list(field.validators) + [_int_range]
    elif isinstance(field, (DateField, DateTimeField)) and not isinstance(field, TimeField):
        field.validators = list(field.validators) + [_date_range]  # a time of day has no date


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            harden(field)
            return field

        def get_translations(self, form):
            return _TRANSLATIONS

    def add_error(self, field_name: str | None, message) -> None:
        """A service's refusal shown where it belongs: beside the field it names, or above the
        form when it names none this form has (the error summary lists both)."""
        field = self._fields.get(field_name or "")
        if field is not None:
            field.errors = list(field.errors) + [str(message)]
        else:
            self.form_errors.append(str(message))


class DayField(DateField):
    """A date as the browser's date picker sends it (2026-09-02) or as people write it
    (02/09/2026); an unreadable one gets `bad_date_message` instead of WTForms' wording."""

    bad_date_message = _l("Enter a real date, like 02/09/2026.")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.bad_date_message)) from None


class ClockField(TimeField):
    """A time of day as the browser's time picker sends it (08:30) or as people write it
    (8h30, 8:30); an unreadable one gets `bad_time_message` instead of WTForms' wording."""

    bad_time_message = _l("Enter a time of day, like 08:30.")

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(v).strip().lower().replace("h", ":").rstrip(":") or ""
                         for v in valuelist]
            valuelist = [v + ":00" if v.isdigit() else v for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.bad_time_message)) from None


class VersionField(HiddenField):
    """The version of the record the form was loaded with: required, ASCII digits, in range.

    A form that changes a case must say which version it saw, so a change made by someone
    else in between is refused (409) instead of silently overwritten; a form without one is
    malformed (400)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] not in (None, ""):
            try:
                self.data = inputs.parse_int(valuelist[0], minimum=0)
            except ValueError:
                raise ValueError(str(MESSAGES["bad_version"])) from None

    def pre_validate(self, form):
        if self.data is None:
            raise StopValidation(str(MESSAGES["bad_version"]))

    def _value(self):
        return "" if self.data is None else str(self.data)
