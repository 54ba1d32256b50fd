"""Administration of field reports, on the admin blueprint: report categories (bilingual names,
answer time, extra fields, and per unit the department that takes them) and the API keys of
Open311 clients. Views parse and render; the rules are in app/reports/categories.py and
app/open311/keys.py. Administrators only."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.routes import _back, bp
from app.extensions import db
from app.locale import current_language
from app.models import ReportAttribute, ReportCategory
from app.open311 import keys
from app.reports import categories as svc
from app.reports.errors import ReportError
from app.reports.forms import ApiKeyForm, AttributeForm, CategoryForm, ConfirmForm, RouteForm
from app.reports.labels import ATTRIBUTE_TYPE_LABELS, message
from app.security import roles


def _blame(form, error: ReportError) -> None:
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = list(field.errors) + [message(error)]
    else:
        flash(message(error), "error")


def _category_or_404(category_id: int) -> ReportCategory:
    category = db.session.get(ReportCategory, category_id)
    if category is None:
        abort(404)
    return category


# -- categories --------------------------------------------------------------------------------

@bp.get("/report-categories")
@roles("admin")
def report_categories():
    return render_template("admin/report_categories.html",
                           categories=svc.all_categories(db.session))


def _category_data(form: CategoryForm) -> svc.CategoryData:
    return svc.CategoryData(
        code=form.code.data or "", name_vi=form.name_vi.data or "",
        name_en=form.name_en.data or "", description_vi=form.description_vi.data or "",
        description_en=form.description_en.data or "", group_vi=form.group_vi.data or "",
        group_en=form.group_en.data or "", keywords=form.keywords.data or "",
        sla_days=form.sla_days.data, position=form.position.data, active=form.active.data)


def _route_form(category: ReportCategory | None = None) -> RouteForm:
    lang = current_language()
    form = RouteForm(prefix="route")
    form.unit_id.choices = [(0, _("Choose…"))] + [
        (u.id, _("%(name)s (every commune)", name=u.name(lang)) if u.level == "province"
         else u.name(lang)) for u in svc.route_units(db.session)]
    form.department_id.choices = [(0, _("Choose…"))] + [
        (d.id, f"{d.name(lang)} · {d.unit.name(lang)}")
        for d in svc.departments_for_reports(db.session)]
    return form


def _category_page(category: ReportCategory | None, form: CategoryForm, status: int = 200,
                   route_form: RouteForm | None = None):
    return render_template("admin/report_category.html", category=category, form=form,
                           route_form=route_form or (_route_form() if category else None),
                           confirm=ConfirmForm(), type_labels=ATTRIBUTE_TYPE_LABELS), status


@bp.route("/report-categories/new", methods=["GET", "POST"])
@roles("admin")
def new_report_category():
    form = CategoryForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                category = svc.save_category(db.session, _category_data(form))
            except ReportError as error:
                db.session.rollback()
                _blame(form, error)
            else:
                flash(_("Category %(name)s saved. Now say where its reports go.",
                        name=category.name(current_language())), "success")
                return redirect(url_for("admin.edit_report_category", category_id=category.id))
        return _category_page(None, form, 400)
    return _category_page(None, form)


@bp.route("/report-categories/<int:category_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_report_category(category_id: int):
    category = _category_or_404(category_id)
    form = CategoryForm(obj=category if request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                svc.save_category(db.session, _category_data(form), category.id)
            except ReportError as error:
                db.session.rollback()
                _blame(form, error)
            else:
                flash(_("Category %(name)s saved.", name=category.name(current_language())),
                      "success")
                return redirect(url_for("admin.edit_report_category", category_id=category.id))
        return _category_page(category, form, 400)
    return _category_page(category, form)


@bp.post("/report-categories/<int:category_id>/active")
@roles("admin")
def toggle_report_category(category_id: int):
    category = _category_or_404(category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    svc.set_category_active(db.session, category.id, not category.active)
    flash(_("Residents can choose %(name)s again.", name=category.name(current_language()))
          if category.active else
          _("%(name)s is no longer offered to residents; its reports stay.",
            name=category.name(current_language())), "success")
    return redirect(_back(url_for("admin.report_categories")))


# -- extra fields ------------------------------------------------------------------------------

def _attribute_data(form: AttributeForm) -> svc.AttributeData:
    return svc.AttributeData(
        code=form.code.data or "", datatype=form.datatype.data or "",
        description_vi=form.description_vi.data or "",
        description_en=form.description_en.data or "", required=form.required.data,
        position=form.position.data, choices=form.choices.data or "")


def _attribute_view(category: ReportCategory, attribute: ReportAttribute | None):
    form = AttributeForm(obj=attribute if request.method == "GET" else None)
    if request.method == "GET" and attribute is not None:
        form.choices.data = svc.choices_text(attribute)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                svc.save_attribute(db.session, category.id, _attribute_data(form),
                                   attribute.id if attribute else None)
            except ReportError as error:
                db.session.rollback()
                _blame(form, error)
            else:
                flash(_("Question saved."), "success")
                return redirect(url_for("admin.edit_report_category", category_id=category.id))
        return render_template("admin/report_attribute_form.html", form=form,
                               category=category, attribute=attribute), 400
    return render_template("admin/report_attribute_form.html", form=form, category=category,
                           attribute=attribute)


@bp.route("/report-categories/<int:category_id>/attributes/new", methods=["GET", "POST"])
@roles("admin")
def new_report_attribute(category_id: int):
    return _attribute_view(_category_or_404(category_id), None)


@bp.route("/report-attributes/<int:attribute_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_report_attribute(attribute_id: int):
    attribute = db.get_or_404(ReportAttribute, attribute_id)
    return _attribute_view(attribute.category, attribute)


@bp.post("/report-attributes/<int:attribute_id>/delete")
@roles("admin")
def remove_report_attribute(attribute_id: int):
    attribute = db.get_or_404(ReportAttribute, attribute_id)
    category_id = attribute.category_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    svc.remove_attribute(db.session, attribute.id)
    flash(_("Question removed; reports already made keep their answers."), "success")
    return redirect(url_for("admin.edit_report_category", category_id=category_id))


# -- where the reports go -----------------------------------------------------------------------

@bp.post("/report-categories/<int:category_id>/routes")
@roles("admin")
def save_report_route(category_id: int):
    category = _category_or_404(category_id)
    form = _route_form(category)
    if form.validate_on_submit():
        try:
            svc.save_route(db.session, category.id, svc.RouteData(
                unit_id=form.unit_id.data or None, department_id=form.department_id.data or None,
                mode=form.mode.data or ""))
        except ReportError as error:
            db.session.rollback()
            _blame(form, error)
        else:
            flash(_("Saved: where reports of this category go."), "success")
            return redirect(url_for("admin.edit_report_category", category_id=category.id))
    return _category_page(category, CategoryForm(obj=category), 400, route_form=form)


@bp.post("/report-routes/<int:route_id>/delete")
@roles("admin")
def remove_report_route(route_id: int):
    from app.models import ReportRoute

    route = db.get_or_404(ReportRoute, route_id)
    category_id = route.category_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    svc.remove_route(db.session, route.id)
    flash(_("Removed: the routing rules for field reports decide there now."), "success")
    return redirect(url_for("admin.edit_report_category", category_id=category_id))


# -- Open311 API keys ---------------------------------------------------------------------------

@bp.route("/api-keys", methods=["GET", "POST"])
@roles("admin")
def api_keys():
    form = ApiKeyForm()
    new_key = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                row, new_key = keys.create_key(db.session, form.name.data or "",
                                               current_user.id)
            except ReportError as error:
                db.session.rollback()
                _blame(form, error)
                status = 400
            else:
                form = ApiKeyForm(formdata=None)
        else:
            status = 400
    response = render_template("admin/api_keys.html", form=form, keys=keys.all_keys(db.session),
                               new_key=new_key, confirm=ConfirmForm())
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/api-keys/<int:key_id>/revoke")
@roles("admin")
def revoke_api_key(key_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        row = keys.revoke(db.session, key_id)
    except ReportError:
        abort(404)
    flash(_("The key of %(name)s is revoked: it can no longer post reports.", name=row.name),
          "success")
    return redirect(url_for("admin.api_keys"))
