from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import BaseForm, VersionField
from app.queue.errors import IllegalTransition, NotAllowed, NothingToClaim, StaleCase, WrongDepartment

# Queue errors, by code, as the officer reads them.
QUEUE_ERRORS = {
    IllegalTransition.code: _l("That action is not possible for this case in its current state."),
    NotAllowed.code: _l("You are not allowed to do that on this case."),
    StaleCase.code: _l("Someone changed this case after you opened it. Check the timeline below and try again."),
    WrongDepartment.code: _l("That department does not handle this type of case."),
    NothingToClaim.code: _l("There is no case waiting that you can take right now."),
    "note_required": _l("Write a note or reason for this action."),
    "invalid_input": _l("Check the details you entered for this action."),
    "case_not_found": _l("That case does not exist."),
    "no_longer_offered": _l("That action is no longer possible for this case: someone may have "
                            "moved it on. The page below shows what can be done now."),
    "apology_too_early": _l("The new appointment date must be after the current one (%(current)s)."),
    "apology_too_late": _l("The new appointment date can be at most %(days)d working days after "
                           "the current one: %(latest)s at the latest."),
}
NOTE_MAX = 2000


class PageForm(BaseForm):
    """A form that shares the page with others under a prefix. The app-wide CSRFProtect checks
    the one `csrf_token` field every POST carries, so the per-form (prefixed) token is off."""

    class Meta:
        csrf = False


class ActionForm(PageForm):
    """One action on one case; `version` rejects a form loaded before someone else's change."""

    version = VersionField()
    note = TextAreaField(_l("Note or reason"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("Keep the note under %(max)d characters."))])


class TransferForm(ActionForm):
    to_department_id = SelectField(_l("Transfer to"), coerce=int,
                                   validators=[DataRequired(_l("Choose a department."))])


class ApologyForm(ActionForm):
    new_due_date = DateField(_l("New appointment date"), validators=[
        DataRequired(_l("Enter the new appointment date as dd/mm/yyyy."))])


class ClaimForm(PageForm):
    pass


class ReleaseForm(PageForm):
    version = VersionField()


class ReassignForm(PageForm):
    version = VersionField()
    officer_id = SelectField(_l("Give to"), coerce=int,
                             validators=[DataRequired(_l("Choose an officer."))])
    note = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class QueueFilterForm(BaseForm):
    """GET filters: no CSRF token, so a filtered queue is a plain, shareable link."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), coerce=int, validate_choice=False)
    band = SelectField(_l("Due"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    unit_id = SelectField(_l("Commune or village"), coerce=int, validate_choice=False)
    assignment = SelectField(_l("Assigned"), validate_choice=False)
    q = StringField(_l("Case code"), validators=[Optional(), Length(max=30)])
    page = IntegerField(default=1, validators=[Optional()])
