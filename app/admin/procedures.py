"""Administration of the procedure catalogue (views on the admin blueprint). Views only parse
input and render; the rules are in app/admin/procedure_services.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.labels import category_choices
from app.admin import procedure_services as services
from app.admin.procedure_forms import (DocumentForm, ProcedureFieldForm, ProcedureFilterForm,
                                       ProcedureForm, message_for)
from app.admin.routes import _back, _page, bp
from app.admin.services import AdminError
from app.extensions import db
from app.locale import current_language
from app.models import Procedure, ProcedureDocument, ProcedureField
from app.procedures.labels import template_helpers
from app.security import roles
from app.storage import file_store


@bp.context_processor
def catalogue_context():
    return template_helpers()


def _blame(form, error: AdminError) -> None:
    """The service's message next to the field it names (and, for a schema, every problem)."""
    field = getattr(form, error.field or "", None)
    messages = [message_for(error.code)]
    if isinstance(error, services.SchemaInvalid):
        messages += [p.message() for p in error.problems]
    if field is not None:
        field.errors = list(field.errors) + messages
    else:
        for message in messages:
            flash(str(message), "error")


# -- fields of law -------------------------------------------------------------------------

@bp.get("/procedure-fields")
@roles("admin")
def procedure_fields():
    return render_template("admin/procedure_fields.html",
                           fields=services.all_fields(db.session, current_language()),
                           counts=services.field_counts(db.session))


def _save_field_view(item: ProcedureField | None):
    form = ProcedureFieldForm(obj=item)
    form.category.choices = [("", _("Choose…"))] + category_choices()
    if form.validate_on_submit():
        try:
            saved = services.save_field(db.session, code=form.code.data, name_vi=form.name_vi.data,
                                        name_en=form.name_en.data, category=form.category.data,
                                        field_id=item.id if item else None)
        except AdminError as error:
            _blame(form, error)
        else:
            flash(_("Field %(name)s saved.", name=saved.name(current_language())), "success")
            return redirect(url_for("admin.procedure_fields"))
    return render_template("admin/procedure_field_form.html", form=form, item=item)


@bp.route("/procedure-fields/new", methods=["GET", "POST"])
@roles("admin")
def new_procedure_field():
    return _save_field_view(None)


@bp.route("/procedure-fields/<int:field_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_procedure_field(field_id: int):
    return _save_field_view(db.get_or_404(ProcedureField, field_id))


# -- procedures ----------------------------------------------------------------------------

@bp.get("/procedures")
@roles("admin")
def procedures():
    lang = current_language()
    form = ProcedureFilterForm(request.args)
    form.field.choices = [(0, _("All fields"))] + [
        (f.id, f.name(lang)) for f in services.all_fields(db.session, lang)]
    valid = form.validate()
    query = (form.q.data or "").strip() if valid else ""
    field_id = (form.field.data or None) if valid else None
    args = {k: v for k, v in (("q", query), ("field", field_id)) if v}
    return render_template("admin/procedures.html", form=form, args=args,
                           page=services.procedures_page(db.session, query, field_id, lang,
                                                         _page()))


def _procedure_form(procedure: Procedure | None) -> ProcedureForm:
    lang = current_language()
    form = ProcedureForm(obj=procedure)
    form.field_id.choices = [(0, _("Choose…"))] + [
        (f.id, f.name(lang)) for f in services.all_fields(db.session, lang)]
    if request.method == "GET" and procedure is not None:
        form.form_schema.data = services.schema_text(procedure.form_schema)
    elif request.method == "GET":
        form.agency_vi.data = "Ủy ban nhân dân cấp xã"
        form.agency_en.data = "Commune People's Committee"
    return form


def _procedure_data(form: ProcedureForm) -> services.ProcedureData:
    return services.ProcedureData(
        code=form.code.data, name_vi=form.name_vi.data, name_en=form.name_en.data,
        field_id=form.field_id.data or None, level=form.level.data,
        agency_vi=form.agency_vi.data, agency_en=form.agency_en.data,
        applicants_vi=form.applicants_vi.data, applicants_en=form.applicants_en.data,
        steps_vi=form.steps_vi.data, steps_en=form.steps_en.data,
        legal_basis_vi=form.legal_basis_vi.data, legal_basis_en=form.legal_basis_en.data,
        processing_days=form.processing_days.data, online_level=form.online_level.data,
        requires_approval=form.requires_approval.data, fee_in_person=form.fee_in_person.data,
        fee_online=form.fee_online.data, fee_post=form.fee_post.data,
        fee_note_vi=form.fee_note_vi.data, fee_note_en=form.fee_note_en.data,
        form_schema=form.form_schema.data or "", active=form.active.data)


def _save_procedure_view(procedure: Procedure | None):
    form = _procedure_form(procedure)
    if form.validate_on_submit():
        try:
            saved = services.save_procedure(db.session, _procedure_data(form),
                                            procedure.id if procedure else None)
        except AdminError as error:
            _blame(form, error)
        else:
            flash(_("Procedure %(code)s saved.", code=saved.code), "success")
            if procedure is None:
                return redirect(url_for("admin.procedure_documents", procedure_id=saved.id))
            return redirect(url_for("admin.procedures", q=saved.code))
    return render_template("admin/procedure_form.html", form=form, procedure=procedure)


@bp.route("/procedures/new", methods=["GET", "POST"])
@roles("admin")
def new_procedure():
    return _save_procedure_view(None)


@bp.route("/procedures/<int:procedure_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_procedure(procedure_id: int):
    return _save_procedure_view(db.get_or_404(Procedure, procedure_id))


@bp.post("/procedures/<int:procedure_id>/active")
@roles("admin")
def toggle_procedure(procedure_id: int):
    procedure = db.get_or_404(Procedure, procedure_id)
    try:
        procedure = services.set_procedure_active(db.session, procedure.id, not procedure.active)
    except AdminError as error:
        flash(str(message_for(error.code)), "error")
    else:
        flash(_("Procedure %(code)s is shown in the catalogue again.", code=procedure.code)
              if procedure.active else
              _("Procedure %(code)s is hidden from the catalogue.", code=procedure.code),
              "success")
    return redirect(_back(url_for("admin.procedures")))


# -- documents -----------------------------------------------------------------------------

@bp.get("/procedures/<int:procedure_id>/documents")
@roles("admin")
def procedure_documents(procedure_id: int):
    procedure = db.get_or_404(Procedure, procedure_id)
    return render_template("admin/procedure_documents.html", procedure=procedure)


def _document_data(form: DocumentForm) -> services.DocumentData:
    upload = form.template.data
    template = None
    if upload is not None and getattr(upload, "filename", ""):
        # Read one byte past the limit: enough to know it is too large, never the whole body.
        from app.uploads import TEMPLATE_MAX_BYTES

        template = (upload.read(TEMPLATE_MAX_BYTES + 1), upload.filename)
    return services.DocumentData(
        name_vi=form.name_vi.data, name_en=form.name_en.data,
        original_or_copy=form.original_or_copy.data, copies=form.copies.data,
        upload_required=form.upload_required.data, template=template,
        remove_template=form.remove_template.data, paper_type=form.paper_type.data)


@bp.route("/procedures/<int:procedure_id>/documents/new", methods=["GET", "POST"])
@roles("admin")
def new_procedure_document(procedure_id: int):
    procedure = db.get_or_404(Procedure, procedure_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            services.add_document(db.session, file_store(), procedure.id, _document_data(form))
        except AdminError as error:
            _blame(form, error)
        else:
            flash(_("Document added."), "success")
            return redirect(url_for("admin.procedure_documents", procedure_id=procedure.id))
    return render_template("admin/procedure_document_form.html", form=form,
                           procedure=procedure, document=None)


@bp.route("/procedure-documents/<int:document_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_procedure_document(document_id: int):
    document = db.get_or_404(ProcedureDocument, document_id)
    procedure = document.procedure
    form = DocumentForm(obj=document)
    if form.validate_on_submit():
        try:
            services.update_document(db.session, file_store(), document.id, _document_data(form))
        except AdminError as error:
            _blame(form, error)
        else:
            flash(_("Document saved."), "success")
            return redirect(url_for("admin.procedure_documents", procedure_id=procedure.id))
    return render_template("admin/procedure_document_form.html", form=form,
                           procedure=procedure, document=document)


@bp.post("/procedure-documents/<int:document_id>/delete")
@roles("admin")
def remove_procedure_document(document_id: int):
    document = db.get_or_404(ProcedureDocument, document_id)
    procedure_id = document.procedure_id
    try:
        services.remove_document(db.session, file_store(), document.id)
    except AdminError as error:
        flash(str(message_for(error.code)), "error")
    else:
        flash(_("Document removed."), "success")
    return redirect(url_for("admin.procedure_documents", procedure_id=procedure_id))


@bp.post("/procedure-documents/<int:document_id>/move-<any(up, down):direction>")
@roles("admin")
def move_procedure_document(document_id: int, direction: str):
    document = db.get_or_404(ProcedureDocument, document_id)
    procedure_id = document.procedure_id
    try:
        services.move_document(db.session, document.id, direction)
    except AdminError as error:
        flash(str(message_for(error.code)), "error")
    return redirect(url_for("admin.procedure_documents", procedure_id=procedure_id,
                            _anchor=f"document-{document_id}"))


