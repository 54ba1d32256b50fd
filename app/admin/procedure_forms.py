"""Administration forms for the procedure catalogue and the messages for its AdminError codes
(the other codes are in app/admin/forms.py)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from app.admin.forms import ERRORS as ADMIN_ERRORS, _names
from app.forms import BaseForm
from app.procedures.labels import LEVEL_LABELS, ONLINE_LABELS, ORIGINAL_OR_COPY_LABELS
from app.uploads import TEMPLATE_MAX_BYTES

ERRORS = {
    "duplicate_field_code": _l("Another field already has this code."),
    "field_category": _l("Choose the queue category: officers who hold it handle this field's "
                         "dossiers."),
    "duplicate_procedure_code": _l("Another procedure already has this code. Each procedure "
                                   "has its own national code."),
    "name_too_long": _l("This is too long: at most 300 characters."),
    "field_required": _l("Choose the field (lĩnh vực) of the procedure."),
    "bad_procedure_level": _l("Choose the level that handles the procedure."),
    "agency_vi_required": _l("Enter the agency in Vietnamese."),
    "agency_en_required": _l("Enter the agency in English."),
    "bad_processing_days": _l("Enter the processing time as a whole number of working days "
                              "from 0 (same day) to 365."),
    "bad_online_level": _l("Choose how much of the procedure can be done online."),
    "bad_fee": _l("Enter the fee in đồng as a whole number, like 50000 or 50.000; 0 if it is "
                  "free; leave it empty if this channel is not offered."),
    "no_channel": _l("Offer at least one channel: enter a fee (0 if free) for at least one."),
    "bad_schema": _l("The form schema has these problems:"),
    "bad_original_or_copy": _l("Choose original, copy, or either."),
    "bad_copies": _l("Enter how many copies, from 1 to 20."),
    "bad_paper_type": _l("The paper type is a short code of lower-case letters and "
                         "underscores (at most 40), like cccd or birth_certificate."),
    "template_empty": _l("The template file is empty."),
    "template_too_large": _l("The template file is too large: at most %(size)s MB.",
                             size=TEMPLATE_MAX_BYTES // (1024 * 1024)),
    "template_bad_type": _l("The template must be a PDF, Word (DOC or DOCX) or OpenDocument "
                            "(ODT) file. This file's content is none of those."),
    "template_name_mismatch": _l("The file's name does not match its content (for example a "
                                 "Word file named .pdf). Rename it with the right extension."),
}


def message_for(code: str):
    return ERRORS.get(code) or ADMIN_ERRORS.get(code) or ADMIN_ERRORS["unknown"]


_MONEY = re.compile(r"^[0-9]{1,3}(?:[.,\s][0-9]{3})*$|^[0-9]{1,12}$")


class MoneyField(Field):
    """A whole number of đồng as people type it (50000, 50.000, 50 000, "50.000 ₫"); empty
    means "not offered", which is not the same as 0 ("free")."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)
        self.raw = ""

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = (valuelist[0] if valuelist else "") or ""
        text = self.raw.replace("₫", "").replace("đ", "").replace("VND", "").strip()
        if not text:
            return
        if len(text) > 20 or not _MONEY.match(text):
            raise ValueError(str(ERRORS["bad_fee"]))
        self.data = int(re.sub(r"[.,\s]", "", text))

    def _value(self):
        if self.raw:
            return self.raw
        return "" if self.data is None else str(self.data)


def _bilingual(label_vi, label_en, *, required=False, multiline=True, max_length=20_000):
    kind = TextAreaField if multiline else StringField
    validators = [Length(max=max_length, message=_l("This is too long: at most %(max)d "
                                                    "characters."))]
    if required:
        return (kind(label_vi, validators=[DataRequired(ERRORS["agency_vi_required"])] + validators),
                kind(label_en, validators=[DataRequired(ERRORS["agency_en_required"])] + validators))
    return (kind(label_vi, validators=[Optional()] + validators),
            kind(label_en, validators=[Optional()] + validators))


class ProcedureFieldForm(BaseForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(ADMIN_ERRORS["code_required"]),
        Length(max=40, message=_l("The code can be at most %(max)d characters."))])
    name_vi, name_en = _names()
    # Choices are filled by the view (translated category names); checked by the service.
    category = SelectField(_l("Queue category (the skill officers need)"), validate_choice=False)


class ProcedureForm(BaseForm):
    code = StringField(_l("National code"), validators=[
        DataRequired(ADMIN_ERRORS["code_required"]),
        Length(max=30, message=_l("The code can be at most %(max)d characters."))])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[
        DataRequired(ADMIN_ERRORS["name_vi_required"]), Length(max=300)])
    name_en = StringField(_l("Name in English"), validators=[
        DataRequired(ADMIN_ERRORS["name_en_required"]), Length(max=300)])
    field_id = SelectField(_l("Field (lĩnh vực)"), coerce=int, validate_choice=False)
    level = SelectField(_l("Level"), choices=list(LEVEL_LABELS.items()), validate_choice=False)
    agency_vi, agency_en = _bilingual(_l("Agency, in Vietnamese"), _l("Agency, in English"),
                                      required=True, multiline=False, max_length=300)
    applicants_vi, applicants_en = _bilingual(_l("Who may apply, in Vietnamese"),
                                              _l("Who may apply, in English"))
    steps_vi, steps_en = _bilingual(_l("Steps, in Vietnamese"), _l("Steps, in English"))
    legal_basis_vi, legal_basis_en = _bilingual(_l("Legal basis, in Vietnamese"),
                                                _l("Legal basis, in English"))
    processing_days = IntegerField(_l("Processing time in working days"), default=0, validators=[
        Optional(),
        NumberRange(min=0, max=365, message=ERRORS["bad_processing_days"])],
        render_kw={"inputmode": "numeric"})
    online_level = SelectField(_l("Online service"), choices=list(ONLINE_LABELS.items()),
                               validate_choice=False)
    requires_approval = BooleanField(_l("A leader must approve the result"))
    fee_in_person = MoneyField(_l("Fee at the one-stop desk (đồng)"))
    fee_online = MoneyField(_l("Fee online (đồng)"))
    fee_post = MoneyField(_l("Fee by post (đồng)"))
    fee_note_vi, fee_note_en = _bilingual(_l("Note on fees, in Vietnamese"),
                                          _l("Note on fees, in English"))
    form_schema = TextAreaField(_l("Form schema (JSON)"), validators=[Optional()])
    active = BooleanField(_l("Active: shown in the catalogue"), default=True)


class DocumentForm(BaseForm):
    name_vi = StringField(_l("Name in Vietnamese"), validators=[
        DataRequired(ADMIN_ERRORS["name_vi_required"]), Length(max=500)])
    name_en = StringField(_l("Name in English"), validators=[
        DataRequired(ADMIN_ERRORS["name_en_required"]), Length(max=500)])
    original_or_copy = SelectField(_l("Original or copy"),
                                   choices=list(ORIGINAL_OR_COPY_LABELS.items()),
                                   validate_choice=False)
    copies = IntegerField(_l("How many"), default=1, validators=[
        Optional(), NumberRange(min=1, max=20, message=ERRORS["bad_copies"])],
        render_kw={"inputmode": "numeric"})
    upload_required = BooleanField(_l("Must be uploaded when submitting online"))
    paper_type = StringField(_l("Paper type (optional)"), validators=[Optional(), Length(max=40)])
    template = FileField(_l("Blank form to download (PDF, DOC, DOCX or ODT)"))
    remove_template = BooleanField(_l("Remove the current blank form"))


class ProcedureFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Length(max=200)])
    field = SelectField(_l("Field"), coerce=int, validate_choice=False)
