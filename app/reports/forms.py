"""Forms of field reports. Coordinates are text fields on purpose: people paste "21,5942" with
the Vietnamese decimal comma, and a wrong value comes back as typed with a message saying what
is wrong (app/reports/geo.py judges it). A category's extra fields are not WTForms fields: they
are the administrator's, read from the request by their codes (app/reports/routes.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (BooleanField, HiddenField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.admin.forms import MODE_LABELS  # the routing rules' words for the same choice
from app.dossiers.forms import RATING_LABELS  # the dossiers' five levels, the same words
from app.forms import BaseForm, VersionField
from app.models.reports import ATTRIBUTE_TYPES, ROUTE_MODES
from app.reports.labels import ATTRIBUTE_TYPE_LABELS


class PlaceForm(BaseForm):
    """Step one (a GET form: nothing is saved): what kind of problem, and where."""

    class Meta:
        csrf = False

    category = RadioField(_l("What kind of problem is it?"), validate_choice=False,
                          validators=[Optional()])
    commune_id = SelectField(_l("Commune or ward"), validate_choice=False)
    village_id = SelectField(_l("Village (optional)"), validate_choice=False)
    address = StringField(_l("Address or description of the place (optional)"),
                          validators=[Length(max=300)])
    lat = StringField(_l("Latitude"), validators=[Length(max=30)])
    long = StringField(_l("Longitude"), validators=[Length(max=30)])
    # "device" when the phone's location filled the coordinates (app/static/js/locate.js).
    location_source = HiddenField(validators=[Length(max=10)])


class ReportForm(PlaceForm):
    """Step two: the report itself, sent with the place chosen in step one."""

    class Meta:
        csrf = True

    description = TextAreaField(_l("Describe the problem"), validators=[Length(max=4000)])
    photos = MultipleFileField(_l("Photos (optional, up to 3, JPEG or PNG)"))
    anonymous = BooleanField(_l("Do not show my name on the public page (officers still see "
                                "who reported it)"))
    idempotency_key = HiddenField(validators=[Length(max=64)])


class SupportForm(BaseForm):
    """"I have this problem too": a button."""


class RatingForm(BaseForm):
    level = RadioField(_l("How satisfied are you with the commune's answer?"), coerce=int,
                       choices=list(RATING_LABELS.items()),
                       validators=[InputRequired(_l("Choose one of the five answers."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[
        Optional(), Length(max=1000, message=_l("Keep the comment under %(max)d characters."))])


class AnswerForm(BaseForm):
    version = VersionField()
    outcome = RadioField(_l("How does the report end?"), validate_choice=False,
                         validators=[InputRequired(_l("Choose how the report ends."))])
    text = TextAreaField(_l("The answer (published on the report's page)"),
                         validators=[Length(max=4000)])
    fix_photo = FileField(_l("Photo of the fix (optional, JPEG or PNG)"))


class MergeForm(BaseForm):
    version = VersionField()
    candidate = RadioField(_l("The report it duplicates"), validate_choice=False,
                           validators=[Optional()])
    other_code = StringField(_l("Or the code of another open report of the commune"),
                             validators=[Length(max=40)])


# -- administration ---------------------------------------------------------------------------

class CategoryForm(BaseForm):
    code = StringField(_l("Code (used by apps: lower-case letters, digits, dashes)"),
                       validators=[Length(max=40)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=120)])
    description_vi = TextAreaField(_l("Description in Vietnamese (optional)"),
                                   validators=[Length(max=500)])
    description_en = TextAreaField(_l("Description in English (optional)"),
                                   validators=[Length(max=500)])
    group_vi = StringField(_l("Group in Vietnamese (optional, e.g. Hạ tầng)"),
                           validators=[Length(max=80)])
    group_en = StringField(_l("Group in English (optional, e.g. Infrastructure)"),
                           validators=[Length(max=80)])
    keywords = StringField(_l("Keywords, separated by commas (optional)"),
                           validators=[Length(max=300)])
    sla_days = IntegerField(_l("Working days to answer"), validators=[
        InputRequired(_l("Enter a whole number of working days from 1 to 60.")),
        NumberRange(1, 60, message=_l("Enter a whole number of working days from 1 to 60."))])
    position = IntegerField(_l("Position in the list (0 first)"), default=0, validators=[
        InputRequired(_l("Enter a whole number from 0 to 1000.")),
        NumberRange(0, 1000, message=_l("Enter a whole number from 0 to 1000."))])
    active = BooleanField(_l("Residents can choose it"), default=True)


class AttributeForm(BaseForm):
    code = StringField(_l("Code (used by apps, e.g. pole_number)"), validators=[Length(max=40)])
    datatype = SelectField(_l("Kind of answer"),
                           choices=[(t, ATTRIBUTE_TYPE_LABELS[t]) for t in ATTRIBUTE_TYPES],
                           validate_choice=False)
    description_vi = StringField(_l("Question in Vietnamese"), validators=[Length(max=300)])
    description_en = StringField(_l("Question in English"), validators=[Length(max=300)])
    required = BooleanField(_l("An answer is required"))
    position = IntegerField(_l("Order (1 first)"), default=1, validators=[
        InputRequired(_l("Enter a whole number from 1 to 1000.")),
        NumberRange(1, 1000, message=_l("Enter a whole number from 1 to 1000."))])
    choices = TextAreaField(_l("Choices, for a list: one per line, key | tên tiếng Việt | "
                               "English name"), validators=[Length(max=5000)])


class RouteForm(BaseForm):
    """Shown under the category's own form: prefixed, so it carries the page's one plain
    csrf_token (checked by CSRFProtect) rather than a second, clashing token field."""

    class Meta:
        csrf = False

    unit_id = SelectField(_l("Where"), coerce=int, validate_choice=False)
    department_id = SelectField(_l("Department that takes the reports"), coerce=int,
                                validate_choice=False)
    mode = SelectField(_l("How reports reach officers"), validate_choice=False,
                       choices=[(m, MODE_LABELS[m]) for m in ROUTE_MODES])


class ConfirmForm(BaseForm):
    """A button that changes something (activate, remove, revoke): the CSRF token only."""


class ApiKeyForm(BaseForm):
    name = StringField(_l("Name of the app or organisation"), validators=[Length(max=100)])
