"""Administration forms, their labels and the messages for every AdminError code.

Choices that depend on the database (units, departments, accounts) are filled in by the view;
selects whose value the service checks carry `validate_choice=False`, so the person sees the
service's precise message rather than a generic "not a valid choice".
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TelField)
from wtforms.validators import (DataRequired, Email, Length, Optional,
                                StopValidation, ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm, DayField
from app.auth.services import MIN_PASSWORD_LENGTH
from app.models import CASE_TYPES
from app.inputs import parse_choice_id
from app.text import normalize_phone

ERRORS = {
    # units
    "code_required": _l("Enter a code."),
    "bad_code": _l("Use only letters, digits, dots, dashes and underscores in the code, "
                   "starting with a letter or a digit."),
    "duplicate_unit_code": _l("Another unit already has this code. Each unit needs its own code."),
    "bad_level": _l("Choose whether you are adding a commune or a village."),
    "parent_required": _l("Choose the unit this one belongs to."),
    "commune_parent": _l("A commune must be placed directly under a province."),
    "village_parent": _l("A village must be placed directly under a commune, not under the "
                         "province or another village."),
    "name_vi_required": _l("Enter the Vietnamese name."),
    "name_en_required": _l("Enter the English name."),
    # departments
    "department_unit": _l("Choose the province or a commune for the department."),
    "duplicate_department_code": _l("Another department already has this code."),
    "case_types_required": _l("Tick at least one kind of case the department handles."),
    "bad_leader": _l("Choose the leader among the active officers and leaders."),
    "department_in_use": _l("Active routing rules still send cases to this department. "
                            "Deactivate or change those rules before switching it off."),
    "case_types_in_use": _l("Active routing rules send a kind of case you unticked to this "
                            "department. Change those rules first."),
    "rules_stay_with_unit": _l("Active routing rules send cases of their own unit here, and "
                               "that unit is not under the one you chose. Change those rules "
                               "before moving the department."),
    # officers
    "full_name_required": _l("Enter the officer's full name."),
    "bad_role": _l("Choose officer or leader."),
    "bad_phone": _l("Enter a Vietnamese mobile number, like 0912 345 678."),
    "no_contact": _l("Enter an email address or a phone number: the officer logs in with it."),
    "phone_taken": _l("Another account already uses this phone number."),
    "email_taken": _l("Another account already uses this email address."),
    "short_password": _l("Use at least %(n)s characters for the password.", n=MIN_PASSWORD_LENGTH),
    "home_unit": _l("Choose the officer's home unit: the province or a commune."),
    # seats in departments
    "department_required": _l("Choose a department."),
    "department_inactive": _l("This department is switched off. Choose an active one, or "
                              "switch it on first."),
    "bad_desk": _l("Choose the desk: intake, specialist or leader."),
    "bad_skill": _l("Choose skills from the list."),
    "leave_until_alone": _l("Enter the first day of leave as well as the last."),
    "leave_order": _l("The last day of leave must be on or after the first day."),
    "already_member": _l("This officer already has a seat in that department. Edit that seat "
                         "instead."),
    "holds_cases": _l("This officer still holds open cases in this department. Set their leave "
                      "first so the cases go back to the queue, then remove the seat."),
    # routing rules
    "bad_case_type": _l("Choose the kind of case."),
    "bad_procedure": _l("Choose a procedure from the catalogue, or any procedure."),
    "bad_category": _l("Choose a category from the list, or none."),
    "bad_rule_unit": _l("Choose a unit from the list, or any unit."),
    "department_refuses": _l("This department does not handle that kind of case. Choose another "
                             "department, or tick that kind of case on the department first."),
    "department_elsewhere": _l("This department belongs to another unit. Choose a department of "
                               "the rule's unit or of a unit above it."),
    "bad_mode": _l("Choose how cases reach the officers."),
    "duplicate_rule": _l("An active rule already covers this kind of case, procedure, category "
                         "and unit. Edit that rule instead."),
    # calendar
    "day_required": _l("Enter the date."),
    "bad_date": _l("Enter a real date, like 02/09/2026."),
    "bad_kind": _l("Choose an extra day off or a make-up working day."),
    "duplicate_day": _l("This date is already in the calendar. Delete it first to change it."),
    "already_public_holiday": _l("This date is already a public holiday, which the calendar "
                                 "knows: there is no need to add it."),
    "holiday_on_weekend": _l("This date is a Saturday or a Sunday: it is already a day off."),
    "makeup_on_working_day": _l("This date is already a working day. A make-up day is a weekend "
                                "day or holiday on which offices work."),
    # anything that vanished under the person's feet
    "unknown": _l("That item no longer exists. Reload the page and try again."),
}

CASE_TYPE_LABELS = {
    "dossier": _l("Procedure dossiers"),
    "petition": _l("Feedback and petitions"),
    "field_report": _l("Field reports"),
    "initiative": _l("Community initiatives"),
    "village_need": _l("Village needs"),
}
DESK_LABELS = {
    "intake": _l("Intake (one-stop desk)"),
    "specialist": _l("Specialist"),
    "leader": _l("Leader (approves)"),
}
MODE_LABELS = {
    "assign": _l("Assign to an officer automatically"),
    "pull": _l("Wait in the queue for an officer to claim"),
}
KIND_LABELS = {
    "holiday": _l("Extra day off"),
    "makeup": _l("Make-up working day"),
}
ROLE_LABELS = {
    "officer": _l("Officer"),
    "leader": _l("Leader"),
    "admin": _l("Administrator"),
    "resident": _l("Resident"),
}
LEVEL_LABELS = {
    "province": _l("Province"),
    "commune": _l("Commune or ward"),
    "village": _l("Village or hamlet"),
}
STATUS_LABELS = {
    "active": _l("Active"),
    "inactive": _l("Inactive"),
}


def message_for(code: str):
    return ERRORS.get(code) or ERRORS["unknown"]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered by admin/_macros.html as a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def day_required(form, field):
    """Like DataRequired, but quiet when the date was typed and could not be read (that field
    already says so)."""
    if field.data is None and not field.process_errors:
        raise StopValidation(str(ERRORS["day_required"]))


day_required.field_flags = {"required": True}


def vn_phone(form, field):
    if field.data and not normalize_phone(field.data):
        raise ValidationError(ERRORS["bad_phone"])


def _names():
    return (
        StringField(_l("Name in Vietnamese"), validators=[
            DataRequired(ERRORS["name_vi_required"]),
            Length(max=200, message=_l("Keep the name under %(max)d characters."))]),
        StringField(_l("Name in English"), validators=[
            DataRequired(ERRORS["name_en_required"]),
            Length(max=200, message=_l("Keep the name under %(max)d characters."))]),
    )


class UnitForm(BaseForm):
    level = SelectField(_l("Kind of unit"), choices=[
        ("commune", LEVEL_LABELS["commune"]), ("village", LEVEL_LABELS["village"])],
        validate_choice=False)
    parent_id = SelectField(_l("Belongs to"), coerce=int, validate_choice=False)
    code = StringField(_l("Code"), validators=[
        DataRequired(ERRORS["code_required"]),
        Length(max=20, message=_l("The code can be at most %(max)d characters."))])
    name_vi, name_en = _names()


class UnitNamesForm(BaseForm):
    name_vi, name_en = _names()


class DepartmentForm(BaseForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=False)
    code = StringField(_l("Code"), validators=[
        DataRequired(ERRORS["code_required"]),
        Length(max=30, message=_l("The code can be at most %(max)d characters."))])
    name_vi, name_en = _names()
    case_types = MultiCheckboxField(_l("Kinds of case it handles"),
                                    choices=[(t, CASE_TYPE_LABELS[t]) for t in CASE_TYPES],
                                    validate_choice=False)
    leader_id = SelectField(_l("Leader"), coerce=int, validate_choice=False)
    active = BooleanField(_l("Active: cases can be routed here"), default=True)


class OfficerForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(ERRORS["full_name_required"]),
        Length(max=120, message=_l("The name can be at most %(max)d characters."))])
    email = EmailField(_l("Email"), validators=[
        Optional(), Email(message=_l("Enter an email address like name@example.com.")),
        Length(max=254)])
    phone = TelField(_l("Mobile phone number"), validators=[Optional(), vn_phone])
    role = SelectField(_l("Role"), choices=[("officer", ROLE_LABELS["officer"]),
                                            ("leader", ROLE_LABELS["leader"])],
                       validate_choice=False)
    unit_id = SelectField(_l("Home unit"), coerce=int, validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[
        DataRequired(_l("Choose an initial password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=ERRORS["short_password"])])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = list(self.email.errors) + [ERRORS["no_contact"]]
            ok = False
        return ok


class SeatForm(BaseForm):
    """An officer's seat in a department: desk, skills, duty and leave."""

    desk = SelectField(_l("Desk"), choices=[(d, label) for d, label in DESK_LABELS.items()],
                       default="specialist", validate_choice=False)
    skills = MultiCheckboxField(_l("Skills"), validate_choice=False)
    on_duty = BooleanField(_l("On duty: can receive cases"), default=True)
    leave_from = DayField(_l("Leave: first day"), validators=[Optional()])
    leave_until = DayField(_l("Leave: last day"), validators=[Optional()])


class NewSeatForm(SeatForm):
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=False)


def _optional_id(value) -> int:
    return 0 if value in (None, "") else parse_choice_id(value)


class RuleForm(BaseForm):
    case_type = SelectField(_l("Kind of case"),
                            choices=[(t, CASE_TYPE_LABELS[t]) for t in CASE_TYPES],
                            validate_choice=False)
    # A procedure of the catalogue, or 0 ("any procedure"); an empty value is "any" too, so a
    # form posted by a script that leaves it out still means what it always meant.
    procedure_id = SelectField(_l("Procedure (optional)"), coerce=_optional_id,
                               validate_choice=False)
    category = SelectField(_l("Category (optional)"), validate_choice=False)
    unit_id = SelectField(_l("Unit (optional)"), coerce=int, validate_choice=False)
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=False)
    mode = SelectField(_l("How cases reach officers"),
                       choices=[(m, label) for m, label in MODE_LABELS.items()],
                       validate_choice=False)
    active = BooleanField(_l("Active"), default=True)


class RuleFilterForm(BaseForm):
    """The filters above the rule list: a GET form, so no CSRF token and links can share it."""

    class Meta:
        csrf = False

    case_type = SelectField(_l("Kind of case"), validate_choice=False)
    unit = SelectField(_l("Unit"), coerce=int, validate_choice=False)
    department = SelectField(_l("Department"), coerce=int, validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)


class CalendarDayForm(BaseForm):
    day = DayField(_l("Date"), validators=[day_required])
    kind = SelectField(_l("Kind of day"), choices=[(k, label) for k, label in KIND_LABELS.items()],
                       validate_choice=False)
    name_vi, name_en = _names()
