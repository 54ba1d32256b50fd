"""The desk's forms for a dossier's fee and result. Amounts are text fields on purpose: an
officer types "50.000" the way it is printed, and a wrong entry comes back as typed, with a
message that says what is wrong (app/dossiers/fees.py parses and judges it)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms import BaseForm, DayField, VersionField

RESULT_METHOD_LABELS = {
    "desk": _l("At the one-stop desk"),
    "post": _l("By post"),
    "electronic": _l("Electronic file to download"),
}

# Why the input was refused (FeeError codes in app/dossiers/fees.py), as people read it.
ERRORS = {
    "amount_required": _l("Enter the amount in đồng, for example 50.000."),
    "amount_not_a_number": _l("Enter the amount as a whole number of đồng, for example 50.000 "
                              "(digits only, no decimals)."),
    "amount_not_positive": _l("The amount must be more than 0 đồng. If there is nothing to pay, "
                              "do not ask for a fee."),
    "amount_too_large": _l("The amount is too large: at most %(max)s. Check for extra zeros."),
    "reason_required": _l("The amount differs from the procedure's published fee: say why."),
    "too_long": _l("This is too long: at most %(max)d characters."),
    "bad_character": _l("This contains a character that cannot be used here (a control or "
                        "text-direction character). Remove it and try again."),
    "not_a_dossier": _l("This case is not a dossier."),
    "bad_provider": _l("Choose how the fee was paid."),
    "receipt_required": _l("Enter the number of the payment receipt."),
    "paid_on_required": _l("Enter the day the fee was paid."),
    "paid_on_future": _l("The day paid cannot be in the future."),
    "paid_before_request": _l("The day paid cannot be before the fee was asked for (%(day)s)."),
    "no_open_fee": _l("No fee is waiting to be paid on this dossier."),
    "amount_mismatch": _l("The amount paid (%(paid)s) is not the amount asked (%(asked)s). "
                          "Record a payment only when the full amount asked has been paid."),
    "bad_method": _l("Choose how the result is collected."),
    "no_account": _l("The applicant has no account on the portal, so cannot download the "
                     "result: choose the desk or the post."),
    "file_required": _l("Upload the electronic result (a PDF file) first."),
    "file_empty": _l("The file is empty."),
    "file_too_large": _l("The file is too large: at most 10 MB."),
    "file_bad_type": _l("The electronic result must be a PDF file; this file is not one."),
    "file_name_mismatch": _l("The file's name does not end in .pdf although it is a PDF: "
                             "rename it and upload it again."),
}


class RequestFeeForm(BaseForm):
    version = VersionField()
    amount = StringField(_l("Amount to pay (đồng)"), validators=[Length(max=30)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})
    reason = TextAreaField(_l("Why this amount (required when it differs from the published "
                              "fee)"), validators=[Optional(), Length(max=500)])


class PaymentForm(BaseForm):
    version = VersionField()
    provider = SelectField(_l("How it was paid"), validate_choice=False)
    receipt_number = StringField(_l("Receipt number"), validators=[Length(max=40)],
                                 render_kw={"autocomplete": "off"})
    amount_paid = StringField(_l("Amount paid (đồng)"), validators=[Length(max=30)],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    paid_on = DayField(_l("Day paid"), validators=[Optional()])


class ResultForm(BaseForm):
    method = SelectField(_l("How the applicant collects the result"),
                         choices=list(RESULT_METHOD_LABELS.items()), validate_choice=False)
    result_file = FileField(_l("Electronic result (PDF)"))


class HandOverForm(BaseForm):
    version = VersionField()
    method = SelectField(_l("How the result was handed over"),
                         choices=list(RESULT_METHOD_LABELS.items()), validate_choice=False)
    note = TextAreaField(_l("Note (who received it, the postal tracking number)"),
                         validators=[Optional(), Length(max=500)])
