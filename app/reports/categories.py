"""Report categories, as administrators keep them and residents (or Open311 clients) use them:
bilingual names, an answer time, extra fields (Open311 attributes), and per unit the
department that takes the category's reports.

How a category meets the queue (the reasoning is in app/reports/routing.py): every field
report is a case of category `field_report`, the one skill an officer needs for them, so the
skills and claims vocabulary stays small and fixed however many report categories the
administrator adds; the report category decides the department, per unit.

Writes run in one write_transaction each; a refusal raises ReportError before anything is
written. No Flask here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db import write_transaction
from app.inputs import bad_character, clean_text
from app.models import (AdminUnit, Department, ReportAttribute, ReportCategory, ReportRoute)
from app.models.reports import ATTRIBUTE_TYPES, ROUTE_MODES
from app.reports.errors import ReportError
from app.text import vietnamese_sort_key

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
ATTRIBUTE_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAX_ATTRIBUTES = 10
MAX_CHOICES = 30
# What an answer to an extra field may hold.
STRING_MAX = 200
TEXT_MAX = 2000
NUMBER_MAX = 1e12


# -- reading ---------------------------------------------------------------------------------

def ordered(categories: Sequence[ReportCategory]) -> list[ReportCategory]:
    """The administrator's order, then the Vietnamese alphabet."""
    return sorted(categories, key=lambda c: (c.position, vietnamese_sort_key(c.name_vi)))


def active_categories(session: Session) -> list[ReportCategory]:
    return ordered(session.scalars(select(ReportCategory).where(ReportCategory.active)
                                   .options(selectinload(ReportCategory.attributes))).all())


def all_categories(session: Session) -> list[ReportCategory]:
    return ordered(session.scalars(select(ReportCategory).options(
        selectinload(ReportCategory.attributes), selectinload(ReportCategory.routes))).all())


def by_code(session: Session, code: str | None, *,
            active_only: bool = True) -> ReportCategory | None:
    if not code or not CODE.match(code):
        return None
    category = session.scalar(select(ReportCategory).where(ReportCategory.code == code))
    if category is None or (active_only and not category.active):
        return None
    return category


# -- the extra fields' answers ----------------------------------------------------------------

def _number(text: str) -> float | int | None:
    candidate = text.replace(" ", "")
    if "," in candidate and "." not in candidate:
        candidate = candidate.replace(",", ".")  # the Vietnamese decimal comma
    if not candidate.isascii() or not re.fullmatch(r"[+-]?\d{1,13}(\.\d{1,6})?", candidate):
        return None
    value = float(candidate)
    if not math.isfinite(value) or abs(value) > NUMBER_MAX:
        return None
    return int(value) if value.is_integer() else value


def read_attributes(category: ReportCategory, raw: Mapping[str, Sequence[str]]) -> dict:
    """The answers to the category's extra fields, checked: `raw` maps an attribute's code to
    the values sent (a list: a multi-value list sends several). Codes the category does not
    have are ignored, as Open311 asks. ReportError names the first field that is wrong."""
    answers: dict = {}
    for attribute in category.attributes:
        name = f"attribute-{attribute.code}"
        values = [clean_text(str(v)).strip() for v in raw.get(attribute.code, []) if v is not None]
        values = [v for v in values if v]
        multiline = attribute.datatype == "text"
        for value in values:
            if bad_character(value, multiline=multiline):
                raise ReportError("attribute_bad_character", name, attribute=attribute.code)
        if not values:
            if attribute.required:
                raise ReportError("attribute_required", name, attribute=attribute.code)
            continue
        keys = [c["key"] for c in attribute.choices or []]
        if attribute.datatype == "multivaluelist":
            chosen = list(dict.fromkeys(values))
            if any(v not in keys for v in chosen):
                raise ReportError("attribute_bad_choice", name, attribute=attribute.code)
            answers[attribute.code] = chosen
            continue
        if len(values) > 1:
            raise ReportError("attribute_one_value", name, attribute=attribute.code)
        value = values[0]
        if attribute.datatype == "singlevaluelist":
            if value not in keys:
                raise ReportError("attribute_bad_choice", name, attribute=attribute.code)
            answers[attribute.code] = value
        elif attribute.datatype == "number":
            number = _number(value)
            if number is None:
                raise ReportError("attribute_not_a_number", name, attribute=attribute.code)
            answers[attribute.code] = number
        else:
            limit = TEXT_MAX if multiline else STRING_MAX
            if len(value) > limit:
                raise ReportError("attribute_too_long", name, attribute=attribute.code, max=limit)
            answers[attribute.code] = value if multiline else " ".join(value.split())
    return answers


def answer_text(attribute: ReportAttribute, value, lang: str) -> str:
    """An answer as people read it (a list's keys shown by their names)."""
    if attribute.datatype == "singlevaluelist":
        return attribute.choice_name(str(value), lang)
    if attribute.datatype == "multivaluelist":
        return ", ".join(attribute.choice_name(str(v), lang) for v in value or [])
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",") if lang == "vi" else f"{value:g}"
    return str(value)


# -- administration: categories ---------------------------------------------------------------

@dataclass
class CategoryData:
    code: str
    name_vi: str
    name_en: str
    description_vi: str = ""
    description_en: str = ""
    group_vi: str = ""
    group_en: str = ""
    keywords: str = ""
    sla_days: int | None = 5
    position: int | None = 0
    active: bool = True


def _line(value: str | None, field_name: str, limit: int, *, required: bool = False) -> str:
    text = " ".join(clean_text(value or "").split())
    if required and not text:
        raise ReportError(f"{field_name}_required", field_name)
    if bad_character(text):
        raise ReportError("bad_character", field_name)
    if len(text) > limit:
        raise ReportError("too_long", field_name, max=limit)
    return text


def save_category(session: Session, data: CategoryData,
                  category_id: int | None = None) -> ReportCategory:
    code = (data.code or "").strip().lower()
    if not CODE.match(code):
        raise ReportError("bad_code", "code")
    values = dict(
        name_vi=_line(data.name_vi, "name_vi", 120, required=True),
        name_en=_line(data.name_en, "name_en", 120, required=True),
        description_vi=_line(data.description_vi, "description_vi", 500),
        description_en=_line(data.description_en, "description_en", 500),
        group_vi=_line(data.group_vi, "group_vi", 80),
        group_en=_line(data.group_en, "group_en", 80),
        keywords=_line(data.keywords, "keywords", 300))
    if data.sla_days is None or not 1 <= data.sla_days <= 60:
        raise ReportError("sla_range", "sla_days")
    if data.position is None or not 0 <= data.position <= 1000:
        raise ReportError("position_range", "position")
    with write_transaction(session):
        category = None
        if category_id is not None:
            category = session.get(ReportCategory, category_id)
            if category is None:
                raise ReportError("unknown_category")
        clash = select(ReportCategory.id).where(ReportCategory.code == code)
        if category is not None:
            if code != category.code:
                # Open311 clients keep the service_code: a category's code never changes.
                raise ReportError("code_fixed", "code")
            clash = clash.where(ReportCategory.id != category.id)
        if session.scalar(clash) is not None:
            raise ReportError("code_taken", "code")
        if category is None:
            category = ReportCategory(code=code)
            session.add(category)
        for key, value in values.items():
            setattr(category, key, value)
        category.sla_days = data.sla_days
        category.position = data.position
        category.active = bool(data.active)
    return category


def set_category_active(session: Session, category_id: int, active: bool) -> ReportCategory:
    with write_transaction(session):
        category = session.get(ReportCategory, category_id)
        if category is None:
            raise ReportError("unknown_category")
        category.active = active
    return category


# -- administration: extra fields ---------------------------------------------------------------

@dataclass
class AttributeData:
    code: str
    datatype: str
    description_vi: str
    description_en: str
    required: bool = False
    position: int | None = 1
    choices: str = ""   # one per line: key | tên tiếng Việt | English name


def parse_choices(text: str) -> list[dict]:
    choices: list[dict] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [" ".join(clean_text(p).split()) for p in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ReportError("choice_line", "choices", line=number)
        key, name_vi, name_en = parts
        if not ATTRIBUTE_CODE.match(key) or any(c["key"] == key for c in choices):
            raise ReportError("choice_key", "choices", line=number)
        if any(bad_character(p) or len(p) > 120 for p in (name_vi, name_en)):
            raise ReportError("choice_line", "choices", line=number)
        choices.append({"key": key, "name_vi": name_vi, "name_en": name_en})
    if len(choices) > MAX_CHOICES:
        raise ReportError("too_many_choices", "choices", max=MAX_CHOICES)
    return choices


def choices_text(attribute: ReportAttribute | None) -> str:
    if attribute is None or not attribute.choices:
        return ""
    return "\n".join(f"{c['key']} | {c['name_vi']} | {c['name_en']}" for c in attribute.choices)


def save_attribute(session: Session, category_id: int, data: AttributeData,
                   attribute_id: int | None = None) -> ReportAttribute:
    code = (data.code or "").strip().lower()
    if not ATTRIBUTE_CODE.match(code):
        raise ReportError("bad_attribute_code", "code")
    if data.datatype not in ATTRIBUTE_TYPES:
        raise ReportError("bad_datatype", "datatype")
    description_vi = _line(data.description_vi, "description_vi", 300, required=True)
    description_en = _line(data.description_en, "description_en", 300, required=True)
    if data.position is None or not 1 <= data.position <= 1000:
        raise ReportError("attribute_position_range", "position")
    choices = parse_choices(data.choices) if data.datatype in LIST_TYPES else None
    if data.datatype in LIST_TYPES and len(choices) < 2:
        raise ReportError("choices_required", "choices")
    with write_transaction(session):
        category = session.get(ReportCategory, category_id)
        if category is None:
            raise ReportError("unknown_category")
        attribute = None
        if attribute_id is not None:
            attribute = session.get(ReportAttribute, attribute_id)
            if attribute is None or attribute.category_id != category.id:
                raise ReportError("unknown_attribute")
            if attribute.code != code:
                raise ReportError("code_fixed", "code")  # stored answers are keyed by it
        clash = select(ReportAttribute.id).where(ReportAttribute.category_id == category.id,
                                                 ReportAttribute.code == code)
        if attribute is not None:
            clash = clash.where(ReportAttribute.id != attribute.id)
        if session.scalar(clash) is not None:
            raise ReportError("attribute_code_taken", "code")
        if attribute is None:
            count = len(category.attributes)
            if count >= MAX_ATTRIBUTES:
                raise ReportError("too_many_attributes", "code", max=MAX_ATTRIBUTES)
            attribute = ReportAttribute(category_id=category.id, code=code)
            session.add(attribute)
        attribute.datatype = data.datatype
        attribute.description_vi = description_vi
        attribute.description_en = description_en
        attribute.required = bool(data.required)
        attribute.position = data.position
        attribute.choices = choices
    return attribute


def remove_attribute(session: Session, attribute_id: int) -> ReportAttribute:
    """Reports already made keep their answers (stored by code in the report)."""
    with write_transaction(session):
        attribute = session.get(ReportAttribute, attribute_id)
        if attribute is None:
            raise ReportError("unknown_attribute")
        session.delete(attribute)
    return attribute


# -- administration: where each category's reports go ---------------------------------------------

def route_units(session: Session) -> list[AdminUnit]:
    """Units a category may be routed for: the province (every commune in it) and communes."""
    return sorted(session.scalars(select(AdminUnit).where(
        AdminUnit.level.in_(("province", "commune")))), key=lambda u: (u.level != "province",
                                                                       u.code))


def departments_for_reports(session: Session) -> list[Department]:
    return [d for d in session.scalars(select(Department).where(Department.active)
                                       .options(selectinload(Department.unit))
                                       .order_by(Department.code))
            if d.accepts("field_report")]


@dataclass
class RouteData:
    unit_id: int | None
    department_id: int | None
    mode: str = "pull"


def save_route(session: Session, category_id: int, data: RouteData) -> ReportRoute:
    """The department for the category's reports in a unit; replaces the unit's earlier one."""
    if data.mode not in ROUTE_MODES:
        raise ReportError("bad_mode", "mode")
    with write_transaction(session):
        category = session.get(ReportCategory, category_id)
        if category is None:
            raise ReportError("unknown_category")
        unit = session.get(AdminUnit, data.unit_id) if data.unit_id else None
        if unit is None or unit.level not in ("province", "commune"):
            raise ReportError("route_unit", "unit_id")
        department = session.get(Department, data.department_id) if data.department_id else None
        if department is None:
            raise ReportError("route_department", "department_id")
        if not department.active:
            raise ReportError("department_inactive", "department_id")
        if not department.accepts("field_report"):
            raise ReportError("department_refuses", "department_id")
        if department.unit_id not in {u.id for u in unit.ancestors()}:
            raise ReportError("department_elsewhere", "department_id")
        route = session.scalar(select(ReportRoute).where(ReportRoute.category_id == category.id,
                                                         ReportRoute.unit_id == unit.id))
        if route is None:
            route = ReportRoute(category_id=category.id, unit_id=unit.id)
            session.add(route)
        route.department_id = department.id
        route.mode = data.mode
    return route


def remove_route(session: Session, route_id: int) -> ReportRoute:
    with write_transaction(session):
        route = session.get(ReportRoute, route_id)
        if route is None:
            raise ReportError("unknown_route")
        session.delete(route)
    return route
