"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

* discovery, services, services/<service_code> (the category's extra fields as attributes),
  requests (GET: service_request_id as a comma list, which overrides every other filter;
  service_code and status as comma lists; start_date and end_date in W3C format, at most 90
  days apart, by default the last 90 days; at most 1,000 requests, newest first) and
  requests/<service_request_id>, each as .xml or .json.
* POST requests: form-encoded, with an `api_key` (403 when missing or wrong), the commune as
  `jurisdiction_id` (its unit code, e.g. 05600) or `address_id` (a village's or commune's
  code), the place as `lat`+`long` and/or `address_string`, extra fields as attribute[code]
  (attribute[code][] for a list of several). It makes the same report, and the same case, as
  the page does (app/reports/services.py). Not under CSRF (that view alone is exempt): the key
  authenticates the client, and it is rate-limited per key.
* Text comes in Vietnamese, or English with `lang=en`. Errors are the spec's list of
  code/description with the status it names: 400, 403 (api_key), 404 (not found); the
  portal's error pages answer every other failure under /open311/ the same way (app/errors.py).
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, time, timedelta

from flask import Blueprint, current_app, request
from flask_babel import force_locale, gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import write_transaction
from app.extensions import csrf, db, limiter
from app.models import AdminUnit, Case, FieldReport, ReportCategory, utcnow
from app.open311 import formats, keys, present
from app.queue.calendar import LOCAL_TZ
from app.queue.states import OPEN_STATES
from app.reports import services
from app.reports.categories import active_categories, by_code
from app.reports.errors import ReportError
from app.reports.labels import message
from app.security import public

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FMT = "<any(xml, json):fmt>"
# GeoReport v2's default window and largest range, and the most requests one answer holds.
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_IDS = 200
_ID = re.compile(r"^[A-Z]{2}-\d{6}-[0-9A-F]{6}$")
_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$")
_OPEN = sorted(int(s) for s in OPEN_STATES)


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


@bp.errorhandler(Open311Error)
def open311_error(error: Open311Error):
    return formats.errors(request.view_args.get("fmt", "xml") if request.view_args else "xml",
                          error.status, error.description)


def _lang() -> str:
    lang = request.values.get("lang", "vi")
    return lang if lang in ("vi", "en") else "vi"


def _read_limit() -> str:
    return current_app.config["RATELIMIT_OPEN311"]


def _post_limit() -> str:
    return current_app.config["RATELIMIT_OPEN311_POST"]


def _key_of_client() -> str:
    """Posts count per API key (per address when none is sent)."""
    key = request.form.get("api_key", "")
    if key:
        return "open311-key:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]
    return "open311-addr:" + get_remote_address()


def _jurisdiction():
    """The commune named by jurisdiction_id (optional on look-ups; 404 when unknown)."""
    code = (request.values.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == code[:20],
                                                     AdminUnit.level == "commune"))
    if unit is None:
        raise Open311Error(404, _("jurisdiction_id provided was not found: use a commune's "
                                  "unit code, e.g. 05600."))
    return unit


# -- discovery and services -----------------------------------------------------------------------

@bp.get(f"/discovery.{FMT}")
@limiter.limit(_read_limit)
@public
def discovery(fmt: str):
    from app.links import public_url

    lang = _lang()
    with force_locale(lang):
        changed = db.session.scalar(select(ReportCategory.updated_at)
                                    .order_by(ReportCategory.updated_at.desc()).limit(1))
        changeset = present.w3c(changed) or "0"
        body = {
            "changeset": changeset,
            "contact": _("Questions about this API: the portal's administrators, through the "
                         "commune's office."),
            "key_service": _("An administrator of the portal issues API keys (Administration "
                             "→ Open311 API keys)."),
            "endpoints": [{
                "specification": present.SPEC,
                "url": public_url("open311.discovery", fmt="xml").rsplit("/", 1)[0],
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        }
    return formats.respond(fmt, "discovery", body)


@bp.get(f"/services.{FMT}")
@limiter.limit(_read_limit)
@public
def services_list(fmt: str):
    lang = _lang()
    with force_locale(lang):
        _jurisdiction()
        items = [present.service(c, lang) for c in active_categories(db.session)]
    return formats.respond(fmt, "services", items)


@bp.get(f"/services/<service_code>.{FMT}")
@limiter.limit(_read_limit)
@public
def service_definition(service_code: str, fmt: str):
    lang = _lang()
    with force_locale(lang):
        _jurisdiction()
        category = by_code(db.session, service_code)
        if category is None:
            raise Open311Error(404, _("service_code provided was not found."))
        body = present.definition(category, lang)
    return formats.respond(fmt, "service_definition", body)


# -- requests -------------------------------------------------------------------------------------

def _moment(name: str, *, end: bool) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if len(raw) > 40 or not _W3C.match(raw):
        raise Open311Error(400, _("%(name)s must be a W3C date and time with its time zone, "
                                  "e.g. 2026-03-01T00:00:00Z or 2026-03-01T07:00:00+07:00.",
                                  name=name))
    try:
        if "T" not in raw:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
            # A date alone: the whole day in Vietnam's time.
            return datetime.combine(day, time.max if end else time.min, tzinfo=LOCAL_TZ)
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("%(name)s is not a real date and time.", name=name)) from None


def _codes(name: str) -> list[str]:
    return [c.strip() for c in (request.args.get(name) or "").split(",") if c.strip()]


def _requests_query():
    return (select(FieldReport).join(Case, Case.id == FieldReport.case_id)
            .options(selectinload(FieldReport.case).selectinload(Case.department),
                     selectinload(FieldReport.category), selectinload(FieldReport.photos),
                     selectinload(FieldReport.village),
                     selectinload(FieldReport.commune).selectinload(AdminUnit.parent)))


@bp.get(f"/requests.{FMT}")
@limiter.limit(_read_limit)
@public
def requests(fmt: str):
    lang = _lang()
    with force_locale(lang):
        stmt = _requests_query()
        ids = _codes("service_request_id")
        if ids:
            # The spec: a list of ids overrides every other argument.
            wanted = [i.upper() for i in ids]
            if len(wanted) > MAX_IDS or not all(_ID.match(i) for i in wanted):
                raise Open311Error(400, _("service_request_id must be a comma-separated list "
                                          "of at most %(max)d report codes, like "
                                          "HT-260302-A1B2C3.", max=MAX_IDS))
            stmt = stmt.where(Case.code.in_(wanted))
        else:
            commune = _jurisdiction()
            if commune is not None:
                stmt = stmt.where(FieldReport.commune_id == commune.id)
            stmt = _filter_codes(stmt)
            stmt = _filter_status(stmt)
            stmt = _filter_dates(stmt)
        stmt = stmt.order_by(FieldReport.created_at.desc(), FieldReport.case_id.desc())
        found = db.session.scalars(stmt.limit(MAX_REQUESTS)).all()
        items = [present.request(r, lang) for r in found]
    return formats.respond(fmt, "service_requests", items)


def _filter_codes(stmt):
    codes = _codes("service_code")
    if not codes:
        return stmt
    found = dict(db.session.execute(select(ReportCategory.code, ReportCategory.id)
                                    .where(ReportCategory.code.in_(codes[:100]))).all())
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise Open311Error(404, _("service_code provided was not found: %(codes)s.",
                                  codes=", ".join(unknown[:5])[:200]))
    return stmt.where(FieldReport.category_id.in_(found.values()))


def _filter_status(stmt):
    statuses = set(_codes("status"))
    if not statuses:
        return stmt
    if not statuses <= {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed, or both separated by a comma."))
    if statuses == {"open"}:
        return stmt.where(Case.state.in_(_OPEN), FieldReport.merged_into_id.is_(None))
    if statuses == {"closed"}:
        return stmt.where(~(Case.state.in_(_OPEN) & FieldReport.merged_into_id.is_(None)))
    return stmt


def _filter_dates(stmt):
    start, end = _moment("start_date", end=False), _moment("end_date", end=True)
    if start is None and end is None:
        end = utcnow()
    if start is None:
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
    return stmt.where(FieldReport.created_at >= start, FieldReport.created_at <= end)


@bp.get(f"/requests/<service_request_id>.{FMT}")
@limiter.limit(_read_limit)
@public
def request_detail(service_request_id: str, fmt: str):
    lang = _lang()
    with force_locale(lang):
        _jurisdiction()
        code = service_request_id.upper()
        report = None
        if _ID.match(code):
            report = db.session.scalar(_requests_query().where(Case.code == code))
        if report is None:
            raise Open311Error(404, _("service_request_id provided was not found."))
        items = [present.request(report, lang)]
    return formats.respond(fmt, "service_requests", items)


# -- POST a request -------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^attribute\[([^\]\[]{1,40})\](\[\])?$")


def _attributes() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name in request.form:
        match = _ATTRIBUTE.match(name)
        if match:
            values.setdefault(match.group(1), []).extend(request.form.getlist(name))
    return values


def _place():
    """The commune and village from jurisdiction_id and/or address_id (unit codes)."""
    commune = _jurisdiction()
    village = None
    address_id = (request.form.get("address_id") or "").strip()
    if address_id:
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == address_id[:20]))
        if unit is None or unit.level not in ("commune", "village"):
            raise Open311Error(404, _("address_id provided was not found: use a village's or "
                                      "commune's unit code."))
        if unit.level == "village":
            village = unit
            if commune is not None and unit.parent_id != commune.id:
                raise Open311Error(400, _("address_id is not in the commune named by "
                                          "jurisdiction_id."))
            commune = unit.parent
        elif commune is not None and unit.id != commune.id:
            raise Open311Error(400, _("address_id is not the commune named by "
                                      "jurisdiction_id."))
        else:
            commune = unit
    if commune is None:
        raise Open311Error(400, _("jurisdiction_id was not provided: give the commune's unit "
                                  "code (e.g. 05600), or a village's code as address_id."))
    return commune, village


def _error_for(error: ReportError) -> Open311Error:
    names = {"lat": "lat", "long": "long", "description": "description",
             "address": "address_string", "location": "lat/long or address_string",
             "photos": "media"}
    name = names.get(error.field or "", "")
    if error.field and error.field.startswith("attribute-"):
        name = f"attribute[{error.details.get('attribute', '')}]"
    text = message(error)
    return Open311Error(400, f"{name}: {text}" if name else text)


@bp.post(f"/requests.{FMT}", endpoint="create_request")
@csrf.exempt
@limiter.limit(_post_limit, key_func=_key_of_client)
@public
def create_request(fmt: str):
    lang = _lang()
    with force_locale(lang):
        api_key = request.form.get("api_key", "")
        if not api_key:
            raise Open311Error(403, _("api_key is missing: a key from the portal's "
                                      "administrators is needed to post a request."))
        client = keys.verify(db.session, api_key)
        if client is None:
            raise Open311Error(403, _("Invalid api_key received: it is unknown or revoked."))
        code = (request.form.get("service_code") or "").strip()
        if not code:
            raise Open311Error(400, _("service_code was not provided."))
        category = by_code(db.session, code)
        if category is None:
            raise Open311Error(404, _("service_code provided was not found."))
        commune, village = _place()
        first = (request.form.get("first_name") or "").strip()
        last = (request.form.get("last_name") or "").strip()
        data = services.ReportInput(
            category_code=category.code, description=request.form.get("description") or "",
            commune_id=commune.id, village_id=village.id if village else None,
            address=request.form.get("address_string") or "",
            lat=request.form.get("lat"), lng=request.form.get("long"),
            location_source="api", anonymous=True,
            attributes=_attributes(), channel="open311", api_key_id=client.id,
            contact_name=" ".join(f"{last} {first}".split())[:120] or None,
            contact_email=(request.form.get("email") or "").strip()[:254] or None,
            contact_phone=(request.form.get("phone") or "").strip()[:40] or None)
        try:
            report = services.create_report(db.session, None, data)
        except ReportError as error:
            db.session.rollback()
            raise _error_for(error) from None
        with write_transaction(db.session):
            keys.touch(db.session, client)
        body = [{"service_request_id": report.case.code,
                 "service_notice": present.service_notice(category),
                 "account_id": None}]
    return formats.respond(fmt, "service_requests", body)
