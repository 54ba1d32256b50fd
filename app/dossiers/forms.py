from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (HiddenField, RadioField, SelectField, SelectMultipleField, StringField,
                     TelField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm, VersionField


class TrackForm(BaseForm):
    """POST, not GET: a phone number or ID number must not sit in addresses and logs."""

    code = StringField(_l("Dossier code"), validators=[
        DataRequired(_l("Enter the dossier code printed on your receipt.")),
        Length(max=40, message=_l("A dossier code is at most %(max)d characters."))])
    contact = StringField(_l("Phone number or ID number of the applicant"), validators=[
        DataRequired(_l("Enter the phone number or ID number given when the dossier was submitted.")),
        Length(max=40, message=_l("This is too long: at most %(max)d characters."))])


class WalkInForm(BaseForm):
    """A paper dossier brought to the one-stop desk, registered by the officer on duty."""

    unit_id = SelectField(_l("Commune or ward that receives it"), coerce=int,
                          validators=[DataRequired(_l("Choose the commune or ward."))])
    applicant_name = StringField(_l("Applicant's full name"), validators=[
        DataRequired(_l("Enter the applicant's full name.")),
        Length(max=120, message=_l("The name can be at most %(max)d characters."))])
    applicant_phone = TelField(_l("Mobile phone number"), validators=[Optional()])
    applicant_id_number = StringField(_l("ID number (CCCD, 12 digits, or old CMND, 9 digits)"),
                                      validators=[Optional(), Length(max=12)])
    documents = SelectMultipleField(_l("Papers received"), coerce=int, validate_choice=False,
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())
    # One per form shown: pressing "Register" twice makes one dossier.
    idempotency_key = HiddenField(validators=[Length(max=64)])


# Why a submission was refused (app/dossiers/services.py DossierError codes), as people read it.
ERRORS = {
    "name_required": _l("Enter the applicant's full name."),
    "bad_name": _l("Write the name with letters only, at most 120 characters."),
    "bad_phone": _l("Enter a Vietnamese mobile number, like 0912 345 678."),
    "bad_id_number": _l("An ID number has 12 digits (CCCD) or 9 digits (old CMND)."),
    "contact_required": _l("Enter a phone number or an ID number: the applicant tracks the "
                           "dossier with it."),
    "unknown_procedure": _l("This procedure is not in the catalogue (any more)."),
    "procedure_not_routable": _l("This procedure's field has no queue category yet: ask an "
                                 "administrator to set it."),
    "no_route": _l("No department receives this procedure in this commune yet: ask an "
                   "administrator to add a routing rule."),
    "unknown_unit": _l("Choose a commune or ward from the list."),
    "bad_channel": _l("Choose how the dossier was submitted."),
    "daily_limit": _l("This desk has registered 9,999 dossiers today, the most a code can "
                      "number. Continue tomorrow."),
    "bad_rating": _l("Choose one of the five answers."),
    "not_rateable": _l("This dossier cannot be rated: only a dossier whose result was handed "
                       "over can be rated, once."),
    "not_your_desk": _l("You do not sit at the one-stop desk that receives this procedure in "
                        "this commune, so you cannot register it there."),
}


class WithdrawForm(BaseForm):
    """The resident confirms withdrawing their dossier; the version refuses a stale page."""

    version = VersionField()
    reason = TextAreaField(_l("Reason (optional)"), validators=[
        Optional(), Length(max=500, message=_l("Keep the reason under %(max)d characters."))])


RATING_LABELS = {
    5: _l("Very satisfied"),
    4: _l("Satisfied"),
    3: _l("Neutral"),
    2: _l("Dissatisfied"),
    1: _l("Very dissatisfied"),
}


class RatingForm(BaseForm):
    level = RadioField(_l("How satisfied are you with how this dossier was handled?"),
                       coerce=int, choices=list(RATING_LABELS.items()),
                       validators=[DataRequired(_l("Choose one of the five answers."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[
        Optional(), Length(max=1000, message=_l("Keep the comment under %(max)d characters."))])
