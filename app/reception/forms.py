"""Forms of citizen reception; the rules live in services.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import BaseForm, ClockField, DayField
from app.models.reception import CAPACITY_MAX


class SessionForm(BaseForm):
    unit_id = SelectField(_l("Commune or ward"), coerce=int,
                          validators=[DataRequired(_l("Choose the commune or ward."))])
    day = DayField(_l("Day"), validators=[InputRequired(_l("Enter the day of the reception."))])
    starts_at = ClockField(_l("From"), validators=[InputRequired(_l("Enter when it starts."))])
    ends_at = ClockField(_l("Until"), validators=[InputRequired(_l("Enter when it ends."))])
    place = StringField(_l("Place"), validators=[
        DataRequired(_l("Enter where citizens are received.")), Length(max=300)])
    receiver = StringField(_l("Who receives (name and office)"), validators=[
        DataRequired(_l("Enter who receives the citizens.")), Length(max=200)])
    topics_vi = StringField(_l("Topics, in Vietnamese"), validators=[
        DataRequired(_l("Enter the topics of the reception.")), Length(max=500)])
    topics_en = StringField(_l("Topics, in English (optional)"),
                            validators=[Optional(), Length(max=500)])
    capacity = IntegerField(_l("Places (optional)"), validators=[
        Optional(), NumberRange(min=1, max=CAPACITY_MAX,
                                message=_l("Enter a number of places from 1 to %(max)s."))])


class RegisterForm(BaseForm):
    topic = TextAreaField(_l("What do you want to raise?"), validators=[
        DataRequired(_l("Say in a few words what you want to raise.")),
        Length(max=500, message=_l("Keep it under %(max)d characters."))])


class RecordForm(BaseForm):
    registration_id = SelectField(_l("Registered citizen"), coerce=int, default=0,
                                  validators=[Optional()])
    citizen_name = StringField(_l("Citizen's full name"), validators=[
        DataRequired(_l("Enter the citizen's full name.")), Length(max=120)])
    citizen_phone = TelField(_l("Phone number (optional)"), validators=[Optional(), Length(max=20)])
    citizen_id_number = StringField(_l("ID number (optional)"),
                                    validators=[Optional(), Length(max=12)])
    content = TextAreaField(_l("What the citizen raised"), validators=[
        DataRequired(_l("Write what the citizen raised.")), Length(max=5000)])
    response = TextAreaField(_l("The leader's answer or direction"), validators=[
        DataRequired(_l("Write what the leader answered or directed.")), Length(max=5000)])
    make_petition = BooleanField(_l("It needs an office's answer: open a petition case"))
    topic_id = SelectField(_l("Topic of the petition"), coerce=int, default=0,
                           validators=[Optional()])
    subject = StringField(_l("Subject of the petition"), validators=[Optional(), Length(max=200)])
