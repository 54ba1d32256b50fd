"""The JSON API under /api/v1/: the procedure catalogue, a dossier's public status, and the
OpenAPI 3.1 document describing both.

Requests are validated by spectree against the pydantic models in app/api/schemas.py, which
also generate /api/v1/openapi.json, so the document is the code. Every error is JSON,
`{"error": {"code": ..., "message": ...}}` (app/errors.py answers /api/ paths that way, and
`InvalidInput` below adds which fields were wrong), never an HTML page.

No CSRF token: the API only reads. The status lookup is a POST so a phone number never sits
in an address (and in access logs); it is counted against the tracking page's own rate limit,
in the same bucket, so the API is not a second door for guessing phone numbers.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import force_locale, gettext as _
from pydantic import ValidationError
from spectree import Response, SpecTree
from werkzeug.exceptions import BadRequest

from app.api import present
from app.api.schemas import (CatalogueQuery, DossierStatus, ErrorBody, FieldList, LangQuery,
                             ProcedureDetail, ProcedurePage, StatusLookup)
from app.dossiers import services as dossiers
from app.tracking import LOOKUP_SCOPE, lookup_limit
from app.errors import refuse
from app.extensions import csrf, db, limiter
from app.page_cache import CATALOGUE, shared_page
from app.procedures import services as catalogue
from app.security import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# The tracking page's limiter bucket (app/tracking.py): a shared limit with that scope counts
# in the very same bucket.
TRACK_SCOPE = LOOKUP_SCOPE
PUBLIC_CACHE = "public, max-age=300"


class InvalidInput(BadRequest):
    """A request the models refused: which fields, and why (pydantic's error type)."""

    def __init__(self, fields: list[dict[str, str]]):
        super().__init__()
        self.fields = fields

    @classmethod
    def from_error(cls, error: ValidationError) -> InvalidInput:
        return cls([{"field": ".".join(str(p) for p in e["loc"]) or "body", "problem": e["type"]}
                    for e in error.errors(include_input=False, include_url=False)])


def _refuse_invalid(req, resp, error, instance, model_adapter) -> None:
    """spectree's hook after validation: our error body instead of its list of errors."""
    if error is not None:
        raise InvalidInput.from_error(error)


spec = SpecTree(
    "flask", mode="strict", annotations=False, title="Cổng Làng API", version="1.0.0",
    description="The public procedure catalogue, a dossier's public status and the published "
                "questions and answers. Text comes in Vietnamese (lang=vi, the default) or "
                "English (lang=en). Field reports are served by a second, standard API: "
                "Open311 GeoReport v2 at /open311/v2/ (start at /open311/v2/discovery.xml or "
                ".json).",
    validation_error_status=400, validation_error_model=ErrorBody, before=_refuse_invalid,
    # Plain component names (the models' class names are unique), not spectree's hashed ones.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child)


@bp.errorhandler(InvalidInput)
def invalid_input(error: InvalidInput):
    names = ", ".join(dict.fromkeys(f["field"] for f in error.fields))
    return jsonify({"error": {"code": "invalid_input",
                              "message": _("Check these fields and send again: %(fields)s.",
                                           fields=names),
                              "fields": error.fields}}), 400


@bp.before_request
def read_json_once():
    """A body nested thousands deep makes the JSON parser raise RecursionError, which Flask's
    `silent` parsing does not catch: parse it here, once (Flask keeps the result)."""
    if request.method == "POST" and request.is_json:
        try:
            request.get_json(silent=True)
        except RecursionError:
            refuse(400, _("The JSON you sent is nested too deeply."))


@bp.get("/procedures")
@public
@shared_page(CATALOGUE)
@spec.validate(query=CatalogueQuery, resp=Response(HTTP_200=ProcedurePage), tags=["catalogue"])
def procedures():
    """Search the procedure catalogue.

    Active procedures only, sorted by name the Vietnamese way; `q` ignores accents, case and
    word order."""
    query: CatalogueQuery = request.context.query
    field = None
    if query.field:
        field = catalogue.field_by_code(db.session, query.field)
        if field is None:
            raise InvalidInput([{"field": "field", "problem": "unknown_field"}])
    with force_locale(query.lang):
        page = catalogue.search(db.session, catalogue.Search(query=query.q,
                                                             field_id=field.id if field else None),
                                query.lang, query.page, query.size)
        answer = ProcedurePage(lang=query.lang, query=query.q, field=query.field,
                               items=present.procedure_summaries(page.items, query.lang),
                               page=page.number, pages=page.pages, size=query.size,
                               total=page.total)
    return answer, 200, {"Cache-Control": PUBLIC_CACHE}


@bp.get("/procedures/<code>")
@public
@shared_page(CATALOGUE)
@spec.validate(query=LangQuery, resp=Response(HTTP_200=ProcedureDetail, HTTP_404=ErrorBody),
               tags=["catalogue"],
               path_parameter_descriptions={"code": "The national code, e.g. 1.001193."})
def procedure(code: str):
    """One procedure: papers to bring, fee per channel, processing time, legal basis."""
    query: LangQuery = request.context.query
    found = catalogue.get_by_code(db.session, code)
    if found is None:
        refuse(404, _("There is no procedure with this code in the catalogue."))
    with force_locale(query.lang):
        answer = present.procedure_detail(found, query.lang)
    return answer, 200, {"Cache-Control": PUBLIC_CACHE}


@bp.get("/fields")
@public
@shared_page(CATALOGUE)
@spec.validate(query=LangQuery, resp=Response(HTTP_200=FieldList), tags=["catalogue"])
def fields():
    """The fields of law, whose codes filter /api/v1/procedures."""
    query: LangQuery = request.context.query
    answer = FieldList(lang=query.lang, items=[present.field_out(f, query.lang) for f in
                                               catalogue.fields(db.session, query.lang)])
    return answer, 200, {"Cache-Control": PUBLIC_CACHE}


@bp.post("/dossiers/status")
@limiter.shared_limit(lookup_limit, scope=TRACK_SCOPE, methods=["POST"])
@public
@spec.validate(query=LangQuery, json=StatusLookup, form=StatusLookup,
               resp=Response(HTTP_200=DossierStatus, HTTP_404=ErrorBody, HTTP_429=ErrorBody),
               tags=["dossiers"])
def dossier_status():
    """A dossier's public status, by its code and the applicant's phone or ID number.

    The same answer (404) for a code that does not exist and for a wrong phone or ID number,
    so the API reveals nothing about other people's dossiers. Shares the tracking page's rate
    limit (429 when exceeded)."""
    query: LangQuery = request.context.query
    body: StatusLookup = request.context.json or request.context.form
    found = dossiers.track(db.session, body.code, body.contact)
    if found is None:
        refuse(404, _("No dossier matches this code and phone or ID number."))
    with force_locale(query.lang):
        answer = present.dossier_status(found, query.lang)
    return answer, 200, {"Cache-Control": "no-store"}  # personal data


@bp.get("/openapi.json")
@public
@spec.validate(resp=Response("HTTP_200"), tags=["meta"])
def openapi():
    """This document: OpenAPI 3.1, generated from the models that validate the requests."""
    return jsonify(spec.spec), 200, {"Cache-Control": PUBLIC_CACHE}


# Published questions and answers (app/petitions) add their routes to this blueprint.
from app.api import questions  # noqa: E402,F401
