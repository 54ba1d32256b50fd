"""The public procedure catalogue: browse, search, read a procedure, download its forms.
Views only parse input and render; the rules are in app/procedures/services.py."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import gettext as _

from app.downloads import send_stored
from app.input_guard import query_page
from app.extensions import db
from app.locale import current_language
from app.page_cache import CATALOGUE, shared_page
from app.models import ProcedureDocument
from app.procedures import services
from app.procedures.forms import CatalogueSearchForm
from app.procedures.labels import CHANNEL_LABELS, template_helpers
from app.security import public
from app.templating import is_htmx
from app.uploads import KINDS

bp = Blueprint("procedures", __name__, url_prefix="/<lang:lang_code>/procedures")


@bp.context_processor
def catalogue_context():
    return template_helpers()


@bp.get("/")
@public
@shared_page(CATALOGUE)
def catalogue():
    lang = current_language()
    form = CatalogueSearchForm(request.args)
    known = services.fields(db.session, lang)
    form.field.choices = [("", _("All fields"))] + [(f.code, f.name(lang)) for f in known]
    valid = form.validate()
    query = (form.q.data or "").strip() if valid else ""
    # Every field is in `known` already: an unknown code finds none there (no filter), as the
    # query by code did, and costs no second query.
    field = next((f for f in known if f.code == form.field.data), None) if valid else None
    page = services.search(db.session, services.Search(query=query,
                                                       field_id=field.id if field else None),
                           lang, query_page())
    args = {k: v for k, v in (("q", query), ("field", field.code if field else None)) if v}
    template = "procedures/_results.html" if is_htmx() else "procedures/catalogue.html"
    response = make_response(render_template(template, form=form, page=page, args=args,
                                              query=query, field=field, fields=known))
    response.vary.add("HX-Request")
    return response


@bp.get("/<code>")
@public
def detail(code: str):
    procedure = services.get_by_code(db.session, code) or abort(404)
    # The questions residents asked about it, once answered and published (app/petitions).
    from app.petitions.privacy import public_text
    from app.petitions.public import for_procedure

    return render_template("procedures/detail.html", procedure=procedure,
                           channels=list(CHANNEL_LABELS),
                           procedure_questions=for_procedure(db.session, procedure.id),
                           procedure_public_text=public_text)


@bp.get("/<code>/documents/<int:document_id>/template")
@public
def document_template(code: str, document_id: int):
    procedure = services.get_by_code(db.session, code) or abort(404)
    document = db.session.get(ProcedureDocument, document_id)
    if document is None or document.procedure_id != procedure.id or not document.template_key:
        abort(404)
    kind = KINDS.get(document.template_kind or "") or abort(404)
    return send_stored(document.template_key, kind.code,
                       filename=services.template_filename(document, kind.code),
                       cache="public, max-age=300")
