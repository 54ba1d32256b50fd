"""Forms of the village needs board. Quantities go up to 10^12 (more than a form's integer
field may hold), so they are text fields read by `parse_quantity`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app import inputs
from app.forms import BaseForm, DayField
from app.village.labels import CATEGORY_LABELS
from app.village.services import MAX_ITEMS, MAX_QUANTITY

# Each way a typed quantity can be wrong has its own message (app/inputs.py parse_whole).
QUANTITY_MESSAGES = {
    "not_a_number": _l("Enter a whole number, for example 120 or 1.500."),
    "negative": _l("The quantity cannot be negative."),
    "too_small": _l("The quantity must be at least 1."),
    "too_large": _l("The quantity is too large: at most 1.000.000.000.000. Check for extra "
                    "zeros."),
}


def parse_quantity(raw: str | None, minimum: int) -> int:
    """A quantity as people type it (1500, 1.500, 1 500); WholeNumberError when it is not
    one from `minimum` to MAX_QUANTITY (blank counts as not a number)."""
    value = inputs.parse_whole(raw, minimum=minimum, maximum=MAX_QUANTITY)
    if value is None:
        raise inputs.WholeNumberError("not_a_number")
    return value


def quantity_check(minimum: int):
    def check(form, field):
        if not (field.data or "").strip():
            return
        try:
            parse_quantity(field.data, minimum)
        except inputs.WholeNumberError as error:
            raise ValidationError(str(QUANTITY_MESSAGES[error.code])) from None
    return check


class NeedForm(BaseForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title for the need.")), Length(max=200)])
    description = TextAreaField(_l("What is needed, and why"), validators=[
        DataRequired(_l("Say what is needed, and why.")), Length(max=5000)])
    place = SelectField(_l("Village"), validate_choice=False)
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    needed_by = DayField(_l("Needed by (dd/mm/yyyy)"), validators=[Optional()])

    def item_rows(self):
        """[(description field, quantity field, unit field)] for the template."""
        return [(self[f"item{i}_description"], self[f"item{i}_quantity"], self[f"item{i}_unit"])
                for i in range(1, MAX_ITEMS + 1)]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for description, quantity, _unit in self.item_rows():
            if description.data and not (quantity.data or "").strip():
                quantity.errors = list(quantity.errors) + [str(_l("Enter how many are needed."))]
                ok = False
            elif (quantity.data or "").strip() and not description.data:
                description.errors = list(description.errors) + [
                    str(_l("Say what is needed for this quantity."))]
                ok = False
        return ok

    def items(self) -> list[tuple[str, int, str]]:
        return [(d.data.strip(), parse_quantity(q.data, 1), (u.data or "").strip())
                for d, q, u in self.item_rows() if d.data and (q.data or "").strip()]


for _i in range(1, MAX_ITEMS + 1):
    setattr(NeedForm, f"item{_i}_description",
            StringField(_l("Item %(n)s: what", n=_i), validators=[Optional(), Length(max=300)]))
    setattr(NeedForm, f"item{_i}_quantity",
            StringField(_l("Item %(n)s: how many", n=_i),
                        validators=[Optional(), Length(max=30), quantity_check(1)]))
    setattr(NeedForm, f"item{_i}_unit",
            StringField(_l("Item %(n)s: unit (bags, m³, days…)", n=_i),
                        validators=[Optional(), Length(max=30)]))


class SupportForm(BaseForm):
    pass


class VolunteerForm(BaseForm):
    availability = StringField(_l("When you can help"), validators=[
        DataRequired(_l("Say when you can help, for example Saturday mornings.")),
        Length(max=200)])


class UpdateForm(BaseForm):
    body = TextAreaField(_l("Progress update"), validators=[
        DataRequired(_l("Write what has been done.")), Length(max=5000)])


class ReceivedForm(BaseForm):
    item = SelectField(_l("Item"), coerce=int)
    received = StringField(_l("Received so far"), validators=[
        DataRequired(_l("Enter how much has been received so far.")), Length(max=30),
        quantity_check(0)])


class StatusForm(BaseForm):
    status = SelectField(_l("New status"), choices=[("met", _l("Met")), ("closed", _l("Closed")),
                                                    ("open", _l("Open"))])
    note = TextAreaField(_l("Note"), validators=[
        DataRequired(_l("Write a note: it is posted with the change of status.")),
        Length(max=2000)])


class AskForHelpForm(BaseForm):
    pass


class HeadForm(BaseForm):
    user_id = SelectField(_l("Officer account"), coerce=int)
    village_id = SelectField(_l("Village"), coerce=int)


class RemoveHeadForm(BaseForm):
    pass
