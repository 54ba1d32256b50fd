"""Forms of announcements, emergency alerts and subscriptions, and the message each refusal shows
(one per kind of bad value, in the page's language)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateTimeField, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField, widgets)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import BaseForm, DayField
from app.village.notice_labels import (ANNOUNCEMENT_CATEGORY_LABELS, HAZARD_LABELS, MODE_LABELS,
                                       SEVERITY_LABELS)

ERRORS = {
    "title_vi_required": _l("Write the title in Vietnamese."),
    "body_vi_required": _l("Write the text in Vietnamese."),
    "title_en_missing": _l("You wrote an English text: add its English title too, or leave both "
                           "English fields empty."),
    "body_en_missing": _l("You wrote an English title: add the English text too, or leave both "
                          "English fields empty."),
    "too_long": _l("This is too long."),
    "bad_place": _l("Choose a village or commune from the list."),
    "not_your_commune": _l("You are not staff of that commune, so you cannot publish there. "
                           "Nothing was saved."),
    "not_your_village": _l("As a village head you may publish only for your own village. "
                           "Nothing was saved."),
    "bad_category": _l("Choose a category from the list."),
    "valid_from_required": _l("Enter the first day it applies, like 02/09/2026."),
    "until_before_from": _l("The last day cannot be before the first day."),
    "until_past": _l("The last day has already passed: choose today or a later day."),
    "attachment_empty": _l("The attached file is empty."),
    "attachment_too_large": _l("The attached file is too large: at most 5 MB."),
    "attachment_bad_type": _l("Attach a PDF, JPEG or PNG file; this file is none of them."),
    "attachment_name_mismatch": _l("The file's name does not match its content (a PDF must end "
                                   "in .pdf, a photo in .jpg, .jpeg or .png)."),
    "attachment_too_many_pixels": _l("The attached photo has too many pixels (more than 50 "
                                     "megapixels). Send a smaller one."),
    "attachment_unreadable": _l("The attached photo could not be read: it may be damaged."),
    "withdrawn": _l("This announcement was withdrawn; it can no longer be changed."),
    "forbidden": _l("Only staff of the commune or the head of the village may do this."),
    "not_found": _l("There is no such announcement."),
    # alerts
    "bad_hazard": _l("Choose the kind of danger from the list."),
    "bad_severity": _l("Choose a severity from the list."),
    "expiry_required": _l("Enter when the alert ends, like 02/09/2026 18:00."),
    "expiry_past": _l("The end of the alert must be in the future. Nothing was saved."),
    "expiry_too_far": _l("An alert may last at most 30 days; for longer, publish an "
                         "announcement."),
    "no_area": _l("Choose at least one commune or village the alert is for."),
    "already_ended": _l("This alert has already ended."),
    # subscriptions
    "bad_scope": _l("Choose what to follow from the list."),
    "no_village": _l("Your account has no village, so you can follow your commune only."),
    "no_home": _l("Your account has no commune, so there is nothing to follow yet."),
    "bad_mode": _l("Choose how to receive announcements from the list."),
    "bad_link": _l("This unsubscribe link is not valid: it was changed or is too old. Log in "
                   "and open \"Village news by message\" to stop the messages."),
    "nothing_chosen": _l("Choose alerts, announcements or both; to receive nothing, use "
                         "\"Stop all messages\"."),
}


class MomentField(DateTimeField):
    """A local date and time as the browser's picker sends it (2026-09-02T18:00) or as people
    write it (02/09/2026 18:00)."""

    bad_moment_message = _l("Enter a real date and time, like 02/09/2026 18:00.")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators,
                         format=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.bad_moment_message)) from None

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%Y-%m-%dT%H:%M") if self.data else ""


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes, which work without JavaScript on any phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AnnouncementForm(BaseForm):
    title_vi = StringField(_l("Title in Vietnamese"), validators=[
        DataRequired(message=ERRORS["title_vi_required"]), Length(max=200)])
    body_vi = TextAreaField(_l("Text in Vietnamese"), validators=[
        DataRequired(message=ERRORS["body_vi_required"]), Length(max=10_000)])
    title_en = StringField(_l("Title in English (optional)"), validators=[Length(max=200)])
    body_en = TextAreaField(_l("Text in English (optional)"), validators=[Length(max=10_000)])
    place = SelectField(_l("For"), validate_choice=False)
    category = SelectField(_l("Category"), choices=list(ANNOUNCEMENT_CATEGORY_LABELS.items()))
    # InputRequired, not DataRequired: an unreadable date keeps its own message.
    valid_from = DayField(_l("Applies from (dd/mm/yyyy)"), validators=[
        InputRequired(message=ERRORS["valid_from_required"])])
    valid_until = DayField(_l("Applies until (dd/mm/yyyy, optional)"), validators=[Optional()])
    attachment = FileField(_l("Attached file (optional: PDF, JPEG or PNG, at most 5 MB)"))
    remove_attachment = BooleanField(_l("Remove the attached file"))


class AlertForm(BaseForm):
    hazard = SelectField(_l("Danger"), choices=list(HAZARD_LABELS.items()))
    severity = SelectField(_l("Severity"), choices=list(SEVERITY_LABELS.items()),
                           default="warning")
    title_vi = StringField(_l("Title in Vietnamese"), validators=[
        DataRequired(message=ERRORS["title_vi_required"]), Length(max=200)])
    body_vi = TextAreaField(_l("What is happening and what people should do (Vietnamese)"),
                            validators=[DataRequired(message=ERRORS["body_vi_required"]),
                                        Length(max=5_000)])
    title_en = StringField(_l("Title in English (optional)"), validators=[Length(max=200)])
    body_en = TextAreaField(_l("What is happening and what people should do (English, "
                               "optional)"), validators=[Length(max=5_000)])
    expires_at = MomentField(_l("Ends at (date and time, Vietnam time)"), validators=[
        InputRequired(message=ERRORS["expiry_required"])])
    areas = CheckboxesField(_l("For these communes and villages"), validate_choice=False)


class SubscriptionForm(BaseForm):
    scope = RadioField(_l("What to follow"), validate_choice=False)
    alerts = BooleanField(_l("Emergency alerts (floods, storms, landslides, outages, public "
                             "health)"), default=True)
    announcements = RadioField(_l("Announcements"), choices=list(MODE_LABELS.items()),
                               default="each")
    categories = CheckboxesField(_l("Only these kinds of announcement (none ticked: every "
                                    "kind)"),
                                 choices=list(ANNOUNCEMENT_CATEGORY_LABELS.items()))


class ConfirmForm(BaseForm):
    pass
