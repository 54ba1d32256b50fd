"""Forms of community initiatives. Amounts are text fields on purpose: people type "50.000.000"
the way it is printed, and a wrong entry comes back as typed with a message saying what is
wrong (app/community/initiatives_service.py parses and judges it)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.community.initiatives_service import MAX_NEEDS
from app.forms import BaseForm, VersionField

CATEGORY_LABELS = {
    "roads": _l("Roads and bridges"),
    "water": _l("Clean water and drainage"),
    "environment": _l("Environment and green spaces"),
    "education": _l("Schools and learning"),
    "culture": _l("Culture, sport and meeting places"),
    "safety": _l("Safety and lighting"),
    "other": _l("Other"),
}

NEED_LABELS = {
    "money": _l("Money (đồng)"),
    "materials": _l("Materials"),
    "labour": _l("Labour (person-days)"),
    "expertise": _l("Expertise"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Gathering support"),
    "under_evaluation": _l("Waiting for the commune's answer"),
    "accepted": _l("Accepted"),
    "rejected": _l("Not accepted"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "withdrawn": _l("Withdrawn by its author"),
    "hidden": _l("Hidden by moderation"),
}

SORT_LABELS = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "closing": _l("Closing soon: answer due first"),
    "answered": _l("Recently answered"),
}

# Why the input was refused (InitiativeError codes), as people read it.
ERRORS = {
    "title_required": _l("Enter a title for the initiative."),
    "description_required": _l("Describe the initiative: what, where and why."),
    "unit_required": _l("Choose the commune the initiative is for."),
    "village_not_in_commune": _l("This village is not in the commune chosen. Choose one of its "
                                 "villages, or none."),
    "category_required": _l("Choose a category."),
    "too_long": _l("This is too long: at most %(max)d characters."),
    "cost_not_a_number": _l("Enter the estimated cost as a whole number of đồng, for example "
                            "50.000.000 (digits only)."),
    "cost_negative": _l("The estimated cost cannot be negative."),
    "cost_too_small": _l("The estimated cost cannot be negative."),
    "cost_too_large": _l("The estimated cost is too large: at most 1.000.000.000.000 đồng. "
                         "Check for extra zeros."),
    "quantity_not_a_number": _l("Enter the quantity as a whole number, for example 20."),
    "quantity_negative": _l("The quantity must be at least 1."),
    "quantity_too_small": _l("The quantity must be at least 1."),
    "quantity_too_large": _l("The quantity is too large: check for extra zeros."),
    "need_kind_required": _l("Choose what kind of help this need is."),
    "too_many_needs": _l("At most %(max)d needs."),
    "photo_empty": _l("The photo is empty."),
    "photo_too_large": _l("The photo is too large: at most 5 MB."),
    "photo_bad_type": _l("The photo must be a JPEG or PNG image; this file is not one."),
    "photo_name_mismatch": _l("The photo's name does not match its content (a JPEG must end in "
                              ".jpg or .jpeg, a PNG in .png): rename it and try again."),
    "photo_too_many_pixels": _l("The photo has too many pixels (more than 50 megapixels). "
                                "Send a smaller one."),
    "photo_unreadable": _l("The photo could not be read: it may be damaged. Take it again."),
    "answered": _l("The commune has already answered this initiative: it can no longer be "
                   "changed or withdrawn."),
    "hidden_for_answer": _l("Residents' reports hid this initiative: a moderator must restore "
                            "it before the commune answers. Nothing was saved."),
    "unit_fixed": _l("A published initiative stays in its commune."),
    "not_found": _l("This initiative cannot be found."),
    "not_open": _l("This initiative is not open for support."),
    "own": _l("You cannot support your own initiative in this commune."),
    "twice": _l("You already support this initiative. Each person supports it once."),
    "answer_required": _l("Write the plan (if accepted) or the reason (if not)."),
    "body_required": _l("Write what has been done."),
    "not_staff": _l("Only staff of the initiative's commune may post progress."),
    "not_accepted": _l("Progress can only be posted on an accepted initiative that is not done."),
    "threshold_range": _l("Enter a whole number between 1 and 100000."),
    "flag_threshold_range": _l("Enter a whole number between 1 and 1000."),
}


class InitiativeForm(BaseForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    unit_id = SelectField(_l("Commune"), validate_choice=False)
    village_id = SelectField(_l("Village (optional)"), validate_choice=False)
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    estimated_cost = StringField(_l("Estimated cost in đồng (optional)"),
                                 validators=[Length(max=30)])
    photo = FileField(_l("Photo (optional, JPEG or PNG, at most 5 MB)"))


NEED_CHOICES = [("", _l("— no need —"))] + list(NEED_LABELS.items())
for _index in range(MAX_NEEDS):
    setattr(InitiativeForm, f"need_kind_{_index}",
            SelectField(_l("Kind of help"), choices=NEED_CHOICES, validate_choice=False))
    setattr(InitiativeForm, f"need_description_{_index}",
            StringField(_l("What exactly"), validators=[Length(max=300)]))
    setattr(InitiativeForm, f"need_quantity_{_index}",
            StringField(_l("Quantity"), validators=[Length(max=30)]))
    setattr(InitiativeForm, f"need_unit_{_index}",
            StringField(_l("Unit (bags, m³, days…)"), validators=[Length(max=30)]))


class ConfirmForm(BaseForm):
    """Withdraw: the box must be ticked, so a stray click does nothing."""
    confirm = BooleanField(_l("Yes, withdraw this initiative"))


class AnswerForm(BaseForm):
    version = VersionField()
    decision = RadioField(_l("The commune's decision"),
                          choices=[("accept", _l("Accept, with this plan")),
                                   ("reject", _l("Do not accept, for this reason"))],
                          validators=[InputRequired(message=_l("Choose accept or reject."))])
    text = TextAreaField(_l("The plan or the reason (published on the initiative)"),
                         validators=[Length(max=5000)])


class ProgressForm(BaseForm):
    body = TextAreaField(_l("What has been done"), validators=[Length(max=3000)])
    photo = FileField(_l("Photo (optional, JPEG or PNG, at most 5 MB)"))
    done = BooleanField(_l("The initiative is done"))


class SettingsForm(BaseForm):
    support_threshold = IntegerField(_l("Supports needed for an official answer"), validators=[
        InputRequired(message=_l("Enter a whole number between 1 and 100000.")),
        NumberRange(1, 100000, message=_l("Enter a whole number between 1 and 100000."))])
    allow_self_support = BooleanField(_l("Authors may support their own initiative"))
    flag_threshold = IntegerField(_l("Flags before an item is hidden"), validators=[
        InputRequired(message=_l("Enter a whole number between 1 and 1000.")),
        NumberRange(1, 1000, message=_l("Enter a whole number between 1 and 1000."))])


class UnitChoiceForm(BaseForm):
    unit = SelectField(_l("Commune"), validate_choice=False, validators=[Optional()])
