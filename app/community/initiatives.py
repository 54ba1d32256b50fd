"""Pages of community initiatives on the `community` blueprint: the list with search, the
detail page, propose / edit / publish / withdraw / support for residents, the official answer
(the workbench's page for "complete" on an initiative case) and progress for staff.
Views only parse and render; the rules are in app/community/initiatives_service.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.community import bp
from app.community import initiatives_service as svc
from app.community.initiatives_forms import (CATEGORY_LABELS, ERRORS, NEED_LABELS, SORT_LABELS,
                                             STATUS_LABELS, AnswerForm, ConfirmForm,
                                             InitiativeForm, ProgressForm)
from app.downloads import send_stored
from app.extensions import db
from app.input_guard import query_id, query_page
from app.inputs import parse_id
from app.links import redirect_back
from app.locale import current_language
from app.models import Initiative
from app.models.users import STAFF_ROLES
from app.queue.errors import IllegalTransition, NotAllowed, QueueError, StaleCase
from app.security import public, roles, signed_in
from app.templating import is_htmx

# Every staff account; which commune each may act in, the services decide.
STAFF = tuple(sorted(STAFF_ROLES))


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _labels() -> dict:
    return {"category_labels": CATEGORY_LABELS, "need_labels": NEED_LABELS,
            "status_labels": STATUS_LABELS, "sort_labels": SORT_LABELS}


def _message(error: svc.InitiativeError) -> str:
    message = ERRORS.get(error.code, ERRORS["not_found"])
    return str(message) % error.details if error.details else str(message)


def _blame(form, error: svc.InitiativeError) -> None:
    text = _message(error)
    name = error.field or ""
    if name.startswith("needs-"):
        name = f"need_description_{name.split('-')[1]}"
    field = getattr(form, name, None)
    if field is not None:
        field.errors = list(field.errors) + [text]
    else:
        flash(text, "error")


def _visible(initiative_id: int) -> Initiative:
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or not svc.can_see(db.session, _me(), initiative):
        abort(404)
    return initiative


# -- browse ----------------------------------------------------------------------------------

@bp.get("/")
@bp.get("/initiatives")
@public
def initiatives():
    commune_id = query_id("commune")
    village_id = query_id("village")
    sort = request.args.get("sort", "newest")
    if sort not in svc.SORTS:
        sort = "newest"
    q = " ".join(request.args.get("q", "").split())[:100]
    page = svc.search_page(db.session, commune_id=commune_id, village_id=village_id, sort=sort,
                           q=q, page=query_page())
    me = _me()
    args = {k: v for k, v in {"commune": commune_id, "village": village_id, "sort": sort,
                              "q": q}.items() if v}
    return render_template(
        "community/initiatives.html", page=page, communes=svc.communes(db.session),
        villages=svc.villages_of(db.session, commune_id), commune_id=commune_id,
        village_id=village_id, sort=sort, q=q, args=args,
        mine=svc.mine(db.session, me) if me is not None else [], **_labels())


@bp.get("/initiatives/<int:initiative_id>")
@public
def initiative(initiative_id: int):
    item = _visible(initiative_id)
    me = _me()
    return render_template(
        "community/initiative.html", initiative=item,
        versions=svc.versions(db.session, item.id), updates=svc.updates(db.session, item.id),
        supported=svc.has_supported(db.session, me, item.id),
        may_edit=svc.may_edit(me, item), is_staff=svc.is_staff_of(db.session, me, item.unit_id),
        under_way=svc.is_under_way(item),
        settings=svc.settings_for(db.session, item.unit_id), **_labels())


@bp.get("/initiatives/<int:initiative_id>/photo")
@public
def initiative_photo(initiative_id: int):
    """The initiative's photo, a progress update's (`?update=<id>`) or the one an earlier
    version showed (`?version=<number>`), to whoever may see the initiative."""
    item = _visible(initiative_id)
    update_id, version = query_id("update"), query_id("version")
    row = item
    if update_id is not None:
        row = next((u for u in svc.updates(db.session, item.id) if u.id == update_id), None)
    elif version is not None:
        row = next((v for v in svc.versions(db.session, item.id) if v.version == version), None)
    return send_stored(row.photo_key if row else None, row.photo_kind if row else None)


# -- propose and edit ------------------------------------------------------------------------

def _choose_units(form: InitiativeForm) -> None:
    communes = svc.communes(db.session)
    lang = current_language()
    form.unit_id.choices = [("", _("Choose…"))] + [(str(c.id), c.name(lang)) for c in communes]
    by_commune = svc.villages_by_commune(db.session)
    villages = [(str(v.id), f"{v.name(lang)} ({c.name(lang)})") for c in communes
                for v in by_commune.get(c.id, [])]
    form.village_id.choices = [("", _("None: the whole commune"))] + villages


def _as_id(raw) -> int | None:
    try:
        return parse_id(raw)
    except ValueError:
        return None


def _input(form: InitiativeForm) -> svc.InitiativeInput:
    needs = [svc.NeedInput(kind=getattr(form, f"need_kind_{i}").data or "",
                           description=getattr(form, f"need_description_{i}").data or "",
                           quantity=getattr(form, f"need_quantity_{i}").data or "",
                           unit_label=getattr(form, f"need_unit_{i}").data or "")
             for i in range(svc.MAX_NEEDS)]
    return svc.InitiativeInput(
        title=form.title.data or "", description=form.description.data or "",
        unit_id=_as_id(form.unit_id.data), village_id=_as_id(form.village_id.data),
        category=form.category.data or "", estimated_cost=form.estimated_cost.data or "",
        needs=needs)


def _photo(form) -> svc.Photo | None:
    upload = form.photo.data
    if upload is None or not getattr(upload, "filename", "") or not hasattr(upload, "read"):
        return None
    # One byte past the limit is enough to know it is too large.
    return svc.Photo(upload.read(svc.PHOTO_MAX_BYTES + 1), upload.filename)


def _fill(form: InitiativeForm, item: Initiative) -> None:
    form.title.data, form.description.data = item.title, item.description
    form.unit_id.data = str(item.unit_id)
    form.village_id.data = str(item.village_id) if item.village_id else ""
    form.category.data = item.category
    form.estimated_cost.data = str(item.estimated_cost) if item.estimated_cost is not None else ""
    for i, need in enumerate(item.needs[:svc.MAX_NEEDS]):
        getattr(form, f"need_kind_{i}").data = need.kind
        getattr(form, f"need_description_{i}").data = need.description
        getattr(form, f"need_quantity_{i}").data = str(need.quantity or "")
        getattr(form, f"need_unit_{i}").data = need.unit_label or ""


@bp.route("/initiatives/new", methods=["GET", "POST"])
@signed_in
def propose():
    form = InitiativeForm()
    _choose_units(form)
    me = _me()
    if request.method == "GET" and me.commune_id:
        form.unit_id.data = str(me.commune_id)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                item = svc.propose(db.session, me, _input(form), _photo(form),
                                   publish=request.form.get("action") == "publish")
            except svc.InitiativeError as error:
                db.session.rollback()
                _blame(form, error)
            else:
                flash(_("Your initiative is published.") if item.status == "published"
                      else _("Your draft is saved. Only you can see it until you publish it."),
                      "success")
                return redirect(url_for("community.initiative", initiative_id=item.id))
        status = 400
    return render_template("community/initiative_form.html", form=form, item=None,
                           need_rows=range(svc.MAX_NEEDS)), status


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(initiative_id: int):
    item = _visible(initiative_id)
    me = _me()
    if item.author_id != me.id:
        abort(403)
    if not svc.may_edit(me, item):
        flash(str(ERRORS["answered"]), "error")
        return redirect(url_for("community.initiative", initiative_id=item.id))
    form = InitiativeForm()
    _choose_units(form)
    if request.method == "GET":
        _fill(form, item)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                svc.edit(db.session, item.id, me, _input(form), _photo(form),
                         publish=request.form.get("action") == "publish")
            except svc.InitiativeError as error:
                db.session.rollback()
                _blame(form, error)
            else:
                flash(_("Your changes are saved."), "success")
                return redirect(url_for("community.initiative", initiative_id=item.id))
        status = 400
    return render_template("community/initiative_form.html", form=form, item=item,
                           need_rows=range(svc.MAX_NEEDS)), status


@bp.post("/initiatives/<int:initiative_id>/publish")
@signed_in
def publish(initiative_id: int):
    item = _visible(initiative_id)
    me = _me()
    if item.author_id != me.id:
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if item.status != "draft":
        return redirect(url_for("community.initiative", initiative_id=item.id))
    data = svc.InitiativeInput(
        title=item.title, description=item.description, unit_id=item.unit_id,
        village_id=item.village_id, category=item.category,
        estimated_cost=str(item.estimated_cost) if item.estimated_cost is not None else "",
        needs=[svc.NeedInput(n.kind, n.description, str(n.quantity or ""), n.unit_label or "")
               for n in item.needs])
    try:
        svc.edit(db.session, item.id, me, data, publish=True)
    except svc.InitiativeError as error:
        db.session.rollback()
        flash(_message(error), "error")
    else:
        flash(_("Your initiative is published."), "success")
    return redirect(url_for("community.initiative", initiative_id=item.id))


@bp.route("/initiatives/<int:initiative_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(initiative_id: int):
    item = _visible(initiative_id)
    me = _me()
    if item.author_id != me.id:
        abort(403)
    if not svc.may_withdraw(me, item):
        flash(str(ERRORS["answered"]), "error")
        return redirect(url_for("community.initiative", initiative_id=item.id))
    form = ConfirmForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.confirm.data:
            try:
                svc.withdraw(db.session, item.id, me)
            except (svc.InitiativeError, QueueError) as error:
                db.session.rollback()
                flash(_message(error) if isinstance(error, svc.InitiativeError)
                      else str(ERRORS["answered"]), "error")
            else:
                flash(_("Your initiative is withdrawn."), "success")
            return redirect(url_for("community.initiative", initiative_id=item.id))
        if not form.errors:
            form.confirm.errors = [_("Tick the box to confirm.")]
        status = 400
    return render_template("community/initiative_withdraw.html", form=form,
                           initiative=item), status


@bp.post("/initiatives/<int:initiative_id>/support")
@signed_in
def support(initiative_id: int):
    item = _visible(initiative_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = svc.support(db.session, item.id, _me())
    except svc.InitiativeError as error:
        db.session.rollback()
        item = db.session.get(Initiative, item.id, populate_existing=True)
        message, category = _message(error), "error"
    else:
        item = result.initiative
        message = (_("Thank you: the initiative reached its commune's threshold and now waits "
                     "for an official answer.") if result.became_case
                   else _("Thank you for your support."))
        category = "success"
    if is_htmx():
        # htmx swaps only 2xx answers: a refusal comes back as 200 with its message.
        return render_template(
            "community/_support.html", initiative=item,
            supported=svc.has_supported(db.session, _me(), item.id),
            settings=svc.settings_for(db.session, item.unit_id), message=message,
            category=category)
    flash(message, category)
    return redirect_back(request.form.get("next"),
                         url_for("community.initiative", initiative_id=item.id))


# -- staff: answer and progress --------------------------------------------------------------

@bp.route("/cases/<int:case_id>/answer", methods=["GET", "POST"])
@roles(*STAFF)
def answer(case_id: int):
    """The official answer, the workbench's page for "complete" on an initiative case."""
    from app.queue.actions import capacities_of, view_of
    from app.queue.states import Action, check
    from app.workbench import services as workbench
    from app.models import utcnow

    me = _me()
    try:
        case = workbench.case_for(db.session, me, case_id)
    except NotAllowed:
        abort(403)
    item = svc.for_case(db.session, case_id) if case is not None else None
    if item is None:
        abort(404)
    try:
        check(view_of(case, utcnow()), Action.COMPLETE, capacities_of(db.session, case, me))
    except NotAllowed:
        abort(403)
    except IllegalTransition:
        flash(_("The answer can be given once the case is being processed: receive it and "
                "start processing first."), "error")
        return redirect(url_for("workbench.case_detail", case_id=case.id))
    removed = svc.was_removed(db.session, item)
    form = AnswerForm()
    if request.method == "GET":
        form.version.data = case.version
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                svc.answer(db.session, case.id, me, accepted=form.decision.data == "accept",
                           text=form.text.data or "", expected_version=form.version.data)
            except svc.InitiativeError as error:
                db.session.rollback()
                if error.code == "answer_required":
                    form.text.errors = list(form.text.errors) + [_message(error)]
                else:
                    flash(_message(error), "error")
            except QueueError as error:
                db.session.rollback()
                flash(_("The case changed meanwhile; nothing was saved. Check it and try again.")
                      if isinstance(error, StaleCase) else
                      _("This action is no longer possible on the case."), "error")
                return redirect(url_for("workbench.case_detail", case_id=case_id))
            else:
                flash(_("The case is stopped: a moderator removed the initiative.") if removed
                      else _("The answer is published; the author and supporters are told."),
                      "success")
                return redirect(url_for("workbench.case_detail", case_id=case_id))
        status = 400
    return render_template("community/initiative_answer.html", form=form, case=case,
                           initiative=item, removed=removed, **_labels()), status


@bp.route("/initiatives/<int:initiative_id>/progress", methods=["GET", "POST"])
@roles(*STAFF)
def progress(initiative_id: int):
    item = _visible(initiative_id)
    me = _me()
    if not svc.is_staff_of(db.session, me, item.unit_id):
        abort(403)
    if not svc.is_under_way(item):
        flash(str(ERRORS["not_accepted"]), "error")
        return redirect(url_for("community.initiative", initiative_id=item.id))
    form = ProgressForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                svc.post_update(db.session, item.id, me, form.body.data or "", _photo(form),
                                done=bool(form.done.data))
            except svc.InitiativeError as error:
                db.session.rollback()
                _blame(form, error)
            else:
                flash(_("Progress posted; the author and supporters are told."), "success")
                return redirect(url_for("community.initiative", initiative_id=item.id))
        status = 400
    return render_template("community/initiative_progress.html", form=form,
                           initiative=item), status
