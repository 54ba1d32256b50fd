"""Field reports and categories as Open311 GeoReport v2 names them: every field of the spec's
responses, in the spec's order, with its values ("open"/"closed", W3C datetimes with their
offset). Call under force_locale(lang): names and notes are in that language. Who reported is
never part of the answer."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _, ngettext

from app.links import public_url
from app.models import FieldReport, ReportAttribute, ReportCategory
from app.queue.calendar import LOCAL_TZ
from app.queue.states import OPEN_STATES
from app.reports.labels import ATTRIBUTE_TYPE_LABELS, PUBLIC_STATES
from app.reports.services import public_state

SPEC = "http://wiki.open311.org/GeoReport_v2"


def w3c(moment: datetime | None) -> str | None:
    """2026-03-02T08:05:00+07:00: the W3C profile of ISO 8601, in Vietnam's time."""
    if moment is None:
        return None
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def service_notice(category: ReportCategory) -> str:
    return ngettext("The commune answers within %(num)d working day.",
                    "The commune answers within %(num)d working days.", category.sla_days)


def service(category: ReportCategory, lang: str) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name(lang),
        "description": category.description(lang),
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group(lang),
    }


def _datatype_description(attribute: ReportAttribute) -> str:
    return str(ATTRIBUTE_TYPE_LABELS[attribute.datatype])


def definition(category: ReportCategory, lang: str) -> dict:
    attributes = []
    for attribute in category.attributes:
        entry = {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": _datatype_description(attribute),
            "order": attribute.position,
            "description": attribute.description(lang),
        }
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            entry["values"] = [{"key": c["key"],
                                "name": c["name_en"] if lang == "en" else c["name_vi"]}
                               for c in attribute.choices or []]
        attributes.append(entry)
    return {"service_code": category.code, "attributes": attributes}


def status_of(report: FieldReport) -> str:
    case = report.case
    return "open" if report.merged_into_id is None and case.state in OPEN_STATES else "closed"


def _status_notes(report: FieldReport, lang: str) -> str:
    if report.merged_into_id is not None:
        from app.models import Case
        from app.extensions import db

        original = db.session.get(Case, report.merged_into_id)
        return _("Duplicate of report %(code)s.", code=original.code if original else "")
    state = str(PUBLIC_STATES[public_state(report, report.case)])
    return f"{state}. {report.answer}" if report.answer else state


def _address(report: FieldReport, lang: str) -> str:
    parts = [report.address or ""]
    if report.village is not None:
        parts.append(report.village.name(lang))
    commune = report.commune
    parts.append(commune.name(lang))
    if commune.parent is not None:
        parts.append(commune.parent.name(lang))
    return ", ".join(p for p in parts if p)


def request(report: FieldReport, lang: str) -> dict:
    case = report.case
    closed = status_of(report) == "closed"
    media = None
    if report.photos:
        media = public_url("reports.photo", lang_code=lang, report_id=report.case_id,
                           position=report.photos[0].position)
    return {
        "service_request_id": case.code,
        "status": status_of(report),
        "status_notes": _status_notes(report, lang),
        "service_name": report.category.name(lang),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": case.department.name(lang),
        "service_notice": service_notice(report.category),
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c((case.finished_at if closed and case.finished_at else None)
                                or case.updated_at),
        "expected_datetime": None if closed else w3c(case.due_at),
        "address": _address(report, lang),
        "address_id": (report.village or report.commune).code,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lng,
        "media_url": media,
    }
