"""Forms of petitions and questions, voters' meetings and topics. The rules live in the
services; these only say what each field is and catch what is plainly missing or too long."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, HiddenField, IntegerField, RadioField, SelectField,
                     StringField, TelField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.dossiers.forms import RATING_LABELS
from app.forms import BaseForm, DayField, VersionField
from app.petitions.services import BODY_MAX, NAME_MAX, NOTE_MAX, TITLE_MAX
from app.tracking import MAX_CODE, MAX_CONTACT

KIND_CHOICES = [("question", _l("A question")),
                ("petition", _l("A petition or complaint"))]


class AskForm(BaseForm):
    kind = RadioField(_l("What are you sending?"), choices=KIND_CHOICES, default="question",
                      validators=[InputRequired(_l("Choose a question or a petition."))])
    topic_id = SelectField(_l("Topic"), coerce=int,
                           validators=[DataRequired(_l("Choose the topic."))])
    unit_id = SelectField(_l("Commune or ward it concerns"), coerce=int,
                          validators=[DataRequired(_l("Choose the commune or ward."))])
    procedure_id = SelectField(_l("Procedure it is about (optional)"), coerce=int, default=0,
                               validators=[Optional()])
    title = StringField(_l("Subject"), validators=[
        DataRequired(_l("Write the subject in a few words.")),
        Length(max=TITLE_MAX, message=_l("The subject can be at most %(max)d characters."))])
    body = TextAreaField(_l("Your question or petition"), render_kw={"rows": 6}, validators=[
        DataRequired(_l("Write your question or petition.")),
        Length(max=BODY_MAX, message=_l("Keep it under %(max)d characters: attach a file for "
                                        "anything longer."))])
    files = MultipleFileField(_l("Attach papers or photos (optional)"))
    public = BooleanField(_l("Publish my question and its answer (never my name, phone "
                             "number or e-mail)"))
    asker_name = StringField(_l("Your full name"), validators=[
        DataRequired(_l("Enter your full name.")),
        Length(max=NAME_MAX, message=_l("The name can be at most %(max)d characters."))])
    asker_phone = TelField(_l("Mobile phone number"), validators=[Optional(), Length(max=20)])
    asker_email = StringField(_l("E-mail (optional)"), validators=[Optional(), Length(max=254)])
    # One per form shown: pressing "Send" twice on a slow connection sends one petition.
    idempotency_key = HiddenField(validators=[Length(max=64)])


class LookupForm(BaseForm):
    """POST, not GET: a phone number must not sit in addresses and logs."""

    code = StringField(_l("Code of your question or petition"), validators=[
        DataRequired(_l("Enter the code you were given when you sent it.")),
        Length(max=MAX_CODE, message=_l("A code is at most %(max)d characters."))])
    phone = StringField(_l("The phone number you gave"), validators=[
        DataRequired(_l("Enter the phone number you gave when you sent it.")),
        Length(max=MAX_CONTACT, message=_l("This is too long: at most %(max)d characters."))])


class RateForm(BaseForm):
    level = RadioField(_l("How satisfied are you with the answer?"), coerce=int,
                       choices=list(RATING_LABELS.items()),
                       validators=[DataRequired(_l("Choose one of the five answers."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[
        Optional(), Length(max=1000, message=_l("Keep the comment under %(max)d characters."))])


class AnswerForm(BaseForm):
    version = VersionField()
    answer = TextAreaField(_l("The answer"), render_kw={"rows": 10}, validators=[
        DataRequired(_l("Write the answer.")),
        Length(max=10_000, message=_l("Keep the answer under %(max)d characters."))])


class ModerateForm(BaseForm):
    decision = RadioField(_l("Decision"), choices=[
        ("release", _l("Send it to the office: it may be answered")),
        ("reject", _l("Do not accept it (the asker is told the reason)"))],
        validators=[InputRequired(_l("Choose a decision."))])
    note = TextAreaField(_l("Reason"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("Keep the reason under %(max)d characters."))])


class TopicForm(BaseForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(_l("Enter a short code, like dat-dai.")), Length(max=40)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[
        DataRequired(_l("Enter the name in Vietnamese.")), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Queue category (routing and skill)"))
    sla_days = IntegerField(_l("Working days to answer"), validators=[
        InputRequired(_l("Enter the working days the office has to answer."))])
    active = BooleanField(_l("Residents may choose it"), default=True)


class MeetingForm(BaseForm):
    unit_id = SelectField(_l("Commune or ward"), coerce=int,
                          validators=[DataRequired(_l("Choose the commune or ward."))])
    title = StringField(_l("Meeting"), validators=[
        DataRequired(_l("Name the meeting.")), Length(max=200)])
    held_on = DayField(_l("Date of the meeting"), validators=[
        InputRequired(_l("Enter the date of the meeting."))])
    place = StringField(_l("Place"), validators=[
        DataRequired(_l("Enter where it was held.")), Length(max=300)])
    deputies = TextAreaField(_l("Deputies who met the voters (one a line)"), validators=[
        DataRequired(_l("Name the deputies.")), Length(max=2000)])


class VoterPetitionForm(BaseForm):
    topic_id = SelectField(_l("Topic"), coerce=int,
                           validators=[DataRequired(_l("Choose the topic."))])
    department_id = SelectField(_l("Agency it goes to"), coerce=int,
                                validators=[DataRequired(_l("Choose the agency."))])
    title = StringField(_l("Subject"), validators=[
        DataRequired(_l("Write the subject in a few words.")),
        Length(max=TITLE_MAX, message=_l("The subject can be at most %(max)d characters."))])
    body = TextAreaField(_l("The petition as the voters raised it"), render_kw={"rows": 5},
                         validators=[
        DataRequired(_l("Write the petition.")),
        Length(max=BODY_MAX, message=_l("Keep it under %(max)d characters."))])
    raised_by = StringField(_l("Voter who raised it (optional, never published)"),
                            validators=[Optional(), Length(max=NAME_MAX)])


class ConfirmForm(BaseForm):
    """A button that changes something: only the CSRF token."""
