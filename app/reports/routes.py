"""Residents' and the public's pages of field reports: the list (by commune, village, category
and state, with accent-insensitive search, and the villages of a commune as the map-free
view), a report's page with its answer, the two steps of reporting (what and where, with the
open reports nearby shown before anything is sent; then the details and photos), supporting,
and the reporter's rating. Views parse and render; the rules are in services.py."""
from __future__ import annotations

import secrets

from flask import (abort, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.dossiers.forms import RATING_LABELS
from app.downloads import send_stored
from app.extensions import db, limiter
from app.input_guard import query_id, query_page
from app.links import redirect_back
from app.locale import current_language
from app.models import FieldReport, FieldReportPhoto
from app.reports import bp, services
from app.reports.categories import active_categories, all_categories, answer_text, by_code
from app.reports.errors import ReportError
from app.reports.forms import PlaceForm, RatingForm, ReportForm, SupportForm
from app.reports.labels import LOCATION_SOURCE_LABELS, PUBLIC_STATE_TEXT, PUBLIC_STATES, message
from app.reports.nearby import open_in_village, open_nearby
from app.security import public, signed_in
from app.templating import is_htmx
from app.units.services import units_of_level
from app.ratelimits import account_key


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _report_limit() -> str:
    return current_app.config["RATELIMIT_REPORT"]


@bp.context_processor
def report_labels():
    return {"state_labels": PUBLIC_STATES, "state_text": PUBLIC_STATE_TEXT,
            "public_state": services.public_state, "source_labels": LOCATION_SOURCE_LABELS,
            "answer_text": answer_text, "rating_labels": RATING_LABELS}


def _visible(report_id: int) -> FieldReport:
    report = db.session.get(FieldReport, report_id)
    if report is None:
        abort(404)
    return report


# -- the list ----------------------------------------------------------------------------------

@bp.get("/")
@public
def index():
    lang = current_language()
    communes = units_of_level(db.session, "commune")
    commune_id = query_id("commune")
    if commune_id not in {c.id for c in communes}:
        commune_id = None
    villages = [v for v in units_of_level(db.session, "village") if v.parent_id == commune_id]
    village_id = query_id("village")
    if village_id not in {v.id for v in villages}:
        village_id = None
    categories = all_categories(db.session)
    category = by_code(db.session, request.args.get("category"), active_only=False)
    state = request.args.get("state", "")
    state = state if state in services.PUBLIC_STATES else ""
    q = " ".join(request.args.get("q", "").split())[:100]
    filters = services.Filters(commune_id=commune_id, village_id=village_id,
                               category_id=category.id if category else None, state=state or None,
                               q=q)
    page = services.browse(db.session, filters, query_page())
    args = {k: v for k, v in {"commune": commune_id, "village": village_id,
                              "category": category.code if category else None, "state": state,
                              "q": q}.items() if v}
    overview = (services.village_counts(db.session, commune_id)
                if commune_id and not village_id else [])
    response = make_response(render_template(
        "reports/index.html", page=page, communes=communes, villages=villages,
        commune_id=commune_id, village_id=village_id, categories=categories,
        category=category, state=state, q=q, args=args, overview=overview, lang=lang))
    return response


@bp.get("/mine")
@signed_in
def mine():
    return render_template("reports/mine.html", page=services.mine(db.session, _me(), query_page()))


# -- one report --------------------------------------------------------------------------------

@bp.get("/<int:report_id>")
@public
def detail(report_id: int):
    report = _visible(report_id)
    me = _me()
    case = report.case
    original = (services.for_case(db.session, report.merged_into_id)
                if report.merged_into_id else None)
    return render_template(
        "reports/detail.html", report=report, case=case, original=original,
        state=services.public_state(report, case),
        supported=services.has_supported(db.session, me, report.case_id),
        may_support=services.may_support(report, case, me),
        may_rate=services.may_rate(report, me),
        is_reporter=bool(me and me.id == report.reporter_id),
        is_staff=bool(me and me.is_staff), support_form=SupportForm())


def _photo_response(key: str):
    # Public and cleaned of metadata (always re-encoded as JPEG); a day's cache spares rural
    # connections.
    return send_stored(key, "jpeg", cache="public, max-age=86400")


@bp.get("/<int:report_id>/photos/<int:position>")
@public
def photo(report_id: int, position: int):
    row = db.session.scalar(select(FieldReportPhoto).where(
        FieldReportPhoto.case_id == report_id, FieldReportPhoto.position == position))
    if row is None:
        abort(404)
    return _photo_response(row.key)


@bp.get("/<int:report_id>/fix-photo")
@public
def fix_photo(report_id: int):
    report = _visible(report_id)
    if not report.fix_photo_key:
        abort(404)
    return _photo_response(report.fix_photo_key)


@bp.post("/<int:report_id>/support")
@signed_in
def support(report_id: int):
    report = _visible(report_id)
    form = SupportForm()
    if not form.validate_on_submit():
        abort(400)
    status = 200
    try:
        report = services.support(db.session, report.case_id, _me())
    except ReportError as error:
        db.session.rollback()
        text, category, status = message(error), "error", 409
    else:
        text, category = _("Thank you: you will hear of the commune's answer too."), "success"
    if is_htmx():
        response = make_response(render_template(
            "reports/_support.html", report=report, supported=True, may_support=False,
            support_form=form, support_message=text, support_category=category), status)
        response.headers["Vary"] = "HX-Request"
        return response
    flash(text, category)
    return redirect_back(request.form.get("next"),
                         url_for("reports.detail", report_id=report.case_id))


@bp.route("/<int:report_id>/rate", methods=["GET", "POST"])
@signed_in
def rate(report_id: int):
    report = _visible(report_id)
    me = _me()
    if report.reporter_id != me.id:
        abort(404)  # someone else's report: there is no rating page for them
    if not services.may_rate(report, me):
        flash(message(ReportError("not_rateable")), "error")
        return redirect(url_for("reports.detail", report_id=report.case_id))
    form = RatingForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.rate(db.session, report.case_id, me, form.level.data, form.comment.data)
            except ReportError as error:
                db.session.rollback()
                flash(message(error), "error")
                return redirect(url_for("reports.detail", report_id=report.case_id))
            flash(_("Thank you: your rating of the answer is recorded."), "success")
            return redirect(url_for("reports.detail", report_id=report.case_id))
        status = 400
    return render_template("reports/rate.html", report=report, form=form), status


# -- reporting ---------------------------------------------------------------------------------

def _choose(form: PlaceForm) -> list:
    lang = current_language()
    categories = active_categories(db.session)
    form.category.choices = [(c.code, c.name(lang)) for c in categories]
    communes = units_of_level(db.session, "commune")
    form.commune_id.choices = [("", _("Choose…"))] + [(str(c.id), c.name(lang)) for c in communes]
    villages = [(str(v.id), f"{v.name(lang)} ({c.name(lang)})") for c in communes
                for v in units_of_level(db.session, "village") if v.parent_id == c.id]
    form.village_id.choices = [("", _("None, or I do not know"))] + villages
    return categories


def _as_id(raw) -> int | None:
    from app.inputs import parse_id

    try:
        return parse_id(raw)
    except ValueError:
        return None


STEP_ONE_FIELDS = ("category", "commune_id", "village_id", "address", "lat", "long")
STEP_TWO_FIELDS = ("description", "photos", "anonymous")


def _blame(form, error: ReportError, shown: tuple[str, ...]) -> None:
    """The message next to its field when the page shows that field, else at the top."""
    text = message(error)
    name = {"location": "address"}.get(error.field or "", error.field or "")
    field = getattr(form, name, None) if name in shown else None
    if field is not None:
        field.errors = list(field.errors) + [text]
    elif name.startswith("attribute-"):
        form.attribute_errors = {**getattr(form, "attribute_errors", {}), name: text}
    else:
        flash(text, "error")


def _place(form: PlaceForm):
    """Step one checked: the category, commune, village and coordinates (ReportError)."""
    category = by_code(db.session, form.category.data)
    if category is None:
        raise ReportError("category_required", "category")
    commune, village = services.check_place(db.session, _as_id(form.commune_id.data),
                                            _as_id(form.village_id.data))
    point = services.check_coordinates(form.lat.data, form.long.data)
    return category, commune, village, point


def _attribute_values(category) -> dict[str, list[str]]:
    return {a.code: request.form.getlist(f"attribute-{a.code}") for a in category.attributes}


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"], key_func=account_key)
@signed_in
def new():
    me = _me()
    if request.method == "GET" and not request.args.get("category"):
        form = PlaceForm(formdata=None)
        categories = _choose(form)
        if me.commune_id:
            form.commune_id.data = str(me.commune_id)
        if me.village_id:
            form.village_id.data = str(me.village_id)
        return render_template("reports/new.html", form=form, categories=categories)
    if request.method == "GET":
        form = PlaceForm(formdata=request.args)
        categories = _choose(form)
        if form.validate():
            try:
                category, commune, village, point = _place(form)
            except ReportError as error:
                _blame(form, error, STEP_ONE_FIELDS)
            else:
                if point is None and village is None and not (form.address.data or "").strip():
                    _blame(form, ReportError("location_required", "location"), STEP_ONE_FIELDS)
                else:
                    details = ReportForm(formdata=None, obj=None)
                    _choose(details)
                    for name in ("category", "commune_id", "village_id", "address", "lat",
                                 "long", "location_source"):
                        getattr(details, name).data = getattr(form, name).data
                    details.idempotency_key.data = secrets.token_urlsafe(24)
                    return _details(details, category, commune, village, point)
        return render_template("reports/new.html", form=form, categories=categories), 400
    form = ReportForm()
    _choose(form)
    category = by_code(db.session, form.category.data)
    if form.validate_on_submit() and category is not None:
        uploads = [services.Photo(f.read(8 * 1024 * 1024 + 1), f.filename or "")
                   for f in (form.photos.data or []) if getattr(f, "filename", "")]
        data = services.ReportInput(
            category_code=category.code, description=form.description.data or "",
            commune_id=_as_id(form.commune_id.data), village_id=_as_id(form.village_id.data),
            address=form.address.data or "", lat=form.lat.data, lng=form.long.data,
            location_source="device" if form.location_source.data == "device" else "typed",
            anonymous=bool(form.anonymous.data), attributes=_attribute_values(category),
            idempotency_key=form.idempotency_key.data or None)
        try:
            report = services.create_report(db.session, me, data, uploads)
        except ReportError as error:
            db.session.rollback()
            _blame(form, error, STEP_TWO_FIELDS)
        else:
            flash(_("Thank you: your report %(code)s is sent to the commune.",
                    code=report.case.code), "success")
            return redirect(url_for("reports.detail", report_id=report.case_id))
    elif category is None:
        form.category.errors = list(form.category.errors) + [
            message(ReportError("category_required"))]
    if category is None:
        return render_template("reports/new.html", form=form,
                               categories=active_categories(db.session)), 400
    commune = village = point = None
    try:
        _cat, commune, village, point = _place(form)
    except ReportError:
        pass
    return _details(form, category, commune, village, point, status=400)


def _details(form: ReportForm, category, commune, village, point, status: int = 200):
    radius = current_app.config["REPORT_DUPLICATE_RADIUS_M"]
    nearby = []
    if point is not None:
        nearby = open_nearby(db.session, category_id=category.id, lat=point[0], lng=point[1],
                             radius_m=radius)
    elif village is not None:
        nearby = open_in_village(db.session, category_id=category.id, village_id=village.id)
    values = {a.code: request.form.getlist(f"attribute-{a.code}") if request.method == "POST"
              else [] for a in category.attributes}
    return render_template("reports/details.html", form=form, category=category,
                           commune=commune, village=village, point=point, nearby=nearby,
                           radius=radius, values=values, support_form=SupportForm(),
                           attribute_errors=getattr(form, "attribute_errors", {})), status
