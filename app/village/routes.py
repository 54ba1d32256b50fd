"""The village needs board's pages: the board, a need, posting and editing, supporting and
volunteering (htmx-enhanced, plain forms without JavaScript), progress, closing, asking the
commune for help, and the administrator's page of village heads. Rules live in services.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.errors import refuse
from app.extensions import db
from app.input_guard import query_id, query_page
from app.links import redirect_back
from app.locale import current_language
from app.models import VillageNeed, utcnow
from app.models.users import STAFF_ROLES
from app.queue.calendar import local_day
from app.security import public, roles
from app.templating import is_htmx
from app.units.services import units_of_level
from app.village import bp, services
from app.village.forms import (AskForHelpForm, HeadForm, NeedForm, ReceivedForm, RemoveHeadForm,
                               StatusForm, SupportForm, UpdateForm, VolunteerForm,
                               parse_quantity)
from app.village.labels import SORT_LABELS, STATUS_LABELS, category_name, status_name
from app.village.services import BoardFilters, NeedError, NeedInput

# Every staff account; which commune each may act in, the services decide.
STAFF = tuple(sorted(STAFF_ROLES))

ERRORS = {
    "bad_place": _l("Choose a village or commune from the list."),
    "not_your_commune": _l("You are not staff of that commune, so you cannot post or change "
                           "its needs."),
    "not_your_village": _l("As a village head you may post needs only for your own village. "
                           "Nothing was saved."),
    "bad_category": _l("Choose a category from the list."),
    "needed_by_past": _l("The date it is needed by cannot be in the past."),
    "too_many_items": _l("At most 6 items."),
    "bad_quantity": _l("Enter a whole number from %(min)s to %(max)s.",
                       min=1, max="1.000.000.000.000"),
    "item_has_receipts": _l("An item that has already received something cannot be removed."),
    "not_open": _l("This need is no longer open."),
    "already_supported": _l("You have already supported this need. A person supports a need "
                            "once."),
    "already_volunteered": _l("You have already signed up to volunteer for this need."),
    "not_volunteered": _l("You have not signed up to volunteer for this need."),
    "bad_item": _l("Choose an item from the list."),
    "bad_status": _l("Choose a status from the list."),
    "same_status": _l("The need already has this status."),
    "already_asked": _l("The commune has already been asked for help with this need."),
    "no_route": _l("The commune has no department taking village needs yet. Ask the "
                   "administrator to add a routing rule."),
    "forbidden": _l("Only staff of the commune or the head of the village may do this."),
    "not_an_officer": _l("Choose an active officer account."),
}


@bp.after_request
def _vary_on_htmx(response):
    # Supporting and volunteering answer htmx with a fragment and a plain post with a page,
    # on the same URL: caches must keep the two apart.
    response.vary.add("HX-Request")
    return response


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _need_or_404(need_id: int) -> VillageNeed:
    need = services.visible_need(db.session, need_id, _user())
    if need is None:
        refuse(404)
    return need


def _managed_or_403(need_id: int) -> VillageNeed:
    need = _need_or_404(need_id)
    if not services.may_manage(db.session, _user(), need):
        refuse(403, ERRORS["forbidden"])
    return need


# -- the board ------------------------------------------------------------------------------

@bp.get("/")
@public
def board():
    lang = current_language()
    status = request.args.get("status", "open")
    sort = request.args.get("sort", "newest")
    filters = BoardFilters(commune_id=query_id("commune"), village_id=query_id("village"),
                           status=status if status in services.STATUSES else "open",
                           sort=sort if sort in services.SORTS else "newest",
                           q=(request.args.get("q") or "")[:200])
    page = services.board_page(db.session, filters, query_page(), _user())
    communes = units_of_level(db.session, "commune")
    villages = [v for v in units_of_level(db.session, "village")
                if filters.commune_id is None or v.parent_id == filters.commune_id]
    args = {k: v for k, v in {"commune": filters.commune_id, "village": filters.village_id,
                              "status": filters.status, "sort": filters.sort,
                              "q": filters.q}.items() if v}
    can_post = bool(_user() and _user().is_staff
                    and services.places_for(db.session, _user()))
    # Above the needs: alerts in force, then the latest announcements (app/village/alerts.py,
    # announcements.py).
    from app.village import alerts, announcements

    notices = {"alerts": alerts.current_alerts(db.session, utcnow()),
               "latest": announcements.latest_for_board(
                   db.session, _user(), commune_id=filters.commune_id,
                   village_id=filters.village_id)}
    return render_template("village/board.html", page=page, filters=filters, communes=communes,
                           villages=villages, args=args, lang=lang, can_post=can_post,
                           notices=notices,
                           status_labels=STATUS_LABELS, sort_labels=SORT_LABELS,
                           category_name=category_name, status_name=status_name,
                           today=local_day(utcnow()))


@bp.get("/needs/<int:need_id>")
@public
def need(need_id: int):
    return _render_need(_need_or_404(need_id))


def _render_need(need: VillageNeed, status: int = 200, **forms):
    user = _user()
    manager = services.may_manage(db.session, user, need)
    volunteers = services.volunteers_of(db.session, need)
    received = forms.get("received_form") or ReceivedForm()
    received.item.choices = [(i.id, i.description) for i in need.items]
    return render_template(
        "village/need.html", need=need, manager=manager, volunteers=volunteers,
        updates=services.updates_of(db.session, need),
        supported=services.has_supported(db.session, need, user),
        signup=services.own_signup(db.session, need, user),
        volunteer_form=forms.get("volunteer_form") or VolunteerForm(),
        update_form=forms.get("update_form") or UpdateForm(),
        received_form=received, status_form=forms.get("status_form") or StatusForm(),
        lang=current_language(), category_name=category_name, status_name=status_name,
        volunteer_message=forms.get("volunteer_message"),
        is_resident=bool(user and user.role == "resident")), status


def _answer_need(need: VillageNeed, partial: str, message: str, category: str):
    """After a resident's button: htmx gets the updated part of the page with the message in
    it (a flash would wait for the next full page and greet them there, out of place); a
    plain post goes back to the need with the message flashed."""
    if is_htmx():
        user = _user()
        db.session.refresh(need)
        return render_template(partial, need=need,
                               supported=services.has_supported(db.session, need, user),
                               signup=services.own_signup(db.session, need, user),
                               volunteer_form=VolunteerForm(), is_resident=True,
                               message=message, volunteer_message=message, category=category)
    flash(message, category)
    return redirect(url_for("village.need", need_id=need.id))


# -- posting and editing --------------------------------------------------------------------

def _place_choices(form: NeedForm, places, lang: str) -> None:
    form.place.choices = [
        (p.key, p.village.name(lang) + " · " + p.commune.name(lang) if p.village
         else _("The whole commune: %(name)s", name=p.commune.name(lang))) for p in places]


def _need_input(form: NeedForm) -> NeedInput:
    return NeedInput(title=form.title.data.strip(), description=form.description.data.strip(),
                     place_key=form.place.data or "", category=form.category.data,
                     needed_by=form.needed_by.data, items=form.items())


def _blame(form: NeedForm, error: NeedError) -> None:
    form.add_error(error.field, ERRORS.get(error.code, ERRORS["forbidden"]))


@bp.route("/needs/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_need():
    user = _user()
    places = services.places_for(db.session, user)
    if not places:
        refuse(403, ERRORS["forbidden"])
    form = NeedForm()
    lang = current_language()
    _place_choices(form, places, lang)
    if form.validate_on_submit():
        try:
            need = services.post_need(db.session, user, _need_input(form))
        except NeedError as error:
            _blame(form, error)
        else:
            flash(_("The need is on the board."), "success")
            return redirect(url_for("village.need", need_id=need.id))
    status = 400 if request.method == "POST" else 200
    return render_template("village/need_form.html", form=form, need=None), status


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def edit_need(need_id: int):
    user = _user()
    need = _managed_or_403(need_id)
    places = services.places_for(db.session, user)
    if request.method == "GET":
        form = NeedForm(title=need.title, description=need.description,
                        category=need.category, needed_by=need.needed_by,
                        place=(f"village:{need.village_id}" if need.village_id
                               else f"commune:{need.unit_id}"))
        for index, item in enumerate(need.items, start=1):
            form[f"item{index}_description"].data = item.description
            form[f"item{index}_quantity"].data = str(item.quantity)
            form[f"item{index}_unit"].data = item.unit_label
    else:
        form = NeedForm()
    _place_choices(form, places, current_language())
    if form.validate_on_submit():
        try:
            services.edit_need(db.session, user, need, _need_input(form))
        except NeedError as error:
            db.session.refresh(need)
            _blame(form, error)
        else:
            flash(_("The need was saved."), "success")
            return redirect(url_for("village.need", need_id=need.id))
    status = 400 if request.method == "POST" else 200
    return render_template("village/need_form.html", form=form, need=need), status


# -- residents ------------------------------------------------------------------------------

@bp.post("/needs/<int:need_id>/support")
@roles("resident")
def support(need_id: int):
    need = _need_or_404(need_id)
    if not SupportForm().validate_on_submit():
        refuse(400)
    try:
        services.support(db.session, _user(), need)
    except NeedError as error:
        # htmx swaps only 2xx answers: a refusal is the fragment with its message.
        return _answer_need(need, "village/_support.html", str(ERRORS[error.code]), "error")
    return _answer_need(need, "village/_support.html",
                        _("Thank you: your support is counted."), "success")


@bp.post("/needs/<int:need_id>/volunteer")
@roles("resident")
def volunteer(need_id: int):
    need = _need_or_404(need_id)
    form = VolunteerForm()
    message = None
    if form.validate_on_submit():
        try:
            services.volunteer(db.session, _user(), need, form.availability.data.strip())
        except NeedError as error:
            message = str(ERRORS[error.code])
        else:
            return _answer_need(need, "village/_volunteer.html",
                                _("Thank you for volunteering. The village will contact you."),
                                "success")
    if is_htmx():
        # htmx swaps only a 2xx answer: the fragment with the message, what was typed kept.
        return render_template("village/_volunteer.html", need=need, is_resident=True,
                               signup=services.own_signup(db.session, need, _user()),
                               volunteer_form=form, volunteer_message=message)
    return _render_need(need, 400, volunteer_form=form, volunteer_message=message)


@bp.post("/needs/<int:need_id>/withdraw")
@roles("resident")
def withdraw(need_id: int):
    need = _need_or_404(need_id)
    if not SupportForm().validate_on_submit():
        refuse(400)
    try:
        services.withdraw(db.session, _user(), need)
    except NeedError as error:
        return _answer_need(need, "village/_volunteer.html", str(ERRORS[error.code]), "error")
    return _answer_need(need, "village/_volunteer.html", _("Your sign-up was withdrawn."),
                        "success")


# -- progress -------------------------------------------------------------------------------

@bp.post("/needs/<int:need_id>/updates")
@roles(*STAFF)
def post_update(need_id: int):
    need = _managed_or_403(need_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _render_need(need, 400, update_form=form)
    services.post_update(db.session, _user(), need, form.body.data.strip())
    flash(_("The progress update is posted."), "success")
    return redirect(url_for("village.need", need_id=need.id))


@bp.post("/needs/<int:need_id>/received")
@roles(*STAFF)
def record_received(need_id: int):
    need = _managed_or_403(need_id)
    form = ReceivedForm()
    form.item.choices = [(i.id, i.description) for i in need.items]
    if not form.validate_on_submit():
        return _render_need(need, 400, received_form=form)
    try:
        services.record_received(db.session, _user(), need, form.item.data,
                                 parse_quantity(form.received.data, 0))
    except NeedError as error:
        form.received.errors = list(form.received.errors) + [str(ERRORS[error.code])]
        return _render_need(need, 400, received_form=form)
    flash(_("The quantity received is saved."), "success")
    return redirect(url_for("village.need", need_id=need.id))


@bp.post("/needs/<int:need_id>/status")
@roles(*STAFF)
def set_status(need_id: int):
    need = _managed_or_403(need_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_need(need, 400, status_form=form)
    try:
        services.set_status(db.session, _user(), need, form.status.data, form.note.data.strip())
    except NeedError as error:
        db.session.refresh(need)
        form.status.errors = list(form.status.errors) + [str(ERRORS[error.code])]
        return _render_need(need, 400, status_form=form)
    flash(_("The status of the need is changed."), "success")
    return redirect(url_for("village.need", need_id=need.id))


@bp.post("/needs/<int:need_id>/ask-for-help")
@roles(*STAFF)
def ask_for_help(need_id: int):
    need = _managed_or_403(need_id)
    if not AskForHelpForm().validate_on_submit():
        refuse(400)
    try:
        case = services.ask_for_help(db.session, _user(), need)
    except NeedError as error:
        db.session.rollback()
        flash(str(ERRORS[error.code]), "error")
        return redirect(url_for("village.need", need_id=need.id))
    flash(_("The commune has been asked for help: case %(code)s.", code=case.code), "success")
    return redirect(url_for("village.need", need_id=need.id))


# -- village heads (administrator) -----------------------------------------------------------

def _head_form(form: HeadForm | None = None) -> HeadForm:
    form = form or HeadForm()
    lang = current_language()
    form.user_id.choices = [(u.id, f"{u.full_name} ({u.email or u.phone})")
                            for u in services.head_candidates(db.session)]
    form.village_id.choices = [
        (v.id, v.name(lang) + (" · " + v.parent.name(lang) if v.parent else ""))
        for v in services.villages(db.session)]
    return form


@bp.route("/heads", methods=["GET", "POST"])
@roles("admin")
def heads():
    form = _head_form()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.assign_head(db.session, form.user_id.data, form.village_id.data)
            except NeedError as error:
                form.add_error(error.field or "user_id", ERRORS[error.code])
            else:
                flash(_("The village head is saved."), "success")
                return redirect(url_for("village.heads"))
        return render_template("village/heads.html", form=form,
                               rows=services.heads(db.session), lang=current_language()), 400
    return render_template("village/heads.html", form=form, rows=services.heads(db.session),
                           lang=current_language())


@bp.post("/heads/<int:user_id>/remove")
@roles("admin")
def remove_head(user_id: int):
    if not RemoveHeadForm().validate_on_submit():
        refuse(400)
    if services.remove_head(db.session, user_id):
        flash(_("The village head was removed."), "success")
    return redirect_back(request.form.get("next"), url_for("village.heads"))

