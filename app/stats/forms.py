"""The statistics page's filters (a plain GET, so a view of the figures is a link anyone can
share) and the scorecard's entry form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import BaseForm, DayField

PERIOD_KINDS = ("year", "quarter", "month", "custom")

# Why a request for figures cannot be answered, by problem code (app/stats/figures.py).
PROBLEMS = {
    "unknown_unit": _l("No commune or ward has this code. Choose one from the list."),
    "not_a_commune": _l("Figures are kept for the province, its communes and wards, not for "
                        "a village. Choose a commune or ward."),
    "unknown_department": _l("No department has this code. Choose one from the list."),
    "department_elsewhere": _l("This department belongs to another commune. Choose one of the "
                               "chosen commune's departments."),
    "unknown_procedure": _l("No procedure has this code. Choose one from the list."),
    "too_early": _l("Figures start in %(year)d. Choose a later period."),
    "future": _l("This period has not started yet. Choose one that has."),
    "reversed": _l("The end date must be on or after the start date."),
    "too_long": _l("Choose at most %(days)d days at a time."),
    "bad_month": _l("Choose a month from the list."),
    "bad_quarter": _l("Choose a quarter from the list."),
    "bad_period": _l("Choose a year, a quarter, a month or your own dates."),
    "dates_needed": _l("Enter both dates of your own period."),
    "bad_year": _l("Choose a year from the list."),
}


class StatsFilterForm(BaseForm):
    """Codes, not ids, in the URL: a link to a commune's figures reads like the commune."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Province, commune or ward"), validate_choice=False)
    department = SelectField(_l("Department"), validate_choice=False)
    procedure = SelectField(_l("Procedure"), validate_choice=False)
    period = SelectField(_l("Period"), validate_choice=False, default="year")
    year = StringField(_l("Year"), validators=[Optional(), Length(max=4)])
    quarter = SelectField(_l("Quarter"), validate_choice=False, default="")
    month = SelectField(_l("Month"), validate_choice=False, default="")
    date_from = DayField(_l("From date"), validators=[Optional()])
    date_to = DayField(_l("To date"), validators=[Optional()])


class DashboardForm(BaseForm):
    """An administrator narrows the dashboard to one commune (leaders see their own work)."""

    class Meta:
        csrf = False

    commune = SelectField(_l("Commune or ward"), validate_choice=False)


class CaseListForm(BaseForm):
    """The cases behind a dashboard figure (app/stats/dashboard.CaseFilter)."""

    class Meta:
        csrf = False

    department = SelectField(_l("Department"), coerce=int, validate_choice=False, default=0)
    officer = SelectField(_l("Officer"), coerce=int, validate_choice=False, default=0)
    band = SelectField(_l("Due"), validate_choice=False, default="")
    group = SelectField(_l("State"), validate_choice=False, default="")
    case_type = SelectField(_l("Kind of case"), validate_choice=False, default="")
    category = SelectField(_l("Category"), validate_choice=False, default="")
    unit = SelectField(_l("Commune or village"), coerce=int, validate_choice=False, default=0)
    finished_on = DayField(_l("Finished on"), validators=[Optional()])
    received_on = DayField(_l("Received on"), validators=[Optional()])
    waiting = SelectField(_l("Waiting for"), validate_choice=False, default="")
    order = SelectField(_l("Order"), validate_choice=False, default="due")


class ScorecardViewForm(BaseForm):
    """Which year, which indicator on the chart (GET)."""

    class Meta:
        csrf = False

    year = StringField(_l("Year"), validators=[Optional(), Length(max=4)])
    indicator = SelectField(_l("Indicator on the chart"), validate_choice=False, default="")


class ScorecardEntryForm(BaseForm):
    commune = SelectField(_l("Commune or ward"), coerce=int, validate_choice=False,
                          validators=[DataRequired(_l("Choose a commune or ward from the list."))])
    indicator = SelectField(_l("Indicator"), validate_choice=False,
                            validators=[DataRequired(_l("Choose an indicator from the list."))])
    year = SelectField(_l("Year"), coerce=int, validate_choice=False,
                       validators=[DataRequired(_l("Choose a year from the list."))])
    value = StringField(_l("Value"), validators=[Length(max=20)])
    source = StringField(_l("Source"), validators=[Length(max=300, message=_l(
        "Keep the source under 300 characters."))])
    as_of = DayField(_l("Date the figure describes"), validators=[Optional()])
