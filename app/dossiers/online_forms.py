"""The online dossier form: the applicant, the commune that receives it, the procedure's own
questions (its form schema, app/procedures/schema.py) and one file input per paper it lists,
with beside it a choice among the resident's papers of that kind ("reuse_<document id>").

One form class per procedure, built when the page is asked for. The schema's fields are
named "f_<name>" here, so a schema field can never shadow an applicant field (a schema may
well call something "applicant_name"); form_data stores them under their own names.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.dossiers.files import Upload
from app.dossiers.forms import ERRORS as DESK_ERRORS
from app.dossiers.online import DraftValues
from app.forms import BaseForm
from app.procedures.schema import build_form_class, validate_schema
from app.text import normalize_phone
from app.uploads import ATTACHMENT_MAX_BYTES

SCHEMA_PREFIX = "f_"
DOCUMENT_PREFIX = "doc_"
REUSE_PREFIX = "reuse_"
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
_ID_NUMBER = re.compile(r"^(\d{9}|\d{12})$")

# DossierError codes the desk's table (app/dossiers/forms.py) does not have, and the
# online form's own wording for the ones it words for an officer.
ERRORS = {
    **DESK_ERRORS,
    "name_required": _l("Enter your full name, as on your ID card."),
    "contact_required": _l("Enter a phone number or an ID number: you track the dossier with "
                           "it."),
    "unknown_unit": _l("Choose the commune or ward that receives your dossier."),
    "procedure_not_routable": _l("This procedure cannot be submitted online yet: its field has "
                                 "no department assigned. Bring the papers to the one-stop "
                                 "desk, or try again later."),
    "no_route": _l("No department of this commune receives this procedure online yet. Choose "
                   "another commune or ward, or bring the papers to the one-stop desk."),
    "unknown_procedure": _l("This procedure is no longer offered. Your draft is kept; you can "
                            "delete it from My dossiers."),
    "daily_limit": _l("This commune has received the most dossiers a day can number. Submit "
                      "again tomorrow: your draft is kept."),
    "draft_gone": _l("This draft no longer exists: it was submitted or deleted. See My "
                     "dossiers."),
}
UPLOAD_ERRORS = {
    "empty": _l("The file is empty. Choose the file again."),
    "too_large": _l("The file is too large: at most %(size)d MB. Take the photo at a lower "
                    "resolution or split the PDF.", size=ATTACHMENT_MAX_BYTES // (1024 * 1024)),
    "bad_type": _l("Send a PDF, JPG or PNG file: this file is none of them."),
    "name_mismatch": _l("The file's name does not match its content (for example a photo "
                        "named .pdf). Rename it or save it again as PDF, JPG or PNG."),
}
# Why a paper chosen for reuse was refused (the codes of online.reuse_problems), and the
# answer to a value that is no paper id at all.
REUSE_ERRORS = {
    "not_yours": _l("The paper you chose is not among your papers (any more). Choose another "
                    "one from the list, or upload the file."),
    "wrong_kind": _l("The paper you chose is not the kind this document asks for. Choose one "
                     "from the list, or upload the file."),
    "bad_choice": _l("Choose one of the papers listed, or upload the file."),
}
DOCUMENT_REQUIRED = _l("Upload this paper: the procedure requires it for an online dossier.")
FILES_NOT_KEPT = _l("The files you chose this time were not kept: choose them again. Files "
                    "already saved on the draft are kept.")


def _phone(form, field):
    if field.data:
        phone = normalize_phone(field.data)
        if phone is None:
            raise ValidationError(str(ERRORS["bad_phone"]))
        field.data = phone


def _id_number(form, field):
    if field.data and not _ID_NUMBER.match(field.data):
        raise ValidationError(str(ERRORS["bad_id_number"]))


def _no_spaces(value):
    return "".join(value.split()) if isinstance(value, str) else value


class PaperChoiceField(RadioField):
    """The id of one of the resident's papers, or nothing (0 or no value: upload instead).

    coerce=int gets the base form's id rule (app.inputs.parse_choice_id: ASCII digits within
    the database's range). The choices are the user's papers, known only with the session, so
    whether the id may be reused is the service's question (online.reuse_problems), not
    WTForms' "Not a valid choice"; anything that is no id is told so in the portal's words."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or (isinstance(valuelist[0], str) and not valuelist[0].strip()):
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(REUSE_ERRORS["bad_choice"])) from error


class ApplicantForm(BaseForm):
    """Who applies and where: the part every online dossier has."""

    applicant_name = StringField(_l("Your full name"), validators=[
        DataRequired(ERRORS["name_required"]),
        Length(max=120, message=_l("The name can be at most %(max)d characters."))],
        render_kw={"autocomplete": "name"})
    applicant_phone = TelField(_l("Mobile phone number"), validators=[
        Optional(), Length(max=20, message=ERRORS["bad_phone"]), _phone],
        render_kw={"autocomplete": "tel"})
    applicant_id_number = StringField(
        _l("ID number (CCCD, 12 digits, or old CMND, 9 digits)"), filters=[_no_spaces],
        validators=[Optional(), Length(max=20, message=ERRORS["bad_id_number"]), _id_number],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    unit_id = SelectField(_l("Commune or ward that receives it"), coerce=int,
                          validators=[DataRequired(ERRORS["unknown_unit"])])
    # The draft's key, so a second "submit" after the draft became a dossier finds it.
    idempotency_key = HiddenField(validators=[Length(max=64)])


def online_form_class(procedure, lang: str) -> type[BaseForm]:
    """ApplicantForm plus the procedure's questions and one file input per paper."""
    schema = validate_schema(procedure.form_schema or [])
    questions = build_form_class(schema, lang)
    attributes = {SCHEMA_PREFIX + spec["name"]: getattr(questions, spec["name"])
                  for spec in schema}
    for document in procedure.documents:
        attributes[DOCUMENT_PREFIX + str(document.id)] = MultipleFileField(
            document.name(lang), render_kw={"accept": ACCEPT})
        # Every document, typed or not: a forged choice for one without a paper type is told
        # "not the kind asked for" rather than silently dropped.
        attributes[REUSE_PREFIX + str(document.id)] = PaperChoiceField(
            _l("Reuse a paper you sent before"))
    return type("OnlineDossierForm", (ApplicantForm,), attributes)


def relax(form) -> None:
    """"Save draft" keeps an unfinished form: presence is not asked, format still is."""
    for f in form:
        f.validators = [Optional() if isinstance(v, (DataRequired, InputRequired)) else v
                        for v in f.validators]


def schema_fields(form, procedure) -> list:
    return [form[SCHEMA_PREFIX + spec["name"]] for spec in procedure.form_schema or []]


def document_field(form, document_id: int | None):
    return form._fields.get(f"{DOCUMENT_PREFIX}{document_id}")


def reuse_field(form, document_id: int | None):
    return form._fields.get(f"{REUSE_PREFIX}{document_id}")


def reused_of(form, procedure) -> dict[int, int]:
    """The papers chosen for reuse in this request: document id -> file id. A field whose value
    was refused is not a choice; its message moves to the document's field, where the page
    shows the document's problems (and the summary links to)."""
    chosen = {}
    for document in procedure.documents:
        field = reuse_field(form, document.id)
        if field is None:
            continue
        if field.errors:
            target = document_field(form, document.id)
            target.errors = list(target.errors) + list(field.errors)
            field.errors = []
        elif field.data:
            chosen[document.id] = field.data
    return chosen


def initial_data(draft, procedure) -> dict:
    """The draft's values as the form's fields take them (dates as dates, numbers as ints)."""
    data = {"applicant_name": draft.applicant_name, "applicant_phone": draft.applicant_phone,
            "applicant_id_number": draft.applicant_id_number, "unit_id": draft.unit_id or 0,
            "idempotency_key": draft.idempotency_key}
    saved = draft.form_data or {}
    for spec in procedure.form_schema or []:
        value = saved.get(spec["name"])
        if value in (None, ""):
            continue
        try:
            if spec["type"] == "date":
                value = date.fromisoformat(str(value))
            elif spec["type"] == "number":
                value = int(value)
        except ValueError:
            continue  # a value the schema no longer takes: asked again
        data[SCHEMA_PREFIX + spec["name"]] = value
    return data


def _as_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def values_of(form, procedure) -> DraftValues:
    """What the (validated) form holds, as the draft and the dossier keep it: form_data maps a
    schema field's name to a string (dates ISO 8601); empty answers are left out."""
    form_data = {}
    for spec in procedure.form_schema or []:
        text = _as_text(form[SCHEMA_PREFIX + spec["name"]].data)
        if text is not None:
            form_data[spec["name"]] = text
    return DraftValues(
        applicant_name=" ".join((form.applicant_name.data or "").split()),
        applicant_phone=form.applicant_phone.data or None,
        applicant_id_number=form.applicant_id_number.data or None,
        unit_id=form.unit_id.data or None, form_data=form_data)


def uploads_of(form, procedure) -> list[Upload]:
    """The files chosen in this request, each with the paper it answers. Anything in a file
    field that is not a file (a forged text value) is no file at all."""
    uploads = []
    for document in procedure.documents:
        chosen = document_field(form, document.id).data or []
        for item in chosen:
            if isinstance(item, FileStorage) and item.filename:
                uploads.append(Upload(item.read(ATTACHMENT_MAX_BYTES + 1), item.filename,
                                      document.id))
    return uploads


class RemoveFileForm(BaseForm):
    file_id = IntegerField(validators=[InputRequired()])


class ConfirmForm(BaseForm):
    """A POST that needs nothing but the CSRF token (start a draft, delete it)."""
