"""A procedure's form schema: the few extra facts its form asks for, beyond the documents.

A schema is a list of fields, each
    {"name": "child_name", "type": "text", "label_vi": "...", "label_en": "...",
     "required": true, "choices": [{"value": "m", "label_vi": "...", "label_en": "..."}]}
with `type` one of text, date, number, choice, id_number, phone, and `choices` only (and
always) for `choice`. `validate_schema` is the one rule for what a schema may say, used by the
administration and by the dossier form; `build_form_class` turns a valid schema into a form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import BaseForm, DayField
from app.text import normalize_phone

FIELD_TYPES = ("text", "date", "number", "choice", "id_number", "phone")
MAX_FIELDS = 40
MAX_CHOICES = 50
LABEL_MAX = 200
TEXT_MAX = 500
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# CMND (old identity card): 9 digits; CCCD (citizen identity card): 12 digits.
_ID_NUMBER = re.compile(r"^(\d{9}|\d{12})$")
# Names a WTForms form already uses for itself: a field called "data" would hide form.data.
_RESERVED = frozenset(dir(BaseForm)) | {"csrf_token", "meta", "version"}

MESSAGES = {
    "not_a_list": _l("The form schema must be a list of fields, like [{\"name\": ...}, ...]."),
    "bad_json": _l("The form schema is not valid JSON: %(detail)s."),
    "too_many": _l("A form can have at most %(max)d fields."),
    "not_an_object": _l("Field %(number)d must be an object with name, type and labels."),
    "bad_name": _l("Field %(number)d: the name must be lower-case letters, digits and "
                   "underscores, starting with a letter (at most 40), like child_name."),
    "reserved_name": _l("Field %(number)d: the name “%(name)s” is reserved; choose another."),
    "duplicate_name": _l("Field %(number)d: another field is already called “%(name)s”."),
    "bad_type": _l("Field %(number)d: the type must be one of text, date, number, choice, "
                   "id_number, phone."),
    "label_vi": _l("Field %(number)d: enter the Vietnamese label (label_vi)."),
    "label_en": _l("Field %(number)d: enter the English label (label_en)."),
    "bad_required": _l("Field %(number)d: “required” must be true or false."),
    "choices_missing": _l("Field %(number)d: a choice field needs a list of choices, each with "
                          "value, label_vi and label_en."),
    "choices_unexpected": _l("Field %(number)d: only a field of type choice can have choices."),
    "bad_choice": _l("Field %(number)d, choice %(choice)d: give a value (letters, digits, - or "
                     "_) and both labels."),
    "duplicate_choice": _l("Field %(number)d: two choices have the value “%(value)s”."),
    "unknown_key": _l("Field %(number)d: unknown key “%(key)s”."),
}
FIELD_MESSAGES = {
    "id_number": _l("Enter the 9 digits of an identity card (CMND) or the 12 digits of a "
                    "citizen identity card (CCCD)."),
    "phone": _l("Enter a Vietnamese mobile number, like 0912 345 678."),
    "required": _l("This field is required."),
    "number": _l("Enter a whole number of 0 or more."),
    "date": _l("Enter a real date, like 02/09/2026."),
}
_KEYS = {"name", "type", "label_vi", "label_en", "required", "choices"}


@dataclass(frozen=True)
class SchemaProblem:
    code: str
    params: dict

    def message(self) -> str:
        return str(MESSAGES[self.code] % self.params) if self.params else str(MESSAGES[self.code])


class SchemaError(ValueError):
    def __init__(self, problems: list[SchemaProblem]):
        super().__init__("; ".join(p.code for p in problems))
        self.problems = problems


def _label(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def validate_schema(raw: Any) -> list[dict]:
    """The schema, cleaned (labels trimmed, `required` a bool, keys in one order), or
    SchemaError listing every problem found, numbered from 1 as a person counts."""
    if not isinstance(raw, list):
        raise SchemaError([SchemaProblem("not_a_list", {})])
    if len(raw) > MAX_FIELDS:
        raise SchemaError([SchemaProblem("too_many", {"max": MAX_FIELDS})])
    problems: list[SchemaProblem] = []
    clean: list[dict] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        here = {"number": number}
        if not isinstance(item, dict):
            problems.append(SchemaProblem("not_an_object", here))
            continue
        for key in sorted(set(item) - _KEYS, key=str):
            problems.append(SchemaProblem("unknown_key", {**here, "key": str(key)[:40]}))
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(SchemaProblem("bad_name", here))
        elif name in _RESERVED:
            problems.append(SchemaProblem("reserved_name", {**here, "name": name}))
        elif name in seen:
            problems.append(SchemaProblem("duplicate_name", {**here, "name": name}))
        else:
            seen.add(name)
        kind = item.get("type")
        if kind not in FIELD_TYPES:
            problems.append(SchemaProblem("bad_type", here))
        label_vi, label_en = _label(item.get("label_vi")), _label(item.get("label_en"))
        if not label_vi or len(label_vi) > LABEL_MAX:
            problems.append(SchemaProblem("label_vi", here))
        if not label_en or len(label_en) > LABEL_MAX:
            problems.append(SchemaProblem("label_en", here))
        required = item.get("required", False)
        if not isinstance(required, bool):
            problems.append(SchemaProblem("bad_required", here))
        field = {"name": name, "type": kind, "label_vi": label_vi, "label_en": label_en,
                 "required": bool(required)}
        choices = item.get("choices")
        if kind == "choice":
            field["choices"] = _choices(choices, here, problems)
        elif choices is not None:
            problems.append(SchemaProblem("choices_unexpected", here))
        clean.append(field)
    if problems:
        raise SchemaError(problems)
    return clean


def _choices(choices: Any, here: dict, problems: list[SchemaProblem]) -> list[dict]:
    if not isinstance(choices, list) or not choices or len(choices) > MAX_CHOICES:
        problems.append(SchemaProblem("choices_missing", here))
        return []
    clean, values = [], set()
    for index, choice in enumerate(choices, start=1):
        if not isinstance(choice, dict):
            problems.append(SchemaProblem("bad_choice", {**here, "choice": index}))
            continue
        value = choice.get("value")
        label_vi, label_en = _label(choice.get("label_vi")), _label(choice.get("label_en"))
        if (not isinstance(value, str) or not _VALUE.match(value) or not label_vi
                or not label_en or len(label_vi) > LABEL_MAX or len(label_en) > LABEL_MAX):
            problems.append(SchemaProblem("bad_choice", {**here, "choice": index}))
            continue
        if value in values:
            problems.append(SchemaProblem("duplicate_choice", {**here, "value": value}))
        values.add(value)
        clean.append({"value": value, "label_vi": label_vi, "label_en": label_en})
    return clean


# -- forms built from a schema -------------------------------------------------------------

def _id_number(form, field):
    if field.data and not _ID_NUMBER.match(field.data):
        raise ValidationError(str(FIELD_MESSAGES["id_number"]))


def _phone(form, field):
    if field.data:
        phone = normalize_phone(field.data)
        if phone is None:
            raise ValidationError(str(FIELD_MESSAGES["phone"]))
        field.data = phone


def _strip_spaces(value):
    return "".join(value.split()) if isinstance(value, str) else value


class _SchemaDateField(DayField):
    bad_date_message = FIELD_MESSAGES["date"]


def _field(spec: dict, lang: str):
    label = spec["label_en"] if lang == "en" else spec["label_vi"]
    required = spec.get("required", False)
    presence = [InputRequired(FIELD_MESSAGES["required"]) if spec["type"] == "number"
                else DataRequired(FIELD_MESSAGES["required"])] if required else [Optional()]
    kind = spec["type"]
    if kind == "text":
        return StringField(label, validators=presence + [Length(max=TEXT_MAX)])
    if kind == "date":
        return _SchemaDateField(label, validators=presence)
    if kind == "number":
        return IntegerField(label, validators=presence + [
            NumberRange(min=0, message=FIELD_MESSAGES["number"])])
    if kind == "choice":
        choices = [(c["value"], c["label_en"] if lang == "en" else c["label_vi"])
                   for c in spec["choices"]]
        if not required:
            choices = [("", "")] + choices
        return SelectField(label, choices=choices, validators=presence)
    if kind == "id_number":
        return StringField(label, filters=[_strip_spaces],
                           validators=presence + [Length(max=20), _id_number],
                           render_kw={"inputmode": "numeric", "autocomplete": "off"})
    if kind == "phone":
        return TelField(label, validators=presence + [Length(max=30), _phone],
                        render_kw={"autocomplete": "tel"})
    raise SchemaError([SchemaProblem("bad_type", {"number": 0})])


def build_form_class(schema: Any, lang: str = "vi") -> type[BaseForm]:
    """A BaseForm subclass with one field per schema entry, in order, labelled in `lang`.
    The schema is validated first, so a broken one fails here and not in a resident's face."""
    fields = validate_schema(schema)
    attributes = {spec["name"]: _field(spec, lang) for spec in fields}
    return type("ProcedureSchemaForm", (BaseForm,), attributes)
