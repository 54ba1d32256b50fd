"""Forms and wording for "Ba Nhà" partners and pledges (rules: partners_service.py,
pledges_service.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.community.initiatives_forms import NEED_LABELS
from app.forms import BaseForm

PARTNER_KIND_LABELS = {
    "state": _l("The State (agency or mass organisation)"),
    "business": _l("Business"),
    "school": _l("School or research institute"),
}
# The kinds of help an initiative needs and a partner pledges: one set of words for both.
NEED_KIND_LABELS = NEED_LABELS
PLEDGE_STATUS_LABELS = {
    "pledged": _l("Pledged"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
    "withdrawn": _l("Withdrawn by the partner"),
}

ERRORS = {
    "name_required": _l("Enter the organisation's name."),
    "name_too_long": _l("The organisation's name can be at most 200 characters."),
    "bad_kind": _l("Choose what kind of organisation it is."),
    "description_too_long": _l("Keep the description under 2,000 characters."),
    "bad_phone": _l("Enter a Vietnamese phone number, like 0912 345 678 or 024 3825 1234."),
    "unknown_commune": _l("Choose a commune or ward from the list."),
    "already_registered": _l("You have already registered an organisation with this name."),
    "no_partner": _l("There is no such organisation waiting for verification."),
    "not_staff_here": _l("Only staff of the commune this organisation works in (or an "
                         "administrator) can verify it."),
    "already_verified": _l("This organisation has already been verified."),
    "reason_required": _l("Say why the registration is refused: the organisation is told."),
    "reason_too_long": _l("Keep the reason under 500 characters."),
    "no_initiative": _l("There is no such initiative."),
    "not_open_published": _l("This initiative has not been accepted by the commune yet: "
                             "pledges open once it is accepted."),
    "not_open_under_evaluation": _l("The commune is still evaluating this initiative: pledges "
                                    "open once it is accepted."),
    "not_open_rejected": _l("This initiative was not accepted by the commune, so it takes no "
                            "pledges."),
    "not_open_done": _l("This initiative is finished, so it takes no more pledges."),
    "not_open_withdrawn": _l("This initiative was withdrawn by its author, so it takes no "
                             "pledges."),
    "not_open_hidden": _l("There is no such initiative."),
    "not_open_draft": _l("There is no such initiative."),
    "not_your_partner": _l("Choose one of your verified organisations."),
    "partner_not_verified": _l("Your organisation has not been verified yet: staff of the "
                               "commune must verify it before it can pledge."),
    "no_verified_partner": _l("Only a verified partner organisation can pledge. Register your "
                              "organisation; staff of the commune verify it."),
    "unknown_need": _l("Choose one of the initiative's needs, or other help."),
    "kind_required": _l("Choose what kind of help you pledge."),
    "quantity_required": _l("Enter how much you pledge."),
    "quantity_not_number": _l("Enter the quantity as a whole number, like 1500000 or "
                              "1.500.000."),
    "quantity_not_positive": _l("The quantity must be more than zero."),
    "quantity_too_large": _l("The quantity can be at most 1,000,000,000,000."),
    "more_than_needed": _l("That is more than this need still lacks (its progress is on the "
                           "initiative's page). Pledge at most what is missing, or offer the "
                           "rest as other help."),
    "expertise_needs_note": _l("Say in the note what expertise you offer, or how many days."),
    "note_too_long": _l("Keep the note under 500 characters."),
    "no_pledge": _l("There is no such pledge."),
    "not_staff_of_initiative": _l("Only staff of the initiative's commune can mark its "
                                  "pledges."),
    "already_settled": _l("This pledge was already marked delivered or cancelled, or its "
                          "partner withdrew it."),
    "not_your_pledge": _l("Only the organisation that made this pledge can withdraw it."),
    "not_withdrawable": _l("This pledge can no longer be withdrawn: it was already delivered, "
                           "cancelled or withdrawn. Nothing was changed."),
}


def message_for(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["no_initiative"]))


class PartnerForm(BaseForm):
    name = StringField(_l("Name of the organisation"), validators=[
        DataRequired(ERRORS["name_required"]), Length(max=200, message=ERRORS["name_too_long"])])
    kind = RadioField(_l("Kind of organisation"), choices=list(PARTNER_KIND_LABELS.items()),
                      validators=[DataRequired(ERRORS["bad_kind"])])
    description = TextAreaField(_l("What the organisation does (optional)"), validators=[
        Optional(), Length(max=2000, message=ERRORS["description_too_long"])])
    unit_id = SelectField(_l("Commune or ward it works in"), coerce=int, validate_choice=False)
    contact_phone = TelField(_l("Contact phone number"), validators=[
        DataRequired(ERRORS["bad_phone"]), Length(max=20, message=ERRORS["bad_phone"])])


class RefuseForm(BaseForm):
    reason = TextAreaField(_l("Reason for refusing"), validators=[
        DataRequired(ERRORS["reason_required"]),
        Length(max=500, message=ERRORS["reason_too_long"])])
    next = HiddenField()


class BackForm(BaseForm):
    """A one-button action (verify, delivered, cancelled, withdraw): only where to go back
    to."""

    next = HiddenField()


class PledgeForm(BaseForm):
    partner_id = SelectField(_l("Pledge on behalf of"), coerce=int, validate_choice=False)
    need_id = SelectField(_l("What you help with"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Kind of help (for other help)"),
                       choices=[("", "—")] + list(NEED_KIND_LABELS.items()),
                       validators=[Optional()], validate_choice=False)
    quantity = StringField(_l("Quantity"), validators=[Length(max=40, message=ERRORS[
        "quantity_not_number"])])
    note = TextAreaField(_l("Note (optional)"), validators=[
        Optional(), Length(max=500, message=ERRORS["note_too_long"])])
